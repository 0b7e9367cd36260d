"""The ``harness`` fixture: every item store, one after the other, under the same contract."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from tests.contract.harness import StoreHarness
from tests.sandbox.conftest import live_sandbox, sandbox  # noqa: F401 (fixtures the harnesses use)

#: Every ``harness_<name>.py`` beside this file is a store under the contract.
STORES = tuple(sorted(path.stem.removeprefix("harness_") for path in Path(__file__).parent.glob("harness_*.py")))


@pytest.fixture(params=STORES)
def harness(request: pytest.FixtureRequest) -> StoreHarness:
    """A store with an empty scope, and the hands to change its vendor side."""
    module = importlib.import_module(f"tests.contract.harness_{request.param}")
    made: StoreHarness = module.make_harness(request)
    return made

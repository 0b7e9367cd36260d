"""The ``harness`` fixture: every item store, one after the other, under the same contract."""

from __future__ import annotations

import importlib

import pytest

from tests.contract.harness import StoreHarness
from tests.sandbox.conftest import live_sandbox, sandbox  # noqa: F401 (fixtures the harnesses use)

STORES = ("memory", "graph", "people", "salesforce")


@pytest.fixture(params=STORES)
def harness(request: pytest.FixtureRequest) -> StoreHarness:
    """A store with an empty scope, and the hands to change its vendor side."""
    module = importlib.import_module(f"tests.contract.harness_{request.param}")
    made: StoreHarness = module.make_harness(request)
    return made

"""Splitting a store call's items into the slices one Google request (or HTTP batch) takes."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

from app.connectors.google.calendar_client import MAX_BATCH_CALLS

T = TypeVar("T")


def chunks(items: Sequence[T], size: int = MAX_BATCH_CALLS) -> Iterator[list[T]]:
    """``items`` in slices of ``size`` (by default, the inner calls of one Calendar or Tasks HTTP batch)."""
    for start in range(0, len(items), size):
        yield list(items[start : start + size])

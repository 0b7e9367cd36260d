"""The record of sync passes: one row per pass, with what it changed and what went wrong, in words."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine

from app.db import unit_of_work
from app.models import ItemType, SyncRun, SyncRunStatus, SyncTrigger
from app.sync.apply import ItemFailure, PassResult

#: The most item errors kept on one run (the count is always exact).
MAX_RECORDED_ERRORS = 200


def start_run(engine: Engine, user_id: int, item_types: Sequence[ItemType], trigger: SyncTrigger, now: datetime) -> int:
    """Record that a pass started; returns the run's id."""
    with unit_of_work(engine) as session:
        run = SyncRun(user_id=user_id, item_types=[t.value for t in item_types], trigger=trigger, started_at=now)
        session.add(run)
        session.flush()
        assert run.id is not None
        return run.id


def status_of(result: PassResult) -> SyncRunStatus:
    """How a pass that ran went: stopped by the guard, some items failed, or all well."""
    if result.guard is not None:
        return SyncRunStatus.ABORTED
    if result.failures:
        return SyncRunStatus.PARTIAL
    return SyncRunStatus.SUCCEEDED


def failure_record(failure: ItemFailure) -> dict[str, Any]:
    """How one item's failure is kept with its sync run."""
    return {
        "side": failure.side.value,
        "item_id": failure.item_id,
        "kind": failure.kind.value,
        "message": failure.message,
    }


def finish_run(
    engine: Engine,
    run_id: int,
    *,
    status: SyncRunStatus,
    now: datetime,
    result: PassResult | None = None,
    message: str | None = None,
) -> None:
    """Record how a pass ended: its status, counts per side, item errors and a message a person can act on."""
    with unit_of_work(engine) as session:
        run = session.get(SyncRun, run_id)
        if run is None:
            return
        run.status = status
        run.finished_at = now
        run.message = message
        if result is not None:
            counts: dict[str, Any] = {side.value: asdict(summary) for side, summary in result.summary.items()}
            counts["conflicts"] = len(result.conflicts)
            if result.warnings:
                counts["warnings"] = list(result.warnings[:MAX_RECORDED_ERRORS])
            run.counts = counts
            run.errors = [failure_record(failure) for failure in result.failures[:MAX_RECORDED_ERRORS]]
        session.add(run)

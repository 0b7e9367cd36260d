"""The summary ``crmbridge sync`` prints: one table row per user and side, then what went wrong, in words."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.table import Table

from app.jobs.sync_pass import PassReport
from app.sync.config import Side

COLUMNS = ("created", "updated", "deleted", "linked", "unlinked", "conflicts", "skipped", "errors")
SIDE_LABELS = {Side.MAILBOX: "mailbox", Side.SALESFORCE: "Salesforce"}


def summary_table(reports: Sequence[PassReport]) -> Table:
    """The counts of every pass, per side (item types a user turned off are left out)."""
    table = Table(title="Sync", title_justify="left")
    table.add_column("user")
    table.add_column("items")
    table.add_column("side")
    for column in COLUMNS:
        table.add_column(column, justify="right")
    table.add_column("status")
    for report in (report for report in reports if not report.turned_off):
        if report.result is None:
            status = "skipped" if report.skipped else report.status.value
            table.add_row(report.user_email, _items(report), "-", *("-" for _ in COLUMNS), status)
            continue
        for side in Side:
            counts = report.result.summary[side]
            values = (str(getattr(counts, column)) for column in COLUMNS)
            table.add_row(report.user_email, _items(report), SIDE_LABELS[side], *values, report.status.value)
    return table


def print_summary(console: Console, reports: Sequence[PassReport]) -> None:
    """Print the table, one line per pass that needs attention, then which item types are turned off for whom."""
    console.print(summary_table(reports))
    for report in reports:
        if report.message and not report.turned_off:
            console.print(f"{report.user_email} ({_items(report)}): {report.message}", markup=False, highlight=False)
    turned_off: dict[str, list[str]] = {}
    for report in reports:
        if report.turned_off:
            turned_off.setdefault(_items(report), []).append(report.user_email)
    for items, emails in turned_off.items():
        who = emails[0] if len(emails) == 1 else f"{len(emails)} users"
        console.print(
            f"{items.capitalize()} sync is turned off for {who} (turn it on with `crmbridge settings set --user EMAIL "
            f"{items}.enabled=true`).",
            markup=False,
            highlight=False,
        )


def _items(report: PassReport) -> str:
    return report.item_type.plural

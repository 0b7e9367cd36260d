"""The SOQL the Salesforce event and task stores run, pure: ``SELECT ... FROM Event|Task WHERE ...`` and date
literals. The date-time literal, id and owner conditions are the contact store's
(:mod:`app.connectors.salesforce.contacts_soql`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from app.connectors.salesforce.contacts_soql import IDS_PER_QUERY, ids_condition, owner_condition, soql_datetime

__all__ = ["IDS_PER_QUERY", "activity_soql", "ids_condition", "owner_condition", "soql_date", "soql_datetime"]


def soql_date(day: date) -> str:
    """A SOQL date literal."""
    return day.isoformat()


def activity_soql(sobject: str, select: str, conditions: Sequence[str]) -> str:
    """``SELECT select FROM sobject [WHERE (c1) AND (c2) ...]``."""
    soql = f"SELECT {select} FROM {sobject}"
    if conditions:
        soql += " WHERE " + " AND ".join(f"({condition})" for condition in conditions)
    return soql

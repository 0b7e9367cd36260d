"""The SOQL the Salesforce contact store runs over Contact: date-time literals, the id and owner conditions,
``SELECT ... FROM Contact`` itself, and a list view's membership (:class:`ListViewFilter`) read from the SOQL its
describe gives.

Nothing here does I/O. Values go into SOQL through :mod:`app.connectors.salesforce.mapping`'s escaping; ids are
checked, never escaped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from app.connectors.salesforce.mapping import is_salesforce_id, soql_string, soql_string_list

#: Ids per ``Id IN (...)`` query.
IDS_PER_QUERY = 200


def soql_datetime(moment: datetime) -> str:
    """A SOQL date-time literal (UTC, whole seconds: rounded down)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ids_condition(ids: Sequence[str]) -> str:
    """``Id IN (...)`` for Salesforce-shaped ids."""
    return "Id IN " + soql_string_list([record_id for record_id in ids if is_salesforce_id(record_id)])


def owner_condition(user_id: str, *, owned: bool = True) -> str:
    """``OwnerId = 'user'`` (or ``!=``)."""
    return f"OwnerId {'=' if owned else '!='} {soql_string(user_id)}"


def contact_soql(select: str, conditions: Sequence[str], *, scope: str | None = None) -> str:
    """``SELECT select FROM Contact [USING SCOPE scope] [WHERE (c1) AND (c2) ...]``."""
    text = f"SELECT {select} FROM Contact"
    if scope:
        text += f" USING SCOPE {scope}"
    if conditions:
        text += " WHERE " + " AND ".join(f"({condition})" for condition in conditions)
    return text


_CLAUSE = re.compile(r"(FROM|USING\s+SCOPE|WHERE|WITH|GROUP\s+BY|ORDER\s+BY|LIMIT|OFFSET|FOR)\b", re.IGNORECASE)
_SCOPE = re.compile(r"^[A-Za-z_]+$")


@dataclass(frozen=True)
class ListViewFilter:
    """What decides a list view's membership: its ``USING SCOPE`` and its WHERE condition (either may be absent)."""

    scope: str | None
    where: str | None

    @classmethod
    def parse(cls, soql: str) -> ListViewFilter:
        """From the SOQL a list view's describe gives (``SELECT ... FROM Contact [USING SCOPE s] [WHERE ...]
        [ORDER BY ...]``). ValueError when it is not a query on Contact."""
        clauses: dict[str, str] = {}
        positions = list(_clause_positions(soql))
        for index, (_start, end, word) in enumerate(positions):
            stop = positions[index + 1][0] if index + 1 < len(positions) else len(soql)
            clauses.setdefault(" ".join(word.upper().split()), soql[end:stop].strip())
        sobject = clauses.get("FROM", "").split()
        if not sobject or sobject[0].lower() != "contact":
            raise ValueError("the list view does not query Contact")
        scope = clauses.get("USING SCOPE") or None
        if scope is not None and not _SCOPE.match(scope):
            raise ValueError(f"unexpected list view scope {scope!r}")
        return cls(scope=scope.lower() if scope else None, where=clauses.get("WHERE") or None)

    def conditions(self) -> list[str]:
        """The view's WHERE condition, as a list of conditions to AND with others."""
        return [self.where] if self.where else []


def _clause_positions(soql: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, keyword) of every clause keyword outside quotes and parentheses."""
    depth, index, quoted = 0, 0, False
    while index < len(soql):
        char = soql[index]
        if quoted:
            if char == "\\":
                index += 1
            elif char == "'":
                quoted = False
        elif char == "'":
            quoted = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif depth == 0 and (index == 0 or not (soql[index - 1].isalnum() or soql[index - 1] in "_.")):
            match = _CLAUSE.match(soql, index)
            if match:
                yield match.start(), match.end(), match[1]
                index = match.end()
                continue
        index += 1

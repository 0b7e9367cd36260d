"""Executing SOQL: planning a parsed query against the schema, then filtering, ordering, paging and rendering.

Planning happens before any row is read, so every INVALID_FIELD / INVALID_TYPE / MALFORMED_QUERY error is
raised even when the object has no rows, as Salesforce does.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from app.sandbox.salesforce.soql import ast
from app.sandbox.salesforce.soql.conditions import ConditionCompiler, Predicate, normalizer
from app.sandbox.salesforce.soql.errors import (
    INVALID_FIELD,
    MALFORMED_QUERY,
    NUMBER_OUTSIDE_VALID_RANGE,
    located_error,
)
from app.sandbox.salesforce.soql.literals import UTC
from app.sandbox.salesforce.soql.lookups import Lookups, id15
from app.sandbox.salesforce.soql.parser import parse_soql
from app.sandbox.salesforce.soql.render import child_result, new_record, place_field
from app.sandbox.salesforce.soql.schema import BoundField, Kind, Schema
from app.sandbox.salesforce.soql.source import QuerySource, SoqlError

Row = Mapping[str, Any]

MAX_OFFSET = 2000
MAX_FIELDS_ALL_LIMIT = 200
SUPPORTED_SCOPES = frozenset({"everything", "mine"})
# Scopes Salesforce accepts but the sandbox does not emulate; anything else is a syntax error.
OTHER_SCOPES = frozenset(
    {"delegated", "mine_and_my_groups", "my_territory", "my_team_territory", "team", "scopingrule", "mineandmygroups"}
)


@dataclass(frozen=True)
class QueryResult:
    """The outcome of a SOQL query; records are already in the REST API's JSON shape, in result order."""

    sobject: str
    records: list[dict[str, Any]]
    total_size: int
    is_count: bool


@dataclass(frozen=True)
class OrderKey:
    """One resolved ORDER BY key."""

    field: BoundField
    descending: bool
    nulls_first: bool


@dataclass(frozen=True)
class Plan:
    """A query resolved against the schema: what to read, keep, order, page and render."""

    sobject: str
    items: tuple[BoundField | ChildPlan, ...]
    where: Predicate | None
    order: tuple[OrderKey, ...]
    limit: int | None
    offset: int | None
    is_count: bool = False
    mine: bool = False


@dataclass(frozen=True)
class ChildPlan:
    """A parent-to-child subquery: the relationship, the child's field pointing at the parent, the child plan."""

    relationship: str
    field: str
    plan: Plan


def _contains_semi_join(condition: ast.Condition | None) -> bool:
    match condition:
        case ast.SemiJoin():
            return True
        case ast.And(operands) | ast.Or(operands):
            return any(_contains_semi_join(operand) for operand in operands)
        case ast.Not(operand):
            return _contains_semi_join(operand)
    return False


class Engine:
    """Everything one statement needs: schema, parent lookups, condition compiler and row access."""

    def __init__(
        self,
        source: QuerySource,
        text: str,
        *,
        now: dt.datetime,
        user_id: str | None,
        api_version: str,
        include_deleted: bool,
        error_code: str = MALFORMED_QUERY,
    ) -> None:
        self.source = source
        self.text = text
        self.api_version = api_version
        self.include_deleted = include_deleted
        self.error_code = error_code
        self.schema = Schema(source, text)
        self.lookups = Lookups(source)
        self._user = id15(user_id)
        self.conditions = ConditionCompiler(
            self.schema, self.lookups, text, now.astimezone(UTC).date(), self._semi_join_values
        )
        self._child_index: dict[int, dict[str | None, list[Row]]] = {}

    def error(self, code: str, line: int, column: int, message: str) -> SoqlError:
        """A SoqlError located in this statement."""
        return located_error(code, self.text, line, column, message)

    # --- reading -----------------------------------------------------------------------------------

    def rows(self, sobject: str) -> list[Row]:
        """The object's rows; deleted rows only when include_deleted (queryAll)."""
        rows = self.source.records(sobject, include_deleted=self.include_deleted)
        return [row for row in rows if self.include_deleted or not row.get("IsDeleted")]

    def select(self, plan: Plan, rows: list[Row]) -> list[Row]:
        """Apply scope, WHERE, ORDER BY, OFFSET and LIMIT to rows."""
        kept = [
            row
            for row in rows
            if (not plan.mine or (self._user is not None and id15(row.get("OwnerId")) == self._user))
            and (plan.where is None or plan.where(row))
        ]
        self.sort(kept, plan.order)
        start = plan.offset or 0
        return kept[start : None if plan.limit is None else start + plan.limit]

    def sort(self, rows: list[Row], order: tuple[OrderKey, ...]) -> None:
        """Sort rows in place; later keys first, relying on the sort being stable."""
        for key in reversed(order):
            rows.sort(key=self._sort_key(key), reverse=key.descending)

    def _sort_key(self, key: OrderKey) -> Callable[[Row], tuple[int, Any]]:
        normalize = normalizer(key.field.kind)
        # Nulls form a group before or after all values; sorting with reverse=True also reverses the groups.
        null_group = 0 if key.nulls_first != key.descending else 2

        def sort_key(row: Row) -> tuple[int, Any]:
            value = normalize(self.lookups.value(row, key.field))
            return (null_group, 0) if value is None else (1, value)

        return sort_key

    # --- rendering ---------------------------------------------------------------------------------

    def render(self, plan: Plan, row: Row) -> dict[str, Any]:
        """One row as a REST API record with the plan's fields in SELECT order."""
        record = new_record(plan.sobject, row, self.api_version)
        for item in plan.items:
            if isinstance(item, BoundField):
                place_field(
                    record,
                    sobject=plan.sobject,
                    row=row,
                    field=item,
                    lookups=self.lookups,
                    api_version=self.api_version,
                )
            else:
                children = self._child_rows(item, row)
                record[item.relationship] = child_result([self.render(item.plan, child) for child in children])
        return record

    def _child_rows(self, child: ChildPlan, parent: Row) -> list[Row]:
        index = self._child_index.get(id(child))
        if index is None:
            index = defaultdict(list)
            for row in self.rows(child.plan.sobject):
                index[id15(row.get(child.field))].append(row)
            self._child_index[id(child)] = index
        return self.select(child.plan, list(index.get(id15(parent.get("Id")), [])))

    # --- planning ----------------------------------------------------------------------------------

    def order_keys(self, items: tuple[ast.OrderItem, ...], sobject: str, alias: str | None) -> tuple[OrderKey, ...]:
        """Resolve ORDER BY items; multi-select picklists cannot be sorted."""
        keys = []
        for item in items:
            field = self.schema.bind(sobject, item.field, alias)
            if field.kind is Kind.MULTIPICKLIST:
                raise self.error(
                    INVALID_FIELD,
                    item.field.line,
                    item.field.column,
                    f"field '{field.name}' can not be sorted in a query call",
                )
            nulls_first = not item.descending if item.nulls_first is None else item.nulls_first
            keys.append(OrderKey(field, item.descending, nulls_first))
        return tuple(keys)

    def check_offset(self, offset: int | None) -> None:
        """OFFSET may not exceed 2,000."""
        if offset is not None and offset > MAX_OFFSET:
            raise SoqlError(NUMBER_OUTSIDE_VALID_RANGE, f"Maximum SOQL offset allowed is {MAX_OFFSET}")

    def plan_query(self, query: ast.SoqlQuery, sobject: str, *, parent_limit: int | None, is_child: bool) -> Plan:
        """Resolve a SELECT statement (top level or child subquery) against the schema."""
        items: list[BoundField | ChildPlan] = []
        seen: set[tuple[str, ...]] = set()
        is_count = False
        needs_limit: ast.FieldsMacro | None = None

        def add(item: BoundField | ChildPlan, key: tuple[str, ...], line: int, column: int, name: str) -> None:
            if key in seen:
                raise self.error(MALFORMED_QUERY, line, column, f"duplicate field selected: {name}")
            seen.add(key)
            items.append(item)

        for selected in query.select:
            match selected:
                case ast.FieldPath():
                    field = self.schema.bind(sobject, selected, query.alias)
                    add(field, field.key, selected.line, selected.column, field.name)
                case ast.CountAll():
                    if is_child or len(query.select) > 1:
                        raise self.error(
                            MALFORMED_QUERY,
                            selected.line,
                            selected.column,
                            "COUNT() must be the only item of the SELECT list of a top-level query",
                        )
                    is_count = True
                case ast.FieldsMacro():
                    if selected.kind != "STANDARD":
                        needs_limit = selected
                    for field in self._macro_fields(sobject, selected):
                        if field.key not in seen:
                            add(field, field.key, selected.line, selected.column, field.name)
                case ast.ChildSubquery(query=sub):
                    relationship, child = self.schema.child_relationship(
                        sobject, sub.sobject, sub.sobject_line, sub.sobject_column
                    )
                    reference = self.schema.fields(child).get(relationship.field.lower())
                    plan = self.plan_query(sub, child, parent_limit=query.limit, is_child=True)
                    child_plan = ChildPlan(relationship.name, reference.name if reference else relationship.field, plan)
                    key = ("(", relationship.name.lower())
                    add(child_plan, key, sub.sobject_line, sub.sobject_column, relationship.name)

        if needs_limit is not None and (query.limit is None or query.limit > MAX_FIELDS_ALL_LIMIT):
            raise self.error(
                MALFORMED_QUERY,
                needs_limit.line,
                needs_limit.column,
                f"The SOQL FIELDS function must have a LIMIT of at most {MAX_FIELDS_ALL_LIMIT}",
            )
        self.check_offset(query.offset)
        if is_child and query.offset is not None and parent_limit != 1:
            raise self.error(
                MALFORMED_QUERY,
                query.sobject_line,
                query.sobject_column,
                "OFFSET is allowed in a subquery only when the outer query has LIMIT 1",
            )
        mine = self._scope(query, is_child=is_child)
        where = self.conditions.compile(query.where, sobject, query.alias) if query.where is not None else None
        return Plan(
            sobject=sobject,
            items=tuple(items),
            where=where,
            order=self.order_keys(query.order_by, sobject, query.alias),
            limit=query.limit,
            offset=query.offset,
            is_count=is_count,
            mine=mine,
        )

    def _macro_fields(self, sobject: str, macro: ast.FieldsMacro) -> list[BoundField]:
        fields = []
        for info in self.schema.fields(sobject).values():
            custom = info.name.lower().endswith("__c")
            if macro.kind == "ALL" or custom == (macro.kind == "CUSTOM"):
                path = ast.FieldPath((info.name,), macro.line, macro.column)
                fields.append(self.schema.bind(sobject, path))
        return fields

    def _scope(self, query: ast.SoqlQuery, *, is_child: bool) -> bool:
        """Whether USING SCOPE mine applies; other scopes are rejected rather than silently ignored."""
        if query.scope is None:
            return False
        line, column = query.sobject_line, query.sobject_column
        if is_child:
            raise self.error(MALFORMED_QUERY, line, column, "USING SCOPE is not allowed in a subquery")
        if query.scope in SUPPORTED_SCOPES:
            return query.scope == "mine"
        if query.scope in OTHER_SCOPES:
            raise self.error(
                MALFORMED_QUERY, line, column, f"USING SCOPE {query.scope} is not supported by the sandbox"
            )
        raise self.error(MALFORMED_QUERY, line, column, f"unexpected token: {query.scope}")

    def _semi_join_values(self, condition: ast.SemiJoin, field: BoundField) -> Callable[[], frozenset[str | None]]:
        """Resolve a semi-join subquery now and return a function computing its id set once, on first use."""
        sub = condition.query
        if field.kind is not Kind.ID:
            raise self.error(
                self.error_code,
                field.path.line,
                field.path.column,
                f"semi join sub-selects are only allowed on Id or reference fields, not '{field.name}'",
            )
        sobject = self.schema.sobject(sub.sobject, sub.sobject_line, sub.sobject_column)
        first = sub.select[0]
        if len(sub.select) != 1 or not isinstance(first, ast.FieldPath):
            raise self.error(
                self.error_code, sub.line, sub.column, "semi join sub-selects must select exactly one Id field"
            )
        selected = self.schema.bind(sobject, first, sub.alias)
        if selected.kind is not Kind.ID:
            raise self.error(
                self.error_code,
                first.line,
                first.column,
                f"semi join sub-selects can only select Id or reference fields, not '{selected.name}'",
            )
        if _contains_semi_join(sub.where):
            raise self.error(self.error_code, sub.line, sub.column, "Nesting of semi join sub-selects is not supported")
        if sub.offset is not None:
            raise self.error(
                self.error_code, sub.sobject_line, sub.sobject_column, "OFFSET is not allowed in a semi join sub-select"
            )
        plan = Plan(
            sobject=sobject,
            items=(),
            where=self.conditions.compile(sub.where, sobject, sub.alias) if sub.where is not None else None,
            order=self.order_keys(sub.order_by, sobject, sub.alias),
            limit=sub.limit,
            offset=None,
            mine=self._scope(sub, is_child=False),
        )
        cache: list[frozenset[str | None]] = []

        def values() -> frozenset[str | None]:
            if not cache:
                rows = self.select(plan, self.rows(sobject))
                cache.append(frozenset(id15(self.lookups.value(row, selected)) for row in rows) - {None})
            return cache[0]

        return values


def execute_soql(
    text: str,
    source: QuerySource,
    *,
    now: dt.datetime,
    user_id: str | None,
    api_version: str,
    include_deleted: bool = False,
) -> QueryResult:
    """Run a SOQL query against source. include_deleted=True is queryAll; pagination is the caller's job."""
    query = parse_soql(text)
    engine = Engine(source, text, now=now, user_id=user_id, api_version=api_version, include_deleted=include_deleted)
    sobject = engine.schema.sobject(query.sobject, query.sobject_line, query.sobject_column)
    plan = engine.plan_query(query, sobject, parent_limit=None, is_child=False)
    rows = engine.select(plan, engine.rows(sobject))
    if plan.is_count:
        return QueryResult(sobject=sobject, records=[], total_size=len(rows), is_count=True)
    records = [engine.render(plan, row) for row in rows]
    return QueryResult(sobject=sobject, records=records, total_size=len(records), is_count=False)

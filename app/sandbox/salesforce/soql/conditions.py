"""Compiling WHERE conditions into predicates over rows, with Salesforce's type checks and null rules.

Comparison rules, as Salesforce applies them:
- strings compare case-insensitively, and '' means null;
- record ids compare on their case-sensitive 15-character form;
- a null field satisfies != and NOT IN but no other operator (except = null);
- checkboxes are never null (a missing value is false);
- a relative date literal stands for a range: = means inside, < before its start, > after its end.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from app.sandbox.salesforce.soql import ast
from app.sandbox.salesforce.soql.errors import INVALID_FIELD, INVALID_QUERY_FILTER_OPERATOR, located_error
from app.sandbox.salesforce.soql.literals import (
    field_date,
    field_datetime,
    fold,
    pattern_regex,
    relative_date_range,
    utc_midnight,
)
from app.sandbox.salesforce.soql.lookups import Lookups, id15
from app.sandbox.salesforce.soql.schema import BoundField, Kind, Schema, soap_type_name
from app.sandbox.salesforce.soql.source import SoqlError

Row = Mapping[str, Any]
Predicate = Callable[[Row], bool]
SemiJoinValues = Callable[[ast.SemiJoin, BoundField], Callable[[], frozenset[str | None]]]

_ID_RE = re.compile(r"[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?")


@dataclass(frozen=True)
class DateRange:
    """The half-open range a relative date literal stands for, as dates or UTC datetimes."""

    start: dt.date
    end: dt.date


def _number(value: Any) -> int | float | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value
    try:
        return float(str(value))
    except ValueError:
        return None


def _multipicklist(value: Any) -> frozenset[str] | None:
    if value is None or value == "":
        return None
    return frozenset(fold(item.strip()) for item in str(value).split(";") if item.strip())


def _boolean(value: Any) -> bool:
    if isinstance(value, str):
        return value.lower() == "true"
    return bool(value)


def _string(value: Any) -> str | None:
    return None if value is None or value == "" else fold(str(value))


def normalizer(kind: Kind) -> Callable[[Any], Any]:
    """The function turning a stored value of this kind into a comparable Python value (None for null)."""
    return {
        Kind.STRING: _string,
        Kind.ID: id15,
        Kind.MULTIPICKLIST: _multipicklist,
        Kind.BOOLEAN: _boolean,
        Kind.NUMBER: _number,
        Kind.DATE: field_date,
        Kind.DATETIME: field_datetime,
    }[kind]


def compare(operator: str, left: Any, right: Any) -> bool:
    """Apply a comparison operator with Salesforce's null and date-range rules."""
    if isinstance(right, DateRange):
        if left is None:
            return operator == "!="
        inside = right.start <= left < right.end
        outcome = {
            "=": inside,
            "!=": not inside,
            "<": left < right.start,
            "<=": left < right.end,
            ">": left >= right.end,
            ">=": left >= right.start,
        }
        return bool(outcome[operator])
    if right is None:
        return (left is None) if operator == "=" else (left is not None) if operator == "!=" else False
    if left is None:
        return operator == "!="
    try:
        outcome = {
            "=": left == right,
            "!=": left != right,
            "<": left < right,
            "<=": left <= right,
            ">": left > right,
            ">=": left >= right,
        }
    except TypeError:
        return operator == "!="
    return bool(outcome[operator])


class ConditionCompiler:
    """Turns ast conditions of one statement into predicates; all type errors surface before any row is read."""

    def __init__(
        self, schema: Schema, lookups: Lookups, text: str, today: dt.date, semi_join_values: SemiJoinValues
    ) -> None:
        self._schema = schema
        self._lookups = lookups
        self._text = text
        self._today = today
        self._semi_join_values = semi_join_values

    def _error(self, code: str, line: int, column: int, message: str) -> SoqlError:
        return located_error(code, self._text, line, column, message)

    def compile(self, condition: ast.Condition, root: str, alias: str | None) -> Predicate:
        """A predicate telling whether a row of root satisfies condition."""
        if isinstance(condition, ast.And | ast.Or):
            parts = [self.compile(operand, root, alias) for operand in condition.operands]
            combine = all if isinstance(condition, ast.And) else any
            return lambda row: combine(part(row) for part in parts)
        if isinstance(condition, ast.Not):
            inner = self.compile(condition.operand, root, alias)
            return lambda row: not inner(row)
        handlers: dict[type, Callable[[Any, BoundField], Predicate]] = {
            ast.Comparison: self._comparison,
            ast.Like: self._like,
            ast.InList: self._in_list,
            ast.Includes: self._includes,
            ast.SemiJoin: self._semi_join,
        }
        return handlers[type(condition)](condition, self._schema.bind(root, condition.field, alias))

    def _reader(self, field: BoundField) -> Callable[[Row], Any]:
        normalize = normalizer(field.kind)
        lookups = self._lookups
        return lambda row: normalize(lookups.value(row, field))

    def operand(self, field: BoundField, literal: ast.Literal) -> Any:
        """The comparable value of a literal for field, or the INVALID_FIELD error for a type mismatch."""
        if isinstance(literal, ast.NullLiteral):
            return None
        kind = field.kind
        accepted = {
            ast.StringLiteral: kind in {Kind.STRING, Kind.ID, Kind.MULTIPICKLIST},
            ast.NumberLiteral: kind is Kind.NUMBER,
            ast.BooleanLiteral: kind is Kind.BOOLEAN,
            ast.DateLiteral: kind is Kind.DATE,
            ast.DateTimeLiteral: kind is Kind.DATETIME,
            ast.RelativeDateLiteral: kind in {Kind.DATE, Kind.DATETIME},
        }[type(literal)]
        if not accepted:
            quoted = "be" if kind in {Kind.STRING, Kind.ID, Kind.MULTIPICKLIST} else "not be"
            message = (
                f"value of filter criterion for field '{field.name}' must be of type {soap_type_name(field.type)} "
                f"and should {quoted} enclosed in quotes"
            )
            raise self._error(INVALID_FIELD, literal.line, literal.column, message)
        if isinstance(literal, ast.StringLiteral):
            return self._string_operand(kind, literal)
        if isinstance(literal, ast.RelativeDateLiteral):
            start, end = relative_date_range(literal.name, literal.n, self._today)
            if kind is Kind.DATETIME:
                return DateRange(utc_midnight(start), utc_midnight(end))
            return DateRange(start, end)
        return literal.value

    def _string_operand(self, kind: Kind, literal: ast.StringLiteral) -> Any:
        value = literal.value
        if kind is Kind.ID:
            if value and not _ID_RE.fullmatch(value):
                raise self._error(
                    INVALID_QUERY_FILTER_OPERATOR, literal.line, literal.column, f"invalid ID field: {value}"
                )
            return id15(value)
        if kind is Kind.MULTIPICKLIST:
            return _multipicklist(value)
        return _string(value)

    def _bad_operator(self, field: BoundField, message: str) -> SoqlError:
        return self._error(INVALID_QUERY_FILTER_OPERATOR, field.path.line, field.path.column, message)

    def _comparison(self, condition: ast.Comparison, field: BoundField) -> Predicate:
        operator = condition.operator
        if operator not in {"=", "!="} and field.kind in {Kind.BOOLEAN, Kind.MULTIPICKLIST}:
            raise self._bad_operator(field, f"invalid operator on {field.kind.value} field")
        right = self.operand(field, condition.value)
        read = self._reader(field)
        return lambda row: compare(operator, read(row), right)

    def _like(self, condition: ast.Like, field: BoundField) -> Predicate:
        if field.kind is not Kind.STRING:
            raise self._bad_operator(field, f"invalid operator on {soap_type_name(field.type)} field")
        pattern = condition.pattern
        if not isinstance(pattern, ast.LikePattern):
            right = self.operand(field, pattern)  # raises for non-strings; NULL is all that is left
            read_null = self._reader(field)
            return lambda row: compare("=", read_null(row), right)
        regex = pattern_regex(pattern.elements)
        lookups = self._lookups

        def matches(row: Row) -> bool:
            value = lookups.value(row, field)
            return value is not None and regex.fullmatch(fold(str(value))) is not None

        return matches

    def _in_list(self, condition: ast.InList, field: BoundField) -> Predicate:
        operands = [self.operand(field, value) for value in condition.values]
        read = self._reader(field)
        negated = condition.negated

        def matches(row: Row) -> bool:
            left = read(row)
            return any(compare("=", left, right) for right in operands) != negated

        return matches

    def _includes(self, condition: ast.Includes, field: BoundField) -> Predicate:
        if field.kind is not Kind.MULTIPICKLIST:
            raise self._bad_operator(field, "includes or excludes operator only valid on multipicklist field")
        wanted = [self.operand(field, value) for value in condition.values]
        read = self._reader(field)
        exclude = condition.exclude

        def matches(row: Row) -> bool:
            values = read(row)
            if values is None:
                return exclude
            found = any(want is not None and want <= values for want in wanted)
            return found != exclude

        return matches

    def _semi_join(self, condition: ast.SemiJoin, field: BoundField) -> Predicate:
        values = self._semi_join_values(condition, field)
        read = self._reader(field)
        negated = condition.negated
        return lambda row: (read(row) in values()) != negated

"""The syntax tree of SOQL and SOSL statements: frozen dataclasses built by parser.py.

Every node that can be named in an error message carries the 1-based line and column where it starts,
because Salesforce reports errors as "ERROR at Row:r:Column:c".
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

# --- literals ---------------------------------------------------------------------------------------


class LikeWildcard(enum.Enum):
    """A wildcard in a LIKE pattern (SOQL) or search word (SOSL)."""

    ANY = "%"  # any run of characters, possibly empty (SOSL: *)
    ONE = "_"  # exactly one character (SOSL: ?)


PatternElement = str | LikeWildcard


@dataclass(frozen=True)
class StringLiteral:
    """A quoted string after escape processing."""

    value: str
    line: int
    column: int


@dataclass(frozen=True)
class LikePattern:
    """The right-hand side of LIKE: literal text runs and wildcards (escaped \\% and \\_ are literal text)."""

    elements: tuple[PatternElement, ...]
    line: int
    column: int


@dataclass(frozen=True)
class NumberLiteral:
    """An integer or decimal number."""

    value: int | float
    text: str
    line: int
    column: int


@dataclass(frozen=True)
class BooleanLiteral:
    """TRUE or FALSE."""

    value: bool
    line: int
    column: int


@dataclass(frozen=True)
class NullLiteral:
    """NULL."""

    line: int
    column: int


@dataclass(frozen=True)
class DateLiteral:
    """A date value such as 2024-01-31."""

    value: dt.date
    line: int
    column: int


@dataclass(frozen=True)
class DateTimeLiteral:
    """A dateTime value such as 2024-01-31T10:00:00Z, normalised to UTC."""

    value: dt.datetime
    line: int
    column: int


@dataclass(frozen=True)
class RelativeDateLiteral:
    """A relative date range such as TODAY or LAST_N_DAYS:30 (name upper-cased, n None when absent)."""

    name: str
    n: int | None
    line: int
    column: int


Literal = (
    StringLiteral | NumberLiteral | BooleanLiteral | NullLiteral | DateLiteral | DateTimeLiteral | RelativeDateLiteral
)


# --- field references -------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldPath:
    """A field reference, possibly through parent relationships: Name, Account.Name, Account.Owner.Email."""

    parts: tuple[str, ...]
    line: int
    column: int

    @property
    def text(self) -> str:
        """The path as written, dot-separated."""
        return ".".join(self.parts)


@dataclass(frozen=True)
class CountAll:
    """COUNT() in the SELECT list."""

    line: int
    column: int


@dataclass(frozen=True)
class FieldsMacro:
    """FIELDS(ALL), FIELDS(STANDARD) or FIELDS(CUSTOM) in the SELECT list."""

    kind: str  # upper-case: ALL, STANDARD, CUSTOM
    line: int
    column: int


@dataclass(frozen=True)
class ChildSubquery:
    """A parent-to-child subquery in the SELECT list; query.sobject is the child relationship name."""

    query: SoqlQuery


SelectItem = FieldPath | CountAll | FieldsMacro | ChildSubquery


# --- conditions -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    """field op value, op one of = != < <= > >= (<> is normalised to !=)."""

    field: FieldPath
    operator: str
    value: Literal


@dataclass(frozen=True)
class Like:
    """field LIKE 'pattern' (a non-string value is kept so the type check can report it)."""

    field: FieldPath
    pattern: LikePattern | Literal


@dataclass(frozen=True)
class InList:
    """field [NOT] IN (value, ...)."""

    field: FieldPath
    values: tuple[Literal, ...]
    negated: bool


@dataclass(frozen=True)
class SemiJoin:
    """field [NOT] IN (SELECT idField FROM Object ...): a semi-join, or an anti-join when negated."""

    field: FieldPath
    query: SoqlQuery
    negated: bool


@dataclass(frozen=True)
class Includes:
    """multipicklistField INCLUDES|EXCLUDES ('a;b', 'c'); each value is a set of ;-separated items."""

    field: FieldPath
    values: tuple[Literal, ...]
    exclude: bool


@dataclass(frozen=True)
class And:
    """All operands are true."""

    operands: tuple[Condition, ...]


@dataclass(frozen=True)
class Or:
    """At least one operand is true."""

    operands: tuple[Condition, ...]


@dataclass(frozen=True)
class Not:
    """The operand is false."""

    operand: Condition


Condition = Comparison | Like | InList | SemiJoin | Includes | And | Or | Not


# --- statements -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderItem:
    """One ORDER BY key; nulls_first None means the default (first for ASC, last for DESC)."""

    field: FieldPath
    descending: bool
    nulls_first: bool | None


@dataclass(frozen=True)
class SoqlQuery:
    """A SELECT statement (top level, child subquery or semi-join subquery)."""

    select: tuple[SelectItem, ...]
    sobject: str
    sobject_line: int
    sobject_column: int
    alias: str | None
    scope: str | None
    where: Condition | None
    security_mode: str | None  # WITH SECURITY_ENFORCED / USER_MODE / SYSTEM_MODE, upper-case
    order_by: tuple[OrderItem, ...]
    limit: int | None
    offset: int | None
    line: int
    column: int


# --- SOSL -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchWord:
    """One unquoted search word, with its * and ? wildcards."""

    elements: tuple[PatternElement, ...]


@dataclass(frozen=True)
class SearchPhrase:
    """A double-quoted phrase: its words must appear next to each other, in order."""

    words: tuple[SearchWord, ...]


@dataclass(frozen=True)
class SearchAnd:
    """Both sides match (written AND, or implied between adjacent terms)."""

    left: SearchExpression
    right: SearchExpression


@dataclass(frozen=True)
class SearchAndNot:
    """The left side matches and the right side does not (AND NOT)."""

    left: SearchExpression
    right: SearchExpression


@dataclass(frozen=True)
class SearchOr:
    """Either side matches."""

    left: SearchExpression
    right: SearchExpression


SearchExpression = SearchWord | SearchPhrase | SearchAnd | SearchAndNot | SearchOr


@dataclass(frozen=True)
class ReturningObject:
    """One object of the RETURNING clause with its optional field list and clauses."""

    sobject: str
    line: int
    column: int
    fields: tuple[FieldPath, ...]
    where: Condition | None
    order_by: tuple[OrderItem, ...]
    limit: int | None
    offset: int | None


@dataclass(frozen=True)
class SoslQuery:
    """A FIND statement."""

    search: SearchExpression
    search_text: str  # the text between the braces, as written
    search_group: str  # ALL, NAME, EMAIL, PHONE or SIDEBAR
    returning: tuple[ReturningObject, ...]
    limit: int | None

"""Parsing SOQL and SOSL text into the syntax tree of ast.py, with the lark grammars next to this module.

Grammar and lexer errors become SoqlError(MALFORMED_QUERY) (MALFORMED_SEARCH for SOSL) located the way
Salesforce locates them: "ERROR at Row:r:Column:c" followed by "unexpected token: X".
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

from lark import Lark, Token, Transformer, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken, VisitError

from app.sandbox.salesforce.soql import ast
from app.sandbox.salesforce.soql.errors import MALFORMED_QUERY, MALFORMED_SEARCH, located_error
from app.sandbox.salesforce.soql.literals import (
    N_RELATIVE_DATES,
    SIMPLE_RELATIVE_DATES,
    LiteralError,
    decode_like_pattern,
    decode_string,
    parse_date,
    parse_datetime,
)
from app.sandbox.salesforce.soql.source import SoqlError

_GRAMMAR_DIR = Path(__file__).parent
_WORD = re.compile(r"[A-Za-z0-9_]+")
SECURITY_MODES = frozenset({"SECURITY_ENFORCED", "USER_MODE", "SYSTEM_MODE"})


@functools.cache
def _parser(grammar: str) -> Lark:
    return Lark.open(str(_GRAMMAR_DIR / grammar), parser="lalr", lexer="contextual", maybe_placeholders=False)


def _end_position(text: str) -> tuple[int, int]:
    lines = text.split("\n")
    return len(lines), len(lines[-1]) + 1


def _syntax_error(exc: UnexpectedInput, text: str, code: str) -> SoqlError:
    """Translate a lark error into Salesforce's wording."""
    if isinstance(exc, UnexpectedToken) and exc.token.type != "$END":
        token = exc.token
        return located_error(code, text, token.line or 1, token.column or 1, f"unexpected token: {token.value}")
    if isinstance(exc, UnexpectedCharacters):
        pos = exc.pos_in_stream or 0
        line, column = exc.line, exc.column
        word = _WORD.match(text, pos)
        if word is not None:  # a word no rule accepts here, such as GROUP after FROM Contact
            return located_error(code, text, line, column, f"unexpected token: {word.group()}")
        char = text[pos] if pos < len(text) else "<EOF>"
        message = f"line {line}:{column} no viable alternative at character '{char}'"
        return located_error(code, text, line, column, message)
    if isinstance(exc, UnexpectedEOF | UnexpectedToken):
        line, column = _end_position(text)
        return located_error(code, text, line, column, "unexpected token: <EOF>")
    line, column = _end_position(text)  # pragma: no cover - lark raises only the classes above
    return located_error(code, text, line, column, str(exc))


def _pos(token: Token) -> tuple[int, int]:
    return token.line or 1, token.column or 1


class _Clause:
    """A parsed clause handed from a clause rule up to its statement rule."""

    def __init__(self, kind: str, value: Any) -> None:
        self.kind = kind
        self.value = value


class SoqlTransformer(Transformer[Token, Any]):
    """Builds ast nodes from the soql.lark parse tree."""

    def __init__(self, text: str, error_code: str = MALFORMED_QUERY) -> None:
        super().__init__()
        self._text = text
        self._error_code = error_code

    def _error(self, token: Token, message: str) -> SoqlError:
        line, column = _pos(token)
        return located_error(self._error_code, self._text, line, column, message)

    # --- statement ---------------------------------------------------------------------------------

    def start(self, children: list[Any]) -> Any:
        return children[0]

    def query(self, children: list[_Clause]) -> ast.SoqlQuery:
        clauses = {clause.kind: clause.value for clause in children}
        select: tuple[ast.SelectItem, ...] = clauses["select"]
        name, alias = clauses["from"]
        first = select[0]
        anchor = first.query if isinstance(first, ast.ChildSubquery) else first
        return ast.SoqlQuery(
            select=select,
            sobject=str(name),
            sobject_line=_pos(name)[0],
            sobject_column=_pos(name)[1],
            alias=str(alias) if alias is not None else None,
            scope=clauses.get("scope"),
            where=clauses.get("where"),
            security_mode=clauses.get("with"),
            order_by=clauses.get("order_by", ()),
            limit=clauses.get("limit"),
            offset=clauses.get("offset"),
            line=anchor.line,
            column=anchor.column,
        )

    def select_clause(self, children: list[ast.SelectItem]) -> _Clause:
        return _Clause("select", tuple(children))

    def count_all(self, children: list[Token]) -> ast.CountAll:
        return ast.CountAll(*_pos(children[0]))

    def fields_macro(self, children: list[Token]) -> ast.FieldsMacro:
        kind = str(children[1]).upper()
        if kind not in {"ALL", "STANDARD", "CUSTOM"}:
            raise self._error(children[1], f"unexpected token: {children[1]}")
        return ast.FieldsMacro(kind, *_pos(children[0]))

    def child_subquery(self, children: list[ast.SoqlQuery]) -> ast.ChildSubquery:
        return ast.ChildSubquery(children[0])

    def from_clause(self, children: list[Token]) -> _Clause:
        return _Clause("from", (children[0], children[1] if len(children) > 1 else None))

    def using_clause(self, children: list[Token]) -> _Clause:
        return _Clause("scope", str(children[0]).lower())

    def where_clause(self, children: list[ast.Condition]) -> _Clause:
        return _Clause("where", children[0])

    def with_clause(self, children: list[Token]) -> _Clause:
        mode = str(children[0]).upper()
        if mode not in SECURITY_MODES:
            raise self._error(children[0], f"unexpected token: {children[0]}")
        return _Clause("with", mode)

    def order_by_clause(self, children: list[ast.OrderItem]) -> _Clause:
        return _Clause("order_by", tuple(children))

    def order_item(self, children: list[Any]) -> ast.OrderItem:
        path: ast.FieldPath = children[0]
        words = [str(token).upper() for token in children[1:]]
        nulls_first = None
        if "NULLS" in words:
            nulls_first = words[-1] == "FIRST"
        return ast.OrderItem(path, descending="DESC" in words, nulls_first=nulls_first)

    def limit_clause(self, children: list[Token]) -> _Clause:
        return _Clause("limit", int(children[0]))

    def offset_clause(self, children: list[Token]) -> _Clause:
        return _Clause("offset", int(children[0]))

    def field_path(self, children: list[Token]) -> ast.FieldPath:
        return ast.FieldPath(tuple(str(part) for part in children), *_pos(children[0]))

    # --- conditions --------------------------------------------------------------------------------

    def and_condition(self, children: list[ast.Condition]) -> ast.And:
        return ast.And(tuple(children))

    def or_condition(self, children: list[ast.Condition]) -> ast.Or:
        return ast.Or(tuple(children))

    def not_condition(self, children: list[ast.Condition]) -> ast.Not:
        return ast.Not(children[0])

    def comparison(self, children: list[Any]) -> ast.Comparison:
        operator = "!=" if str(children[1]) == "<>" else str(children[1])
        return ast.Comparison(children[0], operator, self._literal(children[2]))

    def like(self, children: list[Any]) -> ast.Like:
        value = children[2]
        if isinstance(value, Token):  # a quoted string: decode it as a pattern, where \% and \_ are legal
            try:
                return ast.Like(children[0], ast.LikePattern(decode_like_pattern(str(value)), *_pos(value)))
            except LiteralError as exc:
                raise self._error(value, exc.message) from exc
        return ast.Like(children[0], value)

    def in_list(self, children: list[Any]) -> ast.InList:
        return ast.InList(children[0], children[-1], negated=False)

    def not_in_list(self, children: list[Any]) -> ast.InList:
        return ast.InList(children[0], children[-1], negated=True)

    def semi_join(self, children: list[Any]) -> ast.SemiJoin:
        return ast.SemiJoin(children[0], children[-1], negated=False)

    def anti_join(self, children: list[Any]) -> ast.SemiJoin:
        return ast.SemiJoin(children[0], children[-1], negated=True)

    def includes(self, children: list[Any]) -> ast.Includes:
        return ast.Includes(children[0], children[-1], exclude=False)

    def excludes(self, children: list[Any]) -> ast.Includes:
        return ast.Includes(children[0], children[-1], exclude=True)

    def value_list(self, children: list[Any]) -> tuple[ast.Literal, ...]:
        return tuple(self._literal(child) for child in children)

    # --- values ------------------------------------------------------------------------------------

    def _literal(self, value: Any) -> ast.Literal:
        """Strings stay tokens until their context (LIKE or not) is known; decode them here."""
        if isinstance(value, Token):
            try:
                return ast.StringLiteral(decode_string(str(value)), *_pos(value))
            except LiteralError as exc:
                raise self._error(value, exc.message) from exc
        literal: ast.Literal = value
        return literal

    def string_value(self, children: list[Token]) -> Token:
        return children[0]

    def number_value(self, children: list[Token]) -> ast.NumberLiteral:
        text = str(children[0])
        number: int | float = float(text) if "." in text else int(text)
        return ast.NumberLiteral(number, text, *_pos(children[0]))

    def date_value(self, children: list[Token]) -> ast.DateLiteral:
        try:
            return ast.DateLiteral(parse_date(str(children[0])), *_pos(children[0]))
        except LiteralError as exc:
            raise self._error(children[0], exc.message) from exc

    def datetime_value(self, children: list[Token]) -> ast.DateTimeLiteral:
        try:
            return ast.DateTimeLiteral(parse_datetime(str(children[0])), *_pos(children[0]))
        except LiteralError as exc:
            raise self._error(children[0], exc.message) from exc

    def null_value(self, children: list[Token]) -> ast.NullLiteral:
        return ast.NullLiteral(*_pos(children[0]))

    def true_value(self, children: list[Token]) -> ast.BooleanLiteral:
        return ast.BooleanLiteral(True, *_pos(children[0]))

    def false_value(self, children: list[Token]) -> ast.BooleanLiteral:
        return ast.BooleanLiteral(False, *_pos(children[0]))

    def relative_date(self, children: list[Token]) -> ast.RelativeDateLiteral:
        name = str(children[0]).upper()
        if name not in SIMPLE_RELATIVE_DATES:
            raise self._error(children[0], f"unexpected token: {children[0]}")
        return ast.RelativeDateLiteral(name, None, *_pos(children[0]))

    def relative_date_n(self, children: list[Token]) -> ast.RelativeDateLiteral:
        name, _, number = str(children[0]).partition(":")
        if name.upper() not in N_RELATIVE_DATES:
            raise self._error(children[0], f"unexpected token: {children[0]}")
        return ast.RelativeDateLiteral(name.upper(), int(number), *_pos(children[0]))

    def bind_value(self, children: list[Token]) -> ast.Literal:
        raise self._error(children[0], "Bind variables only allowed in Apex code")


class SoslTransformer(SoqlTransformer):
    """Builds ast.SoslQuery from the sosl.lark parse tree.

    Rules sosl.lark imports from soql.lark arrive namespaced as soql__<rule>; they are the SOQL rules.
    """

    def __getattr__(self, name: str) -> Any:
        prefix = "soql__"
        if name.startswith(prefix):
            return getattr(self, name.removeprefix(prefix))
        raise AttributeError(name)

    def sosl(self, children: list[Any]) -> ast.SoslQuery:
        term: Token = children[0]
        clauses = {clause.kind: clause.value for clause in children[1:]}
        return ast.SoslQuery(
            search=_parse_search_term(self._text, term),
            search_text=str(term)[1:-1],
            search_group=clauses.get("in", "ALL"),
            returning=clauses.get("returning", ()),
            limit=clauses.get("sosl_limit"),
        )

    def in_clause(self, children: list[Token]) -> _Clause:
        return _Clause("in", str(children[0]).upper())

    def returning_clause(self, children: list[ast.ReturningObject]) -> _Clause:
        return _Clause("returning", tuple(children))

    def returning_object(self, children: list[Any]) -> ast.ReturningObject:
        name: Token = children[0]
        fields = tuple(child for child in children[1:] if isinstance(child, ast.FieldPath))
        clauses = {child.kind: child.value for child in children[1:] if isinstance(child, _Clause)}
        return ast.ReturningObject(
            sobject=str(name),
            line=_pos(name)[0],
            column=_pos(name)[1],
            fields=fields,
            where=clauses.get("where"),
            order_by=clauses.get("order_by", ()),
            limit=clauses.get("limit"),
            offset=clauses.get("offset"),
        )

    def sosl_limit(self, children: list[Token]) -> _Clause:
        return _Clause("sosl_limit", int(children[0]))


class _SearchTermTransformer(Transformer[Token, ast.SearchExpression]):
    """Builds the search expression from the sosl_term.lark parse tree."""

    def start(self, children: list[ast.SearchExpression]) -> ast.SearchExpression:
        return children[0]

    def search_or(self, children: list[Any]) -> ast.SearchOr:
        return ast.SearchOr(children[0], children[-1])

    def search_and(self, children: list[Any]) -> ast.SearchAnd:
        return ast.SearchAnd(children[0], children[-1])

    def search_and_not(self, children: list[Any]) -> ast.SearchAndNot:
        return ast.SearchAndNot(children[0], children[-1])

    def search_word(self, children: list[Token]) -> ast.SearchWord:
        return _search_word(str(children[0]))

    def search_phrase(self, children: list[Token]) -> ast.SearchPhrase:
        words = _split_unescaped_whitespace(str(children[0])[1:-1])
        return ast.SearchPhrase(tuple(_search_word(word) for word in words))


def _split_unescaped_whitespace(text: str) -> list[str]:
    words: list[str] = []
    current = ""
    i = 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            current += text[i : i + 2]
            i += 2
            continue
        if text[i].isspace():
            if current:
                words.append(current)
            current = ""
        else:
            current += text[i]
        i += 1
    if current:
        words.append(current)
    return words


def _search_word(text: str) -> ast.SearchWord:
    """Split a raw search word into text runs and wildcards; a backslash makes the next character literal."""
    elements: list[ast.PatternElement] = []
    i = 0
    while i < len(text):
        char = text[i]
        element: ast.PatternElement
        if char == "\\" and i + 1 < len(text):
            element = text[i + 1]
            i += 2
        else:
            element = {"*": ast.LikeWildcard.ANY, "?": ast.LikeWildcard.ONE}.get(char, char)
            i += 1
        if isinstance(element, str) and elements and isinstance(elements[-1], str):
            elements[-1] += element
        else:
            elements.append(element)
    return ast.SearchWord(tuple(elements))


def _parse_search_term(text: str, term: Token) -> ast.SearchExpression:
    """Parse the text between FIND's braces; errors are located in the whole statement."""
    inner = str(term)[1:-1]
    line, column = _pos(term)
    if not inner.strip():
        raise located_error(
            MALFORMED_SEARCH,
            text,
            line,
            column,
            "No search term found. The search term must be longer than one character.",
        )
    try:
        tree = _parser("sosl_term.lark").parse(inner)
    except UnexpectedInput as exc:
        at_end = not isinstance(exc, UnexpectedToken | UnexpectedCharacters) or (
            isinstance(exc, UnexpectedToken) and exc.token.type == "$END"
        )
        # lark positions are relative to the braces' content; the closing brace stands for its end
        inner_line, inner_column = _end_position(inner) if at_end else (exc.line, exc.column)
        at_line = line + inner_line - 1
        at_column = column + inner_column if inner_line == 1 else inner_column
        if isinstance(exc, UnexpectedCharacters):
            char = inner[exc.pos_in_stream or 0]
            message = f"line {at_line}:{at_column} no viable alternative at character '{char}'"
        elif isinstance(exc, UnexpectedToken) and not at_end:
            message = f"unexpected token: {exc.token.value}"
        else:
            message = "unexpected token: }"
        raise located_error(MALFORMED_SEARCH, text, at_line, at_column, message) from exc
    result: ast.SearchExpression = _SearchTermTransformer().transform(tree)
    if max(_literal_lengths(result)) < 2:
        raise located_error(
            MALFORMED_SEARCH,
            text,
            line,
            column,
            "No search term found. The search term must be longer than one character.",
        )
    return result


def _literal_lengths(expression: ast.SearchExpression) -> list[int]:
    """The number of non-wildcard characters of each search term (a quoted phrase is one term, spaces included)."""
    match expression:
        case ast.SearchWord(elements):
            return [sum(len(part) for part in elements if isinstance(part, str))]
        case ast.SearchPhrase(words):
            return [sum(length for word in words for length in _literal_lengths(word)) + max(len(words) - 1, 0)]
        case ast.SearchAnd(left, right) | ast.SearchAndNot(left, right) | ast.SearchOr(left, right):
            return _literal_lengths(left) + _literal_lengths(right)
    raise AssertionError(expression)  # pragma: no cover


def _transform(tree: Tree[Token], transformer: Transformer[Token, Any]) -> Any:
    try:
        return transformer.transform(tree)
    except VisitError as exc:
        if isinstance(exc.orig_exc, SoqlError):
            raise exc.orig_exc from None
        raise


def parse_soql(text: str) -> ast.SoqlQuery:
    """Parse a SOQL SELECT statement; raise SoqlError(MALFORMED_QUERY) for syntax Salesforce rejects."""
    try:
        tree = _parser("soql.lark").parse(text)
    except UnexpectedInput as exc:
        raise _syntax_error(exc, text, MALFORMED_QUERY) from None
    query: ast.SoqlQuery = _transform(tree, SoqlTransformer(text))
    return query


def parse_sosl(text: str) -> ast.SoslQuery:
    """Parse a SOSL FIND statement; raise SoqlError(MALFORMED_SEARCH) for syntax Salesforce rejects."""
    try:
        tree = _parser("sosl.lark").parse(text)
    except UnexpectedInput as exc:
        raise _syntax_error(exc, text, MALFORMED_SEARCH) from None
    query: ast.SoslQuery = _transform(tree, SoslTransformer(text, MALFORMED_SEARCH))
    return query

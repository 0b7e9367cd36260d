"""Executing SOSL: matching FIND's search expression against the searchable fields of each RETURNING object.

Matching follows Salesforce's token model: field text is split into words at spaces and punctuation and
compared case-insensitively, word by word. A search word that itself contains punctuation (O\\'Brien,
555\\-1234) must match consecutive words; a quoted phrase likewise. A search word containing @ is an email
address and matches whole addresses only. Phone fields also match on their digits alone (4155551234
finds "(415) 555-1234"). * matches any run of characters inside a word and ? exactly one.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.sandbox.salesforce.soql import ast
from app.sandbox.salesforce.soql.errors import MALFORMED_SEARCH
from app.sandbox.salesforce.soql.evaluate import MAX_OFFSET, Engine, Plan
from app.sandbox.salesforce.soql.literals import fold, pattern_regex
from app.sandbox.salesforce.soql.parser import parse_sosl
from app.sandbox.salesforce.soql.schema import TEXT_TYPES, BoundField, Schema
from app.sandbox.salesforce.soql.source import FieldInfo, QuerySource

Row = Mapping[str, Any]

MAX_SEARCH_ROWS = 2000
# Searched when FIND has no RETURNING clause (those the org knows).
DEFAULT_OBJECTS = ("Account", "Contact", "Lead", "Opportunity", "Case", "User")
# IN NAME FIELDS searches the name fields plus, for some standard objects, a few more (SOSL reference).
NAME_FIELDS = ("Name", "FirstName", "LastName", "MiddleName", "Suffix")
EXTRA_NAME_FIELDS = {
    "account": ("Website", "Site", "NameLocal"),
    "asset": ("SerialNumber",),
    "case": ("SuppliedName", "SuppliedCompany", "Subject"),
    "contact": ("AssistantName", "FirstNameLocal", "LastNameLocal"),
    "event": ("Subject",),
    "lead": ("Company", "CompanyLocal", "FirstNameLocal", "LastNameLocal"),
    "note": ("Title",),
    "task": ("Subject",),
    "user": ("CommunityNickname",),
}

_WORD = re.compile(r"[^\W_]+")
_SEPARATOR = re.compile(r"[\W_]+")
_EDGE_PUNCTUATION = ".,;:!?()[]{}<>\"'"


@dataclass(frozen=True)
class FieldText:
    """The searchable tokens of one field value."""

    words: tuple[str, ...]  # folded words, in order
    wholes: tuple[str, ...]  # folded email addresses, and a phone number's digits


Document = Sequence[FieldText]
Matcher = Callable[[Document], bool]


def searchable_fields(schema: Schema, sobject: str, group: str) -> list[FieldInfo]:
    """The fields IN <group> FIELDS searches on sobject (SIDEBAR is treated as NAME)."""
    fields = schema.fields(sobject)
    if group in {"NAME", "SIDEBAR"}:
        names = NAME_FIELDS + EXTRA_NAME_FIELDS.get(sobject.lower(), ())
        return [fields[name.lower()] for name in names if name.lower() in fields]
    if group == "EMAIL":
        return [info for info in fields.values() if info.type.lower() == "email"]
    if group == "PHONE":
        return [info for info in fields.values() if info.type.lower() == "phone"]
    return [info for info in fields.values() if info.type.lower() in TEXT_TYPES]


def document(row: Row, fields: Sequence[FieldInfo]) -> list[FieldText]:
    """Tokenize the searchable field values of row."""
    texts = []
    for info in fields:
        value = row.get(info.name)
        if value is None or value == "":
            continue
        folded = fold(str(value))
        wholes = [chunk.strip(_EDGE_PUNCTUATION) for chunk in folded.split() if "@" in chunk]
        if info.type.lower() == "phone":
            wholes.append("".join(char for char in folded if char.isdigit()))
        texts.append(FieldText(tuple(_WORD.findall(folded)), tuple(wholes)))
    return texts


def _subwords(elements: tuple[ast.PatternElement, ...]) -> list[tuple[ast.PatternElement, ...]]:
    """Split a search word at punctuation into the words the field text is split into."""
    subwords: list[tuple[ast.PatternElement, ...]] = []
    current: list[ast.PatternElement] = []
    for element in elements:
        if isinstance(element, ast.LikeWildcard):
            current.append(element)
            continue
        for index, piece in enumerate(_SEPARATOR.split(element)):
            if index > 0 and current:
                subwords.append(tuple(current))
                current = []
            if piece:
                current.append(piece)
    if current:
        subwords.append(tuple(current))
    return subwords


def _sequence_matcher(subwords: list[tuple[ast.PatternElement, ...]]) -> Matcher:
    patterns = [pattern_regex(subword) for subword in subwords]
    size = len(patterns)

    def matches(doc: Document) -> bool:
        return size > 0 and any(
            all(pattern.fullmatch(text.words[start + offset]) for offset, pattern in enumerate(patterns))
            for text in doc
            for start in range(len(text.words) - size + 1)
        )

    return matches


def _word_matcher(word: ast.SearchWord) -> Matcher:
    literal = "".join(part for part in word.elements if isinstance(part, str))
    if "@" in literal:
        whole = pattern_regex(word.elements)
        return lambda doc: any(whole.fullmatch(candidate) for text in doc for candidate in text.wholes)
    by_words = _sequence_matcher(_subwords(word.elements))
    digits = _SEPARATOR.sub("", literal)
    if digits.isdigit() and len(word.elements) == 1:  # a phone number without wildcards
        return lambda doc: by_words(doc) or any(digits in text.wholes for text in doc)
    return by_words


def compile_search(expression: ast.SearchExpression) -> Matcher:
    """A predicate over a record's tokenized searchable fields."""
    match expression:
        case ast.SearchWord():
            return _word_matcher(expression)
        case ast.SearchPhrase(words):
            return _sequence_matcher([sub for word in words for sub in _subwords(word.elements)])
        case ast.SearchAnd(left, right):
            both = (compile_search(left), compile_search(right))
            return lambda doc: both[0](doc) and both[1](doc)
        case ast.SearchAndNot(left, right):
            pair = (compile_search(left), compile_search(right))
            return lambda doc: pair[0](doc) and not pair[1](doc)
        case ast.SearchOr(left, right):
            either = (compile_search(left), compile_search(right))
            return lambda doc: either[0](doc) or either[1](doc)
    raise AssertionError(expression)  # pragma: no cover - the match above is exhaustive


def _plan(engine: Engine, returning: ast.ReturningObject) -> Plan:
    sobject = engine.schema.sobject(returning.sobject, returning.line, returning.column)
    paths = returning.fields or (ast.FieldPath(("Id",), returning.line, returning.column),)
    items: list[BoundField] = []
    for path in paths:
        field = engine.schema.bind(sobject, path)
        if any(item.key == field.key for item in items):
            raise engine.error(MALFORMED_SEARCH, path.line, path.column, f"duplicate field selected: {field.name}")
        items.append(field)
    if returning.offset is not None and returning.offset > MAX_OFFSET:
        raise engine.error(
            MALFORMED_SEARCH, returning.line, returning.column, f"SOSL offset should be between 0 to {MAX_OFFSET}"
        )
    return Plan(
        sobject=sobject,
        items=tuple(items),
        where=engine.conditions.compile(returning.where, sobject, None) if returning.where is not None else None,
        order=engine.order_keys(returning.order_by, sobject, None),
        limit=returning.limit,
        offset=returning.offset,
    )


def execute_sosl(
    text: str,
    source: QuerySource,
    *,
    now: dt.datetime,
    user_id: str | None,
    api_version: str,
) -> list[dict[str, Any]]:
    """Run a SOSL search against source and return the REST API's searchRecords list."""
    query = parse_sosl(text)
    engine = Engine(
        source,
        text,
        now=now,
        user_id=user_id,
        api_version=api_version,
        include_deleted=False,
        error_code=MALFORMED_SEARCH,
    )
    targets = query.returning or tuple(
        ast.ReturningObject(name, 1, 1, (), None, (), None, None)
        for name in DEFAULT_OBJECTS
        if engine.schema.known_sobject(name) is not None
    )
    plans = []
    for returning in targets:  # resolve everything first: errors come before any row is read
        plan = _plan(engine, returning)
        plans.append((plan, searchable_fields(engine.schema, plan.sobject, query.search_group)))
    matcher = compile_search(query.search)
    cap = min(query.limit if query.limit is not None else MAX_SEARCH_ROWS, MAX_SEARCH_ROWS)
    results: list[dict[str, Any]] = []
    for plan, fields in plans:
        found = [row for row in engine.rows(plan.sobject) if matcher(document(row, fields))]
        for row in engine.select(plan, found):
            if len(results) >= cap:
                return results
            results.append(engine.render(plan, row))
    return results

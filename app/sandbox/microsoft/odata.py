"""OData query options as Outlook's endpoints honour them: ``$select``, ``$filter``, ``$orderby``, ``$top``,
``$skip``, ``$count`` and ``$expand`` of extended properties and attachments.

``$filter`` covers the common cases: comparisons (``eq ne gt ge lt le``), ``and``/``or``/``not``, parentheses,
``startswith``/``endswith``/``contains``, lambda ``any``/``all`` over collections (``categories/any(c:c eq 'x')``,
``emailAddresses/any(a:a/address eq 'x')``), date-time literals, and ``cast(ep/value, Edm.Int32)``. Filters are
evaluated against an item's JSON representation (date-times in UTC). String comparisons ignore case, as Exchange's do.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from app.sandbox.microsoft.exceptions import GraphError, bad_request, invalid_filter, unknown_select_property
from app.sandbox.microsoft.schema import ResourceType

#: Largest page a client may ask for with ``$top`` [unofficial: Outlook caps list pages at 1000].
MAX_TOP = 1000


# -- the filter language


@dataclass(frozen=True)
class Literal:
    """A constant."""

    value: Any


@dataclass(frozen=True)
class Path:
    """A property path (``displayName``, ``start/dateTime``, ``a/address`` inside a lambda)."""

    segments: tuple[str, ...]


@dataclass(frozen=True)
class Compare:
    """``left op right``."""

    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Logical:
    """``and``/``or`` of two expressions."""

    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Not:
    """``not expr``."""

    operand: Node


@dataclass(frozen=True)
class Call:
    """A function call (``startswith(displayName,'A')``, ``cast(ep/value, Edm.Int32)``)."""

    name: str
    args: tuple[Node, ...]


@dataclass(frozen=True)
class Lambda:
    """``collection/any(v: expr)`` or ``collection/all(v: expr)``."""

    op: str
    collection: Path
    variable: str
    body: Node


Node = Literal | Path | Compare | Logical | Not | Call | Lambda

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<string>'(?:[^']|'')*')
    | (?P<datetime>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?)
    | (?P<guid>[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})
    | (?P<number>-?\d+(?:\.\d+)?)
    | (?P<name>[A-Za-z_@$][A-Za-z0-9_.@$]*(?:/[A-Za-z_@$][A-Za-z0-9_.@$]*)*)
    | (?P<punct>[(),:])
    )""",
    re.VERBOSE,
)
_COMPARISONS = {"eq", "ne", "gt", "ge", "lt", "le"}
_FUNCTIONS = {"startswith", "endswith", "contains", "tolower", "toupper", "cast"}


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise bad_request(f"Invalid filter clause: syntax error at position {position} in '{text}'.")
        kind = match.lastgroup
        assert kind is not None
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokenize(text)
        self.at = 0

    def peek(self, offset: int = 0) -> tuple[str, str] | None:
        index = self.at + offset
        return self.tokens[index] if index < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise bad_request(f"Invalid filter clause: unexpected end of '{self.text}'.")
        self.at += 1
        return token

    def expect(self, value: str) -> None:
        _, text = self.take()
        if text != value:
            raise bad_request(f"Invalid filter clause: expected '{value}' but found '{text}' in '{self.text}'.")

    def keyword(self, *words: str) -> str | None:
        token = self.peek()
        if token is not None and token[0] == "name" and token[1].lower() in words:
            self.at += 1
            return token[1].lower()
        return None

    def parse(self) -> Node:
        node = self.parse_or()
        if self.peek() is not None:
            raise bad_request(f"Invalid filter clause: unexpected '{self.peek()[1]}' in '{self.text}'.")  # type: ignore[index]
        return node

    def parse_or(self) -> Node:
        node = self.parse_and()
        while self.keyword("or"):
            node = Logical("or", node, self.parse_and())
        return node

    def parse_and(self) -> Node:
        node = self.parse_not()
        while self.keyword("and"):
            node = Logical("and", node, self.parse_not())
        return node

    def parse_not(self) -> Node:
        if self.keyword("not"):
            return Not(self.parse_not())
        return self.parse_comparison()

    def parse_comparison(self) -> Node:
        left = self.parse_primary()
        operator = self.keyword(*_COMPARISONS)
        if operator is None:
            return left
        return Compare(operator, left, self.parse_primary())

    def parse_primary(self) -> Node:
        kind, text = self.take()
        if text == "(":
            node = self.parse_or()
            self.expect(")")
            return node
        literal = _literal(kind, text)
        if literal is not None:
            return literal
        if kind != "name":
            raise bad_request(f"Invalid filter clause: unexpected '{text}' in '{self.text}'.")
        return self.parse_name(text)

    def parse_name(self, text: str) -> Node:
        """A function call, a lambda over a collection, or a property path."""
        following = self.peek()
        if following != ("punct", "("):
            return Path(tuple(text.split("/")))
        self.take()
        segments = tuple(text.split("/"))
        if text.lower() in _FUNCTIONS:
            args = [self.parse_or()]
            while self.peek() == ("punct", ","):
                self.take()
                args.append(self.parse_or())
            self.expect(")")
            return Call(text.lower(), tuple(args))
        if segments[-1].lower() not in ("any", "all") or len(segments) < 2:
            raise invalid_filter(f"Unsupported function '{text}'.")
        variable = self.take()[1]
        self.expect(":")
        body = self.parse_or()
        self.expect(")")
        return Lambda(segments[-1].lower(), Path(segments[:-1]), variable, body)


_CONSTANTS: dict[str, Any] = {"true": True, "false": False, "null": None}


def _literal(kind: str, text: str) -> Literal | None:
    """The constant a token stands for, or None if it is not one."""
    if kind == "string":
        return Literal(text[1:-1].replace("''", "'"))
    if kind == "datetime":
        return Literal(_parse_datetime(text))
    if kind == "guid":
        return Literal(text.lower())
    if kind == "number":
        return Literal(float(text) if "." in text else int(text))
    if kind == "name" and text.lower() in _CONSTANTS:
        return Literal(_CONSTANTS[text.lower()])
    return None


def _parse_datetime(text: str) -> datetime:
    value = text.replace("Z", "+00:00")
    if "." in value:
        head, _, tail = value.partition(".")
        digits = re.match(r"\d+", tail)
        assert digits is not None
        value = f"{head}.{digits.group()[:6].ljust(6, '0')}{tail[digits.end() :]}"
    moment = datetime.fromisoformat(value)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def parse_filter(text: str) -> Node:
    """The expression tree of a ``$filter``; 400 on syntax errors."""
    return _Parser(text).parse()


def _coerce_datetime(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and re.match(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", value):
        try:
            return _parse_datetime(value)
        except ValueError:
            return None
    return None


_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "eq": operator.eq,
    "ne": operator.ne,
    "gt": operator.gt,
    "ge": operator.ge,
    "lt": operator.lt,
    "le": operator.le,
}


def _comparable(left: Any, right: Any) -> tuple[Any, Any]:
    if isinstance(left, datetime) or isinstance(right, datetime):
        left_dt, right_dt = _coerce_datetime(left), _coerce_datetime(right)
        if left_dt is not None and right_dt is not None:
            return left_dt, right_dt
    if isinstance(left, str) and isinstance(right, str):
        return left.casefold(), right.casefold()
    return left, right


def _compare(op: str, left: Any, right: Any) -> bool:
    left, right = _comparable(left, right)
    if op not in ("eq", "ne") and (left is None or right is None):
        return False
    try:
        return bool(_OPERATORS[op](left, right))
    except TypeError:
        return False


def _resolve(path: Path, scope: Mapping[str, Any]) -> Any:
    head, *rest = path.segments
    if head in scope["$vars"]:
        value: Any = scope["$vars"][head]
    else:
        value = scope["$it"].get(head)
    for segment in rest:
        value = value.get(segment) if isinstance(value, dict) else None
    return value


def _evaluate(node: Node, scope: Mapping[str, Any]) -> Any:
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, Path):
        return _resolve(node, scope)
    if isinstance(node, Compare):
        return _compare(node.op, _evaluate(node.left, scope), _evaluate(node.right, scope))
    if isinstance(node, Logical):
        left = bool(_evaluate(node.left, scope))
        return (
            (left and bool(_evaluate(node.right, scope)))
            if node.op == "and"
            else (left or bool(_evaluate(node.right, scope)))
        )
    if isinstance(node, Not):
        return not _evaluate(node.operand, scope)
    return _lambda(node, scope) if isinstance(node, Lambda) else _call(node, scope)


def _lambda(node: Lambda, scope: Mapping[str, Any]) -> bool:
    collection = _resolve(node.collection, scope)
    elements = collection if isinstance(collection, list) else []

    def holds(element: Any) -> bool:
        inner = {"$it": scope["$it"], "$vars": {**scope["$vars"], node.variable: element}}
        return bool(_evaluate(node.body, inner))

    return any(holds(e) for e in elements) if node.op == "any" else all(holds(e) for e in elements)


_CASTS: dict[str, Callable[[Any], Any]] = {
    **dict.fromkeys(("edm.int32", "edm.int64", "edm.int16", "edm.byte"), int),
    **dict.fromkeys(("edm.double", "edm.single", "edm.decimal"), float),
    "edm.boolean": lambda value: str(value).lower() == "true",
}
_TEXT_TESTS: dict[str, Callable[[str, str], bool]] = {
    "startswith": str.startswith,
    "endswith": str.endswith,
    "contains": lambda haystack, needle: needle in haystack,
}


def _cast(node: Call, scope: Mapping[str, Any]) -> Any:
    if len(node.args) != 2 or not isinstance(node.args[1], Path):
        raise invalid_filter("cast() takes a value and an Edm type.")
    value = _evaluate(node.args[0], scope)
    convert = _CASTS.get("/".join(node.args[1].segments).lower())
    if value is None:
        return None
    if convert is None:
        return str(value).lower()
    try:
        return convert(value)
    except (TypeError, ValueError):
        return None


def _call(node: Call, scope: Mapping[str, Any]) -> Any:
    if node.name == "cast":
        return _cast(node, scope)
    args = [_evaluate(arg, scope) for arg in node.args]
    if node.name in ("tolower", "toupper"):
        value = args[0] if args else None
        if not isinstance(value, str):
            return value
        return value.lower() if node.name == "tolower" else value.upper()
    if len(args) != 2:
        raise invalid_filter(f"{node.name}() takes two arguments.")
    haystack, needle = args
    if not isinstance(haystack, str) or not isinstance(needle, str):
        return False
    return _TEXT_TESTS[node.name](haystack.casefold(), needle.casefold())


def matches(node: Node, document: Mapping[str, Any]) -> bool:
    """Whether ``document`` (an item's JSON, extended properties included) satisfies the filter."""
    return bool(_evaluate(node, {"$it": document, "$vars": {}}))


def filter_paths(node: Node, variables: frozenset[str] = frozenset()) -> Iterable[str]:
    """The top-level property names a filter refers to (lambda variables excluded)."""
    if isinstance(node, Path):
        if node.segments[0] not in variables:
            yield node.segments[0]
    elif isinstance(node, Compare | Logical):
        yield from filter_paths(node.left, variables)
        yield from filter_paths(node.right, variables)
    elif isinstance(node, Not):
        yield from filter_paths(node.operand, variables)
    elif isinstance(node, Call):
        for arg in node.args[:1] if node.name == "cast" else node.args:
            yield from filter_paths(arg, variables)
    elif isinstance(node, Lambda):
        yield from filter_paths(node.collection, variables)
        yield from filter_paths(node.body, variables | {node.variable})


# -- the query options


@dataclass(frozen=True)
class Expand:
    """One ``$expand`` item: a navigation property and the ids its ``$filter`` asks for."""

    name: str
    ids: tuple[str, ...] = ()


@dataclass
class QueryOptions:
    """The system query options of one request."""

    select: list[str] | None = None
    filter: Node | None = None
    orderby: list[tuple[tuple[str, ...], bool]] = field(default_factory=list)
    top: int | None = None
    skip: int = 0
    count: bool = False
    expand: list[Expand] = field(default_factory=list)
    skiptoken: str | None = None
    deltatoken: str | None = None
    #: Every parameter as sent (for building next links), ``$``-prefixed names normalized.
    raw: list[tuple[str, str]] = field(default_factory=list)

    def params(self) -> dict[str, str]:
        """Non-system parameters (``startDateTime``...) by lower-cased name."""
        return {k.lower(): v for k, v in self.raw if not k.startswith("$")}


def _split_top_level(text: str) -> list[str]:
    parts, depth, current = [], 0, ""
    in_string = False
    for char in text:
        if char == "'":
            in_string = not in_string
        if not in_string and char == "(":
            depth += 1
        elif not in_string and char == ")":
            depth -= 1
        if char == "," and depth == 0 and not in_string:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    if current.strip():
        parts.append(current.strip())
    return parts


def _expand_item(text: str) -> Expand:
    match = re.fullmatch(r"\s*([A-Za-z]+)\s*(?:\((.*)\))?\s*", text, re.DOTALL)
    if match is None:
        raise bad_request(f"Parsing OData Select and Expand failed: invalid $expand item '{text}'.")
    name, options = match.group(1), match.group(2)
    if not options:
        return Expand(name)
    found = re.fullmatch(r"\s*\$?filter\s*=\s*(.*)", options, re.DOTALL | re.IGNORECASE)
    if found is None:
        raise bad_request(f"Parsing OData Select and Expand failed: unsupported options in '{text}'.")
    return Expand(name, tuple(_ids_of(parse_filter(found.group(1)))))


def _ids_of(node: Node) -> Iterable[str]:
    if isinstance(node, Logical) and node.op == "or":
        yield from _ids_of(node.left)
        yield from _ids_of(node.right)
        return
    if (
        isinstance(node, Compare)
        and node.op == "eq"
        and isinstance(node.left, Path)
        and node.left.segments == ("id",)
        and isinstance(node.right, Literal)
        and isinstance(node.right.value, str)
    ):
        yield node.right.value
        return
    raise invalid_filter("An extended property $expand filters on id eq '...' terms joined by or.")


def _count(value: str) -> bool:
    return value.strip().lower() == "true"


def _number(option: str, value: str) -> int:
    if not value.strip().isdigit():
        raise bad_request(f"Invalid ${option} value '{value}'. It must be a non-negative integer.")
    return int(value)


_SETTERS: dict[str, Callable[[QueryOptions, str], None]] = {
    "select": lambda o, v: setattr(o, "select", [part.strip() for part in v.split(",") if part.strip()]),
    "filter": lambda o, v: setattr(o, "filter", parse_filter(v)),
    "orderby": lambda o, v: setattr(o, "orderby", [_order_term(term) for term in v.split(",") if term.strip()]),
    "top": lambda o, v: setattr(o, "top", min(_number("top", v), MAX_TOP)),
    "skip": lambda o, v: setattr(o, "skip", _number("skip", v)),
    "count": lambda o, v: setattr(o, "count", _count(v)),
    "expand": lambda o, v: setattr(o, "expand", [_expand_item(part) for part in _split_top_level(v)]),
    "search": lambda o, v: None,
    "skiptoken": lambda o, v: setattr(o, "skiptoken", v),
    "deltatoken": lambda o, v: setattr(o, "deltatoken", v),
}


def parse_query(pairs: Sequence[tuple[str, str]]) -> QueryOptions:
    """The query options in ``pairs`` (already URL-decoded); 400 for values Graph would refuse."""
    options = QueryOptions()
    for name, value in pairs:
        option = (name[1:] if name.startswith("$") else name).lower()
        setter = _SETTERS.get(option)
        if setter is None:
            if name.startswith("$"):
                raise bad_request(f"Query option '{name}' is not supported.")
            options.raw.append((name, value))
            continue
        options.raw.append((f"${option}", value))
        setter(options, value)
    return options


def _order_term(term: str) -> tuple[tuple[str, ...], bool]:
    words = term.split()
    if not words or len(words) > 2 or (len(words) == 2 and words[1].lower() not in ("asc", "desc")):
        raise bad_request(f"Invalid $orderby clause '{term}'.")
    return tuple(words[0].split("/")), len(words) == 2 and words[1].lower() == "desc"


def check_properties(options: QueryOptions, resource: ResourceType) -> None:
    """400 for ``$select``/``$orderby``/``$filter`` properties the resource type does not have."""
    names: list[str] = list(options.select or [])
    names += [path[0] for path, _ in options.orderby]
    if options.filter is not None:
        names += list(filter_paths(options.filter))
    for name in names:
        if not resource.knows(name) and not name.startswith("@"):
            raise unknown_select_property(name, resource.error_name)


def apply_select(document: dict[str, Any], select: list[str] | None, keep: Iterable[str] = ()) -> dict[str, Any]:
    """``document`` cut down to ``select`` (``id``, annotations and ``keep`` always stay)."""
    if not select:
        return document
    wanted = set(select) | {"id", *keep}
    return {k: v for k, v in document.items() if k in wanted or k.startswith("@")}


def _sort_key(value: Any) -> tuple[int, Any]:
    if value is None:
        return (0, "")
    if isinstance(value, bool | int | float):
        return (1, value)
    moment = _coerce_datetime(value)
    if moment is not None:
        return (2, moment.timestamp())
    return (3, str(value).casefold())


def order(documents: list[dict[str, Any]], terms: list[tuple[tuple[str, ...], bool]]) -> list[dict[str, Any]]:
    """Sort documents by ``$orderby`` terms (nulls first ascending, as OData has it)."""
    result = list(documents)
    for path, descending in reversed(terms):
        result.sort(key=lambda doc, p=path: _sort_key(_resolve(Path(p), {"$it": doc, "$vars": {}})), reverse=descending)  # type: ignore[misc]
    return result


def filtered(
    documents: Iterable[dict[str, Any]], node: Node | None, view: Callable[[dict[str, Any]], dict[str, Any]]
) -> list[dict[str, Any]]:
    """The documents whose ``view`` (the filterable form) satisfies ``node``."""
    if node is None:
        return list(documents)
    try:
        return [doc for doc in documents if matches(node, view(doc))]
    except GraphError:
        raise
    except (TypeError, ValueError, AttributeError) as exc:
        raise invalid_filter(str(exc)) from exc

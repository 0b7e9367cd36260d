"""Tests of the sandbox's SOQL engine: parsing, type checks, filtering, ordering, relationships, errors."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Iterable, Mapping
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.sandbox.salesforce.soql import (
    ChildRelationship,
    FieldInfo,
    QueryResult,
    SoqlError,
    execute_soql,
    parse_soql,
)
from app.sandbox.salesforce.soql import ast as soql_ast
from app.sandbox.salesforce.soql.literals import relative_date_range

NOW = dt.datetime(2024, 3, 15, 12, 0, tzinfo=dt.UTC)  # a Friday
API = "59.0"


def sfid(prefix: str, number: int) -> str:
    """An 18-character record id."""
    return f"{prefix}{number:012d}AAA"


U1, U2 = sfid("005", 1), sfid("005", 2)
A1, A2, A3, A4 = (sfid("001", n) for n in range(1, 5))
C1, C2, C3, C4, C5 = (sfid("003", n) for n in range(1, 6))
L1, L2 = sfid("00Q", 1), sfid("00Q", 2)
E1, E2 = sfid("00U", 1), sfid("00U", 2)
R1, R2, R3, R4, R5 = (sfid("0RE", n) for n in range(1, 6))


def _f(name: str, type_: str, *targets: str, rel: str | None = None) -> FieldInfo:
    return FieldInfo(name, type_, tuple(targets), rel)


def _fields(*infos: FieldInfo) -> dict[str, FieldInfo]:
    return {info.name: info for info in infos}


COMMON = (_f("Id", "id"), _f("IsDeleted", "boolean"), _f("CreatedDate", "datetime"))
OWNER = _f("OwnerId", "reference", "User", rel="Owner")

SCHEMA: dict[str, dict[str, FieldInfo]] = {
    "User": _fields(*COMMON, _f("Name", "string"), _f("Email", "email"), _f("IsActive", "boolean")),
    "Account": _fields(
        *COMMON,
        _f("Name", "string"),
        _f("Industry", "picklist"),
        _f("NumberOfEmployees", "int"),
        _f("AnnualRevenue", "currency"),
        _f("Website", "url"),
        _f("Tags__c", "multipicklist"),
        OWNER,
    ),
    "Contact": _fields(
        *COMMON,
        _f("FirstName", "string"),
        _f("LastName", "string"),
        _f("Name", "string"),
        _f("Email", "email"),
        _f("Phone", "phone"),
        _f("Birthdate", "date"),
        _f("DoNotCall", "boolean"),
        _f("Languages__c", "multipicklist"),
        _f("AccountId", "reference", "Account", rel="Account"),
        OWNER,
    ),
    "Lead": _fields(
        *COMMON,
        _f("FirstName", "string"),
        _f("LastName", "string"),
        _f("Name", "string"),
        _f("Company", "string"),
        _f("Email", "email"),
        OWNER,
    ),
    "Event": _fields(
        *COMMON,
        _f("Subject", "string"),
        _f("StartDateTime", "datetime"),
        _f("ActivityDate", "date"),
        _f("WhatId", "reference", "Account", "Opportunity", rel="What"),
        _f("WhoId", "reference", "Contact", "Lead", rel="Who"),
        OWNER,
    ),
    "EventRelation": _fields(
        *COMMON,
        _f("EventId", "reference", "Event", rel="Event"),
        _f("RelationId", "reference", "Contact", "Lead", "User", rel="Relation"),
        _f("Status", "picklist"),
    ),
}
CHILDREN = {
    "Account": {"Contacts": ChildRelationship("Contacts", "Contact", "AccountId")},
    "Contact": {"Events": ChildRelationship("Events", "Event", "WhoId")},
    "Event": {"EventRelations": ChildRelationship("EventRelations", "EventRelation", "EventId")},
}


def _row(**values: Any) -> dict[str, Any]:
    return {"IsDeleted": False, **values}


ROWS: dict[str, list[dict[str, Any]]] = {
    "User": [
        _row(
            Id=U1, Name="Ada Admin", Email="ada@example.com", IsActive=True, CreatedDate="2023-01-01T00:00:00.000+0000"
        ),
        _row(
            Id=U2,
            Name="Bob Builder",
            Email="bob@example.com",
            IsActive=True,
            CreatedDate="2023-01-02T00:00:00.000+0000",
        ),
    ],
    "Account": [
        _row(
            Id=A1,
            Name="Acme Corp",
            Industry="Technology",
            NumberOfEmployees=250,
            AnnualRevenue=1000000.5,
            Tags__c="Gold;Partner",
            OwnerId=U1,
            CreatedDate="2024-01-10T09:00:00.000+0000",
        ),
        _row(
            Id=A2,
            Name="Globex",
            Industry="Manufacturing",
            NumberOfEmployees=40,
            AnnualRevenue=20000.0,
            Tags__c="Silver",
            OwnerId=U2,
            CreatedDate="2024-03-05T12:00:00.000+0000",
        ),
        _row(
            Id=A3,
            Name="Ångström Labs",
            Industry=None,
            NumberOfEmployees=None,
            OwnerId=U1,
            CreatedDate="2024-03-14T23:30:00.000+0000",
        ),
        _row(Id=A4, Name="Deleted Inc", IsDeleted=True, OwnerId=U1, CreatedDate="2024-02-01T00:00:00.000+0000"),
    ],
    "Contact": [
        _row(
            Id=C1,
            FirstName="Zoë",
            LastName="Ångström",
            Name="Zoë Ångström",
            Email="zoe@acme.example",
            Phone="+1 (415) 555-0101",
            Birthdate="1990-05-17",
            Languages__c="English;French",
            AccountId=A1,
            OwnerId=U1,
            CreatedDate="2024-03-15T00:00:00.000+0000",
        ),
        _row(
            Id=C2,
            FirstName="José",
            LastName="Núñez",
            Name="José Núñez",
            Email="jose.nunez@globex.example",
            Birthdate="1985-12-01",
            Languages__c="Spanish;English",
            AccountId=A2,
            OwnerId=U2,
            CreatedDate="2024-03-14T23:59:59.000+0000",
        ),
        _row(
            Id=C3,
            FirstName="Ann",
            LastName="O'Brien",
            Name="Ann O'Brien",
            Email="ann@example.com",
            DoNotCall=True,
            AccountId=None,
            OwnerId=U1,
            CreatedDate="2024-02-01T10:00:00.000+0000",
        ),
        _row(
            Id=C4,
            FirstName="Ghost",
            LastName="Deleted",
            Name="Ghost Deleted",
            AccountId=A1,
            OwnerId=U1,
            IsDeleted=True,
            CreatedDate="2024-03-01T00:00:00.000+0000",
        ),
        _row(
            Id=C5,
            FirstName="Percy",
            LastName="100% Pure_Cotton",
            Name="Percy 100% Pure_Cotton",
            Email="percy@acme.example",
            Birthdate="2001-01-01",
            AccountId=A1,
            OwnerId=U2,
            CreatedDate="2024-03-08T00:00:00.000+0000",
        ),
    ],
    "Lead": [
        _row(Id=L1, FirstName="Lena", LastName="Lead", Name="Lena Lead", Company="Initech", OwnerId=U2),
        _row(Id=L2, FirstName="Zoë", LastName="Zhang", Name="Zoë Zhang", Company="Ångström Labs", OwnerId=U1),
    ],
    "Event": [
        _row(
            Id=E1,
            Subject="Kickoff",
            StartDateTime="2024-03-15T09:00:00.000+0000",
            ActivityDate="2024-03-15",
            WhatId=A1,
            WhoId=C1,
            OwnerId=U1,
        ),
        _row(
            Id=E2,
            Subject="Review",
            StartDateTime="2024-03-20T15:00:00.000+0000",
            ActivityDate="2024-03-20",
            WhatId=None,
            WhoId=L1,
            OwnerId=U2,
        ),
    ],
    "EventRelation": [
        _row(Id=R1, EventId=E1, RelationId=C1, Status="Accepted"),
        _row(Id=R2, EventId=E1, RelationId=C2, Status="New"),
        _row(Id=R3, EventId=E2, RelationId=L1, Status="New"),
        _row(Id=R4, EventId=E1, RelationId=U2, Status="Declined"),
        _row(Id=R5, EventId=E1, RelationId=C3, Status="New", IsDeleted=True),
    ],
}


@dataclasses.dataclass
class FakeOrg:
    """An in-memory QuerySource. It hands out deleted rows regardless of include_deleted, so the engine's own
    IsDeleted filtering is what these tests check."""

    schema: Mapping[str, Mapping[str, FieldInfo]]
    rows: Mapping[str, list[dict[str, Any]]]
    children: Mapping[str, Mapping[str, ChildRelationship]] = dataclasses.field(default_factory=dict)

    def object_name(self, name: str) -> str | None:
        return next((obj for obj in self.schema if obj.lower() == name.lower()), None)

    def fields(self, sobject: str) -> Mapping[str, FieldInfo]:
        return {key.lower(): info for key, info in self.schema[sobject].items()}

    def child_relationships(self, sobject: str) -> Mapping[str, ChildRelationship]:
        return {key.lower(): rel for key, rel in self.children.get(sobject, {}).items()}

    def records(self, sobject: str, *, include_deleted: bool) -> Iterable[Mapping[str, Any]]:
        return list(self.rows.get(sobject, []))

    def record_by_id(self, record_id: str) -> tuple[str, Mapping[str, Any]] | None:
        for sobject, rows in self.rows.items():
            for row in rows:
                if row["Id"][:15] == record_id[:15]:
                    return sobject, row
        return None


ORG = FakeOrg(SCHEMA, ROWS, CHILDREN)


def query(text: str, *, user_id: str | None = U1, include_deleted: bool = False, org: FakeOrg = ORG) -> QueryResult:
    return execute_soql(text, org, now=NOW, user_id=user_id, api_version=API, include_deleted=include_deleted)


def ids(text: str, **kwargs: Any) -> list[str]:
    return [record["Id"] for record in query(text, **kwargs).records]


def error(text: str, **kwargs: Any) -> SoqlError:
    with pytest.raises(SoqlError) as info:
        query(text, **kwargs)
    return info.value


def url(sobject: str, record_id: str) -> str:
    return f"/services/data/v{API}/sobjects/{sobject}/{record_id}"


# --- parsing -------------------------------------------------------------------------------------------


def test_parse_builds_frozen_syntax_tree_with_case_insensitive_keywords() -> None:
    text = (
        "select Id, Account.Owner.Name, (select Id from EventRelations where Status = 'New' limit 2) "
        "from Contact using scope MINE where (Name like 'A%' or Email = null) and not DoNotCall = true "
        "order by Name desc nulls first, Id limit 10 offset 5"
    )
    parsed = parse_soql(text)
    assert parsed.sobject == "Contact"
    assert parsed.scope == "mine"
    assert parsed.select[1] == soql_ast.FieldPath(("Account", "Owner", "Name"), 1, 12)
    child = parsed.select[2]
    assert isinstance(child, soql_ast.ChildSubquery)
    assert child.query.sobject == "EventRelations"
    assert child.query.limit == 2
    assert isinstance(parsed.where, soql_ast.And)
    assert isinstance(parsed.where.operands[0], soql_ast.Or)
    assert isinstance(parsed.where.operands[1], soql_ast.Not)
    assert parsed.order_by[0] == soql_ast.OrderItem(
        soql_ast.FieldPath(("Name",), 1, text.index("Name desc") + 1), descending=True, nulls_first=True
    )
    assert (parsed.limit, parsed.offset) == (10, 5)
    with pytest.raises(dataclasses.FrozenInstanceError):
        parsed.limit = 3  # type: ignore[misc]


def test_with_security_mode_is_accepted() -> None:
    parsed = parse_soql("SELECT Id FROM Contact WHERE Name != null WITH security_enforced ORDER BY Name")
    assert parsed.security_mode == "SECURITY_ENFORCED"
    assert ids("SELECT Id FROM Contact WITH USER_MODE LIMIT 1") == [C1]
    assert error("SELECT Id FROM Contact WITH DATA_CATEGORY").message.endswith("unexpected token: DATA_CATEGORY")


def test_mixing_and_with_or_needs_parentheses() -> None:
    failure = error("SELECT Id FROM Contact WHERE LastName = 'x' AND FirstName = 'y' OR Email = null")
    assert failure.error_code == "MALFORMED_QUERY"
    assert failure.message == (
        "\nSELECT Id FROM Contact WHERE LastName = 'x' AND FirstName = 'y' OR Email = null\n"
        + " " * 64
        + "^\nERROR at Row:1:Column:65\nunexpected token: OR"
    )
    assert ids("SELECT Id FROM Contact WHERE (LastName = 'Ångström' AND FirstName = 'Zoë') OR Email = null") == [C1]
    assert ids("SELECT Id FROM Contact WHERE LastName = 'Ångström' OR LastName = 'Núñez' OR LastName = 'x'") == [C1, C2]


@pytest.mark.parametrize(
    ("text", "row", "column", "message"),
    [
        ("SELECT Id FORM Contact", 1, 11, "unexpected token: FORM"),
        ("SELECT Id FROM", 1, 15, "unexpected token: <EOF>"),
        ("SELECT Id FROM Contact WHERE Name = 'open", 1, 37, "line 1:37 no viable alternative at character '''"),
        ("SELECT Id FROM Contact WHERE Name = :name", 1, 37, "Bind variables only allowed in Apex code"),
        ("SELECT Id FROM Contact WHERE CreatedDate = LAST_FORTNIGHT", 1, 44, "unexpected token: LAST_FORTNIGHT"),
        ("SELECT Id FROM Contact WHERE CreatedDate = TODAYS:3", 1, 44, "unexpected token: TODAYS:3"),
        ("SELECT Id FROM Contact\nWHERE Name = 'a'\nAND", 3, 4, "unexpected token: <EOF>"),
        ("SELECT Id FROM Contact\n  GROUP BY Name", 2, 3, "unexpected token: GROUP"),
        ("SELECT Id FROM Contact WHERE Birthdate = 2024-02-30", 1, 42, "invalid date: 2024-02-30"),
        ("SELECT FIELDS(SOME) FROM Contact", 1, 15, "unexpected token: SOME"),
    ],
)
def test_syntax_errors_are_located_like_salesforce(text: str, row: int, column: int, message: str) -> None:
    failure = error(text)
    assert failure.error_code == "MALFORMED_QUERY"
    assert failure.message.endswith(f"ERROR at Row:{row}:Column:{column}\n{message}")
    assert failure.message.splitlines()[2] == " " * (column - 1) + "^"


@pytest.mark.parametrize(
    ("escaped", "value"),
    [
        (r"a\nb", "a\nb"),
        (r"a\Nb", "a\nb"),
        (r"a\rb", "a\rb"),
        (r"a\Rb", "a\rb"),
        (r"a\tb", "a\tb"),
        (r"a\Tb", "a\tb"),
        (r"a\bb", "a\bb"),
        (r"a\fb", "a\fb"),
        (r"a\Fb", "a\fb"),
        (r"O\'Brien", "O'Brien"),
        (r"say \"hi\"", 'say "hi"'),
        (r"back\\slash", "back\\slash"),
        (r"caf\u00e9", "café"),
        (r"\u00C5ngstr\u00f6m", "Ångström"),
        ("José", "José"),
    ],
)
def test_string_escape_sequences(escaped: str, value: str) -> None:
    where = parse_soql(f"SELECT Id FROM Contact WHERE Name = '{escaped}'").where
    assert isinstance(where, soql_ast.Comparison)
    assert where.value == soql_ast.StringLiteral(value, 1, 37)


@pytest.mark.parametrize("escaped", [r"100\%", r"a\_b", r"a\qb", r"\u00zz", r"\x41"])
def test_invalid_escapes_outside_like_are_malformed(escaped: str) -> None:
    failure = error(f"SELECT Id FROM Contact WHERE Name = '{escaped}'")
    assert failure.error_code == "MALFORMED_QUERY"
    assert f"Invalid string literal '{escaped}'. Illegal character sequence" in failure.message


def test_like_pattern_keeps_escaped_wildcards_literal() -> None:
    where = parse_soql(r"SELECT Id FROM Contact WHERE Name LIKE 'Ter\%%\_x_'").where
    assert isinstance(where, soql_ast.Like)
    assert isinstance(where.pattern, soql_ast.LikePattern)
    any_, one = soql_ast.LikeWildcard.ANY, soql_ast.LikeWildcard.ONE
    assert where.pattern.elements == ("Ter%", any_, "_x", one)


@pytest.mark.parametrize(
    ("literal", "expected"),
    [
        ("2024-03-15T10:20:30Z", dt.datetime(2024, 3, 15, 10, 20, 30, tzinfo=dt.UTC)),
        ("2024-03-15t10:20:30z", dt.datetime(2024, 3, 15, 10, 20, 30, tzinfo=dt.UTC)),
        ("2024-03-15T10:20:30+02:00", dt.datetime(2024, 3, 15, 8, 20, 30, tzinfo=dt.UTC)),
        ("2024-03-15T01:20:30-08:00", dt.datetime(2024, 3, 15, 9, 20, 30, tzinfo=dt.UTC)),
        ("2024-03-15T10:20:30.123Z", dt.datetime(2024, 3, 15, 10, 20, 30, 123000, tzinfo=dt.UTC)),
        ("2024-03-15T10:20:30.299852-06:00", dt.datetime(2024, 3, 15, 16, 20, 30, 299852, tzinfo=dt.UTC)),
        ("2024-03-15T10:20:30+0530", dt.datetime(2024, 3, 15, 4, 50, 30, tzinfo=dt.UTC)),
    ],
)
def test_datetime_literals_are_normalised_to_utc(literal: str, expected: dt.datetime) -> None:
    where = parse_soql(f"SELECT Id FROM Contact WHERE CreatedDate > {literal}").where
    assert isinstance(where, soql_ast.Comparison)
    assert isinstance(where.value, soql_ast.DateTimeLiteral)
    assert where.value.value == expected
    assert where.value.value.tzinfo == dt.UTC


def test_datetime_literal_without_zone_is_rejected() -> None:
    assert error("SELECT Id FROM Contact WHERE CreatedDate > 2024-03-15T10:20:30").error_code == "MALFORMED_QUERY"


# --- escaping round trip (the production side's escape_soql_string follows these rules) -----------------


def soql_escape(value: str, *, like: bool = False) -> str:
    """Escape a value for a SOQL string literal per the SOQL reference (a stand-in for escape_soql_string)."""
    escaped = value.replace("\\", "\\\\").replace("'", "\\'").replace('"', '\\"')
    for char, code in (("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t"), ("\b", "\\b"), ("\f", "\\f")):
        escaped = escaped.replace(char, code)
    if like:
        escaped = escaped.replace("%", "\\%").replace("_", "\\_")
    return escaped


def test_escaped_quotes_backslashes_and_wildcards_round_trip() -> None:
    value = 'O\'Brien \\ "50%" off_on sale\n'
    where = parse_soql(f"SELECT Id FROM Contact WHERE Name = '{soql_escape(value)}'").where
    assert isinstance(where, soql_ast.Comparison)
    assert isinstance(where.value, soql_ast.StringLiteral)
    assert where.value.value == value
    like = parse_soql(f"SELECT Id FROM Contact WHERE Name LIKE '{soql_escape(value, like=True)}'").where
    assert isinstance(like, soql_ast.Like)
    assert isinstance(like.pattern, soql_ast.LikePattern)
    assert like.pattern.elements == (value,)
    assert ids(f"SELECT Id FROM Contact WHERE LastName LIKE '{soql_escape('100% Pure_Cotton', like=True)}'") == [C5]
    assert ids(f"SELECT Id FROM Contact WHERE LastName = '{soql_escape('O' + chr(39) + 'Brien')}'") == [C3]


@settings(max_examples=150, deadline=None)
@given(st.text())
def test_any_escaped_string_parses_back_to_itself(value: str) -> None:
    where = parse_soql(f"SELECT Id FROM Contact WHERE Name = '{soql_escape(value)}'").where
    assert isinstance(where, soql_ast.Comparison)
    assert isinstance(where.value, soql_ast.StringLiteral)
    assert where.value.value == value


@settings(max_examples=150, deadline=None)
@given(st.text())
def test_any_like_escaped_string_is_a_single_literal_run(value: str) -> None:
    where = parse_soql(f"SELECT Id FROM Contact WHERE Name LIKE '{soql_escape(value, like=True)}'").where
    assert isinstance(where, soql_ast.Like)
    assert isinstance(where.pattern, soql_ast.LikePattern)
    assert where.pattern.elements == ((value,) if value else ())


# --- LIKE against a reference implementation -------------------------------------------------------------

_ANY, _ONE = soql_ast.LikeWildcard.ANY, soql_ast.LikeWildcard.ONE


def reference_like(value: str, pattern: list[str | soql_ast.LikeWildcard]) -> bool:
    """LIKE by dynamic programming over characters: % any run, _ one character, case-insensitive per character."""
    tokens: list[str | soql_ast.LikeWildcard] = []
    for part in pattern:
        tokens.extend(part if isinstance(part, str) else [part])

    @functools.cache
    def match(i: int, j: int) -> bool:
        if j == len(tokens):
            return i == len(value)
        token = tokens[j]
        if token is _ANY:
            return match(i, j + 1) or (i < len(value) and match(i + 1, j))
        if i == len(value):
            return False
        if token is _ONE:
            return match(i + 1, j + 1)
        assert isinstance(token, str)
        return value[i].lower() == token.lower() and match(i + 1, j + 1)

    return match(0, 0)


_ALPHABET = "aAbBzZéÉß _%'\\ǅ"
_pattern_parts = st.lists(st.one_of(st.text(_ALPHABET, max_size=3), st.sampled_from([_ANY, _ONE])), max_size=6)


@settings(max_examples=200, deadline=None)
@given(value=st.text(_ALPHABET, min_size=1, max_size=8), pattern=_pattern_parts)
def test_like_agrees_with_reference_implementation(value: str, pattern: list[str | soql_ast.LikeWildcard]) -> None:
    literal = "".join(soql_escape(part, like=True) if isinstance(part, str) else part.value for part in pattern)
    org = FakeOrg(
        {"Account": _fields(_f("Id", "id"), _f("Name", "string"))},
        {"Account": [{"Id": A1, "Name": value}]},
    )
    found = ids(f"SELECT Id FROM Account WHERE Name LIKE '{literal}'", org=org)
    assert (found == [A1]) == reference_like(value, pattern)


# --- result shape ------------------------------------------------------------------------------------------


def test_records_have_attributes_and_fields_in_select_order_with_canonical_names() -> None:
    result = query("select name, ID, email from CONTACT where lastname = 'núñez'")
    assert result == QueryResult(
        sobject="Contact",
        records=[
            {
                "attributes": {"type": "Contact", "url": url("Contact", C2)},
                "Name": "José Núñez",
                "Id": C2,
                "Email": "jose.nunez@globex.example",
            }
        ],
        total_size=1,
        is_count=False,
    )
    assert list(result.records[0]) == ["attributes", "Name", "Id", "Email"]


def test_deleted_rows_only_with_include_deleted() -> None:
    assert ids("SELECT Id FROM Account") == [A1, A2, A3]
    assert ids("SELECT Id FROM Account", include_deleted=True) == [A1, A2, A3, A4]
    assert ids("SELECT Id FROM Account WHERE IsDeleted = true", include_deleted=True) == [A4]


def test_count_query() -> None:
    result = query("SELECT COUNT() FROM Contact WHERE Email != null")
    assert result == QueryResult(sobject="Contact", records=[], total_size=4, is_count=True)
    assert query("SELECT count() FROM Contact LIMIT 2").total_size == 2
    assert query("SELECT COUNT() FROM Contact", include_deleted=True).total_size == 5
    failure = error("SELECT COUNT(), Name FROM Contact")
    assert failure.error_code == "MALFORMED_QUERY"


# --- filters -----------------------------------------------------------------------------------------------


def test_string_comparisons_are_case_insensitive_including_non_ascii() -> None:
    assert ids("SELECT Id FROM Contact WHERE Name = 'ZOË ÅNGSTRÖM'") == [C1]
    assert ids("SELECT Id FROM Contact WHERE LastName IN ('núñez', 'o\\'brien')") == [C2, C3]
    assert ids("SELECT Id FROM Account WHERE Name > 'b' AND Name < 'h'") == [A2]
    assert ids("SELECT Id FROM Lead WHERE Company = 'ångström LABS'") == [L2]


def test_not_equal_and_not_in_keep_nulls_and_empty_string_means_null() -> None:
    assert ids("SELECT Id FROM Account WHERE Industry != 'Technology'") == [A2, A3]
    assert ids("SELECT Id FROM Account WHERE Industry <> 'Technology'") == [A2, A3]
    assert ids("SELECT Id FROM Account WHERE Industry NOT IN ('Technology', 'Manufacturing')") == [A3]
    assert ids("SELECT Id FROM Account WHERE Industry = null") == [A3]
    assert ids("SELECT Id FROM Account WHERE Industry = ''") == [A3]
    assert ids("SELECT Id FROM Account WHERE Industry != null") == [A1, A2]
    assert ids("SELECT Id FROM Account WHERE Industry IN ('Technology', null)") == [A1, A3]
    assert ids("SELECT Id FROM Account WHERE NumberOfEmployees < 100") == [A2]


def test_like_wildcards_and_case() -> None:
    assert ids("SELECT Id FROM Contact WHERE FirstName LIKE 'jos%'") == [C2]
    assert ids("SELECT Id FROM Contact WHERE LastName LIKE '%STRÖM'") == [C1]
    assert ids("SELECT Id FROM Contact WHERE FirstName LIKE '_o_'") == [C1]
    assert ids("SELECT Id FROM Contact WHERE Name LIKE '%'") == [C1, C2, C3, C5]
    assert ids(r"SELECT Id FROM Contact WHERE LastName LIKE '100\%%'") == [C5]
    assert ids(r"SELECT Id FROM Contact WHERE LastName LIKE '%\_cotton'") == [C5]
    assert ids(r"SELECT Id FROM Contact WHERE LastName LIKE '%\_'") == []
    assert ids("SELECT Id FROM Contact WHERE NOT LastName LIKE '%ñ%'") == [C1, C3, C5]


def test_numbers_booleans_and_multipicklists() -> None:
    assert ids("SELECT Id FROM Account WHERE AnnualRevenue >= 20000") == [A1, A2]
    assert ids("SELECT Id FROM Account WHERE AnnualRevenue > 1000000.25") == [A1]
    assert ids("SELECT Id FROM Account WHERE NumberOfEmployees IN (40, 250)") == [A1, A2]
    assert ids("SELECT Id FROM Contact WHERE DoNotCall = true") == [C3]
    assert ids("SELECT Id FROM Contact WHERE DoNotCall IN (true)") == [C3]
    assert ids("SELECT Id FROM Contact WHERE DoNotCall = FALSE") == [C1, C2, C5]  # missing checkbox is false
    assert ids("SELECT Id FROM Contact WHERE Languages__c INCLUDES ('french', 'Spanish;English')") == [C1, C2]
    assert ids("SELECT Id FROM Contact WHERE Languages__c INCLUDES ('English;German')") == []
    assert ids("SELECT Id FROM Contact WHERE Languages__c EXCLUDES ('Spanish')") == [C1, C3, C5]
    assert ids("SELECT Id FROM Account WHERE Tags__c = 'partner;gold'") == [A1]


def test_ids_compare_on_their_15_character_form() -> None:
    assert ids(f"SELECT Id FROM Contact WHERE Id = '{C2[:15]}'") == [C2]
    assert ids(f"SELECT Id FROM Contact WHERE AccountId = '{A1}' ORDER BY Id") == [C1, C5]
    assert ids(f"SELECT Id FROM Contact WHERE AccountId = '{A1[:15]}XYZ' ORDER BY Id") == [C1, C5]
    failure = error("SELECT Id FROM Contact WHERE Id = 'not-an-id'")
    assert failure.error_code == "INVALID_QUERY_FILTER_OPERATOR"
    assert failure.message.endswith("ERROR at Row:1:Column:35\ninvalid ID field: not-an-id")


def test_date_and_datetime_filters() -> None:
    assert ids("SELECT Id FROM Contact WHERE Birthdate > 1986-01-01") == [C1, C5]
    assert ids("SELECT Id FROM Contact WHERE Birthdate = 1985-12-01") == [C2]
    assert ids("SELECT Id FROM Contact WHERE CreatedDate >= 2024-03-15T00:00:00Z") == [C1]
    assert ids(
        "SELECT Id FROM Contact WHERE CreatedDate < 2024-03-15T01:00:00+01:00 AND CreatedDate > 2024-03-01T00:00:00Z"
    ) == [
        C2,
        C5,
    ]
    assert ids("SELECT Id FROM Event WHERE StartDateTime = 2024-03-15T09:00:00.000Z") == [E1]


@pytest.mark.parametrize(
    ("text", "field", "type_name", "quotes"),
    [
        ("SELECT Id FROM Contact WHERE CreatedDate > '2024-01-01'", "CreatedDate", "dateTime", "not be"),
        ("SELECT Id FROM Contact WHERE CreatedDate > 2024-01-01", "CreatedDate", "dateTime", "not be"),
        ("SELECT Id FROM Contact WHERE Birthdate = 2024-01-01T00:00:00Z", "Birthdate", "date", "not be"),
        ("SELECT Id FROM Contact WHERE Birthdate = '1990-05-17'", "Birthdate", "date", "not be"),
        ("SELECT Id FROM Contact WHERE DoNotCall = 'true'", "DoNotCall", "boolean", "not be"),
        ("SELECT Id FROM Account WHERE NumberOfEmployees = '5'", "NumberOfEmployees", "integer", "not be"),
        ("SELECT Id FROM Account WHERE AnnualRevenue IN ('5')", "AnnualRevenue", "double", "not be"),
        ("SELECT Id FROM Contact WHERE LastName = 5", "LastName", "string", "be"),
        ("SELECT Id FROM Contact WHERE LastName = TODAY", "LastName", "string", "be"),
        ("SELECT Id FROM Contact WHERE LastName LIKE true", "LastName", "string", "be"),
        ("SELECT Id FROM Contact WHERE Account.Name = false", "Name", "string", "be"),
    ],
)
def test_literal_of_wrong_type_is_invalid_field(text: str, field: str, type_name: str, quotes: str) -> None:
    failure = error(text)
    assert failure.error_code == "INVALID_FIELD"
    expected = f"value of filter criterion for field '{field}' must be of type {type_name} and should {quotes} enclosed"
    assert failure.message.endswith(f"\n{expected} in quotes")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("SELECT Id FROM Contact WHERE Id LIKE '003%'", "invalid operator on id field"),
        ("SELECT Id FROM Contact WHERE Birthdate LIKE '1990%'", "invalid operator on date field"),
        ("SELECT Id FROM Contact WHERE DoNotCall > false", "invalid operator on boolean field"),
        (
            "SELECT Id FROM Contact WHERE Email INCLUDES ('a')",
            "includes or excludes operator only valid on multipicklist field",
        ),
    ],
)
def test_operator_not_valid_for_field_type(text: str, message: str) -> None:
    failure = error(text)
    assert failure.error_code == "INVALID_QUERY_FILTER_OPERATOR"
    assert failure.message.endswith("\n" + message)


# --- relative date literals --------------------------------------------------------------------------------

_TODAY = NOW.date()


@pytest.mark.parametrize(
    ("literal", "n", "start", "end"),
    [
        ("YESTERDAY", None, "2024-03-14", "2024-03-15"),
        ("TODAY", None, "2024-03-15", "2024-03-16"),
        ("TOMORROW", None, "2024-03-16", "2024-03-17"),
        ("LAST_WEEK", None, "2024-03-03", "2024-03-10"),
        ("THIS_WEEK", None, "2024-03-10", "2024-03-17"),
        ("NEXT_WEEK", None, "2024-03-17", "2024-03-24"),
        ("LAST_MONTH", None, "2024-02-01", "2024-03-01"),
        ("THIS_MONTH", None, "2024-03-01", "2024-04-01"),
        ("NEXT_MONTH", None, "2024-04-01", "2024-05-01"),
        ("LAST_90_DAYS", None, "2023-12-16", "2024-03-16"),
        ("NEXT_90_DAYS", None, "2024-03-16", "2024-06-14"),
        ("THIS_QUARTER", None, "2024-01-01", "2024-04-01"),
        ("LAST_QUARTER", None, "2023-10-01", "2024-01-01"),
        ("NEXT_QUARTER", None, "2024-04-01", "2024-07-01"),
        ("THIS_YEAR", None, "2024-01-01", "2025-01-01"),
        ("LAST_YEAR", None, "2023-01-01", "2024-01-01"),
        ("NEXT_YEAR", None, "2025-01-01", "2026-01-01"),
        ("THIS_FISCAL_YEAR", None, "2024-01-01", "2025-01-01"),
        ("LAST_FISCAL_QUARTER", None, "2023-10-01", "2024-01-01"),
        ("LAST_N_DAYS", 1, "2024-03-14", "2024-03-16"),
        ("LAST_N_DAYS", 30, "2024-02-14", "2024-03-16"),
        ("NEXT_N_DAYS", 2, "2024-03-16", "2024-03-18"),
        ("N_DAYS_AGO", 3, "2024-03-12", "2024-03-13"),
        ("LAST_N_WEEKS", 1, "2024-03-03", "2024-03-10"),
        ("NEXT_N_WEEKS", 2, "2024-03-17", "2024-03-31"),
        ("N_WEEKS_AGO", 2, "2024-02-25", "2024-03-03"),
        ("LAST_N_MONTHS", 2, "2024-01-01", "2024-03-01"),
        ("NEXT_N_MONTHS", 1, "2024-04-01", "2024-05-01"),
        ("N_MONTHS_AGO", 3, "2023-12-01", "2024-01-01"),
        ("LAST_N_QUARTERS", 1, "2023-10-01", "2024-01-01"),
        ("NEXT_N_QUARTERS", 2, "2024-04-01", "2024-10-01"),
        ("N_QUARTERS_AGO", 1, "2023-10-01", "2024-01-01"),
        ("LAST_N_YEARS", 2, "2022-01-01", "2024-01-01"),
        ("NEXT_N_YEARS", 1, "2025-01-01", "2026-01-01"),
        ("N_YEARS_AGO", 1, "2023-01-01", "2024-01-01"),
        ("NEXT_N_FISCAL_YEARS", 1, "2025-01-01", "2026-01-01"),
    ],
)
def test_relative_date_ranges(literal: str, n: int | None, start: str, end: str) -> None:
    assert relative_date_range(literal, n, _TODAY) == (dt.date.fromisoformat(start), dt.date.fromisoformat(end))


def test_relative_date_ranges_across_boundaries() -> None:
    assert relative_date_range("LAST_MONTH", None, dt.date(2024, 1, 2)) == (dt.date(2023, 12, 1), dt.date(2024, 1, 1))
    assert relative_date_range("THIS_WEEK", None, dt.date(2024, 3, 10)) == (dt.date(2024, 3, 10), dt.date(2024, 3, 17))
    assert relative_date_range("THIS_WEEK", None, dt.date(2024, 3, 16)) == (dt.date(2024, 3, 10), dt.date(2024, 3, 17))
    assert relative_date_range("NEXT_QUARTER", None, dt.date(2024, 11, 30)) == (
        dt.date(2025, 1, 1),
        dt.date(2025, 4, 1),
    )
    assert relative_date_range("N_MONTHS_AGO", 14, dt.date(2024, 3, 31)) == (dt.date(2023, 1, 1), dt.date(2023, 2, 1))


def test_relative_dates_filter_date_and_datetime_fields_in_utc() -> None:
    assert ids("SELECT Id FROM Contact WHERE CreatedDate = TODAY") == [C1]
    assert ids("SELECT Id FROM Contact WHERE CreatedDate = YESTERDAY") == [C2]
    assert ids("SELECT Id FROM Contact WHERE CreatedDate < TODAY AND CreatedDate = THIS_WEEK") == [C2]
    assert ids("SELECT Id FROM Contact WHERE CreatedDate = LAST_N_DAYS:7") == [C1, C2, C5]
    assert ids("SELECT Id FROM Contact WHERE CreatedDate < LAST_N_DAYS:7") == [C3]
    assert ids("SELECT Id FROM Contact WHERE CreatedDate > LAST_MONTH") == [C1, C2, C5]
    assert ids("SELECT Id FROM Contact WHERE CreatedDate IN (TODAY, LAST_MONTH)") == [C1, C3]
    assert ids("SELECT Id FROM Event WHERE ActivityDate = NEXT_N_DAYS:7") == [E2]
    assert ids("SELECT Id FROM Event WHERE ActivityDate >= TODAY") == [E1, E2]
    assert ids("SELECT Id FROM Event WHERE ActivityDate <= TODAY") == [E1]
    assert ids("SELECT Id FROM Event WHERE ActivityDate != THIS_WEEK") == [E2]
    assert ids("SELECT Id FROM Account WHERE CreatedDate = THIS_QUARTER") == [A1, A2, A3]


# --- ordering and paging -------------------------------------------------------------------------------------


def test_order_by_defaults_nulls_first_ascending_and_last_descending() -> None:
    assert ids("SELECT Id FROM Account ORDER BY Industry") == [A3, A2, A1]
    assert ids("SELECT Id FROM Account ORDER BY Industry DESC") == [A1, A2, A3]
    assert ids("SELECT Id FROM Account ORDER BY Industry ASC NULLS LAST") == [A2, A1, A3]
    assert ids("SELECT Id FROM Account ORDER BY Industry DESC NULLS FIRST") == [A3, A1, A2]
    assert ids("SELECT Id FROM Account ORDER BY NumberOfEmployees DESC") == [A1, A2, A3]


def test_order_by_several_keys_relationship_paths_and_case() -> None:
    assert ids("SELECT Id FROM Contact ORDER BY Account.Name DESC, LastName") == [C2, C5, C1, C3]
    assert ids("SELECT Id FROM Contact ORDER BY OwnerId, Birthdate DESC NULLS LAST") == [C1, C3, C5, C2]
    assert ids("SELECT Id FROM Contact ORDER BY FirstName") == [C3, C2, C5, C1]  # ann < José < Percy < Zoë
    failure = error("SELECT Id FROM Contact ORDER BY Languages__c")
    assert failure.error_code == "INVALID_FIELD"
    assert failure.message.endswith("field 'Languages__c' can not be sorted in a query call")


def test_limit_and_offset() -> None:
    assert ids("SELECT Id FROM Contact ORDER BY Name LIMIT 2") == [C3, C2]
    assert ids("SELECT Id FROM Contact ORDER BY Name LIMIT 2 OFFSET 1") == [C2, C5]
    assert ids("SELECT Id FROM Contact ORDER BY Name OFFSET 3") == [C1]
    assert ids("SELECT Id FROM Contact LIMIT 0") == []
    assert ids("SELECT Id FROM Contact OFFSET 2000") == []
    failure = error("SELECT Id FROM Contact OFFSET 2001")
    assert (failure.error_code, failure.message) == (
        "NUMBER_OUTSIDE_VALID_RANGE",
        "Maximum SOQL offset allowed is 2000",
    )


# --- scope ---------------------------------------------------------------------------------------------------


def test_using_scope() -> None:
    assert ids("SELECT Id FROM Contact USING SCOPE mine") == [C1, C3]
    assert ids("SELECT Id FROM Contact USING SCOPE mine", user_id=U2) == [C2, C5]
    assert ids("SELECT Id FROM Contact USING SCOPE mine", user_id=None) == []
    assert ids("SELECT Id FROM Contact USING SCOPE mine", user_id=U2[:15]) == [C2, C5]
    assert ids("SELECT Id FROM Contact USING SCOPE Everything") == [C1, C2, C3, C5]
    assert error("SELECT Id FROM Contact USING SCOPE team").message.endswith(
        "USING SCOPE team is not supported by the sandbox"
    )
    assert error("SELECT Id FROM Contact USING SCOPE nonsense").message.endswith("unexpected token: nonsense")


# --- relationships -------------------------------------------------------------------------------------------


def test_parent_fields_render_as_nested_records_and_null_parents() -> None:
    records = query("SELECT Name, Account.Name, Account.Owner.Name, AccountId FROM Contact ORDER BY Name").records
    assert records[0] == {
        "attributes": {"type": "Contact", "url": url("Contact", C3)},
        "Name": "Ann O'Brien",
        "Account": None,
        "AccountId": None,
    }
    assert records[1] == {
        "attributes": {"type": "Contact", "url": url("Contact", C2)},
        "Name": "José Núñez",
        "Account": {
            "attributes": {"type": "Account", "url": url("Account", A2)},
            "Name": "Globex",
            "Owner": {"attributes": {"type": "User", "url": url("User", U2)}, "Name": "Bob Builder"},
        },
        "AccountId": A2,
    }


def test_filter_on_parent_fields() -> None:
    assert ids("SELECT Id FROM Contact WHERE Account.Name = 'acme corp' ORDER BY Id") == [C1, C5]
    assert ids("SELECT Id FROM Contact WHERE Account.Owner.Name LIKE 'Bob%'") == [C2]
    assert ids("SELECT Id FROM Contact WHERE Account.Name = null") == [C3]
    assert ids("SELECT Id FROM Contact WHERE LastName = 'Núñez' OR Account.Name = 'Acme Corp'") == [C1, C2, C5]


def test_polymorphic_relationships_render_the_parents_own_type() -> None:
    records = query("SELECT Subject, What.Name, Who.Name, Who.Type, Owner.Name FROM Event ORDER BY Subject").records
    assert records == [
        {
            "attributes": {"type": "Event", "url": url("Event", E1)},
            "Subject": "Kickoff",
            "What": {"attributes": {"type": "Account", "url": url("Account", A1)}, "Name": "Acme Corp"},
            "Who": {
                "attributes": {"type": "Contact", "url": url("Contact", C1)},
                "Name": "Zoë Ångström",
                "Type": "Contact",
            },
            "Owner": {"attributes": {"type": "User", "url": url("User", U1)}, "Name": "Ada Admin"},
        },
        {
            "attributes": {"type": "Event", "url": url("Event", E2)},
            "Subject": "Review",
            "What": None,
            "Who": {"attributes": {"type": "Lead", "url": url("Lead", L1)}, "Name": "Lena Lead", "Type": "Lead"},
            "Owner": {"attributes": {"type": "User", "url": url("User", U2)}, "Name": "Bob Builder"},
        },
    ]
    assert ids("SELECT Id FROM Event WHERE Who.Type = 'Lead'") == [E2]
    assert ids("SELECT Id FROM Event WHERE What.Name LIKE 'acme%'") == [E1]
    # Company exists on Lead only: a Contact parent renders it as null
    who = [record["Who"] for record in query("SELECT Who.Company FROM Event ORDER BY Subject").records]
    assert [parent["Company"] for parent in who] == [None, "Initech"]


def test_child_subqueries() -> None:
    records = query(
        "SELECT Subject, (SELECT Status, Relation.Name FROM EventRelations WHERE Status != 'Declined' ORDER BY Status) "
        "FROM Event ORDER BY Subject"
    ).records
    assert records[0]["EventRelations"] == {
        "totalSize": 2,
        "done": True,
        "records": [
            {
                "attributes": {"type": "EventRelation", "url": url("EventRelation", R1)},
                "Status": "Accepted",
                "Relation": {"attributes": {"type": "Contact", "url": url("Contact", C1)}, "Name": "Zoë Ångström"},
            },
            {
                "attributes": {"type": "EventRelation", "url": url("EventRelation", R2)},
                "Status": "New",
                "Relation": {"attributes": {"type": "Contact", "url": url("Contact", C2)}, "Name": "José Núñez"},
            },
        ],
    }
    assert records[1]["EventRelations"]["records"][0]["Relation"]["attributes"]["type"] == "Lead"
    accounts = query("SELECT Name, (SELECT LastName FROM Contacts ORDER BY LastName DESC LIMIT 1) FROM Account").records
    assert [record["Contacts"] for record in accounts][1:] == [
        {
            "totalSize": 1,
            "done": True,
            "records": [{"attributes": {"type": "Contact", "url": url("Contact", C2)}, "LastName": "Núñez"}],
        },
        None,  # no contacts: null, not an empty result
    ]
    assert accounts[0]["Contacts"]["records"][0]["LastName"] == "Ångström"
    events = query(f"SELECT Name, (SELECT Subject FROM Events) FROM Contact WHERE Id = '{C1}'").records[0]["Events"]
    assert [event["Subject"] for event in events["records"]] == ["Kickoff"]  # through the polymorphic WhoId
    assert list(accounts[0]) == ["attributes", "Name", "Contacts"]
    with_deleted = query(
        "SELECT (SELECT Id FROM EventRelations) FROM Event WHERE Id = '" + E1 + "'", include_deleted=True
    )
    assert with_deleted.records[0]["EventRelations"]["totalSize"] == 4


def test_child_subquery_offset_needs_outer_limit_one() -> None:
    text = "SELECT Id, (SELECT Id FROM EventRelations ORDER BY Status LIMIT 1 OFFSET 1) FROM Event ORDER BY Subject"
    assert error(text).error_code == "MALFORMED_QUERY"
    record = query(text + " LIMIT 1").records[0]
    assert record["EventRelations"]["records"][0]["Id"] == R4  # Accepted, [Declined], New


def test_semi_and_anti_joins() -> None:
    in_event = f"SELECT RelationId FROM EventRelation WHERE EventId = '{E1}'"
    assert ids(f"SELECT Id FROM Contact WHERE Id IN ({in_event}) ORDER BY Name") == [C2, C1]
    assert ids(f"SELECT Id FROM Contact WHERE Id NOT IN ({in_event}) ORDER BY Name") == [C3, C5]
    assert ids("SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Contact WHERE Email LIKE '%acme%')") == [A1]
    assert ids("SELECT Id FROM Contact WHERE AccountId NOT IN (SELECT Id FROM Account WHERE Industry = null)") == [
        C1,
        C2,
        C3,
        C5,
    ]
    assert error("SELECT Id FROM Contact WHERE Id IN (SELECT Name FROM Contact)").error_code == "MALFORMED_QUERY"
    assert error("SELECT Id FROM Contact WHERE Email IN (SELECT Id FROM Contact)").error_code == "MALFORMED_QUERY"
    nested = (
        "SELECT Id FROM Contact WHERE Id IN "
        "(SELECT RelationId FROM EventRelation WHERE EventId IN (SELECT Id FROM Event))"
    )
    assert error(nested).message.endswith("Nesting of semi join sub-selects is not supported")


def test_alias_in_from() -> None:
    assert ids("SELECT c.Id FROM Contact c WHERE c.LastName = 'Núñez' ORDER BY c.Name") == [C2]
    assert (
        query("SELECT c.Account.Name FROM Contact c WHERE c.Id = '" + C1 + "'").records[0]["Account"]["Name"]
        == "Acme Corp"
    )


def test_fields_macro() -> None:
    record = query("SELECT FIELDS(STANDARD) FROM Account WHERE Name = 'Globex'").records[0]
    assert list(record) == [
        "attributes",
        "Id",
        "IsDeleted",
        "CreatedDate",
        "Name",
        "Industry",
        "NumberOfEmployees",
        "AnnualRevenue",
        "Website",
        "OwnerId",
    ]
    custom = query("SELECT Id, FIELDS(CUSTOM) FROM Account WHERE Name = 'Globex' LIMIT 1").records[0]
    assert custom == {"attributes": {"type": "Account", "url": url("Account", A2)}, "Id": A2, "Tags__c": "Silver"}
    failure = error("SELECT FIELDS(ALL) FROM Account")
    assert failure.message.endswith("The SOQL FIELDS function must have a LIMIT of at most 200")


# --- schema errors -------------------------------------------------------------------------------------------


def test_unknown_object_is_invalid_type() -> None:
    failure = error("SELECT Id FROM Contcat")
    assert failure.error_code == "INVALID_TYPE"
    assert failure.message == (
        "\nSELECT Id FROM Contcat\n               ^\nERROR at Row:1:Column:16\n"
        "sObject type 'Contcat' is not supported. If you are attempting to use a custom object, be sure to append "
        "the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names."
    )


def test_unknown_field_is_invalid_field() -> None:
    failure = error("SELECT Id, Nmae FROM Contact")
    assert failure.error_code == "INVALID_FIELD"
    assert failure.message == (
        "\nSELECT Id, Nmae FROM Contact\n           ^\nERROR at Row:1:Column:12\n"
        "No such column 'Nmae' on entity 'Contact'. If you are attempting to use a custom field, be sure to append "
        "the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate "
        "names."
    )
    assert "No such column 'Foo' on entity 'Account'" in error("SELECT Account.Foo FROM Contact").message
    assert "No such column 'Foo' on entity 'Contact'" in error("SELECT Id FROM Contact WHERE Foo = 1").message
    assert "No such column 'Foo' on entity 'Contact'" in error("SELECT Id FROM Contact ORDER BY Foo").message
    assert "No such column 'Account' on entity 'Contact'" in error("SELECT Account FROM Contact").message
    assert "No such column 'Foo' on entity 'Name'" in error("SELECT What.Foo FROM Event").message
    assert "No such column 'Foo' on entity 'Contact'" in error("SELECT (SELECT Foo FROM Contacts) FROM Account").message


def test_unknown_relationships() -> None:
    failure = error("SELECT Acount.Name FROM Contact")
    assert failure.error_code == "INVALID_FIELD"
    assert "\nDidn't understand relationship 'Acount' in field path. If you are attempting to use a custom" in (
        failure.message
    )
    assert "relationship 'Owner' in field path" in error("SELECT What.Owner.Name FROM Event").message
    child = error("SELECT Id, (SELECT Id FROM Contact) FROM Account")
    assert child.error_code == "INVALID_TYPE"
    assert "ERROR at Row:1:Column:28\nDidn't understand relationship 'Contact' in FROM part of query call." in (
        child.message
    )


def test_duplicate_fields_are_rejected() -> None:
    failure = error("SELECT Id, Name, NAME FROM Contact")
    assert failure.error_code == "MALFORMED_QUERY"
    assert failure.message.endswith("ERROR at Row:1:Column:18\nduplicate field selected: Name")
    assert query("SELECT Name, Account.Name FROM Contact LIMIT 1").total_size == 1

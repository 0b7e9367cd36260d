"""Tests of the sandbox's SOSL engine: search syntax, tokenization, search groups, RETURNING clauses, errors."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.sandbox.salesforce.soql import ChildRelationship, FieldInfo, SoqlError, execute_sosl, parse_sosl
from app.sandbox.salesforce.soql import ast as soql_ast

NOW = dt.datetime(2024, 3, 15, 12, 0, tzinfo=dt.UTC)
API = "60.0"


def sfid(prefix: str, number: int) -> str:
    return f"{prefix}{number:012d}AAA"


U1 = sfid("005", 1)
A1, A2 = sfid("001", 1), sfid("001", 2)
C1, C2, C3, C4, C5 = (sfid("003", n) for n in range(1, 6))
L1, L2 = sfid("00Q", 1), sfid("00Q", 2)


def _f(name: str, type_: str, *targets: str, rel: str | None = None) -> FieldInfo:
    return FieldInfo(name, type_, tuple(targets), rel)


def _fields(*infos: FieldInfo) -> dict[str, FieldInfo]:
    return {info.name: info for info in infos}


COMMON = (
    _f("Id", "id"),
    _f("IsDeleted", "boolean"),
    _f("CreatedDate", "datetime"),
    _f("OwnerId", "reference", "User", rel="Owner"),
)
SCHEMA: dict[str, dict[str, FieldInfo]] = {
    "User": _fields(_f("Id", "id"), _f("Name", "string"), _f("Email", "email")),
    "Account": _fields(
        *COMMON, _f("Name", "string"), _f("Phone", "phone"), _f("Website", "url"), _f("Description", "textarea")
    ),
    "Contact": _fields(
        *COMMON,
        _f("FirstName", "string"),
        _f("LastName", "string"),
        _f("Name", "string"),
        _f("Email", "email"),
        _f("Phone", "phone"),
        _f("Title", "string"),
        _f("Description", "textarea"),
        _f("NumberOfKids__c", "double"),
        _f("AccountId", "reference", "Account", rel="Account"),
    ),
    "Lead": _fields(
        *COMMON,
        _f("FirstName", "string"),
        _f("LastName", "string"),
        _f("Name", "string"),
        _f("Company", "string"),
        _f("Email", "email"),
        _f("Phone", "phone"),
    ),
}


def _row(**values: Any) -> dict[str, Any]:
    return {"IsDeleted": False, "OwnerId": U1, "CreatedDate": "2024-03-01T00:00:00.000+0000", **values}


ROWS: dict[str, list[dict[str, Any]]] = {
    "User": [{"Id": U1, "Name": "Ada Admin", "Email": "ada@example.com"}],
    "Account": [
        _row(
            Id=A1,
            Name="Acme Corp",
            Phone="(415) 555-0100",
            Website="https://acme.example",
            Description="Makers of anvils",
        ),
        _row(Id=A2, Name="Ångström Labs", Description="Optics and spectra"),
    ],
    "Contact": [
        _row(
            Id=C1,
            FirstName="Zoë",
            LastName="Ångström",
            Name="Zoë Ångström",
            Email="zoe@acme.example",
            Phone="+1 (415) 555-0101",
            Title="Chief Scientist",
            AccountId=A2,
            CreatedDate="2024-03-15T08:00:00.000+0000",
        ),
        _row(
            Id=C2,
            FirstName="José",
            LastName="Núñez",
            Name="José Núñez",
            Email="jose.nunez@globex.example",
            Title="Buyer",
            Description="Met Zoë at the optics fair",
            AccountId=A1,
        ),
        _row(Id=C3, FirstName="Ann", LastName="O'Brien", Name="Ann O'Brien", Email="ann@example.com", Title="CEO"),
        _row(
            Id=C4,
            FirstName="John",
            LastName="Smith",
            Name="John Smith",
            Email="john.smith@acme.example",
            IsDeleted=True,
        ),
        _row(
            Id=C5,
            FirstName="Johan",
            LastName="Smythe",
            Name="Johan Smythe",
            Email="bob.smith@acme.example",
            Title="CTO",
        ),
    ],
    "Lead": [
        _row(
            Id=L1,
            FirstName="Lena",
            LastName="Lead",
            Name="Lena Lead",
            Company="Acme Corp",
            Email="lena@initech.example",
        ),
        _row(Id=L2, FirstName="Zoë", LastName="Zhang", Name="Zoë Zhang", Company="Ångström Labs", Phone="415-555-0199"),
    ],
}


@dataclasses.dataclass
class FakeOrg:
    """An in-memory QuerySource; deleted rows are handed out too, the engine must drop them."""

    schema: Mapping[str, Mapping[str, FieldInfo]]
    rows: Mapping[str, list[dict[str, Any]]]

    def object_name(self, name: str) -> str | None:
        return next((obj for obj in self.schema if obj.lower() == name.lower()), None)

    def fields(self, sobject: str) -> Mapping[str, FieldInfo]:
        return {key.lower(): info for key, info in self.schema[sobject].items()}

    def child_relationships(self, sobject: str) -> Mapping[str, ChildRelationship]:
        return {}

    def records(self, sobject: str, *, include_deleted: bool) -> Iterable[Mapping[str, Any]]:
        return list(self.rows.get(sobject, []))

    def record_by_id(self, record_id: str) -> tuple[str, Mapping[str, Any]] | None:
        for sobject, rows in self.rows.items():
            for row in rows:
                if row["Id"][:15] == record_id[:15]:
                    return sobject, row
        return None


ORG = FakeOrg(SCHEMA, ROWS)


def search(text: str, org: FakeOrg = ORG) -> list[dict[str, Any]]:
    return execute_sosl(text, org, now=NOW, user_id=U1, api_version=API)


def found(text: str) -> list[str]:
    return [record["Id"] for record in search(text)]


def error(text: str) -> SoqlError:
    with pytest.raises(SoqlError) as info:
        search(text)
    return info.value


def url(sobject: str, record_id: str) -> str:
    return f"/services/data/v{API}/sobjects/{sobject}/{record_id}"


# --- parsing -------------------------------------------------------------------------------------------------


def test_parse_builds_search_tree_and_returning_clauses() -> None:
    parsed = parse_sosl(
        'find {Joe Sm*th OR "jo? smith" AND NOT sm\\-ith} in name fields '
        "returning Contact(Id, Name WHERE Email != null ORDER BY Name DESC LIMIT 5), Lead limit 20"
    )
    word, phrase = soql_ast.SearchWord, soql_ast.SearchPhrase
    any_, one = soql_ast.LikeWildcard.ANY, soql_ast.LikeWildcard.ONE
    assert parsed.search == soql_ast.SearchOr(
        soql_ast.SearchAnd(word(("Joe",)), word(("Sm", any_, "th"))),
        soql_ast.SearchAndNot(phrase((word(("jo", one)), word(("smith",)))), word(("sm-ith",))),
    )
    assert parsed.search_group == "NAME"
    assert parsed.limit == 20
    contact, lead = parsed.returning
    assert [path.parts for path in contact.fields] == [("Id",), ("Name",)]
    assert isinstance(contact.where, soql_ast.Comparison)
    assert contact.order_by[0].descending
    assert contact.limit == 5
    assert (lead.sobject, lead.fields, lead.where) == ("Lead", (), None)


@pytest.mark.parametrize(
    ("text", "column", "message"),
    [
        ("FIND {O'Brien} RETURNING Contact", 8, "line 1:8 no viable alternative at character '''"),
        ("FIND {555-0101} RETURNING Contact", 10, "line 1:10 no viable alternative at character '-'"),
        ("FIND {(acme} RETURNING Contact", 12, "unexpected token: }"),
        ("FIND {acme AND} RETURNING Contact", 15, "unexpected token: }"),
        ("FIND {acme} RETURNING", 22, "unexpected token: <EOF>"),
        ("FIND {acme} IN BODY FIELDS", 16, "unexpected token: BODY"),
        ("FIND acme RETURNING Contact", 6, "unexpected token: acme"),
        ("FIND {} RETURNING Contact", 6, "No search term found. The search term must be longer than one character."),
        ("FIND {a*} RETURNING Contact", 6, "No search term found. The search term must be longer than one character."),
    ],
)
def test_syntax_errors_are_malformed_search(text: str, column: int, message: str) -> None:
    failure = error(text)
    assert failure.error_code == "MALFORMED_SEARCH"
    assert failure.message.endswith(f"ERROR at Row:1:Column:{column}\n{message}")


def test_a_quoted_phrase_is_one_term_whose_length_counts_its_spaces() -> None:
    parse_sosl('FIND {"0 0"} RETURNING Contact')  # three characters: long enough, though each word is one
    assert error('FIND {"0"} RETURNING Contact').error_code == "MALFORMED_SEARCH"


# --- results -------------------------------------------------------------------------------------------------


def test_search_records_have_attributes_and_returning_fields() -> None:
    assert search("FIND {Núñez} RETURNING Contact(Id, Name, Email, Account.Name)") == [
        {
            "attributes": {"type": "Contact", "url": url("Contact", C2)},
            "Id": C2,
            "Name": "José Núñez",
            "Email": "jose.nunez@globex.example",
            "Account": {"attributes": {"type": "Account", "url": url("Account", A1)}, "Name": "Acme Corp"},
        }
    ]
    assert search("FIND {Núñez} RETURNING Contact") == [
        {"attributes": {"type": "Contact", "url": url("Contact", C2)}, "Id": C2}
    ]


def test_objects_come_in_returning_order_and_deleted_rows_are_excluded() -> None:
    assert found("FIND {acme} RETURNING Lead, Contact(Id), Account") == [L1, C1, C5, A1]
    assert found("FIND {acme} RETURNING Account, Lead") == [A1, L1]


def test_without_returning_searches_the_default_objects() -> None:
    records = search("FIND {acme}")
    assert [(record["attributes"]["type"], record["Id"]) for record in records] == [
        ("Account", A1),
        ("Contact", C1),
        ("Contact", C5),
        ("Lead", L1),
    ]
    assert all(set(record) == {"attributes", "Id"} for record in records)


# --- matching ------------------------------------------------------------------------------------------------


def test_matching_is_case_insensitive_and_word_based() -> None:
    assert found("FIND {zoë} RETURNING Contact, Lead") == [C1, C2, L2]  # C2 mentions Zoë in its description
    assert found("FIND {ÅNGSTRÖM} RETURNING Contact, Lead, Account") == [C1, L2, A2]
    assert found("FIND {scien} RETURNING Contact") == []  # words match whole, not as substrings
    assert found("FIND {scientist} RETURNING Contact") == [C1]


def test_wildcards() -> None:
    assert found("FIND {scien*} RETURNING Contact") == [C1]
    assert found("FIND {Sm?the} RETURNING Contact") == [C5]
    assert found("FIND {J?s?} RETURNING Contact") == [C2]
    assert found("FIND {Jo*} RETURNING Contact") == [C2, C5]
    assert found("FIND {O*Brien} RETURNING Contact") == []  # the apostrophe splits O'Brien into two words
    assert found("FIND {sm*th} RETURNING Contact") == [C5]  # the deleted John Smith is not found


def test_escaped_reserved_characters_and_phrases() -> None:
    assert found("FIND {O\\'Brien} RETURNING Contact") == [C3]
    assert found('FIND {"Ann O\\\'Brien"} RETURNING Contact') == [C3]
    assert found('FIND {"O\\\'Brien Ann"} RETURNING Contact') == []
    assert found('FIND {"chief scientist"} RETURNING Contact') == [C1]
    assert found('FIND {"scientist chief"} RETURNING Contact') == []
    assert found("FIND {555\\-0101} RETURNING Contact") == [C1]


def test_logical_operators() -> None:
    assert found("FIND {Zoë Zhang} RETURNING Contact, Lead") == [L2]  # adjacent words are ANDed
    assert found("FIND {Zoë AND Zhang} RETURNING Contact, Lead") == [L2]
    assert found("FIND {Zoë OR Lena} RETURNING Contact, Lead") == [C1, C2, L1, L2]
    assert found("FIND {Zoë AND NOT Zhang} RETURNING Contact, Lead") == [C1, C2]
    assert found("FIND {zoë and not (zhang or optics)} RETURNING Contact, Lead") == [C1]
    assert found("FIND {Lena OR Zoë AND Zhang} RETURNING Lead") == [L1, L2]  # AND binds tighter than OR
    assert found('FIND {"and" OR "or"} RETURNING Contact') == []


def test_email_addresses_match_whole() -> None:
    assert found("FIND {zoe@acme.example} IN EMAIL FIELDS RETURNING Contact") == [C1]
    assert found("FIND {smith@acme.example} IN EMAIL FIELDS RETURNING Contact") == []
    assert found("FIND {bob.smith@acme.example} RETURNING Contact") == [C5]
    assert found("FIND {*@acme.example} IN EMAIL FIELDS RETURNING Contact") == [C1, C5]
    assert found("FIND {acme} IN EMAIL FIELDS RETURNING Contact, Lead") == [C1, C5]


def test_search_groups() -> None:
    assert found("FIND {acme} IN NAME FIELDS RETURNING Contact, Lead, Account") == [
        L1,
        A1,
    ]  # Lead.Company is a name field
    assert found("FIND {acme} IN ALL FIELDS RETURNING Contact, Lead, Account") == [C1, C5, L1, A1]
    assert found("FIND {acme} IN PHONE FIELDS RETURNING Contact, Lead, Account") == []
    assert found("FIND {4155550100} IN PHONE FIELDS RETURNING Account, Contact") == [A1]
    assert found("FIND {555\\-0199} IN PHONE FIELDS RETURNING Lead") == [L2]
    assert found("FIND {optics} IN NAME FIELDS RETURNING Account, Contact") == []
    assert found("FIND {optics} RETURNING Account, Contact") == [A2, C2]  # textarea is searched IN ALL FIELDS
    assert found("FIND {anvils} IN SIDEBAR FIELDS RETURNING Account") == []


def test_where_order_by_limit_and_offset_in_returning() -> None:
    assert found("FIND {acme} RETURNING Contact(Id WHERE Title = 'cto'), Lead(Id WHERE Company = 'x')") == [C5]
    assert found("FIND {acme} RETURNING Contact(Id WHERE CreatedDate = TODAY)") == [C1]
    assert found("FIND {acme} RETURNING Contact(Id ORDER BY Name DESC)") == [C1, C5]
    assert found("FIND {acme} RETURNING Contact(Id ORDER BY Name LIMIT 1), Lead") == [C5, L1]
    assert found("FIND {acme} RETURNING Contact(Id ORDER BY Name LIMIT 1 OFFSET 1)") == [C1]
    assert found("FIND {acme} RETURNING Contact, Lead, Account LIMIT 3") == [C1, C5, L1]


# --- errors --------------------------------------------------------------------------------------------------


def test_unknown_objects_and_fields() -> None:
    failure = error("FIND {acme} RETURNING Contcat(Id)")
    assert failure.error_code == "INVALID_TYPE"
    assert failure.message.startswith(
        "\nFIND {acme} RETURNING Contcat(Id)\n" + " " * 22 + "^\nERROR at Row:1:Column:23\n"
    )
    assert "sObject type 'Contcat' is not supported." in failure.message
    failure = error("FIND {acme} RETURNING Contact(Id, Nmae)")
    assert failure.error_code == "INVALID_FIELD"
    assert "ERROR at Row:1:Column:35\nNo such column 'Nmae' on entity 'Contact'." in failure.message
    assert error("FIND {acme} RETURNING Contact(Id WHERE Foo = 'x')").error_code == "INVALID_FIELD"
    assert error("FIND {acme} RETURNING Contact(Id WHERE NumberOfKids__c = 'x')").error_code == "INVALID_FIELD"
    assert error("FIND {acme} RETURNING Contact(Id, Id)").message.endswith("duplicate field selected: Id")
    assert error("FIND {acme} RETURNING Contact(Id OFFSET 2001)").message.endswith(
        "SOSL offset should be between 0 to 2000"
    )


# --- properties ----------------------------------------------------------------------------------------------

_LETTERS = "abcdefghijklmnopqrstuvwxyzäöüéñß"


@settings(max_examples=60, deadline=None)
@given(words=st.lists(st.text(_LETTERS, min_size=2, max_size=8), min_size=1, max_size=4), pick=st.data())
def test_any_word_of_a_value_finds_the_record_in_any_case(words: list[str], pick: st.DataObject) -> None:
    org = FakeOrg(
        {"Account": _fields(_f("Id", "id"), _f("Name", "string"))},
        {"Account": [{"Id": A1, "Name": " ".join(words)}, {"Id": A2, "Name": "zz-unrelated"}]},
    )
    word = pick.draw(st.sampled_from(words))
    # case is folded character by character, so ß is not equated with SS
    upper = "".join(char.upper() if len(char.upper()) == 1 else char for char in word)
    assert [r["Id"] for r in search(f"FIND {{{upper}}} RETURNING Account", org)] == [A1]
    assert [r["Id"] for r in search(f'FIND {{"{" ".join(words)}"}} RETURNING Account', org)] == [A1]

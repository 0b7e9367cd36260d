"""List views: the seeded Contact views, their describe (with the SOQL Salesforce builds) and their results.

Seeded on Contact: "All Contacts" (everything), "My Contacts" (scope mine) and "Key contacts — Europe" (mailing
country in Europe). The describe's ``query`` is written as Salesforce writes it (lower-case select list, scope,
``ORDER BY ... NULLS FIRST, Id ASC NULLS FIRST``); results run that query through the query engine for the
caller, with ``USING SCOPE mine`` expressed as an owner filter.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from app.sandbox.salesforce import exceptions as errors
from app.sandbox.salesforce.ids import normalize_id
from app.sandbox.salesforce.query import run_query
from app.sandbox.salesforce.sharing import Caller
from app.sandbox.salesforce.values import legacy_datetime

if TYPE_CHECKING:
    from app.sandbox.salesforce.models import SalesforceOrg

EUROPE = (
    "Austria",
    "Belgium",
    "Denmark",
    "Finland",
    "France",
    "Germany",
    "Ireland",
    "Italy",
    "Netherlands",
    "Norway",
    "Poland",
    "Portugal",
    "Spain",
    "Sweden",
    "Switzerland",
    "United Kingdom",
)
MAX_RESULTS = 2000
DEFAULT_RESULTS = 25


@dataclass(frozen=True)
class Column:
    """One column: its field path, label and describe type; hidden columns are selected but not shown."""

    path: str
    label: str
    type: str
    hidden: bool = False


@dataclass(frozen=True)
class Filter:
    """A list view filter: one field, an operator and its values."""

    field: str
    operator: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class ListViewDef:
    """A list view's definition."""

    developer_name: str
    label: str
    sobject: str
    columns: tuple[Column, ...]
    scope: str | None = None
    filter: Filter | None = None
    order_by: str = "Name"


_CONTACT_COLUMNS = (
    Column("Name", "Name", "string"),
    Column("Account.Name", "Account Name", "string"),
    Column("Title", "Title", "string"),
    Column("Phone", "Phone", "phone"),
    Column("Email", "Email", "email"),
    Column("Owner.Alias", "Contact Owner Alias", "string"),
    Column("Id", "Contact ID", "id", hidden=True),
    Column("CreatedDate", "Created Date", "datetime", hidden=True),
    Column("LastModifiedDate", "Last Modified Date", "datetime", hidden=True),
    Column("SystemModstamp", "System Modstamp", "datetime", hidden=True),
)

LIST_VIEWS: tuple[ListViewDef, ...] = (
    ListViewDef("AllContacts", "All Contacts", "Contact", _CONTACT_COLUMNS),
    ListViewDef("MyContacts", "My Contacts", "Contact", _CONTACT_COLUMNS, scope="mine"),
    ListViewDef(
        "Key_contacts_Europe",
        "Key contacts — Europe",
        "Contact",
        (*_CONTACT_COLUMNS[:5], Column("MailingCountry", "Mailing Country", "string"), *_CONTACT_COLUMNS[5:]),
        filter=Filter("MailingCountry", "equals", EUROPE),
    ),
)
_SORT_LABELS = {
    "phone": ("9-0", "0-9"),
    "picklist": ("Low to High", "High to Low"),
    "datetime": ("New to Old", "Old to New"),
}


def soql_for(view: ListViewDef) -> str:
    """The list view's query the way Salesforce writes it."""
    select = ", ".join(c.path.lower() for c in view.columns)
    text = f"SELECT {select} FROM {view.sobject}"
    if view.filter is not None:
        text += f" WHERE {_condition(view.filter)}"
    if view.scope:
        text += f" USING SCOPE {view.scope}"
    return text + f" ORDER BY {view.order_by} ASC NULLS FIRST, Id ASC NULLS FIRST"


def _condition(view_filter: Filter) -> str:
    quoted = [_quote(v) for v in view_filter.values]
    negate = view_filter.operator == "notEqual"
    if len(quoted) == 1:
        return f"{view_filter.field} {'!=' if negate else '='} {quoted[0]}"
    return f"{view_filter.field} {'NOT IN' if negate else 'IN'} ({', '.join(quoted)})"


def _quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _engine_soql(view: ListViewDef, caller: Caller) -> str:
    select = ", ".join(c.path for c in view.columns)
    conditions = []
    if view.filter is not None:
        conditions.append(_condition(view.filter))
    if view.scope == "mine":
        conditions.append(f"OwnerId = '{caller.user_id}'")
    where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
    return f"SELECT {select} FROM {view.sobject}{where} ORDER BY {view.order_by} ASC NULLS FIRST, Id ASC NULLS FIRST"


def _url(view_id: str, view: ListViewDef, api_version: str) -> str:
    return f"/services/data/v{api_version}/sobjects/{view.sobject}/listviews/{view_id}"


def summary(view_id: str, view: ListViewDef, api_version: str) -> dict[str, Any]:
    """A list view's basic information."""
    url = _url(view_id, view, api_version)
    return {
        "describeUrl": f"{url}/describe",
        "developerName": view.developer_name,
        "id": view_id,
        "label": view.label,
        "resultsUrl": f"{url}/results",
        "soqlCompatible": True,
        "url": url,
    }


def views_of(org: SalesforceOrg, sobject: str) -> list[tuple[str, ListViewDef]]:
    """(id, view) of every list view on ``sobject``."""
    return [(org.list_view_ids[v.developer_name], v) for v in LIST_VIEWS if v.sobject == sobject]


def listviews(org: SalesforceOrg, sobject: str, api_version: str) -> dict[str, Any]:
    """The List Views resource."""
    views = views_of(org, sobject)
    return {
        "done": True,
        "listviews": [summary(view_id, view, api_version) for view_id, view in views],
        "nextRecordsUrl": None,
        "size": len(views),
        "sobjectType": sobject,
    }


def find_view(org: SalesforceOrg, sobject: str, raw_id: str) -> tuple[str, ListViewDef]:
    """A list view of ``sobject`` by its 15- or 18-character id (or developer name); 404 otherwise."""
    wanted = normalize_id(raw_id)
    for view_id, view in views_of(org, sobject):
        if view_id == wanted or view.developer_name == raw_id:
            return view_id, view
    raise errors.not_found()


def _columns(view: ListViewDef) -> list[dict[str, Any]]:
    described = []
    for column in view.columns:
        ascending, descending = _SORT_LABELS.get(column.type, ("Z-A", "A-Z"))
        sortable = not column.hidden
        described.append(
            {
                "ascendingLabel": ascending if sortable else None,
                "descendingLabel": descending if sortable else None,
                "fieldNameOrPath": column.path,
                "hidden": column.hidden,
                "label": column.label,
                "selectListItem": column.path,
                "sortDirection": "ascending" if column.path == view.order_by else None,
                "sortIndex": 0 if column.path == view.order_by else None,
                "sortable": sortable,
                "type": column.type,
            }
        )
    return described


def describe(view_id: str, view: ListViewDef) -> dict[str, Any]:
    """The List View Describe resource."""
    where = None
    if view.filter is not None:
        where = {"field": view.filter.field, "operator": view.filter.operator, "values": list(view.filter.values)}
    return {
        "columns": _columns(view),
        "id": view_id[:15],
        "orderBy": [
            {"fieldNameOrPath": view.order_by, "nullsPosition": "first", "sortDirection": "ascending"},
            {"fieldNameOrPath": "Id", "nullsPosition": "first", "sortDirection": "ascending"},
        ],
        "query": soql_for(view),
        "scope": view.scope,
        "sobjectType": view.sobject,
        "whereCondition": where,
    }


def results(
    org: SalesforceOrg,
    caller: Caller,
    view_id: str,
    view: ListViewDef,
    *,
    params: Mapping[str, str],
    api_version: str,
) -> dict[str, Any]:
    """The List View Results resource (``limit`` 1-2,000, default 25; ``offset``)."""
    limit = _int_param(params, "limit", DEFAULT_RESULTS)
    offset = _int_param(params, "offset", 0)
    if not 1 <= limit <= MAX_RESULTS or offset < 0:
        raise errors.api_error(400, errors.INVALID_INPUT, "limit must be between 1 and 2000 and offset at least 0")
    page = run_query(org, caller, _engine_soql(view, caller), api_version, all_rows=False, size=MAX_RESULTS)
    records = list(page["records"])
    while not page["done"]:
        locator = page["nextRecordsUrl"].rsplit("/", 1)[1]
        from app.sandbox.salesforce.query import query_more

        page = query_more(org, caller, locator, api_version, all_rows=False, size=MAX_RESULTS)
        records += page["records"]
    chosen = records[offset : offset + limit]
    return {
        "columns": _columns(view),
        "developerName": view.developer_name,
        "done": offset + limit >= len(records),
        "id": view_id[:15],
        "label": view.label,
        "records": [
            {"columns": [{"fieldNameOrPath": c.path, "value": _value(record, c)} for c in view.columns]}
            for record in chosen
        ],
        "size": len(chosen),
    }


def _value(record: Mapping[str, Any], column: Column) -> Any:
    value: Any = record
    for part in column.path.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    if column.type == "datetime" and isinstance(value, str):
        return legacy_datetime(value)
    return value


def _int_param(params: Mapping[str, str], name: str, default: int) -> int:
    raw = params.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise errors.api_error(400, errors.INVALID_INPUT, f"{name} must be an integer") from None

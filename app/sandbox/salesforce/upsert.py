"""Records by external id: find, upsert and delete through a field marked ``externalId`` (or ``Id``).

Upsert creates the record when no live record has the value (unless ``updateOnly``), updates it when exactly one
has it, and answers 300 with the matching records' URLs when several do. External id values match
case-insensitively, as Salesforce's (case-insensitive) external ids do.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from app.sandbox.salesforce import exceptions as errors
from app.sandbox.salesforce.duplicates import DuplicateRuleHeader
from app.sandbox.salesforce.exceptions import ApiError
from app.sandbox.salesforce.ids import normalize_id
from app.sandbox.salesforce.schema import FieldDef, ObjectDef
from app.sandbox.salesforce.sharing import Caller
from app.sandbox.salesforce.store import Row

if TYPE_CHECKING:
    from app.sandbox.salesforce.models import SalesforceOrg


def external_field(definition: ObjectDef, name: str) -> FieldDef:
    """The external id field ``name`` (or Id); 404 as Salesforce answers for any other field."""
    field_def = definition.field(name)
    if field_def is None or not (field_def.external_id or field_def.type == "id"):
        raise errors.external_id_field_missing(name)
    return field_def


def matches(org: SalesforceOrg, caller: Caller, definition: ObjectDef, field_def: FieldDef, value: str) -> list[Row]:
    """Live records the caller sees whose external id is ``value``."""
    if field_def.type == "id":
        record_id = normalize_id(value)
        found = org.live(record_id) if record_id else None
        return [found[1]] if found is not None and found[0] == definition.name else []
    wanted = value.lower()
    return [
        row for row in org.visible_rows(definition.name, caller) if str(row.get(field_def.name) or "").lower() == wanted
    ]


def multiple_choices(definition: ObjectDef, rows: list[Row], api_version: str) -> ApiError:
    """The 300 answer: the URLs of every matching record."""
    urls = [f"/services/data/v{api_version}/sobjects/{definition.name}/{row['Id']}" for row in rows]
    return ApiError(300, [errors.ErrorItem("MULTIPLE_CHOICES", "more than one record matches")], body=urls)


def upsert(
    org: SalesforceOrg,
    caller: Caller,
    sobject: str,
    field_name: str,
    value: str,
    *,
    payload: Mapping[str, Any],
    header: DuplicateRuleHeader,
    api_version: str,
    update_only: bool = False,
    keep_value: bool = False,
) -> tuple[str, bool]:
    """Create or update by external id; returns (id, created)."""
    definition = org.require_object(sobject)
    field_def = external_field(definition, field_name)
    body = dict(payload)
    sent = body.get(field_def.name)
    if sent is not None and str(sent).lower() != value.lower() and not keep_value:
        raise errors.record_error(
            errors.INVALID_FIELD,
            f"The value of {field_def.name} in the URL doesn't match the value in the request body",
            [field_def.name],
        )
    found = matches(org, caller, definition, field_def, value)
    if len(found) > 1:
        raise multiple_choices(definition, found, api_version)
    if found:
        body.pop(field_def.name, None)
        record_id = org.update(sobject, found[0]["Id"], body, caller, header=header, api_version=api_version)
        return record_id, False
    if update_only or field_def.type == "id":
        raise errors.not_found()
    body[field_def.name] = value
    record_id = org.create(sobject, body, caller, header=header, api_version=api_version)
    return record_id, True

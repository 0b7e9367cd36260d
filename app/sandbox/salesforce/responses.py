"""REST handlers: read the request, call the org, shape Salesforce's answer. One function per resource."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.sandbox.salesforce import composite as composite_resource
from app.sandbox.salesforce import exceptions as errors
from app.sandbox.salesforce import listviews as list_views
from app.sandbox.salesforce import replication, sobject_collections
from app.sandbox.salesforce.content import version_data
from app.sandbox.salesforce.describe import global_describe, object_describe, object_summary
from app.sandbox.salesforce.ids import normalize_id
from app.sandbox.salesforce.limits import limits_json
from app.sandbox.salesforce.query import batch_size, query_more, run_query, run_search
from app.sandbox.salesforce.rest import ApiRequest, ApiResponse
from app.sandbox.salesforce.upsert import external_field, matches, multiple_choices, upsert
from app.sandbox.salesforce.versions import resources_json


def resources(request: ApiRequest) -> ApiResponse:
    """GET /services/data/vXX.X/: the resources of this version."""
    return ApiResponse(200, resources_json(request.version))


def limits(request: ApiRequest) -> ApiResponse:
    """GET limits: the org's allocations and what remains."""
    org = request.org
    return ApiResponse(200, limits_json(org.usage.used(org.now()), org.settings.daily_api_requests))


def sobjects(request: ApiRequest) -> ApiResponse:
    """GET sobjects: the global describe."""
    return ApiResponse(200, global_describe(request.org.available_objects(), request.version))


def sobject(request: ApiRequest) -> ApiResponse:
    """GET sobjects/{type}: basic information; POST: create a record."""
    org = request.org
    definition = org.require_object(request.match["sobject"])
    if request.method == "POST":
        return _create(request, definition.name)
    return ApiResponse(200, {"objectDescribe": object_summary(definition, request.version), "recentItems": []})


def _create(request: ApiRequest, sobject: str) -> ApiResponse:
    record_id = request.org.create(
        sobject, request.json_object(), request.caller, header=request.duplicate_header, api_version=request.version
    )
    location = f"/services/data/v{request.version}/sobjects/{sobject}/{record_id}"
    return ApiResponse(201, {"id": record_id, "success": True, "errors": []}, {"Location": location})


def describe(request: ApiRequest) -> ApiResponse:
    """GET sobjects/{type}/describe."""
    org = request.org
    definition = org.require_object(request.match["sobject"])
    available = {d.name for d in org.available_objects()}
    return ApiResponse(200, object_describe(definition, request.version, available))


def row(request: ApiRequest) -> ApiResponse:
    """sObject Rows: GET (``?fields=``), PATCH, DELETE a record; POST to ``.../Id`` creates one."""
    org = request.org
    definition = org.require_object(request.match["sobject"])
    raw_id = request.match["id"]
    if request.method == "POST":
        if raw_id.lower() != "id":
            raise errors.method_not_allowed("POST", ["GET", "PATCH", "DELETE", "HEAD"])
        return _create(request, definition.name)
    if request.method == "GET":
        record = org.retrieve(definition, raw_id, request.caller)
        fields = _field_list(request.params)
        names = org.resolve_fields(definition, fields) if fields else None
        return ApiResponse(200, org.record_json(definition, record, request.version, names))
    if request.method == "PATCH":
        if normalize_id(raw_id) is None:
            raise errors.external_id_field_missing(raw_id)
        org.update(
            definition.name,
            raw_id,
            request.json_object(),
            request.caller,
            header=request.duplicate_header,
            api_version=request.version,
        )
        return ApiResponse(204)
    if not definition.deletable:
        raise errors.method_not_allowed("DELETE", ["GET", "PATCH", "HEAD"])
    org.delete(definition.name, raw_id, request.caller)
    return ApiResponse(204)


def blob(request: ApiRequest) -> ApiResponse:
    """GET sobjects/ContentVersion/{id}/VersionData: the file's bytes."""
    org = request.org
    definition = org.require_object(request.match["sobject"])
    if definition.name != "ContentVersion":
        raise errors.not_found()
    record = org.retrieve(definition, request.match["id"], request.caller)
    data = version_data(org, record["Id"])
    if data is None:
        raise errors.not_found()
    return ApiResponse(200, raw=data, media_type="application/octetstream")


def by_external_id(request: ApiRequest) -> ApiResponse:
    """sObject Rows by External ID: GET, PATCH (upsert), DELETE."""
    org = request.org
    definition = org.require_object(request.match["sobject"])
    field_name, value = request.match["field"], request.match["value"]
    if request.method in {"PATCH", "POST"}:
        update_only = request.params.get("updateOnly", "").lower() == "true"
        record_id, created = upsert(
            org,
            request.caller,
            definition.name,
            field_name,
            value,
            payload=request.json_object(),
            header=request.duplicate_header,
            api_version=request.version,
            update_only=update_only,
        )
        body = {"id": record_id, "success": True, "errors": [], "created": created}
        return ApiResponse(201 if created else 200, body)
    field_def = external_field(definition, field_name)
    found = matches(org, request.caller, definition, field_def, value)
    if len(found) > 1:
        raise multiple_choices(definition, found, request.version)
    if not found:
        raise errors.not_found()
    if request.method == "DELETE":
        org.delete(definition.name, found[0]["Id"], request.caller)
        return ApiResponse(204)
    fields = _field_list(request.params)
    names = org.resolve_fields(definition, fields) if fields else None
    return ApiResponse(200, org.record_json(definition, found[0], request.version, names))


def updated(request: ApiRequest) -> ApiResponse:
    """GET sobjects/{type}/updated?start=&end=."""
    definition = request.org.require_object(request.match["sobject"])
    return ApiResponse(200, replication.updated(request.org, definition, request.caller, request.params))


def deleted(request: ApiRequest) -> ApiResponse:
    """GET sobjects/{type}/deleted?start=&end=."""
    definition = request.org.require_object(request.match["sobject"])
    return ApiResponse(200, replication.deleted(request.org, definition, request.caller, request.params))


def query(request: ApiRequest) -> ApiResponse:
    """GET query?q= (and queryAll?q=, which includes deleted records)."""
    text = request.params.get("q")
    if not text:
        raise errors.api_error(400, errors.MALFORMED_QUERY, "A query string must be provided in the q parameter")
    all_rows = request.match.get("resource") == "queryAll"
    size = batch_size(request.headers.get("sforce-query-options"))
    return ApiResponse(200, run_query(request.org, request.caller, text, request.version, all_rows=all_rows, size=size))


def more(request: ApiRequest) -> ApiResponse:
    """GET query/{locator}: the next batch."""
    all_rows = request.match.get("resource") == "queryAll"
    size = batch_size(request.headers.get("sforce-query-options"))
    page = query_more(
        request.org, request.caller, request.match["locator"], request.version, all_rows=all_rows, size=size
    )
    return ApiResponse(200, page)


def search(request: ApiRequest) -> ApiResponse:
    """GET search?q= (SOSL)."""
    text = request.params.get("q")
    if not text:
        raise errors.api_error(400, "MALFORMED_SEARCH", "A search string must be provided in the q parameter")
    return ApiResponse(200, run_search(request.org, request.caller, text, request.version))


def collections(request: ApiRequest) -> ApiResponse:
    """composite/sobjects: POST creates, PATCH updates, DELETE ?ids= deletes (up to 200 each)."""
    org, caller = request.org, request.caller
    if request.method == "DELETE":
        ids = [i for i in request.params.get("ids", "").split(",") if i]
        all_or_none = request.forced_all_or_none or request.params.get("allOrNone", "").lower() == "true"
        return ApiResponse(200, sobject_collections.delete_many(org, caller, ids, all_or_none=all_or_none))
    body = request.json_object()
    records = body.get("records")
    if not isinstance(records, list):
        raise errors.api_error(400, errors.JSON_PARSER_ERROR, "records must be a list of sObjects")
    all_or_none = request.forced_all_or_none or bool(body.get("allOrNone", False))
    header = request.duplicate_header
    if request.method == "POST":
        results = sobject_collections.create_many(
            org, caller, records, all_or_none=all_or_none, header=header, api_version=request.version
        )
    else:
        results = sobject_collections.update_many(
            org, caller, records, all_or_none=all_or_none, header=header, api_version=request.version
        )
    return ApiResponse(200, results)


def collection_retrieve(request: ApiRequest) -> ApiResponse:
    """GET composite/sobjects/{type}?ids=&fields= (or POST with ``ids`` and ``fields`` in the body)."""
    if request.method == "POST":
        body = request.json_object()
        ids, fields = list(body.get("ids") or []), list(body.get("fields") or [])
    else:
        ids = [i for i in request.params.get("ids", "").split(",") if i]
        fields = _field_list(request.params)
    if not fields:
        raise errors.api_error(400, "MISSING_ARGUMENT", "fields was not specified")
    records = sobject_collections.retrieve_many(
        request.org, request.caller, request.match["sobject"], ids, fields=fields, api_version=request.version
    )
    return ApiResponse(200, records)


def collection_upsert(request: ApiRequest) -> ApiResponse:
    """PATCH composite/sobjects/{type}/{externalIdField}: upsert up to 200 records."""
    body = request.json_object()
    records = body.get("records")
    if not isinstance(records, list):
        raise errors.api_error(400, errors.JSON_PARSER_ERROR, "records must be a list of sObjects")
    definition = request.org.require_object(request.match["sobject"])
    field_def = external_field(definition, request.match["field"])
    all_or_none = request.forced_all_or_none or bool(body.get("allOrNone", False))
    results = sobject_collections.upsert_many(
        request.org,
        request.caller,
        definition.name,
        field_def.name,
        records,
        all_or_none=all_or_none,
        header=request.duplicate_header,
        api_version=request.version,
    )
    return ApiResponse(200, results)


def composite(request: ApiRequest) -> ApiResponse:
    """POST composite: up to 25 subrequests with references."""
    return composite_resource.execute(request)


def listviews(request: ApiRequest) -> ApiResponse:
    """GET sobjects/{type}/listviews."""
    definition = request.org.require_object(request.match["sobject"])
    return ApiResponse(200, list_views.listviews(request.org, definition.name, request.version))


def listview(request: ApiRequest) -> ApiResponse:
    """GET sobjects/{type}/listviews/{id}: basic information."""
    definition = request.org.require_object(request.match["sobject"])
    view_id, view = list_views.find_view(request.org, definition.name, request.match["id"])
    return ApiResponse(200, list_views.summary(view_id, view, request.version))


def listview_describe(request: ApiRequest) -> ApiResponse:
    """GET sobjects/{type}/listviews/{id}/describe."""
    definition = request.org.require_object(request.match["sobject"])
    view_id, view = list_views.find_view(request.org, definition.name, request.match["id"])
    return ApiResponse(200, list_views.describe(view_id, view))


def listview_results(request: ApiRequest) -> ApiResponse:
    """GET sobjects/{type}/listviews/{id}/results."""
    definition = request.org.require_object(request.match["sobject"])
    view_id, view = list_views.find_view(request.org, definition.name, request.match["id"])
    body = list_views.results(
        request.org, request.caller, view_id, view, params=request.params, api_version=request.version
    )
    return ApiResponse(200, body)


def _field_list(params: Mapping[str, str]) -> list[str]:
    return [name for name in params.get("fields", "").split(",") if name.strip()]


def error_response(error: errors.ApiError) -> ApiResponse:
    """An ApiError as a response."""
    body: Any = error.as_json()
    return ApiResponse(error.status, body, dict(error.headers))

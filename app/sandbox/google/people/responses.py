"""People API handlers: parse, authorize, call the account's :class:`PeopleStore`, answer."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from app.sandbox.google.context import (
    GoogleCall,
    authorize,
    field_mask,
    json_body,
    json_response,
    query_bool,
    query_int,
    query_list,
)
from app.sandbox.google.errors import GoogleApiError, invalid_argument
from app.sandbox.google.people.groups import DEFAULT_GROUP_PAGE_SIZE
from app.sandbox.google.people.models import DEFAULT_PAGE_SIZE, MAX_BATCH_GET, ListQuery
from app.sandbox.google.people.render import DEFAULT_GROUP_FIELDS, GROUP_FIELDS, PERSON_FIELDS, UPDATABLE_FIELDS
from app.sandbox.google.wire import digest_b64

_DOCS = "https://developers.google.com/people/api/rest/v1/people"


def _mask(
    value: str | None, name: str, method: str, *, valid: frozenset[str], default: frozenset[str] | None = None
) -> frozenset[str]:
    paths = field_mask(value)
    if not paths:
        if default is not None:
            return default
        raise invalid_argument(
            f"{name} mask is required. Please specify one or more valid paths. "
            f"Valid paths are documented at {_DOCS}/{method}."
        )
    unknown = sorted(paths - valid)
    if unknown:
        raise invalid_argument(
            f'Invalid {name} mask path: "{unknown[0]}". Valid paths are documented at {_DOCS}/{method}.'
        )
    return paths


def _person_fields(request: Request, method: str, *, default_all: bool = False) -> frozenset[str]:
    value = request.query_params.get("personFields") or request.query_params.get("requestMask.includeField")
    return _mask(value, "personFields", method, valid=PERSON_FIELDS, default=PERSON_FIELDS if default_all else None)


def _me(call: GoogleCall, fields: frozenset[str]) -> dict[str, Any]:
    user = call.state.directory.get(call.account.email)
    profile_id = user.google_id if user is not None else digest_b64(call.account.email, length=21)
    source = {"type": "PROFILE", "id": profile_id}
    given, _, family = call.account.name.partition(" ")
    person: dict[str, Any] = {"resourceName": f"people/{profile_id}", "etag": "%" + digest_b64("me", profile_id)}
    if "metadata" in fields:
        person["metadata"] = {
            "sources": [{**source, "etag": "#" + digest_b64("me-src", profile_id, length=11)}],
            "objectType": "PERSON",
        }
    if "names" in fields:
        person["names"] = [
            {
                "metadata": {"primary": True, "source": source},
                "displayName": call.account.name,
                "givenName": given,
                "familyName": family or given,
                "displayNameLastFirst": f"{family}, {given}" if family else given,
                "unstructuredName": call.account.name,
            }
        ]
    if "emailAddresses" in fields:
        person["emailAddresses"] = [
            {"metadata": {"primary": True, "verified": True, "source": source}, "value": call.account.email}
        ]
    return person


async def list_connections(request: Request) -> JSONResponse:
    """``people.connections.list`` (``people/me`` only)."""
    call = authorize(request, "people")
    query = ListQuery(
        fields=_person_fields(request, "connections/list"),
        page_size=query_int(request, "pageSize") or DEFAULT_PAGE_SIZE,
        sort_order=request.query_params.get("sortOrder") or "LAST_MODIFIED_ASCENDING",
        request_sync_token=bool(query_bool(request, "requestSyncToken")),
        sync_token=request.query_params.get("syncToken") or None,
        page_token=request.query_params.get("pageToken") or None,
    )
    return json_response(call.account.people.list_connections(query))


async def get_person(request: Request, person_id: str) -> JSONResponse:
    """``people.get``: a contact, or ``people/me``."""
    call = authorize(request, "people")
    fields = _person_fields(request, "get")
    if person_id == "me":
        return json_response(_me(call, fields))
    store = call.account.people
    return json_response(store.render(store.contact(f"people/{person_id}"), fields))


async def batch_get(request: Request) -> JSONResponse:
    """``people.getBatchGet``: up to 200 people, each with its own status."""
    call = authorize(request, "people")
    fields = _person_fields(request, "getBatchGet")
    names = query_list(request, "resourceNames")
    if not names or len(names) > MAX_BATCH_GET:
        raise invalid_argument("resourceNames must name between 1 and 200 people.")
    responses = []
    for name in names:
        try:
            if name == "people/me":
                person = _me(call, fields)
            else:
                person = call.account.people.render(call.account.people.contact(name), fields)
            responses.append({"httpStatusCode": 200, "person": person, "requestedResourceName": name, "status": {}})
        except GoogleApiError as error:
            responses.append(
                {
                    "httpStatusCode": error.status,
                    "requestedResourceName": name,
                    "status": {"code": 5, "message": error.message},
                }
            )
    return json_response({"responses": responses})


async def create_contact(request: Request) -> JSONResponse:
    """``people.createContact``."""
    call = authorize(request, "people", write=True)
    fields = _person_fields(request, "createContact", default_all=True)
    body = await json_body(request, "people", "Person", "person")
    store = call.account.people
    async with call.account.people_mutation(call.backend.settings.mutation_latency_ms):
        contact = store.create_contact(body)
    return json_response(store.render(contact, fields))


async def update_contact(request: Request, person_id: str) -> JSONResponse:
    """``people.updateContact``: the etag is required; a stale one is 400 failedPrecondition."""
    call = authorize(request, "people", write=True)
    mask = _mask(
        request.query_params.get("updatePersonFields"), "updatePersonFields", "updateContact", valid=UPDATABLE_FIELDS
    )
    fields = _person_fields(request, "updateContact", default_all=True)
    body = await json_body(request, "people", "Person", "person")
    store = call.account.people
    async with call.account.people_mutation(call.backend.settings.mutation_latency_ms):
        contact = store.update_contact(f"people/{person_id}", body, mask)
    return json_response(store.render(contact, fields))


async def delete_contact(request: Request, person_id: str) -> JSONResponse:
    """``people.deleteContact``."""
    call = authorize(request, "people", write=True)
    async with call.account.people_mutation(call.backend.settings.mutation_latency_ms):
        call.account.people.delete_contact(f"people/{person_id}")
    return json_response({})


async def batch_create_contacts(request: Request) -> JSONResponse:
    """``people.batchCreateContacts`` (up to 200)."""
    call = authorize(request, "people", write=True)
    body = await json_body(request, "people", "BatchCreateContactsRequest", "batch_create_contacts_request")
    read_mask = _mask(body.get("readMask"), "readMask", "batchCreateContacts", valid=PERSON_FIELDS, default=frozenset())
    people = [item.get("contactPerson") or {} for item in body.get("contacts") or []]
    store = call.account.people
    async with call.account.people_mutation(call.backend.settings.mutation_latency_ms):
        created = store.batch_create(people)
    if not read_mask:
        return json_response({})
    return json_response(
        {
            "createdPeople": [
                {
                    "httpStatusCode": 200,
                    "person": store.render(c, read_mask),
                    "requestedResourceName": c.resource_name,
                    "status": {},
                }
                for c in created
            ]
        }
    )


async def batch_update_contacts(request: Request) -> JSONResponse:
    """``people.batchUpdateContacts`` (up to 200, keyed by resource name)."""
    call = authorize(request, "people", write=True)
    body = await json_body(request, "people", "BatchUpdateContactsRequest", "batch_update_contacts_request")
    mask = _mask(body.get("updateMask"), "updateMask", "batchUpdateContacts", valid=UPDATABLE_FIELDS)
    read_mask = _mask(body.get("readMask"), "readMask", "batchUpdateContacts", valid=PERSON_FIELDS, default=frozenset())
    store = call.account.people
    async with call.account.people_mutation(call.backend.settings.mutation_latency_ms):
        updated = store.batch_update(dict(body.get("contacts") or {}), mask)
    if not read_mask:
        return json_response({})
    return json_response(
        {
            "updateResult": {
                c.resource_name: {
                    "httpStatusCode": 200,
                    "person": store.render(c, read_mask),
                    "requestedResourceName": c.resource_name,
                    "status": {},
                }
                for c in updated
            }
        }
    )


async def batch_delete_contacts(request: Request) -> JSONResponse:
    """``people.batchDeleteContacts`` (up to 500)."""
    call = authorize(request, "people", write=True)
    body = await json_body(request, "people", "BatchDeleteContactsRequest", "batch_delete_contacts_request")
    async with call.account.people_mutation(call.backend.settings.mutation_latency_ms):
        call.account.people.batch_delete([str(name) for name in body.get("resourceNames") or []])
    return json_response({})


def _group_fields(value: str | None, default: frozenset[str] = DEFAULT_GROUP_FIELDS) -> frozenset[str]:
    paths = field_mask(value)
    if not paths:
        return default
    unknown = sorted(paths - GROUP_FIELDS)
    if unknown:
        raise invalid_argument(f'Invalid groupFields mask path: "{unknown[0]}".')
    return paths


async def list_groups(request: Request) -> JSONResponse:
    """``contactGroups.list``."""
    call = authorize(request, "people")
    return json_response(
        call.account.people.list_groups(
            _group_fields(request.query_params.get("groupFields")),
            query_int(request, "pageSize") or DEFAULT_GROUP_PAGE_SIZE,
            request.query_params.get("pageToken") or None,
            request.query_params.get("syncToken") or None,
        )
    )


async def get_group(request: Request, group_id: str) -> JSONResponse:
    """``contactGroups.get`` (``maxMembers`` lists member resource names)."""
    call = authorize(request, "people")
    store = call.account.people
    group = store.group(f"contactGroups/{group_id}")
    fields = _group_fields(request.query_params.get("groupFields"))
    return json_response(store.render_group(group, fields, query_int(request, "maxMembers") or 0))


async def batch_get_groups(request: Request) -> JSONResponse:
    """``contactGroups.batchGet``."""
    call = authorize(request, "people")
    store = call.account.people
    fields = _group_fields(request.query_params.get("groupFields"))
    max_members = query_int(request, "maxMembers") or 0
    responses = []
    for name in query_list(request, "resourceNames"):
        try:
            group = store.render_group(store.group(name), fields, max_members)
            responses.append({"contactGroup": group, "requestedResourceName": name, "status": {}})
        except GoogleApiError as error:
            responses.append({"requestedResourceName": name, "status": {"code": 5, "message": error.message}})
    return json_response({"responses": responses})


async def create_group(request: Request) -> JSONResponse:
    """``contactGroups.create``."""
    call = authorize(request, "people", write=True)
    body = await json_body(request, "people", "CreateContactGroupRequest", "create_contact_group_request")
    group_body = body.get("contactGroup") or {}
    fields = _group_fields(body.get("readGroupFields"), frozenset({"metadata", "groupType", "name"}))
    store = call.account.people
    async with call.account.people_mutation(call.backend.settings.mutation_latency_ms):
        group = store.create_group(str(group_body.get("name") or ""), list(group_body.get("clientData") or []))
    return json_response(store.render_group(group, fields))


async def update_group(request: Request, group_id: str) -> JSONResponse:
    """``contactGroups.update`` (name and/or clientData)."""
    call = authorize(request, "people", write=True)
    body = await json_body(request, "people", "UpdateContactGroupRequest", "update_contact_group_request")
    update_fields = field_mask(body.get("updateGroupFields")) or frozenset({"name"})
    if update_fields - {"name", "clientData"}:
        raise invalid_argument("updateGroupFields may only name clientData and name.")
    fields = _group_fields(body.get("readGroupFields"), frozenset({"metadata", "groupType", "name"}))
    store = call.account.people
    async with call.account.people_mutation(call.backend.settings.mutation_latency_ms):
        group = store.update_group(f"contactGroups/{group_id}", body.get("contactGroup") or {}, update_fields)
    return json_response(store.render_group(group, fields))


async def delete_group(request: Request, group_id: str) -> JSONResponse:
    """``contactGroups.delete`` (``deleteContacts`` deletes the members too)."""
    call = authorize(request, "people", write=True)
    async with call.account.people_mutation(call.backend.settings.mutation_latency_ms):
        call.account.people.delete_group(
            f"contactGroups/{group_id}", delete_contacts=bool(query_bool(request, "deleteContacts"))
        )
    return json_response({})


async def modify_members(request: Request, group_id: str) -> JSONResponse:
    """``contactGroups.members.modify`` (at most 1000 adds and removes together)."""
    call = authorize(request, "people", write=True)
    body = await json_body(
        request, "people", "ModifyContactGroupMembersRequest", "modify_contact_group_members_request"
    )
    async with call.account.people_mutation(call.backend.settings.mutation_latency_ms):
        result = call.account.people.modify_members(
            f"contactGroups/{group_id}",
            [str(name) for name in body.get("resourceNamesToAdd") or []],
            [str(name) for name in body.get("resourceNamesToRemove") or []],
        )
    return json_response(result)

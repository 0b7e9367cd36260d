"""Contacts and contact folders: CRUD, query options, paging, etags, extended properties, immutable ids."""

from __future__ import annotations

from app.sandbox.microsoft import extended
from app.sandbox.microsoft.seed import NO_SYNC_CATEGORY, SYNC_CATEGORY
from tests.sandbox.microsoft.conftest import ALEX, Graph, assert_graph_error

NEW_CONTACT = {
    "givenName": "Ada",
    "surname": "Lovelace",
    "emailAddresses": [{"name": "Ada Lovelace", "address": "ada@analytical.example"}],
    "businessPhones": ["+44 20 7946 0000"],
    "companyName": "Analytical Engines",
    "categories": [SYNC_CATEGORY],
}


def test_create_read_update_delete_a_contact(graph: Graph) -> None:
    created = graph.post("/me/contacts", NEW_CONTACT)
    assert created.status_code == 201, created.text
    contact = created.json()
    assert contact["@odata.context"].endswith("/contacts/$entity")
    assert contact["displayName"] == "Ada Lovelace"
    assert contact["@odata.etag"] == f'W/"{contact["changeKey"]}"'
    assert contact["parentFolderId"] == graph.mailbox.folder_id(graph.mailbox.default_folder("contactFolder"))
    assert contact["homePhones"] == [] and contact["homeAddress"] == {}

    fetched = graph.get(f"/me/contacts/{contact['id']}").json()
    assert fetched["emailAddresses"] == NEW_CONTACT["emailAddresses"]

    updated = graph.patch(f"/me/contacts/{contact['id']}", {"jobTitle": "Analyst"})
    assert updated.status_code == 200
    assert updated.json()["jobTitle"] == "Analyst"
    assert updated.json()["changeKey"] != contact["changeKey"]
    assert updated.json()["givenName"] == "Ada"

    assert graph.delete(f"/me/contacts/{contact['id']}").status_code == 204
    assert_graph_error(graph.get(f"/me/contacts/{contact['id']}"), 404, "ErrorItemNotFound")


def test_if_match_with_a_stale_etag_gets_412(graph: Graph) -> None:
    contact = graph.post("/me/contacts", NEW_CONTACT).json()
    stale = contact["@odata.etag"]
    fresh = graph.patch(f"/me/contacts/{contact['id']}", {"jobTitle": "One"}, headers={"If-Match": stale})
    assert fresh.status_code == 200
    again = graph.patch(f"/me/contacts/{contact['id']}", {"jobTitle": "Two"}, headers={"If-Match": stale})
    assert_graph_error(again, 412, "ErrorIrresolvableConflict")
    assert_graph_error(
        graph.delete(f"/me/contacts/{contact['id']}", headers={"If-Match": stale}), 412, "ErrorIrresolvableConflict"
    )
    current = fresh.json()["@odata.etag"]
    assert (
        graph.patch(f"/me/contacts/{contact['id']}", {"jobTitle": "Two"}, headers={"If-Match": current}).status_code
        == 200
    )
    assert graph.delete(f"/me/contacts/{contact['id']}", headers={"If-Match": "*"}).status_code == 204


def test_select_filter_and_paging(graph: Graph) -> None:
    first = graph.get("/me/contacts", params={"$select": "displayName,emailAddresses", "$top": "5"}).json()
    assert len(first["value"]) == 5
    assert set(first["value"][0]) == {"@odata.etag", "id", "displayName", "emailAddresses"}
    assert "$skip=5" in first["@odata.nextLink"] and "$select=displayName,emailAddresses" in first["@odata.nextLink"]

    default_page = graph.get("/me/contacts").json()
    assert len(default_page["value"]) == 10 and "@odata.nextLink" in default_page

    everyone, _ = graph.all_pages("/me/contacts?$top=7")
    expected = len(graph.mailbox.items_in(graph.mailbox.default_folder("contactFolder").key, "contact"))
    assert len(everyone) == expected and len({c["id"] for c in everyone}) == expected

    synced, _ = graph.all_pages(f"/me/contacts?$filter=categories/any(c:c eq '{SYNC_CATEGORY}')")
    assert synced and all(SYNC_CATEGORY in c["categories"] for c in synced)
    quoted = NO_SYNC_CATEGORY.replace("'", "''")  # OData doubles a quote inside a string literal
    not_synced, _ = graph.all_pages(f"/me/contacts?$filter=categories/any(c:c eq '{quoted}')")
    assert not_synced and not {c["id"] for c in synced} & {c["id"] for c in not_synced}

    someone = everyone[3]
    address = someone["emailAddresses"][0]["address"]
    by_mail = graph.get("/me/contacts", params={"$filter": f"emailAddresses/any(a:a/address eq '{address.upper()}')"})
    assert [c["id"] for c in by_mail.json()["value"]] == [someone["id"]]

    prefix = someone["givenName"][:2]
    both = graph.get(
        "/me/contacts",
        params={"$filter": f"startswith(givenName,'{prefix}') and surname eq '{someone['surname']}'", "$count": "true"},
    ).json()
    assert someone["id"] in [c["id"] for c in both["value"]] and both["@odata.count"] >= 1

    ordered = graph.get("/me/contacts", params={"$orderby": "displayName desc", "$top": "50"}).json()["value"]
    names = [c["displayName"].casefold() for c in ordered]
    assert names == sorted(names, reverse=True)

    since = graph.get("/me/contacts", params={"$filter": "lastModifiedDateTime ge 2000-01-01T00:00:00Z", "$top": "1"})
    assert since.status_code == 200 and since.json()["value"]
    future = graph.get("/me/contacts", params={"$filter": "lastModifiedDateTime gt 2999-01-01T00:00:00Z"})
    assert future.json()["value"] == []


def test_query_errors_use_graphs_codes(graph: Graph) -> None:
    assert_graph_error(graph.get("/me/contacts?$select=shoeSize"), 400, "RequestBroker-ParseUri")
    assert_graph_error(graph.get("/me/contacts?$filter=displayName eq"), 400, "BadRequest")
    assert_graph_error(graph.get("/me/contacts?$top=ten"), 400, "BadRequest")
    assert_graph_error(graph.post("/me/contacts", {"givenName": "X", "shoeSize": 44}), 400, "RequestBodyRead")
    bad_address = {"givenName": "X", "emailAddresses": [{"address": "x@example.com", "label": "work"}]}
    assert_graph_error(graph.post("/me/contacts", bad_address), 400, "RequestBodyRead")
    assert_graph_error(graph.get("/me/contacts/not-an-id!"), 400, "ErrorInvalidIdMalformed")
    assert_graph_error(graph.get("/me/contactz"), 400, "BadRequest")
    assert_graph_error(graph.client.put("/me/contacts", json={}), 405, "Request_BadRequest")


def test_extended_properties_are_written_and_read_with_expand(graph: Graph) -> None:
    marker = "String {66f5a359-4659-4830-9070-00047ec6ac6e} Name CrmBridgeId"
    body = {
        **NEW_CONTACT,
        "singleValueExtendedProperties": [
            {"id": marker, "value": "003XX0000012345"},
            {"id": extended.SENSITIVITY_ID, "value": "2"},
        ],
    }
    contact = graph.post("/me/contacts", body).json()
    assert "singleValueExtendedProperties" not in contact
    expand = f"singleValueExtendedProperties($filter=id eq '{marker}' or id eq 'Integer 0x0036')"
    fetched = graph.get(f"/me/contacts/{contact['id']}", params={"$expand": expand}).json()
    assert sorted(fetched["singleValueExtendedProperties"], key=lambda p: p["id"]) == [
        {"id": "Integer 0x0036", "value": "2"},
        {"id": marker, "value": "003XX0000012345"},
    ]
    # The GUID and the type are case-insensitive; the name is not.
    other_case = marker.replace("String", "string").replace("66f5a359", "66F5A359")
    found = graph.get(
        f"/me/contacts/{contact['id']}",
        params={"$expand": f"singleValueExtendedProperties($filter=id eq '{other_case}')"},
    )
    assert len(found.json()["singleValueExtendedProperties"]) == 1
    missing = graph.get(
        f"/me/contacts/{contact['id']}",
        params={"$expand": f"singleValueExtendedProperties($filter=id eq '{marker.lower()}')"},
    )
    assert missing.json()["singleValueExtendedProperties"] == []

    flt = f"singleValueExtendedProperties/any(ep: ep/id eq '{marker}' and ep/value eq '003XX0000012345')"
    assert [c["id"] for c in graph.get("/me/contacts", params={"$filter": flt}).json()["value"]] == [contact["id"]]

    graph.patch(f"/me/contacts/{contact['id']}", {"singleValueExtendedProperties": [{"id": marker, "value": "003XX9"}]})
    again = graph.get(
        f"/me/contacts/{contact['id']}", params={"$expand": f"singleValueExtendedProperties($filter=id eq '{marker}')"}
    )
    assert again.json()["singleValueExtendedProperties"] == [{"id": marker, "value": "003XX9"}]
    bad = {"singleValueExtendedProperties": [{"id": "Integer 0x0036", "value": "private"}]}
    assert_graph_error(graph.patch(f"/me/contacts/{contact['id']}", bad), 400, "ErrorInvalidExtendedPropertyValue")
    assert_graph_error(
        graph.patch(
            f"/me/contacts/{contact['id']}", {"singleValueExtendedProperties": [{"id": "Nonsense", "value": "1"}]}
        ),
        400,
        "ErrorInvalidProperty",
    )


def test_immutable_ids_survive_a_move_between_folders(graph: Graph) -> None:
    folders = graph.get("/me/contactFolders").json()["value"]
    customers = next(f for f in folders if f["displayName"] == "Customers")
    immutable = {"Prefer": 'IdType="ImmutableId"'}
    created = graph.post("/me/contacts", NEW_CONTACT, headers=immutable)
    assert created.headers["Preference-Applied"] == 'IdType="ImmutableId"'
    immutable_id = created.json()["id"]
    rest_id = graph.get("/me/contacts", params={"$filter": "surname eq 'Lovelace'"}).json()["value"][0]["id"]
    assert rest_id != immutable_id

    moved = graph.control(
        "POST", f"/microsoft/mailboxes/{ALEX}/move", {"itemId": rest_id, "destinationId": customers["id"]}
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["immutableId"] == immutable_id and moved.json()["id"] != rest_id

    after = graph.get(f"/me/contacts/{immutable_id}", headers=immutable)
    assert after.status_code == 200 and after.json()["id"] == immutable_id
    assert after.json()["parentFolderId"] == customers["id"]
    assert_graph_error(graph.get(f"/me/contacts/{rest_id}"), 404, "ErrorItemNotFound")
    in_folder = graph.get(f"/me/contactFolders/{customers['id']}/contacts/{moved.json()['id']}")
    assert in_folder.status_code == 200


def test_contact_folders_and_child_folders(graph: Graph) -> None:
    created = graph.post("/me/contactFolders", {"displayName": "Prospects"})
    assert created.status_code == 201
    folder = created.json()
    assert_graph_error(graph.post("/me/contactFolders", {"displayName": "prospects"}), 409, "ErrorFolderExists")
    child = graph.post(f"/me/contactFolders/{folder['id']}/childFolders", {"displayName": "Nordics"}).json()
    assert child["parentFolderId"] == folder["id"]
    assert [f["id"] for f in graph.get(f"/me/contactFolders/{folder['id']}/childFolders").json()["value"]] == [
        child["id"]
    ]

    contact = graph.post(f"/me/contactFolders/{folder['id']}/contacts", NEW_CONTACT).json()
    assert contact["parentFolderId"] == folder["id"]
    listed = graph.get(f"/me/contactFolders/{folder['id']}/contacts").json()
    assert [c["id"] for c in listed["value"]] == [contact["id"]]
    assert "contactFolders('" in listed["@odata.context"]
    renamed = graph.patch(f"/me/contactFolders/{folder['id']}", {"displayName": "Hot prospects"}).json()
    assert renamed["displayName"] == "Hot prospects"
    assert graph.delete(f"/me/contactFolders/{folder['id']}").status_code == 204
    assert_graph_error(graph.get(f"/me/contacts/{contact['id']}"), 404, "ErrorItemNotFound")
    default_id = graph.mailbox.folder_id(graph.mailbox.default_folder("contactFolder"))
    assert_graph_error(graph.delete(f"/me/contactFolders/{default_id}"), 400, "ErrorDeleteDistinguishedFolder")


def test_demo_contacts_carry_categories_and_privacy(graph: Graph) -> None:
    contacts, _ = graph.all_pages("/me/contacts?$top=100")
    categories = [c["categories"] for c in contacts]
    assert any(SYNC_CATEGORY in c for c in categories) and any(NO_SYNC_CATEGORY in c for c in categories)
    expand = {"$expand": "singleValueExtendedProperties($filter=id eq 'Integer 0x0036')", "$top": "100"}
    marked = [c for c in graph.get("/me/contacts", params=expand).json()["value"] if c["singleValueExtendedProperties"]]
    assert marked and all(p["value"] == "2" for c in marked for p in c["singleValueExtendedProperties"])
    subfolders = {f["displayName"] for f in graph.get("/me/contactFolders").json()["value"]}
    assert subfolders == {"Customers", "Partners"}

"""To Do linked resources: created with the task, returned by the create, read with ``$expand`` (delta included)."""

from __future__ import annotations

from typing import Any

from tests.sandbox.microsoft.conftest import Graph, assert_graph_error

LINK = {"applicationName": "crmbridge", "externalId": "crmbridge:salesforce:00T1", "displayName": "Salesforce"}


def default_list(graph: Graph) -> str:
    lists = graph.get("/me/todo/lists").json()["value"]
    return str(next(item["id"] for item in lists if item["wellknownListName"] == "defaultList"))


def create(graph: Graph, list_id: str, title: str, *links: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {"title": title}
    if links:
        body["linkedResources"] = list(links)
    response = graph.post(f"/me/todo/lists/{list_id}/tasks", body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_a_task_is_created_with_its_linked_resources_and_returns_them(graph: Graph) -> None:
    list_id = default_list(graph)
    task = create(graph, list_id, "Call back", LINK)

    (linked,) = task["linkedResources"]
    assert linked["id"] and {k: linked[k] for k in LINK} == LINK

    url = f"/me/todo/lists/{list_id}/tasks/{task['id']}"
    assert "linkedResources" not in graph.get(url).json()
    expanded = graph.get(url, params={"$expand": "linkedResources"}).json()
    assert expanded["linkedResources"] == task["linkedResources"]
    assert expanded["@odata.etag"] == task["@odata.etag"]


def test_linked_resources_are_checked(graph: Graph) -> None:
    list_id = default_list(graph)
    response = graph.post(f"/me/todo/lists/{list_id}/tasks", {"title": "x", "linkedResources": [{"colour": "red"}]})
    assert_graph_error(response, 400, "RequestBodyRead")


def test_a_list_filters_on_linked_resources_and_expands_them_when_asked(graph: Graph) -> None:
    list_id = default_list(graph)
    wanted = create(graph, list_id, "Wanted", LINK)
    create(graph, list_id, "Other", {**LINK, "externalId": "crmbridge:salesforce:00T2"})
    create(graph, list_id, "Plain")

    found = graph.get(
        f"/me/todo/lists/{list_id}/tasks",
        params={"$filter": f"linkedResources/any(r: r/externalId eq '{LINK['externalId']}')"},
    ).json()["value"]
    assert [task["id"] for task in found] == [wanted["id"]]
    assert "linkedResources" not in found[0]


def test_a_delta_round_keeps_its_expand_on_every_page_and_the_next_round(graph: Graph) -> None:
    list_id = default_list(graph)
    for n in range(3):
        create(graph, list_id, f"Linked {n}", {**LINK, "externalId": f"m{n}"})
    url = f"/me/todo/lists/{list_id}/tasks/delta?$expand=linkedResources"
    pages: list[dict[str, Any]] = []
    while True:
        page = graph.get(url, headers={"Prefer": "odata.maxpagesize=2"}).json()
        pages.append(page)
        if "@odata.nextLink" not in page:
            break
        url = page["@odata.nextLink"]
    assert len(pages) > 1
    tasks = [task for page in pages for task in page["value"]]
    assert all("linkedResources" in task for task in tasks)
    assert {task["linkedResources"][0]["externalId"] for task in tasks if task["linkedResources"]} >= {"m0", "m1", "m2"}

    changed = create(graph, list_id, "Later", {**LINK, "externalId": "m9"})
    later = graph.get(pages[-1]["@odata.deltaLink"]).json()["value"]
    assert [(task["id"], task["linkedResources"][0]["externalId"]) for task in later] == [(changed["id"], "m9")]

    plain = graph.get(f"/me/todo/lists/{list_id}/tasks/delta").json()
    assert all("linkedResources" not in task for task in plain["value"])

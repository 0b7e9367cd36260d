"""Paging through a query inside one composite call: a subrequest whose URL is ``@{ref.nextRecordsUrl}``."""

from __future__ import annotations

from typing import Any

from tests.sandbox.salesforce.conftest import OrgSandbox, Rest

V = "/services/data/v59.0"


def _composite(rest: Rest, subrequests: list[dict[str, Any]]) -> list[dict[str, Any]]:
    response = rest.post("composite", json={"compositeRequest": subrequests})
    assert response.status_code == 200, response.text
    return list(response.json()["compositeResponse"])


def test_next_batches_by_reference_until_the_query_is_done(sf_sandbox: OrgSandbox) -> None:
    sf_sandbox.org.reset(4500, sf_sandbox.state.directory)
    rest = sf_sandbox.rest()
    used = sf_sandbox.org.usage.used(sf_sandbox.org.now())
    subrequests = [{"method": "GET", "url": f"{V}/query?q=SELECT+Id+FROM+Contact", "referenceId": "q0"}]
    subrequests += [
        {"method": "GET", "url": f"@{{q{index - 1}.nextRecordsUrl}}", "referenceId": f"q{index}"} for index in (1, 2, 3)
    ]

    results = _composite(rest, subrequests)

    assert [r["httpStatusCode"] for r in results] == [200, 200, 200, 400]
    assert [len(r["body"]["records"]) for r in results[:3]] == [2000, 2000, 500]
    assert results[1]["body"]["nextRecordsUrl"].endswith("-4000") and results[2]["body"]["done"] is True
    ids = {row["Id"] for r in results[:3] for row in r["body"]["records"]}
    assert len(ids) == 4500
    halted = results[3]["body"][0]
    assert halted["errorCode"] == "PROCESSING_HALTED"
    assert halted["message"].startswith("Invalid reference specified. No value for q2.nextRecordsUrl found in q2.")
    assert sf_sandbox.org.usage.used(sf_sandbox.org.now()) == used + 1


def test_query_all_batches_keep_deleted_rows(sf_sandbox: OrgSandbox) -> None:
    sf_sandbox.org.reset(2100, sf_sandbox.state.directory)
    admin = sf_sandbox.rest("sam.taylor@example.com")
    some_contact = admin.get("query", params={"q": "SELECT Id FROM Contact ORDER BY Id DESC LIMIT 1"}).json()
    deleted_id = some_contact["records"][0]["Id"]
    assert admin.delete(f"sobjects/Contact/{deleted_id}").status_code == 204

    results = _composite(
        admin,
        [
            {
                "method": "GET",
                "url": f"{V}/queryAll?q=SELECT+Id,IsDeleted+FROM+Contact+ORDER+BY+Id",
                "referenceId": "all",
            },
            {"method": "GET", "url": "@{all.nextRecordsUrl}", "referenceId": "more"},
        ],
    )

    assert [r["httpStatusCode"] for r in results] == [200, 200]
    assert "/queryAll/" in results[0]["body"]["nextRecordsUrl"]
    rows = results[0]["body"]["records"] + results[1]["body"]["records"]
    assert len(rows) == 2100
    assert [row["Id"] for row in rows if row["IsDeleted"]] == [deleted_id]

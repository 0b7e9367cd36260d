"""The Composite resource: subrequests, references between them, allOrNone."""

from __future__ import annotations

from typing import Any

from tests.sandbox.salesforce.conftest import OrgSandbox, Rest

V = "/services/data/v59.0"


def _composite(rest: Rest, subrequests: list[dict[str, Any]], **options: Any) -> list[dict[str, Any]]:
    response = rest.post("composite", json={"compositeRequest": subrequests, **options})
    assert response.status_code == 200, response.text
    return list(response.json()["compositeResponse"])


def test_references_between_subrequests(rest: Rest, sf_sandbox: OrgSandbox) -> None:
    used = sf_sandbox.org.usage.used(sf_sandbox.org.now())
    results = _composite(
        rest,
        [
            {
                "method": "POST",
                "url": f"{V}/sobjects/Account",
                "referenceId": "NewAccount",
                "body": {"Name": "Kōbe Two"},
            },
            {
                "method": "POST",
                "url": f"{V}/sobjects/Contact",
                "referenceId": "NewContact",
                "body": {"LastName": "Satō", "AccountId": "@{NewAccount.id}"},
            },
            {
                "method": "GET",
                "url": f"{V}/sobjects/Contact/@{{NewContact.id}}?fields=AccountId",
                "referenceId": "Read",
            },
            {
                "method": "GET",
                "url": f"{V}/query?q=SELECT+Id,Name+FROM+Account+WHERE+Id='@{{NewAccount.id}}'",
                "referenceId": "Query",
            },
            {
                "method": "PATCH",
                "url": f"{V}/sobjects/Account/@{{Query.records[0].Id}}",
                "referenceId": "Rename",
                "body": {"Name": "Kōbe Zwei"},
            },
        ],
    )
    assert [r["httpStatusCode"] for r in results] == [201, 201, 200, 200, 204]
    account_id = results[0]["body"]["id"]
    assert results[0]["httpHeaders"]["Location"] == f"{V}/sobjects/Account/{account_id}"
    assert results[2]["body"]["AccountId"] == account_id
    assert results[3]["body"]["records"][0]["Name"] == "Kōbe Two"
    assert [r["referenceId"] for r in results] == ["NewAccount", "NewContact", "Read", "Query", "Rename"]
    assert rest.get(f"sobjects/Account/{account_id}").json()["Name"] == "Kōbe Zwei"
    assert sf_sandbox.org.usage.used(sf_sandbox.org.now()) == used + 2  # the composite call and the check


def test_all_or_none_rolls_back_and_halts_the_others(rest: Rest) -> None:
    before = rest.get("query", params={"q": "SELECT COUNT() FROM Account"}).json()["totalSize"]
    results = _composite(
        rest,
        [
            {"method": "POST", "url": f"{V}/sobjects/Account", "referenceId": "Good", "body": {"Name": "Kept?"}},
            {"method": "POST", "url": f"{V}/sobjects/Contact", "referenceId": "Bad", "body": {"FirstName": "No"}},
            {"method": "POST", "url": f"{V}/sobjects/Account", "referenceId": "Later", "body": {"Name": "Never"}},
        ],
        allOrNone=True,
        collateSubrequests=False,
    )
    assert [r["httpStatusCode"] for r in results] == [400, 400, 400]
    assert results[1]["body"][0]["errorCode"] == "REQUIRED_FIELD_MISSING"
    halted = {
        "errorCode": "PROCESSING_HALTED",
        "message": ("The transaction was rolled back since another operation in the same transaction failed."),
    }
    assert results[0]["body"] == [halted] and results[2]["body"] == [halted]
    assert rest.get("query", params={"q": "SELECT COUNT() FROM Account"}).json()["totalSize"] == before


def test_without_all_or_none_only_dependents_fail(rest: Rest) -> None:
    results = _composite(
        rest,
        [
            {"method": "POST", "url": f"{V}/sobjects/Contact", "referenceId": "Bad", "body": {"FirstName": "No"}},
            {
                "method": "POST",
                "url": f"{V}/sobjects/Task",
                "referenceId": "Dependent",
                "body": {"Subject": "Call", "WhoId": "@{Bad.id}"},
            },
            {"method": "POST", "url": f"{V}/sobjects/Account", "referenceId": "Independent", "body": {"Name": "Ok"}},
        ],
    )
    assert [r["httpStatusCode"] for r in results] == [400, 400, 201]
    dependent = results[1]["body"][0]
    assert dependent["errorCode"] == "PROCESSING_HALTED"
    assert dependent["message"].startswith("Invalid reference specified. No value for Bad.id found in Bad.")


def test_collections_inside_composite_follow_the_outer_all_or_none(rest: Rest) -> None:
    records = [{"attributes": {"type": "Account"}, "Name": "Inner one"}, {"attributes": {"type": "Contact"}}]
    results = _composite(
        rest,
        [{"method": "POST", "url": f"{V}/composite/sobjects", "referenceId": "Batch", "body": {"records": records}}],
        allOrNone=True,
    )
    body = results[0]["body"]
    assert body[0]["errors"][0]["statusCode"] == "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    assert body[1]["errors"][0]["statusCode"] == "REQUIRED_FIELD_MISSING"


def test_composite_limits_and_validation(rest: Rest) -> None:
    too_many = [{"method": "GET", "url": f"{V}/limits", "referenceId": f"r{i}"} for i in range(26)]
    response = rest.post("composite", json={"compositeRequest": too_many})
    assert response.status_code == 400 and response.json()[0]["errorCode"] == "LIMIT_EXCEEDED"
    bad_reference = rest.post(
        "composite", json={"compositeRequest": [{"method": "GET", "url": f"{V}/limits", "referenceId": "bad-id"}]}
    )
    assert bad_reference.status_code == 400
    assert "must start with a letter or a number" in bad_reference.json()[0]["message"]

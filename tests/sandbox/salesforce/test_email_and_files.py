"""EmailMessage and its relations (Enhanced Email, on and off), and files (ContentVersion, ContentDocument)."""

from __future__ import annotations

import base64

import pytest
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest

from tests.sandbox.salesforce.conftest import ALEX, OrgSandbox, Rest


def _log_email(sf: Salesforce, sf_sandbox: OrgSandbox, **extra: object) -> tuple[str, str]:
    contact_id = sf.Contact.create({"LastName": "Simões", "Email": "simoes@example.com.br"})["id"]
    email_id = sf.EmailMessage.create(
        {
            "Subject": "Re: proposal",
            "TextBody": "Obrigado!",
            "FromAddress": ALEX,
            "ToAddress": "simoes@example.com.br",
            "Status": "3",
            "MessageIdentifier": "<abc@mail.example.com>",
            "MessageDate": "2030-01-02T10:00:00Z",
            **extra,
        }
    )["id"]
    sf.EmailMessageRelation.create({"EmailMessageId": email_id, "RelationId": contact_id, "RelationType": "ToAddress"})
    sf.EmailMessageRelation.create(
        {"EmailMessageId": email_id, "RelationId": sf_sandbox.user_id(ALEX), "RelationType": "FromAddress"}
    )
    return email_id, contact_id


def test_log_an_email_with_its_relations(sf: Salesforce, sf_sandbox: OrgSandbox) -> None:
    account_id = sf.Account.create({"Name": "Paulista Seguros Dois"})["id"]
    email_id, contact_id = _log_email(sf, sf_sandbox, RelatedToId=account_id)
    email = sf.EmailMessage.get(email_id)
    assert email["Id"].startswith("02s") and email["Status"] == "3" and email["Incoming"] is False
    relations = sf.query(
        "SELECT RelationId, RelationType, RelationAddress, RelationObjectType FROM EmailMessageRelation "
        f"WHERE EmailMessageId = '{email_id}' ORDER BY RelationType"
    )["records"]
    assert [(r["RelationType"], r["RelationObjectType"], r["RelationAddress"]) for r in relations] == [
        ("FromAddress", "User", ALEX),
        ("ToAddress", "Contact", "simoes@example.com.br"),
    ]
    nested = sf.query(
        f"SELECT Id, (SELECT RelationId FROM EmailMessageRelations) FROM EmailMessage WHERE Id = '{email_id}'"
    )
    assert nested["records"][0]["EmailMessageRelations"]["totalSize"] == 2
    by_account = sf.query(f"SELECT Id, (SELECT Subject FROM Emails) FROM Account WHERE Id = '{account_id}'")
    assert by_account["records"][0]["Emails"]["records"][0]["Subject"] == "Re: proposal"
    assert contact_id in {r["RelationId"] for r in relations}


def test_email_limits_and_status(sf: Salesforce, sf_sandbox: OrgSandbox) -> None:
    with pytest.raises(SalesforceMalformedRequest) as too_long:
        sf.EmailMessage.create({"Subject": "Big", "Status": "3", "TextBody": "x" * 131_073})
    assert too_long.value.content[0]["errorCode"] == "STRING_TOO_LONG"
    assert too_long.value.content[0]["fields"] == ["TextBody"]
    assert sf.EmailMessage.create({"Subject": "Max", "Status": "3", "HtmlBody": "x" * 131_072})["success"]
    with pytest.raises(SalesforceMalformedRequest) as subject:
        sf.EmailMessage.create({"Subject": "s" * 3001, "Status": "3"})
    assert subject.value.content[0]["errorCode"] == "STRING_TOO_LONG"
    with pytest.raises(SalesforceMalformedRequest) as status:
        sf.EmailMessage.create({"Subject": "Odd", "Status": "Sent"})
    assert status.value.content[0]["errorCode"] == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    with pytest.raises(SalesforceMalformedRequest) as relation_type:
        sf.EmailMessageRelation.create(
            {
                "EmailMessageId": sf.EmailMessage.create({"Status": "5"})["id"],
                "RelationType": "Sender",
                "RelationAddress": "a@b.c",
            }
        )
    assert relation_type.value.content[0]["errorCode"] == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"


def test_only_drafts_change(sf: Salesforce, sf_sandbox: OrgSandbox) -> None:
    sent_id, _ = _log_email(sf, sf_sandbox)
    with pytest.raises(SalesforceMalformedRequest) as sent:
        sf.EmailMessage.update(sent_id, {"Subject": "Edited"})
    assert sent.value.content[0]["errorCode"] == "FIELD_INTEGRITY_EXCEPTION"
    assert sf.EmailMessage.update(sent_id, {"IsExternallyVisible": False}) == 204
    draft_id = sf.EmailMessage.create({"Subject": "Draft", "Status": "5"})["id"]
    assert sf.EmailMessage.update(draft_id, {"Subject": "Draft 2"}) == 204
    new_id = sf.EmailMessage.create({"Subject": "Inbound", "Status": "0", "Incoming": True})["id"]
    assert sf.EmailMessage.update(new_id, {"Status": "1"}) == 204


def test_enhanced_email_off(sf: Salesforce, sf_sandbox: OrgSandbox, rest: Rest) -> None:
    response = sf_sandbox.control("PATCH", "org", json={"enhanced_email": False})
    assert response.status_code == 200 and response.json()["settings"]["enhanced_email"] is False
    names = {o["name"] for o in sf.describe()["sobjects"]}
    assert "EmailMessage" not in names and "EmailMessageRelation" not in names
    for call in (
        rest.get("sobjects/EmailMessage/describe"),
        rest.post("sobjects/EmailMessage", json={"Subject": "x", "Status": "3"}),
        rest.get("sobjects/EmailMessageRelation"),
    ):
        assert call.status_code == 404
        assert call.json() == [{"message": "The requested resource does not exist", "errorCode": "NOT_FOUND"}]
    with pytest.raises(SalesforceMalformedRequest) as query:
        sf.query("SELECT Id FROM EmailMessage")
    assert query.value.content[0]["errorCode"] == "INVALID_TYPE"
    relationships = {r["relationshipName"] for r in sf.Account.describe()["childRelationships"]}
    assert "Emails" not in relationships


def test_files(sf: Salesforce, sf_sandbox: OrgSandbox, rest: Rest) -> None:
    account_id = sf.Account.create({"Name": "Café Serrano"})["id"]
    data = "Olá, mundo".encode()
    version_id = sf.ContentVersion.create(
        {
            "PathOnClient": "notes/Olá.txt",
            "VersionData": base64.b64encode(data).decode(),
            "FirstPublishLocationId": account_id,
        }
    )["id"]
    version = sf.ContentVersion.get(version_id)
    assert (version["Title"], version["FileExtension"], version["FileType"]) == ("Olá", "txt", "TEXT")
    assert (version["ContentSize"], version["VersionNumber"], version["IsLatest"]) == (len(data), "1", True)
    assert version["VersionData"] == f"/services/data/v59.0/sobjects/ContentVersion/{version_id}/VersionData"
    download = rest.get(f"sobjects/ContentVersion/{version_id}/VersionData")
    assert download.status_code == 200 and download.content == data
    document_id = version["ContentDocumentId"]
    document = sf.ContentDocument.get(document_id)
    assert document["LatestPublishedVersionId"] == version_id and document["Title"] == "Olá"
    links = sf.query(
        f"SELECT LinkedEntityId, ShareType FROM ContentDocumentLink WHERE ContentDocumentId = '{document_id}'"
    )
    assert {(r["LinkedEntityId"], r["ShareType"]) for r in links["records"]} == {
        (account_id, "V"),
        (sf_sandbox.user_id(ALEX), "I"),
    }

    second_id = sf.ContentVersion.create(
        {
            "PathOnClient": "Olá v2.txt",
            "VersionData": base64.b64encode(b"v2").decode(),
            "ContentDocumentId": document_id,
        }
    )["id"]
    assert sf.ContentVersion.get(second_id)["VersionNumber"] == "2"
    assert sf.ContentVersion.get(version_id)["IsLatest"] is False
    assert sf.ContentDocument.get(document_id)["LatestPublishedVersionId"] == second_id

    with pytest.raises(SalesforceMalformedRequest) as not_createable:
        sf.ContentDocument.create({"Title": "x"})
    assert not_createable.value.content[0]["errorCode"] == "INVALID_TYPE_FOR_OPERATION"

    sf.ContentDocument.delete(document_id)
    assert sf.query(f"SELECT COUNT() FROM ContentVersion WHERE ContentDocumentId = '{document_id}'")["totalSize"] == 0


def test_attaching_a_file_to_an_email(sf: Salesforce, sf_sandbox: OrgSandbox) -> None:
    email_id, _ = _log_email(sf, sf_sandbox)
    assert sf.EmailMessage.get(email_id)["HasAttachment"] is False
    sf.ContentVersion.create(
        {
            "PathOnClient": "quote.pdf",
            "VersionData": base64.b64encode(b"%PDF-1.4").decode(),
            "FirstPublishLocationId": email_id,
        }
    )
    assert sf.EmailMessage.get(email_id)["HasAttachment"] is True

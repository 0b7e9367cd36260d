"""Files: ContentVersion creates or revises a ContentDocument; ContentDocumentLink shares it with records.

Creating a ContentVersion without ContentDocumentId creates its ContentDocument, linked to the owner and, with
FirstPublishLocationId, to that record. With ContentDocumentId it becomes the document's new latest version.
The file's bytes are kept aside and served at ``.../sobjects/ContentVersion/{id}/VersionData``.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from app.sandbox.salesforce import exceptions as errors
from app.sandbox.salesforce.exceptions import record_error
from app.sandbox.salesforce.hooks import Behaviour, WriteContext
from app.sandbox.salesforce.schema import OBJECTS
from app.sandbox.salesforce.sharing import Caller, can_edit
from app.sandbox.salesforce.versions import LATEST_VERSION

if TYPE_CHECKING:
    from app.sandbox.salesforce.models import SalesforceOrg

BLOBS = "blobs"
_FILE_TYPES = {
    "pdf": "PDF",
    "txt": "TEXT",
    "csv": "CSV",
    "html": "HTML",
    "htm": "HTML",
    "doc": "WORD",
    "docx": "WORD_X",
    "xls": "EXCEL",
    "xlsx": "EXCEL_X",
    "ppt": "POWER_POINT",
    "pptx": "POWER_POINT_X",
    "png": "PNG",
    "jpg": "JPG",
    "jpeg": "JPEG",
    "gif": "GIF",
    "zip": "ZIP",
    "eml": "EML",
    "msg": "MSG",
}


def version_data(org: SalesforceOrg, version_id: str) -> bytes | None:
    """The stored bytes of a ContentVersion."""
    data = org.store.side(BLOBS).get(version_id)
    return data if isinstance(data, bytes) else None


class ContentVersionBehaviour(Behaviour):
    """ContentVersion: file facts, the document it belongs to, its version number."""

    def before_save(self, ctx: WriteContext) -> None:
        """Compute size, checksum, type and title; attach to an existing document or reserve a new one."""
        if not ctx.creating:
            return
        row = ctx.row
        data = base64.b64decode(str(row["VersionData"]))
        path = PurePosixPath(str(row["PathOnClient"]).replace("\\", "/"))
        extension = path.suffix.lstrip(".").lower()
        row.update(
            {
                "ContentSize": len(data),
                "Checksum": hashlib.md5(data, usedforsecurity=False).hexdigest(),
                "FileExtension": extension or None,
                "FileType": _FILE_TYPES.get(extension, "UNKNOWN"),
                "Title": row.get("Title") or path.stem or path.name,
                "IsLatest": True,
                "ContentModifiedDate": ctx.org.stamp(),
                "VersionData": f"/services/data/v{LATEST_VERSION}/sobjects/ContentVersion/{row['Id']}/VersionData",
            }
        )
        document_id = row.get("ContentDocumentId")
        if document_id:
            document = ctx.org.live(document_id)
            if document is None or not can_edit(ctx.org, ctx.caller, "ContentDocument", document[1]):
                raise record_error(
                    errors.INSUFFICIENT_ACCESS_OR_READONLY,
                    "insufficient access rights on object id",
                    ["ContentDocumentId"],
                )
            versions = [v for v in ctx.org.rows("ContentVersion") if v["ContentDocumentId"] == document_id]
            row["VersionNumber"] = str(len(versions) + 1)
        else:
            row["ContentDocumentId"] = ctx.org.ids.for_object("ContentDocument")
            row["VersionNumber"] = "1"
        ctx.org.store.set_side(BLOBS, row["Id"], data)

    def after_save(self, ctx: WriteContext) -> None:
        """Create the new document and its links, or make this the document's latest version."""
        if not ctx.creating:
            return
        org, row = ctx.org, ctx.row
        document = org.find(row["ContentDocumentId"])
        facts = {
            "Title": row["Title"],
            "LatestPublishedVersionId": row["Id"],
            "FileType": row["FileType"],
            "FileExtension": row["FileExtension"],
            "ContentSize": row["ContentSize"],
            "ContentModifiedDate": row["ContentModifiedDate"],
        }
        if document is None:
            _create_document(org, ctx.caller, row, facts)
            return
        for version in list(org.rows("ContentVersion")):
            same_document = version["ContentDocumentId"] == row["ContentDocumentId"]
            if same_document and version["Id"] != row["Id"] and version.get("IsLatest"):
                org.store.put("ContentVersion", {**version, "IsLatest": False})
        org.system_update(row["ContentDocumentId"], facts, ctx.caller)


def _create_document(org: SalesforceOrg, caller: Caller, version: Mapping[str, Any], facts: Mapping[str, Any]) -> None:
    stamp = org.stamp()
    document: dict[str, Any] = {f.name: None for f in OBJECTS["ContentDocument"].iter_fields()}
    document.update(facts)
    document.update(
        {
            "Id": version["ContentDocumentId"],
            "OwnerId": version["OwnerId"],
            "IsDeleted": False,
            "CreatedDate": stamp,
            "CreatedById": caller.user_id,
            "LastModifiedDate": stamp,
            "LastModifiedById": caller.user_id,
            "SystemModstamp": stamp,
        }
    )
    org.store.put("ContentDocument", document)
    link_definition = OBJECTS["ContentDocumentLink"]
    org.insert(
        link_definition,
        {"ContentDocumentId": document["Id"], "LinkedEntityId": version["OwnerId"], "ShareType": "I"},
        caller,
        check_references=False,
    )
    location = version.get("FirstPublishLocationId")
    if location and location != version["OwnerId"]:
        org.insert(
            link_definition,
            {"ContentDocumentId": document["Id"], "LinkedEntityId": location, "ShareType": "V"},
            caller,
            check_references=False,
        )


class ContentDocumentBehaviour(Behaviour):
    """ContentDocument: a title change is the latest version's title too."""

    def after_save(self, ctx: WriteContext) -> None:
        """Copy a new Title to the latest version."""
        if ctx.creating or "Title" not in ctx.values:
            return
        latest = ctx.org.live(ctx.row.get("LatestPublishedVersionId"))
        if latest is not None and latest[1].get("Title") != ctx.row["Title"]:
            ctx.org.store.put(
                "ContentVersion", {**latest[1], "Title": ctx.row["Title"], "SystemModstamp": ctx.org.stamp()}
            )


class ContentDocumentLinkBehaviour(Behaviour):
    """ContentDocumentLink: one link per document and record; an email with a file has an attachment."""

    def before_save(self, ctx: WriteContext) -> None:
        """Refuse a second link between the same document and record."""
        if not ctx.creating:
            return
        for link in ctx.org.rows("ContentDocumentLink"):
            if (
                not link.get("IsDeleted")
                and link["ContentDocumentId"] == ctx.row["ContentDocumentId"]
                and link["LinkedEntityId"] == ctx.row["LinkedEntityId"]
            ):
                raise record_error(
                    errors.DUPLICATE_VALUE,
                    f"Document with ID: {ctx.row['ContentDocumentId']} is already linked with the entity with ID: "
                    f"{ctx.row['LinkedEntityId']}",
                    ["LinkedEntityId"],
                )

    def after_save(self, ctx: WriteContext) -> None:
        """Flag the email message a file is linked to."""
        linked = ctx.org.live(ctx.row.get("LinkedEntityId"))
        if ctx.creating and linked is not None and linked[0] == "EmailMessage" and not linked[1].get("HasAttachment"):
            ctx.org.store.put("EmailMessage", {**linked[1], "HasAttachment": True, "SystemModstamp": ctx.org.stamp()})

"""EmailMessage and EmailMessageRelation as Salesforce saves them (Enhanced Email).

- Once an email is not a draft (Status "5"), only IsExternallyVisible changes, and Status may only go from New
  ("0") to Read ("1").
- A relation points at a contact, lead or user (RelationId) and/or an address (RelationAddress); the address
  defaults to the related record's email, and RelationObjectType to its type.
"""

from __future__ import annotations

from app.sandbox.salesforce import exceptions as errors
from app.sandbox.salesforce.exceptions import record_error
from app.sandbox.salesforce.hooks import Behaviour, WriteContext
from app.sandbox.salesforce.ids import object_for_id
from app.sandbox.salesforce.schema import EMAIL_DRAFT_STATUS

_ALWAYS_UPDATEABLE = frozenset({"IsExternallyVisible"})
_NEW, _READ = "0", "1"


class EmailMessageBehaviour(Behaviour):
    """EmailMessage: the draft-only update rule."""

    def before_save(self, ctx: WriteContext) -> None:
        """Refuse changes to a sent or received email other than those Salesforce allows."""
        if ctx.old is None or ctx.old.get("Status") == EMAIL_DRAFT_STATUS:
            return
        for name in ctx.values:
            if name in _ALWAYS_UPDATEABLE or not ctx.changed(name):
                continue
            if name == "Status" and ctx.old.get("Status") == _NEW and ctx.row.get("Status") == _READ:
                continue
            raise record_error(
                errors.FIELD_INTEGRITY_EXCEPTION,
                f"{name}: you can only change this field on an email message in Draft status",
                [name],
            )


class EmailMessageRelationBehaviour(Behaviour):
    """EmailMessageRelation: the address and object type of the related person."""

    def before_save(self, ctx: WriteContext) -> None:
        """Default RelationAddress from the related record; derive RelationObjectType."""
        row = ctx.row
        relation_id = row.get("RelationId")
        if not relation_id and not row.get("RelationAddress"):
            raise record_error(
                errors.REQUIRED_FIELD_MISSING, "Required fields are missing: [RelationAddress]", ["RelationAddress"]
            )
        row["RelationObjectType"] = object_for_id(relation_id) if relation_id else None
        if relation_id and not row.get("RelationAddress"):
            related = ctx.org.live(relation_id)
            if related is not None:
                row["RelationAddress"] = related[1].get("Email")

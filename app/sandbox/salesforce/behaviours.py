"""Which save logic each sObject has, and the logic of the simple ones (names, stages, case numbers)."""

from __future__ import annotations

from functools import cache

from app.sandbox.salesforce.hooks import Behaviour, WriteContext
from app.sandbox.salesforce.schema import STAGE_PROPERTIES


class PersonName(Behaviour):
    """Contact, Lead and User: the compound Name is FirstName and LastName."""

    def before_save(self, ctx: WriteContext) -> None:
        """Recompute Name."""
        parts = [ctx.row.get("FirstName"), ctx.row.get("LastName")]
        ctx.row["Name"] = " ".join(part for part in parts if part)


class UserBehaviour(PersonName):
    """User: the name, and a nickname defaulted from the username."""

    def before_save(self, ctx: WriteContext) -> None:
        """Recompute Name; default CommunityNickname."""
        super().before_save(ctx)
        if not ctx.row.get("CommunityNickname"):
            ctx.row["CommunityNickname"] = str(ctx.row.get("Username") or "").split("@", 1)[0] or None


class OpportunityBehaviour(Behaviour):
    """Opportunity: probability, closed and won follow the stage (the default sales process)."""

    def before_save(self, ctx: WriteContext) -> None:
        """Derive Probability (unless given), IsClosed, IsWon and ExpectedRevenue."""
        stage = ctx.row.get("StageName")
        probability, closed, won = STAGE_PROPERTIES.get(str(stage), (None, False, False))
        if probability is not None and "Probability" not in ctx.values and ctx.changed("StageName"):
            ctx.row["Probability"] = float(probability)
        ctx.row["IsClosed"] = closed
        ctx.row["IsWon"] = won
        amount, chance = ctx.row.get("Amount"), ctx.row.get("Probability")
        ctx.row["ExpectedRevenue"] = None if amount is None or chance is None else amount * chance / 100


class CaseBehaviour(Behaviour):
    """Case: an auto-numbered CaseNumber; IsClosed and ClosedDate follow the status."""

    def before_save(self, ctx: WriteContext) -> None:
        """Number new cases; derive IsClosed and ClosedDate."""
        if ctx.creating and not ctx.row.get("CaseNumber"):
            ctx.row["CaseNumber"] = ctx.org.next_case_number()
        closed = ctx.row.get("Status") == "Closed"
        if closed and not ctx.row.get("IsClosed"):
            ctx.row["ClosedDate"] = ctx.org.stamp()
        if not closed:
            ctx.row["ClosedDate"] = None
        ctx.row["IsClosed"] = closed


@cache
def _registry() -> dict[str, Behaviour]:
    from app.sandbox.salesforce.activities import EventBehaviour, EventRelationBehaviour, TaskBehaviour
    from app.sandbox.salesforce.content import (
        ContentDocumentBehaviour,
        ContentDocumentLinkBehaviour,
        ContentVersionBehaviour,
    )
    from app.sandbox.salesforce.email_messages import EmailMessageBehaviour, EmailMessageRelationBehaviour

    names = PersonName()
    return {
        "Contact": names,
        "Lead": names,
        "User": UserBehaviour(),
        "Opportunity": OpportunityBehaviour(),
        "Case": CaseBehaviour(),
        "Event": EventBehaviour(),
        "EventRelation": EventRelationBehaviour(),
        "Task": TaskBehaviour(),
        "EmailMessage": EmailMessageBehaviour(),
        "EmailMessageRelation": EmailMessageRelationBehaviour(),
        "ContentVersion": ContentVersionBehaviour(),
        "ContentDocument": ContentDocumentBehaviour(),
        "ContentDocumentLink": ContentDocumentLinkBehaviour(),
    }


_DEFAULT = Behaviour()


def behaviour_for(sobject: str) -> Behaviour:
    """The save logic of ``sobject`` (a no-op for objects without any)."""
    return _registry().get(sobject, _DEFAULT)

"""What the sidebar sends and receives: an email as Office.js (or Gmail) reads it, the lookup's matches, and the
outcome of logging. The same shapes serve the Outlook add-in now and the Gmail add-on later."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from app.connectors.salesforce.mapping import is_salesforce_id, normalise_address

#: At most this many addresses of one email are looked up and related (a mail to a big list is cut).
MAX_ADDRESSES = 100
#: Bodies longer than this are refused before anything else (Salesforce keeps at most 131,072 characters).
MAX_BODY_CHARACTERS = 1_000_000


def _address(value: str) -> str:
    normalised = normalise_address(value)
    if normalised is None:
        raise ValueError("not an email address")
    return normalised


def _salesforce_id(value: str) -> str:
    if not is_salesforce_id(value):
        raise ValueError("not a Salesforce record id")
    return value


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("needs a time zone (for example 2026-11-20T09:30:00Z)")
    return value.astimezone(UTC)


Address = Annotated[str, Field(max_length=320), AfterValidator(_address)]
SalesforceId = Annotated[str, Field(min_length=15, max_length=18), AfterValidator(_salesforce_id)]
InternetMessageId = Annotated[str, Field(min_length=3, max_length=998)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Mailbox(_In):
    """One address of an email, with its display name."""

    address: Address
    name: str | None = Field(default=None, max_length=320)


class EmailHeaders(_In):
    """The people of an email, which is all a lookup needs."""

    internet_message_id: InternetMessageId | None = Field(
        default=None, description="The RFC 5322 Message-ID; absent while composing."
    )
    sender: Mailbox | None = Field(default=None, alias="from", description="Absent while composing.")
    to: list[Mailbox] = Field(default_factory=list, max_length=500)
    cc: list[Mailbox] = Field(default_factory=list, max_length=500)

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, populate_by_name=True)


class AttachmentInfo(_In):
    """An attachment of the email, as the mail client describes it (its content travels separately)."""

    name: str = Field(min_length=1, max_length=255)
    size: int = Field(ge=0, description="Size in bytes, as the mail client reports it.")
    content_type: str | None = Field(default=None, max_length=255)
    is_inline: bool = False


class EmailToLog(EmailHeaders):
    """A received or sent email with its bodies."""

    internet_message_id: InternetMessageId
    sender: Mailbox = Field(alias="from")
    subject: str = Field(default="", max_length=10_000)
    date: datetime
    text_body: str = Field(default="", max_length=MAX_BODY_CHARACTERS)
    html_body: str | None = Field(default=None, max_length=MAX_BODY_CHARACTERS)
    attachments: list[AttachmentInfo] = Field(default_factory=list, max_length=250)

    @field_validator("date")
    @classmethod
    def _date_is_aware(cls, value: datetime) -> datetime:
        return _aware(value)


class LogRequest(_In):
    """Log an email: the people to relate it to, the one record it is related to, and whether to keep its files."""

    email: EmailToLog
    relate_ids: list[SalesforceId] = Field(
        default_factory=list, max_length=MAX_ADDRESSES, description="Contacts and Leads of the email to relate."
    )
    related_to_id: SalesforceId | None = Field(default=None, description="An Account, Opportunity or Case.")
    include_attachments: bool = False


class AttachmentUpload(_In):
    """One attachment's content, for an email this rep has logged."""

    internet_message_id: InternetMessageId
    name: str = Field(min_length=1, max_length=255)
    content_type: str | None = Field(default=None, max_length=255)
    content_base64: str = Field(description="The file's bytes, base64-encoded.")


class NewPerson(_In):
    """A Contact or Lead to create for an address the org does not know."""

    kind: Literal["contact", "lead"]
    email: Address
    first_name: str | None = Field(default=None, max_length=40)
    last_name: str = Field(min_length=1, max_length=80)
    company: str | None = Field(
        default=None, max_length=255, description="Chooses the Account (Contact) or is the Lead's Company."
    )


# --- answers --------------------------------------------------------------------------------------------------


class RecordLink(BaseModel):
    """A Salesforce record and where to open it."""

    object: str
    id: str
    name: str | None = None
    url: str


class PersonMatch(RecordLink):
    """A Contact or Lead that has one of the email's addresses."""

    email: str
    title: str | None = None
    account: RecordLink | None = None
    company: str | None = None


class EmailPerson(BaseModel):
    """One address of the email, and who it is in Salesforce."""

    address: str
    name: str | None = None
    roles: list[Literal["from", "to", "cc"]]
    matches: list[PersonMatch]


class OpportunityLink(RecordLink):
    """An open Opportunity of a matched Account."""

    stage: str | None = None
    close_date: str | None = None


class CaseLink(RecordLink):
    """An open Case of a matched Account."""

    number: str | None = None
    status: str | None = None


class AccountMatch(RecordLink):
    """The Account of a matched Contact, with its open Opportunities and Cases."""

    opportunities: list[OpportunityLink]
    cases: list[CaseLink]


class LoggedState(BaseModel):
    """Where an email was logged already."""

    record: RecordLink | None = Field(description="None when a colleague logged it to a record you cannot see.")
    by_you: bool
    visible: bool
    related_to_id: str | None = None


class LookupResult(BaseModel):
    """Who an email's people are in Salesforce, and whether the email was logged."""

    enhanced_email: bool
    people: list[EmailPerson]
    unknown: list[str] = Field(description="Addresses no Contact or Lead has.")
    accounts: list[AccountMatch]
    logged: LoggedState | None
    truncated: bool = Field(default=False, description="True when only the first addresses were looked up.")


class AttachmentOutcome(BaseModel):
    """What happened, or is to happen, to one attachment."""

    name: str
    status: Literal["upload", "attached", "already_attached", "skipped", "failed"]
    note: str | None = None


class LogResult(BaseModel):
    """The outcome of logging."""

    outcome: Literal["created", "added_to_existing", "already_logged"]
    record: RecordLink
    relations_added: int
    attachments: list[AttachmentOutcome]
    notes: list[str]


class RelatedRecords(BaseModel):
    """Records an email can be related to, found by name."""

    accounts: list[RecordLink]
    opportunities: list[OpportunityLink]
    cases: list[CaseLink]


class AccountChoice(BaseModel):
    """The Account the Company rule picks (None: no Account)."""

    company: str
    account: RecordLink | None
    rule: Literal["exact", "unique_substring", "none"]


class CreatedPerson(BaseModel):
    """A Contact or Lead created from the sidebar."""

    person: PersonMatch
    account_rule: Literal["exact", "unique_substring", "none", "not_applicable"]

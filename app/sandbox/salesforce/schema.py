"""The sandbox org's sObjects: fields with their describe properties, relationships and key prefixes.

Field lists follow Salesforce's Object Reference for the standard objects crmbridge uses (a subset of each
object's fields; see COVERAGE.md). A field is required on create when it is createable, not nillable and not
defaulted on create, which is how describe expresses "required".
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from app.sandbox.salesforce.ids import KEY_PREFIXES

#: How a record's visibility is decided: by its owner and the org-wide default, by a parent record, by who
#: created it, or always visible.
SharingKind = Literal["owner", "parent", "creator", "public"]

# Describe types the query engine knows; the others are mapped onto them for queries.
_ENGINE_TYPES = {"combobox": "string", "base64": "string", "encryptedstring": "string"}
_SOAP_TYPES = {
    "id": "tns:ID",
    "reference": "tns:ID",
    "boolean": "xsd:boolean",
    "int": "xsd:int",
    "double": "xsd:double",
    "currency": "xsd:double",
    "percent": "xsd:double",
    "date": "xsd:date",
    "datetime": "xsd:dateTime",
    "base64": "xsd:base64Binary",
}


@dataclass(frozen=True)
class PicklistValue:
    """One picklist entry."""

    value: str
    label: str
    default: bool = False


@dataclass(frozen=True)
class FieldDef:
    """One field of an sObject, with the properties describe reports."""

    name: str
    type: str
    label: str
    length: int = 0
    nillable: bool = True
    createable: bool = True
    updateable: bool = True
    defaulted_on_create: bool = False
    #: Value given on create when the caller sends none (picklist defaults, false for booleans).
    default: Any = None
    picklist: tuple[PicklistValue, ...] = ()
    restricted: bool = False
    reference_to: tuple[str, ...] = ()
    relationship_name: str | None = None
    #: Child relationship names this reference creates on its targets: target -> relationship name.
    children: Mapping[str, str] = field(default_factory=dict)
    #: Whether deleting the parent deletes the record (Recycle Bin semantics, undeleted together).
    cascade_delete: bool = False
    external_id: bool = False
    unique: bool = False
    name_field: bool = False
    custom: bool = False
    auto_number: bool = False
    calculated: bool = False
    precision: int = 0
    scale: int = 0
    digits: int = 0

    @property
    def required_on_create(self) -> bool:
        """Whether a create must supply a value."""
        return self.createable and not self.nillable and not self.defaulted_on_create

    @property
    def engine_type(self) -> str:
        """The type the query engine compares values as."""
        return _ENGINE_TYPES.get(self.type, self.type)

    @property
    def soap_type(self) -> str:
        """The describe ``soapType``."""
        return _SOAP_TYPES.get(self.type, "xsd:string")

    @property
    def picklist_values(self) -> frozenset[str]:
        """The allowed values of a picklist."""
        return frozenset(entry.value for entry in self.picklist)

    @property
    def is_text(self) -> bool:
        """Whether values are strings with a maximum length."""
        return self.type in {"string", "textarea", "email", "phone", "url", "picklist", "combobox", "multipicklist"}


@dataclass(frozen=True)
class ChildRelationshipDef:
    """A parent-to-child relationship as describe and subqueries see it."""

    name: str
    child_object: str
    field: str
    cascade_delete: bool


@dataclass(frozen=True)
class ObjectDef:
    """One sObject."""

    name: str
    label: str
    label_plural: str
    fields: Mapping[str, FieldDef]  # by lower-case name, in describe order
    sharing: SharingKind = "owner"
    #: For ``sharing == "parent"``: the reference field whose record decides visibility.
    sharing_parent_field: str | None = None
    createable: bool = True
    updateable: bool = True
    deletable: bool = True
    undeletable: bool = True
    replicateable: bool = True
    searchable: bool = True
    #: Org feature the object needs ("enhanced_email"); absent from the org when the feature is off.
    feature: str | None = None

    @property
    def key_prefix(self) -> str:
        """The three-character id prefix."""
        return KEY_PREFIXES[self.name]

    def field(self, name: str) -> FieldDef | None:
        """A field by case-insensitive name."""
        return self.fields.get(name.lower())

    def iter_fields(self) -> Iterator[FieldDef]:
        """Every field in describe order."""
        return iter(self.fields.values())

    @property
    def name_field(self) -> FieldDef | None:
        """The field describe flags as the name field."""
        return next((f for f in self.fields.values() if f.name_field), None)

    @property
    def owned(self) -> bool:
        """Whether records have an OwnerId."""
        return "ownerid" in self.fields


# ----------------------------------------------------------------------------------------------------------------
# Field builders


def _picklist(
    *values: str, default: str | None = None, labels: Mapping[str, str] | None = None
) -> tuple[PicklistValue, ...]:
    labels = labels or {}
    return tuple(PicklistValue(v, labels.get(v, v), v == default) for v in values)


def text(name: str, label: str, length: int, **options: Any) -> FieldDef:
    """A string field."""
    return FieldDef(name, options.pop("type", "string"), label, length, **options)


def required(name: str, label: str, length: int, **options: Any) -> FieldDef:
    """A string field a create must supply."""
    return text(name, label, length, nillable=False, **options)


def readonly(name: str, type_: str, label: str, length: int = 0, **options: Any) -> FieldDef:
    """A field the API computes."""
    return FieldDef(name, type_, label, length, createable=False, updateable=False, **options)


def boolean(name: str, label: str, default: bool = False, **options: Any) -> FieldDef:
    """A checkbox: never null, false unless given."""
    return FieldDef(name, "boolean", label, nillable=False, defaulted_on_create=True, default=default, **options)


def picklist(name: str, label: str, values: tuple[PicklistValue, ...], **options: Any) -> FieldDef:
    """A picklist (length 255 unless given)."""
    default = next((v.value for v in values if v.default), None)
    if default is not None:
        options.setdefault("defaulted_on_create", True)
        options.setdefault("default", default)
    return FieldDef(
        name, options.pop("type", "picklist"), label, options.pop("length", 255), picklist=values, **options
    )


def reference(name: str, label: str, targets: tuple[str, ...], relationship: str, **options: Any) -> FieldDef:
    """A lookup to one or several objects."""
    return FieldDef(name, "reference", label, 18, reference_to=targets, relationship_name=relationship, **options)


def other(name: str, type_: str, label: str, **options: Any) -> FieldDef:
    """A field of a non-text type (date, datetime, int, double, currency, percent, base64)."""
    return FieldDef(name, type_, label, **options)


def _system_fields(*, owner: bool, audit: bool = True) -> list[FieldDef]:
    fields = []
    if owner:
        fields.append(reference("OwnerId", "Owner ID", ("User",), "Owner", nillable=False, defaulted_on_create=True))
    fields.append(boolean("IsDeleted", "Deleted", createable=False, updateable=False))
    if audit:
        fields += [
            readonly("CreatedDate", "datetime", "Created Date", nillable=False, defaulted_on_create=True),
            readonly(
                "CreatedById",
                "reference",
                "Created By ID",
                18,
                reference_to=("User",),
                relationship_name="CreatedBy",
                nillable=False,
                defaulted_on_create=True,
            ),
            readonly("LastModifiedDate", "datetime", "Last Modified Date", nillable=False, defaulted_on_create=True),
            readonly(
                "LastModifiedById",
                "reference",
                "Last Modified By ID",
                18,
                reference_to=("User",),
                relationship_name="LastModifiedBy",
                nillable=False,
                defaulted_on_create=True,
            ),
        ]
    fields.append(readonly("SystemModstamp", "datetime", "System Modstamp", nillable=False, defaulted_on_create=True))
    return fields


def _object(name: str, label: str, plural: str, fields: list[FieldDef], **options: Any) -> ObjectDef:
    id_field = readonly("Id", "id", f"{label} ID", 18, nillable=False, defaulted_on_create=True)
    ordered = {f.name.lower(): f for f in [id_field, *fields]}
    return ObjectDef(name, label, plural, ordered, **options)


_LEAD_SOURCES = _picklist("Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other")
_SALUTATIONS = _picklist("Mr.", "Ms.", "Mrs.", "Dr.", "Prof.", "Mx.")
_INDUSTRIES = _picklist(
    "Agriculture",
    "Banking",
    "Biotechnology",
    "Chemicals",
    "Communications",
    "Construction",
    "Consulting",
    "Education",
    "Electronics",
    "Energy",
    "Engineering",
    "Entertainment",
    "Finance",
    "Government",
    "Healthcare",
    "Hospitality",
    "Insurance",
    "Manufacturing",
    "Media",
    "Retail",
    "Technology",
    "Telecommunications",
    "Transportation",
    "Utilities",
    "Other",
)
_RATINGS = _picklist("Hot", "Warm", "Cold")
_ACTIVITY_SUBJECTS = _picklist("Call", "Email", "Meeting", "Send Letter/Quote", "Other")
_WHO = ("Contact", "Lead")
_WHAT = ("Account", "Opportunity", "Case")
_LINKABLE = ("User", "Account", "Contact", "Lead", "Opportunity", "Case", "EmailMessage")
_PROFILE_TYPES = _picklist("Standard", "PowerPartner", "CsnOnly", "Guest")


def _address(prefix: str, label: str, *, street: str = "Street") -> list[FieldDef]:
    return [
        text(f"{prefix}{street}", f"{label} Street".strip(), 255, type="textarea"),
        text(f"{prefix}City", f"{label} City".strip(), 40),
        text(f"{prefix}State", f"{label} State/Province".strip(), 80),
        text(f"{prefix}PostalCode", f"{label} Zip/Postal Code".strip(), 20),
        text(f"{prefix}Country", f"{label} Country".strip(), 80),
    ]


def _children(targets: tuple[str, ...], relationship: str) -> dict[str, str]:
    return dict.fromkeys(targets, relationship)


PROFILE = _object(
    "Profile",
    "Profile",
    "Profiles",
    [
        readonly("Name", "string", "Name", 255, nillable=False, name_field=True),
        readonly("UserType", "picklist", "User Type", 40, picklist=_PROFILE_TYPES),
        readonly("Description", "string", "Description", 255),
        *_system_fields(owner=False),
    ],
    sharing="public",
    createable=False,
    updateable=False,
    deletable=False,
    undeletable=False,
    searchable=False,
)

USER = _object(
    "User",
    "User",
    "Users",
    [
        required("Username", "Username", 80, unique=True),
        required("LastName", "Last Name", 80),
        text("FirstName", "First Name", 40),
        readonly("Name", "string", "Full Name", 121, nillable=False, name_field=True),
        text("CompanyName", "Company Name", 80),
        text("Department", "Department", 80),
        text("Title", "Title", 80),
        text("City", "City", 40),
        text("Country", "Country", 80),
        required("Email", "Email", 128, type="email"),
        text("Phone", "Phone", 40, type="phone"),
        text("MobilePhone", "Mobile", 40, type="phone"),
        required("Alias", "Alias", 8),
        text("CommunityNickname", "Nickname", 40, nillable=False, defaulted_on_create=True),
        boolean("IsActive", "Active", default=True),
        picklist(
            "TimeZoneSidKey",
            "Time Zone",
            _picklist(
                "America/Los_Angeles",
                "America/New_York",
                "Europe/London",
                "Europe/Paris",
                "Europe/Berlin",
                "Asia/Tokyo",
                "Asia/Kolkata",
                "Australia/Sydney",
                "GMT",
            ),
            length=40,
            nillable=False,
        ),
        picklist(
            "LocaleSidKey",
            "Locale",
            _picklist("en_US", "en_GB", "fr_FR", "de_DE", "es_ES", "ja_JP"),
            length=40,
            nillable=False,
        ),
        picklist("EmailEncodingKey", "Email Encoding", _picklist("UTF-8", "ISO-8859-1"), length=40, nillable=False),
        picklist(
            "LanguageLocaleKey", "Language", _picklist("en_US", "fr", "de", "es", "ja"), length=40, nillable=False
        ),
        reference("ProfileId", "Profile ID", ("Profile",), "Profile", nillable=False),
        reference("ManagerId", "Manager ID", ("User",), "Manager"),
        readonly(
            "UserType",
            "picklist",
            "User Type",
            40,
            picklist=_PROFILE_TYPES,
            default="Standard",
            defaulted_on_create=True,
        ),
        *_system_fields(owner=False),
    ],
    sharing="public",
    deletable=False,
    undeletable=False,
)

ACCOUNT = _object(
    "Account",
    "Account",
    "Accounts",
    [
        required("Name", "Account Name", 255, name_field=True),
        picklist(
            "Type",
            "Account Type",
            _picklist(
                "Prospect",
                "Customer - Direct",
                "Customer - Channel",
                "Channel Partner / Reseller",
                "Installation Partner",
                "Technology Partner",
                "Other",
            ),
        ),
        reference("ParentId", "Parent Account ID", ("Account",), "Parent", children={"Account": "ChildAccounts"}),
        *_address("Billing", "Billing"),
        *_address("Shipping", "Shipping"),
        text("Phone", "Account Phone", 40, type="phone"),
        text("Fax", "Account Fax", 40, type="phone"),
        text("AccountNumber", "Account Number", 40),
        text("Website", "Website", 255, type="url"),
        picklist("Industry", "Industry", _INDUSTRIES),
        other("AnnualRevenue", "currency", "Annual Revenue", precision=18, scale=0),
        other("NumberOfEmployees", "int", "Employees", digits=8),
        picklist("Rating", "Account Rating", _RATINGS),
        text("Site", "Account Site", 80),
        text("Description", "Account Description", 32000, type="textarea"),
        *_system_fields(owner=True),
    ],
)

CONTACT = _object(
    "Contact",
    "Contact",
    "Contacts",
    [
        reference(
            "AccountId", "Account ID", ("Account",), "Account", children={"Account": "Contacts"}, cascade_delete=True
        ),
        required("LastName", "Last Name", 80),
        text("FirstName", "First Name", 40),
        picklist("Salutation", "Salutation", _SALUTATIONS, length=40),
        readonly("Name", "string", "Full Name", 121, nillable=False, name_field=True),
        *_address("Mailing", "Mailing"),
        text("Phone", "Business Phone", 40, type="phone"),
        text("Fax", "Business Fax", 40, type="phone"),
        text("MobilePhone", "Mobile Phone", 40, type="phone"),
        text("HomePhone", "Home Phone", 40, type="phone"),
        text("OtherPhone", "Other Phone", 40, type="phone"),
        reference("ReportsToId", "Reports To ID", ("Contact",), "ReportsTo"),
        text("Email", "Email", 80, type="email"),
        text("Title", "Title", 128),
        text("Department", "Department", 80),
        text("AssistantName", "Assistant's Name", 40),
        text("AssistantPhone", "Asst. Phone", 40, type="phone"),
        picklist("LeadSource", "Lead Source", _LEAD_SOURCES),
        other("Birthdate", "date", "Birthdate"),
        text("Description", "Contact Description", 32000, type="textarea"),
        boolean("HasOptedOutOfEmail", "Email Opt Out"),
        boolean("DoNotCall", "Do Not Call"),
        readonly("LastActivityDate", "date", "Last Activity"),
        text("crmbridge_Id__c", "crmbridge Id", 255, external_id=True, unique=True, custom=True),
        *_system_fields(owner=True),
    ],
)

LEAD = _object(
    "Lead",
    "Lead",
    "Leads",
    [
        required("LastName", "Last Name", 80),
        text("FirstName", "First Name", 40),
        picklist("Salutation", "Salutation", _SALUTATIONS, length=40),
        readonly("Name", "string", "Full Name", 121, nillable=False, name_field=True),
        text("Title", "Title", 128),
        required("Company", "Company", 255),
        *_address("", "", street="Street"),
        text("Phone", "Phone", 40, type="phone"),
        text("MobilePhone", "Mobile Phone", 40, type="phone"),
        text("Fax", "Fax", 40, type="phone"),
        text("Email", "Email", 80, type="email"),
        text("Website", "Website", 255, type="url"),
        text("Description", "Description", 32000, type="textarea"),
        picklist("LeadSource", "Lead Source", _LEAD_SOURCES),
        picklist(
            "Status",
            "Status",
            _picklist(
                "Open - Not Contacted",
                "Working - Contacted",
                "Closed - Converted",
                "Closed - Not Converted",
                default="Open - Not Contacted",
            ),
            length=40,
            nillable=False,
        ),
        picklist("Industry", "Industry", _INDUSTRIES),
        picklist("Rating", "Rating", _RATINGS),
        other("AnnualRevenue", "currency", "Annual Revenue", precision=18, scale=0),
        other("NumberOfEmployees", "int", "Employees", digits=8),
        boolean("HasOptedOutOfEmail", "Email Opt Out"),
        boolean("DoNotCall", "Do Not Call"),
        boolean("IsConverted", "Converted", createable=False, updateable=False),
        readonly("ConvertedDate", "date", "Converted Date"),
        readonly(
            "ConvertedAccountId",
            "reference",
            "Converted Account ID",
            18,
            reference_to=("Account",),
            relationship_name="ConvertedAccount",
        ),
        readonly(
            "ConvertedContactId",
            "reference",
            "Converted Contact ID",
            18,
            reference_to=("Contact",),
            relationship_name="ConvertedContact",
        ),
        readonly(
            "ConvertedOpportunityId",
            "reference",
            "Converted Opportunity ID",
            18,
            reference_to=("Opportunity",),
            relationship_name="ConvertedOpportunity",
        ),
        *_system_fields(owner=True),
    ],
)
_STAGES = _picklist(
    "Prospecting",
    "Qualification",
    "Needs Analysis",
    "Value Proposition",
    "Id. Decision Makers",
    "Perception Analysis",
    "Proposal/Price Quote",
    "Negotiation/Review",
    "Closed Won",
    "Closed Lost",
)
#: Stage -> (probability, closed, won), as the default sales process defines them.
STAGE_PROPERTIES: Mapping[str, tuple[int, bool, bool]] = {
    "Prospecting": (10, False, False),
    "Qualification": (10, False, False),
    "Needs Analysis": (20, False, False),
    "Value Proposition": (50, False, False),
    "Id. Decision Makers": (60, False, False),
    "Perception Analysis": (70, False, False),
    "Proposal/Price Quote": (75, False, False),
    "Negotiation/Review": (90, False, False),
    "Closed Won": (100, True, True),
    "Closed Lost": (0, True, False),
}

OPPORTUNITY = _object(
    "Opportunity",
    "Opportunity",
    "Opportunities",
    [
        reference(
            "AccountId",
            "Account ID",
            ("Account",),
            "Account",
            children={"Account": "Opportunities"},
            cascade_delete=True,
        ),
        required("Name", "Name", 120, name_field=True),
        text("Description", "Description", 32000, type="textarea"),
        picklist("StageName", "Stage", _STAGES, nillable=False),
        other("Amount", "currency", "Amount", precision=18, scale=2),
        other("Probability", "percent", "Probability (%)", precision=3, scale=0),
        readonly("ExpectedRevenue", "currency", "Expected Amount", precision=18, scale=2, calculated=True),
        other("CloseDate", "date", "Close Date", nillable=False),
        picklist(
            "Type",
            "Opportunity Type",
            _picklist(
                "Existing Customer - Upgrade",
                "Existing Customer - Replacement",
                "Existing Customer - Downgrade",
                "New Customer",
            ),
        ),
        text("NextStep", "Next Step", 255),
        picklist("LeadSource", "Lead Source", _LEAD_SOURCES),
        boolean("IsClosed", "Closed", createable=False, updateable=False),
        boolean("IsWon", "Won", createable=False, updateable=False),
        *_system_fields(owner=True),
    ],
)

CASE = _object(
    "Case",
    "Case",
    "Cases",
    [
        readonly(
            "CaseNumber",
            "string",
            "Case Number",
            30,
            nillable=False,
            name_field=True,
            auto_number=True,
            defaulted_on_create=True,
        ),
        reference("ContactId", "Contact ID", ("Contact",), "Contact", children={"Contact": "Cases"}),
        reference("AccountId", "Account ID", ("Account",), "Account", children={"Account": "Cases"}),
        text("SuppliedName", "Name", 80),
        text("SuppliedEmail", "Email Address", 80, type="email"),
        text("SuppliedPhone", "Phone", 40),
        text("SuppliedCompany", "Company", 80),
        picklist("Type", "Case Type", _picklist("Mechanical", "Electrical", "Electronic", "Structural", "Other")),
        picklist("Status", "Status", _picklist("New", "Working", "Escalated", "Closed", default="New"), length=40),
        picklist(
            "Reason",
            "Case Reason",
            _picklist(
                "Installation",
                "Equipment Complexity",
                "Performance",
                "Breakdown",
                "Equipment Design",
                "Feedback",
                "Other",
            ),
        ),
        picklist("Origin", "Case Origin", _picklist("Phone", "Email", "Web"), length=40),
        text("Subject", "Subject", 255),
        picklist("Priority", "Priority", _picklist("High", "Medium", "Low", default="Medium"), length=40),
        text("Description", "Description", 32000, type="textarea"),
        boolean("IsClosed", "Closed", createable=False, updateable=False),
        readonly("ClosedDate", "datetime", "Closed Date"),
        boolean("IsEscalated", "Escalated"),
        *_system_fields(owner=True),
    ],
)

_RECURRENCE_VERSIONS = _picklist("1", "2")

EVENT = _object(
    "Event",
    "Event",
    "Events",
    [
        reference("WhoId", "Name ID", _WHO, "Who", children=_children(_WHO, "Events"), cascade_delete=True),
        reference("WhatId", "Related To ID", _WHAT, "What", children=_children(_WHAT, "Events"), cascade_delete=True),
        text("Subject", "Subject", 255, type="combobox", picklist=_ACTIVITY_SUBJECTS),
        text("Location", "Location", 255),
        boolean("IsAllDayEvent", "All-Day Event"),
        other("ActivityDateTime", "datetime", "Due Date Time"),
        other("ActivityDate", "date", "Due Date Only"),
        other("DurationInMinutes", "int", "Duration", digits=8),
        other("StartDateTime", "datetime", "Start Date Time"),
        other("EndDateTime", "datetime", "End Date Time"),
        readonly("EndDate", "date", "End Date"),
        text("Description", "Description", 32000, type="textarea"),
        readonly("AccountId", "reference", "Account ID", 18, reference_to=("Account",), relationship_name="Account"),
        boolean("IsPrivate", "Private"),
        picklist(
            "ShowAs",
            "Show Time As",
            _picklist("Busy", "OutOfOffice", "Free", default="Busy", labels={"OutOfOffice": "Out of Office"}),
            length=40,
            restricted=True,
        ),
        picklist("Type", "Type", _picklist("Call", "Email", "Meeting", "Other"), length=40),
        boolean("IsChild", "Is Child", createable=False, updateable=False),
        boolean("IsGroupEvent", "Group Event", createable=False, updateable=False),
        picklist(
            "GroupEventType",
            "Group Event Type",
            _picklist("0", "1", "2"),
            length=40,
            createable=False,
            updateable=False,
        ),
        picklist(
            "EventSubtype",
            "Event Subtype",
            _picklist("Event", default="Event"),
            length=40,
            updateable=False,
            restricted=True,
        ),
        boolean("IsReminderSet", "Reminder Set"),
        other("ReminderDateTime", "datetime", "Reminder Date/Time"),
        boolean("IsRecurrence2", "Event Series", updateable=False),
        boolean("IsRecurrence2Exclusion", "Historical Event Series", createable=False, updateable=False),
        boolean("IsRecurrence2Exception", "Event Series Exception", createable=False, updateable=False),
        text("Recurrence2PatternText", "Recurrence Pattern", 1024, type="textarea"),
        picklist(
            "Recurrence2PatternVersion",
            "Recurrence Pattern Version",
            _RECURRENCE_VERSIONS,
            length=40,
            createable=False,
            updateable=False,
        ),
        readonly("Recurrence2PatternStartDate", "datetime", "Recurrence Pattern Start Date"),
        text("Recurrence2PatternTimeZone", "Recurrence Pattern Time Zone Reference", 255),
        *_system_fields(owner=True),
    ],
)

EVENT_RELATION = _object(
    "EventRelation",
    "Event Relation",
    "Event Relations",
    [
        reference(
            "EventId",
            "Event ID",
            ("Event",),
            "Event",
            nillable=False,
            updateable=False,
            children={"Event": "EventRelations"},
            cascade_delete=True,
        ),
        reference(
            "RelationId",
            "Relation ID",
            ("Contact", "Lead", "User", "Account", "Opportunity", "Case"),
            "Relation",
            nillable=False,
            updateable=False,
        ),
        boolean("IsInvitee", "Is Invitee", default=True),
        boolean("IsParent", "Is Parent"),
        boolean("IsWhat", "Is What", updateable=False),
        picklist("Status", "Status", _picklist("New", "Declined", "Accepted", default="New"), length=40),
        other("RespondedDate", "datetime", "Response Date"),
        text("Response", "Response", 255),
        readonly("AccountId", "reference", "Account ID", 18, reference_to=("Account",), relationship_name="Account"),
        *_system_fields(owner=False),
    ],
    sharing="parent",
    sharing_parent_field="EventId",
    undeletable=False,
    searchable=False,
)

_TASK_STATUSES = _picklist(
    "Not Started", "In Progress", "Completed", "Waiting on someone else", "Deferred", default="Not Started"
)
CLOSED_TASK_STATUSES = frozenset({"Completed"})

TASK = _object(
    "Task",
    "Task",
    "Tasks",
    [
        reference("WhoId", "Name ID", _WHO, "Who", children=_children(_WHO, "Tasks"), cascade_delete=True),
        reference("WhatId", "Related To ID", _WHAT, "What", children=_children(_WHAT, "Tasks"), cascade_delete=True),
        text("Subject", "Subject", 255, type="combobox", picklist=_ACTIVITY_SUBJECTS),
        other("ActivityDate", "date", "Due Date Only"),
        picklist("Status", "Status", _TASK_STATUSES, length=40, nillable=False),
        picklist(
            "Priority", "Priority", _picklist("High", "Normal", "Low", default="Normal"), length=40, nillable=False
        ),
        boolean("IsHighPriority", "High Priority", createable=False, updateable=False),
        text("Description", "Comments", 32000, type="textarea"),
        picklist("Type", "Type", _picklist("Call", "Email", "Meeting", "Other"), length=40),
        boolean("IsClosed", "Closed", createable=False, updateable=False),
        readonly("AccountId", "reference", "Account ID", 18, reference_to=("Account",), relationship_name="Account"),
        boolean("IsReminderSet", "Reminder Set"),
        other("ReminderDateTime", "datetime", "Reminder Date/Time"),
        other("CallDurationInSeconds", "int", "Call Duration", digits=8),
        picklist("CallType", "Call Type", _picklist("Internal", "Inbound", "Outbound"), length=40),
        text("CallDisposition", "Call Result", 255),
        picklist(
            "TaskSubtype",
            "Task Subtype",
            _picklist("Task", "Email", "ListEmail", "Cadence", "Call", "LinkedIn"),
            length=40,
            updateable=False,
            restricted=True,
        ),
        readonly("CompletedDateTime", "datetime", "Completed Date/Time"),
        *_system_fields(owner=True),
    ],
)

#: EmailMessage.Status codes (Object Reference): the stored value is the digit.
EMAIL_STATUS_LABELS: Mapping[str, str] = {
    "0": "New",
    "1": "Read",
    "2": "Replied",
    "3": "Sent",
    "4": "Forwarded",
    "5": "Draft",
}
EMAIL_DRAFT_STATUS = "5"
_EMAIL_RELATED = ("Account", "Contact", "Lead", "Opportunity", "Case")

EMAIL_MESSAGE = _object(
    "EmailMessage",
    "Email Message",
    "Email Messages",
    [
        text("Subject", "Subject", 3000),
        text("TextBody", "Text Body", 131072, type="textarea"),
        text("HtmlBody", "HTML Body", 131072, type="textarea"),
        text("Headers", "Headers", 131072, type="textarea"),
        text("FromAddress", "From Address", 1000, type="email"),
        text("FromName", "From Name", 1000),
        text("ToAddress", "To Address", 4000),
        text("CcAddress", "CC Address", 4000),
        text("BccAddress", "BCC Address", 4000),
        other("MessageDate", "datetime", "Message Date"),
        text("MessageIdentifier", "Message ID", 998),
        text("ThreadIdentifier", "Thread ID", 998),
        boolean("Incoming", "Is Incoming", updateable=False),
        picklist(
            "Status",
            "Status",
            tuple(PicklistValue(code, label) for code, label in EMAIL_STATUS_LABELS.items()),
            length=40,
            nillable=False,
            restricted=True,
        ),
        boolean("HasAttachment", "Has Attachment", createable=False, updateable=False),
        boolean("IsExternallyVisible", "Is Externally Visible"),
        reference(
            "RelatedToId",
            "Related To ID",
            _EMAIL_RELATED,
            "RelatedTo",
            children={"Account": "Emails", "Opportunity": "Emails", "Case": "Emails"},
        ),
        reference(
            "ParentId",
            "Case ID",
            ("Case",),
            "Parent",
            updateable=False,
            children={"Case": "EmailMessages"},
            cascade_delete=True,
        ),
        reference("ActivityId", "Activity ID", ("Task",), "Activity", updateable=False),
        reference(
            "ReplyToEmailMessageId", "Email Message ID", ("EmailMessage",), "ReplyToEmailMessage", updateable=False
        ),
        *_system_fields(owner=False),
    ],
    sharing="creator",
    feature="enhanced_email",
)

EMAIL_MESSAGE_RELATION = _object(
    "EmailMessageRelation",
    "Email Message Relation",
    "Email Message Relations",
    [
        reference(
            "EmailMessageId",
            "Email Message ID",
            ("EmailMessage",),
            "EmailMessage",
            nillable=False,
            updateable=False,
            children={"EmailMessage": "EmailMessageRelations"},
            cascade_delete=True,
        ),
        reference("RelationId", "Relation ID", ("Contact", "Lead", "User"), "Relation"),
        text("RelationAddress", "Relation Address", 1000, updateable=False),
        readonly("RelationObjectType", "string", "Relation Object Type", 40),
        picklist(
            "RelationType",
            "Relation Type",
            _picklist("ToAddress", "CcAddress", "BccAddress", "FromAddress"),
            length=40,
            nillable=False,
            restricted=True,
            updateable=False,
        ),
        *_system_fields(owner=False),
    ],
    sharing="parent",
    sharing_parent_field="EmailMessageId",
    undeletable=False,
    searchable=False,
    feature="enhanced_email",
)

CONTENT_DOCUMENT = _object(
    "ContentDocument",
    "Content Document",
    "Content Documents",
    [
        text("Title", "Title", 255, nillable=False, createable=False, name_field=True),
        text("Description", "Description", 1000, type="textarea", createable=False),
        readonly(
            "LatestPublishedVersionId",
            "reference",
            "Latest Published Version ID",
            18,
            reference_to=("ContentVersion",),
            relationship_name="LatestPublishedVersion",
        ),
        readonly("FileType", "string", "File Type", 20),
        readonly("FileExtension", "string", "File Extension", 40),
        readonly("ContentSize", "int", "Size", digits=10),
        readonly("ContentModifiedDate", "datetime", "Content Modified Date"),
        *_system_fields(owner=True),
    ],
    createable=False,
)

CONTENT_VERSION = _object(
    "ContentVersion",
    "Content Version",
    "Content Versions",
    [
        reference(
            "ContentDocumentId",
            "ContentDocument ID",
            ("ContentDocument",),
            "ContentDocument",
            updateable=False,
            defaulted_on_create=True,
            children={"ContentDocument": "ContentVersions"},
            cascade_delete=True,
        ),
        text("Title", "Title", 255, nillable=False, defaulted_on_create=True, name_field=True),
        text("Description", "Description", 1000, type="textarea"),
        required("PathOnClient", "Path On Client", 500, updateable=False),
        other("VersionData", "base64", "Version Data", nillable=False, updateable=False),
        reference(
            "FirstPublishLocationId", "First Publish Location ID", _LINKABLE, "FirstPublishLocation", updateable=False
        ),
        text("ReasonForChange", "Reason For Change", 1000),
        boolean("IsLatest", "Is Latest", default=True, createable=False, updateable=False),
        readonly("VersionNumber", "string", "Version Number", 20),
        readonly("ContentSize", "int", "Size", digits=10),
        readonly("FileType", "string", "File Type", 20),
        readonly("FileExtension", "string", "File Extension", 40),
        readonly("Checksum", "string", "Checksum", 50),
        readonly("ContentModifiedDate", "datetime", "Content Modified Date"),
        *_system_fields(owner=True),
    ],
    sharing="parent",
    sharing_parent_field="ContentDocumentId",
    deletable=False,
    undeletable=False,
)

CONTENT_DOCUMENT_LINK = _object(
    "ContentDocumentLink",
    "Content Document Link",
    "Content Document Links",
    [
        reference(
            "ContentDocumentId",
            "ContentDocument ID",
            ("ContentDocument",),
            "ContentDocument",
            nillable=False,
            updateable=False,
            children={"ContentDocument": "ContentDocumentLinks"},
            cascade_delete=True,
        ),
        reference(
            "LinkedEntityId",
            "Linked Entity ID",
            _LINKABLE,
            "LinkedEntity",
            nillable=False,
            updateable=False,
            children=_children(_LINKABLE, "ContentDocumentLinks"),
            cascade_delete=True,
        ),
        picklist(
            "ShareType",
            "Share Type",
            _picklist("V", "C", "I", default="V", labels={"V": "Viewer", "C": "Collaborator", "I": "Inferred"}),
            length=40,
            nillable=False,
            restricted=True,
        ),
        picklist(
            "Visibility",
            "Visibility",
            _picklist("AllUsers", "InternalUsers", "SharedUsers", default="AllUsers"),
            length=40,
            nillable=False,
            restricted=True,
        ),
        *_system_fields(owner=False, audit=False),
    ],
    sharing="parent",
    sharing_parent_field="ContentDocumentId",
    undeletable=False,
    replicateable=False,
    searchable=False,
)

#: Every sObject of the org, by name, in global describe order.
OBJECTS: Mapping[str, ObjectDef] = {
    definition.name: definition
    for definition in (
        ACCOUNT,
        CASE,
        CONTACT,
        CONTENT_DOCUMENT,
        CONTENT_DOCUMENT_LINK,
        CONTENT_VERSION,
        EMAIL_MESSAGE,
        EMAIL_MESSAGE_RELATION,
        EVENT,
        EVENT_RELATION,
        LEAD,
        OPPORTUNITY,
        PROFILE,
        TASK,
        USER,
    )
}
_BY_LOWER = {name.lower(): definition for name, definition in OBJECTS.items()}


def lookup_object(name: str) -> ObjectDef | None:
    """An sObject by case-insensitive name (regardless of org features)."""
    return _BY_LOWER.get(name.lower())


def _build_child_relationships() -> Mapping[str, tuple[ChildRelationshipDef, ...]]:
    relationships: dict[str, list[ChildRelationshipDef]] = {name: [] for name in OBJECTS}
    for child in OBJECTS.values():
        for field_def in child.iter_fields():
            for target, name in field_def.children.items():
                relationships[target].append(
                    ChildRelationshipDef(name, child.name, field_def.name, field_def.cascade_delete)
                )
    return {name: tuple(sorted(items, key=lambda r: r.name)) for name, items in relationships.items()}


#: Child relationships per parent sObject.
CHILD_RELATIONSHIPS: Mapping[str, tuple[ChildRelationshipDef, ...]] = _build_child_relationships()


def child_relationship(parent: str, name: str) -> ChildRelationshipDef | None:
    """A child relationship of ``parent`` by case-insensitive name."""
    return next((r for r in CHILD_RELATIONSHIPS.get(parent, ()) if r.name.lower() == name.lower()), None)


def cascade_children(parent: str) -> tuple[ChildRelationshipDef, ...]:
    """The relationships whose child records go to the Recycle Bin with a record of ``parent``."""
    return tuple(r for r in CHILD_RELATIONSHIPS.get(parent, ()) if r.cascade_delete)

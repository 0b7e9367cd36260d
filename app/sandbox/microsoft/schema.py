"""The Graph resource types the emulator serves: their properties in the order Graph writes them, and defaults.

Property lists follow the v1.0 resource pages (contact, event, todoTask, todoTaskList, message, fileAttachment,
contactFolder, calendar, mailFolder, outlookCategory, user). Computed properties (ids, change keys, timestamps) are
listed so that ``$select`` and ``$filter`` know them; the renderer fills them in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

#: Complex types whose members the sandbox checks in request bodies (Graph rejects unknown members).
COMPLEX_MEMBERS: dict[str, frozenset[str]] = {
    "emailAddress": frozenset({"name", "address"}),
    "physicalAddress": frozenset({"street", "city", "state", "countryOrRegion", "postalCode"}),
    "itemBody": frozenset({"contentType", "content"}),
}


@dataclass(frozen=True)
class ResourceType:
    """One Graph entity type as the sandbox serves it."""

    #: The OData type (``microsoft.graph.contact``).
    odata_type: str
    #: The name Outlook uses in its error messages (``Microsoft.OutlookServices.Contact``).
    error_name: str
    #: Every structural property with its default, in serving order (computed ones default to None here).
    defaults: Mapping[str, Any]
    #: Properties a client may not write (they are ignored on POST and PATCH, as Graph does).
    read_only: frozenset[str] = frozenset()
    #: Navigation properties a body may carry on create (extended properties, attachments).
    navigation: frozenset[str] = frozenset()
    #: Properties omitted from the representation while unset (To Do's optional date-times).
    omit_when_null: frozenset[str] = frozenset()
    #: Body members holding complex values whose members are checked: property -> complex type name.
    complex_props: Mapping[str, str] = field(default_factory=dict)

    def knows(self, name: str) -> bool:
        """Whether ``name`` is a property (structural or navigation) of this type."""
        return name in self.defaults or name in self.navigation or name == "id"


_EXTENDED = frozenset({"singleValueExtendedProperties", "multiValueExtendedProperties", "extensions"})
_STAMPS = frozenset({"id", "createdDateTime", "lastModifiedDateTime", "changeKey", "parentFolderId"})

CONTACT = ResourceType(
    odata_type="microsoft.graph.contact",
    error_name="Microsoft.OutlookServices.Contact",
    defaults={
        "createdDateTime": None,
        "lastModifiedDateTime": None,
        "changeKey": None,
        "categories": [],
        "parentFolderId": None,
        "birthday": None,
        "fileAs": "",
        "displayName": "",
        "givenName": None,
        "initials": None,
        "middleName": None,
        "nickName": None,
        "surname": None,
        "title": None,
        "yomiGivenName": None,
        "yomiSurname": None,
        "yomiCompanyName": None,
        "generation": None,
        "imAddresses": [],
        "jobTitle": None,
        "companyName": None,
        "department": None,
        "officeLocation": None,
        "profession": None,
        "businessHomePage": None,
        "assistantName": None,
        "manager": None,
        "homePhones": [],
        "mobilePhone": None,
        "businessPhones": [],
        "spouseName": "",
        "personalNotes": "",
        "children": [],
        "emailAddresses": [],
        "homeAddress": {},
        "businessAddress": {},
        "otherAddress": {},
    },
    read_only=_STAMPS,
    navigation=_EXTENDED | {"photo"},
    complex_props={
        "emailAddresses": "emailAddress",
        "homeAddress": "physicalAddress",
        "businessAddress": "physicalAddress",
        "otherAddress": "physicalAddress",
    },
)

EVENT = ResourceType(
    odata_type="microsoft.graph.event",
    error_name="Microsoft.OutlookServices.Event",
    defaults={
        "createdDateTime": None,
        "lastModifiedDateTime": None,
        "changeKey": None,
        "categories": [],
        "transactionId": None,
        "originalStartTimeZone": None,
        "originalEndTimeZone": None,
        "iCalUId": None,
        "reminderMinutesBeforeStart": 15,
        "isReminderOn": True,
        "hasAttachments": False,
        "subject": "",
        "bodyPreview": "",
        "importance": "normal",
        "sensitivity": "normal",
        "isAllDay": False,
        "isCancelled": False,
        "isOrganizer": True,
        "responseRequested": True,
        "seriesMasterId": None,
        "showAs": "busy",
        "type": "singleInstance",
        "webLink": None,
        "onlineMeetingUrl": None,
        "isOnlineMeeting": False,
        "onlineMeetingProvider": "unknown",
        "allowNewTimeProposals": True,
        "isDraft": False,
        "hideAttendees": False,
        "originalStart": None,
        "responseStatus": {"response": "organizer", "time": "0001-01-01T00:00:00Z"},
        "body": {"contentType": "html", "content": ""},
        "start": None,
        "end": None,
        "location": {
            "displayName": "",
            "locationType": "default",
            "uniqueIdType": "unknown",
            "address": {},
            "coordinates": {},
        },
        "locations": [],
        "recurrence": None,
        "attendees": [],
        "organizer": None,
        "onlineMeeting": None,
    },
    read_only=_STAMPS
    | {
        "originalStartTimeZone",
        "originalEndTimeZone",
        "iCalUId",
        "seriesMasterId",
        "type",
        "webLink",
        "bodyPreview",
        "isOrganizer",
        "hasAttachments",
        "originalStart",
        "isDraft",
        "onlineMeetingUrl",
        "onlineMeeting",
        "responseStatus",
    },
    navigation=_EXTENDED | {"attachments", "instances", "calendar"},
    omit_when_null=frozenset({"originalStart"}),
    complex_props={"body": "itemBody"},
)

TASK = ResourceType(
    odata_type="microsoft.graph.todoTask",
    error_name="microsoft.graph.todoTask",
    defaults={
        "importance": "normal",
        "isReminderOn": False,
        "status": "notStarted",
        "title": "",
        "createdDateTime": None,
        "lastModifiedDateTime": None,
        "hasAttachments": False,
        "categories": [],
        "body": {"content": "", "contentType": "text"},
        "bodyLastModifiedDateTime": None,
        "dueDateTime": None,
        "startDateTime": None,
        "reminderDateTime": None,
        "completedDateTime": None,
        "recurrence": None,
    },
    read_only=frozenset(
        {"id", "createdDateTime", "lastModifiedDateTime", "bodyLastModifiedDateTime", "hasAttachments"}
    ),
    navigation=frozenset({"extensions", "linkedResources", "checklistItems", "attachments"}),
    omit_when_null=frozenset({"dueDateTime", "startDateTime", "reminderDateTime", "completedDateTime", "recurrence"}),
    complex_props={"body": "itemBody"},
)

TASK_LIST = ResourceType(
    odata_type="microsoft.graph.todoTaskList",
    error_name="microsoft.graph.todoTaskList",
    defaults={"displayName": "", "isOwner": True, "isShared": False, "wellknownListName": "none"},
    read_only=frozenset({"id", "isOwner", "isShared", "wellknownListName"}),
    navigation=frozenset({"tasks", "extensions"}),
)

MESSAGE = ResourceType(
    odata_type="microsoft.graph.message",
    error_name="Microsoft.OutlookServices.Message",
    defaults={
        "createdDateTime": None,
        "lastModifiedDateTime": None,
        "changeKey": None,
        "categories": [],
        "receivedDateTime": None,
        "sentDateTime": None,
        "hasAttachments": False,
        "internetMessageId": None,
        "subject": "",
        "bodyPreview": "",
        "importance": "normal",
        "parentFolderId": None,
        "conversationId": None,
        "conversationIndex": None,
        "isDeliveryReceiptRequested": False,
        "isReadReceiptRequested": False,
        "isRead": True,
        "isDraft": False,
        "webLink": None,
        "inferenceClassification": "focused",
        "body": {"contentType": "html", "content": ""},
        "sender": None,
        "from": None,
        "toRecipients": [],
        "ccRecipients": [],
        "bccRecipients": [],
        "replyTo": [],
        "flag": {"flagStatus": "notFlagged"},
    },
    read_only=_STAMPS | {"receivedDateTime", "sentDateTime", "hasAttachments", "bodyPreview", "conversationId"},
    navigation=_EXTENDED | {"attachments"},
    complex_props={"body": "itemBody"},
)

FILE_ATTACHMENT = ResourceType(
    odata_type="microsoft.graph.fileAttachment",
    error_name="Microsoft.OutlookServices.FileAttachment",
    defaults={
        "lastModifiedDateTime": None,
        "name": None,
        "contentType": None,
        "size": 0,
        "isInline": False,
        "contentId": None,
        "contentLocation": None,
        "contentBytes": None,
    },
    read_only=frozenset({"id", "lastModifiedDateTime", "size"}),
)

CONTACT_FOLDER = ResourceType(
    odata_type="microsoft.graph.contactFolder",
    error_name="Microsoft.OutlookServices.ContactFolder",
    defaults={"displayName": "", "parentFolderId": None},
    read_only=frozenset({"id"}),
    navigation=_EXTENDED | {"childFolders", "contacts"},
)

CALENDAR = ResourceType(
    odata_type="microsoft.graph.calendar",
    error_name="Microsoft.OutlookServices.Calendar",
    defaults={
        "name": "",
        "color": "auto",
        "hexColor": "",
        "isDefaultCalendar": False,
        "changeKey": None,
        "canShare": True,
        "canViewPrivateItems": True,
        "canEdit": True,
        "allowedOnlineMeetingProviders": ["teamsForBusiness"],
        "defaultOnlineMeetingProvider": "teamsForBusiness",
        "isTallyingResponses": True,
        "isRemovable": True,
        "owner": None,
    },
    read_only=frozenset(
        {"id", "changeKey", "isDefaultCalendar", "canShare", "canViewPrivateItems", "canEdit", "owner"}
    ),
    navigation=_EXTENDED | {"events", "calendarView"},
)

MAIL_FOLDER = ResourceType(
    odata_type="microsoft.graph.mailFolder",
    error_name="Microsoft.OutlookServices.MailFolder",
    defaults={
        "displayName": "",
        "parentFolderId": None,
        "childFolderCount": 0,
        "unreadItemCount": 0,
        "totalItemCount": 0,
        "isHidden": False,
    },
    read_only=frozenset({"id", "childFolderCount", "unreadItemCount", "totalItemCount"}),
    navigation=_EXTENDED | {"messages", "childFolders"},
)

CATEGORY = ResourceType(
    odata_type="microsoft.graph.outlookCategory",
    error_name="Microsoft.OutlookServices.OutlookCategory",
    defaults={"displayName": "", "color": "none"},
    read_only=frozenset({"id"}),
)

USER = ResourceType(
    odata_type="microsoft.graph.user",
    error_name="microsoft.graph.user",
    defaults={
        "businessPhones": [],
        "displayName": None,
        "givenName": None,
        "jobTitle": None,
        "mail": None,
        "mobilePhone": None,
        "officeLocation": None,
        "preferredLanguage": "en-US",
        "surname": None,
        "userPrincipalName": None,
    },
    read_only=frozenset({"id"}),
)

#: The color constants of ``outlookCategory.color`` ("none" and preset0..preset24).
CATEGORY_COLORS = frozenset({"none", *(f"preset{n}" for n in range(25))})

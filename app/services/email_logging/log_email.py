"""Logging an email to Salesforce, once, whoever logs it, and never half.

The order of writes (DESIGN principle 2: write remote, then record):

1. One composite call reads what is already there: the EmailMessage with this MessageIdentifier (and its
   relations and files) as the rep's sharing shows it, the email's Contacts and Leads (to check the people the
   rep chose and give each relation its type), and the org's describes when they are not cached.
2. A new email is written by one composite call with ``allOrNone``: the EmailMessage and each of its
   EmailMessageRelation rows as separate subrequests, so a refused relation rolls the EmailMessage back too and
   no EmailMessage ever stands without its relations. (Over 24 relations, the rest follow in a second call;
   the ones that fail are reported and the next attempt adds them.) An email logged before gains only the
   relations it lacks, in one all-or-none collection call.
3. The rep's ``logged_emails`` row is written last, in the request's transaction.

Retrying is safe at every point: step 1 finds what an earlier attempt wrote, and only what is missing is added.
Attachments are uploaded afterwards, one request each (:func:`attach_file`), and are checked against the files
already linked, so a retry never doubles a file.

Two reps logging the same email at the same moment in one server process are serialised by a lock on the
internet message id; across processes a short race remains (see the README).

When Enhanced Email is off (the describe does not list EmailMessage), the email becomes a completed Task with
TaskSubtype "Email", related to one person (the org cannot relate more). Without a MessageIdentifier on Task,
crmbridge's own ``logged_emails`` rows are what keeps a second rep from logging it twice.

If a colleague logged the email to an EmailMessage this rep cannot see (sharing), the rep's MessageIdentifier
query finds nothing while ``logged_emails`` says it exists: crmbridge refuses rather than create a second
EmailMessage, and says who can help.
"""

from __future__ import annotations

import base64
import binascii
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select

from app.connectors.salesforce.client import MAX_SUBREQUESTS, Subrequest, SubResult, raise_for_result
from app.connectors.salesforce.mapping import (
    RELATED_TO_OBJECTS,
    ROLE_RELATION_TYPES,
    EmailContent,
    MailAddress,
    OrgProfile,
    PersonRecord,
    RelationType,
    Role,
    child_records,
    contacts_by_email_query,
    content_version_fields,
    email_message_fields,
    email_task_fields,
    files_of_record_query,
    files_of_record_reference_query,
    leads_by_email_query,
    logged_email_query,
    object_of,
    person_records,
    query_records,
    relation_record,
    visible_task_query,
)
from app.errors import Conflict, InvalidInput
from app.models import LoggedEmail
from app.services.email_logging.context import DESCRIBE_SUBREQUESTS, LoggingContext, profile_from_results
from app.services.email_logging.lookup import email_people
from app.services.email_logging.schemas import (
    MAX_ADDRESSES,
    AttachmentInfo,
    AttachmentOutcome,
    AttachmentUpload,
    EmailToLog,
    LogRequest,
    LogResult,
    Mailbox,
)

CONTACTS, LEADS, EXISTING, EXISTING_FILES, TASK = "contacts", "leads", "existing", "existingFiles", "loggedTask"
EMAIL_REFERENCE = "email"
#: The EmailMessage and this many relations are written in one all-or-none composite call.
ATOMIC_RELATIONS = MAX_SUBREQUESTS - 1

_LOCKS = tuple(threading.Lock() for _ in range(64))


def _lock_for(internet_message_id: str) -> threading.Lock:
    return _LOCKS[hash(internet_message_id) % len(_LOCKS)]


@dataclass(frozen=True)
class _Relation:
    relation_id: str
    relation_type: RelationType
    address: str


@dataclass(frozen=True)
class _Prelude:
    profile: OrgProfile
    results: Mapping[str, SubResult]
    chosen: list[PersonRecord]
    rows: list[LoggedEmail]


def log_email(ctx: LoggingContext, request: LogRequest) -> LogResult:
    """Log ``request.email`` to Salesforce as the rep (see the module's docstring for the guarantees)."""
    with _lock_for(request.email.internet_message_id):
        prelude = _prelude(ctx, request)
        if prelude.profile.enhanced_email:
            result = _log_email_message(ctx, request, prelude)
        else:
            result = _log_task(ctx, request, prelude)
        _record(ctx, request, result.record.object, result.record.id)
        return result


def _content(ctx: LoggingContext, email: EmailToLog) -> EmailContent:
    def mailbox(item: Mailbox) -> MailAddress:
        return MailAddress(item.address, item.name)

    return EmailContent(
        internet_message_id=email.internet_message_id,
        subject=email.subject,
        sender=mailbox(email.sender),
        to=tuple(mailbox(item) for item in email.to),
        cc=tuple(mailbox(item) for item in email.cc),
        date=email.date,
        text_body=email.text_body,
        html_body=email.html_body,
        sent_by_rep=email.sender.address == ctx.rep_address,
    )


def _logged_rows(ctx: LoggingContext, internet_message_id: str) -> list[LoggedEmail]:
    statement = (
        select(LoggedEmail)
        .where(col(LoggedEmail.internet_message_id) == internet_message_id)
        .order_by(col(LoggedEmail.created_at), col(LoggedEmail.id))
    )
    return list(ctx.db.exec(statement))


def _same_id(first: str, second: str) -> bool:
    # 18-character ids are the 15-character (case-sensitive) id plus a checksum.
    return first[:15] == second[:15]


def _prelude(ctx: LoggingContext, request: LogRequest) -> _Prelude:
    email = request.email
    if request.related_to_id and object_of(request.related_to_id) not in RELATED_TO_OBJECTS:
        raise InvalidInput("An email can be related to an Account, an Opportunity or a Case only.")
    addresses = list(email_people(email, ctx.rep_address))[:MAX_ADDRESSES]
    rows = _logged_rows(ctx, email.internet_message_id)
    task_row = next((row for row in rows if row.salesforce_object == "Task"), None)
    ctx.checkpoint()
    profile = ctx.cached_profile()
    subrequests: list[Subrequest] = [] if profile else list(DESCRIBE_SUBREQUESTS)
    if request.relate_ids and addresses:
        subrequests += [
            Subrequest.query(CONTACTS, contacts_by_email_query(addresses)),
            Subrequest.query(LEADS, leads_by_email_query(addresses)),
        ]
    if profile is None or profile.enhanced_email:
        subrequests.append(Subrequest.query(EXISTING, logged_email_query(email.internet_message_id)))
        if request.include_attachments and email.attachments:
            reference = "@{" + EXISTING + ".records[0].Id}"
            subrequests.append(
                Subrequest.query(EXISTING_FILES, files_of_record_reference_query(reference), with_references=True)
            )
    if task_row is not None and (profile is None or not profile.enhanced_email):
        subrequests.append(Subrequest.query(TASK, visible_task_query(task_row.salesforce_id)))
    results: Mapping[str, SubResult] = ctx.salesforce.call(
        lambda client: client.composite(subrequests, all_or_none=False)
    )
    if profile is None:
        profile = profile_from_results(results)
        ctx.remember_profile(profile)
    for reference in (CONTACTS, LEADS):
        if reference in results:
            raise_for_result(results[reference])
    if profile.enhanced_email:
        raise_for_result(results[EXISTING])
    people = person_records(_records(results, CONTACTS), _records(results, LEADS))
    chosen = [person for person in people if any(_same_id(person.id, wanted) for wanted in request.relate_ids)]
    unmatched = [wanted for wanted in request.relate_ids if not any(_same_id(p.id, wanted) for p in chosen)]
    if unmatched:
        raise InvalidInput(
            "Some of the chosen people are not among this email's Contacts and Leads in Salesforce (or you cannot "
            f"see them): {', '.join(unmatched)}. Reload the sidebar and choose again."
        )
    return _Prelude(profile, results, chosen, rows)


def _records(results: Mapping[str, SubResult], reference: str) -> list[dict[str, object]]:
    result = results.get(reference)
    return query_records(result.body) if result is not None and result.ok else []


def _desired_relations(ctx: LoggingContext, email: EmailToLog, chosen: Sequence[PersonRecord]) -> list[_Relation]:
    """One relation per chosen person and role, plus the rep's own Salesforce user in their role."""
    roles = email_people(email, ctx.rep_address)
    relations: list[_Relation] = []
    for person in chosen:
        entry = roles.get(person.email.lower())
        for role in entry.roles if entry else []:
            relations.append(_Relation(person.id, ROLE_RELATION_TYPES[role], person.email.lower()))
    rep_id = ctx.salesforce.salesforce_user_id
    if object_of(rep_id) == "User":
        rep_roles: list[Role] = []
        if email.sender.address == ctx.rep_address:
            rep_roles.append("from")
        rep_roles += ["to"] if any(item.address == ctx.rep_address for item in email.to) else []
        rep_roles += ["cc"] if any(item.address == ctx.rep_address for item in email.cc) else []
        relations += [_Relation(rep_id, ROLE_RELATION_TYPES[role], ctx.rep_address) for role in rep_roles]
    return relations


def _log_email_message(ctx: LoggingContext, request: LogRequest, prelude: _Prelude) -> LogResult:
    email = request.email
    desired = _desired_relations(ctx, email, prelude.chosen)
    found = _records(prelude.results, EXISTING)
    notes: list[str] = []
    if found:
        existing = found[0]
        email_id = str(existing["Id"])
        have = {
            (str(row["RelationId"])[:15], str(row["RelationType"]))
            for row in child_records(existing, "EmailMessageRelations")
        }
        missing = [rel for rel in desired if (rel.relation_id[:15], rel.relation_type) not in have]
        if missing:
            records = [relation_record(email_id, rel.relation_id, rel.relation_type, rel.address) for rel in missing]
            saved = ctx.salesforce.call(lambda client: client.create_records(records, all_or_none=True))
            _raise_for_save_results(saved)
        related = existing.get("RelatedToId")
        if request.related_to_id and (not related or not _same_id(str(related), request.related_to_id)):
            notes.append(
                "This email was logged before and its related record cannot change once it is logged; your people "
                "were added to it."
            )
        files = _existing_files(prelude.results)
        return LogResult(
            outcome="added_to_existing" if missing else "already_logged",
            record=ctx.link("EmailMessage", email_id, email.subject or None),
            relations_added=len(missing),
            attachments=_attachment_plan(ctx, request, files),
            notes=notes,
        )
    if any(row.user_id != ctx.user_id and row.salesforce_object == "EmailMessage" for row in prelude.rows):
        raise Conflict(
            "A colleague already logged this email to Salesforce, to a record your Salesforce sharing does not let "
            "you see, so it was not logged again. Ask your Salesforce administrator for access to it."
        )
    email_id, failed = _create_email_message(ctx, request, desired, prelude.profile)
    if failed:
        notes.append(f"{failed} of the people could not be related to the email; log it again to retry adding them.")
    return LogResult(
        outcome="created",
        record=ctx.link("EmailMessage", email_id, email.subject or None),
        relations_added=len(desired) - failed,
        attachments=_attachment_plan(ctx, request, {}),
        notes=notes,
    )


def _create_email_message(
    ctx: LoggingContext, request: LogRequest, relations: Sequence[_Relation], profile: OrgProfile
) -> tuple[str, int]:
    """Write the EmailMessage with its relations all-or-none; returns its id and how many extra relations failed."""
    content = _content(ctx, request.email)
    fields = email_message_fields(content, profile.email_lengths, request.related_to_id)
    first, rest = list(relations[:ATOMIC_RELATIONS]), list(relations[ATOMIC_RELATIONS:])
    reference = "@{" + EMAIL_REFERENCE + ".id}"
    subrequests = [Subrequest(EMAIL_REFERENCE, "POST", "sobjects/EmailMessage", fields)]
    subrequests += [
        Subrequest(
            f"relation{index}",
            "POST",
            "sobjects/EmailMessageRelation",
            {
                "EmailMessageId": reference,
                "RelationId": rel.relation_id,
                "RelationType": rel.relation_type,
                "RelationAddress": rel.address,
            },
        )
        for index, rel in enumerate(first)
    ]
    results = ctx.salesforce.call(lambda client: client.composite(subrequests, all_or_none=True))
    failures = [result for result in results.values() if not result.ok and not _halted(result)]
    for result in failures or [result for result in results.values() if not result.ok]:
        raise_for_result(result)
    email_id = str(results[EMAIL_REFERENCE].body["id"])
    if not rest:
        return email_id, 0
    records = [relation_record(email_id, rel.relation_id, rel.relation_type, rel.address) for rel in rest]
    saved = ctx.salesforce.call(lambda client: client.create_records(records, all_or_none=False))
    return email_id, sum(1 for item in saved if not item.get("success"))


def _halted(result: SubResult) -> bool:
    body = result.body if isinstance(result.body, list) else []
    return any(isinstance(item, Mapping) and item.get("errorCode") == "PROCESSING_HALTED" for item in body)


def _raise_for_save_results(saved: Sequence[Mapping[str, Any]]) -> None:
    """Raise for the first refused record of an all-or-none collection call (not for the ones rolled back)."""
    errors: list[Mapping[str, Any]] = []
    for item in saved:
        if not item.get("success"):
            errors += [error for error in item.get("errors") or [] if isinstance(error, Mapping)]
    real = [error for error in errors if error.get("statusCode") != "ALL_OR_NONE_OPERATION_ROLLED_BACK"] or errors
    if real:
        raise_for_result(SubResult(400, [dict(real[0])]))


def _log_task(ctx: LoggingContext, request: LogRequest, prelude: _Prelude) -> LogResult:
    email = request.email
    task_rows = [row for row in prelude.rows if row.salesforce_object == "Task"]
    visible = _records(prelude.results, TASK)
    if task_rows and visible:
        return LogResult(
            outcome="already_logged",
            record=ctx.link("Task", str(visible[0]["Id"]), f"Email: {email.subject}"),
            relations_added=0,
            attachments=_attachment_plan(ctx, request, {}),
            notes=["This email was logged before (as a Task: your Salesforce org does not use Enhanced Email)."],
        )
    if any(row.user_id != ctx.user_id for row in task_rows):
        raise Conflict(
            "A colleague already logged this email to Salesforce, as a Task your Salesforce sharing does not let "
            "you see, so it was not logged again. Ask your Salesforce administrator for access to it."
        )
    notes = ["Your Salesforce org does not use Enhanced Email, so the email was logged as a completed Task."]
    contacts = [person for person in prelude.chosen if person.object == "Contact"]
    leads = [person for person in prelude.chosen if person.object == "Lead"]
    who = contacts[0] if contacts else leads[0] if leads else None
    what_id = request.related_to_id
    if who is not None and who.object == "Lead" and what_id:
        what_id = None
        notes.append("A Task about a Lead cannot also be related to a record, so the related record was left out.")
    if len(prelude.chosen) > 1 and who is not None:
        notes.append(f"A Task names one person: {who.name}.")
    fields = email_task_fields(
        _content(ctx, email), prelude.profile.task_lengths, who_id=who.id if who else None, what_id=what_id
    )
    task_id = ctx.salesforce.call(lambda client: client.create("Task", fields))
    return LogResult(
        outcome="created",
        record=ctx.link("Task", task_id, f"Email: {email.subject}"),
        relations_added=1 if who else 0,
        attachments=_attachment_plan(ctx, request, {}),
        notes=notes,
    )


def _existing_files(results: Mapping[str, SubResult]) -> dict[str, set[int]]:
    files: dict[str, set[int]] = {}
    for row in _records(results, EXISTING_FILES):
        document = row.get("ContentDocument")
        if isinstance(document, Mapping):
            files.setdefault(str(document.get("Title") or ""), set()).add(int(document.get("ContentSize") or 0))
    return files


def _attachment_plan(
    ctx: LoggingContext, request: LogRequest, existing: Mapping[str, set[int]]
) -> list[AttachmentOutcome]:
    if not request.include_attachments:
        return []
    return [_plan_one(ctx, item, existing) for item in request.email.attachments]


def _plan_one(ctx: LoggingContext, item: AttachmentInfo, existing: Mapping[str, set[int]]) -> AttachmentOutcome:
    if item.is_inline:
        return AttachmentOutcome(name=item.name, status="skipped", note="Pictures in the body are not attached.")
    if item.size > ctx.max_attachment_bytes:
        return AttachmentOutcome(
            name=item.name, status="skipped", note=too_large_note(item.size, ctx.max_attachment_bytes)
        )
    if item.size in existing.get(item.name, set()):
        return AttachmentOutcome(name=item.name, status="already_attached")
    return AttachmentOutcome(name=item.name, status="upload")


def too_large_note(size: int, limit: int) -> str:
    """Why a file was not attached."""
    return f"Not attached: {_megabytes(size)} is over the {_megabytes(limit)} limit for files logged to Salesforce."


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _record(ctx: LoggingContext, request: LogRequest, sobject: str, record_id: str) -> None:
    """The rep's ``logged_emails`` row: updated when they logged the email before, else added. The update comes
    first, so that the transaction starts by writing (SQLite then waits for its turn instead of failing)."""
    email = request.email
    values: dict[str, object] = {
        "salesforce_object": sobject,
        "salesforce_id": record_id,
        "subject": email.subject,
        "message_date": email.date,
    }
    if request.related_to_id:
        values["related_to_id"] = request.related_to_id
    mine = (col(LoggedEmail.user_id) == ctx.user_id, col(LoggedEmail.internet_message_id) == email.internet_message_id)
    updated = ctx.db.execute(sa.update(LoggedEmail).where(*mine).values(**values))
    if getattr(updated, "rowcount", 0) == 0:
        ctx.db.add(
            LoggedEmail(
                user_id=ctx.user_id,
                internet_message_id=email.internet_message_id,
                salesforce_object=sobject,
                salesforce_id=record_id,
                related_to_id=request.related_to_id,
                subject=email.subject,
                message_date=email.date,
            )
        )
    ctx.db.flush()


def attach_file(ctx: LoggingContext, upload: AttachmentUpload) -> AttachmentOutcome:
    """Attach one file to the record this rep logged the email to, unless it is too large or already there."""
    row = ctx.db.exec(
        select(LoggedEmail).where(
            col(LoggedEmail.user_id) == ctx.user_id, col(LoggedEmail.internet_message_id) == upload.internet_message_id
        )
    ).one_or_none()
    if row is None:
        raise Conflict("Log the email to Salesforce first, then its attachments.")
    record_id = row.salesforce_id
    ctx.checkpoint()
    try:
        content = base64.b64decode(upload.content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput(f"The content of {upload.name} is not valid base64.") from None
    if len(content) > ctx.max_attachment_bytes:
        return AttachmentOutcome(
            name=upload.name, status="skipped", note=too_large_note(len(content), ctx.max_attachment_bytes)
        )
    linked = ctx.salesforce.call(lambda client: client.query(files_of_record_query(record_id)))
    for link in linked:
        document = link.get("ContentDocument")
        if (
            isinstance(document, Mapping)
            and document.get("Title") == upload.name
            and int(document.get("ContentSize") or 0) == len(content)
        ):
            return AttachmentOutcome(name=upload.name, status="already_attached")
    encoded = base64.b64encode(content).decode("ascii")
    ctx.salesforce.call(
        lambda client: client.create("ContentVersion", content_version_fields(upload.name, encoded, record_id))
    )
    return AttachmentOutcome(name=upload.name, status="attached")

"""The signed-in user's sync settings page (``/settings``): what applies to them, grouped as the add-in shows it,
changed all at once, with the last few changes.

Every setting of the catalogue is on the page. Those the applying sync configuration locks are shown disabled with
"set by your administrator"; values it does not allow are not offered. A save sends every control the page showed
(the ``fields`` markers say which), and ``change_settings`` keeps only what changed, refuses the lot when anything is
unacceptable, and audits the rest as changed on a page. A refusal comes back as the same page with the message and
the entries kept (422), with nothing saved; a save sends the browser back to the page (303) with a notice.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlmodel import Session
from starlette.datastructures import FormData

from app.api.deps import DbSession
from app.api.web_auth import CsrfChecked, CurrentUser
from app.connectors.salesforce.contacts_scope import ContactScope
from app.errors import InvalidInput
from app.models import ChangeSource, PolicyMode, User
from app.services import list_views, preferences
from app.services.list_views import ListViewChoices
from app.services.preferences import CATALOGUE, EffectiveSettings, HistoryEntry, Kind, Resolved, Setting
from app.services.preferences import catalogue as keys
from app.services.salesforce_access import RepSalesforce

router = APIRouter(include_in_schema=False)

NO_STORE = {"Cache-Control": "no-store"}
SAVED = "saved"
NOTICES = {SAVED: "Saved; the next pass uses these settings."}
#: How many audited changes "Recent changes" shows.
RECENT_CHANGES = 5
#: The form field that names each setting the page showed as a control (a checkbox left unticked sends nothing).
SHOWN_FIELD = "fields"
LOCKED_TEXT = "set by your administrator"

#: The page's groups: an id, a heading, and the settings under it, in order.
GROUPS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("sync-method", "Sync method", (keys.SYNC_SELECTION,)),
    (
        "contacts",
        "Contacts",
        (
            keys.CONTACTS_ENABLED,
            keys.CONTACTS_DIRECTION,
            keys.CONTACTS_SCOPE,
            keys.CONTACTS_LIST_VIEW,
            keys.CONTACTS_FORBID_TO_REMOVE,
        ),
    ),
    (
        "events",
        "Events",
        (
            keys.EVENTS_ENABLED,
            keys.EVENTS_DIRECTION,
            keys.EVENTS_WINDOW_PAST,
            keys.EVENTS_WINDOW_FUTURE,
            keys.EVENTS_SERIES,
        ),
    ),
    ("tasks", "Tasks", (keys.TASKS_ENABLED, keys.TASKS_DIRECTION, keys.TASKS_FORBID_TO_REMOVE)),
    ("private-items", "Private items", (keys.SYNC_INCLUDE_PRIVATE,)),
    ("conflict-policy", "Conflict policy", (keys.SYNC_CONFLICT_POLICY,)),
)

#: Each setting's label on the page (the catalogue's description is the line under it).
LABELS: Mapping[str, str] = {
    keys.SYNC_SELECTION: "How items are chosen",
    keys.CONTACTS_ENABLED: "Sync contacts",
    keys.CONTACTS_DIRECTION: "Direction",
    keys.CONTACTS_SCOPE: "Which Salesforce contacts",
    keys.CONTACTS_LIST_VIEW: "List view",
    keys.CONTACTS_FORBID_TO_REMOVE: "Forbid to remove",
    keys.EVENTS_ENABLED: "Sync events",
    keys.EVENTS_DIRECTION: "Direction",
    keys.EVENTS_WINDOW_PAST: "Days back",
    keys.EVENTS_WINDOW_FUTURE: "Days ahead",
    keys.EVENTS_SERIES: "Recurring series",
    keys.TASKS_ENABLED: "Sync tasks",
    keys.TASKS_DIRECTION: "Direction",
    keys.TASKS_FORBID_TO_REMOVE: "Forbid to remove",
    keys.SYNC_INCLUDE_PRIVATE: "Sync private items",
    keys.SYNC_CONFLICT_POLICY: "When a field changed on both sides",
}
#: The names of the selection methods, before the catalogue's labels ("Automatic: Sync all items").
SELECTION_NAMES = {"automatic": "Automatic", "manual": "Manual"}
#: The group of each setting, to name it unambiguously in messages ("Events: Direction").
_GROUP_OF = {key: title for _id, title, group_keys in GROUPS for key in group_keys}
_GROUP_SIZES = {title: len(group_keys) for _id, title, group_keys in GROUPS}
SOURCES = {
    ChangeSource.PAGE: "on the settings page",
    ChangeSource.API: "through the API",
    ChangeSource.CLI: "from the command line",
}


def setting_name(key: str) -> str:
    """A setting as messages name it: its group, alone when the group has no other ("Conflict policy"), else with
    its label ("Contacts: Direction"); an unknown key as it is."""
    if key not in _GROUP_OF:
        return key
    group = _GROUP_OF[key]
    return group if _GROUP_SIZES[group] == 1 else f"{group}: {LABELS[key]}"


@dataclass(frozen=True)
class Option:
    """One value a radio group or a list offers."""

    value: str
    label: str


@dataclass(frozen=True)
class Control:
    """One setting as the page shows it.

    ``widget`` is ``checkbox``, ``radios``, ``number``, ``select`` (list views) or ``text`` (a list view id typed);
    ``shown`` is what the control holds (a bool for a checkbox, text otherwise: the person's entry after a refusal).
    """

    key: str
    dom_id: str
    label: str
    description: str
    widget: str
    shown: bool | str
    locked: bool
    options: tuple[Option, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    note: str | None = None
    help: str | None = None
    invalid: bool = False


@dataclass(frozen=True)
class Group:
    """A heading and its controls."""

    dom_id: str
    title: str
    controls: tuple[Control, ...]


@dataclass(frozen=True)
class Change:
    """One audited change as "Recent changes" lists it."""

    setting: str
    old: str
    new: str
    changed_at: datetime
    by: str
    where: str


@dataclass
class Entries:
    """What a person sent: each shown setting's entry as the page shows it again, the changes to make of them, and
    the entries that cannot be a value at all."""

    shown: dict[str, bool | str] = field(default_factory=dict)
    changes: dict[str, object] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    invalid: set[str] = field(default_factory=set)


def _templates(request: Request) -> Jinja2Templates:
    templates: Jinja2Templates = request.app.state.templates
    return templates


def _shown_value(resolved: Resolved) -> bool | str:
    value = resolved.value
    if isinstance(value, bool):
        return value
    return "" if value is None else str(value)


def _option_label(setting: Setting, value: str) -> str:
    label = setting.label(value)
    if setting.key == keys.SYNC_SELECTION and value in SELECTION_NAMES:
        return f"{SELECTION_NAMES[value]}: {label}"
    return label


def _list_view_allowed(effective: EffectiveSettings) -> bool:
    """Whether the list view scope is open to the user (so the list view matters)."""
    scope = effective.settings[keys.CONTACTS_SCOPE]
    return scope.allowed.permits(ContactScope.LIST_VIEW.value) and (
        not scope.locked or scope.value == ContactScope.LIST_VIEW.value
    )


def _list_view_control(base: Control, choices: ListViewChoices | None) -> Control:
    text = base.shown if isinstance(base.shown, str) else ""
    if choices is not None and choices.views is not None:
        options = [Option("", "No list view")] + [Option(view.id, view.label) for view in choices.views]
        if text and choices.label_of(text) is None:
            options.append(Option(text, f"{text} (not among the list views Salesforce gives you)"))
        elif text:  # the id as Salesforce lists it (15 or 18 characters), so that its option is the one selected
            text = next(view.id for view in choices.views if view.id[:15] == text[:15])
        help_text = None
        if choices.incomplete:
            help_text = "Salesforce listed only some of your list views; ask your administrator for another's id."
        return replace(base, widget="select", shown=text, options=tuple(options), help=help_text)
    help_text = None
    if not base.locked:
        reason = f" {choices.problem}" if choices is not None and choices.problem else ""
        help_text = (
            f"crmbridge could not list your org's Contact list views.{reason} Type the list view's id instead: it "
            f"starts with {keys.LIST_VIEW_PREFIX} and is the filterName in the list view's address in Salesforce. "
            "Leave it empty for none."
        )
    return replace(base, widget="text", shown=text, help=help_text)


def _control(resolved: Resolved, shown: bool | str, *, invalid: bool, choices: ListViewChoices | None) -> Control:
    setting = resolved.setting
    base = Control(
        key=setting.key,
        dom_id=setting.key.replace(".", "-").replace("_", "-"),
        label=LABELS[setting.key],
        description=setting.description,
        widget="",
        shown=shown,
        locked=resolved.locked,
        note=readable(resolved.note) if resolved.note else None,
        invalid=invalid,
    )
    if setting.kind is Kind.BOOLEAN:
        return replace(base, widget="checkbox", shown=bool(shown))
    if setting.kind is Kind.INTEGER:
        return replace(base, widget="number", shown=str(shown), minimum=setting.minimum, maximum=setting.maximum)
    if setting.kind is Kind.CHOICE:
        # Offered: what the configuration allows; when locked, only what applies, so that it reads as fixed.
        allowed = (resolved.value,) if resolved.locked else (resolved.allowed.values or ())
        options = tuple(Option(str(value), _option_label(setting, str(value))) for value in allowed)
        return replace(base, widget="radios", shown=str(shown), options=options)
    return _list_view_control(base, choices)


def _groups(
    effective: EffectiveSettings,
    entries: Entries | None,
    choices: ListViewChoices | None,
) -> tuple[Group, ...]:
    groups = []
    for dom_id, title, group_keys in GROUPS:
        controls = []
        for key in group_keys:
            if key == keys.CONTACTS_LIST_VIEW and not _list_view_allowed(effective):
                continue  # the list view scope is not offered, so neither is its list view
            resolved = effective.settings[key]
            shown = _shown_value(resolved)
            if entries is not None and key in entries.shown and not resolved.locked:
                shown = entries.shown[key]
            invalid = entries is not None and key in entries.invalid
            controls.append(_control(resolved, shown, invalid=invalid, choices=choices))
        groups.append(Group(dom_id, title, tuple(controls)))
    return tuple(groups)


def _shown_text(key: str, value: object) -> str:
    if value is None:
        return "the default"
    setting = CATALOGUE.get(key)
    if setting is None:
        return str(value)
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, str) and setting.kind is Kind.CHOICE:
        return _option_label(setting, value)
    return str(value)


def _recent(entries: list[HistoryEntry], user: User) -> tuple[Change, ...]:
    changes = []
    for entry in entries:
        if entry.actor_email is None:
            by = "an operator"
        elif entry.actor_email == user.email:
            by = "you"
        else:
            by = entry.actor_email
        changes.append(
            Change(
                setting=setting_name(entry.key),
                old=_shown_text(entry.key, entry.old_value),
                new=_shown_text(entry.key, entry.new_value),
                changed_at=entry.changed_at,
                by=by,
                where=SOURCES.get(entry.source, str(entry.source)),
            )
        )
    return tuple(changes)


def _configuration_text(effective: EffectiveSettings) -> str:
    applied = effective.configuration
    if applied is None:
        return (
            "No sync configuration of your administrator names you, so every option is open and crmbridge's defaults "
            "apply until you change them."
        )
    why = "your email address" if applied.matched_by == "email" else "your role"
    how = (
        "Its values are fixed."
        if applied.policy.mode is PolicyMode.ENFORCED
        else "Its values are starting points you can change within what it allows."
    )
    return f"Your administrator's sync configuration “{applied.policy.name}” applies to you (it names {why}). {how}"


def readable(message: str) -> str:
    """A service message as the page says it: each setting key becomes the name the page gives it, and a choice
    right after its key becomes its label ("contacts.scope list_view" reads “...” set to “The contacts of a list
    view”)."""

    def name(match: re.Match[str]) -> str:
        key, value = match.group("key"), match.group("value")
        setting = CATALOGUE[key]
        if value is not None and value in setting.values:
            return f"“{setting_name(key)}” set to “{_option_label(setting, value)}”"
        return f"“{setting_name(key)}”" + (f" {value}" if value is not None else "")

    return _KEY_PATTERN.sub(name, message)


_KEY_PATTERN = re.compile(
    r"(?<![\w.])(?P<key>"
    + "|".join(re.escape(key) for key in sorted(CATALOGUE, key=len, reverse=True))
    + r")(?![\w]|\.\w)(?: (?P<value>[a-z_]+)(?![\w]|\.\w))?"
)


def _list_view_choices(
    request: Request, db: Session, user: User, effective: EffectiveSettings
) -> ListViewChoices | None:
    """The org's Contact list views (None when the list view scope is not open to the user: no call is made)."""
    if not _list_view_allowed(effective) or effective.settings[keys.CONTACTS_LIST_VIEW].locked:
        return None
    assert user.id is not None
    state = request.app.state
    salesforce = RepSalesforce(
        db,
        user.id,
        cipher=state.token_cipher,
        refresher=state.token_refresher,
        vendor_base_url=state.vendor_base_url,
        now=datetime.now(UTC),
        checkpoint=db.commit,
    )
    try:
        return list_views.contact_list_views(salesforce, checkpoint=db.commit)
    finally:
        salesforce.close()


def _render(
    request: Request,
    db: Session,
    user: User,
    *,
    notice: str | None = None,
    entries: Entries | None = None,
    problem: str | None = None,
    status_code: int = 200,
) -> Response:
    effective = preferences.effective_settings(db, user)
    assert user.id is not None
    history = preferences.user_history(db, user.id, limit=RECENT_CHANGES)
    choices = _list_view_choices(request, db, user, effective)
    context: dict[str, object] = {
        "groups": _groups(effective, entries, choices),
        "configuration": _configuration_text(effective),
        "recent": _recent(history, user),
        "notice": NOTICES.get(notice or ""),
        "problem": problem,
        "shown_field": SHOWN_FIELD,
        "locked_text": LOCKED_TEXT,
    }
    return _templates(request).TemplateResponse(
        request, "settings.html", context, status_code=status_code, headers=NO_STORE
    )


def _entries(form: FormData) -> Entries:
    """The entries of the controls the form showed, and the changes they ask for."""
    entries = Entries()
    listed = {value for value in form.getlist(SHOWN_FIELD) if isinstance(value, str)}
    for key, setting in CATALOGUE.items():
        if key not in listed:
            continue
        raw = form.get(key)
        text = raw.strip() if isinstance(raw, str) else None
        if setting.kind is Kind.BOOLEAN:
            entries.shown[key] = entries.changes[key] = text is not None
        elif setting.kind is Kind.CHOICE:
            if text:  # a radio group with none chosen asks for no change
                entries.shown[key] = entries.changes[key] = text
        elif setting.kind is Kind.INTEGER:
            entries.shown[key] = text or ""
            number = _whole_number(text, setting)
            if number is None:
                entries.problems.append(
                    f"{setting_name(key)}: enter a whole number from {setting.minimum} to {setting.maximum}."
                )
                entries.invalid.add(key)
            else:
                entries.changes[key] = number
        else:  # a list view id, chosen or typed; empty: none
            entries.shown[key] = text or ""
            entries.changes[key] = text or None
    return entries


def _whole_number(text: str | None, setting: Setting) -> int | None:
    if not text or not re.fullmatch(r"[0-9]{1,7}", text):
        return None
    number = int(text)
    assert setting.minimum is not None and setting.maximum is not None
    return number if setting.minimum <= number <= setting.maximum else None


async def posted_form(request: Request) -> FormData:
    """Dependency: the posted form (already read by the CSRF check; Starlette keeps it)."""
    return await request.form()


PostedForm = Annotated[FormData, Depends(posted_form)]


@router.get("/settings", response_class=HTMLResponse)
def settings_page(request: Request, user: CurrentUser, db: DbSession, notice: str | None = None) -> Response:
    """The signed-in user's sync settings, what their administrator's configuration fixes, and recent changes."""
    return _render(request, db, user, notice=notice)


@router.post("/settings")
def save_settings(request: Request, user: CurrentUser, _csrf: CsrfChecked, db: DbSession, form: PostedForm) -> Response:
    """Apply every change of the form at once, or none of them (the page again, saying why, entries kept)."""
    entries = _entries(form)
    problem = " ".join(entries.problems) or None
    if problem is None:
        try:
            preferences.change_settings(db, user, entries.changes, actor=user, source=ChangeSource.PAGE)
        except InvalidInput as refusal:
            db.rollback()  # nothing of the attempt is kept
            problem = readable(refusal.message)
            entries.invalid.update(key for key in CATALOGUE if _mentions(refusal.message, key))
    if problem is not None:
        return _render(request, db, user, entries=entries, problem=problem, status_code=InvalidInput.status_code)
    db.commit()  # the request's boundary: committed before the browser is sent on to read the result
    return RedirectResponse(f"/settings?notice={SAVED}", status_code=303)


def _mentions(message: str, key: str) -> bool:
    return any(match.group("key") == key for match in _KEY_PATTERN.finditer(message))

"""The admin's Sync configurations pages: the configurations in the order they apply, who gets which, and the form
to create, change or delete one.

The form's entries are kept as typed (:class:`ConfigurationForm`), so a refused configuration comes back with the
message and everything the admin entered; the rules themselves (names, emails, defaults a configuration allows) are
the service's (:mod:`app.services.preferences.configurations`), which audits every change as made on a page.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError
from sqlmodel import Session
from starlette.datastructures import FormData

from app.api.deps import DbSession
from app.api.web_auth import AdminUser, CsrfChecked
from app.connectors.salesforce.contacts_scope import ContactScope
from app.connectors.selection import SelectionMethod
from app.errors import Conflict, CrmbridgeError, InvalidInput
from app.models import ChangeSource, ItemType, PolicyMode, Role, SyncPolicy, User
from app.services import preferences, users
from app.services.preferences import CATALOGUE, AppliedConfiguration, ConfigurationSpec, Kind, Setting
from app.services.preferences.catalogue import DIRECTIONS, SettingValueError
from app.services.preferences.configurations import snapshot
from app.sync.config import Direction

router = APIRouter(include_in_schema=False)

LIST_PATH = "/admin/sync-configurations"
#: A configuration id in a path: a positive whole number the database can hold (anything else is refused, 422).
ConfigurationId = Annotated[int, Path(ge=1, le=2_147_483_647, description="The sync configuration's id.")]
NO_STORE = {"Cache-Control": "no-store"}

NOTICES = {
    "created": "The sync configuration was created. It applies to its users from their next sync pass.",
    "updated": "The sync configuration was saved. It applies to its users from their next sync pass.",
    "deleted": "The sync configuration was deleted. Its users now get the next configuration that names them, "
    "or the built-in default.",
}

#: How the page names the things a configuration chooses among.
ITEM_TYPE_LABELS: Mapping[str, str] = {
    ItemType.CONTACT.value: "Contacts",
    ItemType.EVENT.value: "Events",
    ItemType.TASK.value: "Tasks",
}
ROLE_LABELS: Mapping[str, str] = {Role.REP.value: "Reps", Role.ADMIN.value: "Admins"}
DIRECTION_LABELS: Mapping[str, str] = {choice.value: choice.label for choice in DIRECTIONS}
#: The users' choices in the admin's words (the catalogue's labels speak as the user: "the contacts I own").
SELECTION_LABELS: Mapping[str, str] = {
    SelectionMethod.AUTOMATIC.value: "Automatic: all items, except those marked “Don't sync with Salesforce”",
    SelectionMethod.MANUAL.value: "Manual: only the items marked “Sync with Salesforce”",
}
SCOPE_LABELS: Mapping[str, str] = {
    ContactScope.ALL.value: "All the contacts the user can see",
    ContactScope.MINE.value: "The contacts the user owns",
    ContactScope.LIST_VIEW.value: "The contacts of a list view",
}
MODE_LABELS: Mapping[str, str] = {PolicyMode.DEFAULTS.value: "Sets defaults", PolicyMode.ENFORCED.value: "Enforced"}
MODE_MEANINGS: Mapping[str, str] = {
    PolicyMode.DEFAULTS.value: "Its default values are starting points: users may change them within what the "
    "configuration allows.",
    PolicyMode.ENFORCED.value: "Its default values are fixed: users cannot change them.",
}
#: The yes-or-no limits of a configuration: (field, label, what it means).
PERMISSIONS: tuple[tuple[str, str, str], ...] = (
    ("allow_private", "Items marked private may sync", "If not, users cannot include their private items."),
    ("allow_event_series", "Recurring event series may sync", "If not, only single events sync."),
    (
        "allow_mailbox_deletions",
        "A deletion in the mailbox may delete the Salesforce record",
        "If not, “Never delete a Salesforce contact or task because it was deleted in the mailbox” is forced on.",
    ),
    (
        "relate_events",
        "Relate synced events to the contacts and leads they invite",
        "Salesforce shows the event on those people's records.",
    ),
)
#: The fields of ConfigurationSpec as the form names them, for messages.
FIELD_LABELS: Mapping[str, str] = {
    "name": "Name",
    "priority": "Priority",
    "mode": "Mode",
    "user_emails": "Users",
    "roles": "Roles",
    "item_types": "Item types",
    "directions": "Directions",
    "selection_methods": "Selection methods",
    "contact_scopes": "Contact scopes",
    "max_delete_share": "Deletion guard",
    "defaults": "Default values",
}
#: The sections of the default values, by the item type their settings belong to.
DEFAULT_GROUPS: tuple[tuple[ItemType | None, str], ...] = (
    (None, "Every item type"),
    (ItemType.CONTACT, "Contacts"),
    (ItemType.EVENT, "Events"),
    (ItemType.TASK, "Tasks"),
)


def _every(values: Sequence[Any]) -> list[str]:
    return [str(value.value) for value in values]


EVERY_DIRECTION = frozenset(direction.value for direction in Direction)


def _percent_text(share: float) -> str:
    """A share (0 to 1) as the form's per cent, without float noise (0.2 -> "20")."""
    return f"{round(share * 100, 4):g}"


def _default_text(value: object) -> str:
    """A stored default value as the form's entry ("" for none)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _value_label(setting: Setting, value: object) -> str:
    """A setting's value as the page shows it."""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if value is None:
        return "none"
    if isinstance(value, bool | int | str):
        return setting.label(value)
    return str(value)


@dataclass
class ConfigurationForm:
    """The form's entries as the admin typed them: shown again as they were when the configuration is refused."""

    name: str = ""
    priority: str = "100"
    mode: str = PolicyMode.DEFAULTS.value
    user_emails: str = ""
    roles: list[str] = field(default_factory=list)
    item_types: list[str] = field(default_factory=lambda: _every(list(ItemType)))
    directions: dict[str, list[str]] = field(
        default_factory=lambda: {item.value: _every(list(Direction)) for item in ItemType}
    )
    selection_methods: list[str] = field(default_factory=lambda: _every(list(SelectionMethod)))
    contact_scopes: list[str] = field(default_factory=lambda: _every(list(ContactScope)))
    allow_private: bool = True
    allow_event_series: bool = True
    allow_mailbox_deletions: bool = True
    relate_events: bool = True
    max_delete_share: str = "20"
    defaults: dict[str, str] = field(default_factory=dict)

    @classmethod
    def blank(cls) -> ConfigurationForm:
        """A new configuration's form: the service's defaults (everything allowed, 20 %)."""
        return cls.from_fields(ConfigurationSpec.model_construct(name="").model_dump(mode="json"))

    @classmethod
    def from_policy(cls, policy: SyncPolicy) -> ConfigurationForm:
        """A stored configuration's form."""
        return cls.from_fields(snapshot(policy))

    @classmethod
    def from_fields(cls, fields: Mapping[str, Any]) -> ConfigurationForm:
        """The form for a configuration's fields as JSON (:func:`snapshot`'s shape)."""
        stored_directions: Mapping[str, list[str]] = fields.get("directions") or {}
        every_direction = _every(list(Direction))
        return cls(
            name=str(fields.get("name") or ""),
            priority=str(fields.get("priority", 100)),
            mode=str(fields.get("mode") or PolicyMode.DEFAULTS.value),
            user_emails="\n".join(fields.get("user_emails") or []),
            roles=list(fields.get("roles") or []),
            item_types=list(fields.get("item_types") or []),
            directions={item.value: list(stored_directions.get(item.value, every_direction)) for item in ItemType},
            selection_methods=list(fields.get("selection_methods") or []),
            contact_scopes=list(fields.get("contact_scopes") or []),
            allow_private=bool(fields.get("allow_private", True)),
            allow_event_series=bool(fields.get("allow_event_series", True)),
            allow_mailbox_deletions=bool(fields.get("allow_mailbox_deletions", True)),
            relate_events=bool(fields.get("relate_events", True)),
            max_delete_share=_percent_text(float(fields.get("max_delete_share", 0.2))),
            defaults={key: _default_text(value) for key, value in (fields.get("defaults") or {}).items()},
        )

    @classmethod
    def from_submission(cls, form: FormData) -> ConfigurationForm:
        """The entries of a submitted form (a box not ticked is absent, so it is false)."""

        def text(name: str) -> str:
            value = form.get(name)
            return value if isinstance(value, str) else ""

        def ticked(name: str) -> list[str]:
            return [value for value in form.getlist(name) if isinstance(value, str)]

        return cls(
            name=text("name"),
            priority=text("priority"),
            mode=text("mode"),
            user_emails=text("user_emails"),
            roles=ticked("roles"),
            item_types=ticked("item_types"),
            directions={item.value: ticked(f"directions.{item.value}") for item in ItemType},
            selection_methods=ticked("selection_methods"),
            contact_scopes=ticked("contact_scopes"),
            allow_private=text("allow_private") == "yes",
            allow_event_series=text("allow_event_series") == "yes",
            allow_mailbox_deletions=text("allow_mailbox_deletions") == "yes",
            relate_events=text("relate_events") == "yes",
            max_delete_share=text("max_delete_share"),
            defaults={key: text(f"default.{key}").strip() for key in CATALOGUE if text(f"default.{key}").strip()},
        )

    def to_spec(self) -> ConfigurationSpec:
        """The configuration these entries state; InvalidInput naming every entry that cannot be read."""
        problems: list[str] = []
        data: dict[str, Any] = {
            "name": self.name,
            "mode": self.mode,
            "user_emails": [line.strip() for line in self.user_emails.replace(",", "\n").splitlines() if line.strip()],
            "roles": self.roles,
            "item_types": self.item_types,
            # Every direction ticked is the same as leaving the item type out: all of them are allowed.
            "directions": {
                item: allowed
                for item, allowed in self.directions.items()
                if set(allowed) != set(_every(list(Direction)))
            },
            "selection_methods": self.selection_methods,
            "contact_scopes": self.contact_scopes,
            "allow_private": self.allow_private,
            "allow_event_series": self.allow_event_series,
            "allow_mailbox_deletions": self.allow_mailbox_deletions,
            "relate_events": self.relate_events,
        }
        try:
            data["priority"] = int(self.priority.strip())
        except ValueError:
            problems.append(f"Priority must be a whole number such as 100, not {self.priority.strip()!r}.")
        try:
            percent = float(self.max_delete_share.strip().rstrip("%").strip())
        except ValueError:
            percent = math.nan
        if not math.isfinite(percent) or not 0 <= percent <= 100:
            problems.append(
                f"Deletion guard: give a share from 0 to 100 (per cent), not {self.max_delete_share.strip()!r}."
            )
        else:
            data["max_delete_share"] = round(percent / 100, 6)
        defaults: dict[str, Any] = {}
        for key, entry in self.defaults.items():
            setting = CATALOGUE.get(key)
            if setting is None:
                continue  # the form only has the catalogue's keys
            try:
                value = setting.parse(entry)
            except SettingValueError as error:
                problems.append(f"Default values: {error}")
                continue
            if value is not None:
                defaults[key] = value
        data["defaults"] = defaults
        if not problems:
            try:
                return ConfigurationSpec.model_validate(data)
            except ValidationError as error:
                problems.extend(_validation_problems(error))
        raise InvalidInput("The sync configuration cannot be saved: " + " ".join(problems))


def _validation_problems(error: ValidationError) -> list[str]:
    """Each problem pydantic found, named by the form's label for the field."""
    problems = []
    for detail in error.errors():
        location = [str(part) for part in detail.get("loc", ())]
        label = FIELD_LABELS.get(location[0], location[0]) if location else "The form"
        problems.append(f"{label}: {detail.get('msg', 'not acceptable')}.")
    return problems


# --- what the pages show ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DefaultField:
    """One setting's control among the default values."""

    key: str
    html_id: str
    description: str
    kind: str
    choices: tuple[tuple[str, str], ...]
    minimum: int | None
    maximum: int | None
    product_default: str


def _default_fields() -> list[tuple[str, list[DefaultField]]]:
    """The settings whose default values the form sets, in sections by item type."""
    sections = []
    for item_type, title in DEFAULT_GROUPS:
        fields = []
        for setting in CATALOGUE.values():
            if setting.item_type is not item_type:
                continue
            if setting.kind is Kind.BOOLEAN:
                choices: tuple[tuple[str, str], ...] = (("true", "Yes"), ("false", "No"))
            else:
                choices = tuple((choice.value, choice.label) for choice in setting.choices)
            fields.append(
                DefaultField(
                    key=setting.key,
                    html_id="default-" + setting.key.replace(".", "-").replace("_", "-"),
                    description=setting.description,
                    kind=setting.kind.value,
                    choices=choices,
                    minimum=setting.minimum,
                    maximum=setting.maximum,
                    product_default=_value_label(setting, setting.default),
                )
            )
        sections.append((title, fields))
    return sections


def _labels(values: Sequence[str], labels: Mapping[str, str]) -> str:
    return ", ".join(labels.get(value, value) for value in values) or "none"


def allows(policy: SyncPolicy) -> list[tuple[str, list[str]]]:
    """What a configuration allows, for the list: (what, lines)."""
    syncs = []
    for item in policy.item_types:
        directions = policy.directions.get(item)
        ways = (
            "any direction"
            if directions is None or set(directions) == EVERY_DIRECTION
            else _labels(directions, DIRECTION_LABELS)
        )
        syncs.append(f"{ITEM_TYPE_LABELS.get(item, item)}: {ways}")
    summary = [
        ("May sync", syncs or ["nothing"]),
        ("Selection methods", [SELECTION_LABELS.get(method, method) for method in policy.selection_methods]),
        ("Contact scopes", [SCOPE_LABELS.get(scope, scope) for scope in policy.contact_scopes]),
    ]
    for name, label, _meaning in PERMISSIONS:
        summary.append((label, ["yes" if getattr(policy, name) else "no"]))
    summary.append(
        ("Deletion guard", [f"stops a pass that would delete more than {_percent_text(policy.max_delete_share)} %"])
    )
    values = []
    for key, value in policy.defaults.items():
        setting = CATALOGUE.get(key)
        values.append(f"{key}: {_value_label(setting, value) if setting else value}")
    title = "Fixed values" if policy.mode is PolicyMode.ENFORCED else "Default values"
    summary.append((title, values or ["none"]))
    return summary


@dataclass(frozen=True)
class WhoGetsWhich:
    """One user and the configuration that applies to them (None: the built-in default)."""

    user: User
    applied: AppliedConfiguration | None


def who_gets_which(db: Session) -> list[WhoGetsWhich]:
    """Every user and the configuration that applies to them, by the service's rule."""
    return [WhoGetsWhich(user, preferences.configuration_for(db, user)) for user in users.list_users(db)]


def _templates(request: Request) -> Jinja2Templates:
    templates: Jinja2Templates = request.app.state.templates
    return templates


async def submitted_form(request: Request) -> FormData:
    """Dependency: the submitted form (read once; the CSRF check reads the same)."""
    return await request.form()


SubmittedForm = Annotated[FormData, Depends(submitted_form)]


def _form_page(
    request: Request,
    db: Session,
    entries: ConfigurationForm,
    *,
    policy: SyncPolicy | None,
    problem: CrmbridgeError | None = None,
) -> Response:
    """The form, new (``policy`` None) or of a stored configuration, with a refusal's message when there is one."""
    applies_to: list[User] = []
    if policy is not None:
        applies_to = [row.user for row in who_gets_which(db) if row.applied and row.applied.policy.id == policy.id]
    context: dict[str, Any] = {
        "entries": entries,
        "policy": policy,
        "applies_to": applies_to,
        "problem": problem.message if problem else None,
        "item_types": ITEM_TYPE_LABELS,
        "roles": ROLE_LABELS,
        "directions": DIRECTION_LABELS,
        "selection_methods": SELECTION_LABELS,
        "contact_scopes": SCOPE_LABELS,
        "modes": MODE_LABELS,
        "mode_meanings": MODE_MEANINGS,
        "permissions": PERMISSIONS,
        "default_sections": _default_fields(),
    }
    return _templates(request).TemplateResponse(
        request,
        "admin_configuration_form.html",
        context,
        status_code=problem.status_code if problem else 200,
        headers=NO_STORE,
    )


# --- the routes -------------------------------------------------------------------------------------------------


@router.get(LIST_PATH, response_class=HTMLResponse)
def configurations_page(request: Request, admin: AdminUser, db: DbSession, notice: str | None = None) -> Response:
    """The configurations in the order they apply, what each allows, and which one each user gets."""
    policies = preferences.list_configurations(db)
    rows = who_gets_which(db)
    known = {row.user.email for row in rows}
    counts = {policy.id: 0 for policy in policies}
    for row in rows:
        if row.applied is not None:
            counts[row.applied.policy.id] = counts.get(row.applied.policy.id, 0) + 1
    return _templates(request).TemplateResponse(
        request,
        "admin_configurations.html",
        {
            "policies": policies,
            "allows": {policy.id: allows(policy) for policy in policies},
            "counts": counts,
            "known_emails": known,
            "rows": rows,
            "roles": ROLE_LABELS,
            "modes": MODE_LABELS,
            "mode_meanings": MODE_MEANINGS,
            "notice": NOTICES.get(notice or ""),
        },
        headers=NO_STORE,
    )


@router.get(LIST_PATH + "/new", response_class=HTMLResponse)
def new_configuration_page(request: Request, admin: AdminUser, db: DbSession) -> Response:
    """The form for a new configuration, starting from everything allowed."""
    return _form_page(request, db, ConfigurationForm.blank(), policy=None)


@router.get(LIST_PATH + "/{configuration_id}", response_class=HTMLResponse)
def configuration_page(
    request: Request, configuration_id: ConfigurationId, admin: AdminUser, db: DbSession
) -> Response:
    """A configuration's form, filled in as it is stored, and deleting it."""
    policy = preferences.get_configuration(db, configuration_id)
    return _form_page(request, db, ConfigurationForm.from_policy(policy), policy=policy)


@router.post(LIST_PATH)
def create_configuration(
    request: Request, admin: AdminUser, _csrf: CsrfChecked, db: DbSession, form: SubmittedForm
) -> Response:
    """Create a configuration; refused, the form again with the message and the entries, nothing saved."""
    entries = ConfigurationForm.from_submission(form)
    try:
        preferences.create_configuration(db, entries.to_spec(), actor=admin, source=ChangeSource.PAGE)
    except (InvalidInput, Conflict) as refusal:
        db.rollback()
        return _form_page(request, db, entries, policy=None, problem=refusal)
    db.commit()  # the request's boundary: committed before the browser is sent on to read the result
    return RedirectResponse(f"{LIST_PATH}?notice=created", status_code=303)


@router.post(LIST_PATH + "/{configuration_id}")
def update_configuration(
    request: Request,
    configuration_id: ConfigurationId,
    admin: AdminUser,
    _csrf: CsrfChecked,
    db: DbSession,
    form: SubmittedForm,
) -> Response:
    """Replace a configuration with the form's entries; refused, the form again as entered, nothing saved."""
    preferences.get_configuration(db, configuration_id)  # 404 before reading the entries
    entries = ConfigurationForm.from_submission(form)
    try:
        preferences.update_configuration(db, configuration_id, entries.to_spec(), actor=admin, source=ChangeSource.PAGE)
    except (InvalidInput, Conflict) as refusal:
        db.rollback()
        policy = preferences.get_configuration(db, configuration_id)  # as stored (unless deleted meanwhile: 404)
        return _form_page(request, db, entries, policy=policy, problem=refusal)
    db.commit()
    return RedirectResponse(f"{LIST_PATH}?notice=updated", status_code=303)


@router.post(LIST_PATH + "/{configuration_id}/delete")
def delete_configuration(
    request: Request,
    configuration_id: ConfigurationId,
    admin: AdminUser,
    _csrf: CsrfChecked,
    db: DbSession,
    form: SubmittedForm,
) -> Response:
    """Delete a configuration once the admin ticked the confirmation; without it, its page again, saying so."""
    policy = preferences.get_configuration(db, configuration_id)
    if form.get("confirm") != "yes":
        refusal = InvalidInput(
            "Nothing was deleted: tick “Yes, delete this configuration” and choose Delete configuration again."
        )
        return _form_page(request, db, ConfigurationForm.from_policy(policy), policy=policy, problem=refusal)
    preferences.delete_configuration(db, configuration_id, actor=admin, source=ChangeSource.PAGE)
    db.commit()
    return RedirectResponse(f"{LIST_PATH}?notice=deleted", status_code=303)

"""Admin sync configurations: creating, changing and deleting them (validated, audited), and which one applies.

Which configuration applies to a user: the one with the lowest priority number among those that name the user's
email address; if none names it, the one with the lowest priority number among those that name the user's role; if
none does, the built-in default (everything allowed, the product defaults). Equal priorities go to the name that
sorts first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue
from sqlmodel import Session, col, select

from app.connectors.salesforce.contacts_scope import ContactScope
from app.connectors.selection import SelectionMethod
from app.errors import Conflict, InvalidInput, NotFound
from app.models import ChangeSource, ItemType, PolicyMode, Role, SyncPolicy, User
from app.services.preferences.allowances import allowance
from app.services.preferences.audit import AuditAction, change_source, record_change
from app.services.preferences.catalogue import (
    CATALOGUE,
    SettingValue,
    SettingValueError,
    combination_problems,
    format_value,
)
from app.services.preferences.resolution import resolve
from app.services.users import normalise_email
from app.sync.config import Direction

#: The admin-only setting kept as a configuration field rather than a user setting.
MAX_DELETE_SHARE_KEY = "sync.max_delete_share"
DEFAULT_MAX_DELETE_SHARE = 0.2


class ConfigurationSpec(BaseModel):
    """Everything an admin states about a sync configuration (the whole of it: a change replaces it)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100, description="A name admins recognise; unique.")
    priority: int = Field(
        default=100, ge=0, le=1_000_000, description="Lower wins when several configurations name the same user."
    )
    mode: PolicyMode = Field(
        default=PolicyMode.DEFAULTS,
        description="`defaults`: its default values are starting points users may change within what it allows. "
        "`enforced`: its default values are fixed and users cannot change them.",
    )
    user_emails: list[str] = Field(default_factory=list, description="The users it applies to, by email address.")
    roles: list[Role] = Field(default_factory=list, description="The roles it applies to (rep, admin).")
    item_types: list[ItemType] = Field(
        default_factory=lambda: list(ItemType), description="The item types that may sync (contact, event, task)."
    )
    directions: dict[ItemType, list[Direction]] = Field(
        default_factory=dict,
        description="The directions allowed per item type; an item type left out allows every direction.",
    )
    selection_methods: list[SelectionMethod] = Field(
        default_factory=lambda: list(SelectionMethod), description="The selection methods users may choose."
    )
    contact_scopes: list[ContactScope] = Field(
        default_factory=lambda: list(ContactScope), description="The Salesforce contact scopes users may choose."
    )
    allow_private: bool = Field(default=True, description="Whether items marked private may be included.")
    allow_event_series: bool = Field(default=True, description="Whether recurring event series may sync.")
    allow_mailbox_deletions: bool = Field(
        default=True,
        description="Whether a deletion in the mailbox may delete the Salesforce record; if not, forbid-to-remove "
        "is forced on.",
    )
    relate_events: bool = Field(
        default=True, description="Whether synced events are related to the contacts and leads they invite."
    )
    max_delete_share: float = Field(
        default=DEFAULT_MAX_DELETE_SHARE,
        ge=0,
        le=1,
        description="The mass-deletion guard: a pass that would delete more than this share of a side's synced "
        "items stops.",
    )
    defaults: dict[str, JsonValue] = Field(
        default_factory=dict,
        description="Default values by setting key (see GET /api/settings for the keys); fixed in enforced mode.",
    )


@dataclass(frozen=True)
class AppliedConfiguration:
    """The configuration that applies to a user, and whether it named their email or their role."""

    policy: SyncPolicy
    matched_by: Literal["email", "role"]


def list_configurations(session: Session) -> list[SyncPolicy]:
    """Every configuration, in the order they are considered (priority, then name)."""
    return list(session.exec(select(SyncPolicy).order_by(col(SyncPolicy.priority), col(SyncPolicy.name))))


def get_configuration(session: Session, configuration_id: int) -> SyncPolicy:
    """The configuration with this id; NotFound otherwise."""
    policy = session.get(SyncPolicy, configuration_id)
    if policy is None:
        raise NotFound("There is no such sync configuration.")
    return policy


def configuration_for(session: Session, user: User) -> AppliedConfiguration | None:
    """The configuration that applies to ``user`` (the rule is in the module's docstring); None: the built-in one."""
    policies = list_configurations(session)
    for policy in policies:
        if user.email in policy.user_emails:
            return AppliedConfiguration(policy, "email")
    for policy in policies:
        if user.role.value in policy.roles:
            return AppliedConfiguration(policy, "role")
    return None


def create_configuration(
    session: Session, spec: ConfigurationSpec, *, actor: User | None, source: str | ChangeSource
) -> SyncPolicy:
    """Add a configuration; InvalidInput or Conflict (a name in use) with a message when it cannot be."""
    origin = change_source(source)
    fields = validated_fields(session, spec, configuration_id=None)
    policy = SyncPolicy(**fields)
    session.add(policy)
    session.flush()
    assert policy.id is not None
    record_change(
        session,
        action=AuditAction.CONFIGURATION_CREATED,
        actor=actor,
        source=origin,
        key="configuration",
        old_value=None,
        new_value=fields,
        configuration_id=policy.id,
    )
    session.flush()
    return policy


def update_configuration(
    session: Session,
    configuration_id: int,
    spec: ConfigurationSpec,
    *,
    actor: User | None,
    source: str | ChangeSource,
) -> SyncPolicy:
    """Replace a configuration with ``spec``; one audit row per field that changed."""
    origin = change_source(source)
    policy = get_configuration(session, configuration_id)
    fields = validated_fields(session, spec, configuration_id=configuration_id)
    before = snapshot(policy)
    for name, value in fields.items():
        if before[name] != value:
            record_change(
                session,
                action=AuditAction.CONFIGURATION_UPDATED,
                actor=actor,
                source=origin,
                key=name,
                old_value=before[name],
                new_value=value,
                configuration_id=configuration_id,
            )
            setattr(policy, name, value)
    session.add(policy)
    session.flush()
    return policy


def delete_configuration(
    session: Session, configuration_id: int, *, actor: User | None, source: str | ChangeSource
) -> None:
    """Delete a configuration; its users fall to the next configuration that names them (or the built-in one)."""
    origin = change_source(source)
    policy = get_configuration(session, configuration_id)
    record_change(
        session,
        action=AuditAction.CONFIGURATION_DELETED,
        actor=actor,
        source=origin,
        key="configuration",
        old_value=snapshot(policy),
        new_value=None,
        configuration_id=configuration_id,
    )
    session.delete(policy)
    session.flush()


def snapshot(policy: SyncPolicy) -> dict[str, Any]:
    """A configuration's stated fields as JSON (what the audit trail keeps)."""
    return {name: _plain(getattr(policy, name)) for name in ConfigurationSpec.model_fields}


def _plain(value: object) -> Any:
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, PolicyMode):
        return value.value
    return value


def validated_fields(session: Session, spec: ConfigurationSpec, *, configuration_id: int | None) -> dict[str, Any]:
    """The table's fields for ``spec``, normalised; InvalidInput naming every problem, or Conflict for a taken name."""
    problems: list[str] = []
    name = " ".join(spec.name.split())
    if not name:
        problems.append("Give the configuration a name.")
    emails: list[str] = []
    for address in spec.user_emails:
        try:
            email = normalise_email(address)
        except InvalidInput as error:
            problems.append(f"user_emails: {error.message}")
            continue
        if email not in emails:
            emails.append(email)
    roles = _unique(role.value for role in spec.roles)
    if not emails and not roles:
        problems.append("The configuration applies to nobody: name at least one user email or role.")
    if not spec.selection_methods:
        problems.append("Allow at least one selection method (automatic, manual).")
    if not spec.contact_scopes:
        problems.append("Allow at least one contact scope (all, mine, list_view).")
    for item_type, directions in spec.directions.items():
        if not directions:
            problems.append(f"directions: allow at least one direction for {item_type.value}s, or leave them out.")
    fields: dict[str, Any] = {
        "name": name,
        "priority": spec.priority,
        "mode": spec.mode,
        "user_emails": emails,
        "roles": roles,
        "item_types": _unique(item.value for item in spec.item_types),
        "directions": {item.value: _unique(d.value for d in allowed) for item, allowed in spec.directions.items()},
        "selection_methods": _unique(method.value for method in spec.selection_methods),
        "contact_scopes": _unique(scope.value for scope in spec.contact_scopes),
        "allow_private": spec.allow_private,
        "allow_event_series": spec.allow_event_series,
        "allow_mailbox_deletions": spec.allow_mailbox_deletions,
        "relate_events": spec.relate_events,
        "max_delete_share": spec.max_delete_share,
    }
    if not problems:
        fields["defaults"] = _validated_defaults(fields, spec.defaults, problems)
    if problems:
        raise InvalidInput("The sync configuration cannot be saved: " + " ".join(problems))
    _check_name_free(session, name, configuration_id)
    return fields


def _validated_defaults(
    fields: Mapping[str, Any], defaults: Mapping[str, object], problems: list[str]
) -> dict[str, Any]:
    """The defaults as the settings' values under the configuration ``fields`` describe; every problem is added to
    ``problems``."""
    policy = SyncPolicy(**fields)
    values: dict[str, SettingValue] = {}
    for key, raw in defaults.items():
        if key == MAX_DELETE_SHARE_KEY:
            problems.append(f"defaults: {key} is not a user setting; set the configuration's max_delete_share.")
            continue
        setting = CATALOGUE.get(key)
        if setting is None:
            problems.append(f"defaults: {key!r} is not a setting. The settings are: {', '.join(CATALOGUE)}.")
            continue
        if raw is None:
            problems.append(f"defaults: give {key} a value, or leave it out.")
            continue
        try:
            value = setting.coerce(raw)
        except SettingValueError as error:
            problems.append(f"defaults: {error}")
            continue
        allowed = allowance(setting, policy)
        if not allowed.permits(value):
            problems.append(
                f"defaults: {key} cannot default to {format_value(value)}, which this configuration does not allow "
                f"(it allows {allowed.describe()})."
            )
            continue
        values[key] = value
    if not problems:  # the values of a user who changed nothing must make sense together
        configured = SyncPolicy(**fields, defaults=values)
        baseline = {key: resolved.value for key, resolved in resolve(configured, {}, repair=False).items()}
        problems.extend(f"defaults: {problem}" for problem in combination_problems(baseline))
    return dict(values)


def _check_name_free(session: Session, name: str, configuration_id: int | None) -> None:
    for policy in list_configurations(session):
        if policy.name.casefold() == name.casefold() and policy.id != configuration_id:
            raise Conflict(f"There is already a sync configuration named {policy.name!r}; choose another name.")


def _unique(values: Any) -> list[str]:
    seen: list[str] = []
    for value in values:
        if value not in seen:
            seen.append(value)
    return seen

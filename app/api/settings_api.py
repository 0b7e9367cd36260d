"""The settings JSON API: a user's effective sync settings and their history, and the admin's views of users'
settings and of sync configurations.

Callers authenticate with a bearer token or the web session cookie (:mod:`app.api.caller`); with the cookie,
every change needs the ``X-CSRF-Token`` header. Changes made with the cookie are audited as made on a page, those
made with a token as made through the API.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Body, Depends, Path, Response
from pydantic import BaseModel, Field, JsonValue

from app.api.caller import AdminCaller, ApiCaller, Caller, api_caller
from app.api.deps import DbSession
from app.models import ChangeSource, PolicyMode, SyncPolicy, User
from app.services import preferences, users
from app.services.preferences import ConfigurationSpec, EffectiveSettings, HistoryEntry, Resolved, SettingSource
from app.services.preferences.configurations import snapshot

router = APIRouter(prefix="/api", tags=["settings"], dependencies=[Depends(api_caller)])

#: Ids are 32-bit integers in the database; a larger number names nothing (and must not reach the database).
MAX_ID = 2_147_483_647
UserId = Annotated[int, Path(ge=1, le=MAX_ID, description="The user's id.")]
ConfigurationId = Annotated[int, Path(ge=1, le=MAX_ID, description="The sync configuration's id.")]
SETTING_CHANGES_EXAMPLE = {"contacts.direction": "sf_to_mailbox", "events.enabled": True, "sync.selection": None}


class ChoiceOut(BaseModel):
    """One value of a choice setting."""

    value: str = Field(description="The value as the API takes it.")
    label: str = Field(description="The value as a person reads it.")


class SettingOut(BaseModel):
    """One setting as it applies to the user."""

    key: str = Field(description="The setting's key, e.g. contacts.direction.")
    description: str = Field(description="What the setting does, in one line.")
    type: str = Field(description="boolean, integer, choice or list_view_id.")
    value: bool | int | str | None = Field(description="The value that applies now.")
    source: SettingSource = Field(
        description="Where the value comes from: enforced (fixed by the sync configuration), user (the user's "
        "choice), configuration (the configuration's default or only allowed value), default (the product's)."
    )
    locked: bool = Field(description="True when the user cannot change it.")
    allowed: list[bool | str] | None = Field(
        description="The values allowed now (boolean and choice settings); null for the others."
    )
    minimum: int | None = Field(description="The smallest number allowed (integer settings).")
    maximum: int | None = Field(description="The largest number allowed (integer settings).")
    choices: list[ChoiceOut] = Field(description="Every value of a choice setting, with its label.")
    note: str | None = Field(description="Why the user's own choice does not apply, when it does not.")


class AppliedConfigurationOut(BaseModel):
    """The admin's sync configuration that applies to the user."""

    id: int = Field(description="The configuration's id.")
    name: str = Field(description="The configuration's name.")
    mode: PolicyMode = Field(description="defaults or enforced.")
    matched_by: Literal["email", "role"] = Field(description="Whether it names the user's email or their role.")


class SettingsOut(BaseModel):
    """A user's effective sync settings."""

    user_id: int = Field(description="Whose settings these are.")
    email: str = Field(description="The user's email address.")
    configuration: AppliedConfigurationOut | None = Field(
        description="The sync configuration that applies; null: the built-in default (everything allowed)."
    )
    settings: list[SettingOut] = Field(description="Every setting, in the order the settings page shows them.")
    max_delete_share: float = Field(
        description="Set by the configuration: a pass that would delete more than this share of a side's synced "
        "items stops."
    )
    relate_events: bool = Field(description="Set by the configuration: synced events are related to people.")


class ChangeOut(BaseModel):
    """One audited change."""

    id: int = Field(description="The change's id.")
    action: str = Field(description="user_setting, configuration_created, configuration_updated, ...")
    key: str = Field(description="The setting key (or configuration field) changed.")
    old_value: JsonValue = Field(description="The value before; null: not set (the default applied).")
    new_value: JsonValue = Field(description="The value after; null: not set (the default applies).")
    source: ChangeSource = Field(description="Where it was changed: page, api or cli.")
    changed_at: datetime = Field(description="When (UTC).")
    actor_email: str | None = Field(description="Who changed it; null from the command line.")


class HistoryOut(BaseModel):
    """Changes, newest first."""

    changes: list[ChangeOut] = Field(description="The changes, newest first (at most 200).")


class ConfigurationOut(ConfigurationSpec):
    """A sync configuration as stored."""

    id: int = Field(description="The configuration's id.")
    created_at: datetime = Field(description="When it was created (UTC).")
    updated_at: datetime = Field(description="When it was last changed (UTC).")


class ConfigurationsOut(BaseModel):
    """Every sync configuration, in the order they are considered."""

    configurations: list[ConfigurationOut] = Field(description="By priority (lower first), then name.")


SettingChanges = Annotated[
    dict[str, JsonValue],
    Body(
        description="The settings to change, by key. null takes your own value away, so the configuration's or the "
        "product's default applies again. Nothing is changed unless every value is acceptable.",
        examples=[SETTING_CHANGES_EXAMPLE],
    ),
]


def _source(caller: Caller) -> ChangeSource:
    return ChangeSource.PAGE if caller.via == "session" else ChangeSource.API


def _setting_out(resolved: Resolved) -> SettingOut:
    definition = resolved.setting
    allowed = resolved.allowed.values
    return SettingOut(
        key=definition.key,
        description=definition.description,
        type=definition.kind.value,
        value=resolved.value,
        source=resolved.source,
        locked=resolved.locked,
        allowed=[value for value in allowed if isinstance(value, bool | str)] if allowed is not None else None,
        minimum=definition.minimum,
        maximum=definition.maximum,
        choices=[ChoiceOut(value=choice.value, label=choice.label) for choice in definition.choices],
        note=resolved.note,
    )


def _settings_out(user: User, effective: EffectiveSettings) -> SettingsOut:
    applied = effective.configuration
    configuration = None
    if applied is not None:
        assert applied.policy.id is not None
        configuration = AppliedConfigurationOut(
            id=applied.policy.id, name=applied.policy.name, mode=applied.policy.mode, matched_by=applied.matched_by
        )
    return SettingsOut(
        user_id=effective.user_id,
        email=user.email,
        configuration=configuration,
        settings=[_setting_out(resolved) for resolved in effective.settings.values()],
        max_delete_share=effective.max_delete_share,
        relate_events=effective.relate_events,
    )


def _history_out(entries: list[HistoryEntry]) -> HistoryOut:
    return HistoryOut(
        changes=[
            ChangeOut(
                id=entry.id,
                action=entry.action,
                key=entry.key,
                old_value=entry.old_value,
                new_value=entry.new_value,
                source=entry.source,
                changed_at=entry.changed_at,
                actor_email=entry.actor_email,
            )
            for entry in entries
        ]
    )


def _configuration_out(policy: SyncPolicy) -> ConfigurationOut:
    return ConfigurationOut.model_validate(
        {**snapshot(policy), "id": policy.id, "created_at": policy.created_at, "updated_at": policy.updated_at}
    )


# --- the caller's own settings ---------------------------------------------------------------------------------


@router.get("/settings", summary="Your sync settings")
def my_settings(caller: ApiCaller, db: DbSession) -> SettingsOut:
    """Every sync setting as it applies to you: its value, where it comes from, and what you may change it to."""
    return _settings_out(caller.user, preferences.effective_settings(db, caller.user))


@router.patch("/settings", summary="Change your sync settings")
def change_my_settings(caller: ApiCaller, db: DbSession, changes: SettingChanges) -> SettingsOut:
    """Change some of your settings; they apply from the next sync pass. A value the sync configuration does not
    allow, or values that do not make sense together, are refused (422) and nothing is changed."""
    effective = preferences.change_settings(db, caller.user, changes, actor=caller.user, source=_source(caller))
    return _settings_out(caller.user, effective)


@router.get("/settings/history", summary="Changes of your sync settings")
def my_history(caller: ApiCaller, db: DbSession) -> HistoryOut:
    """Who changed your settings, from where, when, and from what to what."""
    assert caller.user.id is not None
    return _history_out(preferences.user_history(db, caller.user.id))


# --- the admin's views ----------------------------------------------------------------------------------------


@router.get("/admin/users/{user_id}/settings", summary="A user's sync settings (admins)")
def user_settings(user_id: UserId, _admin: AdminCaller, db: DbSession) -> SettingsOut:
    """The settings as they apply to the user: the same view the user has."""
    user = users.get_user(db, user_id)
    return _settings_out(user, preferences.effective_settings(db, user))


@router.patch("/admin/users/{user_id}/settings", summary="Change a user's sync settings (admins)")
def change_user_settings(user_id: UserId, admin: AdminCaller, db: DbSession, changes: SettingChanges) -> SettingsOut:
    """Change a user's settings within what their sync configuration allows (to go further, change the
    configuration). Audited under your name."""
    user = users.get_user(db, user_id)
    effective = preferences.change_settings(db, user, changes, actor=admin.user, source=_source(admin))
    return _settings_out(user, effective)


@router.get("/admin/sync-configurations", summary="Sync configurations (admins)")
def list_configurations(_admin: AdminCaller, db: DbSession) -> ConfigurationsOut:
    """Every sync configuration. The one that applies to a user: the lowest priority among those naming their
    email; else the lowest priority among those naming their role; else the built-in default."""
    return ConfigurationsOut(configurations=[_configuration_out(p) for p in preferences.list_configurations(db)])


@router.post("/admin/sync-configurations", status_code=201, summary="Add a sync configuration (admins)")
def create_configuration(admin: AdminCaller, db: DbSession, spec: ConfigurationSpec) -> ConfigurationOut:
    """Add a configuration. Unknown setting keys, defaults it does not itself allow, and a name in use are
    refused."""
    policy = preferences.create_configuration(db, spec, actor=admin.user, source=_source(admin))
    return _configuration_out(policy)


@router.get("/admin/sync-configurations/{configuration_id}", summary="A sync configuration (admins)")
def get_configuration(configuration_id: ConfigurationId, _admin: AdminCaller, db: DbSession) -> ConfigurationOut:
    """One configuration."""
    return _configuration_out(preferences.get_configuration(db, configuration_id))


@router.put("/admin/sync-configurations/{configuration_id}", summary="Replace a sync configuration (admins)")
def replace_configuration(
    configuration_id: ConfigurationId, admin: AdminCaller, db: DbSession, spec: ConfigurationSpec
) -> ConfigurationOut:
    """Replace a configuration as a whole; it applies to its users from their next pass."""
    policy = preferences.update_configuration(db, configuration_id, spec, actor=admin.user, source=_source(admin))
    return _configuration_out(policy)


@router.delete(
    "/admin/sync-configurations/{configuration_id}",
    status_code=204,
    response_class=Response,
    summary="Delete a sync configuration (admins)",
)
def delete_configuration(configuration_id: ConfigurationId, admin: AdminCaller, db: DbSession) -> Response:
    """Delete a configuration; its users fall to the next configuration that names them, or the built-in one."""
    preferences.delete_configuration(db, configuration_id, actor=admin.user, source=_source(admin))
    return Response(status_code=204)

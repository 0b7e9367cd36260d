"""Sync settings: the catalogue's validation, configurations and which one applies, effective values, the audit."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.db import create_db_engine, unit_of_work
from app.errors import Conflict, InvalidInput, NotFound
from app.migrations import downgrade, upgrade
from app.models import ChangeSource, SettingChange, SyncPolicy, User, UserSetting
from app.services import preferences
from app.services.preferences import ConfigurationSpec, SettingSource
from app.services.sync_settings import contact_sync_settings
from app.sync.config import Direction
from tests.accounts_support import add_user
from tests.databases import TestDatabases

LIST_VIEW = "00B5e00000AbCdEFGH"


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    """A session whose work is committed when the test ends well (the tables are emptied after it)."""
    with unit_of_work(engine) as session:
        yield session


@pytest.fixture
def rep(engine: Engine) -> User:
    return add_user(engine, "rep.one@example.com")


@pytest.fixture
def admin(engine: Engine) -> User:
    return add_user(engine, "it.admin@example.com", admin=True)


def spec(**fields: Any) -> ConfigurationSpec:
    return ConfigurationSpec(**{"name": "Sales", "roles": ["rep"], **fields})


def create(db: Session, **fields: Any) -> SyncPolicy:
    return preferences.create_configuration(db, spec(**fields), actor=None, source="cli")


def effective(db: Session, user: User) -> preferences.EffectiveSettings:
    return preferences.effective_settings(db, user)


def change(db: Session, user: User, actor: User | None = None, **changes: Any) -> preferences.EffectiveSettings:
    return preferences.change_settings(
        db, user, {key.replace("__", "."): value for key, value in changes.items()}, actor=actor, source="api"
    )


# --- the catalogue ---------------------------------------------------------------------------------------------


def test_the_catalogue_has_every_setting_with_a_description_and_a_valid_default() -> None:
    assert list(preferences.CATALOGUE) == [
        "sync.selection",
        "sync.include_private",
        "sync.conflict_policy",
        "contacts.enabled",
        "contacts.direction",
        "contacts.scope",
        "contacts.list_view_id",
        "contacts.forbid_to_remove",
        "events.enabled",
        "events.direction",
        "events.window_past_days",
        "events.window_future_days",
        "events.series",
        "tasks.enabled",
        "tasks.direction",
        "tasks.forbid_to_remove",
    ]
    for definition in preferences.CATALOGUE.values():
        assert definition.description and "\n" not in definition.description
        assert definition.coerce(definition.default) == definition.default
    assert "sync.max_delete_share" not in preferences.CATALOGUE


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("contacts.enabled", "true", "contacts.enabled must be true or false, not 'true'"),
        ("events.window_past_days", 366, "between 0 and 365, not 366"),
        ("events.window_future_days", 0, "between 1 and 730, not 0"),
        ("events.window_past_days", True, "whole number, not true"),
        ("events.window_past_days", 7.5, "whole number, not 7.5"),
        ("contacts.direction", "sideways", "one of both, sf_to_mailbox, mailbox_to_sf, not 'sideways'"),
        ("contacts.list_view_id", "00B123", "15 or 18 letters and digits"),
        ("contacts.list_view_id", "003000000000001AAA", "starts with 00B"),
        ("contacts.list_view_id", ["00B"], "not a list"),
    ],
)
def test_values_are_checked_by_type_and_choices(key: str, value: object, message: str) -> None:
    with pytest.raises(preferences.SettingValueError, match=re.escape(message)):
        preferences.setting(key).coerce(value)


def test_text_values_are_parsed_by_the_settings_type() -> None:
    assert preferences.setting("contacts.enabled").parse("False") is False
    assert preferences.setting("events.window_past_days").parse(" 30 ") == 30
    assert preferences.setting("sync.selection").parse("manual") == "manual"
    assert preferences.setting("contacts.list_view_id").parse("none") is None
    assert preferences.setting("contacts.list_view_id").parse(LIST_VIEW) == LIST_VIEW
    with pytest.raises(preferences.SettingValueError, match="whole number, not 'thirty'"):
        preferences.setting("events.window_past_days").parse("thirty")
    with pytest.raises(preferences.SettingValueError, match=r"'contacts.colour' is not a setting"):
        preferences.setting("contacts.colour")


# --- changing a user's settings ------------------------------------------------------------------------------


def test_without_a_configuration_the_product_defaults_apply(db: Session, rep: User) -> None:
    settings = effective(db, rep)
    assert settings.configuration is None
    assert settings.value("contacts.direction") == "both"
    assert settings.value("events.enabled") is False
    assert settings.value("events.window_past_days") == 7
    assert settings.value("tasks.forbid_to_remove") is True
    assert {resolved.source for resolved in settings.settings.values()} == {SettingSource.DEFAULT}
    assert settings.settings["contacts.direction"].allowed.values == ("both", "sf_to_mailbox", "mailbox_to_sf")
    assert settings.max_delete_share == 0.2


def test_a_change_is_stored_audited_and_applies_to_the_next_pass(db: Session, rep: User, admin: User) -> None:
    after = change(db, rep, admin, contacts__direction="sf_to_mailbox", sync__selection="manual")

    assert after.value("contacts.direction") == "sf_to_mailbox"
    assert after.settings["contacts.direction"].source is SettingSource.USER
    assert contact_sync_settings(db, rep).direction is Direction.SF_TO_MAILBOX
    history = preferences.user_history(db, rep.id or 0)
    assert {(entry.key, entry.old_value, entry.new_value) for entry in history} == {
        ("contacts.direction", None, "sf_to_mailbox"),
        ("sync.selection", None, "manual"),
    }
    assert {(entry.actor_email, entry.source) for entry in history} == {(admin.email, ChangeSource.API)}


def test_bad_input_writes_nothing_and_names_every_key(db: Session, rep: User) -> None:
    with pytest.raises(InvalidInput) as refused:
        change(db, rep, contacts__direction="both_ways", events__window_past_days=400, contacts__enabled=False)

    assert "contacts.direction must be one of" in refused.value.message
    assert "events.window_past_days must be between 0 and 365" in refused.value.message
    assert db.exec(select(UserSetting)).all() == []
    assert db.exec(select(SettingChange)).all() == []


def test_unknown_keys_are_refused(db: Session, rep: User) -> None:
    with pytest.raises(InvalidInput, match=r"'sync.max_delete_share' is not a setting"):
        change(db, rep, sync__max_delete_share=0.5)


def test_several_unknown_keys_are_named_in_one_sentence(db: Session, rep: User) -> None:
    with pytest.raises(
        InvalidInput, match=r"^'contacts\.colour', 'sync\.speed' are not settings\. The settings are: sync"
    ):
        preferences.change_settings(db, rep, {"contacts.colour": "red", "sync.speed": 3}, actor=None, source="cli")


def test_a_list_view_scope_needs_a_list_view(db: Session, rep: User) -> None:
    with pytest.raises(InvalidInput, match=r"contacts.scope list_view needs a list view"):
        change(db, rep, contacts__scope="list_view")

    after = change(db, rep, contacts__scope="list_view", contacts__list_view_id=LIST_VIEW)
    assert contact_sync_settings(db, rep).list_view_id == LIST_VIEW
    assert after.value("contacts.scope") == "list_view"

    with pytest.raises(InvalidInput, match="needs a list view"):
        change(db, rep, contacts__list_view_id=None)  # taking the list view away would leave the scope without one


def test_none_takes_the_users_value_away_and_equal_values_change_nothing(db: Session, rep: User) -> None:
    change(db, rep, contacts__direction="mailbox_to_sf")
    change(db, rep, contacts__direction="mailbox_to_sf", contacts__enabled=True)  # same and default: no change
    after = change(db, rep, contacts__direction=None)

    assert after.settings["contacts.direction"].source is SettingSource.DEFAULT
    assert db.exec(select(UserSetting)).all() == []
    assert [(entry.old_value, entry.new_value) for entry in preferences.user_history(db, rep.id or 0)] == [
        ("mailbox_to_sf", None),
        (None, "mailbox_to_sf"),
    ]


def test_unknown_and_outdated_stored_values_are_passed_over(db: Session, rep: User) -> None:
    db.add(UserSetting(user_id=rep.id, key="sync.contacts", value={"enabled": True}))
    db.add(UserSetting(user_id=rep.id, key="contacts.direction", value="upwards"))
    db.flush()

    settings = effective(db, rep)

    assert settings.value("contacts.direction") == "both"
    assert "not a valid value any more" in (settings.settings["contacts.direction"].note or "")


# --- configurations ------------------------------------------------------------------------------------------


def test_email_beats_role_beats_the_built_in_default_and_priority_decides(db: Session, rep: User, admin: User) -> None:
    by_role = create(db, name="Reps", roles=["rep"], priority=1)
    create(db, name="Reps later", roles=["rep"], priority=50)
    by_email = create(db, name="Rep one", user_emails=["Rep.One@Example.com"], roles=[], priority=99)
    later = create(db, name="Rep one later", user_emails=[rep.email], roles=[], priority=100)

    applied = preferences.configuration_for(db, rep)
    assert applied is not None and (applied.policy.id, applied.matched_by) == (by_email.id, "email")
    assert preferences.configuration_for(db, admin) is None

    preferences.delete_configuration(db, by_email.id or 0, actor=admin, source="page")
    applied = preferences.configuration_for(db, rep)
    assert applied is not None and (applied.policy.id, applied.matched_by) == (later.id, "email")

    preferences.delete_configuration(db, later.id or 0, actor=None, source="cli")
    applied = preferences.configuration_for(db, rep)
    assert applied is not None and (applied.policy.id, applied.matched_by) == (by_role.id, "role")


def test_defaults_mode_gives_defaults_the_user_may_change_within_what_it_allows(db: Session, rep: User) -> None:
    create(
        db,
        directions={"contact": ["both", "sf_to_mailbox"]},
        defaults={"contacts.direction": "sf_to_mailbox", "events.enabled": True},
    )

    settings = effective(db, rep)
    assert settings.value("contacts.direction") == "sf_to_mailbox"
    assert settings.settings["contacts.direction"].source is SettingSource.CONFIGURATION
    assert settings.settings["contacts.direction"].allowed.values == ("both", "sf_to_mailbox")
    assert settings.value("events.enabled") is True

    assert change(db, rep, contacts__direction="both").value("contacts.direction") == "both"
    with pytest.raises(InvalidInput, match=r"contacts.direction cannot be mailbox_to_sf: .*'Sales' allows both, sf_to"):
        change(db, rep, contacts__direction="mailbox_to_sf")


def test_enforced_values_are_fixed(db: Session, rep: User) -> None:
    change(db, rep, sync__conflict_policy="mailbox_wins")
    create(db, mode="enforced", defaults={"sync.conflict_policy": "newest_wins"})

    settings = effective(db, rep)
    resolved = settings.settings["sync.conflict_policy"]
    assert (resolved.value, resolved.source, resolved.locked) == ("newest_wins", SettingSource.ENFORCED, True)
    assert "does not apply" in (resolved.note or "")
    assert not settings.settings["contacts.direction"].locked  # what it does not name stays the user's
    with pytest.raises(InvalidInput, match=r"sync.conflict_policy is set to newest_wins by .* cannot be changed"):
        change(db, rep, sync__conflict_policy="salesforce_wins")
    change(db, rep, sync__conflict_policy="newest_wins")  # sending the fixed value back is no change


def test_a_stored_value_no_longer_allowed_falls_back_and_comes_back_when_allowed_again(
    db: Session, rep: User, admin: User
) -> None:
    change(db, rep, sync__include_private=True, contacts__forbid_to_remove=False)
    policy = create(db, allow_private=False, allow_mailbox_deletions=False)

    settings = effective(db, rep)
    assert settings.value("sync.include_private") is False
    assert settings.settings["sync.include_private"].locked
    assert "allows false" in (settings.settings["sync.include_private"].note or "")
    assert settings.value("contacts.forbid_to_remove") is True
    assert settings.value("tasks.forbid_to_remove") is True
    assert contact_sync_settings(db, rep).include_private is False

    preferences.update_configuration(db, policy.id or 0, spec(), actor=admin, source="page")
    assert effective(db, rep).value("sync.include_private") is True


def test_item_types_and_scopes_a_configuration_leaves_out_cannot_be_chosen(db: Session, rep: User) -> None:
    change(db, rep, contacts__scope="all")
    create(db, item_types=["contact"], contact_scopes=["mine"], selection_methods=["manual"], max_delete_share=0.05)

    settings = effective(db, rep)
    assert settings.value("contacts.scope") == "mine"
    assert settings.value("sync.selection") == "manual"  # the product default is not allowed: the allowed one
    assert settings.settings["sync.selection"].source is SettingSource.CONFIGURATION
    assert settings.settings["events.enabled"].allowed.values == (False,)
    assert contact_sync_settings(db, rep).max_delete_share == 0.05
    with pytest.raises(InvalidInput, match=r"events.enabled is set to false"):
        change(db, rep, events__enabled=True)


def test_a_list_view_scope_losing_its_list_view_falls_back_instead_of_breaking_the_pass(
    db: Session, rep: User, admin: User
) -> None:
    policy = create(db, defaults={"contacts.list_view_id": LIST_VIEW})
    change(db, rep, contacts__scope="list_view")
    preferences.update_configuration(db, policy.id or 0, spec(), actor=admin, source="api")

    settings = effective(db, rep)
    assert settings.value("contacts.scope") == "mine"
    assert "needs a list view" in (settings.settings["contacts.scope"].note or "")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"defaults": {"contacts.colour": "red"}}, "'contacts.colour' is not a setting"),
        ({"defaults": {"sync.max_delete_share": 0.5}}, "set the configuration's max_delete_share"),
        ({"defaults": {"events.window_past_days": 999}}, "between 0 and 365"),
        (
            {"directions": {"contact": ["sf_to_mailbox"]}, "defaults": {"contacts.direction": "both"}},
            "contacts.direction cannot default to both, which this configuration does not allow",
        ),
        ({"defaults": {"contacts.scope": "list_view"}}, "needs a list view"),
        ({"contact_scopes": ["list_view"]}, "needs a list view"),
        ({"roles": [], "user_emails": []}, "applies to nobody"),
        ({"user_emails": ["not an address"]}, "user_emails: 'not an address' is not an email address"),
        ({"selection_methods": []}, "at least one selection method"),
        ({"directions": {"event": []}}, "at least one direction for events"),
        ({"name": "   "}, "Give the configuration a name"),
    ],
)
def test_impossible_configurations_are_refused(db: Session, fields: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidInput, match=re.escape(message)):
        create(db, **fields)
    assert db.exec(select(SyncPolicy)).all() == []
    assert db.exec(select(SettingChange)).all() == []


def test_duplicate_names_are_refused_whatever_their_case(db: Session) -> None:
    create(db, name="Field sales")
    with pytest.raises(Conflict, match="already a sync configuration named 'Field sales'"):
        create(db, name="field  SALES")
    other = create(db, name="Inside sales")
    with pytest.raises(Conflict):
        preferences.update_configuration(db, other.id or 0, spec(name="Field Sales"), actor=None, source="cli")


def test_configuration_changes_are_audited_field_by_field(db: Session, admin: User) -> None:
    policy = create(db, name="Reps")
    assert policy.id is not None
    preferences.update_configuration(
        db, policy.id, spec(name="Reps", priority=5, defaults={"events.enabled": True}), actor=admin, source="page"
    )
    preferences.delete_configuration(db, policy.id, actor=admin, source="page")

    history = preferences.configuration_history(db, policy.id)
    assert [(entry.action, entry.key) for entry in history] == [
        ("configuration_deleted", "configuration"),
        ("configuration_updated", "defaults"),
        ("configuration_updated", "priority"),
        ("configuration_created", "configuration"),
    ]
    updated = {entry.key: (entry.old_value, entry.new_value) for entry in history if entry.action.endswith("updated")}
    assert updated == {"priority": (100, 5), "defaults": ({}, {"events.enabled": True})}
    assert history[0].old_value["name"] == "Reps" and history[0].new_value is None
    assert {entry.user_id for entry in history} == {None}
    with pytest.raises(NotFound):
        preferences.get_configuration(db, policy.id)


def test_a_removed_users_history_goes_with_them_and_an_actors_removal_keeps_the_rows(
    engine: Engine, rep: User, admin: User
) -> None:
    other_admin = add_user(engine, "second.admin@example.com", admin=True)
    with unit_of_work(engine) as db:
        change(db, rep, other_admin, contacts__enabled=False)
        change(db, admin, other_admin, contacts__enabled=False)
    with unit_of_work(engine) as db:
        db.delete(db.get(User, other_admin.id))
    with unit_of_work(engine) as db:
        history = preferences.user_history(db, admin.id or 0)
        assert [(entry.key, entry.actor_email) for entry in history] == [("contacts.enabled", None)]
        db.delete(db.get(User, rep.id))
    with Session(engine) as db:
        assert [row.user_id for row in db.exec(select(SettingChange))] == [admin.id]


def test_migration_0004_moves_the_renamed_keys_and_back(test_databases: TestDatabases) -> None:
    url = test_databases.create()
    upgrade(url, "0003")
    engine = create_db_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO users (id, email, name, mail_provider, role, created_at, updated_at) "
                    "VALUES (1, 'a@example.com', 'A', 'microsoft', 'rep', :now, :now), "
                    "(2, 'b@example.com', 'B', 'microsoft', 'rep', :now, :now)"
                ),
                {"now": datetime(2026, 11, 1, tzinfo=UTC)},
            )
            rows = [
                (1, "contacts.selection", '"manual"'),
                (1, "contacts.include_private", "true"),
                (2, "contacts.selection", '"manual"'),
                (2, "sync.selection", '"automatic"'),  # already under the new key: that value is kept
            ]
            for user_id, key, value in rows:
                connection.execute(
                    sa.text("INSERT INTO user_settings (user_id, key, value, updated_at) VALUES (:u, :k, :v, :now)"),
                    {"u": user_id, "k": key, "v": value, "now": datetime(2026, 11, 1, tzinfo=UTC)},
                )

        def keys() -> set[tuple[int, str, object]]:
            with engine.connect() as connection:
                found = connection.execute(sa.text("SELECT user_id, key, CAST(value AS TEXT) FROM user_settings"))
                return {(row[0], row[1], json.loads(row[2])) for row in found}

        upgrade(url)
        assert keys() == {
            (1, "sync.selection", "manual"),
            (1, "sync.include_private", True),
            (2, "sync.selection", "automatic"),
        }
        downgrade(url, "0003")
        assert keys() == {
            (1, "contacts.selection", "manual"),
            (1, "contacts.include_private", True),
            (2, "contacts.selection", "automatic"),
        }
    finally:
        engine.dispose()

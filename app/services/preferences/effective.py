"""A user's effective settings, and changing them (validated as a whole, written all or nothing, audited)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.errors import InvalidInput
from app.models import ChangeSource, User, UserSetting
from app.services.preferences.audit import AuditAction, change_source, record_change
from app.services.preferences.catalogue import (
    CATALOGUE,
    COMBINATIONS,
    SettingValue,
    SettingValueError,
    format_value,
)
from app.services.preferences.configurations import (
    DEFAULT_MAX_DELETE_SHARE,
    AppliedConfiguration,
    configuration_for,
)
from app.services.preferences.resolution import Resolved, resolve


@dataclass(frozen=True)
class EffectiveSettings:
    """What applies to one user: every setting (value, source, what is allowed), the configuration behind it, and
    the admin-only values of that configuration."""

    user_id: int
    configuration: AppliedConfiguration | None
    settings: Mapping[str, Resolved]
    max_delete_share: float
    relate_events: bool
    mailbox_deletions_allowed: bool = True

    def value(self, key: str) -> SettingValue:
        """The effective value of ``key``."""
        return self.settings[key].value

    def values(self) -> dict[str, SettingValue]:
        """Every effective value, by key."""
        return {key: resolved.value for key, resolved in self.settings.items()}


def stored_settings(session: Session, user_id: int) -> dict[str, object]:
    """Every value the user stored, by key (including keys crmbridge no longer knows)."""
    rows = session.exec(select(UserSetting).where(col(UserSetting.user_id) == user_id)).all()
    return {row.key: row.value for row in rows}


def effective_settings(session: Session, user: User) -> EffectiveSettings:
    """The settings that apply to ``user`` now (a sync pass reads them at its start)."""
    assert user.id is not None
    applied = configuration_for(session, user)
    return _effective(user.id, applied, stored_settings(session, user.id))


def _effective(user_id: int, applied: AppliedConfiguration | None, stored: Mapping[str, object]) -> EffectiveSettings:
    policy = applied.policy if applied is not None else None
    return EffectiveSettings(
        user_id=user_id,
        configuration=applied,
        settings=resolve(policy, stored),
        max_delete_share=policy.max_delete_share if policy is not None else DEFAULT_MAX_DELETE_SHARE,
        relate_events=policy.relate_events if policy is not None else True,
        mailbox_deletions_allowed=policy.allow_mailbox_deletions if policy is not None else True,
    )


def change_settings(
    session: Session,
    user: User,
    changes: Mapping[str, object],
    *,
    actor: User | None,
    source: str | ChangeSource,
) -> EffectiveSettings:
    """Change some of ``user``'s settings and return the settings that then apply.

    A value of None takes the user's own value away (the configuration's default or the product's applies again).
    A value equal to the one that applies already changes nothing. Everything is checked first; InvalidInput names
    each key that cannot take its value and why, and then nothing is written. Each change is audited with ``actor``
    (None from the command line) and ``source``.
    """
    assert user.id is not None
    origin = change_source(source)
    applied = configuration_for(session, user)
    stored = stored_settings(session, user.id)
    current = _effective(user.id, applied, stored)
    wanted, problems = _checked(current, stored, changes)
    if not problems:
        after = {**stored, **{key: value for key, value in wanted.items() if value is not None}}
        for key in [key for key, value in wanted.items() if value is None]:
            after.pop(key, None)
        policy = applied.policy if applied is not None else None
        unrepaired = {key: resolved.value for key, resolved in resolve(policy, after, repair=False).items()}
        for rule in COMBINATIONS:  # a rule broken before and untouched now is worked around, not blamed on this
            problem = rule.problem(unrepaired)
            if problem is not None and any(key in wanted for key in rule.keys):
                problems.append(problem)
    if problems:
        raise InvalidInput(" ".join(problems))
    for key, value in wanted.items():
        _store(session, user.id, key, value)
        record_change(
            session,
            action=AuditAction.USER_SETTING,
            actor=actor,
            source=origin,
            key=key,
            old_value=stored.get(key),
            new_value=value,
            user_id=user.id,
        )
    session.flush()
    return effective_settings(session, user)


def _checked(
    current: EffectiveSettings, stored: Mapping[str, object], changes: Mapping[str, object]
) -> tuple[dict[str, SettingValue], list[str]]:
    """The changes that change something (None: take the stored value away), and the problems found."""
    wanted: dict[str, SettingValue] = {}
    problems: list[str] = []
    unknown = [key for key in changes if key not in CATALOGUE]
    if len(unknown) == 1:
        problems.append(f"{unknown[0]!r} is not a setting. The settings are: {', '.join(CATALOGUE)}.")
    elif unknown:
        names = ", ".join(repr(key) for key in unknown[:10]) + (", ..." if len(unknown) > 10 else "")
        problems.append(f"{names} are not settings. The settings are: {', '.join(CATALOGUE)}.")
    for key, raw in changes.items():
        if key in unknown:
            continue
        try:
            value = CATALOGUE[key].coerce(raw) if raw is not None else None
        except SettingValueError as error:
            problems.append(str(error))
            continue
        resolved = current.settings[key]
        if raw is None:
            if key in stored:
                wanted[key] = None
            continue
        if value == resolved.value and (stored.get(key) == value or key not in stored or resolved.locked):
            continue  # nothing to change (a page may send every field, changed or not)
        if resolved.locked:
            problems.append(_locked_message(current, key))
        elif not resolved.allowed.permits(value):
            problems.append(
                f"{key} cannot be {format_value(value)}: {_configuration_name(current)} allows "
                f"{resolved.allowed.describe()}."
            )
        else:
            wanted[key] = value
    return wanted, problems


def _locked_message(current: EffectiveSettings, key: str) -> str:
    value = format_value(current.settings[key].value)
    return f"{key} is set to {value} by {_configuration_name(current)} and cannot be changed; ask your administrator."


def _configuration_name(current: EffectiveSettings) -> str:
    if current.configuration is None:
        return "crmbridge"
    return f"your administrator's sync configuration {current.configuration.policy.name!r}"


def _store(session: Session, user_id: int, key: str, value: SettingValue) -> None:
    row = session.get(UserSetting, (user_id, key))
    if value is None:
        if row is not None:
            session.delete(row)
        return
    if row is None:
        row = UserSetting(user_id=user_id, key=key, value=value)
    row.value = value
    session.add(row)

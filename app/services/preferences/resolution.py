"""How each setting's value is decided from a configuration and a user's stored values (pure: no database).

For each key, the first of these that the configuration allows: the configuration's value when it is enforced;
the user's stored value; the configuration's default; the product default; the first value the configuration
allows. Stored values that are not valid any more (an old type, a removed choice) are passed over. When stored
values break a rule across settings (a list view scope without a list view), the blamed key falls to its next
candidate that keeps the rule, and says why.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from app.models import PolicyMode, SyncPolicy
from app.services.preferences.allowances import Allowance, allowance
from app.services.preferences.catalogue import (
    CATALOGUE,
    COMBINATIONS,
    Setting,
    SettingValue,
    SettingValueError,
    format_value,
)


class SettingSource(enum.StrEnum):
    """Where a setting's effective value comes from."""

    #: Fixed by the configuration that applies (enforced mode); the user cannot change it.
    ENFORCED = "enforced"
    #: The user's own choice.
    USER = "user"
    #: The configuration's default, or the only value(s) it allows.
    CONFIGURATION = "configuration"
    #: The product's default.
    DEFAULT = "default"


@dataclass(frozen=True)
class Resolved:
    """One setting's effective value, where it comes from, and what is allowed."""

    setting: Setting
    value: SettingValue
    source: SettingSource
    allowed: Allowance
    note: str | None = None

    @property
    def locked(self) -> bool:
        """True when the user cannot change it (enforced, or only one value is allowed)."""
        return self.source is SettingSource.ENFORCED or self.allowed.single


@dataclass(frozen=True)
class _Candidate:
    value: SettingValue
    source: SettingSource


def resolve(policy: SyncPolicy | None, stored: Mapping[str, object], *, repair: bool = True) -> dict[str, Resolved]:
    """Every setting's effective value under ``policy`` (None: the built-in default) for these stored values.

    ``repair=False`` leaves rules across settings broken (to report them rather than work around them).
    """
    allowed = {key: allowance(setting, policy) for key, setting in CATALOGUE.items()}
    options = {key: _candidates(setting, allowed[key], policy, stored) for key, setting in CATALOGUE.items()}
    chosen = dict.fromkeys(CATALOGUE, 0)
    notes = {key: _passed_over(CATALOGUE[key], allowed[key], policy, stored, options[key][0]) for key in CATALOGUE}
    for rule in COMBINATIONS if repair else ():
        values = {key: options[key][index].value for key, index in chosen.items()}
        problem = rule.problem(values)
        blamed = options[rule.blame]
        if problem is None or blamed[chosen[rule.blame]].source is SettingSource.ENFORCED:
            continue
        for index in range(chosen[rule.blame] + 1, len(blamed)):
            if rule.problem({**values, rule.blame: blamed[index].value}) is None:
                given_up = blamed[chosen[rule.blame]]
                whose = "Your choice " if given_up.source is SettingSource.USER else ""
                notes[rule.blame] = f"{whose}{format_value(given_up.value)} does not apply: {problem}"
                chosen[rule.blame] = index
                break
    return {
        key: Resolved(
            setting=setting,
            value=options[key][chosen[key]].value,
            source=options[key][chosen[key]].source,
            allowed=allowed[key],
            note=notes[key],
        )
        for key, setting in CATALOGUE.items()
    }


def _candidates(
    setting: Setting, allowed: Allowance, policy: SyncPolicy | None, stored: Mapping[str, object]
) -> list[_Candidate]:
    """The values the setting could take, best first, each valid and allowed (never empty)."""
    raw: list[tuple[object, SettingSource]] = []
    defaults = policy.defaults if policy is not None else {}
    if policy is not None and policy.mode is PolicyMode.ENFORCED and setting.key in defaults:
        raw.append((defaults[setting.key], SettingSource.ENFORCED))
    if setting.key in stored:
        raw.append((stored[setting.key], SettingSource.USER))
    if setting.key in defaults:
        raw.append((defaults[setting.key], SettingSource.CONFIGURATION))
    raw.append((setting.default, SettingSource.DEFAULT))
    raw.extend((value, SettingSource.CONFIGURATION) for value in allowed.values or ())
    found = []
    for value, source in raw:
        try:
            valid = setting.coerce(value)
        except SettingValueError:
            continue  # a stored value of an older kind
        if allowed.permits(valid):
            found.append(_Candidate(valid, source))
    return found or [_Candidate(setting.default, SettingSource.DEFAULT)]


def _passed_over(
    setting: Setting, allowed: Allowance, policy: SyncPolicy | None, stored: Mapping[str, object], chosen: _Candidate
) -> str | None:
    """Why the user's stored value does not apply, when it does not."""
    if setting.key not in stored or chosen.source is SettingSource.USER:
        return None
    name = f"the sync configuration {policy.name!r}" if policy is not None else "crmbridge"
    try:
        value = setting.coerce(stored[setting.key])
    except SettingValueError:
        return f"Your earlier choice {stored[setting.key]!r} is not a valid value any more."
    if chosen.source is SettingSource.ENFORCED:
        return f"Your choice {format_value(value)} does not apply: {name} sets this setting."
    return f"Your choice {format_value(value)} does not apply: {name} allows {allowed.describe()}."

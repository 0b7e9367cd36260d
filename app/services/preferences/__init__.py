"""Sync settings: the catalogue of user settings, admin sync configurations, effective settings and their audit.

Which configuration applies to a user: the lowest-priority configuration that names the user's email; else the
lowest-priority one that names their role; else the built-in default (everything allowed, the product defaults).

A user's effective setting, key by key: the applying configuration's value when it is enforced; else the user's
stored value if the configuration still allows it; else the configuration's default; else the product default (else
the first value the configuration allows) — each with its source and the values allowed.

Services never commit; the request or command that calls them does.
"""

from app.services.preferences.allowances import Allowance, allowance
from app.services.preferences.audit import (
    AuditAction,
    HistoryEntry,
    configuration_history,
    record_change,
    user_history,
)
from app.services.preferences.catalogue import (
    CATALOGUE,
    Kind,
    Setting,
    SettingValue,
    SettingValueError,
    format_value,
    setting,
)
from app.services.preferences.configurations import (
    AppliedConfiguration,
    ConfigurationSpec,
    configuration_for,
    create_configuration,
    delete_configuration,
    get_configuration,
    list_configurations,
    update_configuration,
)
from app.services.preferences.effective import (
    EffectiveSettings,
    change_settings,
    effective_settings,
    stored_settings,
)
from app.services.preferences.resolution import Resolved, SettingSource

__all__ = [
    "CATALOGUE",
    "Allowance",
    "AppliedConfiguration",
    "AuditAction",
    "ConfigurationSpec",
    "EffectiveSettings",
    "HistoryEntry",
    "Kind",
    "Resolved",
    "Setting",
    "SettingSource",
    "SettingValue",
    "SettingValueError",
    "allowance",
    "change_settings",
    "configuration_for",
    "configuration_history",
    "create_configuration",
    "delete_configuration",
    "effective_settings",
    "format_value",
    "get_configuration",
    "list_configurations",
    "record_change",
    "setting",
    "stored_settings",
    "update_configuration",
    "user_history",
]

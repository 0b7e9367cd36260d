"""The sandbox org's settings that tests and demos switch: features, duplicate rule, sharing, API allocation."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, cast

from app.sandbox.salesforce.schema import OBJECTS

#: Org-wide defaults: Private (owner only), Read (everyone reads, owner edits), ReadWrite (everyone).
SharingModel = Literal["Private", "Read", "ReadWrite"]
DuplicateAction = Literal["block", "alert"]
SHARING_MODELS: tuple[SharingModel, ...] = ("Private", "Read", "ReadWrite")

#: Objects whose org-wide default can be set; activities default to Private, as in a new Salesforce org.
DEFAULT_SHARING: Mapping[str, SharingModel] = {
    "Account": "ReadWrite",
    "Contact": "ReadWrite",
    "Lead": "ReadWrite",
    "Opportunity": "ReadWrite",
    "Case": "ReadWrite",
    "Event": "Private",
    "Task": "Private",
    "EmailMessage": "ReadWrite",
    "ContentDocument": "ReadWrite",
}
DEFAULT_DAILY_API_REQUESTS = 100_000


@dataclass
class OrgSettings:
    """What an admin would set in Setup."""

    enhanced_email: bool = True
    duplicate_rule_enabled: bool = False
    duplicate_rule_action: DuplicateAction = "block"
    sharing: dict[str, SharingModel] = field(default_factory=lambda: dict(DEFAULT_SHARING))
    daily_api_requests: int = DEFAULT_DAILY_API_REQUESTS

    def as_json(self) -> dict[str, Any]:
        """The settings as the control API shows them."""
        return {
            "enhanced_email": self.enhanced_email,
            "duplicate_rule": {"enabled": self.duplicate_rule_enabled, "action": self.duplicate_rule_action},
            "sharing": dict(self.sharing),
            "daily_api_requests": self.daily_api_requests,
        }

    def apply(self, patch: Mapping[str, Any]) -> None:
        """Change the settings named in ``patch`` (the :meth:`as_json` shape); raises ValueError for bad input."""
        unknown = set(patch) - {"enhanced_email", "duplicate_rule", "sharing", "daily_api_requests"}
        if unknown:
            raise ValueError(f"unknown settings: {', '.join(sorted(unknown))}")
        if "enhanced_email" in patch:
            self.enhanced_email = _boolean(patch["enhanced_email"], "enhanced_email")
        if "duplicate_rule" in patch:
            self._apply_duplicate_rule(patch["duplicate_rule"])
        if "sharing" in patch:
            self._apply_sharing(patch["sharing"])
        if "daily_api_requests" in patch:
            value = patch["daily_api_requests"]
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError("daily_api_requests must be a non-negative integer")
            self.daily_api_requests = value

    def _apply_duplicate_rule(self, value: Any) -> None:
        if not isinstance(value, Mapping) or set(value) - {"enabled", "action"}:
            raise ValueError('duplicate_rule must be an object with "enabled" and/or "action"')
        if "enabled" in value:
            self.duplicate_rule_enabled = _boolean(value["enabled"], "duplicate_rule.enabled")
        if "action" in value:
            if value["action"] not in ("block", "alert"):
                raise ValueError('duplicate_rule.action must be "block" or "alert"')
            self.duplicate_rule_action = cast(DuplicateAction, value["action"])

    def _apply_sharing(self, value: Any) -> None:
        if not isinstance(value, Mapping):
            raise ValueError("sharing must be an object of sObject name to Private, Read or ReadWrite")
        for name, model in value.items():
            if name not in DEFAULT_SHARING:
                known = ", ".join(sorted(DEFAULT_SHARING))
                raise ValueError(f"sharing for {name!r} cannot be set (one of {known})")
            if model not in SHARING_MODELS:
                raise ValueError(f"sharing model for {name} must be one of {', '.join(SHARING_MODELS)}")
            self.sharing[name] = cast(SharingModel, model)

    def sharing_model(self, sobject: str) -> SharingModel:
        """The org-wide default for ``sobject`` (ReadWrite for objects without one)."""
        return self.sharing.get(sobject, "ReadWrite")

    def object_available(self, sobject: str) -> bool:
        """Whether the org has ``sobject`` given its features."""
        definition = OBJECTS.get(sobject)
        if definition is None:
            return False
        return definition.feature != "enhanced_email" or self.enhanced_email


def _boolean(value: Any, name: str) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be true or false")
    return value

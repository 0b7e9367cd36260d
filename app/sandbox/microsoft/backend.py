"""The Graph emulator's state: one mailbox per Microsoft sandbox user, delta tokens, throttling and settings."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

from app.sandbox.directory import SandboxUser, UserDirectory
from app.sandbox.microsoft.categories import DEFAULT_CATEGORIES, category_entry
from app.sandbox.microsoft.delta import DeltaSettings, DeltaStore
from app.sandbox.microsoft.models import Mailbox
from app.sandbox.microsoft.throttling import Throttle, ThrottleSettings
from app.sandbox.state import SandboxState, Seed


@dataclass
class MicrosoftSettings:
    """Everything the control API can tune."""

    throttle: ThrottleSettings = field(default_factory=ThrottleSettings)
    delta: DeltaSettings = field(default_factory=DeltaSettings)

    def as_json(self) -> dict[str, Any]:
        """The settings as the control API shows them."""
        return {"throttle": asdict(self.throttle), "delta": asdict(self.delta)}

    def update(self, patch: dict[str, Any]) -> None:
        """Apply a partial update ``{"throttle": {...}, "delta": {...}}``; ValueError on unknown names or types."""
        sections: dict[str, ThrottleSettings | DeltaSettings] = {"throttle": self.throttle, "delta": self.delta}
        for section_name, values in patch.items():
            section = sections.get(section_name)
            if section is None or not isinstance(values, dict):
                raise ValueError(f"unknown settings section {section_name!r}")
            known = {f.name for f in fields(section)}
            for name, value in values.items():
                if name not in known:
                    raise ValueError(f"unknown setting {section_name}.{name}")
                current = getattr(section, name)
                if isinstance(current, bool) != isinstance(value, bool) or not isinstance(value, type(current)):
                    raise ValueError(f"{section_name}.{name} must be a {type(current).__name__}")
                if isinstance(value, int) and not isinstance(value, bool) and value < 0:
                    raise ValueError(f"{section_name}.{name} must not be negative")
            for name, value in values.items():
                setattr(section, name, value)


def new_mailbox(user: SandboxUser) -> Mailbox:
    """An empty mailbox with Outlook's well-known containers and default categories."""
    mailbox = Mailbox(user)
    mailbox.add_folder("contactFolder", {"displayName": "Contacts"}, well_known="contacts")
    mailbox.add_folder(
        "calendar",
        {"name": "Calendar", "isDefaultCalendar": True, "isRemovable": False, "color": "auto"},
        well_known="calendar",
    )
    mailbox.add_folder(
        "todoList", {"displayName": "Tasks", "wellknownListName": "defaultList"}, well_known="defaultList"
    )
    mailbox.add_folder(
        "todoList", {"displayName": "Flagged Emails", "wellknownListName": "flaggedEmails"}, well_known="flaggedEmails"
    )
    for name, display in (
        ("inbox", "Inbox"),
        ("sentitems", "Sent Items"),
        ("drafts", "Drafts"),
        ("deleteditems", "Deleted Items"),
    ):
        mailbox.add_folder("mailFolder", {"displayName": display}, well_known=name)
    for display, color in DEFAULT_CATEGORIES:
        mailbox.categories.append(category_entry(user.email, display, color))
    return mailbox


class MicrosoftBackend:
    """The Microsoft vendor backend (``state.backends["microsoft"]``)."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state
        self.settings = MicrosoftSettings()
        self.mailboxes: dict[str, Mailbox] = {}
        self.delta = DeltaStore(state.clock, self.settings.delta)
        self.throttle = Throttle(state.clock, self.settings.throttle)

    def reset(self, seed: Seed, directory: UserDirectory) -> None:
        """Empty every mailbox, restore default settings, and seed per ``seed``."""
        from app.sandbox.microsoft.seed import seed_mailbox

        self.settings = MicrosoftSettings()
        self.delta = DeltaStore(self.state.clock, self.settings.delta)
        self.throttle = Throttle(self.state.clock, self.settings.throttle)
        self.mailboxes.clear()
        for user in directory:
            if user.mail_provider == "microsoft":
                mailbox = new_mailbox(user)
                self.mailboxes[user.email] = mailbox
                seed_mailbox(mailbox, seed, self.state.clock.now())

    def user_added(self, user: SandboxUser) -> None:
        """Give a new Microsoft user an empty mailbox."""
        if user.mail_provider == "microsoft" and user.email not in self.mailboxes:
            self.mailboxes[user.email] = new_mailbox(user)

    def mailbox(self, email: str) -> Mailbox | None:
        """The mailbox of ``email``, if that user's mail is at Microsoft."""
        return self.mailboxes.get(email.strip().lower())

    def apply_settings(self, patch: dict[str, Any]) -> None:
        """Update settings in place (the throttle and delta store read them live)."""
        self.settings.update(patch)

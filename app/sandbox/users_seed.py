"""The demo users every seeded sandbox starts with: reps and an admin of the demo company."""

from __future__ import annotations

from app.sandbox.directory import SandboxUser


def demo_users() -> list[SandboxUser]:
    """New instances of the demo users (Microsoft and Google mailboxes; all but one are Salesforce users)."""
    return [
        SandboxUser("alex.morgan@example.com", "Alex Morgan", "microsoft", True, "Standard User"),
        SandboxUser("priya.shah@example.com", "Priya Shah", "google", True, "Standard User"),
        SandboxUser("sam.taylor@example.com", "Sam Taylor", "microsoft", True, "System Administrator"),
        SandboxUser("zoe.lefevre@example.com", "Zoë Lefèvre", "google", True, "Standard User"),
        SandboxUser("jordan.lee@example.com", "Jordan Lee", "microsoft", False, "Standard User"),
    ]

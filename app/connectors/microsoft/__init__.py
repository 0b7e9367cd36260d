"""Microsoft Graph (Outlook): the HTTP client, the contact mapping and the contact store for the sync engine."""

from __future__ import annotations

from app.connectors.microsoft.client import GraphClient
from app.connectors.microsoft.contacts_store import GraphContactStore

__all__ = ["GraphClient", "GraphContactStore"]

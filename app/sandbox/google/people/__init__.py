"""The People API v1 emulator: contacts, contact groups, sync tokens and batch writes."""

"""The Gmail API v1 emulator: messages in full, metadata and raw form, attachments, add-on message tokens."""

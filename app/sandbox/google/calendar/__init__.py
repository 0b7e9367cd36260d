"""The Calendar API v3 emulator: the primary calendar, recurring events, sync tokens and etags."""

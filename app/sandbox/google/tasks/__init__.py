"""The Tasks API v1 emulator: task lists and tasks."""

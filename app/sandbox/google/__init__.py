"""Emulators of Google's People, Calendar, Tasks and Gmail APIs, one account per sandbox user (see COVERAGE.md)."""

from app.sandbox.google.urls import register

register()

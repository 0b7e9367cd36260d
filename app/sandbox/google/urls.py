"""Registers the Google backend and its routers with the sandbox, host by host."""

from __future__ import annotations

from app.sandbox.backends import BACKEND_FACTORIES, HOST_ROUTERS
from app.sandbox.google import control
from app.sandbox.google.backend import GoogleBackend
from app.sandbox.google.calendar import urls as calendar_urls
from app.sandbox.google.gmail import urls as gmail_urls
from app.sandbox.google.people import urls as people_urls
from app.sandbox.google.tasks import urls as tasks_urls


def register() -> None:
    """Add the backend factory and the host routers (once)."""
    if "google" in BACKEND_FACTORIES:
        return
    BACKEND_FACTORIES["google"] = GoogleBackend.create
    HOST_ROUTERS.extend(
        [
            (people_urls.HOST, people_urls.router),
            (calendar_urls.HOST, calendar_urls.router),
            (tasks_urls.HOST, tasks_urls.router),
            (gmail_urls.HOST, gmail_urls.router),
            (control.HOST, control.router),
        ]
    )

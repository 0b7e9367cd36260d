"""Browser fixtures: Debian's Chromium, headless, driven by Playwright, against the app on a loopback port."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright

from tests.live_server import serve_in_thread

# Without the background-networking switches Chromium keeps trying to reach Google's hosts.
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    """Where Chromium is; the suite fails (not skips) without it: `make test` installs it."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.fail("Chromium is not installed; `make test` installs it (scripts/ensure-chromium)")
    return path


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the whole session."""
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def live_app_url(application: FastAPI) -> Iterator[str]:
    """The application on the test database, served over real HTTP."""
    with serve_in_thread(application) as base_url:
        yield base_url


class ConsoleErrors(list[str]):
    """Console errors and uncaught page errors seen during a test."""


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser page; the test fails if the page logged a console error it did not expect."""
    context = browser.new_context()
    new_page = context.new_page()
    errors = ConsoleErrors()

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    new_page.on("console", on_console)
    new_page.on("pageerror", lambda error: errors.append(str(error)))
    new_page.console_errors = errors  # type: ignore[attr-defined]
    yield new_page
    context.close()

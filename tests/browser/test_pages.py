"""The foundation's pages in a real browser: they render, read well at task-pane width, and work by keyboard."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

TASK_PANE_WIDTH = 350


def _no_horizontal_scroll(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"))


def test_home_page(page: Page, live_app_url: str) -> None:
    page.goto(live_app_url + "/")
    expect(page).to_have_title("crmbridge")
    expect(page.get_by_role("heading", level=1)).to_have_text("crmbridge")
    expect(page.get_by_text("sandbox mode")).to_be_visible()
    assert page.console_errors == []  # type: ignore[attr-defined]


def test_home_page_links_work_by_keyboard(page: Page, live_app_url: str) -> None:
    page.goto(live_app_url + "/")
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "Service health":
            break
    else:
        raise AssertionError("the health link cannot be reached with the Tab key")
    page.keyboard.press("Enter")
    expect(page).to_have_url(live_app_url + "/healthz")
    assert '"status":"ok"' in page.content().replace(" ", "")


def test_not_found_page_is_readable(page: Page, live_app_url: str) -> None:
    response = page.goto(live_app_url + "/no/such/page")
    assert response is not None and response.status == 404
    expect(page.get_by_role("alert")).to_contain_text("Page not found")
    expect(page.get_by_role("link", name="Back to the start page")).to_be_visible()


def test_pages_fit_the_task_pane(page: Page, live_app_url: str, tmp_path: Path) -> None:
    page.set_viewport_size({"width": TASK_PANE_WIDTH, "height": 700})
    for path in ("/", "/no/such/page"):
        page.goto(live_app_url + path)
        assert _no_horizontal_scroll(page), f"{path} scrolls sideways at {TASK_PANE_WIDTH} px"
        page.screenshot(path=str(tmp_path / f"{path.strip('/').replace('/', '_') or 'home'}.png"), full_page=True)

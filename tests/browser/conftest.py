"""Browser tests: Playwright (sync API) driving Debian's Chromium against pytest-django's
live server.

Fixtures:

- ``browser``: one headless Chromium per test process (``/usr/bin/chromium``, or
  ``$AUYL_CHROMIUM``); Playwright's own browser downloads are never used.
- ``page``: a fresh browser context and page for each test, with ``base_url`` set to the live
  server, so ``page.goto("/accounts/login/")`` works. English UI, 1280x900 viewport.
- ``login``: ``login(page, "dana")`` logs in through the real login form (the password of
  ``tests.factories.UserFactory``) and waits until the browser has left the login page.
- ``shot``: ``shot(page, "dashboard-dana")`` saves ``test-artifacts/screenshots/<name>.png``
  (a full-page PNG) and returns its path.
- ``page_errors``: the uncaught JavaScript errors and Content-Security-Policy violations the
  page reported so far (a list of strings; assert it is empty).

Every test in this folder is marked ``browser`` (deselect them with ``-m "not browser"``).
Without Chromium they are skipped, except under CI (``CI=true``), where that is an error.
When a browser test fails, the page is saved as ``test-artifacts/screenshots/FAILED-*.png``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an asyncio event loop in this thread; Django refuses database
# access from a thread with a running loop unless told that this is deliberate.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = Path(os.environ.get("AUYL_CHROMIUM", "/usr/bin/chromium"))
PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    setattr(item, f"_auyl_report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def _playwright() -> Iterator[Any]:
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: apt-get install chromium (.ci/run does)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the browser tests, but {reason}", pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(_playwright: Any) -> Iterator[Any]:
    browser = _playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture
def page(
    request: pytest.FixtureRequest, browser: Any, live_server: Any, page_errors: list[str]
) -> Iterator[Any]:
    context = browser.new_context(
        base_url=live_server.url,
        locale="en-US",
        timezone_id="Asia/Aqtobe",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.on("pageerror", lambda exc: page_errors.append(f"uncaught: {exc}"))

    def on_console(message: Any) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            page_errors.append(f"CSP: {message.text}")

    page.on("console", on_console)
    yield page
    report = getattr(request.node, "_auyl_report_call", None)
    if report is not None and report.failed:
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)[-150:]
        try:
            _save(page, f"FAILED-{name}")
        except Exception as exc:  # the test has failed already; say why there is no picture
            print(f"could not save a screenshot of the failed page: {exc}")
    context.close()


@pytest.fixture
def page_errors() -> list[str]:
    return []


def _save(page: Any, name: str) -> Path:
    path = SCREENSHOTS / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path


def shot(page: Any, name: str) -> Path:
    """Save a full-page screenshot as test-artifacts/screenshots/<name>.png."""
    return _save(page, name)


def login(page: Any, username: str, password: str = PASSWORD) -> None:
    """Log in through the login form and wait until the browser has left the login page."""
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.press("#id_password", "Enter")
    try:
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
    except Exception as exc:
        alert = page.locator("[role=alert]")
        said = alert.first.inner_text() if alert.count() else page.inner_text("body")[:500]
        raise AssertionError(f"logging in as {username!r} failed: {said}") from exc


@pytest.fixture(name="login")
def login_fixture() -> Callable[..., None]:
    return login


@pytest.fixture(name="shot")
def shot_fixture() -> Callable[[Any, str], Path]:
    return shot

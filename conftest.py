"""Fixtures shared by every app's tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def world(db):
    from jiaozheng.core.testing.world import make_world

    return make_world()


@pytest.fixture
def login(client):
    """login(user) -> the test client signed in as ``user``."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def api_client(db):
    """api_client(user) -> a client sending that user's bearer token."""
    from django.test import Client

    from jiaozheng.orgs.services import token_issue

    def _make(user):
        _token, key = token_issue(actor=user, user=user, name="test")
        return Client(HTTP_AUTHORIZATION=f"Bearer {key}")

    return _make


# --- browser tests (Playwright driving Debian's Chromium; no browser download) ----------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DESKTOP = {"width": 1366, "height": 860}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def playwright():
    """One Playwright per test process: a second sync instance in the same thread would fail."""
    import os

    # Playwright's sync API keeps an event loop in this thread; the ORM calls in the same test are safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright):
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def live_world(transactional_db):
    from jiaozheng.core.testing.world import make_world

    return make_world()


@pytest.fixture
def browser_login(browser, live_server):
    """browser_login(username, phone=False, **context_options) -> a Playwright page signed in."""
    contexts = []

    def _login(username: str, *, phone: bool = False, password: str = "", **options):
        page = sign_in(browser, live_server.url, username, phone=phone, password=password, **options)
        contexts.append(page.context)
        return page

    yield _login
    for context in contexts:
        context.close()


def sign_in(browser, base_url: str, username: str, *, phone: bool = False, password: str = "", **options):
    """A new browser context at desktop or phone size, signed in as ``username``; returns its page (the
    caller closes ``page.context``). ``options`` go to the context: geolocation, permissions..."""
    from jiaozheng.core.testing.world import PASSWORD

    context = browser.new_context(viewport=PHONE if phone else DESKTOP, locale="zh-CN", **options)
    page = context.new_page()
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password or PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    return page


def wait_until(page, expression: str, *, timeout: float = 15.0) -> None:
    """Wait until the JavaScript ``expression`` is truthy in ``page``. Polls from the test side: Playwright's
    own ``wait_for_function`` compiles its predicate inside the page, which the Content-Security-Policy
    (no 'unsafe-eval') forbids."""
    import time

    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {expression}")
        page.wait_for_timeout(100)


def screenshot(page, name: str) -> str:
    """Save a PNG under artifacts/screenshots/ (kept by CI as test artefacts)."""
    from pathlib import Path

    folder = Path(__file__).resolve().parent / "artifacts" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return str(path)


@pytest.fixture(autouse=True)
def _fresh_rule_cache():
    """Rule values are cached per process; a test's overrides must not leak into the next test."""
    from jiaozheng.core.rules import clear_cache

    clear_cache()
    yield
    clear_cache()


@pytest.fixture(autouse=True)
def _english_outside_requests():
    """Service-level messages in English for assertions; pages still answer in Chinese by default."""
    from django.utils import translation

    with translation.override("en"):
        yield

"""Fixtures shared by every app's tests."""

from __future__ import annotations

import pytest

# --- the standard world, shared by consecutive tests of a module ------------------------------------------
#
# Building the world takes a few hundred queries. Consecutive tests of one module that use it inside the
# usual per-test transaction share one world: it is built once inside an outer transaction, each test runs
# in a savepoint over it (pytest-django's ``db``) and gets its own deep copy of the objects, and the outer
# transaction is rolled back as soon as the next test is in another module or does not share (an empty-
# database test, a transactional or browser test), so nothing of it is ever seen by a test that did not ask.


class _SharedWorld:
    def __init__(self):
        self.world = None
        self.module = None
        self.atomics: list = []  # (database alias, entered atomic block)


_SHARED = _SharedWorld()
_OWN_TRANSACTION = {"transactional_db", "live_server", "live_world", "django_db_reset_sequences"}


def _shares_world(item) -> bool:
    names = set(getattr(item, "fixturenames", ()))
    if "world" not in names or names & _OWN_TRANSACTION:
        return False
    marker = item.get_closest_marker("django_db")
    if marker is not None:
        if marker.args and marker.args[0]:
            return False
        if any(marker.kwargs.get(k) for k in ("transaction", "reset_sequences", "serialized_rollback")):
            return False
    return True


def _release_shared_world() -> None:
    from django.db import transaction

    atomics, _SHARED.atomics = _SHARED.atomics, []
    _SHARED.world = _SHARED.module = None
    for alias, atomic in reversed(atomics):
        transaction.set_rollback(True, using=alias)
        atomic.__exit__(None, None, None)


def pytest_collection_modifyitems(items):
    for item in items:
        if _shares_world(item):
            item.fixturenames.insert(0, "_shared_world")  # its transaction must enclose the test's own


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    yield
    if _SHARED.world is None:
        return
    if nextitem is None or nextitem.module is not _SHARED.module or not _shares_world(nextitem):
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            _release_shared_world()


@pytest.fixture
def _shared_world(request, django_db_setup, django_db_blocker):
    if _SHARED.world is not None and _SHARED.module is not request.node.module:
        with django_db_blocker.unblock():
            _release_shared_world()
    if _SHARED.world is None:
        from django.db import connections, transaction
        from django.utils import translation

        from jiaozheng.core.testing.world import make_world

        with django_db_blocker.unblock():
            for alias in connections:
                atomic = transaction.atomic(using=alias)
                atomic.__enter__()
                _SHARED.atomics.append((alias, atomic))
            with translation.override("en"):
                _SHARED.world = make_world()
        _SHARED.module = request.node.module


@pytest.fixture
def world(request, db):
    import copy

    if _SHARED.world is not None and _shares_world(request.node):
        return copy.deepcopy(_SHARED.world)
    from jiaozheng.core.testing.world import make_world

    return make_world()


# --- spreading the suite over workers -------------------------------------------------------------------

GROUPED_MODULE_SIZE = 60  # a module of at most this many tests runs on one worker, in one piece


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """xdist's load scheduling, except that a chunk never cuts a test class (its ``setUpTestData`` would
    run once per piece) or a small module (its module fixtures and shared world would be built twice)."""
    from collections import Counter

    from xdist.scheduler import LoadScheduling

    class GroupedLoadScheduling(LoadScheduling):
        _groups: list[str] | None = None

        def _group_keys(self) -> list[str]:
            if self._groups is None:
                ids = self.collection or []
                sizes = Counter(nodeid.split("::")[0] for nodeid in ids)
                keys = []
                for nodeid in ids:
                    parts = nodeid.split("::")
                    if len(parts) > 2:
                        keys.append("::".join(parts[:2]))
                    elif sizes[parts[0]] <= GROUPED_MODULE_SIZE:
                        keys.append(parts[0])
                    else:
                        keys.append(nodeid)
                self._groups = keys
            return self._groups

        def _send_tests(self, node, num):
            if self.pending and num > 0:
                keys = self._group_keys()
                end = min(num, len(self.pending))
                last = keys[self.pending[end - 1]]
                while end < len(self.pending) and keys[self.pending[end]] == last:
                    end += 1
                num = end
            super()._send_tests(node, num)

    return GroupedLoadScheduling(config, log)


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
def _fresh_rule_cache(monkeypatch):
    """Rule values are cached per process; a test's overrides must not leak into the next test. The
    cache's clock is frozen, so that a test reads the rule table's signature once (after each clear),
    not whenever a second has passed: query counts do not depend on the machine's speed."""
    from jiaozheng.core import rules
    from jiaozheng.core.rules import clear_cache

    monkeypatch.setattr(rules, "_now", lambda: 0.0)
    clear_cache()
    yield
    clear_cache()


@pytest.fixture(autouse=True)
def _english_outside_requests():
    """Service-level messages in English for assertions; pages still answer in Chinese by default."""
    from django.utils import translation

    with translation.override("en"):
        yield

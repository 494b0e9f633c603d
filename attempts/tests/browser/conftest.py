"""Real headless Chromium (Debian's /usr/bin/chromium) driven by Playwright against pytest-django's live_server.

Playwright's sync API runs an event loop in the test thread, which trips Django's async-safety check for the
ORM calls the tests make between browser steps; those calls are plain synchronous code, so the check is off here.
"""

import os

import pytest
from django.test import Client

from tests.browser import CHROMIUM, CHROMIUM_ARGS

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


@pytest.fixture(scope="module")
def chromium():
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (make browser)")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def browser_as(chromium, live_server):
    """browser_as(user, **context_options) → a Playwright page signed in as `user` (session cookie)."""
    contexts = []

    def make(user, **options):
        client = Client()
        client.force_login(getattr(user, "user", user))
        context = chromium.new_context(base_url=live_server.url, **options)
        context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()

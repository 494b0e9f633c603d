"""Playwright fixtures (real headless /usr/bin/chromium): `chromium` and `browser_as(user, **context_options)`."""

from attempts.tests.browser.conftest import browser_as, chromium  # noqa: F401

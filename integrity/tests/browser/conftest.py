"""Real headless Chromium against pytest-django's live_server: the same fixtures as the exam page's browser tests."""

from attempts.tests.browser.conftest import browser_as, chromium

__all__ = ["browser_as", "chromium"]

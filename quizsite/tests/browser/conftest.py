"""The Playwright fixtures of the exam page's browser tests (real headless /usr/bin/chromium), for the site's other
pages: `chromium` and `browser_as(user, **context_options)`."""

from attempts.tests.browser.conftest import browser_as, chromium  # noqa: F401

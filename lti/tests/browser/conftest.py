from attempts.tests.browser.conftest import chromium  # noqa: F401

"""Builders every app's tests share: factory_boy factories (tests.factories), states reached through the real
services (tests.builders) and the real server processes some tests start (tests.processes). The personas live in
the root conftest.py."""

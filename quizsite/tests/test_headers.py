"""Security headers, as a browser and an outside scanner see them: a strict Content-Security-Policy on every page (no
inline script, style or event handler anywhere, so injected markup cannot run), a Permissions-Policy on every
response, no server software version, and the API schema and docs behind a staff sign-in in production.

What the policy actually blocks is checked in real headless Chromium at the end: the exam page, the live board (its
socket on another port, as under `make serve`), the quiz builder, the login page, a printable report, the Swagger
UI and the Django admin load and work with zero violations.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from django.test import Client
from django.urls import reverse

from quizsite import serve
from quizsite.tests.sweep import page_routes
from tests.browser import CHROMIUM, CHROMIUM_ARGS
from tests.builders import build_quiz, make_attempt, science_quiz
from tests.factories import DEFAULT_PASSWORD, StudentFactory

ROOT = Path(__file__).resolve().parents[2]
LONG_KEY = "k" * 20 + "Aa9#-_!" * 6


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in header.split(";") if part.strip())}


class InlineCode(HTMLParser):
    """Everything in a page that a strict policy refuses: <script> without src (JSON data blocks aside) and <style>
    elements, unless they carry the nonce the page's policy names; style="..." attributes, on*="..." handlers and
    javascript: URLs."""

    def __init__(self, csp: dict[str, list[str]] | None = None):
        super().__init__()
        self.csp = csp or {}
        self.found: list[str] = []

    def _nonced(self, directive: str, attrs: dict) -> bool:
        return bool(attrs.get("nonce")) and f"'nonce-{attrs['nonce']}'" in self.csp.get(directive, [])

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        line = self.getpos()[0]
        if tag == "script" and not attrs.get("src") and attrs.get("type") != "application/json":
            if not self._nonced("script-src", attrs):
                self.found.append(f"inline <script> at line {line}")
        if tag == "style" and not self._nonced("style-src", attrs):
            self.found.append(f"<style> element at line {line}")
        for name, value in attrs.items():
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=...> handler at line {line}")
            if name == "style":
                self.found.append(f"<{tag} style=...> at line {line}")
            if name in ("href", "action", "src", "formaction") and (value or "").strip().lower().startswith("javas"):
                self.found.append(f"<{tag} {name}=javascript:...> at line {line}")


def inline_code(html: str, csp: dict[str, list[str]] | None = None) -> list[str]:
    parser = InlineCode(csp)
    parser.feed(html)
    return parser.found


# --- The policy --------------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_a_page_carries_a_strict_content_security_policy(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    csp = policy(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["img-src"] == ["'self'", "data:"]
    assert csp["connect-src"][0] == "'self'"
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["form-action"] == ["'self'"]
    header = response["Content-Security-Policy"]
    assert "unsafe-inline" not in header and "unsafe-eval" not in header


@pytest.mark.django_db
@pytest.mark.parametrize(
    "websocket_url, allowed",
    [
        # The page's own origin (`make run`, or a proxy routing /ws/): 'self', and the ws(s) origin spelt out for
        # browsers whose 'self' does not cover WebSocket schemes.
        ("", ["ws://testserver", "wss://testserver"]),
        # `make serve` and docker-compose: the page's host name on another port.
        (":8001", ["ws://testserver:8001", "wss://testserver:8001"]),
        # A socket host of its own.
        ("wss://ws.school.example/", ["wss://ws.school.example"]),
    ],
)
def test_the_policy_lets_pages_reach_the_websocket_server_they_are_told_about(client, settings, websocket_url, allowed):
    settings.WEBSOCKET_URL = websocket_url
    response = client.get("/accounts/login/")
    connect = policy(response)["connect-src"]
    assert connect == ["'self'", *allowed]


@pytest.mark.django_db
def test_the_socket_origin_follows_the_host_the_page_was_asked_for(settings):
    settings.WEBSOCKET_URL = ":8001"
    settings.ALLOWED_HOSTS = ["quiz.school.example"]
    response = Client(HTTP_HOST="quiz.school.example").get("/accounts/login/")
    assert policy(response)["connect-src"] == [
        "'self'",
        "ws://quiz.school.example:8001",
        "wss://quiz.school.example:8001",
    ]
    # A Host header outside ALLOWED_HOSTS is refused (400) and never written into the policy.
    refused = Client(HTTP_HOST="evil.example").get("/accounts/login/")
    assert refused.status_code == 400
    assert "evil.example" not in refused.get("Content-Security-Policy", "")


@pytest.mark.parametrize(
    "bad",
    ["javascript:alert(1)", "wss://ws.school; script-src *", "https://ws.school", "8001", "ws://a b", "ws://x/p?q"],
)
def test_a_websocket_url_that_is_not_an_origin_stops_the_server(bad):
    """WEBSOCKET_URL is written into every page's policy: a value that could add or break a directive is refused."""
    from django.core.exceptions import ImproperlyConfigured

    from quizsite.headers import websocket_base

    with pytest.raises(ImproperlyConfigured, match="WEBSOCKET_URL"):
        websocket_base(bad)


@pytest.fixture
def world(teacher, student, school_class, classmates_of):
    """Something behind every kind of page id: a quiz with a running and a finished attempt, its questions."""
    quiz = science_quiz(teacher, school_class)
    finished = make_attempt(quiz, student)
    running = make_attempt(quiz, classmates_of(school_class), finish=False)
    return quiz, [quiz.pk, finished.pk, running.pk, quiz.mcq.pk, student.pk, teacher.pk, school_class.pk]


@pytest.fixture
def classmates_of():
    return lambda school_class: StudentFactory(school_class=school_class)


def _html_pages(client, ids):
    """Every GET page of the project (from the URL resolver) that answers 200 with HTML, each with the first id
    that opens it."""
    for route in page_routes():
        if "GET" not in route.methods or route.template.startswith("/accounts/logout"):
            continue
        candidates = [{}] if not route.kwargs else [dict.fromkeys(route.kwargs, i) for i in ids]
        for values in candidates:
            url = route.url(**values)
            response = client.get(url)
            if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
                yield url, response
                break


@pytest.mark.django_db
def test_no_page_carries_inline_script_style_or_handlers(world, admin, teacher, student):
    """The policy forbids inline code; a page that relied on it would silently stop working. Every page any role
    can open is walked (the list comes from the URL resolver, so a page added later is covered)."""
    _, ids = world
    seen, offences = set(), []
    for user in (admin, teacher, student):
        client = Client()
        client.force_login(getattr(user, "user", user))
        for url, response in _html_pages(client, ids):
            seen.add(url.split("?")[0])
            assert "Content-Security-Policy" in response, url
            offences += [(url, found) for found in inline_code(response.content.decode(), policy(response))]
    for url in ("/accounts/login/", "/accounts/claim/", "/accounts/password/forgot/"):
        offences += [(url, found) for found in inline_code(Client().get(url).content.decode())]
    assert len(seen) > 25, sorted(seen)
    assert any("/print/" in url for url in seen) and any("/board/" in url for url in seen)
    assert not offences, "\n".join(map(str, offences))


@pytest.mark.django_db
def test_the_printable_report_lets_only_its_own_style_block_through(world, teacher):
    """The report inlines its stylesheet (WeasyPrint renders the same template): a fresh nonce per response, for
    styles only."""
    quiz, _ = world
    client = Client()
    client.force_login(teacher.user)
    first, second = (client.get(f"/analytics/quiz/{quiz.pk}/print/") for _ in range(2))
    nonces = [policy(r)["style-src"] for r in (first, second)]
    assert nonces[0][0] == "'self'" and nonces[0][1].startswith("'nonce-") and nonces[0] != nonces[1]
    assert policy(first)["script-src"] == ["'self'"]
    assert f'<style nonce="{nonces[0][1][7:-1]}">' in first.content.decode()


def test_the_inline_code_check_would_see_inline_code():
    """Control: the walk above can fail."""
    page = '<p style="x"><a href="javascript:go()">x</a><form onsubmit="return false"><script>1</script><style>'
    assert len(inline_code(page)) == 5
    assert inline_code('<script src="/static/a.js"></script><script type="application/json">{}</script>') == []
    # A nonce counts only when the page's own policy names it.
    assert inline_code('<style nonce="abc">p {}</style>', {"style-src": ["'self'", "'nonce-abc'"]}) == []
    assert len(inline_code('<style nonce="abc">p {}</style>', {"style-src": ["'self'", "'nonce-xyz'"]})) == 1


# --- Permissions-Policy and the Server header -----------------------------------------------------------------
PERMISSIONS = {"camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()", "fullscreen=(self)"}


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/accounts/login/", "/healthz", "/api/v1/quizzes", "/static/css/app.css", "/nowhere"])
def test_every_response_carries_a_permissions_policy_and_no_server_header(client, url):
    response = client.get(url)
    assert {p.strip() for p in response["Permissions-Policy"].split(",")} == PERMISSIONS
    assert "Server" not in response


def test_the_socket_server_is_started_without_its_server_header():
    assert "--no-server-header" in serve.ws_command(8001)
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert "--no-server-header" in compose["services"]["websocket"]["command"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def _server(command: list[str], port: int):
    env = {**os.environ, "DEBUG": "true", "LOG_LEVEL": "WARNING", "DB_CONN_MAX_AGE": "0"}
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=2) as r:
                    yield r.headers
                    return
            except (urllib.error.URLError, OSError):
                assert proc.poll() is None, f"{command[0]} exited"
                assert time.monotonic() < deadline, f"{command[0]} did not start"
                time.sleep(0.2)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


@pytest.mark.parametrize("server", ["gunicorn", "uvicorn"])
def test_the_served_stack_announces_no_server_version(server):
    """`make serve` and docker-compose: gunicorn for HTTP, uvicorn for the sockets, as quizsite.serve starts them."""
    port = _free_port()
    if server == "gunicorn":
        command = serve.http_command("gthread", port, workers=1, threads=2)
    else:
        command = serve.ws_command(port)
    with _server(command, port) as headers:
        assert "Content-Security-Policy" in headers
        if server == "uvicorn":
            assert headers.get("Server") is None
        else:
            assert not re.search(r"\d", headers.get("Server", "")), headers.get("Server")


# --- API schema and docs ----------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_schema_and_docs_are_open_while_developing(client, settings):
    settings.API_DOCS_PUBLIC = True
    assert client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200 and b"swagger-ui" in docs.content
    assert inline_code(docs.content.decode()) == []


@pytest.mark.django_db
def test_in_production_anonymous_callers_get_neither_schema_nor_docs(client, settings):
    settings.API_DOCS_PUBLIC = False
    schema = client.get("/api/schema/")
    assert schema.status_code == 401
    assert schema["Content-Type"].startswith("application/json")
    assert schema.json()["detail"]
    assert b"/api/v1/" not in schema.content
    for url in ("/api/docs/", "/api/docs/?script"):
        docs = client.get(url)
        assert docs.status_code == 302
        assert docs["Location"].startswith("/accounts/login/?next=/api/docs/")


@pytest.mark.django_db
def test_in_production_students_get_neither_schema_nor_docs(settings, student, api_for):
    settings.API_DOCS_PUBLIC = False
    schema = api_for(student).get("/api/schema/")
    assert schema.status_code == 403 and schema.json()["detail"]
    client = Client()
    client.force_login(student.user)
    assert client.get("/api/schema/").status_code == 403
    assert client.get("/api/docs/").status_code == 403


@pytest.mark.django_db
def test_in_production_signed_in_staff_still_read_schema_and_docs(settings, teacher, admin, api_for):
    settings.API_DOCS_PUBLIC = False
    assert (
        "/api/v1/quizzes/"
        in api_for(teacher).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()["paths"]
    )
    for user in (teacher.user, admin):
        client = Client()
        client.force_login(user)
        # What Swagger UI fetches: the page, its init script and the schema, with the session cookie.
        docs = client.get("/api/docs/")
        assert docs.status_code == 200 and b"swagger-ui" in docs.content
        script = client.get("/api/docs/?script")
        assert script.status_code == 200 and b"SwaggerUIBundle" in script.content
        assert client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").status_code == 200


def _setting(env: dict[str, str], name: str) -> str:
    dropped = {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE", "API_DOCS_PUBLIC"}
    base = {k: v for k, v in os.environ.items() if k not in dropped}
    code = f"from django.conf import settings; print(settings.{name})"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_the_docs_are_private_unless_debugging_or_asked_for():
    assert _setting({"DEBUG": "false", "SECRET_KEY": LONG_KEY}, "API_DOCS_PUBLIC") == "False"
    assert _setting({"DEBUG": "true"}, "API_DOCS_PUBLIC") == "True"
    assert _setting({"DEBUG": "false", "SECRET_KEY": LONG_KEY, "API_DOCS_PUBLIC": "true"}, "API_DOCS_PUBLIC") == "True"
    assert _setting({"DEBUG": "true", "API_DOCS_PUBLIC": "false"}, "API_DOCS_PUBLIC") == "False"


# --- In a real browser ------------------------------------------------------------------------------------------
# Registered before any page script runs (Playwright injects it outside the page's policy): every violation the
# document reports, kept on window for the test to read.
WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  const where = `${e.sourceFile}:${e.lineNumber}`;
  window.__cspViolations.push(`${e.effectiveDirective} blocked ${e.blockedURI || "inline"} at ${where}`);
});
"""


@contextlib.contextmanager
def _http_and_socket_servers():
    """Two daphne processes on the test database, as `make serve` splits them: pages on one port, sockets on
    another (WEBSOCKET_URL=":<port>"), so the policy's connect-src must name the socket origin."""
    from tests.processes import child_env, child_processes, needs_shared_services

    needs_shared_services()
    http, ws = _free_port(), _free_port()
    while ws == http:
        ws = _free_port()
    commands = [["daphne", "-b", "127.0.0.1", "-p", str(p), "quizsite.asgi:application"] for p in (http, ws)]
    with child_processes(commands, env=child_env(WEBSOCKET_URL=f":{ws}")) as children:
        deadline = time.monotonic() + 30
        for port, child in zip((http, ws), children, strict=True):
            while True:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).close()
                    break
                except (urllib.error.URLError, OSError):
                    assert child.proc.poll() is None, child.output()
                    assert time.monotonic() < deadline, child.output()
                    time.sleep(0.2)
        yield f"http://127.0.0.1:{http}"


@pytest.fixture
def browse(monkeypatch):
    """browse(user or None) -> a Playwright page on the served site, and a function returning every CSP
    violation and script error seen by that page so far."""
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (make browser)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the test's own ORM calls are still synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with _http_and_socket_servers() as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

        def open_as(user):
            context = browser.new_context(base_url=base, viewport={"width": 1024, "height": 800})
            if user is not None:
                client = Client()
                client.force_login(getattr(user, "user", user))
                context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}])
            context.add_init_script(WATCH_VIOLATIONS)
            context.set_default_timeout(10_000)
            page = context.new_page()
            problems: list[str] = []
            page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
            page.on(
                "console",
                lambda m: (
                    problems.append(m.text) if m.type == "error" and "Content Security Policy" in m.text else None
                ),
            )

            def violations() -> list[str]:
                return problems + page.evaluate("window.__cspViolations || []")

            return page, violations

        try:
            yield open_as
        finally:
            browser.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_pages_work_under_the_policy_in_a_real_browser(browse, admin, teacher, student, school_class, classmates_of):
    from playwright.sync_api import expect

    quiz = science_quiz(teacher, school_class)
    make_attempt(quiz, classmates_of(school_class), finish=False)

    # The login page: signing in posts the form (form-action 'self') and lands on the home page.
    page, violations = browse(None)
    response = page.goto("/accounts/login/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.locator("input:not([type=hidden]):not([type=password])").first.fill(teacher.user.email)
    page.locator("input[type=password]").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_attached()
    assert violations() == []

    # The quiz builder (of a quiz nobody has attempted yet): its script adds the move buttons, and moving renumbers
    # the positions.
    page.goto(f"/quizzes/{build_quiz(teacher, school_class=school_class).pk}/questions/")
    first = page.locator("[data-row]").first.locator("[data-position]")
    expect(first).to_have_value("1")
    page.locator("[data-row]").first.get_by_role("button", name="Move down").click()
    expect(page.locator("[data-row]").nth(1).locator("[data-position]")).to_have_value("2")
    expect(page.locator("[data-row]").first.locator("[data-position]")).to_have_value("1")
    assert violations() == []

    # The live board: its socket is on the other port, allowed by connect-src.
    page.goto(f"/grading/quizzes/{quiz.pk}/board/")
    expect(page.locator("#conn-state")).to_have_text("live")
    expect(page.locator("#count-active")).to_have_text("1")
    assert violations() == []

    # A printable report: its stylesheet applies (the toolbar is laid out by print.css, not browser defaults).
    page.goto(f"/analytics/quiz/{quiz.pk}/print/")
    expect(page.get_by_role("button", name="Print")).to_be_visible()
    assert page.locator("body").evaluate("b => getComputedStyle(b).maxWidth") != "none"
    assert violations() == []

    # The exam page: the fullscreen gate (Permissions-Policy fullscreen=(self)), an answer saved by its script.
    exam, exam_violations = browse(student)
    exam.goto(f"/attempts/quiz/{quiz.pk}/")
    exam.get_by_role("button", name="Start quiz").click()
    exam.get_by_role("button", name="Start in fullscreen").click()
    expect(exam.locator("#exam-gate")).to_be_hidden()
    exam.get_by_label("4", exact=True).check()
    expect(exam.locator("#exam-save")).to_have_attribute("data-state", "saved")
    expect(exam.locator('.navq[data-goto="0"]')).to_have_class(re.compile(r"\banswered\b"))
    assert exam_violations() == []

    # Swagger UI (its own per-page policy where it needs one) renders the operations; the Django admin loads.
    docs, docs_violations = browse(admin)
    docs.goto("/api/docs/")
    expect(docs.locator(".opblock").first).to_be_visible(timeout=20_000)
    docs.goto("/admin/")
    expect(docs.locator("#site-name")).to_be_visible()
    docs.goto(f"/admin/accounts/user/{teacher.user.pk}/change/")
    expect(docs.locator("#content-main form")).to_be_visible()
    docs.goto(reverse(f"admin:{student._meta.app_label}_student_changelist"))  # django-import-export's list
    expect(docs.locator("#result_list")).to_be_visible()
    assert docs_violations() == []

    # Control: markup injected into a page (what a stored XSS would be) does not run, and the watch sees it.
    docs.evaluate("""document.body.insertAdjacentHTML("beforeend", '<img src="data:," onerror="window.__ran = 1">')""")
    docs.wait_for_function("window.__cspViolations.length > 0")
    assert docs.evaluate("window.__ran") is None
    assert any("script-src-attr" in v for v in docs_violations())

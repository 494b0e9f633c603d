"""`make security`: the API attacked the way the outside review did, bounded to a few minutes (docs/security.md).

1. Starts its own server on a free 127.0.0.1 port: gunicorn (WSGI, as in production) with DEBUG off, a fresh
   random SECRET_KEY, and its own PostgreSQL database (`quizsite_security`, dropped and created anew each run),
   seeded with the demo school (security/seed.py): an admin, a teacher and a student with known objects.
2. Fetches /api/schema/ as the admin and runs schemathesis (the CLI, pinned in requirements-dev.lock) over every
   operation as the student, the teacher and the admin, in that order (the admin's deletes come last), with the
   checks not_a_server_error, status_code_conformance and response_schema_conformance and a bounded number of
   examples per operation. Path parameters are drawn from the seeded ids most of the time (the role's own objects
   and others'), so the 200 bodies are checked too, not only 404s.
3. Posts each hostile upload (quizsite.tests.hostile_files, plus a body over the size limit) to
   /students/bulk-import and /questions/bulk-import and expects a 4xx JSON `detail` within a few seconds.
4. Stops the server it started (by PID), prints every finding and exits 1 if there was any.

Options: --examples N (per operation and role), --roles student,teacher,admin, --seed, --keep (leave the database
and the reports in var/security/ for a look afterwards; reports are always written there).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # quizsite.env, for the database URL
BIN = Path(sys.executable).parent
OUT = ROOT / "var" / "security"
DATABASE_URL = os.environ.get("SECURITY_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/quizsite_security")
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"
HOSTILE_SECONDS = 5.0  # a hostile upload must be refused at least this fast
ROLES = ("student", "teacher", "admin")  # in this order: the admin's deletes come last
# The coverage phase walks the schema's boundary values with valid requests only (its invalid ones run to ~100 per
# operation, past the time budget); the fuzzing phase sends valid and invalid requests, --examples of them.
COVERAGE_MODE = "positive"
UNEXPECTED_METHODS: list[str] = []  # methods an operation does not have: a 405 each, and a minute more per role


def log(msg: str) -> None:
    print(f"[security {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(port: int, data_dir: Path) -> dict[str, str]:
    """Production settings (DEBUG off, the settings' own defaults) on plain loopback HTTP, with eager tasks and
    in-process cache so the run needs no Redis or broker. Throttles are raised: they are tested in the suite, and
    here a 429 would only hide the response behind it."""
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND")}
    env.update(
        {
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "DATABASE_URL": DATABASE_URL,
            "CELERY_TASK_ALWAYS_EAGER": "true",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "CSRF_TRUSTED_ORIGINS": f"http://127.0.0.1:{port}",
            "SECURE_SSL_REDIRECT": "false",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "SECURE_HSTS_SECONDS": "0",
            "DATA_DIR": str(data_dir),
            "LOG_LEVEL": "WARNING",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "THROTTLE_USER_RATE": "1000000/min",
            "THROTTLE_ANON_RATE": "1000000/min",
            "LOGIN_FAILURES_PER_ACCOUNT": "1000000",
            "LOGIN_FAILURES_PER_IP": "1000000",
            "CLAIM_FAILURES_PER_ACCOUNT": "1000000",
            "CLAIM_FAILURES_PER_IP": "1000000",
            "RESET_REQUESTS_PER_IP": "1000000",
            "RESET_VERIFY_FAILURES_PER_IP": "1000000",
            "ACCESS_TOKEN_EXPIRE_MINUTES": "30",
            "PYTHONPATH": str(ROOT),
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def _maintenance_connection(url: str):
    import psycopg

    from quizsite.env import database_from_url

    db = database_from_url("DATABASE_URL", url)
    conn = psycopg.connect(host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"],
                           password=db["PASSWORD"] or None, dbname="postgres", autocommit=True,
                           connect_timeout=5)  # fmt: skip
    return conn, db["NAME"]


def drop_database(url: str, *, create: bool = False) -> None:
    from psycopg import sql

    conn, name = _maintenance_connection(url)
    with conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        if create:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


class Server:
    """gunicorn on 127.0.0.1:port; stopped by the PID this process started, nothing else."""

    def __init__(self, port: int, env: dict[str, str], log_path: Path):
        self.base = f"http://127.0.0.1:{port}"
        self.log_path = log_path
        self.log_file = log_path.open("wb")
        command = [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "1", "--worker-class",
                   "gthread", "--threads", "4", "--timeout", "60", "--graceful-timeout", "5",
                   "--error-logfile", "-", "quizsite.wsgi:application"]  # fmt: skip
        self.proc = subprocess.Popen(command, env=env, cwd=ROOT, stdout=self.log_file, stderr=subprocess.STDOUT)

    def wait_ready(self, seconds: float = 60) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise SystemExit(f"the server exited with {self.proc.returncode}; see {self.log_path}")
            try:
                if requests.get(f"{self.base}/healthz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise SystemExit(f"the server did not answer /healthz within {seconds:.0f} s; see {self.log_path}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.log_file.close()


def login(base: str, credentials: dict) -> str:
    res = requests.post(f"{base}/api/v1/auth/login/", json=credentials, timeout=30)
    if res.status_code != 200:
        raise SystemExit(f"login as {credentials['email_or_reg_no']} failed: {res.status_code} {res.text[:300]}")
    return res.json()["access_token"]


def fetch_schema(base: str, token: str, env: dict[str, str]) -> Path:
    """The schema the server serves, as the admin sees it; where /api/schema/ wants a session login rather than a
    token (a production setting), the same schema generated by manage.py."""
    path = OUT / "schema.json"
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/vnd.oai.openapi+json"}
    res = requests.get(f"{base}/api/schema/", headers=headers, timeout=60, allow_redirects=False)
    if res.status_code == 200 and res.headers.get("Content-Type", "").startswith("application/vnd.oai.openapi+json"):
        path.write_text(res.text)
    else:
        command = [sys.executable, "manage.py", "spectacular", "--format", "openapi-json", "--file", str(path)]
        subprocess.run(command, env=env, cwd=ROOT, check=True, capture_output=True)
    return path


def seed_import_job(base: str, token: str) -> str | None:
    """One ordinary student import with claim codes, so the import-job and claim-slip operations have a real id."""
    csv = "name,email,registration_number\nSally Seed,sally.seed@school.test,SEC0000001\n"
    res = requests.post(
        f"{base}/api/v1/students/bulk-import/",
        headers={"Authorization": f"Bearer {token}"},
        files={"file": ("students.csv", csv.encode(), "text/csv")},
        data={"issue_claim_codes": "true"},
        timeout=60,
    )
    return res.json().get("job_id") if res.ok else None


def schemathesis_config(path: Path, ids: list[str], codes: list[str], seed: int) -> None:
    """Path parameters come from the seeded ids 80% of the time (a uuid of any kind: a quiz id for a student
    path is an honest 404), hypothesis' own values otherwise."""

    def toml_list(values):
        return "[" + ", ".join(json.dumps(v) for v in values) + "]"

    lines = [
        f"seed = {seed}",
        "[dictionaries.ids]",
        f"values = {toml_list(ids)}",
        "[dictionaries.codes]",
        f"values = {toml_list(codes or ['NOCODE'])}",
        "[parameters]",
    ]
    for name in ("id", "quiz_id", "student_id", "teacher_id", "attempt_id"):
        lines.append(f'"path.{name}" = {{ dictionary = "ids", probability = 0.8 }}')
    lines.append('"path.code" = { dictionary = "codes", probability = 0.8 }')
    lines += ["[phases.coverage]", f"unexpected-methods = {toml_list(UNEXPECTED_METHODS)}"]
    lines += ["[phases.coverage.generation]", f"mode = {json.dumps(COVERAGE_MODE)}"]
    path.write_text("\n".join(lines) + "\n")


# One worker: with two, hypothesis parses lambdas' source from two threads at once, which CPython 3.11 before 3.11.8
# can fail with "SystemError: AST constructor recursion depth mismatch" (python/cpython#106905), a tool error
# that would read as a finding. The server, on the same cores, is the bottleneck anyway.
def run_schemathesis(role: str, token: str, *, base: str, schema: Path, config: Path, examples: int, out: Path):
    report = out / f"schemathesis-{role}.json"
    command = [
        str(BIN / "schemathesis"), "--config-file", str(config), "--no-color", "run", str(schema),
        "--url", f"{base}", "--header", f"Authorization: Bearer {token}", "--checks", CHECKS,
        "--phases", "coverage,fuzzing", "--max-examples", str(examples), "--workers", "1",
        "--request-timeout", "30", "--suppress-health-check", "all", "--continue-on-failure",
        "--report", "json", "--report-json-path", str(report), "--output-truncate", "true",
        "--warnings", "off",
    ]  # fmt: skip
    started = time.monotonic()
    proc = subprocess.run(command, cwd=out, capture_output=True, text=True)  # its caches land in var/security
    (out / f"schemathesis-{role}.log").write_text(proc.stdout + proc.stderr)
    return proc, report, time.monotonic() - started


def summarise(role: str, proc, report: Path, seconds: float) -> tuple[dict, list[str]]:
    """The run's numbers and its findings (one line each), from schemathesis' JSON report or its output."""
    stats = {"role": role, "seconds": round(seconds, 1), "exit": proc.returncode}
    findings: list[str] = []
    if report.exists():
        data = json.loads(report.read_text())
        stats.update(_report_numbers(data))
        findings = _report_findings(data)
    if proc.returncode != 0 and not findings:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-25:])
        findings = [f"schemathesis exited {proc.returncode}:\n{tail}"]
    return stats, [f"[{role}] {f} (details: {OUT.relative_to(ROOT)}/schemathesis-{role}.log)" for f in findings]


def _report_numbers(data: dict) -> dict:
    cases = data.get("test_cases", {})
    return {
        "operations": data.get("operations", {}).get("tested"),
        "test_cases": cases.get("generated"),
        "with_failures": cases.get("with_failures"),
        "errored": cases.get("errored"),
    }


def _report_findings(data: dict) -> list[str]:
    out = []
    for failure in data.get("failures", []):
        operations = ", ".join(failure.get("operations", []))
        out.append(f"{failure.get('code')} {failure.get('title')} x{failure.get('count')}: {operations}")
    for error in data.get("errors", []):
        out.append("error: " + json.dumps(error)[:600])
    return out


def hostile_uploads(base: str, tokens: dict[str, str], out: Path) -> tuple[list[dict], list[str]]:
    directory = out / "hostile"
    subprocess.run([sys.executable, "-m", "quizsite.tests.hostile_files", str(directory)], cwd=ROOT, check=True,
                   env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True)  # fmt: skip
    files = {p.name: p.read_bytes() for p in sorted(directory.glob("*.xlsx"))}
    # Over the upload limit (5 MB): refused from Content-Length, before the body is stored.
    files["oversized.xlsx"] = os.urandom(6 * 1024 * 1024)
    targets = [("admin", "/api/v1/students/bulk-import/"), ("teacher", "/api/v1/questions/bulk-import/")]
    results, findings = [], []
    for role, path in targets:
        for name, data in files.items():
            started = time.monotonic()
            try:
                res = requests.post(
                    f"{base}{path}",
                    headers={"Authorization": f"Bearer {tokens[role]}"},
                    files={"file": (name, data, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")},
                    timeout=60,
                )
                status, body = res.status_code, res.text[:200]
                is_json = res.headers.get("Content-Type", "").startswith("application/json")
                detail = res.json().get("detail") if is_json else None
            except requests.RequestException as exc:
                status, body, detail = 0, repr(exc), None
            seconds = time.monotonic() - started
            results.append({"path": path, "file": name, "bytes": len(data), "status": status,
                            "seconds": round(seconds, 2), "detail": detail})  # fmt: skip
            if not (400 <= status < 500) or not detail or seconds > HOSTILE_SECONDS:
                findings.append(
                    f"[upload] POST {path} {name} ({len(data):,} bytes) as {role}: {status} in {seconds:.1f}s "
                    f"(want a 4xx JSON detail within {HOSTILE_SECONDS:.0f}s): {body}"
                )
    return results, findings


# What the server logs for a 500 (Django) or a request that failed outside Django's handler (gunicorn). A 4xx that
# Django logs at ERROR (django.security.TooManyFieldsSent, say) is an answer, not an error.
SERVER_ERROR_MARKS = ("ERROR django.request Internal Server Error", "[ERROR] Error handling request")


def server_errors(path: Path) -> list[str]:
    """Requests the server failed, schemathesis' own probes outside the API included: one line each."""
    text = path.read_text(errors="replace") if path.exists() else ""
    failed = []
    for line in text.splitlines():
        for mark in SERVER_ERROR_MARKS:
            if mark in line:
                failed.append(line.split(mark, 1)[1].strip(" :"))  # without the timestamp and process id
    return sorted(set(failed))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=int(os.environ.get("SECURITY_EXAMPLES", 10)))
    parser.add_argument("--roles", default=",".join(ROLES))
    parser.add_argument("--seed", type=int, default=int(os.environ.get("SECURITY_SEED", 2026)))
    parser.add_argument("--keep", action="store_true", help="keep the database (dropped and made anew next run)")
    args = parser.parse_args(argv)
    roles = [r for r in args.roles.split(",") if r]

    started = time.monotonic()
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    data_dir = Path(tempfile.mkdtemp(prefix="quizsite-security-"))
    port = free_port()
    env = server_env(port, data_dir)
    log(f"database {DATABASE_URL.rsplit('/', 1)[-1]} (new), migrating and seeding the demo school")
    drop_database(DATABASE_URL, create=True)
    for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):  # as a deployment does
        subprocess.run([sys.executable, "manage.py", *command, "-v", "0"], env=env, cwd=ROOT, check=True)
    seed = subprocess.run([sys.executable, "security/seed.py"], env=env, cwd=ROOT, capture_output=True, text=True)
    if seed.returncode:
        raise SystemExit(f"seeding failed:\n{seed.stderr[-3000:]}")
    seeded = json.loads(seed.stdout.strip().splitlines()[-1])
    server = Server(port, env, OUT / "server.log")
    log(f"server: gunicorn pid {server.proc.pid} on {server.base} (DEBUG off)")
    findings: list[str] = []
    stats: list[dict] = []
    try:
        server.wait_ready()
        tokens = {role: login(server.base, seeded["logins"][role]) for role in ROLES}
        job_id = seed_import_job(server.base, tokens["admin"])
        ids = [i for group in seeded["ids"].values() for i in group] + ([job_id] if job_id else [])
        schema = fetch_schema(server.base, tokens["admin"], env)
        config = OUT / "schemathesis.toml"
        schemathesis_config(config, ids, seeded["access_codes"], args.seed)
        methods = ("get", "post", "put", "patch", "delete")
        operations = sum(1 for ops in json.loads(schema.read_text())["paths"].values() for m in ops if m in methods)
        log(f"schema: {operations} operations; {len(ids)} seeded ids; {args.examples} examples per operation and role")

        # Uploads first: the admin's schemathesis run may deactivate or delete the roles' accounts.
        uploads, upload_findings = hostile_uploads(server.base, tokens, OUT)
        (OUT / "uploads.json").write_text(json.dumps(uploads, indent=1))
        for row in uploads:
            log(f"upload {row['path']} {row['file']}: {row['status']} in {row['seconds']}s")
        findings += upload_findings

        for role in roles:
            token = login(server.base, seeded["logins"][role])  # a fresh token: the runs before took minutes
            log(f"schemathesis as {role} ...")
            proc, report, seconds = run_schemathesis(role, token, base=server.base, schema=schema, config=config,
                                                     examples=args.examples, out=OUT)  # fmt: skip
            row, found = summarise(role, proc, report, seconds)
            stats.append(row)
            findings += found
            log(f"schemathesis as {role}: {json.dumps(row)}; {len(found)} finding(s)")
    finally:
        server.stop()
        log(f"server pid {server.proc.pid} stopped")
        shutil.rmtree(data_dir, ignore_errors=True)
        if not args.keep:
            try:
                drop_database(DATABASE_URL)
            except Exception as exc:  # noqa: BLE001 - cleanup must not hide the findings
                log(f"could not drop the database: {exc}")

    errors = server_errors(OUT / "server.log")
    if errors:
        where = f"{OUT.relative_to(ROOT)}/server.log"
        shown = "\n  ".join(errors[:20])
        findings.append(f"[server] {len(errors)} request(s) failed (tracebacks in {where}):\n  {shown}")
    (OUT / "summary.json").write_text(json.dumps({"stats": stats, "findings": findings}, indent=1))
    took = time.monotonic() - started
    if findings:
        print(f"\n{len(findings)} finding(s) (reports in {OUT.relative_to(ROOT)}/):")
        for finding in findings:
            print(f"- {finding}")
        log(f"FAILED in {took:.0f}s")
        return 1
    log(f"no findings in {took:.0f}s (reports in {OUT.relative_to(ROOT)}/)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

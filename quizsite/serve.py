"""The production-like stack on this machine: `python -m quizsite.serve` (what `make serve` runs).

One supervisor process starts and watches:
- http:   gunicorn, gthread WSGI workers (chosen by measurement, see docs/performance.md) on 127.0.0.1:8000;
- ws:     uvicorn (ASGI, uvloop) for the live board's and exam page's sockets on 127.0.0.1:8001; the pages learn
          where from WEBSOCKET_URL (":8001" = the page's own host name, port 8001, so cookies still apply);
- worker: a Celery worker; beat: Celery beat (the minute-by-minute expiry of overdue attempts).

against PostgreSQL (its own database, `quizsite_serve`, created when missing) and Redis (cache + channel layer),
with RabbitMQ as the Celery broker when it answers on 5672 (so a Redis outage cannot block the enqueueing of a
task), otherwise Redis. DEBUG is off; the SECRET_KEY is generated once and kept in var/serve/secret_key (mode
600). Plain loopback HTTP: SSL redirect, secure cookies and HSTS are off.

A child that exits is started again (gunicorn itself replaces a killed HTTP worker); SIGINT/SIGTERM stops all.
The PIDs are written to var/serve/pids.json for the benchmark and the fault drills.

Every setting can be overridden from the environment (SERVE_* below, or the app's own variables).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
STATE_DIR = Path(os.environ.get("SERVE_STATE_DIR", str(BASE_DIR / "var" / "serve")))
BIN = Path(sys.executable).parent


def _port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def _secret_key() -> str:
    STATE_DIR.mkdir(parents=True, exist_ok=True)
    path = STATE_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


def ensure_database(url: str) -> None:
    """CREATE DATABASE when it does not exist yet (needs a role allowed to create databases)."""
    import psycopg
    from psycopg import sql

    from quizsite.env import database_from_url

    db = database_from_url("DATABASE_URL", url)
    conninfo = dict(
        host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"], password=db["PASSWORD"] or None
    )
    with psycopg.connect(dbname="postgres", autocommit=True, connect_timeout=5, **conninfo) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"])))
            print(f"serve: created database {db['NAME']}", flush=True)


def serve_env(http_port: int, ws_port: int) -> dict[str, str]:
    env = dict(os.environ)
    redis_url = env.get("SERVE_REDIS_URL", "redis://127.0.0.1:6379/3")
    amqp = "amqp://guest:guest@127.0.0.1:5672//"
    broker = env.get("SERVE_BROKER_URL") or (amqp if _port_open("127.0.0.1", 5672) else "redis://127.0.0.1:6379/4")
    hosts = ["127.0.0.1", "localhost"]
    defaults = {
        "DEBUG": "false",
        "SECRET_KEY": _secret_key(),
        "DATABASE_URL": env.get("SERVE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/quizsite_serve"),
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": broker,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "ALLOWED_HOSTS": ",".join(hosts),
        "CSRF_TRUSTED_ORIGINS": ",".join(f"http://{h}:{http_port}" for h in hosts),
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        "WEBSOCKET_URL": f":{ws_port}",
        "DATA_DIR": str(STATE_DIR),
        "LOG_LEVEL": "WARNING",
        # Load shedding: at most this many requests inside Django per HTTP process; the rest wait briefly for a
        # slot and are then refused with 503 + Retry-After (quizsite.admission).
        "SERVER_MAX_INFLIGHT": "4",
        "SERVER_ADMISSION_WAIT_MS": "100",
        # Many students behind one NAT address all sign in within a minute.
        "THROTTLE_ANON_RATE": "100000/min",
        "LOGIN_FAILURES_PER_IP": "5000",
    }
    for key, value in defaults.items():
        # The process's own DATABASE_URL etc. are for `make test`/`make run`; serve uses its own unless SERVE_*.
        if key in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "DEBUG", "SECRET_KEY", "DATA_DIR"):
            env[key] = value
        else:
            env.setdefault(key, value)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def http_command(server: str, port: int, workers: int, threads: int) -> list[str]:
    bind = f"127.0.0.1:{port}"
    common = [str(BIN / "gunicorn"), "--bind", bind, "--workers", str(workers), "--backlog", "2048",
              "--timeout", "30", "--graceful-timeout", "10", "--keep-alive", "75", "--access-logfile", "-"
              if os.environ.get("SERVE_ACCESS_LOG") else "/dev/null", "--error-logfile", "-"]  # fmt: skip
    if server == "gthread":
        return common + ["--worker-class", "gthread", "--threads", str(threads), "--config",
                         "python:quizsite.gunicorn_conf", "quizsite.wsgi:application"]  # fmt: skip
    if server == "sync":
        return common + ["--worker-class", "sync", "quizsite.wsgi:application"]
    if server == "uvicorn":
        return common + ["--worker-class", "uvicorn.workers.UvicornWorker", "quizsite.asgi:application"]
    if server == "daphne":
        return [str(BIN / "daphne"), "-b", "127.0.0.1", "-p", str(port), "quizsite.asgi:application"]
    raise SystemExit(f"unknown --server {server!r}")


def ws_command(port: int) -> list[str]:
    return [str(BIN / "uvicorn"), "quizsite.asgi:application", "--host", "127.0.0.1", "--port", str(port),
            "--loop", "uvloop", "--ws", "websockets-sansio", "--lifespan", "off", "--no-access-log",
            "--no-server-header", "--log-level", "warning", "--timeout-graceful-shutdown", "5"]  # fmt: skip


class Supervisor:
    def __init__(self, commands: dict[str, list[str]], env: dict[str, str]):
        self.commands = commands
        self.env = env
        self.procs: dict[str, subprocess.Popen] = {}
        self.restarts: dict[str, int] = dict.fromkeys(commands, 0)
        self.stopping = False

    def start(self, name: str) -> None:
        self.procs[name] = subprocess.Popen(self.commands[name], env=self.env, cwd=BASE_DIR)
        self.write_pids()

    def write_pids(self) -> None:
        data = {"supervisor": os.getpid(), **{name: p.pid for name, p in self.procs.items()}}
        (STATE_DIR / "pids.json").write_text(json.dumps(data))

    def stop(self, *_args) -> None:
        self.stopping = True

    def run(self) -> int:
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        for name in self.commands:
            self.start(name)
        while not self.stopping:
            time.sleep(0.5)
            for name, proc in list(self.procs.items()):
                if proc.poll() is not None and not self.stopping:
                    self.restarts[name] += 1
                    print(f"serve: {name} exited with {proc.returncode}; starting it again", flush=True)
                    time.sleep(min(5, self.restarts[name]))
                    self.start(name)
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.terminate()
        deadline = time.monotonic() + 15
        for proc in self.procs.values():
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
        (STATE_DIR / "pids.json").unlink(missing_ok=True)
        return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--http-port", type=int, default=int(os.environ.get("SERVE_HTTP_PORT", 8000)))
    parser.add_argument("--ws-port", type=int, default=int(os.environ.get("SERVE_WS_PORT", 8001)))
    parser.add_argument("--server", default=os.environ.get("SERVE_HTTP_SERVER", "gthread"),
                        choices=["gthread", "sync", "uvicorn", "daphne"])  # fmt: skip
    parser.add_argument("--workers", type=int, default=int(os.environ.get("SERVE_HTTP_WORKERS", 3)))
    parser.add_argument("--threads", type=int, default=int(os.environ.get("SERVE_HTTP_THREADS", 8)))
    parser.add_argument("--no-celery", action="store_true", help="HTTP and WebSocket only")
    parser.add_argument("--skip-setup", action="store_true", help="no migrate/collectstatic")
    args = parser.parse_args(argv)

    if _port_open("127.0.0.1", args.http_port):
        print(f"serve: 127.0.0.1:{args.http_port} is already taken (is `make serve` running?)", file=sys.stderr)
        return 1
    env = serve_env(args.http_port, args.ws_port)
    STATE_DIR.mkdir(parents=True, exist_ok=True)
    os.environ.update({k: env[k] for k in ("DATABASE_URL",)})
    ensure_database(env["DATABASE_URL"])
    if not args.skip_setup:
        manage = [sys.executable, "manage.py"]
        subprocess.run(manage + ["migrate", "--noinput", "-v", "0"], env=env, cwd=BASE_DIR, check=True)
        subprocess.run(manage + ["collectstatic", "--noinput", "-v", "0"], env=env, cwd=BASE_DIR, check=True)
    commands = {
        "http": http_command(args.server, args.http_port, args.workers, args.threads),
        "ws": ws_command(args.ws_port),
    }
    if not args.no_celery:
        celery = str(BIN / "celery")
        commands["worker"] = [celery, "-A", "quizsite", "worker", "--loglevel=WARNING", "--concurrency=2"]
        commands["beat"] = [celery, "-A", "quizsite", "beat", "--loglevel=WARNING",
                            "--schedule", str(STATE_DIR / "celerybeat-schedule")]  # fmt: skip
    print(f"serve: http://127.0.0.1:{args.http_port}/ ({args.server}, {args.workers} workers), "
          f"sockets on :{args.ws_port}, database {env['DATABASE_URL'].rsplit('/', 1)[-1]}, "
          f"broker {env['CELERY_BROKER_URL'].split(':', 1)[0]}", flush=True)  # fmt: skip
    return Supervisor(commands, env).run()


if __name__ == "__main__":
    sys.exit(main())

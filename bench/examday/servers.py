"""Which HTTP server for the save path? `make bench-servers` (docs/performance.md, "Server choice").

Seeds a class, signs every student in and starts their attempt once, then for each candidate starts
`python -m quizsite.serve --server <kind> --no-celery` on :8000 (load shedding off, so every server queues alike),
and drives only the autosave endpoint with locust: STUDENTS users, each saving one answer then pausing
--pause seconds (enough users that the server, not the clients, is the limit). Prints saves/s and latency.

Candidates: gunicorn sync (3 workers), gunicorn gthread (3 workers x 8 threads), gunicorn + uvicorn workers
(3 workers, ASGI), daphne (1 process, ASGI).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from bench.examday.run import HTTP, OUT, env_for_django, healthy, log, wait_healthy  # noqa: E402

BIN = Path(sys.executable).parent
CANDIDATES = [("gthread", 3), ("sync", 3), ("uvicorn", 3), ("daphne", 1)]

LOCUSTFILE = """
import json, os, random
from locust import FastHttpUser, constant, task
S = json.loads(open(os.environ["BENCH_SESSIONS"]).read())
_i = iter(range(10**9))
class Saver(FastHttpUser):
    wait_time = constant(float(os.environ.get("BENCH_PAUSE", "0.2")))
    def on_start(self):
        self.s = S[next(_i) % len(S)]
        self.seq = 0
    @task
    def save(self):
        self.seq += 1
        self.client.post(f"/api/v1/attempts/{self.s['attempt']}/answer", name="save",
                         json={"question_id": random.choice(self.s["questions"]), "answer_option": random.randrange(4),
                               "client_seq": self.seq}, headers={"Authorization": "Bearer " + self.s["token"]})
"""


def post(path: str, body: dict, token: str | None = None) -> dict:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(f"{HTTP}{path}", json.dumps(body).encode(), headers)
    with urllib.request.urlopen(req, timeout=60) as res:
        return json.loads(res.read())


def asgi_db(kind: str) -> dict:
    # Django under ASGI runs each sync view in a fresh executor thread, so persistent connections pile up until
    # PostgreSQL refuses more ("too many clients"); without a pool (psycopg_pool) ASGI must reconnect per request.
    return {"DB_CONN_MAX_AGE": "0"} if kind in ("uvicorn", "daphne") else {}


def start_server(kind: str, workers: int) -> subprocess.Popen:
    env = {**os.environ, "SERVER_MAX_INFLIGHT": "0", **asgi_db(kind)}
    proc = subprocess.Popen([sys.executable, "-m", "quizsite.serve", "--server", kind, "--workers", str(workers),
                             "--no-celery", "--skip-setup"], cwd=ROOT, env=env,
                            stdout=open(OUT / "servers-serve.log", "a"), stderr=subprocess.STDOUT)  # fmt: skip
    if not wait_healthy(60):
        raise RuntimeError(f"{kind} did not start")
    return proc


def stop_server(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
    for _ in range(30):
        if not healthy():
            return
        time.sleep(1)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=int(os.environ.get("STUDENTS", 200)))
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--pause", type=float, default=0.2)
    parser.add_argument("--only", default="", help="comma-separated subset, e.g. uvicorn,daphne")
    args = parser.parse_args()
    candidates = [c for c in CANDIDATES if not args.only or c[0] in args.only.split(",")]
    if healthy():
        log("something already answers on :8000; stop `make serve` first")
        return 1
    OUT.mkdir(parents=True, exist_ok=True)
    env = env_for_django()
    subprocess.run([sys.executable, "bench/examday/seed.py", "--students", str(args.students), "--cleanup",
                    "--out", str(OUT / "servers-seed.json")], env=env, cwd=ROOT, check=True)  # fmt: skip
    seed = json.loads((OUT / "servers-seed.json").read_text())
    proc = start_server("gthread", 3)
    sessions = []
    try:
        for reg in seed["students"]:
            token = post("/api/v1/auth/login", {"email_or_reg_no": reg, "password": seed["password"]})["access_token"]
            attempt = post(f"/api/v1/quizzes/{seed['quiz_id']}/start", {}, token)
            sessions.append({"token": token, "attempt": attempt["attempt_id"],
                             "questions": [q["id"] for q in seed["questions"] if q["type"] == "mcq"]})  # fmt: skip
    finally:
        stop_server(proc)
    (OUT / "servers-sessions.json").write_text(json.dumps(sessions))
    (OUT / "servers-locustfile.py").write_text(LOCUSTFILE)
    results = []
    for kind, workers in candidates:
        log(f"server {kind} x{workers}")
        proc = start_server(kind, workers)
        try:
            prefix = OUT / f"servers-{kind}"
            subprocess.run([str(BIN / "locust"), "-f", str(OUT / "servers-locustfile.py"), "--headless",
                            "-u", str(args.students), "-r", str(args.students), "--run-time", f"{args.seconds}s",
                            "--host", HTTP, "--only-summary", "--csv", str(prefix), "--loglevel", "WARNING"],
                           env={**os.environ, "BENCH_SESSIONS": str(OUT / "servers-sessions.json"),
                                "BENCH_PAUSE": str(args.pause)}, cwd=ROOT, capture_output=True,
                           timeout=args.seconds + 120)  # fmt: skip
            with open(f"{prefix}_stats.csv") as fh:
                row = next(r for r in csv.DictReader(fh) if r["Name"] == "save")
            results.append({"server": kind, "workers": workers, "saves_per_s": float(row["Requests/s"]),
                            "p50": float(row["50%"]), "p95": float(row["95%"]), "p99": float(row["99%"]),
                            "failures": int(row["Failure Count"]), "requests": int(row["Request Count"])})  # fmt: skip
            log(json.dumps(results[-1]))
        finally:
            stop_server(proc)
    (OUT / f"servers{'-' + args.only if args.only else ''}.json").write_text(json.dumps(results, indent=1))
    print("\n| server | processes | saves/s | p50 ms | p95 ms | p99 ms | failures |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in results:
        print(
            f"| {r['server']} | {r['workers']} | {r['saves_per_s']:.0f} | {r['p50']:.0f} | {r['p95']:.0f} | "
            f"{r['p99']:.0f} | {r['failures']}/{r['requests']} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

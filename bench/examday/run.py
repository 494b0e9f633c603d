"""Exam day, end to end: `make bench-examday STUDENTS=1000` (or `python bench/examday/run.py --students 1000`).

1. makes sure the production-like stack answers on 127.0.0.1:8000 (starts `python -m quizsite.serve` if not, and
   stops it again at the end);
2. seeds a class of N students, their teacher and a published quiz (bench/examday/seed.py);
3. opens teachers' board sockets (bench/examday/board.py) and runs the exam day with locust, headless
   (bench/examday/locustfile.py): login storm → start spike → autosave stream + violations → deadline submits;
   with --mode drills it injects the faults of docs/performance.md while the autosave stream runs;
4. waits for grading, then reconciles every answer a client saw acknowledged with the database;
5. measures the physical limit: pgbench replaying the save path's own SQL (captured from a real save) against
   the same PostgreSQL, and prints app saves/s ÷ pgbench tps;
6. prints per-phase rps / p50 / p95 / p99 / errors and writes bench/out/<mode>-report.md and <mode>-latency.png.

Modes: examday (default), overload (saves twice as often as the examday rate), drills.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
OUT = ROOT / "bench" / "out"
HTTP = "http://127.0.0.1:8000"
PG = ["-h", "127.0.0.1", "-U", "postgres"]

from quizsite.serve import STATE_DIR, serve_env  # noqa: E402


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def healthy() -> bool:
    try:
        with urllib.request.urlopen(f"{HTTP}/healthz", timeout=2) as res:
            return res.status == 200
    except Exception:
        return False


def wait_healthy(seconds: float) -> bool:
    end = time.time() + seconds
    while time.time() < end:
        if healthy():
            return True
        time.sleep(1)
    return False


def env_for_django() -> dict[str, str]:
    env = serve_env(8000, 8001)
    env["PYTHONPATH"] = str(ROOT)
    return env


def db_name(env) -> str:
    return env["DATABASE_URL"].rsplit("/", 1)[-1]


def psql(env, sql: str) -> list[list[str]]:
    out = subprocess.run(["psql", *PG, "-d", db_name(env), "-At", "-F", "\t", "-c", sql],
                         capture_output=True, text=True, timeout=120)  # fmt: skip
    if out.returncode:
        raise RuntimeError(out.stderr)
    return [line.split("\t") for line in out.stdout.splitlines() if line]


# --- plan ---------------------------------------------------------------------------------------------------------
def make_plan(args) -> dict:
    n = args.students
    login_at = 10.0
    start_at = login_at + max(15.0, n / 40)  # storm: argon2 bounds logins at ~70/s per core
    save_seconds = args.save_seconds or (240.0 if args.mode == "drills" else 90.0)
    plan = {
        "login_at": login_at,
        "login_spread": 2.0,
        "start_at": start_at,
        "start_spread": 2.0,
        "save_interval": args.save_interval * (0.5 if args.mode == "overload" else 1.0),
        "deadline_at": start_at + save_seconds,
        "submit_spread": 5.0,
    }
    plan["end"] = plan["deadline_at"] + 90.0
    if args.mode == "drills":
        s = start_at
        plan["faults"] = {"kill_http_worker": s + 20, "restart_postgres": s + 50, "stop_redis": s + 90,
                          "offline_cut": s + 150}  # fmt: skip
        plan["offline_at"], plan["offline_for"] = s + 150, 30.0
        plan["redis_down_for"] = 30.0
    return plan


# --- faults ---------------------------------------------------------------------------------------------------------
def restart_redis() -> None:
    subprocess.run(["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port", "6379",
                    "--save", "", "--appendonly", "no", "--dir", "/var/lib/redis",
                    "--logfile", "/var/log/redis/ci.log"], check=False)  # fmt: skip


def redis_up() -> bool:
    return subprocess.run(["redis-cli", "-h", "127.0.0.1", "ping"], capture_output=True).returncode == 0


def pg_up() -> bool:
    return subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1", "-p", "5432"]).returncode == 0


def ensure_services() -> None:
    """Whatever happened in a drill: PostgreSQL and Redis are running when we leave."""
    if not pg_up():
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", "15", "main", "start"], check=False)
    if not redis_up():
        restart_redis()
    for _ in range(30):
        if pg_up() and redis_up():
            return
        time.sleep(1)


def http_workers() -> list[int]:
    pids = json.loads((STATE_DIR / "pids.json").read_text())
    out = subprocess.run(["pgrep", "-P", str(pids["http"])], capture_output=True, text=True)
    return [int(p) for p in out.stdout.split()]


def run_faults(plan: dict, t0: float, tally: dict) -> None:
    faults = sorted(plan["faults"].items(), key=lambda kv: kv[1])
    try:
        for name, offset in faults:
            delay = t0 + offset - time.time()
            if delay > 0:
                time.sleep(delay)
            at = round(time.time() - t0, 1)
            if name == "kill_http_worker":
                workers = http_workers()
                os.kill(workers[0], signal.SIGKILL)
                log(f"drill: kill -9 HTTP worker {workers[0]} (of {len(workers)})")
                time.sleep(3)
                tally[name] = {"at": at, "workers_after_3s": len(http_workers())}
            elif name == "restart_postgres":
                log("drill: restarting PostgreSQL")
                r = subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", "15", "main", "restart"],
                                   capture_output=True, text=True, timeout=120)  # fmt: skip
                tally[name] = {"at": at, "rc": r.returncode, "took_s": round(time.time() - t0 - at, 1)}
            elif name == "stop_redis":
                log(f"drill: Redis down for {plan['redis_down_for']:.0f}s")
                subprocess.run(["redis-cli", "-h", "127.0.0.1", "shutdown", "nosave"], capture_output=True)
                time.sleep(plan["redis_down_for"])
                restart_redis()
                for _ in range(20):  # redis-server --daemonize returns before it answers
                    if redis_up():
                        break
                    time.sleep(0.5)
                tally[name] = {"at": at, "back_up": redis_up()}
                log("drill: Redis back")
            elif name == "offline_cut":
                log(f"drill: a tenth of the clients offline for {plan['offline_for']:.0f}s")
                tally[name] = {"at": at}
    finally:
        ensure_services()


# --- pgbench ------------------------------------------------------------------------------------------------------
CAPTURE = r"""
import json, sys
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient
from attempts.models import QuizAttempt
a = (QuizAttempt.objects.filter(quiz_id=sys.argv[1], status="in_progress").select_related("student__user")
     .order_by("started_at").first())
from rest_framework_simplejwt.tokens import AccessToken
tok = str(AccessToken.for_user(a.student.user))
q = a.question_order[0]
c = APIClient(HTTP_AUTHORIZATION="Bearer " + tok)
with CaptureQueriesContext(connection) as ctx:
    r = c.post(f"/api/v1/attempts/{a.pk}/answer", {"question_id": q, "answer_option": 1, "client_seq": 10**12},
               format="json", SERVER_NAME="127.0.0.1")
print(json.dumps({"status": r.status_code, "attempt": str(a.pk), "user": str(a.student.user.pk), "question": q,
                  "sql": [x["sql"] for x in ctx.captured_queries]}))
"""


def pgbench(env, quiz_id: str, seconds: int) -> dict:
    """Replay the save path's own statements (captured from one real save through the API) with pgbench.

    Runs after the reconciliation, on 64 of the run's attempts put back in progress for the measurement (a
    finished attempt would make the upsert a no-op) and restored afterwards."""
    picked = psql(env, f"SELECT id, status, deadline FROM quiz_attempts WHERE quiz_id = '{quiz_id}' "
                       "ORDER BY started_at LIMIT 64")  # fmt: skip
    ids = ", ".join(f"'{r[0]}'" for r in picked)
    psql(env, f"UPDATE quiz_attempts SET status = 'in_progress', deadline = now() + interval '1 hour' "
              f"WHERE id IN ({ids})")  # fmt: skip
    try:
        return _pgbench(env, quiz_id, seconds)
    finally:
        values = ", ".join(f"('{r[0]}'::uuid, '{r[1]}', '{r[2]}'::timestamptz)" for r in picked)
        psql(env, f"UPDATE quiz_attempts a SET status = v.s, deadline = v.d FROM (VALUES {values}) AS v (i, s, d) "
                  "WHERE a.id = v.i")  # fmt: skip


def _pgbench(env, quiz_id: str, seconds: int) -> dict:
    cap = subprocess.run([sys.executable, "manage.py", "shell", "-c", CAPTURE.replace("sys.argv[1]", repr(quiz_id))],
                         env={**env, "ALLOWED_HOSTS": "127.0.0.1,testserver"}, cwd=ROOT, capture_output=True,
                         text=True, timeout=120)  # fmt: skip
    if cap.returncode:
        raise RuntimeError(cap.stderr[-2000:])
    captured = json.loads(cap.stdout.strip().splitlines()[-1])
    if captured["status"] != 200 or captured["status"] is None:
        raise RuntimeError(f"capture save answered {captured['status']}")
    statements = [s for s in captured["sql"] if s.strip()]
    (OUT / "save-path.sql").write_text(";\n".join(statements) + ";\n")
    # One script per attempt (students do not share rows); only the ids differ from the captured save.
    rows = psql(env, f"SELECT a.id, a.student_id, a.question_order->>0 FROM quiz_attempts a "
                     f"WHERE a.quiz_id = '{quiz_id}' ORDER BY a.started_at LIMIT 64")  # fmt: skip
    scripts = []
    sqldir = OUT / "pgbench"
    sqldir.mkdir(exist_ok=True)
    for i, (aid, uid, qid) in enumerate(rows):
        text = []
        for s in statements:
            s = s.replace(captured["attempt"], aid).replace(captured["attempt"].replace("-", ""), aid.replace("-", ""))
            s = s.replace(captured["user"], uid).replace(captured["user"].replace("-", ""), uid.replace("-", ""))
            s = s.replace(captured["question"], qid)
            # A fresh id for the answer row, as uuid.uuid4() in the app (only used when the row is new).
            s = re.sub(r"\(VALUES \('[0-9a-f]{32}'::uuid", "(VALUES (gen_random_uuid()", s)
            text.append(" ".join(s.split()) + ";")
        path = sqldir / f"save-{i}.sql"
        path.write_text("\n".join(text) + "\n")
        scripts += ["-f", str(path)]
    results = {}
    for clients in (8, 16):
        r = subprocess.run(["pgbench", *PG, "-n", "-c", str(clients), "-j", "2", "-T", str(seconds), *scripts,
                            db_name(env)], capture_output=True, text=True, timeout=seconds + 60)  # fmt: skip
        tps = [line for line in r.stdout.splitlines() if line.startswith("tps")]
        if r.returncode or not tps:
            raise RuntimeError(r.stdout[-1500:] + r.stderr[-1500:])
        results[clients] = float(tps[0].split("=")[1].split()[0])
    return {"statements": len(statements), "tps_by_clients": results, "tps": max(results.values())}


# --- report -------------------------------------------------------------------------------------------------------
def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    k = min(len(values) - 1, max(0, round(p / 100 * len(values) + 0.5) - 1))
    return values[k]


def load_requests() -> list[dict]:
    with open(OUT / "requests.csv") as fh:
        return [{"t": float(r["t"]), "name": r["name"], "ms": float(r["ms"]), "status": int(r["status"]),
                 "retry_after": r["retry_after"]} for r in csv.DictReader(fh)]  # fmt: skip


def phase_rows(reqs: list[dict], plan: dict, t0: float) -> list[dict]:
    def window(name, a, b, label):
        sel = [r for r in reqs if r["name"] == name and a <= r["t"] - t0 < b]
        return label, sel

    windows = [
        window("login", 0, 1e9, "login (storm + early)"),
        window("save", plan["login_at"], plan["start_at"], "save during login storm"),
        window("start", 0, 1e9, "start (spike + early)"),
        window("save", plan["start_at"] + 10, plan["deadline_at"], "save, steady"),
        window("violation", 0, 1e9, "violation"),
        window("save", plan["deadline_at"], 1e9, "save, final flush"),
        window("submit", 0, 1e9, "submit (deadline storm)"),
    ]
    rows = []
    for label, sel in windows:
        if not sel:
            continue
        ok_codes = {200, 201} | ({409} if label.startswith("save") else set())
        ok = [r for r in sel if r["status"] in ok_codes]
        refused = [r for r in sel if r["status"] in (429, 503) and r["retry_after"]]
        errors = [r for r in sel if r["status"] not in ok_codes and r not in refused]
        span = max(1e-9, max(r["t"] for r in sel) - min(r["t"] for r in sel))
        lat = [r["ms"] for r in ok]
        rows.append({"phase": label, "requests": len(sel), "ok": len(ok), "rps": len(sel) / span,
                     "ok_per_s": len(ok) / span, "p50": pct(lat, 50), "p95": pct(lat, 95), "p99": pct(lat, 99),
                     "refused": len(refused), "errors": len(errors),
                     "error_rate": len(errors) / len(sel)})  # fmt: skip
    return rows


def completion(reqs, name, since, t0, ok=(200, 201)) -> dict:
    done = [r["t"] + r["ms"] / 1000 - t0 for r in reqs if r["name"] == name and r["status"] in ok]
    late = [d for d in done if d >= since]
    return {"count": len(done), "storm_count": len(late), "last_s_after_phase": (max(late) - since) if late else None}


def peak_rate(reqs, name, ok=(200,), width=10) -> float:
    buckets = defaultdict(int)
    for r in reqs:
        if r["name"] == name and r["status"] in ok:
            buckets[int(r["t"] // width)] += 1
    return max(buckets.values()) / width if buckets else 0.0


def reconcile(env, quiz_id: str) -> dict:
    clients = json.loads((OUT / "clients.json").read_text())
    rows = psql(env, "SELECT a.id, s.question_id, s.answer_option, s.answer_text, s.client_seq FROM student_answers s "
                     f"JOIN quiz_attempts a ON a.id = s.attempt_id WHERE a.quiz_id = '{quiz_id}'")  # fmt: skip
    db = {(r[0], r[1]): r for r in rows}
    acked = same = newer = lost = wrong = 0
    examples = []
    for reg, c in clients.items():
        for qid, (seq, value) in (c.get("acked") or {}).items():
            acked += 1
            row = db.get((c["attempt"], qid))
            if row is None or not row[4] or int(row[4]) < seq:
                lost += 1
                examples.append({"student": reg, "question": qid, "acked_seq": seq, "db": row})
                continue
            stored = int(row[2]) if row[2] not in ("", None) else row[3]
            if int(row[4]) == seq:
                if stored == value:
                    same += 1
                else:
                    wrong += 1
                    examples.append({"student": reg, "question": qid, "acked": value, "db": stored})
            else:
                newer += 1  # a later save of this client landed but its acknowledgement never arrived
    left = sum(c.get("outbox_left", 0) for c in clients.values())
    return {"clients": len(clients), "acked_answers": acked, "stored_as_acked": same, "stored_newer_unacked": newer,
            "lost": lost, "wrong_value": wrong, "unsent_left_in_outboxes": left, "examples": examples[:5],
            "refusals_seen": sum(c.get("refusals", 0) for c in clients.values()),
            "submitted": sum(1 for c in clients.values() if c.get("submitted"))}  # fmt: skip


def board_stats(clients: dict, t0: float, plan: dict) -> dict:
    path = OUT / "board.jsonl"
    if not path.exists():
        return {}
    recs = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    sockets = {r["socket"] for r in recs}
    first_seen: dict[tuple, dict[int, float]] = defaultdict(dict)
    for r in recs:
        if r["type"] == "violation":
            first_seen[(r["attempt_id"], r["total"])].setdefault(r["socket"], r["t"])
    lat, missing, missing_in_outage = [], 0, 0
    outage = None
    if (plan.get("faults") or {}).get("stop_redis") is not None:
        # Redis down, plus the seconds sockets need to notice and reconnect (board.js backs off up to 10 s).
        outage = (t0 + plan["faults"]["stop_redis"], t0 + plan["faults"]["stop_redis"] + plan["redis_down_for"] + 15)
    for c in clients.values():
        for attempt, total, sent_at in c.get("violations", []):
            seen = first_seen.get((attempt, total), {})
            for s in sockets:
                if s in seen:
                    lat.append((seen[s] - sent_at) * 1000)
                elif outage and outage[0] <= sent_at <= outage[1]:
                    missing_in_outage += 1
                else:
                    missing += 1
    statuses = sorted(r["t"] - t0 for r in recs if r["type"] == "quiz_status")
    return {"sockets": len(sockets), "violation_deliveries": len(lat), "missing_deliveries": missing,
            "missing_while_redis_down": missing_in_outage,
            "latency_p50_ms": pct(lat, 50), "latency_p95_ms": pct(lat, 95), "latency_max_ms": max(lat or [0]),
            "reconnects": sum(1 for r in recs if r["type"] == "_connected") - len(sockets),
            "last_status_s": statuses[-1] if statuses else None,
            "statuses": len(statuses)}  # fmt: skip


def plot(reqs, plan, t0, path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(11, 5))
    for name, colour in (("save", "tab:blue"), ("login", "tab:orange"), ("start", "tab:green"),
                         ("violation", "tab:red"), ("submit", "tab:purple")):  # fmt: skip
        buckets = defaultdict(list)
        for r in reqs:
            if r["name"] == name and r["status"] in (200, 201, 409):
                buckets[int(r["t"] - t0)].append(r["ms"])
        if not buckets:
            continue
        xs = sorted(buckets)
        ax.plot(xs, [pct(buckets[x], 95) for x in xs], color=colour, label=f"{name} p95", lw=1.2)
        if name == "save":
            ax.plot(xs, [pct(buckets[x], 50) for x in xs], color=colour, ls=":", label="save p50", lw=1)
    refused = defaultdict(int)
    for r in reqs:
        if r["status"] in (429, 503):
            refused[int(r["t"] - t0)] += 1
    if refused:
        ax2 = ax.twinx()
        xs = sorted(refused)
        ax2.bar(xs, [refused[x] for x in xs], color="grey", alpha=0.3, width=1.0, label="refused/s (503)")
        ax2.set_ylabel("refused per second")
    for key in ("login_at", "start_at", "deadline_at"):
        ax.axvline(plan[key], color="black", ls="--", lw=0.6)
        ax.text(plan[key], ax.get_ylim()[1] * 0.95 if ax.get_ylim()[1] else 1, key.replace("_at", ""), fontsize=8)
    for name, offset in (plan.get("faults") or {}).items():
        ax.axvline(offset, color="red", ls=":", lw=0.8)
        ax.text(offset, 1, name, fontsize=7, rotation=90, color="red")
    ax.set_yscale("log")
    ax.set_xlabel("seconds since T0")
    ax.set_ylabel("latency ms (per-second p95, log)")
    ax.set_title(title)
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


# --- main ---------------------------------------------------------------------------------------------------------
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=int(os.environ.get("STUDENTS", 200)))
    parser.add_argument("--mode", choices=["examday", "overload", "drills"], default="examday")
    parser.add_argument("--save-interval", type=float, default=5.0, help="seconds between a student's changes")
    parser.add_argument("--save-seconds", type=float, default=None, help="length of the autosave stream")
    parser.add_argument("--board-sockets", type=int, default=3)
    parser.add_argument("--pgbench-seconds", type=int, default=15)
    parser.add_argument("--no-pgbench", action="store_true")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    for stale in ("clients.json", "requests.csv", "board.jsonl"):
        (OUT / stale).unlink(missing_ok=True)

    ensure_services()
    env = env_for_django()
    serve = None
    if not healthy():
        log("starting the stack: python -m quizsite.serve (log in bench/out/serve.log)")
        serve = subprocess.Popen([sys.executable, "-m", "quizsite.serve"], cwd=ROOT,
                                 stdout=open(OUT / "serve.log", "a"), stderr=subprocess.STDOUT)  # fmt: skip
        if not wait_healthy(180):
            serve.terminate()
            log("the stack did not become healthy; see bench/out/serve.log")
            return 1
    board = None
    try:
        log(f"seeding {args.students} students")
        subprocess.run([sys.executable, "bench/examday/seed.py", "--students", str(args.students), "--cleanup"],
                       env=env, cwd=ROOT, check=True, timeout=600)  # fmt: skip
        seed = json.loads((OUT / "seed.json").read_text())
        plan = make_plan(args)
        spawn_rate = min(args.students, 250)
        t0 = time.time() + args.students / spawn_rate + 8
        board = subprocess.Popen([sys.executable, "bench/examday/board.py", "--sockets", str(args.board_sockets),
                                  "--seconds", str(plan["end"] + 60)], cwd=ROOT)  # fmt: skip
        tally: dict = {}
        faults = None
        if plan.get("faults"):
            faults = threading.Thread(target=run_faults, args=(plan, t0, tally), daemon=True)
            faults.start()
        log(f"exam day ({args.mode}): {args.students} students, plan {json.dumps(plan)}")
        lenv = {**os.environ, "BENCH_PLAN": json.dumps(plan), "BENCH_T0": str(t0), "BENCH_SEED": str(OUT / "seed.json"),
                "BENCH_OUT": str(OUT)}  # fmt: skip
        subprocess.run([str(BIN / "locust"), "-f", "bench/examday/locustfile.py", "--headless", "-u",
                        str(args.students), "-r", str(spawn_rate), "--run-time", f"{int(plan['end'] + 40)}s",
                        "--host", HTTP, "--only-summary", "--stop-timeout", "5", "--loglevel", "WARNING"],
                       env=lenv, cwd=ROOT, timeout=plan["end"] + 300)  # fmt: skip
        if faults:
            faults.join(timeout=120)
        ensure_services()
        # Grading: every attempt submitted and marked (objective marking runs inside submit).
        deadline_wall = t0 + plan["deadline_at"]
        graded_at = None
        for _ in range(120):
            left = psql(env, f"SELECT count(*) FILTER (WHERE status = 'in_progress'), count(*) FILTER (WHERE "
                             f"score IS NULL) FROM quiz_attempts WHERE quiz_id = '{seed['quiz_id']}'")[0]  # fmt: skip
            if left == ["0", "0"]:
                graded_at = time.time()
                break
            time.sleep(1)
        last_submit = (psql(env, f"SELECT extract(epoch from max(submitted_at)) FROM quiz_attempts "
                                 f"WHERE quiz_id = '{seed['quiz_id']}'") or [[None]])[0][0]  # fmt: skip
        if board:
            board.send_signal(signal.SIGTERM)
            board.wait(30)
        reqs = load_requests()
        rows = phase_rows(reqs, plan, t0)
        rec = reconcile(env, seed["quiz_id"])
        for name, offset in (plan.get("faults") or {}).items():
            # What students saw around each fault: failures (not 2xx/409, not a polite 503/429 + Retry-After).
            length = {"stop_redis": plan.get("redis_down_for", 30), "offline_cut": plan.get("offline_for", 30)}
            a, b = t0 + offset, t0 + offset + length.get(name, 10) + 10
            window = [r for r in reqs if a <= r["t"] <= b]
            bad = [r for r in window if r["status"] not in (200, 201, 409) and not (
                r["status"] in (429, 503) and r["retry_after"])]  # fmt: skip
            tally.setdefault(name, {}).update(
                requests=len(window), failures=len(bad),
                failure_codes=sorted({r["status"] for r in bad}))  # fmt: skip
        pg = None
        if not args.no_pgbench:
            log("pgbench: replaying the save path's SQL")
            try:
                pg = pgbench(env, seed["quiz_id"], args.pgbench_seconds)
            except Exception as exc:
                log(f"pgbench failed: {exc}")
        clients = json.loads((OUT / "clients.json").read_text())
        boards = board_stats(clients, t0, plan)
        summary = {
            "mode": args.mode, "students": args.students, "plan": plan, "phases": rows,
            "logins": completion(reqs, "login", plan["login_at"], t0),
            "starts": completion(reqs, "start", plan["start_at"], t0),
            "submits": completion(reqs, "submit", plan["deadline_at"], t0),
            "grading_done_s_after_deadline": (graded_at - deadline_wall) if graded_at else None,
            "last_submitted_at_s_after_deadline": float(last_submit) - deadline_wall if last_submit else None,
            "save_peak_ok_per_s": peak_rate(reqs, "save"),
            "reconciliation": rec, "board": boards, "pgbench": pg, "drills": tally,
        }  # fmt: skip
        steady = next((r for r in rows if r["phase"] == "save, steady"), None)
        if pg and steady:
            summary["ratio_steady"] = steady["ok_per_s"] / pg["tps"]
            summary["ratio_peak"] = summary["save_peak_ok_per_s"] / pg["tps"]
        (OUT / f"{args.mode}-summary.json").write_text(json.dumps(summary, indent=1, default=str))
        plot(reqs, plan, t0, OUT / f"{args.mode}-latency.png", f"exam day ({args.mode}), {args.students} students")
        report = render(summary)
        (OUT / f"{args.mode}-report.md").write_text(report)
        print(report)
        ok = rec["lost"] == 0 and rec["wrong_value"] == 0
        return 0 if ok else 2
    finally:
        if board and board.poll() is None:
            board.terminate()
        ensure_services()
        if serve:
            log("stopping the stack we started")
            serve.send_signal(signal.SIGTERM)
            try:
                serve.wait(60)
            except subprocess.TimeoutExpired:
                serve.kill()


def render(s: dict) -> str:
    f = lambda v, d=0: "-" if v is None or v != v else f"{v:.{d}f}"  # noqa: E731
    lines = [f"# Exam day ({s['mode']}), {s['students']} students", "",
             "| phase | requests | ok/s | p50 ms | p95 ms | p99 ms | refused (503/429 + Retry-After) | errors |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]  # fmt: skip
    for r in s["phases"]:
        lines.append(f"| {r['phase']} | {r['requests']} | {f(r['ok_per_s'], 1)} | {f(r['p50'])} | {f(r['p95'])} | "
                     f"{f(r['p99'])} | {r['refused']} | {r['errors']} ({100 * r['error_rate']:.2f}%) |")  # fmt: skip
    lo, st, su = s["logins"], s["starts"], s["submits"]
    lines += ["",
              f"- logins: {lo['count']} ok; the storm's last one {f(lo['last_s_after_phase'], 1)} s after it began",
              f"- starts: {st['count']} ok; the spike's last one {f(st['last_s_after_phase'], 1)} s after it began",
              f"- submits: {su['count']} ok; the last {f(su['last_s_after_phase'], 1)} s after the deadline; "
              f"all attempts graded {f(s['grading_done_s_after_deadline'], 1)} s after the deadline",
              f"- save throughput: peak {f(s['save_peak_ok_per_s'], 1)} ok/s (10 s window)"]  # fmt: skip
    if s.get("pgbench"):
        pg = s["pgbench"]
        lines.append(f"- pgbench, the save path's {pg['statements']} statements: {f(pg['tps'])} tps "
                     f"({pg['tps_by_clients']}); app saves/s ÷ pgbench tps: "
                     f"steady {100 * s.get('ratio_steady', 0):.2f}%, "
                     f"peak {100 * s.get('ratio_peak', 0):.2f}%")  # fmt: skip
    b = s.get("board") or {}
    if b:
        lines.append(f"- board: {b['sockets']} sockets, violation→socket p50 {f(b['latency_p50_ms'])} ms, p95 "
                     f"{f(b['latency_p95_ms'])} ms, max {f(b['latency_max_ms'])} ms; {b['violation_deliveries']} "
                     f"delivered, {b['missing_deliveries']} missing "
                     f"(+{b.get('missing_while_redis_down', 0)} while Redis was down); {b['reconnects']} reconnects; "
                     f"{b['statuses']} status snapshots, the last at {f(b['last_status_s'])} s")  # fmt: skip
    r = s["reconciliation"]
    lines.append(f"- reconciliation: {r['acked_answers']} acknowledged answers of {r['clients']} clients; "
                 f"{r['stored_as_acked']} stored with the acknowledged value, {r['stored_newer_unacked']} with a later "
                 f"value the client sent, **{r['lost']} lost, {r['wrong_value']} wrong**; "
                 f"{r['unsent_left_in_outboxes']} answers left unsent in outboxes; {r['refusals_seen']} refusals seen "
                 f"by clients; {r['submitted']} submitted")  # fmt: skip
    if s.get("drills"):
        lines.append(f"- drills: {json.dumps(s['drills'])}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())

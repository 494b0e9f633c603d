"""Scale-out on one box (issue 14): two complete app nodes behind HAProxy, one PostgreSQL and one Redis.

    make bench-scaleout STUDENTS=100

- node A and node B: each `python -m quizsite.serve --no-celery` (gunicorn gthread HTTP + uvicorn sockets) on its
  own loopback ports, its own state directory, the same SECRET_KEY (a token from one node is valid on the other),
  the same database (quizsite_serve) and Redis (cache + channel layer);
- HAProxy (Debian's /usr/sbin/haproxy) on 127.0.0.1:18080: /ws/ to the two socket servers, the rest round-robin to
  the two HTTP servers, health-checked on /healthz every second, connection failures retried on the other node;
- the teacher's board socket held on node A (directly), violations posted to node B (directly): latency measured;
- students (threads) log in, start and autosave every SAVE_INTERVAL seconds THROUGH HAProxy, retrying a failed
  save with the same client_seq until acknowledged; mid-exam node B is killed (SIGKILL of its process group):
  its clients carry on through node A; violations then posted through HAProxy still reach the board;
- reconciliation: every acknowledged answer is in the database with the client's last acknowledged value.

Switches for chasing the intermittent stall noted in docs/performance.md: SCALEOUT_ORIGIN= (no Origin),
SCALEOUT_NO_LB_BOARD=1 (only the direct board on node A), SCALEOUT_LB_BOARD_ON_B=1 (the second board directly on
node B), SCALEOUT_LOG_LEVEL=INFO (the nodes' Django log level).

Bounded: about 70 s plus start-up; loopback only; it stops only the processes it started (by their process group
ids) and never touches :8000. Output: bench/out/scaleout-report.md and scaleout-summary.json.
"""

# ruff: noqa: E501 - the report lines read best unwrapped
from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "bench" / "out"
STATE = ROOT / "var" / "scaleout"
LB_PORT = 18080
NODES = {"a": (18100, 18101), "b": (18200, 18201)}
SAVE_INTERVAL = 2.0
# The boards send the Origin a browser on the load balancer's address would send. SCALEOUT_ORIGIN= (empty) sends
# none, as a native client would: see docs/performance.md (issue 14) for what that showed through HAProxy.
BOARD_ORIGIN = os.environ.get("SCALEOUT_ORIGIN", f"http://127.0.0.1:{LB_PORT}")


def log(msg: str) -> None:
    print(f"[scaleout {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.3):
            return True
    except OSError:
        return False


def http(method: str, url: str, body=None, token=None, timeout=10.0):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as res:
            return res.status, json.loads(res.read() or b"{}")
    except urllib.error.HTTPError as exc:
        return exc.code, {}
    except (urllib.error.URLError, OSError, ValueError):
        return 0, {}


HAPROXY_CFG = """
global
    maxconn 4000
defaults
    mode http
    timeout connect 2s
    timeout client 60s
    timeout server 30s
    timeout tunnel 1h
    option redispatch
    retries 3
    retry-on conn-failure empty-response
frontend fe
    bind 127.0.0.1:{lb}
    acl is_ws path_beg /ws/
    use_backend ws if is_ws
    default_backend app
backend app
    balance roundrobin
    option httpchk GET /healthz
    http-check expect status 200
    server a 127.0.0.1:{a_http} check inter 1s fall 2 rise 2
    server b 127.0.0.1:{b_http} check inter 1s fall 2 rise 2
backend ws
    balance roundrobin
    server a 127.0.0.1:{a_ws} check inter 1s fall 2 rise 2
    server b 127.0.0.1:{b_ws} check inter 1s fall 2 rise 2
"""


def start_node(name: str, setup: bool, secret: Path) -> subprocess.Popen:
    http_port, ws_port = NODES[name]
    state = STATE / name
    state.mkdir(parents=True, exist_ok=True)
    shutil.copy(secret, state / "secret_key")
    (state / "secret_key").chmod(0o600)
    env = {
        **os.environ,
        "SERVE_STATE_DIR": str(state),
        "SERVE_HTTP_WORKERS": "2",
        "LOG_LEVEL": os.environ.get("SCALEOUT_LOG_LEVEL", "WARNING"),
    }
    cmd = [sys.executable, "-m", "quizsite.serve", "--no-celery", "--http-port", str(http_port),
           "--ws-port", str(ws_port)] + ([] if setup else ["--skip-setup"])  # fmt: skip
    # Its own process group: the node (supervisor, gunicorn master and workers, uvicorn) is killed as one.
    return subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True,
                            stdout=open(OUT / f"scaleout-node-{name}.log", "w"), stderr=subprocess.STDOUT)  # fmt: skip


def wait_for(check, seconds: float) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if check():
            return True
        time.sleep(0.5)
    return False


def healthy(port: int) -> bool:
    return http("GET", f"http://127.0.0.1:{port}/healthz", timeout=2)[0] == 200


class Student(threading.Thread):
    def __init__(self, reg: str, password: str, quiz_id: str, qid: str, lb: str, stop: threading.Event):
        super().__init__(daemon=True)
        self.reg, self.password, self.quiz_id, self.qid, self.lb, self.stop = reg, password, quiz_id, qid, lb, stop
        self.token = self.attempt_id = None
        self.acked: tuple[int, str] | None = None
        self.saves = self.retries = 0
        self.latencies: list[tuple[float, float]] = []  # (time, ms) of acknowledged saves
        self.ready = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set() and self.attempt_id is None:
            status, body = http("POST", f"{self.lb}/api/v1/auth/login",
                                {"email_or_reg_no": self.reg, "password": self.password})  # fmt: skip
            if status == 200:
                self.token = body["access_token"]
                status, body = http("POST", f"{self.lb}/api/v1/quizzes/{self.quiz_id}/start", {}, self.token)
                if status in (200, 201):
                    self.attempt_id = body["attempt_id"]
                    break
            time.sleep(0.5)
        self.ready.set()
        seq = 0
        while not self.stop.is_set():
            seq += 1
            text = f"{self.reg} v{seq}"
            while not self.stop.is_set():  # the same save until it is acknowledged, as exam.js's outbox does
                t = time.time()
                status, _ = http("POST", f"{self.lb}/api/v1/attempts/{self.attempt_id}/answer",
                                 {"question_id": self.qid, "answer_text": text, "client_seq": seq}, self.token)  # fmt: skip
                if status == 200:
                    self.acked = (seq, text)
                    self.saves += 1
                    self.latencies.append((t, (time.time() - t) * 1000))
                    break
                self.retries += 1
                time.sleep(0.3)
            self.stop.wait(SAVE_INTERVAL)


async def board(url: str, out: list, stop: asyncio.Event, name: str) -> None:
    from websockets.asyncio.client import connect

    while not stop.is_set():
        try:
            async with connect(url, open_timeout=5, origin=BOARD_ORIGIN or None) as ws:
                out.append({"t": time.time(), "board": name, "type": "_connected"})
                while not stop.is_set():
                    try:
                        msg = json.loads(await asyncio.wait_for(ws.recv(), 0.5))
                    except TimeoutError:
                        continue
                    data = msg.get("data") or {}
                    out.append({"t": time.time(), "board": name, "type": msg.get("type"),
                                "attempt_id": data.get("attempt_id"), "total": data.get("total_violations")})  # fmt: skip
        except Exception as exc:
            out.append({"t": time.time(), "board": name, "type": "_closed", "error": repr(exc)[:120]})
            await asyncio.sleep(1)


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] if values else None


def post_violations(students, base_for, count, spacing, sent):
    for i in range(count):
        s = students[i % len(students)]
        t = time.time()
        status, body = http("POST", f"{base_for(s)}/api/v1/attempts/{s.attempt_id}/violations",
                            {"violation_type": "tab_switch"}, s.token)  # fmt: skip
        if status == 201:
            sent.append({"t": t, "attempt_id": s.attempt_id, "total": body.get("total_violations"),
                         "via": base_for(s)})  # fmt: skip
        time.sleep(spacing)


def latencies(sent, events, board_name):
    got = {}
    for e in events:
        if e["board"] == board_name and e["type"] == "violation":
            got.setdefault((e["attempt_id"], e["total"]), e["t"])
    lat = [(got[(v["attempt_id"], v["total"])] - v["t"]) * 1000 for v in sent if (v["attempt_id"], v["total"]) in got]
    return {"sent": len(sent), "received": len(lat), "missing": len(sent) - len(lat),
            "p50_ms": pct(lat, 50), "p95_ms": pct(lat, 95), "max_ms": max(lat) if lat else None}  # fmt: skip


def reconcile(students) -> dict:
    env = {**os.environ, "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/quizsite_serve"}
    ids = [s.attempt_id for s in students if s.acked]
    sql = ("SELECT attempt_id, client_seq, answer_text FROM student_answers WHERE attempt_id IN (" +
           ",".join(f"'{i}'" for i in ids) + ")")  # fmt: skip
    out = subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "quizsite_serve", "-At", "-F", "|",
                          "-c", sql], capture_output=True, text=True, env=env, timeout=60, check=True).stdout  # fmt: skip
    stored = {}
    for line in out.splitlines():
        aid, seq, text = line.split("|", 2)
        stored[aid] = (int(seq), text)
    lost = wrong = 0
    for s in students:
        if not s.acked:
            continue
        row = stored.get(s.attempt_id)
        if row is None or row[0] < s.acked[0]:
            lost += 1
        elif row[0] == s.acked[0] and row[1] != s.acked[1]:
            wrong += 1
    return {"acknowledged": sum(1 for s in students if s.acked), "lost": lost, "wrong": wrong}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=50, help="length of the exam after everyone started")
    args = parser.parse_args()
    students_n = min(max(args.students, 10), 300)
    OUT.mkdir(parents=True, exist_ok=True)
    STATE.mkdir(parents=True, exist_ok=True)
    ports = [LB_PORT, *(p for pair in NODES.values() for p in pair)]
    if any(port_open(p) for p in ports):
        log(f"one of the ports {ports} is taken: is another scale-out run going on?")
        return 1
    sys.path.insert(0, str(ROOT))
    from quizsite import serve

    secret = STATE / "secret_key"
    if not secret.exists():
        secret.write_text(serve.secrets.token_urlsafe(64))
        secret.chmod(0o600)
    nodes: dict[str, subprocess.Popen] = {}
    lb = None
    summary: dict = {"students": students_n}
    try:
        log("starting node A (migrations) and node B")
        nodes["a"] = start_node("a", True, secret)
        if not wait_for(lambda: healthy(NODES["a"][0]), 240):
            log("node A did not come up; see bench/out/scaleout-node-a.log")
            return 1
        nodes["b"] = start_node("b", False, secret)
        if not wait_for(lambda: healthy(NODES["b"][0]) and port_open(NODES["b"][1]) and port_open(NODES["a"][1]), 120):
            log("node B did not come up; see bench/out/scaleout-node-b.log")
            return 1
        cfg = STATE / "haproxy.cfg"
        cfg.write_text(HAPROXY_CFG.format(lb=LB_PORT, a_http=NODES["a"][0], b_http=NODES["b"][0],
                                          a_ws=NODES["a"][1], b_ws=NODES["b"][1]))  # fmt: skip
        lb = subprocess.Popen(["/usr/sbin/haproxy", "-f", str(cfg), "-db"], cwd=ROOT, start_new_session=True,
                              stdout=open(OUT / "scaleout-haproxy.log", "w"), stderr=subprocess.STDOUT)  # fmt: skip
        if not wait_for(lambda: healthy(LB_PORT), 20):
            log("HAProxy did not answer")
            return 1

        django_env = serve.serve_env(*NODES["a"])
        django_env["SERVE_STATE_DIR"] = str(STATE / "a")
        seed_out = OUT / "scaleout-seed.json"
        log(f"seeding {students_n} students")
        subprocess.run([sys.executable, "bench/examday/seed.py", "--students", str(students_n), "--out",
                        str(seed_out)], env=django_env, cwd=ROOT, check=True, timeout=600)  # fmt: skip
        seed = json.loads(seed_out.read_text())
        qid = next(q["id"] for q in seed["questions"] if q["type"] == "short_answer")
        lb_url = f"http://127.0.0.1:{LB_PORT}"
        stop = threading.Event()
        students = [Student(r, seed["password"], seed["quiz_id"], qid, lb_url, stop) for r in seed["students"]]
        for s in students:
            s.start()
        for s in students:
            s.ready.wait(120)
        started = [s for s in students if s.attempt_id]
        log(f"{len(started)} of {students_n} students started through HAProxy")
        status, body = http("POST", f"{lb_url}/api/v1/auth/login",
                            {"email_or_reg_no": seed["teacher"], "password": seed["password"]})  # fmt: skip
        teacher = body["access_token"]

        events: list = []
        sent_before: list = []
        sent_after: list = []
        phases: dict = {}

        async def scenario():
            stop_boards = asyncio.Event()
            path = f"/ws/quiz-monitor/{seed['quiz_id']}?token={teacher}"
            boards = [asyncio.create_task(board(f"ws://127.0.0.1:{NODES['a'][1]}{path}", events, stop_boards, "A"))]
            if not os.environ.get("SCALEOUT_NO_LB_BOARD"):
                lb_ws = (
                    f"127.0.0.1:{NODES['b'][1]}" if os.environ.get("SCALEOUT_LB_BOARD_ON_B") else f"127.0.0.1:{LB_PORT}"
                )
                boards.append(asyncio.create_task(board(f"ws://{lb_ws}{path}", events, stop_boards, "LB")))
            await asyncio.sleep(3)
            b_url = f"http://127.0.0.1:{NODES['b'][0]}"
            phases["violations_to_b"] = time.time()
            await asyncio.to_thread(post_violations, started, lambda s: b_url, 40, 0.25, sent_before)
            await asyncio.sleep(args.seconds * 0.2)
            phases["kill_b"] = time.time()
            log("killing node B (SIGKILL of its process group)")
            os.killpg(nodes["b"].pid, signal.SIGKILL)
            nodes["b"].wait(10)
            await asyncio.sleep(3)
            phases["violations_via_lb"] = time.time()
            await asyncio.to_thread(post_violations, started, lambda s: lb_url, 20, 0.25, sent_after)
            await asyncio.sleep(args.seconds * 0.5)
            phases["end"] = time.time()
            stop.set()
            await asyncio.sleep(2)
            stop_boards.set()
            await asyncio.gather(*boards)

        t0 = time.time()
        asyncio.run(scenario())
        for s in students:
            s.join(15)
        kill = phases["kill_b"]
        before = [ms for s in started for t, ms in s.latencies if t < kill]
        after = [ms for s in started for t, ms in s.latencies if t >= kill + 5]
        around = [ms for s in started for t, ms in s.latencies if kill <= t < kill + 5]
        summary.update({
            "started": len(started),
            "saves_acknowledged": sum(s.saves for s in started),
            "save_retries": sum(s.retries for s in started),
            "saves_before_kill": {"n": len(before), "p50_ms": pct(before, 50), "p95_ms": pct(before, 95)},
            "saves_0_5s_after_kill": {"n": len(around), "p95_ms": pct(around, 95), "max_ms": max(around or [0])},
            "saves_after_kill": {"n": len(after), "p50_ms": pct(after, 50), "p95_ms": pct(after, 95)},
            "students_saving_after_kill": sum(1 for s in started if any(t >= kill + 5 for t, _ in s.latencies)),
            "board_A_violations_posted_to_B": latencies(sent_before, events, "A"),
            "board_A_violations_via_LB_after_kill": latencies(sent_after, events, "A"),
            "board_via_LB_violations_after_kill": latencies(sent_after, events, "LB"),
            "board_via_LB_reconnects": sum(1 for e in events if e["board"] == "LB" and e["type"] == "_connected") - 1,
            "reconciliation": reconcile(started),
            "duration_s": round(time.time() - t0, 1),
        })  # fmt: skip
        (OUT / "scaleout-summary.json").write_text(json.dumps(summary, indent=2))
        (OUT / "scaleout-events.json").write_text(json.dumps(events))
        report = render(summary)
        (OUT / "scaleout-report.md").write_text(report)
        print(report)
        rec = summary["reconciliation"]
        return 0 if rec["lost"] == 0 and rec["wrong"] == 0 else 2
    finally:
        for proc in ([lb] if lb else []) + list(nodes.values()):
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                    proc.wait(20)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass


def render(s: dict) -> str:
    a, lbv = s["board_A_violations_posted_to_B"], s["board_via_LB_violations_after_kill"]
    aa = s["board_A_violations_via_LB_after_kill"]
    rec = s["reconciliation"]
    return "\n".join([
        f"## Scale-out: two nodes behind HAProxy, {s['started']} students (`make bench-scaleout STUDENTS={s['students']}`)",
        "",
        "| what | figure |",
        "| --- | --- |",
        f"| board on node A, violations posted to node B | {a['received']}/{a['sent']} delivered, p50 {a['p50_ms']:.0f} ms, "
        f"p95 {a['p95_ms']:.0f} ms, max {a['max_ms']:.0f} ms |" if a["p50_ms"] is not None else "| board A | none |",
        f"| saves through HAProxy before the kill | {s['saves_before_kill']['n']}, p50 {s['saves_before_kill']['p50_ms']:.0f} ms, "
        f"p95 {s['saves_before_kill']['p95_ms']:.0f} ms |",
        f"| node B killed (SIGKILL): saves in the next 5 s | {s['saves_0_5s_after_kill']['n']}, p95 "
        f"{s['saves_0_5s_after_kill']['p95_ms'] or 0:.0f} ms, max {s['saves_0_5s_after_kill']['max_ms']:.0f} ms; "
        f"{s['save_retries']} retries in the whole run |",
        f"| after the kill (node A alone) | {s['saves_after_kill']['n']} saves, p50 {s['saves_after_kill']['p50_ms'] or 0:.0f} ms, "
        f"p95 {s['saves_after_kill']['p95_ms'] or 0:.0f} ms; {s['students_saving_after_kill']} of {s['started']} students "
        "still saving |",
        f"| board via HAProxy after the kill | reconnected {s['board_via_LB_reconnects']}×; violations {lbv['received']}/"
        f"{lbv['sent']}, p95 {lbv['p95_ms'] or 0:.0f} ms; board on A {aa['received']}/{aa['sent']} |",
        f"| reconciliation | {rec['acknowledged']} acknowledged answers, {rec['lost']} lost, {rec['wrong']} wrong |",
        "",
    ])  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())

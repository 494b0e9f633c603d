"""The exam day as locust users (headless; started by bench/examday/run.py, which sets the BENCH_* variables).

Each simulated student follows a shared clock (BENCH_T0 + offsets from BENCH_PLAN) like a class on exam day:
log in (the storm) → start the quiz (the spike) → change an answer every few seconds (autosave stream; ~10% also
report violations) → submit at the deadline (the storm). The first tenth ("early") log in and start before the
storm, so saves are measured while everyone else logs in.

The client behaves like static/js/exam.js: every change goes into a local outbox keyed by question with a rising
client_seq; the outbox is sent as a batch; 200 acknowledges, 409 ends the exam, anything else (429/503 with
Retry-After, 5xx, connection errors) keeps the outbox and sends it again later. When a drill cuts a client off
(BENCH_OFFLINE_*), it keeps answering locally and sends everything when it is back.

At the end every client's log (what it saw acknowledged, what it sent) and every request's timing are written
to BENCH_OUT/clients.json and BENCH_OUT/requests.csv for run.py's report and reconciliation.
"""

from __future__ import annotations

import csv
import json
import os
import random
import time
from pathlib import Path

import gevent
from locust import FastHttpUser, events, task

PLAN = json.loads(os.environ.get("BENCH_PLAN", "{}"))
SEED = json.loads(Path(os.environ.get("BENCH_SEED", "bench/out/seed.json")).read_text())
OUT = Path(os.environ.get("BENCH_OUT", "bench/out"))
T0 = float(os.environ.get("BENCH_T0", time.time() + 3))

STUDENTS = SEED["students"]
QUESTIONS = SEED["questions"]
QUIZ = SEED["quiz_id"]
N = len(STUDENTS)

REQUESTS: list[tuple] = []  # (t_start, name, ms, status, retry_after)
CLIENTS: dict[str, dict] = {}
_next = iter(range(N))
_finished = 0


def at(offset: float) -> float:
    return T0 + offset


def sleep_until(t: float) -> None:
    delay = t - time.time()
    if delay > 0:
        gevent.sleep(delay)


class Student(FastHttpUser):
    # One long task per user; no think time between tasks.
    network_timeout = 30.0
    connection_timeout = 10.0

    def on_start(self):
        self.index = next(_next)
        self.reg = STUDENTS[self.index]
        self.early = self.index < max(1, N // 10)
        self.offline_cut = PLAN.get("offline_at") is not None and self.index % 10 == 1
        self.token = None
        self.attempt = None
        self.seq = 0
        self.outbox: dict[str, tuple[int, object]] = {}
        self.acked: dict[str, list] = {}  # qid -> [seq, value] last acknowledged
        self.sent: dict[str, dict[int, object]] = {}
        self.violation_log: list = []
        self.ended = False
        self.refusals = 0

    # --- one HTTP call, recorded ------------------------------------------------------------------------------
    def call(self, name: str, path: str, body: dict, auth: bool = True):
        headers = {"Authorization": f"Bearer {self.token}"} if auth and self.token else {}
        start = time.time()
        with self.client.post(path, json=body, headers=headers, name=name, catch_response=True) as res:
            ms = (time.time() - start) * 1000
            status = res.status_code or 0
            retry_after = res.headers.get("Retry-After") if res.headers else None
            REQUESTS.append((start, name, ms, status, retry_after))
            try:
                data = res.json() if status else {}
            except Exception:
                data = {}
            if status in (200, 201) or (name == "save" and status == 409):
                res.success()
            elif status in (429, 503) and retry_after:
                res.success()  # a polite refusal under load, retried below; counted separately in the report
            else:
                res.failure(f"{status}")
            return status, data, retry_after

    def backoff(self, status, retry_after) -> None:
        if status in (429, 503):
            self.refusals += 1
        wait = float(retry_after) + random.random() if retry_after else 3.0
        gevent.sleep(wait)

    def until_ok(self, name, path, body, deadline, auth=True):
        while time.time() < deadline:
            status, data, ra = self.call(name, path, body, auth)
            if status in (200, 201):
                return data
            if status in (400, 401, 403, 404, 409):
                return None
            self.backoff(status, ra)
        return None

    # --- exam-day steps ---------------------------------------------------------------------------------------
    def login(self) -> bool:
        body = {"email_or_reg_no": self.reg, "password": SEED["password"]}
        data = self.until_ok("login", "/api/v1/auth/login", body, at(PLAN["end"]), auth=False)
        if data:
            self.token = data["access_token"]
        return bool(data)

    def start_quiz(self) -> bool:
        data = self.until_ok("start", f"/api/v1/quizzes/{QUIZ}/start", {}, at(PLAN["end"]))
        if data:
            self.attempt = data["attempt_id"]
        return bool(data)

    def change_answer(self) -> None:
        q = random.choice(QUESTIONS)
        self.seq += 1
        value = random.randrange(4) if q["type"] == "mcq" else random.choice(["paris", "lyon", "Paris", "nice"])
        self.outbox[q["id"]] = (self.seq, value)
        self.sent.setdefault(q["id"], {})[self.seq] = value

    def offline_now(self) -> bool:
        if not self.offline_cut:
            return False
        t = time.time() - T0
        return PLAN["offline_at"] <= t < PLAN["offline_at"] + PLAN.get("offline_for", 30)

    def flush(self) -> bool:
        """Send the outbox once. True when it is empty afterwards (or the exam ended)."""
        if not self.outbox or self.ended:
            return True
        if self.offline_now():
            return False
        batch = []
        for qid, (seq, value) in self.outbox.items():
            item = {"question_id": qid, "client_seq": seq}
            item["answer_option" if isinstance(value, int) else "answer_text"] = value
            batch.append(item)
        status, data, ra = self.call("save", f"/api/v1/attempts/{self.attempt}/answer", {"answers": batch})
        if status == 200:
            for result in data.get("results", []):
                qid, seq = result["question_id"], result["client_seq"]
                value = self.sent[qid][seq]
                if qid not in self.acked or self.acked[qid][0] < seq:
                    self.acked[qid] = [seq, value]
                if self.outbox.get(qid, (None,))[0] == seq:
                    del self.outbox[qid]
            return not self.outbox
        if status == 409:
            self.ended = True
            return True
        self.backoff(status, ra)
        return False

    def violation(self) -> None:
        status, data, ra = self.call("violation", f"/api/v1/attempts/{self.attempt}/violations",
                                     {"violation_type": "tab_switch", "question_index": 0})  # fmt: skip
        if status == 201:
            self.violation_log.append([self.attempt, data["total_violations"], self._last_start])

    @task
    def exam_day(self):
        global _finished
        try:
            self.run_exam()
        finally:
            CLIENTS[self.reg] = {"attempt": self.attempt, "acked": self.acked, "outbox_left": len(self.outbox),
                                 "refusals": self.refusals, "violations": self.violation_log,
                                 "submitted": getattr(self, "submitted", False)}  # fmt: skip
            _finished += 1
            if _finished == N:
                gevent.spawn_later(1, self.environment.runner.quit)
            gevent.sleep(10_000)

    def run_exam(self):
        if self.early:
            sleep_until(at(self.index * PLAN["login_at"] / max(1, N // 10)))
        else:
            sleep_until(at(PLAN["login_at"] + random.random() * PLAN["login_spread"]))
        if not self.login():
            return
        if not self.early:
            sleep_until(at(PLAN["start_at"] + random.random() * PLAN["start_spread"]))
        if not self.start_quiz():
            return
        deadline = at(PLAN["deadline_at"])
        interval = PLAN["save_interval"]
        violation_times = sorted(random.uniform(PLAN["start_at"] + 5, PLAN["deadline_at"] - 5) for _ in range(2)) \
            if self.index % 10 == 3 else []  # fmt: skip
        gevent.sleep(random.random() * interval)
        while time.time() < deadline and not self.ended:
            self.change_answer()
            self.flush()
            if violation_times and time.time() - T0 >= violation_times[0]:
                violation_times.pop(0)
                self._last_start = time.time()
                self.violation()
            gevent.sleep(max(0.05, random.gauss(interval, interval * 0.2)))
        # Deadline: the page flushes what it has, then submits.
        sleep_until(at(PLAN["deadline_at"] + random.random() * PLAN["submit_spread"]))
        end = at(PLAN["end"])
        while not self.ended and time.time() < end and not self.flush():
            pass
        data = self.until_ok("submit", f"/api/v1/attempts/{self.attempt}/submit", {}, end)
        self.submitted = bool(data)


@events.quitting.add_listener
def _write_logs(environment, **_kwargs):
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "clients.json").write_text(json.dumps(CLIENTS))
    with open(OUT / "requests.csv", "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["t", "name", "ms", "status", "retry_after"])
        writer.writerows(REQUESTS)

"""Teachers watching the exam board: S sockets on ws/quiz-monitor/<quiz> that log every message with its arrival
time (bench/out/board.jsonl), reconnecting like static/js/board.js when a socket closes. run.py matches each
`violation` event with the request that caused it (attempt_id + total_violations) for the latency.

    python bench/examday/board.py --seed bench/out/seed.json --sockets 3 --seconds 300
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import time
import urllib.request
from pathlib import Path

import websockets


def login(http: str, email: str, password: str) -> str:
    body = json.dumps({"email_or_reg_no": email, "password": password}).encode()
    req = urllib.request.Request(f"{http}/api/v1/auth/login", body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as res:
        return json.loads(res.read())["access_token"]


async def watch(n: int, url: str, origin: str, out, stop: asyncio.Event) -> None:
    delay = 1.0
    while not stop.is_set():
        try:
            async with websockets.connect(url, origin=origin, open_timeout=10, max_size=2**24) as ws:
                out.write(json.dumps({"t": time.time(), "socket": n, "type": "_connected"}) + "\n")
                delay = 1.0
                while not stop.is_set():
                    try:
                        raw = await asyncio.wait_for(ws.recv(), timeout=1.0)
                    except TimeoutError:
                        continue
                    msg = json.loads(raw)
                    data = msg.get("data") or {}
                    rec = {"t": time.time(), "socket": n, "type": msg.get("type")}
                    if msg.get("type") == "violation":
                        rec.update(attempt_id=data.get("attempt_id"), total=data.get("total_violations"))
                    out.write(json.dumps(rec) + "\n")
        except Exception as exc:  # server restarting, Redis down...: like board.js, try again with back-off
            out.write(json.dumps({"t": time.time(), "socket": n, "type": "_closed", "error": repr(exc)[:200]}) + "\n")
            try:
                await asyncio.wait_for(stop.wait(), timeout=delay)
            except TimeoutError:
                pass
            delay = min(delay * 2, 10.0)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", default="bench/out/seed.json")
    parser.add_argument("--http", default="http://127.0.0.1:8000")
    parser.add_argument("--ws", default="ws://127.0.0.1:8001")
    parser.add_argument("--sockets", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=600)
    parser.add_argument("--out", default="bench/out/board.jsonl")
    args = parser.parse_args()
    seed = json.loads(Path(args.seed).read_text())
    token = login(args.http, seed["teacher"], seed["password"])
    url = f"{args.ws}/ws/quiz-monitor/{seed['quiz_id']}?token={token}"
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    loop.call_later(args.seconds, stop.set)
    with open(args.out, "w", buffering=1) as out:
        await asyncio.gather(*(watch(i, url, args.http, out, stop) for i in range(args.sockets)))


if __name__ == "__main__":
    asyncio.run(main())

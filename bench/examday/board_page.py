"""Does the HTML exam board work under `make serve`? (HTTP on :8000, sockets on :8001 via WEBSOCKET_URL.)

Signs the benchmark's teacher in through the login page in headless Chromium (session cookie), opens the quiz's
board page, and waits until board.js reports the socket "live" and the first status snapshot filled the counts.

    python bench/examday/board_page.py [--seed bench/out/seed.json]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from playwright.sync_api import expect, sync_playwright


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", default="bench/out/seed.json")
    parser.add_argument("--http", default="http://127.0.0.1:8000")
    args = parser.parse_args()
    seed = json.loads(Path(args.seed).read_text())
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = browser.new_page()
        page.goto(f"{args.http}/accounts/login/")
        page.locator("input[type=password]").fill(seed["password"])
        page.locator("input:not([type=hidden]):not([type=password])").first.fill(seed["teacher"])
        page.get_by_role("button", name="Log in").click()
        page.goto(f"{args.http}/grading/quizzes/{seed['quiz_id']}/board/")
        meta = page.locator('meta[name="websocket-url"]').get_attribute("content")
        expect(page.locator("#conn-state")).to_have_text("live", timeout=15_000)
        expect(page.locator("#count-active")).not_to_be_empty(timeout=15_000)
        print(
            f"board page: websocket-url {meta!r}, socket live, active {page.locator('#count-active').inner_text()}"
            f", completed {page.locator('#count-completed').inner_text()}"
        )
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

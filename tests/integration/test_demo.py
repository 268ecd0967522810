"""`telesales-reports demo` (what `bash run demo` runs) end to end: generate, build, snapshot, serve.

The README's first command. It is run here as a user runs it, in a process of its own against a fresh
database (small data), until it prints the console's URL; then the console and a report are
requested from the server it started, with the token it printed.
"""

from __future__ import annotations

import json
import os
import queue
import re
import subprocess
import sys
import threading
import time
import urllib.request

CLI = [sys.executable, "-m", "telesales_dev.cli"]
SMALL = ["--calls", "3000", "--leads", "600", "--agents", "12", "--campaigns", "3", "--teams", "3"]
SMALL += ["--caller-ids", "20", "--days", "20"]


def _lines(stream, into: queue.Queue) -> None:
    for line in stream:
        into.put(line)
    into.put(None)


def test_demo_builds_serves_and_prints_a_console_url_that_answers(fresh_database):
    url = fresh_database("demo")
    env = {**os.environ, "DATABASE_URL": url}
    process = subprocess.Popen(
        [*CLI, "demo", *SMALL, "--port", "0"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=_lines, args=(process.stdout, lines), daemon=True).start()
    output: list[str] = []
    console = None
    try:
        deadline = time.monotonic() + 600
        while console is None and time.monotonic() < deadline:
            try:
                line = lines.get(timeout=5)
            except queue.Empty:
                continue
            assert line is not None, "demo ended before serving:\n" + "".join(output)
            output.append(line)
            match = re.search(r"(http://127\.0\.0\.1:\d+)/\?(\S*)#token=(\S+)", line)
            if match:
                console = match
        assert console is not None, "no console URL within 10 minutes:\n" + "".join(output)
        text = "".join(output)
        assert "Traceback" not in text, text
        for step in ("1/4", "2/4", "3/4", "4/4"):
            assert step in text, text
        root, query, token = console.groups()

        with urllib.request.urlopen(f"{root}/", timeout=30) as page:
            assert page.status == 200
            assert "text/html" in page.headers["content-type"]

        report = urllib.request.Request(
            f"{root}/api/telesales/reports/dashboard?{query}", headers={"Authorization": f"Bearer {token}"}
        )
        with urllib.request.urlopen(report, timeout=30) as answer:
            assert answer.status == 200
            body = json.load(answer)
        # the console's default window: the last 30 days of generated data, so calls were made
        assert body["data"]["total_dials"] > 0, body
        assert process.poll() is None, "the server stopped"
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()

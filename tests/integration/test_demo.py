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
import socket
import subprocess
import sys
import threading
import time
import urllib.request

import psycopg

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


def _demo(args: list[str], url: str, timeout: int = 120) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": url}
    return subprocess.run([*CLI, "demo", *SMALL, *args], env=env, capture_output=True, text=True, timeout=timeout)


def test_a_port_in_use_is_refused_before_any_work(fresh_database):
    url = fresh_database("demo_port")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        started = time.monotonic()
        result = _demo(["--port", str(port)], url)
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"port {port} on 127.0.0.1 is in use" in result.stderr and "--port N" in result.stderr
    assert "2/4" not in result.stdout and "Traceback" not in result.stderr
    assert time.monotonic() - started < 30


def test_a_database_with_raw_rows_is_not_replaced_without_asking(fresh_database):
    from telesales_build.bootstrap import ensure_schema

    url = fresh_database("demo_owned")
    ensure_schema(url)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "insert into raw.leads (id, tenant_id, campaign_id, source, phone, created_at, updated_at)"
            " values (1, 1, 1, 'kept', '+84900000001', now(), now())"
        )
    result = _demo(["--port", "0"], url)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "already holds raw calls or leads" in result.stderr and "--replace-data" in result.stderr
    with psycopg.connect(url) as conn:
        assert conn.execute("select source from raw.leads").fetchall() == [("kept",)]


def test_an_unreachable_database_is_a_message_and_its_password_is_not_printed():
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]  # nothing listens once the socket is closed
    result = _demo(["--port", "0"], f"postgresql://bob:S3cretPw@127.0.0.1:{port}/db", timeout=60)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "cannot reach the database" in result.stderr
    assert "S3cretPw" not in result.stdout + result.stderr and "Traceback" not in result.stderr
    assert "bob:***@" in result.stdout


def test_db_stop_ends_the_server_of_a_data_folder(tmp_path):
    """`telesales-reports db --stop`: the postmaster named in the data folder's postmaster.pid gets a
    fast shutdown (SIGINT) and is waited for; a folder with no server is "not running"."""
    from telesales_dev.embedded_db import stop_embedded

    # A stand-in postmaster that ends on SIGINT as PostgreSQL does. It installs its own handler (a
    # process started in the background may inherit SIGINT ignored) and says when it has.
    stand_in = "import signal, sys, time; signal.signal(signal.SIGINT, lambda *_: sys.exit(3)); print('ready', flush=True); time.sleep(120)"
    server = subprocess.Popen([sys.executable, "-c", stand_in], stdout=subprocess.PIPE, text=True)
    assert server.stdout.readline().strip() == "ready"
    threading.Thread(target=server.wait, daemon=True).start()  # reaped as soon as it ends
    try:
        (tmp_path / "postmaster.pid").write_text(f"{server.pid}\n{tmp_path}\n")
        assert stop_embedded(tmp_path, wait_s=10) is True
        assert server.wait(timeout=5) == 3
    finally:
        server.kill()
    assert stop_embedded(tmp_path / "missing") is False

"""A server that stops answering altogether (fault): a frozen PostgreSQL process or host, or a network
that drops every packet. Statement timeouts and cancel requests both need the server, so the request
must give up on its own: the contract's 503 before the Lambda's time runs out, and recovery on the
next request once the server answers again (db/connection.py, _watchdog).

The API reaches the database through a TCP relay that can freeze: while frozen it forwards nothing
either way and keeps every socket open, as a stopped server does.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator

import pytest
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from telesales_reports.api.handler import lambda_handler
from telesales_reports.db import connection as db
from tests.reliability.test_deadline import (  # noqa: F401
    SERVICE_UNAVAILABLE,
    Remaining,
    marts_locked,
    slow_statements,
)
from tests.support import api_url, event


class FreezingRelay:
    """127.0.0.1:<port> relayed to the database server; `frozen` stops all traffic, sockets kept open."""

    def __init__(self, url: str) -> None:
        params = conninfo_to_dict(url)
        host, port = params.get("host") or "localhost", int(params.get("port") or 5432)
        self._upstream = (
            (socket.AF_UNIX, f"{host}/.s.PGSQL.{port}")
            if host.startswith("/")
            else (
                socket.AF_INET,
                (host, port),
            )
        )
        self.frozen = threading.Event()
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen()
        self._sockets: list[socket.socket] = []
        self.url = make_conninfo(url, host="127.0.0.1", port=str(self._listener.getsockname()[1]))
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            family, address = self._upstream
            server = socket.socket(family)
            server.connect(address)
            self._sockets += [client, server]
            for source, target in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        while True:
            while self.frozen.is_set():
                time.sleep(0.01)
            try:
                data = source.recv(65536)
            except OSError:
                data = b""
            while self.frozen.is_set():  # read while thawed, held while frozen: nothing goes through
                time.sleep(0.01)
            if not data:
                with _quietly():
                    target.shutdown(socket.SHUT_WR)
                return
            try:
                target.sendall(data)
            except OSError:
                return

    def close(self) -> None:
        self._listener.close()
        for sock in self._sockets:
            with _quietly():
                sock.close()


class _quietly:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc) -> bool:
        return exc[0] is not None and issubclass(exc[0], OSError)


@pytest.fixture
def relay(contract_db: str) -> Iterator[FreezingRelay]:
    relay = FreezingRelay(api_url(contract_db))
    db.reset(relay.url)
    yield relay
    relay.frozen.clear()
    db.reset(api_url(contract_db))
    relay.close()


REQUEST = event("/api/telesales/reports/dashboard", {"date_from": "2026-06-01", "date_to": "2026-06-01"})


def _timed(context) -> tuple[dict, float]:
    """The handler's response and how long it took; a request still waiting after 10 s fails the test
    (it would otherwise wait as long as the server stays frozen)."""
    result: list[dict] = []
    started = time.monotonic()
    worker = threading.Thread(target=lambda: result.append(lambda_handler(REQUEST, context)), daemon=True)
    worker.start()
    worker.join(10)
    if not result:
        pytest.fail("the request still waits on the frozen server after 10 s")
    return result[0], time.monotonic() - started


def _unavailable_in_time(context, within_s: float) -> float:
    """The contract's 503 for a request under `context`, answered within `within_s`; how long it took."""
    response, elapsed = _timed(context)
    assert (response["statusCode"], json.loads(response["body"])) == (503, SERVICE_UNAVAILABLE)
    assert elapsed < within_s, elapsed
    return elapsed


def _recovers(relay: FreezingRelay, healthy: dict) -> None:
    """Once the server answers again, the next request answers as before the fault."""
    relay.frozen.clear()
    again, _ = _timed(Remaining(2500))
    assert again["statusCode"] == 200
    assert json.loads(again["body"]) == json.loads(healthy["body"])


def test_a_server_that_stops_answering_between_requests_gets_a_503_in_time_and_recovers(relay, slow_statements):  # noqa: F811
    healthy, _ = _timed(Remaining(2500))
    assert healthy["statusCode"] == 200  # the connection is open and reused from here on
    relay.frozen.set()
    # Lambda has 2.5 s left; the budget is that less the response margin (1 s), and the answer must
    # come before Lambda's own time is up
    assert _unavailable_in_time(Remaining(2500), 2.4) > 1.3
    _recovers(relay, healthy)


def test_a_server_that_freezes_mid_query_gets_a_503_in_time_and_recovers(relay, contract_db, slow_statements):  # noqa: F811
    healthy, _ = _timed(Remaining(2500))
    assert healthy["statusCode"] == 200
    # the report's first statement waits on a lock; the server freezes while it does, so neither the
    # statement's answer nor the cancel request can arrive
    with marts_locked(contract_db):
        threading.Timer(0.3, relay.frozen.set).start()
        assert _unavailable_in_time(Remaining(2500), 2.4) > 1.3
    _recovers(relay, healthy)


def test_a_new_connection_to_a_server_that_does_not_answer_gives_up_at_the_deadline(relay, slow_statements):  # noqa: F811
    """libpq waits at least 2 s for a connection; a request with less time left answers 503 in time."""
    healthy, _ = _timed(Remaining(2500))
    relay.frozen.set()
    db.reset(relay.url)  # no connection yet: the request must open one
    # 1.6 s left: a 0.6 s budget, and the answer due before Lambda's 1.6 s are up
    _unavailable_in_time(Remaining(1600), 1.4)
    _recovers(relay, healthy)

#!/usr/bin/env python3
"""Bounded load test of the local report API, on loopback only.

N concurrent clients (asyncio streams, raw HTTP/1.1 with keep-alive) send a mix of report requests
with a bearer token for a fixed time, then the run stops by itself and prints throughput (req/s),
p50/p95/p99 latency and the error count. The exit status is 1 when any request failed (a status
other than 200, a broken connection or a timeout), 2 for a bad command line (including any URL
that is not on the loopback interface). Standard library only.

    python scripts/load_test.py --url http://127.0.0.1:8000/api/telesales/reports --tenant-id 1
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import math
import socket
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlencode, urlsplit

DEFAULT_URL = "http://127.0.0.1:8000/api/telesales/reports"
REQUEST_TIMEOUT_S = 30.0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    yesterday = datetime.now(UTC).date() - timedelta(days=1)
    parser = argparse.ArgumentParser(
        prog="load_test.py",
        description="Bounded load test of the local report API (loopback only): throughput, latency, errors.",
        epilog="Exit status: 0 no errors, 1 at least one failed request, 2 bad arguments or a non-loopback URL.",
    )
    parser.add_argument(
        "--url",
        default=DEFAULT_URL,
        help=f"base URL of the reports API; must be http:// on a loopback address (default {DEFAULT_URL})",
    )
    parser.add_argument(
        "--token",
        default=None,
        help="bearer token (e.g. from `telesales-reports token --tenant-id 1`); "
        "when omitted one is minted locally for --tenant-id with the local API's secret",
    )
    parser.add_argument(
        "--tenant-id", type=int, default=1, help="tenant of the minted token when --token is not given (default 1)"
    )
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients (default 20)")
    parser.add_argument("--seconds", type=float, default=10.0, help="how long to send requests (default 10)")
    parser.add_argument(
        "--date-from",
        default=(yesterday - timedelta(days=29)).isoformat(),
        help="date_from of the report requests (default: 30 days ending yesterday)",
    )
    parser.add_argument("--date-to", default=yesterday.isoformat(), help="date_to of the report requests")
    parser.add_argument(
        "--campaign-id", type=int, default=None, help="also request abandon-rate for this campaign (optional)"
    )
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    args = parser.parse_args(argv)
    if not 1 <= args.clients <= 1000:
        parser.error("--clients must be between 1 and 1000")
    if not 0 < args.seconds <= 3600:
        parser.error("--seconds must be in (0, 3600]")
    for name in ("date_from", "date_to"):
        try:
            date.fromisoformat(getattr(args, name)[:10])
        except ValueError:
            parser.error(f"--{name.replace('_', '-')} must be an ISO date")
    try:
        args.target = loopback_target(args.url)
    except ValueError as exc:
        parser.error(str(exc))
    return args


@dataclass(frozen=True)
class Target:
    host: str
    port: int
    base_path: str
    host_header: str


def loopback_target(url: str) -> Target:
    """The URL's host and port, refusing anything that is not plain HTTP on a loopback address."""
    parts = urlsplit(url)
    if parts.scheme != "http":
        raise ValueError(f"--url must be an http:// URL, got {url!r}")
    host = parts.hostname
    if not host:
        raise ValueError(f"--url has no host: {url!r}")
    port = parts.port or 80
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)}
    except socket.gaierror as exc:
        raise ValueError(f"cannot resolve {host!r}: {exc}") from exc
    if not addresses or not all(ipaddress.ip_address(a.split("%")[0]).is_loopback for a in addresses):
        raise ValueError(f"refusing a non-loopback target {host!r} ({', '.join(sorted(addresses))})")
    # Connect to the resolved loopback address itself, never to a name that could resolve elsewhere later.
    address = sorted(addresses)[0]
    host_header = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    return Target(address, port, parts.path.rstrip("/") or "", host_header)


def request_mix(args: argparse.Namespace) -> list[str]:
    """Paths (with query) of the requests, cycled through by every client from its own offset."""
    window = [("date_from", args.date_from), ("date_to", args.date_to)]
    mix = [
        ("dashboard", window),
        ("agent-performance", window),
        ("funnel", window),
        ("disposition-breakdown", window),
        ("caller-id-health", [*window, ("timezone", "Asia/Ho_Chi_Minh")]),
        ("hour-dow-heatmap", [*window, ("timezone", "Asia/Ho_Chi_Minh")]),
        ("lead-source-attribution", window),
        ("time-series", [*window, ("group_by", "day")]),
        ("time-series", [*window, ("group_by", "hour"), ("timezone", "Asia/Ho_Chi_Minh")]),
        ("time-series", [*window, ("group_by", "week")]),
        ("dashboard/export", [*window, ("format", "csv")]),
    ]
    if args.campaign_id is not None:
        mix.append(("abandon-rate", [("campaign_id", str(args.campaign_id))]))
        mix.append(("dashboard", [*window, ("campaign_id", str(args.campaign_id))]))
    return [f"{args.target.base_path}/{path}?{urlencode(params)}" for path, params in mix]


@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    samples: list[str] = field(default_factory=list)
    by_status: dict[int, int] = field(default_factory=dict)

    def error(self, text: str) -> None:
        self.errors += 1
        if len(self.samples) < 5:
            self.samples.append(text)


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    """(status, body, server closes) of one HTTP/1.1 response with a Content-Length body."""
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("connection closed by the server")
    status = int(status_line.split()[1])
    length = 0
    closes = False
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.decode("iso-8859-1").partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value.strip())
        elif name == "connection" and value.strip().lower() == "close":
            closes = True
    body = await reader.readexactly(length) if length else b""
    return status, body, closes


async def client(index: int, args: argparse.Namespace, paths: list[str], deadline: float, stats: Stats) -> None:
    target: Target = args.target
    reader = writer = None
    turn = index
    try:
        while time.monotonic() < deadline:
            path = paths[turn % len(paths)]
            turn += 1
            request = (
                f"GET {path} HTTP/1.1\r\nHost: {target.host_header}\r\nAuthorization: Bearer {args.token}\r\n"
                f"User-Agent: telesales-load-test\r\nAccept: */*\r\n\r\n"
            ).encode()
            started = time.perf_counter()
            try:
                if writer is None:
                    reader, writer = await asyncio.wait_for(
                        asyncio.open_connection(target.host, target.port), REQUEST_TIMEOUT_S
                    )
                writer.write(request)
                await writer.drain()
                status, body, closes = await asyncio.wait_for(read_response(reader), REQUEST_TIMEOUT_S)
            except (TimeoutError, OSError, ConnectionError, asyncio.IncompleteReadError, ValueError) as exc:
                stats.error(f"{path[:80]}: {type(exc).__name__}: {exc}")
                if writer is not None:
                    writer.close()
                reader = writer = None
                continue
            stats.latencies.append(time.perf_counter() - started)
            stats.by_status[status] = stats.by_status.get(status, 0) + 1
            if status != 200:
                stats.error(f"{path[:80]}: HTTP {status}: {body[:120]!r}")
            if closes:
                writer.close()
                reader = writer = None
    finally:
        if writer is not None:
            writer.close()


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


async def run(args: argparse.Namespace) -> dict:
    paths = request_mix(args)
    stats = Stats()
    started = time.monotonic()
    deadline = started + args.seconds
    tasks = [asyncio.create_task(client(i, args, paths, deadline, stats)) for i in range(args.clients)]
    # Hard stop: a request in flight at the deadline gets REQUEST_TIMEOUT_S at most, then everything ends.
    done, pending = await asyncio.wait(tasks, timeout=args.seconds + REQUEST_TIMEOUT_S + 5)
    for task in pending:
        task.cancel()
        stats.error("client cancelled at the hard stop")
    await asyncio.gather(*pending, return_exceptions=True)
    for task in done:
        if task.exception() is not None:
            stats.error(f"client crashed: {task.exception()!r}")
    elapsed = time.monotonic() - started
    requests = len(stats.latencies)
    return {
        "url": args.url,
        "clients": args.clients,
        "seconds": round(elapsed, 2),
        "requests": requests,
        "throughput_rps": round(requests / elapsed, 1) if elapsed else 0.0,
        "p50_ms": round(percentile(stats.latencies, 50) * 1000, 1),
        "p95_ms": round(percentile(stats.latencies, 95) * 1000, 1),
        "p99_ms": round(percentile(stats.latencies, 99) * 1000, 1),
        "max_ms": round(max(stats.latencies, default=0.0) * 1000, 1),
        "errors": stats.errors,
        "statuses": {str(k): v for k, v in sorted(stats.by_status.items())},
        "error_samples": stats.samples,
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.token is None:
        from telesales_dev.local_api import make_token

        args.token = make_token(args.tenant_id, ttl_seconds=int(args.seconds) + 3600)
    result = asyncio.run(run(args))
    if args.json:
        print(json.dumps(result))
    else:
        print(f"target      {result['url']}  ({result['clients']} clients, {result['seconds']} s)")
        print(f"requests    {result['requests']}  statuses {result['statuses']}")
        print(f"throughput  {result['throughput_rps']} req/s")
        print(
            f"latency     p50 {result['p50_ms']} ms  p95 {result['p95_ms']} ms  p99 {result['p99_ms']} ms  "
            f"max {result['max_ms']} ms"
        )
        print(f"errors      {result['errors']}")
        for sample in result["error_samples"]:
            print(f"  {sample}")
    return 1 if result["errors"] or not result["requests"] else 0


if __name__ == "__main__":
    sys.exit(main())

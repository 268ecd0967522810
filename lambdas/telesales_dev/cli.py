"""`telesales-reports`: the command line (db, generate, build, docs, serve, token, snapshot-abandon, demo, bench, cluster)."""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings

os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")


def _url() -> str:
    from .embedded_db import database_url

    return database_url()


def cmd_db(args: argparse.Namespace) -> int:
    if args.stop:
        from .embedded_db import stop_embedded

        print("embedded PostgreSQL stopped" if stop_embedded() else "embedded PostgreSQL was not running")
        return 0
    from_env = bool(os.environ.get("DATABASE_URL"))
    url = _url()
    print("using DATABASE_URL" if from_env else "embedded PostgreSQL running (data in .data/pg)")
    print(url)
    return 0


def _generate_options(args: argparse.Namespace):
    from .generate import GenerateOptions

    return GenerateOptions(
        tenants=args.tenants,
        campaigns=args.campaigns,
        teams=args.teams,
        agents=args.agents,
        caller_ids=args.caller_ids,
        leads=args.leads,
        calls=args.calls,
        days=args.days,
        seed=args.seed,
    )


def cmd_generate(args: argparse.Namespace) -> int:
    from telesales_build.bootstrap import ensure_schema

    from .generate import append_days, generate

    url = _url()
    ensure_schema(url)
    started = time.perf_counter()
    if args.append_days:
        stats = append_days(url, days=args.append_days, seed=args.seed)
    else:
        stats = generate(url, _generate_options(args))
    print(f"generated in {time.perf_counter() - started:.1f}s: {stats}")
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    from telesales_build.dbt_runner import BuildFailed, BuildLocked, build, print_progress

    if args.scheduled:
        from telesales_build.scheduled import scheduled_build

        if args.full_refresh or args.select:
            print("--scheduled runs the whole incremental build: no --full-refresh or --select", file=sys.stderr)
            return 2
        return scheduled_build(_url(), on_node=print_progress)
    try:
        result = build(_url(), full_refresh=args.full_refresh, select=args.select, on_node=print_progress)
    except BuildLocked as exc:
        print(f"build skipped: {exc}", file=sys.stderr)
        return 3
    except BuildFailed as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(f"dbt build finished in {result.seconds:.1f}s: {len(result.nodes)} nodes, {result.warnings} warnings")
    return 0


def cmd_token(args: argparse.Namespace) -> int:
    from .local_api import make_token

    print(make_token(args.tenant_id, ttl_seconds=args.ttl))
    return 0


def cmd_docs(args: argparse.Namespace) -> int:
    from telesales_build import dbt_docs
    from telesales_build.dbt_runner import BuildFailed

    try:
        site = dbt_docs.generate(_url())
    except BuildFailed as exc:  # e.g. the marts are not built yet: `telesales-reports build` first
        print(str(exc).replace("DBT BUILD FAILED", "dbt docs generate failed"), file=sys.stderr)
        return 1
    print(f"dbt docs written to {site}")
    if args.no_serve:
        return 0
    server = dbt_docs.serve(site, args.host, args.port)
    print(f"serving the dbt docs on http://{args.host}:{server.server_port}/ (Ctrl-C stops)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def _quiet_request_logs() -> None:
    """The local server's terminal shows the console's URL, not a JSON line per request: the handler's
    INFO logs (one per report, wanted in CloudWatch) are off unless POWERTOOLS_LOG_LEVEL asks for
    them; warnings and errors still print. (Set before the handler's logger is created.)"""
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")


def cmd_serve(args: argparse.Namespace, last_line=None) -> int:
    _quiet_request_logs()
    from telesales_reports.db import connection

    from .embedded_db import api_login_url
    from .local_api import serve

    connection.reset(api_login_url(_url()))  # the API's own login, bound by row-level security as in AWS
    server = serve(args.host, args.port)
    root = f"http://{args.host}:{server.server_port}"
    print(f"serving the report API on {root}/api/telesales/reports/", flush=True)
    print(f"reports console on {root}/ (sign in: {root}/#token=$(telesales-reports token --tenant-id 1))", flush=True)
    if last_line:
        print(last_line(root), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def cmd_snapshot(args: argparse.Namespace) -> int:
    from telesales_reports.db import connection
    from telesales_reports.jobs.abandon_snapshot import take_snapshot

    from .embedded_db import api_login_url

    connection.reset(api_login_url(_url()))
    print(take_snapshot())
    return 0


def _port_taken(host: str, port: int) -> bool:
    """True when nothing can listen on (host, port) now (the server binds the same way, address reuse on)."""
    import socket

    if port == 0:
        return False
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return True
    return False


def _masked(url: str) -> str:
    """`url` with its password hidden (a URL's or a conninfo string's)."""
    import re

    return re.sub(r"(password\s*=\s*)\S+", r"\1***", re.sub(r"(://[^/:@]+:)[^@/]*@", r"\1***@", url))


def _raw_rows(url: str) -> bool:
    """True when the database's raw tables already hold calls or leads."""
    import psycopg

    with psycopg.connect(url, connect_timeout=10) as conn:
        row = conn.execute(
            "select to_regclass('raw.calls') is not null and to_regclass('raw.leads') is not null"
        ).fetchone()
        if not row[0]:
            return False
        return conn.execute("select exists (select from raw.calls) or exists (select from raw.leads)").fetchone()[0]


def cmd_demo(args: argparse.Namespace) -> int:
    import psycopg

    from .local_api import make_token

    _quiet_request_logs()
    # Everything the demo needs is checked before its minutes of work: the port, and a database it may fill.
    if _port_taken(args.host, args.port):
        print(
            f"port {args.port} on {args.host} is in use (another demo or `serve`?): stop it, or pass --port N",
            file=sys.stderr,
        )
        return 2
    from telesales_build.connection_url import configured_url

    chosen = bool(configured_url())  # DATABASE_URL or TELESALES_DB_*: a database of the user's, not the demo's own
    url = _url()
    print(f"1/4 database: {_masked(url)}")
    try:
        if chosen and not args.replace_data and _raw_rows(url):
            print(
                "DATABASE_URL's database already holds raw calls or leads, which the demo would replace with"
                " generated data: point DATABASE_URL at an empty database, or pass --replace-data",
                file=sys.stderr,
            )
            return 2
    except psycopg.OperationalError as exc:
        print(f"cannot reach the database: {str(exc).strip().splitlines()[0]}", file=sys.stderr)
        return 1
    args.append_days = 0
    print("2/4 generating data ...", flush=True)
    cmd_generate(args)
    print("3/4 dbt build ...", flush=True)
    # The build command's own arguments, parsed as `build --full-refresh` would be: every option it
    # reads has its default (a Namespace written by hand missed one that was added later).
    if cmd_build(parser().parse_args(["build", "--full-refresh"])) != 0:
        return 1
    from telesales_reports.db import connection
    from telesales_reports.jobs.abandon_snapshot import take_snapshot

    connection.reset(url)
    take_snapshot()  # one abandon-rate snapshot per active campaign: the console's breach history
    token = make_token(1)
    base = f"http://{args.host}:{args.port}/api/telesales/reports"
    from datetime import UTC, datetime, timedelta

    end = datetime.now(UTC).date() - timedelta(days=1)
    start = end - timedelta(days=29)
    print("4/4 the API is serving. Try:")
    print(
        f'  curl -s -H "Authorization: Bearer {token}" '
        f"'{base}/dashboard?date_from={start}&date_to={end}&timezone=Asia/Ho_Chi_Minh'"
    )
    print(
        f"  curl -s -o agents.xlsx -H \"Authorization: Bearer {token}\" '{base}/agent-performance/export?date_from={start}&date_to={end}&format=xlsx'"
    )
    print(f"  API reference: {base}/docs   OpenAPI: {base}/openapi.json   (Ctrl-C stops)")
    console = f"/?date_from={start}&date_to={end}&timezone=Asia/Ho_Chi_Minh#token={token}"
    note = "Open the reports console, signed in for tenant 1 (the token stays in the URL fragment, never sent):"
    return cmd_serve(args, last_line=lambda root: f"{note}\n{root}{console}")


def cmd_bench(args: argparse.Namespace) -> int:
    if args.cluster:
        from .bench_cluster import main as bench_cluster_main

        args.calls = args.calls or 1_000_000
        return bench_cluster_main(args)
    if getattr(args, "render", None):
        from .bench_markdown import render_file

        sys.stdout.write(render_file(args.render))
        return 0
    from .bench import main as bench_main

    args.calls = args.calls or 5_000_000
    return bench_main(args)


def cmd_cluster(args: argparse.Namespace) -> int:
    from .cluster_cli import run

    return run(args)


def _add_generate_options(parser: argparse.ArgumentParser, calls: int, leads: int) -> None:
    parser.add_argument("--tenants", type=int, default=1)
    parser.add_argument("--campaigns", type=int, default=20)
    parser.add_argument("--teams", type=int, default=10)
    parser.add_argument("--agents", type=int, default=200)
    parser.add_argument("--caller-ids", type=int, default=500)
    parser.add_argument("--leads", type=int, default=leads)
    parser.add_argument("--calls", type=int, default=calls)
    parser.add_argument("--days", type=int, default=120)
    parser.add_argument("--seed", type=int, default=42)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="telesales-reports", description=__doc__)
    sub = root.add_subparsers(dest="command", required=True)

    db = sub.add_parser("db", help="start (or find) the embedded PostgreSQL and print its URL")
    db.add_argument("--stop", action="store_true", help="stop the embedded PostgreSQL (.data/pg) instead")
    db.set_defaults(func=cmd_db)

    gen = sub.add_parser("generate", help="load deterministic synthetic raw data")
    _add_generate_options(gen, calls=1_000_000, leads=200_000)
    gen.add_argument("--append-days", type=int, default=0, help="append N more days of calls instead")
    gen.set_defaults(func=cmd_generate)

    bld = sub.add_parser("build", help="dbt build (models + tests) against DATABASE_URL or the embedded database")
    bld.add_argument("--full-refresh", action="store_true")
    bld.add_argument("--select", default=None)
    bld.add_argument(
        "--scheduled",
        action="store_true",
        help="as the scheduled task: dbt source freshness first, JSON result lines, artifacts to "
        "$TELESALES_DBT_ARTIFACTS_URI (s3://...) when set",
    )
    bld.set_defaults(func=cmd_build)

    docs = sub.add_parser("docs", help="generate the dbt docs site of the warehouse and serve it on loopback")
    docs.add_argument("--host", default="127.0.0.1")
    docs.add_argument("--port", type=int, default=8080)
    docs.add_argument("--no-serve", action="store_true", help="only generate target/index.html and catalog.json")
    docs.set_defaults(func=cmd_docs)

    srv = sub.add_parser("serve", help="serve the API locally (API Gateway v2 events, JWT authorizer)")
    srv.add_argument("--host", default="127.0.0.1")
    srv.add_argument("--port", type=int, default=8000)
    srv.set_defaults(func=cmd_serve)

    tok = sub.add_parser("token", help="print a bearer token for the local API")
    tok.add_argument("--tenant-id", type=int, required=True)
    tok.add_argument("--ttl", type=int, default=7 * 24 * 3600, help="seconds the token is valid")
    tok.set_defaults(func=cmd_token)

    snap = sub.add_parser("snapshot-abandon", help="record the abandon-rate snapshot of every active campaign")
    snap.set_defaults(func=cmd_snapshot)

    demo = sub.add_parser("demo", help="embedded database + generated data + dbt build + the local API")
    _add_generate_options(demo, calls=200_000, leads=40_000)
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument(
        "--replace-data",
        action="store_true",
        help="with DATABASE_URL: replace the raw rows that database already holds with generated data",
    )
    demo.set_defaults(func=cmd_demo)

    bench = sub.add_parser("bench", help="benchmark every report against its raw-table baseline")
    bench.add_argument("--calls", type=int, default=None, help="calls in all (default 5 M; 1 M with --cluster)")
    bench.add_argument("--leads", type=int, default=None)
    bench.add_argument("--agents", type=int, default=200)
    bench.add_argument("--campaigns", type=int, default=20)
    bench.add_argument("--caller-ids", type=int, default=500)
    bench.add_argument("--days", type=int, default=120)
    bench.add_argument("--repeat", type=int, default=20, help="timed calls per report case")
    bench.add_argument("--baseline-repeat", type=int, default=3, help="timed runs of each raw-table baseline")
    bench.add_argument("--reuse", action="store_true", help="reuse the generated data if already there")
    bench.add_argument("--reports", default=None, help="comma-separated report names to time (default: all)")
    bench.add_argument("--output", default="bench-results/bench.json")
    bench.add_argument(
        "--render",
        metavar="JSON",
        default=None,
        help="run nothing: print the README's performance tables (markdown) from a result already written",
    )
    bench.add_argument(
        "--cluster",
        action="store_true",
        help="many tenants on one node and on the local Citus cluster, compared (bench-results/bench-cluster.json)",
    )
    bench.add_argument("--tenants", type=int, default=20, help="with --cluster: tenants sharing the calls")
    bench.add_argument("--workers", type=int, default=2, help="with --cluster: worker nodes")
    bench.set_defaults(func=cmd_bench)

    from .cluster_cli import add_parser as add_cluster_parser

    add_cluster_parser(sub, cmd_cluster)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return args.func(args) or 0


if __name__ == "__main__":
    sys.exit(main())

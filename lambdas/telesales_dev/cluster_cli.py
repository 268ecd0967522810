"""`telesales-reports cluster up|down|status`: the local Citus cluster (cluster.py) from the command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path


def add_parser(sub, func: Callable[[argparse.Namespace], int]) -> None:
    cluster = sub.add_parser("cluster", help="a local Citus cluster (coordinator + workers on loopback ports)")
    actions = cluster.add_subparsers(dest="action", required=True)
    up = actions.add_parser("up", help="build Citus if missing, start the nodes, print the DATABASE_URL last")
    up.add_argument("--workers", type=int, default=2, help="worker nodes (default 2; more grows a running cluster)")
    up.add_argument("--citus-source", type=Path, default=None, help="Citus release tarball to build from")
    down = actions.add_parser("down", help="stop every node")
    down.add_argument("--remove", action="store_true", help="also delete the cluster's data (.data/citus)")
    actions.add_parser("status", help="nodes, and the shards and distributed tables each holds")
    cluster.set_defaults(func=func)


def run(args: argparse.Namespace) -> int:
    from . import cluster

    try:
        if args.action == "up":
            state = cluster.up(workers=args.workers, source=args.citus_source)
            print(
                f"citus cluster: coordinator {cluster.HOST}:{state.coordinator_port}, {len(state.worker_ports)} workers"
            )
            print(state.url(), flush=True)
        elif args.action == "down":
            stopped = cluster.down(remove=args.remove)
            print(f"stopped: {', '.join(stopped)}" if stopped else "no local cluster")
        else:
            print(f"{'node':<12} {'address':<16} {'running':<8} {'shards':>6} {'tables':>6}")
            for row in cluster.status():
                print(
                    f"{row['node']:<12} {row['address']:<16} {'yes' if row['running'] else 'NO':<8}"
                    f" {row['shards']:>6} {row['tables']:>6}"
                )
    except cluster.ClusterError as exc:
        print(f"cluster: {exc}", file=sys.stderr)
        return 1
    return 0

"""The README's performance tables, written from a `telesales-reports bench` result (bench.json).

`telesales-reports bench` writes them beside its JSON (bench.md); `telesales-reports bench --render FILE`
writes them again from a result already there. One table per phase (built; rows not built yet): a row
per report, a column per filter case that several reports share, p95 in ms, bold when over its target
(bench.p95_limit_ms: 50 ms, 80 ms with `compare`); a case only one report has (time-series' groupings) is listed
under the table. A cell whose answer differed from its raw-table baseline (or that failed) says so.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from .bench import TARGETS, p95_limit_ms, p95_targets

# How a case's name reads as a column heading.
HEADINGS = {
    "campaign": "1 campaign",
    "compare previous_period": "compare prev. period",
    "compare previous_year 5 agents": "compare prev. year, 5 agents",
}


def heading(case: str) -> str:
    return HEADINGS.get(case) or case.removeprefix("tz ")


def cell(result: dict, with_baseline: bool) -> str:
    """`p95` (bold over its target), the baseline's p50 in brackets, or what went wrong."""
    p95 = (result.get("ours") or {}).get("p95_ms")
    if p95 is None:
        return f"error ({result.get('status', '?')})"
    text = f"{p95:.1f}"
    if p95 > p95_limit_ms(result["case"]):
        text = f"**{text}**"
    baseline = (result.get("baseline") or {}).get("p50_ms")
    # a comparison case's baseline covers the comparison window alone: no like-for-like time
    if with_baseline and baseline is not None and not result["case"].startswith("compare"):
        text += f" ({baseline:,.0f})"
    if not result.get("equal"):
        text += " ≠ baseline"
    return text


def table(results: Iterable[dict], with_baseline: bool) -> list[str]:
    """A markdown table (report × shared case) and a line per case only one report has."""
    results = list(results)
    reports: list[str] = []
    cases: list[str] = []
    by_key: dict[tuple[str, str], dict] = {}
    reports_of: dict[str, set[str]] = {}
    for r in results:
        if r["report"] not in reports:
            reports.append(r["report"])
        if r["case"] not in cases:
            cases.append(r["case"])
        by_key[(r["report"], r["case"])] = r
        reports_of.setdefault(r["case"], set()).add(r["report"])
    shared = [c for c in cases if len(reports_of[c]) > 1 or len(reports) == 1]
    lines = [
        "| report | " + " | ".join(heading(c) for c in shared) + " |",
        "|---|" + "---|" * len(shared),
    ]
    for report in reports:
        cells = [cell(by_key[(report, c)], with_baseline) if (report, c) in by_key else "–" for c in shared]
        lines.append(f"| {report} | " + " | ".join(cells) + " |")
    single = [r for r in results if r["case"] not in shared]
    if single:
        lines.append("")
        lines.append("Also: " + "; ".join(f"{r['report']} {r['case']} {cell(r, with_baseline)}" for r in single) + ".")
    return lines


def missed_by(failing: list[str]) -> str:
    """The cases that missed a target (`report / case`), named one by one when few, else counted per
    report (the tables above show which, in bold)."""
    if len(failing) <= 4:
        return ", ".join(failing)
    per_report: dict[str, int] = {}
    for name in failing:
        report = name.split(" / ")[0]
        per_report[report] = per_report.get(report, 0) + 1
    counts = ", ".join(f"{report} {count}" for report, count in per_report.items())
    return f"{len(failing)} cases, in bold above ({counts})"


def render_markdown(report: dict) -> str:
    """The performance section's measured part, from a bench result."""
    m, d, w, b = report["machine"], report["dataset"], report["window"], report["build"]
    counts = d["counts"]
    lines = [
        f"Measured by `telesales-reports bench` (finished {report['generated_at']}) on {m['cpu']}, {m['cores']} cores,"
        f" {m['ram_gb']} GB RAM, PostgreSQL {m['postgresql']}: {counts['calls']:,} calls, {counts['leads']:,} leads,"
        f" {counts['users']} agents, {counts['campaigns']} campaigns, {counts['caller_ids']} caller IDs over"
        f" {d['days']} days; a {w['date_from']} .. {w['date_to']} window; every answer through the Lambda handler"
        f" as the API's login (row-level security), {report['repeat']} timed calls after a warm-up, and compared"
        f" with a plain SQL query on the raw tables.",
        "",
    ]
    live = report.get("live") or {}
    every = list(report["results"]) + list(live.get("results") or [])
    unequal = [r for r in every if not r.get("equal")]
    lines.append(
        f"**{len(every) - len(unequal)} of {len(every)} answers equal their raw-table baseline.**"
        if unequal
        else f"**All {len(every)} answers (built and live) equal their raw-table baseline.**"
    )
    lines += [
        "",
        f"Built, p95 in ms (the raw-table baseline's p50 in brackets, but for `compare`, whose baseline computes"
        f" the comparison window alone); bold: over the target"
        f" ({TARGETS['report_p95_ms']:.0f} ms, {TARGETS['compare_p95_ms']:.0f} ms with `compare`):",
        "",
        *table(report["results"], with_baseline=True),
    ]
    if live.get("results"):
        u = live["unbuilt"]
        lines += [
            "",
            f"With rows not built yet ({u['new_calls']:,} new and {u['updated_calls']:,} updated calls, an hour of"
            " replication), p95 in ms:",
            "",
            *table(live["results"], with_baseline=False),
        ]
    lines += ["", "Builds:"]
    lines.append(f"- full: {b['full_seconds']:.1f} s")
    lines.append(
        f"- incremental after an appended day ({b['appended_calls']:,} calls): {b['incremental_seconds']:.1f} s"
        f" ({b['incremental_ratio']:.1%} of the full build)"
    )
    if live.get("build_hour"):
        batch = live["batch"]
        lines.append(f"- incremental after the un-built hour: {live['build_hour']['seconds']:.1f} s")
        lines.append(
            f"- incremental after a 15-minute batch ({batch['new_calls']} new, {batch['updated_calls']} updated"
            f" calls): {live['build_batch']['seconds']:.1f} s"
        )
    xlsx = [x for x in report.get("xlsx") or [] if x.get("p95_ms") is not None]
    if xlsx:
        worst = max(xlsx, key=lambda x: x["p95_ms"])
        lines += ["", f"XLSX export p95: at most {worst['p95_ms']:.1f} ms ({worst['report']})."]
    cold = report.get("cold_start") or {}
    if cold.get("p50_ms") is not None:
        lines.append(
            f"Cold start (a fresh process: imports and the first request) p50: {cold['p50_ms']:.0f} ms"
            f" (imports {cold['import_p50_ms']:.0f} ms)."
        )
    lines += ["", "Targets:"]
    live_results = live.get("results") or []
    for t in report["targets"] + (p95_targets(live_results, ", with rows not built yet,") if live_results else []):
        state = {True: "met", False: "**not met**", None: "not measured"}[t["met"]]
        value = t["value"]
        value_text = "–" if value is None else (f"{value:.3g}" if isinstance(value, float) else str(value))
        failing = t.get("failing") or []
        more = f"; missed by: {missed_by(failing)}" if failing else ""
        lines.append(f"- {t['target']}: {state} ({value_text} {t['unit']}{more})")
    return "\n".join(lines) + "\n"


def render_file(path: str) -> str:
    """render_markdown of a bench.json."""
    return render_markdown(json.loads(Path(path).read_text(encoding="utf-8")))

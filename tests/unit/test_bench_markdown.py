"""The README's performance tables as `telesales-reports bench` writes them (telesales_dev/bench_markdown.py)."""

from __future__ import annotations

import json

from telesales_dev.bench_markdown import missed_by, render_file, render_markdown, table
from telesales_dev.cli import main as cli_main


def result(report: str, case: str, p95: float | None, baseline: float | None = 1234.0, equal: bool = True) -> dict:
    return {
        "report": report,
        "case": case,
        "status": 200 if p95 is not None else 503,
        "ours": {"p50_ms": p95, "p95_ms": p95},
        "baseline": None if baseline is None else {"p50_ms": baseline, "p95_ms": baseline},
        "equal": equal,
    }


def bench_report(results: list[dict], live: list[dict]) -> dict:
    return {
        "generated_at": "2026-12-05T05:28:03Z",
        "machine": {"cpu": "AMD EPYC", "cores": 2, "ram_gb": 23.5, "postgresql": "18.6"},
        "dataset": {
            "days": 120,
            "counts": {"calls": 5_000_000, "leads": 1_000_000, "users": 200, "campaigns": 20, "caller_ids": 500},
        },
        "window": {"date_from": "2026-09-07", "date_to": "2026-12-05"},
        "repeat": 20,
        "build": {
            "full_seconds": 220.1,
            "incremental_seconds": 16.0,
            "incremental_ratio": 0.0727,
            "appended_calls": 15696,
        },
        "results": results,
        "live": {
            "unbuilt": {"new_calls": 2000, "updated_calls": 1000},
            "results": live,
            "build_hour": {"seconds": 23.1},
            "batch": {"new_calls": 500, "updated_calls": 250},
            "build_batch": {"seconds": 29.1},
        },
        "xlsx": [{"report": "dashboard", "p95_ms": 23.4}, {"report": "caller-id-health", "p95_ms": 41.6}],
        "cold_start": {"p50_ms": 177.0, "import_p50_ms": 148.0},
        "targets": [{"target": "full build <= 300 s", "value": 220.1, "unit": "s", "met": True}],
    }


def row(lines: list[str], report: str) -> list[str]:
    line = next(x for x in lines if x.startswith(f"| {report} |"))
    return [c.strip() for c in line.strip("|").split("|")][1:]


def test_bold_marks_the_cases_over_their_target_50_ms_or_80_with_compare():
    lines = table(
        [
            result("funnel", "no filters", 50.0),
            result("funnel", "team", 50.1),
            result("funnel", "compare previous_period", 79.9),
            result("attempts", "no filters", 12.0),
            result("attempts", "team", 12.0),
            result("attempts", "compare previous_period", 80.1),
        ],
        with_baseline=False,
    )
    assert lines[0] == "| report | no filters | team | compare prev. period |"
    assert row(lines, "funnel") == ["50.0", "**50.1**", "79.9"]
    assert row(lines, "attempts") == ["12.0", "12.0", "**80.1**"]


def test_the_baseline_is_in_brackets_but_for_compare_and_a_difference_or_failure_is_said():
    lines = table(
        [
            result("dashboard", "no filters", 15.9, baseline=2532.9),
            result("dashboard", "compare previous_year 5 agents", 13.6, baseline=0.5),
            result("funnel", "no filters", 18.7, equal=False),
            result("funnel", "compare previous_year 5 agents", None, equal=False),
        ],
        with_baseline=True,
    )
    assert row(lines, "dashboard") == ["15.9 (2,533)", "13.6"]
    assert row(lines, "funnel") == ["18.7 (1,234) ≠ baseline", "error (503)"]


def test_a_case_only_one_report_has_is_listed_under_the_table_and_a_missing_cell_is_a_dash():
    lines = table(
        [
            result("time-series", "no filters", 12.8),
            result("time-series", "group_by=week", 11.2),
            result("dashboard", "no filters", 15.9),
            result("abandon-rate", "campaign", 10.1),
            result("time-series", "campaign", 16.9),
        ],
        with_baseline=False,
    )
    assert lines[0] == "| report | no filters | 1 campaign |"
    assert row(lines, "dashboard") == ["15.9", "–"]
    assert row(lines, "abandon-rate") == ["–", "10.1"]
    assert lines[-1] == "Also: time-series group_by=week 11.2."


def test_the_section_counts_every_answer_and_states_the_live_targets_with_what_missed_them():
    built = [result("funnel", "no filters", 18.7), result("funnel", "5 agents", 134.9)]
    live = [
        result("funnel", "no filters", 89.1, baseline=None),
        result("funnel", "5 agents", 129.3, baseline=None, equal=False),
        result("funnel", "compare previous_period", 79.0, baseline=None),
    ]
    text = render_markdown(bench_report(built, live))
    assert "**4 of 5 answers equal their raw-table baseline.**" in text
    assert "- full build <= 300 s: met (220 s)" in text
    assert (
        "- every report, with rows not built yet, p95 <= 50 ms: **not met** (129 ms (worst p95); missed by:"
        " funnel / no filters, funnel / 5 agents)"
    ) in text
    assert "- every report with compare, with rows not built yet, p95 <= 80 ms: met (79 ms (worst p95))" in text
    assert "- incremental after a 15-minute batch (500 new, 250 updated calls): 29.1 s" in text
    assert "XLSX export p95: at most 41.6 ms (caller-id-health)." in text
    every_equal = render_markdown(bench_report(built, live[:1]))
    assert "**All 3 answers (built and live) equal their raw-table baseline.**" in every_equal


def test_bench_render_prints_the_tables_of_a_result_already_written(tmp_path, capsys):
    path = tmp_path / "bench.json"
    path.write_text(json.dumps(bench_report([result("funnel", "no filters", 18.7)], [])), encoding="utf-8")
    assert cli_main(["bench", "--render", str(path)]) == 0
    printed = capsys.readouterr().out
    assert printed == render_file(str(path))
    assert "| funnel | 18.7 (1,234) |" in printed


def test_many_cases_missing_a_target_are_counted_per_report_few_are_named():
    assert missed_by(["funnel / team", "attempts / team"]) == "funnel / team, attempts / team"
    many = [f"funnel / case {i}" for i in range(4)] + ["attempts / team"]
    assert missed_by(many) == "5 cases, in bold above (funnel 4, attempts 1)"

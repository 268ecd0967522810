"""docs/api-reference.md §6.2: `compare=previous_period|previous_year` on every dated report.

`previous` must be exactly the same report over the comparison window (same filters, timezone and
group_by), `previous_window` its bounds in ISO 8601 UTC; a bad value is a 422 on `compare` with the
other failing fields; exports validate it and ignore it; abandon-rate ignores it.
"""

from __future__ import annotations

import pytest

from telesales_reports.reports.registry import DATED as REPORTS
from tests.support import call, data

DAY = {"date_from": "2026-06-01", "date_to": "2026-06-01"}
FILTERED = [
    ("date_from", "2026-06-01"),
    ("date_to", "2026-06-03"),
    ("campaign_id", "43"),
    ("agent_ids[]", "3"),
    ("agent_ids[]", "4"),
    ("timezone", "Asia/Ho_Chi_Minh"),
]


def body(report: str, params) -> dict:
    status, answer = call(report, params)
    assert status == 200, answer
    return answer


@pytest.mark.parametrize("report", list(REPORTS))
@pytest.mark.parametrize(
    ("compare", "window"),
    [
        # [2026-06-01, 2026-06-04) -> the three days before it
        ("previous_period", ("2026-05-29T00:00:00Z", "2026-06-01T00:00:00Z")),
        # 364 days earlier: Monday 2026-06-01 -> Monday 2025-06-02
        ("previous_year", ("2025-06-02T00:00:00Z", "2025-06-05T00:00:00Z")),
    ],
)
def test_previous_is_the_same_report_over_the_comparison_window(api, report, compare, window):
    params = [*FILTERED, ("compare", compare)] + ([("group_by", "hour")] if report == "time-series" else [])
    answer = body(report, params)
    assert list(answer) == ["data", "previous", "previous_window"]
    assert answer["previous_window"] == {"date_from": window[0], "date_to": window[1]}
    plain = [(k, v) for k, v in params if k != "compare"]
    assert answer["data"] == data(report, plain)
    shifted = [(k, v) for k, v in plain if k not in ("date_from", "date_to")]
    previous = data(report, [("date_from", window[0]), ("date_to", window[1]), *shifted])
    assert answer["previous"] == previous


def test_previous_period_of_the_contract_day_counts_the_day_before(api):
    answer = body("dashboard", {**DAY, "compare": "previous_period"})
    assert answer["previous_window"] == {"date_from": "2026-05-31T00:00:00Z", "date_to": "2026-06-01T00:00:00Z"}
    assert answer["data"]["total_dials"] == 8
    assert answer["previous"]["total_dials"] == 0


def test_previous_period_of_a_window_cut_to_the_second(api):
    # [09:00:30, 10:15:30) is 75 minutes: the comparison is [07:45:30, 09:00:30), which holds call 1 at 09:00.
    answer = body(
        "dashboard",
        {"date_from": "2026-06-01T16:00:30+07:00", "date_to": "2026-06-01T10:15:30Z", "compare": "previous_period"},
    )
    assert answer["previous_window"] == {"date_from": "2026-06-01T07:45:30Z", "date_to": "2026-06-01T09:00:30Z"}
    assert answer["previous"]["total_dials"] == 1
    assert answer["data"]["total_dials"] == 5  # calls 2, 3, 4, 5 and 8


def test_sub_second_bounds_keep_their_fraction(api):
    answer = body(
        "dashboard",
        {"date_from": "2026-06-01T09:00:00.5Z", "date_to": "2026-06-01T09:00:01.25Z", "compare": "previous_period"},
    )
    assert answer["previous_window"] == {
        "date_from": "2026-06-01T08:59:59.750000Z",
        "date_to": "2026-06-01T09:00:00.500000Z",
    }


def test_previous_year_is_52_weeks_so_weekdays_line_up(api):
    answer = body("hour-dow-heatmap", {"date_from": "2027-05-31", "date_to": "2027-06-06", "compare": "previous_year"})
    # 2027-05-31 - 364 days = Monday 2026-06-01: the contract day's calls land on the same weekday cells.
    assert answer["previous_window"] == {"date_from": "2026-06-01T00:00:00Z", "date_to": "2026-06-08T00:00:00Z"}
    # Monday 2026-06-01 (8 dials) and Wednesday 2026-06-03 (the 76 caller-ID health dials).
    assert {cell["day_of_week"] for cell in answer["previous"] if cell["dials"]} == {1, 3}
    assert sum(cell["dials"] for cell in answer["previous"]) == 8 + 76


def test_comparison_window_before_the_first_call_is_all_zeros(api):
    answer = body("time-series", {"date_from": "2025-01-01", "date_to": "2025-03-31", "compare": "previous_year"})
    assert answer["previous_window"] == {"date_from": "2024-01-03T00:00:00Z", "date_to": "2024-04-02T00:00:00Z"}
    assert answer["previous"] == []
    funnel = body("funnel", {"date_from": "2020-01-01", "date_to": "2020-01-31", "compare": "previous_period"})
    assert [s["count"] for s in funnel["previous"]] == [0] * 6


def test_without_compare_the_body_is_data_alone(api):
    assert list(body("dashboard", DAY)) == ["data"]
    assert list(body("dashboard", {**DAY, "compare": ""})) == ["data"]  # empty means not given


@pytest.mark.parametrize("bad", ["previous", "PREVIOUS_YEAR", "previous_period,previous_year", "1"])
def test_bad_compare_is_422_on_compare_with_every_other_failing_field(api, bad):
    status, answer = call(
        "agent-performance", {"date_from": "2026-06-01", "date_to": "nope", "timezone": "Mars/Base", "compare": bad}
    )
    assert status == 422
    assert answer == {
        "message": "The given data was invalid.",
        "errors": {
            "date_to": ["The date to field must be a valid date."],
            "compare": ["The selected compare is invalid."],
            "timezone": ["The timezone field must be a valid timezone."],
        },
    }


def test_comparison_before_year_one_is_422(api):
    status, answer = call("dashboard", {"date_from": "0001-03-01", "date_to": "0001-03-02", "compare": "previous_year"})
    assert status == 422
    assert answer["errors"] == {"compare": ["The compare window may not start before 0001-01-01."]}


def test_comparison_windows_near_year_one_answer_with_four_digit_years(api):
    # previous_window's bounds are ISO 8601 (four-digit years: strftime wrote "999-01-02"), and a comparison
    # window in the first week of year 1 is cut like any other (the weekly caller-ID rollups answered 500).
    answer = body("dashboard", {"date_from": "1000-01-01", "date_to": "1000-01-10", "compare": "previous_year"})
    assert answer["previous_window"] == {"date_from": "0999-01-02T00:00:00Z", "date_to": "0999-01-12T00:00:00Z"}
    for report in ("caller-id-health", "carrier-health"):
        answer = body(report, {"date_from": "0001-01-09", "date_to": "0001-01-15", "compare": "previous_period"})
        assert answer["previous_window"] == {"date_from": "0001-01-02T00:00:00Z", "date_to": "0001-01-09T00:00:00Z"}
        assert answer["previous"] and all(row["total_calls"] == 0 for row in answer["previous"])
    rows = body("caller-id-health", {"date_from": "0001-01-09", "date_to": "0001-01-15", "compare": "previous_period"})
    assert {row["health_status"] for row in rows["previous"]} == {"no_data"}


def test_the_90_day_rule_applies_to_the_requested_window(api):
    # 90 days requested: allowed; its previous_period is 91 days long after the whole-day rule.
    answer = body("dashboard", {"date_from": "2026-03-03", "date_to": "2026-06-01", "compare": "previous_period"})
    assert answer["previous_window"] == {"date_from": "2025-12-02T00:00:00Z", "date_to": "2026-03-03T00:00:00Z"}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_validate_compare_and_ignore_it(api, fmt):
    plain = call("agent-performance/export", {**DAY, "format": fmt})
    compared = call("agent-performance/export", {**DAY, "format": fmt, "compare": "previous_year"})
    assert plain[0] == compared[0] == 200
    if fmt == "csv":  # XLSX files carry a creation time; CSV is byte-for-byte the same
        assert compared[1]["body"] == plain[1]["body"]
    same_route = call("dashboard", {**DAY, "format": fmt, "compare": "previous_period"})
    assert same_route[0] == 200
    status, answer = call("agent-performance/export", {**DAY, "format": fmt, "compare": "last_week"})
    assert status == 422 and answer["errors"] == {"compare": ["The selected compare is invalid."]}


def test_abandon_rate_ignores_compare(api):
    status, answer = call("abandon-rate", {"campaign_id": "43", "compare": "anything"})
    assert status == 200 and list(answer) == ["data"]

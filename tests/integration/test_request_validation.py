"""docs/api-reference.md §1: every request rule gives the contract's 422 (all failing fields at once),
401 without a tenant claim, 404 for unknown routes, and never a stack trace."""

from __future__ import annotations

import pytest

from tests.support import call

DAY = {"date_from": "2026-06-01", "date_to": "2026-06-01"}
INVALID = "The given data was invalid."


def errors(report: str, params, tenant=1) -> dict:
    status, body = call(report, params, tenant)
    assert status == 422, body
    assert body["message"] == INVALID
    assert set(body) == {"message", "errors"}
    for messages in body["errors"].values():
        assert isinstance(messages, list) and messages and all(isinstance(m, str) for m in messages)
    return body["errors"]


def test_exactly_90_days_is_allowed(api):
    status, _ = call("dashboard", {"date_from": "2026-03-03", "date_to": "2026-06-01"})
    assert status == 200
    status, _ = call("dashboard", {"date_from": "2026-03-03T00:00:00", "date_to": "2026-06-01T00:00:00"})
    assert status == 200


def test_90_days_and_one_second_is_rejected_with_the_exact_body(api):
    status, body = call("dashboard", {"date_from": "2026-03-03T00:00:00", "date_to": "2026-06-01T00:00:01"})
    assert status == 422
    assert body == {
        "message": "The given data was invalid.",
        "errors": {"date_to": ["The date_from..date_to range may not exceed 90 days."]},
    }


def test_range_is_checked_before_the_whole_day_rule(api):
    # 2026-03-03 .. 2026-06-01 as dates is 90 days (the window then ends 2026-06-02 00:00): allowed.
    assert call("funnel", {"date_from": "2026-03-03", "date_to": "2026-06-01"})[0] == 200
    assert "date_to" in errors("funnel", {"date_from": "2026-03-03", "date_to": "2026-06-02"})


def test_offsets_count_in_the_range_check(api):
    # 2026-03-03T07:00+07:00 is 2026-03-03T00:00Z: exactly 90 days to 2026-06-01T00:00Z.
    assert call("dashboard", {"date_from": "2026-03-03T07:00:00+07:00", "date_to": "2026-06-01T00:00:00Z"})[0] == 200
    assert "date_to" in errors(
        "dashboard", {"date_from": "2026-03-03T06:59:59+07:00", "date_to": "2026-06-01T00:00:00Z"}
    )


def test_date_to_before_date_from(api):
    assert list(errors("dashboard", {"date_from": "2026-06-02", "date_to": "2026-06-01"})) == ["date_to"]


@pytest.mark.parametrize(
    "bad", ["0000-00-00", "2026-02-30", "2026-13-01", "yesterday", "2026-06-01T25:00", "1e9", "2026/06/01"]
)
def test_invalid_dates(api, bad):
    assert "date_from" in errors("dashboard", {"date_from": bad, "date_to": "2026-06-01"})
    assert "date_to" in errors("dashboard", {"date_from": "2026-06-01", "date_to": bad})


def test_leap_day_is_a_date(api):
    assert call("dashboard", {"date_from": "2028-02-29", "date_to": "2028-02-29"})[0] == 200


def test_missing_dates(api):
    errs = errors("dashboard", {})
    assert errs == {"date_from": ["The date from field is required."], "date_to": ["The date to field is required."]}


def test_all_failing_fields_at_once(api):
    errs = errors(
        "time-series",
        [("date_from", "x"), ("date_to", "2026-06-01"), ("campaign_id", "abc"), ("team_id", "999999"),
         ("agent_ids[]", "3"), ("agent_ids[]", "zz"), ("agent_ids[]", "424242"), ("timezone", "Mars/Olympus"),
         ("format", "XLSX"), ("group_by", "month")],
    )  # fmt: skip
    assert set(errs) == {
        "date_from", "campaign_id", "team_id", "agent_ids.1", "agent_ids.2", "timezone", "format", "group_by",
    }  # fmt: skip
    assert errs["agent_ids.1"] == ["The agent_ids.1 field must be an integer."]
    assert errs["agent_ids.2"] == ["The selected agent_ids.2 is invalid."]
    assert errs["campaign_id"] == ["The campaign id field must be an integer."]
    assert errs["team_id"] == ["The selected team id is invalid."]


@pytest.mark.parametrize("tz", ["Mars/Olympus", "../../etc/passwd", "UTC+7", "", "Asia/Ho Chi Minh"])
def test_unknown_timezone(api, tz):
    assert list(errors("dashboard", {**DAY, "timezone": tz})) == ["timezone"]


def test_timezone_names_are_canonicalised(api):
    assert call("dashboard", {**DAY, "timezone": "asia/ho_chi_minh"})[0] == 200


@pytest.mark.parametrize("fmt", ["XLSX", "pdf", "", "json,csv"])
def test_bad_format(api, fmt):
    assert list(errors("dashboard", {**DAY, "format": fmt})) == ["format"]


def test_group_by_is_validated_only_on_time_series(api):
    assert list(errors("time-series", {**DAY, "group_by": "month"})) == ["group_by"]
    assert call("funnel", {**DAY, "group_by": "month"})[0] == 200


@pytest.mark.parametrize("value", ["-1", "0", "9223372036854775807", "9223372036854775808", "1.5", "1e3", " "])
def test_ids_that_do_not_exist_or_are_not_integers(api, value):
    errs = errors("dashboard", {**DAY, "campaign_id": value}) if value.strip() else None
    if errs is not None:
        assert list(errs) == ["campaign_id"]


def test_empty_agent_id_element(api):
    assert list(errors("dashboard", {**DAY, "agent_ids[]": ""})) == ["agent_ids.0"]


def test_too_many_agent_ids(api):
    params = [*DAY.items(), *[("agent_ids[]", str(i)) for i in range(501)]]
    assert errors("dashboard", params) == {"agent_ids": ["The agent ids field must not have more than 500 items."]}


def test_abandon_rate_rules(api):
    assert errors("abandon-rate", {}) == {"campaign_id": ["The campaign id field is required."]}
    assert list(errors("abandon-rate", {"campaign_id": "90"})) == ["campaign_id"]  # tenant 2's campaign
    assert list(errors("abandon-rate", {"campaign_id": "43", "window_minutes": "129601"})) == ["window_minutes"]
    assert list(errors("abandon-rate", {"campaign_id": "43", "window_minutes": "0"})) == ["window_minutes"]
    assert list(errors("abandon-rate", {"campaign_id": "43", "window_minutes": "ten"})) == ["window_minutes"]
    assert call("abandon-rate", {"campaign_id": "43", "window_minutes": "129600"})[0] == 200
    assert list(errors("abandon-rate", {"campaign_id": "43", "format": "csv"})) == ["format"]


@pytest.mark.parametrize("tenant", [None, "", "abc", "0", "-3", "1.5", "99999999999999999999"])
def test_missing_or_bad_tenant_claim_is_401(api, tenant):
    status, body = call("dashboard", DAY, tenant=tenant)
    assert (status, body) == (401, {"message": "Unauthenticated."})


def test_unknown_tenant_sees_nothing(api):
    assert call("dashboard", DAY, tenant=777)[1]["data"]["total_dials"] == 0


def test_unknown_route_is_404(api):
    assert call("nope", DAY) == (404, {"message": "Not Found."})
    assert call("/api/telesales/other", DAY) == (404, {"message": "Not Found."})


@pytest.mark.parametrize("value", ["1' or '1'='1", "1; drop table raw.calls; --", "1)) union select 1 --"])
def test_sql_injection_in_parameters_is_plain_bad_input(api, value):
    for key in ("campaign_id", "team_id", "agent_ids[]", "timezone", "date_from", "format"):
        status, body = call("dashboard", {**DAY, key: value})
        assert status == 422, (key, body)
    assert call("dashboard", DAY)[0] == 200  # and the tables are still there

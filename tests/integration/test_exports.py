"""CSV and XLSX exports (docs/api-reference.md §5) through the real Lambda handler on a real PostgreSQL.

Each file is parsed back and compared, row by row and field by field, with the JSON of the same request.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import os
import subprocess
import sys
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import boto3
import openpyxl
import pytest
from moto import mock_aws

from telesales_reports.db import connection as db
from telesales_reports.exports import DECIMAL, INT, LAYOUTS, NUMBER, TEXT, storage, templates
from telesales_reports.settings import get_settings
from tests.support import Raw, build_db, call

REPORTS = list(LAYOUTS)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
PARAMS = {"date_from": "2026-06-01", "date_to": "2026-06-07", "timezone": "Asia/Ho_Chi_Minh"}
HYPERLINK = '=HYPERLINK("http://x","y")'
CMD_SOURCE = "+cmd|' /C calc'!A0"
TENANT = 1


def _fixture() -> Raw:
    raw = Raw()
    raw.tenant(TENANT)
    raw.tenant(2)
    raw.campaign(10, TENANT, name="Chiến dịch hè")
    raw.campaign(20, 2)
    raw.team(5, TENANT, name="Đội A")
    raw.agent(101, TENANT, "Nguyễn Văn Ánh", "anh.nguyen", team_id=5)
    raw.agent(102, TENANT, "Trần Thị Bích", "bich.tran", team_id=5)
    # Names from the application are trimmed (DECISIONLOG 49): the payloads below arrive padded.
    raw.agent(103, TENANT, f"\u3000 {HYPERLINK}\n", " @evil\t")
    raw.agent(201, 2, "Other tenant", "other")
    raw.disposition(TENANT, "sale", "Bán thành công", "contact", "#10B981", conv=True)
    raw.disposition(TENANT, "no_interest", "Không quan tâm", "contact", "#6B7280")
    raw.disposition(TENANT, "callback", "-Gọi lại", "callback", "#F59E0B")
    raw.caller_id(
        TENANT,
        "0281234567",
        display_name="Đường dây 1",
        cli_type="fixed_02x",
        pool_status="cooldown",
        cooldown_until=datetime.fromisoformat("2026-06-09T02:31:14+00:00"),
    )
    raw.caller_id(TENANT, "+84901234567", display_name="\u00a0@Hotline ", carrier="mobifone")
    raw.caller_id(TENANT, "0900000099")  # no calls at all
    leads = [
        raw.lead(TENANT, 10, "2026-06-01 02:00", source="facebook"),
        raw.lead(TENANT, 10, "2026-06-01 03:00", source=CMD_SOURCE),
        raw.lead(TENANT, 10, "2026-06-02 04:00", source=None),
        raw.lead(TENANT, 10, "2026-06-03 05:00", source="  Zalo  "),
        raw.lead(TENANT, 10, "2026-06-03 06:00", source="facebook"),
        raw.lead(TENANT, 10, "2026-06-04 06:00", source=CMD_SOURCE),
    ]
    raw.lead(2, 20, "2026-06-02 04:00", source="elsewhere")
    calls = [
        # (lead, agent, caller id, started, result, talk, disposition)
        (leads[0], 101, "0281234567", "2026-06-01 02:10", "connected", 185, "sale"),
        (leads[0], 101, "0281234567", "2026-06-01 03:10", "no_answer", 0, None),
        (leads[1], 101, "+84901234567", "2026-06-01 04:10", "connected", 7, "no_interest"),
        (leads[1], 102, "+84901234567", "2026-06-02 02:00", "connected", 62, "sale"),
        (leads[2], 102, "0281234567", "2026-06-02 09:30", "busy", 0, None),
        (leads[2], 102, "0281234567", "2026-06-03 01:30", "connected", 31, "callback"),
        (leads[3], 103, "0281234567", "2026-06-03 07:45", "rejected", 0, None),
        (leads[3], 103, None, "2026-06-04 08:15", "connected", 400, "sale"),
        (leads[4], None, "+84901234567", "2026-06-04 09:00", "abandoned", 0, None),
        (leads[5], 101, "0281234567", "2026-06-05 10:00", "voicemail", 0, None),
        (leads[5], 102, "0281234567", "2026-06-06 11:00", "connected", 15, "no_interest"),
        (None, 101, "0281234567", "2026-06-06 12:00", "blocked", 0, None),
    ]
    for lead, agent, cid, started, result, talk, code in calls:
        raw.call(
            TENANT,
            10,
            started,
            result,
            lead_id=lead,
            agent_id=agent,
            caller_id=cid,
            talk_sec=talk,
            hold_sec=5 if talk else 0,
            wrap_sec=12 if talk else 0,
            disposition_code=code,
            team_id=5 if agent else None,
            block_reason="pdpl_window" if result == "blocked" else None,
        )
    raw.call(2, 20, "2026-06-02 02:00", "connected", agent_id=201, talk_sec=99, disposition_code="sale")
    return raw


@pytest.fixture(scope="module")
def exports_db(fresh_database):
    url = fresh_database("exports")
    from telesales_build.bootstrap import ensure_schema

    ensure_schema(url)
    _fixture().load(url)
    build_db(url)
    yield url
    db.reset(None)


@pytest.fixture(autouse=True)
def _generic_settings(monkeypatch):
    """No template location and no export bucket unless a test sets them; fresh caches either way."""
    monkeypatch.delenv("TELESALES_TEMPLATE_LOCATION", raising=False)
    monkeypatch.delenv("TELESALES_EXPORT_BUCKET", raising=False)
    get_settings.cache_clear()
    templates.clear_cache()
    yield
    get_settings.cache_clear()
    templates.clear_cache()


def _params(report: str, fmt: str | None = None) -> dict:
    params = dict(PARAMS)
    if report == "time-series":
        params["group_by"] = "day"
    if fmt:
        params["format"] = fmt
    return params


def _json_rows(report: str) -> list[dict]:
    status, body = call(report, _params(report))
    assert status == 200, body
    data = body["data"]
    return [data] if isinstance(data, dict) else data


def _file(response: dict) -> bytes:
    assert response["isBase64Encoded"] is True
    return base64.b64decode(response["body"], validate=True)


def _expected_csv_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return "'" + value if value.startswith(("=", "+", "-", "@", "\t", "\r")) and not _numeric(value) else value
    return repr(value) if isinstance(value, float) else str(value)


def _numeric(text: str) -> bool:
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return True


def _check_headers(response: dict, report: str, fmt: str) -> None:
    headers = response["headers"]
    assert headers["Content-Type"] == (CSV_TYPE if fmt == "csv" else XLSX_TYPE)
    assert headers["Content-Disposition"] == f'attachment; filename="telesales-{report}-20260601-20260607.{fmt}"'


# ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("route", ["export", "report"])
@pytest.mark.parametrize("report", REPORTS)
def test_csv_matches_json(exports_db, report: str, route: str) -> None:
    # Given: the JSON of the report
    expected = _json_rows(report)
    # When: the same request as CSV
    path = f"{report}/export" if route == "export" else report
    status, response = call(path, _params(report, "csv"))
    # Then: a UTF-8 CSV with BOM whose every cell is the JSON value
    assert status == 200, response
    _check_headers(response, report, "csv")
    content = _file(response)
    assert content.startswith(b"\xef\xbb\xbf")
    text = content[3:].decode("utf-8")
    assert "\r\n" in text
    rows = list(csv.reader(io.StringIO(text, newline="")))
    fields = [name for name, _ in LAYOUTS[report]]
    assert rows[0] == fields
    if expected:
        assert list(expected[0]) == fields
    assert len(rows) - 1 == len(expected)
    kinds = dict(LAYOUTS[report])
    for item, row in zip(expected, rows[1:], strict=True):
        for field, cell in zip(fields, row, strict=True):
            value = item[field]
            assert cell == _expected_csv_text(value), (field, value, cell)
            if kinds[field] == DECIMAL:
                assert Decimal(cell) == Decimal(value)
            elif kinds[field] == NUMBER:
                assert float(cell) == value
            elif kinds[field] == INT:
                assert int(cell) == value


@pytest.mark.parametrize("route", ["export", "report"])
@pytest.mark.parametrize("report", REPORTS)
def test_xlsx_matches_json(exports_db, report: str, route: str) -> None:
    expected = _json_rows(report)
    path = f"{report}/export" if route == "export" else report
    status, response = call(path, _params(report, "xlsx"))
    assert status == 200, response
    _check_headers(response, report, "xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(_file(response)))
    assert wb.sheetnames == [report]
    ws = wb[report]
    fields = [name for name, _ in LAYOUTS[report]]
    kinds = dict(LAYOUTS[report])
    header = next(ws.iter_rows(min_row=1, max_row=1))
    assert [c.value for c in header] == fields
    assert all(c.font.b for c in header)
    assert ws.freeze_panes == "A2"
    last = openpyxl.utils.get_column_letter(len(fields))
    assert ws.auto_filter.ref == f"A1:{last}{len(expected) + 1}"
    for letter_index in range(1, len(fields) + 1):
        width = ws.column_dimensions[openpyxl.utils.get_column_letter(letter_index)].width
        assert 6 <= width <= 60
    rows = list(ws.iter_rows(min_row=2))
    assert len(rows) == len(expected)
    for item, row in zip(expected, rows, strict=True):
        for field, cell in zip(fields, row, strict=True):
            value, kind = item[field], kinds[field]
            if value is None:
                assert cell.value is None, field
            elif field == "cooldown_until":
                assert cell.is_date and cell.value == datetime.fromisoformat(value.replace("Z", ""))
                assert "yy" in cell.number_format and "hh" in cell.number_format
            elif kind == INT:
                assert type(cell.value) is int and cell.value == value, field
            elif kind == NUMBER:
                assert cell.data_type == "n" and float(cell.value) == value, field
            elif kind == DECIMAL:
                assert cell.data_type == "n" and isinstance(cell.value, int | float), field
                assert Decimal(repr(cell.value) if isinstance(cell.value, float) else cell.value) == Decimal(value)
            else:
                assert kind == TEXT
                assert cell.data_type == "s" and cell.value == value, (field, value, cell.value)
            if field.endswith("_pct") or field == "conv_rate":
                assert cell.number_format == "0.00", field


def test_payloads_are_neutralised_and_vietnamese_round_trips(exports_db) -> None:
    status, response = call("agent-performance/export", _params("agent-performance", "csv"))
    assert status == 200
    text = _file(response).decode("utf-8-sig")
    assert "Nguyễn Văn Ánh" in text and "Trần Thị Bích" in text
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    names = {r["name"]: r for r in rows}
    assert "'" + HYPERLINK in names
    assert names["'" + HYPERLINK]["username"] == "'@evil"

    status, response = call("lead-source-attribution/export", _params("lead-source-attribution", "csv"))
    sources = [r["source"] for r in csv.DictReader(io.StringIO(_file(response).decode("utf-8-sig"), newline=""))]
    assert "'" + CMD_SOURCE in sources and CMD_SOURCE not in sources

    status, response = call("caller-id-health/export", _params("caller-id-health", "csv"))
    by_cid = {r["cid"]: r for r in csv.DictReader(io.StringIO(_file(response).decode("utf-8-sig"), newline=""))}
    assert "+84901234567" in by_cid  # a number is not a formula: left as it is
    assert by_cid["+84901234567"]["display_name"] == "'@Hotline"
    assert by_cid["0281234567"]["display_name"] == "Đường dây 1"

    status, response = call("agent-performance/export", _params("agent-performance", "xlsx"))
    ws = openpyxl.load_workbook(io.BytesIO(_file(response)))["agent-performance"]
    cells = {c.value: c for row in ws.iter_rows(min_row=2) for c in row}
    assert cells[HYPERLINK].data_type == "s"
    assert cells["@evil"].data_type == "s"
    assert "Nguyễn Văn Ánh" in cells

    status, response = call("lead-source-attribution", _params("lead-source-attribution", "xlsx"))
    ws = openpyxl.load_workbook(io.BytesIO(_file(response)))["lead-source-attribution"]
    cells = {c.value: c for row in ws.iter_rows(min_row=2, max_col=1) for c in row}
    assert cells[CMD_SOURCE].data_type == "s"


def test_fixture_exercises_the_interesting_values(exports_db) -> None:
    agents = {r["name"]: r for r in _json_rows("agent-performance")}
    assert HYPERLINK in agents and agents["Nguyễn Văn Ánh"]["conversions"] == 1
    assert any(r["conv_rate"] not in (0, 100) for r in agents.values())
    dashboard = _json_rows("dashboard")[0]
    assert dashboard["total_conversions"] == 3 and dashboard["pdpl_blocked_count"] == 1
    assert "." in dashboard["avg_talk_time_sec"]
    codes = {r["code"] for r in _json_rows("disposition-breakdown")}
    assert codes == {"sale", "no_interest", "callback"}
    health = _json_rows("caller-id-health")
    assert [r["cooldown_until"] for r in health].count("2026-06-09T02:31:14Z") == 1
    assert any(r["cooldown_until"] is None for r in health)


def test_errors(exports_db) -> None:
    status, body = call("abandon-rate", {"campaign_id": "10", "format": "csv"})
    assert status == 422 and list(body["errors"]) == ["format"]
    status, body = call("/api/telesales/reports/nope/export", {"format": "csv", **PARAMS})
    assert (status, body) == (404, {"message": "Not Found."})
    status, body = call("funnel/export", PARAMS)
    assert status == 422 and list(body["errors"]) == ["format"]
    status, body = call("funnel/export", {**PARAMS, "format": "json"})
    assert status == 422 and list(body["errors"]) == ["format"]
    status, body = call("funnel/export", {**PARAMS, "format": "pdf"})
    assert status == 422 and list(body["errors"]) == ["format"]


def test_json_cold_start_and_csv_import_neither_openpyxl_nor_boto3(exports_db) -> None:
    # The JSON path imports no pydantic either (DECISIONLOG 102): the settings, a report with compare, a
    # 422 and the filters answer without it; the OpenAPI document and the exports load it.
    script = (
        "import sys\n"
        "from tests.support import call\n"
        f"status, _ = call('dashboard', {dict(PARAMS, compare='previous_period')!r})\n"
        "assert status == 200, status\n"
        "status, _ = call('funnel', {'date_from': 'nope'})\n"
        "assert status == 422, status\n"
        "status, _ = call('filters', {})\n"
        "assert status == 200, status\n"
        "print('loaded', sorted(m for m in ('pydantic', 'pydantic_core') if m in sys.modules))\n"
        f"status, _ = call('funnel/export', {dict(PARAMS, format='csv')!r})\n"
        "assert status == 200, status\n"
        "print('loaded', sorted(m for m in ('openpyxl', 'boto3') if m in sys.modules))\n"
    )
    env = {**os.environ, "DATABASE_URL": exports_db}
    env.pop("TELESALES_TEMPLATE_LOCATION", None)
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert [line for line in result.stdout.splitlines() if line.startswith("loaded ")] == ["loaded []"] * 2


# ---------------------------------------------------------------------------------------------------
# Templates end to end


TEMPLATE = {
    "version": 1,
    "tenant_id": TENANT,
    "reports": {
        "agent-performance": {
            "columns": [
                {"field": "name", "header": "Nhân viên"},
                {"field": "conversions", "header": "Số đơn"},
                {"field": "conv_rate", "header": "Tỷ lệ chốt (%)", "number_format": "0.0"},
                {"field": "dials", "header": "=Cuộc gọi"},
            ],
            "conditional_formats": [
                {"type": "cell", "field": "conv_rate", "operator": "lessThan", "formula": ["30"], "fill": "FFC7CE"},
                {"type": "color_scale", "field": "dials", "start_color": "F8696B", "end_color": "63BE7B"},
            ],
        }
    },
}


def _use_template(monkeypatch, tmp_path, document) -> None:
    (tmp_path / f"{TENANT}.json").write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setenv("TELESALES_TEMPLATE_LOCATION", str(tmp_path))
    get_settings.cache_clear()
    templates.clear_cache()


def test_template_shapes_xlsx_and_csv(exports_db, monkeypatch, tmp_path) -> None:
    _use_template(monkeypatch, tmp_path, TEMPLATE)
    expected = _json_rows("agent-performance")

    status, response = call("agent-performance/export", _params("agent-performance", "xlsx"))
    assert status == 200, response
    ws = openpyxl.load_workbook(io.BytesIO(_file(response)))["agent-performance"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("Nhân viên", "Số đơn", "Tỷ lệ chốt (%)", "=Cuộc gọi")
    assert ws["D1"].data_type == "s"
    assert rows[1:] == [(r["name"], r["conversions"], r["conv_rate"], r["dials"]) for r in expected]
    assert ws["C2"].number_format == "0.0"
    ranges = {str(cf.sqref): [rule.type for rule in cf.rules] for cf in ws.conditional_formatting}
    n = len(expected) + 1
    assert ranges == {f"C2:C{n}": ["cellIs"], f"D2:D{n}": ["colorScale"]}

    status, response = call("agent-performance", _params("agent-performance", "csv"))
    text = _file(response).decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text, newline="")))
    assert lines[0] == ["Nhân viên", "Số đơn", "Tỷ lệ chốt (%)", "'=Cuộc gọi"]
    assert len(lines) == len(expected) + 1

    # A report the template does not mention keeps the generic layout.
    status, response = call("funnel/export", _params("funnel", "csv"))
    assert _file(response).decode("utf-8-sig").splitlines()[0] == "stage,count"


def test_broken_template_is_a_clean_500_naming_tenant_and_key(exports_db, monkeypatch, tmp_path, caplog) -> None:
    broken = json.loads(json.dumps(TEMPLATE))
    broken["reports"]["agent-performance"]["columns"][1]["field"] = "convresions"
    _use_template(monkeypatch, tmp_path, broken)
    status, body = call("agent-performance/export", _params("agent-performance", "xlsx"))
    assert (status, body) == (500, {"message": "Server Error."})
    [record] = [r for r in caplog.records if r.getMessage() == "export template invalid"]
    assert "tenant 1" in record.reason and "reports.agent-performance.columns[1].field" in record.reason
    assert record.template_keys == ["reports.agent-performance.columns[1].field"]
    assert record.exc_info is None
    # JSON of the same report is unaffected
    status, _ = call("agent-performance", _params("agent-performance"))
    assert status == 200


# ---------------------------------------------------------------------------------------------------
# Large exports: S3 and a presigned URL


@pytest.fixture
def aws(monkeypatch):
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "ap-southeast-1",
        "AWS_REGION": "ap-southeast-1",
    }.items():
        monkeypatch.setenv(key, value)
    with mock_aws():
        yield boto3.client("s3", region_name="ap-southeast-1")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_large_export_goes_to_s3_with_a_presigned_url(exports_db, monkeypatch, aws, fmt: str) -> None:
    aws.create_bucket(Bucket="exports-test", CreateBucketConfiguration={"LocationConstraint": "ap-southeast-1"})
    monkeypatch.setenv("TELESALES_EXPORT_BUCKET", "exports-test")
    get_settings.cache_clear()
    monkeypatch.setattr(storage, "MAX_INLINE_BYTES", 100)

    status, response = call("hour-dow-heatmap/export", _params("hour-dow-heatmap", fmt))

    assert status == 302, response
    filename = f"telesales-hour-dow-heatmap-20260601-20260607.{fmt}"
    objects = aws.list_objects_v2(Bucket="exports-test")["Contents"]
    assert len(objects) == 1
    key = objects[0]["Key"]
    parts = key.split("/")
    assert parts[0] == "exports" and parts[1] == str(TENANT) and len(parts[2]) == 36 and parts[3] == filename
    url = urlparse(response["headers"]["Location"])
    assert unquote(url.path).endswith(key) and "exports-test" in url.netloc + url.path
    query = parse_qs(url.query)
    assert query["response-content-disposition"] == [f'attachment; filename="{filename}"']
    assert "X-Amz-Expires" in query and query["X-Amz-Expires"] == ["900"]
    stored = aws.get_object(Bucket="exports-test", Key=key)["Body"].read()
    if fmt == "xlsx":
        assert len(list(openpyxl.load_workbook(io.BytesIO(stored))["hour-dow-heatmap"].iter_rows())) == 169
    else:
        assert stored.startswith(b"\xef\xbb\xbf") and stored.count(b"\r\n") == 169


def test_large_export_without_bucket_is_503(exports_db, monkeypatch, caplog) -> None:
    monkeypatch.setattr(storage, "MAX_INLINE_BYTES", 100)
    status, body = call("hour-dow-heatmap/export", _params("hour-dow-heatmap", "csv"))
    assert (status, body) == (503, {"message": "Service Unavailable."})
    assert any("TELESALES_EXPORT_BUCKET" in r.getMessage() for r in caplog.records)


def test_inline_limit_keeps_the_lambda_response_under_6_mb() -> None:
    encoded = 4 * -(-storage.MAX_INLINE_BYTES // 3)
    assert encoded + storage.ENVELOPE_MARGIN <= 6_291_456
    assert storage.MAX_INLINE_BYTES > 4_500_000

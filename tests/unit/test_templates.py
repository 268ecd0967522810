"""Export templates: validation, loading (folder and S3), and applying them to CSV and XLSX."""

from __future__ import annotations

import copy
import csv
import io
import json
import zipfile
from datetime import datetime
from pathlib import Path

import boto3
import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from moto import mock_aws
from openpyxl.compat import safe_string
from openpyxl.worksheet._reader import _cast_number

from telesales_reports.exports import DATETIME, DECIMAL, INT, LAYOUTS, NUMBER, TEXT, csv_writer, templates, xlsx_writer
from telesales_reports.exports.templates import (
    Column,
    Layout,
    TemplateError,
    TemplateUnavailable,
    layout_for,
    parse_template,
)
from telesales_reports.reports.registry import REPORTS
from telesales_reports.settings import get_settings

EXAMPLE = Path(__file__).resolve().parents[2] / "templates" / "example-tenant-1.json"

GOOD = {
    "version": 1,
    "tenant_id": 7,
    "reports": {
        "agent-performance": {
            "columns": [
                {"field": "name", "header": "Nhân viên"},
                {"field": "conv_rate", "header": "Tỷ lệ chốt (%)", "number_format": "0.0"},
                {"field": "dials", "header": "Cuộc gọi", "width": 12},
            ],
            "conditional_formats": [
                {
                    "type": "cell",
                    "field": "conv_rate",
                    "operator": "lessThan",
                    "formula": ["30"],
                    "fill": "FFC7CE",
                    "font_color": "#9c0006",
                },
                {
                    "type": "color_scale",
                    "field": "dials",
                    "start_color": "F8696B",
                    "mid_color": "FFEB84",
                    "end_color": "63BE7B",
                },
            ],
        },
        "funnel": {
            "conditional_formats": [
                {"type": "cell", "field": "count", "operator": "equal", "formula": ["0"], "bold": True}
            ]
        },
    },
}

AGENTS = [
    {
        "agent_id": 3,
        "name": "Nguyễn Văn Ánh",
        "username": "a",
        "dials": 152,
        "answers": 98,
        "avg_aht_sec": 191,
        "conversions": 28,
        "conv_rate": 28.57,
    },
    {
        "agent_id": 4,
        "name": "Trần Thị B",
        "username": "b",
        "dials": 140,
        "answers": 86,
        "avg_aht_sec": 176,
        "conversions": 22,
        "conv_rate": 25.58,
    },
]


@pytest.fixture(autouse=True)
def _isolated(monkeypatch):
    monkeypatch.delenv("TELESALES_TEMPLATE_LOCATION", raising=False)
    get_settings.cache_clear()
    templates.clear_cache()
    yield
    get_settings.cache_clear()
    templates.clear_cache()


def _broken(change) -> dict:
    document = copy.deepcopy(GOOD)
    change(document)
    return document


def _error(document, tenant: int = 7) -> TemplateError:
    with pytest.raises(TemplateError) as info:
        parse_template(json.dumps(document), tenant, source="test")
    return info.value


# ---------------------------------------------------------------------------------------------------
# Validation


def test_generic_layout_is_the_json_field_order_of_every_report() -> None:
    for report in LAYOUTS:
        data = REPORTS[report].response_model.model_fields["data"].annotation
        item = data.__args__[0] if hasattr(data, "__args__") else data
        assert [name for name, _ in LAYOUTS[report]] == list(item.model_fields), report


def test_good_template_and_the_shipped_example_load() -> None:
    template = parse_template(json.dumps(GOOD, ensure_ascii=False).encode(), 7)
    rule = template.reports["agent-performance"].conditional_formats[0]
    assert rule.font_color == "9C0006"  # normalised
    example = parse_template(EXAMPLE.read_bytes(), 1)
    assert set(example.reports) == {"agent-performance", "hour-dow-heatmap", "attempts", "carrier-health"}
    heatmap = example.reports["hour-dow-heatmap"].conditional_formats
    assert {r.type for r in heatmap} == {"cell", "color_scale"}
    red = next(r for r in heatmap if r.type == "cell")
    assert (red.field, red.operator, red.formula, red.fill) == ("answer_rate_pct", "lessThan", ["30"], "FFC7CE")


@pytest.mark.parametrize(
    ("change", "key", "words"),
    [
        (lambda d: d.update(version=2), "version", "1"),
        (lambda d: d.update(tenant_id=8), "tenant_id", "8"),
        (lambda d: d["reports"].update(nope={}), "reports.nope", "unknown report"),
        (
            lambda d: d["reports"]["agent-performance"]["columns"][0].update(field="nam"),
            "reports.agent-performance.columns[0].field",
            "unknown field 'nam'",
        ),
        (
            lambda d: d["reports"]["agent-performance"]["columns"].append({"field": "name"}),
            "reports.agent-performance.columns[3].field",
            "twice",
        ),
        (
            lambda d: d["reports"]["agent-performance"]["conditional_formats"][0].update(fill="red"),
            "reports.agent-performance.conditional_formats[0].fill",
            "RRGGBB",
        ),
        (
            lambda d: d["reports"]["agent-performance"]["conditional_formats"][1].update(end_color="#12345"),
            "reports.agent-performance.conditional_formats[1].end_color",
            "RRGGBB",
        ),
        (
            lambda d: d["reports"]["agent-performance"]["conditional_formats"][1].update(field="answers"),
            "reports.agent-performance.conditional_formats[1].field",
            "not one of the template's columns",
        ),
        (
            lambda d: d["reports"]["funnel"]["conditional_formats"][0].update(field="stages"),
            "reports.funnel.conditional_formats[0].field",
            "unknown field 'stages'",
        ),
        (
            lambda d: d["reports"]["agent-performance"]["conditional_formats"][0].update(operator="between"),
            "reports.agent-performance.conditional_formats[0].formula",
            "2 formula",
        ),
        (
            lambda d: d["reports"]["agent-performance"]["conditional_formats"][0].update(operator="below"),
            "reports.agent-performance.conditional_formats[0].operator",
            "",
        ),
        (
            lambda d: d["reports"]["agent-performance"]["conditional_formats"][0].update(type="icon_set"),
            "reports.agent-performance.conditional_formats[0]",
            "icon_set",
        ),
        (
            lambda d: d["reports"]["agent-performance"].update(colums=[]),
            "reports.agent-performance.colums",
            "not permitted",
        ),
        (
            lambda d: d["reports"]["funnel"]["conditional_formats"][0].update(bold=False),
            "reports.funnel.conditional_formats[0]",
            "needs fill",
        ),
    ],
)
def test_each_bad_key_is_named_with_the_tenant(change, key: str, words: str) -> None:
    error = _error(_broken(change))
    assert error.tenant_id == 7
    assert key in error.keys, error.keys
    assert "tenant 7" in str(error) and key in str(error) and words in str(error)


@pytest.mark.parametrize(("raw", "words"), [(b"{not json", "not JSON"), (b"[]", "JSON object"), (b"\xff\xfe", "")])
def test_unreadable_documents(raw: bytes, words: str) -> None:
    with pytest.raises(TemplateError) as info:
        parse_template(raw, 7)
    assert "tenant 7" in str(info.value) and words in str(info.value)


# ---------------------------------------------------------------------------------------------------
# Loading


def _point_at(monkeypatch, location: str) -> None:
    monkeypatch.setenv("TELESALES_TEMPLATE_LOCATION", location)
    get_settings.cache_clear()
    templates.clear_cache()


def test_no_location_means_generic() -> None:
    assert templates.load_template(7) is None
    layout = layout_for("funnel", None)
    assert [(c.field, c.header) for c in layout.columns] == [("stage", "stage"), ("count", "count")]


def test_load_from_folder_with_short_cache(monkeypatch, tmp_path) -> None:
    (tmp_path / "7.json").write_text(json.dumps(GOOD, ensure_ascii=False), encoding="utf-8")
    _point_at(monkeypatch, str(tmp_path))
    template = templates.load_template(7)
    assert template is not None and "agent-performance" in template.reports
    assert templates.load_template(8) is None  # no file: generic layout
    # Cached: a change is not seen until the TTL has passed
    (tmp_path / "8.json").write_text(json.dumps(dict(GOOD, tenant_id=8)), encoding="utf-8")
    assert templates.load_template(8) is None
    monkeypatch.setattr(templates, "CACHE_TTL_SECONDS", 0.0)
    templates.clear_cache()
    assert templates.load_template(8) is not None
    (tmp_path / "8.json").write_text("{", encoding="utf-8")
    with pytest.raises(TemplateError, match="tenant 8"):
        templates.load_template(8)


def test_load_from_s3(monkeypatch) -> None:
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "ap-southeast-1",
    }.items():
        monkeypatch.setenv(key, value)
    with mock_aws():
        s3 = boto3.client("s3", region_name="ap-southeast-1")
        s3.create_bucket(Bucket="cfg", CreateBucketConfiguration={"LocationConstraint": "ap-southeast-1"})
        s3.put_object(Bucket="cfg", Key="templates/7.json", Body=json.dumps(GOOD, ensure_ascii=False).encode())
        broken = _broken(lambda d: d.update(version=3))
        broken["tenant_id"] = 9
        s3.put_object(Bucket="cfg", Key="templates/9.json", Body=json.dumps(broken).encode())

        _point_at(monkeypatch, "s3://cfg/templates/")
        assert templates.s3_key("s3://cfg/templates/", 7) == ("cfg", "templates/7.json")
        assert templates.s3_key("s3://cfg", 7) == ("cfg", "7.json")
        template = templates.load_template(7)
        assert template is not None
        assert [c.header for c in layout_for("agent-performance", template).columns] == [
            "Nhân viên",
            "Tỷ lệ chốt (%)",
            "Cuộc gọi",
        ]
        assert templates.load_template(8) is None
        with pytest.raises(TemplateError) as info:
            templates.load_template(9)
        assert "tenant 9" in str(info.value) and "s3://cfg/templates/9.json" in str(info.value)
        assert info.value.keys == ["version"]

        _point_at(monkeypatch, "s3://no-such-bucket/templates")
        with pytest.raises(TemplateUnavailable):
            templates.load_template(7)


# ---------------------------------------------------------------------------------------------------
# Applying


def test_template_reorders_relabels_and_formats_xlsx() -> None:
    layout = layout_for("agent-performance", parse_template(json.dumps(GOOD), 7))
    content = xlsx_writer.render("agent-performance", layout, AGENTS)
    ws = openpyxl.load_workbook(io.BytesIO(content))["agent-performance"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows == [
        ("Nhân viên", "Tỷ lệ chốt (%)", "Cuộc gọi"),
        ("Nguyễn Văn Ánh", 28.57, 152),
        ("Trần Thị B", 25.58, 140),
    ]
    assert ws["B2"].number_format == "0.0"  # the template's format wins over the default 0.00
    assert ws.column_dimensions["C"].width == 12
    rules = {str(cf.sqref): list(cf.rules) for cf in ws.conditional_formatting}
    assert set(rules) == {"B2:B3", "C2:C3"}
    [cell_rule] = rules["B2:B3"]
    assert (cell_rule.type, cell_rule.operator, cell_rule.formula) == ("cellIs", "lessThan", ["30"])
    assert cell_rule.dxf.fill.fgColor.rgb.endswith("FFC7CE")
    assert cell_rule.dxf.font.color.rgb.endswith("9C0006")
    [scale] = rules["C2:C3"]
    assert scale.type == "colorScale"
    assert [c.rgb[-6:] for c in scale.colorScale.color] == ["F8696B", "FFEB84", "63BE7B"]
    assert [v.type for v in scale.colorScale.cfvo] == ["min", "percentile", "max"]


def test_template_applies_columns_and_headers_to_csv() -> None:
    layout = layout_for("agent-performance", parse_template(json.dumps(GOOD), 7))
    text = csv_writer.render(layout, AGENTS).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text, newline=""))) == [
        ["Nhân viên", "Tỷ lệ chốt (%)", "Cuộc gọi"],
        ["Nguyễn Văn Ánh", "28.57", "152"],
        ["Trần Thị B", "25.58", "140"],
    ]


def test_report_without_columns_keeps_generic_columns_with_its_rules() -> None:
    layout = layout_for("funnel", parse_template(json.dumps(GOOD), 7))
    assert [c.header for c in layout.columns] == ["stage", "count"]
    content = xlsx_writer.render("funnel", layout, [{"stage": "Dialed", "count": 0}])
    ws = openpyxl.load_workbook(io.BytesIO(content))["funnel"]
    [cf] = list(ws.conditional_formatting)
    assert str(cf.sqref) in ("B2", "B2:B2") and cf.rules[0].dxf.font.b


# ---------------------------------------------------------------------------------------------------
# Writers' edge cases


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("=1+1", "'=1+1"),
        ("+cmd", "'+cmd"),
        ("-", "'-"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("-1.50", "-1.50"),
        ("+84901234567", "+84901234567"),
        ("-2e3", "-2e3"),
        ("-inf", "'-inf"),
        ("plain", "plain"),
        (-5, "-5"),
        (-0.5, "-0.5"),
        (None, ""),
    ],
)
def test_csv_cell_neutralisation(value, text: str) -> None:
    assert csv_writer.cell_text(value) == text


def test_xlsx_drops_characters_xml_cannot_hold_and_keeps_formula_text() -> None:
    rows = [{"stage": "bad\x01name\x1f", "count": 1}, {"stage": "=1+1", "count": 2}, {"stage": "", "count": 0}]
    content = xlsx_writer.render("funnel", layout_for("funnel", None), rows)
    ws = openpyxl.load_workbook(io.BytesIO(content))["funnel"]
    assert ws["A2"].value == "badname"
    assert (ws["A3"].value, ws["A3"].data_type, ws["A3"].quotePrefix) == ("=1+1", "s", True)
    assert ws.auto_filter.ref == "A1:B4"


def test_xlsx_text_keeps_carriage_returns_as_the_json_and_the_csv_do() -> None:
    rows = [{"stage": "\rcode", "count": 1}, {"stage": "line one\r\nline two\rthree\n", "count": 2}]
    content = xlsx_writer.render("funnel", layout_for("funnel", None), rows)
    ws = openpyxl.load_workbook(io.BytesIO(content))["funnel"]
    assert [ws["A2"].value, ws["A3"].value] == [row["stage"] for row in rows]
    assert ws["A2"].quotePrefix  # a leading CR is neutralised as the CSV's is (DECISIONLOG 49)


def test_xlsx_of_no_rows_has_header_only() -> None:
    content = xlsx_writer.render("agent-performance", layout_for("agent-performance", None), [])
    ws = openpyxl.load_workbook(io.BytesIO(content))["agent-performance"]
    assert [c.value for c in ws[1]] == [name for name, _ in LAYOUTS["agent-performance"]]
    assert ws.max_row == 1 and ws.auto_filter.ref == "A1:H1"


_KINDS = [
    Column("t", "text", TEXT), Column("i", "int", INT, "#,##0"), Column("n", "number", NUMBER),
    Column("d", "decimal", DECIMAL, "0.00"), Column("w", "when", DATETIME), Column("v", "when day", DATETIME, "yyyy-mm-dd"),
]  # fmt: skip
_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12) | st.sampled_from(
    ["=1+1", " +84 ", "-1.50", "a&b<c>", "x\r\ny", "\x01", "2026-06-09T02:31:14Z", "12.50", "@x"]
)
_VALUE = st.none() | _TEXT | st.integers(-(10**18), 10**18) | st.floats(allow_nan=False, allow_infinity=False)
_MOMENT = st.datetimes(min_value=datetime(1950, 1, 1), max_value=datetime(2100, 1, 1)).map(
    lambda d: d.replace(microsecond=0).isoformat() + "Z"
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.fixed_dictionaries({c.field: _VALUE | _MOMENT for c in _KINDS}), max_size=6))
def test_xlsx_cells_follow_the_layout_rules(rows) -> None:
    # every cell read back as the rules say: a number (with the column's format) where the kind takes
    # one, a date-time for ISO text in a date-time column, else the cleaned text (quote prefix on
    # formula-like text); no cell for null
    content = xlsx_writer.render("funnel", Layout(tuple(_KINDS)), rows)
    ws = openpyxl.load_workbook(io.BytesIO(content))["funnel"]
    assert [c.value for c in ws[1]] == [c.header for c in _KINDS]
    for index, row in enumerate(rows, start=2):
        for letter, column in zip("ABCDEF", _KINDS, strict=True):
            cell, value = ws[f"{letter}{index}"], row[column.field]
            moment = xlsx_writer._datetime(value) if column.kind == DATETIME else None
            number = None if column.kind == DATETIME else xlsx_writer._number(value, column.kind)
            if value is None:
                assert cell.value is None
            elif moment is not None:
                assert (cell.value, cell.number_format) == (moment, column.number_format or "yyyy-mm-dd hh:mm:ss")
            elif number is not None:
                assert cell.value == _cast_number(safe_string(number))
                assert cell.number_format == (column.number_format or "General")
            else:
                text = xlsx_writer.clean_text(value)
                read = cell.value or ""
                if text.strip():
                    assert read == text  # every character XML can hold, carriage returns included
                    assert cell.data_type == "s"
                    assert cell.quotePrefix == csv_writer.looks_like_formula(text)


def test_xlsx_text_keeps_its_edge_spaces_for_excel() -> None:
    # Excel drops a text's leading and trailing spaces unless the XML says to preserve them
    content = xlsx_writer.render("funnel", layout_for("funnel", None), [{"stage": " x ", "count": 1}])
    with zipfile.ZipFile(io.BytesIO(content)) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
    assert '<c r="A2" t="inlineStr"><is><t xml:space="preserve"> x </t></is></c>' in sheet
    assert '<c r="B2" t="n"><v>1</v></c>' in sheet

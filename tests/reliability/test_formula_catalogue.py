"""Every way a spreadsheet program would still evaluate a cell, in CSV and in XLSX (hostile input).

The contract neutralises cells starting with = + - @, tab or CR. Excel and LibreOffice also evaluate
a sign after leading spaces or line breaks, and the full-width (＝ ＋ － ＠) and small (﹦ ﹢ ﹣ ﹫)
forms of the signs. Each payload below reaches an export as an agent name: the CSV cell must start
with `'`, the XLSX cell must be a string cell with the quote prefix (never a formula).
"""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from telesales_reports.exports import csv_writer, xlsx_writer
from telesales_reports.exports.templates import layout_for

EVALUATED = [
    "=1+1",
    "+1+1",
    "-1+1",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    " =1+1",
    '   =HYPERLINK("http://evil","x")',
    "\n=1+1",
    "\r\n+cmd|' /C calc'!A0",
    "\u00a0=1+1",  # no-break space
    "\u3000=1+1",  # ideographic space
    "\uff1d1+1",  # ＝
    "\uff0bcmd",  # ＋
    "\uff0d1+1",  # －
    "\uff20SUM(A1)",  # ＠
    ' \uff1dHYPERLINK("http://evil")',
    "\ufe661+1",  # ﹦ small equals sign
    "\ufe62cmd",  # ﹢ small plus sign
    "\ufe631+1",  # ﹣ small hyphen-minus
    "\ufe6bSUM(A1)",  # ﹫ small commercial at
]
INERT = ["-1.50", "+84901234567", "-2e3", "plain", "Nguyễn Văn Ánh", "a=b", "1+1", "", "x\n=1"]


@pytest.mark.parametrize("payload", EVALUATED)
def test_csv_neutralises(payload: str) -> None:
    assert csv_writer.cell_text(payload) == "'" + payload
    rows = [{"agent_id": 1, "name": payload, "username": payload}]
    content = csv_writer.render(layout_for("agent-performance", None), rows).decode("utf-8-sig")
    parsed = list(csv.DictReader(io.StringIO(content, newline="")))
    assert parsed[0]["name"] == "'" + payload
    assert parsed[0]["username"] == "'" + payload


@pytest.mark.parametrize("payload", INERT)
def test_csv_leaves_plain_text_and_numbers(payload: str) -> None:
    assert csv_writer.cell_text(payload) == payload


@pytest.mark.parametrize("payload", EVALUATED)
def test_xlsx_keeps_the_payload_as_quoted_text(payload: str) -> None:
    rows = [{"agent_id": 1, "name": payload, "username": "u"}]
    content = xlsx_writer.render("agent-performance", layout_for("agent-performance", None), rows)
    ws = openpyxl.load_workbook(io.BytesIO(content))["agent-performance"]
    headers = [cell.value for cell in ws[1]]
    cell = ws.cell(row=2, column=headers.index("name") + 1)
    # the text exactly, its carriage returns included (written as character references, DECISIONLOG 110)
    assert (cell.value, cell.data_type, cell.quotePrefix) == (payload, "s", True)


@pytest.mark.parametrize("payload", [p for p in INERT if p])
def test_xlsx_plain_text_has_no_quote_prefix(payload: str) -> None:
    rows = [{"agent_id": 1, "name": payload, "username": "u"}]
    content = xlsx_writer.render("agent-performance", layout_for("agent-performance", None), rows)
    ws = openpyxl.load_workbook(io.BytesIO(content))["agent-performance"]
    headers = [cell.value for cell in ws[1]]
    cell = ws.cell(row=2, column=headers.index("name") + 1)
    assert (cell.value, cell.data_type, cell.quotePrefix) == (payload, "s", False)


# Characters no XML document may hold, as raw data can carry them (PostgreSQL stores them all).
NON_XML = ["a\x01b", "a\x0bb", "a\x1fb", "a\ufffeb", "a\uffffb", "\ufeffa\ufffe\uffff\x00b"]


@pytest.mark.parametrize("payload", NON_XML)
def test_xlsx_drops_characters_xml_cannot_hold_and_stays_readable(payload: str) -> None:
    rows = [{"agent_id": 1, "name": payload, "username": payload}]
    content = xlsx_writer.render("agent-performance", layout_for("agent-performance", None), rows)
    ws = openpyxl.load_workbook(io.BytesIO(content))["agent-performance"]
    headers = [cell.value for cell in ws[1]]
    kept = "".join(c for c in payload if c not in "\x00\x01\x0b\x1f\ufffe\uffff")
    assert ws.cell(row=2, column=headers.index("name") + 1).value == kept
    assert ws.cell(row=2, column=headers.index("username") + 1).value == kept

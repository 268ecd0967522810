"""XLSX with openpyxl's write-only workbook (rows streamed, little memory): docs/api-reference.md §5.

One sheet named after the report, bold header row frozen (A2), autofilter over the data, numeric
cells for every numeric field (decimal strings included: "57563" -> 57563, "64.07" -> 64.07),
`0.00` on `*_pct` / `conv_rate` (or the template's number format), `cooldown_until` as a date-time
cell (naive UTC), column widths from the content (capped), and the template's conditional formatting.

Text is always written as a string cell (inline string, `data_type == "s"`) with Excel's quote prefix
when it starts like a formula: `=HYPERLINK(...)` stays literal text, never a formula. Characters that
XML 1.0 cannot hold (control characters other than tab, LF, CR) are dropped.

This module imports openpyxl at import time; render.py imports it only for `format=xlsx`.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.formatting.rule import CellIsRule, ColorScaleRule
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from . import DATETIME, DECIMAL, INT, NUMBER
from .csv_writer import looks_like_formula
from .templates import CellRule, ColorScale, Layout

MAX_WIDTH = 60
MIN_WIDTH = 6
MAX_TEXT = 32767
BOLD = Font(bold=True)


def _number(value: object, kind: str) -> int | float | None:
    """The numeric cell value of a JSON value of `kind`; None when it is not a number."""
    if isinstance(value, bool):
        return None
    if kind == INT and isinstance(value, int):
        return value
    if kind in (INT, NUMBER) and isinstance(value, int | float):
        return value if kind == INT else float(value)
    if kind == DECIMAL and isinstance(value, str):
        try:
            number = Decimal(value)
        except InvalidOperation:
            return None
        if not number.is_finite():
            return None
        return int(number) if number.as_tuple().exponent >= 0 else float(number)
    return None


def _datetime(value: object) -> datetime | None:
    """ISO 8601 UTC text (`2026-06-09T02:31:14Z`) -> naive UTC datetime (Excel has no time zones)."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


def clean_text(value: object) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))[:MAX_TEXT]


def _display_length(value: object, kind: str) -> int:
    if value is None:
        return 0
    if kind == DATETIME:
        return 19
    text = str(value)
    # Longest line; wide (CJK) characters are not expected, Vietnamese letters are one column each.
    return max((len(line) for line in text.splitlines()), default=0)


def _widths(layout: Layout, rows: Sequence[dict]) -> list[float]:
    widths = []
    for column in layout.columns:
        if column.width is not None:
            widths.append(column.width)
            continue
        longest = len(column.header) + 2  # room for the autofilter button
        for row in rows:
            longest = max(longest, _display_length(row.get(column.field), column.kind))
        widths.append(float(min(MAX_WIDTH, max(MIN_WIDTH, longest + 2))))
    return widths


def _cell(ws, value: object, column) -> WriteOnlyCell | None:
    if value is None:
        return None
    if column.kind == DATETIME:
        moment = _datetime(value)
        if moment is not None:
            cell = WriteOnlyCell(ws, value=moment)
            cell.number_format = column.number_format or "yyyy-mm-dd hh:mm:ss"
            return cell
    else:
        number = _number(value, column.kind)
        if number is not None:
            cell = WriteOnlyCell(ws, value=number)
            if column.number_format:
                cell.number_format = column.number_format
            return cell
    return _text_cell(ws, value)


def _text_cell(ws, value: object, bold: bool = False) -> WriteOnlyCell:
    text = clean_text(value)
    cell = WriteOnlyCell(ws)
    cell.value = text
    cell.data_type = "s"  # even when it starts with "=": text, never a formula
    if looks_like_formula(text):
        cell.quotePrefix = True  # Excel keeps it text when the cell is edited
    if bold:
        cell.font = BOLD
    return cell


def _conditional_format(ws, rule: CellRule | ColorScale, letter: str, last_row: int) -> None:
    ref = f"{letter}2:{letter}{last_row}"
    if isinstance(rule, ColorScale):
        if rule.mid_color is not None:
            made = ColorScaleRule(
                start_type="min",
                start_color=rule.start_color,
                mid_type="percentile",
                mid_value=50,
                mid_color=rule.mid_color,
                end_type="max",
                end_color=rule.end_color,
            )
        else:
            made = ColorScaleRule(
                start_type="min", start_color=rule.start_color, end_type="max", end_color=rule.end_color
            )
    else:
        options: dict = {}
        if rule.fill is not None:
            options["fill"] = PatternFill(start_color=rule.fill, end_color=rule.fill, fill_type="solid")
        if rule.font_color is not None or rule.bold:
            options["font"] = Font(color=rule.font_color, bold=rule.bold or None)
        made = CellIsRule(operator=rule.operator, formula=list(rule.formula), **options)
    ws.conditional_formatting.add(ref, made)


def render(report: str, layout: Layout, rows: Sequence[dict]) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=report[:31])
    # Write-only sheets write views and column widths with the first row: set them first.
    for index, width in enumerate(_widths(layout, rows), start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "A2"
    last_letter = get_column_letter(len(layout.columns))
    last_row = len(rows) + 1
    ws.auto_filter.ref = f"A1:{last_letter}{last_row}"
    if rows:
        letters = {column.field: get_column_letter(i) for i, column in enumerate(layout.columns, start=1)}
        for rule in layout.conditional_formats:
            _conditional_format(ws, rule, letters[rule.field], last_row)

    ws.append([_text_cell(ws, column.header, bold=True) for column in layout.columns])
    for row in rows:
        ws.append([_cell(ws, row.get(column.field), column) for column in layout.columns])

    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()

"""XLSX with openpyxl's write-only workbook (rows streamed, little memory): docs/api-reference.md §5.

One sheet named after the report, bold header row frozen (A2), autofilter over the data, numeric
cells for every numeric field (decimal strings included: "57563" -> 57563, "64.07" -> 64.07),
`0.00` on `*_pct` / `conv_rate` (or the template's number format), `cooldown_until` as a date-time
cell (naive UTC), column widths from the content (capped), and the template's conditional formatting.

Text is always written as a string cell (inline string, `data_type == "s"`) with Excel's quote prefix
when it starts like a formula: `=HYPERLINK(...)` stays literal text, never a formula. Characters that
XML 1.0 cannot hold (control characters other than tab, LF, CR) are dropped.

openpyxl writes the workbook: its styles, the header row, widths, the frozen pane, the autofilter and
the conditional formats. The data rows are written here as the same XML openpyxl writes for those cells
(inline strings, numbers with the column's style), straight into the sheet: openpyxl builds and
serializes an object per cell. On the benchmark's caller-id-health (500 rows of 16 columns) the whole
file took 390 ms through openpyxl and takes 73 ms this way (DECISIONLOG 99). A cell's style is
registered with openpyxl when a cell first uses it, before openpyxl saves, so styles.xml holds every
style a data cell names.

This module imports openpyxl at import time; render.py imports it only for `format=xlsx`.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from xml.sax.saxutils import escape

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.compat import safe_string
from openpyxl.formatting.rule import CellIsRule, ColorScaleRule
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel

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


# openpyxl's pattern covers the C0 controls XML may not hold; U+FFFE and U+FFFF are not XML characters
# either (XML 1.0 §2.2): PostgreSQL stores them, and one in a name made the whole sheet unreadable.
NON_XML_CHARACTERS_RE = re.compile(ILLEGAL_CHARACTERS_RE.pattern + "|[\ufffe\uffff]")


def clean_text(value: object) -> str:
    """`value` as a cell's text: the characters no XML document may hold dropped, cut to Excel's limit."""
    return NON_XML_CHARACTERS_RE.sub("", str(value))[:MAX_TEXT]


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


DEFAULT_DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
SHEET_PATH = "xl/worksheets/sheet1.xml"  # the workbook's one sheet
# An XML parser reads a literal CR (and CR LF) as LF: written as a character reference, a text's CR
# reaches the spreadsheet as it is in the JSON and the CSV.
CARRIAGE_RETURN = {"\r": "&#13;"}
SHEET_DATA_END = "</sheetData>"


def _style_id(ws, number_format: str | None = None, quote_prefix: bool = False) -> str | None:
    """The workbook's style id of a cell with that number format or quote prefix (registered with
    openpyxl, so the saved styles.xml holds it); None for the default style."""
    if number_format is None and not quote_prefix:
        return None
    cell = WriteOnlyCell(ws)
    if number_format is not None:
        cell.number_format = number_format
    if quote_prefix:
        cell.quotePrefix = True
    return str(cell.style_id) if cell.has_style else None


class _RowWriter:
    """The XML of data rows, cell for cell what openpyxl's write-only sheet writes for them. A style is
    registered when a cell first uses it, as openpyxl does, so styles.xml and the style ids come out the
    same as openpyxl's own."""

    def __init__(self, ws, layout: Layout) -> None:
        self.ws = ws
        self.columns = [
            (column, get_column_letter(index), self._number_format(column))
            for index, column in enumerate(layout.columns, start=1)
        ]
        self.styles: dict[tuple[str | None, bool], str | None] = {}
        self.epoch = ws.parent.epoch

    @staticmethod
    def _number_format(column) -> str | None:
        if column.kind == DATETIME:
            return column.number_format or DEFAULT_DATETIME_FORMAT
        return column.number_format

    def _style(self, number_format: str | None, quote_prefix: bool = False) -> str:
        """` s="<id>"` of a cell with that number format or quote prefix, "" for the default style."""
        key = (number_format, quote_prefix)
        if key not in self.styles:
            self.styles[key] = _style_id(self.ws, number_format, quote_prefix)
        style = self.styles[key]
        return "" if style is None else f' s="{style}"'

    def row(self, index: int, row: dict) -> str:
        cells = []
        for column, letter, number_format in self.columns:
            value = row.get(column.field)
            if value is None:
                continue
            ref = f"{letter}{index}"
            number: object = None
            if column.kind == DATETIME:
                moment = _datetime(value)
                if moment is not None:
                    number = to_excel(moment, self.epoch)
            else:
                number = _number(value, column.kind)
            if number is not None:
                cells.append(f'<c r="{ref}"{self._style(number_format)} t="n"><v>{safe_string(number)}</v></c>')
                continue
            cells.append(self._text(ref, clean_text(value)))
        return f'<row r="{index}">{"".join(cells)}</row>'

    def _text(self, ref: str, text: str) -> str:
        styled = self._style(None, quote_prefix=True) if looks_like_formula(text) else ""
        if not text:
            return f'<c r="{ref}"{styled} t="inlineStr" />'
        stripped = text.strip()
        space = ' xml:space="preserve"' if stripped and stripped != text else ""
        return f'<c r="{ref}"{styled} t="inlineStr"><is><t{space}>{escape(text, CARRIAGE_RETURN)}</t></is></c>'


def _with_rows(workbook: bytes, sheet: str, rows_xml: str) -> bytes:
    """The saved workbook with `rows_xml` appended to the sheet's data (after the header row)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(workbook)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == sheet:
                text = data.decode("utf-8")
                at = text.index(SHEET_DATA_END)
                data = (text[:at] + rows_xml + text[at:]).encode("utf-8")
            target.writestr(item, data, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


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
    writer = _RowWriter(ws, layout)
    rows_xml = "".join(writer.row(index, row) for index, row in enumerate(rows, start=2))

    buffer = io.BytesIO()
    wb.save(buffer)
    return _with_rows(buffer.getvalue(), SHEET_PATH, rows_xml)

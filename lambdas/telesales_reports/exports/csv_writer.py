"""CSV: UTF-8 with BOM, RFC 4180 quoting, formula-injection protection (docs/api-reference.md §5).

Values are written as the JSON has them: integers and decimal strings as they are, JSON numbers in
their JSON spelling (`18.42`), null as an empty cell. A template chooses columns, order and headers;
number formats and conditional formatting do not exist in CSV.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable

from .templates import Layout

BOM = "\ufeff"
# A cell that a spreadsheet could run as a formula (OWASP "CSV injection"): neutralised with a leading '.
# The contract's list (= + - @, tab, CR), and what spreadsheet programs still evaluate: the signs after
# leading whitespace or line breaks (Excel and LibreOffice skip them), and the full-width and small
# forms of the signs (Excel normalises them while parsing a cell, as an East Asian IME types them).
FORMULA_SIGNS = frozenset("=+-@\uff1d\uff0b\uff0d\uff20\ufe66\ufe62\ufe63\ufe6b")
NUMBER_RE = re.compile(r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$")


def cell_text(value: object) -> str:
    """The text of one cell: None -> empty; numbers in their JSON spelling; strings neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value) if isinstance(value, float) else str(value)
    return neutralise(str(value))


def looks_like_formula(text: str) -> bool:
    """True when a spreadsheet program could evaluate the text: it starts with a formula sign (ASCII,
    full-width or small form), maybe after whitespace or line breaks, or with a tab or CR; a plain
    number such as "-1.50" or "+84901234567" is not a formula."""
    if text.startswith(("\t", "\r")):
        return True
    body = text.lstrip()  # every Unicode whitespace, line breaks included
    return body[:1] in FORMULA_SIGNS and not NUMBER_RE.match(text)


def neutralise(text: str) -> str:
    """Prefix `'` to text that starts like a formula (`looks_like_formula`)."""
    return "'" + text if looks_like_formula(text) else text


def render(layout: Layout, rows: Iterable[dict]) -> bytes:
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([neutralise(column.header) for column in layout.columns])
    for row in rows:
        writer.writerow([cell_text(row.get(column.field)) for column in layout.columns])
    return buffer.getvalue().encode("utf-8")

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
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
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


def neutralise(text: str) -> str:
    """Prefix `'` to text that starts like a formula, unless it is a plain number such as "-1.50"."""
    if text.startswith(FORMULA_PREFIXES) and not NUMBER_RE.match(text):
        return "'" + text
    return text


def render(layout: Layout, rows: Iterable[dict]) -> bytes:
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([neutralise(column.header) for column in layout.columns])
    for row in rows:
        writer.writerow([cell_text(row.get(column.field)) for column in layout.columns])
    return buffer.getvalue().encode("utf-8")

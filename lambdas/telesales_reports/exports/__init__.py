"""CSV and XLSX exports of the eight dated reports (docs/api-reference.md §5).

`render.render_file` is the one entry point: it returns the rendered file (bytes, name, content type);
the API's export route turns it into a response, and `storage` puts a file too large for a Lambda
response into S3. The generic layout of a report (its JSON fields in JSON order, each with the kind of
value the JSON carries) comes from the report registry, derived from the response model.
It imports nothing heavy: openpyxl is loaded only on the XLSX path, boto3 only on the S3 paths, and the
pydantic models only when a layout is first asked for.
"""

from __future__ import annotations

from typing import Any

from ..reports.kinds import DATETIME, DECIMAL, INT, NUMBER, TEXT, FieldLayout
from ..reports.registry import REPORTS

__all__ = ["DATETIME", "DECIMAL", "INT", "LAYOUTS", "NUMBER", "TEXT", "FieldLayout", "default_number_format"]


def __getattr__(name: str) -> Any:
    # LAYOUTS (report -> generic layout) reads the pydantic response models: built on first use, so that
    # the JSON path, which imports this package for its exceptions, never builds them (DECISIONLOG 102).
    if name == "LAYOUTS":
        layouts: dict[str, FieldLayout] = {n: r.layout for n, r in REPORTS.items() if r.exportable}
        globals()["LAYOUTS"] = layouts
        return layouts
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


PERCENT_FORMAT = "0.00"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"


def default_number_format(field: str, kind: str) -> str | None:
    """docs/api-reference.md §5: `*_pct` columns and `conv_rate` as `0.00`; date-times with a date-time format."""
    if field.endswith("_pct") or field == "conv_rate":
        return PERCENT_FORMAT
    if kind == DATETIME:
        return DATETIME_FORMAT
    return None

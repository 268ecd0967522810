"""Render a report's JSON `data` as a CSV or XLSX file (docs/api-reference.md §5).

One path for all eight reports: the rows are the JSON items (dashboard: its one object), the columns
the generic layout (JSON field names in JSON order) or the tenant's template (templates.py). The result
is a `RenderedFile` (bytes, file name, content type); the API turns it into a response.

- `Content-Type` from the seed (`text/csv; charset=utf-8`, or the XLSX type) and the file name
  `telesales-{report}-{YYYYMMDD}-{YYYYMMDD}.{ext}` (the dates as written in date_from / date_to).
- A broken template raises `TemplateError`; a template store that cannot be read raises
  `TemplateUnavailable` (a dependency fault). The API maps them (500 and 503).

Cold start: this module imports openpyxl only inside the XLSX branch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..reports.request import ReportRequest
from . import csv_writer
from .templates import layout_for, load_template

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class RenderedFile:
    body: bytes
    filename: str
    content_type: str

    @property
    def disposition(self) -> str:
        """The `Content-Disposition` that makes a browser save the file under its name."""
        return f'attachment; filename="{self.filename}"'


def filename_for(report: str, req: ReportRequest, fmt: str) -> str:
    date_from, date_to = req.file_dates
    return f"telesales-{report}-{date_from}-{date_to}.{fmt}"


def render_body(report: str, req: ReportRequest, data: dict | Sequence[dict]) -> bytes:
    """The file's bytes (raises TemplateError for a broken template)."""
    rows = [data] if isinstance(data, dict) else list(data)
    layout = layout_for(report, load_template(req.tenant_id))
    if req.format == "csv":
        return csv_writer.render(layout, rows)
    if req.format == "xlsx":
        from . import xlsx_writer  # openpyxl only on this path

        return xlsx_writer.render(report, layout, rows)
    raise ValueError(f"not a file format: {req.format!r}")


def render_file(report: str, req: ReportRequest, data: dict | Sequence[dict]) -> RenderedFile:
    """The report as a file in the request's format."""
    body = render_body(report, req, data)
    return RenderedFile(body, filename_for(report, req, req.format), CONTENT_TYPES[req.format])

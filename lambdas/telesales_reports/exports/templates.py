"""Per-customer export templates: a versioned JSON document per tenant (docs/export-templates.md).

Format, version 1 (validated by the pydantic models below; unknown keys are errors)::

    {
      "version": 1,
      "tenant_id": 7,
      "description": "optional free text",
      "reports": {
        "agent-performance": {
          "columns": [
            {"field": "name", "header": "Nhân viên", "width": 30},
            {"field": "conv_rate", "header": "Tỷ lệ chốt (%)", "number_format": "0.00"}
          ],
          "conditional_formats": [
            {"type": "cell", "field": "conv_rate", "operator": "lessThan", "formula": ["30"],
             "fill": "FFC7CE", "font_color": "9C0006"},
            {"type": "color_scale", "field": "dials",
             "start_color": "F8696B", "mid_color": "FFEB84", "end_color": "63BE7B"}
          ]
        }
      }
    }

- `reports` keys are report path names (the eight exportable reports); a report not listed keeps
  the generic layout. `columns` (optional) chooses and orders the columns; each `field` must be a
  JSON field of that report, at most once. `header` defaults to the field name; `number_format`
  (an Excel format code) and `width` (characters) apply to XLSX only.
- `conditional_formats` (XLSX only): `cell` rules (operators of Excel's cellIs rule; `formula` is a
  list of one Excel expression, two for between/notBetween; at least one of `fill`, `font_color`,
  `bold`) and `color_scale` (2 colours, or 3 with `mid_color`: min / 50th percentile / max). The
  `field` must be one of the sheet's columns. Colours are `RRGGBB` hex, a leading `#` allowed.
- `tenant_id` must be the tenant whose file it is (guards against a copied file).

Where: `TELESALES_TEMPLATE_LOCATION` is a local folder (file `{tenant_id}.json`) or `s3://bucket/prefix`
(object `prefix/{tenant_id}.json`). No location or no file: the generic layout. Loaded templates (and
"no template") are cached per process for `CACHE_TTL_SECONDS`.

Errors: an invalid template raises `TemplateError`, whose message names the tenant and every bad key
(`reports.agent-performance.columns[1].field: unknown field 'nam' ...`). A template store that cannot be
read (S3 fault) raises `TemplateUnavailable`, a subclass. render.py turns them into 500 and 503.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from ..settings import get_settings
from . import LAYOUTS, default_number_format
from .errors import TemplateError, TemplateUnavailable

CACHE_TTL_SECONDS = 60.0
MAX_TEMPLATE_BYTES = 256 * 1024
COLOUR_RE = re.compile(r"^#?[0-9A-Fa-f]{6}$")


# ---------------------------------------------------------------------------------------------------
# The schema (version 1)


def _colour(value: str) -> str:
    if not COLOUR_RE.match(value):
        raise ValueError(f"colour {value!r} is not RRGGBB hex")
    return value.lstrip("#").upper()


Colour = Annotated[str, AfterValidator(_colour)]
Formula = Annotated[str, Field(min_length=1, max_length=255)]


class _Strict(BaseModel):
    # Validators are built at the first template read, not when an export without one imports this.
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class ColumnSpec(_Strict):
    field: str
    header: str | None = Field(default=None, min_length=1, max_length=255)
    number_format: str | None = Field(default=None, min_length=1, max_length=100)
    width: float | None = Field(default=None, ge=1, le=255)


CellOperator = Literal[
    "between",
    "notBetween",
    "equal",
    "notEqual",
    "greaterThan",
    "lessThan",
    "greaterThanOrEqual",
    "lessThanOrEqual",
]


class CellRule(_Strict):
    type: Literal["cell"]
    field: str
    operator: CellOperator
    formula: list[Formula] = Field(min_length=1, max_length=2)
    fill: Colour | None = None
    font_color: Colour | None = None
    bold: bool = False


class ColorScale(_Strict):
    type: Literal["color_scale"]
    field: str
    start_color: Colour
    mid_color: Colour | None = None
    end_color: Colour


ConditionalFormat = Annotated[CellRule | ColorScale, Field(discriminator="type")]


class ReportTemplate(_Strict):
    columns: list[ColumnSpec] | None = Field(default=None, min_length=1)
    conditional_formats: list[ConditionalFormat] = Field(default_factory=list)


class ExportTemplate(_Strict):
    version: Literal[1]
    tenant_id: int
    description: str | None = None
    reports: dict[str, ReportTemplate] = Field(default_factory=dict)


# ---------------------------------------------------------------------------------------------------
# Validation


def _key(loc: tuple) -> str:
    parts: list[str] = []
    previous = None
    for element in loc:
        if isinstance(element, int):
            parts.append(f"[{element}]")
        elif isinstance(previous, int) and element in ("cell", "color_scale"):
            pass  # the discriminator tag pydantic puts in the location of a union member
        else:
            parts.append(("." if parts else "") + str(element))
        previous = element
    return "".join(parts) or "(document)"


def parse_template(raw: bytes | str | dict, tenant_id: int, source: str | None = None) -> ExportTemplate:
    """Validate a template document (JSON text or already-parsed); raise TemplateError on any problem."""
    if isinstance(raw, bytes | str):
        if len(raw) > MAX_TEMPLATE_BYTES:
            raise TemplateError(tenant_id, [("(document)", f"larger than {MAX_TEMPLATE_BYTES} bytes")], source)
        try:
            document = json.loads(raw)
        except UnicodeDecodeError as exc:
            raise TemplateError(tenant_id, [("(document)", f"not UTF-8: {exc.reason}")], source) from None
        except json.JSONDecodeError as exc:
            raise TemplateError(
                tenant_id, [("(document)", f"not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}")], source
            ) from None
    else:
        document = raw
    if not isinstance(document, dict):
        raise TemplateError(tenant_id, [("(document)", "must be a JSON object")], source)
    try:
        template = ExportTemplate.model_validate(document)
    except ValidationError as exc:
        problems = [(_key(tuple(e["loc"])), e["msg"]) for e in exc.errors(include_url=False)]
        raise TemplateError(tenant_id, problems, source) from None
    problems = _semantic_problems(template, tenant_id)
    if problems:
        raise TemplateError(tenant_id, problems, source)
    return template


def _semantic_problems(template: ExportTemplate, tenant_id: int) -> list[tuple[str, str]]:
    """What the schema alone cannot say: the tenant, report names, field names of each report."""
    problems: list[tuple[str, str]] = []
    if template.tenant_id != tenant_id:
        problems.append(("tenant_id", f"is {template.tenant_id}, but the file is tenant {tenant_id}'s"))
    for report, spec in template.reports.items():
        base = f"reports.{report}"
        if report not in LAYOUTS:
            problems.append((base, f"unknown report {report!r} (exportable: {', '.join(LAYOUTS)})"))
            continue
        fields = [name for name, _ in LAYOUTS[report]]
        chosen = fields
        if spec.columns is not None:
            chosen = []
            for index, column in enumerate(spec.columns):
                key = f"{base}.columns[{index}].field"
                if column.field not in fields:
                    problems.append((key, f"unknown field {column.field!r} of {report} (fields: {', '.join(fields)})"))
                elif column.field in chosen:
                    problems.append((key, f"field {column.field!r} is listed twice"))
                else:
                    chosen.append(column.field)
        for index, rule in enumerate(spec.conditional_formats):
            key = f"{base}.conditional_formats[{index}]"
            if rule.field not in fields:
                problems.append(
                    (f"{key}.field", f"unknown field {rule.field!r} of {report} (fields: {', '.join(fields)})")
                )
            elif rule.field not in chosen:
                problems.append((f"{key}.field", f"field {rule.field!r} is not one of the template's columns"))
            if isinstance(rule, CellRule):
                wanted = 2 if rule.operator in ("between", "notBetween") else 1
                if len(rule.formula) != wanted:
                    problems.append((f"{key}.formula", f"operator {rule.operator} takes {wanted} formula(s)"))
                if rule.fill is None and rule.font_color is None and not rule.bold:
                    problems.append((key, "a cell rule needs fill, font_color or bold"))
    return problems


# ---------------------------------------------------------------------------------------------------
# Loading


_cache: dict[tuple[str, int], tuple[float, ExportTemplate | None]] = {}


def clear_cache() -> None:
    _cache.clear()


def load_template(tenant_id: int) -> ExportTemplate | None:
    """The tenant's template from TELESALES_TEMPLATE_LOCATION, or None (generic layout); cached briefly."""
    location = get_settings().template_location
    if not location:
        return None
    cache_key = (location, tenant_id)
    now = time.monotonic()
    hit = _cache.get(cache_key)
    if hit is not None and hit[0] > now:
        return hit[1]
    if location.startswith("s3://"):
        raw, source = _read_s3(location, tenant_id)
    else:
        raw, source = _read_folder(location, tenant_id)
    template = None if raw is None else parse_template(raw, tenant_id, source)
    _cache[cache_key] = (now + CACHE_TTL_SECONDS, template)
    return template


def _read_folder(location: str, tenant_id: int) -> tuple[bytes | None, str]:
    folder = Path(location.removeprefix("file://"))
    path = folder / f"{tenant_id}.json"
    try:
        return path.read_bytes(), str(path)
    except FileNotFoundError:
        return None, str(path)
    except OSError as exc:
        raise TemplateUnavailable(tenant_id, str(path), exc.strerror or type(exc).__name__) from None


def s3_key(location: str, tenant_id: int) -> tuple[str, str]:
    """`s3://bucket/prefix` -> (bucket, `prefix/{tenant_id}.json`)."""
    bucket, _, prefix = location.removeprefix("s3://").partition("/")
    prefix = prefix.strip("/")
    return bucket, f"{prefix}/{tenant_id}.json" if prefix else f"{tenant_id}.json"


def _read_s3(location: str, tenant_id: int) -> tuple[bytes | None, str]:
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    bucket, key = s3_key(location, tenant_id)
    source = f"s3://{bucket}/{key}"
    try:
        response = boto3.client("s3").get_object(Bucket=bucket, Key=key)
        return response["Body"].read(MAX_TEMPLATE_BYTES + 1), source
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", ""))
        if code in ("NoSuchKey", "404", "NotFound"):
            return None, source
        raise TemplateUnavailable(tenant_id, source, code or "S3 error") from None
    except BotoCoreError as exc:
        raise TemplateUnavailable(tenant_id, source, type(exc).__name__) from None


# ---------------------------------------------------------------------------------------------------
# Applying: the layout a writer follows


@dataclass(frozen=True)
class Column:
    field: str
    header: str
    kind: str
    number_format: str | None = None
    width: float | None = None


@dataclass(frozen=True)
class Layout:
    columns: tuple[Column, ...]
    conditional_formats: tuple[CellRule | ColorScale, ...] = ()


def layout_for(report: str, template: ExportTemplate | None) -> Layout:
    """The generic layout of `report`, or the one the tenant's (validated) template chooses."""
    kinds = dict(LAYOUTS[report])
    spec = template.reports.get(report) if template is not None else None
    if spec is None:
        return Layout(tuple(Column(f, f, k, default_number_format(f, k)) for f, k in LAYOUTS[report]))
    specs = spec.columns if spec.columns is not None else [ColumnSpec(field=f) for f, _ in LAYOUTS[report]]
    columns = tuple(
        Column(
            field=c.field,
            header=c.header if c.header is not None else c.field,
            kind=kinds[c.field],
            number_format=c.number_format or default_number_format(c.field, kinds[c.field]),
            width=c.width,
        )
        for c in specs
    )
    return Layout(columns, tuple(spec.conditional_formats))

"""Turn an API Gateway v2 event into a ReportRequest (docs/api-reference.md §1).

Every rule of the request table is checked here, all failing fields are collected, and ids are
looked up inside the caller's tenant only (db/lookups.py). The window rules themselves are the
domain's (reports/request.py). Powertools' own OpenAPI validation is off; the 422 body is always
this module's.
"""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import parse_qsl

import psycopg

from ..db import lookups
from ..limits import BIGINT_MAX, WINDOW_MINUTES_MAX, WINDOW_MINUTES_MIN
from ..reports.compare import COMPARES, comparison_window
from ..reports.request import ReportRequest, WindowRejected, parse_datetime, report_window
from ..settings import get_settings
from .errors import Unauthenticated, ValidationFailed

INTEGER_RE = re.compile(r"^[+-]?[0-9]+$")
FORMATS = ("json", "csv", "xlsx")
GROUP_BYS = ("day", "week", "hour")
AGENT_KEY_RE = re.compile(r"^agent_ids(\[[0-9]*\])?$")

__all__ = ["ReportRequest", "parse_request", "query_pairs", "tenant_from_event"]


def tenant_from_event(event: dict) -> int:
    """The integer `tenant_id` claim that API Gateway's JWT authorizer passed; else Unauthenticated."""
    try:
        claims = event["requestContext"]["authorizer"]["jwt"]["claims"]
        value = claims["tenant_id"]
    except (KeyError, TypeError) as exc:
        raise Unauthenticated from exc
    if isinstance(value, bool):
        raise Unauthenticated
    if isinstance(value, int):
        tenant = value
    elif isinstance(value, str) and INTEGER_RE.match(value.strip()):
        tenant = int(value.strip())
    else:
        raise Unauthenticated
    if not 1 <= tenant <= BIGINT_MAX:
        raise Unauthenticated
    return tenant


def query_pairs(event: dict) -> list[tuple[str, str]]:
    """Query parameters in order, repeated keys kept (from rawQueryString when API Gateway sends it)."""
    raw = event.get("rawQueryString")
    if raw is not None:
        return parse_qsl(raw, keep_blank_values=True)
    pairs: list[tuple[str, str]] = []
    for key, value in (event.get("queryStringParameters") or {}).items():
        pairs.append((key, value))
    return pairs


def _attr(name: str) -> str:
    return name.replace("_", " ")


def _scalar(pairs: list[tuple[str, str]], key: str) -> str | None:
    """A scalar parameter; repeated keys are joined with commas exactly as API Gateway v2 does."""
    values = [v for k, v in pairs if k == key]
    if not values:
        return None
    return ",".join(values)


def _integer(text: str) -> int | None:
    text = text.strip()
    if not INTEGER_RE.match(text):
        return None
    value = int(text)
    if not -BIGINT_MAX - 1 <= value <= BIGINT_MAX:
        return None
    return value


def _agent_id_texts(pairs: list[tuple[str, str]]) -> list[str] | None:
    """`agent_ids[]=25&agent_ids[]=26`, `agent_ids[0]=25` and `agent_ids=25,26`, in order."""
    texts: list[str] = []
    seen = False
    for key, value in pairs:
        if not AGENT_KEY_RE.match(key):
            continue
        seen = True
        texts.extend(value.split(","))
    return texts if seen else None


def parse_request(
    event: dict,
    conn: psycopg.Connection,
    *,
    dated: bool = True,
    with_group_by: bool = False,
    abandon: bool = False,
    allow_files: bool = True,
    require_file: bool = False,
) -> ReportRequest:
    """Validate every parameter of a report request; raise ValidationFailed with all errors at once.
    `allow_files`: csv and xlsx are valid formats; `require_file` (the export route): json or no format
    is an error on `format` too."""
    tenant_id = tenant_from_event(event)
    pairs = query_pairs(event)
    settings = get_settings()
    errors: dict[str, list[str]] = {}

    def fail(key: str, message: str) -> None:
        errors.setdefault(key, []).append(message)

    values: dict = {"tenant_id": tenant_id}

    # format
    fmt = _scalar(pairs, "format")
    if fmt is None:
        if require_file:
            fail("format", "The format field is required.")
    elif fmt not in FORMATS or not allow_files and fmt != "json" or require_file and fmt == "json":
        fail("format", "The selected format is invalid.")
    else:
        values["format"] = fmt

    # integers (campaign_id, team_id)
    ids: dict[str, int] = {}
    for key in ("campaign_id", "team_id") if not abandon else ("campaign_id",):
        text = _scalar(pairs, key)
        if text is None or (text == "" and not abandon):
            if abandon and key == "campaign_id":
                fail(key, f"The {_attr(key)} field is required.")
            continue
        number = _integer(text)
        if number is None:
            fail(key, f"The {_attr(key)} field must be an integer.")
        else:
            ids[key] = number

    if abandon:
        text = _scalar(pairs, "window_minutes")
        if text is not None:
            number = _integer(text)
            if number is None:
                fail("window_minutes", "The window minutes field must be an integer.")
            elif not WINDOW_MINUTES_MIN <= number <= WINDOW_MINUTES_MAX:
                fail(
                    "window_minutes",
                    f"The window minutes field must be between {WINDOW_MINUTES_MIN} and {WINDOW_MINUTES_MAX}.",
                )
            else:
                values["window_minutes"] = number
    else:
        _parse_window(pairs, dated, fail, values)
        if dated:
            _parse_compare(pairs, fail, values)
        agent_texts = _agent_id_texts(pairs)
        agent_ids: list[tuple[int, int]] = []
        if agent_texts is not None:
            if len(agent_texts) > settings.max_agent_ids:
                fail(
                    "agent_ids",
                    f"The agent ids field must not have more than {settings.max_agent_ids} items.",
                )
            else:
                for index, text in enumerate(agent_texts):
                    number = _integer(text)
                    if number is None:
                        fail(f"agent_ids.{index}", f"The agent_ids.{index} field must be an integer.")
                    else:
                        agent_ids.append((index, number))
        tz = _scalar(pairs, "timezone")
        if tz is not None:
            canonical = lookups.known_timezones(conn).get(tz.strip().lower()) if tz.strip() else None
            if canonical is None:
                fail("timezone", "The timezone field must be a valid timezone.")
            else:
                values["timezone"] = canonical
        if with_group_by:
            group_by = _scalar(pairs, "group_by")
            if group_by is not None:
                if group_by not in GROUP_BYS:
                    fail("group_by", "The selected group by is invalid.")
                else:
                    values["group_by"] = group_by
        _check_agents_exist(conn, tenant_id, agent_ids, fail, values)

    _check_ids_exist(conn, tenant_id, ids, fail, values, live=abandon)
    if errors:
        raise ValidationFailed(errors)
    return ReportRequest(**values)


def _parse_window(pairs, dated: bool, fail, values: dict) -> None:
    if not dated:
        return
    parsed: dict[str, tuple[datetime, bool]] = {}
    for key in ("date_from", "date_to"):
        text = _scalar(pairs, key)
        if text is None or text.strip() == "":
            fail(key, f"The {_attr(key)} field is required.")
            continue
        result = parse_datetime(text)
        if result is None:
            fail(key, f"The {_attr(key)} field must be a valid date.")
            continue
        parsed[key] = result
        values[f"{key}_text"] = text.strip()
    if len(parsed) < 2:
        return
    start, _ = parsed["date_from"]
    end, end_is_date = parsed["date_to"]
    try:
        values["window_start"], values["window_end"] = report_window(start, end, end_is_date)
    except WindowRejected as exc:
        fail("date_to", exc.message)


def _parse_compare(pairs, fail, values: dict) -> None:
    """docs/api-reference.md §6.2: `compare` is previous_period or previous_year; empty means not given."""
    text = _scalar(pairs, "compare")
    if text is None or text == "":
        return
    if text not in COMPARES:
        fail("compare", "The selected compare is invalid.")
        return
    if "window_start" in values and comparison_window(values["window_start"], values["window_end"], text) is None:
        fail("compare", "The compare window may not start before 0001-01-01.")
        return
    values["compare"] = text


def _check_ids_exist(conn, tenant_id: int, ids: dict[str, int], fail, values: dict, live: bool) -> None:
    for key, number in ids.items():
        if lookups.id_exists(conn, tenant_id, key, number, live=live):
            values[key] = number
        else:
            fail(key, f"The selected {_attr(key)} is invalid.")


def _check_agents_exist(conn, tenant_id: int, agent_ids: list[tuple[int, int]], fail, values: dict) -> None:
    if not agent_ids:
        return
    wanted = sorted({number for _, number in agent_ids})
    found = lookups.existing_agents(conn, tenant_id, wanted)
    missing = False
    for index, number in agent_ids:
        if number not in found:
            missing = True
            fail(f"agent_ids.{index}", f"The selected agent_ids.{index} is invalid.")
    if not missing:
        values["agent_ids"] = tuple(wanted)

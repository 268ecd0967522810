"""Every setting of the service, read once from the environment into one frozen dataclass.

`load_settings()` validates them all and raises `SettingsError` naming the environment variable at
fault (`TELESALES_STATEMENT_TIMEOUT_MS: ...`), every bad variable at once, so a bad deployment fails at
start-up with a clear message instead of at the first request that happens to read the setting.

The rules are few (a type, bounds, a format check per setting, and the health thresholds in order) and
are checked here without pydantic: the settings are read on every cold start, and with them as a
pydantic model the handler's cold start took 689 ms against 509 ms (DECISIONLOG 102). Variables: `TELESALES_<FIELD>`, or the field's
own name (`DATABASE_URL`); matched without regard to case (an exact-case match first); an empty
variable counts as unset.
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ENV_PREFIX = "TELESALES_"

# Values never echoed in an error message.
SECRET_FIELDS = frozenset({"database_url", "jwt_secret"})

MIN_JWT_SECRET_BYTES = 32
_SECRET_ARN = re.compile(r"arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+")
# S3 bucket naming rules (general purpose buckets): 3-63 of a-z 0-9 . -, letter or digit at both ends.
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://")
_INTEGER = re.compile(r"[+-]?\d+")
SSL_MODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")


class SettingsError(ValueError):
    """A setting read from the environment is invalid; the message names the variable(s)."""


def _postgres_url(value: str) -> str:
    scheme = _SCHEME.match(value)
    if scheme and scheme.group(1) not in ("postgresql", "postgres"):
        raise ValueError(f"must be a postgresql:// URL, not {scheme.group(1)}://")
    from psycopg.conninfo import conninfo_to_dict

    try:  # a URL, or the key=value form database.database_url() writes from TELESALES_DB_*
        conninfo_to_dict(value)
        if scheme and "," not in urlsplit(value).netloc:  # one host: its port must be a number
            _ = urlsplit(value).port  # raises ValueError when it is not
    except Exception:
        raise ValueError(
            "must be a postgresql://user:password@host:port/dbname URL (or a libpq key=value string)"
        ) from None
    return value


def _jwt_secret_length(value: str) -> str:
    if len(value.encode("utf-8")) < MIN_JWT_SECRET_BYTES:
        raise ValueError(
            f"must be at least {MIN_JWT_SECRET_BYTES} bytes: an HS256 key shorter than the hash can be"
            " brute-forced from one token (generate one with: python -c 'import secrets;"
            " print(secrets.token_urlsafe(48))')"
        )
    return value


def _secret_arn(value: str) -> str:
    if not _SECRET_ARN.fullmatch(value):
        raise ValueError("must be a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:...)")
    return value


def _template_location(value: str) -> str:
    if value.startswith("s3://"):
        bucket = value.removeprefix("s3://").partition("/")[0]
        if not _BUCKET.fullmatch(bucket):
            raise ValueError("must be s3://bucket[/prefix] with a valid bucket name, or a folder path")
        return value
    scheme = _SCHEME.match(value)
    if scheme and scheme.group(1) != "file":
        raise ValueError(f"must be a folder path or s3://bucket[/prefix], not {scheme.group(1)}://")
    if not Path(value.removeprefix("file://")).is_dir():
        raise ValueError("must be an existing folder (or s3://bucket[/prefix])")
    return value


def _bucket_name(value: str) -> str:
    if not _BUCKET.fullmatch(value):
        raise ValueError("must be an S3 bucket name (3-63 characters: a-z, 0-9, '.', '-'), without s3://")
    return value


def _ssl_mode(value: str) -> str:
    if value not in SSL_MODES:
        raise ValueError("must be one of " + ", ".join(SSL_MODES))
    return value


def setting(
    default: Any = None,
    *,
    kind: type = str,
    ge: float | None = None,
    le: float | None = None,
    variable: str | None = None,
    check: Callable[[str], str] | None = None,
) -> Any:
    """A setting: its default, the type its text converts to, bounds, its own variable name when it
    has no TELESALES_ prefix, and a check of its text."""
    return field(default=default, metadata={"kind": kind, "ge": ge, "le": le, "variable": variable, "check": check})


@dataclass(frozen=True)
class Settings:
    # The database: DATABASE_URL, else the RDS secret (db.url_from_secret), else the embedded server.
    database_url: str | None = setting(variable="DATABASE_URL", check=_postgres_url)
    database_secret_arn: str | None = setting(variable="DATABASE_SECRET_ARN", check=_secret_arn)
    # In AWS the database accepts only the RDS Proxy: its endpoint replaces the secret's host.
    database_proxy_endpoint: str | None = setting(variable="DATABASE_PROXY_ENDPOINT")
    database_sslmode: str | None = setting(variable="DATABASE_SSLMODE", check=_ssl_mode)
    statement_timeout_ms: int = setting(5000, kind=int, ge=100, le=60000)
    # The planner's cost of a random page read in the API's transactions (DECISIONLOG 73): the reports read
    # the marts by index from a cached working set; PostgreSQL's default 4.0 prices every index probe
    # as a disk seek and made an untuned server scan whole index ranges instead.
    random_page_cost: float = setting(1.1, kind=float, ge=0.1, le=10.0)
    # Parallel workers per Gather in the API's transactions (DECISIONLOG 96): a report reads a few
    # thousand rollup rows, and starting two workers cost more (about 10 ms) than it saved.
    max_parallel_workers_per_gather: int = setting(0, kind=int, ge=0, le=64)
    # The port of the AWS Parameters and Secrets Lambda Extension when the function has its layer
    # (infra/template.yaml sets 2773): the secret is then read over local HTTP, without boto3 on the cold
    # start (DECISIONLOG 78); unset, or when the extension does not answer, through Secrets Manager.
    secrets_extension_port: int | None = setting(kind=int, ge=1, le=65535)
    # Every request answers (or 503s) within this budget, below API Gateway's 29 s (DECISIONLOG 51).
    request_budget_ms: int = setting(25000, kind=int, ge=500, le=28000)
    connect_timeout_s: int = setting(3, kind=int, ge=1, le=30)
    # docs/api-reference.md §3, caller-id-health: thresholds are configurable; these are the contract's defaults.
    short_call_threshold_sec: int = setting(10, kind=int, ge=1, le=3600)
    health_min_calls: int = setting(20, kind=int, ge=0)
    health_block_asr_pct: float = setting(10.0, kind=float, ge=0, le=100)
    health_block_rejected_pct: float = setting(30.0, kind=float, ge=0, le=100)
    health_block_short_pct: float = setting(50.0, kind=float, ge=0, le=100)
    health_warning_asr_pct: float = setting(25.0, kind=float, ge=0, le=100)
    health_warning_rejected_pct: float = setting(10.0, kind=float, ge=0, le=100)
    health_warning_short_pct: float = setting(30.0, kind=float, ge=0, le=100)
    max_agent_ids: int = setting(500, kind=int, ge=1, le=100000)
    # Lead ids per block of agg_agent_lead_blocks' bitmaps, as a power of two (DECISIONLOG 75): a build
    # setting (dbt var lead_block_bits); the API takes the size from the stored bitmaps. A build that finds
    # another size stored is a full refresh (DECISIONLOG 114).
    lead_block_bits: int = setting(12, kind=int, ge=3, le=16)
    # Live answers (README "Live answers"): rows with updated_at at or after the published build's cutoff
    # minus this allowance are folded in at request time. It covers replication commit lag: a row whose
    # updated_at was set this long before it became visible is still counted exactly.
    live_allowance_sec: int = setting(300, kind=int, ge=0, le=86400)
    # Longest request URL (path + query) the local API accepts; API Gateway enforces its own in AWS.
    max_query_string_bytes: int = setting(16384, kind=int, ge=1024)
    # HS256 key of the local API (RFC 7518 section 3.2: at least as long as the hash, 32 bytes).
    jwt_secret: str | None = setting(check=_jwt_secret_length)
    # Origins the local API answers CORS for: `*`, or a comma-separated list (the gateway has its own).
    cors_allow_origin: str = setting("*")
    # Per-tenant export templates: a folder (`/path`, `file:///path`) or `s3://bucket[/prefix]`.
    template_location: str | None = setting(check=_template_location)
    # Bucket for exports too large for a Lambda response.
    export_bucket: str | None = setting(check=_bucket_name)


FIELDS: dict[str, dataclasses.Field] = {f.name: f for f in dataclasses.fields(Settings)}

# caller-id-health: suspected_block is the stricter rule (checked first), so its thresholds lie beyond
# the warning thresholds; otherwise a status could never be reached. (lower, upper) in each pair.
ORDERED_PAIRS = (
    ("health_block_asr_pct", "health_warning_asr_pct"),
    ("health_warning_rejected_pct", "health_block_rejected_pct"),
    ("health_warning_short_pct", "health_block_short_pct"),
)


def env_name(name: str) -> str:
    """The environment variable of a settings field."""
    return FIELDS[name].metadata["variable"] or ENV_PREFIX + name.upper()


def default(name: str) -> Any:
    return FIELDS[name].default


def _number(text: str, kind: type) -> int | float:
    text = text.strip()
    if kind is int:
        if not _INTEGER.fullmatch(text):
            raise ValueError("Input should be a valid integer, unable to parse string as an integer")
        return int(text)
    try:
        number = float(text)
    except ValueError:
        raise ValueError("Input should be a valid number, unable to parse string as a number") from None
    if not math.isfinite(number):
        raise ValueError("Input should be a finite number")
    return number


def _converted(name: str, text: str) -> Any:
    meta = FIELDS[name].metadata
    if meta["kind"] is str:
        return meta["check"](text) if meta["check"] else text
    number = _number(text, meta["kind"])
    if meta["ge"] is not None and number < meta["ge"]:
        raise ValueError(f"Input should be greater than or equal to {meta['ge']:g}")
    if meta["le"] is not None and number > meta["le"]:
        raise ValueError(f"Input should be less than or equal to {meta['le']:g}")
    return number


def environment_input(environ: Mapping[str, str]) -> dict[str, str]:
    """Each set field's text from an environment: its variable (env_name), matched without regard to
    case (an exact-case match wins); an empty variable counts as unset (CloudFormation and shells often
    export "")."""
    folded: dict[str, str] = {}
    for key, value in environ.items():
        folded.setdefault(key.lower(), value)
    values = {}
    for name in FIELDS:
        variable = env_name(name)
        value = environ.get(variable)
        if value is None:
            value = folded.get(variable.lower())
        if value:
            values[name] = value
    return values


def settings_from(environ: Mapping[str, str]) -> Settings:
    """Validate the settings of an environment; raise SettingsError naming every variable at fault
    (a secret's value is never echoed)."""
    values: dict[str, Any] = {}
    problems = []
    for name, text in environment_input(environ).items():
        try:
            values[name] = _converted(name, text)
        except ValueError as exc:
            echo = "" if name in SECRET_FIELDS else f" (got {text!r})"
            problems.append(f"{env_name(name)}: {exc}{echo}")
    if not problems:
        settings = Settings(**values)
        for low, high in ORDERED_PAIRS:
            if getattr(settings, low) > getattr(settings, high):
                problems.append(f"{env_name(low)} must not exceed {env_name(high)}")
    if problems:
        raise SettingsError("invalid configuration: " + "; ".join(problems))
    return settings


def load_settings() -> Settings:
    """Read and validate every setting; raise SettingsError naming each variable at fault."""
    return settings_from(os.environ)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()

"""Every setting of the service, read once from the environment (one pydantic model).

`load_settings()` validates them all and raises `SettingsError` naming the environment variable at
fault (`TELESALES_STATEMENT_TIMEOUT_MS: ...`), so a bad deployment fails at start-up with a clear
message instead of at the first request that happens to read the setting.

The environment is read here, in a few lines, rather than through pydantic-settings: that package
added about 100 ms to every cold start for three rules we need (a prefix, an empty variable counts as
unset, names matched without regard to case; DECISIONLOG 102).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

ENV_PREFIX = "TELESALES_"

# Values never echoed in an error message.
SECRET_FIELDS = frozenset({"database_url", "jwt_secret"})

MIN_JWT_SECRET_BYTES = 32
_SECRET_ARN = re.compile(r"arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+")
# S3 bucket naming rules (general purpose buckets): 3-63 of a-z 0-9 . -, letter or digit at both ends.
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://")


class SettingsError(ValueError):
    """A setting read from the environment is invalid; the message names the variable(s)."""


class Settings(BaseModel):
    # Built from the environment by `from_environment` (each field's variable: env_name).
    model_config = ConfigDict(extra="ignore", frozen=True)

    # The database: DATABASE_URL, else the RDS secret (db.url_from_secret), else the embedded server.
    database_url: str | None = Field(default=None, validation_alias="DATABASE_URL")
    database_secret_arn: str | None = Field(default=None, validation_alias="DATABASE_SECRET_ARN")
    # In AWS the database accepts only the RDS Proxy: its endpoint replaces the secret's host.
    database_proxy_endpoint: str | None = Field(default=None, validation_alias="DATABASE_PROXY_ENDPOINT")
    database_sslmode: Literal["disable", "allow", "prefer", "require", "verify-ca", "verify-full"] | None = Field(
        default=None, validation_alias="DATABASE_SSLMODE"
    )
    statement_timeout_ms: int = Field(default=5000, ge=100, le=60000)
    # The planner's cost of a random page read in the API's transactions (DECISIONLOG 73): the reports read
    # the marts by index from a cached working set; PostgreSQL's default 4.0 prices every index probe
    # as a disk seek and made an untuned server scan whole index ranges instead.
    random_page_cost: float = Field(default=1.1, ge=0.1, le=10.0)
    # Parallel workers per Gather in the API's transactions (DECISIONLOG 96): a report reads a few
    # thousand rollup rows, and starting two workers cost more (about 10 ms) than it saved.
    max_parallel_workers_per_gather: int = Field(default=0, ge=0, le=64)
    # The port of the AWS Parameters and Secrets Lambda Extension when the function has its layer
    # (infra/template.yaml sets 2773): the secret is then read over local HTTP, without boto3 on the cold
    # start (DECISIONLOG 78); unset, or when the extension does not answer, through Secrets Manager.
    secrets_extension_port: int | None = Field(default=None, ge=1, le=65535)
    # Every request answers (or 503s) within this budget, below API Gateway's 29 s (DECISIONLOG 51).
    request_budget_ms: int = Field(default=25000, ge=500, le=28000)
    connect_timeout_s: int = Field(default=3, ge=1, le=30)
    # docs/api-reference.md §3, caller-id-health: thresholds are configurable; these are the contract's defaults.
    short_call_threshold_sec: int = Field(default=10, ge=1, le=3600)
    health_min_calls: int = Field(default=20, ge=0)
    health_block_asr_pct: float = Field(default=10.0, ge=0, le=100)
    health_block_rejected_pct: float = Field(default=30.0, ge=0, le=100)
    health_block_short_pct: float = Field(default=50.0, ge=0, le=100)
    health_warning_asr_pct: float = Field(default=25.0, ge=0, le=100)
    health_warning_rejected_pct: float = Field(default=10.0, ge=0, le=100)
    health_warning_short_pct: float = Field(default=30.0, ge=0, le=100)
    max_agent_ids: int = Field(default=500, ge=1, le=100000)
    # Live answers (README "Live answers"): rows with updated_at at or after the published build's cutoff
    # minus this allowance are folded in at request time. It covers replication commit lag: a row whose
    # updated_at was set this long before it became visible is still counted exactly.
    live_allowance_sec: int = Field(default=300, ge=0, le=86400)
    # Longest request URL (path + query) the local API accepts; API Gateway enforces its own in AWS.
    max_query_string_bytes: int = Field(default=16384, ge=1024)
    # HS256 key of the local API (RFC 7518 section 3.2: at least as long as the hash, 32 bytes).
    jwt_secret: str | None = None
    # Origins the local API answers CORS for: `*`, or a comma-separated list (the gateway has its own).
    cors_allow_origin: str = "*"
    # Per-tenant export templates: a folder (`/path`, `file:///path`) or `s3://bucket[/prefix]`.
    template_location: str | None = None
    # Bucket for exports too large for a Lambda response.
    export_bucket: str | None = None

    @field_validator("database_url")
    @classmethod
    def _postgres_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
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

    @field_validator("jwt_secret")
    @classmethod
    def _jwt_secret_length(cls, value: str | None) -> str | None:
        if value is not None and len(value.encode("utf-8")) < MIN_JWT_SECRET_BYTES:
            raise ValueError(
                f"must be at least {MIN_JWT_SECRET_BYTES} bytes: an HS256 key shorter than the hash can be"
                " brute-forced from one token (generate one with: python -c 'import secrets;"
                " print(secrets.token_urlsafe(48))')"
            )
        return value

    @field_validator("database_secret_arn")
    @classmethod
    def _secret_arn(cls, value: str | None) -> str | None:
        if value is not None and not _SECRET_ARN.fullmatch(value):
            raise ValueError(
                "must be a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:...)"
            )
        return value

    @field_validator("template_location")
    @classmethod
    def _template_location(cls, value: str | None) -> str | None:
        if value is None:
            return None
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

    @field_validator("export_bucket")
    @classmethod
    def _bucket_name(cls, value: str | None) -> str | None:
        if value is not None and not _BUCKET.fullmatch(value):
            raise ValueError("must be an S3 bucket name (3-63 characters: a-z, 0-9, '.', '-'), without s3://")
        return value

    @model_validator(mode="after")
    def _health_rules_in_order(self) -> Settings:
        # caller-id-health: suspected_block is the stricter rule (checked first), so its thresholds
        # lie beyond the warning thresholds; otherwise a status could never be reached.
        pairs = [
            (
                "health_block_asr_pct",
                "health_warning_asr_pct",
                self.health_block_asr_pct <= self.health_warning_asr_pct,
            ),
            (
                "health_warning_rejected_pct",
                "health_block_rejected_pct",
                self.health_warning_rejected_pct <= self.health_block_rejected_pct,
            ),
            (
                "health_warning_short_pct",
                "health_block_short_pct",
                self.health_warning_short_pct <= self.health_block_short_pct,
            ),
        ]
        for low, high, ok in pairs:
            if not ok:
                raise ValueError(f"{env_name(low)} must not exceed {env_name(high)}")
        return self


def environment_input(environ: Mapping[str, str]) -> dict[str, str]:
    """The model's input from an environment: each field's variable (env_name), matched without regard
    to case as pydantic-settings did (an exact-case match wins); an empty variable counts as unset
    (CloudFormation and shells often export ""). Keyed as pydantic reads the field: alias or name."""
    folded: dict[str, str] = {}
    for key, value in environ.items():
        folded.setdefault(key.lower(), value)
    values = {}
    for field, info in Settings.model_fields.items():
        variable = env_name(field)
        value = environ.get(variable)
        if value is None:
            value = folded.get(variable.lower())
        if value:
            values[info.validation_alias if isinstance(info.validation_alias, str) else field] = value
    return values


def env_name(field: str) -> str:
    """The environment variable of a settings field."""
    alias = Settings.model_fields[field].validation_alias
    return alias if isinstance(alias, str) else ENV_PREFIX + field.upper()


def _describe(error: dict[str, Any]) -> str:
    """`VARIABLE: message (got 'value')` for one pydantic error; secrets are not echoed."""
    loc = error.get("loc") or ()
    message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
    # pydantic reports a field by its alias when it has one (DATABASE_URL), else by its name
    by_loc = {env_name(f) if Settings.model_fields[f].validation_alias else f: f for f in Settings.model_fields}
    field = by_loc.get(str(loc[0])) if loc else None
    if field is None:
        return message  # a rule over several settings: the message names them
    if field not in SECRET_FIELDS and "input" in error:
        message = f"{message} (got {error['input']!r})"
    return f"{env_name(field)}: {message}"


def load_settings() -> Settings:
    """Read and validate every setting; raise SettingsError naming each variable at fault."""
    try:
        return Settings.model_validate(environment_input(os.environ))
    except ValidationError as exc:
        problems = "; ".join(_describe(error) for error in exc.errors(include_url=False))
        raise SettingsError(f"invalid configuration: {problems}") from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()

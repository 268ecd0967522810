"""Every setting of the service, read once from the environment (one pydantic-settings model)."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TELESALES_", extra="ignore")

    database_url: str | None = Field(default=None, validation_alias="DATABASE_URL")
    database_secret_arn: str | None = Field(default=None, validation_alias="DATABASE_SECRET_ARN")
    statement_timeout_ms: int = Field(default=5000, ge=100, le=60000)
    connect_timeout_s: int = Field(default=3, ge=1, le=30)
    # REPORTS.md section 3, caller-id-health: thresholds are configurable; these are the contract's defaults.
    short_call_threshold_sec: int = Field(default=10, ge=1)
    health_min_calls: int = Field(default=20, ge=0)
    health_block_asr_pct: float = 10.0
    health_block_rejected_pct: float = 30.0
    health_block_short_pct: float = 50.0
    health_warning_asr_pct: float = 25.0
    health_warning_rejected_pct: float = 10.0
    health_warning_short_pct: float = 30.0
    max_agent_ids: int = Field(default=500, ge=1)
    max_query_string_bytes: int = Field(default=16384, ge=1024)
    jwt_secret: str | None = None
    template_location: str | None = None
    export_bucket: str | None = None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()

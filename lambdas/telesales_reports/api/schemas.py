"""Error bodies of the API as pydantic models (the OpenAPI document's error responses)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class ValidationErrorBody(BaseModel):
    message: Literal["The given data was invalid."]
    errors: dict[str, list[str]] = Field(description="Every failing field, e.g. `date_to` or `agent_ids.1`.")


class MessageBody(BaseModel):
    message: str = Field(description="Unauthenticated. / Not Found. / Server Error. / Service Unavailable.")

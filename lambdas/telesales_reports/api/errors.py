"""Errors the API answers with, in the contract's shapes (docs/api-reference.md §1)."""

from __future__ import annotations

INVALID_MESSAGE = "The given data was invalid."


class ValidationFailed(Exception):
    """422: every failing field at once, `{field: [message, ...]}`."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("validation failed")
        self.errors = errors

    def body(self) -> dict:
        return {"message": INVALID_MESSAGE, "errors": self.errors}


class Unauthenticated(Exception):
    """401: no usable tenant claim."""


class NotFound(Exception):
    """404: no such route or report."""


BODIES = {
    401: {"message": "Unauthenticated."},
    404: {"message": "Not Found."},
    405: {"message": "Method Not Allowed."},
    500: {"message": "Server Error."},
    503: {"message": "Service Unavailable."},
}

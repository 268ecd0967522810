"""The exports' exceptions, apart from the code that raises them: the API maps them to its error bodies
without importing the writers, templates or storage on the JSON path (DECISIONLOG 102)."""

from __future__ import annotations


class TemplateError(Exception):
    """A tenant's export template is invalid; the message names the tenant and the bad keys."""

    def __init__(self, tenant_id: int, problems: list[tuple[str, str]], source: str | None = None):
        self.tenant_id = tenant_id
        self.problems = problems
        self.source = source
        where = f" ({source})" if source else ""
        details = "; ".join(f"{key}: {message}" for key, message in problems)
        super().__init__(f"export template of tenant {tenant_id}{where} is invalid: {details}")

    @property
    def keys(self) -> list[str]:
        return [key for key, _ in self.problems]


class TemplateUnavailable(TemplateError):
    """The template store could not be read (not the template's fault): the caller answers 503."""

    def __init__(self, tenant_id: int, source: str, reason: str):
        Exception.__init__(self, f"export template of tenant {tenant_id} ({source}) could not be read: {reason}")
        self.tenant_id = tenant_id
        self.problems = [("(location)", reason)]
        self.source = source


class StorageUnavailable(Exception):
    """The file could not be stored (no export bucket configured, or S3 failed)."""

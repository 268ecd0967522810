"""The OpenAPI document is committed (docs/openapi.json); this fails when the generated one drifts.

Regenerate with: .venv/bin/python -c "from telesales_reports.api.handler import openapi_json;
open('docs/openapi.json', 'w').write(openapi_json() + '\\n')"
"""

from __future__ import annotations

import json

from telesales_build.paths import project_root
from telesales_reports.api.handler import openapi_json


def test_committed_openapi_matches_the_generated_one():
    committed = json.loads((project_root() / "docs" / "openapi.json").read_text(encoding="utf-8"))
    assert committed == json.loads(openapi_json())


def test_every_report_route_documents_its_parameters_and_errors():
    doc = json.loads(openapi_json())
    for path, item in doc["paths"].items():
        operation = item["get"]
        if path.endswith("/filters"):  # no parameters (any given are ignored), so never a 422
            assert {"200", "401", "503"} <= set(operation["responses"]) and "422" not in operation["responses"]
            assert not operation.get("parameters")
            continue
        assert {"401", "422", "503"} <= set(operation["responses"]), path
        names = {p["name"] for p in operation["parameters"]}
        if path.endswith("abandon-rate"):
            assert {"campaign_id", "window_minutes"} <= names
        else:
            assert {"date_from", "date_to", "campaign_id", "team_id", "agent_ids[]", "timezone", "format"} <= names
    assert doc["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"

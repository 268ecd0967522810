"""The console's hosting (infra/console.yaml): cfn-lint clean, private bucket behind CloudFront, the
API on the same origin and never cached, and the same Content-Security-Policy as the local server."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from telesales_dev.console_files import CONTENT_SECURITY_POLICY
from tests.infra.test_template import REPO, CfnLoader

CONSOLE = REPO / "infra" / "console.yaml"
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"


@pytest.fixture(scope="module")
def resources() -> dict[str, Any]:
    return yaml.load(CONSOLE.read_text(), Loader=CfnLoader)["Resources"]  # noqa: S506 - SafeLoader subclass


def test_cfn_lint_reports_no_errors_or_warnings() -> None:
    from cfnlint.api import lint_file

    problems = [m for m in lint_file(CONSOLE) if m.rule.id[0] in ("E", "W")]
    assert not problems, "\n".join(str(m) for m in problems)


def test_bucket_is_private_and_read_only_by_the_distribution(resources) -> None:
    bucket = resources["ConsoleBucket"]["Properties"]
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    statements = resources["ConsoleBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    allow = [s for s in statements if s["Effect"] == "Allow"]
    assert len(allow) == 1 and allow[0]["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert allow[0]["Action"] == "s3:GetObject"
    assert "ConsoleDistribution" in allow[0]["Condition"]["StringEquals"]["AWS:SourceArn"]["Fn::Sub"]
    origin = resources["ConsoleDistribution"]["Properties"]["DistributionConfig"]["Origins"][0]
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": ["ConsoleOriginAccessControl", "Id"]}


def test_api_shares_the_origin_and_is_never_cached(resources) -> None:
    config = resources["ConsoleDistribution"]["Properties"]["DistributionConfig"]
    (api,) = config["CacheBehaviors"]
    assert api["PathPattern"] == "/api/*" and api["TargetOriginId"] == "api"
    assert api["CachePolicyId"] == CACHING_DISABLED
    assert config["DefaultRootObject"] == "index.html"
    assert config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"


def test_content_security_policy_is_the_local_servers(resources) -> None:
    csp = resources["ConsoleHeadersPolicy"]["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    template, values = csp["ContentSecurityPolicy"]["ContentSecurityPolicy"]["Fn::Sub"]
    assert template.replace("${ExportSources}", "{connect}").replace("${IdpSource}", "") == CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in template and "unsafe-eval" not in template
    # the large exports' presigned URLs, as the local server allows them (console_files.export_origins)
    sources, _ = values["ExportSources"]["Fn::Sub"]
    assert (
        sources
        == " https://${ExportBucketName}.s3.${BucketRegion}.amazonaws.com https://${ExportBucketName}.s3.amazonaws.com"
    )

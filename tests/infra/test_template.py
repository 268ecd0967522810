"""The AWS deployment (infra/template.yaml, infra/Makefile, Dockerfile): cfn-lint clean, and the
security and wiring properties the service relies on."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "infra" / "template.yaml"
MAKEFILE = REPO / "infra" / "Makefile"
DOCKERFILE = REPO / "Dockerfile"


class CfnLoader(yaml.SafeLoader):
    """SafeLoader that reads CloudFormation short-form tags (!Ref, !Sub, !GetAtt, ...) as long form."""


def _construct_tag(loader: CfnLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    if suffix == "Ref":
        return {"Ref": value}
    if suffix == "Condition":
        return {"Condition": value}
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{suffix}": value}


CfnLoader.add_multi_constructor("!", _construct_tag)


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return yaml.load(TEMPLATE.read_text(), Loader=CfnLoader)  # noqa: S506 - SafeLoader subclass


@pytest.fixture(scope="module")
def resources(template: dict[str, Any]) -> dict[str, Any]:
    return template["Resources"]


def _of_type(resources: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {name: res for name, res in resources.items() if res["Type"] == kind}


def _statements(resources: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Every IAM policy statement of the stack's roles, both branches of an Fn::If included."""
    found: list[tuple[str, dict[str, Any]]] = []
    for name, role in _of_type(resources, "AWS::IAM::Role").items():
        for policy in role["Properties"].get("Policies", []):
            for statement in policy["PolicyDocument"]["Statement"]:
                branches = statement["Fn::If"][1:] if "Fn::If" in statement else [statement]
                found += [(name, s) for s in branches if isinstance(s, dict) and "Effect" in s]
    return found


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


# --- cfn-lint ------------------------------------------------------------------------------------


def test_cfn_lint_reports_no_errors_or_warnings() -> None:
    pytest.importorskip("cfnlint", reason="cfn-lint is not installed (pip install cfn-lint)")
    from cfnlint.api import lint_file

    matches = lint_file(TEMPLATE)
    problems = [m for m in matches if m.rule.id[0] in ("E", "W")]
    assert not problems, "\n".join(str(m) for m in problems)


# --- API ------------------------------------------------------------------------------------------


def test_http_api_has_a_jwt_authorizer_as_default(resources: dict[str, Any]) -> None:
    apis = _of_type(resources, "AWS::Serverless::HttpApi")
    assert list(apis) == ["ReportsHttpApi"]
    auth = apis["ReportsHttpApi"]["Properties"]["Auth"]
    default = auth["DefaultAuthorizer"]
    authorizer = auth["Authorizers"][default]
    assert authorizer["IdentitySource"] == "$request.header.Authorization"
    assert authorizer["JwtConfiguration"] == {
        "issuer": {"Ref": "JwtIssuer"},
        "audience": {"Ref": "JwtAudience"},
    }
    cors = apis["ReportsHttpApi"]["Properties"]["CorsConfiguration"]
    assert cors["AllowOrigins"] == [{"Ref": "CorsAllowOrigin"}]


def test_every_route_uses_the_jwt_authorizer(resources: dict[str, Any]) -> None:
    routes = []
    for name, function in _of_type(resources, "AWS::Serverless::Function").items():
        for event in function["Properties"].get("Events", {}).values():
            if event["Type"] != "HttpApi":
                continue
            props = event["Properties"]
            # Without ApiId SAM would create an implicit API that has no authorizer.
            assert props.get("ApiId") == {"Ref": "ReportsHttpApi"}, name
            authorizer = props.get("Auth", {}).get("Authorizer", "JwtAuthorizer")
            routes.append((name, props["Method"], props["Path"], authorizer))
    # Only the API reference and the OpenAPI document (no data) are public.
    assert sorted(routes) == [
        ("ReportApiFunction", "GET", "/api/telesales/reports/docs", "NONE"),
        ("ReportApiFunction", "GET", "/api/telesales/reports/docs/{file}", "NONE"),
        ("ReportApiFunction", "GET", "/api/telesales/reports/openapi.json", "NONE"),
        ("ReportApiFunction", "GET", "/api/telesales/reports/{proxy+}", "JwtAuthorizer"),
    ]
    # No hand-written routes or authorizers beside the SAM API.
    assert not _of_type(resources, "AWS::ApiGatewayV2::Route")
    assert not _of_type(resources, "AWS::Serverless::Api")


def test_report_function_runtime_and_settings(resources: dict[str, Any]) -> None:
    props = resources["ReportApiFunction"]["Properties"]
    assert props["Runtime"] == "python3.12"
    assert props["Architectures"] == ["arm64"]
    assert props["Handler"] == "telesales_reports.api.handler.lambda_handler"
    assert props["MemorySize"] == 1024
    assert props["Timeout"] == 28  # below API Gateway's 29 s
    assert props["VpcConfig"]["SubnetIds"] == {"Ref": "PrivateSubnetIds"}
    assert props["VpcConfig"]["SecurityGroupIds"] == [{"Ref": "LambdaSecurityGroup"}]
    env = props["Environment"]["Variables"]
    for name in (
        "DATABASE_SECRET_ARN",
        "TELESALES_STATEMENT_TIMEOUT_MS",
        "TELESALES_TEMPLATE_LOCATION",
        "TELESALES_EXPORT_BUCKET",
        "POWERTOOLS_SERVICE_NAME",
        "POWERTOOLS_LOG_LEVEL",
        "POWERTOOLS_METRICS_NAMESPACE",
    ):
        assert name in env, name
    assert env["TELESALES_EXPORT_BUCKET"] == {"Ref": "ExportBucket"}
    # The request's deadline: under the Lambda timeout, with room for rendering the answer.
    assert int(env["TELESALES_REQUEST_BUDGET_MS"]) <= (props["Timeout"] - 2) * 1000


def test_snapshot_function_runs_every_five_minutes(resources: dict[str, Any]) -> None:
    props = resources["SnapshotFunction"]["Properties"]
    assert props["Handler"] == "telesales_reports.jobs.abandon_snapshot.lambda_handler"
    assert props["Runtime"] == "python3.12"
    schedules = [
        e["Properties"].get("Schedule") or e["Properties"].get("ScheduleExpression")
        for e in props["Events"].values()
        if e["Type"] in ("Schedule", "ScheduleV2")
    ]
    assert schedules == ["rate(5 minutes)"]


def test_sam_build_targets_exist_in_the_makefile(resources: dict[str, Any]) -> None:
    makefile = MAKEFILE.read_text()
    for name, function in _of_type(resources, "AWS::Serverless::Function").items():
        assert function.get("Metadata", {}).get("BuildMethod") == "makefile", name
        assert re.search(rf"^[^\n#]*\bbuild-{name}\b[^\n]*:", makefile, re.M), name
        assert (TEMPLATE.parent / function["Properties"]["CodeUri"] / "telesales_reports").is_dir()


# --- secrets and IAM ------------------------------------------------------------------------------

CREDENTIAL_NAME = re.compile(r"PASSWORD|PASSWD|TOKEN|DATABASE_URL|(?<!_)SECRET(?!_ARN)", re.I)


def test_database_secret_is_passed_by_arn_only(template: dict[str, Any], resources: dict[str, Any]) -> None:
    assert "Default" not in template["Parameters"]["DatabaseSecretArn"]
    assert "Default" not in template["Parameters"]["ApiDatabaseSecretArn"]
    for name, function in _of_type(resources, "AWS::Serverless::Function").items():
        env = function["Properties"]["Environment"]["Variables"]
        # The Lambdas log in as telesales_api with its own secret, never as the build user.
        assert env["DATABASE_SECRET_ARN"] == {"Ref": "ApiDatabaseSecretArn"}, name
        for key, value in env.items():
            assert not CREDENTIAL_NAME.search(key), f"{name}: {key}"
            assert "resolve:secretsmanager" not in str(value), f"{name}: {key}"


def test_dbt_task_gets_the_login_through_ecs_secrets(resources: dict[str, Any]) -> None:
    (container,) = resources["DbtTaskDefinition"]["Properties"]["ContainerDefinitions"]
    assert container["Command"] == ["build", "--scheduled"]
    assert container["Image"] == {"Ref": "DbtImageUri"}
    for variable in container.get("Environment", []):
        assert not CREDENTIAL_NAME.search(variable["Name"]), variable["Name"]
        assert "resolve:secretsmanager" not in str(variable["Value"])
    secrets = {s["Name"]: s["ValueFrom"] for s in container["Secrets"]}
    assert set(secrets) == {
        "TELESALES_DB_HOST",
        "TELESALES_DB_PORT",
        "TELESALES_DB_USER",
        "TELESALES_DB_PASSWORD",
        "TELESALES_DB_NAME",
    }
    for value in secrets.values():
        assert re.fullmatch(r"\$\{DatabaseSecretArn\}:[a-z]+::", value["Fn::Sub"])
    environment = {v["Name"]: v["Value"] for v in container["Environment"]}
    assert environment["TELESALES_DB_SSLMODE"] == "require"  # dbt over TLS, like the Lambdas


def test_secret_reads_are_limited_to_the_database_secret(resources: dict[str, Any]) -> None:
    readers = {}
    for role, statement in _statements(resources):
        actions = _as_list(statement["Action"])
        if any(a.startswith("secretsmanager:") for a in actions):
            assert actions == ["secretsmanager:GetSecretValue"], role
            readers[role] = statement["Resource"]["Ref"]
    # The build user's secret reaches only the dbt task (ECS injects it through the execution role;
    # the task's own role has no access); the proxy and the Lambdas read only the API's.
    assert readers == {
        "DatabaseProxyRole": "ApiDatabaseSecretArn",
        "ReportApiRole": "ApiDatabaseSecretArn",
        "SnapshotRole": "ApiDatabaseSecretArn",
        "DbtTaskExecutionRole": "DatabaseSecretArn",
    }
    # It may only write its run artifacts (tests/infra/test_operations.py).
    assert [s["Action"] for role, s in _statements(resources) if role == "DbtTaskRole"] == ["s3:PutObject"]


def test_iam_has_no_wildcard_actions_and_star_resources_only_where_needed(resources: dict[str, Any]) -> None:
    star_ok = {
        "ec2:CreateNetworkInterface",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeSubnets",
        "ec2:DeleteNetworkInterface",
        "ec2:AssignPrivateIpAddresses",
        "ec2:UnassignPrivateIpAddresses",
        "ecr:GetAuthorizationToken",
        "xray:PutTraceSegments",  # X-Ray has no resource-level permissions
        "xray:PutTelemetryRecords",
    }
    for role, statement in _statements(resources):
        assert statement["Effect"] == "Allow", role
        actions = _as_list(statement["Action"])
        assert not any(a == "*" or a.endswith(":*") for a in actions), role
        if statement["Resource"] == "*":
            assert set(actions) <= star_ok, role


def test_s3_access_is_scoped(resources: dict[str, Any]) -> None:
    s3 = [s for role, s in _statements(resources) if role == "ReportApiRole" and "s3:" in str(s["Action"])]
    by_sid = {s["Sid"]: s for s in s3}
    assert sorted(_as_list(by_sid["ReadWriteExports"]["Action"])) == ["s3:GetObject", "s3:PutObject"]
    assert by_sid["ReadWriteExports"]["Resource"] == {"Fn::Sub": "${ExportBucket.Arn}/*"}
    assert by_sid["ReadExcelTemplates"]["Action"] == "s3:GetObject"
    assert "${TemplatePrefix}" in by_sid["ReadExcelTemplates"]["Resource"]["Fn::Sub"]
    assert set(by_sid) == {"ReadWriteExports", "ReadExcelTemplates", "ListExcelTemplates"}


# --- storage and network --------------------------------------------------------------------------


def test_export_bucket_blocks_public_access_and_expires_objects(resources: dict[str, Any]) -> None:
    props = resources["ExportBucket"]["Properties"]
    assert props["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    rules = props["LifecycleConfiguration"]["Rules"]
    assert any(r["Status"] == "Enabled" and r.get("ExpirationInDays") == 1 for r in rules)
    assert props["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]


def test_database_is_reached_through_the_proxy(resources: dict[str, Any]) -> None:
    proxy = resources["DatabaseProxy"]["Properties"]
    assert proxy["EngineFamily"] == "POSTGRESQL"
    assert proxy["RequireTLS"] is True
    assert [auth["SecretArn"] for auth in proxy["Auth"]] == [{"Ref": "ApiDatabaseSecretArn"}]
    target = resources["DatabaseProxyTargetGroup"]["Properties"]
    assert target["DBClusterIdentifiers"] == [{"Ref": "DBClusterIdentifier"}]
    # Lambda SG -> Proxy SG on 5432, Proxy SG -> DB SG.
    (ingress,) = resources["ProxySecurityGroup"]["Properties"]["SecurityGroupIngress"]
    assert (ingress["FromPort"], ingress["ToPort"]) == (5432, 5432)
    assert ingress["SourceSecurityGroupId"] == {"Ref": "LambdaSecurityGroup"}
    egress = resources["LambdaEgressToProxy"]["Properties"]
    assert egress["DestinationSecurityGroupId"] == {"Ref": "ProxySecurityGroup"}
    assert egress["FromPort"] == 5432
    db_sources = {
        res["Properties"]["SourceSecurityGroupId"]["Ref"]
        for res in _of_type(resources, "AWS::EC2::SecurityGroupIngress").values()
        if res["Properties"]["GroupId"] == {"Ref": "DatabaseSecurityGroupId"}
    }
    assert db_sources == {"ProxySecurityGroup", "DbtTaskSecurityGroup"}


# --- dbt schedule and alarms ----------------------------------------------------------------------


def test_dbt_build_is_scheduled_on_fargate(template: dict[str, Any], resources: dict[str, Any]) -> None:
    assert template["Parameters"]["DbtScheduleExpression"]["Default"] == "rate(15 minutes)"
    rule = resources["DbtScheduleRule"]["Properties"]
    assert rule["ScheduleExpression"] == {"Ref": "DbtScheduleExpression"}
    (target,) = rule["Targets"]
    ecs = target["EcsParameters"]
    assert ecs["LaunchType"] == "FARGATE"
    assert ecs["TaskDefinitionArn"] == {"Ref": "DbtTaskDefinition"}
    network = ecs["NetworkConfiguration"]["AwsVpcConfiguration"]
    assert network["Subnets"] == {"Ref": "PrivateSubnetIds"}
    assert network["AssignPublicIp"] == "DISABLED"


@pytest.mark.parametrize(
    ("log_group", "pattern", "alarm"),
    [
        ("DbtLogGroup", '"DBT BUILD FAILED"', "DbtBuildFailureAlarm"),
        ("SnapshotLogGroup", '"abandon_rate_breach"', "AbandonRateBreachAlarm"),
    ],
)
def test_log_alarms(resources: dict[str, Any], log_group: str, pattern: str, alarm: str) -> None:
    filters = [
        f["Properties"]
        for f in _of_type(resources, "AWS::Logs::MetricFilter").values()
        if f["Properties"]["LogGroupName"] == {"Ref": log_group}
        and not f["Properties"]["FilterPattern"].startswith("{")
    ]  # JSON patterns (source freshness) are tested in tests/integration/test_scheduled_build.py
    assert [f["FilterPattern"] for f in filters] == [pattern]
    (metric,) = filters[0]["MetricTransformations"]
    props = resources[alarm]["Properties"]
    assert (props["Namespace"], props["MetricName"]) == (metric["MetricNamespace"], metric["MetricName"])
    assert props["AlarmActions"] == [{"Ref": "AlarmTopic"}]


def test_api_alarms(resources: dict[str, Any]) -> None:
    rate = resources["Api5xxRateAlarm"]["Properties"]
    assert rate["Threshold"] == 1
    metrics = {m["Id"]: m for m in rate["Metrics"]}
    expression = next(m for m in metrics.values() if m.get("ReturnData"))["Expression"]
    assert "errors / requests" in expression
    assert metrics["errors"]["MetricStat"]["Metric"]["MetricName"] == "5xx"
    assert metrics["requests"]["MetricStat"]["Metric"]["MetricName"] == "Count"
    latency = resources["ApiLatencyP95Alarm"]["Properties"]
    assert (latency["MetricName"], latency["ExtendedStatistic"], latency["Threshold"]) == (
        "IntegrationLatency",
        "p95",
        1000,
    )
    for props in (rate, latency):
        assert props["AlarmActions"] == [{"Ref": "AlarmTopic"}]
    assert resources["AlarmEmailSubscription"]["Condition"] == "HasAlarmEmail"


def test_outputs(template: dict[str, Any]) -> None:
    assert {"ApiUrl", "ExportBucketName", "ProxyEndpoint"} <= set(template["Outputs"])


# --- Dockerfile -----------------------------------------------------------------------------------


def test_dockerfile_runs_the_dbt_build() -> None:
    text = DOCKERFILE.read_text()
    instructions = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]
    assert instructions[0] == "FROM python:3.12-slim"
    assert 'ENTRYPOINT ["telesales-reports"]' in instructions
    assert instructions[-1] == 'CMD ["build"]'
    assert "DO_NOT_TRACK=1" in text
    assert "DBT_SEND_ANONYMOUS_USAGE_STATS=false" in text
    assert re.search(r"^RUN pip install \.", text, re.M)
    # Copy named parts only: the whole tree would bring .venv/ and .data/ (local secrets) along.
    assert not re.search(r"^(COPY|ADD)\s+\.\s", text, re.M)
    for needed in ("pyproject.toml", "lambdas/", "dbt_project.yml", "profiles.yml", "models/", "macros/"):
        assert needed in text, needed


@pytest.mark.parametrize("function", ["ReportApiFunction", "SnapshotFunction"])
def test_the_secrets_extension_layer_and_its_port_come_together(
    template: dict[str, Any], resources: dict[str, Any], function: str
) -> None:
    # DECISIONLOG 78: with the layer the functions read the secret over local HTTP (no boto3 on the cold
    # start); the port is set exactly when the layer is attached, so neither is ever half-configured.
    props = resources[function]["Properties"]
    assert props["Layers"] == {
        "Fn::If": ["HasSecretsExtension", [{"Ref": "SecretsExtensionLayerArn"}], {"Ref": "AWS::NoValue"}]
    }
    port = props["Environment"]["Variables"]["TELESALES_SECRETS_EXTENSION_PORT"]
    assert port == {"Fn::If": ["HasSecretsExtension", "2773", {"Ref": "AWS::NoValue"}]}
    assert template["Conditions"]["HasSecretsExtension"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "SecretsExtensionLayerArn"}, ""]}]
    }
    assert template["Parameters"]["SecretsExtensionLayerArn"]["Default"] == ""


def test_the_report_api_resumes_from_snapstart_snapshots_of_its_published_versions(
    template: dict[str, Any], resources: dict[str, Any]
) -> None:
    # DECISIONLOG 79: SnapStart applies to published versions only, which AutoPublishAlias creates on
    # every deploy; it is on by default and can be turned off where the region does not offer it.
    props = resources["ReportApiFunction"]["Properties"]
    assert props["SnapStart"] == {"ApplyOn": {"Ref": "SnapStartApplyOn"}}
    assert props["AutoPublishAlias"] == "live"
    assert props["Runtime"] in ("python3.12", "python3.13")  # SnapStart's Python runtimes (3.12 and later)
    parameter = template["Parameters"]["SnapStartApplyOn"]
    assert parameter["Default"] == "PublishedVersions"
    assert parameter["AllowedValues"] == ["PublishedVersions", "None"]
    # SnapStart cannot be combined with provisioned concurrency, EFS or more than 512 MB of /tmp.
    assert "ProvisionedConcurrencyConfig" not in props and "FileSystemConfigs" not in props
    assert props.get("EphemeralStorage", {"Size": 512})["Size"] <= 512

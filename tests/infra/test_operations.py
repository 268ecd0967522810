"""Operating the stack (infra/template.yaml): failures that alarm, dead letters, artifacts, tracing,
concurrency against the proxy's budget, canary deploys, log retention and a least-privilege image pull.

Metric filter patterns are evaluated here against real ECS "Task State Change" events, so a pattern
that would never match (or match the wrong runs) fails the test, not the on-call engineer.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml

from tests.infra.test_template import TEMPLATE, CfnLoader, _as_list, _of_type, _statements

STACK = "telesales-prod"
ACCOUNT = "123456789012"
REGION = "eu-west-1"
PSEUDO = {"AWS::StackName": STACK, "AWS::AccountId": ACCOUNT, "AWS::Region": REGION, "AWS::Partition": "aws"}


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return yaml.load(TEMPLATE.read_text(), Loader=CfnLoader)  # noqa: S506 - SafeLoader subclass


@pytest.fixture(scope="module")
def resources(template: dict[str, Any]) -> dict[str, Any]:
    return template["Resources"]


def resolve(value: Any, params: dict[str, Any] | None = None) -> Any:
    """Evaluate the intrinsic functions this template uses (Ref to parameters, Sub, Select, Split);
    a Ref or GetAtt of a resource stays as `<Name>` / `<Name.Attr>`."""
    params = {**PSEUDO, **(params or {})}
    if isinstance(value, dict) and len(value) == 1:
        ((fn, arg),) = value.items()
        if fn == "Ref":
            return params.get(arg, f"<{arg}>")
        if fn == "Fn::GetAtt":
            return f"<{'.'.join(arg)}>"
        if fn == "Fn::Select":
            return resolve(arg[1], params)[int(arg[0])]
        if fn == "Fn::Split":
            return resolve(arg[1], params).split(arg[0])
        if fn == "Fn::Sub":
            text, local = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1])
            names = {**params, **{k: resolve(v, params) for k, v in local.items()}}

            def substitute(match: re.Match) -> str:
                name = match.group(1)
                return str(names[name]) if name in names else f"<{name}>"

            return re.sub(r"\$\{([^}!]+)\}", substitute, text)
    return value


# --- metric filter patterns, evaluated ------------------------------------------------------------

CLAUSE = re.compile(r'^\$\.([\w.\[\]]+)\s*(=|!=)\s*("([^"]*)"|-?\d+)$')


def _lookup(event: dict[str, Any], path: str) -> Any:
    current: Any = event
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", path):
        if part.startswith("["):
            index = int(part[1:-1])
            if not isinstance(current, list) or index >= len(current):
                return None
            current = current[index]
        else:
            if not isinstance(current, dict) or part not in current:
                return None
            current = current[part]
    return current


def matches(pattern: str, event: dict[str, Any]) -> bool:
    """CloudWatch Logs JSON filter pattern `{ $.a.b[0].c = 0 && $.d != "x" }` (the subset used here).
    A clause on a missing field never matches, as in CloudWatch."""
    body = pattern.strip()
    assert body.startswith("{") and body.endswith("}"), pattern
    for clause in body[1:-1].split("&&"):
        found = CLAUSE.match(clause.strip())
        assert found, f"unsupported clause {clause!r}"
        path, op, literal, text = found.groups()
        actual = _lookup(event, path)
        if actual is None:
            return False
        expected: Any = text if text is not None else int(literal)
        if (actual == expected) != (op == "="):
            return False
    return True


def task_stopped(exit_code: int | None, stop_code: str = "EssentialContainerExited") -> dict[str, Any]:
    container: dict[str, Any] = {"name": "dbt-build", "lastStatus": "STOPPED"}
    if exit_code is not None:
        container["exitCode"] = exit_code
    return {
        "source": "aws.ecs",
        "detail-type": "ECS Task State Change",
        "detail": {
            "clusterArn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/{STACK}-dbt",
            "lastStatus": "STOPPED",
            "stopCode": stop_code,
            "stoppedReason": "Essential container in task exited",
            "containers": [container],
        },
    }


def _metrics_counted(resources: dict[str, Any], log_group: str, event: dict[str, Any]) -> list[str]:
    counted = []
    for metric_filter in _of_type(resources, "AWS::Logs::MetricFilter").values():
        props = metric_filter["Properties"]
        if props["LogGroupName"] == {"Ref": log_group} and matches(props["FilterPattern"], event):
            counted += [t["MetricName"] for t in props["MetricTransformations"]]
    return sorted(counted)


@pytest.mark.parametrize(
    ("event", "metrics"),
    [
        (task_stopped(0), ["DbtBuildSuccesses"]),
        (task_stopped(1), ["DbtTaskFailures"]),  # dbt failed (a model or a test)
        (task_stopped(137), ["DbtTaskFailures"]),  # killed / out of memory
        # the advisory lock was held: the CLI exits 3 (tests/integration/test_schedules.py)
        (task_stopped(3), ["DbtBuildsSkipped"]),
        (task_stopped(None, "TaskFailedToStart"), ["DbtTaskFailures"]),  # image pull, subnet, secret
    ],
)
def test_every_way_a_dbt_task_stops_is_counted_once(
    resources: dict[str, Any], event: dict[str, Any], metrics: list[str]
) -> None:
    assert _metrics_counted(resources, "DbtTaskEventsLogGroup", event) == metrics


def test_stopped_dbt_tasks_reach_the_events_log_group(resources: dict[str, Any]) -> None:
    rule = resources["DbtTaskStoppedRule"]["Properties"]
    pattern = rule["EventPattern"]
    assert pattern["source"] == ["aws.ecs"]
    assert pattern["detail-type"] == ["ECS Task State Change"]
    assert pattern["detail"] == {"clusterArn": [{"Fn::GetAtt": ["DbtCluster", "Arn"]}], "lastStatus": ["STOPPED"]}
    (target,) = rule["Targets"]
    group = resolve(resources["DbtTaskEventsLogGroup"]["Properties"]["LogGroupName"])
    assert group.startswith("/aws/events/")  # EventBridge writes only to /aws/events/ groups
    assert resolve(target["Arn"]) == f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:<DbtTaskEventsLogGroup>"
    # The log group's resource policy lets exactly this rule write.
    policy = resolve(resources["DbtTaskEventsLogPolicy"]["Properties"]["PolicyDocument"])
    assert f'rule/{resolve(rule["Name"])}"' in policy
    assert "events.amazonaws.com" in policy
    assert resources["DbtTaskStoppedRule"]["DependsOn"] == "DbtTaskEventsLogPolicy"


def _alarm(resources: dict[str, Any], name: str) -> dict[str, Any]:
    props = resources[name]["Properties"]
    assert props["AlarmActions"] == [{"Ref": "AlarmTopic"}], name
    return props


def test_no_successful_build_in_30_minutes_alarms(resources: dict[str, Any]) -> None:
    props = _alarm(resources, "DbtNoSuccessfulBuildAlarm")
    assert props["MetricName"] == "DbtBuildSuccesses"
    assert props["Period"] * props["EvaluationPeriods"] == 30 * 60
    assert props["DatapointsToAlarm"] == props["EvaluationPeriods"]  # every period without a success
    assert (props["ComparisonOperator"], props["Threshold"]) == ("LessThanThreshold", 1)
    # No task at all (schedule disabled, rule broken) publishes nothing: missing data must alarm.
    assert props["TreatMissingData"] == "breaching"


@pytest.mark.parametrize(
    ("alarm", "metric"), [("DbtTaskFailureAlarm", "DbtTaskFailures"), ("DbtBuildSkippedAlarm", "DbtBuildsSkipped")]
)
def test_failed_and_skipped_builds_alarm(resources: dict[str, Any], alarm: str, metric: str) -> None:
    props = _alarm(resources, alarm)
    assert props["MetricName"] == metric
    assert (props["ComparisonOperator"], props["Threshold"]) == ("GreaterThanOrEqualToThreshold", 1)
    assert props["Namespace"] == {"Fn::Sub": "TelesalesReports/${AWS::StackName}"}


# --- dead letters ---------------------------------------------------------------------------------


def test_both_schedules_have_a_dead_letter_queue(resources: dict[str, Any]) -> None:
    dlq = {"Fn::GetAtt": ["ScheduleDeadLetterQueue", "Arn"]}
    (dbt_target,) = resources["DbtScheduleRule"]["Properties"]["Targets"]
    assert dbt_target["DeadLetterConfig"] == {"Arn": dlq}
    snapshot = resources["SnapshotFunction"]["Properties"]
    (event,) = snapshot["Events"].values()
    assert event["Properties"]["DeadLetterConfig"] == {"Arn": dlq}  # EventBridge could not invoke
    assert snapshot["EventInvokeConfig"]["DestinationConfig"]["OnFailure"] == {"Type": "SQS", "Destination": dlq}
    # The queue accepts exactly these two rules, by the names they are given.
    names = {
        resolve(resources["DbtScheduleRule"]["Properties"]["Name"]),
        resolve(event["Properties"]["Name"]),
    }
    statement = resources["ScheduleDeadLetterQueuePolicy"]["Properties"]["PolicyDocument"]["Statement"][0]
    sources = {resolve(arn).rsplit("/", 1)[1] for arn in statement["Condition"]["ArnEquals"]["aws:SourceArn"]}
    assert sources == names
    for name in names:
        assert len(name) <= 64 - (54 - len(STACK)), name  # rule names: 64 chars with a 54-char stack name
    # The snapshot Lambda sends its failed invocations with its own role.
    sends = [s for role, s in _statements(resources) if role == "SnapshotRole" and s["Action"] == "sqs:SendMessage"]
    assert [s["Resource"] for s in sends] == [dlq]
    alarm = _alarm(resources, "ScheduleDeadLetterAlarm")
    assert alarm["MetricName"] == "ApproximateNumberOfMessagesVisible"
    assert (alarm["ComparisonOperator"], alarm["Threshold"]) == ("GreaterThanThreshold", 0)


# --- dbt artifacts --------------------------------------------------------------------------------


def test_dbt_artifacts_are_kept_per_run_and_the_task_may_only_write_them(
    template: dict[str, Any], resources: dict[str, Any]
) -> None:
    (container,) = resources["DbtTaskDefinition"]["Properties"]["ContainerDefinitions"]
    env = {v["Name"]: v["Value"] for v in container["Environment"]}
    uri = resolve(env["TELESALES_DBT_ARTIFACTS_URI"])
    assert uri == "s3://<DbtArtifactsBucket>/runs/"
    (statement,) = [s for role, s in _statements(resources) if role == "DbtTaskRole"]
    assert statement["Action"] == "s3:PutObject"
    assert resolve(statement["Resource"]) == "<DbtArtifactsBucket.Arn>/runs/*"
    bucket = resources["DbtArtifactsBucket"]["Properties"]
    (rule,) = bucket["LifecycleConfiguration"]["Rules"]
    assert rule["ExpirationInDays"] == {"Ref": "DbtArtifactsRetentionDays"}
    assert template["Parameters"]["DbtArtifactsRetentionDays"]["Default"] == 90
    assert all(bucket["PublicAccessBlockConfiguration"].values())


# --- Lambdas: tracing, concurrency, canary --------------------------------------------------------


def test_both_lambdas_trace_with_x_ray(resources: dict[str, Any]) -> None:
    for name, function in _of_type(resources, "AWS::Serverless::Function").items():
        props = function["Properties"]
        assert props["Tracing"] == "Active", name
        assert props["Environment"]["Variables"]["POWERTOOLS_TRACER_CAPTURE_RESPONSE"] == "false", name
        role = props["Role"]["Fn::GetAtt"][0]
        actions = {a for r, s in _statements(resources) if r == role for a in _as_list(s["Action"])}
        assert {"xray:PutTraceSegments", "xray:PutTelemetryRecords"} <= actions, name


def test_reserved_concurrency_fits_the_proxy_connection_budget(
    template: dict[str, Any], resources: dict[str, Any]
) -> None:
    params = template["Parameters"]
    api = resources["ReportApiFunction"]["Properties"]["ReservedConcurrentExecutions"]
    assert api == {"Ref": "ReportApiReservedConcurrency"}
    snapshot = resources["SnapshotFunction"]["Properties"]["ReservedConcurrentExecutions"]
    assert snapshot == 1
    pool = resources["DatabaseProxyTargetGroup"]["Properties"]["ConnectionPoolConfigurationInfo"]
    assert pool["MaxConnectionsPercent"] == {"Ref": "ProxyMaxConnectionsPercent"}
    # The smallest cluster the defaults are stated for: every Lambda instance can hold its connection.
    stated = int(re.search(r"max_connections >= (\d+)", params["ReportApiReservedConcurrency"]["Description"])[1])
    budget = stated * params["ProxyMaxConnectionsPercent"]["Default"] // 100
    assert params["ReportApiReservedConcurrency"]["Default"] + snapshot <= budget


def test_report_api_deploys_as_a_canary_that_rolls_back_on_5xx_and_latency(resources: dict[str, Any]) -> None:
    props = resources["ReportApiFunction"]["Properties"]
    assert props["AutoPublishAlias"] == "live"
    preference = props["DeploymentPreference"]
    assert preference["Type"].startswith("Canary")
    guards = {ref["Ref"] for ref in preference["Alarms"]}
    assert guards == {"ApiDeploy5xxAlarm", "ApiDeployLatencyAlarm"}
    rate = resources["ApiDeploy5xxAlarm"]["Properties"]
    stats = [m["MetricStat"] for m in rate["Metrics"] if "MetricStat" in m]
    assert {s["Metric"]["MetricName"] for s in stats} == {"5xx", "Count"}
    latency = resources["ApiDeployLatencyAlarm"]["Properties"]
    assert (latency["MetricName"], latency["ExtendedStatistic"]) == ("IntegrationLatency", "p95")
    # A guard must fire within the canary's 10 minutes: one-minute periods, two of them.
    for alarm, periods in ((rate, [s["Period"] for s in stats]), (latency, [latency["Period"]])):
        assert set(periods) == {60}
        assert alarm["EvaluationPeriods"] * 60 <= 10 * 60


# --- logs and the image pull ----------------------------------------------------------------------


def test_every_log_group_has_a_retention_and_every_writer_uses_one(resources: dict[str, Any]) -> None:
    groups = _of_type(resources, "AWS::Logs::LogGroup")
    for name, group in groups.items():
        assert group["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}, name
    for name, function in _of_type(resources, "AWS::Serverless::Function").items():
        assert function["Properties"]["LoggingConfig"]["LogGroup"]["Ref"] in groups, name
    (container,) = resources["DbtTaskDefinition"]["Properties"]["ContainerDefinitions"]
    assert container["LogConfiguration"]["Options"]["awslogs-group"]["Ref"] in groups
    access = resources["ReportsHttpApi"]["Properties"]["AccessLogSettings"]["DestinationArn"]
    assert access["Fn::GetAtt"][0] in groups
    # Container Insights writes to /aws/ecs/containerinsights/<cluster>/performance: the stack owns it.
    cluster = resources["DbtCluster"]
    insights = resolve(groups["ContainerInsightsLogGroup"]["Properties"]["LogGroupName"])
    assert insights == f"/aws/ecs/containerinsights/{resolve(cluster['Properties']['ClusterName'])}/performance"
    assert cluster["DependsOn"] == "ContainerInsightsLogGroup"  # before ECS creates it without a retention


@pytest.mark.parametrize(
    ("image", "repository"),
    [
        (f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/telesales-reports-dbt:1a2b3c4", "telesales-reports-dbt"),
        (f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/team/dbt:v1.2", "team/dbt"),
        (f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/dbt@sha256:{'a' * 64}", "dbt"),
    ],
)
def test_the_task_pulls_from_its_image_repository_only(
    template: dict[str, Any], resources: dict[str, Any], image: str, repository: str
) -> None:
    assert re.fullmatch(template["Parameters"]["DbtImageUri"]["AllowedPattern"], image)
    (pull,) = [s for r, s in _statements(resources) if r == "DbtTaskExecutionRole" and s.get("Sid") == "PullImage"]
    arn = resolve(pull["Resource"], {"DbtImageUri": image})
    assert arn == f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/{repository}"


@pytest.mark.parametrize(
    "image",
    [
        f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/*",
        f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/dbt",  # no tag: the pull grant needs the repository name
        "docker.io/library/python:3.12",
    ],
)
def test_image_uris_that_would_widen_the_grant_are_refused(template: dict[str, Any], image: str) -> None:
    assert not re.fullmatch(template["Parameters"]["DbtImageUri"]["AllowedPattern"], image)


# --- browsers -------------------------------------------------------------------------------------


def test_browsers_can_follow_an_export_redirect_and_read_the_build_time(resources: dict[str, Any]) -> None:
    (rule,) = resources["ExportBucket"]["Properties"]["CorsConfiguration"]["CorsRules"]
    assert set(rule["AllowedMethods"]) == {"GET", "HEAD"}
    # After the API's cross-origin 302 the browser sends `Origin: null`: only "*" matches it.
    assert rule["AllowedOrigins"] == ["*"]
    assert "Content-Disposition" in rule["ExposedHeaders"]
    cors = resources["ReportsHttpApi"]["Properties"]["CorsConfiguration"]
    assert "x-warehouse-built-at" in cors["ExposeHeaders"]
    assert "authorization" in cors["AllowHeaders"]


def test_stale_sources_alarm_and_the_task_runs_the_scheduled_build(resources: dict[str, Any]) -> None:
    props = _alarm(resources, "SourceFreshnessAlarm")
    assert props["MetricName"] == "SourceFreshnessWarnings"
    assert props["DatapointsToAlarm"] == props["EvaluationPeriods"] == 2  # two builds in a row
    (container,) = resources["DbtTaskDefinition"]["Properties"]["ContainerDefinitions"]
    from telesales_dev.cli import parser

    args = parser().parse_args(container["Command"])
    assert args.command == "build" and args.scheduled


def test_the_dbt_image_can_write_its_artifacts() -> None:
    """The scheduled build puts its artifacts with boto3: the image's lock holds the `aws` extra."""
    from tests.infra.test_template import DOCKERFILE, REPO

    assert "pip install -r requirements/build.txt" in DOCKERFILE.read_text()
    assert re.search(r"--extra build --extra aws -o requirements/build.txt", (REPO / "scripts" / "lock.sh").read_text())
    locked = (REPO / "requirements" / "build.txt").read_text()
    assert re.search(r"^boto3==", locked, re.M) and re.search(r"^aws-xray-sdk==", locked, re.M)


def test_the_lambda_package_traces_with_the_runtime_botocore() -> None:
    """The X-Ray SDK is packaged; botocore (and what only it needs) is left to the runtime, whose boto3
    the code already uses: two botocore copies would mix versions under the runtime's boto3."""
    from tests.infra.test_template import MAKEFILE, REPO

    makefile = MAKEFILE.read_text()
    provided = re.search(r"^LAMBDA_RUNTIME_PROVIDED := (.+)$", makefile, re.M)[1].split()
    assert {"botocore", "urllib3", "python-dateutil"} <= set(provided)
    assert "--no-deps" in re.search(r"^.*-r \"\$\$work/lambda.txt\".*$", makefile, re.M)[0]
    locked = (REPO / "requirements" / "lambda.txt").read_text()
    assert re.search(r"^aws-xray-sdk==", locked, re.M)

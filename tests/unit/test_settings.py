"""Settings: defaults, environment overrides, a clear start-up error per bad variable, and the RDS secret."""

from __future__ import annotations

import dataclasses
import json

import boto3
import pytest
from aws_lambda_powertools.utilities import parameters
from moto import mock_aws
from psycopg.conninfo import conninfo_to_dict

from telesales_reports.db import connection as db
from telesales_reports.settings import FIELDS, SettingsError, env_name, get_settings, load_settings
from tests.support import python_prints

# Every variable the settings read: cleared for each test so the developer's environment does not leak in.
UNPREFIXED = ("database_url", "database_secret_arn", "database_proxy_endpoint", "database_sslmode")
VARIABLES = [name.upper() for name in UNPREFIXED] + [
    "TELESALES_" + name.upper() for name in FIELDS if name not in UNPREFIXED
]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_every_field_has_its_variable():
    assert env_name("database_url") == "DATABASE_URL"
    assert env_name("database_secret_arn") == "DATABASE_SECRET_ARN"
    assert env_name("statement_timeout_ms") == "TELESALES_STATEMENT_TIMEOUT_MS"
    assert sorted(env_name(f) for f in FIELDS) == sorted(VARIABLES)


def test_defaults():
    s = load_settings()
    assert s.database_url is None and s.database_secret_arn is None
    assert s.statement_timeout_ms == 5000 and s.connect_timeout_s == 3
    assert s.short_call_threshold_sec == 10
    assert (s.health_min_calls, s.health_block_asr_pct, s.health_block_rejected_pct, s.health_block_short_pct) == (
        20,
        10.0,
        30.0,
        50.0,
    )
    assert (s.health_warning_asr_pct, s.health_warning_rejected_pct, s.health_warning_short_pct) == (25.0, 10.0, 30.0)
    assert s.max_agent_ids == 500
    assert s.template_location is None and s.export_bucket is None and s.jwt_secret is None


def test_environment_overrides(monkeypatch, tmp_path):
    values = {
        "DATABASE_URL": "postgresql://app:pw@db.example.com:6432/reports",
        "DATABASE_SECRET_ARN": "arn:aws:secretsmanager:ap-southeast-1:123456789012:secret:telesales/db-AbC123",
        "TELESALES_STATEMENT_TIMEOUT_MS": "20000",
        "TELESALES_CONNECT_TIMEOUT_S": "5",
        "TELESALES_SHORT_CALL_THRESHOLD_SEC": "15",
        "TELESALES_HEALTH_MIN_CALLS": "50",
        "TELESALES_HEALTH_BLOCK_ASR_PCT": "5",
        "TELESALES_HEALTH_WARNING_ASR_PCT": "20.5",
        "TELESALES_HEALTH_BLOCK_SHORT_PCT": "60",
        "TELESALES_MAX_AGENT_IDS": "50",
        "TELESALES_TEMPLATE_LOCATION": str(tmp_path),
        "TELESALES_EXPORT_BUCKET": "telesales-exports-prod",
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    s = get_settings()
    assert s.database_url == values["DATABASE_URL"]
    assert s.database_secret_arn == values["DATABASE_SECRET_ARN"]
    assert (s.statement_timeout_ms, s.connect_timeout_s, s.short_call_threshold_sec) == (20000, 5, 15)
    assert (s.health_min_calls, s.health_block_asr_pct, s.health_warning_asr_pct) == (50, 5.0, 20.5)
    assert s.health_block_short_pct == 60.0 and s.max_agent_ids == 50
    assert s.template_location == str(tmp_path) and s.export_bucket == "telesales-exports-prod"
    assert get_settings() is s  # read once
    monkeypatch.setenv("TELESALES_STATEMENT_TIMEOUT_MS", "300")
    assert get_settings().statement_timeout_ms == 20000  # until the cache is cleared
    get_settings.cache_clear()
    assert get_settings().statement_timeout_ms == 300


@pytest.mark.parametrize(
    "value",
    [
        "postgres://app@localhost/reports",
        "postgresql://postgres:@/postgres?host=/tmp/pg",  # Unix socket, as the embedded server
        "postgresql://h1:5432,h2:5433/reports?target_session_attrs=read-write",
        "host=db port=5432 user=app dbname=reports sslmode=require",  # what database_url() writes from parts
    ],
)
def test_accepted_database_urls(monkeypatch, value):
    monkeypatch.setenv("DATABASE_URL", value)
    assert load_settings().database_url == value


@pytest.mark.parametrize(
    "location", ["s3://telesales-templates", "s3://telesales-templates/customers/", "file:///tmp", "/tmp", "."]
)
def test_accepted_template_locations(monkeypatch, location):
    monkeypatch.setenv("TELESALES_TEMPLATE_LOCATION", location)
    assert load_settings().template_location == location


def test_numbers_and_choices_are_converted(monkeypatch):
    monkeypatch.setenv("TELESALES_STATEMENT_TIMEOUT_MS", " 7000 ")
    monkeypatch.setenv("TELESALES_RANDOM_PAGE_COST", "2")
    monkeypatch.setenv("TELESALES_SECRETS_EXTENSION_PORT", "+2773")
    monkeypatch.setenv("DATABASE_SSLMODE", "verify-full")
    s = load_settings()
    assert (s.statement_timeout_ms, s.random_page_cost, s.secrets_extension_port) == (7000, 2.0, 2773)
    assert isinstance(s.random_page_cost, float) and s.database_sslmode == "verify-full"


def test_empty_variables_count_as_unset(monkeypatch):
    monkeypatch.setenv("TELESALES_STATEMENT_TIMEOUT_MS", "")
    monkeypatch.setenv("TELESALES_TEMPLATE_LOCATION", "")
    monkeypatch.setenv("DATABASE_URL", "")
    s = load_settings()
    assert (s.statement_timeout_ms, s.template_location, s.database_url) == (5000, None, None)


def test_variable_names_match_without_regard_to_case(monkeypatch):
    # As pydantic-settings matched them (DECISIONLOG 102); an exact-case variable wins over another case.
    monkeypatch.setenv("telesales_statement_timeout_ms", "7000")
    monkeypatch.setenv("Database_Url", "postgresql://app@db/reports")
    s = load_settings()
    assert (s.statement_timeout_ms, s.database_url) == (7000, "postgresql://app@db/reports")
    monkeypatch.setenv("TELESALES_STATEMENT_TIMEOUT_MS", "8000")
    assert load_settings().statement_timeout_ms == 8000
    monkeypatch.setenv("telesales_max_agent_ids", "0")
    with pytest.raises(SettingsError, match="TELESALES_MAX_AGENT_IDS: "):
        load_settings()


def test_unknown_variables_are_ignored_and_the_settings_are_read_only(monkeypatch):
    monkeypatch.setenv("TELESALES_NO_SUCH_SETTING", "x")
    s = load_settings()
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.statement_timeout_ms = 1  # one validated snapshot per process: never changed in place


@pytest.mark.parametrize(
    ("variable", "value", "words"),
    [
        ("TELESALES_STATEMENT_TIMEOUT_MS", "abc", "valid integer"),
        ("TELESALES_STATEMENT_TIMEOUT_MS", "-5", "greater than or equal to 100"),
        ("TELESALES_STATEMENT_TIMEOUT_MS", "600000", "less than or equal to 60000"),
        ("TELESALES_CONNECT_TIMEOUT_S", "0", "greater than or equal to 1"),
        ("DATABASE_URL", "mysql://app:pw@db/reports", "postgresql://"),
        ("DATABASE_URL", "http://db.example.com/reports", "postgresql://"),
        ("DATABASE_URL", "db.example.com", "postgresql://"),
        ("DATABASE_URL", "postgresql://app:pw@db:notaport/reports", "postgresql://"),
        ("DATABASE_SECRET_ARN", "telesales/db", "secret ARN"),
        ("DATABASE_SECRET_ARN", "arn:aws:s3:::bucket", "secret ARN"),
        ("TELESALES_TEMPLATE_LOCATION", "https://example.com/templates", "folder path or s3://"),
        ("TELESALES_TEMPLATE_LOCATION", "s3://", "valid bucket name"),
        ("TELESALES_TEMPLATE_LOCATION", "s3://Bad_Bucket/x", "valid bucket name"),
        ("TELESALES_TEMPLATE_LOCATION", "/no/such/folder/anywhere", "existing folder"),
        ("TELESALES_EXPORT_BUCKET", "s3://exports", "S3 bucket name"),
        ("TELESALES_EXPORT_BUCKET", "x", "S3 bucket name"),
        ("TELESALES_SHORT_CALL_THRESHOLD_SEC", "0", "greater than or equal to 1"),
        ("TELESALES_SHORT_CALL_THRESHOLD_SEC", "ten", "valid integer"),
        ("TELESALES_HEALTH_MIN_CALLS", "-1", "greater than or equal to 0"),
        ("TELESALES_HEALTH_BLOCK_ASR_PCT", "101", "less than or equal to 100"),
        ("TELESALES_HEALTH_WARNING_SHORT_PCT", "lots", "valid number"),
        ("TELESALES_MAX_AGENT_IDS", "0", "greater than or equal to 1"),
        ("TELESALES_MAX_AGENT_IDS", "1.5", "valid integer"),
        ("TELESALES_RANDOM_PAGE_COST", "nan", "finite number"),
        ("TELESALES_HEALTH_BLOCK_ASR_PCT", "inf", "finite number"),
        ("TELESALES_RANDOM_PAGE_COST", "0.05", "greater than or equal to 0.1"),
        ("TELESALES_SECRETS_EXTENSION_PORT", "70000", "less than or equal to 65535"),
        ("DATABASE_SSLMODE", "sometimes", "must be one of disable, allow, prefer, require, verify-ca, verify-full"),
    ],
)
def test_a_bad_setting_names_its_variable(monkeypatch, variable, value, words):
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as info:
        load_settings()
    message = str(info.value)
    assert f"{variable}: " in message and words in message
    # get_settings() fails the same way (the service refuses to start), and is not cached broken
    with pytest.raises(SettingsError, match=variable):
        get_settings()
    monkeypatch.delenv(variable)
    get_settings.cache_clear()
    assert get_settings()


def test_database_url_password_is_never_echoed(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://app:s3cr3t-pw@db:port/reports")
    with pytest.raises(SettingsError, match="DATABASE_URL") as info:
        load_settings()
    assert "s3cr3t" not in str(info.value)


def test_every_bad_variable_is_reported_at_once(monkeypatch):
    monkeypatch.setenv("TELESALES_STATEMENT_TIMEOUT_MS", "abc")
    monkeypatch.setenv("TELESALES_EXPORT_BUCKET", "s3://x")
    with pytest.raises(SettingsError) as info:
        load_settings()
    assert "TELESALES_STATEMENT_TIMEOUT_MS" in str(info.value) and "TELESALES_EXPORT_BUCKET" in str(info.value)


def test_health_thresholds_must_keep_the_rules_in_order(monkeypatch):
    monkeypatch.setenv("TELESALES_HEALTH_BLOCK_ASR_PCT", "30")  # above the warning threshold (25)
    with pytest.raises(
        SettingsError, match="TELESALES_HEALTH_BLOCK_ASR_PCT must not exceed TELESALES_HEALTH_WARNING_ASR_PCT"
    ):
        load_settings()
    monkeypatch.setenv("TELESALES_HEALTH_WARNING_ASR_PCT", "30")  # equal is allowed
    assert load_settings().health_block_asr_pct == 30.0
    monkeypatch.setenv("TELESALES_HEALTH_WARNING_REJECTED_PCT", "40")  # above the block threshold (30)
    with pytest.raises(SettingsError, match="TELESALES_HEALTH_WARNING_REJECTED_PCT must not exceed"):
        load_settings()


# ---------------------------------------------------------------------------------------------------
# The database from Secrets Manager (RDS secret JSON)


@pytest.fixture
def secret(monkeypatch):
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "ap-southeast-1",
    }.items():
        monkeypatch.setenv(key, value)
    with mock_aws():
        client = boto3.client("secretsmanager", region_name="ap-southeast-1")
        value = {
            "engine": "postgres",
            "host": "telesales.cluster-abc.ap-southeast-1.rds.amazonaws.com",
            "port": 5433,
            "username": "telesales_lambda",
            "password": "p@ss w'rd",
            "dbname": "telesales",
        }
        arn = client.create_secret(Name="telesales/db", SecretString=json.dumps(value))["ARN"]
        # Powertools keeps one Secrets Manager client per process: one made by an earlier test (another
        # region, another mock) must not answer for this one.
        parameters.clear_caches()
        yield arn
    db.reset()
    parameters.clear_caches()


def test_url_from_secret(secret):
    parts = conninfo_to_dict(db.url_from_secret(secret))
    assert parts == {
        "host": "telesales.cluster-abc.ap-southeast-1.rds.amazonaws.com",
        "port": "5433",
        "user": "telesales_lambda",
        "password": "p@ss w'rd",
        "dbname": "telesales",
        "sslmode": "prefer",
    }


def test_proxy_endpoint_replaces_the_host_and_requires_tls(secret, monkeypatch):
    monkeypatch.setenv("DATABASE_PROXY_ENDPOINT", "telesales-proxy.proxy-abc.ap-southeast-1.rds.amazonaws.com")
    parts = conninfo_to_dict(db.url_from_secret(secret))
    assert parts["host"] == "telesales-proxy.proxy-abc.ap-southeast-1.rds.amazonaws.com"
    assert parts["sslmode"] == "require"
    assert (parts["user"], parts["password"], parts["port"], parts["dbname"]) == (
        "telesales_lambda",
        "p@ss w'rd",
        "5433",
        "telesales",
    )


def test_secret_arn_setting_is_what_the_api_connects_with(secret, monkeypatch):
    """DATABASE_SECRET_ARN (and no DATABASE_URL): the handler's connection URL comes from the secret."""
    monkeypatch.setenv("DATABASE_SECRET_ARN", secret)
    assert get_settings().database_secret_arn == secret
    db.reset()
    url = db._resolve_url()
    assert conninfo_to_dict(url)["user"] == "telesales_lambda"


@pytest.mark.parametrize("secret", ["s3cr3t", "x" * 31, "ạ" * 10])  # "ạ" is 3 bytes: 30 bytes
def test_a_jwt_secret_under_32_bytes_is_refused_without_echoing_it(monkeypatch, secret):
    monkeypatch.setenv("TELESALES_JWT_SECRET", secret)
    with pytest.raises(SettingsError) as error:
        load_settings()
    message = str(error.value)
    assert "TELESALES_JWT_SECRET: must be at least 32 bytes" in message
    assert secret not in message


def test_a_jwt_secret_of_32_bytes_is_accepted(monkeypatch):
    monkeypatch.setenv("TELESALES_JWT_SECRET", "k" * 32)
    assert load_settings().jwt_secret == "k" * 32


# ---------------------------------------------------------------------------------------------------
# The secret through the AWS Parameters and Secrets Lambda Extension (DECISIONLOG 78)

ARN = "arn:aws:secretsmanager:ap-southeast-1:123456789012:secret:telesales/db-AbC123"


@pytest.fixture
def extension():
    """A stand-in for the extension's local HTTP endpoint: answers GET /secretsmanager/get with a secret
    (user via_extension, password old) and records each request's path, secretId and token header."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from urllib.parse import parse_qs, urlsplit

    answer = {"username": "via_extension", "password": "old", "host": "db.internal"}
    state: dict = {"calls": []}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            parts = urlsplit(self.path)
            state["calls"].append(
                (parts.path, parse_qs(parts.query).get("secretId"), self.headers.get("X-Aws-Parameters-Secrets-Token"))
            )
            body = json.dumps({"ARN": ARN, "SecretString": json.dumps(answer)}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    state["port"] = server.server_address[1]
    yield state
    server.shutdown()
    db.reset()


def test_the_secret_comes_through_the_extension_without_boto3(extension):
    # (clean_env has removed DATABASE_URL: the fresh process must resolve the secret)
    code = (
        "import sys; from telesales_reports.db import connection as db; "
        "from psycopg.conninfo import conninfo_to_dict; "
        "parts = conninfo_to_dict(db._resolve_url()); "
        "print(parts['user'], parts['password'], parts['host'], 'boto3' in sys.modules)"
    )
    printed = python_prints(
        code,
        DATABASE_SECRET_ARN=ARN,
        TELESALES_SECRETS_EXTENSION_PORT=str(extension["port"]),
        AWS_SESSION_TOKEN="session-token",
    )
    assert printed.split() == ["via_extension", "old", "db.internal", "False"]
    assert extension["calls"] == [("/secretsmanager/get", [ARN], "session-token")]


def test_the_extension_is_read_once_per_max_age(extension, monkeypatch):
    monkeypatch.setenv("TELESALES_SECRETS_EXTENSION_PORT", str(extension["port"]))
    db.reset()
    assert conninfo_to_dict(db.url_from_secret(ARN))["user"] == "via_extension"
    assert conninfo_to_dict(db.url_from_secret(ARN))["user"] == "via_extension"
    assert len(extension["calls"]) == 1


def test_without_an_answering_extension_the_secret_comes_from_secrets_manager(secret, monkeypatch):
    import socket

    with socket.socket() as closed:  # a port nothing listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    monkeypatch.setenv("TELESALES_SECRETS_EXTENSION_PORT", str(port))
    assert conninfo_to_dict(db.url_from_secret(secret))["user"] == "telesales_lambda"


def test_a_refresh_after_a_failed_login_reads_secrets_manager_not_the_extensions_copy(secret, extension, monkeypatch):
    # The extension caches the secret too: after a rotation it may still answer the old password, so a
    # refresh (a login just failed) asks Secrets Manager, and its value is what later connections use.
    monkeypatch.setenv("TELESALES_SECRETS_EXTENSION_PORT", str(extension["port"]))
    assert conninfo_to_dict(db.url_from_secret(secret))["password"] == "old"
    assert conninfo_to_dict(db.url_from_secret(secret, refresh=True))["password"] == "p@ss w'rd"
    assert conninfo_to_dict(db.url_from_secret(secret))["password"] == "p@ss w'rd"
    assert len(extension["calls"]) == 1

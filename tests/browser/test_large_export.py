"""A large export in the browser: the API answers 302 to a presigned S3 URL on another origin, and the
console's download button still saves the file.

The S3 endpoint is a small stand-in on another loopback port (boto3 reaches it through
AWS_ENDPOINT_URL_S3) that stores the object and answers GET and preflight requests with exactly
the CORS rule of the export bucket in infra/template.yaml, so the test fails if that rule (or the
page's fetch) would not let a browser read the redirected download.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
import requests
import yaml

from telesales_reports.exports import storage
from telesales_reports.settings import get_settings
from tests.infra.test_template import TEMPLATE, CfnLoader


def export_bucket_cors_rule() -> dict:
    template = yaml.load(TEMPLATE.read_text(), Loader=CfnLoader)  # noqa: S506 - SafeLoader subclass
    (rule,) = template["Resources"]["ExportBucket"]["Properties"]["CorsConfiguration"]["CorsRules"]
    return rule


class FakeS3(BaseHTTPRequestHandler):
    objects: dict[str, tuple[bytes, str]] = {}
    seen: list[tuple[str, str, dict]] = []
    rule: dict = {}

    def log_message(self, format, *args):  # noqa: A002 - quiet
        pass

    def _cors(self) -> dict[str, str]:
        origin = self.headers.get("Origin")
        allowed = self.rule["AllowedOrigins"]
        if origin is None or not ("*" in allowed or origin in allowed):
            return {}
        headers = {"Access-Control-Allow-Origin": "*" if "*" in allowed else origin}
        if self.rule.get("ExposedHeaders"):
            headers["Access-Control-Expose-Headers"] = ", ".join(self.rule["ExposedHeaders"])
        return headers

    def _reply(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_PUT(self):  # noqa: N802 - boto3's put_object
        self.seen.append(("PUT", self.path, dict(self.headers)))
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.objects[unquote(urlsplit(self.path).path)] = (body, self.headers.get("Content-Type", ""))
        self._reply(200, headers={"ETag": '"fake"'})

    def do_GET(self):  # noqa: N802 - the browser following the presigned URL
        self.seen.append(("GET", self.path, dict(self.headers)))
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        if "Authorization" in self.headers or "X-Amz-Signature" not in query:
            self._reply(400, b"<Error>one presigned signature, no Authorization header</Error>")
            return
        body, content_type = self.objects[unquote(parts.path)]
        headers = {
            "Content-Type": query.get("response-content-type", [content_type])[0],
            "Content-Disposition": query["response-content-disposition"][0],
            **self._cors(),
        }
        self._reply(200, body, headers)

    def do_OPTIONS(self):  # noqa: N802 - a preflight would need the rule's methods and headers
        self.seen.append(("OPTIONS", self.path, dict(self.headers)))
        method = self.headers.get("Access-Control-Request-Method", "")
        headers = self._cors()
        if headers and method in self.rule["AllowedMethods"]:
            headers["Access-Control-Allow-Methods"] = ", ".join(self.rule["AllowedMethods"])
            headers["Access-Control-Allow-Headers"] = ", ".join(self.rule.get("AllowedHeaders", []))
            self._reply(200, headers=headers)
        else:
            self._reply(403)


@pytest.fixture
def fake_s3(monkeypatch):
    FakeS3.objects, FakeS3.seen, FakeS3.rule = {}, [], export_bucket_cors_rule()
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeS3)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", f"http://127.0.0.1:{server.server_port}")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-southeast-1")
    monkeypatch.setenv("AWS_REQUEST_CHECKSUM_CALCULATION", "when_required")
    monkeypatch.setenv("TELESALES_EXPORT_BUCKET", "exports-test")
    get_settings.cache_clear()
    yield FakeS3
    server.shutdown()
    server.server_close()
    get_settings.cache_clear()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_large_export_redirected_to_s3_downloads_in_the_browser(console, fake_s3, monkeypatch, tmp_path, fmt):
    query = "date_from=2026-06-01&date_to=2026-06-07&timezone=Asia/Ho_Chi_Minh"
    url = f"{console.live.base}/caller-id-health/export?{query}&format={fmt}"
    inline = requests.get(url, headers=console.live.auth(1), timeout=30)
    assert inline.status_code == 200
    console.open(query)  # served with the bucket's origin in connect-src (console_files.export_origins)

    monkeypatch.setattr(storage, "MAX_INLINE_BYTES", 100)  # every export is "too large" from here on
    redirect = requests.get(url, headers=console.live.auth(1), timeout=30, allow_redirects=False)
    assert redirect.status_code == 302 and redirect.headers["Location"].startswith("http://127.0.0.1:")

    with console.page.expect_download() as download_info:
        console.page.click(f"#panel-caller-id-health button.export[data-format={fmt}]")
    download = download_info.value
    assert download.suggested_filename == f"telesales-caller-id-health-20260601-20260607.{fmt}"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    if fmt == "csv":
        assert saved.read_bytes() == inline.content
    else:
        import openpyxl

        rows = list(openpyxl.load_workbook(saved)["caller-id-health"].iter_rows(values_only=True))
        assert rows == list(
            openpyxl.load_workbook(_file(tmp_path, inline.content))["caller-id-health"].iter_rows(values_only=True)
        )
    browser_gets = [(path, headers) for method, path, headers in fake_s3.seen if method == "GET"]
    assert len(browser_gets) == 1  # the page's own fetch followed the redirect
    _, headers = browser_gets[0]
    assert "Authorization" not in headers  # dropped on the cross-origin hop: S3 takes one signature
    assert headers.get("Origin") in ("null", console.root)  # a CORS request, answered by the bucket's rule
    assert not [m for m in fake_s3.seen if m[0] == "OPTIONS"]  # a simple GET: no preflight needed
    assert console.problems() == []


def _file(folder, content: bytes):
    path = folder / "inline.xlsx"
    path.write_bytes(content)
    return path

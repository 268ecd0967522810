"""Sign-in through the Cognito hosted UI (authorization code with PKCE), as the page does in AWS.

Cognito is played by Playwright routes on its hosted-UI domain; the page is served with the
Content-Security-Policy of infra/console.yaml for a stack with CognitoDomain set (the IdP's origin
added to connect-src), and config.json as scripts/deploy-console.sh writes it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from urllib.parse import parse_qs, urlsplit

from telesales_dev.console_files import CONTENT_SECURITY_POLICY

IDP = "auth.example.test"
CLIENT_ID = "console-client"


def test_hosted_ui_sign_in_with_pkce(console):
    page = console.page
    root = console.root
    seen: dict = {}

    def page_with_idp_policy(route):
        response = route.fetch()
        headers = dict(response.headers)
        headers["content-security-policy"] = CONTENT_SECURITY_POLICY.format(connect=f" https://{IDP}")
        route.fulfill(response=response, headers=headers)

    def config(route):
        body = {
            "apiBase": "/api/telesales/reports",
            "cognito": {"domain": IDP, "clientId": CLIENT_ID, "tokenUse": "id"},
        }
        route.fulfill(status=200, content_type="application/json", body=json.dumps(body))

    def authorize(route):
        query = parse_qs(urlsplit(route.request.url).query)
        seen["authorize"] = query
        back = f"{query['redirect_uri'][0]}?code=the-code&state={query['state'][0]}"
        # The hosted UI's page after the user signed in; a meta refresh rather than a 302, because
        # Playwright routes only the first request of a redirect chain (the page's CSP comes from one).
        html = f'<meta http-equiv="refresh" content="0;url={back}">'
        route.fulfill(status=200, content_type="text/html", body=html)

    def token(route):
        if route.request.method == "OPTIONS":
            route.fulfill(status=204, headers=_cors())
            return
        seen["token"] = parse_qs(route.request.post_data)
        body = {"id_token": console.live.token1, "access_token": "not-this-one", "token_type": "Bearer"}
        route.fulfill(status=200, content_type="application/json", body=json.dumps(body), headers=_cors())

    page.route(re.compile(rf"^{re.escape(root)}/(\?.*)?$"), page_with_idp_policy)
    page.route(f"{root}/config.json", config)
    page.route(f"https://{IDP}/oauth2/authorize?*", authorize)
    page.route(f"https://{IDP}/oauth2/token", token)

    page.goto(f"{root}/?date_from=2026-06-01&date_to=2026-06-07&timezone=Asia/Ho_Chi_Minh")
    page.wait_for_selector("#signin-idp:not([hidden])")
    page.click("#signin-idp")
    console.wait_until_ready()

    query = seen["authorize"]
    assert query["response_type"] == ["code"] and query["client_id"] == [CLIENT_ID]
    assert query["redirect_uri"] == [f"{root}/"] and query["code_challenge_method"] == ["S256"]
    exchange = seen["token"]
    assert exchange["grant_type"] == ["authorization_code"] and exchange["code"] == ["the-code"]
    assert exchange["client_id"] == [CLIENT_ID] and exchange["redirect_uri"] == [f"{root}/"]
    verifier = exchange["code_verifier"][0]
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    assert query["code_challenge"] == [challenge]
    # signed in with the ID token; the view the user asked for is back, without the code in the URL
    assert page.inner_text("#who") == "Tenant 1"
    assert urlsplit(page.url).query == "date_from=2026-06-01&date_to=2026-06-07&timezone=Asia%2FHo_Chi_Minh"
    assert page.evaluate("sessionStorage.getItem('telesales-reports-token')") == console.live.token1
    assert console.problems() == []


def _cors() -> dict[str, str]:
    return {
        "Access-Control-Allow-Origin": "*",
        "Access-Control-Allow-Methods": "POST",
        "Access-Control-Allow-Headers": "content-type",
    }

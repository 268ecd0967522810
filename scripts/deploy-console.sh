#!/usr/bin/env bash
# Upload the reports console to the bucket of the console stack (infra/console.yaml) and invalidate
# CloudFront. Needs the AWS CLI with credentials, npm (the pinned chart library) and:
#   CONSOLE_STACK           the console stack's name (its outputs give the bucket and distribution)
# optional, for the Cognito hosted-UI sign-in (docs/console.md):
#   COGNITO_DOMAIN          e.g. auth.example.com or PREFIX.auth.REGION.amazoncognito.com
#   COGNITO_CLIENT_ID       the app client (public, no secret; authorization code + PKCE)
#   COGNITO_TOKEN_USE       id (default) or access: which token the page sends to the API
set -euo pipefail
cd "$(dirname "$0")/.."
: "${CONSOLE_STACK:?set CONSOLE_STACK to the console stack name}"
bash scripts/build-console.sh
output() {
    aws cloudformation describe-stacks --stack-name "$CONSOLE_STACK" \
        --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue" --output text
}
bucket=$(output ConsoleBucketName)
distribution=$(output ConsoleDistributionId)
site=$(mktemp -d)
trap 'rm -rf "$site"' EXIT
cp console/index.html console/app.js console/app.css "$site/"
cp -R console/vendor "$site/vendor"
rm -f "$site"/vendor/.built-*
python3 - "$site/config.json" <<'PY'
import json, os, sys
domain = os.environ.get("COGNITO_DOMAIN", "")
cognito = None
if domain:
    cognito = {"domain": domain, "clientId": os.environ["COGNITO_CLIENT_ID"], "tokenUse": os.environ.get("COGNITO_TOKEN_USE", "id")}
json.dump({"apiBase": "/api/telesales/reports", "cognito": cognito}, open(sys.argv[1], "w"), indent=2)
PY
aws s3 sync "$site" "s3://$bucket/" --delete --cache-control "no-cache"
aws cloudfront create-invalidation --distribution-id "$distribution" --paths "/*" >/dev/null
echo "console uploaded: $(output ConsoleUrl)"

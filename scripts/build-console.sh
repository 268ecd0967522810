#!/usr/bin/env bash
# The reports console is static files (console/); its one third-party library, Apache ECharts, comes
# from the npm registry at the version pinned in console/package-lock.json (integrity-checked by
# `npm ci`) and is copied with its licences into console/vendor/ (git-ignored). After this, console/
# minus node_modules/ and package*.json is the whole site: what `serve` answers at / and what
# `scripts/deploy-console.sh` uploads to S3. Runs only when the lock file changed.
set -euo pipefail
cd "$(dirname "$0")/../console"
stamp="vendor/.built-$(sha1sum package-lock.json | cut -c1-12)"
if [ -f "$stamp" ] && [ -f vendor/echarts.min.js ]; then
    exit 0
fi
command -v npm >/dev/null || { echo "npm (Node.js 20+) is needed to fetch the console's chart library" >&2; exit 1; }
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
rm -rf vendor
mkdir -p vendor/licenses
cp node_modules/echarts/dist/echarts.min.js vendor/
cp node_modules/echarts/LICENSE vendor/licenses/echarts-LICENSE.txt
cp node_modules/echarts/NOTICE vendor/licenses/echarts-NOTICE.txt
cp node_modules/echarts/licenses/LICENSE-d3 vendor/licenses/echarts-d3-LICENSE.txt
cp node_modules/zrender/LICENSE vendor/licenses/zrender-LICENSE.txt
cp node_modules/tslib/LICENSE.txt vendor/licenses/tslib-LICENSE.txt
touch "$stamp"
echo "console: vendored echarts $(node -p 'require("./node_modules/echarts/package.json").version') into console/vendor/"

#!/usr/bin/env bash
# Recompile the lock files from pyproject.toml (run after changing a dependency; commit the result).
# Needs uv (from PyPI: `pip install uv`). One universal lock per place the code runs:
#   requirements/lambda.txt  the Lambda (base dependencies only; infra/Makefile)
#   requirements/build.txt   the dbt build image (extras `build` and `aws`; Dockerfile)
#   requirements/dev.txt     CI and development (extra `dev`; `bash run`)
set -euo pipefail
cd "$(dirname "$0")/.."
UV=${UV:-uv}
common=(--universal --python-version 3.11 --no-header --quiet)
"$UV" pip compile pyproject.toml "${common[@]}" -o requirements/lambda.txt
"$UV" pip compile pyproject.toml "${common[@]}" --extra build --extra aws -o requirements/build.txt
"$UV" pip compile pyproject.toml "${common[@]}" --extra dev -o requirements/dev.txt

#!/usr/bin/env bash
# Fuzz the report API for longer than CI does: schemathesis over every operation of the served
# OpenAPI document plus the hand-picked hostile inputs (tests/reliability/test_fuzz.py).
#
#   scripts/fuzz.sh                      # 500 examples per operation, a fresh random seed
#   FUZZ_EXAMPLES=2000 scripts/fuzz.sh   # longer
#   FUZZ_SEED=1234 scripts/fuzz.sh       # replay the seed a failing run printed
#   scripts/fuzz.sh -x -k hostile        # extra arguments go to pytest
#
# The test starts its own local API (`local_api.serve` on a free loopback port) over a freshly
# built database of the hand-made contract dataset, so it needs no running server and leaves the
# default database alone. Needs schemathesis in the venv: .venv/bin/pip install 'schemathesis>=4.32,<5'
set -euo pipefail
cd "$(dirname "$0")/.."

export FUZZ_EXAMPLES="${FUZZ_EXAMPLES:-500}"
export FUZZ_SEED="${FUZZ_SEED:-$RANDOM$RANDOM}"
echo "fuzz: FUZZ_EXAMPLES=$FUZZ_EXAMPLES FUZZ_SEED=$FUZZ_SEED (set FUZZ_SEED to replay this run)"
exec .venv/bin/pytest tests/reliability/test_fuzz.py -q "$@"

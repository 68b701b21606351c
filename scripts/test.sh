#!/usr/bin/env bash
# Set up (first time only) and run the whole test suite.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test || exit 1
export GRADIO_ANALYTICS_ENABLED=False ANONYMIZED_TELEMETRY=False
.venv/bin/python -m ruff check bot ingest tests benchmarks app.py || exit 1
# The import contract: quiet when kept, the full report when broken.
out=$(.venv/bin/lint-imports --no-cache --no-logo 2>&1) || { echo "$out"; exit 1; }
.venv/bin/python -m pytest "$@"
rc=$?
[ $rc -eq 5 ] && { echo "pytest collected no tests" >&2; exit 1; }
exit $rc

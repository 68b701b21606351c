#!/usr/bin/env bash
# Set up (first time only) and run the whole test suite.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test || exit 1
export GRADIO_ANALYTICS_ENABLED=False ANONYMIZED_TELEMETRY=False
.venv/bin/python -m ruff check bot ingest tests benchmarks app.py || exit 1
.venv/bin/lint-imports --no-cache -q 2>/dev/null || { .venv/bin/lint-imports --no-cache; exit 1; }
.venv/bin/python -m pytest "$@"
rc=$?
[ $rc -eq 5 ] && { echo "pytest collected no tests" >&2; exit 1; }
exit $rc

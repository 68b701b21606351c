#!/usr/bin/env bash
# Set up (first time only) and run the chatbot on seeds/ at http://127.0.0.1:7860 .
# The seeds are ingested on first start (about a minute on 2 cores), incrementally afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python app.py "$@"

#!/usr/bin/env bash
# Create .venv in the project root and install the project (and, with --test, the test tools and
# Debian's Chromium for the browser tests). Safe to run again: it reinstalls only when
# pyproject.toml changed.
set -euo pipefail
cd "$(dirname "$0")/.."
want_test=0
[ "${1:-}" = "--test" ] && want_test=1

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "creating .venv with $($PY --version)"
  "$PY" -m venv .venv
fi
extras=""
[ $want_test = 1 ] && extras="[test]"
stamp=".venv/.installed-$(sha1sum pyproject.toml | cut -c1-12)${extras:+-test}"
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".${extras}"
  rm -f .venv/.installed-*
  touch "$stamp"
fi

# Browser tests drive Debian's Chromium (never a test tool's own browser download); a CJK font
# makes the screenshots readable.
if [ $want_test = 1 ] && { ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "wenquanyi\|noto sans cjk"; }; then
  if [ "$(id -u)" = 0 ]; then
    echo "installing Debian's chromium and a CJK font for the browser tests"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver fonts-wqy-zenhei >/dev/null
  else
    echo "warning: chromium or a CJK font is missing; the browser tests will fail. Install them: sudo apt-get install chromium fonts-wqy-zenhei" >&2
  fi
fi

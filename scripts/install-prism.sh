#!/usr/bin/env bash
# Installs the Prism mock server (@stoplight/prism-cli) into the repo-local
# folder .tools/prism, for the Telnyx contract tests
# (crates/telnyx/tests/prism_contract.rs). Skips the install when the pinned
# version is already there. Needs node + npm and the npm registry.
set -euo pipefail
cd "$(dirname "$0")/.."

PRISM_VERSION="5.16.0"
PREFIX=".tools/prism"
BIN="$PREFIX/node_modules/.bin/prism"

if [ -x "$BIN" ] && [ "$("$BIN" --version 2>/dev/null || true)" = "$PRISM_VERSION" ]; then
  echo "prism $PRISM_VERSION already installed at $BIN"
  exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
  echo "npm not found: install Node.js (apt-get install -y nodejs npm)" >&2
  exit 1
fi

mkdir -p "$PREFIX"
# A private package.json keeps npm from walking up into the repository.
if [ ! -f "$PREFIX/package.json" ]; then
  printf '{ "name": "numberdesk-tools-prism", "private": true }\n' >"$PREFIX/package.json"
fi
npm install --prefix "$PREFIX" --no-audit --no-fund --loglevel=error \
  "@stoplight/prism-cli@$PRISM_VERSION"

"$BIN" --version
echo "prism installed at $BIN"

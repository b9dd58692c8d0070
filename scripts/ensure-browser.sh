#!/usr/bin/env bash
# Makes the console's browser tests runnable (CI): Debian's Chromium and
# chromedriver, Node.js, and playwright-core from crates/http/assets'
# package-lock.json (`npm ci`; no browser is downloaded).
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
if ((${#missing[@]})); then
  echo "installing ${missing[*]} with apt-get"
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}"
fi
chromium --version 2>/dev/null || true
(cd crates/http/assets && npm ci --ignore-scripts --no-audit --no-fund >/dev/null)
echo "playwright-core $(node -p "require('./crates/http/assets/node_modules/playwright-core/package.json').version")"

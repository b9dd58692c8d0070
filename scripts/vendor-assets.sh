#!/usr/bin/env bash
# Copies the pinned browser files (GraphiQL, React, graphql-ws) from
# node_modules into crates/http/assets/vendor/, where the server embeds them.
#   scripts/vendor-assets.sh          copy (after `npm ci` in crates/http/assets)
#   scripts/vendor-assets.sh --check  `npm ci` into a scratch copy, copy, and
#                                     fail unless the committed files match
#                                     byte for byte (CI)
set -euo pipefail
cd "$(dirname "$0")/.."
assets=crates/http/assets

# source (under node_modules) -> name in vendor/
files=(
  "react/umd/react.production.min.js react.production.min.js"
  "react-dom/umd/react-dom.production.min.js react-dom.production.min.js"
  "graphiql/graphiql.min.js graphiql.min.js"
  "graphiql/graphiql.min.css graphiql.min.css"
  "graphql-ws/umd/graphql-ws.min.js graphql-ws.min.js"
)

copy() { # node_modules dir, destination dir
  mkdir -p "$2"
  for entry in "${files[@]}"; do
    read -r source name <<<"$entry"
    cp "$1/$source" "$2/$name"
  done
  for pkg in react react-dom graphiql graphql-ws; do
    printf '%s %s\n' "$pkg" "$(node -p "require(require('path').resolve(process.argv[1])).version" "$1/$pkg/package.json")"
  done >"$2/VERSIONS"
}

if [[ "${1:-}" == "--check" ]]; then
  scratch=$(mktemp -d)
  trap 'rm -rf "$scratch"' EXIT
  cp "$assets/package.json" "$assets/package-lock.json" "$scratch/"
  (cd "$scratch" && npm ci --ignore-scripts --no-audit --no-fund --omit=dev >/dev/null)
  copy "$scratch/node_modules" "$scratch/vendor"
  if ! diff -r "$scratch/vendor" "$assets/vendor"; then
    echo "vendored assets differ from package-lock.json: run scripts/vendor-assets.sh and commit" >&2
    exit 1
  fi
  echo "vendored assets match package-lock.json"
else
  copy "$assets/node_modules" "$assets/vendor"
  cat "$assets/vendor/VERSIONS"
fi

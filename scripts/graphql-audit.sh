#!/usr/bin/env bash
# Starts the real server on a free port (fresh SQLite) and runs the
# graphql-http server audit against it (scripts/graphql-audit.mjs).
set -euo pipefail
cd "$(dirname "$0")/.."
tools=.tools/graphql-http
if [ ! -d "$tools/node_modules/graphql-http" ]; then
  mkdir -p "$tools"
  (cd "$tools" && npm install --silent --no-audit --no-fund graphql-http@1.22.4 graphql@16 >/dev/null)
fi

bin=${NUMBERDESK_BIN:-target/debug/numberdesk}
[ -x "$bin" ] || cargo build --quiet --bin numberdesk
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
DATABASE_URL="sqlite://$work/audit.db" PORT=$port RUST_LOG=warn "$bin" serve >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  sleep 0.2
done
# Introspection (the audit asks `__type`) is for signed-in callers only, so
# the audit runs as the demo ops key the first start printed.
key=$(sed -n 's/^ *ops API key *: *//p' "$work/server.log" | head -n 1)
[ -n "$key" ] || { echo "error: no demo ops key in the server log" >&2; cat "$work/server.log" >&2; exit 1; }
# Run the audit from the folder that has graphql-http installed.
cp scripts/graphql-audit.mjs "$tools/audit.mjs"
NUMBERDESK_KEY="$key" node "$tools/audit.mjs" "http://127.0.0.1:$port/graphql"

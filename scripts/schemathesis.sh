#!/usr/bin/env bash
# Property-based contract check of the REST API against its own OpenAPI
# document: starts the real server on a free port (fresh SQLite file, demo
# tenant), then runs schemathesis with the demo credentials. Fails on any 5xx
# or any response that does not match the document.
set -euo pipefail
cd "$(dirname "$0")/.."

version=4.32.5
if ! schemathesis --version 2>/dev/null | grep -q "$version"; then
  python3 -m pip install --quiet --disable-pip-version-check "schemathesis==$version"
fi

bin=${NUMBERDESK_BIN:-target/debug/numberdesk}
[ -x "$bin" ] || cargo build --quiet --bin numberdesk

work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
DATABASE_URL="sqlite://$work/schemathesis.db" PORT=$port RUST_LOG=warn "$bin" serve >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT

for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  sleep 0.2
done
key=$(awk '/partner API key/ {print $NF}' "$work/server.log")
account=$(awk '/X-Account-Id / {print $NF}' "$work/server.log")
slug=$(awk '/orgSlug/ {print $3}' "$work/server.log")
[ -n "$key" ] && [ -n "$account" ] && [ -n "$slug" ] || { cat "$work/server.log"; echo "no demo credentials" >&2; exit 1; }

cat >"$work/schemathesis.toml" <<TOML
[parameters]
"path.orgSlug" = "$slug"
TOML

schemathesis --config-file "$work/schemathesis.toml" run "http://127.0.0.1:$port/api/v1/openapi.json" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --header "Authorization: Bearer $key" \
  --header "X-Account-Id: $account" \
  --max-examples "${SCHEMATHESIS_EXAMPLES:-60}" \
  --generation-deterministic \
  --no-color

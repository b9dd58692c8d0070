#!/usr/bin/env bash
# CI smoke run of the load generator (a few seconds, never timed): starts the
# server on a fresh PostgreSQL database (SQLite when PostgreSQL is absent and
# not required), runs every workload for a second with 4 clients, including
# the raw-SQL baseline, and fails only if a workload completed nothing or hit
# an error.
set -euo pipefail
cd "$(dirname "$0")/.."
profile_flag=${BENCH_PROFILE_FLAG:-}          # e.g. --release
target_dir=${CARGO_TARGET_DIR:-target}/${BENCH_PROFILE_DIR:-debug}
cargo build $profile_flag -p numberdesk --bin numberdesk
cargo build $profile_flag -p numberdesk-bench
work=$(mktemp -d)
db=""
cleanup() {
  [ -n "${server_pid:-}" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  [ -n "$db" ] && psql -h 127.0.0.1 -U postgres -d test -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT
if pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  db="nd_bench_smoke_$$"
  psql -h 127.0.0.1 -U postgres -d test -qc "CREATE DATABASE $db"
  url="postgres://postgres@127.0.0.1:5432/$db"
elif [ "${NUMBERDESK_REQUIRE_POSTGRES:-}" = 1 ]; then
  echo "error: PostgreSQL required for the bench smoke run" >&2; exit 1
else
  url="sqlite://$work/bench.db"
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
RATE_LIMIT_PER_KEY=0 RATE_LIMIT_PER_ADDRESS=0 DATABASE_URL="$url" PORT=$port DEMO_SEED=false RUST_LOG=warn "$target_dir/numberdesk" serve >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done
"$target_dir/numberdesk-bench" run --url "http://127.0.0.1:$port" --database-url "$url" \
  --clients 4 --duration 1 --prefill 20 --no-progress --check --json "$work/report.json" \
  > "$work/stdout.txt" || { cat "$work/stdout.txt" "$work/server.log"; exit 1; }
sed -n '/^workload/,/^$/p' "$work/stdout.txt"
echo "bench smoke run OK"

#!/usr/bin/env bash
# CI needs a reachable PostgreSQL: start the local cluster if it is installed
# but stopped, and fail (never skip) if it still cannot be reached.
set -euo pipefail
host=127.0.0.1 port=5432
if pg_isready -h "$host" -p "$port" -q 2>/dev/null; then
  echo "PostgreSQL is up on $host:$port"; exit 0
fi
if command -v pg_ctlcluster >/dev/null 2>&1; then
  for version in $(ls /etc/postgresql 2>/dev/null); do
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  done
  for _ in $(seq 1 30); do
    pg_isready -h "$host" -p "$port" -q 2>/dev/null && { echo "PostgreSQL started"; exit 0; }
    sleep 1
  done
fi
echo "error: PostgreSQL is not reachable on $host:$port; the PostgreSQL tests cannot run" >&2
exit 1

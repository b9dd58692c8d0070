#!/usr/bin/env bash
# Fault suite: PostgreSQL restarted mid-load (tests/fault_pg_restart.rs).
# Restarts the local cluster with pg_ctlcluster: run it when no one else on
# this machine is using PostgreSQL (CI runs it after the other tests).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-postgres.sh
NUMBERDESK_FAULT_PG_RESTART=1 NUMBERDESK_REQUIRE_POSTGRES=1 \
  cargo test --test fault_pg_restart -- --nocapture
# Leave PostgreSQL up for whatever runs next.
bash scripts/ensure-postgres.sh

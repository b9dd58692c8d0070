#!/usr/bin/env bash
# The whole fault suite (see RELIABILITY.md): concurrency, SIGKILL, bad input,
# fuzzing, then the PostgreSQL restart on its own.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-postgres.sh
export NUMBERDESK_REQUIRE_POSTGRES=1
cargo test --test fault_concurrency --test fault_sigkill --test fault_bad_input --test fault_fuzz -- --nocapture
bash scripts/fault-pg-restart.sh

#!/usr/bin/env bash
# The whole fault suite (see RELIABILITY.md): concurrency, SIGKILL, bad input,
# fuzzing, then the PostgreSQL restart on its own.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-postgres.sh
export NUMBERDESK_REQUIRE_POSTGRES=1
cargo test --test api -- fault_concurrency:: fault_sigkill:: fault_bad_input:: fault_fuzz:: --nocapture
bash scripts/fault-pg-restart.sh

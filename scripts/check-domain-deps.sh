#!/usr/bin/env bash
# The domain crate must stay embeddable: no database driver, HTTP stack or
# web framework may appear anywhere in its dependency tree.
set -euo pipefail
cd "$(dirname "$0")/.."
tree=$(cargo tree -p numberdesk-domain -e normal --prefix none --format '{p}')
forbidden='^(sqlx|sqlx-[a-z-]+|axum|axum-core|reqwest|hyper|hyper-util|tokio-postgres|postgres|libsqlite3-sys|rusqlite|diesel|sea-orm|mysql_async)[ ]'
if echo "$tree" | grep -E "$forbidden"; then
  echo "error: numberdesk-domain depends on the crates above; keep it free of adapters" >&2
  exit 1
fi
echo "numberdesk-domain: no database, HTTP or web-framework crates ($(echo "$tree" | sort -u | wc -l) crates checked)"

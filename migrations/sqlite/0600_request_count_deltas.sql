-- Counter deltas (see the PostgreSQL migration of the same number): written
-- by a command beside its own view row, summed with `request_counts` on
-- read, folded into it by projector passes.
CREATE TABLE IF NOT EXISTS request_count_deltas (
    organization_id INTEGER NOT NULL,
    status          TEXT    NOT NULL,
    n               INTEGER NOT NULL
);

CREATE INDEX IF NOT EXISTS request_count_deltas_org_idx ON request_count_deltas (organization_id, status);

-- Counter deltas: a command writes its request's view row in its own
-- transaction and records the status change as insert-only rows here,
-- instead of updating the one `request_counts` row every writer of that
-- organisation and status shares. Readers sum `request_counts` and these
-- rows; projector passes fold them into `request_counts` now and then (one
-- statement: DELETE … RETURNING feeding the upsert).
CREATE TABLE IF NOT EXISTS request_count_deltas (
    organization_id bigint NOT NULL,
    status          text   NOT NULL,
    n               bigint NOT NULL
);

CREATE INDEX IF NOT EXISTS request_count_deltas_org_idx ON request_count_deltas (organization_id, status);

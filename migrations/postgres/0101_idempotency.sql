-- Idempotency-Key records of REST POSTs.
CREATE TABLE IF NOT EXISTS idempotency_keys (
    partner_id   TEXT NOT NULL,
    key          TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    response     TEXT,
    created_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (partner_id, key)
);

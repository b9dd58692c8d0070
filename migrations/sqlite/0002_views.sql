-- Read models, kept by the checkpointed catch-up projector
-- (crates/adapters/src/projector.rs).

-- Named counters; `request_number` is the per-deployment integer id of a
-- request (`"id": 42` in the REST contract), drawn in a write transaction.
CREATE TABLE IF NOT EXISTS counters
(
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT INTO counters (name, value) VALUES ('request_number', 0) ON CONFLICT DO NOTHING;

-- How far the projector has applied the log; updated in the same transaction
-- as the view rows it wrote.
CREATE TABLE IF NOT EXISTS projection_checkpoints
(
    name     TEXT PRIMARY KEY,
    position INTEGER NOT NULL
);
INSERT INTO projection_checkpoints (name, position) VALUES ('views', 0) ON CONFLICT DO NOTHING;

-- UUIDs are 16-byte BLOBs, instants RFC 3339 text in UTC (sqlx's encoding).
CREATE TABLE IF NOT EXISTS number_requests
(
    id                    INTEGER PRIMARY KEY,
    uuid                  BLOB    NOT NULL UNIQUE,
    organization_id       INTEGER NOT NULL,
    account_id            BLOB    NOT NULL,
    country               TEXT    NOT NULL,
    number_type           TEXT    NOT NULL,
    use_case              TEXT    NOT NULL,
    status                TEXT    NOT NULL,
    requested_area        TEXT,
    company_name          TEXT,
    vat_number            TEXT,
    address               TEXT,
    website               TEXT,
    contact_name          TEXT    NOT NULL,
    contact_email         TEXT    NOT NULL,
    assigned_to           TEXT,
    ops_notes             TEXT,
    provisioned_number_id INTEGER,
    quantity              INTEGER NOT NULL,
    range_size            INTEGER,
    area_code             TEXT,
    city                  TEXT,
    region                TEXT,
    comment               TEXT,
    callback_url          TEXT,
    attempt               INTEGER NOT NULL,
    carrier_order_id      TEXT,
    ordered_numbers       TEXT    NOT NULL,
    provisioned_numbers   TEXT    NOT NULL,
    failed_numbers        TEXT    NOT NULL,
    reason                TEXT,
    created_at            TEXT    NOT NULL,
    updated_at            TEXT    NOT NULL,
    version               INTEGER NOT NULL
);

CREATE INDEX IF NOT EXISTS number_requests_org_idx ON number_requests (organization_id, id);
CREATE INDEX IF NOT EXISTS number_requests_status_idx ON number_requests (status, id);
CREATE INDEX IF NOT EXISTS number_requests_country_idx ON number_requests (country, id);
CREATE INDEX IF NOT EXISTS number_requests_assigned_idx ON number_requests (assigned_to, id);
CREATE INDEX IF NOT EXISTS number_requests_created_idx ON number_requests (created_at);
CREATE INDEX IF NOT EXISTS number_requests_account_idx ON number_requests (account_id);

-- id = the global position of the Provisioned event: unique, increasing, and
-- identical after a rebuild.
CREATE TABLE IF NOT EXISTS phone_numbers
(
    id               INTEGER PRIMARY KEY,
    phone_number     TEXT    NOT NULL,
    organization_id  INTEGER NOT NULL,
    account_id       BLOB    NOT NULL,
    request_id       BLOB    NOT NULL REFERENCES number_requests (uuid) ON DELETE CASCADE,
    request_number   INTEGER NOT NULL,
    carrier_order_id TEXT    NOT NULL,
    status           TEXT    NOT NULL,
    provisioned_at   TEXT    NOT NULL,
    UNIQUE (request_id, phone_number)
);

CREATE INDEX IF NOT EXISTS phone_numbers_org_idx ON phone_numbers (organization_id, id);
CREATE INDEX IF NOT EXISTS phone_numbers_account_idx ON phone_numbers (account_id, id);
CREATE INDEX IF NOT EXISTS phone_numbers_request_idx ON phone_numbers (request_id, id);
CREATE INDEX IF NOT EXISTS phone_numbers_number_idx ON phone_numbers (phone_number);

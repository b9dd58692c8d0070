-- Durable fulfilment work (crates/adapters/src/fulfilment): the jobs/outbox
-- table, the log of each job run, the Telnyx webhook inbox, per-account
-- callback signing secrets, and the checkpoint of the event consumer that
-- turns events into jobs. Times are Unix epoch milliseconds (the
-- application's clock), so the same SQL serves both backends.

CREATE TABLE IF NOT EXISTS jobs
(
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    -- 'auto_assign' | 'order' | 'poll' | 'webhook' | 'callback'
    kind             TEXT   NOT NULL,
    -- The number request the job works on (text UUID), if known.
    request_id       TEXT,
    -- One job per unit of work: 'order:{request}:{attempt}',
    -- 'callback:{request}:{position}', 'webhook:{event id}', ...
    dedupe_key       TEXT   NOT NULL UNIQUE,
    payload          TEXT   NOT NULL,
    -- 'pending' | 'running' | 'done' | 'failed' (gave up or refused)
    status           TEXT   NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    -- NULL: retried for ever (pollers).
    max_attempts     INTEGER,
    next_run_at      INTEGER NOT NULL,
    last_error       TEXT,
    last_http_status INTEGER,
    lease_owner      TEXT,
    lease_until      INTEGER,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    finished_at      INTEGER
);
CREATE INDEX IF NOT EXISTS jobs_due_idx ON jobs (status, next_run_at);
CREATE INDEX IF NOT EXISTS jobs_request_idx ON jobs (request_id, id);

-- One row per finished run of a job (callback deliveries: every attempt).
CREATE TABLE IF NOT EXISTS job_attempts
(
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id      INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    attempt     INTEGER NOT NULL,
    worker      TEXT   NOT NULL,
    started_at  INTEGER NOT NULL,
    finished_at INTEGER NOT NULL,
    -- 'ok' | 'retry' | 'failed'
    outcome     TEXT   NOT NULL,
    http_status INTEGER,
    error       TEXT
);
CREATE INDEX IF NOT EXISTS job_attempts_job_idx ON job_attempts (job_id, id);

-- Verified Telnyx webhooks, stored before they are acknowledged; data.id dedupes.
CREATE TABLE IF NOT EXISTS carrier_webhook_events
(
    event_id     TEXT PRIMARY KEY,
    event_type   TEXT   NOT NULL,
    occurred_at  TEXT   NOT NULL,
    received_at  INTEGER NOT NULL,
    carrier_order_id TEXT,
    customer_reference TEXT,
    body         TEXT   NOT NULL
);

-- HMAC-SHA256 secret signing the status callbacks of an account's requests.
CREATE TABLE IF NOT EXISTS callback_secrets
(
    account_id TEXT PRIMARY KEY,
    secret     TEXT   NOT NULL,
    created_at INTEGER NOT NULL
);

INSERT INTO projection_checkpoints (name, position) VALUES ('fulfilment', 0) ON CONFLICT DO NOTHING;

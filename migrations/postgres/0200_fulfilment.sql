-- Durable fulfilment work (crates/adapters/src/fulfilment): the jobs/outbox
-- table, the log of each job run, the Telnyx webhook inbox, per-account
-- callback signing secrets, and the checkpoint of the event consumer that
-- turns events into jobs. Times are Unix epoch milliseconds (the
-- application's clock), so the same SQL serves both backends.

CREATE TABLE IF NOT EXISTS jobs
(
    id               bigserial PRIMARY KEY,
    -- 'auto_assign' | 'order' | 'poll' | 'webhook' | 'callback'
    kind             text   NOT NULL,
    -- The number request the job works on (text UUID), if known.
    request_id       text,
    -- One job per unit of work: 'order:{request}:{attempt}',
    -- 'callback:{request}:{position}', 'webhook:{event id}', ...
    dedupe_key       text   NOT NULL UNIQUE,
    payload          text   NOT NULL,
    -- 'pending' | 'running' | 'done' | 'failed' (gave up or refused)
    status           text   NOT NULL,
    attempts         bigint NOT NULL DEFAULT 0,
    -- NULL: retried for ever (pollers).
    max_attempts     bigint,
    next_run_at      bigint NOT NULL,
    last_error       text,
    last_http_status bigint,
    lease_owner      text,
    lease_until      bigint,
    created_at       bigint NOT NULL,
    updated_at       bigint NOT NULL,
    finished_at      bigint
);
CREATE INDEX IF NOT EXISTS jobs_due_idx ON jobs (status, next_run_at);
CREATE INDEX IF NOT EXISTS jobs_request_idx ON jobs (request_id, id);

-- One row per finished run of a job (callback deliveries: every attempt).
CREATE TABLE IF NOT EXISTS job_attempts
(
    id          bigserial PRIMARY KEY,
    job_id      bigint NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    attempt     bigint NOT NULL,
    worker      text   NOT NULL,
    started_at  bigint NOT NULL,
    finished_at bigint NOT NULL,
    -- 'ok' | 'retry' | 'failed'
    outcome     text   NOT NULL,
    http_status bigint,
    error       text
);
CREATE INDEX IF NOT EXISTS job_attempts_job_idx ON job_attempts (job_id, id);

-- Verified Telnyx webhooks, stored before they are acknowledged; data.id dedupes.
CREATE TABLE IF NOT EXISTS carrier_webhook_events
(
    event_id     text PRIMARY KEY,
    event_type   text   NOT NULL,
    occurred_at  text   NOT NULL,
    received_at  bigint NOT NULL,
    carrier_order_id text,
    customer_reference text,
    body         text   NOT NULL
);

-- HMAC-SHA256 secret signing the status callbacks of an account's requests.
CREATE TABLE IF NOT EXISTS callback_secrets
(
    account_id text PRIMARY KEY,
    secret     text   NOT NULL,
    created_at bigint NOT NULL
);

INSERT INTO projection_checkpoints (name, position) VALUES ('fulfilment', 0) ON CONFLICT DO NOTHING;

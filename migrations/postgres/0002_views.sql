-- Read models, kept by the checkpointed catch-up projector
-- (crates/adapters/src/projector.rs).

-- The per-deployment integer id of a request (`"id": 42` in the REST contract).
CREATE SEQUENCE IF NOT EXISTS request_number_seq;

-- How far the projector has applied the log; updated in the same transaction
-- as the view rows it wrote.
CREATE TABLE IF NOT EXISTS projection_checkpoints
(
    name     text PRIMARY KEY,
    position bigint NOT NULL
);
INSERT INTO projection_checkpoints (name, position) VALUES ('views', 0) ON CONFLICT DO NOTHING;

CREATE TABLE IF NOT EXISTS number_requests
(
    id                    bigint PRIMARY KEY,
    uuid                  uuid        NOT NULL UNIQUE,
    organization_id       bigint      NOT NULL,
    account_id            uuid        NOT NULL,
    country               text        NOT NULL,
    number_type           text        NOT NULL,
    use_case              text        NOT NULL,
    status                text        NOT NULL,
    requested_area        text,
    company_name          text,
    vat_number            text,
    address               text,
    website               text,
    contact_name          text        NOT NULL,
    contact_email         text        NOT NULL,
    assigned_to           text,
    ops_notes             text,
    provisioned_number_id bigint,
    quantity              bigint      NOT NULL,
    range_size            bigint,
    area_code             text,
    city                  text,
    region                text,
    comment               text,
    callback_url          text,
    attempt               bigint      NOT NULL,
    carrier_order_id      text,
    ordered_numbers       jsonb       NOT NULL,
    provisioned_numbers   jsonb       NOT NULL,
    failed_numbers        jsonb       NOT NULL,
    reason                text,
    created_at            timestamptz NOT NULL,
    updated_at            timestamptz NOT NULL,
    version               bigint      NOT NULL
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
    id               bigint PRIMARY KEY,
    phone_number     text        NOT NULL,
    organization_id  bigint      NOT NULL,
    account_id       uuid        NOT NULL,
    request_id       uuid        NOT NULL REFERENCES number_requests (uuid) ON DELETE CASCADE,
    request_number   bigint      NOT NULL,
    carrier_order_id text        NOT NULL,
    status           text        NOT NULL,
    provisioned_at   timestamptz NOT NULL,
    UNIQUE (request_id, phone_number)
);

CREATE INDEX IF NOT EXISTS phone_numbers_org_idx ON phone_numbers (organization_id, id);
CREATE INDEX IF NOT EXISTS phone_numbers_account_idx ON phone_numbers (account_id, id);
CREATE INDEX IF NOT EXISTS phone_numbers_request_idx ON phone_numbers (request_id, id);
CREATE INDEX IF NOT EXISTS phone_numbers_number_idx ON phone_numbers (phone_number);

-- Signed carrier webhooks that match no order or request of ours (an
-- unknown customer_reference, or a request that does not exist here): kept
-- for the operations team instead of ending as failed jobs. The event itself
-- stays in carrier_webhook_events; id is the listing's keyset cursor.
CREATE TABLE IF NOT EXISTS unmatched_carrier_webhooks
(
    id          bigserial PRIMARY KEY,
    event_id    text   NOT NULL UNIQUE REFERENCES carrier_webhook_events (event_id),
    reason      text   NOT NULL,
    recorded_at bigint NOT NULL
);

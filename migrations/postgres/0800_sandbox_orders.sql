-- The sandbox carrier's orders (only used without a Telnyx account), kept in
-- the service's database so an order pending across a restart is still found
-- and completes. One order per customer_reference; placed_at is epoch ms
-- (wall clock: the pending delay runs across restarts); numbers is the JSON
-- list of {"phone_number", "outcome"}.
CREATE TABLE IF NOT EXISTS sandbox_orders
(
    id                 text   PRIMARY KEY,
    customer_reference text   NOT NULL UNIQUE,
    placed_at          bigint NOT NULL,
    numbers            text   NOT NULL
);

-- Numbers held by a sandbox order (all but failed ones): never sold twice.
CREATE TABLE IF NOT EXISTS sandbox_taken_numbers
(
    phone_number text PRIMARY KEY,
    order_id     text NOT NULL REFERENCES sandbox_orders (id)
);

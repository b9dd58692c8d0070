-- The sandbox carrier's orders (only used without a Telnyx account), kept in
-- the service's database so an order pending across a restart is still found
-- and completes. One order per customer_reference; placed_at is epoch ms
-- (wall clock: the pending delay runs across restarts); numbers is the JSON
-- list of {"phone_number", "outcome"}.
CREATE TABLE IF NOT EXISTS sandbox_orders
(
    id                 TEXT    PRIMARY KEY,
    customer_reference TEXT    NOT NULL UNIQUE,
    placed_at          INTEGER NOT NULL,
    numbers            TEXT    NOT NULL
);

-- Numbers held by a sandbox order (all but failed ones): never sold twice.
CREATE TABLE IF NOT EXISTS sandbox_taken_numbers
(
    phone_number TEXT PRIMARY KEY,
    order_id     TEXT NOT NULL REFERENCES sandbox_orders (id)
);

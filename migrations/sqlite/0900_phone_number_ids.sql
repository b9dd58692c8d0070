-- A provisioned number's id is drawn with its `Provisioned` event and kept in
-- the event's metadata (`phone_number_id`), no longer its event's position
-- (see the PostgreSQL migration of the same name). The counter starts at the
-- highest position and view id, which older numbers have as their id; each
-- draw returns the value after it.
INSERT INTO counters (name, value)
SELECT 'phone_number_id', MAX(
    COALESCE((SELECT MAX(position) FROM events), 0),
    COALESCE((SELECT MAX(id) FROM phone_numbers), 0))
ON CONFLICT DO NOTHING;

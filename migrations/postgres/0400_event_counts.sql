-- Events per organisation up to the views projector's checkpoint, kept by
-- the projector in the same transaction that moves the checkpoint. The audit
-- feed's total is this plus the (few) events after the checkpoint, read in one
-- statement, so it is exact and does not count the log. Filled once here.
CREATE TABLE IF NOT EXISTS event_counts (
    organization_id BIGINT NOT NULL PRIMARY KEY,
    n               BIGINT NOT NULL
);
INSERT INTO event_counts (organization_id, n)
SELECT organization_id, COUNT(*) FROM events
WHERE aggregate_type = 'NumberRequest'
  AND organization_id IS NOT NULL
  AND position <= (SELECT position FROM projection_checkpoints WHERE name = 'views')
GROUP BY organization_id;

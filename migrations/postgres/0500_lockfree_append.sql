-- Appends without a lock shared by all appenders.
--
-- Until now a BEFORE INSERT trigger took `pg_advisory_xact_lock` and drew
-- `position` from a sequence, so every append waited for every other one to
-- commit. From here on an appender only inserts its rows: `position` stays
-- NULL and `txid` records the writer's transaction. The projector's pass
-- (which alone holds the `views` checkpoint row lock) acts as the single
-- sequencer: it stamps the committed, unsequenced rows with gap-free
-- positions after the highest one so far (`crates/adapters/README.md`).
-- A stamped position is therefore only ever given to a committed row and
-- always lies above every position already visible, so a reader polling
-- "position > last seen" neither skips nor repeats an event.
--
-- Existing rows keep their positions (no event is lost or reordered); they
-- get txid 0, below every real transaction id.
DROP TRIGGER IF EXISTS events_assign_position ON events;
DROP FUNCTION IF EXISTS numberdesk_events_assign_position();

ALTER TABLE events ALTER COLUMN position DROP NOT NULL;
ALTER TABLE events ADD COLUMN IF NOT EXISTS txid xid8 NOT NULL DEFAULT '0';
ALTER TABLE events ALTER COLUMN txid SET DEFAULT pg_current_xact_id();

-- What the sequencer looks for: small, since rows leave it when stamped.
CREATE INDEX IF NOT EXISTS events_unsequenced_idx ON events (txid, aggregate_type, aggregate_id, sequence)
    WHERE position IS NULL;

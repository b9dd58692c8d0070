-- A provisioned number's id no longer waits for its event's position.
--
-- Until now a number's id was the global position of its `Provisioned` event,
-- which only the sequencer stamps after the command has committed: the
-- command that provisioned a number could not write its own view and waited
-- for a sequencer pass. From here on the id is drawn from this sequence in
-- the command's transaction and kept in the event's metadata
-- (`phone_number_id`); events written before keep their position as their
-- number's id (`fold.rs` falls back to it).
--
-- The sequence starts above every position an existing event has or will be
-- given (unsequenced rows get the next positions after the highest), and
-- above every id in the view, so new ids never meet old ones.
CREATE SEQUENCE IF NOT EXISTS phone_number_id_seq;
SELECT setval('phone_number_id_seq',
    GREATEST(
        (SELECT COALESCE(MAX(position), 0) + COUNT(*) FILTER (WHERE position IS NULL) FROM events),
        (SELECT COALESCE(MAX(id), 0) FROM phone_numbers)
    ) + 1,
    false);

-- The event log: the postgres-es `events` / `snapshots` layout, plus a global
-- `position` for ordered feeds and columns derived from the metadata so the
-- audit feed can filter through indexes.

CREATE TABLE IF NOT EXISTS events
(
    aggregate_type  text                         NOT NULL,
    aggregate_id    text                         NOT NULL,
    sequence        bigint CHECK (sequence >= 0) NOT NULL,
    event_type      text                         NOT NULL,
    event_version   text                         NOT NULL,
    payload         json                         NOT NULL,
    metadata        json                         NOT NULL,
    -- Set by the trigger below; never by the writer.
    position        bigint                       NOT NULL,
    organization_id bigint GENERATED ALWAYS AS ((metadata ->> 'organization_id')::bigint) STORED,
    actor           text GENERATED ALWAYS AS (metadata ->> 'actor') STORED,
    -- RFC 3339, UTC, milliseconds, 'Z': fixed width, so text order is time order.
    occurred_at     text GENERATED ALWAYS AS (metadata ->> 'occurred_at') STORED,
    recorded_at     timestamptz                  NOT NULL DEFAULT now(),
    PRIMARY KEY (aggregate_type, aggregate_id, sequence)
);

CREATE UNIQUE INDEX IF NOT EXISTS events_position_idx ON events (position);
CREATE INDEX IF NOT EXISTS events_org_position_idx ON events (organization_id, position);
CREATE INDEX IF NOT EXISTS events_actor_position_idx ON events (actor, position);
CREATE INDEX IF NOT EXISTS events_type_position_idx ON events (event_type, position);
CREATE INDEX IF NOT EXISTS events_occurred_at_idx ON events (occurred_at, position);

CREATE SEQUENCE IF NOT EXISTS events_position_seq;

-- Positions are handed out in commit order. A sequence alone is not enough:
-- two transactions can take 5 and 6, and 6 can commit first, so a reader
-- polling "position > 5" would skip 5 for ever. The trigger first takes a
-- transaction-scoped advisory lock (held until commit or rollback), and only
-- then draws the position. Appenders are therefore serialised: a transaction
-- draws positions only after every earlier holder has committed and become
-- visible, so every uncommitted position is above every committed one.
CREATE OR REPLACE FUNCTION numberdesk_events_assign_position() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    PERFORM pg_advisory_xact_lock(4242170301);
    NEW.position := nextval('events_position_seq');
    RETURN NEW;
END
$$;

DROP TRIGGER IF EXISTS events_assign_position ON events;
CREATE TRIGGER events_assign_position
    BEFORE INSERT ON events
    FOR EACH ROW
EXECUTE FUNCTION numberdesk_events_assign_position();

CREATE TABLE IF NOT EXISTS snapshots
(
    aggregate_type   text                                 NOT NULL,
    aggregate_id     text                                 NOT NULL,
    last_sequence    bigint CHECK (last_sequence >= 0)    NOT NULL,
    current_snapshot bigint CHECK (current_snapshot >= 0) NOT NULL,
    payload          json                                 NOT NULL,
    PRIMARY KEY (aggregate_type, aggregate_id, last_sequence)
);

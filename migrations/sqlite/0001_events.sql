-- The event log: the postgres-es `events` / `snapshots` layout, plus a global
-- `position` for ordered feeds and columns derived from the metadata so the
-- audit feed can filter through indexes.
--
-- `position` is the rowid (AUTOINCREMENT: never reused). SQLite has one writer
-- at a time, so positions are handed out in commit order. The postgres-es
-- primary key (aggregate_type, aggregate_id, sequence) is a UNIQUE constraint
-- here: a second writer at the same sequence fails it (optimistic concurrency).
CREATE TABLE IF NOT EXISTS events
(
    position        INTEGER PRIMARY KEY AUTOINCREMENT,
    aggregate_type  TEXT    NOT NULL,
    aggregate_id    TEXT    NOT NULL,
    sequence        INTEGER NOT NULL CHECK (sequence >= 0),
    event_type      TEXT    NOT NULL,
    event_version   TEXT    NOT NULL,
    payload         TEXT    NOT NULL,
    metadata        TEXT    NOT NULL,
    organization_id INTEGER GENERATED ALWAYS AS (CAST(json_extract(metadata, '$.organization_id') AS INTEGER)) STORED,
    actor           TEXT GENERATED ALWAYS AS (json_extract(metadata, '$.actor')) STORED,
    occurred_at     TEXT GENERATED ALWAYS AS (json_extract(metadata, '$.occurred_at')) STORED,
    recorded_at     TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (aggregate_type, aggregate_id, sequence)
);

CREATE INDEX IF NOT EXISTS events_org_position_idx ON events (organization_id, position);
CREATE INDEX IF NOT EXISTS events_actor_position_idx ON events (actor, position);
CREATE INDEX IF NOT EXISTS events_type_position_idx ON events (event_type, position);
CREATE INDEX IF NOT EXISTS events_occurred_at_idx ON events (occurred_at, position);

CREATE TABLE IF NOT EXISTS snapshots
(
    aggregate_type   TEXT    NOT NULL,
    aggregate_id     TEXT    NOT NULL,
    last_sequence    INTEGER NOT NULL CHECK (last_sequence >= 0),
    current_snapshot INTEGER NOT NULL CHECK (current_snapshot >= 0),
    payload          TEXT    NOT NULL,
    PRIMARY KEY (aggregate_type, aggregate_id)
);

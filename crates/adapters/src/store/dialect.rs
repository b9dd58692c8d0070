//! What really differs between the two backends, as data. Every other
//! statement of the crate is the same text on both.

/// One backend's SQL where it differs from the other's.
#[derive(Debug)]
pub(crate) struct Dialect {
    /// `"postgres"` or `"sqlite"`.
    pub name: &'static str,
    /// Starts a writing transaction. SQLite's `BEGIN IMMEDIATE` takes its
    /// single write lock at once, so a transaction that reads before it
    /// writes queues instead of failing to upgrade.
    pub begin: &'static str,
    /// One writer at a time (SQLite): a read-then-write statement is wrapped
    /// in [`Dialect::begin`] instead of relying on row locks.
    pub single_writer: bool,
    /// Reads the projector's checkpoint inside the projector's transaction,
    /// holding what serialises projectors until commit (a row lock on
    /// PostgreSQL; SQLite's write lock is already held).
    pub lock_checkpoint: &'static str,
    /// Appended to the read of a view row before it is rewritten, so that
    /// the reader holds it until commit (`FOR UPDATE` on PostgreSQL; SQLite
    /// holds its single write lock already).
    pub lock_row: &'static str,
    /// The single sequencer, run at the start of each projector pass: gives
    /// committed events without a position the next gap-free positions
    /// (PostgreSQL; SQLite stamps them at insert, one writer at a time).
    pub sequence: Option<&'static str>,
    /// Draws the next request number (on SQLite inside [`Dialect::begin`]).
    pub next_number: &'static str,
    /// Draws the id of a newly provisioned number, in the transaction that
    /// appends its `Provisioned` event (migration `0900`: above every
    /// position, which older numbers have as their id).
    pub next_phone_number_id: &'static str,
    /// The database's clock in epoch milliseconds, as an SQL expression.
    pub now_ms: &'static str,
    /// Appended to the sub-select that picks a job to lease, so workers
    /// skip rows another worker is taking (PostgreSQL).
    pub skip_locked: &'static str,
    /// Whether `pg_notify` exists (other processes hear projector passes).
    pub notifies: bool,
    /// Whether a statement may hold data-modifying `WITH` parts (PostgreSQL),
    /// so two dependent writes go in one round trip instead of a
    /// transaction of two.
    pub writable_ctes: bool,
}

/// PostgreSQL's sequencer (run under the checkpoint lock, so by one pass at
/// a time in the whole database): up to `$1` committed rows without a
/// position get the next gap-free positions after the highest one, in
/// (transaction id, request, sequence) order. Only rows visible to the
/// statement, i.e. committed ones, can be stamped; the pass commits before
/// the next one reads the highest position, so every new position lies above
/// every position a reader has seen.
const PG_SEQUENCE: &str = "UPDATE events e SET position = s.position FROM ( \
     SELECT aggregate_type, aggregate_id, sequence, \
            (SELECT COALESCE(MAX(position), 0) FROM events) \
              + ROW_NUMBER() OVER (ORDER BY txid, aggregate_type, aggregate_id, sequence) AS position \
     FROM events WHERE position IS NULL \
     ORDER BY txid, aggregate_type, aggregate_id, sequence LIMIT $1) s \
     WHERE e.aggregate_type = s.aggregate_type AND e.aggregate_id = s.aggregate_id \
       AND e.sequence = s.sequence";

impl Dialect {
    /// PostgreSQL.
    pub const POSTGRES: Dialect = Dialect {
        name: "postgres",
        begin: "BEGIN",
        single_writer: false,
        lock_checkpoint:
            "SELECT position FROM projection_checkpoints WHERE name = 'views' FOR UPDATE",
        lock_row: " FOR UPDATE",
        sequence: Some(PG_SEQUENCE),
        next_number: "SELECT nextval('request_number_seq')",
        next_phone_number_id: "SELECT nextval('phone_number_id_seq')",
        now_ms: "(EXTRACT(EPOCH FROM now()) * 1000)::BIGINT",
        skip_locked: " FOR UPDATE OF j SKIP LOCKED",
        notifies: true,
        writable_ctes: true,
    };

    /// SQLite.
    pub const SQLITE: Dialect = Dialect {
        name: "sqlite",
        begin: "BEGIN IMMEDIATE",
        single_writer: true,
        lock_checkpoint: "SELECT position FROM projection_checkpoints WHERE name = 'views'",
        lock_row: "",
        sequence: None,
        next_number:
            "UPDATE counters SET value = value + 1 WHERE name = 'request_number' RETURNING value",
        next_phone_number_id:
            "UPDATE counters SET value = value + 1 WHERE name = 'phone_number_id' RETURNING value",
        now_ms: "CAST(unixepoch('subsec') * 1000 AS INTEGER)",
        skip_locked: "",
        notifies: false,
        writable_ctes: false,
    };
}

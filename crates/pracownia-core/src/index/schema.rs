//! The SQLite schema of the index. The index is derived from the store
//! folder, so a schema change simply drops everything and rebuilds.

use rusqlite::{Connection, OptionalExtension};

/// Bump whenever the tables below change.
pub const SCHEMA_VERSION: i64 = 4;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS students (
    id              TEXT PRIMARY KEY,            -- hyphenated uuid
    login           TEXT NOT NULL,
    login_key       TEXT NOT NULL,               -- Unicode lowercase, for case-insensitive matching (Łucja = łucja)
    folder          TEXT NOT NULL UNIQUE,        -- folder name under the store root
    first_seen      INTEGER NOT NULL,            -- unix ms
    journal_offset  INTEGER NOT NULL DEFAULT 0,  -- bytes of journal.jsonl already indexed
    chat_read_until INTEGER NOT NULL DEFAULT 0   -- unix ms, from read.json
);
CREATE INDEX IF NOT EXISTS students_login ON students(login_key);
CREATE TABLE IF NOT EXISTS seats (             -- from student.json `seats`
    wire      TEXT NOT NULL,                     -- the wire `student` id
    login_key TEXT NOT NULL,                     -- with this login (Unicode lowercase) ...
    student   TEXT NOT NULL,                     -- ... is this student
    login     TEXT NOT NULL,
    host      TEXT,
    seat      TEXT,
    last_seen INTEGER NOT NULL,
    PRIMARY KEY (wire, login_key)
);
CREATE INDEX IF NOT EXISTS seats_student ON seats(student);
CREATE TABLE IF NOT EXISTS events (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    student        TEXT NOT NULL,
    ts             INTEGER NOT NULL,
    kind           TEXT NOT NULL,
    login          TEXT NOT NULL,
    chat_id        TEXT,
    text           TEXT,
    sent_ts        INTEGER,
    raised         INTEGER,
    reason         TEXT,
    detail         TEXT,
    path           TEXT,     -- relative to the store root, forward slashes
    thumb          TEXT,
    size           INTEGER,
    sha256         TEXT,
    name           TEXT,
    transfer       TEXT,
    file_kind      TEXT,
    received       INTEGER,
    journal_offset INTEGER,  -- NULL for files found by scanning
    msg_state      TEXT,     -- lecturer messages: queued, delivered, read (chat_id is their id)
    answer         TEXT      -- requests: capturing, paused, failed
);
CREATE INDEX IF NOT EXISTS events_student_id ON events(student, id);
CREATE INDEX IF NOT EXISTS events_student_ts ON events(student, ts);
CREATE INDEX IF NOT EXISTS events_student_kind_ts ON events(student, kind, ts);
CREATE UNIQUE INDEX IF NOT EXISTS events_chat ON events(student, chat_id) WHERE chat_id IS NOT NULL;
CREATE UNIQUE INDEX IF NOT EXISTS events_path ON events(path) WHERE path IS NOT NULL;
CREATE INDEX IF NOT EXISTS events_transfer ON events(transfer) WHERE transfer IS NOT NULL;
";

/// Set the pragmas of the writing connection and make sure the schema is
/// current. Returns true when the index was (re)created empty.
pub fn prepare(conn: &Connection) -> rusqlite::Result<bool> {
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    let has_meta: bool = conn
        .query_row("SELECT 1 FROM sqlite_master WHERE type='table' AND name='meta'", [], |_| Ok(true))
        .optional()?
        .unwrap_or(false);
    let version: Option<i64> = if has_meta {
        conn.query_row("SELECT value FROM meta WHERE key='schema_version'", [], |r| r.get::<_, String>(0))
            .optional()?
            .and_then(|v| v.parse().ok())
    } else {
        None
    };
    if version == Some(SCHEMA_VERSION) {
        return Ok(false);
    }
    if version.is_some() {
        log::info!("index schema changed; rebuilding the index");
    }
    conn.execute_batch("DROP TABLE IF EXISTS events; DROP TABLE IF EXISTS seats; DROP TABLE IF EXISTS students; DROP TABLE IF EXISTS meta;")?;
    conn.execute_batch(SCHEMA)?;
    conn.execute(
        "INSERT INTO meta(key, value) VALUES ('schema_version', ?1), ('generation', '1')",
        [SCHEMA_VERSION.to_string()],
    )?;
    Ok(true)
}

//! The history database: SQLite in WAL mode, changed only by numbered migrations.
//! Every observation is stored; a write that returned `Ok` survives a kill at any moment.

use std::path::{Path, PathBuf};

use outage_core::model::{CheckKind, Observation, Outcome, Reason, State};
use rusqlite::{Connection, OptionalExtension, params};

use crate::EngineError;

/// Migrations in order; `PRAGMA user_version` records how many ran. Never edit one that
/// shipped: add a new one.
const MIGRATIONS: &[&str] = &[
    // 1: observations
    "CREATE TABLE observations (
        id             INTEGER PRIMARY KEY,
        check_id       TEXT    NOT NULL,
        provider_id    TEXT    NOT NULL,
        kind           TEXT    NOT NULL,
        target         TEXT    NOT NULL,
        at             TEXT    NOT NULL,   -- RFC 3339 with the offset it was observed in
        at_unix_ms     INTEGER NOT NULL,
        outcome        TEXT    NOT NULL,
        reason         TEXT,
        message        TEXT    NOT NULL,
        latency_ms     INTEGER,
        cert_days_left INTEGER,
        state          TEXT                -- what a status page said, when it was read
    ) STRICT;
    CREATE INDEX observations_by_check_time ON observations (check_id, at_unix_ms);",
];

/// An observation as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredObservation {
    pub id: i64,
    pub check_id: String,
    pub provider_id: String,
    pub kind: CheckKind,
    pub at: String,
    pub outcome: Outcome,
    pub reason: Option<Reason>,
    pub message: String,
    pub latency_ms: Option<i64>,
    pub state: Option<State>,
}

#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens (creating if needed) the database and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Store, EngineError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|source| EngineError::DataDir { path: dir.display().to_string(), source })?;
        }
        let db_err = |source| EngineError::Database { path: path.display().to_string(), source };
        let mut conn = Connection::open(path).map_err(db_err)?;
        conn.busy_timeout(std::time::Duration::from_secs(5)).map_err(db_err)?;
        // WAL: readers never block the writer, and a kill mid-write loses at most the
        // transaction in flight. NORMAL sync is durable against process death.
        conn.pragma_update(None, "journal_mode", "WAL").map_err(db_err)?;
        conn.pragma_update(None, "synchronous", "NORMAL").map_err(db_err)?;
        conn.pragma_update(None, "foreign_keys", "ON").map_err(db_err)?;
        migrate(&mut conn).map_err(db_err)?;
        Ok(Store { conn, path: path.to_path_buf() })
    }

    fn err(&self, source: rusqlite::Error) -> EngineError {
        EngineError::Database { path: self.path.display().to_string(), source }
    }

    /// Stores one observation; returns its row id.
    pub fn insert(&self, provider_id: &str, o: &Observation) -> Result<i64, EngineError> {
        let state = o.snapshot().map(|s| s.overall().as_str());
        self.conn
            .execute(
                "INSERT INTO observations
                 (check_id, provider_id, kind, target, at, at_unix_ms, outcome, reason, message, latency_ms, cert_days_left, state)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                params![
                    o.check_id,
                    provider_id,
                    o.kind.as_str(),
                    o.target,
                    o.at.to_rfc3339(),
                    o.at.timestamp_millis(),
                    o.outcome.as_str(),
                    o.reason.map(Reason::as_str),
                    o.message,
                    o.latency_ms.and_then(|l| i64::try_from(l).ok()),
                    o.cert_days_left,
                    state,
                ],
            )
            .map_err(|e| self.err(e))?;
        Ok(self.conn.last_insert_rowid())
    }

    /// The newest observations, newest first, optionally of one provider.
    pub fn recent(&self, provider_id: Option<&str>, limit: usize) -> Result<Vec<StoredObservation>, EngineError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, check_id, provider_id, kind, at, outcome, reason, message, latency_ms, state
                 FROM observations WHERE (?1 IS NULL OR provider_id = ?1)
                 ORDER BY at_unix_ms DESC, id DESC LIMIT ?2",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![provider_id, i64::try_from(limit).unwrap_or(i64::MAX)], |r| {
                Ok(StoredObservation {
                    id: r.get(0)?,
                    check_id: r.get(1)?,
                    provider_id: r.get(2)?,
                    kind: CheckKind::parse(&r.get::<_, String>(3)?).unwrap_or(CheckKind::StatusPage),
                    at: r.get(4)?,
                    outcome: Outcome::parse(&r.get::<_, String>(5)?).unwrap_or(Outcome::Unknown),
                    reason: r.get::<_, Option<String>>(6)?.as_deref().and_then(Reason::parse),
                    message: r.get(7)?,
                    latency_ms: r.get(8)?,
                    state: r.get::<_, Option<String>>(9)?.as_deref().and_then(State::parse),
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// The schema version (number of migrations applied).
    pub fn schema_version(&self) -> Result<usize, EngineError> {
        let v: i64 = self.conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(|e| self.err(e))?;
        Ok(usize::try_from(v).unwrap_or(0))
    }

    /// Whether a check has any stored observation (used by the first-run logic).
    pub fn has_observations(&self, check_id: &str) -> Result<bool, EngineError> {
        self.conn
            .query_row("SELECT 1 FROM observations WHERE check_id = ?1 LIMIT 1", [check_id], |_| Ok(()))
            .optional()
            .map(|r| r.is_some())
            .map_err(|e| self.err(e))
    }
}

fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    let applied: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let applied = usize::try_from(applied).unwrap_or(0);
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(applied) {
        // Each migration and its version bump commit together or not at all.
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i64::try_from(i + 1).unwrap_or(i64::MAX))?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrates_once_and_stores_observations() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.sqlite3");
        let store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), MIGRATIONS.len());
        let at = chrono::DateTime::parse_from_rfc3339("2026-11-24T10:00:00+01:00").unwrap();
        let o = Observation::failed(
            "p/status_page",
            CheckKind::StatusPage,
            "http://x",
            at,
            Outcome::Unknown,
            Reason::Timeout,
            "slow",
        );
        store.insert("p", &o).unwrap();
        drop(store);
        let store = Store::open(&path).unwrap();
        let rows = store.recent(Some("p"), 10).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].reason, Some(Reason::Timeout));
        assert_eq!(rows[0].at, "2026-11-24T10:00:00+01:00");
        let mode: String = store.conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
        assert_eq!(mode, "wal");
        assert!(store.has_observations("p/status_page").unwrap());
    }
}

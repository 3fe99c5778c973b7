//! The history database: SQLite in WAL mode, changed only by numbered migrations.
//! Every observation is stored; a write that returned `Ok` survives a kill at any moment.

use std::path::{Path, PathBuf};

use outage_core::model::{CheckKind, Observation, Outcome, Reason, State};
use rusqlite::{Connection, OptionalExtension, params};

use crate::EngineError;

mod history;
mod roundtrip;
mod uptime;

pub use history::{
    AckDelay, Announcement, DegradedRecord, Gap, GapKind, OutageRecord, SeenIncident, TimelineEntry, TimelineSource,
    acknowledging,
};
pub use roundtrip::{RememberedRoute, RoundtripMail};
pub use uptime::{Health, Retention, Scope, Uptime};

/// Migrations in order; `PRAGMA user_version` records how many ran. Never edit one that
/// shipped: add a new one.
const MIGRATIONS: &[&str] = &[
    // 1: checks and observations. Rows are lean (a year of 1-minute probes of 50 sources
    // must stay small): names live once in `checks`, routine successes store no message.
    "CREATE TABLE checks (
        id             INTEGER PRIMARY KEY,
        check_id       TEXT    NOT NULL UNIQUE,
        provider_id    TEXT    NOT NULL,
        kind           TEXT    NOT NULL,
        target         TEXT    NOT NULL
    ) STRICT;
    CREATE TABLE observations (
        id             INTEGER PRIMARY KEY,
        check_ref      INTEGER NOT NULL REFERENCES checks (id),
        at_ms          INTEGER NOT NULL,
        offset_min     INTEGER NOT NULL,   -- the UTC offset it was observed in
        outcome        TEXT    NOT NULL,
        reason         TEXT,
        message        TEXT,               -- NULL for a success: it says nothing new
        latency_ms     INTEGER,
        cert_days_left INTEGER,
        state          TEXT                -- what a status page said, when it was read
    ) STRICT;
    CREATE INDEX observations_by_check_time ON observations (check_ref, at_ms);",
    // 2: what we detected, what providers said, what we told the user, when we could not see
    "CREATE TABLE outages (
        id             INTEGER PRIMARY KEY,
        check_id       TEXT    NOT NULL,
        provider_id    TEXT    NOT NULL,
        started_ms     INTEGER NOT NULL,   -- first failed probe
        confirmed_ms   INTEGER NOT NULL,   -- when re-checks confirmed it
        ended_ms       INTEGER,            -- first probe of the recovery
        reason         TEXT
    ) STRICT;
    CREATE INDEX outages_by_provider ON outages (provider_id, started_ms);
    CREATE TABLE incidents (
        provider_id    TEXT    NOT NULL,
        incident_id    TEXT    NOT NULL,
        title          TEXT    NOT NULL,
        state          TEXT    NOT NULL,
        impact         TEXT    NOT NULL,
        url            TEXT,
        started_ms     INTEGER,            -- as the provider says
        first_seen_ms  INTEGER NOT NULL,   -- when we first saw it
        last_seen_ms   INTEGER NOT NULL,
        resolved_seen_ms INTEGER,          -- when we first saw it resolved or gone
        PRIMARY KEY (provider_id, incident_id)
    ) STRICT;
    CREATE TABLE incident_updates (
        provider_id    TEXT    NOT NULL,
        incident_id    TEXT    NOT NULL,
        at_ms          INTEGER NOT NULL,   -- the time the provider gave it
        status         TEXT    NOT NULL,
        body           TEXT    NOT NULL,
        first_seen_ms  INTEGER NOT NULL,
        PRIMARY KEY (provider_id, incident_id, at_ms, status, body)
    ) STRICT, WITHOUT ROWID;
    CREATE TABLE alerts (
        id             INTEGER PRIMARY KEY,
        at_ms          INTEGER NOT NULL,
        key            TEXT    NOT NULL,
        title          TEXT    NOT NULL,
        body           TEXT    NOT NULL
    ) STRICT;
    CREATE TABLE gaps (
        id             INTEGER PRIMARY KEY,
        kind           TEXT    NOT NULL,   -- offline | dns | sign_in | asleep
        started_ms     INTEGER NOT NULL,
        ended_ms       INTEGER
    ) STRICT;
    -- Time-weighted roll-ups: each observation's state holds until the next one.
    CREATE TABLE rollup_hourly (
        check_id       TEXT    NOT NULL,
        provider_id    TEXT    NOT NULL,
        hour_ms        INTEGER NOT NULL,
        up_ms          INTEGER NOT NULL DEFAULT 0,
        degraded_ms    INTEGER NOT NULL DEFAULT 0,
        down_ms        INTEGER NOT NULL DEFAULT 0,
        unknown_ms     INTEGER NOT NULL DEFAULT 0,
        offline_ms     INTEGER NOT NULL DEFAULT 0,
        latency_sum    INTEGER NOT NULL DEFAULT 0,
        latency_n      INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (check_id, hour_ms)
    ) STRICT, WITHOUT ROWID;
    CREATE TABLE rollup_daily (
        check_id       TEXT    NOT NULL,
        provider_id    TEXT    NOT NULL,
        day_ms         INTEGER NOT NULL,
        up_ms          INTEGER NOT NULL DEFAULT 0,
        degraded_ms    INTEGER NOT NULL DEFAULT 0,
        down_ms        INTEGER NOT NULL DEFAULT 0,
        unknown_ms     INTEGER NOT NULL DEFAULT 0,
        offline_ms     INTEGER NOT NULL DEFAULT 0,
        latency_sum    INTEGER NOT NULL DEFAULT 0,
        latency_n      INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (check_id, day_ms)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX rollup_hourly_by_provider ON rollup_hourly (provider_id, hour_ms);
    CREATE INDEX rollup_daily_by_provider ON rollup_daily (provider_id, day_ms);
    CREATE TABLE last_observation (
        check_id       TEXT    PRIMARY KEY,
        at_ms          INTEGER NOT NULL,
        health         TEXT    NOT NULL,
        latency_ms     INTEGER
    ) STRICT, WITHOUT ROWID;",
    // The round trip's test mails: those on their way are looked for again after a restart,
    // and the ended ones are the delivery times and the late and lost mails of the history.
    "CREATE TABLE roundtrip_mails (
        key            TEXT    PRIMARY KEY,
        check_id       TEXT    NOT NULL,
        provider_id    TEXT    NOT NULL,
        sent_ms        INTEGER NOT NULL,
        seen_ms        INTEGER,            -- the look that found it (or the refused send)
        delay_ms       INTEGER,            -- sending to delivery, by the Received header
        place          TEXT                -- inbox, junk, bounced, rejected, login_refused
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX roundtrip_mails_by_check ON roundtrip_mails (check_id, sent_ms);",
    // 4: the components an incident names, one per line: an announcement acknowledges an
    // outage of ours only when it concerns what failed.
    "ALTER TABLE incidents ADD COLUMN components TEXT NOT NULL DEFAULT '';",
    // 5: degraded stretches of a check (intermittent failures, far slower than usual): the
    // report lists them apart from the outages, and never as downtime.
    "CREATE TABLE degraded (
        id             INTEGER PRIMARY KEY,
        check_id       TEXT    NOT NULL,
        provider_id    TEXT    NOT NULL,
        kind           TEXT    NOT NULL,   -- intermittent, slow
        reason         TEXT,
        started_ms     INTEGER NOT NULL,
        ended_ms       INTEGER
    ) STRICT;
    CREATE INDEX degraded_by_provider ON degraded (provider_id, started_ms);",
    // 6: each round trip's route and thresholds as its last mail was sent: the late and lost
    // mails of a round trip since removed from the config are still judged and named.
    "CREATE TABLE roundtrip_routes (
        check_id       TEXT    PRIMARY KEY,
        provider_id    TEXT    NOT NULL,
        smtp           TEXT    NOT NULL,
        imap           TEXT    NOT NULL,
        recipient      TEXT    NOT NULL,
        interval_ms    INTEGER NOT NULL,
        warn_after_ms  INTEGER NOT NULL,
        fail_after_ms  INTEGER NOT NULL
    ) STRICT, WITHOUT ROWID;",
];

/// An observation as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredObservation {
    pub id: i64,
    pub check_id: String,
    pub provider_id: String,
    pub kind: CheckKind,
    /// RFC 3339 in the offset it was observed in.
    pub at: String,
    pub outcome: Outcome,
    pub reason: Option<Reason>,
    /// What went wrong; `None` for a success.
    pub message: Option<String>,
    pub latency_ms: Option<i64>,
    pub state: Option<State>,
}

#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

/// The page cache of the resident's own connection ([`Store::open_all_day`]), in KiB.
pub const ALL_DAY_CACHE_KIB: i64 = 256;

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

    /// Opens the database for the connection that lives as long as the resident: as
    /// [`Store::open`], with SQLite's page cache held to [`ALL_DAY_CACHE_KIB`].
    ///
    /// Why: SQLite keeps every page it has read or written in its cache until the cache holds
    /// `cache_size` (2,000 KiB by default), and the history only grows — each minute's
    /// observations land on pages the cache had not held. In the resident that was its heap
    /// growing about 6 KiB a minute with 50 checks, towards 2 MiB after some hours
    /// (BENCHMARKS.md, "The outage's end, SQLite's cache all day, one heap"). A minute's writes touch a few dozen pages,
    /// and a page that fell out of the cache comes back from the kernel's page cache. The
    /// window's history and reports read on connections of their own, with the default.
    pub fn open_all_day(path: &Path) -> Result<Store, EngineError> {
        let store = Store::open(path)?;
        store.conn.pragma_update(None, "cache_size", -ALL_DAY_CACHE_KIB).map_err(|e| store.err(e))?;
        Ok(store)
    }

    fn err(&self, source: rusqlite::Error) -> EngineError {
        EngineError::Database { path: self.path.display().to_string(), source }
    }

    /// Stores one observation and rolls it up; returns its row id. The previous observation
    /// of the same check holds until this one, but never longer than `max_span`: time beyond
    /// that (asleep, stopped) is counted as unknown, not as the old state.
    pub fn insert(
        &self,
        provider_id: &str,
        o: &Observation,
        max_span: std::time::Duration,
    ) -> Result<i64, EngineError> {
        let tx = self.conn.unchecked_transaction().map_err(|e| self.err(e))?;
        let id = self.insert_in(&tx, provider_id, o, max_span)?;
        tx.commit().map_err(|e| self.err(e))?;
        Ok(id)
    }

    /// Stores many observations in one transaction (imports, benchmarks): all or none.
    pub fn insert_batch<'a>(
        &self,
        rows: impl IntoIterator<Item = (&'a str, &'a Observation)>,
        max_span: std::time::Duration,
    ) -> Result<usize, EngineError> {
        let tx = self.conn.unchecked_transaction().map_err(|e| self.err(e))?;
        let mut n = 0;
        for (provider_id, o) in rows {
            self.insert_in(&tx, provider_id, o, max_span)?;
            n += 1;
        }
        tx.commit().map_err(|e| self.err(e))?;
        Ok(n)
    }

    fn insert_in(
        &self,
        tx: &rusqlite::Transaction<'_>,
        provider_id: &str,
        o: &Observation,
        max_span: std::time::Duration,
    ) -> Result<i64, EngineError> {
        let state = o.snapshot().map(|s| s.overall().as_str());
        let at_ms = o.at.timestamp_millis();
        tx.prepare_cached(
            "INSERT INTO checks (check_id, provider_id, kind, target) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (check_id) DO UPDATE SET provider_id = excluded.provider_id,
               kind = excluded.kind, target = excluded.target
             WHERE checks.target <> excluded.target OR checks.provider_id <> excluded.provider_id",
        )
        .and_then(|mut stmt| stmt.execute(params![o.check_id, provider_id, o.kind.as_str(), o.target]))
        .map_err(|e| self.err(e))?;
        let message = (o.outcome != Outcome::Up).then_some(o.message.as_str());
        tx.prepare_cached(
            "INSERT INTO observations
             (check_ref, at_ms, offset_min, outcome, reason, message, latency_ms, cert_days_left, state)
             VALUES ((SELECT id FROM checks WHERE check_id = ?1), ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )
        .and_then(|mut stmt| {
            stmt.execute(params![
                o.check_id,
                at_ms,
                o.at.offset().local_minus_utc() / 60,
                o.outcome.as_str(),
                o.reason.map(Reason::as_str),
                message,
                o.latency_ms.and_then(|l| i64::try_from(l).ok()),
                o.cert_days_left,
                state,
            ])
        })
        .map_err(|e| self.err(e))?;
        let id = tx.last_insert_rowid();
        let offset_s = o.at.offset().local_minus_utc();
        uptime::roll_up(tx, &o.check_id, provider_id, at_ms, offset_s, Health::of(o), o.latency_ms, max_span)
            .map_err(|e| self.err(e))?;
        Ok(id)
    }

    /// The answer times of a check's latest successful probes, oldest first: what its usual
    /// speed is learnt from after a restart (`CheckState::learn_usual`).
    pub fn answers(&self, check_id: &str, limit: usize) -> Result<Vec<u64>, EngineError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT o.latency_ms FROM observations o JOIN checks c ON c.id = o.check_ref
                 WHERE c.check_id = ?1 AND o.outcome = 'up' AND o.latency_ms IS NOT NULL
                 ORDER BY o.at_ms DESC, o.id DESC LIMIT ?2",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![check_id, i64::try_from(limit).unwrap_or(i64::MAX)], |r| r.get::<_, i64>(0))
            .map_err(|e| self.err(e))?;
        let mut answers: Vec<u64> = rows
            .map(|r| r.map(|ms| u64::try_from(ms).unwrap_or(0)))
            .collect::<Result<_, _>>()
            .map_err(|e| self.err(e))?;
        answers.reverse();
        Ok(answers)
    }

    /// The newest observations, newest first, optionally of one provider.
    pub fn recent(&self, provider_id: Option<&str>, limit: usize) -> Result<Vec<StoredObservation>, EngineError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT o.id, c.check_id, c.provider_id, c.kind, o.at_ms, o.offset_min, o.outcome, o.reason,
                        o.message, o.latency_ms, o.state
                 FROM observations o JOIN checks c ON c.id = o.check_ref
                 WHERE (?1 IS NULL OR c.provider_id = ?1)
                 ORDER BY o.at_ms DESC, o.id DESC LIMIT ?2",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![provider_id, i64::try_from(limit).unwrap_or(i64::MAX)], |r| {
                let at_ms: i64 = r.get(4)?;
                let offset_min: i32 = r.get(5)?;
                Ok(StoredObservation {
                    id: r.get(0)?,
                    check_id: r.get(1)?,
                    provider_id: r.get(2)?,
                    kind: CheckKind::parse(&r.get::<_, String>(3)?).unwrap_or(CheckKind::StatusPage),
                    at: timestamp(at_ms, offset_min),
                    outcome: Outcome::parse(&r.get::<_, String>(6)?).unwrap_or(Outcome::Unknown),
                    reason: r.get::<_, Option<String>>(7)?.as_deref().and_then(Reason::parse),
                    message: r.get(8)?,
                    latency_ms: r.get(9)?,
                    state: r.get::<_, Option<String>>(10)?.as_deref().and_then(State::parse),
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// The database file's size including its write-ahead log, after a checkpoint.
    pub fn size_bytes(&self) -> Result<u64, EngineError> {
        self.conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").map_err(|e| self.err(e))?;
        let size = |p: &Path| std::fs::metadata(p).map_or(0, |m| m.len());
        let wal = PathBuf::from(format!("{}-wal", self.path.display()));
        Ok(size(&self.path) + size(&wal))
    }

    /// Runs SQLite's own consistency check; `Ok(())` when it says "ok".
    pub fn integrity_check(&self) -> Result<(), String> {
        let result: String =
            self.conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).map_err(|e| e.to_string())?;
        if result == "ok" { Ok(()) } else { Err(result) }
    }

    /// Reclaims the space retention freed (run rarely; it rewrites the file).
    pub fn vacuum(&self) -> Result<(), EngineError> {
        self.conn.execute_batch("VACUUM").map_err(|e| self.err(e))
    }

    /// The schema version (number of migrations applied).
    pub fn schema_version(&self) -> Result<usize, EngineError> {
        let v: i64 = self.conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(|e| self.err(e))?;
        Ok(usize::try_from(v).unwrap_or(0))
    }

    /// Deletes everything the history holds about one provider — observations, outages, its
    /// incidents, roll-ups and its alerts — in one transaction (the user removed it and chose
    /// not to keep its record). Returns the rows deleted.
    pub fn delete_provider(&self, provider_id: &str) -> Result<usize, EngineError> {
        let tx = self.conn.unchecked_transaction().map_err(|e| self.err(e))?;
        let mut n = 0;
        for sql in [
            "DELETE FROM observations WHERE check_ref IN (SELECT id FROM checks WHERE provider_id = ?1)",
            "DELETE FROM checks WHERE provider_id = ?1",
            "DELETE FROM outages WHERE provider_id = ?1",
            "DELETE FROM degraded WHERE provider_id = ?1",
            "DELETE FROM incident_updates WHERE provider_id = ?1",
            "DELETE FROM incidents WHERE provider_id = ?1",
            "DELETE FROM rollup_hourly WHERE provider_id = ?1",
            "DELETE FROM rollup_daily WHERE provider_id = ?1",
            // Check ids start with `<provider id>/`; `/` sorts right after `.`, so this range
            // is exactly that prefix, with no LIKE wildcards to escape in an id.
            "DELETE FROM last_observation WHERE check_id >= ?1 || '/' AND check_id < ?1 || '0'",
            "DELETE FROM alerts WHERE key = 'provider:' || ?1",
            "DELETE FROM roundtrip_mails WHERE provider_id = ?1",
            "DELETE FROM roundtrip_routes WHERE provider_id = ?1",
        ] {
            n += tx.execute(sql, [provider_id]).map_err(|e| self.err(e))?;
        }
        tx.commit().map_err(|e| self.err(e))?;
        Ok(n)
    }

    /// Whether a check has any stored observation.
    pub fn has_observations(&self, check_id: &str) -> Result<bool, EngineError> {
        self.conn
            .query_row(
                "SELECT 1 FROM observations WHERE check_ref = (SELECT id FROM checks WHERE check_id = ?1) LIMIT 1",
                [check_id],
                |_| Ok(()),
            )
            .optional()
            .map(|r| r.is_some())
            .map_err(|e| self.err(e))
    }
}

fn timestamp(at_ms: i64, offset_min: i32) -> String {
    let Some(utc) = chrono::DateTime::from_timestamp_millis(at_ms) else { return String::new() };
    // A stored offset is one chrono produced, so it is valid; UTC is the fallback regardless.
    match chrono::FixedOffset::east_opt(offset_min * 60) {
        Some(offset) => utc.with_timezone(&offset).to_rfc3339(),
        None => utc.to_rfc3339(),
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
        store.insert("p", &o, std::time::Duration::from_mins(5)).unwrap();
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

    #[test]
    fn a_checks_answer_times_come_back_oldest_first_without_failures() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.sqlite3");
        let store = Store::open(&path).unwrap();
        let at = chrono::DateTime::parse_from_rfc3339("2026-11-24T10:00:00+01:00").unwrap();
        for (n, latency) in [12u64, 15, 0, 14, 13].into_iter().enumerate() {
            let at = at + chrono::TimeDelta::minutes(i64::try_from(n).unwrap());
            let o = if latency == 0 {
                Observation::failed("p/imap", CheckKind::Imap, "h:993", at, Outcome::Down, Reason::Timeout, "x")
            } else {
                Observation {
                    latency_ms: Some(latency),
                    outcome: Outcome::Up,
                    reason: None,
                    ..Observation::failed("p/imap", CheckKind::Imap, "h:993", at, Outcome::Up, Reason::Timeout, "")
                }
            };
            store.insert("p", &o, std::time::Duration::from_mins(5)).unwrap();
        }
        drop(store);
        let store = Store::open(&path).unwrap();
        assert_eq!(store.answers("p/imap", 10).unwrap(), [12, 15, 14, 13]);
        assert_eq!(store.answers("p/imap", 2).unwrap(), [14, 13], "the latest ones");
        assert!(store.answers("q/imap", 10).unwrap().is_empty());
    }

    #[test]
    fn deleting_a_provider_takes_its_rows_and_leaves_the_others() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("h.sqlite3")).unwrap();
        let at = chrono::DateTime::parse_from_rfc3339("2026-11-24T10:00:00+01:00").unwrap();
        for (provider, check) in [("p", "p/imap"), ("p2", "p2/imap"), ("p.x", "p.x/imap")] {
            let o = Observation::failed(check, CheckKind::Imap, "h:993", at, Outcome::Down, Reason::Timeout, "x");
            store.insert(provider, &o, std::time::Duration::from_mins(5)).unwrap();
            store
                .outage_started(check, provider, at.timestamp_millis(), at.timestamp_millis(), Some("timeout"))
                .unwrap();
        }
        assert!(store.delete_provider("p").unwrap() > 0);
        assert!(!store.has_observations("p/imap").unwrap());
        assert!(store.outages("p", 0, i64::MAX).unwrap().is_empty());
        for (provider, check) in [("p2", "p2/imap"), ("p.x", "p.x/imap")] {
            assert!(store.has_observations(check).unwrap(), "{check} stays");
            assert_eq!(store.outages(provider, 0, i64::MAX).unwrap().len(), 1, "{provider} keeps its outage");
        }
        let left: i64 = store
            .conn
            .query_row("SELECT count(*) FROM last_observation WHERE check_id LIKE 'p/%'", [], |r| r.get(0))
            .unwrap();
        assert_eq!(left, 0);
    }
}

#[cfg(test)]
mod history_tests {
    use std::time::Duration;

    use chrono::{DateTime, FixedOffset};
    use outage_core::model::{
        CheckKind, Finding, Incident, IncidentState, IncidentUpdate, Observation, Outcome, Reason, State,
        StatusSnapshot,
    };

    use super::{GapKind, Retention, Scope, Store, TimelineSource};

    const MIN: i64 = 60_000;

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    fn probe(t: DateTime<FixedOffset>, outcome: Outcome) -> Observation {
        let mut o = Observation::failed("p/imap", CheckKind::Imap, "imap.test:993", t, outcome, Reason::Timeout, "x");
        if outcome == Outcome::Up {
            o.reason = None;
            o.latency_ms = Some(40);
        }
        o
    }

    fn open() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("h.sqlite3")).unwrap();
        (dir, store)
    }

    /// The resident's connection lives all day and writes every minute: SQLite's default
    /// cache (2,000 KiB) would fill with the growing history (issue 20). Other connections
    /// (the window's history, reports, `check`) keep the default.
    #[test]
    fn the_residents_connection_keeps_a_small_page_cache_and_still_writes_and_reads() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.sqlite3");
        let store = Store::open_all_day(&path).unwrap();
        // SQLite's `cache_size`: negative is KiB.
        let cache_size =
            |store: &Store| -> i64 { store.conn.query_row("PRAGMA cache_size", [], |r| r.get(0)).unwrap() };
        assert_eq!(cache_size(&store), -super::ALL_DAY_CACHE_KIB);
        assert_eq!(cache_size(&Store::open(&path).unwrap()), -2000, "SQLite's default elsewhere");
        // Far more pages than the cache holds: written and read back whole.
        let t0 = at("2026-11-24T10:00:00+01:00");
        for minute in 0..600 {
            for check in 0..10 {
                let mut o = probe(t0 + chrono::Duration::minutes(minute), Outcome::Up);
                o.check_id = format!("p{check}/imap");
                store.insert(&format!("p{check}"), &o, Duration::from_mins(3)).unwrap();
            }
        }
        let pages: i64 = store.conn.query_row("PRAGMA page_count", [], |r| r.get(0)).unwrap();
        assert!(pages * 4 > super::ALL_DAY_CACHE_KIB, "{pages} pages: the history outgrew the cache");
        let n: i64 = store.conn.query_row("SELECT count(*) FROM observations", [], |r| r.get(0)).unwrap();
        assert_eq!(n, 6000);
    }

    #[test]
    fn hourly_latency_averages_timed_probes_from_the_first_hour() {
        let (_d, store) = open();
        let t0 = at("2026-11-24T10:00:00+01:00");
        let span = Duration::from_mins(3);
        for (mins, ms) in [(5, Some(40)), (20, Some(60)), (65, Some(100)), (70, None)] {
            let mut o = probe(t0 + chrono::Duration::minutes(mins), Outcome::Up);
            o.latency_ms = ms;
            store.insert("p", &o, span).unwrap();
        }
        let hours = store.hourly_latency("p", t0.timestamp_millis(), t0.timestamp_millis() + 3 * 60 * MIN).unwrap();
        assert_eq!(hours.len(), 2, "{hours:?}");
        assert_eq!(hours[0], (t0.timestamp_millis(), 50.0));
        assert_eq!(hours[1], (t0.timestamp_millis() + 60 * MIN, 100.0));
        assert!(store.hourly_latency("q", 0, i64::MAX).unwrap().is_empty());
    }

    #[test]
    fn uptime_is_time_weighted_and_gaps_are_not_downtime() {
        let (_d, store) = open();
        let t0 = at("2026-11-24T10:00:00+01:00");
        let span = Duration::from_mins(3);
        let add = |mins: i64, outcome| {
            store.insert("p", &probe(t0 + chrono::Duration::minutes(mins), outcome), span).unwrap();
        };
        add(0, Outcome::Up);
        add(1, Outcome::Down); // up held 1 min
        add(3, Outcome::Up); // down held 2 min
        add(23, Outcome::Up); // up held 3 min (the cap), 17 min unknown (asleep)
        let u = store.uptime(Scope::Check("p/imap"), t0.timestamp_millis(), t0.timestamp_millis() + 60 * MIN).unwrap();
        assert_eq!((u.up_ms, u.down_ms, u.unknown_ms), (4 * MIN, 2 * MIN, 17 * MIN));
        assert_eq!(u.ratio(), Some(4.0 / 6.0));
        assert_eq!(u.latency_avg_ms, Some(40.0));
        let by_provider = store.uptime(Scope::Provider("p"), 0, i64::MAX).unwrap();
        assert_eq!(by_provider.up_ms, u.up_ms);
    }

    #[test]
    fn measured_hours_are_per_hour_the_longest_any_check_saw_the_provider() {
        let (_d, store) = open();
        let t0 = at("2026-11-24T10:00:00+01:00");
        let span = Duration::from_mins(3);
        let smtp = |t| {
            let mut o =
                Observation::failed("p/smtp", CheckKind::Smtp, "smtp.test:465", t, Outcome::Up, Reason::Timeout, "");
            o.reason = None;
            o
        };
        // A probe holds until the next one (at most 3 min): IMAP saw 6 min in the first hour
        // and 1 in the second, SMTP 4 in the first and 3 in the third. Per hour the longest
        // counts, not the sum; another provider's check is none of p's.
        for (mins, o) in [
            (0, probe(t0, Outcome::Up)),
            (3, probe(t0, Outcome::Up)),
            (60, probe(t0, Outcome::Down)),
            (61, probe(t0, Outcome::Up)),
            (0, smtp(t0)),
            (1, smtp(t0)),
            (120, smtp(t0)),
            (123, smtp(t0)),
        ] {
            let mut o = o;
            o.at = t0 + chrono::Duration::minutes(mins);
            store.insert("p", &o, span).unwrap();
        }
        let mut other = probe(t0, Outcome::Up);
        other.check_id = "q/imap".into();
        store.insert("q", &other, span).unwrap();
        other.at = t0 + chrono::Duration::minutes(150);
        store.insert("q", &other, span).unwrap();
        let hour = |h: i64| t0.timestamp_millis() + h * 60 * MIN;
        let hours = store.measured_hours("p", hour(0), hour(3)).unwrap();
        assert_eq!(hours, [(hour(0), 6 * MIN), (hour(1), MIN), (hour(2), 3 * MIN)]);
        assert_eq!(store.measured_hours("p", hour(1), hour(2)).unwrap(), [(hour(1), MIN)]);
    }

    #[test]
    fn a_status_page_counts_by_what_it_says_and_an_unreadable_one_as_unknown() {
        let (_d, store) = open();
        let t0 = at("2026-11-24T10:00:00Z");
        let page = |t, state| Observation {
            check_id: "p/status_page".into(),
            kind: CheckKind::StatusPage,
            target: "x".into(),
            at: t,
            outcome: Outcome::Up,
            reason: None,
            message: String::new(),
            latency_ms: None,
            cert_days_left: None,
            finding: Finding::StatusPage(StatusSnapshot {
                indicator: Some(state),
                components: vec![],
                incidents: vec![],
            }),
        };
        let span = Duration::from_mins(10);
        store.insert("p", &page(t0, State::MajorOutage), span).unwrap();
        let broken = Observation::failed(
            "p/status_page",
            CheckKind::StatusPage,
            "x",
            t0 + chrono::Duration::minutes(5),
            Outcome::Unknown,
            Reason::HttpStatus,
            "500",
        );
        store.insert("p", &broken, span).unwrap();
        store.insert("p", &page(t0 + chrono::Duration::minutes(7), State::Operational), span).unwrap();
        let u = store.uptime(Scope::Check("p/status_page"), 0, i64::MAX).unwrap();
        assert_eq!((u.down_ms, u.unknown_ms, u.up_ms), (5 * MIN, 2 * MIN, 0));
    }

    #[test]
    fn days_are_local_days() {
        let (_d, store) = open();
        // 23:30 and 00:30 Berlin time are two local days but one UTC day.
        let span = Duration::from_hours(2);
        store.insert("p", &probe(at("2026-11-24T23:30:00+01:00"), Outcome::Up), span).unwrap();
        store.insert("p", &probe(at("2026-11-25T00:30:00+01:00"), Outcome::Up), span).unwrap();
        store.insert("p", &probe(at("2026-11-25T01:30:00+01:00"), Outcome::Up), span).unwrap();
        let days = store.daily(Scope::Check("p/imap"), 0, i64::MAX).unwrap();
        assert_eq!(days.len(), 2, "{days:?}");
        assert_eq!(days[0].0, at("2026-11-24T00:00:00+01:00").timestamp_millis());
        assert_eq!(days[0].1.up_ms, 60 * MIN);
    }

    #[test]
    fn degraded_stretches_are_kept_and_a_new_kind_ends_the_one_before() {
        use outage_core::check::PatternKind;
        let (_d, store) = open();
        let ms = |s: &str| at(s).timestamp_millis();
        store.insert("p", &probe(at("2026-11-24T09:00:00Z"), Outcome::Up), Duration::from_mins(10)).unwrap();
        store.degraded_started("p/imap", "p", PatternKind::Slow, Some("slow"), ms("2026-11-24T10:00:00Z")).unwrap();
        store
            .degraded_started("p/imap", "p", PatternKind::Intermittent, Some("timeout"), ms("2026-11-24T10:30:00Z"))
            .unwrap();
        store.degraded_ended("p/imap", ms("2026-11-24T11:00:00Z")).unwrap();
        // Ending again changes nothing: nothing is open.
        store.degraded_ended("p/imap", ms("2026-11-24T12:00:00Z")).unwrap();
        let found = store.degraded("p", ms("2026-11-24T00:00:00Z"), ms("2026-11-25T00:00:00Z")).unwrap();
        let spans: Vec<(PatternKind, i64, Option<i64>, Option<&str>)> =
            found.iter().map(|d| (d.pattern, d.started_ms, d.ended_ms, d.reason.as_deref())).collect();
        assert_eq!(
            spans,
            [
                (PatternKind::Slow, ms("2026-11-24T10:00:00Z"), Some(ms("2026-11-24T10:30:00Z")), Some("slow")),
                (
                    PatternKind::Intermittent,
                    ms("2026-11-24T10:30:00Z"),
                    Some(ms("2026-11-24T11:00:00Z")),
                    Some("timeout")
                ),
            ]
        );
        assert_eq!((found[0].kind, found[0].target.as_str()), (Some(CheckKind::Imap), "imap.test:993"));
        assert!(store.degraded("p", ms("2026-11-24T11:00:01Z"), ms("2026-11-25T00:00:00Z")).unwrap().is_empty());
        assert!(store.degraded("q", 0, i64::MAX).unwrap().is_empty());
        store.delete_provider("p").unwrap();
        assert!(
            store.degraded("p", 0, i64::MAX).unwrap().is_empty(),
            "deleting a provider's history deletes these too"
        );
    }

    #[test]
    fn retention_drops_raw_rows_but_keeps_uptime() {
        let (_d, store) = open();
        let old = at("2026-01-01T10:00:00Z");
        let span = Duration::from_mins(10);
        store.insert("p", &probe(old, Outcome::Up), span).unwrap();
        store.insert("p", &probe(old + chrono::Duration::minutes(5), Outcome::Down), span).unwrap();
        let now = at("2026-11-24T10:00:00Z").timestamp_millis();
        let removed = store.apply_retention(now, Retention::default()).unwrap();
        assert_eq!(removed, 2);
        assert!(store.recent(None, 10).unwrap().is_empty());
        let u = store.uptime(Scope::Check("p/imap"), 0, now).unwrap();
        assert_eq!(u.up_ms, 5 * MIN);
    }

    fn incident(state: IncidentState, updates: &[(&str, IncidentState, &str)]) -> StatusSnapshot {
        StatusSnapshot {
            indicator: Some(State::MajorOutage),
            components: vec![],
            incidents: vec![Incident {
                id: "inc".into(),
                title: "Mail down".into(),
                state,
                impact: State::MajorOutage,
                started_at: Some(at("2026-11-24T10:20:00Z")),
                updated_at: None,
                url: None,
                updates: updates
                    .iter()
                    .map(|(t, s, b)| IncidentUpdate { at: at(t), status: *s, body: (*b).into() })
                    .collect(),
                components: vec![],
            }],
        }
    }

    #[test]
    fn timeline_merges_what_we_saw_with_what_the_provider_said_and_measures_the_ack_delay() {
        let (_d, store) = open();
        let ms = |s: &str| at(s).timestamp_millis();
        // We see failures from 10:02, confirmed 10:03; the provider speaks at 10:20.
        let outage = store
            .outage_started("p/imap", "p", ms("2026-11-24T10:02:00Z"), ms("2026-11-24T10:03:00Z"), Some("timeout"))
            .unwrap();
        let first = incident(
            IncidentState::Investigating,
            &[("2026-11-24T10:20:00Z", IncidentState::Investigating, "Looking")],
        );
        store.record_snapshot("p", &first, ms("2026-11-24T10:21:00Z")).unwrap();
        let second = incident(
            IncidentState::Identified,
            &[
                ("2026-11-24T10:40:00Z", IncidentState::Identified, "Storage node failed"),
                ("2026-11-24T10:20:00Z", IncidentState::Investigating, "Looking"),
            ],
        );
        store.record_snapshot("p", &second, ms("2026-11-24T10:41:00Z")).unwrap();
        store.record_snapshot("p", &second, ms("2026-11-24T10:45:00Z")).unwrap();
        store.outage_ended("p/imap", ms("2026-11-24T11:00:00Z")).unwrap();
        // The incident leaves the page: resolved as far as anyone can tell.
        let empty = StatusSnapshot { indicator: Some(State::Operational), components: vec![], incidents: vec![] };
        store.record_snapshot("p", &empty, ms("2026-11-24T11:05:00Z")).unwrap();

        let t = store.timeline("p", "inc", ms("2026-11-24T12:00:00Z")).unwrap();
        let kinds: Vec<(&str, TimelineSource)> = t.iter().map(|e| (e.kind.as_str(), e.source)).collect();
        assert_eq!(
            kinds,
            [
                ("failure", TimelineSource::Us),
                ("confirmed", TimelineSource::Us),
                ("investigating", TimelineSource::Provider),
                ("identified", TimelineSource::Provider),
                ("recovered", TimelineSource::Us),
            ]
        );
        assert_eq!(t[3].text, "Storage node failed", "provider text verbatim, stored once");
        let ack = store.ack_delay(outage, |_| true).unwrap().unwrap();
        assert_eq!(ack.incident_id, "inc");
        assert_eq!(ack.delay_ms, 18 * MIN);
        let resolved: Option<i64> = store
            .conn
            .query_row("SELECT resolved_seen_ms FROM incidents WHERE incident_id = 'inc'", [], |r| r.get(0))
            .unwrap();
        assert_eq!(resolved, Some(ms("2026-11-24T11:05:00Z")));
    }

    #[test]
    fn gaps_open_once_and_close() {
        let (_d, store) = open();
        store.gap_started(GapKind::Offline, 1000).unwrap();
        store.gap_started(GapKind::Offline, 2000).unwrap();
        store.gap_ended(GapKind::Offline, 3000).unwrap();
        let gaps = store.gaps(0, 10_000).unwrap();
        assert_eq!(gaps.len(), 1);
        assert_eq!((gaps[0].started_ms, gaps[0].ended_ms), (1000, Some(3000)));
        store.record_alert(5000, "network", "Offline", "body").unwrap();
    }

    #[test]
    fn each_kind_of_network_trouble_is_kept_as_its_own_gap() {
        let (_d, store) = open();
        for (i, kind) in GapKind::ALL.into_iter().enumerate() {
            let at = i64::try_from(i).unwrap() * 1000;
            store.gap_started(kind, at).unwrap();
            store.gap_ended(kind, at + 500).unwrap();
        }
        let kinds: Vec<GapKind> = store.gaps(0, 10_000).unwrap().into_iter().map(|g| g.kind).collect();
        assert_eq!(kinds, GapKind::ALL);
        // A kind a later build wrote is the user's network all the same.
        store.conn.execute("INSERT INTO gaps (kind, started_ms) VALUES ('tunnel', 9000)", []).unwrap();
        assert_eq!(store.gaps(8000, 10_000).unwrap()[0].kind, GapKind::Offline);
    }
}

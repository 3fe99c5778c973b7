//! Time-weighted roll-ups of observations into hourly and daily aggregates, uptime queries,
//! and retention (raw observations 30 days, aggregates two years by default).

use std::time::Duration;

use outage_core::model::{CheckKind, Observation, Outcome, Reason, State};
use rusqlite::{OptionalExtension, Transaction, params};

use super::Store;
use crate::EngineError;

const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 24 * HOUR_MS;

/// What an observation says about availability, for uptime.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Health {
    Up,
    Degraded,
    Down,
    /// We could not tell (unreadable status page, not checked).
    Unknown,
    /// Our own network was down: never the provider's downtime.
    Offline,
}

impl Health {
    /// A status page counts by what it says; our probes by their outcome. A page we cannot
    /// read is unknown, never down.
    pub fn of(o: &Observation) -> Health {
        if o.reason == Some(Reason::Offline) {
            return Health::Offline;
        }
        match (o.kind, o.outcome, o.snapshot()) {
            (CheckKind::StatusPage, Outcome::Up, Some(page)) => match page.overall() {
                State::Operational | State::Maintenance => Health::Up,
                State::Degraded => Health::Degraded,
                State::PartialOutage | State::MajorOutage => Health::Down,
                State::Unknown => Health::Unknown,
            },
            (CheckKind::StatusPage, _, _) | (_, Outcome::Unknown, _) => Health::Unknown,
            (_, Outcome::Up, _) => Health::Up,
            (_, Outcome::Degraded, _) => Health::Degraded,
            (_, Outcome::Down, _) => Health::Down,
        }
    }

    fn column(self) -> &'static str {
        match self {
            Health::Up => "up_ms",
            Health::Degraded => "degraded_ms",
            Health::Down => "down_ms",
            Health::Unknown => "unknown_ms",
            Health::Offline => "offline_ms",
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Health::Up => "up",
            Health::Degraded => "degraded",
            Health::Down => "down",
            Health::Unknown => "unknown",
            Health::Offline => "offline",
        }
    }

    fn parse(s: &str) -> Health {
        match s {
            "up" => Health::Up,
            "degraded" => Health::Degraded,
            "down" => Health::Down,
            "offline" => Health::Offline,
            _ => Health::Unknown,
        }
    }
}

/// Time spent in each health over a window, and the resulting uptime.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Uptime {
    pub up_ms: i64,
    pub degraded_ms: i64,
    pub down_ms: i64,
    pub unknown_ms: i64,
    pub offline_ms: i64,
    pub latency_avg_ms: Option<f64>,
}

impl Uptime {
    /// Up (degraded counts as up) over the time we could see; `None` if we saw nothing.
    /// Unknown and offline time is left out: it is neither up nor the provider's downtime.
    pub fn ratio(&self) -> Option<f64> {
        let seen = self.up_ms + self.degraded_ms + self.down_ms;
        #[allow(clippy::cast_precision_loss)] // milliseconds of a few years fit f64 exactly
        (seen > 0).then(|| (self.up_ms + self.degraded_ms) as f64 / seen as f64)
    }
}

/// How long history is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    pub raw: Duration,
    pub aggregates: Duration,
}

impl Default for Retention {
    fn default() -> Retention {
        Retention { raw: Duration::from_hours(720), aggregates: Duration::from_hours(17520) }
    }
}

fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// Adds the time since the check's previous observation to that observation's health, in
/// the hour and the local day it was taken, then makes this observation the previous one.
#[allow(clippy::too_many_arguments)]
pub(super) fn roll_up(
    tx: &Transaction<'_>,
    check_id: &str,
    provider_id: &str,
    at_ms: i64,
    offset_s: i32,
    health: Health,
    latency_ms: Option<u64>,
    max_span: Duration,
) -> rusqlite::Result<()> {
    let previous: Option<(i64, String)> = tx
        .prepare_cached("SELECT at_ms, health FROM last_observation WHERE check_id = ?1")?
        .query_row([check_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    if let Some((prev_ms, prev_health)) = previous
        && at_ms > prev_ms
    {
        let span = at_ms - prev_ms;
        let held = span.min(ms(max_span));
        add(tx, check_id, provider_id, prev_ms, offset_s, Health::parse(&prev_health), held, None)?;
        if span > held {
            add(tx, check_id, provider_id, prev_ms + held, offset_s, Health::Unknown, span - held, None)?;
        }
    }
    if let Some(latency) = latency_ms.and_then(|l| i64::try_from(l).ok()) {
        add(tx, check_id, provider_id, at_ms, offset_s, health, 0, Some(latency))?;
    }
    tx.prepare_cached(
        "INSERT INTO last_observation (check_id, at_ms, health) VALUES (?1, ?2, ?3)
         ON CONFLICT (check_id) DO UPDATE SET at_ms = excluded.at_ms, health = excluded.health",
    )?
    .execute(params![check_id, at_ms, health.as_str()])?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn add(
    tx: &Transaction<'_>,
    check_id: &str,
    provider_id: &str,
    at_ms: i64,
    offset_s: i32,
    health: Health,
    held_ms: i64,
    latency: Option<i64>,
) -> rusqlite::Result<()> {
    let hour = at_ms.div_euclid(HOUR_MS) * HOUR_MS;
    // Days are the user's local days (the offset the observation was taken in).
    let offset_ms = i64::from(offset_s) * 1000;
    let day = (at_ms + offset_ms).div_euclid(DAY_MS) * DAY_MS - offset_ms;
    let column = health.column();
    let (lat_sum, lat_n) = latency.map_or((0, 0), |l| (l, 1));
    for (table, key, bucket) in [("rollup_hourly", "hour_ms", hour), ("rollup_daily", "day_ms", day)] {
        // Table and column names come from the closed sets above, never from input.
        tx.prepare_cached(&format!(
            "INSERT INTO {table} (check_id, provider_id, {key}, {column}, latency_sum, latency_n)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (check_id, {key}) DO UPDATE SET
               {column} = {column} + excluded.{column},
               latency_sum = latency_sum + excluded.latency_sum,
               latency_n = latency_n + excluded.latency_n"
        ))?
        .execute(params![check_id, provider_id, bucket, held_ms, lat_sum, lat_n])?;
    }
    Ok(())
}

/// Which checks an uptime query covers.
#[derive(Debug, Clone, Copy)]
pub enum Scope<'a> {
    Check(&'a str),
    Provider(&'a str),
}

impl Store {
    /// Uptime over `[from_ms, to_ms)`, from the hourly roll-ups (hour granularity).
    pub fn uptime(&self, scope: Scope<'_>, from_ms: i64, to_ms: i64) -> Result<Uptime, EngineError> {
        let (filter, id) = match scope {
            Scope::Check(id) => ("check_id = ?1", id),
            Scope::Provider(id) => ("provider_id = ?1", id),
        };
        let sql = format!(
            "SELECT COALESCE(SUM(up_ms),0), COALESCE(SUM(degraded_ms),0), COALESCE(SUM(down_ms),0),
                    COALESCE(SUM(unknown_ms),0), COALESCE(SUM(offline_ms),0),
                    COALESCE(SUM(latency_sum),0), COALESCE(SUM(latency_n),0)
             FROM rollup_hourly WHERE {filter} AND hour_ms >= ?2 AND hour_ms < ?3"
        );
        let from = from_ms.div_euclid(HOUR_MS) * HOUR_MS;
        self.conn
            .query_row(&sql, params![id, from, to_ms], |r| {
                let (sum, n): (i64, i64) = (r.get(5)?, r.get(6)?);
                #[allow(clippy::cast_precision_loss)]
                Ok(Uptime {
                    up_ms: r.get(0)?,
                    degraded_ms: r.get(1)?,
                    down_ms: r.get(2)?,
                    unknown_ms: r.get(3)?,
                    offline_ms: r.get(4)?,
                    latency_avg_ms: (n > 0).then(|| sum as f64 / n as f64),
                })
            })
            .map_err(|e| self.err(e))
    }

    /// A provider's average latency per hour over `[from_ms, to_ms)`, for hours with timed
    /// probes, oldest first.
    pub fn hourly_latency(&self, provider_id: &str, from_ms: i64, to_ms: i64) -> Result<Vec<(i64, f64)>, EngineError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT hour_ms, SUM(latency_sum), SUM(latency_n) FROM rollup_hourly
                 WHERE provider_id = ?1 AND hour_ms >= ?2 AND hour_ms < ?3
                 GROUP BY hour_ms HAVING SUM(latency_n) > 0 ORDER BY hour_ms",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![provider_id, from_ms, to_ms], |r| {
                let (hour, sum, n): (i64, i64, i64) = (r.get(0)?, r.get(1)?, r.get(2)?);
                #[allow(clippy::cast_precision_loss)]
                Ok((hour, sum as f64 / n as f64))
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// Per local day over `[from_ms, to_ms)`: the data of 90-day uptime bars.
    pub fn daily(&self, scope: Scope<'_>, from_ms: i64, to_ms: i64) -> Result<Vec<(i64, Uptime)>, EngineError> {
        let (filter, id) = match scope {
            Scope::Check(id) => ("check_id = ?1", id),
            Scope::Provider(id) => ("provider_id = ?1", id),
        };
        let sql = format!(
            "SELECT day_ms, SUM(up_ms), SUM(degraded_ms), SUM(down_ms), SUM(unknown_ms), SUM(offline_ms),
                    SUM(latency_sum), SUM(latency_n)
             FROM rollup_daily WHERE {filter} AND day_ms >= ?2 AND day_ms < ?3 GROUP BY day_ms ORDER BY day_ms"
        );
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![id, from_ms - DAY_MS, to_ms], |r| {
                let (sum, n): (i64, i64) = (r.get(6)?, r.get(7)?);
                #[allow(clippy::cast_precision_loss)]
                Ok((
                    r.get(0)?,
                    Uptime {
                        up_ms: r.get(1)?,
                        degraded_ms: r.get(2)?,
                        down_ms: r.get(3)?,
                        unknown_ms: r.get(4)?,
                        offline_ms: r.get(5)?,
                        latency_avg_ms: (n > 0).then(|| sum as f64 / n as f64),
                    },
                ))
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// Per hour of `[from_ms, to_ms)`: how long any check of the provider saw it (up,
    /// degraded or down — not unknown, not offline), oldest first. The time the provider was
    /// measured at all: the base of every availability figure of the report.
    pub fn measured_hours(&self, provider_id: &str, from_ms: i64, to_ms: i64) -> Result<Vec<(i64, i64)>, EngineError> {
        // Each check's hours are read along the primary key and merged here: grouping the
        // provider's rows by hour through the provider index looked every row up in the table
        // (half a second of a two-year report for 50 providers).
        let mut checks = self
            .conn
            .prepare_cached(
                "SELECT check_id FROM checks WHERE provider_id = ?1
                 UNION SELECT check_id FROM rollup_daily WHERE provider_id = ?1",
            )
            .map_err(|e| self.err(e))?;
        let checks: Vec<String> = checks
            .query_map([provider_id], |r| r.get(0))
            .map_err(|e| self.err(e))?
            .collect::<Result<_, _>>()
            .map_err(|e| self.err(e))?;
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT hour_ms, up_ms + degraded_ms + down_ms FROM rollup_hourly
                 WHERE check_id = ?1 AND provider_id = ?2 AND hour_ms >= ?3 AND hour_ms < ?4",
            )
            .map_err(|e| self.err(e))?;
        let from = from_ms.div_euclid(HOUR_MS) * HOUR_MS;
        let mut hours: Vec<(i64, i64)> = Vec::new();
        for check in &checks {
            let rows = stmt
                .query_map(params![check, provider_id, from, to_ms], |r| Ok((r.get(0)?, r.get(1)?)))
                .map_err(|e| self.err(e))?;
            for row in rows {
                hours.push(row.map_err(|e| self.err(e))?);
            }
        }
        // Per hour, the check that saw the provider longest.
        hours.sort_unstable_by_key(|&(hour, measured)| (hour, std::cmp::Reverse(measured)));
        hours.dedup_by_key(|&mut (hour, _)| hour);
        hours.retain(|&(_, measured)| measured > 0);
        Ok(hours)
    }

    /// When we first saw the provider: its oldest stored observation, or, once those are
    /// past retention, the oldest hour with anything measured.
    pub fn first_observation(&self, provider_id: &str) -> Result<Option<i64>, EngineError> {
        self.conn
            .query_row(
                "SELECT COALESCE(
                   (SELECT MIN(o.at_ms) FROM observations o JOIN checks c ON c.id = o.check_ref
                    WHERE c.provider_id = ?1),
                   (SELECT MIN(hour_ms) FROM rollup_hourly
                    WHERE provider_id = ?1 AND up_ms + degraded_ms + down_ms > 0))",
                [provider_id],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))
    }

    /// Drops raw observations and aggregates older than the retention allows. Returns how
    /// many rows went. The aggregates keep uptime answerable long after the raw rows are gone.
    pub fn apply_retention(&self, now_ms: i64, retention: Retention) -> Result<usize, EngineError> {
        let raw_before = now_ms - ms(retention.raw);
        let agg_before = now_ms - ms(retention.aggregates);
        let tx = self.conn.unchecked_transaction().map_err(|e| self.err(e))?;
        let mut n = tx.execute("DELETE FROM observations WHERE at_ms < ?1", [raw_before]).map_err(|e| self.err(e))?;
        n += tx.execute("DELETE FROM rollup_hourly WHERE hour_ms < ?1", [agg_before]).map_err(|e| self.err(e))?;
        n += tx.execute("DELETE FROM rollup_daily WHERE day_ms < ?1", [agg_before]).map_err(|e| self.err(e))?;
        n += tx.execute("DELETE FROM roundtrip_mails WHERE sent_ms < ?1", [agg_before]).map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))?;
        Ok(n)
    }
}

//! The evidence: outages we detected, incidents and every update providers published (with
//! when we first saw them), alerts we raised, and gaps when we could not look. Plus the
//! queries that merge them: an incident's timeline and the provider's acknowledgement delay.

use outage_core::model::{CheckKind, IncidentState, StatusSnapshot};
use rusqlite::{OptionalExtension, params};

use super::Store;
use crate::EngineError;

pub use outage_core::model::GapKind;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gap {
    pub kind: GapKind,
    pub started_ms: i64,
    pub ended_ms: Option<i64>,
}

/// An outage we detected ourselves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutageRecord {
    pub id: i64,
    pub check_id: String,
    pub provider_id: String,
    /// What kind of check failed and what it probed, when the check is known.
    pub kind: Option<CheckKind>,
    pub target: String,
    pub started_ms: i64,
    pub confirmed_ms: i64,
    pub ended_ms: Option<i64>,
    pub reason: Option<String>,
}

/// Who an entry of a timeline comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimelineSource {
    /// What we detected.
    Us,
    /// What the provider said.
    Provider,
}

/// One line of a merged timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineEntry {
    pub at_ms: i64,
    pub source: TimelineSource,
    /// Short machine-readable kind: `failure`, `confirmed`, `recovered`, or the provider's status.
    pub kind: String,
    /// The provider's words verbatim, or the failure reason.
    pub text: String,
}

/// An incident as we saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeenIncident {
    pub id: String,
    pub title: String,
    pub first_seen_ms: i64,
    pub resolved_seen_ms: Option<i64>,
}

/// How long the provider took to acknowledge an outage we detected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AckDelay {
    pub outage_id: i64,
    pub incident_id: String,
    pub title: String,
    /// The provider's first word about it (its first update, or when we first saw the incident).
    pub said_ms: i64,
    /// From our first failed probe to the provider's first word about it; 0 when the
    /// provider spoke first.
    pub delay_ms: i64,
}

/// An announcement of a provider that could acknowledge an outage: when it first spoke,
/// when we saw it resolved, and the components it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Announcement {
    pub incident_id: String,
    pub title: String,
    pub said_ms: i64,
    pub resolved_seen_ms: Option<i64>,
    pub components: Vec<String>,
}

impl Store {
    /// Records what a status page shows: new incidents and every update not seen before,
    /// with the time we first saw them. Incidents that were open and are no longer listed
    /// count as resolved from now.
    pub fn record_snapshot(
        &self,
        provider_id: &str,
        snapshot: &StatusSnapshot,
        seen_ms: i64,
    ) -> Result<(), EngineError> {
        let tx = self.conn.unchecked_transaction().map_err(|e| self.err(e))?;
        let mut listed = Vec::new();
        for incident in &snapshot.incidents {
            if incident.state == IncidentState::Scheduled {
                continue;
            }
            listed.push(incident.id.clone());
            let resolved = (!incident.state.is_open()).then_some(seen_ms);
            tx.execute(
                "INSERT INTO incidents (provider_id, incident_id, title, state, impact, url, started_ms,
                                        first_seen_ms, last_seen_ms, resolved_seen_ms, components)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9, ?10)
                 ON CONFLICT (provider_id, incident_id) DO UPDATE SET
                   title = excluded.title, state = excluded.state, impact = excluded.impact,
                   url = excluded.url, last_seen_ms = excluded.last_seen_ms,
                   components = CASE WHEN excluded.components = '' THEN incidents.components
                                     ELSE excluded.components END,
                   resolved_seen_ms = COALESCE(incidents.resolved_seen_ms, excluded.resolved_seen_ms)",
                params![
                    provider_id,
                    incident.id,
                    incident.title,
                    serde_plain(&incident.state),
                    incident.impact.as_str(),
                    incident.url,
                    incident.started_at.map(|t| t.timestamp_millis()),
                    seen_ms,
                    resolved,
                    incident.components.join("\n"),
                ],
            )
            .map_err(|e| self.err(e))?;
            for update in &incident.updates {
                tx.execute(
                    "INSERT OR IGNORE INTO incident_updates (provider_id, incident_id, at_ms, status, body, first_seen_ms)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![provider_id, incident.id, update.at.timestamp_millis(), serde_plain(&update.status), update.body, seen_ms],
                )
                .map_err(|e| self.err(e))?;
            }
        }
        // Gone from the page while open: resolved, as far as anyone can tell.
        let open: Vec<String> = {
            let mut stmt = tx
                .prepare("SELECT incident_id FROM incidents WHERE provider_id = ?1 AND resolved_seen_ms IS NULL")
                .map_err(|e| self.err(e))?;
            let rows = stmt.query_map([provider_id], |r| r.get(0)).map_err(|e| self.err(e))?;
            rows.collect::<Result<_, _>>().map_err(|e| self.err(e))?
        };
        for id in open.iter().filter(|id| !listed.contains(id)) {
            tx.execute(
                "UPDATE incidents SET resolved_seen_ms = ?3 WHERE provider_id = ?1 AND incident_id = ?2",
                params![provider_id, id, seen_ms],
            )
            .map_err(|e| self.err(e))?;
        }
        tx.commit().map_err(|e| self.err(e))
    }

    /// Opens an outage of a check (confirmed now, started at the first failed probe).
    pub fn outage_started(
        &self,
        check_id: &str,
        provider_id: &str,
        started_ms: i64,
        confirmed_ms: i64,
        reason: Option<&str>,
    ) -> Result<i64, EngineError> {
        self.conn
            .execute(
                "INSERT INTO outages (check_id, provider_id, started_ms, confirmed_ms, reason) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![check_id, provider_id, started_ms, confirmed_ms, reason],
            )
            .map_err(|e| self.err(e))?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Closes the open outage of a check, if there is one.
    pub fn outage_ended(&self, check_id: &str, ended_ms: i64) -> Result<(), EngineError> {
        self.conn
            .execute(
                "UPDATE outages SET ended_ms = ?2 WHERE check_id = ?1 AND ended_ms IS NULL",
                params![check_id, ended_ms],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// Outages of a provider that overlap `[from_ms, to_ms)`, oldest first.
    pub fn outages(&self, provider_id: &str, from_ms: i64, to_ms: i64) -> Result<Vec<OutageRecord>, EngineError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT o.id, o.check_id, o.provider_id, o.started_ms, o.confirmed_ms, o.ended_ms, o.reason,
                        c.kind, c.target
                 FROM outages o LEFT JOIN checks c ON c.check_id = o.check_id
                 WHERE o.provider_id = ?1 AND o.started_ms < ?3 AND (o.ended_ms IS NULL OR o.ended_ms >= ?2)
                 ORDER BY o.started_ms, o.id",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![provider_id, from_ms, to_ms], |r| {
                Ok(OutageRecord {
                    id: r.get(0)?,
                    check_id: r.get(1)?,
                    provider_id: r.get(2)?,
                    started_ms: r.get(3)?,
                    confirmed_ms: r.get(4)?,
                    ended_ms: r.get(5)?,
                    reason: r.get(6)?,
                    kind: r.get::<_, Option<String>>(7)?.as_deref().and_then(CheckKind::parse),
                    target: r.get::<_, Option<String>>(8)?.unwrap_or_default(),
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// Incidents of a provider we saw during `[from_ms, to_ms)`: (id, title, first seen, resolved seen).
    pub fn incidents(&self, provider_id: &str, from_ms: i64, to_ms: i64) -> Result<Vec<SeenIncident>, EngineError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT incident_id, title, first_seen_ms, resolved_seen_ms FROM incidents
                 WHERE provider_id = ?1 AND first_seen_ms < ?3 AND (resolved_seen_ms IS NULL OR resolved_seen_ms >= ?2)
                 ORDER BY first_seen_ms",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![provider_id, from_ms, to_ms], |r| {
                Ok(SeenIncident {
                    id: r.get(0)?,
                    title: r.get(1)?,
                    first_seen_ms: r.get(2)?,
                    resolved_seen_ms: r.get(3)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// Every update the provider published for an incident, oldest first: (time it gave,
    /// status as stored, text verbatim).
    pub fn incident_updates(
        &self,
        provider_id: &str,
        incident_id: &str,
    ) -> Result<Vec<(i64, String, String)>, EngineError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT at_ms, status, body FROM incident_updates WHERE provider_id = ?1 AND incident_id = ?2
                 ORDER BY at_ms, first_seen_ms",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![provider_id, incident_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// Starts a gap of `kind` unless one is open.
    pub fn gap_started(&self, kind: GapKind, at_ms: i64) -> Result<(), EngineError> {
        self.conn
            .execute(
                "INSERT INTO gaps (kind, started_ms)
                 SELECT ?1, ?2 WHERE NOT EXISTS (SELECT 1 FROM gaps WHERE kind = ?1 AND ended_ms IS NULL)",
                params![kind.as_str(), at_ms],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// Ends the open gap of `kind`.
    pub fn gap_ended(&self, kind: GapKind, at_ms: i64) -> Result<(), EngineError> {
        self.conn
            .execute(
                "UPDATE gaps SET ended_ms = ?2 WHERE kind = ?1 AND ended_ms IS NULL",
                params![kind.as_str(), at_ms],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// Gaps overlapping `[from_ms, to_ms)`.
    pub fn gaps(&self, from_ms: i64, to_ms: i64) -> Result<Vec<Gap>, EngineError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT kind, started_ms, ended_ms FROM gaps
                 WHERE started_ms < ?2 AND (ended_ms IS NULL OR ended_ms >= ?1) ORDER BY started_ms",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![from_ms, to_ms], |r| {
                let kind: String = r.get(0)?;
                Ok(Gap { kind: GapKind::parse(&kind), started_ms: r.get(1)?, ended_ms: r.get(2)? })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// Records an alert shown to the user.
    pub fn record_alert(&self, at_ms: i64, key: &str, title: &str, body: &str) -> Result<(), EngineError> {
        self.conn
            .execute(
                "INSERT INTO alerts (at_ms, key, title, body) VALUES (?1, ?2, ?3, ?4)",
                params![at_ms, key, title, body],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// One merged timeline for a provider's incident: every update the provider published
    /// (verbatim, at the time it gave) and what we detected around it, oldest first.
    pub fn timeline(
        &self,
        provider_id: &str,
        incident_id: &str,
        now_ms: i64,
    ) -> Result<Vec<TimelineEntry>, EngineError> {
        let window: Option<(Option<i64>, i64, Option<i64>)> = self
            .conn
            .query_row(
                "SELECT started_ms, first_seen_ms, resolved_seen_ms FROM incidents WHERE provider_id = ?1 AND incident_id = ?2",
                params![provider_id, incident_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        let Some((started, first_seen, resolved)) = window else { return Ok(Vec::new()) };
        let mut entries = Vec::new();
        let mut stmt = self
            .conn
            .prepare(
                "SELECT at_ms, status, body FROM incident_updates WHERE provider_id = ?1 AND incident_id = ?2 ORDER BY at_ms",
            )
            .map_err(|e| self.err(e))?;
        let updates = stmt
            .query_map(params![provider_id, incident_id], |r| {
                Ok(TimelineEntry {
                    at_ms: r.get(0)?,
                    source: TimelineSource::Provider,
                    kind: r.get(1)?,
                    text: r.get(2)?,
                })
            })
            .map_err(|e| self.err(e))?;
        for u in updates {
            entries.push(u.map_err(|e| self.err(e))?);
        }
        // Our outages that overlap the incident, with two hours of lead: we often see it first.
        let from = started.unwrap_or(first_seen).min(first_seen) - 2 * 3_600_000;
        let to = resolved.unwrap_or(now_ms);
        // A refused login is the account's, not something the provider's incident is about.
        for outage in self.outages(provider_id, from, to)?.into_iter().filter(|o| o.reason.as_deref() != Some("auth")) {
            let reason = outage.reason.clone().unwrap_or_default();
            entries.push(TimelineEntry {
                at_ms: outage.started_ms,
                source: TimelineSource::Us,
                kind: "failure".into(),
                text: format!("{}: {reason}", outage.check_id),
            });
            entries.push(TimelineEntry {
                at_ms: outage.confirmed_ms,
                source: TimelineSource::Us,
                kind: "confirmed".into(),
                text: outage.check_id.clone(),
            });
            if let Some(end) = outage.ended_ms {
                entries.push(TimelineEntry {
                    at_ms: end,
                    source: TimelineSource::Us,
                    kind: "recovered".into(),
                    text: outage.check_id,
                });
            }
        }
        entries.sort_by_key(|e| e.at_ms);
        Ok(entries)
    }

    /// For an outage we detected: the first of the provider's announcements that was open
    /// while it lasted and that `concerns` (given the components the announcement names), and
    /// how long after our first failed probe the provider said something. An announcement
    /// resolved before the outage began acknowledges nothing; a refused login is the
    /// account's and is never acknowledged.
    pub fn ack_delay(
        &self,
        outage_id: i64,
        concerns: impl Fn(&[String]) -> bool,
    ) -> Result<Option<AckDelay>, EngineError> {
        let outage: Option<(String, i64, Option<i64>, Option<String>)> = self
            .conn
            .query_row(
                "SELECT provider_id, started_ms, ended_ms, reason FROM outages WHERE id = ?1",
                [outage_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        let Some((provider_id, started, ended, reason)) = outage else { return Ok(None) };
        if reason.as_deref() == Some("auth") {
            return Ok(None);
        }
        Ok(self.announcements(&provider_id, started, ended)?.into_iter().find(|a| concerns(&a.components)).map(|a| {
            AckDelay {
                outage_id,
                incident_id: a.incident_id,
                title: a.title,
                said_ms: a.said_ms,
                delay_ms: (a.said_ms - started).max(0),
            }
        }))
    }

    /// The provider's announcements open at some moment of `[started_ms, ended_ms]` (to now
    /// when `ended_ms` is `None`), first word first.
    pub fn announcements(
        &self,
        provider_id: &str,
        started_ms: i64,
        ended_ms: Option<i64>,
    ) -> Result<Vec<Announcement>, EngineError> {
        // The provider's first word: its first update's time, or when we first saw the incident.
        let mut stmt = self
            .conn
            .prepare(
                "SELECT incident_id, title, said, resolved_seen_ms, components FROM (
                   SELECT i.incident_id, i.title, i.resolved_seen_ms, i.components,
                          MIN(COALESCE((SELECT MIN(u.at_ms) FROM incident_updates u
                                        WHERE u.provider_id = i.provider_id AND u.incident_id = i.incident_id),
                                       i.first_seen_ms), i.first_seen_ms) AS said
                   FROM incidents i WHERE i.provider_id = ?1)
                 WHERE (?3 IS NULL OR said <= ?3) AND (resolved_seen_ms IS NULL OR resolved_seen_ms > ?2)
                 ORDER BY said, incident_id",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![provider_id, started_ms, ended_ms], |r| {
                let components: String = r.get(4)?;
                Ok(Announcement {
                    incident_id: r.get(0)?,
                    title: r.get(1)?,
                    said_ms: r.get(2)?,
                    resolved_seen_ms: r.get(3)?,
                    components: components.lines().map(str::to_owned).filter(|c| !c.is_empty()).collect(),
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }
}

/// The snake_case name serde gives an enum value.
fn serde_plain<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

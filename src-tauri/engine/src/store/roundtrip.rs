//! The round trip's test mails in the history: sent, found (where and how late), refused,
//! bounced, or still on their way.

use std::time::Duration;

use chrono::{DateTime, FixedOffset};
use outage_core::roundtrip::{Arrival, Place, ProbeMail, Route};
use rusqlite::params;

use super::Store;
use crate::EngineError;

/// One test mail as stored, with its provider (for the history and the evidence report).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundtripMail {
    pub check_id: String,
    pub provider_id: String,
    pub mail: ProbeMail,
}

/// A round trip as the history remembers it: its route and thresholds as its last mail was
/// sent, and when it last looked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RememberedRoute {
    pub check_id: String,
    pub route: Route,
    /// Its last look (any observation of the check); `None` when it never got to one.
    pub last_look: Option<DateTime<FixedOffset>>,
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

fn duration(ms: i64) -> Duration {
    Duration::from_millis(u64::try_from(ms).unwrap_or(0))
}

fn at(ms: i64, offset: FixedOffset) -> DateTime<FixedOffset> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default().with_timezone(&offset)
}

/// A stored row as the round trip's rules see it.
fn probe_mail(
    key: String,
    sent_ms: i64,
    seen_ms: Option<i64>,
    delay_ms: Option<i64>,
    place: Option<&str>,
    offset: FixedOffset,
) -> ProbeMail {
    let arrival = match (seen_ms, place.and_then(Place::parse)) {
        (Some(seen), Some(place)) => {
            Some(Arrival { seen: at(seen, offset), delay_ms: u64::try_from(delay_ms.unwrap_or(0)).unwrap_or(0), place })
        }
        _ => None,
    };
    ProbeMail { key, sent: at(sent_ms, offset), arrival }
}

impl Store {
    /// A test mail is about to be sent: stored first, so a crash mid-send still looks for it;
    /// with it the round trip's route, so its mails stay evidence once it leaves the config.
    pub fn roundtrip_sent(
        &self,
        provider_id: &str,
        check_id: &str,
        route: &Route,
        key: &str,
        sent_ms: i64,
    ) -> Result<(), EngineError> {
        let tx = self.conn.unchecked_transaction().map_err(|e| self.err(e))?;
        tx.prepare_cached(
            "INSERT INTO roundtrip_routes
                 (check_id, provider_id, smtp, imap, recipient, interval_ms, warn_after_ms, fail_after_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT (check_id) DO UPDATE SET smtp = excluded.smtp, imap = excluded.imap,
                 recipient = excluded.recipient, interval_ms = excluded.interval_ms,
                 warn_after_ms = excluded.warn_after_ms, fail_after_ms = excluded.fail_after_ms",
        )
        .and_then(|mut stmt| {
            stmt.execute(params![
                check_id,
                provider_id,
                route.smtp,
                route.imap,
                route.to,
                millis(route.interval),
                millis(route.warn_after),
                millis(route.fail_after)
            ])
        })
        .map_err(|e| self.err(e))?;
        tx.execute(
            "INSERT OR IGNORE INTO roundtrip_mails (key, check_id, provider_id, sent_ms) VALUES (?1, ?2, ?3, ?4)",
            params![key, check_id, provider_id, sent_ms],
        )
        .map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))
    }

    /// The round trips of a provider the history remembers, whether or not the config still
    /// has them.
    pub fn roundtrip_routes(
        &self,
        provider_id: &str,
        offset: FixedOffset,
    ) -> Result<Vec<RememberedRoute>, EngineError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT r.check_id, r.smtp, r.imap, r.recipient, r.interval_ms, r.warn_after_ms, r.fail_after_ms, l.at_ms
                 FROM roundtrip_routes r LEFT JOIN last_observation l ON l.check_id = r.check_id
                 WHERE r.provider_id = ?1 ORDER BY r.check_id",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([provider_id], |r| {
                Ok(RememberedRoute {
                    check_id: r.get(0)?,
                    route: Route {
                        smtp: r.get(1)?,
                        imap: r.get(2)?,
                        to: r.get(3)?,
                        interval: duration(r.get(4)?),
                        warn_after: duration(r.get(5)?),
                        fail_after: duration(r.get(6)?),
                    },
                    last_look: r.get::<_, Option<i64>>(7)?.map(|ms| at(ms, offset)),
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
    }

    /// How a test mail ended. The first ending counts: a mail found twice keeps its first look.
    pub fn roundtrip_ended(&self, key: &str, arrival: &Arrival) -> Result<(), EngineError> {
        self.conn
            .execute(
                "UPDATE roundtrip_mails SET seen_ms = ?2, delay_ms = ?3, place = ?4 WHERE key = ?1 AND seen_ms IS NULL",
                params![
                    key,
                    arrival.seen.timestamp_millis(),
                    i64::try_from(arrival.delay_ms).unwrap_or(i64::MAX),
                    arrival.place.as_str()
                ],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// A send that failed before the provider took the mail, for a reason that says nothing
    /// about delivery (no connection): the mail never existed.
    pub fn roundtrip_forget(&self, key: &str) -> Result<(), EngineError> {
        self.conn.execute("DELETE FROM roundtrip_mails WHERE key = ?1", [key]).map(|_| ()).map_err(|e| self.err(e))
    }

    /// The mails a look judges: those sent since `since_ms`, and the latest that ended
    /// before, whatever its age (it says how the round trip last went).
    pub fn roundtrip_mails(
        &self,
        check_id: &str,
        since_ms: i64,
        offset: FixedOffset,
    ) -> Result<Vec<ProbeMail>, EngineError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT key, sent_ms, seen_ms, delay_ms, place FROM roundtrip_mails
                 WHERE check_id = ?1 AND (sent_ms >= ?2 OR key = (
                     SELECT key FROM roundtrip_mails WHERE check_id = ?1 AND seen_ms IS NOT NULL
                     ORDER BY sent_ms DESC LIMIT 1))
                 ORDER BY sent_ms",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![check_id, since_ms], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, Option<i64>>(2)?,
                    r.get::<_, Option<i64>>(3)?,
                    r.get::<_, Option<String>>(4)?,
                ))
            })
            .map_err(|e| self.err(e))?;
        let mut mails = Vec::new();
        for row in rows {
            let (key, sent_ms, seen_ms, delay_ms, place) = row.map_err(|e| self.err(e))?;
            mails.push(probe_mail(key, sent_ms, seen_ms, delay_ms, place.as_deref(), offset));
        }
        Ok(mails)
    }

    /// Every test mail sent in `[from_ms, to_ms)`, of one provider or all, oldest first: the
    /// delivery times over the days, and the late, lost and bounced mails of the evidence.
    pub fn roundtrip_history(
        &self,
        provider_id: Option<&str>,
        from_ms: i64,
        to_ms: i64,
        offset: FixedOffset,
    ) -> Result<Vec<RoundtripMail>, EngineError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT check_id, provider_id, key, sent_ms, seen_ms, delay_ms, place FROM roundtrip_mails
                 WHERE (?1 IS NULL OR provider_id = ?1) AND sent_ms >= ?2 AND sent_ms < ?3 ORDER BY sent_ms",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![provider_id, from_ms, to_ms], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, Option<i64>>(4)?,
                    r.get::<_, Option<i64>>(5)?,
                    r.get::<_, Option<String>>(6)?,
                ))
            })
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (check_id, provider_id, key, sent_ms, seen_ms, delay_ms, place) = row.map_err(|e| self.err(e))?;
            let mail = probe_mail(key, sent_ms, seen_ms, delay_ms, place.as_deref(), offset);
            out.push(RoundtripMail { check_id, provider_id, mail });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn route() -> Route {
        Route {
            smtp: "smtp.x".into(),
            imap: "imap.x".into(),
            to: "u@x".into(),
            interval: Duration::from_mins(15),
            warn_after: Duration::from_mins(5),
            fail_after: Duration::from_mins(30),
        }
    }

    #[test]
    fn mails_on_their_way_survive_a_reopen_and_end_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.sqlite3");
        let offset = FixedOffset::east_opt(3600).unwrap();
        {
            let store = Store::open(&path).unwrap();
            store.roundtrip_sent("p", "p/roundtrip/x/y", &route(), "k1", 1_000).unwrap();
            store.roundtrip_sent("p", "p/roundtrip/x/y", &route(), "k2", 2_000).unwrap();
            store.roundtrip_sent("p", "p/roundtrip/x/y", &route(), "k3", 3_000).unwrap();
            store.roundtrip_forget("k3").unwrap();
        }
        let store = Store::open(&path).unwrap();
        let mails = store.roundtrip_mails("p/roundtrip/x/y", 0, offset).unwrap();
        assert_eq!(mails.iter().map(|m| m.key.as_str()).collect::<Vec<_>>(), ["k1", "k2"]);
        assert!(mails.iter().all(|m| m.arrival.is_none()));
        let arrival = Arrival { seen: at(9_000, offset), delay_ms: 7_000, place: Place::Inbox };
        store.roundtrip_ended("k1", &arrival).unwrap();
        store.roundtrip_ended("k1", &Arrival { delay_ms: 1, ..arrival }).unwrap();
        let mails = store.roundtrip_mails("p/roundtrip/x/y", 1_500, offset).unwrap();
        assert_eq!(mails.len(), 2, "the latest ended mail counts whatever its age");
        assert_eq!(mails[0].arrival, Some(arrival), "the first ending holds");
        let history = store.roundtrip_history(Some("p"), 0, 10_000, offset).unwrap();
        assert_eq!(history.len(), 2);
        assert!(store.roundtrip_history(Some("q"), 0, 10_000, offset).unwrap().is_empty());
        let routes = store.roundtrip_routes("p", offset).unwrap();
        assert_eq!(
            routes,
            [RememberedRoute { check_id: "p/roundtrip/x/y".into(), route: route(), last_look: None }],
            "the route stays after a reopen, whatever the config says"
        );
        store.delete_provider("p").unwrap();
        assert!(store.roundtrip_routes("p", offset).unwrap().is_empty());
        assert!(store.roundtrip_mails("p/roundtrip/x/y", 0, offset).unwrap().is_empty());
    }
}

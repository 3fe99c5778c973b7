//! The evidence report over a period, from the history: availability over measured time
//! only, explained by the outages it lists; acknowledgements only by announcements open
//! during an outage that concern what failed; refused logins as the account's.

use chrono::{DateTime, FixedOffset, NaiveDate, TimeDelta, TimeZone};
use outage_core::check::checks_of;
use outage_core::config::{Config, Provider};
use outage_core::confirm::RecheckPolicy;
use outage_core::model::{CheckKind, IncidentState, Reason};
use outage_core::report::{
    Acknowledgement, Announcement, Availability, Day, Degraded, Event, EventKind, Gap, LateMail, Method, Outage,
    Probed, ProviderEvidence, Report, Sla, Update, Window, concerns,
};
use outage_core::roundtrip;
use outage_core::text::Language;

use crate::EngineError;
use crate::store::{self, OutageRecord, Store};

const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 24 * HOUR_MS;

/// What the user asked for.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub from: DateTime<FixedOffset>,
    pub to: DateTime<FixedOffset>,
    /// Provider ids; empty means all.
    pub providers: Vec<String>,
    pub language: Language,
}

/// Why no report could be made; each a sentence for the person who asked.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("the period starts {from} and ends {to}: it must start before it ends")]
    EmptyPeriod { from: String, to: String },
    #[error("the period starts {0}, in the future: nothing has been measured yet")]
    Future(String),
    #[error("there is no provider `{id}` in the config (known: {known})")]
    UnknownProvider { id: String, known: String },
    #[error("nothing has been measured yet in this period: start Outage Notifier and let it watch for a while")]
    NoHistory,
    #[error("cannot write {path}: {source}")]
    Write { path: String, source: std::io::Error },
    #[error("cannot render the report: {0}")]
    Render(String),
    #[error(transparent)]
    Engine(#[from] EngineError),
}

/// The name of this computer, for the report's first page.
pub fn computer_name() -> String {
    let from_file = std::fs::read_to_string("/proc/sys/kernel/hostname").ok();
    from_file
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "?".to_owned())
}

/// Builds the report for `[from, to)` (to no later than `now`) in `zone`: its days are the
/// zone's calendar days, and every moment is shown in the offset the zone had at that moment
/// (an outage at 10:00 in summer is 10:00 in a report that ends in winter). The CLI and the
/// window pass `chrono::Local`, the zone the rest of the app shows times in.
pub fn build_in<Z: TimeZone>(
    store: &Store,
    config: &Config,
    request: &Request,
    now: DateTime<FixedOffset>,
    computer: &str,
    zone: &Z,
) -> Result<Report, ReportError> {
    let zone = Zone(zone);
    let to = zone.shown(request.to.min(now));
    let from = zone.shown(request.from);
    if from >= now {
        return Err(ReportError::Future(from.to_rfc3339()));
    }
    if from >= to {
        return Err(ReportError::EmptyPeriod { from: from.to_rfc3339(), to: to.to_rfc3339() });
    }
    for id in &request.providers {
        if !config.providers.iter().any(|p| &p.id == id) {
            let known: Vec<&str> = config.providers.iter().map(|p| p.id.as_str()).collect();
            return Err(ReportError::UnknownProvider { id: id.clone(), known: known.join(", ") });
        }
    }
    let chosen: Vec<&Provider> =
        config.providers.iter().filter(|p| request.providers.is_empty() || request.providers.contains(&p.id)).collect();
    let (from_ms, to_ms) = (from.timestamp_millis(), to.timestamp_millis());
    let local = |ms: i64| zone.at(ms);
    let stored_gaps = store.gaps(from_ms, to_ms).map_err(ReportError::Engine)?;
    let gaps: Vec<Gap> = stored_gaps
        .iter()
        .filter_map(|g| Some(Gap { kind: g.kind, from: local(g.started_ms)?, to: g.ended_ms.and_then(local) }))
        .collect();
    let unmeasured = union(stored_gaps.iter().map(|g| (g.started_ms, g.ended_ms.unwrap_or(to_ms))).collect());
    let mut providers = Vec::new();
    for p in &chosen {
        providers.push(provider(store, p, zone, from, to, &unmeasured, &gaps)?);
    }
    if providers.iter().all(|p| p.availability.iter().all(|a| a.measured_ms == 0) && p.outages.is_empty()) {
        return Err(ReportError::NoHistory);
    }
    let mut intervals: Vec<u64> =
        chosen.iter().map(|p| p.interval.unwrap_or(config.settings.interval).as_secs()).collect();
    intervals.sort_unstable();
    intervals.dedup();
    let method = Method {
        intervals_s: intervals,
        status_pages: chosen.iter().any(|p| p.status_page.is_some()),
        mail_servers: chosen.iter().any(|p| !p.mail.is_empty()),
        websites: chosen.iter().any(|p| !p.http.is_empty()),
        failures_to_confirm: RecheckPolicy::default().failures_to_confirm,
    };
    Ok(Report {
        language: request.language,
        generated_at: zone.shown(now),
        computer: computer.to_owned(),
        from,
        to,
        method,
        providers,
        gaps,
    })
}

/// The round trip's test mails sent in the period that did not arrive in time, judged by the
/// thresholds of the round trips the config has now, as things stood at the period's end (a
/// mail found later is listed with its arrival). Those of a round trip since removed from the
/// config are judged by the thresholds it had, as things stood at its last look.
fn late_mails<Z: TimeZone>(
    store: &Store,
    p: &Provider,
    zone: Zone<'_, Z>,
    from_ms: i64,
    to_ms: i64,
    to: DateTime<FixedOffset>,
) -> Result<Vec<LateMail>, ReportError> {
    let mails = store.roundtrip_history(Some(&p.id), from_ms, to_ms, *to.offset())?;
    if mails.is_empty() {
        return Ok(Vec::new());
    }
    let removed = crate::mail::roundtrip::removed_routes(store, p, to)?;
    Ok(mails
        .iter()
        .filter_map(|m| {
            let (route, at, gone) = if let Some(trip) = p.roundtrip.iter().find(|t| t.check_id(&p.id) == m.check_id) {
                (trip.route(), to, false)
            } else {
                let r = removed.iter().find(|r| r.check_id == m.check_id)?;
                (r.route.clone(), r.looked.min(to), true)
            };
            let fate = roundtrip::fate(&m.mail, at, &route);
            fate.is_trouble().then(|| LateMail {
                to: route.to.clone(),
                route: route.words(),
                removed: gone,
                sent: zone.shown(m.mail.sent),
                seen: m.mail.arrival.map(|a| zone.shown(a.seen)),
                delay_ms: m.mail.arrival.filter(|a| a.place.delivered()).map(|a| a.delay_ms),
                fate,
            })
        })
        .collect())
}

fn provider<Z: TimeZone>(
    store: &Store,
    p: &Provider,
    zone: Zone<'_, Z>,
    from: DateTime<FixedOffset>,
    to: DateTime<FixedOffset>,
    unmeasured: &[Span],
    gaps: &[Gap],
) -> Result<ProviderEvidence, ReportError> {
    let local = |ms: i64| zone.at(ms);
    let (from_ms, to_ms) = (from.timestamp_millis(), to.timestamp_millis());
    let first = store.first_observation(&p.id)?.filter(|&t| t < to_ms);
    let hours = store.measured_hours(&p.id, from_ms, to_ms)?;

    // The provider's announcements and their updates in one query each: every outage and the
    // period's list are matched against them here (a query per outage made two years slow).
    let every = store.announcements(&p.id, i64::MIN, None)?;
    let mut updates = store.updates_by_incident(&p.id)?;
    let mut outages = Vec::new();
    let mut refused_logins = Vec::new();
    for o in store.outages(&p.id, from_ms, to_ms)? {
        let Some(outage) = outage(&o, p, &every, to_ms, unmeasured, &local) else { continue };
        if o.reason.as_deref() == Some("auth") {
            refused_logins.push(outage);
        } else {
            outages.push(outage);
        }
    }
    // Answering badly is listed on its own and never counted as downtime.
    let degraded = store
        .degraded(&p.id, from_ms, to_ms)?
        .into_iter()
        .filter_map(|d| {
            let target = if d.target.is_empty() { d.check_id.clone() } else { d.target.clone() };
            Some(Degraded {
                probed: Probed { kind: d.kind.unwrap_or(CheckKind::Http), target },
                kind: d.pattern,
                started: local(d.started_ms)?,
                ended: d.ended_ms.and_then(local),
                reason: d.reason.as_deref().and_then(Reason::parse),
            })
        })
        .collect();
    // Downtime is what the listed outages cover, less the time we could not measure: the
    // figures and the list can never disagree.
    let down = subtract(
        &union(
            outages
                .iter()
                .map(|o| (o.started.timestamp_millis(), o.ended.map_or(to_ms, |e| e.timestamp_millis())))
                .collect(),
        ),
        unmeasured,
    );
    let measure = |a: i64, b: i64| measure(&hours, &down, a, b);
    let since = |a: i64| local(first.map_or(a, |f| f.max(a))).unwrap_or(to);
    let mut availability = Vec::new();
    for (window, days) in Window::FIXED {
        let a = to_ms - days * DAY_MS;
        if a < from_ms {
            break;
        }
        let (measured_ms, down_ms) = measure(a, to_ms);
        availability.push(Availability { window, since: since(a), measured_ms, down_ms });
    }
    let (measured_ms, down_ms) = measure(from_ms, to_ms);
    let period = Availability { window: Window::Period, since: since(from_ms), measured_ms, down_ms };
    availability.push(period);
    let sla = p.sla.map(|promised| Sla::of(promised, &period));

    let mut days = Vec::new();
    let mut date = from.date_naive();
    while let Some(start) = zone.day_start(date) {
        let (a, b) = (start.max(from_ms), zone.day_start(date + TimeDelta::days(1)).unwrap_or(to_ms).min(to_ms));
        if a >= to_ms {
            break;
        }
        let (measured_ms, down_ms) = measure(a, b);
        days.push(Day { date, measured_ms, down_ms });
        date += TimeDelta::days(1);
    }

    let followed = &p.components;
    let mut announcements = Vec::new();
    let mut timeline = Vec::new();
    let in_period = every.into_iter().filter(|a| a.said_ms <= to_ms && a.resolved_seen_ms.is_none_or(|r| r > from_ms));
    for seen in in_period {
        if !(followed.is_empty() || seen.components.is_empty() || concerns_any(&seen.components, followed)) {
            continue;
        }
        let mut said = Vec::new();
        for (at_ms, status, text) in updates.remove(&seen.incident_id).unwrap_or_default() {
            let (Some(at), Some(status)) = (local(at_ms), incident_state(&status)) else { continue };
            timeline.push(Event {
                at,
                what: EventKind::ProviderSaid { status, title: seen.title.clone(), text: text.clone() },
            });
            said.push(Update { at, status, text });
        }
        let Some(first_seen) = local(seen.said_ms) else { continue };
        announcements.push(Announcement {
            title: seen.title,
            first_seen,
            resolved_seen: seen.resolved_seen_ms.and_then(local),
            updates: said,
        });
    }
    for o in &outages {
        let probed = o.probed.clone();
        timeline.push(Event { at: o.started, what: EventKind::Failed { probed: probed.clone(), reason: o.reason } });
        timeline.push(Event { at: o.confirmed, what: EventKind::Confirmed { probed: probed.clone() } });
        if let Some(end) = o.ended {
            timeline.push(Event { at: end, what: EventKind::Recovered { probed } });
        }
    }
    // A gap inside one of the provider's outages is part of its story: the time nobody saw.
    for g in gaps {
        let (a, b) = (g.from.timestamp_millis(), g.to.map_or(to_ms, |t| t.timestamp_millis()));
        if overlap(&down_or_outages(&outages, to_ms), a, b) > 0 {
            timeline.push(Event { at: g.from, what: EventKind::GapStarted { gap: g.kind } });
            if let Some(end) = g.to {
                timeline.push(Event { at: end, what: EventKind::GapEnded { gap: g.kind } });
            }
        }
    }
    timeline.sort_by_key(|e| e.at);

    let probed = checks_of(p)
        .iter()
        .filter(|c| c.kind() != CheckKind::StatusPage)
        .map(|c| Probed { kind: c.kind(), target: c.target().to_owned() })
        .collect();
    Ok(ProviderEvidence {
        id: p.id.clone(),
        name: p.name.clone(),
        probed,
        measured_since: first.and_then(local),
        availability,
        sla,
        days,
        outages,
        refused_logins,
        degraded,
        announcements,
        timeline,
        late_mails: late_mails(store, p, zone, from_ms, to_ms, to)?,
    })
}

fn outage(
    o: &OutageRecord,
    p: &Provider,
    announcements: &[store::Announcement],
    to_ms: i64,
    unmeasured: &[Span],
    local: &impl Fn(i64) -> Option<DateTime<FixedOffset>>,
) -> Option<Outage> {
    let kind = o.kind.unwrap_or(CheckKind::Http);
    let target = if o.target.is_empty() { o.check_id.clone() } else { o.target.clone() };
    // No provider acknowledges a refused login: it is the account's.
    let acknowledged = if o.reason.as_deref() == Some("auth") {
        None
    } else {
        store::acknowledging(announcements, o.started_ms, o.ended_ms, |components| {
            concerns(kind, components, &p.components)
        })
        .and_then(|a| {
            Some(Acknowledgement {
                said: local(a.said_ms)?,
                delay_ms: (a.said_ms - o.started_ms).max(0),
                title: a.title.clone(),
            })
        })
    };
    let (started, confirmed) = (local(o.started_ms)?, local(o.confirmed_ms)?);
    let end_ms = o.ended_ms.unwrap_or(to_ms);
    Some(Outage {
        probed: Probed { kind, target },
        started,
        confirmed,
        ended: o.ended_ms.and_then(local),
        reason: o.reason.as_deref().and_then(Reason::parse),
        acknowledged,
        unmeasured_ms: overlap(unmeasured, o.started_ms, end_ms),
    })
}

fn down_or_outages(outages: &[Outage], to_ms: i64) -> Vec<Span> {
    union(
        outages
            .iter()
            .map(|o| (o.started.timestamp_millis(), o.ended.map_or(to_ms, |e| e.timestamp_millis())))
            .collect(),
    )
}

fn concerns_any(components: &[String], followed: &[String]) -> bool {
    components.iter().any(|c| followed.iter().any(|f| f.eq_ignore_ascii_case(c)))
}

fn incident_state(stored: &str) -> Option<IncidentState> {
    serde_json::from_value(serde_json::Value::String(stored.to_owned())).ok()
}

/// The zone a report is shown in.
struct Zone<'a, Z>(&'a Z);

impl<Z> Clone for Zone<'_, Z> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<Z> Copy for Zone<'_, Z> {}

impl<Z: TimeZone> Zone<'_, Z> {
    /// A moment with the offset the zone had then.
    fn shown(self, t: DateTime<FixedOffset>) -> DateTime<FixedOffset> {
        t.with_timezone(self.0).fixed_offset()
    }

    /// A stored moment (milliseconds) with the offset the zone had then.
    fn at(self, ms: i64) -> Option<DateTime<FixedOffset>> {
        DateTime::from_timestamp_millis(ms).map(|t| t.with_timezone(self.0).fixed_offset())
    }

    /// The start of a calendar day in the zone, in milliseconds: its first moment when the
    /// clocks skip midnight.
    fn day_start(self, date: NaiveDate) -> Option<i64> {
        let midnight = date.and_hms_opt(0, 0, 0)?;
        let start = self.0.from_local_datetime(&midnight).earliest().or_else(|| {
            // A zone that skips midnight starts that day at the first wall-clock time it has.
            (1..=24).find_map(|m| self.0.from_local_datetime(&(midnight + TimeDelta::minutes(m * 5))).earliest())
        })?;
        Some(start.timestamp_millis())
    }
}

/// A stretch of time `[start, end)` in milliseconds.
type Span = (i64, i64);

/// Sorted, non-overlapping spans covering the same time.
fn union(mut spans: Vec<Span>) -> Vec<Span> {
    spans.retain(|(a, b)| a < b);
    spans.sort_unstable();
    let mut out: Vec<Span> = Vec::with_capacity(spans.len());
    for (a, b) in spans {
        match out.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

/// `spans` without the time in `minus` (both sorted and non-overlapping).
fn subtract(spans: &[Span], minus: &[Span]) -> Vec<Span> {
    let mut out = Vec::new();
    for &(mut a, b) in spans {
        for &(ma, mb) in minus {
            if mb <= a || ma >= b {
                continue;
            }
            if ma > a {
                out.push((a, ma));
            }
            a = a.max(mb);
        }
        if a < b {
            out.push((a, b));
        }
    }
    out
}

/// How much of `[a, b)` the sorted spans cover.
fn overlap(spans: &[Span], a: i64, b: i64) -> i64 {
    let first = spans.partition_point(|s| s.1 <= a);
    spans[first..].iter().take_while(|s| s.0 < b).map(|s| s.1.min(b) - s.0.max(a)).filter(|d| *d > 0).sum()
}

/// Measured and down time in `[a, b)`: per hour, the time the provider was measured and the
/// downtime in it, never more than was measured.
fn measure(hours: &[(i64, i64)], down: &[Span], a: i64, b: i64) -> (i64, i64) {
    let first = hours.partition_point(|(h, _)| h + HOUR_MS <= a);
    let (mut measured, mut down_ms) = (0, 0);
    for &(h, m) in hours[first..].iter().take_while(|(h, _)| *h < b) {
        let (ha, hb) = (h.max(a), (h + HOUR_MS).min(b));
        // Hours are the finest grain kept for two years; at a window's edge the hour's
        // measured time counts up to the part of the hour inside the window. The common edge
        // is "now", where everything measured lies before it.
        let share = m.min(hb - ha);
        measured += share;
        down_ms += overlap(down, ha, hb).min(share);
    }
    (measured, down_ms)
}

#[cfg(test)]
mod tests;

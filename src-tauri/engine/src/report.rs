//! Assembles the evidence report (core::report) from the history database.

use chrono::{DateTime, FixedOffset};
use outage_core::config::Config;
use outage_core::report::{
    DayBar, HourPoint, IncidentLine, OutageLine, ProviderHistory, ProviderReport, Report, TimelineLine, Unmeasured,
};

use crate::EngineError;
use crate::store::{GapKind, Scope, Store, TimelineSource};

const DAY_MS: i64 = 86_400_000;

/// Builds the report for `[from, to)`, shown in the offset of `to`.
pub fn build(
    store: &Store,
    config: &Config,
    from: DateTime<FixedOffset>,
    to: DateTime<FixedOffset>,
) -> Result<Report, EngineError> {
    let zone = *to.offset();
    let local = |ms: i64| DateTime::from_timestamp_millis(ms).map(|t| t.with_timezone(&zone));
    let (from_ms, to_ms) = (from.timestamp_millis(), to.timestamp_millis());
    let mut providers = Vec::new();
    for p in &config.providers {
        providers.push(provider(store, &p.id, &p.name, from, to)?);
    }
    let gaps = store
        .gaps(from_ms, to_ms)?
        .into_iter()
        .filter_map(|g| {
            Some(Unmeasured {
                kind: match g.kind {
                    GapKind::Offline => "offline".into(),
                    GapKind::Asleep => "asleep".into(),
                },
                from: local(g.started_ms)?,
                to: g.ended_ms.and_then(local),
            })
        })
        .collect();
    Ok(Report { generated_at: to, from, to, providers, gaps })
}

/// One provider's part of the report over `[from, to)`, shown in the offset of `to`.
pub fn provider(
    store: &Store,
    id: &str,
    name: &str,
    from: DateTime<FixedOffset>,
    to: DateTime<FixedOffset>,
) -> Result<ProviderReport, EngineError> {
    let zone = *to.offset();
    let local = |ms: i64| DateTime::from_timestamp_millis(ms).map(|t| t.with_timezone(&zone));
    let (from_ms, to_ms) = (from.timestamp_millis(), to.timestamp_millis());
    let mut uptime = Vec::new();
    for (label, days) in [("24h", 1), ("7d", 7), ("30d", 30), ("90d", 90)] {
        let u = store.uptime(Scope::Provider(id), to_ms - days * DAY_MS, to_ms)?;
        uptime.push((label.to_owned(), u.ratio()));
    }
    let mut outages = Vec::new();
    for o in store.outages(id, from_ms, to_ms)? {
        let ack = store.ack_delay(o.id)?.map(|a| a.delay_ms / 60_000);
        let (Some(started), Some(confirmed)) = (local(o.started_ms), local(o.confirmed_ms)) else { continue };
        outages.push(OutageLine {
            check: o.check_id,
            started,
            confirmed,
            ended: o.ended_ms.and_then(local),
            reason: o.reason,
            acknowledged_after_min: ack,
        });
    }
    let mut incidents = Vec::new();
    for i in store.incidents(id, from_ms, to_ms)? {
        let timeline = store
            .timeline(id, &i.id, to_ms)?
            .into_iter()
            .filter_map(|e| {
                Some(TimelineLine {
                    at: local(e.at_ms)?,
                    source: match e.source {
                        TimelineSource::Us => "us".into(),
                        TimelineSource::Provider => "provider".into(),
                    },
                    kind: e.kind,
                    text: e.text,
                })
            })
            .collect();
        let Some(first_seen) = local(i.first_seen_ms) else { continue };
        incidents.push(IncidentLine {
            id: i.id,
            title: i.title,
            first_seen,
            resolved_seen: i.resolved_seen_ms.and_then(local),
            timeline,
        });
    }
    Ok(ProviderReport { id: id.to_owned(), name: name.to_owned(), uptime, outages, incidents })
}

/// What the window shows for one provider: the last 90 days of the report and one bar per
/// local day (days with nothing seen are bars without a value, not downtime).
pub fn history(
    store: &Store,
    id: &str,
    name: &str,
    now: DateTime<FixedOffset>,
) -> Result<ProviderHistory, EngineError> {
    let from = now - chrono::TimeDelta::days(90);
    let report = provider(store, id, name, from, now)?;
    let zone = *now.offset();
    let mut seen: std::collections::BTreeMap<String, DayBar> = store
        .daily(Scope::Provider(id), from.timestamp_millis(), now.timestamp_millis())?
        .into_iter()
        .filter_map(|(day_ms, u)| {
            let day = DateTime::from_timestamp_millis(day_ms)?.with_timezone(&zone);
            // Rows are keyed by the start of a local day in the offset they were taken in;
            // half a day later is safely inside that day in any offset.
            let day = (day + chrono::TimeDelta::hours(12)).date_naive().to_string();
            let bar = DayBar {
                day: day.clone(),
                uptime: u.ratio(),
                down_min: u.down_ms / 60_000,
                unseen_min: (u.unknown_ms + u.offline_ms) / 60_000,
                latency_ms: u.latency_avg_ms,
            };
            Some((day, bar))
        })
        .collect();
    // One bar for each of the 90 days, oldest first, like a status page: a day without data
    // is a bar without a value (before monitoring began, or the machine was off).
    let today = now.date_naive();
    let days = (0..90)
        .rev()
        .filter_map(|back| today.checked_sub_days(chrono::Days::new(back)))
        .map(|date| {
            let day = date.to_string();
            seen.remove(&day).unwrap_or(DayBar { day, uptime: None, down_min: 0, unseen_min: 0, latency_ms: None })
        })
        .collect();
    let hours = store
        .hourly_latency(id, (now - chrono::TimeDelta::days(3)).timestamp_millis(), now.timestamp_millis())?
        .into_iter()
        .filter_map(|(hour_ms, latency_ms)| {
            Some(HourPoint { at: DateTime::from_timestamp_millis(hour_ms)?.with_timezone(&zone), latency_ms })
        })
        .collect();
    Ok(ProviderHistory { report, days, hours })
}

//! Assembles the evidence report (core::report) from the history database.

use chrono::{DateTime, FixedOffset};
use outage_core::config::Config;
use outage_core::report::{IncidentLine, OutageLine, ProviderReport, Report, Span, TimelineLine};

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
        let mut uptime = Vec::new();
        for (label, days) in [("24h", 1), ("7d", 7), ("30d", 30), ("90d", 90)] {
            let u = store.uptime(Scope::Provider(&p.id), to_ms - days * DAY_MS, to_ms)?;
            uptime.push((label.to_owned(), u.ratio()));
        }
        let mut outages = Vec::new();
        for o in store.outages(&p.id, from_ms, to_ms)? {
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
        for i in store.incidents(&p.id, from_ms, to_ms)? {
            let timeline = store
                .timeline(&p.id, &i.id, to_ms)?
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
        providers.push(ProviderReport { id: p.id.clone(), name: p.name.clone(), uptime, outages, incidents });
    }
    let gaps = store
        .gaps(from_ms, to_ms)?
        .into_iter()
        .filter_map(|g| {
            Some(Span {
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

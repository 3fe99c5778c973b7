//! Assembles the evidence report (core::report) from the history database, and the window's
//! view of one provider's last 90 days.

use chrono::{DateTime, FixedOffset};
use outage_core::report::{DayBar, HourPoint, IncidentLine, OutageLine, ProviderHistory, ProviderReport, TimelineLine};

use crate::EngineError;
use crate::store::{Scope, Store, TimelineSource};

pub mod csv;
mod evidence;
pub mod pdf;

pub use evidence::{ReportError, Request, build_in, computer_name};

pub use outage_core::report::Format;

/// Renders the report into the files of `format` at `out` (CSV: three files, see
/// [`csv::paths`] and [`csv::degraded_path`]). Every file is written to a temporary name beside it and renamed into
/// place only when all are complete: a failure leaves nothing half-written. Returns the
/// paths written.
pub fn export(
    report: &outage_core::report::Report,
    format: Format,
    out: &std::path::Path,
) -> Result<Vec<std::path::PathBuf>, ReportError> {
    let files: Vec<(std::path::PathBuf, Vec<u8>)> = match format {
        Format::Markdown => vec![(out.to_owned(), outage_core::report::markdown(report).into_bytes())],
        Format::Json => vec![(out.to_owned(), json(report)?.into_bytes())],
        Format::Pdf => vec![(out.to_owned(), pdf::render(report)?)],
        Format::Csv => {
            let (outages, days) = csv::paths(out);
            let render = |r: Result<Vec<u8>, ::csv::Error>| r.map_err(|e| ReportError::Render(e.to_string()));
            let mut files = vec![
                (outages, render(csv::outages(report))?),
                (days, render(csv::days(report))?),
                (csv::degraded_path(out), render(csv::degraded(report))?),
            ];
            if csv::has_mails(report) {
                files.push((csv::mails_path(out), render(csv::mails(report))?));
            }
            files
        }
    };
    let mut temps = Vec::new();
    for (path, bytes) in &files {
        match write_temp(path, bytes) {
            Ok(temp) => temps.push((temp, path.clone())),
            Err(e) => {
                for (temp, _) in &temps {
                    let _ = std::fs::remove_file(temp);
                }
                return Err(e);
            }
        }
    }
    for (temp, path) in &temps {
        std::fs::rename(temp, path)
            .map_err(|source| ReportError::Write { path: path.display().to_string(), source })?;
    }
    Ok(files.into_iter().map(|(p, _)| p).collect())
}

/// The report as JSON (the data behind every other form).
pub fn json(report: &outage_core::report::Report) -> Result<String, ReportError> {
    serde_json::to_string_pretty(report).map_err(|e| ReportError::Render(e.to_string()))
}

fn write_temp(path: &std::path::Path, bytes: &[u8]) -> Result<std::path::PathBuf, ReportError> {
    use std::io::Write as _;
    let err = |source| ReportError::Write { path: path.display().to_string(), source };
    let name = path.file_name().map_or_else(|| "report".into(), |n| n.to_string_lossy().into_owned());
    let temp = path.with_file_name(format!(".{name}.{}.part", std::process::id()));
    let written = std::fs::File::create(&temp).and_then(|mut f| {
        f.write_all(bytes)?;
        f.sync_all()
    });
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temp);
        return Err(err(e));
    }
    Ok(temp)
}

const DAY_MS: i64 = 86_400_000;

/// One provider's part of the report over `[from, to)`, shown in the offset of `to`.
pub fn provider(
    store: &Store,
    id: &str,
    name: &str,
    followed: &[String],
    from: DateTime<FixedOffset>,
    to: DateTime<FixedOffset>,
) -> Result<ProviderReport, EngineError> {
    let zone = *to.offset();
    let local = |ms: i64| DateTime::from_timestamp_millis(ms).map(|t| t.with_timezone(&zone));
    let (from_ms, to_ms) = (from.timestamp_millis(), to.timestamp_millis());
    let first = store.first_observation(id)?;
    let mut uptime = Vec::new();
    for (label, days) in [("24h", 1), ("7d", 7), ("30d", 30), ("90d", 90)] {
        let start_ms = to_ms - days * DAY_MS;
        let u = store.uptime(Scope::Provider(id), start_ms, to_ms)?;
        let since = first.filter(|ms| *ms > start_ms).and_then(local);
        uptime.push((label.to_owned(), u.ratio(), since));
    }
    let mut outages = Vec::new();
    // A refused login is the account's: never listed as the provider's outage.
    for o in store.outages(id, from_ms, to_ms)?.into_iter().filter(|o| o.reason.as_deref() != Some("auth")) {
        let kind = o.kind.unwrap_or(outage_core::model::CheckKind::Http);
        let ack = store
            .ack_delay(o.id, |components| outage_core::report::concerns(kind, components, followed))?
            .map(|a| a.delay_ms / 60_000);
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
    followed: &[String],
    now: DateTime<FixedOffset>,
) -> Result<ProviderHistory, EngineError> {
    let from = now - chrono::TimeDelta::days(90);
    let report = provider(store, id, name, followed, from, now)?;
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

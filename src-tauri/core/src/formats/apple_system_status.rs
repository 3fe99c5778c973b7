//! Apple's System Status data (`www.apple.com/support/systemstatus/data/system_status_en_US.js`,
//! the file behind the System Status page): iCloud Mail and about 78 other services, each with
//! its current events. The developer variant is JSONP (`jsonCallback({…});`), so the outermost
//! `{…}` is read whatever surrounds it.
//!
//! Shape: `{services: [{serviceName, redirectUrl?, events: [{messageId, statusType, message,
//! epochStartDate, epochEndDate, usersAffected, affectedServices, eventStatus}]}]}`; `events`
//! is empty when a service is healthy. `statusType` is Available | Outage | Issue | Performance
//! | Maintenance, `eventStatus` ongoing | resolved | upcoming | completed.
//!
//! "iCloud" is thirteen services ("iCloud Mail", "iCloud Drive", …): each service is a
//! component, so `components = ["iCloud Mail"]` watches only mail. An event counts as open when
//! Apple says `ongoing`, or when its start has passed and its end has not come (a second public
//! reader's rule) unless Apple closed it — the worse of the two readings, since only the
//! resolved shape was ever captured.

use chrono::{DateTime, FixedOffset, TimeZone as _, Utc};
use serde::Deserialize;

use super::{Detection, Format, ParseError, Recordings, Spec};
use crate::model::{Component, Incident, IncidentState, IncidentUpdate, State, StatusSnapshot};

pub const SPEC: Spec = Spec {
    format: Format::AppleSystemStatus,
    name: "apple_system_status",
    endpoint,
    companion: None,
    parse,
    parse_at: Some(parse_at),
    detection: Detection { names: Some(names_url), known_host: Some(known_host), ..Detection::NONE },
    recordings: Recordings { prefixes: &["apple-system-status"], ..Recordings::NONE },
};

/// The consumer page, where every event links to.
const PAGE: &str = "https://www.apple.com/support/systemstatus/";

fn names_url(url: &url::Url) -> bool {
    let path = url.path().to_ascii_lowercase();
    path.contains("/systemstatus/") && super::has_extension(&path, &["js"])
}

fn known_host(host: &str, base: &url::Url) -> Option<url::Url> {
    (host == "www.apple.com" && base.path().starts_with("/support/systemstatus")).then(|| endpoint(base))
}

/// `{base}/data/system_status_en_US.js`; a URL that already names a `.js` file stays.
pub fn endpoint(base: &url::Url) -> url::Url {
    if super::has_extension(base.path(), &["js"]) {
        return base.clone();
    }
    super::endpoint_under(base, "data/system_status_en_US.js")
}

fn err(detail: impl Into<String>) -> ParseError {
    ParseError { format: "apple_system_status", detail: detail.into() }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Raw {
    services: Vec<RawService>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawService {
    service_name: String,
    #[serde(default)]
    redirect_url: Option<String>,
    #[serde(default)]
    events: Vec<RawEvent>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawEvent {
    #[serde(default)]
    message_id: Option<serde_json::Value>,
    #[serde(default)]
    status_type: Option<String>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    epoch_start_date: Option<serde_json::Value>,
    #[serde(default)]
    epoch_end_date: Option<serde_json::Value>,
    #[serde(default)]
    users_affected: Option<String>,
    #[serde(default)]
    affected_services: Option<Vec<String>>,
    #[serde(default)]
    event_status: Option<String>,
}

/// Reads the file by Apple's own `eventStatus` alone.
pub fn parse(body: &[u8]) -> Result<StatusSnapshot, ParseError> {
    read(body, None)
}

/// Reads the file at `now`: an event between its start and end is open too.
pub fn parse_at(body: &[u8], now: DateTime<FixedOffset>) -> Result<StatusSnapshot, ParseError> {
    read(body, Some(now))
}

/// The outermost JSON object of a JSON or JSONP body.
fn json_object(body: &[u8]) -> Result<&[u8], ParseError> {
    let start = body.iter().position(|b| *b == b'{').ok_or_else(|| err("no JSON object"))?;
    let end = body.iter().rposition(|b| *b == b'}').filter(|e| *e > start).ok_or_else(|| err("no JSON object"))?;
    Ok(&body[start..=end])
}

fn read(body: &[u8], now: Option<DateTime<FixedOffset>>) -> Result<StatusSnapshot, ParseError> {
    let raw: Raw =
        serde_json::from_slice(json_object(body)?).map_err(|e| err(format!("not Apple's status data: {e}")))?;
    let mut components = Vec::with_capacity(raw.services.len());
    let mut incidents = Vec::new();
    for service in raw.services {
        let name = service.service_name.trim().to_owned();
        let mut state = State::Operational;
        for (i, event) in service.events.into_iter().enumerate() {
            let incident = incident(&name, service.redirect_url.as_deref(), i, event, now);
            if matches!(incident.state, IncidentState::Investigating | IncidentState::InProgress) {
                state = state.worse(incident.impact);
            }
            incidents.push(incident);
        }
        components.push(Component { name, state, group: None });
    }
    Ok(StatusSnapshot { indicator: None, components, incidents })
}

/// An epoch in milliseconds (Apple's) or seconds.
fn epoch(value: Option<&serde_json::Value>) -> Option<DateTime<FixedOffset>> {
    let n = match value? {
        serde_json::Value::Number(n) => n.as_i64()?,
        serde_json::Value::String(s) => s.trim().parse().ok()?,
        _ => return None,
    };
    let millis = if n.abs() < 100_000_000_000 { n.checked_mul(1000)? } else { n };
    Utc.timestamp_millis_opt(millis).single().map(|t| t.fixed_offset())
}

fn impact(status_type: Option<&str>) -> State {
    match status_type.map(str::to_ascii_lowercase).as_deref() {
        Some("outage") => State::MajorOutage,
        Some("issue" | "performance") => State::Degraded,
        Some("maintenance") => State::Maintenance,
        Some("available") => State::Operational,
        _ => State::Unknown,
    }
}

fn incident(
    service: &str,
    redirect: Option<&str>,
    index: usize,
    event: RawEvent,
    now: Option<DateTime<FixedOffset>>,
) -> Incident {
    let impact = impact(event.status_type.as_deref());
    let maintenance = impact == State::Maintenance;
    let started_at = epoch(event.epoch_start_date.as_ref());
    let ended_at = epoch(event.epoch_end_date.as_ref());
    let status = event.event_status.as_deref().map(str::to_ascii_lowercase);
    let in_window =
        now.zip(started_at).is_some_and(|(now, start)| start <= now && ended_at.is_none_or(|end| end > now));
    let state = match status.as_deref() {
        Some("resolved" | "completed") => {
            if maintenance {
                IncidentState::Completed
            } else {
                IncidentState::Resolved
            }
        }
        Some("upcoming") if !in_window => IncidentState::Scheduled,
        Some("ongoing" | "upcoming") => {
            if maintenance {
                IncidentState::InProgress
            } else {
                IncidentState::Investigating
            }
        }
        // An unknown word: open only while its window says so.
        _ if in_window => {
            if maintenance {
                IncidentState::InProgress
            } else {
                IncidentState::Investigating
            }
        }
        _ if maintenance => IncidentState::Scheduled,
        _ => IncidentState::Resolved,
    };
    let id = match &event.message_id {
        Some(serde_json::Value::String(s)) if !s.trim().is_empty() => s.trim().to_owned(),
        Some(serde_json::Value::Number(n)) => n.to_string(),
        _ => format!("{service}#{index}"),
    };
    let mut components = vec![service.to_owned()];
    for other in event.affected_services.unwrap_or_default() {
        let other = other.trim().to_owned();
        if !other.is_empty() && !components.contains(&other) {
            components.push(other);
        }
    }
    let message = event.message.unwrap_or_default().trim().to_owned();
    let body = match event.users_affected.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
        Some(users) if !message.is_empty() => format!("{message}\n{users}"),
        Some(users) => users.to_owned(),
        None => message,
    };
    let at = if state.is_open() { started_at } else { ended_at.or(started_at) };
    Incident {
        id,
        title: service.to_owned(),
        state,
        impact,
        started_at,
        updated_at: at,
        url: Some(redirect.filter(|r| r.starts_with("https://")).unwrap_or(PAGE).to_owned()),
        updates: at.map(|at| IncidentUpdate { at, status: state, body }).into_iter().collect(),
        components,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = include_str!("../../tests/fixtures/apple-system-status.js");

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    #[test]
    fn icloud_mail_outage_is_open_and_filtered_to_mail() {
        let s = parse_at(SAMPLE.as_bytes(), at("2026-12-01T10:00:00Z")).unwrap();
        assert_eq!(s.components.len(), 4);
        let mail = s.clone().filtered(&["iCloud Mail".into()]);
        assert_eq!(mail.overall(), State::MajorOutage);
        let open = &mail.incidents[0];
        assert_eq!((open.state, open.impact), (IncidentState::Investigating, State::MajorOutage));
        assert_eq!(open.title, "iCloud Mail");
        assert_eq!(open.started_at, Some(at("2026-12-01T08:30:00Z")));
        assert!(open.updates[0].body.starts_with("Users may be unable to send or receive mail."));
        assert_eq!(open.url.as_deref(), Some("https://www.apple.com/support/systemstatus/"));
        // Apple Cash's resolved event counts for nothing.
        let cash = s.clone().filtered(&["Apple Cash".into()]);
        assert_eq!(cash.overall(), State::Operational);
        assert_eq!(cash.incidents[0].state, IncidentState::Resolved);
        // The upcoming maintenance is scheduled, not in progress.
        let store = s.clone().filtered(&["App Store".into()]);
        assert_eq!(store.incidents[0].state, IncidentState::Scheduled);
        assert_eq!(store.overall(), State::Operational);
    }

    #[test]
    fn the_time_window_opens_what_apple_left_unmarked() {
        // Without `now` only Apple's words count; at a time inside the maintenance window the
        // upcoming maintenance is in progress.
        let s = parse_at(SAMPLE.as_bytes(), at("2026-12-03T04:00:00Z")).unwrap();
        let store = s.filtered(&["App Store".into()]);
        assert_eq!(store.incidents[0].state, IncidentState::InProgress);
        assert_eq!(store.overall(), State::Maintenance);
        let s = parse(SAMPLE.as_bytes()).unwrap();
        assert_eq!(s.filtered(&["App Store".into()]).incidents[0].state, IncidentState::Scheduled);
    }

    #[test]
    fn jsonp_healthy_and_garbage() {
        let healthy = br#"jsonCallback({"services":[{"serviceName":"iCloud Mail","events":[]}]});"#;
        let s = parse(healthy).unwrap();
        assert_eq!((s.components.len(), s.incidents.len(), s.overall()), (1, 0, State::Operational));
        assert!(parse(b"<html></html>").is_err());
        assert!(parse(br#"{"products":[]}"#).is_err());
        assert!(parse(b"}{").is_err());
    }

    #[test]
    fn endpoint_and_detection() {
        let page = url::Url::parse("https://www.apple.com/support/systemstatus/").unwrap();
        assert_eq!(endpoint(&page).as_str(), "https://www.apple.com/support/systemstatus/data/system_status_en_US.js");
        assert_eq!(known_host("www.apple.com", &page), Some(endpoint(&page)));
        assert!(names_url(&endpoint(&page)));
        assert_eq!(known_host("www.apple.com", &url::Url::parse("https://www.apple.com/de/").unwrap()), None);
    }
}

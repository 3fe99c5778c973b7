//! Sorry™ status pages (sorryapp; Lexware's status.lexware.de, Pipedrive, Postmark): the page's
//! own API under its host.
//!
//! Two JSON documents, read by the one parser: `api/v1/status` →
//! `{"page": {name, state, state_text, url}}` (the endpoint: the page's state) and its
//! companion `api/v1/notices` → `{"notices": [{id, type, state, timeline_state, subject, url,
//! began_at | begins_at, ended_at, latest_update: {state, content}}]}`. A notice's `type` is
//! `unplanned` (investigating, identified, recovering, resolved, false_alarm), `planned`
//! (scheduled, underway, complete, cancelled) or `general` (information); `timeline_state`
//! `past` closes it whatever its state says. The page's `state` is operational, degraded or
//! partially-degraded; a word we do not know is `unknown`, never fine.
//!
//! The shapes come from a command-line client's test fixtures and the Sorry research notes,
//! not from a live capture, so the fixtures are hand-written and the preset is unverified.

use chrono::{DateTime, FixedOffset};
use serde::Deserialize;

use super::{Detection, Format, ParseError, Recordings, Spec, time};
use crate::model::{Component, Incident, IncidentState, IncidentUpdate, State, StatusSnapshot};

pub const SPEC: Spec = Spec {
    format: Format::Sorry,
    name: "sorry",
    endpoint,
    companion: Some(notices_endpoint),
    parse,
    parse_at: None,
    detection: Detection { known_host: Some(known_host), ..Detection::NONE },
    recordings: Recordings::NONE,
};

/// Lexware's status page leads to its API.
fn known_host(host: &str, base: &url::Url) -> Option<url::Url> {
    matches!(host, "status.lexware.de").then(|| endpoint(base))
}

/// `{base}/api/v1/status`; a URL that already names an API path stays.
pub fn endpoint(base: &url::Url) -> url::Url {
    if base.path().contains("/api/") {
        return base.clone();
    }
    let mut url = base.clone();
    url.set_path("/api/v1/status");
    url.set_query(None);
    url
}

/// The notices beside the status document (`…/api/v1/status` → `…/api/v1/notices`).
fn notices_endpoint(endpoint: &url::Url) -> Option<url::Url> {
    let path = endpoint.path().strip_suffix("/status")?;
    let mut url = endpoint.clone();
    url.set_path(&format!("{path}/notices"));
    Some(url)
}

fn err(detail: impl Into<String>) -> ParseError {
    ParseError { format: "sorry", detail: detail.into() }
}

#[derive(Deserialize)]
struct Document {
    #[serde(default)]
    page: Option<RawPage>,
    #[serde(default)]
    notices: Option<Vec<RawNotice>>,
    #[serde(default)]
    components: Option<Vec<RawComponent>>,
}

#[derive(Deserialize)]
struct RawPage {
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    components: Option<Vec<RawComponent>>,
}

#[derive(Deserialize)]
struct RawComponent {
    name: String,
    #[serde(default)]
    state: Option<String>,
}

#[derive(Deserialize)]
struct RawNotice {
    id: serde_json::Value,
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    timeline_state: Option<String>,
    #[serde(default)]
    subject: Option<String>,
    #[serde(default)]
    synopsis: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    link: Option<String>,
    #[serde(default)]
    began_at: Option<String>,
    #[serde(default)]
    begins_at: Option<String>,
    #[serde(default)]
    ended_at: Option<String>,
    #[serde(default)]
    updated_at: Option<String>,
    #[serde(default)]
    latest_update: Option<RawUpdate>,
    #[serde(default)]
    components: Vec<RawComponent>,
}

#[derive(Deserialize)]
struct RawUpdate {
    #[serde(default)]
    content: Option<String>,
    #[serde(default)]
    created_at: Option<String>,
}

/// The page's or a component's state.
pub fn state_of(word: &str) -> State {
    match word.trim().to_ascii_lowercase().replace('_', "-").as_str() {
        "operational" => State::Operational,
        "degraded" => State::Degraded,
        "partially-degraded" => State::PartialOutage,
        "major-outage" | "outage" => State::MajorOutage,
        "maintenance" | "under-maintenance" => State::Maintenance,
        _ => State::Unknown,
    }
}

fn when(s: Option<&str>) -> Option<DateTime<FixedOffset>> {
    s.and_then(time::rfc3339_or_utc)
}

/// Parses `api/v1/status` (the page's state) or `api/v1/notices` (its notices).
pub fn parse(body: &[u8]) -> Result<StatusSnapshot, ParseError> {
    let doc: Document = serde_json::from_slice(body).map_err(|e| err(format!("not a Sorry page document: {e}")))?;
    if doc.page.is_none() && doc.notices.is_none() {
        return Err(err("neither `page` nor `notices`"));
    }
    let indicator = doc.page.as_ref().map(|p| p.state.as_deref().map_or(State::Unknown, state_of));
    let components = doc
        .components
        .into_iter()
        .chain(doc.page.and_then(|p| p.components))
        .flatten()
        .map(|c| Component { state: c.state.as_deref().map_or(State::Unknown, state_of), name: c.name, group: None })
        .collect();
    let incidents = doc.notices.unwrap_or_default().into_iter().map(notice).collect::<Result<_, _>>()?;
    Ok(StatusSnapshot { indicator, components, incidents })
}

fn notice(n: RawNotice) -> Result<Incident, ParseError> {
    let id = match n.id {
        serde_json::Value::String(s) if !s.trim().is_empty() => s,
        serde_json::Value::Number(x) => x.to_string(),
        _ => return Err(err("a notice without `id`")),
    };
    let word = n.state.as_deref().unwrap_or_default().trim().to_ascii_lowercase();
    let past = n.timeline_state.as_deref().is_some_and(|t| t.eq_ignore_ascii_case("past"));
    let (state, impact) = match n.kind.as_deref().unwrap_or("unplanned").trim().to_ascii_lowercase().as_str() {
        "planned" => {
            let state = match word.as_str() {
                _ if past => IncidentState::Completed,
                "underway" | "in_progress" | "in-progress" => IncidentState::InProgress,
                "complete" | "completed" | "cancelled" | "canceled" => IncidentState::Completed,
                _ => IncidentState::Scheduled,
            };
            (state, State::Maintenance)
        }
        // Information, not a problem: shown, never counted.
        "general" => (IncidentState::Completed, State::Operational),
        _ => {
            let state = match word.as_str() {
                _ if past => IncidentState::Resolved,
                "identified" => IncidentState::Identified,
                "recovering" | "monitoring" => IncidentState::Monitoring,
                "resolved" | "false_alarm" | "false-alarm" => IncidentState::Resolved,
                _ => IncidentState::Investigating,
            };
            // Sorry gives no severity: an open problem is what the page's own state says,
            // at least degraded (the snapshot's floor for open incidents).
            (state, State::Degraded)
        }
    };
    let started_at = when(n.began_at.as_deref()).or_else(|| when(n.begins_at.as_deref()));
    let update = n.latest_update.as_ref();
    let updated_at = when(update.and_then(|u| u.created_at.as_deref()))
        .or_else(|| when(n.updated_at.as_deref()))
        .or_else(|| when(n.ended_at.as_deref()))
        .or(started_at);
    let body = update.and_then(|u| u.content.clone()).or(n.synopsis).unwrap_or_default().trim().to_owned();
    Ok(Incident {
        id,
        title: n.subject.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).unwrap_or_else(|| "Notice".to_owned()),
        state,
        impact,
        started_at,
        updated_at,
        url: n.url.or(n.link),
        updates: updated_at.map(|at| IncidentUpdate { at, status: state, body }).into_iter().collect(),
        components: n.components.into_iter().map(|c| c.name).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const STATUS: &str = include_str!("../../tests/fixtures/sorry-lexware-status.json");
    const NOTICES: &str = include_str!("../../tests/fixtures/sorry-lexware-notices.json");

    #[test]
    fn the_page_state_and_its_components() {
        let s = parse(STATUS.as_bytes()).unwrap();
        assert_eq!(s.indicator, Some(State::Degraded));
        assert_eq!(s.overall(), State::Degraded);
        let names: Vec<(&str, State)> = s.components.iter().map(|c| (c.name.as_str(), c.state)).collect();
        assert_eq!(names, [("Lexware Office", State::Degraded), ("Lexware Office API", State::Operational)]);
        assert_eq!(s.filtered(&["Lexware Office API".into()]).overall(), State::Operational);
    }

    #[test]
    fn notices_by_type_state_and_timeline() {
        let s = parse(NOTICES.as_bytes()).unwrap();
        let read: Vec<(&str, IncidentState, State)> =
            s.incidents.iter().map(|i| (i.id.as_str(), i.state, i.impact)).collect();
        assert_eq!(
            read,
            [
                ("n-1", IncidentState::Identified, State::Degraded),
                ("n-2", IncidentState::Scheduled, State::Maintenance),
                ("n-3", IncidentState::Resolved, State::Degraded),
                ("n-4", IncidentState::Completed, State::Operational),
            ]
        );
        let open = &s.incidents[0];
        assert_eq!(open.title, "Belegupload verzögert");
        assert_eq!(open.started_at, DateTime::parse_from_rfc3339("2026-12-04T08:40:00+01:00").ok());
        assert_eq!(open.updated_at, DateTime::parse_from_rfc3339("2026-12-04T09:05:00+01:00").ok());
        assert!(open.updates[0].body.starts_with("Die Ursache ist gefunden"));
        assert_eq!(open.url.as_deref(), Some("https://status.lexware.de/notices/n-1"));
        // The open problem counts; the schedule, the past notice and the information do not.
        assert_eq!(s.overall(), State::Degraded);
    }

    #[test]
    fn quiet_unknown_and_garbage() {
        let quiet = parse(br#"{"page":{"name":"X","state":"operational"}}"#).unwrap();
        assert_eq!(quiet.overall(), State::Operational);
        assert_eq!(parse(br#"{"notices":[]}"#).unwrap().overall(), State::Operational);
        let odd = parse(br#"{"page":{"state":"sort-of-fine"}}"#).unwrap();
        assert_eq!(odd.overall(), State::Unknown, "a word we do not know is never fine");
        assert!(parse(b"{}").is_err());
        assert!(parse(b"[]").is_err());
        assert!(parse(br#"{"notices":[{"subject":"x"}]}"#).is_err(), "a notice needs an id");
        assert!(parse(b"<html/>").is_err());
    }

    #[test]
    fn endpoint_and_companion() {
        let page = url::Url::parse("https://status.lexware.de/").unwrap();
        let status = known_host("status.lexware.de", &page).unwrap();
        assert_eq!(status.as_str(), "https://status.lexware.de/api/v1/status");
        assert_eq!(notices_endpoint(&status).unwrap().as_str(), "https://status.lexware.de/api/v1/notices");
        assert_eq!(endpoint(&status), status);
        assert!(known_host("status.example.com", &page).is_none());
    }
}

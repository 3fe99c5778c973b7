//! Status.io public API `https://api.status.io/1.0/status/{page_id}`: overall status code,
//! components with their containers (locations), active incidents and maintenances with
//! their messages.
//!
//! Only active items are listed, so an incident is resolved when it disappears. Status codes:
//! 100 operational, 200 planned maintenance, 300 degraded performance, 400 partial service
//! disruption, 500 service disruption, 600 security event. Messages come oldest first.

use chrono::{DateTime, FixedOffset};
use serde::Deserialize;
use serde_json::Value;

use super::detect::has;
use super::{Detection, Format, ParseError, Recordings, Spec, html, time};
use crate::model::{Component, Incident, IncidentState, IncidentUpdate, State, StatusSnapshot};

pub const SPEC: Spec = Spec {
    format: Format::StatusIo,
    name: "status_io",
    endpoint,
    companion: None,
    parse,
    parse_at: None,
    detection: Detection {
        names: Some(names_url),
        known_host: Some(known_host),
        json_object: Some(fingerprint),
        ..Detection::NONE
    },
    recordings: Recordings { prefixes: &["statusio-"], ..Recordings::NONE },
};

fn names_url(url: &url::Url) -> bool {
    url.host_str() == Some("api.status.io")
}

/// Status.io's own hosts, and a custom domain that shows its page id in the path.
fn known_host(host: &str, base: &url::Url) -> Option<url::Url> {
    (matches!(host, "api.status.io" | "status.io") || page_id(base.path()).is_some()).then(|| endpoint(base))
}

fn fingerprint(v: &Value) -> bool {
    v.get("result").is_some_and(|r| has(r, "status_overall"))
}

const API: &str = "https://api.status.io/1.0/status/";

/// The API URL for a page: kept when `base` already is one; built from the page id in
/// `status.io/pages/{id}` or `{custom-domain}/pages/{id}`. A custom domain without the id in
/// its path is returned unchanged: the id is only in the page's HTML, which detection reads.
pub fn endpoint(base: &url::Url) -> url::Url {
    if base.host_str() == Some("api.status.io") {
        return base.clone();
    }
    page_id(base.path()).and_then(|id| url::Url::parse(&format!("{API}{id}")).ok()).unwrap_or_else(|| base.clone())
}

/// The 24-hex page id after `/pages/` in a path or a page's HTML.
pub fn page_id(text: &str) -> Option<&str> {
    text.match_indices("/pages/").find_map(|(i, m)| {
        let rest = &text[i + m.len()..];
        let id = rest.get(..24)?;
        let ends = rest[24..].chars().next().is_none_or(|c| !c.is_ascii_alphanumeric());
        (id.chars().all(|c| c.is_ascii_hexdigit()) && ends).then_some(id)
    })
}

fn err(detail: impl Into<String>) -> ParseError {
    ParseError { format: "status_io", detail: detail.into() }
}

#[derive(Deserialize)]
struct Envelope {
    result: StatusResult,
}

#[derive(Deserialize)]
struct StatusResult {
    status_overall: Overall,
    #[serde(default)]
    status: Option<Vec<RawComponent>>,
    #[serde(default)]
    incidents: Option<Vec<RawItem>>,
    #[serde(default)]
    maintenance: Option<Maintenance>,
}

#[derive(Deserialize)]
struct Overall {
    status_code: Code,
}

/// Codes are numbers in every capture; strings are accepted as well, unknown ones are `Unknown`.
#[derive(Deserialize)]
#[serde(untagged)]
enum Code {
    Number(i64),
    Text(String),
}

impl Code {
    fn value(&self) -> Option<i64> {
        match self {
            Code::Number(n) => Some(*n),
            Code::Text(s) => s.trim().parse().ok(),
        }
    }
}

#[derive(Deserialize)]
struct RawComponent {
    name: String,
    status_code: Code,
    #[serde(default)]
    containers: Option<Vec<RawContainer>>,
}

#[derive(Deserialize)]
struct RawContainer {
    name: String,
    status_code: Code,
}

#[derive(Deserialize)]
struct Maintenance {
    #[serde(default)]
    active: Option<Vec<RawItem>>,
    #[serde(default)]
    upcoming: Option<Vec<RawItem>>,
}

#[derive(Deserialize)]
struct RawItem {
    #[serde(rename = "_id")]
    id: String,
    name: String,
    #[serde(default)]
    datetime_open: Option<String>,
    #[serde(default)]
    datetime_planned_start: Option<String>,
    #[serde(default)]
    messages: Option<Vec<RawMessage>>,
    #[serde(default)]
    components_affected: Option<Vec<Named>>,
}

#[derive(Deserialize)]
struct RawMessage {
    #[serde(default)]
    details: Option<String>,
    #[serde(default)]
    state: Option<Code>,
    #[serde(default)]
    status: Option<Code>,
    #[serde(default)]
    datetime: Option<String>,
}

#[derive(Deserialize)]
struct Named {
    name: String,
}

enum Kind {
    Incident,
    ActiveMaintenance,
    UpcomingMaintenance,
}

/// Parses a `status/{id}` body.
pub fn parse(body: &[u8]) -> Result<StatusSnapshot, ParseError> {
    let envelope: Envelope =
        serde_json::from_slice(body).map_err(|e| err(format!("not a Status.io status response: {e}")))?;
    let result = envelope.result;
    let indicator = Some(code_state(result.status_overall.status_code.value()));

    let mut components = Vec::new();
    for c in result.status.unwrap_or_default() {
        let containers = c.containers.unwrap_or_default();
        if containers.len() > 1 {
            // A component hosted in several locations: one row per location, so "only the
            // EU location is down" stays visible and filterable by the component's name.
            for container in containers {
                components.push(Component {
                    name: format!("{} ({})", c.name, container.name),
                    state: code_state(container.status_code.value()),
                    group: Some(c.name.clone()),
                });
            }
        } else {
            components.push(Component { name: c.name, state: code_state(c.status_code.value()), group: None });
        }
    }

    let maintenance = result.maintenance.unwrap_or(Maintenance { active: None, upcoming: None });
    let incidents = result
        .incidents
        .unwrap_or_default()
        .into_iter()
        .map(|i| item(i, &Kind::Incident))
        .chain(maintenance.active.unwrap_or_default().into_iter().map(|i| item(i, &Kind::ActiveMaintenance)))
        .chain(maintenance.upcoming.unwrap_or_default().into_iter().map(|i| item(i, &Kind::UpcomingMaintenance)))
        .collect();
    Ok(StatusSnapshot { indicator, components, incidents })
}

fn item(raw: RawItem, kind: &Kind) -> Incident {
    let messages = raw.messages.unwrap_or_default();
    let lifecycle = |m: &RawMessage| match kind {
        Kind::Incident => message_state(m.state.as_ref().and_then(Code::value)),
        Kind::ActiveMaintenance => IncidentState::InProgress,
        Kind::UpcomingMaintenance => IncidentState::Scheduled,
    };
    let mut updates: Vec<(IncidentUpdate, Option<i64>)> = messages
        .iter()
        .filter_map(|m| {
            let at = m.datetime.as_deref().and_then(timestamp)?;
            let body = html::plain_or_html(m.details.as_deref().unwrap_or_default());
            let update = IncidentUpdate { at, status: lifecycle(m), body };
            Some((update, m.status.as_ref().and_then(Code::value)))
        })
        .collect();
    updates.sort_by_key(|(u, _)| std::cmp::Reverse(u.at));
    let state = match kind {
        Kind::Incident => updates.first().map_or(IncidentState::Investigating, |(u, _)| u.status),
        Kind::ActiveMaintenance => IncidentState::InProgress,
        Kind::UpcomingMaintenance => IncidentState::Scheduled,
    };
    // The newest message carries the status the provider gives the incident now.
    let impact = match kind {
        Kind::Incident => updates.first().map_or(State::Unknown, |(_, code)| code_state(*code)),
        Kind::ActiveMaintenance | Kind::UpcomingMaintenance => State::Maintenance,
    };
    // Component names, not containers: a component filter names components, and split rows
    // keep the component's name as their group.
    let components = raw.components_affected.unwrap_or_default().into_iter().map(|c| c.name).collect();
    Incident {
        id: raw.id,
        title: raw.name.trim().to_owned(),
        state,
        impact,
        started_at: raw.datetime_planned_start.as_deref().or(raw.datetime_open.as_deref()).and_then(timestamp),
        updated_at: updates.first().map(|(u, _)| u.at),
        url: None,
        updates: updates.into_iter().map(|(u, _)| u).collect(),
        components,
    }
}

fn timestamp(s: &str) -> Option<DateTime<FixedOffset>> {
    time::rfc3339(s)
}

fn code_state(code: Option<i64>) -> State {
    match code {
        Some(100) => State::Operational,
        Some(200) => State::Maintenance,
        // 600 is a security event: something is wrong, the page does not say how badly.
        Some(300 | 600) => State::Degraded,
        Some(400) => State::PartialOutage,
        Some(500) => State::MajorOutage,
        _ => State::Unknown,
    }
}

fn message_state(state: Option<i64>) -> IncidentState {
    match state {
        Some(200) => IncidentState::Identified,
        Some(300) => IncidentState::Monitoring,
        // 100 is "investigating"; an unknown value on a listed (so active) incident is open.
        _ => IncidentState::Investigating,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOCKER: &str = include_str!("../../tests/fixtures/recorded/statusio-status-docker-partial-disruption.json");
    const EDGE: &str = include_str!("../../tests/fixtures/statusio-multi-container-security-event.json");

    #[test]
    fn docker_partial_disruption() {
        let s = parse(DOCKER.as_bytes()).unwrap();
        assert_eq!(s.indicator, Some(State::PartialOutage));
        assert_eq!(s.components.len(), 8);
        let incident = &s.incidents[0];
        assert_eq!(incident.impact, State::PartialOutage);
        assert_eq!(incident.components, vec!["Docker Hub Automated Builds".to_owned()]);
    }

    #[test]
    fn containers_security_event_unknown_codes_and_message_order() {
        let s = parse(EDGE.as_bytes()).unwrap();
        assert_eq!(s.indicator, Some(State::Degraded));
        let names: Vec<_> = s.components.iter().map(|c| (c.name.as_str(), c.state)).collect();
        assert_eq!(
            names,
            [
                ("Webmail (Frankfurt)", State::Operational),
                ("Webmail (Amsterdam)", State::MajorOutage),
                ("IMAP", State::Unknown),
            ]
        );
        let incident = &s.incidents[0];
        // Messages arrive oldest first; stored newest first; the newest says "monitoring".
        assert_eq!(incident.state, IncidentState::Monitoring);
        assert_eq!(incident.updates[0].body, "Traffic is back on Amsterdam.");
        assert_eq!(incident.updates[1].status, IncidentState::Identified);
        assert_eq!(incident.impact, State::Degraded);
        let upcoming = s.incidents.iter().find(|i| i.state == IncidentState::Scheduled).unwrap();
        assert_eq!(upcoming.impact, State::Maintenance);
        assert_eq!(s.overall(), State::MajorOutage);
    }

    #[test]
    fn endpoint_and_page_id() {
        let u = |s: &str| url::Url::parse(s).unwrap();
        let api = "https://api.status.io/1.0/status/5a5b6c7d8e9f0a1b2c3d4e5f";
        assert_eq!(endpoint(&u(api)).as_str(), api);
        assert_eq!(endpoint(&u("https://status.io/pages/5a5b6c7d8e9f0a1b2c3d4e5f")).as_str(), api);
        assert_eq!(endpoint(&u("https://status.example.com/pages/5a5b6c7d8e9f0a1b2c3d4e5f/rss")).as_str(), api);
        assert_eq!(endpoint(&u("https://status.example.com/")).as_str(), "https://status.example.com/");
        assert_eq!(
            page_id(r#"<a href="https://status.io/pages/5a5b6c7d8e9f0a1b2c3d4e5f">"#),
            Some("5a5b6c7d8e9f0a1b2c3d4e5f")
        );
        assert_eq!(page_id("/pages/5a5b6c7d8e9f0a1b2c3d4e5fff"), None);
        assert_eq!(page_id("/pages/xyz"), None);
    }

    #[test]
    fn not_status_io() {
        assert!(parse(br#"{"result":{}}"#).is_err());
        assert!(parse(br#"{"status":{"indicator":"none"}}"#).is_err());
    }
}

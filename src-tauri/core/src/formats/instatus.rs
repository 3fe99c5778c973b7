//! Instatus public `summary.json` (page status, active incidents and maintenances) and its
//! `components.json` (both the documented bare array and the live `{"components": [...]}`).
//!
//! Traps: `activeIncidents`/`activeMaintenances` are omitted entirely when empty; the
//! documented example has no ids and JavaScript `Date.toString()` timestamps while live v3
//! pages send ISO 8601; `duration` is minutes as a string or a number. The summary carries no
//! timeline and no component attribution: incidents have no updates and no components here
//! (the history feed has both, see the `feed` format).

use chrono::{DateTime, FixedOffset};
use serde::Deserialize;
use serde_json::Value;

use super::detect::has;
use super::{Detection, Format, ParseError, Recordings, Spec, time};
use crate::model::{Component, Incident, IncidentState, State, StatusSnapshot};

pub const SPEC: Spec = Spec {
    format: Format::Instatus,
    name: "instatus",
    endpoint,
    companion: None,
    parse,
    parse_at: None,
    detection: Detection {
        generic_paths: &["summary.json", "v3/summary.json"],
        names: Some(names_url),
        json_object: Some(fingerprint),
        json_array_item: Some(array_item),
        ..Detection::NONE
    },
    recordings: Recordings { prefixes: &["instatus-"], ..Recordings::NONE },
};

/// A `summary.json` outside Statuspage's `/api/v2/`.
fn names_url(url: &url::Url) -> bool {
    let path = url.path().to_ascii_lowercase();
    path.ends_with("summary.json") && !path.contains("/api/v2/")
}

/// A summary, or the live `{"components": [...]}` without Statuspage's `page`.
fn fingerprint(v: &Value) -> bool {
    let page = v.get("page");
    page.and_then(|p| p.get("status")).is_some_and(Value::is_string)
        || has(v, "activeIncidents")
        || has(v, "activeMaintenances")
        || (page.is_none() && v.get("components").is_some_and(Value::is_array))
}

/// The documented bare `components.json` array.
fn array_item(first: &Value) -> bool {
    has(first, "isParent") || has(first, "children")
}

/// `{base}/summary.json`; a URL that already names a JSON file is used as it is.
pub fn endpoint(base: &url::Url) -> url::Url {
    super::endpoint_under(base, "summary.json")
}

fn err(detail: impl Into<String>) -> ParseError {
    ParseError { format: "instatus", detail: detail.into() }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Body {
    Summary(Summary),
    Components(Vec<RawComponent>),
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Summary {
    #[serde(default)]
    page: Option<Page>,
    #[serde(default)]
    active_incidents: Option<Vec<RawIncident>>,
    #[serde(default)]
    active_maintenances: Option<Vec<RawMaintenance>>,
    /// Live `components.json` and some summaries.
    #[serde(default)]
    components: Option<Vec<RawComponent>>,
}

#[derive(Deserialize)]
struct Page {
    #[serde(default)]
    status: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawIncident {
    #[serde(default)]
    id: Option<String>,
    name: String,
    #[serde(default)]
    started: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    impact: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    updated_at: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawMaintenance {
    #[serde(default)]
    id: Option<String>,
    name: String,
    #[serde(default)]
    start: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    updated_at: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawComponent {
    name: String,
    #[serde(default)]
    status: Option<String>,
    /// Live shape: `null` or `{ "name": … }`.
    #[serde(default)]
    group: Option<Value>,
    /// Documented shape: group rows with their children inline.
    #[serde(default)]
    is_parent: Option<bool>,
    #[serde(default)]
    children: Option<Vec<RawComponent>>,
}

/// Parses a `summary.json` or a `components.json` body.
pub fn parse(body: &[u8]) -> Result<StatusSnapshot, ParseError> {
    let parsed: Body =
        serde_json::from_slice(body).map_err(|e| err(format!("not an Instatus summary or component list: {e}")))?;
    match parsed {
        Body::Components(rows) => {
            Ok(StatusSnapshot { indicator: None, components: components(rows), incidents: vec![] })
        }
        Body::Summary(summary) => summary_snapshot(summary),
    }
}

fn summary_snapshot(summary: Summary) -> Result<StatusSnapshot, ParseError> {
    let page_status = summary.page.as_ref().and_then(|p| p.status.as_deref());
    if page_status.is_none() && summary.components.is_none() {
        return Err(err("neither `page.status` nor `components`"));
    }
    let indicator = page_status.map(page_state);
    let mut incidents: Vec<Incident> = summary.active_incidents.unwrap_or_default().into_iter().map(incident).collect();
    incidents.extend(summary.active_maintenances.unwrap_or_default().into_iter().map(maintenance));
    Ok(StatusSnapshot { indicator, components: components(summary.components.unwrap_or_default()), incidents })
}

/// Group rows are skipped (their status repeats their children's); children name the group.
fn components(rows: Vec<RawComponent>) -> Vec<Component> {
    let mut out = Vec::new();
    for row in rows {
        let group_name = row.group.as_ref().and_then(|g| g.get("name")).and_then(Value::as_str).map(str::to_owned);
        match row.children {
            Some(children) if row.is_parent == Some(true) || !children.is_empty() => {
                for child in children {
                    out.push(Component {
                        name: child.name,
                        state: impact_state(child.status.as_deref().unwrap_or_default()),
                        group: Some(row.name.clone()),
                    });
                }
            }
            _ if row.is_parent == Some(true) => {}
            _ => out.push(Component {
                name: row.name,
                state: impact_state(row.status.as_deref().unwrap_or_default()),
                group: group_name,
            }),
        }
    }
    out
}

fn incident(raw: RawIncident) -> Incident {
    // The list holds active incidents only: a status we do not know is still open.
    let state = raw.status.as_deref().and_then(incident_state).unwrap_or(IncidentState::Investigating);
    Incident {
        id: raw.id.or_else(|| raw.url.as_deref().and_then(last_segment)).unwrap_or_else(|| raw.name.clone()),
        title: raw.name,
        state,
        impact: raw.impact.as_deref().map_or(State::Unknown, impact_state),
        started_at: raw.started.as_deref().and_then(timestamp),
        updated_at: raw.updated_at.as_deref().and_then(timestamp),
        url: raw.url,
        updates: vec![],
        components: vec![],
    }
}

fn maintenance(raw: RawMaintenance) -> Incident {
    let state = match raw.status.as_deref().map(str::to_ascii_uppercase).as_deref() {
        Some("INPROGRESS" | "IN_PROGRESS") => IncidentState::InProgress,
        Some("COMPLETED") => IncidentState::Completed,
        // NOTSTARTEDYET, and anything unknown in a list of active maintenances: it has not
        // been announced as running, so it must not turn the page to "maintenance".
        _ => IncidentState::Scheduled,
    };
    Incident {
        id: raw.id.or_else(|| raw.url.as_deref().and_then(last_segment)).unwrap_or_else(|| raw.name.clone()),
        title: raw.name,
        state,
        impact: State::Maintenance,
        started_at: raw.start.as_deref().and_then(timestamp),
        updated_at: raw.updated_at.as_deref().and_then(timestamp),
        url: raw.url,
        updates: vec![],
        components: vec![],
    }
}

fn last_segment(url: &str) -> Option<String> {
    url.trim_end_matches('/').rsplit('/').next().filter(|s| !s.is_empty() && !s.contains(':')).map(str::to_owned)
}

/// ISO 8601 (live v3) or `Date.toString()` (the documented example).
fn timestamp(s: &str) -> Option<DateTime<FixedOffset>> {
    time::rfc3339(s).or_else(|| time::js_date(s))
}

fn page_state(s: &str) -> State {
    match s.to_ascii_uppercase().as_str() {
        "UP" => State::Operational,
        // "Something is wrong" without saying how much; open incidents add their impact.
        "HASISSUES" => State::Degraded,
        "UNDERMAINTENANCE" => State::Maintenance,
        _ => State::Unknown,
    }
}

/// Incident `impact` and component `status` share one vocabulary.
fn impact_state(s: &str) -> State {
    match s.to_ascii_uppercase().as_str() {
        "OPERATIONAL" => State::Operational,
        "DEGRADEDPERFORMANCE" => State::Degraded,
        "PARTIALOUTAGE" | "MINOROUTAGE" => State::PartialOutage,
        "MAJOROUTAGE" => State::MajorOutage,
        "UNDERMAINTENANCE" => State::Maintenance,
        _ => State::Unknown,
    }
}

fn incident_state(s: &str) -> Option<IncidentState> {
    Some(match s.to_ascii_uppercase().as_str() {
        "INVESTIGATING" => IncidentState::Investigating,
        "IDENTIFIED" => IncidentState::Identified,
        "MONITORING" => IncidentState::Monitoring,
        "RESOLVED" => IncidentState::Resolved,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOCS: &str = include_str!("../../tests/fixtures/recorded/instatus-summary-docs-example.json");
    const LIVE: &str = include_str!("../../tests/fixtures/instatus-live-v3.json");

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    #[test]
    fn documented_example() {
        let s = parse(DOCS.as_bytes()).unwrap();
        assert_eq!(s.indicator, Some(State::Degraded));
        assert_eq!(s.overall(), State::MajorOutage);
        let incident = &s.incidents[0];
        assert_eq!(incident.id, "cl4a8n3070721qtmzvts760c4");
        assert_eq!(incident.state, IncidentState::Investigating);
        assert_eq!(incident.started_at, Some(at("2022-06-11T18:55:50Z")));
        let maintenance = &s.incidents[1];
        assert_eq!(maintenance.state, IncidentState::Scheduled);
        assert_eq!(maintenance.impact, State::Maintenance);
    }

    #[test]
    fn live_shape_with_omitted_arrays_iso_times_and_unknown_values() {
        let s = parse(LIVE.as_bytes()).unwrap();
        assert_eq!(s.indicator, Some(State::Operational));
        // The maintenance list is omitted entirely; the one incident has an unknown status
        // and an unknown impact: still open, impact unknown, never a panic.
        assert_eq!(s.incidents.len(), 1);
        let incident = &s.incidents[0];
        assert_eq!(incident.id, "cm1x2y3z4000008l5abcd1234");
        assert_eq!(incident.state, IncidentState::Investigating);
        assert_eq!(incident.impact, State::Unknown);
        assert_eq!(incident.started_at, Some(at("2026-09-23T08:00:00.000Z")));
        assert_eq!(incident.updated_at, Some(at("2026-09-23T08:30:00.000Z")));
        assert_eq!(s.overall(), State::Degraded);
    }

    #[test]
    fn both_component_shapes() {
        let live = br#"{"components":[
            {"id":"a","name":"Mail","status":"MAJOROUTAGE","group":{"id":"g","name":"Hosting"}},
            {"id":"b","name":"Web","status":"OPERATIONAL","group":null}]}"#;
        let s = parse(live).unwrap();
        assert_eq!(s.indicator, None);
        assert_eq!(s.components[0].group.as_deref(), Some("Hosting"));
        assert_eq!(s.components[0].state, State::MajorOutage);
        assert_eq!(s.overall(), State::MajorOutage);

        let documented = br#"[
            {"id":"g","name":"Hosting","status":"OPERATIONAL","isParent":true,"children":[
                {"id":"a","name":"Mail","status":"MINOROUTAGE"}]},
            {"id":"b","name":"Web","status":"UNDERMAINTENANCE","isParent":false,"children":[]}]"#;
        let s = parse(documented).unwrap();
        assert_eq!(s.components.len(), 2);
        assert_eq!(s.components[0].name, "Mail");
        assert_eq!(s.components[0].group.as_deref(), Some("Hosting"));
        assert_eq!(s.components[0].state, State::PartialOutage);
        assert_eq!(s.components[1].state, State::Maintenance);
    }

    #[test]
    fn not_instatus() {
        assert!(parse(br#"{"page":{"name":"x"}}"#).is_err());
        assert!(parse(b"null").is_err());
        assert!(parse(br#"{"activeIncidents":[{"name":1}]}"#).is_err());
    }
}

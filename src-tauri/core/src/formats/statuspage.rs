//! Atlassian Statuspage v2 `summary.json`: indicator, components (with groups), unresolved
//! incidents with their full timeline, and scheduled or running maintenances.

use chrono::{DateTime, FixedOffset};
use serde::Deserialize;

use super::ParseError;
use crate::model::{Component, Incident, IncidentState, IncidentUpdate, State, StatusSnapshot};

/// `{base}/api/v2/summary.json`; a URL that already names a JSON file is used as it is.
pub fn endpoint(base: &url::Url) -> url::Url {
    // URL paths are case-sensitive on the server, but `.JSON` still names a JSON file.
    if base.path().rsplit_once('.').is_some_and(|(_, ext)| ext.eq_ignore_ascii_case("json")) {
        return base.clone();
    }
    let mut url = base.clone();
    let path = format!("{}/api/v2/summary.json", base.path().trim_end_matches('/'));
    url.set_path(&path);
    url
}

#[derive(Deserialize)]
struct Summary {
    status: Option<Rollup>,
    #[serde(default)]
    components: Option<Vec<RawComponent>>,
    #[serde(default)]
    incidents: Option<Vec<RawIncident>>,
    #[serde(default)]
    scheduled_maintenances: Option<Vec<RawIncident>>,
}

#[derive(Deserialize)]
struct Rollup {
    indicator: String,
}

#[derive(Deserialize)]
struct RawComponent {
    id: String,
    name: String,
    status: String,
    #[serde(default)]
    group: Option<bool>,
    #[serde(default)]
    group_id: Option<String>,
    #[serde(default)]
    only_show_if_degraded: Option<bool>,
}

#[derive(Deserialize)]
struct RawIncident {
    id: String,
    name: String,
    status: String,
    #[serde(default)]
    impact: Option<String>,
    #[serde(default)]
    created_at: Option<String>,
    #[serde(default)]
    started_at: Option<String>,
    #[serde(default)]
    updated_at: Option<String>,
    #[serde(default)]
    scheduled_for: Option<String>,
    #[serde(default)]
    shortlink: Option<String>,
    #[serde(default)]
    incident_updates: Option<Vec<RawUpdate>>,
    #[serde(default)]
    components: Option<Vec<NamedRef>>,
}

#[derive(Deserialize)]
struct RawUpdate {
    status: String,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    display_at: Option<String>,
    #[serde(default)]
    created_at: Option<String>,
}

#[derive(Deserialize)]
struct NamedRef {
    name: String,
}

fn err(detail: impl Into<String>) -> ParseError {
    ParseError { format: "statuspage", detail: detail.into() }
}

/// Parses a `summary.json` body.
pub fn parse(body: &[u8]) -> Result<StatusSnapshot, ParseError> {
    let summary: Summary = serde_json::from_slice(body).map_err(|e| err(format!("not a summary.json: {e}")))?;
    let indicator =
        summary.status.as_ref().map(|s| indicator_state(&s.indicator)).ok_or_else(|| err("no `status.indicator`"))?;

    let raw = summary.components.unwrap_or_default();
    let group_names: std::collections::HashMap<&str, &str> =
        raw.iter().filter(|c| c.group == Some(true)).map(|c| (c.id.as_str(), c.name.as_str())).collect();
    let components = raw
        .iter()
        // A group's status is the worst of its children; counting it too would only repeat them.
        .filter(|c| c.group != Some(true))
        // Rows the page hides while they are fine are hidden here too.
        .filter(|c| !(c.only_show_if_degraded == Some(true) && c.status == "operational"))
        .map(|c| Component {
            name: c.name.clone(),
            state: component_state(&c.status),
            group: c.group_id.as_deref().and_then(|g| group_names.get(g)).map(|g| (*g).to_owned()),
        })
        .collect();

    let incidents = summary
        .incidents
        .unwrap_or_default()
        .into_iter()
        .chain(summary.scheduled_maintenances.unwrap_or_default())
        .map(incident)
        .collect::<Result<Vec<_>, _>>()?;

    Ok(StatusSnapshot { indicator: Some(indicator), components, incidents })
}

fn incident(raw: RawIncident) -> Result<Incident, ParseError> {
    let state = incident_state(&raw.status)
        .ok_or_else(|| err(format!("incident {}: unknown status `{}`", raw.id, raw.status)))?;
    let mut updates = raw
        .incident_updates
        .unwrap_or_default()
        .into_iter()
        .filter_map(|u| {
            let at = u.display_at.as_deref().or(u.created_at.as_deref()).and_then(timestamp)?;
            Some(IncidentUpdate {
                at,
                status: incident_state(&u.status).unwrap_or(state),
                body: u.body.unwrap_or_default(),
            })
        })
        .collect::<Vec<_>>();
    // Newest first is what Statuspage sends, but nothing guarantees it; never trust the order.
    updates.sort_by_key(|u| std::cmp::Reverse(u.at));
    let impact = raw.impact.as_deref().map_or(State::Unknown, indicator_state);
    Ok(Incident {
        id: raw.id,
        title: raw.name,
        state,
        impact,
        started_at: raw
            .started_at
            .as_deref()
            .or(raw.scheduled_for.as_deref())
            .or(raw.created_at.as_deref())
            .and_then(timestamp),
        updated_at: raw.updated_at.as_deref().and_then(timestamp),
        url: raw.shortlink,
        updates,
        components: raw.components.unwrap_or_default().into_iter().map(|c| c.name).collect(),
    })
}

fn timestamp(s: &str) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(s).ok()
}

fn indicator_state(s: &str) -> State {
    match s {
        "none" => State::Operational,
        "minor" => State::Degraded,
        "major" => State::PartialOutage,
        "critical" => State::MajorOutage,
        "maintenance" => State::Maintenance,
        _ => State::Unknown,
    }
}

fn component_state(s: &str) -> State {
    match s {
        "operational" => State::Operational,
        "degraded_performance" => State::Degraded,
        "partial_outage" => State::PartialOutage,
        "major_outage" => State::MajorOutage,
        "under_maintenance" => State::Maintenance,
        _ => State::Unknown,
    }
}

fn incident_state(s: &str) -> Option<IncidentState> {
    Some(match s {
        "investigating" => IncidentState::Investigating,
        "identified" => IncidentState::Identified,
        "monitoring" => IncidentState::Monitoring,
        "resolved" | "postmortem" => IncidentState::Resolved,
        "scheduled" => IncidentState::Scheduled,
        "in_progress" | "verifying" => IncidentState::InProgress,
        "completed" => IncidentState::Completed,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWILIO: &str =
        include_str!("../../../../../shared/fixtures/status/statuspage-summary-twilio-minor-incidents.json");
    const CLOUDAMQP: &str =
        include_str!("../../../../../shared/fixtures/status/statuspage-summary-cloudamqp-maintenance-in-progress.json");
    const DOCS: &str = include_str!(
        "../../../../../shared/fixtures/status/statuspage-summary-docs-example-critical-with-maintenances.json"
    );

    #[test]
    fn twilio_minor_incidents() {
        let s = parse(TWILIO.as_bytes()).unwrap();
        assert_eq!(s.indicator, Some(State::Degraded));
        assert_eq!(s.overall(), State::Degraded);
        // 73 rows: 8 groups and one operational `only_show_if_degraded` row are not counted.
        assert_eq!(s.components.len(), 64);
        assert!(s.components.iter().any(|c| c.group.as_deref() == Some("PROGRAMMABLE MESSAGING")));
        let open: Vec<_> = s.incidents.iter().filter(|i| !i.state.is_maintenance()).collect();
        assert!(!open.is_empty());
        let first = open[0];
        assert_eq!(first.title, "SMS Delivery Delays to Mozambique Movitel");
        assert_eq!(first.state, IncidentState::Investigating);
        assert_eq!(first.impact, State::Degraded);
        assert_eq!(first.components, vec!["SMS, Middle East & Africa".to_owned()]);
        assert!(first.updates.windows(2).all(|w| w[0].at >= w[1].at));
        assert_eq!(first.updates[0].body, "We are continuing to investigate this issue.");
    }

    #[test]
    fn maintenance_in_progress() {
        let s = parse(CLOUDAMQP.as_bytes()).unwrap();
        assert_eq!(s.indicator, Some(State::Maintenance));
        assert_eq!(s.overall(), State::Maintenance);
        assert!(s.incidents.iter().any(|i| i.state == IncidentState::InProgress));
    }

    #[test]
    fn docs_example_critical() {
        let s = parse(DOCS.as_bytes()).unwrap();
        assert_eq!(s.overall(), State::MajorOutage);
        assert!(s.incidents.iter().any(|i| i.state == IncidentState::Scheduled));
    }

    #[test]
    fn none_indicator_with_open_incident_and_hidden_rows() {
        let body = br#"{"page":{"id":"x","name":"X"},
          "status":{"indicator":"none","description":"All Systems Operational"},
          "components":[
            {"id":"a","name":"Mail","status":"operational"},
            {"id":"b","name":"Hidden","status":"operational","only_show_if_degraded":true}],
          "incidents":[{"id":"i1","name":"Slow logins","status":"monitoring","impact":"none",
            "components":[],"incident_updates":[
              {"status":"investigating","body":"older","display_at":"2026-01-01T10:00:00Z"},
              {"status":"monitoring","body":"newer","display_at":"2026-01-01T11:00:00+01:00"},
              {"status":"identified","body":"newest","display_at":"2026-01-01T10:30:00Z"}]}],
          "scheduled_maintenances":null}"#;
        let s = parse(body).unwrap();
        assert_eq!(s.components.len(), 1);
        assert_eq!(s.overall(), State::Degraded);
        let bodies: Vec<_> = s.incidents[0].updates.iter().map(|u| u.body.as_str()).collect();
        // 11:00+01:00 is 10:00Z: zones are compared as instants, not strings.
        assert_eq!(bodies, ["newest", "older", "newer"]);
    }

    #[test]
    fn garbage_is_a_parse_error() {
        assert!(parse(b"<html>").is_err());
        assert!(parse(br#"{"page":{}}"#).is_err());
        assert!(
            parse(br#"{"status":{"indicator":"none"},"incidents":[{"id":"1","name":"n","status":"weird"}]}"#).is_err()
        );
    }

    #[test]
    fn endpoint_from_base() {
        let u = |s: &str| url::Url::parse(s).unwrap();
        assert_eq!(
            endpoint(&u("https://status.example.com")).as_str(),
            "https://status.example.com/api/v2/summary.json"
        );
        assert_eq!(endpoint(&u("https://x.io/sub/")).as_str(), "https://x.io/sub/api/v2/summary.json");
        assert_eq!(
            endpoint(&u("http://127.0.0.1:9/api/v2/summary.json")).as_str(),
            "http://127.0.0.1:9/api/v2/summary.json"
        );
    }
}

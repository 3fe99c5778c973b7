//! Atlassian Statuspage v2 `summary.json`: indicator, components (with groups), unresolved
//! incidents with their full timeline, and scheduled or running maintenances. Also reads the
//! indicator-less lists (`incidents.json`, `incidents/unresolved.json`,
//! `scheduled-maintenances.json`) and, through [`parse_as`], incident.io's compatible copy.

use chrono::{DateTime, FixedOffset};
use serde::Deserialize;
use serde_json::Value;

use super::detect::has;
use super::{Detection, Format, ParseError, Recordings, Spec};
use crate::model::{Component, Incident, IncidentState, IncidentUpdate, State, StatusSnapshot};

pub const SPEC: Spec = Spec {
    format: Format::Statuspage,
    name: "statuspage",
    endpoint,
    companion: None,
    parse,
    parse_at: None,
    detection: Detection { generic_paths: &["api/v2/summary.json"], json_object: Some(fingerprint), ..Detection::NONE },
    recordings: Recordings { prefixes: &["statuspage-"], ..Recordings::NONE },
};

/// StatusBar's rule: Atlassian always sends the page's zone, incident.io never.
fn fingerprint(v: &Value) -> bool {
    is_summary(v) && has_time_zone(v)
}

/// The shape of a `summary.json` or an indicator-less incident list, Atlassian's or
/// incident.io's: a rollup indicator, or a page with incidents or maintenances.
pub(crate) fn is_summary(v: &Value) -> bool {
    v.get("status").and_then(|s| s.get("indicator")).is_some_and(Value::is_string)
        || (v.get("page").is_some() && (has(v, "incidents") || has(v, "scheduled_maintenances")))
}

/// Whether the page names its time zone, which only Atlassian's pages do.
pub(crate) fn has_time_zone(v: &Value) -> bool {
    v.get("page").is_some_and(|p| has(p, "time_zone"))
}

/// `{base}/api/v2/summary.json`; a URL that already names a JSON file is used as it is.
pub fn endpoint(base: &url::Url) -> url::Url {
    if super::has_extension(base.path(), &["json"]) {
        return base.clone();
    }
    let mut url = base.clone();
    let path = format!("{}/api/v2/summary.json", base.path().trim_end_matches('/'));
    url.set_path(&path);
    url
}

#[derive(Deserialize)]
struct Summary {
    #[serde(default)]
    page: Option<Page>,
    status: Option<Rollup>,
    #[serde(default)]
    components: Option<Vec<RawComponent>>,
    #[serde(default)]
    incidents: Option<Vec<RawIncident>>,
    #[serde(default)]
    scheduled_maintenances: Option<Vec<RawIncident>>,
}

#[derive(Deserialize)]
struct Page {
    #[serde(default)]
    url: Option<String>,
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
    #[serde(default)]
    affected_components: Option<Vec<NamedRef>>,
}

#[derive(Deserialize)]
struct NamedRef {
    name: String,
}

/// Parses a `summary.json` body (or one of the indicator-less incident lists).
pub fn parse(body: &[u8]) -> Result<StatusSnapshot, ParseError> {
    parse_as(body, "statuspage")
}

/// Parses a Statuspage-shaped body, naming `format` in errors: incident.io serves the same
/// contract with `null` for empty lists, no groups and no incident components, all of which
/// this parser accepts.
pub fn parse_as(body: &[u8], format: &'static str) -> Result<StatusSnapshot, ParseError> {
    let err = |detail: String| ParseError { format, detail };
    let summary: Summary = serde_json::from_slice(body).map_err(|e| err(format!("not a summary.json: {e}")))?;
    // The lists without a rollup (`incidents.json`, …) are fine as long as they carry a list;
    // anything else without `status.indicator` is not this format.
    let indicator = match &summary.status {
        Some(rollup) => Some(indicator_state(&rollup.indicator)),
        None if summary.incidents.is_some() || summary.scheduled_maintenances.is_some() => None,
        None => return Err(err("no `status.indicator`".into())),
    };
    let page_url = summary.page.and_then(|p| p.url);

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
        .map(|raw| incident(raw, page_url.as_deref(), format))
        .collect::<Result<Vec<_>, _>>()?;

    Ok(StatusSnapshot { indicator, components, incidents })
}

fn incident(raw: RawIncident, page_url: Option<&str>, format: &'static str) -> Result<Incident, ParseError> {
    let state = incident_state(&raw.status).ok_or_else(|| ParseError {
        format,
        detail: format!("incident {}: unknown status `{}`", raw.id, raw.status),
    })?;
    let raw_updates = raw.incident_updates.unwrap_or_default();
    // Incidents may name no components while their updates record component transitions
    // (`affected_components`); those names are the best attribution there is.
    let mut components: Vec<String> = raw.components.unwrap_or_default().into_iter().map(|c| c.name).collect();
    if components.is_empty() {
        let mut seen = std::collections::HashSet::new();
        components = raw_updates
            .iter()
            .flat_map(|u| u.affected_components.iter().flatten())
            .filter(|c| seen.insert(c.name.as_str()))
            .map(|c| c.name.clone())
            .collect();
    }
    let mut updates = raw_updates
        .into_iter()
        .filter_map(|u| {
            let at = u.display_at.as_deref().or(u.created_at.as_deref()).and_then(timestamp)?;
            Some(IncidentUpdate {
                at,
                status: incident_state(&u.status).unwrap_or(state),
                body: super::html::plain_or_html(u.body.as_deref().unwrap_or_default()),
            })
        })
        .collect::<Vec<_>>();
    // Newest first is what Statuspage sends, but nothing guarantees it; never trust the order.
    updates.sort_by_key(|u| std::cmp::Reverse(u.at));
    let impact = raw.impact.as_deref().map_or(State::Unknown, indicator_state);
    // incident.io has no shortlinks; both platforms serve `{page}/incidents/{id}`.
    let url = raw.shortlink.or_else(|| page_url.map(|p| format!("{}/incidents/{}", p.trim_end_matches('/'), raw.id)));
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
        url,
        updates,
        components,
    })
}

fn timestamp(s: &str) -> Option<DateTime<FixedOffset>> {
    super::time::rfc3339(s)
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

    const TWILIO: &str = include_str!("../../tests/fixtures/recorded/statuspage-summary-twilio-minor-incidents.json");
    const CLOUDAMQP: &str =
        include_str!("../../tests/fixtures/recorded/statuspage-summary-cloudamqp-maintenance-in-progress.json");
    const DOCS: &str =
        include_str!("../../tests/fixtures/recorded/statuspage-summary-docs-example-critical-with-maintenances.json");

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
    fn traps_groups_hidden_rows_unknown_values_order_and_markup() {
        let body = include_str!("../../tests/fixtures/statuspage-summary-traps.json");
        let s = parse(body.as_bytes()).unwrap();
        let rows: Vec<_> = s.components.iter().map(|c| (c.name.as_str(), c.state, c.group.as_deref())).collect();
        assert_eq!(
            rows,
            [
                ("IMAP", State::Operational, Some("Mail")),
                ("SMTP", State::Degraded, Some("Mail")),
                // Hidden while operational, shown once degraded.
                ("Archive", State::MajorOutage, None),
                ("Calendar", State::Unknown, None),
                ("Visit status.example-mail.com for more information", State::Operational, None),
            ]
        );
        let incident = &s.incidents[0];
        assert_eq!(incident.state, IncidentState::Identified);
        assert_eq!(incident.impact, State::Operational);
        // No `components`, but the updates' transitions name SMTP.
        assert_eq!(incident.components, ["SMTP"]);
        assert_eq!(incident.url.as_deref(), Some("https://status.example-mail.com/incidents/inc1"));
        let updates: Vec<_> = incident.updates.iter().map(|u| (u.status, u.body.as_str())).collect();
        assert_eq!(
            updates,
            [
                (IncidentState::Identified, "The queue is draining.\n\nExpect delays of <1 hour."),
                // An unknown update status takes the incident's.
                (IncidentState::Identified, "A storage node failed.\nWe are replacing it."),
                (IncidentState::Investigating, "We are looking into delays."),
            ]
        );
        let maintenance = &s.incidents[1];
        assert_eq!(maintenance.state, IncidentState::InProgress);
        assert_eq!(maintenance.started_at, DateTime::parse_from_rfc3339("2026-02-10T08:00:00+01:00").ok());
        assert_eq!(s.overall(), State::MajorOutage);
        // Only SMTP matters: the indicator is dropped, the open incident's floor remains.
        assert_eq!(s.clone().filtered(&["smtp".into()]).overall(), State::Degraded);
        // Only IMAP matters: the running maintenance on it shows.
        assert_eq!(s.filtered(&["IMAP".into()]).overall(), State::Maintenance);
    }

    #[test]
    fn indicator_less_incident_lists() {
        let body = br#"{"page":{"id":"x"},"incidents":[{"id":"i","name":"n","status":"postmortem","impact":"major"}]}"#;
        let s = parse(body).unwrap();
        assert_eq!(s.indicator, None);
        assert_eq!(s.incidents[0].state, IncidentState::Resolved);
        assert_eq!(s.overall(), State::Operational);
        assert!(parse(br#"{"page":{"id":"x"},"components":[]}"#).is_err());
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

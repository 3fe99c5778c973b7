//! Cachet (self-hosted) API v1: `{base}/api/v1/components` and `{base}/api/v1/incidents`,
//! both `{"meta": {...}, "data": [...]}`.
//!
//! The engine polls the components list (the current state); the incidents list parses too,
//! for a `status_page` URL that names it. Component status: 1 operational, 2 performance
//! issues, 3 partial outage, 4 major outage (0 or anything else: unknown). Incident status:
//! 0 scheduled, 1 investigating, 2 identified, 3 watching, 4 fixed.
//!
//! Timestamps (`"2015-08-01 12:00:00"`) carry no zone: Cachet prints the server's local time
//! and documents none (Cachet issues #507, #4389). They are read as UTC — a guess, but one that
//! never depends on the zone of the machine we run on. Cachet 1.x sent epoch seconds instead.

use chrono::{DateTime, FixedOffset};
use serde::Deserialize;
use serde_json::Value;

use super::{Detection, Format, ParseError, Recordings, Spec, html, time};
use crate::model::{Component, Incident, IncidentState, IncidentUpdate, State, StatusSnapshot};

pub const SPEC: Spec = Spec {
    format: Format::Cachet,
    name: "cachet",
    endpoint,
    companion: Some(incidents_endpoint),
    parse,
    parse_at: None,
    detection: Detection {
        generic_paths: &["api/v1/components"],
        names: Some(names_url),
        json_object: Some(fingerprint),
        ..Detection::NONE
    },
    recordings: Recordings::NONE,
};

fn names_url(url: &url::Url) -> bool {
    let path = url.path().to_ascii_lowercase();
    path.contains("/api/v1/components") || path.contains("/api/v1/incidents")
}

fn fingerprint(v: &Value) -> bool {
    v.get("meta").is_some_and(Value::is_object) && v.get("data").is_some_and(Value::is_array)
}

/// `{base}/api/v1/components`; a URL already under `/api/` is used as it is.
pub fn endpoint(base: &url::Url) -> url::Url {
    super::endpoint_under(base, "api/v1/components")
}

/// The incidents list that goes with a components endpoint (`…/api/v1/components` →
/// `…/api/v1/incidents`, newest first: the API pages 20 at a time, oldest first by default).
/// `None` when `endpoint` is not a components list.
pub fn incidents_endpoint(endpoint: &url::Url) -> Option<url::Url> {
    let path = endpoint.path().trim_end_matches('/');
    let base = path.strip_suffix("/components")?;
    let mut url = endpoint.clone();
    url.set_path(&format!("{base}/incidents"));
    url.set_query(Some("sort=id&order=desc"));
    Some(url)
}

fn err(detail: impl Into<String>) -> ParseError {
    ParseError { format: "cachet", detail: detail.into() }
}

#[derive(Deserialize)]
struct Envelope {
    #[allow(dead_code, reason = "required: `meta` is half of what makes a body Cachet's")]
    meta: Value,
    data: Vec<Value>,
}

/// Parses a components or an incidents list.
pub fn parse(body: &[u8]) -> Result<StatusSnapshot, ParseError> {
    let envelope: Envelope = serde_json::from_slice(body).map_err(|e| err(format!("not a Cachet API list: {e}")))?;
    let mut components = Vec::new();
    let mut incidents = Vec::new();
    for row in &envelope.data {
        if !row.is_object() {
            return Err(err("a `data` row is not an object"));
        }
        // Incidents have a message and a human status; components a status name and a link.
        if row.get("message").is_some() || row.get("human_status").is_some() {
            incidents.push(incident(row)?);
        } else if let Some(c) = component(row)? {
            components.push(c);
        }
    }
    Ok(StatusSnapshot { indicator: None, components, incidents })
}

fn text<'a>(row: &'a Value, key: &str) -> Option<&'a str> {
    row.get(key).and_then(Value::as_str)
}

/// Cachet sends numbers, numeric strings and (1.x) booleans as 0/1 strings alike.
fn number(row: &Value, key: &str) -> Option<i64> {
    match row.get(key)? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn component(row: &Value) -> Result<Option<Component>, ParseError> {
    let name = text(row, "name").ok_or_else(|| err("a component without `name`"))?;
    // Disabled components are hidden on the page.
    let enabled = match row.get("enabled") {
        Some(Value::Bool(b)) => *b,
        Some(v) => v.as_i64().or_else(|| v.as_str().and_then(|s| s.parse().ok())) != Some(0),
        None => true,
    };
    if !enabled {
        return Ok(None);
    }
    let state = match number(row, "status") {
        Some(1) => State::Operational,
        Some(2) => State::Degraded,
        Some(3) => State::PartialOutage,
        Some(4) => State::MajorOutage,
        _ => State::Unknown,
    };
    Ok(Some(Component { name: name.trim().to_owned(), state, group: None }))
}

fn incident(row: &Value) -> Result<Incident, ParseError> {
    let id = match row.get("id") {
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::String(s)) => s.clone(),
        _ => return Err(err("an incident without `id`")),
    };
    let state = match number(row, "status") {
        Some(0) => IncidentState::Scheduled,
        Some(2) => IncidentState::Identified,
        Some(3) => IncidentState::Monitoring,
        Some(4) => IncidentState::Resolved,
        // 1 is "investigating"; an unknown value is treated as open rather than hidden.
        _ => IncidentState::Investigating,
    };
    let created = timestamp(row, "created_at");
    let occurred = timestamp(row, "occurred_at").or_else(|| timestamp(row, "scheduled_at"));
    let updated = timestamp(row, "updated_at");

    // Cachet 2.4+ can embed updates (`?include=updates` or `updates` on newer servers); the
    // incident's own message is its first entry either way.
    let mut updates: Vec<IncidentUpdate> = row
        .get("updates")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|u| {
                    let at = timestamp(u, "created_at")?;
                    let status = match number(u, "status") {
                        Some(0) => IncidentState::Scheduled,
                        Some(2) => IncidentState::Identified,
                        Some(3) => IncidentState::Monitoring,
                        Some(4) => IncidentState::Resolved,
                        _ => IncidentState::Investigating,
                    };
                    let body = html::plain_or_html(text(u, "message").unwrap_or_default());
                    Some(IncidentUpdate { at, status, body })
                })
                .collect()
        })
        .unwrap_or_default();
    if let Some(message) = text(row, "message").map(str::trim).filter(|m| !m.is_empty())
        && let Some(at) = occurred.or(created)
    {
        // The first message was written when the incident was opened: investigating, or
        // scheduled for maintenances; later states come from the updates.
        let status = if state == IncidentState::Scheduled { state } else { IncidentState::Investigating };
        let status = if updates.is_empty() { state } else { status };
        updates.push(IncidentUpdate { at, status, body: html::plain_or_html(message) });
    }
    updates.sort_by_key(|u| std::cmp::Reverse(u.at));

    let impact = if state == IncidentState::Scheduled { State::Maintenance } else { State::Unknown };
    Ok(Incident {
        id,
        title: text(row, "name").unwrap_or_default().trim().to_owned(),
        state,
        impact,
        started_at: occurred.or(created),
        updated_at: updated,
        url: text(row, "permalink").map(str::to_owned),
        updates,
        components: vec![],
    })
}

fn timestamp(row: &Value, key: &str) -> Option<DateTime<FixedOffset>> {
    match row.get(key)? {
        // See the module comment: zone-less times are read as UTC.
        Value::String(s) => time::rfc3339_or_utc(s),
        Value::Number(n) => DateTime::from_timestamp(n.as_i64()?, 0).map(|t| t.fixed_offset()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COMPONENTS: &str = include_str!("../../tests/fixtures/cachet-components.json");
    const INCIDENTS: &str = include_str!("../../tests/fixtures/cachet-incidents.json");

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    #[test]
    fn components_list() {
        let s = parse(COMPONENTS.as_bytes()).unwrap();
        let rows: Vec<_> = s.components.iter().map(|c| (c.name.as_str(), c.state)).collect();
        // The disabled row is hidden; status 0, a string status and an unknown code all parse.
        assert_eq!(
            rows,
            [
                ("Website", State::Operational),
                ("IMAP", State::Degraded),
                ("SMTP", State::MajorOutage),
                ("Legacy POP3", State::Unknown),
            ]
        );
        assert_eq!(s.overall(), State::MajorOutage);
    }

    #[test]
    fn incidents_list_with_zone_less_and_epoch_times() {
        let s = parse(INCIDENTS.as_bytes()).unwrap();
        let fixed = &s.incidents[0];
        assert_eq!(fixed.state, IncidentState::Resolved);
        // No zone in the payload: read as UTC.
        assert_eq!(fixed.started_at, Some(at("2015-08-01T12:00:00Z")));
        let watching = &s.incidents[1];
        assert_eq!(watching.state, IncidentState::Monitoring);
        assert_eq!(watching.started_at, Some(at("2015-08-01T12:00:00Z")));
        let bodies: Vec<_> = watching.updates.iter().map(|u| (u.status, u.body.as_str())).collect();
        assert_eq!(
            bodies,
            [(IncidentState::Monitoring, "A fix is deployed."), (IncidentState::Investigating, "Mail is delayed."),]
        );
        let scheduled = &s.incidents[2];
        assert_eq!(scheduled.state, IncidentState::Scheduled);
        assert_eq!(scheduled.impact, State::Maintenance);
        assert_eq!(s.overall(), State::Degraded);
    }

    #[test]
    fn not_cachet() {
        assert!(parse(br#"{"data":[]}"#).is_err());
        assert!(parse(br#"{"meta":{},"data":[1]}"#).is_err());
        assert!(parse(br#"{"meta":{},"data":[{"status":1}]}"#).is_err());
    }

    #[test]
    fn incidents_go_with_the_components_list() {
        let u = |s: &str| url::Url::parse(s).unwrap();
        assert_eq!(
            incidents_endpoint(&u("https://status.example.com/api/v1/components")).map(String::from),
            Some("https://status.example.com/api/v1/incidents?sort=id&order=desc".to_owned())
        );
        assert_eq!(
            incidents_endpoint(&u("http://127.0.0.1:9/sub/api/v1/components/")).map(String::from),
            Some("http://127.0.0.1:9/sub/api/v1/incidents?sort=id&order=desc".to_owned())
        );
        assert_eq!(incidents_endpoint(&u("https://status.example.com/api/v1/incidents")), None);
    }
}

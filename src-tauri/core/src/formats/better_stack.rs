//! Better Stack (Better Uptime) status pages: `{base}/index.json`, a JSON:API document.
//!
//! `data` is the `status_page` with `aggregate_state`; `included` holds sections, resources
//! (the components), status reports (incidents and maintenances, 90 days of them) and status
//! updates (a report's timeline, linked through `relationships.status_updates`).
//! Traps: `ends_at` stays `null` on resolved reports, so a report's state comes from its own
//! `aggregate_state`; resources that are `not_monitored` have no state at all; values are
//! lowercase in pages and capitalised in the API docs.

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset};
use serde::Deserialize;
use serde_json::Value;

use super::detect::has;
use super::{Detection, Format, ParseError, Recordings, Spec, html, time};
use crate::model::{Component, Incident, IncidentState, IncidentUpdate, State, StatusSnapshot};

pub const SPEC: Spec = Spec {
    format: Format::BetterStack,
    name: "better_stack",
    endpoint,
    companion: None,
    parse,
    parse_at: None,
    detection: Detection {
        generic_paths: &["index.json"],
        names: Some(names_url),
        json_object: Some(fingerprint),
        ..Detection::NONE
    },
    recordings: Recordings::NONE,
};

fn names_url(url: &url::Url) -> bool {
    url.path().to_ascii_lowercase().ends_with("index.json")
}

fn fingerprint(v: &Value) -> bool {
    let data = v.get("data");
    data.and_then(|d| d.get("type")).and_then(Value::as_str) == Some("status_page")
        || data.and_then(|d| d.get("attributes")).is_some_and(|a| has(a, "aggregate_state"))
}

/// `{base}/index.json`; a URL that already names a JSON file is used as it is.
pub fn endpoint(base: &url::Url) -> url::Url {
    super::endpoint_under(base, "index.json")
}

fn err(detail: impl Into<String>) -> ParseError {
    ParseError { format: "better_stack", detail: detail.into() }
}

#[derive(Deserialize)]
struct Document {
    data: Resource,
    #[serde(default)]
    included: Option<Vec<Resource>>,
}

#[derive(Deserialize)]
struct Resource {
    /// JSON:API ids are strings, but foreign keys inside attributes are numbers.
    #[serde(default)]
    id: Option<Value>,
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    attributes: Option<Value>,
    #[serde(default)]
    relationships: Option<Value>,
}

impl Resource {
    fn id(&self) -> Option<String> {
        self.id.as_ref().and_then(id_string)
    }

    fn attr(&self, key: &str) -> Option<&Value> {
        self.attributes.as_ref().and_then(|a| a.get(key)).filter(|v| !v.is_null())
    }

    fn text(&self, key: &str) -> Option<&str> {
        self.attr(key).and_then(Value::as_str)
    }
}

fn id_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Parses an `index.json` body.
pub fn parse(body: &[u8]) -> Result<StatusSnapshot, ParseError> {
    let doc: Document = serde_json::from_slice(body).map_err(|e| err(format!("not a Better Stack index.json: {e}")))?;
    if doc.data.kind != "status_page" {
        return Err(err(format!("`data.type` is `{}`, not `status_page`", doc.data.kind)));
    }
    let indicator = doc.data.text("aggregate_state").map(resource_state);
    let included = doc.included.unwrap_or_default();

    let sections: HashMap<String, String> = included
        .iter()
        .filter(|r| r.kind == "status_page_section")
        .filter_map(|r| Some((r.id()?, r.text("name")?.trim().to_owned())))
        .collect();
    let resources: Vec<&Resource> = included.iter().filter(|r| r.kind == "status_page_resource").collect();
    let resource_names: HashMap<String, String> =
        resources.iter().filter_map(|r| Some((r.id()?, resource_name(r)?))).collect();

    let components = resources
        .iter()
        .filter_map(|r| {
            let status = r.text("status").unwrap_or_default();
            // A resource nobody monitors says nothing about the provider.
            if status.eq_ignore_ascii_case("not_monitored") {
                return None;
            }
            let group = r.attr("status_page_section_id").and_then(id_string).and_then(|id| sections.get(&id).cloned());
            Some(Component { name: resource_name(r)?, state: resource_state(status), group })
        })
        .collect();

    let updates: HashMap<String, &Resource> =
        included.iter().filter(|r| r.kind == "status_update").filter_map(|r| Some((r.id()?, r))).collect();
    let incidents = included
        .iter()
        .filter(|r| r.kind == "status_report")
        .filter_map(|r| report(r, &updates, &resource_names))
        .collect();

    Ok(StatusSnapshot { indicator, components, incidents })
}

fn resource_name(r: &Resource) -> Option<String> {
    // Public names come with stray spaces ("Better Stack ").
    r.text("public_name").or_else(|| r.text("resource_name")).map(|n| n.trim().to_owned())
}

fn report(r: &Resource, updates: &HashMap<String, &Resource>, names: &HashMap<String, String>) -> Option<Incident> {
    let id = r.id()?;
    let maintenance = r.text("report_type").is_some_and(|t| t.eq_ignore_ascii_case("maintenance"));
    let aggregate = r.text("aggregate_state").unwrap_or_default().to_ascii_lowercase();
    let resolved = aggregate == "resolved";
    let state = match (maintenance, resolved, aggregate.as_str()) {
        (true, true, _) => IncidentState::Completed,
        (true, false, "maintenance") => IncidentState::InProgress,
        // A maintenance report that does not (yet) hold its resources in maintenance.
        (true, false, _) => IncidentState::Scheduled,
        (false, true, _) => IncidentState::Resolved,
        (false, false, _) => IncidentState::Investigating,
    };
    let linked: Vec<String> = r
        .relationships
        .as_ref()
        .and_then(|rel| rel.get("status_updates"))
        .and_then(|u| u.get("data"))
        .and_then(Value::as_array)
        .map(|refs| refs.iter().filter_map(|x| x.get("id")).filter_map(id_string).collect())
        .unwrap_or_default();
    let open_state = if maintenance { state_if_open(state) } else { IncidentState::Investigating };
    let mut timeline: Vec<IncidentUpdate> = linked
        .iter()
        .filter_map(|uid| updates.get(uid))
        .filter_map(|u| {
            let at = u.text("published_at").and_then(timestamp)?;
            // An update that leaves every affected resource resolved is the resolution; the
            // others keep the report open (Better Stack has no per-update lifecycle).
            let statuses: Vec<&str> = u
                .attr("affected_resources")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(|x| x.get("status").and_then(Value::as_str)).collect())
                .unwrap_or_default();
            let closes = !statuses.is_empty() && statuses.iter().all(|s| s.eq_ignore_ascii_case("resolved"));
            let status = match (closes, maintenance) {
                (true, true) => IncidentState::Completed,
                (true, false) => IncidentState::Resolved,
                (false, _) => open_state,
            };
            Some(IncidentUpdate { at, status, body: html::plain_or_html(u.text("message").unwrap_or_default()) })
        })
        .collect();
    timeline.sort_by_key(|u| std::cmp::Reverse(u.at));
    let impact = if maintenance {
        State::Maintenance
    } else if resolved {
        // A resolved report no longer says how bad it was; its updates' resources do.
        let seen = linked
            .iter()
            .filter_map(|uid| updates.get(uid))
            .filter_map(|u| u.attr("affected_resources").and_then(Value::as_array))
            .flatten()
            .filter_map(|x| x.get("status").and_then(Value::as_str))
            .filter(|s| !s.eq_ignore_ascii_case("resolved"))
            .map(resource_state)
            .collect::<Vec<_>>();
        if seen.is_empty() { State::Unknown } else { State::worst(seen) }
    } else {
        resource_state(&aggregate)
    };
    // The newest update carries the report's current state, whatever its resources say.
    if let Some(newest) = timeline.first_mut() {
        newest.status = state;
    }

    let components = r
        .attr("affected_resources")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|x| x.get("status_page_resource_id"))
                .filter_map(id_string)
                .filter_map(|rid| names.get(&rid).cloned())
                .collect()
        })
        .unwrap_or_default();

    Some(Incident {
        id,
        title: r.text("title").unwrap_or_default().trim().to_owned(),
        state,
        impact,
        started_at: r.text("starts_at").and_then(timestamp),
        updated_at: timeline.first().map(|u| u.at),
        url: None,
        updates: timeline,
        components,
    })
}

fn state_if_open(state: IncidentState) -> IncidentState {
    match state {
        IncidentState::Completed => IncidentState::InProgress,
        IncidentState::Resolved => IncidentState::Investigating,
        other => other,
    }
}

fn timestamp(s: &str) -> Option<DateTime<FixedOffset>> {
    time::rfc3339(s)
}

fn resource_state(s: &str) -> State {
    match s.to_ascii_lowercase().as_str() {
        "operational" | "resolved" => State::Operational,
        "degraded" => State::Degraded,
        "downtime" => State::MajorOutage,
        "maintenance" => State::Maintenance,
        _ => State::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = include_str!("../../tests/fixtures/better-stack-index.json");

    #[test]
    fn index_json() {
        let s = parse(PAGE.as_bytes()).unwrap();
        assert_eq!(s.indicator, Some(State::Degraded));
        // `not_monitored` rows carry no state and are left out; names are trimmed.
        let names: Vec<_> = s.components.iter().map(|c| (c.name.as_str(), c.group.as_deref(), c.state)).collect();
        assert_eq!(
            names,
            [
                ("IMAP", Some("Mail"), State::Degraded),
                ("SMTP", Some("Mail"), State::Operational),
                ("Webmail", None, State::Unknown),
            ]
        );
        let open = s.incidents.iter().find(|i| i.id == "2001").unwrap();
        assert_eq!(open.state, IncidentState::Investigating);
        assert_eq!(open.impact, State::Degraded);
        assert_eq!(open.components, vec!["IMAP".to_owned()]);
        assert_eq!(open.updates[0].body, "Logins are slow for some users.");

        // `ends_at` is null although the report is resolved: the aggregate state decides.
        let resolved = s.incidents.iter().find(|i| i.id == "2000").unwrap();
        assert_eq!(resolved.state, IncidentState::Resolved);
        assert_eq!(resolved.impact, State::MajorOutage);
        let statuses: Vec<_> = resolved.updates.iter().map(|u| u.status).collect();
        assert_eq!(statuses, [IncidentState::Resolved, IncidentState::Investigating]);

        let maintenance = s.incidents.iter().find(|i| i.id == "2002").unwrap();
        assert_eq!(maintenance.state, IncidentState::InProgress);
        assert_eq!(maintenance.impact, State::Maintenance);
        assert_eq!(s.overall(), State::Degraded);
    }

    #[test]
    fn not_better_stack() {
        assert!(parse(br#"{"data":{"type":"monitor","attributes":{}}}"#).is_err());
        assert!(parse(br#"{"data":[]}"#).is_err());
    }
}

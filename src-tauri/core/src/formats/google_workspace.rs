//! Google Workspace Status Dashboard `incidents.json` (the same schema as Google Cloud's
//! `status.cloud.google.com/incidents.json`): a JSON array of every incident in the retention
//! window, open and closed.
//!
//! An incident is open while `end` is `null`. There is no component list and no "all clear"
//! field: the page is operational when no open incident touches the products of interest.
//! `affected_products[].title` become the incident's components so the product filter
//! (`components = ["Gmail"]`) works; `service_name` can be "Multiple Products" and is ignored.
//! Texts are Markdown and stay as they are (they are rendered as text).

use chrono::{DateTime, FixedOffset};
use serde::Deserialize;
use serde_json::Value;

use super::detect::has;
use super::{Detection, Format, ParseError, Recordings, Spec, time};
use crate::model::{Incident, IncidentState, IncidentUpdate, State, StatusSnapshot};

pub const SPEC: Spec = Spec {
    format: Format::GoogleWorkspace,
    name: "google_workspace",
    endpoint,
    companion: None,
    parse,
    parse_at: None,
    detection: Detection {
        names: Some(names_url),
        known_host: Some(known_host),
        json_array_item: Some(array_item),
        ..Detection::NONE
    },
    // The recordings are Google Cloud's dashboard: their links resolve there.
    recordings: Recordings { prefixes: &["google-dashboard-"], parse: Some(parse_cloud), ..Recordings::NONE },
};

/// Google Cloud's dashboard, which serves the same schema.
const CLOUD: &str = "https://status.cloud.google.com/";

/// An `incidents.json` outside Statuspage's `/api/v2/`.
fn names_url(url: &url::Url) -> bool {
    let path = url.path().to_ascii_lowercase();
    path.ends_with("incidents.json") && !path.contains("/api/v2/")
}

fn known_host(host: &str, base: &url::Url) -> Option<url::Url> {
    let url = match host {
        "www.google.com" | "google.com" if base.path().starts_with("/appsstatus") => {
            "https://www.google.com/appsstatus/dashboard/incidents.json"
        }
        "status.cloud.google.com" => "https://status.cloud.google.com/incidents.json",
        _ => return None,
    };
    url::Url::parse(url).ok()
}

fn array_item(first: &Value) -> bool {
    has(first, "status_impact") || has(first, "affected_products") || has(first, "most_recent_update")
}

fn parse_cloud(body: &[u8]) -> Result<StatusSnapshot, ParseError> {
    let cloud = url::Url::parse(CLOUD).map_err(|e| err(format!("dashboard URL: {e}")))?;
    parse_relative_to(body, &cloud)
}

/// The Workspace dashboard, against which the relative incident `uri`s resolve.
pub const DASHBOARD: &str = "https://www.google.com/appsstatus/dashboard/";

/// `{base}/incidents.json`; a URL that already names a JSON file is used as it is.
pub fn endpoint(base: &url::Url) -> url::Url {
    super::endpoint_under(base, "incidents.json")
}

fn err(detail: impl Into<String>) -> ParseError {
    ParseError { format: "google_workspace", detail: detail.into() }
}

#[derive(Deserialize)]
struct RawIncident {
    id: String,
    #[serde(default)]
    begin: Option<String>,
    #[serde(default)]
    created: Option<String>,
    #[serde(default)]
    end: Option<String>,
    #[serde(default)]
    modified: Option<String>,
    #[serde(default)]
    external_desc: Option<String>,
    #[serde(default)]
    updates: Option<Vec<RawUpdate>>,
    #[serde(default)]
    status_impact: Option<String>,
    #[serde(default)]
    service_name: Option<String>,
    #[serde(default)]
    affected_products: Option<Vec<Product>>,
    #[serde(default)]
    uri: Option<String>,
}

#[derive(Deserialize)]
struct RawUpdate {
    #[serde(default)]
    created: Option<String>,
    #[serde(default)]
    when: Option<String>,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    status: Option<String>,
}

#[derive(Deserialize)]
struct Product {
    title: String,
}

/// Parses an `incidents.json` body; incident links point at the Workspace dashboard.
pub fn parse(body: &[u8]) -> Result<StatusSnapshot, ParseError> {
    let dashboard = url::Url::parse(DASHBOARD).map_err(|e| err(format!("dashboard URL: {e}")))?;
    parse_relative_to(body, &dashboard)
}

/// Parses an `incidents.json` body whose relative `uri`s resolve against `dashboard`
/// (Google Cloud's `https://status.cloud.google.com/` uses the same schema).
pub fn parse_relative_to(body: &[u8], dashboard: &url::Url) -> Result<StatusSnapshot, ParseError> {
    let raw: Vec<RawIncident> =
        serde_json::from_slice(body).map_err(|e| err(format!("not an incidents.json array: {e}")))?;
    let incidents = raw.into_iter().map(|r| incident(r, dashboard)).collect();
    // No rollup: the state is the open incidents' impact (see `StatusSnapshot::overall`).
    Ok(StatusSnapshot { indicator: None, components: vec![], incidents })
}

fn incident(raw: RawIncident, dashboard: &url::Url) -> Incident {
    let open = raw.end.as_deref().is_none_or(|e| e.trim().is_empty());
    let state = if open { IncidentState::Investigating } else { IncidentState::Resolved };
    let mut updates: Vec<IncidentUpdate> = raw
        .updates
        .unwrap_or_default()
        .into_iter()
        .filter_map(|u| {
            let at = u.when.as_deref().or(u.created.as_deref()).and_then(timestamp)?;
            let status = match u.status.as_deref() {
                Some("AVAILABLE") => IncidentState::Resolved,
                _ => IncidentState::Investigating,
            };
            Some(IncidentUpdate { at, status, body: u.text.unwrap_or_default() })
        })
        .collect();
    updates.sort_by_key(|u| std::cmp::Reverse(u.at));
    // Google documents no lifecycle beyond open/closed: the newest update takes the
    // incident's state, so a closed incident's last word is "resolved" and an open one's is not.
    if let Some(newest) = updates.first_mut() {
        newest.status = state;
    }
    let mut components: Vec<String> =
        raw.affected_products.unwrap_or_default().into_iter().map(|p| p.title.trim().to_owned()).collect();
    if components.is_empty()
        && let Some(name) = raw.service_name.filter(|n| !n.is_empty() && n != "Multiple Products")
    {
        components.push(name);
    }
    Incident {
        title: raw
            .external_desc
            .as_deref()
            .map(|d| d.lines().next().unwrap_or_default().trim().to_owned())
            .unwrap_or_default(),
        url: raw.uri.as_deref().and_then(|u| dashboard.join(u).ok()).map(String::from),
        id: raw.id,
        state,
        impact: raw.status_impact.as_deref().map_or(State::Unknown, impact_state),
        started_at: raw.begin.as_deref().or(raw.created.as_deref()).and_then(timestamp),
        updated_at: raw.modified.as_deref().and_then(timestamp),
        updates,
        components,
    }
}

fn timestamp(s: &str) -> Option<DateTime<FixedOffset>> {
    time::rfc3339(s)
}

fn impact_state(s: &str) -> State {
    match s {
        "SERVICE_INFORMATION" => State::Degraded,
        "SERVICE_DISRUPTION" => State::PartialOutage,
        "SERVICE_OUTAGE" => State::MajorOutage,
        _ => State::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GCP: &str = include_str!("../../tests/fixtures/recorded/google-dashboard-incidents-gcp-2.json");
    const WORKSPACE: &str = include_str!("../../tests/fixtures/google-workspace-incidents.json");

    #[test]
    fn closed_incidents_do_not_count() {
        let s = parse(GCP.as_bytes()).unwrap();
        assert_eq!(s.incidents.len(), 2);
        assert!(s.incidents.iter().all(|i| i.state == IncidentState::Resolved));
        assert_eq!(s.overall(), State::Operational);
        let first = &s.incidents[0];
        assert_eq!(first.components.len(), 3);
        assert_eq!(first.updates.len(), 12);
        assert!(first.updates.windows(2).all(|w| w[0].at >= w[1].at));
    }

    #[test]
    fn open_incident_and_product_filter() {
        let s = parse(WORKSPACE.as_bytes()).unwrap();
        assert_eq!(s.overall(), State::MajorOutage);
        let open = &s.incidents[0];
        assert_eq!(open.state, IncidentState::Investigating);
        assert_eq!(open.title, "Users may be unable to access Google Calendar.");
        assert_eq!(open.url.as_deref(), Some("https://www.google.com/appsstatus/dashboard/incidents/aBcDeF123"));
        assert_eq!(open.updates[0].status, IncidentState::Investigating);
        // Only Gmail matters: the open Calendar outage is filtered away, the open Gmail
        // information notice stays.
        let gmail = s.clone().filtered(&["Gmail".into()]);
        let titles: Vec<_> = gmail.incidents.iter().map(|i| i.title.as_str()).collect();
        assert_eq!(titles, ["Some users see delayed mail delivery.", "Gmail was slow."]);
        assert_eq!(gmail.overall(), State::Degraded);
        let unknown_impact = s.incidents.iter().find(|i| i.id == "zZz999").unwrap();
        assert_eq!(unknown_impact.impact, State::Unknown);
        assert_eq!(unknown_impact.components, vec!["Google Chat".to_owned()]);
    }

    #[test]
    fn not_an_incident_list() {
        assert!(parse(br#"{"products":[]}"#).is_err());
        assert!(parse(br#"[{"number":"1"}]"#).is_err());
        assert_eq!(parse(b"[]").unwrap().incidents.len(), 0);
    }
}

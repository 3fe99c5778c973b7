//! Slack Status API v2.0.0: `current` (`{status, active_incidents[]}`) and `history` (a bare
//! array of the same items, open and closed).
//!
//! Item `type` incident | notice | outage, `status` active | resolved | scheduled | completed |
//! cancelled (also spelled `canceled`). `notes[]` come oldest first with HTML bodies, which
//! are reduced to plain text. Notes carry no lifecycle of their own: the newest takes the
//! item's state, earlier ones the state the item had while it was open. `services` become
//! the incident's components.

use chrono::{DateTime, FixedOffset};
use serde::Deserialize;
use serde_json::Value;

use super::detect::has;
use super::{Detection, Format, ParseError, Recordings, Spec, html, time};
use crate::model::{Incident, IncidentState, IncidentUpdate, State, StatusSnapshot};

pub const SPEC: Spec = Spec {
    format: Format::Slack,
    name: "slack",
    endpoint,
    companion: None,
    parse,
    parse_at: None,
    detection: Detection {
        names: Some(names_url),
        known_host: Some(known_host),
        json_object: Some(fingerprint),
        json_array_item: Some(array_item),
        ..Detection::NONE
    },
    recordings: Recordings { prefixes: &["slack-"], ..Recordings::NONE },
};

fn names_url(url: &url::Url) -> bool {
    url.path().to_ascii_lowercase().contains("/api/v2.0.0/")
}

fn known_host(host: &str, _base: &url::Url) -> Option<url::Url> {
    matches!(host, "slack-status.com" | "status.slack.com")
        .then(|| url::Url::parse("https://slack-status.com/api/v2.0.0/current").ok())
        .flatten()
}

/// `current`.
fn fingerprint(v: &Value) -> bool {
    has(v, "active_incidents")
}

/// `history`.
fn array_item(first: &Value) -> bool {
    has(first, "notes") || (has(first, "services") && has(first, "type"))
}

/// `{base}/api/v2.0.0/current`; a URL already under `/api/` is used as it is.
pub fn endpoint(base: &url::Url) -> url::Url {
    super::endpoint_under(base, "api/v2.0.0/current")
}

fn err(detail: impl Into<String>) -> ParseError {
    ParseError { format: "slack", detail: detail.into() }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Body {
    Current(Current),
    History(Vec<Item>),
}

#[derive(Deserialize)]
struct Current {
    status: String,
    #[serde(default)]
    active_incidents: Option<Vec<Item>>,
}

#[derive(Deserialize)]
struct Item {
    /// A number in old captures, a numeric string in others.
    id: Value,
    title: String,
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    date_created: Option<String>,
    #[serde(default)]
    date_updated: Option<String>,
    #[serde(default)]
    services: Option<Vec<String>>,
    #[serde(default)]
    notes: Option<Vec<Note>>,
}

#[derive(Deserialize)]
struct Note {
    #[serde(default)]
    date_created: Option<String>,
    #[serde(default)]
    body: Option<String>,
}

/// Parses a `current` or a `history` body.
pub fn parse(body: &[u8]) -> Result<StatusSnapshot, ParseError> {
    let parsed: Body = serde_json::from_slice(body).map_err(|e| err(format!("not a Slack status response: {e}")))?;
    match parsed {
        Body::Current(current) => {
            let indicator = match current.status.as_str() {
                "ok" => Some(State::Operational),
                // "Something is active": the items say what and how bad.
                "active" => None,
                _ => Some(State::Unknown),
            };
            let incidents = current.active_incidents.unwrap_or_default().into_iter().map(item).collect();
            Ok(StatusSnapshot { indicator, components: vec![], incidents })
        }
        Body::History(items) => {
            Ok(StatusSnapshot { indicator: None, components: vec![], incidents: items.into_iter().map(item).collect() })
        }
    }
}

fn item(raw: Item) -> Incident {
    let maintenance = matches!(raw.status.as_deref(), Some("scheduled" | "completed" | "cancelled" | "canceled"))
        || raw.kind.as_deref() == Some("maintenance");
    let state = match raw.status.as_deref() {
        Some("resolved") => IncidentState::Resolved,
        Some("scheduled") => IncidentState::Scheduled,
        Some("completed" | "cancelled" | "canceled") => IncidentState::Completed,
        Some("active") if maintenance => IncidentState::InProgress,
        // "active", and anything new: an item Slack lists is open until it says otherwise.
        _ => IncidentState::Investigating,
    };
    let impact = if maintenance {
        State::Maintenance
    } else {
        match raw.kind.as_deref() {
            Some("outage") => State::MajorOutage,
            Some("incident") => State::PartialOutage,
            Some("notice") => State::Degraded,
            _ => State::Unknown,
        }
    };
    let open_state = match state {
        IncidentState::Resolved => IncidentState::Investigating,
        IncidentState::Completed => IncidentState::InProgress,
        other => other,
    };
    let mut updates: Vec<IncidentUpdate> = raw
        .notes
        .unwrap_or_default()
        .into_iter()
        .filter_map(|n| {
            let at = n.date_created.as_deref().and_then(timestamp)?;
            Some(IncidentUpdate { at, status: open_state, body: html::to_text(n.body.as_deref().unwrap_or_default()) })
        })
        .collect();
    updates.sort_by_key(|u| std::cmp::Reverse(u.at));
    if let Some(newest) = updates.first_mut() {
        newest.status = state;
    }
    let id = match raw.id {
        Value::String(s) => s,
        other => other.to_string(),
    };
    Incident {
        id,
        title: html::to_text(&raw.title),
        state,
        impact,
        started_at: raw.date_created.as_deref().and_then(timestamp),
        updated_at: raw.date_updated.as_deref().and_then(timestamp),
        url: raw.url,
        updates,
        components: raw.services.unwrap_or_default(),
    }
}

fn timestamp(s: &str) -> Option<DateTime<FixedOffset>> {
    time::rfc3339(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CURRENT: &str = include_str!("../../tests/fixtures/recorded/slack-current-two-active-incidents.json");
    const HISTORY: &str = include_str!("../../tests/fixtures/recorded/slack-history-recent5.json");
    const EDGE: &str = include_str!("../../tests/fixtures/slack-current-outage-and-maintenance.json");

    #[test]
    fn current_two_active_incidents() {
        let s = parse(CURRENT.as_bytes()).unwrap();
        assert_eq!(s.indicator, None);
        assert_eq!(s.incidents.len(), 2);
        assert_eq!(s.incidents[0].id, "878");
        assert_eq!(s.incidents[0].components, vec!["Notifications".to_owned()]);
        assert_eq!(s.overall(), State::PartialOutage);
    }

    #[test]
    fn history_bare_array_with_html_notes() {
        let s = parse(HISTORY.as_bytes()).unwrap();
        assert_eq!(s.incidents.len(), 5);
        let open: Vec<_> = s.incidents.iter().filter(|i| i.state.is_open()).collect();
        assert_eq!(open.len(), 1);
        let resolved = &s.incidents[1];
        assert_eq!(resolved.state, IncidentState::Resolved);
        // Notes arrive oldest first; stored newest first, the newest carrying "resolved".
        assert_eq!(resolved.updates[0].status, IncidentState::Resolved);
        assert_eq!(resolved.updates[2].status, IncidentState::Investigating);
        assert!(resolved.updates.windows(2).all(|w| w[0].at >= w[1].at));
        for update in s.incidents.iter().flat_map(|i| &i.updates) {
            assert!(!update.body.contains('<') && !update.body.contains("&nbsp;"), "{}", update.body);
        }
    }

    #[test]
    fn outage_maintenance_and_unknown_values() {
        let s = parse(EDGE.as_bytes()).unwrap();
        let outage = &s.incidents[0];
        assert_eq!(outage.id, "1601");
        assert_eq!(outage.impact, State::MajorOutage);
        assert_eq!(outage.updates[0].body, "Messages fail to send.\nWe are on it & will update soon.");
        let maintenance = &s.incidents[1];
        assert_eq!(maintenance.state, IncidentState::Scheduled);
        assert_eq!(maintenance.impact, State::Maintenance);
        let cancelled = &s.incidents[2];
        assert_eq!(cancelled.state, IncidentState::Completed);
        let odd = &s.incidents[3];
        assert_eq!(odd.state, IncidentState::Investigating);
        assert_eq!(odd.impact, State::Unknown);
        assert_eq!(s.overall(), State::MajorOutage);
    }

    #[test]
    fn not_slack() {
        assert!(parse(br#"{"active_incidents":[]}"#).is_err());
        assert!(parse(br#"[{"id":1}]"#).is_err());
    }
}

//! Meta's status data (metastatus.com, the status of Meta's business tools: the WhatsApp
//! Business Platform, Facebook Login, the Marketing API, Shops, Ads Manager, …).
//!
//! Two JSON documents, both arrays, read by the one parser:
//! - `data/orgs.json`: `[{id, name, services: [{id, name, status, time}], rss_file_paths}]` —
//!   each service becomes a component in its organisation's group, so `components` can name
//!   either (`["WhatsApp Business API"]`);
//! - `data/outages/{org}.json`: `[{service_id, status, time, posts: [{description, time}]}]`,
//!   the newest post last — each outage becomes an incident.
//!
//! Statuses are free text: "No known issues" and "Resolved" are fine, "Low"/"Medium
//! disruptions" degraded, "High"/"Major disruptions" a major outage. A word we do not know is
//! `unknown`, never fine: a new wording must not hide an outage. Times are epoch seconds or
//! RFC 3339; both are read. The shapes are the documented ones (research notes, two public
//! adapters); no live capture exists yet, so the format's fixture is hand-written.

use chrono::{DateTime, FixedOffset, TimeZone as _, Utc};
use serde::Deserialize;
use serde_json::Value;

use super::{Detection, Format, ParseError, Recordings, Spec, time};
use crate::model::{Component, Incident, IncidentState, IncidentUpdate, State, StatusSnapshot};

pub const SPEC: Spec = Spec {
    format: Format::Metastatus,
    name: "metastatus",
    endpoint,
    companion: None,
    parse,
    parse_at: None,
    detection: Detection { known_host: Some(known_host), names: Some(names_url), ..Detection::NONE },
    recordings: Recordings::NONE,
};

const ORGS: &str = "https://metastatus.com/data/orgs.json";

/// The status page leads to its organisations' data.
fn known_host(host: &str, _base: &url::Url) -> Option<url::Url> {
    matches!(host, "metastatus.com" | "www.metastatus.com").then(|| url::Url::parse(ORGS).ok())?
}

/// A document under `/data/` on Meta's host (orgs, or one organisation's outages).
fn names_url(url: &url::Url) -> bool {
    matches!(url.host_str(), Some("metastatus.com" | "www.metastatus.com")) && url.path().starts_with("/data/")
}

/// `{base}/data/orgs.json`; a URL that already names a data document stays.
pub fn endpoint(base: &url::Url) -> url::Url {
    if base.path().contains("/data/") {
        return base.clone();
    }
    super::endpoint_under(base, "data/orgs.json")
}

fn err(detail: impl Into<String>) -> ParseError {
    ParseError { format: "metastatus", detail: detail.into() }
}

#[derive(Deserialize)]
struct RawOrg {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    id: Option<String>,
    services: Vec<RawService>,
}

#[derive(Deserialize)]
struct RawService {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    id: Option<Value>,
    #[serde(default)]
    status: Option<String>,
}

#[derive(Deserialize)]
struct RawOutage {
    service_id: Value,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    time: Option<Value>,
    #[serde(default)]
    posts: Vec<RawPost>,
}

#[derive(Deserialize)]
struct RawPost {
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    time: Option<Value>,
}

/// A status in words, as Meta writes it.
pub fn state_of(status: &str) -> State {
    let s = status.trim().to_ascii_lowercase();
    match s.as_str() {
        "no known issues" | "resolved" | "operational" => State::Operational,
        _ if s.contains("maintenance") => State::Maintenance,
        _ if s.starts_with("low") || s.starts_with("medium") => State::Degraded,
        _ if s.starts_with("high") || s.starts_with("major") => State::MajorOutage,
        _ => State::Unknown,
    }
}

/// Epoch seconds (or milliseconds), a numeric string, or RFC 3339.
fn moment(value: Option<&Value>) -> Option<DateTime<FixedOffset>> {
    let seconds = match value? {
        Value::Number(n) => n.as_i64()?,
        Value::String(s) => match s.trim().parse::<i64>() {
            Ok(n) => n,
            Err(_) => return time::rfc3339(s),
        },
        _ => return None,
    };
    // Milliseconds are 13 digits for any date this program will see.
    let seconds = if seconds > 100_000_000_000 { seconds / 1000 } else { seconds };
    Utc.timestamp_opt(seconds, 0).single().map(|t| t.fixed_offset())
}

fn text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => Some(s.trim().to_owned()).filter(|s| !s.is_empty()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Parses `data/orgs.json` or one organisation's `data/outages/{org}.json`.
pub fn parse(body: &[u8]) -> Result<StatusSnapshot, ParseError> {
    let rows: Vec<Value> = serde_json::from_slice(body).map_err(|e| err(format!("not Meta's status data: {e}")))?;
    let Some(first) = rows.first() else {
        return Ok(StatusSnapshot { indicator: None, components: Vec::new(), incidents: Vec::new() });
    };
    if first.get("services").is_some() {
        orgs(rows)
    } else if first.get("service_id").is_some() {
        outages(rows)
    } else {
        Err(err("neither organisations with `services` nor outages with `service_id`"))
    }
}

fn orgs(rows: Vec<Value>) -> Result<StatusSnapshot, ParseError> {
    let mut components = Vec::new();
    for row in rows {
        let org: RawOrg = serde_json::from_value(row).map_err(|e| err(format!("an organisation: {e}")))?;
        let group = org.name.or(org.id).map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
        for service in org.services {
            let Some(name) = service
                .name
                .map(|n| n.trim().to_owned())
                .filter(|n| !n.is_empty())
                .or_else(|| text(service.id.as_ref()))
            else {
                return Err(err("a service without a name"));
            };
            let state = service.status.as_deref().map_or(State::Unknown, state_of);
            components.push(Component { name, state, group: group.clone() });
        }
    }
    Ok(StatusSnapshot { indicator: None, components, incidents: Vec::new() })
}

fn outages(rows: Vec<Value>) -> Result<StatusSnapshot, ParseError> {
    let mut incidents = Vec::new();
    for row in rows {
        let outage: RawOutage = serde_json::from_value(row).map_err(|e| err(format!("an outage: {e}")))?;
        let service = text(Some(&outage.service_id)).ok_or_else(|| err("an outage without `service_id`"))?;
        let status = outage.status.as_deref().map_or(State::Unknown, state_of);
        let state = if status == State::Operational { IncidentState::Resolved } else { IncidentState::Investigating };
        let started_at = moment(outage.time.as_ref());
        // Newest last in the source; newest first here.
        let mut updates: Vec<IncidentUpdate> = outage
            .posts
            .iter()
            .filter_map(|p| {
                let at = moment(p.time.as_ref()).or(started_at)?;
                Some(IncidentUpdate {
                    at,
                    status: state,
                    body: p.description.clone().unwrap_or_default().trim().to_owned(),
                })
            })
            .collect();
        updates.sort_by_key(|u| std::cmp::Reverse(u.at));
        let updated_at = updates.first().map(|u| u.at).or(started_at);
        incidents.push(Incident {
            id: format!("{service}@{}", started_at.map(|t| t.timestamp()).unwrap_or_default()),
            title: service.clone(),
            state,
            // Resolved: how bad it was is not kept, only that it is over.
            impact: if status == State::Operational { State::Unknown } else { status },
            started_at,
            updated_at,
            url: Some("https://metastatus.com/".to_owned()),
            updates,
            components: vec![service],
        });
    }
    Ok(StatusSnapshot { indicator: None, components: Vec::new(), incidents })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORGS_SAMPLE: &str = include_str!("../../tests/fixtures/metastatus-orgs.json");
    const OUTAGES_SAMPLE: &str = include_str!("../../tests/fixtures/metastatus-outages-whatsapp-business-api.json");

    #[test]
    fn services_are_components_in_their_organisation() {
        let s = parse(ORGS_SAMPLE.as_bytes()).unwrap();
        let wa: Vec<(&str, State)> = s
            .components
            .iter()
            .filter(|c| c.group.as_deref() == Some("WhatsApp Business API"))
            .map(|c| (c.name.as_str(), c.state))
            .collect();
        assert_eq!(wa, [("Cloud API", State::Degraded), ("Webhooks", State::Operational)]);
        assert_eq!(s.overall(), State::MajorOutage, "Ads Manager's high disruption counts for the whole page");
        // Only what a business uses: the WhatsApp organisation by its group name.
        let only = s.clone().filtered(&["WhatsApp Business API".into()]);
        assert_eq!((only.components.len(), only.overall()), (2, State::Degraded));
        let login = s.filtered(&["Facebook Login".into()]);
        assert_eq!(login.overall(), State::Operational);
    }

    #[test]
    fn an_unknown_word_is_never_fine() {
        assert_eq!(state_of("No known issues"), State::Operational);
        assert_eq!(state_of("Medium disruptions"), State::Degraded);
        assert_eq!(state_of("Major disruptions"), State::MajorOutage);
        assert_eq!(state_of("Under maintenance"), State::Maintenance);
        assert_eq!(state_of("Severe disruptions"), State::Unknown);
        let s = parse(br#"[{"id":"x","name":"X","services":[{"id":1,"name":"A","status":"Weird"}]}]"#).unwrap();
        assert_eq!(s.overall(), State::Unknown);
    }

    #[test]
    fn outages_with_their_posts_newest_first() {
        let s = parse(OUTAGES_SAMPLE.as_bytes()).unwrap();
        assert_eq!(s.incidents.len(), 2);
        let open = &s.incidents[0];
        assert_eq!((open.state, open.impact), (IncidentState::Investigating, State::Degraded));
        assert_eq!(open.title, "cloud-api");
        assert_eq!(open.started_at, DateTime::parse_from_rfc3339("2026-12-04T09:12:00+00:00").ok());
        assert_eq!(open.updates.len(), 2);
        assert!(open.updates[0].body.starts_with("We are continuing"), "{:?}", open.updates);
        assert!(open.updates[0].at > open.updates[1].at);
        let closed = &s.incidents[1];
        assert_eq!(closed.state, IncidentState::Resolved);
        assert_eq!(s.overall(), State::Degraded);
    }

    #[test]
    fn quiet_and_garbage() {
        assert_eq!(parse(b"[]").unwrap().overall(), State::Operational);
        assert!(parse(b"{}").is_err());
        assert!(parse(b"[1]").is_err());
        assert!(parse(br#"[{"services":[{"status":"No known issues"}]}]"#).is_err(), "a service needs a name");
        assert!(parse(br#"[{"service_id":null,"status":"Resolved"}]"#).is_err());
        assert!(parse(b"<html/>").is_err());
    }

    #[test]
    fn the_status_page_leads_to_the_data() {
        let page = url::Url::parse("https://metastatus.com/").unwrap();
        assert_eq!(known_host("metastatus.com", &page).unwrap().as_str(), ORGS);
        let outages = url::Url::parse("https://metastatus.com/data/outages/whatsapp-business-api.json").unwrap();
        assert!(names_url(&outages));
        assert_eq!(endpoint(&outages), outages);
        assert_eq!(endpoint(&page).as_str(), ORGS);
    }
}

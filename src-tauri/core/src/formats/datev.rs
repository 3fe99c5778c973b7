//! DATEV's public status API (`api.datev-status.de/v1/incidents`, behind www.datev-status.de):
//! a JSON array of incidents, no authentication.
//!
//! Incident: `{id, serviceInfoDto: {id, name}, startDate, endDate?, currentState, worstState,
//! externalInfo (German text), createdAt}`, timestamps with a zone offset. States are
//! `AVAILABLE` (operational), `LIMITED` (degraded) and `OUTAGE` (major outage). An incident is
//! open while it has no `endDate` or its `currentState` is not `AVAILABLE`. The service names
//! ("DATEV Unternehmen online", "Anmeldung mit DATEV SmartLogin") become components, so a
//! preset can watch only the ones a business uses.

use chrono::{DateTime, FixedOffset};
use serde::Deserialize;

use super::{Detection, Format, ParseError, Recordings, Spec, time};
use crate::model::{Component, Incident, IncidentState, IncidentUpdate, State, StatusSnapshot};

pub const SPEC: Spec = Spec {
    format: Format::Datev,
    name: "datev",
    endpoint,
    companion: None,
    parse,
    parse_at: None,
    detection: Detection { known_host: Some(known_host), ..Detection::NONE },
    recordings: Recordings { prefixes: &["datev-"], ..Recordings::NONE },
};

const API: &str = "https://api.datev-status.de/v1/incidents";

/// The status page's hosts lead to the API.
fn known_host(host: &str, _base: &url::Url) -> Option<url::Url> {
    matches!(host, "www.datev-status.de" | "datev-status.de" | "api.datev-status.de")
        .then(|| url::Url::parse(API).ok())?
}

/// `{base}/v1/incidents`; a URL that already names an API path stays.
pub fn endpoint(base: &url::Url) -> url::Url {
    if base.path().contains("/v1/") {
        return base.clone();
    }
    super::endpoint_under(base, "v1/incidents")
}

fn err(detail: impl Into<String>) -> ParseError {
    ParseError { format: "datev", detail: detail.into() }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawIncident {
    id: serde_json::Value,
    #[serde(default)]
    service_info_dto: Option<RawService>,
    #[serde(default)]
    start_date: Option<String>,
    #[serde(default)]
    end_date: Option<String>,
    #[serde(default)]
    current_state: Option<String>,
    #[serde(default)]
    worst_state: Option<String>,
    #[serde(default)]
    external_info: Option<String>,
    #[serde(default)]
    created_at: Option<String>,
}

#[derive(Deserialize)]
struct RawService {
    #[serde(default)]
    name: Option<String>,
}

fn state_of(word: Option<&str>) -> State {
    match word.map(|w| w.trim().to_ascii_uppercase()).as_deref() {
        Some("AVAILABLE") => State::Operational,
        Some("LIMITED") => State::Degraded,
        Some("OUTAGE") => State::MajorOutage,
        _ => State::Unknown,
    }
}

/// Parses `/v1/incidents` (or `?last=N`, which includes closed ones).
pub fn parse(body: &[u8]) -> Result<StatusSnapshot, ParseError> {
    let raw: Vec<RawIncident> =
        serde_json::from_slice(body).map_err(|e| err(format!("not a DATEV incident list: {e}")))?;
    let mut components: Vec<Component> = Vec::new();
    let mut incidents = Vec::with_capacity(raw.len());
    for r in raw {
        let service = r.service_info_dto.and_then(|s| s.name).map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
        let current = state_of(r.current_state.as_deref());
        let ended = r.end_date.as_deref().map(str::trim).filter(|e| !e.is_empty()).and_then(time::rfc3339);
        let open = ended.is_none() || current != State::Operational;
        let impact = if open { current } else { state_of(r.worst_state.as_deref()) };
        let state = if open { IncidentState::Investigating } else { IncidentState::Resolved };
        if let Some(name) = &service {
            let now = if open { current } else { State::Operational };
            match components.iter_mut().find(|c| &c.name == name) {
                Some(c) => c.state = c.state.worse(now),
                None => components.push(Component { name: name.clone(), state: now, group: None }),
            }
        }
        let started_at = r.start_date.as_deref().and_then(time::rfc3339);
        let updated_at: Option<DateTime<FixedOffset>> =
            if open { r.created_at.as_deref().and_then(time::rfc3339).or(started_at) } else { ended };
        let id = match r.id {
            serde_json::Value::String(s) => s,
            other => other.to_string(),
        };
        let body = r.external_info.unwrap_or_default().trim().to_owned();
        incidents.push(Incident {
            title: service.clone().unwrap_or_else(|| "DATEV".to_owned()),
            url: Some("https://www.datev-status.de/".to_owned()),
            id,
            state,
            impact,
            started_at,
            updated_at,
            updates: updated_at.map(|at| IncidentUpdate { at, status: state, body }).into_iter().collect(),
            components: service.into_iter().collect(),
        });
    }
    Ok(StatusSnapshot { indicator: None, components, incidents })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = include_str!("../../tests/fixtures/datev-incidents.json");

    #[test]
    fn open_and_closed_incidents_by_end_and_state() {
        let s = parse(SAMPLE.as_bytes()).unwrap();
        assert_eq!(s.incidents.len(), 3);
        let open = &s.incidents[0];
        assert_eq!(open.title, "DATEV Unternehmen online");
        assert_eq!((open.state, open.impact), (IncidentState::Investigating, State::Degraded));
        assert_eq!(open.started_at, DateTime::parse_from_rfc3339("2026-12-01T08:15:00+01:00").ok());
        assert!(open.updates[0].body.starts_with("Derzeit kommt es zu Verzögerungen"));
        // An end date but still not AVAILABLE: open.
        let still = &s.incidents[1];
        assert_eq!((still.state, still.impact), (IncidentState::Investigating, State::MajorOutage));
        let closed = &s.incidents[2];
        assert_eq!((closed.state, closed.impact), (IncidentState::Resolved, State::MajorOutage));
        assert_eq!(s.overall(), State::MajorOutage);
        // Only the services a business uses.
        let uo = s.clone().filtered(&["DATEV Unternehmen online".into()]);
        assert_eq!(uo.overall(), State::Degraded);
        let login = s.filtered(&["Anmeldung mit DATEV SmartLogin".into()]);
        assert_eq!(login.overall(), State::Operational);
    }

    #[test]
    fn quiet_and_garbage() {
        let s = parse(b"[]").unwrap();
        assert_eq!((s.incidents.len(), s.overall()), (0, State::Operational));
        assert!(parse(b"{}").is_err());
        assert!(parse(b"<html/>").is_err());
        assert!(parse(br#"[{"currentState":"OUTAGE"}]"#).is_err(), "an incident without id is not DATEV's");
    }

    #[test]
    fn the_status_page_leads_to_the_api() {
        let page = url::Url::parse("https://www.datev-status.de/").unwrap();
        assert_eq!(known_host("www.datev-status.de", &page).unwrap().as_str(), API);
        let api = url::Url::parse("https://api.datev-status.de/v1/incidents?last=3").unwrap();
        assert_eq!(endpoint(&api), api);
        assert_eq!(endpoint(&url::Url::parse("https://api.datev-status.de/").unwrap()).as_str(), API);
    }
}

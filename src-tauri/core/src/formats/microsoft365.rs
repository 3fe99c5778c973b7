//! Microsoft 365 consumer status — **best effort**.
//!
//! Microsoft publishes no documented, unauthenticated status API. The public page
//! `status.cloud.microsoft` is backed by undocumented endpoints that may change without
//! notice: `/api/posts/m365Consumer` returns one row per consumer service (`Outlook.com`,
//! `OneDrive`, `Microsoft Teams Free`, …) with `ServiceDisplayName`, a `Status` word, an
//! optional `Title` and an HTML `Message`; `/api/posts/mac` returns one such row (without a
//! service name) for the admin center. Both shapes are read. The page only shows widespread
//! problems, so "operational" here is weak evidence.
//!
//! `Status` values seen in the page's code: `Available`, `Operational`, `Service restored`,
//! `Service degradation`, `Unknown`; other words are read by keyword, else `unknown`.
//! `LastUpdatedTime` is the server's clock at the time of the request, not a change time, so
//! `AuthoredDateTime` dates the post.

use serde::Deserialize;
use serde_json::Value;

use super::detect::has;
use super::{Detection, Format, ParseError, Recordings, Spec, html, time};
use crate::model::{Component, Incident, IncidentState, IncidentUpdate, State, StatusSnapshot};

pub const SPEC: Spec = Spec {
    format: Format::Microsoft365,
    name: "microsoft365",
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
    recordings: Recordings::NONE,
};

fn names_url(url: &url::Url) -> bool {
    url.path().to_ascii_lowercase().contains("/api/posts/")
}

fn known_host(host: &str, _base: &url::Url) -> Option<url::Url> {
    matches!(host, "status.cloud.microsoft" | "status.office.com" | "portal.office.com")
        .then(|| url::Url::parse("https://status.cloud.microsoft/api/posts/m365Consumer").ok())
        .flatten()
}

/// The admin center's single row (`/api/posts/mac`).
fn fingerprint(v: &Value) -> bool {
    has(v, "Status") && (has(v, "AuthoredDateTime") || has(v, "LastUpdatedTime"))
}

/// The consumer services' rows (`/api/posts/m365Consumer`).
fn array_item(first: &Value) -> bool {
    has(first, "ServiceDisplayName") || (has(first, "Status") && has(first, "AuthoredDateTime"))
}

/// `{base}/api/posts/m365Consumer`; a URL already under `/api/` is used as it is.
pub fn endpoint(base: &url::Url) -> url::Url {
    super::endpoint_under(base, "api/posts/m365Consumer")
}

fn err(detail: impl Into<String>) -> ParseError {
    ParseError { format: "microsoft365", detail: detail.into() }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Body {
    Rows(Vec<Row>),
    One(Row),
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Row {
    #[serde(default)]
    id: Option<String>,
    status: String,
    #[serde(default)]
    service_display_name: Option<String>,
    #[serde(default)]
    service_workload_name: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    authored_date_time: Option<String>,
}

/// Parses an `api/posts/m365Consumer` (array) or `api/posts/mac` (object) body.
pub fn parse(body: &[u8]) -> Result<StatusSnapshot, ParseError> {
    let parsed: Body =
        serde_json::from_slice(body).map_err(|e| err(format!("not a status.cloud.microsoft post: {e}")))?;
    let rows = match parsed {
        Body::Rows(rows) => rows,
        Body::One(row) => vec![row],
    };
    let mut components = Vec::new();
    let mut incidents = Vec::new();
    for row in rows {
        let name = row
            .service_display_name
            .clone()
            .or_else(|| row.service_workload_name.clone())
            .unwrap_or_else(|| "Microsoft 365".to_owned());
        let state = status_state(&row.status);
        components.push(Component { name: name.clone(), state, group: None });
        let restored = is_restored(&row.status);
        // A post is an incident when it is not "all well", or when it reports a restoration
        // (the resolution of the incident it was about).
        if state == State::Operational && !restored {
            continue;
        }
        let at = row.authored_date_time.as_deref().and_then(time::rfc3339);
        let incident_state = if restored { IncidentState::Resolved } else { IncidentState::Investigating };
        let body = html::to_text(row.message.as_deref().unwrap_or_default());
        let title = row
            .title
            .as_deref()
            .map(html::to_text)
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| format!("{name}: {}", row.status.trim()));
        incidents.push(Incident {
            id: row.id.clone().unwrap_or_else(|| name.clone()),
            title,
            state: incident_state,
            impact: if restored { State::Unknown } else { state },
            started_at: at,
            updated_at: at,
            url: Some("https://status.cloud.microsoft/".to_owned()),
            updates: at.map(|at| IncidentUpdate { at, status: incident_state, body }).into_iter().collect(),
            components: vec![name],
        });
    }
    Ok(StatusSnapshot { indicator: None, components, incidents })
}

fn normalised(status: &str) -> String {
    status.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_ascii_lowercase()
}

fn is_restored(status: &str) -> bool {
    matches!(normalised(status).as_str(), "servicerestored" | "resolved")
}

fn status_state(status: &str) -> State {
    let s = normalised(status);
    match s.as_str() {
        "available" | "operational" | "servicerestored" | "resolved" | "serviceoperational" => State::Operational,
        "servicedegradation" | "degraded" => State::Degraded,
        "serviceinterruption" | "outage" => State::MajorOutage,
        _ if s.contains("interruption") || s.contains("outage") => State::MajorOutage,
        _ if s.contains("degrad") || s.contains("investigating") || s.contains("restoring") => State::Degraded,
        _ => State::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONSUMER: &str = include_str!("../../tests/fixtures/microsoft365-consumer.json");

    #[test]
    fn consumer_rows() {
        let s = parse(CONSUMER.as_bytes()).unwrap();
        let rows: Vec<_> = s.components.iter().map(|c| (c.name.as_str(), c.state)).collect();
        assert_eq!(
            rows,
            [
                ("Outlook.com", State::Degraded),
                ("OneDrive", State::Operational),
                ("Microsoft Teams Free", State::Operational),
                ("Phone Link", State::Unknown),
            ]
        );
        let outlook = &s.incidents[0];
        assert_eq!(outlook.title, "Some users can't send mail");
        assert_eq!(outlook.components, vec!["Outlook.com".to_owned()]);
        assert_eq!(outlook.updates[0].body, "We're investigating reports. Follow @MSFT365Status for more.");
        let restored = s.incidents.iter().find(|i| i.components == ["Microsoft Teams Free"]).unwrap();
        assert_eq!(restored.state, IncidentState::Resolved);
        let unknown = s.incidents.iter().find(|i| i.components == ["Phone Link"]).unwrap();
        assert_eq!(unknown.title, "Phone Link: Something Else");
        assert_eq!(s.overall(), State::Degraded);
        let only_onedrive = s.filtered(&["OneDrive".into()]);
        assert!(only_onedrive.incidents.is_empty());
        assert_eq!(only_onedrive.overall(), State::Operational);
    }

    #[test]
    fn admin_center_single_post() {
        let body = br#"{"Id":"972a","AuthoredDateTime":"2026-09-16T18:30:21+00:00",
            "LastUpdatedTime":"2026-09-18T21:24:00.490309+00:00","Title":"",
            "Message":"<div>This site is updated when service issues occur.</div>","Status":"Available"}"#;
        let s = parse(body).unwrap();
        assert_eq!(s.components[0].name, "Microsoft 365");
        assert!(s.incidents.is_empty());
        assert_eq!(s.overall(), State::Operational);
    }

    #[test]
    fn not_microsoft() {
        // The catch-all single-page app answers unknown paths with its HTML shell.
        assert!(parse(b"<!DOCTYPE html><html><div id=\"root\"></div></html>").is_err());
        assert!(parse(br#"[{"ServiceDisplayName":"x"}]"#).is_err());
    }
}

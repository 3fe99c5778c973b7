//! incident.io status pages through their Statuspage-compatible `/api/v2/summary.json`.
//!
//! The contract is Statuspage's, reduced: no `page.time_zone` (how detection tells the two
//! apart), `null` instead of `[]` for empty lists, a flat component list without groups,
//! incidents without components or shortlinks, ULIDs as ids. The Statuspage parser accepts all
//! of that, so this module only names the format; incidents without components are kept by
//! [`StatusSnapshot::filtered`] because nothing says they are irrelevant.

use serde_json::Value;

use super::{Detection, Format, ParseError, Recordings, Spec};
use crate::model::StatusSnapshot;

/// Served at Statuspage's path, so it adds no generic path: the body tells the two apart.
pub const SPEC: Spec = Spec {
    format: Format::IncidentIo,
    name: "incident_io",
    endpoint,
    companion: None,
    parse,
    parse_at: None,
    detection: Detection { json_object: Some(fingerprint), ..Detection::NONE },
    recordings: Recordings::NONE,
};

fn fingerprint(v: &Value) -> bool {
    super::statuspage::is_summary(v) && !super::statuspage::has_time_zone(v)
}

/// `{base}/api/v2/summary.json`, like Statuspage.
pub fn endpoint(base: &url::Url) -> url::Url {
    super::statuspage::endpoint(base)
}

/// Parses a compat `summary.json` body.
pub fn parse(body: &[u8]) -> Result<StatusSnapshot, ParseError> {
    super::statuspage::parse_as(body, "incident_io")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{IncidentState, State};

    const COMPAT: &str = include_str!("../../tests/fixtures/incident-io-compat-summary.json");

    #[test]
    fn compat_summary_with_nulls_and_no_components() {
        let s = parse(COMPAT.as_bytes()).unwrap();
        assert_eq!(s.indicator, Some(State::Operational));
        // One incident open while the rollup says "none": the page is not operational.
        assert_eq!(s.overall(), State::Degraded);
        assert_eq!(s.components.len(), 3);
        assert!(s.components.iter().all(|c| c.group.is_none()));
        let incident = &s.incidents[0];
        assert_eq!(incident.id, "01K5TQ9M2D3X0R8V6Y7ZPQ4ABC");
        assert_eq!(incident.state, IncidentState::Monitoring);
        assert!(incident.components.is_empty());
        assert_eq!(incident.url.as_deref(), Some("https://status.example-ai.com/incidents/01K5TQ9M2D3X0R8V6Y7ZPQ4ABC"));
        let bodies: Vec<_> = incident.updates.iter().map(|u| u.body.as_str()).collect();
        assert_eq!(bodies, ["A fix is rolled out; we are monitoring.", "Some API requests fail."]);
        // Without component attribution the incident survives any component filter.
        let filtered = s.filtered(&["Playground".into()]);
        assert_eq!(filtered.components.len(), 1);
        assert_eq!(filtered.incidents.len(), 1);
    }

    #[test]
    fn errors_name_the_format() {
        let e = parse(b"{}").unwrap_err();
        assert_eq!(e.format, "incident_io");
    }
}

//! "Is it me or them": fuses our own observations with what the provider's status page says
//! into one state and one verdict per provider, and rolls everything up into the summary.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset};

use crate::config::{Config, Provider};
use crate::ipc::{CheckSummary, Network, ProviderSummary, Summary, Verdict};
use crate::model::{CheckKind, IncidentState, Observation, Outcome, Reason, State, StatusSnapshot};
use crate::text::{self, Language};

/// What the engine knows about one check: its confirmed observation and, while it fails,
/// since when.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CheckState {
    pub confirmed: Option<Observation>,
    pub failing_since: Option<DateTime<FixedOffset>>,
}

/// Builds the summary from the config and the confirmed state of every check.
pub fn summarize(
    config: &Config,
    checks: &BTreeMap<String, CheckState>,
    network: Network,
    lang: Language,
    now: DateTime<FixedOffset>,
) -> Summary {
    let providers = config.providers.iter().map(|p| provider_summary(p, checks, network, lang, now)).collect();
    Summary { checked_at: now, network, providers }
}

fn provider_summary(
    provider: &Provider,
    checks: &BTreeMap<String, CheckState>,
    network: Network,
    lang: Language,
    now: DateTime<FixedOffset>,
) -> ProviderSummary {
    let status_id = provider.status_check_id();
    let status = checks.get(&status_id);
    let page = status
        .and_then(|s| s.confirmed.as_ref())
        .and_then(Observation::snapshot)
        .map(|s| s.clone().filtered(&provider.components));

    let (state, verdict, since) = judge(page.as_ref(), status, network);
    let verdict_text = text::verdict(verdict, &provider.name, since, status_reason(status), lang, now);

    let mut check_summaries = Vec::new();
    if let Some(page_cfg) = &provider.status_page {
        let observed = status.and_then(|s| s.confirmed.as_ref());
        check_summaries.push(match observed {
            Some(o) => check_summary(o),
            None => CheckSummary {
                id: status_id.clone(),
                kind: CheckKind::StatusPage,
                target: page_cfg.url.to_string(),
                outcome: Outcome::Unknown,
                reason: None,
                message: "not checked yet".into(),
                latency_ms: None,
                cert_days_left: None,
                at: None,
            },
        });
    }

    let (components, incidents) = page.map(|p| (p.components, p.incidents)).unwrap_or_default();
    ProviderSummary {
        id: provider.id.clone(),
        name: provider.name.clone(),
        state,
        verdict,
        verdict_text,
        since,
        status_page: provider.status_page.as_ref().map(|s| s.url.to_string()),
        components,
        incidents,
        checks: check_summaries,
    }
}

fn status_reason(status: Option<&CheckState>) -> Option<Reason> {
    status.and_then(|s| s.confirmed.as_ref()).and_then(|o| o.reason)
}

/// The state, verdict and "since when" of one provider.
fn judge(
    page: Option<&StatusSnapshot>,
    status: Option<&CheckState>,
    network: Network,
) -> (State, Verdict, Option<DateTime<FixedOffset>>) {
    if network == Network::Offline {
        return (State::Unknown, Verdict::YourNetwork, None);
    }
    let Some(page) = page else {
        // Not read yet, or the page cannot be read: a status page we cannot read makes the
        // provider unknown, never down.
        let since = status.and_then(|s| s.failing_since);
        return (State::Unknown, Verdict::Unknown, since);
    };
    let state = page.overall();
    let since = page
        .incidents
        .iter()
        .filter(|i| i.state.is_open() && i.state != IncidentState::Scheduled)
        .filter_map(|i| i.started_at)
        .min();
    let verdict = match state {
        State::Operational => Verdict::AllWell,
        State::Maintenance => Verdict::Maintenance,
        State::Unknown => Verdict::Unknown,
        State::Degraded | State::PartialOutage | State::MajorOutage => Verdict::ProviderConfirmed,
    };
    (state, verdict, if state == State::Operational { None } else { since })
}

fn check_summary(o: &Observation) -> CheckSummary {
    CheckSummary {
        id: o.check_id.clone(),
        kind: o.kind,
        target: o.target.clone(),
        outcome: o.outcome,
        reason: o.reason,
        message: o.message.clone(),
        latency_ms: o.latency_ms,
        cert_days_left: o.cert_days_left,
        at: Some(o.at),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Finding, Incident};

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    fn config() -> Config {
        crate::config::parse(
            "[[provider]]\nid = \"df\"\nname = \"DomainFactory\"\nstatus_page = \"https://status.df.test/\"\n",
            "c.toml",
        )
        .unwrap()
    }

    fn page_observation(snapshot: StatusSnapshot) -> Observation {
        Observation {
            check_id: "df/status_page".into(),
            kind: CheckKind::StatusPage,
            target: "https://status.df.test/api/v2/summary.json".into(),
            at: at("2026-11-24T10:05:00+01:00"),
            outcome: Outcome::Up,
            reason: None,
            message: "read".into(),
            latency_ms: Some(42),
            cert_days_left: None,
            finding: Finding::StatusPage(snapshot),
        }
    }

    fn summarize_with(state: CheckState, network: Network, lang: Language) -> ProviderSummary {
        let mut checks = BTreeMap::new();
        checks.insert("df/status_page".to_owned(), state);
        summarize(&config(), &checks, network, lang, at("2026-11-24T10:06:00+01:00")).providers.remove(0)
    }

    #[test]
    fn not_checked_yet_is_unknown() {
        let p = summarize_with(CheckState::default(), Network::Online, Language::En);
        assert_eq!((p.state, p.verdict), (State::Unknown, Verdict::Unknown));
        assert_eq!(p.checks[0].outcome, Outcome::Unknown);
        assert_eq!(p.checks[0].message, "not checked yet");
    }

    #[test]
    fn provider_confirmed_outage_with_since() {
        let snapshot = StatusSnapshot {
            indicator: Some(State::MajorOutage),
            components: vec![],
            incidents: vec![Incident {
                id: "i".into(),
                title: "Mail cluster down".into(),
                state: IncidentState::Investigating,
                impact: State::MajorOutage,
                started_at: Some(at("2026-11-24T10:02:00+01:00")),
                updated_at: None,
                url: None,
                updates: vec![],
                components: vec![],
            }],
        };
        let p = summarize_with(
            CheckState { confirmed: Some(page_observation(snapshot)), failing_since: None },
            Network::Online,
            Language::De,
        );
        assert_eq!(p.state, State::MajorOutage);
        assert_eq!(p.verdict, Verdict::ProviderConfirmed);
        assert_eq!(p.since, Some(at("2026-11-24T10:02:00+01:00")));
        assert!(p.verdict_text.contains("DomainFactory") && p.verdict_text.contains("10:02"), "{}", p.verdict_text);
        assert_eq!(p.incidents.len(), 1);
    }

    #[test]
    fn offline_is_your_network() {
        let snapshot = StatusSnapshot { indicator: Some(State::Operational), components: vec![], incidents: vec![] };
        let p = summarize_with(
            CheckState { confirmed: Some(page_observation(snapshot)), failing_since: None },
            Network::Offline,
            Language::En,
        );
        assert_eq!((p.state, p.verdict), (State::Unknown, Verdict::YourNetwork));
    }

    #[test]
    fn unreadable_page_is_unknown_not_down() {
        let failed = Observation::failed(
            "df/status_page",
            CheckKind::StatusPage,
            "https://status.df.test/api/v2/summary.json",
            at("2026-11-24T10:05:00+01:00"),
            Outcome::Unknown,
            Reason::HttpStatus,
            "HTTP 500",
        );
        let p = summarize_with(
            CheckState { confirmed: Some(failed), failing_since: Some(at("2026-11-24T10:04:00+01:00")) },
            Network::Online,
            Language::En,
        );
        assert_eq!((p.state, p.verdict), (State::Unknown, Verdict::Unknown));
        assert_eq!(p.checks[0].reason, Some(Reason::HttpStatus));
        assert!(p.verdict_text.contains("cannot be read"), "{}", p.verdict_text);
    }
}

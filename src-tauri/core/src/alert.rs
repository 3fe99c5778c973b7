//! Alert policy as a pure step function: (state, summary) → (new state, effects).
//! One alert per root cause: a network outage is one alert, not one per provider, and while
//! the network is down provider alerts pause.

use std::collections::BTreeMap;

use crate::ipc::{Network, ProviderSummary, Summary};
use crate::model::State;
use crate::text::{self, Language};

/// What the policy remembers between steps.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AlertState {
    /// The last state we told the user about, per provider.
    told: BTreeMap<String, State>,
    /// Whether the user was told the network is down (and not yet that it is back).
    network_down_told: bool,
}

/// How loud a notification is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Urgency {
    Low,
    Normal,
    Critical,
}

/// One notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    /// The root cause; a later alert with the same key replaces the earlier one on screen.
    pub key: String,
    pub title: String,
    pub body: String,
    pub urgency: Urgency,
    /// Where a click on the notification leads in the window.
    pub route: String,
}

/// What the shell has to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    Notify(Alert),
    /// The cause of an earlier alert is gone; close it if it is still on screen.
    Withdraw {
        key: String,
    },
}

pub const NETWORK_KEY: &str = "network";

/// Advances the policy by one summary.
pub fn step(state: &AlertState, summary: &Summary, lang: Language) -> (AlertState, Vec<Effect>) {
    let mut next = state.clone();
    let mut effects = Vec::new();

    if summary.network == Network::Offline {
        if !state.network_down_told {
            next.network_down_told = true;
            effects.push(Effect::Notify(Alert {
                key: NETWORK_KEY.into(),
                title: text::network_down(lang).to_owned(),
                body: match lang {
                    Language::De => "Die Anbieter werden wieder geprüft, sobald die Verbindung zurück ist.".into(),
                    Language::En => "Providers will be checked again as soon as the connection is back.".into(),
                },
                urgency: Urgency::Normal,
                route: "/".into(),
            }));
        }
        // Provider verdicts pause: nothing can be judged without a network.
        return (next, effects);
    }
    if state.network_down_told {
        next.network_down_told = false;
        effects.push(Effect::Withdraw { key: NETWORK_KEY.into() });
    }

    for provider in &summary.providers {
        // "We cannot tell" is never news: it neither raises nor clears an alert.
        if provider.state == State::Unknown {
            continue;
        }
        let previous = state.told.get(&provider.id).copied();
        next.told.insert(provider.id.clone(), provider.state);
        match previous {
            None if provider.state == State::Operational => {}
            Some(p) if p == provider.state => {}
            _ => effects.push(Effect::Notify(provider_alert(provider, previous, lang))),
        }
    }
    (next, effects)
}

fn provider_alert(p: &ProviderSummary, previous: Option<State>, lang: Language) -> Alert {
    let recovered = p.state == State::Operational;
    let title = match (lang, recovered) {
        (Language::De, true) => format!("{}: wieder in Betrieb", p.name),
        (Language::En, true) => format!("{}: back to normal", p.name),
        (_, false) => format!("{}: {}", p.name, text::state_label(p.state, lang)),
    };
    let mut body = p.verdict_text.clone();
    if let Some(incident) = p.incidents.iter().find(|i| i.state.is_open()) {
        body.push('\n');
        body.push_str(&incident.title);
        if let Some(update) = incident.updates.first() {
            body.push_str(" — ");
            body.push_str(&first_line(&update.body, 160));
        }
    }
    let urgency = match p.state {
        State::MajorOutage | State::PartialOutage => Urgency::Critical,
        State::Degraded => Urgency::Normal,
        _ if previous.is_some_and(State::is_problem) => Urgency::Normal,
        _ => Urgency::Low,
    };
    let route = match p.incidents.iter().find(|i| i.state.is_open()) {
        Some(i) if !recovered => format!("/provider/{}/incident/{}", p.id, i.id),
        _ => format!("/provider/{}", p.id),
    };
    Alert { key: format!("provider:{}", p.id), title, body, urgency, route }
}

fn first_line(s: &str, max_chars: usize) -> String {
    let line = s.lines().find(|l| !l.trim().is_empty()).unwrap_or("").trim();
    if line.chars().count() > max_chars {
        let cut: String = line.chars().take(max_chars).collect();
        format!("{cut}…")
    } else {
        line.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipc::Verdict;

    fn summary(network: Network, states: &[(&str, State)]) -> Summary {
        Summary {
            checked_at: chrono::DateTime::parse_from_rfc3339("2026-11-24T10:00:00+01:00").unwrap(),
            network,
            providers: states
                .iter()
                .map(|(id, state)| ProviderSummary {
                    id: (*id).into(),
                    name: id.to_uppercase(),
                    state: *state,
                    verdict: Verdict::AllWell,
                    verdict_text: format!("{id} verdict"),
                    since: None,
                    status_page: None,
                    components: vec![],
                    incidents: vec![],
                    checks: vec![],
                })
                .collect(),
        }
    }

    fn run(steps: &[Summary]) -> Vec<Vec<Effect>> {
        let mut state = AlertState::default();
        steps
            .iter()
            .map(|s| {
                let (next, effects) = step(&state, s, Language::En);
                state = next;
                effects
            })
            .collect()
    }

    #[test]
    fn first_sight_of_healthy_providers_is_silent() {
        let out = run(&[summary(Network::Online, &[("a", State::Operational), ("b", State::Unknown)])]);
        assert!(out[0].is_empty());
    }

    #[test]
    fn change_alerts_once_and_recovery_alerts_once() {
        let out = run(&[
            summary(Network::Online, &[("a", State::Operational)]),
            summary(Network::Online, &[("a", State::MajorOutage)]),
            summary(Network::Online, &[("a", State::MajorOutage)]),
            summary(Network::Online, &[("a", State::Unknown)]),
            summary(Network::Online, &[("a", State::Operational)]),
        ]);
        let counts: Vec<usize> = out.iter().map(Vec::len).collect();
        assert_eq!(counts, [0, 1, 0, 0, 1]);
        let Effect::Notify(alert) = &out[1][0] else { panic!() };
        assert_eq!(alert.title, "A: major outage");
        assert_eq!(alert.urgency, Urgency::Critical);
        assert_eq!(alert.key, "provider:a");
        let Effect::Notify(back) = &out[4][0] else { panic!() };
        assert_eq!(back.title, "A: back to normal");
        assert_eq!(back.key, alert.key, "the recovery replaces the outage notification");
    }

    #[test]
    fn network_down_with_five_providers_is_one_alert() {
        let providers: Vec<(&str, State)> =
            ["a", "b", "c", "d", "e"].iter().map(|id| (*id, State::Operational)).collect();
        let down: Vec<(&str, State)> = providers.iter().map(|(id, _)| (*id, State::Unknown)).collect();
        let out = run(&[
            summary(Network::Online, &providers),
            summary(Network::Offline, &down),
            summary(Network::Offline, &down),
            summary(Network::Online, &providers),
        ]);
        assert_eq!(out[1].len(), 1);
        assert!(matches!(&out[1][0], Effect::Notify(a) if a.key == NETWORK_KEY));
        assert!(out[2].is_empty());
        assert_eq!(out[3], vec![Effect::Withdraw { key: NETWORK_KEY.into() }]);
    }
}

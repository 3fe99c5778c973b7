//! The tray's appearance and menu as a pure function of the summary.

use std::fmt::Write as _;

use crate::action::{Action, Span};
use crate::model::State;
use crate::protocol::Controls;
use crate::summary::Summary;
use crate::text::{self, Language};

/// One icon per thing the user must tell apart at a glance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TrayIcon {
    Operational,
    Degraded,
    Outage,
    Maintenance,
    Unknown,
    Offline,
    /// No provider configured yet: neutral, neither "all well" nor a problem.
    NotSetUp,
}

impl TrayIcon {
    /// The icon's file stem under `icons/tray/`.
    pub fn name(self) -> &'static str {
        match self {
            TrayIcon::Operational => "operational",
            TrayIcon::Degraded => "degraded",
            TrayIcon::Outage => "outage",
            TrayIcon::Maintenance => "maintenance",
            TrayIcon::Unknown => "unknown",
            TrayIcon::Offline => "offline",
            TrayIcon::NotSetUp => "setup",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MenuEntry {
    Item {
        label: String,
        action: Action,
    },
    /// A toggle; activating it runs `action` (which carries the new value).
    Check {
        label: String,
        checked: bool,
        action: Action,
    },
    Submenu {
        label: String,
        entries: Vec<MenuEntry>,
    },
    Separator,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrayAppearance {
    pub icon: TrayIcon,
    /// The one-line summary shown as tooltip.
    pub tooltip: String,
    /// Whether the tray should ask for attention (SNI `NeedsAttention`).
    pub attention: bool,
    pub menu: Vec<MenuEntry>,
}

/// The tray for this summary and the user's controls (pause, start at login).
pub fn appearance(summary: &Summary, controls: &Controls, lang: Language) -> TrayAppearance {
    let worst = summary.worst();
    let icon = if summary.providers.is_empty() {
        TrayIcon::NotSetUp
    } else if summary.network.is_online() {
        match worst {
            State::Operational => TrayIcon::Operational,
            State::Maintenance => TrayIcon::Maintenance,
            State::Unknown => TrayIcon::Unknown,
            State::Degraded => TrayIcon::Degraded,
            State::PartialOutage | State::MajorOutage => TrayIcon::Outage,
        }
    } else {
        TrayIcon::Offline
    };

    let mut affected: Vec<_> = summary.providers.iter().filter(|p| p.state != State::Operational).collect();
    // Worst first, then by name, so the menu reads like a triage list.
    affected.sort_by(|a, b| b.state.severity().cmp(&a.state.severity()).then_with(|| a.name.cmp(&b.name)));

    let tooltip = if summary.providers.is_empty() {
        match lang {
            Language::De => "Noch nicht eingerichtet".into(),
            Language::En => "Not set up yet".into(),
        }
    } else if !summary.network.is_online() {
        text::network_trouble(summary.network, lang).to_owned()
    } else if affected.iter().all(|p| p.state == State::Unknown) && !affected.is_empty() {
        match lang {
            Language::De => "Zustand noch unbekannt".into(),
            Language::En => "State not known yet".into(),
        }
    } else if let Some(first) = affected.iter().find(|p| p.state.is_problem() || p.state == State::Maintenance) {
        let others = affected.iter().filter(|p| p.state.is_problem() || p.state == State::Maintenance).count() - 1;
        let more = match (others, lang) {
            (0, _) => String::new(),
            (n, Language::De) => format!(" (+{n} weitere)"),
            (n, Language::En) => format!(" (+{n} more)"),
        };
        format!("{}{more}", first.verdict_text)
    } else {
        match lang {
            Language::De => "Alles in Ordnung".into(),
            Language::En => "All well".into(),
        }
    };

    let mut tooltip = tooltip;
    if summary.storage.is_some() {
        let _ = write!(tooltip, " — {}", text::storage_failing(lang));
    }
    if let Some(until) = controls.paused_until {
        let at = until.format("%H:%M");
        let _ = match lang {
            Language::De => write!(tooltip, " — Benachrichtigungen pausiert bis {at}"),
            Language::En => write!(tooltip, " — notifications paused until {at}"),
        };
    } else if let Some(until) = controls.quiet_until {
        let at = until.format("%H:%M");
        let _ = match lang {
            Language::De => write!(tooltip, " — Ruhezeit bis {at}"),
            Language::En => write!(tooltip, " — quiet hours until {at}"),
        };
    }

    let mut menu: Vec<MenuEntry> = affected
        .iter()
        .map(|p| MenuEntry::Item {
            label: format!("{}: {}", p.name, text::state_label(p.state, lang)),
            action: Action::open_provider(&p.id),
        })
        .collect();
    if !menu.is_empty() {
        menu.push(MenuEntry::Separator);
    }
    let de = lang == Language::De;
    let item = |label: &str, action| MenuEntry::Item { label: label.into(), action };
    if summary.providers.is_empty() {
        // Nothing to check: the one useful step is the welcome, which adds the first provider.
        menu.push(item(
            if de { "Einrichten …" } else { "Set up …" },
            Action::OpenWindow { route: Some("/welcome".into()) },
        ));
        menu.push(MenuEntry::Separator);
        menu.push(item(if de { "Beenden" } else { "Quit" }, Action::Quit));
        return TrayAppearance { icon, tooltip, attention: false, menu };
    }
    menu.push(item(if de { "Jetzt prüfen" } else { "Check now" }, Action::CheckNow));
    menu.push(item(
        if de { "Outage Notifier öffnen" } else { "Open Outage Notifier" },
        Action::OpenWindow { route: None },
    ));
    menu.push(MenuEntry::Separator);
    if controls.paused_until.is_some() {
        menu.push(item(if de { "Benachrichtigungen fortsetzen" } else { "Resume notifications" }, Action::Resume));
    } else {
        menu.push(MenuEntry::Submenu {
            label: (if de { "Benachrichtigungen pausieren" } else { "Pause notifications" }).into(),
            entries: vec![
                item(if de { "1 Stunde" } else { "1 hour" }, Action::Pause(Span::OneHour)),
                item(if de { "4 Stunden" } else { "4 hours" }, Action::Pause(Span::FourHours)),
                item(if de { "Bis morgen" } else { "Until tomorrow" }, Action::Pause(Span::UntilTomorrow)),
            ],
        });
    }
    if let Some(enabled) = controls.autostart {
        menu.push(MenuEntry::Check {
            label: (if de { "Bei Anmeldung starten" } else { "Start at login" }).into(),
            checked: enabled,
            action: Action::SetAutostart(!enabled),
        });
    }
    menu.push(MenuEntry::Separator);
    menu.push(item(if de { "Beenden" } else { "Quit" }, Action::Quit));

    TrayAppearance { icon, tooltip, attention: worst.is_problem(), menu }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Network, Verdict};
    use crate::summary::ProviderSummary;

    fn summary(network: Network, states: &[(&str, State)]) -> Summary {
        Summary {
            checked_at: chrono::DateTime::parse_from_rfc3339("2026-11-24T10:00:00+01:00").unwrap(),
            network,
            language: Language::En,
            providers: states
                .iter()
                .map(|(name, state)| ProviderSummary {
                    id: name.to_lowercase(),
                    name: (*name).into(),
                    state: *state,
                    verdict: Verdict::AllWell,
                    verdict_text: format!("{name}: verdict"),
                    since: None,
                    status_page: None,
                    preset: None,
                    components: vec![],
                    incidents: vec![],
                    checks: vec![],
                })
                .collect(),
            storage: None,
        }
    }

    fn labels(a: &TrayAppearance) -> Vec<String> {
        flat(&a.menu)
    }

    fn flat(entries: &[MenuEntry]) -> Vec<String> {
        entries
            .iter()
            .map(|e| match e {
                MenuEntry::Item { label, .. } => label.clone(),
                MenuEntry::Check { label, checked, .. } => format!("[{}] {label}", if *checked { "x" } else { " " }),
                MenuEntry::Submenu { label, entries } => format!("{label} > {}", flat(entries).join(" | ")),
                MenuEntry::Separator => "--".into(),
            })
            .collect()
    }

    fn none() -> Controls {
        Controls {
            paused_until: None,
            quiet_until: None,
            snoozed: vec![],
            muted: vec![],
            autostart: None,
            language: None,
        }
    }

    #[test]
    fn nothing_set_up_is_neutral_and_leads_to_the_welcome_in_both_languages() {
        let empty = summary(Network::Online, &[]);
        let en = appearance(&empty, &none(), Language::En);
        assert_eq!(en.icon, TrayIcon::NotSetUp, "no provider is not \"all well\"");
        assert_eq!(en.tooltip, "Not set up yet");
        assert!(!en.attention);
        assert_eq!(labels(&en), ["Set up …", "--", "Quit"]);
        assert!(
            matches!(&en.menu[0], MenuEntry::Item { action: Action::OpenWindow { route: Some(r) }, .. } if r == "/welcome")
        );
        let de = appearance(&summary(Network::Offline, &[]), &none(), Language::De);
        assert_eq!(de.icon, TrayIcon::NotSetUp, "offline matters only once something is watched");
        assert_eq!(de.tooltip, "Noch nicht eingerichtet");
        assert_eq!(labels(&de), ["Einrichten …", "--", "Beenden"]);
    }

    #[test]
    fn quiet_hours_are_in_the_tooltip_in_both_languages() {
        let controls = Controls {
            quiet_until: Some(chrono::DateTime::parse_from_rfc3339("2026-11-25T07:00:00+01:00").unwrap()),
            ..none()
        };
        let s = summary(Network::Online, &[("GitHub", State::Operational)]);
        assert_eq!(appearance(&s, &controls, Language::De).tooltip, "Alles in Ordnung — Ruhezeit bis 07:00");
        assert_eq!(appearance(&s, &controls, Language::En).tooltip, "All well — quiet hours until 07:00");
    }

    #[test]
    fn all_well() {
        let a = appearance(&summary(Network::Online, &[("GitHub", State::Operational)]), &none(), Language::En);
        assert_eq!(a.icon, TrayIcon::Operational);
        assert_eq!(a.tooltip, "All well");
        assert!(!a.attention);
        assert_eq!(
            labels(&a),
            [
                "Check now",
                "Open Outage Notifier",
                "--",
                "Pause notifications > 1 hour | 4 hours | Until tomorrow",
                "--",
                "Quit"
            ]
        );
    }

    #[test]
    fn a_history_that_cannot_be_written_is_in_the_tooltip_in_both_languages() {
        let mut s = summary(Network::Online, &[("GitHub", State::Operational)]);
        s.storage = Some(crate::summary::StorageProblem {
            since: chrono::DateTime::parse_from_rfc3339("2026-11-24T09:58:00+01:00").unwrap(),
            detail: "database or disk is full".into(),
        });
        assert_eq!(appearance(&s, &none(), Language::En).tooltip, "All well — History is not being saved");
        assert_eq!(appearance(&s, &none(), Language::De).tooltip, "Alles in Ordnung — Verlauf wird nicht gespeichert");
    }

    #[test]
    fn paused_tray_offers_resume_and_says_until_when() {
        let controls = Controls {
            paused_until: Some(chrono::DateTime::parse_from_rfc3339("2026-11-24T14:30:00+01:00").unwrap()),
            autostart: Some(true),
            ..none()
        };
        let a = appearance(&summary(Network::Online, &[("GitHub", State::Operational)]), &controls, Language::De);
        assert_eq!(a.tooltip, "Alles in Ordnung — Benachrichtigungen pausiert bis 14:30");
        assert_eq!(
            labels(&a),
            [
                "Jetzt prüfen",
                "Outage Notifier öffnen",
                "--",
                "Benachrichtigungen fortsetzen",
                "[x] Bei Anmeldung starten",
                "--",
                "Beenden"
            ]
        );
        let toggle = a.menu.iter().find_map(|e| match e {
            MenuEntry::Check { action, .. } => Some(action.clone()),
            _ => None,
        });
        assert_eq!(toggle, Some(Action::SetAutostart(false)), "activating a checked toggle turns it off");
    }

    #[test]
    fn pause_submenu_carries_the_spans() {
        let a = appearance(&summary(Network::Online, &[("GitHub", State::Operational)]), &none(), Language::En);
        let spans: Vec<_> = a
            .menu
            .iter()
            .filter_map(|e| match e {
                MenuEntry::Submenu { entries, .. } => Some(entries),
                _ => None,
            })
            .flatten()
            .map(|e| match e {
                MenuEntry::Item { action, .. } => action.clone(),
                other => panic!("unexpected {other:?}"),
            })
            .collect();
        assert_eq!(
            spans,
            [Action::Pause(Span::OneHour), Action::Pause(Span::FourHours), Action::Pause(Span::UntilTomorrow)]
        );
    }

    #[test]
    fn worst_state_wins_and_affected_come_first() {
        let a = appearance(
            &summary(
                Network::Online,
                &[("Zoom", State::Degraded), ("IONOS", State::MajorOutage), ("Slack", State::Operational)],
            ),
            &none(),
            Language::De,
        );
        assert_eq!(a.icon, TrayIcon::Outage);
        assert!(a.attention);
        assert_eq!(a.tooltip, "IONOS: verdict (+1 weitere)");
        assert_eq!(
            labels(&a),
            [
                "IONOS: schwerer Ausfall",
                "Zoom: beeinträchtigt",
                "--",
                "Jetzt prüfen",
                "Outage Notifier öffnen",
                "--",
                "Benachrichtigungen pausieren > 1 Stunde | 4 Stunden | Bis morgen",
                "--",
                "Beenden"
            ]
        );
        assert!(
            matches!(&a.menu[0], MenuEntry::Item { action: Action::OpenWindow { route: Some(r) }, .. } if r == "/provider/ionos")
        );
    }

    #[test]
    fn offline_and_unknown_have_their_own_icons() {
        let off = appearance(&summary(Network::Offline, &[("A", State::Unknown)]), &none(), Language::En);
        assert_eq!(off.icon, TrayIcon::Offline);
        assert_eq!(off.tooltip, "Your internet connection is down");
        let unknown = appearance(&summary(Network::Online, &[("A", State::Unknown)]), &none(), Language::En);
        assert_eq!(unknown.icon, TrayIcon::Unknown);
        assert_eq!(unknown.tooltip, "State not known yet");
        let maintenance = appearance(&summary(Network::Online, &[("A", State::Maintenance)]), &none(), Language::En);
        assert_eq!(maintenance.icon, TrayIcon::Maintenance);
    }
}

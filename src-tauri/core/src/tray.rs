//! The tray's appearance and menu as a pure function of the summary.

use crate::ipc::{Network, Summary};
use crate::model::State;
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
        }
    }
}

/// What a menu entry does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MenuAction {
    /// Open the window at this provider's detail.
    OpenProvider(String),
    CheckNow,
    OpenWindow,
    Quit,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MenuEntry {
    Item { label: String, action: MenuAction },
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

pub fn appearance(summary: &Summary, lang: Language) -> TrayAppearance {
    let worst = summary.worst();
    let icon = if summary.network == Network::Offline {
        TrayIcon::Offline
    } else {
        match worst {
            State::Operational => TrayIcon::Operational,
            State::Maintenance => TrayIcon::Maintenance,
            State::Unknown => TrayIcon::Unknown,
            State::Degraded => TrayIcon::Degraded,
            State::PartialOutage | State::MajorOutage => TrayIcon::Outage,
        }
    };

    let mut affected: Vec<_> = summary.providers.iter().filter(|p| p.state != State::Operational).collect();
    // Worst first, then by name, so the menu reads like a triage list.
    affected.sort_by(|a, b| b.state.severity().cmp(&a.state.severity()).then_with(|| a.name.cmp(&b.name)));

    let tooltip = if summary.network == Network::Offline {
        text::network_down(lang).to_owned()
    } else if summary.providers.is_empty() {
        match lang {
            Language::De => "Noch keine Anbieter eingerichtet".into(),
            Language::En => "No providers set up yet".into(),
        }
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

    let mut menu: Vec<MenuEntry> = affected
        .iter()
        .map(|p| MenuEntry::Item {
            label: format!("{}: {}", p.name, text::state_label(p.state, lang)),
            action: MenuAction::OpenProvider(p.id.clone()),
        })
        .collect();
    if !menu.is_empty() {
        menu.push(MenuEntry::Separator);
    }
    let (check_now, open, quit) = match lang {
        Language::De => ("Jetzt prüfen", "Outage Notifier öffnen", "Beenden"),
        Language::En => ("Check now", "Open Outage Notifier", "Quit"),
    };
    menu.push(MenuEntry::Item { label: check_now.into(), action: MenuAction::CheckNow });
    menu.push(MenuEntry::Item { label: open.into(), action: MenuAction::OpenWindow });
    menu.push(MenuEntry::Separator);
    menu.push(MenuEntry::Item { label: quit.into(), action: MenuAction::Quit });

    TrayAppearance { icon, tooltip, attention: worst.is_problem(), menu }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipc::{ProviderSummary, Verdict};

    fn summary(network: Network, states: &[(&str, State)]) -> Summary {
        Summary {
            checked_at: chrono::DateTime::parse_from_rfc3339("2026-11-24T10:00:00+01:00").unwrap(),
            network,
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
                    components: vec![],
                    incidents: vec![],
                    checks: vec![],
                })
                .collect(),
        }
    }

    fn labels(a: &TrayAppearance) -> Vec<String> {
        a.menu
            .iter()
            .map(|e| match e {
                MenuEntry::Item { label, .. } => label.clone(),
                MenuEntry::Separator => "--".into(),
            })
            .collect()
    }

    #[test]
    fn all_well() {
        let a = appearance(&summary(Network::Online, &[("GitHub", State::Operational)]), Language::En);
        assert_eq!(a.icon, TrayIcon::Operational);
        assert_eq!(a.tooltip, "All well");
        assert!(!a.attention);
        assert_eq!(labels(&a), ["Check now", "Open Outage Notifier", "--", "Quit"]);
    }

    #[test]
    fn worst_state_wins_and_affected_come_first() {
        let a = appearance(
            &summary(
                Network::Online,
                &[("Zoom", State::Degraded), ("IONOS", State::MajorOutage), ("Slack", State::Operational)],
            ),
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
                "Beenden"
            ]
        );
        assert!(matches!(&a.menu[0], MenuEntry::Item { action: MenuAction::OpenProvider(id), .. } if id == "ionos"));
    }

    #[test]
    fn offline_and_unknown_have_their_own_icons() {
        let off = appearance(&summary(Network::Offline, &[("A", State::Unknown)]), Language::En);
        assert_eq!(off.icon, TrayIcon::Offline);
        assert_eq!(off.tooltip, "Your internet connection is down");
        let unknown = appearance(&summary(Network::Online, &[("A", State::Unknown)]), Language::En);
        assert_eq!(unknown.icon, TrayIcon::Unknown);
        assert_eq!(unknown.tooltip, "State not known yet");
        let maintenance = appearance(&summary(Network::Online, &[("A", State::Maintenance)]), Language::En);
        assert_eq!(maintenance.icon, TrayIcon::Maintenance);
    }
}

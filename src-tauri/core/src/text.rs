//! Every sentence the user reads from Rust (tray, notifications, verdicts, CLI), in German and
//! English. The window's own texts live in the UI's catalogs.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::model::State;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, rename_all = "snake_case")]
pub enum Language {
    De,
    En,
}

impl Language {
    pub fn parse(s: &str) -> Option<Language> {
        match s {
            "de" => Some(Language::De),
            "en" => Some(Language::En),
            _ => None,
        }
    }

    /// Picks the language from a POSIX locale value such as `de_AT.UTF-8`; English otherwise.
    pub fn from_locale(locale: Option<&str>) -> Language {
        match locale {
            Some(l) if l.to_ascii_lowercase().starts_with("de") => Language::De,
            _ => Language::En,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Language::De => "de",
            Language::En => "en",
        }
    }
}

/// The label of a state, as the tray menu and notifications show it.
pub fn state_label(state: State, lang: Language) -> &'static str {
    match (lang, state) {
        (Language::De, State::Operational) => "in Betrieb",
        (Language::De, State::Maintenance) => "Wartung",
        (Language::De, State::Unknown) => "unbekannt",
        (Language::De, State::Degraded) => "beeinträchtigt",
        (Language::De, State::PartialOutage) => "teilweiser Ausfall",
        (Language::De, State::MajorOutage) => "schwerer Ausfall",
        (Language::En, State::Operational) => "operational",
        (Language::En, State::Maintenance) => "maintenance",
        (Language::En, State::Unknown) => "unknown",
        (Language::En, State::Degraded) => "degraded",
        (Language::En, State::PartialOutage) => "partial outage",
        (Language::En, State::MajorOutage) => "major outage",
    }
}

pub const APP_NAME: &str = "Outage Notifier";

/// The verdict as one short sentence. `since` is shown in the offset of `now`, which the
/// engine gives in the user's local time zone.
pub fn verdict(
    verdict: crate::ipc::Verdict,
    name: &str,
    since: Option<chrono::DateTime<chrono::FixedOffset>>,
    reason: Option<crate::model::Reason>,
    lang: Language,
    now: chrono::DateTime<chrono::FixedOffset>,
) -> String {
    use crate::ipc::Verdict as V;
    let since = since.map(|s| clock_time(s, now));
    match (lang, verdict) {
        (Language::De, V::AllWell) => format!("{name}: alles in Ordnung"),
        (Language::En, V::AllWell) => format!("{name}: all well"),
        (Language::De, V::Maintenance) => format!("{name}: Wartungsarbeiten laufen"),
        (Language::En, V::Maintenance) => format!("{name}: maintenance in progress"),
        (Language::De, V::ProviderConfirmed) => match since {
            Some(t) => format!("{name}: Störung seit {t}, vom Anbieter bestätigt"),
            None => format!("{name}: Störung, vom Anbieter bestätigt"),
        },
        (Language::En, V::ProviderConfirmed) => match since {
            Some(t) => format!("{name}: problem since {t}, confirmed by the provider"),
            None => format!("{name}: problem confirmed by the provider"),
        },
        (Language::De, V::ProviderUnacknowledged) => match since {
            Some(t) => format!("{name}: Server antworten seit {t} nicht — vom Anbieter noch nicht bestätigt"),
            None => format!("{name}: Server antworten nicht — vom Anbieter noch nicht bestätigt"),
        },
        (Language::En, V::ProviderUnacknowledged) => match since {
            Some(t) => format!("{name}: servers not answering since {t} — not yet acknowledged by the provider"),
            None => format!("{name}: servers not answering — not yet acknowledged by the provider"),
        },
        (Language::De, V::YourNetwork) => "Ihr Internet ist nicht erreichbar".to_owned(),
        (Language::En, V::YourNetwork) => "Your internet connection is down".to_owned(),
        (Language::De, V::YourAccount) => format!("{name}: Anmeldung abgelehnt — bitte Konto und Passwort prüfen"),
        (Language::En, V::YourAccount) => format!("{name}: login refused — check your account and password"),
        (Language::De, V::Unknown) => match reason {
            Some(r) => format!("{name}: Statusseite nicht lesbar ({})", r.as_str()),
            None => format!("{name}: noch nicht geprüft"),
        },
        (Language::En, V::Unknown) => match reason {
            Some(r) => format!("{name}: status page cannot be read ({})", r.as_str()),
            None => format!("{name}: not checked yet"),
        },
    }
}

/// `HH:MM` in the zone of `now`; with the date in front when it is not today.
pub fn clock_time(t: chrono::DateTime<chrono::FixedOffset>, now: chrono::DateTime<chrono::FixedOffset>) -> String {
    let local = t.with_timezone(now.offset());
    if local.date_naive() == now.date_naive() {
        local.format("%H:%M").to_string()
    } else {
        local.format("%d.%m. %H:%M").to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locale_detection() {
        assert_eq!(Language::from_locale(Some("de_AT.UTF-8")), Language::De);
        assert_eq!(Language::from_locale(Some("DE")), Language::De);
        assert_eq!(Language::from_locale(Some("en_GB.UTF-8")), Language::En);
        assert_eq!(Language::from_locale(Some("C")), Language::En);
        assert_eq!(Language::from_locale(None), Language::En);
    }

    #[test]
    fn every_state_has_a_label_in_both_languages() {
        for state in State::ALL {
            assert!(!state_label(state, Language::De).is_empty());
            assert_ne!(state_label(state, Language::De), state_label(state, Language::En).to_owned() + "x");
        }
    }
}

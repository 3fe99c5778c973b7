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

/// What our own probes found, as far as the verdict sentence needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Symptom {
    /// Nothing of ours fails, or the provider has no probes of ours.
    None,
    /// Our probes of this subject get no (usable) answer.
    NotAnswering(Subject),
    /// Our probes of this subject answer, but badly (slow, mail delivered late).
    Impaired(Subject),
    /// The only concern is a certificate that expires in this many days (≤ 0: expired).
    CertificateExpiring { days: i64 },
    /// A probe ran but could not tell (the reason says why).
    Inconclusive(crate::model::Reason),
}

/// What our probes of a provider are about, so the sentence names it as the user knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// SMTP, IMAP, POP3.
    MailServers,
    /// The round trip: a tagged mail sent to the user's own mailbox.
    MailDelivery,
    /// Anything else (HTTP endpoints).
    Servers,
}

/// Everything [`verdict`] needs to say the judgement in one sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerdictFacts<'a> {
    pub verdict: crate::ipc::Verdict,
    pub name: &'a str,
    /// Since when the current problem is known.
    pub since: Option<chrono::DateTime<chrono::FixedOffset>>,
    pub symptom: Symptom,
    /// Why the status page could not be read, if it could not.
    pub page_reason: Option<crate::model::Reason>,
}

/// The verdict as one short sentence. `since` is shown in the offset of `now`, which the
/// engine gives in the user's local time zone.
pub fn verdict(facts: &VerdictFacts<'_>, lang: Language, now: chrono::DateTime<chrono::FixedOffset>) -> String {
    use crate::ipc::Verdict as V;
    let name = facts.name;
    let since = facts.since.map(|s| clock_time(s, now));
    match (lang, facts.verdict) {
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
        (_, V::ProviderUnacknowledged) => unacknowledged(name, facts.symptom, since.as_deref(), lang),
        (_, V::YourNetwork) => network_down(lang).to_owned(),
        (Language::De, V::YourAccount) => match since {
            Some(t) => format!("{name}: Anmeldung seit {t} abgelehnt — bitte Benutzername und Passwort prüfen"),
            None => format!("{name}: Anmeldung abgelehnt — bitte Benutzername und Passwort prüfen"),
        },
        (Language::En, V::YourAccount) => match since {
            Some(t) => format!("{name}: login refused since {t} — check your user name and password"),
            None => format!("{name}: login refused — check your user name and password"),
        },
        (Language::De, V::Unknown) => match (facts.page_reason, facts.symptom) {
            (Some(r), _) => format!("{name}: Statusseite nicht lesbar ({})", r.as_str()),
            (None, Symptom::Inconclusive(r)) => format!("{name}: Prüfung ohne Ergebnis ({})", r.as_str()),
            _ => format!("{name}: noch nicht geprüft"),
        },
        (Language::En, V::Unknown) => match (facts.page_reason, facts.symptom) {
            (Some(r), _) => format!("{name}: status page cannot be read ({})", r.as_str()),
            (None, Symptom::Inconclusive(r)) => format!("{name}: check inconclusive ({})", r.as_str()),
            _ => format!("{name}: not checked yet"),
        },
    }
}

/// "Our probes fail, the provider's page is green" in words, naming what fails.
fn unacknowledged(name: &str, symptom: Symptom, since: Option<&str>, lang: Language) -> String {
    let tail = match lang {
        Language::De => "vom Anbieter noch nicht bestätigt",
        Language::En => "not yet acknowledged by the provider",
    };
    let what = match (lang, symptom) {
        // A certificate about to expire is a warning, not a failure: no "not acknowledged".
        (_, Symptom::CertificateExpiring { days }) => return certificate_expiry(name, days, lang),
        (Language::De, Symptom::NotAnswering(Subject::MailDelivery)) => match since {
            Some(t) => format!("Testmails kommen seit {t} nicht an"),
            None => "Testmails kommen nicht an".to_owned(),
        },
        (Language::En, Symptom::NotAnswering(Subject::MailDelivery)) => match since {
            Some(t) => format!("test mails not arriving since {t}"),
            None => "test mails not arriving".to_owned(),
        },
        (Language::De, Symptom::Impaired(Subject::MailDelivery)) => match since {
            Some(t) => format!("Mails kommen seit {t} verspätet an"),
            None => "Mails kommen verspätet an".to_owned(),
        },
        (Language::En, Symptom::Impaired(Subject::MailDelivery)) => match since {
            Some(t) => format!("mail delivered late since {t}"),
            None => "mail delivered late".to_owned(),
        },
        (Language::De, Symptom::Impaired(subject)) => {
            let who = if subject == Subject::MailServers { "Mailserver" } else { "Server" };
            match since {
                Some(t) => format!("{who} antworten seit {t} nur eingeschränkt"),
                None => format!("{who} antworten nur eingeschränkt"),
            }
        }
        (Language::En, Symptom::Impaired(subject)) => {
            let who = if subject == Subject::MailServers { "mail servers" } else { "servers" };
            match since {
                Some(t) => format!("{who} impaired since {t}"),
                None => format!("{who} impaired"),
            }
        }
        (Language::De, symptom) => {
            let who = if symptom == Symptom::NotAnswering(Subject::MailServers) { "Mailserver" } else { "Server" };
            match since {
                Some(t) => format!("{who} antworten seit {t} nicht"),
                None => format!("{who} antworten nicht"),
            }
        }
        (Language::En, symptom) => {
            let who = if symptom == Symptom::NotAnswering(Subject::MailServers) { "mail servers" } else { "servers" };
            match since {
                Some(t) => format!("{who} not answering since {t}"),
                None => format!("{who} not answering"),
            }
        }
    };
    format!("{name}: {what} — {tail}")
}

/// "Your internet connection is down": the one sentence for every provider while offline.
pub fn network_down(lang: Language) -> &'static str {
    match lang {
        Language::De => "Ihr Internet ist nicht erreichbar",
        Language::En => "Your internet connection is down",
    }
}

/// A certificate that expires soon (or has expired), as verdict and notification title.
pub fn certificate_expiry(name: &str, days: i64, lang: Language) -> String {
    match (lang, days) {
        (Language::De, ..=0) => format!("{name}: Zertifikat ist abgelaufen"),
        (Language::En, ..=0) => format!("{name}: certificate has expired"),
        (Language::De, 1) => format!("{name}: Zertifikat läuft morgen ab"),
        (Language::En, 1) => format!("{name}: certificate expires tomorrow"),
        (Language::De, n) => format!("{name}: Zertifikat läuft in {n} Tagen ab"),
        (Language::En, n) => format!("{name}: certificate expires in {n} days"),
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

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

/// A check's outcome as one word, for the CLI's text output.
pub fn outcome_label(outcome: crate::model::Outcome, lang: Language) -> &'static str {
    use crate::model::Outcome as O;
    match (lang, outcome) {
        (Language::De, O::Up) => "in Ordnung",
        (Language::De, O::Degraded) => "eingeschränkt",
        (Language::De, O::Down) => "gestört",
        (Language::De, O::Unknown) => "ohne Ergebnis",
        (Language::En, O::Up) => "up",
        (Language::En, O::Degraded) => "degraded",
        (Language::En, O::Down) => "down",
        (Language::En, O::Unknown) => "no result",
    }
}

/// The CLI's `check` with nothing to check.
pub fn no_providers(lang: Language) -> &'static str {
    match lang {
        Language::De => "Noch keine Anbieter eingerichtet.",
        Language::En => "No providers set up yet.",
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
    /// One of our servers fails `failures` of its last `of` probes without failing in a row.
    Intermittent { kind: crate::model::CheckKind, failures: usize, of: usize },
    /// One of our servers answers about `factor` times slower than it usually does.
    Slow { kind: crate::model::CheckKind, factor: u64 },
    /// A service without a status page does not answer where its own clients reach it, while
    /// the internet works (its `[[provider.http]]` checks).
    Unreachable,
}

/// What our probes of a provider are about, so the sentence names it as the user knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// SMTP, IMAP, POP3.
    MailServers,
    /// The round trip: a tagged mail sent to the user's own mailbox.
    MailDelivery,
    /// The round trip's mail arrives, but in the spam folder.
    MailToSpam,
    /// Anything else (HTTP endpoints).
    Servers,
}

/// Everything [`verdict`] needs to say the judgement in one sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerdictFacts<'a> {
    pub verdict: crate::model::Verdict,
    pub name: &'a str,
    /// Since when the current problem is known.
    pub since: Option<chrono::DateTime<chrono::FixedOffset>>,
    pub symptom: Symptom,
    /// What failed, when our probes could tell.
    pub cause: Option<&'a crate::cause::Cause>,
    /// Why the status page could not be read, if it could not.
    pub page_reason: Option<crate::model::Reason>,
    /// The provider's page calls the problem resolved while our probes still fail.
    pub page_resolved: bool,
}

/// The verdict as one short sentence. `since` is shown in the offset of `now`, which the
/// engine gives in the user's local time zone.
pub fn verdict(facts: &VerdictFacts<'_>, lang: Language, now: chrono::DateTime<chrono::FixedOffset>) -> String {
    use crate::model::Verdict as V;
    let name = facts.name;
    let since = facts.since.map(|s| clock_time(s, now));
    match (lang, facts.verdict) {
        (Language::De, V::AllWell) => format!("{name}: alles in Ordnung"),
        (Language::En, V::AllWell) => format!("{name}: all well"),
        (Language::De, V::Maintenance) => format!("{name}: Wartungsarbeiten laufen"),
        (Language::En, V::Maintenance) => format!("{name}: maintenance in progress"),
        (_, V::ProviderConfirmed) if facts.page_resolved => resolved_but_failing(name, facts.symptom, lang),
        (Language::De, V::ProviderConfirmed) => match since {
            Some(t) => format!("{name}: Störung seit {t}, vom Anbieter bestätigt"),
            None => format!("{name}: Störung, vom Anbieter bestätigt"),
        },
        (Language::En, V::ProviderConfirmed) => match since {
            Some(t) => format!("{name}: problem since {t}, confirmed by the provider"),
            None => format!("{name}: problem confirmed by the provider"),
        },
        (_, V::ProviderUnacknowledged) => match facts.cause {
            // A service without a status page cannot acknowledge anything: say instead that
            // the user's side works, as the plain sentence does.
            Some(cause) if facts.symptom == Symptom::Unreachable => match lang {
                Language::De => format!(
                    "{name}: {} — Ihre Internetverbindung funktioniert; {name} hat keine Statusseite",
                    cause.sentence(lang)
                ),
                Language::En => format!(
                    "{name}: {} — your internet connection works; {name} has no status page",
                    cause.sentence(lang)
                ),
            },
            Some(cause) => format!("{name}: {} — {}", cause.sentence(lang), not_acknowledged(lang)),
            None => unacknowledged(name, facts.symptom, since.as_deref(), lang),
        },
        (_, V::YourSettings) => match facts.cause {
            Some(cause) => format!("{name}: {}", cause.sentence(lang)),
            None if lang == Language::De => format!("{name}: eine Einstellung passt nicht zum Server"),
            None => format!("{name}: a setting does not fit the server"),
        },
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
            (Some(r), _) => format!("{name}: Statusseite nicht lesbar ({})", reason_words(r, lang)),
            (None, Symptom::Inconclusive(r)) => format!("{name}: Prüfung ohne Ergebnis ({})", reason_words(r, lang)),
            _ => format!("{name}: noch nicht geprüft"),
        },
        (Language::En, V::Unknown) => match (facts.page_reason, facts.symptom) {
            (Some(r), _) => format!("{name}: status page cannot be read ({})", reason_words(r, lang)),
            (None, Symptom::Inconclusive(r)) => format!("{name}: check inconclusive ({})", reason_words(r, lang)),
            _ => format!("{name}: not checked yet"),
        },
    }
}

/// A server that answers only now and then, in words: "about every other attempt" where that is
/// what the numbers say, else the count.
pub fn intermittent(kind: crate::model::CheckKind, failures: usize, of: usize, lang: Language) -> String {
    let who = server_name(kind, lang);
    // Between a third and two thirds failing reads as "every other attempt".
    let every_other = failures * 3 >= of && failures * 3 <= of * 2;
    match (lang, every_other) {
        (Language::De, true) => format!("{who} antwortet nur bei etwa jedem zweiten Versuch"),
        (Language::De, false) => format!("{who} scheitert bei {failures} von {of} Versuchen"),
        (Language::En, true) => format!("{who} answers only about every other attempt"),
        (Language::En, false) => format!("{who} fails {failures} of {of} attempts"),
    }
}

/// A server far slower than usual, in words; `since` is a clock time when known.
pub fn slow(kind: crate::model::CheckKind, factor: u64, since: Option<&str>, lang: Language) -> String {
    let who = server_name(kind, lang);
    match (lang, since) {
        (Language::De, Some(t)) => format!("{who} antwortet seit {t} etwa {factor}-mal langsamer als sonst"),
        (Language::De, None) => format!("{who} antwortet etwa {factor}-mal langsamer als sonst"),
        (Language::En, Some(t)) => format!("{who} has answered about {factor} times slower than usual since {t}"),
        (Language::En, None) => format!("{who} answers about {factor} times slower than usual"),
    }
}

/// What a server of the user's is called in a sentence that starts with it.
fn server_name(kind: crate::model::CheckKind, lang: Language) -> &'static str {
    use crate::model::CheckKind as K;
    match (kind, lang) {
        (K::Smtp, _) => "SMTP",
        (K::Imap, _) => "IMAP",
        (K::Pop3, _) => "POP3",
        (K::Http, Language::De) => "Die Website",
        (K::Http, Language::En) => "The website",
        (_, Language::De) => "Der Server",
        (_, Language::En) => "The server",
    }
}

/// "The provider says it is over, our probes say it is not" in words, naming what fails.
fn resolved_but_failing(name: &str, symptom: Symptom, lang: Language) -> String {
    let subject = match symptom {
        Symptom::NotAnswering(subject) | Symptom::Impaired(subject) => subject,
        _ => Subject::Servers,
    };
    match (lang, subject) {
        (Language::De, Subject::MailServers) => {
            format!("{name} meldet die Störung als behoben — Ihre Mailserver antworten aber weiterhin nicht")
        }
        (Language::De, Subject::MailDelivery) => {
            format!("{name} meldet die Störung als behoben — Ihre Testmails kommen aber weiterhin nicht an")
        }
        (Language::De, Subject::MailToSpam) => {
            format!("{name} meldet die Störung als behoben — Ihre Testmails landen aber weiterhin im Spam-Ordner")
        }
        (Language::De, Subject::Servers) => {
            format!("{name} meldet die Störung als behoben — die Server antworten aber weiterhin nicht")
        }
        (Language::En, Subject::MailServers) => {
            format!("{name} reports the problem as resolved — but your mail servers still do not answer")
        }
        (Language::En, Subject::MailDelivery) => {
            format!("{name} reports the problem as resolved — but your test mails still do not arrive")
        }
        (Language::En, Subject::MailToSpam) => {
            format!("{name} reports the problem as resolved — but your test mails still land in the spam folder")
        }
        (Language::En, Subject::Servers) => {
            format!("{name} reports the problem as resolved — but its servers still do not answer")
        }
    }
}

/// "Our probes fail, the provider's page is green" in words, naming what fails.
fn not_acknowledged(lang: Language) -> &'static str {
    match lang {
        Language::De => "vom Anbieter noch nicht bestätigt",
        Language::En => "not yet acknowledged by the provider",
    }
}

fn unacknowledged(name: &str, symptom: Symptom, since: Option<&str>, lang: Language) -> String {
    let tail = not_acknowledged(lang);
    let what = match (lang, symptom) {
        // A certificate about to expire is a warning, not a failure: no "not acknowledged".
        (_, Symptom::CertificateExpiring { days }) => return certificate_expiry(name, days, lang),
        // Nobody can acknowledge it: the sentence says whose it is instead.
        (Language::De, Symptom::Unreachable) => {
            return format!(
                "{name} ist nicht erreichbar — Ihre Internetverbindung funktioniert; {name} hat keine Statusseite"
            );
        }
        (Language::En, Symptom::Unreachable) => {
            return format!("{name} cannot be reached — your internet connection works; {name} has no status page");
        }
        (_, Symptom::Intermittent { kind, failures, of }) => intermittent(kind, failures, of, lang),
        (_, Symptom::Slow { kind, factor }) => slow(kind, factor, since, lang),
        (Language::De, Symptom::NotAnswering(Subject::MailDelivery)) => match since {
            Some(t) => format!("Mails an Sie kommen seit {t} nicht an"),
            None => "Mails an Sie kommen nicht an".to_owned(),
        },
        (Language::En, Symptom::NotAnswering(Subject::MailDelivery)) => match since {
            Some(t) => format!("mail to you not arriving since {t}"),
            None => "mail to you not arriving".to_owned(),
        },
        (Language::De, Symptom::Impaired(Subject::MailToSpam) | Symptom::NotAnswering(Subject::MailToSpam)) => {
            match since {
                Some(t) => format!("Mails an Sie landen seit {t} im Spam-Ordner"),
                None => "Mails an Sie landen im Spam-Ordner".to_owned(),
            }
        }
        (Language::En, Symptom::Impaired(Subject::MailToSpam) | Symptom::NotAnswering(Subject::MailToSpam)) => {
            match since {
                Some(t) => format!("mail to you lands in the spam folder since {t}"),
                None => "mail to you lands in the spam folder".to_owned(),
            }
        }
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

/// What is wrong with the user's network, in one sentence: the verdict of every provider, the
/// tray's tooltip and the title of the one alert while it lasts.
pub fn network_trouble(network: crate::model::Network, lang: Language) -> &'static str {
    use crate::model::Network as N;
    match (network, lang) {
        (N::Online | N::Offline, _) => network_down(lang),
        (N::Dns, Language::De) => {
            "Ihr DNS-Server beantwortet keine Anfragen — Ihre Internetverbindung selbst funktioniert"
        }
        (N::Dns, Language::En) => "Your DNS server is not answering — your internet connection itself works",
        (N::SignIn, Language::De) => "Dieses Netz verlangt eine Anmeldung",
        (N::SignIn, Language::En) => "This network wants you to sign in",
    }
}

/// What to do about it: the body of that alert.
pub fn network_trouble_body(network: crate::model::Network, lang: Language) -> &'static str {
    use crate::model::Network as N;
    match (network, lang) {
        (N::Online | N::Offline, _) => network_down_body(lang),
        (N::Dns, Language::De) => {
            "Kein Anbieter ist schuld: Namen werden auf diesem Rechner nicht aufgelöst. Router neu starten oder \
             die DNS-Einstellungen prüfen. Die Anbieter werden wieder geprüft, sobald DNS antwortet."
        }
        (N::Dns, Language::En) => {
            "No provider is to blame: names are not resolved on this computer. Restart the router or check the \
             DNS settings. Providers will be checked again as soon as DNS answers."
        }
        (N::SignIn, Language::De) => {
            "Öffnen Sie eine Webseite im Browser und melden Sie sich im WLAN an (Hotel, Bahn, Gäste-Netz). \
             Bis dahin wird kein Anbieter beschuldigt."
        }
        (N::SignIn, Language::En) => {
            "Open a web page in your browser and sign in to the Wi-Fi (hotel, train, guest network). Until then \
             no provider is blamed."
        }
    }
}

/// The history cannot be written: the title of its notification, and the tray's note.
pub fn storage_failing(lang: Language) -> &'static str {
    match lang {
        Language::De => "Verlauf wird nicht gespeichert",
        Language::En => "History is not being saved",
    }
}

/// Why a history that cannot be written matters, and what to do.
pub fn storage_failing_body(
    since: chrono::DateTime<chrono::FixedOffset>,
    lang: Language,
    now: chrono::DateTime<chrono::FixedOffset>,
) -> String {
    let at = clock_time(since, now);
    match lang {
        Language::De => format!(
            "Seit {at} kann Outage Notifier seinen Verlauf nicht schreiben (ist der Datenträger voll?). \
             Die Überwachung läuft weiter, aber der Nachweis hat eine Lücke, bis wieder Platz ist."
        ),
        Language::En => format!(
            "Since {at} Outage Notifier cannot write its history (is the disk full?). Monitoring goes on, \
             but the evidence record has a gap until there is space again."
        ),
    }
}

/// The title of the notice that an edited config was not applied.
pub fn config_not_applied(lang: Language) -> &'static str {
    match lang {
        Language::De => "Outage Notifier: Einstellungen nicht übernommen",
        Language::En => "Outage Notifier: settings not applied",
    }
}

/// Its body when the config file was deleted while the app runs.
pub fn config_deleted(path: &str, lang: Language) -> String {
    match lang {
        Language::De => {
            format!("{path} wurde gelöscht. Die bisherigen Einstellungen gelten weiter, bis die Datei wieder da ist.")
        }
        Language::En => format!("{path} was deleted. The previous settings stay in effect until the file is back."),
    }
}

/// Its body when an edit of the config file cannot be used: where, in words; the parser's
/// own account (technical, English) follows on a line of its own for whoever fixes the file.
pub fn config_invalid(file: &str, line: Option<usize>, lang: Language) -> String {
    match (lang, line) {
        (Language::De, Some(line)) => format!(
            "In {file}, Zeile {line}, steht etwas, das Outage Notifier nicht verwenden kann. Die bisherigen \
             Einstellungen gelten weiter, bis der Fehler behoben ist."
        ),
        (Language::De, None) => format!(
            "In {file} steht etwas, das Outage Notifier nicht verwenden kann. Die bisherigen Einstellungen gelten \
             weiter, bis der Fehler behoben ist."
        ),
        (Language::En, Some(line)) => format!(
            "Line {line} of {file} holds something Outage Notifier cannot use. The previous settings stay in \
             effect until it is fixed."
        ),
        (Language::En, None) => format!(
            "{file} holds something Outage Notifier cannot use. The previous settings stay in effect until it is \
             fixed."
        ),
    }
}

/// Its body when the config file cannot be read at all (permissions, a directory…).
pub fn config_unreadable(path: &str, lang: Language) -> String {
    match lang {
        Language::De => format!(
            "{path} lässt sich nicht lesen. Die bisherigen Einstellungen gelten weiter, bis die Datei wieder \
             lesbar ist."
        ),
        Language::En => {
            format!("{path} cannot be read. The previous settings stay in effect until the file can be read again.")
        }
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

/// A mail probe's result in one sentence for the window and `check`: what answered, how
/// fast and how securely, or what went wrong in words (the failing step and the server's own
/// words stay under "Why?"). `None` where the probe could not tell (the engine's message says
/// why, e.g. a password that is not stored).
pub fn mail_result(o: &crate::model::Observation, m: &crate::model::MailFinding, lang: Language) -> Option<String> {
    use crate::model::{CheckKind, Outcome, Reason};
    if o.kind == CheckKind::Roundtrip {
        // The round trip says it in the user's language already ("zugestellt nach 7 min 12 s",
        // "2 Testmails seit 10:05 unterwegs"); its dialogues' steps are under "Why?".
        let what = match lang {
            Language::De => "Zustellung",
            Language::En => "Delivery",
        };
        return Some(format!("{what} {}: {}", o.target, o.message));
    }
    let who = format!("{} {}", server_name(o.kind, lang), o.target);
    if let Some(cause) = m.cause.as_ref().filter(|_| o.outcome != Outcome::Up) {
        return Some(cause.sentence(lang));
    }
    let logged_in = m.steps.iter().any(|s| s.name == "login" && s.ok);
    match (o.outcome, o.reason) {
        (Outcome::Up, _) | (Outcome::Degraded, Some(Reason::Certificate)) => {
            let ms = o.latency_ms.unwrap_or_default();
            let mut sentence = match (lang, &m.tls_version) {
                (Language::De, Some(v)) => format!("{who} antwortet in {ms} ms, verschlüsselt ({v})"),
                (Language::En, Some(v)) => format!("{who} answered in {ms} ms, encrypted ({v})"),
                (Language::De, None) => format!("{who} antwortet in {ms} ms, unverschlüsselt"),
                (Language::En, None) => format!("{who} answered in {ms} ms, unencrypted"),
            };
            if let Some(days) = o.cert_days_left {
                sentence.push_str("; ");
                sentence.push_str(&certificate_days_left(days, lang));
            }
            if logged_in {
                sentence.push_str(match lang {
                    Language::De => "; Anmeldung klappt",
                    Language::En => "; login works",
                });
            }
            Some(sentence)
        }
        (Outcome::Down | Outcome::Degraded, Some(reason)) => Some(format!("{who}: {}", reason_words(reason, lang))),
        _ => None,
    }
}

/// A page check's result in one sentence for the window and `check`: how fast it answered,
/// or what went wrong in words (the steps and the engine's detail stay under "Why?").
pub fn page_result(o: &crate::model::Observation, h: &crate::model::HttpFinding, lang: Language) -> Option<String> {
    use crate::model::Outcome;
    if let Some(cause) = o.cause() {
        return Some(cause.sentence(lang));
    }
    let host = crate::cause::page_host(&o.target);
    match (o.outcome, o.reason, lang) {
        (Outcome::Up, _, Language::De) => Some(match h.status {
            Some(status) => {
                format!("Die Seite {host} antwortet in {} ms (HTTP {status})", o.latency_ms.unwrap_or_default())
            }
            None => format!("Die Seite {host} antwortet in {} ms", o.latency_ms.unwrap_or_default()),
        }),
        (Outcome::Up, _, Language::En) => Some(match h.status {
            Some(status) => {
                format!("The page at {host} answered in {} ms (HTTP {status})", o.latency_ms.unwrap_or_default())
            }
            None => format!("The page at {host} answered in {} ms", o.latency_ms.unwrap_or_default()),
        }),
        (Outcome::Down | Outcome::Degraded, Some(reason), Language::De) => {
            Some(format!("Die Seite {host}: {}", reason_words(reason, lang)))
        }
        (Outcome::Down | Outcome::Degraded, Some(reason), Language::En) => {
            Some(format!("The page at {host}: {}", reason_words(reason, lang)))
        }
        _ => None,
    }
}

/// What a failure's reason means, as a phrase after the server's name (also the cause
/// column of the evidence report).
pub fn reason_words(reason: crate::model::Reason, lang: Language) -> &'static str {
    use crate::model::Reason as R;
    match (reason, lang) {
        (R::Dns, Language::De) => "Name lässt sich nicht auflösen (DNS)",
        (R::Dns, Language::En) => "the name cannot be resolved (DNS)",
        (R::Refused, Language::De) => "Verbindung abgelehnt",
        (R::Refused, Language::En) => "connection refused",
        (R::Timeout, Language::De) => "keine Antwort in der vorgesehenen Zeit",
        (R::Timeout, Language::En) => "no answer in time",
        (R::Tls, Language::De) => "die verschlüsselte Verbindung (TLS) kam nicht zustande",
        (R::Tls, Language::En) => "the encrypted connection (TLS) failed",
        (R::Certificate, Language::De) => "das Zertifikat ist ungültig",
        (R::Certificate, Language::En) => "the certificate is not valid",
        (R::Banner, Language::De) => "grüßt nicht wie ein Mailserver",
        (R::Banner, Language::En) => "does not greet like a mail server",
        (R::Auth, Language::De) => "Anmeldung abgelehnt",
        (R::Auth, Language::En) => "login refused",
        (R::Protocol, Language::De) => "unerwartete Antwort des Servers",
        (R::Protocol, Language::En) => "unexpected answer from the server",
        (R::HttpStatus, Language::De) => "Fehlerstatus des Servers",
        (R::HttpStatus, Language::En) => "error status from the server",
        (R::Parse, Language::De) => "Antwort nicht lesbar",
        (R::Parse, Language::En) => "the answer cannot be read",
        (R::TooLarge, Language::De) => "Antwort zu groß",
        (R::TooLarge, Language::En) => "the answer is too large",
        (R::Offline, Language::De) => "Ihre Internetverbindung ist unterbrochen",
        (R::Offline, Language::En) => "your internet connection is down",
        (R::Slow, Language::De) => "antwortet weit langsamer als sonst",
        (R::Slow, Language::En) => "answers far slower than usual",
        (R::Content, Language::De) => "die erwartete Stelle fehlt auf der Seite",
        (R::Content, Language::En) => "the expected text is missing from the page",
        (R::Delayed, Language::De) => "Testmails kommen verspätet an",
        (R::Delayed, Language::En) => "test mails arrive late",
        (R::Lost, Language::De) => "Testmails kommen nicht an",
        (R::Lost, Language::En) => "test mails do not arrive",
        (R::Spam, Language::De) => "Testmails landen im Spam-Ordner",
        (R::Spam, Language::En) => "test mails land in the spam folder",
        (R::Rejected, Language::De) => "der Anbieter nimmt die Testmail nicht an",
        (R::Rejected, Language::En) => "the provider refuses the test mail",
        (R::Bounced, Language::De) => "die Testmail kam als unzustellbar zurück",
        (R::Bounced, Language::En) => "the test mail bounced as undeliverable",
    }
}

/// A certificate's remaining validity beside a check (`check`'s text output, the window).
pub fn certificate_days_left(days: i64, lang: Language) -> String {
    match (lang, days) {
        (Language::De, ..0) => format!("Zertifikat seit {} Tagen abgelaufen", -days),
        (Language::En, ..0) => format!("certificate expired {} days ago", -days),
        (Language::De, 0) => "Zertifikat läuft heute ab".to_owned(),
        (Language::En, 0) => "certificate expires today".to_owned(),
        (Language::De, 1) => "Zertifikat noch 1 Tag gültig".to_owned(),
        (Language::En, 1) => "certificate valid 1 more day".to_owned(),
        (Language::De, n) => format!("Zertifikat noch {n} Tage gültig"),
        (Language::En, n) => format!("certificate valid {n} more days"),
    }
}

/// What an alert about a provider tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertEvent {
    /// A problem is confirmed, or got worse.
    Raised,
    /// A problem we found ourselves is now confirmed by the provider.
    Acknowledged,
    /// The problem still lasts.
    Reminder,
    /// The problem is over.
    Resolved,
}

/// The title of an alert about a provider. `verdict` names the cause (provider problem,
/// account, maintenance); `state` is the provider's state when it was raised.
pub fn alert_title(
    event: AlertEvent,
    name: &str,
    verdict: crate::model::Verdict,
    state: State,
    lang: Language,
) -> String {
    use crate::model::Verdict as V;
    let label = state_label(state, lang);
    match (event, verdict, lang) {
        (AlertEvent::Raised, V::YourAccount, Language::De) => format!("{name}: Anmeldung abgelehnt"),
        (AlertEvent::Raised, V::YourAccount, Language::En) => format!("{name}: login refused"),
        (AlertEvent::Reminder, V::YourAccount, Language::De) => format!("{name}: Anmeldung weiterhin abgelehnt"),
        (AlertEvent::Reminder, V::YourAccount, Language::En) => format!("{name}: login still refused"),
        (AlertEvent::Resolved, V::YourAccount, Language::De) => format!("{name}: Anmeldung klappt wieder"),
        (AlertEvent::Resolved, V::YourAccount, Language::En) => format!("{name}: login works again"),
        (AlertEvent::Raised, V::YourSettings, Language::De) => format!("{name}: Einstellung prüfen"),
        (AlertEvent::Raised, V::YourSettings, Language::En) => format!("{name}: check a setting"),
        (AlertEvent::Reminder, V::YourSettings, Language::De) => format!("{name}: Einstellung weiterhin prüfen"),
        (AlertEvent::Reminder, V::YourSettings, Language::En) => format!("{name}: a setting still needs checking"),
        (AlertEvent::Resolved, V::YourSettings, Language::De) => format!("{name}: Verbindung klappt wieder"),
        (AlertEvent::Resolved, V::YourSettings, Language::En) => format!("{name}: connection works again"),
        (AlertEvent::Raised | AlertEvent::Reminder, V::Maintenance, Language::De) => format!("{name}: Wartung"),
        (AlertEvent::Raised | AlertEvent::Reminder, V::Maintenance, Language::En) => format!("{name}: maintenance"),
        (AlertEvent::Resolved, V::Maintenance, Language::De) => format!("{name}: Wartung beendet"),
        (AlertEvent::Resolved, V::Maintenance, Language::En) => format!("{name}: maintenance finished"),
        (AlertEvent::Acknowledged, _, Language::De) => format!("{name}: Störung jetzt vom Anbieter bestätigt"),
        (AlertEvent::Acknowledged, _, Language::En) => format!("{name}: provider now confirms the problem"),
        (AlertEvent::Raised, _, _) => format!("{name}: {label}"),
        (AlertEvent::Reminder, _, Language::De) => format!("{name}: weiterhin {label}"),
        (AlertEvent::Reminder, _, Language::En) => format!("{name}: still {label}"),
        (AlertEvent::Resolved, _, Language::De) => format!("{name}: wieder in Betrieb"),
        (AlertEvent::Resolved, _, Language::En) => format!("{name}: back to normal"),
    }
}

/// Why a refused login is the user's to fix, not the provider's outage.
pub fn account_hint(name: &str, lang: Language) -> String {
    match lang {
        Language::De => format!("Der Server antwortet, lehnt aber die Anmeldung ab: das ist kein Ausfall von {name}."),
        Language::En => format!("The server answers but refuses the login: this is not an outage at {name}."),
    }
}

/// When we noticed a problem and when the provider confirmed it (evidence for the user).
pub fn acknowledged_body(
    noticed: chrono::DateTime<chrono::FixedOffset>,
    confirmed: chrono::DateTime<chrono::FixedOffset>,
    lang: Language,
) -> String {
    let (n, c) = (clock_time(noticed, confirmed), clock_time(confirmed, confirmed));
    let later = duration((confirmed - noticed).to_std().unwrap_or_default(), lang);
    match lang {
        Language::De => format!("Von uns bemerkt um {n}, vom Anbieter bestätigt um {c} ({later} später)."),
        Language::En => format!("We noticed it at {n}; the provider confirmed it at {c} ({later} later)."),
    }
}

/// How long a problem lasted, for the resolution.
pub fn resolved_body(
    from: chrono::DateTime<chrono::FixedOffset>,
    to: chrono::DateTime<chrono::FixedOffset>,
    lang: Language,
) -> String {
    let (f, t) = (clock_time(from, to), clock_time(to, to));
    match lang {
        Language::De => format!("Störung von {f} bis {t}."),
        Language::En => format!("Problem from {f} to {t}."),
    }
}

/// The body of the "your internet connection is down" alert.
pub fn network_down_body(lang: Language) -> &'static str {
    match lang {
        Language::De => "Die Anbieter werden wieder geprüft, sobald die Verbindung zurück ist.",
        Language::En => "Providers will be checked again as soon as the connection is back.",
    }
}

/// What a second start of the resident prints: the first one shows its window instead.
pub fn already_running(lang: Language) -> &'static str {
    match lang {
        Language::De => "Outage Notifier läuft bereits; das Fenster wird geöffnet.",
        Language::En => "Outage Notifier is already running; asked it to open its window.",
    }
}

/// The title of the notification that says a window was not opened (see `too_many_windows`).
pub fn window_not_opened(lang: Language) -> &'static str {
    match lang {
        Language::De => "Outage Notifier: Fenster nicht geöffnet",
        Language::En => "Outage Notifier: window not opened",
    }
}

/// Why a window cannot connect: the resident serves this many windows at once already
/// (the control socket's cap on subscribers), and more are almost always left-over ones.
pub fn too_many_windows(max: usize, lang: Language) -> String {
    match lang {
        Language::De => format!(
            "Es sind bereits {max} Fenster von Outage Notifier offen. Schließen Sie einige davon und öffnen Sie \
             das Fenster dann erneut."
        ),
        Language::En => {
            format!("{max} Outage Notifier windows are open already. Close some of them, then open the window again.")
        }
    }
}

/// The notification's one button, which opens the window where the alert leads.
pub fn open_action(lang: Language) -> &'static str {
    match lang {
        Language::De => "Öffnen",
        Language::En => "Open",
    }
}

/// The digest line for the network coming back.
pub fn network_back(lang: Language) -> &'static str {
    match lang {
        Language::De => "Internetverbindung wieder da",
        Language::En => "Internet connection back",
    }
}

/// What to do about a certificate that expires soon.
pub fn certificate_body(target: &str, lang: Language) -> String {
    match lang {
        Language::De => format!("{target}: Das Zertifikat muss rechtzeitig erneuert werden (Anbieter oder IT fragen)."),
        Language::En => format!("{target}: the certificate must be renewed in time (ask the provider or your IT)."),
    }
}

/// The title of the digest after quiet hours or a pause.
pub fn digest_title(events: usize, lang: Language) -> String {
    match (lang, events) {
        (Language::De, 1) => "1 Meldung aus der Ruhezeit".to_owned(),
        (Language::De, n) => format!("{n} Meldungen aus der Ruhezeit"),
        (Language::En, 1) => "1 event while notifications were quiet".to_owned(),
        (Language::En, n) => format!("{n} events while notifications were quiet"),
    }
}

/// The last digest line when not every event fits.
pub fn digest_more(more: usize, lang: Language) -> String {
    match lang {
        Language::De => format!("… und {more} weitere"),
        Language::En => format!("… and {more} more"),
    }
}

/// A duration in hours and minutes: "1 Std. 38 Min." / "1 h 38 min".
pub fn duration(d: std::time::Duration, lang: Language) -> String {
    let minutes = d.as_secs() / 60;
    let (h, m) = (minutes / 60, minutes % 60);
    match (lang, h) {
        (Language::De, 0) => format!("{m} Min."),
        (Language::En, 0) => format!("{m} min"),
        (Language::De, h) if m == 0 => format!("{h} Std."),
        (Language::En, h) if m == 0 => format!("{h} h"),
        (Language::De, h) => format!("{h} Std. {m} Min."),
        (Language::En, h) => format!("{h} h {m} min"),
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

/// Where a discovered server was named, as `discover` and the window's first step say it.
pub fn discovery_origin(origin: crate::discover::Origin, lang: Language) -> &'static str {
    use crate::discover::Origin;
    match (lang, origin) {
        (Language::De, Origin::Mx) => "MX-Eintrag",
        (Language::De, Origin::Srv) => "SRV-Eintrag",
        (Language::De, Origin::Autoconfig) => "Autoconfig-Datei",
        (Language::De, Origin::Catalog) => "Angaben des Anbieters",
        (Language::En, Origin::Mx) => "MX record",
        (Language::En, Origin::Srv) => "SRV record",
        (Language::En, Origin::Autoconfig) => "autoconfig file",
        (Language::En, Origin::Catalog) => "provider's documentation",
    }
}

/// Whose a discovered server is; `provider` is the matched provider's name.
pub fn discovery_standing(standing: crate::discover::Standing, provider: Option<&str>, lang: Language) -> String {
    use crate::discover::Standing;
    match (lang, standing, provider) {
        (Language::De, Standing::Provider, Some(name)) => format!("gehört zu {name}"),
        (Language::En, Standing::Provider, Some(name)) => format!("belongs to {name}"),
        (Language::De, Standing::Provider, None) => "gehört zum Anbieter".to_owned(),
        (Language::En, Standing::Provider, None) => "belongs to the provider".to_owned(),
        (Language::De, Standing::OwnDomain, _) => "unter Ihrer eigenen Domain".to_owned(),
        (Language::En, Standing::OwnDomain, _) => "under your own domain".to_owned(),
        (Language::De, Standing::Elsewhere, _) => {
            "fremde Domain – nicht vorgeschlagen; nur hinzufügen, wenn Sie diesen Server kennen".to_owned()
        }
        (Language::En, Standing::Elsewhere, _) => {
            "another domain – not proposed; add it only if you know this server".to_owned()
        }
    }
}

/// The one sentence that says which provider an address's domain points to.
pub fn discovery_provider(found: &crate::discover::ProviderMatch, lang: Language) -> String {
    let origin = discovery_origin(found.by, lang);
    match lang {
        Language::De => format!("Ihre E-Mails liegen bei {} ({origin} {}).", found.name, found.host),
        Language::En => format!("Your mail is hosted by {} ({origin} {}).", found.name, found.host),
    }
}

/// What else the user should know about a discovery.
pub fn discovery_notice(notice: &crate::discover::Notice, lang: Language) -> String {
    use crate::discover::{AutoconfigFault, Notice};
    match (lang, notice) {
        (Language::De, Notice::NothingFound) => {
            "Nichts gefunden – bitte geben Sie Ihre Server selbst ein (Sie finden sie in Ihrem Mailprogramm oder beim Anbieter).".to_owned()
        }
        (Language::En, Notice::NothingFound) => {
            "Nothing found – enter your servers yourself (your mail program or your provider shows them).".to_owned()
        }
        (Language::De, Notice::UnknownMx { host }) => {
            format!("Die E-Mails Ihrer Domain gehen an {host}; diesen Anbieter kennen wir noch nicht.")
        }
        (Language::En, Notice::UnknownMx { host }) => {
            format!("Your domain's mail goes to {host}, a provider we do not know yet.")
        }
        (Language::De, Notice::ServersElsewhere { count }) => format!(
            "{count} Server liegen weder bei Ihrem Anbieter noch unter Ihrer Domain. Sie sind nicht vorgeschlagen: Die Angaben stammen aus Einträgen, die jeder mit Zugriff auf Ihre Domain ändern kann."
        ),
        (Language::En, Notice::ServersElsewhere { count }) => format!(
            "{count} server(s) belong neither to your provider nor to your domain. They are not proposed: they come from records anyone with access to your domain can change."
        ),
        (lang, Notice::Autoconfig { url, fault }) => {
            let why = match (lang, fault) {
                (Language::De, AutoconfigFault::TooLarge) => "zu groß",
                (Language::De, AutoconfigFault::NotAConfig) => "keine lesbare Autoconfig-Datei",
                (Language::De, AutoconfigFault::TooManyRedirects) => "zu viele Weiterleitungen",
                (Language::De, AutoconfigFault::Certificate) => "Zertifikat ungültig",
                (Language::De, AutoconfigFault::Timeout) => "keine Antwort in der Frist",
                (Language::De, AutoconfigFault::HttpError) => "HTTP-Fehler",
                (Language::En, AutoconfigFault::TooLarge) => "too large",
                (Language::En, AutoconfigFault::NotAConfig) => "not a readable autoconfig file",
                (Language::En, AutoconfigFault::TooManyRedirects) => "too many redirects",
                (Language::En, AutoconfigFault::Certificate) => "invalid certificate",
                (Language::En, AutoconfigFault::Timeout) => "no answer in time",
                (Language::En, AutoconfigFault::HttpError) => "HTTP error",
            };
            match lang {
                Language::De => format!("Autoconfig-Datei {url} nicht verwendet: {why}."),
                Language::En => format!("Autoconfig file {url} not used: {why}."),
            }
        }
        (Language::De, Notice::DnsFailed { query }) => {
            format!("Der DNS-Server hat auf {query} nicht geantwortet; was dort steht, fehlt hier.")
        }
        (Language::En, Notice::DnsFailed { query }) => {
            format!("The DNS server did not answer {query}; whatever it holds is missing here.")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intermittent_servers_in_both_languages() {
        use crate::model::CheckKind;
        assert_eq!(
            intermittent(CheckKind::Imap, 3, 6, Language::De),
            "IMAP antwortet nur bei etwa jedem zweiten Versuch"
        );
        assert_eq!(intermittent(CheckKind::Imap, 3, 6, Language::En), "IMAP answers only about every other attempt");
        assert_eq!(intermittent(CheckKind::Smtp, 5, 6, Language::De), "SMTP scheitert bei 5 von 6 Versuchen");
        assert_eq!(intermittent(CheckKind::Pop3, 5, 6, Language::En), "POP3 fails 5 of 6 attempts");
        assert_eq!(
            slow(CheckKind::Imap, 123, Some("10:12"), Language::De),
            "IMAP antwortet seit 10:12 etwa 123-mal langsamer als sonst"
        );
        assert_eq!(
            slow(CheckKind::Imap, 123, Some("10:12"), Language::En),
            "IMAP has answered about 123 times slower than usual since 10:12"
        );
    }

    #[test]
    fn locale_detection() {
        assert_eq!(Language::from_locale(Some("de_AT.UTF-8")), Language::De);
        assert_eq!(Language::from_locale(Some("DE")), Language::De);
        assert_eq!(Language::from_locale(Some("en_GB.UTF-8")), Language::En);
        assert_eq!(Language::from_locale(Some("C")), Language::En);
        assert_eq!(Language::from_locale(None), Language::En);
    }

    #[test]
    fn certificate_days_left_in_both_languages() {
        assert_eq!(certificate_days_left(29, Language::En), "certificate valid 29 more days");
        assert_eq!(certificate_days_left(1, Language::De), "Zertifikat noch 1 Tag gültig");
        assert_eq!(certificate_days_left(0, Language::En), "certificate expires today");
        assert_eq!(certificate_days_left(-3, Language::De), "Zertifikat seit 3 Tagen abgelaufen");
    }

    #[test]
    fn every_state_has_a_label_in_both_languages() {
        for state in State::ALL {
            assert!(!state_label(state, Language::De).is_empty());
            assert_ne!(state_label(state, Language::De), state_label(state, Language::En).to_owned() + "x");
        }
    }

    /// What the resident says about itself (a broken config edit, too many windows) comes in
    /// both languages and keeps the facts the user needs: the file, the line, the number.
    #[test]
    fn resident_notices_exist_in_both_languages() {
        for line in [Some(12), None] {
            let (de, en) = (
                config_invalid("/x/config.toml", line, Language::De),
                config_invalid("/x/config.toml", line, Language::En),
            );
            assert_ne!(de, en);
            for text in [&de, &en] {
                assert!(text.contains("/x/config.toml"), "{text}");
                assert_eq!(text.contains("12"), line.is_some(), "{text}");
            }
            assert!(de.contains("Einstellungen gelten weiter"), "{de}");
        }
        let (de, en) = (config_unreadable("/x/c.toml", Language::De), config_unreadable("/x/c.toml", Language::En));
        assert!(de != en && de.contains("/x/c.toml") && en.contains("/x/c.toml"));
        let (de, en) = (too_many_windows(64, Language::De), too_many_windows(64, Language::En));
        assert!(de != en && de.contains("64 Fenster") && en.contains("64"), "{de} / {en}");
        assert_ne!(window_not_opened(Language::De), window_not_opened(Language::En));
    }

    #[test]
    fn discovery_texts_exist_in_both_languages() {
        use crate::discover::{AutoconfigFault, Notice, Origin, Standing};
        let notices = [
            Notice::NothingFound,
            Notice::UnknownMx { host: "mx.x.test".into() },
            Notice::ServersElsewhere { count: 2 },
            Notice::Autoconfig { url: "https://autoconfig.x.test/".into(), fault: AutoconfigFault::TooLarge },
            Notice::DnsFailed { query: "x.test MX".into() },
        ];
        for n in &notices {
            let (de, en) = (discovery_notice(n, Language::De), discovery_notice(n, Language::En));
            assert!(!de.is_empty() && !en.is_empty() && de != en, "{n:?}");
        }
        for o in [Origin::Mx, Origin::Srv, Origin::Autoconfig, Origin::Catalog] {
            assert_ne!(discovery_origin(o, Language::De), discovery_origin(o, Language::En));
        }
        for s in [Standing::Provider, Standing::OwnDomain, Standing::Elsewhere] {
            assert_ne!(
                discovery_standing(s, Some("IONOS"), Language::De),
                discovery_standing(s, Some("IONOS"), Language::En)
            );
        }
        assert_eq!(
            discovery_notice(&Notice::NothingFound, Language::De),
            "Nichts gefunden – bitte geben Sie Ihre Server selbst ein (Sie finden sie in Ihrem Mailprogramm oder beim Anbieter)."
        );
    }
}

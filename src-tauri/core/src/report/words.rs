//! Every word of the evidence report in German and English, with each language's own number
//! and date forms ("99,95 %", "18.10.2024, 10:14 Uhr" / "99.95 %", "18 Oct 2024, 10:14").
//! The Markdown, CSV and PDF renderings all take their texts from here.

use chrono::{DateTime, FixedOffset, NaiveDate};

use super::{GapKind, Probed, Window};
use crate::model::{CheckKind, IncidentState, Reason};
use crate::text::Language;

/// A ratio as a percentage: two decimals, three when two would round a shortfall up to
/// 100 (a report never says "100,00 %" about time with downtime in it).
pub fn percent(ratio: f64, lang: Language) -> String {
    let p = ratio * 100.0;
    let text = if ratio >= 1.0 {
        "100".to_owned()
    } else if format!("{p:.2}") == "100.00" {
        format!("{:.3}", (p * 1000.0).floor() / 1000.0)
    } else {
        format!("{p:.2}")
    };
    format!("{} %", decimal(&text, lang))
}

/// A plain decimal number (for CSV cells): German takes a decimal comma.
pub fn number(value: f64, decimals: usize, lang: Language) -> String {
    decimal(&format!("{value:.decimals$}"), lang)
}

fn decimal(text: &str, lang: Language) -> String {
    match lang {
        Language::De => text.replace('.', ","),
        Language::En => text.to_owned(),
    }
}

/// A moment: "18.10.2024, 10:14 Uhr" / "18 Oct 2024, 10:14".
pub fn moment(t: DateTime<FixedOffset>, lang: Language) -> String {
    match lang {
        Language::De => t.format("%d.%m.%Y, %H:%M Uhr").to_string(),
        Language::En => t.format("%-d %b %Y, %H:%M").to_string(),
    }
}

/// A moment without the "Uhr", for tables and "seit …": "18.10.2024, 10:14".
pub fn moment_short(t: DateTime<FixedOffset>, lang: Language) -> String {
    match lang {
        Language::De => t.format("%d.%m.%Y, %H:%M").to_string(),
        Language::En => t.format("%-d %b %Y, %H:%M").to_string(),
    }
}

/// A moment for spreadsheets: what German or English Excel reads as a date and time.
pub fn moment_cell(t: DateTime<FixedOffset>, lang: Language) -> String {
    match lang {
        Language::De => t.format("%d.%m.%Y %H:%M").to_string(),
        Language::En => t.format("%Y-%m-%d %H:%M").to_string(),
    }
}

/// A day: "18.10.2024" / "18 Oct 2024".
pub fn date(d: NaiveDate, lang: Language) -> String {
    match lang {
        Language::De => d.format("%d.%m.%Y").to_string(),
        Language::En => d.format("%-d %b %Y").to_string(),
    }
}

/// A day for spreadsheets.
pub fn date_cell(d: NaiveDate, lang: Language) -> String {
    match lang {
        Language::De => d.format("%d.%m.%Y").to_string(),
        Language::En => d.format("%Y-%m-%d").to_string(),
    }
}

/// A length of time in days, hours and minutes: "1 Tag 14 Std. 5 Min." / "1 day 14 h 5 min".
pub fn duration_ms(ms: i64, lang: Language) -> String {
    let minutes = ms.max(0) / 60_000;
    let (d, h, m) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
    let mut parts = Vec::new();
    match (lang, d) {
        (_, 0) => {}
        (Language::De, 1) => parts.push("1 Tag".to_owned()),
        (Language::De, d) => parts.push(format!("{d} Tage")),
        (Language::En, 1) => parts.push("1 day".to_owned()),
        (Language::En, d) => parts.push(format!("{d} days")),
    }
    if h > 0 {
        parts.push(match lang {
            Language::De => format!("{h} Std."),
            Language::En => format!("{h} h"),
        });
    }
    if m > 0 || parts.is_empty() {
        parts.push(match lang {
            Language::De => format!("{m} Min."),
            Language::En => format!("{m} min"),
        });
    }
    parts.join(" ")
}

/// What a check probed, as a person names it: "IMAP-Server imap.example.de".
pub fn probed(p: &Probed, lang: Language) -> String {
    // The port a person would never mention (the protocol's usual one) is left out.
    let usual: &[&str] = match p.kind {
        CheckKind::Imap => &[":993", ":143"],
        CheckKind::Pop3 => &[":995", ":110"],
        CheckKind::Smtp => &[":465", ":587", ":25"],
        _ => &[],
    };
    let target = usual.iter().find_map(|port| p.target.strip_suffix(port)).unwrap_or(&p.target);
    match (p.kind, lang) {
        (CheckKind::Smtp, Language::De) => format!("SMTP-Server {target}"),
        (CheckKind::Smtp, Language::En) => format!("SMTP server {target}"),
        (CheckKind::Imap, Language::De) => format!("IMAP-Server {target}"),
        (CheckKind::Imap, Language::En) => format!("IMAP server {target}"),
        (CheckKind::Pop3, Language::De) => format!("POP3-Server {target}"),
        (CheckKind::Pop3, Language::En) => format!("POP3 server {target}"),
        (CheckKind::Http, Language::De) => format!("Website {target}"),
        (CheckKind::Http, Language::En) => format!("website {target}"),
        (CheckKind::Roundtrip, Language::De) => "Testmail an Ihr eigenes Postfach".to_owned(),
        (CheckKind::Roundtrip, Language::En) => "test mail to your own mailbox".to_owned(),
        (CheckKind::StatusPage, Language::De) => format!("Statusseite {target}"),
        (CheckKind::StatusPage, Language::En) => format!("status page {target}"),
    }
}

/// Why a check failed, in words: the verdicts' own phrase for the reason.
pub fn cause(reason: Option<Reason>, lang: Language) -> &'static str {
    match (reason, lang) {
        (Some(r), _) => crate::text::reason_words(r, lang),
        (None, Language::De) => "keine Antwort",
        (None, Language::En) => "no answer",
    }
}

/// How a server did badly while it still answered, in words.
pub fn pattern(kind: crate::check::PatternKind, lang: Language) -> &'static str {
    use crate::check::PatternKind;
    match (kind, lang) {
        (PatternKind::Intermittent, Language::De) => "zeitweise Fehler",
        (PatternKind::Intermittent, Language::En) => "failing now and then",
        (PatternKind::Slow, Language::De) => "deutlich langsamer als üblich",
        (PatternKind::Slow, Language::En) => "far slower than usual",
    }
}

/// What became of a test mail, in words.
pub fn fate(f: crate::roundtrip::Fate, lang: Language) -> &'static str {
    use crate::roundtrip::Fate;
    let (g, e) = match f {
        Fate::OnTime => ("rechtzeitig", "on time"),
        Fate::Late => ("verspätet", "late"),
        Fate::Junk => ("im Spam-Ordner", "in the spam folder"),
        Fate::Bounced => ("als unzustellbar zurückgekommen", "returned as undeliverable"),
        Fate::Rejected => ("vom Anbieter abgelehnt", "refused by the provider"),
        Fate::LoginRefused => ("Anmeldung zum Senden abgelehnt", "login for sending refused"),
        Fate::OnItsWay => ("unterwegs", "on its way"),
        Fate::Lost => ("verloren", "lost"),
    };
    if lang == Language::De { g } else { e }
}

/// When a test mail arrived, in the form `moment` gives, or "not arrived".
pub fn arrived(
    seen: Option<DateTime<FixedOffset>>,
    lang: Language,
    moment: fn(DateTime<FixedOffset>, Language) -> String,
) -> String {
    seen.map_or_else(|| phrase(Phrase::NotArrived, lang).to_owned(), |t| moment(t, lang))
}

/// The way a test mail took, "smtp.ionos.de → imap.ionos.de", and whether its round trip is
/// still checked.
pub fn route(mail: &super::LateMail, lang: Language) -> String {
    if mail.removed { format!("{} ({})", mail.route, phrase(Phrase::RouteRemoved, lang)) } else { mail.route.clone() }
}

/// A test mail's delivery time as people say it ("2 h 10 min"), or "—" when it did not arrive.
pub fn delivery_time(delay_ms: Option<u64>) -> String {
    delay_ms.map_or_else(|| "—".to_owned(), crate::roundtrip::span)
}

/// A provider's incident status in words.
pub fn status(s: IncidentState, lang: Language) -> &'static str {
    match (s, lang) {
        (IncidentState::Investigating, Language::De) => "wird untersucht",
        (IncidentState::Investigating, Language::En) => "investigating",
        (IncidentState::Identified, Language::De) => "Ursache gefunden",
        (IncidentState::Identified, Language::En) => "cause identified",
        (IncidentState::Monitoring, Language::De) => "wird beobachtet",
        (IncidentState::Monitoring, Language::En) => "monitoring",
        (IncidentState::Resolved, Language::De) => "behoben",
        (IncidentState::Resolved, Language::En) => "resolved",
        (IncidentState::Scheduled, Language::De) => "Wartung geplant",
        (IncidentState::Scheduled, Language::En) => "maintenance scheduled",
        (IncidentState::InProgress, Language::De) => "Wartung läuft",
        (IncidentState::InProgress, Language::En) => "maintenance in progress",
        (IncidentState::Completed, Language::De) => "Wartung abgeschlossen",
        (IncidentState::Completed, Language::En) => "maintenance completed",
    }
}

/// Why we could not measure, in words.
pub fn gap(kind: GapKind, lang: Language) -> &'static str {
    match (kind, lang) {
        (GapKind::Offline, Language::De) => "Internetverbindung dieses Rechners gestört — nicht gemessen",
        (GapKind::Offline, Language::En) => "this computer's internet connection was down — not measured",
        (GapKind::Dns, Language::De) => "DNS-Server dieses Rechners gestört — nicht gemessen",
        (GapKind::Dns, Language::En) => "this computer's DNS server was not answering — not measured",
        (GapKind::SignIn, Language::De) => "das Netz verlangte eine Anmeldung — nicht gemessen",
        (GapKind::SignIn, Language::En) => "the network wanted a sign-in — not measured",
        (GapKind::Asleep, Language::De) => "Rechner im Ruhezustand oder aus — nicht gemessen",
        (GapKind::Asleep, Language::En) => "computer asleep or off — not measured",
    }
}

/// The label of an availability window.
pub fn window(w: Window, lang: Language) -> &'static str {
    match (w, lang) {
        (Window::Day, Language::De) => "Letzte 24 Stunden",
        (Window::Day, Language::En) => "Last 24 hours",
        (Window::Week, Language::De) => "Letzte 7 Tage",
        (Window::Week, Language::En) => "Last 7 days",
        (Window::Month, Language::De) => "Letzte 30 Tage",
        (Window::Month, Language::En) => "Last 30 days",
        (Window::Quarter, Language::De) => "Letzte 90 Tage",
        (Window::Quarter, Language::En) => "Last 90 days",
        (Window::Period, Language::De) => "Gesamter Zeitraum",
        (Window::Period, Language::En) => "Whole period",
    }
}

/// The fixed texts of the report, by what they are for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phrase {
    Title,
    Period,
    Generated,
    OnComputer,
    HowTitle,
    Availability,
    MeasuredSince,
    MeasuredTime,
    Down,
    Value,
    NothingMeasured,
    Outages,
    NoOutages,
    Start,
    Confirmed,
    End,
    Duration,
    Affected,
    Cause,
    ProviderSaid,
    Ongoing,
    NotAcknowledged,
    ProviderFirst,
    UnmeasuredWithin,
    RefusedLogins,
    RefusedLoginsNote,
    Degraded,
    DegradedNote,
    LateMails,
    LateMailsNote,
    NoLateMails,
    Route,
    RouteRemoved,
    Mailbox,
    MailOutcome,
    Sent,
    Arrived,
    Delay,
    NotArrived,
    Announcements,
    NoAnnouncements,
    Timeline,
    Us,
    Provider,
    Gaps,
    NoGaps,
    Days,
    BarsLegend,
    Day,
    Sla,
    Promised,
    Measured,
    BeyondPromise,
    Kept,
    Page,
    Probed,
}

pub fn phrase(p: Phrase, lang: Language) -> &'static str {
    let de = lang == Language::De;
    let (g, e) = match p {
        Phrase::Title => ("Nachweis: Erreichbarkeit Ihrer Anbieter", "Evidence: availability of your providers"),
        Phrase::Period => ("Zeitraum", "Period"),
        Phrase::Generated => ("Erstellt", "Generated"),
        Phrase::OnComputer => ("auf dem Rechner", "on the computer"),
        Phrase::HowTitle => ("So wurde gemessen", "How we measured"),
        Phrase::Availability => ("Verfügbarkeit", "Availability"),
        Phrase::MeasuredSince => ("gemessen seit", "measured since"),
        Phrase::MeasuredTime => ("gemessene Zeit", "time measured"),
        Phrase::Down => ("Ausfallzeit", "downtime"),
        Phrase::Value => ("Verfügbarkeit", "availability"),
        Phrase::NothingMeasured => ("nichts gemessen", "nothing measured"),
        Phrase::Outages => ("Von uns festgestellte Ausfälle", "Outages we detected"),
        Phrase::NoOutages => ("Keine von uns festgestellten Ausfälle.", "No outages detected by us."),
        Phrase::Start => ("Beginn", "Start"),
        Phrase::Confirmed => ("bestätigt", "confirmed"),
        Phrase::End => ("Ende", "End"),
        Phrase::Duration => ("Dauer", "Duration"),
        Phrase::Affected => ("Betroffen", "Affected"),
        Phrase::Cause => ("Ursache", "Cause"),
        Phrase::ProviderSaid => ("Erste Meldung des Anbieters", "Provider's first word"),
        Phrase::Ongoing => ("dauert an", "ongoing"),
        Phrase::NotAcknowledged => ("keine Meldung des Anbieters", "no word from the provider"),
        Phrase::ProviderFirst => ("Anbieter meldete sich vor uns", "the provider spoke before we noticed"),
        Phrase::UnmeasuredWithin => ("davon nicht gemessen", "of which not measured"),
        Phrase::RefusedLogins => ("Abgelehnte Anmeldungen (Ihr Konto)", "Refused logins (your account)"),
        Phrase::RefusedLoginsNote => (
            "Der Server war erreichbar, hat aber die Anmeldung abgelehnt. Das betrifft das Konto oder \
             Passwort, keine Störung des Anbieters, und zählt nicht als Ausfallzeit.",
            "The server answered but refused the login. That concerns the account or password, not an \
             outage of the provider, and does not count as downtime.",
        ),
        Phrase::Degraded => {
            ("Eingeschränkte Erreichbarkeit (nicht als Ausfall gezählt)", "Degraded periods (not counted as downtime)")
        }
        Phrase::DegradedNote => (
            "Der Server antwortete, aber zeitweise mit Fehlern oder deutlich langsamer als üblich. \
             Diese Zeiten sind keine Ausfallzeit und zählen nicht in die Verfügbarkeit.",
            "The server answered, but failed now and then or was far slower than usual. These times \
             are not downtime and do not count against the availability.",
        ),
        Phrase::LateMails => ("Testmails: verspätet oder nicht angekommen", "Test mails: late or not arrived"),
        Phrase::LateMailsNote => (
            "Outage Notifier schickt regelmäßig eine Testmail an Ihr eigenes Postfach und misst, wann sie \
             ankommt. Aufgeführt ist jede, die später als erlaubt, im Spam-Ordner oder gar nicht ankam.",
            "Outage Notifier regularly sends a test mail to your own mailbox and measures when it arrives. \
             Listed is every one that arrived later than allowed, in the spam folder, or not at all.",
        ),
        Phrase::NoLateMails => ("Alle Testmails kamen rechtzeitig an.", "Every test mail arrived in time."),
        Phrase::Route => ("Weg", "Route"),
        Phrase::RouteRemoved => ("nicht mehr geprüft", "no longer checked"),
        Phrase::Mailbox => ("Postfach", "Mailbox"),
        Phrase::MailOutcome => ("Ergebnis", "Outcome"),
        Phrase::Sent => ("Gesendet", "Sent"),
        Phrase::Arrived => ("Angekommen", "Arrived"),
        Phrase::Delay => ("Zustelldauer", "Delivery time"),
        Phrase::NotArrived => ("nicht angekommen", "not arrived"),
        Phrase::Announcements => ("Meldungen des Anbieters", "The provider's announcements"),
        Phrase::NoAnnouncements => {
            ("Keine Meldungen des Anbieters im Zeitraum.", "No announcements by the provider in the period.")
        }
        Phrase::Timeline => (
            "Zeitleiste (unsere Messungen und Meldungen des Anbieters)",
            "Timeline (our measurements and the provider's announcements)",
        ),
        Phrase::Us => ("Wir", "We"),
        Phrase::Provider => ("Anbieter", "Provider"),
        Phrase::Gaps => ("Zeiten ohne Messung", "Times not measured"),
        Phrase::NoGaps => {
            ("Keine — dieser Rechner hat durchgehend gemessen.", "None — this computer measured throughout.")
        }
        Phrase::Days => ("Verfügbarkeit pro Tag", "Availability per day"),
        Phrase::BarsLegend => (
            "Ein Balken je Tag: grün mindestens 99,9 %, gelb mindestens 95 %, rot darunter, grau nicht gemessen.",
            "One bar a day: green at least 99.9 %, yellow at least 95 %, red below, grey not measured.",
        ),
        Phrase::Day => ("Tag", "Day"),
        Phrase::Sla => ("Zusage des Anbieters", "The provider's promise"),
        Phrase::Promised => ("zugesagt", "promised"),
        Phrase::Measured => ("gemessen", "measured"),
        Phrase::BeyondPromise => ("Ausfallzeit über der Zusage", "downtime beyond the promise"),
        Phrase::Kept => ("Zusage eingehalten", "promise kept"),
        Phrase::Page => ("Seite", "Page"),
        Phrase::Probed => ("Geprüft", "Checked"),
    };
    if de { g } else { e }
}

/// "Erstellt am 05.12.2026, 10:40 Uhr auf dem Rechner „büro-pc“".
pub fn generated(at: DateTime<FixedOffset>, computer: &str, lang: Language) -> String {
    match lang {
        Language::De => format!("Erstellt am {} auf dem Rechner „{computer}“.", moment(at, lang)),
        Language::En => format!("Generated on {} on the computer “{computer}”.", moment(at, lang)),
    }
}

/// "Zeitraum: 01.10.2024, 00:00 bis 31.10.2024, 00:00".
pub fn period(from: DateTime<FixedOffset>, to: DateTime<FixedOffset>, lang: Language) -> String {
    match lang {
        Language::De => format!("Zeitraum: {} bis {}", moment(from, lang), moment(to, lang)),
        Language::En => format!("Period: {} to {}", moment(from, lang), moment(to, lang)),
    }
}

/// How we measured, in plain words, one paragraph per point.
pub fn method(m: &super::Method, lang: Language) -> Vec<String> {
    let every = |s: u64| match (lang, s) {
        (Language::De, s) if s % 60 == 0 && s >= 120 => format!("alle {} Minuten", s / 60),
        (Language::De, 60) => "jede Minute".to_owned(),
        (Language::De, s) => format!("alle {s} Sekunden"),
        (Language::En, s) if s % 60 == 0 && s >= 120 => format!("every {} minutes", s / 60),
        (Language::En, 60) => "every minute".to_owned(),
        (Language::En, s) => format!("every {s} seconds"),
    };
    let intervals = if m.intervals_s.is_empty() {
        every(60)
    } else {
        m.intervals_s.iter().map(|s| every(*s)).collect::<Vec<_>>().join(match lang {
            Language::De => " bzw. ",
            Language::En => " or ",
        })
    };
    let n = m.failures_to_confirm;
    let mut out = Vec::new();
    match lang {
        Language::De => {
            out.push("Outage Notifier hat von diesem Rechner aus selbst gemessen, so wie Sie und Ihre Mitarbeiter die Dienste nutzen.".to_owned());
            if m.status_pages {
                out.push(format!("Die Statusseiten der Anbieter wurden {intervals} abgefragt; jede Meldung wurde mit dem Zeitpunkt gespeichert, zu dem wir sie zuerst gesehen haben, und wird hier wörtlich wiedergegeben."));
            }
            if m.mail_servers {
                out.push(format!("Die Mailserver wurden {intervals} angefragt: Verbindung aufbauen, Verschlüsselung und Zertifikat prüfen, Begrüßung des Servers abwarten und, wo ein Konto hinterlegt ist, anmelden."));
            }
            if m.websites {
                out.push(format!("Die Websites wurden {intervals} abgerufen; gezählt hat eine vollständige Antwort mit dem erwarteten Inhalt."));
            }
            out.push(format!("Ein Fehlschlag zählt erst als Ausfall, wenn er sich bei {n} Versuchen in Folge (mit schnellen Wiederholungen nach Sekunden) bestätigt hat. Ein Ausfall beginnt mit dem ersten gescheiterten Versuch und endet mit der ersten erfolgreichen Antwort, die sich anschließend bestätigt hat."));
            out.push("Die Verfügbarkeit zählt nur die Zeit, in der wir gemessen haben. Zeiten, in denen dieser Rechner offline war, schlief oder sein Netz gestört war, zählen weder als verfügbar noch als Ausfall; sie sind unten einzeln aufgeführt. Jede Zahl nennt, seit wann gemessen wurde.".to_owned());
            out.push("Eine abgelehnte Anmeldung betrifft das Konto, nicht den Anbieter: Sie wird gesondert aufgeführt und zählt nicht als Ausfall.".to_owned());
        }
        Language::En => {
            out.push(
                "Outage Notifier measured itself, from this computer, the way you and your staff use these services."
                    .to_owned(),
            );
            if m.status_pages {
                out.push(format!("The providers' status pages were read {intervals}; every announcement was stored with the time we first saw it and is quoted here verbatim."));
            }
            if m.mail_servers {
                out.push(format!("The mail servers were probed {intervals}: connect, check encryption and certificate, wait for the server's greeting and, where an account is set up, log in."));
            }
            if m.websites {
                out.push(format!("The websites were fetched {intervals}; what counted was a complete answer with the expected content."));
            }
            out.push(format!("A failure counts as an outage only once {n} attempts in a row failed (with quick re-checks seconds apart). An outage starts at the first failed attempt and ends at the first successful answer that was then confirmed."));
            out.push("Availability counts only the time we measured. Times when this computer was offline, asleep or its network was disturbed count neither as available nor as downtime; they are listed below. Every figure says since when it was measured.".to_owned());
            out.push("A refused login concerns the account, not the provider: it is listed separately and does not count as downtime.".to_owned());
        }
    }
    out
}

/// "18.10.2024, 10:14 Uhr — 1 Std. 44 Min. nach unserem ersten Fehlschlag".
pub fn acknowledged(said: DateTime<FixedOffset>, delay_ms: i64, lang: Language) -> String {
    if delay_ms <= 0 {
        return format!("{} — {}", moment(said, lang), phrase(Phrase::ProviderFirst, lang));
    }
    match lang {
        Language::De => {
            format!("{} — {} nach unserem ersten Fehlschlag", moment(said, lang), duration_ms(delay_ms, lang))
        }
        Language::En => {
            format!("{} — {} after our first failed probe", moment(said, lang), duration_ms(delay_ms, lang))
        }
    }
}

/// A line of the merged timeline, without its time.
pub fn event(e: &super::EventKind, lang: Language) -> String {
    use super::EventKind as E;
    let de = lang == Language::De;
    match e {
        E::Failed { probed: p, reason } => {
            if de {
                format!("Erster Fehlschlag: {} — {}", probed(p, lang), cause(*reason, lang))
            } else {
                format!("First failure: {} — {}", probed(p, lang), cause(*reason, lang))
            }
        }
        E::Confirmed { probed: p } => {
            if de {
                format!("Ausfall bestätigt: {}", probed(p, lang))
            } else {
                format!("Outage confirmed: {}", probed(p, lang))
            }
        }
        E::Recovered { probed: p } => {
            if de {
                format!("Wieder erreichbar: {}", probed(p, lang))
            } else {
                format!("Reachable again: {}", probed(p, lang))
            }
        }
        E::ProviderSaid { status: s, title, text } => {
            let body = match (text.trim(), de) {
                ("", _) => String::new(),
                (t, true) => format!(": „{t}“"),
                (t, false) => format!(": “{t}”"),
            };
            format!("{} ({}) — {title}{body}", phrase(Phrase::Provider, lang), status(*s, lang))
        }
        E::GapStarted { gap: g } => {
            if de {
                format!("Ab hier nicht gemessen: {}", gap(*g, lang))
            } else {
                format!("Not measured from here: {}", gap(*g, lang))
            }
        }
        E::GapEnded { .. } => {
            if de {
                "Messung läuft wieder".to_owned()
            } else {
                "Measuring again".to_owned()
            }
        }
    }
}

/// "seit 05.12.2026, 06:34 gemessen: 11 Min." — the base every availability figure names.
pub fn base(since: DateTime<FixedOffset>, measured_ms: i64, lang: Language) -> String {
    match lang {
        Language::De => format!("seit {} · {} gemessen", moment_short(since, lang), duration_ms(measured_ms, lang)),
        Language::En => format!("since {} · {} measured", moment_short(since, lang), duration_ms(measured_ms, lang)),
    }
}

/// The SLA line: "zugesagt 99,9 %, gemessen 98,12 % — 1 Tag 2 Std. über der Zusage".
pub fn sla(s: &super::Sla, measured: Option<f64>, lang: Language) -> String {
    let promised = percent(s.promised, lang);
    let measured = measured.map_or_else(|| phrase(Phrase::NothingMeasured, lang).to_owned(), |r| percent(r, lang));
    let tail = if s.beyond_ms > 0 {
        format!(
            "{}: {} ({} {})",
            phrase(Phrase::BeyondPromise, lang),
            duration_ms(s.beyond_ms, lang),
            s.beyond_ms / 60_000,
            if lang == Language::De { "Minuten" } else { "minutes" }
        )
    } else {
        phrase(Phrase::Kept, lang).to_owned()
    };
    format!("{} {promised}, {} {measured} — {tail}", phrase(Phrase::Promised, lang), phrase(Phrase::Measured, lang))
}

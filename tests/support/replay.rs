//! Seeded histories for the evidence report: DomainFactory's mail outage of October 2024 as
//! our probes and its status page would have recorded it, driven through the engine's own
//! confirmation logic (`CheckState::observe`) and stored the way the runner stores it.
//!
//! The story (public posts of DomainFactory and its customers, local time +02:00): mail
//! unreachable from 18.10.2024 about 08:30; the provider's first word at 10:14; clusters
//! 3-4 and 3-7 still down at 22:53 on 19.10.; mail back the next morning (20.10. 07:40).
//! This computer was offline in the night 18./19.10. from 23:00 to 06:30. An older, resolved
//! web hosting incident (15.10.) must acknowledge nothing.

use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, FixedOffset, TimeDelta};
use outage_core::check::{CheckState, OutageChange, PatternChange};
use outage_core::confirm::RecheckPolicy;
use outage_core::model::{
    CheckKind, Finding, Incident, IncidentState, IncidentUpdate, Observation, Outcome, Reason, State, StatusSnapshot,
};
use outage_engine::store::{GapKind, Store};

pub const CONFIG: &str = r#"[settings]
interval = "2m"
language = "de"

[[provider]]
id = "df"
name = "DomainFactory"
status_page = "https://status.df.test/"
status_format = "statuspage"
sla = "99.9%"

[[provider.mail]]
kind = "imap"
host = "sslin.df.eu"
port = 993

[[provider.mail]]
kind = "smtp"
host = "sslout.df.eu"
port = 465

[[provider]]
id = "gh"
name = "GitHub"
status_page = "https://www.githubstatus.test/"
status_format = "statuspage"
"#;

pub fn at(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).expect("a replay time")
}

/// The period the replay covers.
pub fn period() -> (DateTime<FixedOffset>, DateTime<FixedOffset>) {
    (at("2024-10-14T00:00:00+02:00"), at("2024-10-21T00:00:00+02:00"))
}

pub const OUTAGE_START: &str = "2024-10-18T08:30:00+02:00";
pub const OUTAGE_END: &str = "2024-10-20T07:40:00+02:00";
pub const OFFLINE: (&str, &str) = ("2024-10-18T23:00:00+02:00", "2024-10-19T06:30:00+02:00");
pub const FIRST_WORD: &str = "2024-10-18T10:14:00+02:00";
/// An earlier morning when the IMAP server answered, but in 1.5 s instead of 45 ms: degraded,
/// never downtime.
pub const SLOW: (&str, &str) = ("2024-10-16T09:00:00+02:00", "2024-10-16T09:40:00+02:00");

fn update(t: &str, status: IncidentState, body: &str) -> IncidentUpdate {
    IncidentUpdate { at: at(t), status, body: body.into() }
}

/// What DomainFactory's page showed at `t`.
fn df_page(t: DateTime<FixedOffset>) -> StatusSnapshot {
    let mut incidents = Vec::new();
    let web_open = t >= at("2024-10-15T09:00:00+02:00") && t < at("2024-10-15T11:00:00+02:00");
    if web_open {
        incidents.push(Incident {
            id: "web-1510".into(),
            title: "Webhosting: langsame Antwortzeiten".into(),
            state: IncidentState::Investigating,
            impact: State::Degraded,
            started_at: Some(at("2024-10-15T09:00:00+02:00")),
            updated_at: None,
            url: None,
            updates: vec![update(
                "2024-10-15T09:00:00+02:00",
                IncidentState::Investigating,
                "Wir prüfen langsame Antwortzeiten im Webhosting.",
            )],
            components: vec!["Webhosting".into()],
        });
    }
    let mail_from = at(FIRST_WORD);
    let mail_gone = at("2024-10-20T08:30:00+02:00");
    if t >= mail_from && t < mail_gone {
        let mut updates = vec![update(
            FIRST_WORD,
            IncidentState::Investigating,
            "Derzeit kommt es zu Störungen bei E-Mail-Diensten. Wir arbeiten mit Hochdruck an der Behebung.",
        )];
        let mut state = IncidentState::Investigating;
        for (when, s, body) in [
            (
                "2024-10-18T15:02:00+02:00",
                IncidentState::Identified,
                "Ursache ist ein Fehler im Speichersystem der Mailcluster. Die Wiederherstellung läuft.",
            ),
            (
                "2024-10-19T22:53:00+02:00",
                IncidentState::Identified,
                "Cluster 3-4 und 3-7 sind weiterhin nicht erreichbar. Alle anderen Cluster laufen wieder.",
            ),
            (
                "2024-10-20T08:05:00+02:00",
                IncidentState::Resolved,
                "Alle Mailcluster sind wieder erreichbar. Wir bitten die Unannehmlichkeiten zu entschuldigen.",
            ),
        ] {
            if t >= at(when) {
                updates.insert(0, update(when, s, body));
                state = s;
            }
        }
        incidents.push(Incident {
            id: "mail-1810".into(),
            title: "Störung E-Mail (Mailcluster 3)".into(),
            state,
            impact: State::MajorOutage,
            started_at: Some(at("2024-10-18T08:30:00+02:00")),
            updated_at: None,
            url: Some("https://status.df.test/incidents/mail-1810".into()),
            updates,
            components: vec!["E-Mail".into()],
        });
    }
    let open = incidents.iter().any(|i| i.state.is_open());
    StatusSnapshot {
        indicator: Some(if open { State::MajorOutage } else { State::Operational }),
        components: vec![],
        incidents,
    }
}

fn quiet_page(_t: DateTime<FixedOffset>) -> StatusSnapshot {
    StatusSnapshot { indicator: Some(State::Operational), components: vec![], incidents: vec![] }
}

struct Probe {
    provider: &'static str,
    id: &'static str,
    kind: CheckKind,
    target: &'static str,
    state: CheckState,
    next: DateTime<FixedOffset>,
}

fn offline(t: DateTime<FixedOffset>) -> bool {
    t >= at(OFFLINE.0) && t < at(OFFLINE.1)
}

/// Whether DomainFactory's mail answers at `t` (SMTP comes back four minutes earlier).
fn mail_down(kind: CheckKind, t: DateTime<FixedOffset>) -> bool {
    let end = if kind == CheckKind::Smtp { at(OUTAGE_END) - TimeDelta::minutes(4) } else { at(OUTAGE_END) };
    t >= at(OUTAGE_START) && t < end
}

/// Writes the replay into the history database at `db`.
pub fn seed(db: &Path) {
    let store = Store::open(db).expect("open the history database");
    let policy = RecheckPolicy::default();
    let interval = TimeDelta::minutes(2);
    let (from, to) = period();
    let start = from + TimeDelta::hours(7);
    let mut probes: Vec<Probe> = [
        ("df", "df/status_page", CheckKind::StatusPage, "https://status.df.test/"),
        ("df", "df/imap/sslin.df.eu:993", CheckKind::Imap, "sslin.df.eu:993"),
        ("df", "df/smtp/sslout.df.eu:465", CheckKind::Smtp, "sslout.df.eu:465"),
        ("gh", "gh/status_page", CheckKind::StatusPage, "https://www.githubstatus.test/"),
    ]
    .into_iter()
    .map(|(provider, id, kind, target)| Probe { provider, id, kind, target, state: CheckState::default(), next: start })
    .collect();
    let mut rows: Vec<(&'static str, Observation)> = Vec::new();
    let mut last_page: Vec<Option<StatusSnapshot>> = vec![None; probes.len()];
    let mut was_offline = false;
    let mut t = start;
    while t < to {
        let now_offline = offline(t);
        if now_offline != was_offline {
            if now_offline {
                store.gap_started(GapKind::Offline, t.timestamp_millis()).expect("gap");
            } else {
                store.gap_ended(GapKind::Offline, t.timestamp_millis()).expect("gap");
            }
            was_offline = now_offline;
        }
        for (i, p) in probes.iter_mut().enumerate() {
            if p.next > t {
                continue;
            }
            let observation = if now_offline {
                Observation::failed(p.id, p.kind, p.target, t, Outcome::Unknown, Reason::Offline, "network offline")
            } else if p.kind == CheckKind::StatusPage {
                let page = if p.provider == "df" { df_page(t) } else { quiet_page(t) };
                if last_page[i].as_ref() != Some(&page) {
                    store.record_snapshot(p.provider, &page, t.timestamp_millis()).expect("snapshot");
                    last_page[i] = Some(page.clone());
                }
                Observation {
                    check_id: p.id.into(),
                    kind: p.kind,
                    target: p.target.into(),
                    at: t,
                    outcome: Outcome::Up,
                    reason: None,
                    message: String::new(),
                    latency_ms: Some(120),
                    cert_days_left: None,
                    finding: Finding::StatusPage(page),
                }
            } else if mail_down(p.kind, t) {
                Observation::failed(p.id, p.kind, p.target, t, Outcome::Down, Reason::Timeout, "no answer within 15 s")
            } else {
                let mut o = Observation::failed(p.id, p.kind, p.target, t, Outcome::Up, Reason::Timeout, "");
                o.reason = None;
                let slow = p.kind == CheckKind::Imap && t >= at(SLOW.0) && t < at(SLOW.1);
                o.latency_ms = Some(if slow { 1_500 } else { 45 });
                o
            };
            let observed = p.state.observe(&observation, &policy);
            match observed.outage {
                Some(OutageChange::Started { since, confirmed_at, reason }) => {
                    store
                        .outage_started(
                            p.id,
                            p.provider,
                            since.timestamp_millis(),
                            confirmed_at.timestamp_millis(),
                            reason.map(Reason::as_str),
                        )
                        .expect("outage");
                }
                Some(OutageChange::Ended { at }) => store.outage_ended(p.id, at.timestamp_millis()).expect("outage"),
                None => {}
            }
            match observed.pattern {
                Some(PatternChange::Started { since, kind, reason }) => store
                    .degraded_started(p.id, p.provider, kind, reason.map(Reason::as_str), since.timestamp_millis())
                    .expect("degraded"),
                Some(PatternChange::Ended { at }) => {
                    store.degraded_ended(p.id, at.timestamp_millis()).expect("degraded");
                }
                None => {}
            }
            let wait = observed.recheck_in.map_or(interval, |d| TimeDelta::from_std(d).unwrap_or(interval));
            p.next = t + wait.min(interval);
            rows.push((p.provider, observation));
        }
        t += TimeDelta::seconds(10);
    }
    let max_span = Duration::from_mins(6);
    store.insert_batch(rows.iter().map(|(p, o)| (*p, o)), max_span).expect("observations");
}

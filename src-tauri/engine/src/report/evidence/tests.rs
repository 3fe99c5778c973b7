use std::time::Duration;

use chrono::{DateTime, FixedOffset, TimeDelta};
use outage_core::config::{Config, parse};
use outage_core::model::{
    CheckKind, Finding, Incident, IncidentState, IncidentUpdate, Observation, Outcome, Reason, State, StatusSnapshot,
};
use outage_core::report::{Window, markdown};
use outage_core::text::Language;

use super::{ReportError, Request, build_in};
use crate::store::{GapKind, Store};

const IMAP: &str = "df/imap/imap.df.test:993";
const PAGE: &str = "df/status_page";

fn at(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).unwrap()
}

fn config() -> Config {
    parse(
        "[[provider]]\nid = \"df\"\nname = \"DomainFactory\"\nstatus_page = \"https://status.df.test/\"\n\
         sla = \"99.9%\"\n\
         [[provider.mail]]\nkind = \"imap\"\nhost = \"imap.df.test\"\nport = 993\nusername = \"u@df.test\"\n",
        "c.toml",
    )
    .unwrap()
}

fn open() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("h.sqlite3")).unwrap();
    (dir, store)
}

fn probe(t: DateTime<FixedOffset>, outcome: Outcome, reason: Option<Reason>) -> Observation {
    let mut o = Observation::failed(IMAP, CheckKind::Imap, "imap.df.test:993", t, outcome, Reason::Timeout, "x");
    o.reason = reason;
    if outcome == Outcome::Up {
        o.latency_ms = Some(40);
    }
    o
}

/// One IMAP probe a minute over `[from, to)`, failing (with `reason`) inside `down`.
fn probes(store: &Store, from: DateTime<FixedOffset>, to: DateTime<FixedOffset>, down: &[(i64, i64, Reason)]) {
    let mut t = from;
    let mut rows = Vec::new();
    while t < to {
        let minute = (t - from).num_minutes();
        let failing = down.iter().find(|(a, b, _)| minute >= *a && minute < *b);
        rows.push(match failing {
            Some((_, _, reason)) => probe(t, Outcome::Down, Some(*reason)),
            None => probe(t, Outcome::Up, None),
        });
        t += TimeDelta::minutes(1);
    }
    store.insert_batch(rows.iter().map(|o| ("df", o)), Duration::from_mins(3)).unwrap();
}

fn page(incidents: Vec<Incident>) -> StatusSnapshot {
    StatusSnapshot { indicator: Some(State::Operational), components: vec![], incidents }
}

fn incident(id: &str, state: IncidentState, said: &str, components: &[&str]) -> Incident {
    Incident {
        id: id.into(),
        title: format!("Störung {id}"),
        state,
        impact: State::MajorOutage,
        started_at: Some(at(said)),
        updated_at: None,
        url: None,
        updates: vec![IncidentUpdate { at: at(said), status: state, body: "Wir prüfen".into() }],
        components: components.iter().map(|c| (*c).to_owned()).collect(),
    }
}

fn request(from: &str, to: &str, lang: Language) -> Request {
    Request { from: at(from), to: at(to), providers: vec![], language: lang }
}

/// The report as the CLI makes it for a user in Germany.
fn build(
    store: &Store,
    config: &Config,
    request: &Request,
    now: DateTime<FixedOffset>,
    computer: &str,
) -> Result<outage_core::report::Report, ReportError> {
    build_in(store, config, request, now, computer, &chrono_tz::Europe::Berlin)
}

fn ms(s: &str) -> i64 {
    at(s).timestamp_millis()
}

#[test]
fn a_resolved_incident_does_not_acknowledge_a_later_outage() {
    let (_d, store) = open();
    probes(&store, at("2026-12-05T06:00:00+01:00"), at("2026-12-05T07:30:00+01:00"), &[(50, 53, Reason::Timeout)]);
    // The provider announced something at 06:05 and resolved it at 06:30; our outage is 06:50.
    let old = incident("old", IncidentState::Investigating, "2026-12-05T06:05:00+01:00", &[]);
    store.record_snapshot("df", &page(vec![old]), ms("2026-12-05T06:06:00+01:00")).unwrap();
    store.record_snapshot("df", &page(vec![]), ms("2026-12-05T06:30:00+01:00")).unwrap();
    let id = store
        .outage_started(IMAP, "df", ms("2026-12-05T06:50:00+01:00"), ms("2026-12-05T06:51:00+01:00"), Some("timeout"))
        .unwrap();
    store.outage_ended(IMAP, ms("2026-12-05T06:53:00+01:00")).unwrap();
    assert_eq!(store.ack_delay(id, |_| true).unwrap(), None);

    let report = build(
        &store,
        &config(),
        &request("2026-12-05T06:00:00+01:00", "2026-12-05T07:30:00+01:00", Language::De),
        at("2026-12-05T07:30:00+01:00"),
        "pc",
    )
    .unwrap();
    let outage = &report.providers[0].outages[0];
    assert_eq!(outage.acknowledged, None);
    let md = markdown(&report);
    assert!(md.contains("keine Meldung des Anbieters"), "{md}");
    assert!(!md.contains("0 Min. nach unserem ersten Fehlschlag"), "{md}");
}

#[test]
fn an_announcement_open_during_the_outage_acknowledges_it_only_when_it_concerns_what_failed() {
    let (_d, store) = open();
    probes(&store, at("2026-12-05T06:00:00+01:00"), at("2026-12-05T08:00:00+01:00"), &[(30, 90, Reason::Timeout)]);
    let web = incident("web", IncidentState::Investigating, "2026-12-05T06:40:00+01:00", &["Webhosting"]);
    let mail = incident("mail", IncidentState::Identified, "2026-12-05T06:52:00+01:00", &["Mailcluster 3-4"]);
    store.record_snapshot("df", &page(vec![web.clone()]), ms("2026-12-05T06:41:00+01:00")).unwrap();
    store.record_snapshot("df", &page(vec![web, mail]), ms("2026-12-05T06:53:00+01:00")).unwrap();
    store
        .outage_started(IMAP, "df", ms("2026-12-05T06:30:00+01:00"), ms("2026-12-05T06:31:00+01:00"), Some("timeout"))
        .unwrap();
    store.outage_ended(IMAP, ms("2026-12-05T07:30:00+01:00")).unwrap();
    let report = build(
        &store,
        &config(),
        &request("2026-12-05T06:00:00+01:00", "2026-12-05T08:00:00+01:00", Language::En),
        at("2026-12-05T08:00:00+01:00"),
        "pc",
    )
    .unwrap();
    let ack = report.providers[0].outages[0].acknowledged.as_ref().expect("the mail incident acknowledges it");
    assert_eq!(ack.title, "Störung mail");
    assert_eq!(ack.delay_ms, 22 * 60_000);
}

#[test]
fn a_refused_login_is_the_accounts_never_a_provider_outage() {
    let (_d, store) = open();
    probes(&store, at("2026-12-05T06:00:00+01:00"), at("2026-12-05T07:00:00+01:00"), &[(10, 20, Reason::Auth)]);
    let open_incident = incident("i", IncidentState::Investigating, "2026-12-05T06:05:00+01:00", &[]);
    store.record_snapshot("df", &page(vec![open_incident]), ms("2026-12-05T06:06:00+01:00")).unwrap();
    let id = store
        .outage_started(IMAP, "df", ms("2026-12-05T06:10:00+01:00"), ms("2026-12-05T06:10:00+01:00"), Some("auth"))
        .unwrap();
    store.outage_ended(IMAP, ms("2026-12-05T06:20:00+01:00")).unwrap();
    assert_eq!(store.ack_delay(id, |_| true).unwrap(), None, "no provider acknowledges a wrong password");
    let report = build(
        &store,
        &config(),
        &request("2026-12-05T06:00:00+01:00", "2026-12-05T07:00:00+01:00", Language::De),
        at("2026-12-05T07:00:00+01:00"),
        "pc",
    )
    .unwrap();
    let p = &report.providers[0];
    assert!(p.outages.is_empty(), "{:?}", p.outages);
    assert_eq!(p.refused_logins.len(), 1);
    let period = p.availability.last().unwrap();
    assert_eq!(period.down_ms, 0, "a refused login is not downtime");
    assert_eq!(period.ratio(), Some(1.0));
    let md = markdown(&report);
    assert!(md.contains("Abgelehnte Anmeldungen (Ihr Konto)"), "{md}");
    assert!(!md.contains("Von uns festgestellte Ausfälle"), "{md}");
    // The window's view of the same history agrees.
    let history = crate::report::provider(
        &store,
        "df",
        "DomainFactory",
        &[],
        at("2026-12-05T06:00:00+01:00"),
        at("2026-12-05T07:00:00+01:00"),
    )
    .unwrap();
    assert!(history.outages.is_empty());
}

#[test]
fn degraded_stretches_are_listed_apart_and_not_counted_as_downtime() {
    use outage_core::check::PatternKind;
    let (_d, store) = open();
    probes(&store, at("2026-12-05T06:00:00+01:00"), at("2026-12-05T08:00:00+01:00"), &[(50, 53, Reason::Timeout)]);
    store.degraded_started(IMAP, "df", PatternKind::Slow, Some("slow"), ms("2026-12-05T06:10:00+01:00")).unwrap();
    store.degraded_ended(IMAP, ms("2026-12-05T06:40:00+01:00")).unwrap();
    store
        .degraded_started(IMAP, "df", PatternKind::Intermittent, Some("timeout"), ms("2026-12-05T07:20:00+01:00"))
        .unwrap();
    store
        .outage_started(IMAP, "df", ms("2026-12-05T06:50:00+01:00"), ms("2026-12-05T06:51:00+01:00"), Some("timeout"))
        .unwrap();
    store.outage_ended(IMAP, ms("2026-12-05T06:53:00+01:00")).unwrap();
    let report = build(
        &store,
        &config(),
        &request("2026-12-05T06:00:00+01:00", "2026-12-05T08:00:00+01:00", Language::De),
        at("2026-12-05T08:00:00+01:00"),
        "pc",
    )
    .unwrap();
    let p = &report.providers[0];
    let listed: Vec<(PatternKind, String, Option<String>)> =
        p.degraded.iter().map(|d| (d.kind, d.started.to_rfc3339(), d.ended.map(|e| e.to_rfc3339()))).collect();
    assert_eq!(
        listed,
        [
            (PatternKind::Slow, "2026-12-05T06:10:00+01:00".into(), Some("2026-12-05T06:40:00+01:00".into())),
            (PatternKind::Intermittent, "2026-12-05T07:20:00+01:00".into(), None),
        ]
    );
    assert_eq!(p.degraded[0].probed.kind, CheckKind::Imap);
    assert_eq!(p.outages.len(), 1);
    let period = p.availability.last().unwrap();
    assert_eq!(period.down_ms, 3 * 60_000, "only the outage is downtime, not the degraded hour");
    let md = markdown(&report);
    assert!(md.contains("IMAP-Server imap.df.test — deutlich langsamer als üblich: 05.12.2026, 06:10 Uhr – 05.12.2026, 06:40 Uhr (30 Min.)"), "{md}");
    assert!(
        md.contains("IMAP-Server imap.df.test — zeitweise Fehler: 05.12.2026, 07:20 Uhr – dauert an (40 Min.)"),
        "{md}"
    );
    // Every rendering lists them: the CSV in a file of its own, the PDF in its text.
    let csv = String::from_utf8(crate::report::csv::degraded(&report).unwrap()).unwrap();
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("\u{feff}Anbieter;Betroffen;Art;Beginn;Ende;Dauer (Minuten)"));
    assert_eq!(
        lines.next(),
        Some(
            "DomainFactory;IMAP-Server imap.df.test;deutlich langsamer als üblich;05.12.2026 06:10;05.12.2026 06:40;30"
        )
    );
    assert_eq!(lines.next(), Some("DomainFactory;IMAP-Server imap.df.test;zeitweise Fehler;05.12.2026 07:20;;40"));
    let json = crate::report::json(&report).unwrap();
    assert!(json.contains("\"degraded\""), "{json}");
}

#[test]
fn eleven_minutes_of_history_say_so_instead_of_claiming_ninety_days() {
    let (_d, store) = open();
    // 06:34 to 06:45, with an outage of about five minutes in it.
    probes(&store, at("2026-12-05T06:34:00+01:00"), at("2026-12-05T06:45:00+01:00"), &[(3, 8, Reason::Refused)]);
    store
        .outage_started(IMAP, "df", ms("2026-12-05T06:37:00+01:00"), ms("2026-12-05T06:37:20+01:00"), Some("refused"))
        .unwrap();
    store.outage_ended(IMAP, ms("2026-12-05T06:42:00+01:00")).unwrap();
    let now = at("2026-12-05T06:45:00+01:00");
    let report = build(
        &store,
        &config(),
        &Request { from: now - TimeDelta::days(90), to: now, providers: vec![], language: Language::De },
        now,
        "pc",
    )
    .unwrap();
    let p = &report.providers[0];
    assert_eq!(p.measured_since, Some(at("2026-12-05T06:34:00+01:00")));
    for a in &p.availability {
        assert_eq!(a.since, at("2026-12-05T06:34:00+01:00"), "{:?} must say since when it was measured", a.window);
        // The last probe at 06:44 holds until now at most: 10 minutes measured, 5 of them down.
        assert_eq!(a.measured_ms, 10 * 60_000, "{a:?}");
        assert_eq!(a.down_ms, 5 * 60_000, "{a:?}");
    }
    let md = markdown(&report);
    assert!(md.contains("| Letzte 90 Tage | seit 05.12.2026, 06:34 · 10 Min. gemessen | 5 Min. | 50,00 % |"), "{md}");
}

#[test]
fn availability_below_100_is_explained_by_the_outages_listed() {
    let (_d, store) = open();
    // Single failed probes every few minutes never confirm an outage: the report lists none,
    // so its availability must be 100 %, not the share of failed probes.
    let singles: Vec<(i64, i64, Reason)> = (0..20).map(|i| (i * 3, i * 3 + 1, Reason::Timeout)).collect();
    probes(&store, at("2026-12-05T06:00:00+01:00"), at("2026-12-05T07:00:00+01:00"), &singles);
    let now = at("2026-12-05T07:00:00+01:00");
    let req = request("2026-12-05T06:00:00+01:00", "2026-12-05T07:00:00+01:00", Language::En);
    let report = build(&store, &config(), &req, now, "pc").unwrap();
    let p = &report.providers[0];
    assert!(p.outages.is_empty());
    assert!(p.availability.iter().all(|a| a.ratio() == Some(1.0)), "{:?}", p.availability);
    assert!(p.days.iter().all(|d| d.ratio() == Some(1.0)), "{:?}", p.days);
    assert_eq!(p.sla.unwrap().beyond_ms, 0);
}

#[test]
fn time_not_measured_is_neither_up_nor_down_and_is_listed() {
    let (_d, store) = open();
    // Down from 06:30 to 09:00; this computer was offline from 07:00 to 08:00.
    probes(&store, at("2026-12-05T06:00:00+01:00"), at("2026-12-05T07:00:00+01:00"), &[(30, 60, Reason::Timeout)]);
    let offline: Vec<Observation> = (0..60)
        .map(|m| {
            let t = at("2026-12-05T07:00:00+01:00") + TimeDelta::minutes(m);
            probe(t, Outcome::Unknown, Some(Reason::Offline))
        })
        .collect();
    store.insert_batch(offline.iter().map(|o| ("df", o)), Duration::from_mins(3)).unwrap();
    probes(&store, at("2026-12-05T08:00:00+01:00"), at("2026-12-05T10:00:00+01:00"), &[(0, 60, Reason::Timeout)]);
    store.gap_started(GapKind::Offline, ms("2026-12-05T07:00:00+01:00")).unwrap();
    store.gap_ended(GapKind::Offline, ms("2026-12-05T08:00:00+01:00")).unwrap();
    store
        .outage_started(IMAP, "df", ms("2026-12-05T06:30:00+01:00"), ms("2026-12-05T06:31:00+01:00"), Some("timeout"))
        .unwrap();
    store.outage_ended(IMAP, ms("2026-12-05T09:00:00+01:00")).unwrap();
    let now = at("2026-12-05T10:00:00+01:00");
    let report = build(
        &store,
        &config(),
        &request("2026-12-05T06:00:00+01:00", "2026-12-05T10:00:00+01:00", Language::De),
        now,
        "pc",
    )
    .unwrap();
    let p = &report.providers[0];
    let period = p.availability.iter().find(|a| a.window == Window::Period).unwrap();
    // The last probe, at 09:59, has no successor to hold until.
    assert_eq!(period.measured_ms, 3 * 3_600_000 - 60_000);
    assert_eq!(period.down_ms, 90 * 60_000, "the hour offline is nobody's downtime");
    assert_eq!(p.outages[0].unmeasured_ms, 3_600_000);
    assert_eq!(report.gaps.len(), 1);
    let md = markdown(&report);
    assert!(md.contains("davon nicht gemessen: 1 Std."), "{md}");
    assert!(md.contains("Ab hier nicht gemessen: Internetverbindung"), "{md}");
}

#[test]
fn bad_requests_are_clear_errors() {
    let (_d, store) = open();
    let now = at("2026-12-05T10:00:00+01:00");
    let config = config();
    let empty = build(
        &store,
        &config,
        &request("2026-12-04T10:00:00+01:00", "2026-12-05T10:00:00+01:00", Language::En),
        now,
        "pc",
    );
    assert!(matches!(empty, Err(ReportError::NoHistory)), "{empty:?}");
    let future = build(
        &store,
        &config,
        &request("2026-12-06T10:00:00+01:00", "2026-12-07T10:00:00+01:00", Language::En),
        now,
        "pc",
    );
    assert!(matches!(future, Err(ReportError::Future(_))), "{future:?}");
    let mut unknown = request("2026-12-04T10:00:00+01:00", "2026-12-05T10:00:00+01:00", Language::En);
    unknown.providers = vec!["nope".into()];
    let err = build(&store, &config, &unknown, now, "pc").unwrap_err();
    assert!(err.to_string().contains("no provider `nope`") && err.to_string().contains("df"), "{err}");
    let backwards = build(
        &store,
        &config,
        &request("2026-12-05T09:00:00+01:00", "2026-12-04T10:00:00+01:00", Language::En),
        now,
        "pc",
    );
    assert!(matches!(backwards, Err(ReportError::EmptyPeriod { .. })), "{backwards:?}");
}

#[test]
fn status_page_probe_rows_do_not_count_as_downtime() {
    let (_d, store) = open();
    let t0 = at("2026-12-05T06:00:00+01:00");
    let snapshot = Observation {
        check_id: PAGE.into(),
        kind: CheckKind::StatusPage,
        target: "https://status.df.test/".into(),
        at: t0,
        outcome: Outcome::Up,
        reason: None,
        message: String::new(),
        latency_ms: None,
        cert_days_left: None,
        finding: Finding::StatusPage(StatusSnapshot {
            indicator: Some(State::MajorOutage),
            components: vec![],
            incidents: vec![],
        }),
    };
    store.insert("df", &snapshot, Duration::from_mins(10)).unwrap();
    probes(&store, t0, t0 + TimeDelta::hours(1), &[]);
    let report = build(
        &store,
        &config(),
        &request("2026-12-05T06:00:00+01:00", "2026-12-05T07:00:00+01:00", Language::En),
        t0 + TimeDelta::hours(1),
        "pc",
    )
    .unwrap();
    // What the page says is the provider's word, listed as such; our figure is what we measured.
    assert_eq!(report.providers[0].availability.last().unwrap().ratio(), Some(1.0));
}

/// A report over summer and winter in Europe/Berlin: an outage at 10:00 CEST and one at
/// 10:00 CET are both "10:00" in every form and language, and the day the clocks go back
/// has 25 hours.
#[test]
fn each_moment_is_shown_in_the_offset_the_zone_had_then() {
    let (_d, store) = open();
    let summer = at("2026-07-15T10:00:00+02:00");
    let winter = at("2026-12-01T10:00:00+01:00");
    for start in [summer, winter] {
        probes(&store, start - TimeDelta::hours(1), start + TimeDelta::hours(1), &[(60, 90, Reason::Timeout)]);
        let started = start.timestamp_millis();
        store.outage_started(IMAP, "df", started, started + 60_000, Some("timeout")).unwrap();
        store.outage_ended(IMAP, started + 30 * 60_000).unwrap();
    }
    // Around the night the clocks went back (25.10.2026, 03:00 CEST → 02:00 CET).
    probes(&store, at("2026-10-24T23:00:00+02:00"), at("2026-10-26T01:00:00+01:00"), &[]);
    let now = at("2026-12-05T10:00:00+01:00");
    for lang in [Language::De, Language::En] {
        let req = request("2026-07-01T00:00:00+02:00", "2026-12-03T00:00:00+01:00", lang);
        let report = build(&store, &config(), &req, now, "pc").unwrap();
        let p = &report.providers[0];
        let started: Vec<String> = p.outages.iter().map(|o| o.started.to_rfc3339()).collect();
        assert_eq!(started, ["2026-07-15T10:00:00+02:00", "2026-12-01T10:00:00+01:00"]);
        assert_eq!(report.from.to_rfc3339(), "2026-07-01T00:00:00+02:00");
        let day = |d: &str| p.days.iter().find(|x| x.date.to_string() == d).copied().unwrap();
        assert_eq!(day("2026-10-25").measured_ms, 25 * 3_600_000, "the day the clocks went back");
        assert_eq!(day("2026-07-15").down_ms, 30 * 60_000);
        assert_eq!(day("2026-12-01").down_ms, 30 * 60_000);
        let (shown, cells) = match lang {
            Language::De => (["15.07.2026, 10:00", "01.12.2026, 10:00"], ["15.07.2026 10:00", "01.12.2026 10:00"]),
            Language::En => (["15 Jul 2026, 10:00", "1 Dec 2026, 10:00"], ["2026-07-15 10:00", "2026-12-01 10:00"]),
        };
        let md = markdown(&report);
        let csv = String::from_utf8(crate::report::csv::outages(&report).unwrap()).unwrap();
        for (moment, cell) in shown.iter().zip(cells) {
            assert!(md.contains(moment), "{lang:?}: `{moment}` missing:\n{md}");
            assert!(csv.contains(cell), "{lang:?}: `{cell}` missing:\n{csv}");
        }
    }
}

/// The window's availability rows name their base where monitoring began inside the window,
/// and only there (measured before: "Last 90 days: 67.26 %" after half an hour of data).
#[test]
fn the_windows_uptime_rows_say_since_when_only_where_monitoring_began_inside_them() {
    let (_d, store) = open();
    let now = at("2026-12-05T06:45:00+01:00");
    let first = now - TimeDelta::days(3);
    probes(&store, first, first + TimeDelta::minutes(10), &[]);
    probes(&store, now - TimeDelta::minutes(10), now, &[]);
    let history = crate::report::history(&store, "df", "DomainFactory", &[], now).unwrap();
    let since: Vec<(&str, Option<DateTime<FixedOffset>>)> =
        history.report.uptime.iter().map(|(label, _, since)| (label.as_str(), *since)).collect();
    assert_eq!(since, [("24h", None), ("7d", Some(first)), ("30d", Some(first)), ("90d", Some(first))]);
}

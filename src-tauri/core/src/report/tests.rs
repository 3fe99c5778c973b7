use chrono::{DateTime, FixedOffset, NaiveDate};

use super::words::{self, Phrase};
use super::*;

fn at(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).unwrap()
}

fn imap() -> Probed {
    Probed { kind: CheckKind::Imap, target: "sslin.df.eu:993".into() }
}

fn report(lang: Language) -> Report {
    let from = at("2024-10-14T00:00:00+02:00");
    let to = at("2024-10-21T00:00:00+02:00");
    Report {
        language: lang,
        generated_at: to,
        computer: "büro-pc".into(),
        from,
        to,
        method: Method {
            intervals_s: vec![120],
            status_pages: true,
            mail_servers: true,
            websites: false,
            failures_to_confirm: 3,
        },
        providers: vec![ProviderEvidence {
            id: "df".into(),
            name: "DomainFactory".into(),
            probed: vec![imap()],
            measured_since: Some(from),
            availability: vec![
                Availability {
                    window: Window::Day,
                    since: at("2024-10-20T00:00:00+02:00"),
                    measured_ms: 86_400_000,
                    down_ms: 0,
                },
                Availability { window: Window::Period, since: from, measured_ms: 600_000_000, down_ms: 4_000_000 },
            ],
            sla: Some(Sla { promised: 0.999, allowed_down_ms: 600_000, beyond_ms: 3_400_000 }),
            days: vec![Day {
                date: NaiveDate::from_ymd_opt(2024, 10, 18).unwrap(),
                measured_ms: 86_400_000,
                down_ms: 0,
            }],
            outages: vec![Outage {
                probed: imap(),
                started: at("2024-10-18T08:30:00+02:00"),
                confirmed: at("2024-10-18T08:31:00+02:00"),
                ended: None,
                reason: Some(Reason::Timeout),
                acknowledged: Some(Acknowledgement {
                    said: at("2024-10-18T10:14:00+02:00"),
                    delay_ms: 104 * 60_000,
                    title: "Mailcluster [3]".into(),
                }),
                unmeasured_ms: 0,
            }],
            refused_logins: vec![],
            degraded: vec![Degraded {
                probed: imap(),
                kind: crate::check::PatternKind::Slow,
                started: at("2024-10-16T09:00:00+02:00"),
                ended: Some(at("2024-10-16T09:42:00+02:00")),
                reason: Some(Reason::Slow),
            }],
            announcements: vec![],
            timeline: vec![Event {
                at: at("2024-10-18T10:14:00+02:00"),
                what: EventKind::ProviderSaid {
                    status: IncidentState::Investigating,
                    title: "Mailcluster [3]".into(),
                    text: "# Not a heading\n<script>x</script>".into(),
                },
            }],
            late_mails: vec![],
        }],
        gaps: vec![Gap {
            kind: GapKind::Offline,
            from: at("2024-10-19T01:00:00+02:00"),
            to: Some(at("2024-10-19T07:00:00+02:00")),
        }],
    }
}

#[test]
fn numbers_and_dates_take_the_reports_language() {
    assert_eq!(words::percent(0.0, Language::De), "0,00 %");
    assert_eq!(words::percent(0.9995, Language::De), "99,95 %");
    assert_eq!(words::percent(0.9995, Language::En), "99.95 %");
    assert_eq!(words::percent(1.0, Language::De), "100 %");
    assert_eq!(words::percent(0.999_999, Language::De), "99,999 %", "never 100 with downtime in it");
    let t = at("2024-10-18T10:14:00+02:00");
    assert_eq!(words::moment(t, Language::De), "18.10.2024, 10:14 Uhr");
    assert_eq!(words::moment(t, Language::En), "18 Oct 2024, 10:14");
    assert_eq!(words::duration_ms(104 * 60_000, Language::De), "1 Std. 44 Min.");
    assert_eq!(words::duration_ms((24 * 60 + 61) * 60_000, Language::En), "1 day 1 h 1 min");
    assert_eq!(words::probed(&imap(), Language::De), "IMAP-Server sslin.df.eu");
    let odd = Probed { kind: CheckKind::Smtp, target: "mail.example.de:2525".into() };
    assert_eq!(words::probed(&odd, Language::En), "SMTP server mail.example.de:2525");
}

#[test]
fn german_report_reads_as_evidence_without_raw_ids() {
    let md = markdown(&report(Language::De));
    assert!(md.contains("## DomainFactory"), "{md}");
    assert!(md.contains("| Letzte 24 Stunden | seit 20.10.2024, 00:00 · 1 Tag gemessen | 0 Min. | 100 % |"), "{md}");
    assert!(md.contains("| Zeitraum | seit 14.10.2024, 00:00"), "{md}");
    assert!(md.contains("99,33 %"), "{md}");
    assert!(md.contains("**IMAP-Server sslin.df.eu** — keine Antwort in der vorgesehenen Zeit"), "{md}");
    assert!(md.contains("18.10.2024, 10:14 Uhr — 1 Std. 44 Min. nach unserem ersten Fehlschlag"), "{md}");
    assert!(md.contains("dauert an"));
    assert!(md.contains("Internetverbindung dieses Rechners gestört — nicht gemessen"));
    assert!(
        md.contains("zugesagt 99,90 %, gemessen 99,33 % — Ausfallzeit über der Zusage: 56 Min. (56 Minuten)"),
        "{md}"
    );
    assert!(md.contains("Anbieter (wird untersucht)"), "{md}");
    for raw in ["timeout", "investigating", "(offline)", ".33 %", ".90 %", "df/imap", "24h"] {
        assert!(!md.contains(raw), "raw `{raw}` in the German report:\n{md}");
    }
}

#[test]
fn english_report_uses_english_forms() {
    let md = markdown(&report(Language::En));
    assert!(md.contains("99.33 %"), "{md}");
    assert!(md.contains("18 Oct 2024, 10:14 — 1 h 44 min after our first failed probe"), "{md}");
    assert!(md.contains(words::phrase(Phrase::Gaps, Language::En)));
}

#[test]
fn provider_text_cannot_change_the_document() {
    let md = markdown(&report(Language::En));
    assert!(md.contains("\\# Not a heading"), "{md}");
    assert!(md.contains("\\<script\\>x\\</script\\>"), "{md}");
    assert!(md.contains("Mailcluster \\[3\\]"));
    assert!(!md.contains("\n# Not a heading"));
}

#[test]
fn an_announcement_naming_components_concerns_only_what_it_names() {
    let mail = vec!["Mailcluster 3-4".to_owned()];
    let web = vec!["Webhosting".to_owned()];
    assert!(concerns(CheckKind::Imap, &[], &[]), "names nothing: may concern anything");
    assert!(concerns(CheckKind::Imap, &mail, &[]));
    assert!(!concerns(CheckKind::Imap, &web, &[]), "a web hosting incident does not acknowledge a mail outage");
    assert!(concerns(CheckKind::Imap, &web, &["webhosting".to_owned()]), "the user follows it");
    assert!(!concerns(CheckKind::Imap, &mail, &["Webhosting".to_owned()]));
}

#[test]
fn availability_counts_only_measured_time() {
    let a = Availability {
        window: Window::Quarter,
        since: at("2026-12-05T06:34:00+01:00"),
        measured_ms: 11 * 60_000,
        down_ms: 0,
    };
    assert_eq!(a.ratio(), Some(1.0));
    let none = Availability { measured_ms: 0, ..a };
    assert_eq!(none.ratio(), None);
    let sla = Sla::of(0.999, &Availability { measured_ms: 1_000_000, down_ms: 3_000, ..a });
    assert_eq!((sla.allowed_down_ms, sla.beyond_ms), (1_000, 2_000));
}

#[test]
fn degraded_stretches_are_listed_apart_from_outages_in_both_languages() {
    let de = markdown(&report(Language::De));
    let outages = de.find("### Von uns festgestellte Ausfälle").unwrap();
    let degraded = de.find("### Eingeschränkte Erreichbarkeit (nicht als Ausfall gezählt)").expect(&de);
    assert!(degraded > outages, "{de}");
    assert!(
        de.contains("- IMAP-Server sslin.df.eu — deutlich langsamer als üblich: 16.10.2024, 09:00 Uhr – 16.10.2024, 09:42 Uhr (42 Min.)"),
        "{de}"
    );
    assert!(de.contains("zählen nicht in die Verfügbarkeit"), "{de}");
    let en = markdown(&report(Language::En));
    assert!(en.contains("### Degraded periods (not counted as downtime)"), "{en}");
    assert!(
        en.contains(
            "- IMAP server sslin.df.eu — far slower than usual: 16 Oct 2024, 09:00 – 16 Oct 2024, 09:42 (42 min)"
        ),
        "{en}"
    );
}

#[test]
fn late_and_lost_test_mails_are_listed_in_both_languages() {
    use crate::roundtrip::Fate;
    let mail = |sent: &str, seen: Option<&str>, delay_ms: Option<u64>, fate| LateMail {
        to: "info@df.test".into(),
        route: "sslout.df.eu → sslin.df.eu".into(),
        removed: false,
        sent: at(sent),
        seen: seen.map(at),
        delay_ms,
        fate,
    };
    let mut r = report(Language::De);
    r.providers[0]
        .probed
        .push(Probed { kind: CheckKind::Roundtrip, target: "sslout.df.eu:465 → info@df.test".into() });
    let md = markdown(&r);
    assert!(md.contains("### Testmails: verspätet oder nicht angekommen"), "{md}");
    assert!(md.contains("Alle Testmails kamen rechtzeitig an."), "{md}");
    r.providers[0].late_mails = vec![
        mail("2024-10-18T08:45:00+02:00", None, None, Fate::Lost),
        mail("2024-10-18T09:00:00+02:00", Some("2024-10-18T11:10:00+02:00"), Some(7_800_000), Fate::Late),
    ];
    let md = markdown(&r);
    assert!(
        md.contains(
            "| 18.10.2024, 08:45 Uhr | sslout.df.eu → sslin.df.eu | info@df.test | verloren | nicht angekommen | — |"
        ),
        "{md}"
    );
    assert!(
        md.contains("| 18.10.2024, 09:00 Uhr | sslout.df.eu → sslin.df.eu | info@df.test | verspätet | 18.10.2024, 11:10 Uhr | 2 h 10 min |"),
        "{md}"
    );
    assert!(!md.contains("rechtzeitig an"), "{md}");
    r.language = Language::En;
    let md = markdown(&r);
    assert!(md.contains("### Test mails: late or not arrived"), "{md}");
    assert!(
        md.contains("| 18 Oct 2024, 08:45 | sslout.df.eu → sslin.df.eu | info@df.test | lost | not arrived | — |"),
        "{md}"
    );
    assert!(md.contains("| 18 Oct 2024, 09:00 | sslout.df.eu → sslin.df.eu | info@df.test | late | 18 Oct 2024, 11:10 | 2 h 10 min |"), "{md}");
    // Without a round trip there is no such section.
    assert!(!markdown(&report(Language::En)).contains("Test mails"));

    // A round trip removed from the config: no check probes it any more, its mails are
    // still evidence, named by provider and route.
    let mut r = report(Language::De);
    r.providers[0].late_mails =
        vec![LateMail { removed: true, ..mail("2024-10-18T08:45:00+02:00", None, None, Fate::Lost) }];
    let md = markdown(&r);
    assert!(
        md.contains(
            "| 18.10.2024, 08:45 Uhr | sslout.df.eu → sslin.df.eu (nicht mehr geprüft) | info@df.test | verloren"
        ),
        "{md}"
    );
}

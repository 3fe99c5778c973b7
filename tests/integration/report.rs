//! `outage-notifier report` end to end on the DomainFactory replay (support/replay.rs): the
//! PDF's text in both languages (pdftotext), its pages rendered (pdftoppm, into
//! artifacts/report/ to look at), the CSV files parsed back to the same figures, and bad
//! input refused without a file half-written.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use outage_core::report::words;
use outage_core::text::Language;
use outage_tests::replay::{self, at};
use outage_tests::{bin, workspace};

struct Seeded {
    dir: tempfile::TempDir,
    config: PathBuf,
    data: PathBuf,
}

fn seeded() -> Seeded {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, replay::CONFIG).unwrap();
    let data = dir.path().join("data");
    replay::seed(&data.join("history.sqlite3"));
    Seeded { dir, config, data }
}

fn report(s: &Seeded, args: &[&str]) -> Output {
    Command::new(bin("outage-notifier"))
        // The replay happened in German summer time: the report shows local times.
        .env("TZ", "Europe/Berlin")
        .arg("--config")
        .arg(&s.config)
        .arg("--data-dir")
        .arg(&s.data)
        .arg("report")
        .args(["--from", "2024-10-14", "--to", "2024-10-20"])
        .args(args)
        .output()
        .expect("run outage-notifier report")
}

fn ok(out: &Output) -> String {
    assert!(out.status.success(), "{}\n{}", String::from_utf8_lossy(&out.stderr), String::from_utf8_lossy(&out.stdout));
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn json(s: &Seeded) -> serde_json::Value {
    serde_json::from_str(&ok(&report(s, &["--format", "json"]))).unwrap()
}

fn millis(v: &serde_json::Value) -> i64 {
    v.as_i64().unwrap()
}

fn time(v: &serde_json::Value) -> chrono::DateTime<chrono::FixedOffset> {
    chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap()).unwrap()
}

fn pdf_text(pdf: &Path) -> String {
    let out = Command::new("pdftotext")
        .arg("-layout")
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is needed: `cargo xtask setup` installs it");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // Layout mode may break a table cell over lines: compare with whitespace collapsed.
    String::from_utf8(out.stdout).unwrap().split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn the_domainfactory_replay_holds_up_as_evidence_in_both_languages() {
    let s = seeded();
    let v = json(&s);
    let df = &v["providers"][0];
    assert_eq!(df["name"], "DomainFactory");
    let outages = df["outages"].as_array().unwrap();
    assert_eq!(outages.len(), 2, "IMAP and SMTP: {outages:#?}");
    let imap = outages.iter().find(|o| o["probed"]["kind"] == "imap").unwrap();
    assert_eq!(time(&imap["started"]), at(replay::OUTAGE_START));
    let ended = time(&imap["ended"]);
    // The end is the first success the confirmation upheld: within one interval of the fix.
    assert!(
        ended >= at(replay::OUTAGE_END) && ended <= at(replay::OUTAGE_END) + chrono::TimeDelta::minutes(2),
        "{ended}"
    );
    let ack = &imap["acknowledged"];
    assert_eq!(time(&ack["said"]), at(replay::FIRST_WORD));
    assert_eq!(millis(&ack["delay_ms"]), 104 * 60_000, "08:30 to 10:14");
    assert_eq!(millis(&imap["unmeasured_ms"]), 7 * 3_600_000 + 30 * 60_000, "the night offline");
    // The old web hosting incident acknowledged nothing and is not the mail incident.
    assert_eq!(ack["title"], "Störung E-Mail (Mailcluster 3)");
    let period = df["availability"].as_array().unwrap().iter().find(|a| a["window"] == "period").unwrap();
    let (measured, down) = (millis(&period["measured_ms"]), millis(&period["down_ms"]));
    let outage_ms = (ended - at(replay::OUTAGE_START)).num_milliseconds();
    assert_eq!(down, outage_ms - millis(&imap["unmeasured_ms"]), "downtime is the listed outage less the gap");
    #[allow(clippy::cast_precision_loss)]
    let ratio = 1.0 - down as f64 / measured as f64;
    assert_eq!(time(&period["since"]), at("2024-10-14T07:00:00+02:00"), "measured since the first probe");
    assert_eq!(v["providers"][1]["outages"].as_array().unwrap().len(), 0, "GitHub was fine");
    // The slow morning is listed apart from the outages and is no part of the downtime above.
    let degraded = df["degraded"].as_array().unwrap();
    assert_eq!(degraded.len(), 1, "{degraded:#?}");
    assert_eq!((degraded[0]["kind"].as_str(), degraded[0]["probed"]["kind"].as_str()), (Some("slow"), Some("imap")));
    assert_eq!(time(&degraded[0]["started"]), at(replay::SLOW.0));
    assert_eq!(time(&degraded[0]["ended"]), at(replay::SLOW.1));

    let artifacts = workspace().join("artifacts").join("report");
    std::fs::create_dir_all(&artifacts).unwrap();
    for lang in [Language::De, Language::En] {
        let pdf = s.dir.path().join(format!("nachweis-{}.pdf", lang.as_str()));
        ok(&report(&s, &["--language", lang.as_str(), "--out", pdf.to_str().unwrap()]));
        let bytes = std::fs::read(&pdf).unwrap();
        assert!(bytes.starts_with(b"%PDF-"), "a PDF");
        let text = pdf_text(&pdf);
        let duration = words::duration_ms(outage_ms, lang);
        let expected = [
            "DomainFactory".to_owned(),
            "GitHub".to_owned(),
            words::moment_short(at(replay::OUTAGE_START), lang),
            words::moment_short(ended, lang),
            duration.clone(),
            words::acknowledged(at(replay::FIRST_WORD), 104 * 60_000, lang),
            words::percent(ratio, lang),
            words::percent(0.999, lang),
            words::gap(outage_core::report::GapKind::Offline, lang).to_owned(),
            words::duration_ms(7 * 3_600_000 + 30 * 60_000, lang),
            "Cluster 3-4 und 3-7 sind weiterhin nicht erreichbar".to_owned(),
            "IMAP".to_owned(),
            words::phrase(words::Phrase::Degraded, lang).to_owned(),
            words::pattern(outage_core::check::PatternKind::Slow, lang).to_owned(),
            words::moment_short(at(replay::SLOW.0), lang),
            words::duration_ms(40 * 60_000, lang),
        ];
        for e in &expected {
            assert!(text.contains(e.as_str()), "{lang:?}: `{e}` missing from the PDF's text:\n{text}");
        }
        match lang {
            Language::De => {
                for e in [
                    "1 Std. 44 Min. nach unserem ersten Fehlschlag",
                    "nicht gemessen",
                    "Ausfallzeit über der Zusage",
                    "Uhr",
                    "Rechner",
                ] {
                    assert!(text.contains(e), "`{e}` missing:\n{text}");
                }
                assert!(!text.contains("timeout") && !text.contains("df/imap"), "raw ids in the German PDF:\n{text}");
            }
            Language::En => {
                for e in ["1 h 44 min after our first failed probe", "not measured", "downtime beyond the promise"] {
                    assert!(text.contains(e), "`{e}` missing:\n{text}");
                }
            }
        }
        let prefix = artifacts.join(format!("replay-{}", lang.as_str()));
        let rendered = Command::new("pdftoppm").args(["-r", "70", "-png"]).arg(&pdf).arg(&prefix).status().unwrap();
        assert!(rendered.success());
    }

    // CSV: three files from one --out, parsed back to the JSON's figures.
    for (lang, delimiter) in [(Language::De, b';'), (Language::En, b',')] {
        let out = s.dir.path().join(format!("nachweis-{}.csv", lang.as_str()));
        let written = report(&s, &["--language", lang.as_str(), "--out", out.to_str().unwrap()]);
        ok(&written);
        let outages_csv = s.dir.path().join(format!("nachweis-{}-outages.csv", lang.as_str()));
        let days_csv = s.dir.path().join(format!("nachweis-{}-days.csv", lang.as_str()));
        let read = |p: &Path| {
            let bytes = std::fs::read(p).unwrap();
            let text = String::from_utf8(bytes).unwrap();
            let text = text.strip_prefix('\u{feff}').unwrap_or(&text).to_owned();
            let mut r = csv::ReaderBuilder::new().delimiter(delimiter).from_reader(text.as_bytes());
            let header: Vec<String> = r.headers().unwrap().iter().map(str::to_owned).collect();
            let rows: Vec<Vec<String>> = r.records().map(|r| r.unwrap().iter().map(str::to_owned).collect()).collect();
            (header, rows)
        };
        let (header, rows) = read(&outages_csv);
        assert_eq!(header.len(), 12);
        let imap_row = rows.iter().find(|r| r[1].contains("IMAP")).unwrap();
        assert_eq!(imap_row[6], (outage_ms / 60_000).to_string(), "duration in minutes");
        assert_eq!(imap_row[7], "450", "minutes not measured");
        assert_eq!(imap_row[9], "104", "the provider's delay");
        let degraded_csv = s.dir.path().join(format!("nachweis-{}-degraded.csv", lang.as_str()));
        let (header, slow) = read(&degraded_csv);
        assert_eq!(header.len(), 6);
        assert_eq!(slow.len(), 1, "{slow:?}");
        assert_eq!((slow[0][0].as_str(), slow[0][5].as_str()), ("DomainFactory", "40"));
        assert_eq!(slow[0][2], words::pattern(outage_core::check::PatternKind::Slow, lang));
        let (_, days) = read(&days_csv);
        let df_days: Vec<&Vec<String>> = days.iter().filter(|r| r[0] == "DomainFactory").collect();
        assert_eq!(df_days.len(), 8, "seven days and the period");
        let total = df_days.last().unwrap();
        assert_eq!(total[3], (down / 60_000).to_string());
        let percent = total[5].replace(',', ".").parse::<f64>().unwrap();
        assert!((percent - ratio * 100.0).abs() < 0.001, "{percent} vs {ratio}");
        assert_eq!(total[5].contains(','), lang == Language::De, "decimal comma only in German: {}", total[5]);
        let day_down: i64 = df_days[..7].iter().map(|r| r[3].parse::<i64>().unwrap()).sum();
        assert!((day_down - down / 60_000).abs() <= 7, "days add up to the period: {day_down}");
    }

    // Markdown to standard output, in English on request.
    let md = ok(&report(&s, &["--language", "en"]));
    assert!(md.contains("## DomainFactory") && md.contains("1 h 44 min after our first failed probe"), "{md}");
}

#[test]
fn bad_input_is_a_clear_error_and_writes_nothing() {
    let s = seeded();
    let run = |args: &[&str]| {
        let out = Command::new(bin("outage-notifier"))
            .arg("--config")
            .arg(&s.config)
            .arg("--data-dir")
            .arg(&s.data)
            .arg("report")
            .args(args)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{args:?} should fail");
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let out = s.dir.path().join("r.pdf");
    let o = out.to_str().unwrap();
    assert!(run(&["--format", "pdf"]).contains("--out"), "a PDF is not for the terminal");
    assert!(run(&["--format", "csv"]).contains("NAME-outages.csv"));
    assert!(run(&["--from", "2099-01-01", "--out", o]).contains("in the future"));
    let unknown = run(&["--from", "2024-10-14", "--to", "2024-10-20", "--provider", "nope", "--out", o]);
    assert!(unknown.contains("no provider `nope`") && unknown.contains("df, gh"), "{unknown}");
    assert!(run(&["--from", "2024-09-01", "--to", "2024-09-30", "--out", o]).contains("nothing has been measured"));
    assert!(run(&["--from", "14.10.2024"]).contains("is not a date"));
    let missing_dir = s.dir.path().join("no-such-dir").join("r.pdf");
    let unwritable = run(&["--from", "2024-10-14", "--to", "2024-10-20", "--out", missing_dir.to_str().unwrap()]);
    assert!(unwritable.contains("cannot write"), "{unwritable}");
    assert!(!out.exists());
    let leftovers: Vec<_> = std::fs::read_dir(s.dir.path())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".part"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // An empty history: a clear sentence, no file.
    let empty = tempfile::tempdir().unwrap();
    let out = Command::new(bin("outage-notifier"))
        .arg("--config")
        .arg(&s.config)
        .arg("--data-dir")
        .arg(empty.path())
        .args(["report", "--out"])
        .arg(empty.path().join("r.md"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing has been measured"));
    assert!(!empty.path().join("r.md").exists());
}

/// The DomainFactory round trip as the engine remembers it beside its mails.
fn route() -> outage_core::roundtrip::Route {
    use std::time::Duration;
    outage_core::roundtrip::Route {
        smtp: "sslout.df.eu".into(),
        imap: "sslin.df.eu".into(),
        to: "info@df.test".into(),
        interval: Duration::from_mins(15),
        warn_after: Duration::from_mins(5),
        fail_after: Duration::from_mins(30),
    }
}

/// The replay with a round trip at DomainFactory and its test mails in the history: one on
/// time, one lost, one two hours late, one in the spam folder. Every mail not in time is a
/// row in JSON, CSV (its own file) and the PDF, in both languages; the one on time is not.
#[test]
fn late_and_lost_test_mails_are_evidence_in_every_format() {
    use outage_core::roundtrip::{Arrival, Place};
    // Sent, and when it arrived, after how long and where.
    type TestMail<'a> = (&'a str, Option<(&'a str, u64, Place)>);
    let s = seeded();
    let config = replay::CONFIG
        .replace("port = 993\n", "port = 993\nusername = \"info@df.test\"\n")
        .replace(
            "port = 465\n",
            "port = 465\nusername = \"info@df.test\"\n\n[[provider.roundtrip]]\nsmtp = \"sslout.df.eu\"\nimap = \"sslin.df.eu\"\n",
        );
    std::fs::write(&s.config, config).unwrap();
    let check = "df/roundtrip/sslout.df.eu/info@df.test";
    let store = outage_engine::store::Store::open(&s.data.join("history.sqlite3")).unwrap();
    let mails: [TestMail; 4] = [
        ("2024-10-15T10:00:00+02:00", Some(("2024-10-15T10:00:30+02:00", 12_000, Place::Inbox))),
        ("2024-10-18T08:45:00+02:00", None),
        ("2024-10-18T09:00:00+02:00", Some(("2024-10-18T11:10:00+02:00", 7_800_000, Place::Inbox))),
        ("2024-10-19T12:00:00+02:00", Some(("2024-10-19T12:01:00+02:00", 30_000, Place::Junk))),
    ];
    for (i, (sent, arrival)) in mails.iter().enumerate() {
        let key = format!("k{i}");
        store.roundtrip_sent("df", check, &route(), &key, at(sent).timestamp_millis()).unwrap();
        if let Some((seen, delay_ms, place)) = arrival {
            store.roundtrip_ended(&key, &Arrival { seen: at(seen), delay_ms: *delay_ms, place: *place }).unwrap();
        }
    }
    drop(store);

    let v = json(&s);
    let late: Vec<(String, String, Option<i64>)> = v["providers"][0]["late_mails"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (m["sent"].as_str().unwrap().to_owned(), m["fate"].as_str().unwrap().to_owned(), m["delay_ms"].as_i64())
        })
        .collect();
    assert_eq!(
        late,
        [
            ("2024-10-18T08:45:00+02:00".to_owned(), "lost".to_owned(), None),
            ("2024-10-18T09:00:00+02:00".to_owned(), "late".to_owned(), Some(7_800_000)),
            ("2024-10-19T12:00:00+02:00".to_owned(), "junk".to_owned(), Some(30_000)),
        ]
    );
    assert_eq!(v["providers"][1]["late_mails"].as_array().map(Vec::len), Some(0), "GitHub has no round trip");

    for (lang, delimiter) in [(Language::De, b';'), (Language::En, b',')] {
        let out = s.dir.path().join(format!("mails-{}.csv", lang.as_str()));
        ok(&report(&s, &["--language", lang.as_str(), "--out", out.to_str().unwrap()]));
        let text = std::fs::read_to_string(s.dir.path().join(format!("mails-{}-mails.csv", lang.as_str()))).unwrap();
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text).to_owned();
        let mut r = csv::ReaderBuilder::new().delimiter(delimiter).from_reader(text.as_bytes());
        let rows: Vec<Vec<String>> = r.records().map(|r| r.unwrap().iter().map(str::to_owned).collect()).collect();
        assert_eq!(rows.len(), 3, "{rows:?}");
        let not_arrived = words::phrase(words::Phrase::NotArrived, lang);
        assert_eq!(
            rows[0][1..],
            [
                "sslout.df.eu → sslin.df.eu".to_owned(),
                "info@df.test".to_owned(),
                words::moment_cell(at("2024-10-18T08:45:00+02:00"), lang),
                words::fate(outage_core::roundtrip::Fate::Lost, lang).to_owned(),
                not_arrived.to_owned(),
                String::new()
            ]
        );
        assert_eq!(rows[1][5], words::moment_cell(at("2024-10-18T11:10:00+02:00"), lang));
        assert_eq!(rows[1][6], "7800", "seconds");
        assert_eq!(rows[2][4], words::fate(outage_core::roundtrip::Fate::Junk, lang));

        let pdf = s.dir.path().join(format!("mails-{}.pdf", lang.as_str()));
        ok(&report(&s, &["--language", lang.as_str(), "--out", pdf.to_str().unwrap()]));
        let text = pdf_text(&pdf);
        for e in [
            words::phrase(words::Phrase::LateMails, lang).to_owned(),
            words::moment_short(at("2024-10-18T08:45:00+02:00"), lang),
            not_arrived.to_owned(),
            words::moment_short(at("2024-10-18T11:10:00+02:00"), lang),
            "2 h 10 min".to_owned(),
            words::fate(outage_core::roundtrip::Fate::Junk, lang).to_owned(),
        ] {
            assert!(text.contains(e.as_str()), "{lang:?}: `{e}` missing from the PDF's text:\n{text}");
        }
        assert!(
            !text.contains(&words::moment_short(at("2024-10-15T10:00:00+02:00"), lang)),
            "the mail on time is not listed"
        );
        let prefix = workspace().join("artifacts").join("report").join(format!("mails-{}", lang.as_str()));
        std::fs::create_dir_all(prefix.parent().unwrap()).unwrap();
        assert!(Command::new("pdftoppm").args(["-r", "70", "-png"]).arg(&pdf).arg(&prefix).status().unwrap().success());
    }
}

/// A round trip removed from the config (the window's "remove", or an edit of the file)
/// leaves its late and lost mails in the report, named by provider and route, judged as things
/// stood at its last look: a mail still on its way then is not called lost afterwards.
#[test]
fn late_and_lost_mails_of_a_removed_round_trip_stay_in_the_report() {
    use outage_core::model::{CheckKind, Finding, Observation, Outcome};
    use outage_core::roundtrip::{Arrival, Place};
    let s = seeded();
    let check = "df/roundtrip/sslout.df.eu/info@df.test";
    let store = outage_engine::store::Store::open(&s.data.join("history.sqlite3")).unwrap();
    let mails = [
        ("2024-10-18T08:45:00+02:00", None),
        ("2024-10-18T09:00:00+02:00", Some(("2024-10-18T11:10:00+02:00", 7_800_000, Place::Inbox))),
        ("2024-10-18T11:05:00+02:00", None),
    ];
    for (i, (sent, arrival)) in mails.iter().enumerate() {
        let key = format!("k{i}");
        store.roundtrip_sent("df", check, &route(), &key, at(sent).timestamp_millis()).unwrap();
        if let Some((seen, delay_ms, place)) = arrival {
            store.roundtrip_ended(&key, &Arrival { seen: at(seen), delay_ms: *delay_ms, place: *place }).unwrap();
        }
    }
    // Its last look, at 11:10; then the round trip was removed from the config (the replay's
    // config never had it).
    let look = Observation {
        check_id: check.into(),
        kind: CheckKind::Roundtrip,
        target: "sslout.df.eu:465 → info@df.test".into(),
        at: at("2024-10-18T11:10:00+02:00"),
        outcome: Outcome::Down,
        reason: Some(outage_core::model::Reason::Lost),
        message: String::new(),
        latency_ms: Some(7_800_000),
        cert_days_left: None,
        finding: Finding::None,
    };
    store.insert("df", &look, std::time::Duration::from_mins(45)).unwrap();
    drop(store);

    let v = json(&s);
    let late: Vec<(String, String, String, bool)> = v["providers"][0]["late_mails"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["sent"].as_str().unwrap().to_owned(),
                m["route"].as_str().unwrap_or("").to_owned(),
                m["fate"].as_str().unwrap().to_owned(),
                m["removed"].as_bool().unwrap_or(false),
            )
        })
        .collect();
    let row =
        |sent: &str, fate: &str| (sent.to_owned(), "sslout.df.eu → sslin.df.eu".to_owned(), fate.to_owned(), true);
    assert_eq!(
        late,
        [row("2024-10-18T08:45:00+02:00", "lost"), row("2024-10-18T09:00:00+02:00", "late")],
        "the 11:05 mail was on its way at the last look: not lost"
    );

    for lang in [Language::De, Language::En] {
        let md = ok(&report(&s, &["--language", lang.as_str()]));
        let removed = words::phrase(words::Phrase::RouteRemoved, lang);
        assert!(md.contains(words::phrase(words::Phrase::LateMails, lang)), "{md}");
        assert!(md.contains(&format!("sslout.df.eu → sslin.df.eu ({removed})")), "{md}");
        let pdf = s.dir.path().join(format!("removed-{}.pdf", lang.as_str()));
        ok(&report(&s, &["--language", lang.as_str(), "--out", pdf.to_str().unwrap()]));
        let text = pdf_text(&pdf);
        assert!(text.contains("sslout.df.eu → sslin.df.eu"), "{lang:?}: the route missing from the PDF:\n{text}");
        assert!(text.contains(&words::moment_short(at("2024-10-18T08:45:00+02:00"), lang)), "{text}");
        let csv = s.dir.path().join(format!("removed-{}.csv", lang.as_str()));
        ok(&report(&s, &["--language", lang.as_str(), "--out", csv.to_str().unwrap()]));
        let mails = std::fs::read_to_string(s.dir.path().join(format!("removed-{}-mails.csv", lang.as_str())))
            .expect("the mails' CSV is written for a removed round trip too");
        assert_eq!(mails.matches(&format!("sslout.df.eu → sslin.df.eu ({removed})")).count(), 2, "{mails}");
    }
}

/// Each time is shown in the local zone's offset of its own moment: an outage at 10:00 in
/// German summer time (CEST) is "10:00" in a report whose period ends in winter (CET), as is
/// one at 10:00 in winter — in Markdown, the PDF's text and the CSV, in both languages.
#[test]
fn summer_and_winter_times_are_each_shown_in_their_own_offset() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, replay::CONFIG).unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let store = outage_engine::store::Store::open(&data.join("history.sqlite3")).unwrap();
    let imap = "df/imap/sslin.df.eu:993";
    let summer = at("2026-07-15T10:00:00+02:00");
    let winter = at("2026-12-01T10:00:00+01:00");
    for start in [summer, winter] {
        let probe = |t: chrono::DateTime<chrono::FixedOffset>, outcome| {
            let o = outage_core::model::Observation::failed(
                imap,
                outage_core::model::CheckKind::Imap,
                "sslin.df.eu:993",
                t,
                outcome,
                outage_core::model::Reason::Timeout,
                "no answer",
            );
            store.insert("df", &o, std::time::Duration::from_mins(5)).unwrap();
        };
        probe(start - chrono::TimeDelta::minutes(2), outage_core::model::Outcome::Up);
        probe(start, outage_core::model::Outcome::Down);
        let (started, ended) = (start.timestamp_millis(), (start + chrono::TimeDelta::minutes(30)).timestamp_millis());
        store.outage_started(imap, "df", started, started + 60_000, Some("timeout")).unwrap();
        store.outage_ended(imap, ended).unwrap();
    }
    drop(store);
    let run = |args: &[&str]| {
        Command::new(bin("outage-notifier"))
            .env("TZ", "Europe/Berlin")
            .arg("--config")
            .arg(&config)
            .arg("--data-dir")
            .arg(&data)
            .args(["report", "--from", "2026-07-01", "--to", "2026-12-02"])
            .args(args)
            .output()
            .expect("run outage-notifier report")
    };
    for lang in [Language::De, Language::En] {
        let l = lang.as_str();
        let (shown, cell) = match lang {
            Language::De => (["15.07.2026, 10:00", "01.12.2026, 10:00"], ["15.07.2026 10:00", "01.12.2026 10:00"]),
            Language::En => (["15 Jul 2026, 10:00", "1 Dec 2026, 10:00"], ["2026-07-15 10:00", "2026-12-01 10:00"]),
        };
        let md = ok(&run(&["--language", l]));
        let pdf = dir.path().join(format!("dst-{l}.pdf"));
        ok(&run(&["--language", l, "--out", pdf.to_str().unwrap()]));
        let text = pdf_text(&pdf);
        for moment in shown {
            assert!(md.contains(moment), "{l}: `{moment}` missing from the Markdown:\n{md}");
            assert!(text.contains(moment), "{l}: `{moment}` missing from the PDF's text:\n{text}");
        }
        let csv = dir.path().join(format!("dst-{l}.csv"));
        ok(&run(&["--language", l, "--out", csv.to_str().unwrap()]));
        let outages = std::fs::read_to_string(dir.path().join(format!("dst-{l}-outages.csv"))).unwrap();
        for moment in cell {
            assert!(outages.contains(moment), "{l}: `{moment}` missing from the CSV:\n{outages}");
        }
    }
}

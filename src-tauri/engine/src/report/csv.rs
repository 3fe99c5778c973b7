//! The evidence report as spreadsheets (RFC 4180, UTF-8, a header row): one row per
//! outage, one row per provider and day, and one row per degraded stretch. German uses `;` and decimal commas — what German
//! Excel opens without asking — English `,` and points. A UTF-8 byte order mark leads each
//! file, since Excel otherwise reads UTF-8 as the system's legacy code page.

use std::path::{Path, PathBuf};

use outage_core::report::words::{self, Phrase};
use outage_core::report::{Report, Window};
use outage_core::text::Language;

/// The two files one `--out NAME.csv` stands for: `NAME-outages.csv` and `NAME-days.csv`.
pub fn paths(out: &Path) -> (PathBuf, PathBuf) {
    let stem = out.file_stem().map_or_else(|| "report".into(), |s| s.to_string_lossy().into_owned());
    let stem = ["-outages", "-days", "-degraded"]
        .iter()
        .find_map(|suffix| stem.strip_suffix(suffix))
        .unwrap_or(&stem)
        .to_owned();
    (out.with_file_name(format!("{stem}-outages.csv")), out.with_file_name(format!("{stem}-days.csv")))
}

/// The third file beside them: `NAME-degraded.csv`, the stretches a server answered badly.
pub fn degraded_path(out: &Path) -> PathBuf {
    let (outages, _) = paths(out);
    let name = outages.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    outages.with_file_name(name.replace("-outages.csv", "-degraded.csv"))
}

fn writer(lang: Language) -> csv::Writer<Vec<u8>> {
    let delimiter = if lang == Language::De { b';' } else { b',' };
    let mut bytes = Vec::new();
    bytes.extend_from_slice("\u{feff}".as_bytes());
    csv::WriterBuilder::new().delimiter(delimiter).terminator(csv::Terminator::CRLF).from_writer(bytes)
}

fn finish(w: csv::Writer<Vec<u8>>) -> Result<Vec<u8>, csv::Error> {
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

fn minutes(ms: i64) -> String {
    (ms.max(0) / 60_000).to_string()
}

/// One row per outage we detected (refused logins included, marked as the account's).
pub fn outages(report: &Report) -> Result<Vec<u8>, csv::Error> {
    let lang = report.language;
    let de = lang == Language::De;
    let mut w = writer(lang);
    w.write_record(if de {
        [
            "Anbieter",
            "Betroffen",
            "Ursache",
            "Beginn",
            "Bestätigt",
            "Ende",
            "Dauer (Minuten)",
            "Davon nicht gemessen (Minuten)",
            "Erste Meldung des Anbieters",
            "Reaktionszeit des Anbieters (Minuten)",
            "Meldung",
            "Zählt als Ausfall",
        ]
    } else {
        [
            "Provider",
            "Affected",
            "Cause",
            "Start",
            "Confirmed",
            "End",
            "Duration (minutes)",
            "Of which not measured (minutes)",
            "Provider's first word",
            "Provider's delay (minutes)",
            "Announcement",
            "Counts as downtime",
        ]
    })?;
    for p in &report.providers {
        let rows = p.outages.iter().map(|o| (o, true)).chain(p.refused_logins.iter().map(|o| (o, false)));
        for (o, counts) in rows {
            let ack = o.acknowledged.as_ref();
            w.write_record([
                p.name.clone(),
                words::probed(&o.probed, lang),
                words::cause(o.reason, lang).to_owned(),
                words::moment_cell(o.started, lang),
                words::moment_cell(o.confirmed, lang),
                o.ended.map(|t| words::moment_cell(t, lang)).unwrap_or_default(),
                minutes(o.duration(report.to).num_milliseconds()),
                minutes(o.unmeasured_ms),
                ack.map(|a| words::moment_cell(a.said, lang)).unwrap_or_default(),
                ack.map(|a| minutes(a.delay_ms)).unwrap_or_default(),
                ack.map(|a| a.title.clone()).unwrap_or_default(),
                match (counts, de) {
                    (true, true) => "ja",
                    (true, false) => "yes",
                    (false, true) => "nein (Ihr Konto)",
                    (false, false) => "no (your account)",
                }
                .to_owned(),
            ])?;
        }
    }
    finish(w)
}

/// One row per degraded stretch (failing now and then, far slower than usual): listed apart
/// from the outages, since it is not downtime.
pub fn degraded(report: &Report) -> Result<Vec<u8>, csv::Error> {
    let lang = report.language;
    let mut w = writer(lang);
    w.write_record(if lang == Language::De {
        ["Anbieter", "Betroffen", "Art", "Beginn", "Ende", "Dauer (Minuten)"]
    } else {
        ["Provider", "Affected", "Kind", "Start", "End", "Duration (minutes)"]
    })?;
    for p in &report.providers {
        for d in &p.degraded {
            w.write_record([
                p.name.clone(),
                words::probed(&d.probed, lang),
                words::pattern(d.kind, lang).to_owned(),
                words::moment_cell(d.started, lang),
                d.ended.map(|t| words::moment_cell(t, lang)).unwrap_or_default(),
                minutes(d.duration(report.to).num_milliseconds()),
            ])?;
        }
    }
    finish(w)
}

/// One row per provider and local day: measured, down, not measured, availability.
pub fn days(report: &Report) -> Result<Vec<u8>, csv::Error> {
    let lang = report.language;
    let de = lang == Language::De;
    let mut w = writer(lang);
    w.write_record(if de {
        ["Anbieter", "Tag", "Gemessen (Minuten)", "Ausfall (Minuten)", "Nicht gemessen (Minuten)", "Verfügbarkeit (%)"]
    } else {
        ["Provider", "Day", "Measured (minutes)", "Down (minutes)", "Not measured (minutes)", "Availability (%)"]
    })?;
    for p in &report.providers {
        for d in &p.days {
            let length = day_length(report, d.date);
            w.write_record([
                p.name.clone(),
                words::date_cell(d.date, lang),
                minutes(d.measured_ms),
                minutes(d.down_ms),
                minutes(length - d.measured_ms),
                d.ratio().map(|r| words::number(r * 100.0, 3, lang)).unwrap_or_default(),
            ])?;
        }
        // The whole period as the last row of the provider: the figure the report names.
        if let Some(a) = p.availability.iter().find(|a| a.window == Window::Period) {
            w.write_record([
                p.name.clone(),
                words::phrase(Phrase::Period, lang).to_owned(),
                minutes(a.measured_ms),
                minutes(a.down_ms),
                minutes((report.to - report.from).num_milliseconds() - a.measured_ms),
                a.ratio().map(|r| words::number(r * 100.0, 3, lang)).unwrap_or_default(),
            ])?;
        }
    }
    finish(w)
}

/// The third file beside the two of [`paths`], written when a provider has a round trip:
/// `NAME-mails.csv`, one row per test mail late or not arrived.
pub fn mails_path(out: &Path) -> PathBuf {
    let (outages, _) = paths(out);
    let stem = outages.file_stem().map_or_else(String::new, |s| s.to_string_lossy().into_owned());
    outages.with_file_name(format!("{}-mails.csv", stem.strip_suffix("-outages").unwrap_or(&stem)))
}

/// Whether the report has round-trip mails to list (a provider with a round trip).
pub fn has_mails(report: &Report) -> bool {
    report.providers.iter().any(|p| {
        !p.late_mails.is_empty() || p.probed.iter().any(|c| c.kind == outage_core::model::CheckKind::Roundtrip)
    })
}

/// One row per test mail that arrived late, in the spam folder, or not at all: when it was
/// sent, which way (smtp → imap, and whether that round trip is still checked), where to,
/// what became of it, when it arrived and after how many seconds.
pub fn mails(report: &Report) -> Result<Vec<u8>, csv::Error> {
    let lang = report.language;
    let mut w = writer(lang);
    w.write_record(if lang == Language::De {
        ["Anbieter", "Weg", "Postfach", "Gesendet", "Ergebnis", "Angekommen", "Zustelldauer (Sekunden)"]
    } else {
        ["Provider", "Route", "Mailbox", "Sent", "Outcome", "Arrived", "Delivery time (seconds)"]
    })?;
    for p in &report.providers {
        for m in &p.late_mails {
            w.write_record([
                p.name.clone(),
                words::route(m, lang),
                m.to.clone(),
                words::moment_cell(m.sent, lang),
                words::fate(m.fate, lang).to_owned(),
                m.seen.map_or_else(
                    || words::phrase(Phrase::NotArrived, lang).to_owned(),
                    |t| words::moment_cell(t, lang),
                ),
                m.delay_ms.map(|ms| ms.div_ceil(1000).to_string()).unwrap_or_default(),
            ])?;
        }
    }
    finish(w)
}

/// How much of a local day lies in the period, in milliseconds.
fn day_length(report: &Report, date: chrono::NaiveDate) -> i64 {
    let zone = *report.to.offset();
    let start = |d: chrono::NaiveDate| {
        d.and_hms_opt(0, 0, 0).and_then(|t| t.and_local_timezone(zone).single()).map(|t| t.timestamp_millis())
    };
    let (Some(a), Some(b)) = (start(date), start(date + chrono::TimeDelta::days(1))) else { return 0 };
    (b.min(report.to.timestamp_millis()) - a.max(report.from.timestamp_millis())).max(0)
}

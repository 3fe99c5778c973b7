//! The evidence report: what we saw and what the provider said, per provider, over a period
//! — written so a small business can hand it to its provider or insurer. Pure rendering.

use std::fmt::Write as _;

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::text::Language;

/// The report's data, assembled by the engine from the history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub generated_at: DateTime<FixedOffset>,
    pub from: DateTime<FixedOffset>,
    pub to: DateTime<FixedOffset>,
    pub providers: Vec<ProviderReport>,
    /// When we could not look (offline, asleep): not anyone's downtime.
    pub gaps: Vec<Unmeasured>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ProviderReport {
    pub id: String,
    pub name: String,
    /// Uptime per window label ("24h", "7d", "30d", "90d"); `None` when nothing was seen.
    #[ts(type = "Array<[string, number | null]>")]
    pub uptime: Vec<(String, Option<f64>)>,
    pub outages: Vec<OutageLine>,
    pub incidents: Vec<IncidentLine>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct OutageLine {
    pub check: String,
    #[ts(type = "string")]
    pub started: DateTime<FixedOffset>,
    #[ts(type = "string")]
    pub confirmed: DateTime<FixedOffset>,
    #[ts(type = "string | null")]
    pub ended: Option<DateTime<FixedOffset>>,
    pub reason: Option<String>,
    /// Minutes from our first failed probe to the provider's first word, if it spoke.
    #[ts(type = "number | null")]
    pub acknowledged_after_min: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct IncidentLine {
    pub id: String,
    pub title: String,
    #[ts(type = "string")]
    pub first_seen: DateTime<FixedOffset>,
    #[ts(type = "string | null")]
    pub resolved_seen: Option<DateTime<FixedOffset>>,
    pub timeline: Vec<TimelineLine>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TimelineLine {
    #[ts(type = "string")]
    pub at: DateTime<FixedOffset>,
    /// `us` or `provider`.
    pub source: String,
    pub kind: String,
    pub text: String,
}

/// One day of the 90-day bars: the share of the day the provider was up, and how long it
/// was down or unseen (offline, asleep), so a gap never looks like downtime.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DayBar {
    /// The local calendar day, `YYYY-MM-DD`.
    pub day: String,
    /// `None` when nothing was seen that day.
    pub uptime: Option<f64>,
    #[ts(type = "number")]
    pub down_min: i64,
    #[ts(type = "number")]
    pub unseen_min: i64,
    /// Average latency of the day's probes, if any were timed.
    pub latency_ms: Option<f64>,
}

/// What the window shows for one provider: the report's part for it over 90 days (uptime
/// windows, our outages, the provider's incidents with merged timelines) and the day bars.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ProviderHistory {
    pub report: ProviderReport,
    pub days: Vec<DayBar>,
    /// The average latency per hour over the last three days, oldest first (hours without
    /// timed probes left out): the chart's points while there are only a few days of data.
    #[serde(default)]
    pub hours: Vec<HourPoint>,
}

/// One hour's average latency of a provider's timed probes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct HourPoint {
    /// The start of the hour.
    #[ts(type = "string")]
    pub at: DateTime<FixedOffset>,
    pub latency_ms: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unmeasured {
    pub kind: String,
    pub from: DateTime<FixedOffset>,
    pub to: Option<DateTime<FixedOffset>>,
}

fn t(at: DateTime<FixedOffset>) -> String {
    at.format("%Y-%m-%d %H:%M %:z").to_string()
}

fn percent(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_owned(), |r| format!("{:.3} %", r * 100.0))
}

/// Provider text is quoted as it was published; only line breaks become Markdown breaks, and
/// characters Markdown would interpret are escaped, so nothing the provider wrote can change
/// the document's structure.
fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|') {
            out.push('\\');
        }
        out.push(c);
    }
    out.replace("\r\n", "\n").replace('\n', "  \n> ")
}

/// Renders the report as Markdown in the user's language.
pub fn markdown(report: &Report, lang: Language) -> String {
    let de = lang == Language::De;
    let mut s = String::new();
    let title = if de { "Nachweis: Erreichbarkeit Ihrer Anbieter" } else { "Evidence: availability of your providers" };
    let _ = write!(s, "# {title}\n\n");
    let _ = write!(
        s,
        "{} {} – {}. {} {}.\n\n",
        if de { "Zeitraum" } else { "Period" },
        t(report.from),
        t(report.to),
        if de { "Erstellt" } else { "Generated" },
        t(report.generated_at)
    );
    s.push_str(if de {
        "Gemessen von diesem Rechner aus (Outage Notifier). Zeiten, in denen wir nicht messen konnten \
         (eigenes Netz getrennt, Rechner im Ruhezustand), zählen weder als verfügbar noch als Ausfall.\n\n"
    } else {
        "Measured from this computer (Outage Notifier). Times when we could not measure (our own network \
         down, computer asleep) count neither as available nor as downtime.\n\n"
    });
    for p in &report.providers {
        let _ = write!(s, "## {}\n\n", p.name);
        s.push_str(if de { "| Zeitraum | Verfügbarkeit |\n|---|---|\n" } else { "| Window | Uptime |\n|---|---|\n" });
        for (label, value) in &p.uptime {
            let _ = writeln!(s, "| {label} | {} |", percent(*value));
        }
        s.push('\n');
        if p.outages.is_empty() {
            s.push_str(if de {
                "Keine selbst festgestellten Ausfälle.\n\n"
            } else {
                "No outages detected by us.\n\n"
            });
        } else {
            s.push_str(if de { "### Selbst festgestellte Ausfälle\n\n" } else { "### Outages we detected\n\n" });
            for o in &p.outages {
                let end = o.ended.map_or_else(|| if de { "andauernd".into() } else { "ongoing".into() }, t);
                let ack = match (o.acknowledged_after_min, de) {
                    (Some(m), true) => format!("; vom Anbieter nach {m} min bestätigt"),
                    (Some(m), false) => format!("; acknowledged by the provider after {m} min"),
                    (None, true) => "; vom Anbieter nicht bestätigt".into(),
                    (None, false) => "; not acknowledged by the provider".into(),
                };
                let reason = o.reason.as_deref().unwrap_or("?");
                let _ = writeln!(s, "- {} – {end}: `{}` ({reason}){ack}", t(o.started), o.check);
            }
            s.push('\n');
        }
        for i in &p.incidents {
            let _ = write!(s, "### {} „{}“\n\n", if de { "Meldung" } else { "Incident" }, quote(&i.title));
            for line in &i.timeline {
                let who = match (line.source.as_str(), de) {
                    ("provider", true) => "Anbieter",
                    ("provider", false) => "Provider",
                    (_, true) => "Wir",
                    (_, false) => "We",
                };
                let _ = write!(s, "- {} — {who} ({}):\n> {}\n", t(line.at), line.kind, quote(&line.text));
            }
            s.push('\n');
        }
    }
    if !report.gaps.is_empty() {
        s.push_str(if de { "## Messlücken\n\n" } else { "## Gaps in measurement\n\n" });
        for g in &report.gaps {
            let end = g.to.map_or_else(|| "…".to_owned(), t);
            let _ = writeln!(s, "- {} – {end}: {}", t(g.from), g.kind);
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    fn report() -> Report {
        Report {
            generated_at: at("2026-11-24T12:00:00+01:00"),
            from: at("2026-11-17T12:00:00+01:00"),
            to: at("2026-11-24T12:00:00+01:00"),
            providers: vec![ProviderReport {
                id: "df".into(),
                name: "DomainFactory".into(),
                uptime: vec![("24h".into(), Some(0.95)), ("7d".into(), None)],
                outages: vec![OutageLine {
                    check: "df/imap/sslin.df.eu:993".into(),
                    started: at("2026-11-24T10:02:00+01:00"),
                    confirmed: at("2026-11-24T10:03:00+01:00"),
                    ended: None,
                    reason: Some("timeout".into()),
                    acknowledged_after_min: Some(18),
                }],
                incidents: vec![IncidentLine {
                    id: "i".into(),
                    title: "Mailcluster [3]".into(),
                    first_seen: at("2026-11-24T10:20:00+01:00"),
                    resolved_seen: None,
                    timeline: vec![TimelineLine {
                        at: at("2026-11-24T10:20:00+01:00"),
                        source: "provider".into(),
                        kind: "investigating".into(),
                        text: "# Not a heading\n<script>x</script>".into(),
                    }],
                }],
            }],
            gaps: vec![Unmeasured {
                kind: "offline".into(),
                from: at("2026-11-20T08:00:00+01:00"),
                to: Some(at("2026-11-20T08:30:00+01:00")),
            }],
        }
    }

    #[test]
    fn german_report_reads_as_evidence() {
        let md = markdown(&report(), Language::De);
        assert!(md.contains("## DomainFactory"));
        assert!(md.contains("| 24h | 95.000 % |"));
        assert!(md.contains("| 7d | — |"));
        assert!(md.contains("vom Anbieter nach 18 min bestätigt"));
        assert!(md.contains("andauernd"));
        assert!(md.contains("## Messlücken"));
    }

    #[test]
    fn provider_text_cannot_change_the_document() {
        let md = markdown(&report(), Language::En);
        assert!(md.contains("\\# Not a heading"), "{md}");
        assert!(md.contains("\\<script\\>x\\</script\\>"), "{md}");
        assert!(md.contains("Mailcluster \\[3\\]"));
        assert!(!md.contains("\n# Not a heading"));
    }
}

//! The evidence report: what we saw and what the provider said, per provider, over a period
//! — written so a small business can hand it to its provider or insurer. The data, the rules
//! that make it evidence (which announcement acknowledges which outage, what counts as
//! measured), and its words; the engine assembles it from the history.

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::model::{CheckKind, IncidentState, Reason};
use crate::text::Language;

mod markdown;
pub mod words;

pub use markdown::markdown;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ProviderReport {
    pub id: String,
    pub name: String,
    /// Uptime per window label ("24h", "7d", "30d", "90d"); `None` when nothing was seen.
    /// The third value is when we first measured the provider, where that was within the
    /// window: the figure counts only the time since then, and the window says so (measured before:
    /// "Last 90 days: 67.26 %" after half an hour of data).
    #[ts(type = "Array<[string, number | null, string | null]>")]
    pub uptime: Vec<(String, Option<f64>, Option<DateTime<FixedOffset>>)>,
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

/// The forms the evidence report comes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export, rename = "ReportFormat")]
pub enum Format {
    #[serde(rename = "md")]
    #[ts(rename = "md")]
    Markdown,
    #[serde(rename = "pdf")]
    #[ts(rename = "pdf")]
    Pdf,
    #[serde(rename = "csv")]
    #[ts(rename = "csv")]
    Csv,
    #[serde(rename = "json")]
    #[ts(rename = "json")]
    Json,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "md" | "markdown" => Some(Format::Markdown),
            "pdf" => Some(Format::Pdf),
            "csv" => Some(Format::Csv),
            "json" => Some(Format::Json),
            _ => None,
        }
    }

    /// The format a file name asks for by its extension.
    pub fn of_path(path: &std::path::Path) -> Option<Format> {
        path.extension().and_then(|e| Format::parse(&e.to_string_lossy().to_ascii_lowercase()))
    }
}

/// The evidence report over one period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub language: Language,
    pub generated_at: DateTime<FixedOffset>,
    /// The computer it was measured from and made on.
    pub computer: String,
    pub from: DateTime<FixedOffset>,
    pub to: DateTime<FixedOffset>,
    pub method: Method,
    pub providers: Vec<ProviderEvidence>,
    /// When we could not look (offline, asleep, local network trouble): nobody's downtime.
    pub gaps: Vec<Gap>,
}

/// How we measured, for the first page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Method {
    /// The distinct check intervals in use, in seconds, shortest first.
    pub intervals_s: Vec<u64>,
    pub status_pages: bool,
    pub mail_servers: bool,
    /// Pages watched for reachability (`[[provider.http]]`).
    pub websites: bool,
    /// Failed probes in a row (the quick re-checks included) before a failure is an outage.
    pub failures_to_confirm: u32,
}

/// What a check probed, named as a person would ("IMAP-Server imap.example.de").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Probed {
    pub kind: CheckKind,
    pub target: String,
}

/// One provider's part of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProviderEvidence {
    pub id: String,
    pub name: String,
    pub probed: Vec<Probed>,
    /// Our first observation of this provider, if any lies before the period's end.
    pub measured_since: Option<DateTime<FixedOffset>>,
    /// The windows that fit in the period (24 h, 7, 30, 90 days), then the whole period.
    pub availability: Vec<Availability>,
    pub sla: Option<Sla>,
    pub days: Vec<Day>,
    pub outages: Vec<Outage>,
    /// Logins the server refused: the account's problem, never the provider's outage.
    pub refused_logins: Vec<Outage>,
    /// Stretches in which a server answered, but badly: listed, never counted as downtime.
    pub degraded: Vec<Degraded>,
    pub announcements: Vec<Announcement>,
    /// Ours and the provider's, merged, oldest first.
    pub timeline: Vec<Event>,
    /// The round trip's test mails that arrived late, in the spam folder, bounced, were
    /// refused or did not arrive at all, oldest first — those of round trips since removed
    /// from the config too (empty without a round trip, past or present).
    pub late_mails: Vec<LateMail>,
}

/// One test mail of the round trip that did not arrive in time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LateMail {
    /// The mailbox it went to.
    pub to: String,
    /// The way it took: "smtp.ionos.de → imap.ionos.de".
    pub route: String,
    /// Its round trip is no longer in the config: listed as things stood at its last look.
    pub removed: bool,
    pub sent: DateTime<FixedOffset>,
    /// When a look found it (or its bounce, or the refusal); `None`: it has not arrived.
    pub seen: Option<DateTime<FixedOffset>>,
    /// From sending to delivery, when it reached the mailbox (INBOX or spam folder).
    pub delay_ms: Option<u64>,
    pub fate: crate::roundtrip::Fate,
}

/// Which stretch of time an availability figure covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Window {
    Day,
    Week,
    Month,
    Quarter,
    Period,
}

impl Window {
    /// The fixed windows, shortest first, with their length in days.
    pub const FIXED: [(Window, i64); 4] =
        [(Window::Day, 1), (Window::Week, 7), (Window::Month, 30), (Window::Quarter, 90)];
}

/// Availability over a window: only measured time counts, and the figure says since when.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Availability {
    pub window: Window,
    /// Where measuring in this window began: the window's start, or our first observation.
    pub since: DateTime<FixedOffset>,
    pub measured_ms: i64,
    pub down_ms: i64,
}

impl Availability {
    /// `None` when nothing was measured.
    pub fn ratio(&self) -> Option<f64> {
        #[allow(clippy::cast_precision_loss)] // milliseconds of a few years fit f64 exactly
        (self.measured_ms > 0).then(|| 1.0 - self.down_ms.min(self.measured_ms) as f64 / self.measured_ms as f64)
    }
}

/// A promised availability (`sla = "99.9%"`) against the measured one over the period.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Sla {
    /// As a ratio: 0.999.
    pub promised: f64,
    /// The downtime the promise allows in the measured time.
    pub allowed_down_ms: i64,
    /// The downtime beyond it (0 when the promise was kept).
    pub beyond_ms: i64,
}

impl Sla {
    pub fn of(promised: f64, period: &Availability) -> Sla {
        #[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
        let allowed_down_ms = ((1.0 - promised) * period.measured_ms as f64).round() as i64;
        Sla { promised, allowed_down_ms, beyond_ms: (period.down_ms - allowed_down_ms).max(0) }
    }
}

/// One local day: how long we measured and how long the provider was down in it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Day {
    pub date: NaiveDate,
    pub measured_ms: i64,
    pub down_ms: i64,
}

impl Day {
    pub fn ratio(&self) -> Option<f64> {
        #[allow(clippy::cast_precision_loss)]
        (self.measured_ms > 0).then(|| 1.0 - self.down_ms.min(self.measured_ms) as f64 / self.measured_ms as f64)
    }
}

/// An outage we detected: from the first failed probe to the first success that the
/// confirmation upheld.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outage {
    pub probed: Probed,
    pub started: DateTime<FixedOffset>,
    pub confirmed: DateTime<FixedOffset>,
    /// `None` while it lasts (at the end of the period).
    pub ended: Option<DateTime<FixedOffset>>,
    pub reason: Option<Reason>,
    /// The provider's first word about it, if an announcement open during it concerns it.
    pub acknowledged: Option<Acknowledgement>,
    /// Time within the outage we could not measure (offline, asleep).
    pub unmeasured_ms: i64,
}

impl Outage {
    /// From the first failed probe to its end, or to `until` while it lasts.
    pub fn duration(&self, until: DateTime<FixedOffset>) -> chrono::TimeDelta {
        self.ended.unwrap_or(until) - self.started
    }
}

/// A stretch in which a server of the user's answered, but failed now and then or was far
/// slower than usual: evidence of trouble, but not downtime.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Degraded {
    pub probed: Probed,
    pub kind: crate::check::PatternKind,
    pub started: DateTime<FixedOffset>,
    /// `None` while it lasts (at the end of the period).
    pub ended: Option<DateTime<FixedOffset>>,
    /// Why the latest failure failed (intermittent), or `slow`.
    pub reason: Option<Reason>,
}

impl Degraded {
    /// From its start to its end, or to `until` while it lasts.
    pub fn duration(&self, until: DateTime<FixedOffset>) -> chrono::TimeDelta {
        self.ended.unwrap_or(until) - self.started
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Acknowledgement {
    pub said: DateTime<FixedOffset>,
    /// From our first failed probe to the provider's first word; zero when it spoke first.
    pub delay_ms: i64,
    pub title: String,
}

/// One of the provider's announcements, with every update verbatim.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Announcement {
    pub title: String,
    pub first_seen: DateTime<FixedOffset>,
    pub resolved_seen: Option<DateTime<FixedOffset>>,
    pub updates: Vec<Update>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Update {
    pub at: DateTime<FixedOffset>,
    pub status: IncidentState,
    /// Untrusted provider text, quoted as published.
    pub text: String,
}

/// One line of the merged timeline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    pub at: DateTime<FixedOffset>,
    pub what: EventKind,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum EventKind {
    Failed {
        probed: Probed,
        reason: Option<Reason>,
    },
    Confirmed {
        probed: Probed,
    },
    Recovered {
        probed: Probed,
    },
    ProviderSaid {
        status: IncidentState,
        title: String,
        text: String,
    },
    /// We could not measure from here on (until `GapEnded`).
    GapStarted {
        gap: GapKind,
    },
    GapEnded {
        gap: GapKind,
    },
}

pub use crate::model::GapKind;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Gap {
    pub kind: GapKind,
    pub from: DateTime<FixedOffset>,
    pub to: Option<DateTime<FixedOffset>>,
}

/// Whether an announcement that names `components` concerns a failure of a check of
/// `kind`. One that names none may concern anything. One that names some concerns it when
/// one of them is among the components the user follows (`followed`), or, when the user
/// follows all, when one of them is about what failed (mail for the mail servers).
pub fn concerns(kind: CheckKind, components: &[String], followed: &[String]) -> bool {
    const MAIL: [&str; 7] = ["mail", "smtp", "imap", "pop", "exchange", "outlook", "postfach"];
    if components.is_empty() {
        return true;
    }
    if !followed.is_empty() {
        return components.iter().any(|c| followed.iter().any(|f| f.eq_ignore_ascii_case(c)));
    }
    match kind {
        CheckKind::Smtp | CheckKind::Imap | CheckKind::Pop3 | CheckKind::Roundtrip => components.iter().any(|c| {
            let c = c.to_lowercase();
            MAIL.iter().any(|m| c.contains(m))
        }),
        // A website or endpoint: the names give no safe hint, so any announcement may be about it.
        CheckKind::Http => true,
        CheckKind::StatusPage => false,
    }
}

#[cfg(test)]
mod tests;

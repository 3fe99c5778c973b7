//! Status-page formats: one module per format, each a pure function from response bytes to a
//! normalised [`StatusSnapshot`](crate::model::StatusSnapshot), plus detection of which format
//! a page serves ([`detect`]).
//!
//! Each module also describes its format in a `SPEC` ([`Spec`]: its name in config, endpoint,
//! companion document, what detection recognises it by, how its recordings are named), and
//! `SPECS` is the one table from a [`Format`] variant to that description. A new format is its
//! module, a variant and a row.
//!
//! Each module's `parse` is a faithful translation: history formats (feeds, Google's
//! `incidents.json`, Slack's history, Better Stack's 90 days) include closed incidents.
//! [`Format::parse`] is what the engine calls: it also drops closed incidents whose last word
//! is older than [`CLOSED_RETENTION`], so a summary shows what is going on, not an archive.

pub mod apple_system_status;
pub mod better_stack;
pub mod cachet;
pub mod datev;
pub mod detect;
pub mod feed;
pub mod google_workspace;
pub(crate) mod html;
pub mod incident_io;
pub mod instatus;
pub mod metastatus;
pub mod microsoft365;
pub mod slack;
pub mod sorry;
pub mod status_io;
pub mod statuspage;
mod time;

use chrono::{DateTime, Duration, FixedOffset};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::model::{Incident, StatusSnapshot};

/// How long a closed incident stays in a snapshot after its last word: long enough for the
/// user to see "resolved an hour ago" and for the engine to record the resolution, short
/// enough that history formats do not fill the summary with old news.
pub const CLOSED_RETENTION: Duration = Duration::hours(24);

/// The status-page formats we understand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, rename_all = "snake_case")]
pub enum Format {
    /// Atlassian Statuspage v2 (`/api/v2/summary.json`).
    Statuspage,
    /// incident.io's Statuspage-compatible `/api/v2/summary.json`.
    IncidentIo,
    /// Instatus `/summary.json` (and `components.json`).
    Instatus,
    /// Status.io public API `api.status.io/1.0/status/{page_id}`.
    StatusIo,
    /// Better Stack (Better Uptime) `/index.json`.
    BetterStack,
    /// Cachet API v1 `/api/v1/components` (and `/api/v1/incidents`).
    Cachet,
    /// Google Workspace Status Dashboard `incidents.json`.
    GoogleWorkspace,
    /// Slack Status API `v2.0.0/current` (and `history`).
    Slack,
    /// Microsoft 365 consumer status, best effort (undocumented `api/posts/m365Consumer`).
    #[serde(rename = "microsoft365")]
    #[ts(rename = "microsoft365")]
    Microsoft365,
    /// Any RSS 2.0, RSS 1.0 (RDF) or Atom status feed.
    Feed,
    /// Apple's System Status data (`support/systemstatus/data/system_status_en_US.js`).
    AppleSystemStatus,
    /// DATEV's public status API (`api.datev-status.de/v1/incidents`).
    Datev,
    /// Meta's status data (`metastatus.com/data/orgs.json`, and an organisation's outages).
    Metastatus,
    /// Sorry™ status pages' API (`api/v1/status`, and `api/v1/notices`): Lexware.
    Sorry,
}

/// The one table from [`Format`] to each module's [`Spec`], in the order of the variants.
const SPECS: &[&Spec] = &[
    &statuspage::SPEC,
    &incident_io::SPEC,
    &instatus::SPEC,
    &status_io::SPEC,
    &better_stack::SPEC,
    &cachet::SPEC,
    &google_workspace::SPEC,
    &slack::SPEC,
    &microsoft365::SPEC,
    &feed::SPEC,
    &apple_system_status::SPEC,
    &datev::SPEC,
    &metastatus::SPEC,
    &sorry::SPEC,
];

// `Format::spec` indexes the table by the variant, so a row out of place must not compile.
const _: () = {
    let mut i = 0;
    while i < SPECS.len() {
        assert!(SPECS[i].format as usize == i, "SPECS lists the formats in the order of Format's variants");
        i += 1;
    }
};

impl Format {
    /// Every format, in the table's order.
    pub const ALL: [Format; SPECS.len()] = {
        let mut all = [Format::Statuspage; SPECS.len()];
        let mut i = 0;
        while i < SPECS.len() {
            all[i] = SPECS[i].format;
            i += 1;
        }
        all
    };

    /// What this format's module says about it.
    pub const fn spec(self) -> &'static Spec {
        SPECS[self as usize]
    }

    pub const fn as_str(self) -> &'static str {
        self.spec().name
    }

    pub fn parse_name(s: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.as_str() == s)
    }

    /// The URL to poll for a page whose base URL the user gave.
    pub fn endpoint(self, base: &url::Url) -> url::Url {
        (self.spec().endpoint)(base)
    }

    /// A second URL whose incidents complete what `endpoint` gives (Cachet lists components
    /// and incidents apart); `None` for formats that say everything in one document.
    pub fn companion(self, endpoint: &url::Url) -> Option<url::Url> {
        self.spec().companion.and_then(|companion| companion(endpoint))
    }

    /// Parses a response body of this format, read at `now` (the time of the probe).
    ///
    /// `now` is needed because some rules depend on it: a feed entry without any lifecycle
    /// marker is open only while it is recent ([`feed::OPEN_WINDOW`]), and closed incidents
    /// older than [`CLOSED_RETENTION`] are dropped.
    pub fn parse(self, body: &[u8], now: DateTime<FixedOffset>) -> Result<StatusSnapshot, ParseError> {
        let snapshot = self.spec().read_at(body, now)?;
        Ok(without_old_closed(snapshot, now))
    }
}

type Parser = fn(&[u8]) -> Result<StatusSnapshot, ParseError>;
type ParserAt = fn(&[u8], DateTime<FixedOffset>) -> Result<StatusSnapshot, ParseError>;

/// What a status-page format says about itself, declared as `SPEC` next to its parser:
/// everything polling, detection and the snapshot test need to know about it. Only the order
/// in which detection tries formats lives elsewhere ([`detect`]), because it compares them.
#[derive(Debug)]
pub struct Spec {
    /// The variant described; the table checks at compile time that it sits in its row.
    pub format: Format,
    /// The name in config (`status_format`), JSON and TypeScript; serde's name of the variant.
    pub name: &'static str,
    /// The URL to poll for a page whose base URL the user gave.
    pub endpoint: fn(&url::Url) -> url::Url,
    /// A second document whose incidents complete the endpoint's, derived from the endpoint.
    pub companion: Option<fn(&url::Url) -> Option<url::Url>>,
    /// The faithful parser: the whole document, closed incidents included.
    pub parse: Parser,
    /// The parser to use when the time of the probe is known, for formats whose reading
    /// depends on it (feeds); others need only `parse`.
    pub parse_at: Option<ParserAt>,
    pub detection: Detection,
    pub recordings: Recordings,
}

impl Spec {
    /// The reading of `body` at `now`, with the time-aware parser if the format has one, tidied
    /// (one incident per id, web links only) whatever the format.
    pub fn read_at(&self, body: &[u8], now: DateTime<FixedOffset>) -> Result<StatusSnapshot, ParseError> {
        let snapshot = match self.parse_at {
            Some(parse_at) => parse_at(body, now),
            None => (self.parse)(body),
        }?;
        Ok(snapshot.tidied())
    }
}

/// How detection recognises a format without being told it. Each hook answers for this format
/// alone; [`detect`] decides which format's answer counts when several would.
#[derive(Debug)]
pub struct Detection {
    /// Paths tried under every page the user gives, in this order.
    pub generic_paths: &'static [&'static str],
    /// Where this format lives for a page on a host we know, given the lower-cased host and
    /// the page's URL.
    pub known_host: Option<fn(&str, &url::Url) -> Option<url::Url>>,
    /// Whether a URL that already names a document names one of this format.
    pub names: Option<fn(&url::Url) -> bool>,
    /// Whether a JSON object body has this format's distinctive keys.
    pub json_object: Option<fn(&serde_json::Value) -> bool>,
    /// Whether the first item of a JSON array body has this format's distinctive keys.
    pub json_array_item: Option<fn(&serde_json::Value) -> bool>,
    /// Whether a markup body that is not HTML may be this format (its parser decides).
    pub markup: bool,
}

impl Detection {
    /// Recognised by nothing: the base a format's `SPEC` fills its own hooks into, so adding a
    /// hook does not touch every format.
    pub const NONE: Detection = Detection {
        generic_paths: &[],
        known_host: None,
        names: None,
        json_object: None,
        json_array_item: None,
        markup: false,
    };
}

/// How this format's recorded payloads (`tests/fixtures/recorded/`) are named, so the snapshot
/// test knows which parser reads each one.
#[derive(Debug)]
pub struct Recordings {
    /// File-name prefixes, named after the producer (`statuspage-`).
    pub prefixes: &'static [&'static str],
    /// File-name extensions that make a recording this format's whatever its prefix, and win
    /// over prefixes: every kind of page serves feeds, so a feed's prefix names its producer.
    pub extensions: &'static [&'static str],
    /// The parser for recordings that the format's own parser would read differently from
    /// their source; `None` reads them with [`Spec::read_at`].
    pub parse: Option<Parser>,
}

impl Recordings {
    /// For a format without recordings (only hand-written fixtures), and the base the others
    /// fill their names into.
    pub const NONE: Recordings = Recordings { prefixes: &[], extensions: &[], parse: None };
}

/// Drops closed incidents whose last word is older than [`CLOSED_RETENTION`] before `now`.
pub fn without_old_closed(mut snapshot: StatusSnapshot, now: DateTime<FixedOffset>) -> StatusSnapshot {
    snapshot.incidents.retain(|i| i.state.is_open() || last_word(i).is_some_and(|t| now - t <= CLOSED_RETENTION));
    snapshot
}

fn last_word(incident: &Incident) -> Option<DateTime<FixedOffset>> {
    incident.updated_at.into_iter().chain(incident.updates.iter().map(|u| u.at)).chain(incident.started_at).max()
}

/// `{base}/{suffix}`, unless `base` already names a document (a file name with an extension
/// we poll, or an `/api/` path): then it is used as it is.
pub(crate) fn endpoint_under(base: &url::Url, suffix: &str) -> url::Url {
    let path = base.path();
    let names_document = has_extension(path, &["json", "xml", "rss", "atom"]) || path.contains("/api/");
    if names_document {
        return base.clone();
    }
    let mut url = base.clone();
    url.set_path(&format!("{}/{suffix}", path.trim_end_matches('/')));
    url
}

/// Whether a URL path ends in one of `extensions` (without the dot, any case).
pub(crate) fn has_extension(path: &str, extensions: &[&str]) -> bool {
    let last = path.rsplit('/').next().unwrap_or_default();
    last.rsplit_once('.').is_some_and(|(_, ext)| extensions.iter().any(|e| ext.eq_ignore_ascii_case(e)))
}

/// A body that is not what its format promises. Becomes an observation with reason `parse`.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{format}: {detail}")]
pub struct ParseError {
    pub format: &'static str,
    pub detail: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{IncidentState, State};

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    #[test]
    fn names_round_trip_and_match_serde() {
        for format in Format::ALL {
            assert_eq!(Format::parse_name(format.as_str()), Some(format));
            assert_eq!(serde_json::to_string(&format).unwrap(), format!("\"{}\"", format.as_str()));
        }
        assert_eq!(Format::parse_name("atlassian"), None);
    }

    #[test]
    fn every_variant_has_a_row_in_the_table() {
        // ts-rs lists every variant by its serde name; a variant without a row would be
        // missing from `ALL` and panic in `spec`.
        let union = <Format as TS>::inline(&ts_rs::Config::default());
        let names: Vec<&str> = union.split('|').map(|n| n.trim().trim_matches('"')).collect();
        let all: Vec<&str> = Format::ALL.iter().map(|f| f.as_str()).collect();
        assert_eq!(names, all);
    }

    #[test]
    fn a_repeated_incident_is_read_once_and_hostile_links_never_pass() {
        // Statuspage lists a maintenance that has begun in both lists; a hostile page adds a
        // `javascript:` shortlink.
        let body = br#"{"page":{"id":"x","name":"X","url":"https://status.x.test"},
          "status":{"indicator":"minor"},"components":[],
          "incidents":[{"id":"m1","name":"Mail maintenance","status":"in_progress","impact":"maintenance",
            "updated_at":"2026-12-05T10:05:00Z","shortlink":"javascript:alert(document.cookie)",
            "components":[],"incident_updates":[]}],
          "scheduled_maintenances":[{"id":"m1","name":"Mail maintenance","status":"in_progress",
            "impact":"maintenance","updated_at":"2026-12-05T10:00:00Z","shortlink":"javascript:alert(1)",
            "components":[],"incident_updates":[]}]}"#;
        let s = Format::Statuspage.parse(body, at("2026-12-05T11:00:00Z")).unwrap();
        assert_eq!(s.incidents.len(), 1, "{:?}", s.incidents);
        assert_eq!(s.incidents[0].updated_at, Some(at("2026-12-05T10:05:00Z")));
        assert_eq!(s.incidents[0].url, None);

        let feed = br#"<?xml version="1.0"?><rss version="2.0"><channel><title>S</title>
          <item><title>Outage</title><guid>g1</guid><link>javascript:alert(1)</link>
            <pubDate>Sat, 05 Dec 2026 10:00:00 +0000</pubDate><description>Investigating</description></item>
          </channel></rss>"#;
        let s = Format::Feed.parse(feed, at("2026-12-05T11:00:00Z")).unwrap();
        assert_eq!(s.incidents.len(), 1);
        assert_eq!(s.incidents[0].url, None, "a feed's item link is checked the same way");
    }

    #[test]
    fn endpoints_from_a_base() {
        let u = |s: &str| url::Url::parse(s).unwrap();
        let base = u("https://status.example.com/");
        let expected = [
            (Format::Statuspage, "https://status.example.com/api/v2/summary.json"),
            (Format::IncidentIo, "https://status.example.com/api/v2/summary.json"),
            (Format::Instatus, "https://status.example.com/summary.json"),
            (Format::StatusIo, "https://status.example.com/"),
            (Format::BetterStack, "https://status.example.com/index.json"),
            (Format::Cachet, "https://status.example.com/api/v1/components"),
            (Format::GoogleWorkspace, "https://status.example.com/incidents.json"),
            (Format::Slack, "https://status.example.com/api/v2.0.0/current"),
            (Format::Microsoft365, "https://status.example.com/api/posts/m365Consumer"),
            (Format::Feed, "https://status.example.com/history.atom"),
        ];
        for (format, url) in expected {
            assert_eq!(format.endpoint(&base).as_str(), url, "{}", format.as_str());
        }
        assert_eq!(
            Format::GoogleWorkspace.endpoint(&u("https://www.google.com/appsstatus/dashboard/")).as_str(),
            "https://www.google.com/appsstatus/dashboard/incidents.json"
        );
        assert_eq!(
            Format::Slack.endpoint(&u("https://slack-status.com/api/v2.0.0/history")).as_str(),
            "https://slack-status.com/api/v2.0.0/history"
        );
        assert_eq!(
            Format::Cachet.endpoint(&u("https://x.io/status")).as_str(),
            "https://x.io/status/api/v1/components"
        );
    }

    #[test]
    fn old_closed_incidents_are_dropped_open_ones_kept() {
        let body = br#"[
          {"id":"old","begin":"2026-01-01T00:00:00+00:00","end":"2026-01-01T02:00:00+00:00",
           "modified":"2026-01-01T02:00:00+00:00","status_impact":"SERVICE_OUTAGE","updates":[]},
          {"id":"recent","begin":"2026-01-09T00:00:00+00:00","end":"2026-01-09T02:00:00+00:00",
           "modified":"2026-01-09T20:00:00+00:00","status_impact":"SERVICE_OUTAGE","updates":[]},
          {"id":"open","begin":"2025-06-01T00:00:00+00:00","end":null,
           "modified":"2025-06-01T00:00:00+00:00","status_impact":"SERVICE_DISRUPTION","updates":[]}]"#;
        let now = at("2026-01-10T12:00:00Z");
        let s = Format::GoogleWorkspace.parse(body, now).unwrap();
        let ids: Vec<_> = s.incidents.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(ids, ["recent", "open"]);
        assert_eq!(s.incidents[0].state, IncidentState::Resolved);
        assert_eq!(s.overall(), State::PartialOutage);
        // The module parser itself keeps the whole history.
        assert_eq!(google_workspace::parse(body).unwrap().incidents.len(), 3);
    }
}

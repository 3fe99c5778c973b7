//! Generic status feeds: RSS 2.0, RSS 1.0 (RDF) and Atom, read with `feed-rs`.
//!
//! A feed is history, not state: whether an incident is still open is inferred, per producer.
//! - **Statuspage** (`/history.atom|rss`): one entry per incident, the whole timeline inside as
//!   `<small>date</small><strong>Label</strong> - text` blocks, newest first. The first label
//!   that is not `Update` is the state (`Update` only means "the status did not change").
//! - **Instatus** (`/history.atom|rss`): the same blocks but oldest first, after `Type:`,
//!   `Duration:` and `Affected Components:` lines; the last label is the state.
//! - **incident.io** (`/feed.atom`): `Status: Resolved` and the affected components as a list.
//! - **AWS** (`/rss/all.rss`): one item per *update*, grouped by the `{service}-{region}` key
//!   in the guid; a group closes with `Service is operating normally` or `[RESOLVED]`.
//! - Entries sharing a link (Google's per-update Atom, Better Stack's RSS) are one incident.
//! - **Everything else** (Hetzner, DomainFactory, Zoho, Azure): prose. An entry is resolved
//!   when its title or newest text says so in English or German ("resolved", "behoben",
//!   "abgeschlossen", "beendet", …, not negated), otherwise open only while it is younger than
//!   [`OPEN_WINDOW`]. DomainFactory's `[Update DD.MM.YYYY, HH:MM Uhr]` markers split an entry
//!   into updates; its empty feed holds one `Keine Einträge` item, which means "all well".
//!
//! Zone-less timestamps are read as UTC, or as German local time in German feeds. Bodies are
//! reduced to plain text; updates are stored newest first whatever the feed's order.

use std::collections::HashMap;

use chrono::{DateTime, Duration, FixedOffset, NaiveDateTime, Utc};

use super::html::{self, Timeline};
use super::{Detection, Format, ParseError, Recordings, Spec, time};
use crate::model::{Incident, IncidentState, IncidentUpdate, State, StatusSnapshot};

pub const SPEC: Spec = Spec {
    format: Format::Feed,
    name: "feed",
    endpoint,
    companion: None,
    parse,
    parse_at: Some(parse_at),
    detection: Detection {
        generic_paths: &[
            "history.atom",
            "history.rss",
            "feed.atom",
            "feed.rss",
            "en.atom",
            "de.atom",
            "rss",
            "rdf.xml",
            "rss/all.rss",
            "en-us/status/feed/",
        ],
        names: Some(names_url),
        known_host: Some(known_host),
        markup: true,
        ..Detection::NONE
    },
    recordings: Recordings { extensions: &["rss", "atom"], ..Recordings::NONE },
};

fn names_url(url: &url::Url) -> bool {
    let path = url.path().to_ascii_lowercase();
    super::has_extension(&path, &["rss", "atom", "xml"]) || path.contains("/feed")
}

fn known_host(host: &str, _base: &url::Url) -> Option<url::Url> {
    known_feed(host)
}

/// How long an entry without any resolution marker counts as open (the rule public Hetzner
/// parsers use: an incident nobody closed after a week is over).
pub const OPEN_WINDOW: Duration = Duration::days(7);

/// Hosts whose feed lives at a fixed place, for a base URL that names only the host.
const KNOWN_FEEDS: [(&str, &str); 6] = [
    ("status.df.eu", "https://status.df.eu/rdf.xml"),
    ("status.hetzner.com", "https://status.hetzner.com/en.atom"),
    ("status.aws.amazon.com", "https://status.aws.amazon.com/rss/all.rss"),
    ("health.aws.amazon.com", "https://status.aws.amazon.com/rss/all.rss"),
    ("status.zoho.com", "https://status.zoho.com/rss"),
    ("azure.status.microsoft", "https://azure.status.microsoft/en-us/status/feed/"),
];

/// The feed for a page: a URL that looks like a feed is the feed; a known host gets its known
/// feed (also for a page URL such as `https://status.hetzner.com/en`); a bare host gets the
/// `/history.atom` that Statuspage, Instatus and incident.io pages all serve; any other path
/// is taken as the feed itself.
pub fn endpoint(base: &url::Url) -> url::Url {
    let path = base.path().to_ascii_lowercase();
    if super::has_extension(&path, &["rss", "atom", "xml", "rdf"]) || path.contains("/feed") || path.contains("/rss") {
        return base.clone();
    }
    if let Some(url) = base.host_str().and_then(known_feed) {
        return url;
    }
    if matches!(path.as_str(), "" | "/") { super::endpoint_under(base, "history.atom") } else { base.clone() }
}

/// Known feed URL for a host.
fn known_feed(host: &str) -> Option<url::Url> {
    KNOWN_FEEDS.iter().find(|(h, _)| *h == host).and_then(|(_, feed)| url::Url::parse(feed).ok())
}

fn err(detail: impl Into<String>) -> ParseError {
    ParseError { format: "feed", detail: detail.into() }
}

/// Parses a feed, judging entries without a resolution marker against the newest timestamp in
/// the feed itself. Prefer [`parse_at`] with the real time: a feed nobody writes to anymore
/// would otherwise keep its last entry open forever.
pub fn parse(body: &[u8]) -> Result<StatusSnapshot, ParseError> {
    parse_with(body, None)
}

/// Parses a feed; `now` is the time of the probe. It only decides whether an entry that
/// carries no lifecycle marker at all is still open (younger than [`OPEN_WINDOW`]).
pub fn parse_at(body: &[u8], now: DateTime<FixedOffset>) -> Result<StatusSnapshot, ParseError> {
    parse_with(body, Some(now))
}

/// One feed entry, normalised.
#[derive(Debug, Clone)]
struct Entry {
    id: String,
    title: String,
    link: Option<String>,
    published: Option<DateTime<FixedOffset>>,
    updated: Option<DateTime<FixedOffset>>,
    html: String,
}

impl Entry {
    fn newest_time(&self) -> Option<DateTime<FixedOffset>> {
        self.updated.max(self.published)
    }
}

fn parse_with(body: &[u8], now: Option<DateTime<FixedOffset>>) -> Result<StatusSnapshot, ParseError> {
    let feed = read(body, ZoneLess::Utc)?;
    // German feeds print German wall-clock times; read them again with that in mind.
    let feed = if is_german(&feed) { read(body, ZoneLess::Berlin)? } else { feed };

    let mut placeholders = 0usize;
    let mut entries = Vec::new();
    for e in feed.entries {
        let title = e.title.as_ref().map(|t| html::to_text(&t.content)).unwrap_or_default();
        if is_placeholder(&title) {
            placeholders += 1;
            continue;
        }
        let link = e
            .links
            .iter()
            .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
            .map(|l| l.href.trim().to_owned());
        let html = e
            .content
            .as_ref()
            .and_then(|c| c.body.clone())
            .or_else(|| e.summary.as_ref().map(|s| s.content.clone()))
            .unwrap_or_default();
        entries.push(Entry {
            id: e.id,
            title,
            link,
            published: e.published.map(|t| t.fixed_offset()),
            updated: e.updated.map(|t| t.fixed_offset()),
            html,
        });
    }

    let now = now.or_else(|| entries.iter().filter_map(Entry::newest_time).max());
    let aws = entries.iter().any(|e| aws_key(&e.id).is_some() && aws_severity(&e.title).is_some());
    let incidents = if aws { aws_incidents(&entries) } else { grouped_incidents(&entries, now) };
    // Only an explicit "no entries" item says all is well; an empty feed says nothing.
    let indicator = (placeholders > 0 && incidents.is_empty()).then_some(State::Operational);
    Ok(StatusSnapshot { indicator, components: vec![], incidents })
}

fn read(body: &[u8], zone_less: ZoneLess) -> Result<feed_rs::model::Feed, ParseError> {
    let start = body.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(body.len());
    // feed-rs also reads JSON Feed; a JSON body here is another format's, not a feed.
    if body.get(start) != Some(&b'<') {
        return Err(err("not XML"));
    }
    feed_rs::parser::Builder::new()
        .timestamp_parser(move |s| feed_time(s, zone_less).map(|t| t.with_timezone(&Utc)))
        .build()
        .parse(body)
        .map_err(|e| err(format!("not an RSS or Atom feed: {e}")))
}

/// Every timestamp style feeds use: RFC 3339, RFC 2822 with zone names, and zone-less times.
fn feed_time(s: &str, zone_less: ZoneLess) -> Option<DateTime<FixedOffset>> {
    time::any_zoned(s).or_else(|| time::naive(s).and_then(|local| zone_less.place(local)))
}

/// How a feed's zone-less timestamps are read.
#[derive(Debug, Clone, Copy)]
enum ZoneLess {
    Utc,
    Berlin,
}

impl ZoneLess {
    fn place(self, local: NaiveDateTime) -> Option<DateTime<FixedOffset>> {
        match self {
            ZoneLess::Utc => Some(local.and_utc().fixed_offset()),
            ZoneLess::Berlin => time::berlin(local),
        }
    }
}

fn is_german(feed: &feed_rs::model::Feed) -> bool {
    let language = feed.language.as_deref().is_some_and(|l| l.to_ascii_lowercase().starts_with("de"));
    let host = feed
        .links
        .iter()
        .filter_map(|l| url::Url::parse(&l.href).ok())
        .filter_map(|u| u.host_str().map(str::to_owned))
        .any(|h| h.rsplit('.').next() == Some("de") || h == "status.df.eu");
    language || host
}

fn is_placeholder(title: &str) -> bool {
    const EMPTY: [&str; 5] = ["keine einträge", "keine meldungen", "keine störungen", "no entries", "no incidents"];
    let t = title.trim().trim_end_matches('.').to_lowercase();
    EMPTY.contains(&t.as_str())
}

// --- Lifecycle labels -------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Label {
    State(IncidentState),
    /// "Update": the status did not change.
    Unchanged,
}

/// The label of a Statuspage/Instatus update block, in English or German.
fn label(text: &str) -> Option<Label> {
    use IncidentState as S;
    let state = match text.trim().trim_end_matches(':').to_lowercase().as_str() {
        "investigating" | "untersuchung" | "wird untersucht" => S::Investigating,
        "identified" | "identifiziert" => S::Identified,
        "monitoring" | "überwachung" | "beobachtung" => S::Monitoring,
        "resolved" | "postmortem" | "behoben" | "gelöst" => S::Resolved,
        "scheduled" | "geplant" | "notstartedyet" | "not started yet" => S::Scheduled,
        "in progress" | "inprogress" | "verifying" | "in bearbeitung" | "läuft" => S::InProgress,
        "completed" | "abgeschlossen" => S::Completed,
        "update" | "aktualisierung" => return Some(Label::Unchanged),
        _ => return None,
    };
    Some(Label::State(state))
}

/// Words that close an incident, in English and German.
const RESOLVED_WORDS: [&str; 18] = [
    "resolved",
    "completed",
    "operating normally",
    "has been fixed",
    "fully restored",
    "back to normal",
    "is operational",
    "are operational",
    "fully operational",
    "all systems operational",
    "behoben",
    "abgeschlossen",
    "beendet",
    "erledigt",
    "gelöst",
    "wieder verfügbar",
    "wieder erreichbar",
    "funktioniert wieder",
];

/// Words that, shortly before a resolution word, turn it into its opposite or a promise
/// ("not yet resolved", "noch nicht behoben", "wird behoben", "once resolved", "expected to
/// be completed", "soll heute behoben werden").
const NEGATIONS: [&str; 25] = [
    "not",
    "nicht",
    "noch",
    "yet",
    "wird",
    "werden",
    "being",
    "until",
    "once",
    "sobald",
    "bis",
    "kein",
    "keine",
    "when",
    "after",
    "will",
    "should",
    "expected",
    "expect",
    "hope",
    "soon",
    "soll",
    "sollen",
    "voraussichtlich",
    "bald",
];

/// Whether `text` says the incident is over.
fn says_resolved(text: &str) -> bool {
    let lower = text.to_lowercase();
    RESOLVED_WORDS.iter().any(|word| {
        lower.match_indices(word).any(|(i, _)| {
            // "unresolved", "nicht-behoben": part of a longer word.
            let glued_before = lower[..i].chars().next_back().is_some_and(char::is_alphanumeric);
            let glued_after = lower[i + word.len()..].chars().next().is_some_and(char::is_alphanumeric);
            if glued_before || glued_after {
                return false;
            }
            // The four words before it, from a short window: a long text must not make every
            // match rescan everything before it.
            let from = (0..=i.saturating_sub(96)).rev().find(|&j| lower.is_char_boundary(j)).unwrap_or(0);
            let before = lower[from..i].split_whitespace().rev().take(4);
            !before.map(|w| w.trim_matches(|c: char| !c.is_alphanumeric())).any(|w| NEGATIONS.contains(&w))
        })
    })
}

fn says_maintenance(text: &str) -> bool {
    let lower = text.to_lowercase();
    ["maintenance", "wartung", "scheduled"].iter().any(|w| lower.contains(w))
}

// --- Statuspage, Instatus, incident.io and prose entries ---------------------------------

/// One update while an incident is assembled.
#[derive(Debug, Clone)]
struct Draft {
    at: Option<DateTime<FixedOffset>>,
    label: Option<Label>,
    body: String,
}

/// What one entry contributes.
#[derive(Debug, Clone)]
struct Parsed {
    /// Newest first.
    updates: Vec<Draft>,
    explicit: Option<IncidentState>,
    maintenance: bool,
    components: Vec<String>,
}

fn parse_entry(entry: &Entry) -> Parsed {
    let tl = html::timeline(&entry.html);
    let reference = entry.newest_time();
    let link = entry.link.as_deref().unwrap_or_default();
    let kind = tl.field("Type").map(str::to_lowercase);
    let mut components = split_components(&tl);

    // Title prefixes such as Better Stack's `[Resolved] …`.
    let explicit_title = bracket_prefix(&entry.title).and_then(|(l, _)| label(l)).and_then(|l| match l {
        Label::State(s) => Some(s),
        Label::Unchanged => None,
    });
    let explicit_field = tl.field("Status").and_then(label).and_then(|l| match l {
        Label::State(s) => Some(s),
        Label::Unchanged => None,
    });

    let labelled = tl.fragments.iter().any(|f| label(&f.label).is_some());
    let updates = if labelled {
        // Instatus writes its timeline oldest first, after its `Type:`/`Duration:` lines.
        let oldest_first = tl.field("Type").is_some() || tl.field("Duration").is_some();
        let mut updates: Vec<Draft> = tl
            .fragments
            .iter()
            .map(|f| Draft {
                at: reference.and_then(|r| time::yearless(&f.date, r)),
                label: label(&f.label),
                body: f.body.clone(),
            })
            .collect();
        if oldest_first {
            updates.reverse();
        }
        // A zone abbreviation we do not know: the newest block was written when the entry was
        // last updated, which tells the page's offset.
        if updates.iter().any(|u| u.at.is_none())
            && let Some(written) = reference
        {
            let dates: Vec<&str> = if oldest_first {
                tl.fragments.iter().rev().map(|f| f.date.as_str()).collect()
            } else {
                tl.fragments.iter().map(|f| f.date.as_str()).collect()
            };
            if let Some(offset) = dates.first().and_then(|d| time::yearless_offset(d, written)) {
                for (update, date) in updates.iter_mut().zip(dates) {
                    update.at = update.at.or_else(|| time::yearless_in(date, offset, written));
                }
            }
        }
        updates
    } else {
        let text = html::to_text(&entry.html);
        prose_updates(&text, entry)
    };

    let maintenance = kind.as_deref() == Some("maintenance")
        || link.contains("/maintenance")
        || updates.iter().any(|u| matches!(u.label, Some(Label::State(s)) if s.is_maintenance()))
        || (!labelled && says_maintenance(&entry.title));
    if components.is_empty() {
        components = tl.list_items.iter().map(|item| strip_parenthesis(item)).filter(|s| !s.is_empty()).collect();
    }
    Parsed { updates, explicit: explicit_field.or(explicit_title), maintenance, components }
}

/// Prose: DomainFactory's `[Update DD.MM.YYYY, HH:MM Uhr]` markers split the text; without
/// markers the whole text is one update at the entry's time.
fn prose_updates(text: &str, entry: &Entry) -> Vec<Draft> {
    let fallback = entry.newest_time();
    let mut drafts = Vec::new();
    let markers = update_markers(text);
    let first = markers.first().map_or(text.len(), |m| m.0);
    let preamble = text[..first].trim();
    if !preamble.is_empty() {
        drafts.push(Draft { at: entry.published.or(fallback), label: None, body: preamble.to_owned() });
    }
    for (i, &(start, end)) in markers.iter().enumerate() {
        let next = markers.get(i + 1).map_or(text.len(), |m| m.0);
        let stamp = text[start + 1..end - 1].trim();
        let stamp = stamp.get("update".len()..).unwrap_or_default();
        let stamp = stamp.trim().trim_end_matches("Uhr").trim_end_matches("uhr").trim();
        let at = time::naive(stamp).and_then(time::berlin).or(fallback);
        drafts.push(Draft { at, label: None, body: text[end..next].trim().to_owned() });
    }
    // Whether the page prepends or appends updates, their own times order them.
    drafts.sort_by_key(|u| std::cmp::Reverse(u.at));
    drafts
}

/// Byte ranges of `[Update …]` markers (any case), in order and never overlapping. A marker
/// is short: the closing bracket is looked for only nearby, so the scan stays linear.
fn update_markers(text: &str) -> Vec<(usize, usize)> {
    const OPEN: &[u8] = b"[update";
    const LONGEST: usize = 64;
    let bytes = text.as_bytes();
    let mut markers = Vec::new();
    let mut i = 0;
    while i + OPEN.len() <= bytes.len() {
        if bytes[i..i + OPEN.len()].eq_ignore_ascii_case(OPEN)
            && let Some(close) = bytes[i..(i + LONGEST).min(bytes.len())].iter().position(|&b| b == b']')
        {
            markers.push((i, i + close + 1));
            i += close + 1;
        } else {
            i += 1;
        }
    }
    markers
}

/// `[Resolved] Title` → (`Resolved`, `Title`).
fn bracket_prefix(title: &str) -> Option<(&str, &str)> {
    let rest = title.trim_start().strip_prefix('[')?;
    let (inside, after) = rest.split_once(']')?;
    Some((inside.trim(), after.trim()))
}

fn strip_parenthesis(item: &str) -> String {
    match item.rfind(" (") {
        Some(i) if item.ends_with(')') => item[..i].trim().to_owned(),
        _ => item.trim().to_owned(),
    }
}

fn split_components(tl: &Timeline) -> Vec<String> {
    tl.field("Affected Components")
        .or_else(|| tl.field("Affected components"))
        .map(|v| v.split([',', '\n']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect())
        .unwrap_or_default()
}

/// The id a status page gives an incident: the last segment of its page link, which is also
/// the API id (Statuspage's Atom id embeds another number); else the entry id.
fn incident_id(entry: &Entry) -> String {
    entry
        .link
        .as_deref()
        .filter(|l| ["/incidents/", "/incident/", "/maintenance/", "/maintenances/"].iter().any(|p| l.contains(p)))
        .and_then(|l| l.trim_end_matches('/').rsplit('/').next())
        .filter(|s| !s.is_empty())
        .map_or_else(|| entry.id.clone(), str::to_owned)
}

/// Whether a link names one incident's page. Only such links group entries: feeds that link
/// every item to the same overview page (one item per component, Zoho) must not merge.
fn is_incident_page(link: &str) -> bool {
    ["/incident", "/maintenance"].iter().any(|p| link.contains(p))
}

fn grouped_incidents(entries: &[Entry], now: Option<DateTime<FixedOffset>>) -> Vec<Incident> {
    // Per-update feeds repeat the incident's link on every entry: those entries are one incident.
    let mut groups: Vec<Vec<&Entry>> = Vec::new();
    // An index, not a search: a hostile feed may hold a hundred thousand entries.
    let mut index: HashMap<&str, usize> = HashMap::new();
    for entry in entries {
        let key = match entry.link.as_deref() {
            Some(link) if is_incident_page(link) => link,
            _ => entry.id.as_str(),
        };
        if let Some(&i) = index.get(key) {
            groups[i].push(entry);
        } else {
            index.insert(key, groups.len());
            groups.push(vec![entry]);
        }
    }
    groups.into_iter().map(|members| group_incident(&members, now)).collect()
}

fn group_incident(members: &[&Entry], now: Option<DateTime<FixedOffset>>) -> Incident {
    let mut members = members.to_vec();
    members.sort_by_key(|e| std::cmp::Reverse(e.newest_time()));
    let newest = members[0];
    let parsed: Vec<Parsed> = members.iter().map(|e| parse_entry(e)).collect();
    let maintenance = parsed.iter().any(|p| p.maintenance);
    let explicit = parsed.first().and_then(|p| p.explicit);
    let mut drafts: Vec<Draft> = parsed.iter().flat_map(|p| p.updates.clone()).collect();
    if members.len() > 1 {
        drafts.sort_by_key(|u| std::cmp::Reverse(u.at));
    }
    let mut seen = std::collections::HashSet::new();
    let components: Vec<String> =
        parsed.iter().flat_map(|p| p.components.iter()).filter(|c| seen.insert(c.as_str())).cloned().collect();
    let title = bracket_prefix(&newest.title)
        .filter(|(l, _)| label(l).is_some())
        .map_or_else(|| newest.title.clone(), |(_, rest)| rest.to_owned());

    let opening = if maintenance { IncidentState::Scheduled } else { IncidentState::Investigating };
    let labelled = drafts.iter().any(|d| d.label.is_some());
    let (state, statuses) = if labelled {
        // Oldest to newest, "Update" keeps whatever state came before it.
        let mut current = opening;
        let mut statuses: Vec<IncidentState> = drafts
            .iter()
            .rev()
            .map(|d| {
                if let Some(Label::State(s)) = d.label {
                    current = s;
                }
                current
            })
            .collect();
        statuses.reverse();
        (current, statuses)
    } else {
        let state = explicit.unwrap_or_else(|| prose_state(newest, drafts.first(), maintenance, now));
        let open_state = if state.is_open() {
            state
        } else if maintenance {
            IncidentState::InProgress
        } else {
            IncidentState::Investigating
        };
        let statuses = (0..drafts.len()).map(|i| if i == 0 { state } else { open_state }).collect();
        (state, statuses)
    };

    let updates: Vec<IncidentUpdate> = drafts
        .iter()
        .zip(statuses)
        .filter_map(|(d, status)| Some(IncidentUpdate { at: d.at?, status, body: d.body.clone() }))
        .collect();
    let started_at = members.iter().filter_map(|e| e.published).chain(updates.iter().map(|u| u.at)).min();
    let updated_at = members.iter().filter_map(|e| e.updated).max().or_else(|| updates.first().map(|u| u.at));
    Incident {
        id: incident_id(newest),
        title,
        state,
        // Feeds rate no impact; an open incident still counts as at least degraded.
        impact: if maintenance { State::Maintenance } else { State::Unknown },
        started_at,
        updated_at,
        url: newest.link.clone(),
        updates,
        components,
    }
}

/// The state of an entry that carries no lifecycle labels: resolution words close it; without
/// them it is open while younger than [`OPEN_WINDOW`] (or when we cannot tell its age).
fn prose_state(
    entry: &Entry,
    newest: Option<&Draft>,
    maintenance: bool,
    now: Option<DateTime<FixedOffset>>,
) -> IncidentState {
    let closed = if maintenance { IncidentState::Completed } else { IncidentState::Resolved };
    let open = if maintenance { IncidentState::Scheduled } else { IncidentState::Investigating };
    if says_resolved(&entry.title) || newest.is_some_and(|d| says_resolved(&d.body)) {
        return closed;
    }
    let last = entry.newest_time().max(newest.and_then(|d| d.at));
    match (now, last) {
        (Some(now), Some(last)) if now - last > OPEN_WINDOW => closed,
        _ => open,
    }
}

// --- AWS ---------------------------------------------------------------------------------

/// `https://status.aws.amazon.com/#directconnect-eu-central-1_1787025679` →
/// (`directconnect-eu-central-1`, 1787025679).
fn aws_key(guid: &str) -> Option<(&str, &str)> {
    let fragment = guid.rsplit_once('#')?.1;
    let (key, epoch) = fragment.rsplit_once('_')?;
    (!key.is_empty() && !epoch.is_empty() && epoch.chars().all(|c| c.is_ascii_digit())).then_some((key, epoch))
}

/// The severity an AWS title starts with, and the rest of the title.
fn aws_severity(title: &str) -> Option<(State, &str)> {
    let (prefix, rest) = title.split_once(':')?;
    let state = match prefix.trim().to_lowercase().as_str() {
        "service is operating normally" => State::Operational,
        "informational message" | "service degradation" => State::Degraded,
        "service impact" => State::PartialOutage,
        "service disruption" => State::MajorOutage,
        _ => return None,
    };
    Some((state, rest.trim()))
}

/// `directconnect-eu-central-1` → the key, the service and (when present) the region, so a
/// component filter can name any of the three.
fn aws_components(key: &str) -> Vec<String> {
    let mut names = vec![key.to_owned()];
    if let Some((service, region)) = key.split_once('-')
        && region.ends_with(|c: char| c.is_ascii_digit())
    {
        names.push(service.to_owned());
        names.push(region.to_owned());
    }
    names
}

struct AwsItem<'a> {
    entry: &'a Entry,
    epoch: &'a str,
    severity: State,
    title: String,
    resolved: bool,
}

fn aws_incidents(entries: &[Entry]) -> Vec<Incident> {
    let mut groups: Vec<(&str, Vec<AwsItem<'_>>)> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for entry in entries {
        let Some((key, epoch)) = aws_key(&entry.id) else { continue };
        let (severity, rest) = aws_severity(&entry.title).unwrap_or((State::Unknown, entry.title.as_str()));
        let resolved = severity == State::Operational || rest.to_uppercase().contains("[RESOLVED]");
        let title = rest.replace("[RESOLVED]", "").replace("[Resolved]", "").trim().to_owned();
        let item = AwsItem { entry, epoch, severity, title, resolved };
        if let Some(&i) = index.get(key) {
            groups[i].1.push(item);
        } else {
            index.insert(key, groups.len());
            groups.push((key, vec![item]));
        }
    }
    let mut incidents = Vec::new();
    for (key, mut items) in groups {
        items.sort_by_key(|i| i.entry.published);
        // Oldest to newest; a resolution closes the incident, the next item opens a new one.
        let mut run: Vec<AwsItem<'_>> = Vec::new();
        for item in items {
            let closes = item.resolved;
            run.push(item);
            if closes {
                incidents.push(aws_incident(key, &run));
                run.clear();
            }
        }
        if !run.is_empty() {
            incidents.push(aws_incident(key, &run));
        }
    }
    // Newest activity first, like every other list we produce.
    incidents.sort_by_key(|i| std::cmp::Reverse(i.updated_at));
    incidents
}

fn aws_incident(key: &str, run: &[AwsItem<'_>]) -> Incident {
    let last = run.last();
    let resolved = last.is_some_and(|i| i.resolved);
    let state = if resolved { IncidentState::Resolved } else { IncidentState::Investigating };
    let impact = if resolved {
        State::worst(run.iter().map(|i| i.severity).filter(|s| *s != State::Operational))
    } else {
        last.map_or(State::Unknown, |i| i.severity)
    };
    let impact = if impact == State::Operational { State::Unknown } else { impact };
    let mut updates: Vec<IncidentUpdate> = run
        .iter()
        .filter_map(|i| {
            let status = if i.resolved { IncidentState::Resolved } else { IncidentState::Investigating };
            Some(IncidentUpdate { at: i.entry.published?, status, body: html::to_text(&i.entry.html) })
        })
        .collect();
    updates.reverse();
    Incident {
        id: format!("{key}_{}", run.first().map_or("", |i| i.epoch)),
        title: last.map(|i| i.title.clone()).unwrap_or_default(),
        state,
        impact,
        started_at: run.first().and_then(|i| i.entry.published),
        updated_at: last.and_then(|i| i.entry.published),
        url: last.and_then(|i| i.entry.link.clone()),
        updates,
        components: aws_components(key),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/");

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(format!("{FIXTURES}{name}")).unwrap()
    }

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    #[test]
    fn resolution_words_and_negations() {
        assert!(says_resolved("Die Störung ist behoben."));
        assert!(says_resolved("[RESOLVED] Increased error rates"));
        assert!(says_resolved("Die Arbeiten sind abgeschlossen"));
        assert!(says_resolved("This incident has been resolved."));
        assert!(!says_resolved("Die Störung ist noch nicht behoben."));
        assert!(!says_resolved("Der Fehler wird behoben."));
        assert!(!says_resolved("We will update once the issue is resolved."));
        assert!(!says_resolved("The issue is unresolved."));
        assert!(!says_resolved("We are investigating."));
        assert!(!says_resolved("The work is expected to be completed by 18:00."));
        assert!(!says_resolved("Die Störung soll heute behoben werden."));
        assert!(says_resolved("All systems operational."));
        assert!(!says_resolved("The service is not operational."));
        let hostile = "resolvedresolved".repeat(300_000) + " not resolved";
        let started = std::time::Instant::now();
        assert!(!says_resolved(&hostile));
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn update_markers_are_linear_and_safe() {
        let text = "Start. [Update 22.10.2024, 14:00 Uhr] one [UPDATE 23.10.2024 09:30] two [update never closed";
        let markers = update_markers(text);
        assert_eq!(markers.len(), 2);
        assert_eq!(&text[markers[0].0..markers[0].1], "[Update 22.10.2024, 14:00 Uhr]");
        // Nested or unclosed markers and multibyte text around them neither panic nor crawl.
        let hostile = "[update [update İ ]]".repeat(10_000) + &"[update".repeat(200_000);
        let started = std::time::Instant::now();
        let entry = Entry {
            id: "x".into(),
            title: "t".into(),
            link: None,
            published: None,
            updated: None,
            html: String::new(),
        };
        assert_eq!(prose_updates(&hostile, &entry).len(), 10_000);
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn labels() {
        assert_eq!(label("Update"), Some(Label::Unchanged));
        assert_eq!(label(" In progress "), Some(Label::State(IncidentState::InProgress)));
        assert_eq!(label("Postmortem"), Some(Label::State(IncidentState::Resolved)));
        assert_eq!(label("Behoben"), Some(Label::State(IncidentState::Resolved)));
        assert_eq!(label("Whatever"), None);
    }

    #[test]
    fn domainfactory_empty_feed_means_all_well() {
        let s = parse_at(&fixture("domainfactory-rdf-empty.xml"), at("2024-10-23T12:00:00Z")).unwrap();
        assert_eq!(s.indicator, Some(State::Operational));
        assert!(s.incidents.is_empty());
    }

    #[test]
    fn domainfactory_updates_in_german_local_time() {
        let now = at("2024-10-23T12:00:00+02:00");
        let s = parse_at(&fixture("domainfactory-rdf-mail-outage.xml"), now).unwrap();
        assert_eq!(s.indicator, None);
        let mail = &s.incidents[0];
        assert_eq!(mail.title, "Störung Mailcluster mailcluster3");
        assert_eq!(mail.state, IncidentState::Investigating);
        // `dc:date` without zone, in summer time.
        assert_eq!(mail.started_at, Some(at("2024-10-22T08:15:00+02:00")));
        let times: Vec<_> = mail.updates.iter().map(|u| u.at).collect();
        assert_eq!(
            times,
            [at("2024-10-23T09:30:00+02:00"), at("2024-10-22T14:00:00+02:00"), at("2024-10-22T08:15:00+02:00")]
        );
        assert!(mail.updates[0].body.starts_with("Die Zustellung läuft langsam wieder an"));
        assert!(!mail.updates.iter().any(|u| u.body.contains("[Update")));
        // The older entry says "behoben" and is closed.
        let fixed = &s.incidents[1];
        assert_eq!(fixed.state, IncidentState::Resolved);
        assert_eq!(s.overall(), State::Degraded);
    }

    #[test]
    fn paypal_titles_resolved_closes_and_initial_notification_is_open() {
        let s = parse_at(&fixture("paypal-feed.atom"), at("2026-11-30T11:00:00Z")).unwrap();
        let by_title = |start: &str| s.incidents.iter().find(|i| i.title.starts_with(start)).unwrap();
        assert_eq!(by_title("Initial Notification:").state, IncidentState::Investigating);
        assert_eq!(by_title("Resolved:").state, IncidentState::Resolved);
        // A rescheduled maintenance is announced, not an outage.
        let rescheduled = by_title("Rescheduled:");
        assert_eq!((rescheduled.state, rescheduled.impact), (IncidentState::Scheduled, State::Maintenance));
        assert_eq!(s.overall(), State::Degraded);
    }

    #[test]
    fn hetzner_window_and_keywords() {
        let body = fixture("hetzner-atom.xml");
        let now = at("2026-03-10T12:00:00Z");
        let s = parse_at(&body, now).unwrap();
        let state = |id: &str| s.incidents.iter().find(|i| i.id == id).unwrap().state;
        // Young and without a resolution word: open.
        assert_eq!(state("0b7c1d2e-0000-4000-8000-000000000001"), IncidentState::Investigating);
        // Young but "resolved".
        assert_eq!(state("0b7c1d2e-0000-4000-8000-000000000002"), IncidentState::Resolved);
        // Nobody closed it, but it is older than the window.
        assert_eq!(state("0b7c1d2e-0000-4000-8000-000000000003"), IncidentState::Resolved);
        // A maintenance announcement is scheduled, not an outage.
        let maintenance = s.incidents.iter().find(|i| i.id == "0b7c1d2e-0000-4000-8000-000000000004").unwrap();
        assert_eq!(maintenance.state, IncidentState::Scheduled);
        assert_eq!(maintenance.impact, State::Maintenance);
        assert_eq!(s.overall(), State::Degraded);
        // A week later the open one has aged out too.
        let later = parse_at(&body, at("2026-03-20T12:00:00Z")).unwrap();
        assert_eq!(later.overall(), State::Operational);
        // Without `now`, the newest entry's time stands in for it.
        assert_eq!(parse(&body).unwrap().overall(), State::Degraded);
    }

    #[test]
    fn instatus_feed_oldest_first() {
        let s = parse_at(&fixture("instatus-history.rss"), at("2025-09-26T00:00:00Z")).unwrap();
        let open = &s.incidents[0];
        assert_eq!(open.id, "cmfz0a1b2000001abcdefgh12");
        assert_eq!(open.state, IncidentState::Monitoring);
        assert_eq!(open.components, vec!["Website".to_owned(), "API".to_owned()]);
        let statuses: Vec<_> = open.updates.iter().map(|u| u.status).collect();
        // "Update" keeps the state before it.
        assert_eq!(
            statuses,
            [
                IncidentState::Monitoring,
                IncidentState::Identified,
                IncidentState::Identified,
                IncidentState::Investigating
            ]
        );
        assert_eq!(open.updates[3].at, at("2025-09-25T15:15:00Z"));
        assert!(open.updates.windows(2).all(|w| w[0].at >= w[1].at));
        let maintenance = &s.incidents[1];
        assert_eq!(maintenance.state, IncidentState::Completed);
        assert_eq!(maintenance.impact, State::Maintenance);
        assert_eq!(s.overall(), State::Degraded);
    }

    #[test]
    fn incident_io_and_better_stack_and_google_per_update_feeds() {
        let s = parse_at(&fixture("incident-io-feed.atom"), at("2026-09-23T12:00:00Z")).unwrap();
        let resolved = &s.incidents[0];
        assert_eq!(resolved.state, IncidentState::Resolved);
        assert_eq!(resolved.components, vec!["Login".to_owned(), "API".to_owned()]);
        let open = &s.incidents[1];
        assert_eq!(open.state, IncidentState::Identified);

        let s = parse_at(&fixture("better-stack-feed.rss"), at("2026-09-05T00:00:00Z")).unwrap();
        assert_eq!(s.incidents.len(), 2);
        let db = &s.incidents[0];
        assert_eq!(db.title, "Database connection issues");
        assert_eq!(db.state, IncidentState::Resolved);
        assert_eq!(db.updates.len(), 2);
        assert_eq!(db.updates[1].status, IncidentState::Investigating);
        assert_eq!(s.incidents[1].state, IncidentState::Investigating);

        let s = parse_at(&fixture("google-workspace-feed.atom"), at("2026-09-23T12:00:00Z")).unwrap();
        assert_eq!(s.incidents.len(), 1);
        let gmail = &s.incidents[0];
        assert_eq!(gmail.updates.len(), 3);
        assert_eq!(gmail.state, IncidentState::Resolved);
        assert_eq!(gmail.started_at, Some(at("2026-09-23T06:20:00Z")));
    }

    #[test]
    fn statuspage_entry_in_an_unknown_zone() {
        // `IST` is not in the zone table: the newest block was written at `<updated>`.
        let body = br#"<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom">
            <id>tag:status.example.in,2005:/history</id><title>t</title>
            <entry><id>tag:status.example.in,2005:Incident/1</id>
              <published>2026-07-09T04:30:00Z</published><updated>2026-07-09T06:01:43Z</updated>
              <link rel="alternate" type="text/html" href="https://status.example.in/incidents/abc123"/>
              <title>Mail delays</title>
              <content type="html">&lt;p&gt;&lt;small&gt;Jul &lt;var data-var='date'&gt; 9&lt;/var&gt;, &lt;var data-var='time'&gt;11:31&lt;/var&gt; IST&lt;/small&gt;&lt;br&gt;&lt;strong&gt;Update&lt;/strong&gt; - Still on it.&lt;/p&gt;&lt;p&gt;&lt;small&gt;Jul &lt;var data-var='date'&gt; 9&lt;/var&gt;, &lt;var data-var='time'&gt;10:00&lt;/var&gt; IST&lt;/small&gt;&lt;br&gt;&lt;strong&gt;Investigating&lt;/strong&gt; - Mail is delayed.&lt;/p&gt;</content>
            </entry></feed>"#;
        let s = parse_at(body, at("2026-07-09T07:00:00Z")).unwrap();
        let incident = &s.incidents[0];
        assert_eq!(incident.id, "abc123");
        assert_eq!(incident.state, IncidentState::Investigating);
        let times: Vec<_> = incident.updates.iter().map(|u| u.at).collect();
        assert_eq!(times, [at("2026-07-09T11:31:00+05:30"), at("2026-07-09T10:00:00+05:30")]);
    }

    #[test]
    fn items_sharing_an_overview_link_stay_apart() {
        // One item per component, all linking to the page itself (Zoho's feed does this).
        let body = br#"<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
            <link>https://status.example.com/</link>
            <item><title>Mail - IMAP</title><link>https://status.example.com/</link>
              <pubDate>Mon, 09 Mar 2026 10:00:00 +0000</pubDate><description>Slow logins.</description></item>
            <item><title>Mail - SMTP</title><link>https://status.example.com/</link>
              <pubDate>Mon, 09 Mar 2026 11:00:00 +0000</pubDate><description>Mail is delayed.</description></item>
            </channel></rss>"#;
        let s = parse_at(body, at("2026-03-10T00:00:00Z")).unwrap();
        let titles: Vec<_> = s.incidents.iter().map(|i| i.title.as_str()).collect();
        assert_eq!(titles, ["Mail - IMAP", "Mail - SMTP"]);
        assert!(s.incidents.iter().all(|i| i.state == IncidentState::Investigating && i.updates.len() == 1));
    }

    #[test]
    fn endpoints() {
        let u = |s: &str| url::Url::parse(s).unwrap();
        assert_eq!(endpoint(&u("https://status.df.eu/")).as_str(), "https://status.df.eu/rdf.xml");
        assert_eq!(endpoint(&u("https://status.hetzner.com")).as_str(), "https://status.hetzner.com/en.atom");
        assert_eq!(endpoint(&u("https://status.hetzner.com/de.atom")).as_str(), "https://status.hetzner.com/de.atom");
        assert_eq!(endpoint(&u("https://www.githubstatus.com")).as_str(), "https://www.githubstatus.com/history.atom");
        assert_eq!(endpoint(&u("https://status.hetzner.com/en")).as_str(), "https://status.hetzner.com/en.atom");
        assert_eq!(endpoint(&u("https://status.zoho.com/rss")).as_str(), "https://status.zoho.com/rss");
        assert_eq!(endpoint(&u("https://x.io/status/feed")).as_str(), "https://x.io/status/feed");
    }

    /// Meta's outage feed for the WhatsApp Business API (research catalog audit §2.2): RSS 2.0,
    /// empty while all is well, one item per open outage.
    #[test]
    fn an_outage_feed_is_well_when_empty_and_open_with_an_item() {
        let now = DateTime::parse_from_rfc3339("2026-11-24T10:30:00+00:00").unwrap();
        let empty = br#"<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>
            <title>WhatsApp Business API outage events</title><link>https://metastatus.com/</link>
            <description>Outage events</description></channel></rss>"#;
        let quiet = parse_at(empty, now).unwrap();
        assert_eq!((quiet.overall(), quiet.incidents.len()), (State::Operational, 0));
        let outage = br#"<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>
            <title>WhatsApp Business API outage events</title><link>https://metastatus.com/</link>
            <description>Outage events</description>
            <item><title>Cloud API: High disruptions</title><link>https://metastatus.com/whatsapp-business-api</link>
            <guid>wa-1</guid><pubDate>Tue, 24 Nov 2026 10:02:00 GMT</pubDate>
            <description>Messages are delayed or not delivered.</description></item></channel></rss>"#;
        let open = parse_at(outage, now).unwrap();
        assert_eq!(open.incidents.len(), 1);
        assert!(open.incidents[0].state.is_open(), "{:?}", open.incidents[0]);
        assert!(open.overall().is_problem(), "{:?}", open.overall());
    }

    #[test]
    fn not_a_feed() {
        assert!(parse(b"").is_err());
        assert!(parse(b"{\"version\":\"https://jsonfeed.org/version/1.1\",\"items\":[]}").is_err());
        assert!(parse(b"<html><body>hi</body></html>").is_err());
        assert!(parse(b"<rss version=\"2.0\"><channel><item><title>x</title></item>").is_err());
    }
}

//! The round trip's rules: which test mails are on their way, when to send the next one and
//! when to look again, and what the mails seen so far say — delivered, late, lost, in the
//! spam folder, refused or bounced. Pure: the engine sends, looks and stores; time and the
//! mails come in as arguments.

use std::time::Duration;

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::config::Roundtrip;
use crate::model::{Outcome, Reason};
use crate::text::{Language, clock_time};

/// The header every test mail carries its key in (the subject carries it too).
pub const HEADER: &str = "X-Outage-Notifier-Probe";
/// At most this many mails of one check on their way and not yet overdue: no more are sent
/// while they travel (a queue that holds mail gets no pile of ours).
pub const MAX_IN_FLIGHT: usize = 3;
/// A mail not seen in a week is not looked for any more.
pub const GIVE_UP_AFTER: Duration = Duration::from_hours(168);

/// What judging and naming a round trip's mails needs. The config's round trip gives it; the
/// history keeps it beside the mails, so the late and lost mails of a round trip removed from
/// the config are still judged by its own thresholds and named by its route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// The sending server's host.
    pub smtp: String,
    /// The receiving mailbox's server's host.
    pub imap: String,
    /// The address the mails go to.
    pub to: String,
    pub interval: Duration,
    pub warn_after: Duration,
    pub fail_after: Duration,
}

impl Route {
    /// The way the mails take, as a person reads it: "smtp.ionos.de → imap.ionos.de".
    pub fn words(&self) -> String {
        format!("{} → {}", self.smtp, self.imap)
    }
}

impl Roundtrip {
    pub fn route(&self) -> Route {
        Route {
            smtp: self.smtp.host.clone(),
            imap: self.imap.host.clone(),
            to: self.to.clone(),
            interval: self.interval,
            warn_after: self.warn_after,
            fail_after: self.fail_after,
        }
    }
}

/// What became of a test mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, rename_all = "snake_case")]
pub enum Place {
    /// Arrived in the INBOX.
    Inbox,
    /// Arrived in the spam folder.
    Junk,
    /// A bounce carrying its key came back: it was never delivered.
    Bounced,
    /// The provider refused to take it (MAIL, RCPT or DATA refused).
    Rejected,
    /// The login for sending was refused: the account's problem.
    LoginRefused,
}

impl Place {
    pub const ALL: [Place; 5] = [Place::Inbox, Place::Junk, Place::Bounced, Place::Rejected, Place::LoginRefused];

    pub fn as_str(self) -> &'static str {
        match self {
            Place::Inbox => "inbox",
            Place::Junk => "junk",
            Place::Bounced => "bounced",
            Place::Rejected => "rejected",
            Place::LoginRefused => "login_refused",
        }
    }

    pub fn parse(s: &str) -> Option<Place> {
        Place::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// Whether the mail reached the mailbox (in any folder).
    pub fn delivered(self) -> bool {
        matches!(self, Place::Inbox | Place::Junk)
    }
}

/// How a test mail ended: where, when we saw it, and its delivery time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arrival {
    /// The look that found it (or the refused send).
    pub seen: DateTime<FixedOffset>,
    /// From sending to delivery, as the mailbox's `Received` header shows it.
    pub delay_ms: u64,
    pub place: Place,
}

/// One test mail as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeMail {
    pub key: String,
    pub sent: DateTime<FixedOffset>,
    pub arrival: Option<Arrival>,
}

impl ProbeMail {
    fn age(&self, now: DateTime<FixedOffset>) -> Duration {
        (now - self.sent).to_std().unwrap_or(Duration::ZERO)
    }

    /// Still looked for: not arrived and not given up on.
    pub fn in_flight(&self, now: DateTime<FixedOffset>) -> bool {
        self.arrival.is_none() && self.age(now) < GIVE_UP_AFTER
    }
}

/// The part of every key that names the check, so a look finds this check's mails and no
/// one else's (`onp` and 16 hex digits of a hash of the check id).
pub fn tag(check_id: &str) -> String {
    let hash =
        check_id.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    format!("onp{hash:016x}")
}

/// A new mail's key: the check's tag and the sending time in milliseconds.
pub fn key(check_id: &str, sent: DateTime<FixedOffset>) -> String {
    format!("{}-{}", tag(check_id), sent.timestamp_millis())
}

/// The first key of this tag in `text` (a header value, or a bounce's body).
pub fn key_in(text: &str, tag: &str) -> Option<String> {
    let mut rest = text;
    while let Some(at) = rest.find(tag) {
        let after = &rest[at + tag.len()..];
        if let Some(digits) = after.strip_prefix('-') {
            let n = digits.bytes().take_while(u8::is_ascii_digit).count();
            if n > 0 {
                return Some(format!("{tag}-{}", &digits[..n]));
            }
        }
        rest = after;
    }
    None
}

/// What a message found by a look is to the round trip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    pub key: String,
    /// A bounce that carries the key (in the returned headers), not the mail itself.
    pub bounce: bool,
    /// The date of the topmost `Received` header: when the mailbox took the mail.
    pub received: Option<DateTime<FixedOffset>>,
}

/// Reads a message a look fetched (untrusted bytes, at most a few KiB are looked at): ours
/// when our header carries a key of `tag`, a bounce when a delivery report from the mailer
/// daemon quotes one. Anything else that merely mentions a key (a reply, a forward) is not
/// ours and is left alone.
pub fn read_message(bytes: &[u8], tag: &str) -> Option<Seen> {
    let text = String::from_utf8_lossy(bytes);
    let (head, body) = text.split_once("\r\n\r\n").or_else(|| text.split_once("\n\n")).unwrap_or((text.as_ref(), ""));
    let headers = unfold(head);
    let header = |name: &str| headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str());
    let received = headers.iter().find(|(n, _)| n.eq_ignore_ascii_case("Received")).and_then(|(_, v)| received_date(v));
    if let Some(key) = header(HEADER).and_then(|v| key_in(v, tag)) {
        return Some(Seen { key, bounce: false, received });
    }
    let from = header("From").unwrap_or("").to_ascii_lowercase();
    let report = header("Content-Type").is_some_and(|c| c.to_ascii_lowercase().contains("multipart/report"));
    if report || from.contains("mailer-daemon") || from.contains("postmaster") {
        return key_in(body, tag).map(|key| Seen { key, bounce: true, received });
    }
    None
}

/// Header fields with continuation lines joined (RFC 5322 §2.2.3).
fn unfold(head: &str) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = Vec::new();
    for line in head.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = fields.last_mut() {
                value.push(' ');
                value.push_str(line.trim());
            }
        } else if let Some((name, value)) = line.split_once(':') {
            fields.push((name.trim().to_owned(), value.trim().to_owned()));
        }
    }
    fields
}

/// The date after the last `;` of a `Received` field, without a trailing comment.
fn received_date(value: &str) -> Option<DateTime<FixedOffset>> {
    let date = value.rsplit_once(';')?.1.trim();
    let date = match date.rfind('(') {
        Some(open) if date.ends_with(')') => date[..open].trim(),
        _ => date,
    };
    DateTime::parse_from_rfc2822(date).ok()
}

/// The subject of a test mail: says plainly what it is, in the user's language.
pub fn subject(key: &str, lang: Language) -> String {
    match lang {
        Language::De => format!("Outage Notifier: Testnachricht – wird automatisch gelöscht [{key}]"),
        Language::En => format!("Outage Notifier: test message – deleted automatically [{key}]"),
    }
}

/// The body of a test mail.
pub fn body(lang: Language) -> &'static str {
    match lang {
        Language::De => {
            "Diese Nachricht prüft, ob Mails an Sie ankommen. Outage Notifier löscht sie, sobald es sie gefunden hat.\r\n"
        }
        Language::En => {
            "This message checks that mail reaches you. Outage Notifier deletes it as soon as it has found it.\r\n"
        }
    }
}

/// Whether a new mail goes out now: one per interval, and not while [`MAX_IN_FLIGHT`] mails
/// travel that are not yet overdue.
pub fn send_due(mails: &[ProbeMail], now: DateTime<FixedOffset>, trip: &Roundtrip) -> bool {
    let last = mails.iter().map(|m| m.sent).max();
    let interval_passed = last.is_none_or(|last| (now - last).to_std().unwrap_or(Duration::ZERO) >= trip.interval);
    let travelling = mails.iter().filter(|m| m.in_flight(now) && m.age(now) < trip.fail_after).count();
    interval_passed && travelling < MAX_IN_FLIGHT
}

/// When to look again, counted from this look (`now`). Each look is an IMAP session (TLS, login,
/// a search in two folders), so there is none that says nothing new:
/// - at the next send (one per interval; its cycle looks first);
/// - a mail on time so far: at `warn_after` — the look that says "delayed" if it is not there —
///   and, while no mail is late, once before at a fifth of `warn_after`, which finds a mail
///   that travels as usual and deletes it before a mail client shows it;
/// - a late mail: every fifth of the time from `warn_after` to `fail_after` (its arrival ends
///   the delay within one such step), and at `fail_after` itself;
/// - a lost mail: one step after `fail_after` (the look that confirms it), then at gaps that
///   double up to the interval, for its late arrival.
///
/// Steps count from this look, not from each mail's sending, so the mails on their way share
/// their looks instead of each bringing its own.
pub fn next_look(mails: &[ProbeMail], now: DateTime<FixedOffset>, trip: &Roundtrip) -> Duration {
    let since = |t: DateTime<FixedOffset>| (now - t).to_std().unwrap_or(Duration::ZERO);
    let in_time = mails.iter().filter(|m| m.in_flight(now) && m.age(now) < trip.fail_after).count();
    // While [`MAX_IN_FLIGHT`] mails travel, no send is due at the interval: the next one waits
    // for the oldest to pass `fail_after`, which is a look of its own below. (Counting the
    // interval then made a look every second until it did.)
    let mut next = match mails.iter().map(|m| m.sent).max() {
        _ if in_time >= MAX_IN_FLIGHT => trip.interval,
        Some(last) => trip.interval.saturating_sub(since(last)),
        None => trip.interval,
    };
    let step =
        (trip.fail_after.saturating_sub(trip.warn_after) / 5).max(trip.warn_after / 5).max(Duration::from_secs(1));
    let travelling: Vec<&ProbeMail> = mails.iter().filter(|m| m.in_flight(now)).collect();
    let late = travelling.iter().any(|m| m.age(now) >= trip.warn_after);
    for mail in travelling {
        let age = mail.age(now);
        let due = if age < trip.warn_after {
            let early = trip.warn_after / 5;
            if !late && age < early { early.saturating_sub(age) } else { trip.warn_after.saturating_sub(age) }
        } else if age < trip.fail_after {
            step.min(trip.fail_after.saturating_sub(age))
        } else {
            lost_look(age.saturating_sub(trip.fail_after), step, trip.interval.max(step))
        };
        next = next.min(due);
    }
    next.max(Duration::from_secs(1))
}

/// How long until the next look for a mail `past` beyond `fail_after`: at one step after it,
/// then at gaps that double from `step` up to `cap`, then every `cap`.
fn lost_look(past: Duration, step: Duration, cap: Duration) -> Duration {
    let (mut at, mut gap) = (step, step);
    while at <= past {
        if gap >= cap {
            // Every `cap` from here on: no loop over days of them.
            let behind = past.saturating_sub(at).as_millis() / cap.as_millis().max(1) + 1;
            let ahead = at + cap.saturating_mul(u32::try_from(behind).unwrap_or(u32::MAX));
            return ahead.saturating_sub(past);
        }
        gap = gap.saturating_mul(2).min(cap);
        at += gap;
    }
    at.saturating_sub(past)
}

/// What one look concluded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judged {
    pub outcome: Outcome,
    pub reason: Option<Reason>,
    /// The latest delivered mail's delivery time.
    pub latency_ms: Option<u64>,
    /// In the user's language.
    pub message: String,
    /// When the oldest mail that is lost or late was sent: since when mail does not arrive
    /// (in time). The verdict's "since" is this, not the look that first missed a mail.
    pub since: Option<DateTime<FixedOffset>>,
}

/// The verdict of the mails seen so far. `found_now` are the keys this look found: a late
/// mail counts as late at the look that finds it, even when a later one arrived on time.
pub fn judge(
    mails: &[ProbeMail],
    found_now: &[String],
    now: DateTime<FixedOffset>,
    trip: &Roundtrip,
    lang: Language,
) -> Judged {
    let travelling: Vec<&ProbeMail> = mails.iter().filter(|m| m.in_flight(now)).collect();
    let latest = mails.iter().filter(|m| m.arrival.is_some()).max_by_key(|m| m.sent);
    let fresh: Vec<&ProbeMail> = mails.iter().filter(|m| found_now.contains(&m.key)).collect();
    let place_of = |m: &ProbeMail| m.arrival.map(|a| a.place);
    let late = |m: &ProbeMail| m.arrival.is_some_and(|a| a.place.delivered() && a.delay_ms > millis(trip.warn_after));
    let counts = |m: &&ProbeMail| latest.is_some_and(|l| l.key == m.key) || fresh.iter().any(|f| f.key == m.key);
    let considered: Vec<&ProbeMail> = mails.iter().filter(counts).collect();

    let lost: Vec<&&ProbeMail> = travelling.iter().filter(|m| m.age(now) >= trip.fail_after).collect();
    let overdue = travelling.iter().any(|m| m.age(now) >= trip.warn_after);

    let (outcome, reason) = if considered.iter().any(|m| place_of(m) == Some(Place::Bounced)) {
        (Outcome::Down, Some(Reason::Bounced))
    } else if latest.and_then(place_of) == Some(Place::LoginRefused) {
        (Outcome::Down, Some(Reason::Auth))
    } else if latest.and_then(place_of) == Some(Place::Rejected) {
        (Outcome::Down, Some(Reason::Rejected))
    } else if !lost.is_empty() {
        (Outcome::Down, Some(Reason::Lost))
    } else if considered.iter().any(|m| place_of(m) == Some(Place::Junk)) {
        (Outcome::Degraded, Some(Reason::Spam))
    } else if overdue || considered.iter().any(|m| late(m)) {
        (Outcome::Degraded, Some(Reason::Delayed))
    } else {
        (Outcome::Up, None)
    };

    let since = match reason {
        Some(Reason::Lost) => lost.iter().map(|m| m.sent).min(),
        Some(Reason::Delayed) => travelling
            .iter()
            .filter(|m| m.age(now) >= trip.warn_after)
            .copied()
            .chain(considered.iter().copied().filter(|m| late(m)))
            .map(|m| m.sent)
            .min(),
        _ => None,
    };

    let delivered = latest.and_then(|m| m.arrival).filter(|a| a.place.delivered());
    let mut parts = Vec::new();
    // The mail this look is about: a fresh late one before the latest one.
    let shown = fresh.iter().filter(|m| late(m)).max_by_key(|m| m.sent).copied().or(latest);
    if let Some(arrival) = shown.and_then(|m| m.arrival) {
        parts.push(ended(arrival, lang));
    }
    if let Some(oldest) = travelling.iter().map(|m| m.sent).min() {
        parts.push(on_the_way(travelling.len(), oldest, now, lang));
    }
    if parts.is_empty() {
        parts.push(match lang {
            Language::De => "noch keine Testmail gesendet".to_owned(),
            Language::En => "no test mail sent yet".to_owned(),
        });
    }
    Judged { outcome, reason, latency_ms: delivered.map(|a| a.delay_ms), message: parts.join("; "), since }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

fn ended(arrival: Arrival, lang: Language) -> String {
    let after = span(arrival.delay_ms);
    match (lang, arrival.place) {
        (Language::De, Place::Inbox) => format!("zugestellt nach {after}"),
        (Language::En, Place::Inbox) => format!("delivered after {after}"),
        (Language::De, Place::Junk) => format!("im Spam-Ordner zugestellt nach {after}"),
        (Language::En, Place::Junk) => format!("delivered to the spam folder after {after}"),
        (Language::De, Place::Bounced) => "die Testmail kam als unzustellbar zurück".to_owned(),
        (Language::En, Place::Bounced) => "the test mail bounced as undeliverable".to_owned(),
        (Language::De, Place::Rejected) => "der Anbieter hat die Testmail abgelehnt".to_owned(),
        (Language::En, Place::Rejected) => "the provider refused the test mail".to_owned(),
        (Language::De, Place::LoginRefused) => "die Anmeldung zum Senden wurde abgelehnt".to_owned(),
        (Language::En, Place::LoginRefused) => "the login for sending was refused".to_owned(),
    }
}

fn on_the_way(n: usize, since: DateTime<FixedOffset>, now: DateTime<FixedOffset>, lang: Language) -> String {
    let t = clock_time(since, now);
    match (lang, n) {
        (Language::De, 1) => format!("1 Testmail seit {t} unterwegs"),
        (Language::De, n) => format!("{n} Testmails seit {t} unterwegs"),
        (Language::En, 1) => format!("1 test mail on the way since {t}"),
        (Language::En, n) => format!("{n} test mails on the way since {t}"),
    }
}

/// A delivery time as people say it: "12 s", "7 min 12 s", "2 h 5 min".
pub fn span(ms: u64) -> String {
    let s = ms.div_ceil(1000);
    match s {
        0..60 => format!("{s} s"),
        60..3600 => format!("{} min {} s", s / 60, s % 60),
        _ => format!("{} h {} min", s / 3600, s % 3600 / 60),
    }
}

/// How one test mail went, as the window's history and the evidence report tell it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, rename_all = "snake_case")]
pub enum Fate {
    /// In the INBOX within `warn_after`.
    OnTime,
    /// In the INBOX, later than `warn_after`.
    Late,
    /// In the spam folder.
    Junk,
    /// Came back as undeliverable.
    Bounced,
    /// The provider refused to take it.
    Rejected,
    /// The login for sending was refused.
    LoginRefused,
    /// Not seen yet, and not yet `fail_after` old.
    OnItsWay,
    /// Not seen `fail_after` after it was sent.
    Lost,
}

impl Fate {
    /// Whether the history and the report list it: every mail that did not arrive in time.
    pub fn is_trouble(self) -> bool {
        !matches!(self, Fate::OnTime | Fate::OnItsWay)
    }
}

/// How `mail` went, as far as is known at `now`.
pub fn fate(mail: &ProbeMail, now: DateTime<FixedOffset>, trip: &Route) -> Fate {
    match mail.arrival {
        None if mail.age(now) >= trip.fail_after => Fate::Lost,
        None => Fate::OnItsWay,
        Some(a) => match a.place {
            Place::Inbox if a.delay_ms > millis(trip.warn_after) => Fate::Late,
            Place::Inbox => Fate::OnTime,
            Place::Junk => Fate::Junk,
            Place::Bounced => Fate::Bounced,
            Place::Rejected => Fate::Rejected,
            Place::LoginRefused => Fate::LoginRefused,
        },
    }
}

/// One test mail as the window and the evidence report list it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MailLine {
    /// When it was sent (RFC 3339).
    pub sent: String,
    /// When a look found it, or the send was refused; `None` while it has not arrived.
    pub seen: Option<String>,
    /// From sending to delivery, when it was delivered (INBOX or spam folder).
    #[ts(type = "number | null")]
    pub delay_ms: Option<u64>,
    pub fate: Fate,
}

impl MailLine {
    pub fn of(mail: &ProbeMail, now: DateTime<FixedOffset>, trip: &Route) -> MailLine {
        MailLine {
            sent: mail.sent.to_rfc3339(),
            seen: mail.arrival.map(|a| a.seen.to_rfc3339()),
            delay_ms: mail.arrival.filter(|a| a.place.delivered()).map(|a| a.delay_ms),
            fate: fate(mail, now, trip),
        }
    }
}

/// One day of delivery times (the day the mails were sent, local time).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DeliveryDay {
    /// `YYYY-MM-DD`.
    pub day: String,
    pub sent: u32,
    /// Average and longest delivery time of the mails that arrived; `None` when none did.
    pub average_ms: Option<f64>,
    #[ts(type = "number | null")]
    pub longest_ms: Option<u64>,
    /// Mails that arrived late or in the spam folder, and mails lost, bounced or refused.
    pub late: u32,
    pub lost: u32,
}

/// A provider's round trip as its detail shows it: the last delivery, the delivery times
/// over the days, the mails on their way and every mail that did not arrive in time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RoundtripView {
    pub check_id: String,
    /// The mailbox the test mails go to.
    pub to: String,
    /// "smtp.ionos.de → imap.ionos.de".
    pub route: String,
    /// The round trip is no longer in the config: its mails are kept as evidence, judged as
    /// things stood at its last look, and none is looked for any more.
    pub removed: bool,
    #[ts(type = "number")]
    pub interval_s: u64,
    #[ts(type = "number")]
    pub warn_after_s: u64,
    #[ts(type = "number")]
    pub fail_after_s: u64,
    /// The latest mail that reached the mailbox.
    pub last_delivery: Option<MailLine>,
    /// Oldest first; a mail past `fail_after` is still looked for (and is `lost` until found).
    pub on_the_way: Vec<MailLine>,
    /// Oldest first, days without mails left out.
    pub days: Vec<DeliveryDay>,
    /// The delivery time of each mail of the latest three days that arrived, oldest first
    /// (the chart's points while there are fewer than three days).
    pub recent: Vec<MailLine>,
    /// Every mail that did not arrive in time, newest first, at most [`TROUBLE_SHOWN`].
    pub trouble: Vec<MailLine>,
}

/// How many late or lost mails the window lists.
pub const TROUBLE_SHOWN: usize = 50;

/// The window's view of one round trip from its mails (oldest first) at `now`.
pub fn view(check_id: &str, trip: &Route, mails: &[ProbeMail], now: DateTime<FixedOffset>) -> RoundtripView {
    let line = |m: &ProbeMail| MailLine::of(m, now, trip);
    let day_of = |m: &ProbeMail| m.sent.with_timezone(now.offset()).date_naive();
    let mut days: Vec<(NaiveDate, Vec<&ProbeMail>)> = Vec::new();
    for mail in mails {
        let day = day_of(mail);
        match days.last_mut() {
            Some((d, list)) if *d == day => list.push(mail),
            _ => days.push((day, vec![mail])),
        }
    }
    let recent_from = days.iter().rev().nth(2).map(|(d, _)| *d);
    RoundtripView {
        check_id: check_id.to_owned(),
        to: trip.to.clone(),
        route: trip.words(),
        removed: false,
        interval_s: trip.interval.as_secs(),
        warn_after_s: trip.warn_after.as_secs(),
        fail_after_s: trip.fail_after.as_secs(),
        last_delivery: mails.iter().rev().find(|m| m.arrival.is_some_and(|a| a.place.delivered())).map(line),
        on_the_way: mails.iter().filter(|m| m.in_flight(now)).map(line).collect(),
        days: days
            .iter()
            .map(|(day, list)| {
                let delays: Vec<u64> =
                    list.iter().filter_map(|m| m.arrival.filter(|a| a.place.delivered()).map(|a| a.delay_ms)).collect();
                let fates: Vec<Fate> = list.iter().map(|m| fate(m, now, trip)).collect();
                DeliveryDay {
                    day: day.format("%Y-%m-%d").to_string(),
                    sent: u32::try_from(list.len()).unwrap_or(u32::MAX),
                    #[allow(clippy::cast_precision_loss)]
                    average_ms: (!delays.is_empty())
                        .then(|| delays.iter().map(|d| *d as f64).sum::<f64>() / delays.len() as f64),
                    longest_ms: delays.iter().max().copied(),
                    late: count(&fates, |f| matches!(f, Fate::Late | Fate::Junk)),
                    lost: count(&fates, |f| {
                        matches!(f, Fate::Lost | Fate::Bounced | Fate::Rejected | Fate::LoginRefused)
                    }),
                }
            })
            .collect(),
        recent: mails
            .iter()
            .filter(|m| recent_from.is_none_or(|from| day_of(m) >= from))
            .filter(|m| m.arrival.is_some_and(|a| a.place.delivered()))
            .map(line)
            .collect(),
        trouble: mails.iter().rev().map(line).filter(|l| l.fate.is_trouble()).take(TROUBLE_SHOWN).collect(),
    }
}

/// The view of a round trip no longer in the config, from its mails and the route the history
/// kept: judged as things stood at its last look (`last_look`), since a mail nobody looked for
/// after that is not known to be lost; nothing is on its way any more.
pub fn removed_view(
    check_id: &str,
    trip: &Route,
    mails: &[ProbeMail],
    last_look: DateTime<FixedOffset>,
) -> RoundtripView {
    RoundtripView { removed: true, on_the_way: Vec::new(), ..view(check_id, trip, mails, last_look) }
}

fn count(fates: &[Fate], which: impl Fn(Fate) -> bool) -> u32 {
    u32::try_from(fates.iter().filter(|f| which(**f)).count()).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Mail, MailKind, TlsMode};

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(&format!("2026-12-05T{s}+01:00")).unwrap()
    }

    fn trip() -> Roundtrip {
        let ep = |kind| Mail {
            kind,
            host: "h".into(),
            port: 1,
            tls: TlsMode::Implicit,
            username: Some("u@x.de".into()),
            ca_file: None,
            cert_warn_days: 14,
        };
        Roundtrip {
            smtp: ep(MailKind::Smtp),
            imap: ep(MailKind::Imap),
            to: "u@x.de".into(),
            interval: Duration::from_mins(15),
            warn_after: Duration::from_mins(5),
            fail_after: Duration::from_mins(30),
        }
    }

    fn mail(sent: &str, arrival: Option<(&str, u64, Place)>) -> ProbeMail {
        ProbeMail {
            key: format!("k{sent}"),
            sent: at(sent),
            arrival: arrival.map(|(seen, delay_ms, place)| Arrival { seen: at(seen), delay_ms, place }),
        }
    }

    #[test]
    fn keys_name_their_check_and_are_found_in_any_text() {
        let t = tag("p/roundtrip/smtp.x.de/u@x.de");
        assert_eq!(t.len(), 19);
        let k = key("p/roundtrip/smtp.x.de/u@x.de", at("10:05:00"));
        assert!(k.starts_with(&t));
        assert_eq!(key_in(&format!("Subject: x [{k}]\r\n"), &t), Some(k.clone()));
        assert_eq!(key_in(&format!("{t} {t}-"), &t), None);
        assert_eq!(key_in("nothing", &t), None);
        assert_ne!(tag("a/roundtrip/x/y"), t);
    }

    #[test]
    fn a_mail_on_time_is_up_with_its_delivery_time() {
        let mails = [mail("10:00:00", Some(("10:01:00", 432_000 / 60, Place::Inbox)))];
        let j = judge(&mails, &[], at("10:01:00"), &trip(), Language::En);
        assert_eq!((j.outcome, j.reason, j.latency_ms), (Outcome::Up, None, Some(7200)));
        assert_eq!(j.message, "delivered after 8 s");
        let mails = [mail("10:00:00", Some(("10:08:00", 432_000, Place::Inbox)))];
        let j = judge(&mails, &[], at("10:08:00"), &trip(), Language::De);
        assert_eq!((j.outcome, j.reason), (Outcome::Degraded, Some(Reason::Delayed)));
        assert_eq!(j.message, "zugestellt nach 7 min 12 s");
    }

    #[test]
    fn a_mail_on_its_way_is_late_after_warn_after_and_lost_after_fail_after() {
        let mails = [mail("10:05:00", None), mail("10:20:00", None)];
        let j = judge(&mails, &[], at("10:21:00"), &trip(), Language::De);
        assert_eq!((j.outcome, j.reason), (Outcome::Degraded, Some(Reason::Delayed)));
        assert_eq!(j.message, "2 Testmails seit 10:05 unterwegs");
        let j = judge(&mails, &[], at("10:35:00"), &trip(), Language::En);
        assert_eq!((j.outcome, j.reason, j.since), (Outcome::Down, Some(Reason::Lost), Some(at("10:05:00"))));
        assert_eq!(j.message, "2 test mails on the way since 10:05");
    }

    #[test]
    fn an_overtaken_mail_is_lost_until_it_turns_up_and_then_late() {
        let mut mails = vec![mail("10:00:00", None), mail("10:15:00", Some(("10:16:00", 30_000, Place::Inbox)))];
        let j = judge(&mails, &[], at("10:31:00"), &trip(), Language::En);
        assert_eq!(j.reason, Some(Reason::Lost));
        mails[0].arrival = Some(Arrival { seen: at("10:40:00"), delay_ms: 40 * 60_000, place: Place::Inbox });
        let j = judge(&mails, &["k10:00:00".to_owned()], at("10:40:00"), &trip(), Language::En);
        assert_eq!((j.outcome, j.reason), (Outcome::Degraded, Some(Reason::Delayed)));
        assert_eq!(j.message, "delivered after 40 min 0 s");
        let j = judge(&mails, &[], at("10:45:00"), &trip(), Language::En);
        assert_eq!((j.outcome, j.latency_ms), (Outcome::Up, Some(30_000)), "the latest mail was on time");
    }

    /// "Mails an Sie kommen seit 10:00 nicht an": since the oldest late or lost mail was
    /// sent, not since the first look that missed it.
    #[test]
    fn the_trouble_dates_from_the_oldest_late_or_lost_mail_not_the_first_look() {
        use crate::check::CheckState;
        use crate::confirm::RecheckPolicy;
        use crate::model::{CheckKind, Finding, MailFinding, Observation};
        let t = trip();
        let observed = |j: Judged, now: &str| Observation {
            check_id: "p/roundtrip/h/u@x.de".into(),
            kind: CheckKind::Roundtrip,
            target: "u@x.de".into(),
            at: at(now),
            outcome: j.outcome,
            reason: j.reason,
            message: j.message,
            latency_ms: j.latency_ms,
            cert_days_left: None,
            finding: Finding::Mail(MailFinding { trouble_since: j.since, ..MailFinding::default() }),
        };
        let mails = [mail("10:00:00", None), mail("10:15:00", None)];
        let mut state = CheckState::default();
        for now in ["10:01:00", "10:02:30", "10:05:00", "10:10:00", "10:16:00", "10:30:00", "10:35:00"] {
            let j = judge(&mails[..if now < "10:15:00" { 1 } else { 2 }], &[], at(now), &t, Language::De);
            state.observe(&observed(j, now), &RecheckPolicy::default());
        }
        assert_eq!(state.confirmed.as_ref().and_then(|o| o.reason), Some(Reason::Lost));
        assert_eq!(state.failing_since, Some(at("10:00:00")), "the first mail's sending, not the 10:05 look");
        let j = judge(&mails, &[], at("10:30:00"), &t, Language::En);
        assert_eq!(j.since, Some(at("10:00:00")));

        // A late mail found now dates the delay from its own sending.
        let late = [mail("09:40:00", Some(("10:02:00", 22 * 60_000, Place::Inbox))), mail("09:55:00", None)];
        let j = judge(&late, &["k09:40:00".to_owned()], at("10:02:00"), &t, Language::En);
        assert_eq!((j.reason, j.since), (Some(Reason::Delayed), Some(at("09:40:00"))));
        // A mail on its way past warn_after: delayed since it was sent.
        let j = judge(&[mail("10:00:00", None)], &[], at("10:06:00"), &t, Language::En);
        assert_eq!((j.reason, j.since), (Some(Reason::Delayed), Some(at("10:00:00"))));
        // All well: no since.
        let j = judge(&[mail("10:00:00", None)], &[], at("10:01:00"), &t, Language::En);
        assert_eq!((j.outcome, j.since), (Outcome::Up, None));
    }

    #[test]
    fn spam_bounces_and_refusals_have_their_own_reasons() {
        let cases = [
            (Place::Junk, Outcome::Degraded, Reason::Spam),
            (Place::Bounced, Outcome::Down, Reason::Bounced),
            (Place::Rejected, Outcome::Down, Reason::Rejected),
            (Place::LoginRefused, Outcome::Down, Reason::Auth),
        ];
        for (place, outcome, reason) in cases {
            let mails = [mail("10:00:00", Some(("10:01:00", 1_000, place)))];
            let j = judge(&mails, &["k10:00:00".to_owned()], at("10:01:00"), &trip(), Language::En);
            assert_eq!((j.outcome, j.reason), (outcome, Some(reason)), "{place:?}");
        }
        // A bounce is never an arrival, even beside a mail on time.
        let mails = [
            mail("10:00:00", Some(("10:01:00", 0, Place::Bounced))),
            mail("10:15:00", Some(("10:16:00", 1_000, Place::Inbox))),
        ];
        let j = judge(&mails, &["k10:00:00".to_owned()], at("10:16:00"), &trip(), Language::En);
        assert_eq!(j.reason, Some(Reason::Bounced));
    }

    #[test]
    fn one_mail_per_interval_and_no_more_than_a_few_on_their_way() {
        let t = trip();
        assert!(send_due(&[], at("10:00:00"), &t));
        let mails = [mail("10:00:00", None)];
        assert!(!send_due(&mails, at("10:14:59"), &t));
        assert!(send_due(&mails, at("10:15:00"), &t));
        let three = [mail("10:00:00", None), mail("10:05:00", None), mail("10:10:00", None)];
        let t5 = Roundtrip { interval: Duration::from_mins(5), ..t.clone() };
        assert!(!send_due(&three, at("10:15:00"), &t5), "three on their way");
        assert!(send_due(&three, at("10:30:00"), &t5), "the first is overdue: it no longer holds the next");
    }

    #[test]
    fn looks_follow_the_mail_and_stay_polite() {
        let t = trip();
        let mails = [mail("10:00:00", None)];
        let look = |now: &str| next_look(&mails, at(now), &t).as_secs();
        assert_eq!(look("10:00:00"), 60, "one early look finds a mail that travels as usual");
        assert_eq!(look("10:01:00"), 240, "then warn_after: the look that says delayed");
        assert_eq!(look("10:05:00"), 300, "late: every fifth of the way to fail_after");
        // Six hours between mails: the looks for a lost one are not hidden by the next send.
        let slow = Roundtrip { interval: Duration::from_hours(6), ..t.clone() };
        let hour = |now: &str| next_look(&mails, at(now), &slow).as_secs();
        assert_eq!(hour("10:27:00"), 180, "and at fail_after itself");
        assert_eq!(hour("10:30:00"), 300, "the look after fail_after confirms");
        assert_eq!(hour("10:35:00"), 600, "then the gaps double");
        assert_eq!(hour("10:45:00"), 1200);
        assert_eq!(hour("11:05:00"), 2400);
        let hourly = Roundtrip { interval: Duration::from_hours(1), ..t.clone() };
        let far = next_look(&[mail("10:00:00", None), mail("15:00:00", None)], at("15:50:00"), &hourly);
        assert!(far <= Duration::from_mins(10), "up to the interval: {far:?}");
        assert_eq!(look("10:14:00"), 60, "the next send comes first");
        let arrived = [mail("10:00:00", Some(("10:00:30", 30_000, Place::Inbox)))];
        assert_eq!(next_look(&arrived, at("10:00:30"), &t).as_secs(), 870, "nothing on its way: the next send");
        let old = [mail("08:00:00", None), mail("09:58:00", Some(("09:59:00", 1, Place::Inbox)))];
        assert!(next_look(&old, at("10:00:00"), &t) <= t.interval);
        // A week's worth of lost mails is answered at once, and still within the interval.
        let week: Vec<ProbeMail> = (0..672)
            .map(|i| ProbeMail {
                key: format!("w{i}"),
                sent: at("10:00:00") - chrono::TimeDelta::minutes(15 * i),
                arrival: None,
            })
            .collect();
        assert!(next_look(&week, at("10:00:00"), &t) <= t.interval);
        // Three on their way in time hold the next send: no look every second for it.
        let t5 = Roundtrip { interval: Duration::from_mins(5), ..t.clone() };
        let three = [mail("10:00:00", None), mail("10:05:00", None), mail("10:10:00", None)];
        assert!(!send_due(&three, at("10:15:00"), &t5));
        assert_eq!(next_look(&three, at("10:15:00"), &t5).as_secs(), 300);
    }

    /// Mails on their way together share their looks: while the queue holds, a round trip
    /// looks no more often than one late mail alone needs, yet says "delayed" for each new
    /// mail at its own warn_after and "lost" at its own fail_after.
    #[test]
    fn mails_on_their_way_together_share_their_looks() {
        let t = Roundtrip { interval: Duration::from_mins(5), ..trip() };
        let mut mails: Vec<ProbeMail> = Vec::new();
        let mut now = at("10:00:00");
        let end = at("12:00:00");
        let mut looks = Vec::new();
        while now < end {
            if send_due(&mails, now, &t) {
                mails.push(ProbeMail { key: format!("k{now}"), sent: now, arrival: None });
            }
            looks.push(now);
            now += chrono::TimeDelta::from_std(next_look(&mails, now, &t)).unwrap();
        }
        // Two hours of a queue that holds everything, one mail every 5 minutes while fewer
        // than three travel in time: a look every 5 minutes and the first mail's early one.
        assert!(looks.len() <= 26, "{} looks: {looks:?}", looks.len());
        for m in &mails {
            for boundary in [t.warn_after, t.fail_after, t.fail_after + Duration::from_mins(5)] {
                let b = m.sent + chrono::TimeDelta::from_std(boundary).unwrap();
                if b < end {
                    assert!(looks.contains(&b), "no look at {b} for the mail sent {}", m.sent);
                }
            }
        }
    }

    #[test]
    fn messages_are_ours_bounces_or_none_of_our_business() {
        let t = tag("p/roundtrip/x/y");
        let k = format!("{t}-1764925500000");
        let ours = format!(
            "Return-Path: <u@x.de>\r\nReceived: from mx.example.test\r\n\tby mx (Dovecot) with LMTP id x;\r\n Sat, 05 Dec 2026 10:40:49 +0000 (UTC)\r\nReceived: from [127.0.0.1] by mx; Sat, 05 Dec 2026 10:40:48 +0000\r\nSubject: Outage Notifier [{k}]\r\nX-Outage-Notifier-Probe: {k}\r\n\r\nbody\r\n"
        );
        let seen = read_message(ours.as_bytes(), &t).unwrap();
        assert_eq!((seen.key.as_str(), seen.bounce), (k.as_str(), false));
        assert_eq!(seen.received, DateTime::parse_from_rfc3339("2026-12-05T10:40:49Z").ok());
        let bounce = format!(
            "From: MAILER-DAEMON@mx.example.test (Mail Delivery System)\r\nContent-Type: multipart/report; report-type=delivery-status;\r\n\r\n--b\r\n\r\nX-Outage-Notifier-Probe: {k}\r\n"
        );
        assert_eq!(read_message(bounce.as_bytes(), &t).map(|s| (s.key, s.bounce)), Some((k.clone(), true)));
        let reply = format!("From: boss@x.de\r\nSubject: Re: Outage Notifier [{k}]\r\n\r\nwhat is this?\r\n");
        assert_eq!(read_message(reply.as_bytes(), &t), None);
        assert_eq!(read_message(b"\xff\xfe garbage", &t), None);
        let other = tag("q/roundtrip/x/y");
        assert_eq!(read_message(ours.as_bytes(), &other), None, "another check's mail");
    }

    #[test]
    fn the_view_shows_the_last_delivery_the_days_the_mails_on_their_way_and_the_trouble() {
        let t = trip();
        let day = |d: &str, s: &str| DateTime::parse_from_rfc3339(&format!("2026-12-0{d}T{s}+01:00")).unwrap();
        let m = |d: &str, s: &str, arrival: Option<(u64, Place)>| ProbeMail {
            key: format!("k{d}{s}"),
            sent: day(d, s),
            arrival: arrival.map(|(delay_ms, place)| Arrival { seen: day(d, s), delay_ms, place }),
        };
        let mails = [
            m("1", "10:00:00", Some((20_000, Place::Inbox))),
            m("3", "09:00:00", Some((10_000, Place::Inbox))),
            m("3", "09:15:00", Some((40 * 60_000, Place::Inbox))),
            m("4", "08:00:00", Some((2_000, Place::Junk))),
            m("5", "09:00:00", Some((30_000, Place::Inbox))),
            m("5", "09:15:00", None),
            m("5", "10:00:00", None),
        ];
        let v = view("p/roundtrip/h/u@x.de", &t.route(), &mails, day("5", "10:10:00"));
        assert_eq!((v.interval_s, v.warn_after_s, v.fail_after_s), (900, 300, 1800));
        let last = v.last_delivery.unwrap();
        assert_eq!(
            (last.sent.as_str(), last.delay_ms, last.fate),
            ("2026-12-05T09:00:00+01:00", Some(30_000), Fate::OnTime)
        );
        let on_the_way: Vec<Fate> = v.on_the_way.iter().map(|l| l.fate).collect();
        assert_eq!(on_the_way, [Fate::Lost, Fate::OnItsWay], "the 09:15 mail is 55 min old, the 10:00 one 10 min");
        let days: Vec<(&str, u32, Option<u64>, u32, u32)> =
            v.days.iter().map(|d| (d.day.as_str(), d.sent, d.longest_ms, d.late, d.lost)).collect();
        assert_eq!(
            days,
            [
                ("2026-12-01", 1, Some(20_000), 0, 0),
                ("2026-12-03", 2, Some(2_400_000), 1, 0),
                ("2026-12-04", 1, Some(2_000), 1, 0),
                ("2026-12-05", 3, Some(30_000), 0, 1),
            ]
        );
        assert_eq!(v.days[1].average_ms, Some(1_205_000.0));
        assert_eq!(v.recent.len(), 4, "the delivered mails of the latest three days with mails");
        let trouble: Vec<(&str, Fate)> = v.trouble.iter().map(|l| (&l.sent[..19], l.fate)).collect();
        assert_eq!(
            trouble,
            [
                ("2026-12-05T09:15:00", Fate::Lost),
                ("2026-12-04T08:00:00", Fate::Junk),
                ("2026-12-03T09:15:00", Fate::Late)
            ]
        );
        assert!(view("x", &t.route(), &[], day("5", "10:00:00")).last_delivery.is_none());
    }

    /// A round trip removed from the config: its late and lost mails stay listed, named by
    /// its route; a mail still on its way at the last look is not called lost afterwards.
    #[test]
    fn a_removed_round_trip_keeps_its_trouble_as_of_its_last_look() {
        let t = trip().route();
        let mails = [
            mail("09:00:00", None),
            mail("09:15:00", Some(("10:00:00", 45 * 60_000, Place::Inbox))),
            mail("10:00:00", None),
        ];
        let v = removed_view("p/roundtrip/h/u@x.de", &t, &mails, at("10:05:00"));
        assert!(v.removed);
        assert_eq!(v.route, "h → h");
        assert!(v.on_the_way.is_empty(), "nothing is looked for any more");
        let trouble: Vec<(&str, Fate)> = v.trouble.iter().map(|l| (&l.sent[11..19], l.fate)).collect();
        assert_eq!(trouble, [("09:15:00", Fate::Late), ("09:00:00", Fate::Lost)], "not the 10:00 mail");
    }

    #[test]
    fn spans_read_as_people_say_them() {
        assert_eq!(span(0), "0 s");
        assert_eq!(span(400), "1 s");
        assert_eq!(span(432_000), "7 min 12 s");
        assert_eq!(span(2 * 3600 * 1000 + 5 * 60_000), "2 h 5 min");
    }
}

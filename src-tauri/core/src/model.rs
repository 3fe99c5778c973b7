//! The words of DESIGN.md as types: states, outcomes, reasons, status snapshots, observations.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// How a provider, a component or the whole summary is doing.
///
/// The declaration order is the severity order used by [`State::worst`]: `Unknown` sits
/// between operational and degraded because "we cannot tell" deserves more attention than
/// "all well" but must never outrank a confirmed problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, rename_all = "snake_case")]
pub enum State {
    Operational,
    Maintenance,
    Unknown,
    Degraded,
    PartialOutage,
    MajorOutage,
}

impl State {
    pub const ALL: [State; 6] = [
        State::Operational,
        State::Maintenance,
        State::Unknown,
        State::Degraded,
        State::PartialOutage,
        State::MajorOutage,
    ];

    /// Severity rank: higher is worse.
    pub fn severity(self) -> u8 {
        match self {
            State::Operational => 0,
            State::Maintenance => 1,
            State::Unknown => 2,
            State::Degraded => 3,
            State::PartialOutage => 4,
            State::MajorOutage => 5,
        }
    }

    /// The more severe of two states.
    #[must_use]
    pub fn worse(self, other: State) -> State {
        if other.severity() > self.severity() { other } else { self }
    }

    /// The most severe state of an iterator; `Operational` when it is empty.
    pub fn worst(states: impl IntoIterator<Item = State>) -> State {
        states.into_iter().fold(State::Operational, State::worse)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            State::Operational => "operational",
            State::Maintenance => "maintenance",
            State::Unknown => "unknown",
            State::Degraded => "degraded",
            State::PartialOutage => "partial_outage",
            State::MajorOutage => "major_outage",
        }
    }

    pub fn parse(s: &str) -> Option<State> {
        State::ALL.into_iter().find(|state| state.as_str() == s)
    }

    /// Whether the user should look: degraded or worse.
    pub fn is_problem(self) -> bool {
        self.severity() >= State::Degraded.severity()
    }
}

/// What a status page says about an incident's lifecycle (DESIGN.md's incident states).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, rename_all = "snake_case")]
pub enum IncidentState {
    Investigating,
    Identified,
    Monitoring,
    Resolved,
    Scheduled,
    InProgress,
    Completed,
}

impl IncidentState {
    /// Resolved and completed incidents no longer affect a provider's state.
    pub fn is_open(self) -> bool {
        !matches!(self, IncidentState::Resolved | IncidentState::Completed)
    }

    pub fn is_maintenance(self) -> bool {
        matches!(self, IncidentState::Scheduled | IncidentState::InProgress | IncidentState::Completed)
    }
}

/// One entry of an incident's timeline, as the provider wrote it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct IncidentUpdate {
    #[ts(type = "string")]
    pub at: DateTime<FixedOffset>,
    pub status: IncidentState,
    /// Untrusted provider text: rendered as text, never as HTML.
    pub body: String,
}

/// What a provider announced on its status page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Incident {
    pub id: String,
    pub title: String,
    pub state: IncidentState,
    /// The impact the provider assigned, normalised to our states.
    pub impact: State,
    #[ts(type = "string | null")]
    pub started_at: Option<DateTime<FixedOffset>>,
    #[ts(type = "string | null")]
    pub updated_at: Option<DateTime<FixedOffset>>,
    pub url: Option<String>,
    /// Newest first, whatever order the source used.
    pub updates: Vec<IncidentUpdate>,
    /// Names of the components the provider attributed the incident to (may be empty).
    #[serde(default)]
    pub components: Vec<String>,
}

/// One component of a status page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Component {
    pub name: String,
    pub state: State,
    /// The group the component belongs to on the page, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
}

/// A status page, normalised: what every format parser produces.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusSnapshot {
    /// The page's own rollup, if it has one.
    pub indicator: Option<State>,
    pub components: Vec<Component>,
    /// Open incidents and maintenances that are in progress or scheduled.
    pub incidents: Vec<Incident>,
}

/// Whether a link from a status page may be offered to the user: an absolute http(s) URL.
fn is_web_link(link: &str) -> bool {
    url::Url::parse(link).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
}

impl StatusSnapshot {
    /// Adds the incidents of a companion document (Cachet's incidents list), skipping ids
    /// this snapshot already has.
    /// What every parser's reading goes through before anyone sees it: one incident per id
    /// (the one with the newest word wins, keeping the first one's place), since the window
    /// keys incidents by id and "open incident" must open the right one; and links only to
    /// http(s) pages, since a `javascript:` or `file:` link from a hostile page must never
    /// reach a click.
    #[must_use]
    pub fn tidied(mut self) -> StatusSnapshot {
        let mut kept: Vec<Incident> = Vec::with_capacity(self.incidents.len());
        for mut incident in self.incidents {
            incident.url = incident.url.filter(|u| is_web_link(u));
            match kept.iter_mut().find(|k| k.id == incident.id) {
                Some(earlier) if incident.updated_at >= earlier.updated_at => *earlier = incident,
                Some(_) => {}
                None => kept.push(incident),
            }
        }
        self.incidents = kept;
        self
    }

    pub fn merge_incidents(&mut self, other: StatusSnapshot) {
        for incident in other.incidents {
            if !self.incidents.iter().any(|i| i.id == incident.id) {
                self.incidents.push(incident);
            }
        }
    }

    /// The page's overall state: the worst of its indicator, its components and the impact of
    /// every open incident. A page that says "none" while an incident is open is therefore
    /// not operational. Scheduled maintenances that have not started count for nothing.
    pub fn overall(&self) -> State {
        let incidents = self.incidents.iter().filter_map(|incident| match incident.state {
            IncidentState::Scheduled | IncidentState::Resolved | IncidentState::Completed => None,
            IncidentState::InProgress => Some(incident.impact.worse(State::Maintenance)),
            _ => Some(open_incident_floor(incident.impact)),
        });
        State::worst(self.indicator.into_iter().chain(self.components.iter().map(|c| c.state)).chain(incidents))
    }

    /// Keeps only the components named in `filter` (case-insensitive); incidents that name
    /// components are kept only when one of theirs passes. Incidents without any component
    /// attribution are kept: we cannot tell they are irrelevant. The indicator is dropped,
    /// because it speaks for the whole page.
    #[must_use]
    pub fn filtered(mut self, filter: &[String]) -> StatusSnapshot {
        if filter.is_empty() {
            return self;
        }
        let wanted = |name: &str| filter.iter().any(|f| f.eq_ignore_ascii_case(name));
        self.components.retain(|c| wanted(&c.name) || c.group.as_deref().is_some_and(wanted));
        self.incidents.retain(|i| i.components.is_empty() || i.components.iter().any(|c| wanted(c)));
        self.indicator = None;
        self
    }
}

/// An open incident is at least "degraded", even when the provider rated its impact "none":
/// something is being investigated, and the user should see it.
fn open_incident_floor(impact: State) -> State {
    match impact {
        State::Operational | State::Unknown | State::Maintenance => State::Degraded,
        other => other,
    }
}

/// The kind of a check (DESIGN.md `kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, rename_all = "snake_case")]
pub enum CheckKind {
    StatusPage,
    Smtp,
    Imap,
    Pop3,
    Http,
    Roundtrip,
}

impl CheckKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CheckKind::StatusPage => "status_page",
            CheckKind::Smtp => "smtp",
            CheckKind::Imap => "imap",
            CheckKind::Pop3 => "pop3",
            CheckKind::Http => "http",
            CheckKind::Roundtrip => "roundtrip",
        }
    }

    pub fn parse(s: &str) -> Option<CheckKind> {
        [
            CheckKind::StatusPage,
            CheckKind::Smtp,
            CheckKind::Imap,
            CheckKind::Pop3,
            CheckKind::Http,
            CheckKind::Roundtrip,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// How one probe went (DESIGN.md `outcome`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, rename_all = "snake_case")]
pub enum Outcome {
    Up,
    Degraded,
    Down,
    Unknown,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Up => "up",
            Outcome::Degraded => "degraded",
            Outcome::Down => "down",
            Outcome::Unknown => "unknown",
        }
    }

    pub fn parse(s: &str) -> Option<Outcome> {
        [Outcome::Up, Outcome::Degraded, Outcome::Down, Outcome::Unknown].into_iter().find(|o| o.as_str() == s)
    }
}

/// Why a probe did not come back up (DESIGN.md `reason`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, rename_all = "snake_case")]
pub enum Reason {
    Dns,
    Refused,
    Timeout,
    Tls,
    Certificate,
    Banner,
    Auth,
    Protocol,
    HttpStatus,
    Parse,
    TooLarge,
    Offline,
    /// It answers, but far slower than it usually does.
    Slow,
    /// A page answered without the text it must show (`[[provider.http]] expect`).
    Content,
    /// A round-trip mail arrived, or is still on its way, later than `warn_after`.
    Delayed,
    /// A round-trip mail has not arrived within `fail_after`.
    Lost,
    /// A round-trip mail arrived in the spam folder.
    Spam,
    /// The provider refused to take the round-trip mail (MAIL, RCPT or DATA refused).
    Rejected,
    /// A bounce of a round-trip mail came back.
    Bounced,
}

impl Verdict {
    /// The user's own to fix (their account or a setting), never the provider's outage.
    pub fn is_users(self) -> bool {
        matches!(self, Verdict::YourAccount | Verdict::YourSettings)
    }
}

impl Reason {
    pub const ALL: [Reason; 19] = [
        Reason::Dns,
        Reason::Refused,
        Reason::Timeout,
        Reason::Tls,
        Reason::Certificate,
        Reason::Banner,
        Reason::Auth,
        Reason::Protocol,
        Reason::HttpStatus,
        Reason::Parse,
        Reason::TooLarge,
        Reason::Offline,
        Reason::Slow,
        Reason::Content,
        Reason::Delayed,
        Reason::Lost,
        Reason::Spam,
        Reason::Rejected,
        Reason::Bounced,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Dns => "dns",
            Reason::Refused => "refused",
            Reason::Timeout => "timeout",
            Reason::Tls => "tls",
            Reason::Certificate => "certificate",
            Reason::Banner => "banner",
            Reason::Auth => "auth",
            Reason::Protocol => "protocol",
            Reason::HttpStatus => "http_status",
            Reason::Parse => "parse",
            Reason::TooLarge => "too_large",
            Reason::Offline => "offline",
            Reason::Slow => "slow",
            Reason::Content => "content",
            Reason::Delayed => "delayed",
            Reason::Lost => "lost",
            Reason::Spam => "spam",
            Reason::Rejected => "rejected",
            Reason::Bounced => "bounced",
        }
    }

    pub fn parse(s: &str) -> Option<Reason> {
        Reason::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// What a probe produced that is specific to its kind.
#[derive(Debug, Clone, PartialEq)]
pub enum Finding {
    /// A status page was read and understood.
    StatusPage(StatusSnapshot),
    /// A mail dialogue: its steps, how a failure should be retried, and the transcript.
    Mail(MailFinding),
    /// A page fetched as a browser would (`[[provider.http]]`): its steps and what failed.
    Http(HttpFinding),
    /// Nothing beyond outcome, latency and message (failed probes, plain reachability).
    None,
}

/// Whether a failure will go away by itself (RFC 5321 4xx vs 5xx, RFC 5530 `UNAVAILABLE` vs
/// `AUTHENTICATIONFAILED`, RFC 3206 `[SYS/TEMP]` vs `[AUTH]`). The engine confirms a
/// permanent failure without quick re-checks: asking again in seconds cannot change the
/// answer, and repeated wrong logins can get an account or an address blocked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permanence {
    /// The server said it will not work until something changes (password, account, setup).
    Permanent,
    /// A timeout, a reset, or the server said "try again later".
    Transient,
}

/// One step of a probe — a mail dialogue or a page fetch — and how long it took.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProbeStep {
    /// Mail: `dns`, `connect`, `tls`, `greeting`, `capabilities`, `starttls`, `login`, `noop`, …
    /// Pages: `dns`, `connect`, `tls` or `request` (up to the answer's headers), `answer` (its
    /// status accepted), `body`, `content` (the expected text found).
    pub name: String,
    pub millis: u64,
    pub ok: bool,
}

/// What a mail probe saw beyond outcome and reason.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MailFinding {
    /// Every step attempted, in order; the last one failed when the probe failed.
    pub steps: Vec<ProbeStep>,
    /// `None` when the probe succeeded.
    pub permanence: Option<Permanence>,
    /// The negotiated TLS version (`TLSv1.3`), when TLS was up.
    pub tls_version: Option<String>,
    /// The dialogue, `C: `/`S: ` lines, secrets replaced by `<redacted>`.
    pub transcript: Vec<String>,
    /// What failed, in terms the verdict can name; `None` when it succeeded or the failure
    /// has no more to say than its reason.
    pub cause: Option<crate::cause::Cause>,
    /// When the trouble this probe reports began, where the probe knows it better than the
    /// time it looked: the round trip's oldest late or lost mail was sent then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trouble_since: Option<DateTime<FixedOffset>>,
}

/// What a page probe saw beyond outcome and reason.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct HttpFinding {
    /// Every step attempted, in order; the last one failed when the probe failed.
    pub steps: Vec<ProbeStep>,
    /// The HTTP status of the final answer, when one came.
    pub status: Option<u16>,
    /// What failed, in terms the verdict can name; `None` when it succeeded or the failure
    /// has no more to say than its reason.
    pub cause: Option<crate::cause::Cause>,
}

/// The result of one probe: a value, never an error. A failed probe is data.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    pub check_id: String,
    pub kind: CheckKind,
    pub target: String,
    pub at: DateTime<FixedOffset>,
    pub outcome: Outcome,
    pub reason: Option<Reason>,
    /// A short human message, in English (logs and transcripts); the UI localises by reason.
    pub message: String,
    pub latency_ms: Option<u64>,
    pub cert_days_left: Option<i64>,
    pub finding: Finding,
}

impl Observation {
    /// A failed probe: outcome, reason and message, nothing found.
    pub fn failed(
        check_id: &str,
        kind: CheckKind,
        target: &str,
        at: DateTime<FixedOffset>,
        outcome: Outcome,
        reason: Reason,
        message: impl Into<String>,
    ) -> Observation {
        Observation {
            check_id: check_id.to_owned(),
            kind,
            target: target.to_owned(),
            at,
            outcome,
            reason: Some(reason),
            message: message.into(),
            latency_ms: None,
            cert_days_left: None,
            finding: Finding::None,
        }
    }

    pub fn snapshot(&self) -> Option<&StatusSnapshot> {
        match &self.finding {
            Finding::StatusPage(s) => Some(s),
            Finding::Mail(_) | Finding::Http(_) | Finding::None => None,
        }
    }

    /// What a mail probe saw, if this is one.
    pub fn mail(&self) -> Option<&MailFinding> {
        match &self.finding {
            Finding::Mail(m) => Some(m),
            Finding::StatusPage(_) | Finding::Http(_) | Finding::None => None,
        }
    }

    /// What a failed probe found wrong, where it could tell (mail dialogues and pages).
    pub fn cause(&self) -> Option<&crate::cause::Cause> {
        if self.outcome == Outcome::Up {
            return None;
        }
        match &self.finding {
            Finding::Mail(m) => m.cause.as_ref(),
            Finding::Http(h) => h.cause.as_ref(),
            Finding::StatusPage(_) | Finding::None => None,
        }
    }

    /// The steps the probe went through ("Why?"), empty where it has none.
    pub fn steps(&self) -> &[ProbeStep] {
        match &self.finding {
            Finding::Mail(m) => &m.steps,
            Finding::Http(h) => &h.steps,
            Finding::StatusPage(_) | Finding::None => &[],
        }
    }

    /// Whether this is a failure that quick re-checks cannot change.
    pub fn is_permanent_failure(&self) -> bool {
        self.outcome != Outcome::Up && self.mail().and_then(|m| m.permanence) == Some(Permanence::Permanent)
    }
}

/// Whether the local network reaches the outside world, and if not, what is wrong with it.
/// Every state but `Online` is the user's network: no provider is judged while it lasts, and
/// the time is nobody's downtime.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, rename_all = "snake_case")]
pub enum Network {
    Online,
    /// No anchor answered.
    Offline,
    /// The anchors answer, but the system's DNS resolver does not resolve names that exist.
    Dns,
    /// The network intercepts the anchors (a captive portal): it wants a sign-in first.
    SignIn,
}

/// Why a stretch of time was not measured (the history's gaps, the report's "not measured").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GapKind {
    /// This computer's network was down: no anchor answered.
    Offline,
    /// This computer's DNS resolver failed while the internet answered.
    Dns,
    /// The network wanted a sign-in first (a captive portal).
    SignIn,
    /// The computer slept (the wall clock jumped past the monotonic clock) or was off.
    Asleep,
}

impl GapKind {
    pub const ALL: [GapKind; 4] = [GapKind::Offline, GapKind::Dns, GapKind::SignIn, GapKind::Asleep];

    /// How the history stores it.
    pub fn as_str(self) -> &'static str {
        match self {
            GapKind::Offline => "offline",
            GapKind::Dns => "dns",
            GapKind::SignIn => "sign_in",
            GapKind::Asleep => "asleep",
        }
    }

    /// A stored kind; one this build does not know is network trouble of the user's all the
    /// same (not measured, like offline).
    pub fn parse(s: &str) -> GapKind {
        GapKind::ALL.into_iter().find(|k| k.as_str() == s).unwrap_or(GapKind::Offline)
    }

    /// The gap a state of the network makes; `None` while it is online.
    pub fn of(network: Network) -> Option<GapKind> {
        match network {
            Network::Online => None,
            Network::Offline => Some(GapKind::Offline),
            Network::Dns => Some(GapKind::Dns),
            Network::SignIn => Some(GapKind::SignIn),
        }
    }
}

impl Network {
    pub fn as_str(self) -> &'static str {
        match self {
            Network::Online => "online",
            Network::Offline => "offline",
            Network::Dns => "dns",
            Network::SignIn => "sign_in",
        }
    }

    /// Whether providers can be judged at all.
    pub fn is_online(self) -> bool {
        self == Network::Online
    }

    /// Which of two findings about the network speaks for it: the more specific cause (a
    /// sign-in page explains broken DNS and dead anchors; a broken resolver explains names
    /// that fail) over plain silence, and any trouble over one probe that got through.
    #[must_use]
    pub fn worse(self, other: Network) -> Network {
        let rank = |n: Network| match n {
            Network::Online => 0,
            Network::Offline => 1,
            Network::Dns => 2,
            Network::SignIn => 3,
        };
        if rank(other) > rank(self) { other } else { self }
    }
}

/// The plain-language judgement per provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, rename_all = "snake_case")]
pub enum Verdict {
    /// Everything we watch is fine.
    AllWell,
    /// The provider announced maintenance that is running now.
    Maintenance,
    /// The provider's own page reports the problem.
    ProviderConfirmed,
    /// Our probes fail while the provider's page is green.
    ProviderUnacknowledged,
    /// The local network is down; nothing can be judged.
    YourNetwork,
    /// The provider answers but refuses the login.
    YourAccount,
    /// A setting of the user's does not fit the server (e.g. STARTTLS on a port that expects
    /// TLS from the start); the sentence names the fix.
    YourSettings,
    /// We cannot tell (not checked yet, or the status page cannot be read).
    Unknown,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn announced(id: &str, updated: &str, url: Option<&str>) -> Incident {
        Incident {
            id: id.into(),
            title: format!("{id} at {updated}"),
            state: IncidentState::Investigating,
            impact: State::MajorOutage,
            started_at: None,
            updated_at: Some(DateTime::parse_from_rfc3339(updated).unwrap()),
            url: url.map(str::to_owned),
            updates: vec![],
            components: vec![],
        }
    }

    #[test]
    fn tidied_keeps_one_incident_per_id_with_the_newest_word() {
        let snapshot = StatusSnapshot {
            indicator: None,
            components: vec![],
            incidents: vec![
                announced("a", "2026-12-05T10:00:00Z", None),
                announced("b", "2026-12-05T10:00:00Z", None),
                announced("a", "2026-12-05T11:00:00Z", None),
                announced("a", "2026-12-05T09:00:00Z", None),
            ],
        }
        .tidied();
        let titles: Vec<&str> = snapshot.incidents.iter().map(|i| i.title.as_str()).collect();
        assert_eq!(titles, ["a at 2026-12-05T11:00:00Z", "b at 2026-12-05T10:00:00Z"]);
    }

    #[test]
    fn tidied_drops_links_that_are_not_http() {
        let links = [
            ("javascript:alert(1)", None),
            ("JavaScript:alert(1)", None),
            ("file:///etc/passwd", None),
            ("data:text/html,<b>x</b>", None),
            ("/relative/path", None),
            ("https://status.example.com/incidents/1", Some("https://status.example.com/incidents/1")),
            ("http://status.example.com/i/2", Some("http://status.example.com/i/2")),
        ];
        for (n, (link, kept)) in links.iter().enumerate() {
            let snapshot = StatusSnapshot {
                indicator: None,
                components: vec![],
                incidents: vec![announced(&n.to_string(), "2026-12-05T10:00:00Z", Some(link))],
            }
            .tidied();
            assert_eq!(snapshot.incidents[0].url.as_deref(), *kept, "{link}");
        }
    }

    #[test]
    fn worst_orders_by_severity() {
        assert_eq!(State::worst([]), State::Operational);
        assert_eq!(State::worst([State::Operational, State::Maintenance]), State::Maintenance);
        assert_eq!(State::worst([State::Unknown, State::Maintenance]), State::Unknown);
        assert_eq!(State::worst([State::Degraded, State::Unknown]), State::Degraded);
        assert_eq!(State::worst([State::MajorOutage, State::PartialOutage, State::Operational]), State::MajorOutage);
    }

    #[test]
    fn names_round_trip() {
        for state in State::ALL {
            assert_eq!(State::parse(state.as_str()), Some(state));
        }
        for reason in Reason::ALL {
            assert_eq!(Reason::parse(reason.as_str()), Some(reason));
            let json = serde_json::to_string(&reason).unwrap();
            assert_eq!(json, format!("\"{}\"", reason.as_str()));
        }
    }

    fn incident(state: IncidentState, impact: State) -> Incident {
        Incident {
            id: "i".into(),
            title: "t".into(),
            state,
            impact,
            started_at: None,
            updated_at: None,
            url: None,
            updates: vec![],
            components: vec![],
        }
    }

    #[test]
    fn indicator_none_with_open_incident_is_not_operational() {
        let snapshot = StatusSnapshot {
            indicator: Some(State::Operational),
            components: vec![],
            incidents: vec![incident(IncidentState::Monitoring, State::Operational)],
        };
        assert_eq!(snapshot.overall(), State::Degraded);
    }

    #[test]
    fn scheduled_maintenance_does_not_count_but_running_one_does() {
        let mut snapshot = StatusSnapshot {
            indicator: Some(State::Operational),
            components: vec![],
            incidents: vec![incident(IncidentState::Scheduled, State::Maintenance)],
        };
        assert_eq!(snapshot.overall(), State::Operational);
        snapshot.incidents[0].state = IncidentState::InProgress;
        assert_eq!(snapshot.overall(), State::Maintenance);
    }

    #[test]
    fn component_filter_keeps_unattributed_incidents() {
        let mut attributed = incident(IncidentState::Investigating, State::MajorOutage);
        attributed.components = vec!["Calendar".into()];
        let snapshot = StatusSnapshot {
            indicator: Some(State::MajorOutage),
            components: vec![
                Component { name: "Gmail".into(), state: State::Operational, group: None },
                Component { name: "Calendar".into(), state: State::MajorOutage, group: None },
            ],
            incidents: vec![attributed, incident(IncidentState::Identified, State::Degraded)],
        };
        let only_mail = snapshot.filtered(&["gmail".into()]);
        assert_eq!(only_mail.components.len(), 1);
        assert_eq!(only_mail.incidents.len(), 1);
        assert_eq!(only_mail.overall(), State::Degraded);
    }
}

//! The one home of checks: which checks a provider's config declares, and what one probe's
//! observation changes — confirmation, "failing since", the offline rule, our outage's start
//! and end. The scheduler, the one-shot `check` and the alert simulation all take this step,
//! so they cannot drift apart.

use std::collections::VecDeque;
use std::time::Duration;

use chrono::{DateTime, FixedOffset};

use crate::config::{Http, Mail, Provider, Roundtrip, StatusPage};
use crate::confirm::{self, RecheckPolicy, Tracker};
use crate::formats::Format;
use crate::model::{CheckKind, Observation, Reason};

/// One scheduled test of one source of a provider.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    /// Stable across restarts, and always `<provider id>/…`.
    pub id: String,
    pub provider_id: String,
    pub spec: CheckSpec,
}

/// What a check probes.
#[derive(Debug, Clone, PartialEq)]
pub enum CheckSpec {
    /// A status page: its URL as the user gave it, and its format when known; without one,
    /// the format is detected on the first probe and remembered.
    StatusPage { page: url::Url, format: Option<Format> },
    /// An SMTP, IMAP or POP3 endpoint; `target` is its `host:port`.
    Mail { endpoint: Mail, target: String },
    /// A page that must answer (and say what `expect` wants).
    Http(Http),
    /// A test mail sent and watched until it arrives; `target` is `smtp host:port → to`.
    Roundtrip { trip: Roundtrip, target: String },
}

impl Check {
    pub fn kind(&self) -> CheckKind {
        match &self.spec {
            CheckSpec::StatusPage { .. } => CheckKind::StatusPage,
            CheckSpec::Mail { endpoint, .. } => endpoint.kind.check_kind(),
            CheckSpec::Http(_) => CheckKind::Http,
            CheckSpec::Roundtrip { .. } => CheckKind::Roundtrip,
        }
    }

    /// What the check looks at, as `check --json` names it.
    pub fn target(&self) -> &str {
        match &self.spec {
            CheckSpec::StatusPage { page, .. } => page.as_str(),
            CheckSpec::Mail { target, .. } | CheckSpec::Roundtrip { target, .. } => target,
            CheckSpec::Http(http) => http.url.as_str(),
        }
    }
}

/// The checks of one provider, in the order the summary lists them: its status page, then
/// its own servers as the config names them, then its round trips.
pub fn checks_of(provider: &Provider) -> Vec<Check> {
    let mut checks = Vec::new();
    if let Some(StatusPage { url, format }) = &provider.status_page {
        checks.push(Check {
            id: provider.status_check_id(),
            provider_id: provider.id.clone(),
            spec: CheckSpec::StatusPage { page: url.clone(), format: *format },
        });
    }
    for endpoint in &provider.mail {
        checks.push(Check {
            id: endpoint.check_id(&provider.id),
            provider_id: provider.id.clone(),
            spec: CheckSpec::Mail { target: endpoint.authority(), endpoint: endpoint.clone() },
        });
    }
    for page in &provider.http {
        checks.push(Check {
            id: page.check_id(&provider.id),
            provider_id: provider.id.clone(),
            spec: CheckSpec::Http(page.clone()),
        });
    }
    for trip in &provider.roundtrip {
        checks.push(Check {
            id: trip.check_id(&provider.id),
            provider_id: provider.id.clone(),
            spec: CheckSpec::Roundtrip { target: trip.target(), trip: trip.clone() },
        });
    }
    checks
}

/// What a reachability check makes of a page that answered: a status code it does not
/// accept, or a page without the expected text (in its plain text, HTML reduced to text), is
/// a failure with its reason and a message for people; else `None`.
pub fn judge_page(http: &Http, status: u16, body: &[u8]) -> Option<(Reason, String)> {
    if !http.accepts(status) {
        return Some((Reason::HttpStatus, format!("HTTP {status}")));
    }
    let expect = http.expect.as_deref()?;
    let page = String::from_utf8_lossy(body);
    let text = crate::formats::html::to_text(&page);
    let squeezed = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
    if squeezed(&text).contains(&squeezed(expect)) {
        None
    } else {
        Some((Reason::Content, format!("the page does not say \"{expect}\"")))
    }
}

/// How soon to look again when the connectivity guard says the network is down: the
/// provider is not to blame, so nothing is confirmed or cleared until the network is back.
pub const OFFLINE_RECHECK: Duration = Duration::from_secs(15);

/// How many of a check's latest probes (re-checks included) the intermittence rule looks at.
pub const INTERMITTENT_WINDOW: usize = 6;
/// Failures among them from which a server that "mostly answers" is degraded …
pub const INTERMITTENT_FROM: usize = 3;
/// … and at most this many for it to count as well again: one episode, not a flapping one.
pub const INTERMITTENT_UNTIL: usize = 1;

/// A server of the user's that fails often without failing in a row: an overloaded server
/// answers every other time, and no run of failures ever confirms an outage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Intermittent {
    /// The probe that made it a finding.
    pub since: DateTime<FixedOffset>,
    /// Failures among the last `of` probes, now.
    pub failures: usize,
    pub of: usize,
    /// Why the latest failure failed.
    pub reason: Option<Reason>,
}

/// Answers a check's usual speed is the median of (the latest, while it is not slow).
pub const USUAL_ANSWERS: usize = 20;
/// Fewer answers than this are no measure of what is usual.
pub const USUAL_FROM: usize = 5;
/// An answer this many times slower than usual, and slower than `SLOW_FLOOR_MS`, is slow …
pub const SLOW_FACTOR: u64 = 5;
pub const SLOW_FLOOR_MS: u64 = 1_000;
/// … and this many slow answers in a row make it a finding.
pub const SLOW_ANSWERS: usize = 3;

/// Whether an answer of `latency` ms is slow against a usual speed of `usual` ms.
fn is_slow(latency: u64, usual: u64) -> bool {
    latency >= usual.saturating_mul(SLOW_FACTOR).max(SLOW_FLOOR_MS)
}

/// A server of the user's that answers, but far slower than it usually does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slow {
    /// The first of the slow answers.
    pub since: DateTime<FixedOffset>,
    /// The latest answer's time, and the usual one (the median of earlier answers).
    pub latency_ms: u64,
    pub usual_ms: u64,
}

impl Slow {
    /// How many times slower than usual, rounded down.
    pub fn factor(&self) -> u64 {
        self.latency_ms / self.usual_ms.max(1)
    }
}

/// How a server of the user's that still answers does badly over several probes. Failing
/// now and then counts for more than answering slowly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pattern {
    Intermittent(Intermittent),
    Slow(Slow),
}

impl Pattern {
    pub fn since(&self) -> DateTime<FixedOffset> {
        match self {
            Pattern::Intermittent(i) => i.since,
            Pattern::Slow(s) => s.since,
        }
    }

    /// What the check's line in the summary gives as its reason.
    pub fn reason(&self) -> Option<Reason> {
        match self {
            Pattern::Intermittent(i) => i.reason,
            Pattern::Slow(_) => Some(Reason::Slow),
        }
    }

    /// Orders patterns by how badly they affect the user: kind first, then degree.
    pub fn severity(&self) -> (u8, u64) {
        match self {
            Pattern::Intermittent(i) => (1, u64::try_from(i.failures * 100 / i.of.max(1)).unwrap_or(u64::MAX)),
            Pattern::Slow(s) => (0, s.factor()),
        }
    }
}

/// What the engine knows about one check: the confirmed observation, since when it fails,
/// and where its confirmation stands.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CheckState {
    pub confirmed: Option<Observation>,
    pub failing_since: Option<DateTime<FixedOffset>>,
    /// The first success after a confirmed failure, while recovery awaits confirmation:
    /// if it is upheld, the outage ended here, not at the probe that confirmed it.
    recovering_since: Option<DateTime<FixedOffset>>,
    /// The latest probes, newest last: whether each failed, and why.
    recent: VecDeque<Option<Reason>>,
    /// Set while the check fails intermittently (a server of the user's, not a page).
    intermittent: Option<Intermittent>,
    /// The latest answers at the usual speed, in milliseconds, newest last.
    usual: VecDeque<u64>,
    /// The slow answers in a row so far, and when the first of them came.
    slow_run: (usize, Option<DateTime<FixedOffset>>),
    /// Set while the check answers far slower than usual.
    slow: Option<Slow>,
    tracker: Tracker,
}

/// What one observation changed, for the caller to carry out.
#[derive(Debug, Clone, PartialEq)]
pub struct Observed {
    /// The observation is now the confirmed one: the summary may change.
    pub published: bool,
    /// Probe again this soon instead of at the regular schedule.
    pub recheck_in: Option<Duration>,
    /// One of our own outages began or ended with this observation.
    pub outage: Option<OutageChange>,
}

/// The start or end of an outage we detected ourselves (status pages have none: a page we
/// cannot read says nothing about the provider).
#[derive(Debug, Clone, PartialEq)]
pub enum OutageChange {
    Started {
        /// The first failed probe of the run.
        since: DateTime<FixedOffset>,
        /// The probe that confirmed it.
        confirmed_at: DateTime<FixedOffset>,
        reason: Option<Reason>,
    },
    Ended {
        at: DateTime<FixedOffset>,
    },
}

impl CheckState {
    /// A state with this confirmed observation, as if its confirmation had settled on it
    /// (for views of a known state, such as tests of the verdicts).
    pub fn settled(confirmed: Option<Observation>, failing_since: Option<DateTime<FixedOffset>>) -> CheckState {
        CheckState { confirmed, failing_since, ..CheckState::default() }
    }

    /// Whether a failure is currently confirmed; `None` before the first report.
    pub fn confirmed_failure(&self) -> Option<bool> {
        self.tracker.confirmed_failure()
    }

    /// Consecutive failed probes so far (0 after a success).
    pub fn failures(&self) -> u32 {
        self.tracker.failures()
    }

    /// How the check does badly over its latest probes while it still answers, if it does.
    pub fn pattern(&self) -> Option<Pattern> {
        self.intermittent.map(Pattern::Intermittent).or(self.slow.map(Pattern::Slow))
    }

    /// One probe's observation.
    pub fn observe(&mut self, observation: &Observation, policy: &RecheckPolicy) -> Observed {
        if observation.reason == Some(Reason::Offline) {
            return Observed { published: false, recheck_in: Some(OFFLINE_RECHECK), outage: None };
        }
        // A round trip is confirmed by its next look, never by quick re-checks: a look costs
        // the provider a login, and a mail late now is not on time ten seconds later.
        let roundtrip_policy;
        let policy = if observation.kind == CheckKind::Roundtrip {
            roundtrip_policy = RecheckPolicy::roundtrip();
            &roundtrip_policy
        } else {
            policy
        };
        let was_failure = self.tracker.confirmed_failure() == Some(true);
        // A permanent failure (a refused password, a 5xx) is confirmed now and not asked
        // again within seconds: repeated bad logins get accounts locked.
        let step = self.tracker.observe_probe(observation, policy);
        let failure = confirm::is_failure(observation.outcome);
        if failure {
            // A round trip knows when its trouble began (the oldest late mail's sending),
            // which is earlier than the look that found it.
            let began = observation.mail().and_then(|m| m.trouble_since).filter(|t| *t < observation.at);
            let began = began.unwrap_or(observation.at);
            self.failing_since = Some(self.failing_since.map_or(began, |s| s.min(began)));
            self.recovering_since = None;
        } else if was_failure {
            self.recovering_since.get_or_insert(observation.at);
        }
        let since = self.failing_since.unwrap_or(observation.at);
        if !failure && step.publish {
            self.failing_since = None;
        }
        let now_failure = self.tracker.confirmed_failure() == Some(true);
        let outage = match (step.publish && observation.kind != CheckKind::StatusPage, was_failure, now_failure) {
            (true, false, true) => {
                Some(OutageChange::Started { since, confirmed_at: observation.at, reason: observation.reason })
            }
            (true, true, false) => Some(OutageChange::Ended { at: self.recovering_since.unwrap_or(observation.at) }),
            _ => None,
        };
        if !now_failure {
            self.recovering_since = None;
        }
        if step.publish {
            self.confirmed = Some(observation.clone());
        }
        self.weigh(observation, failure, now_failure);
        if !failure {
            self.pace(observation);
        }
        Observed { published: step.publish, recheck_in: step.recheck_in, outage }
    }

    /// The intermittence rule over the latest probes of a server of the user's. A confirmed
    /// outage is a finding of its own, and starts both patterns afresh, so the all-clear after
    /// it is not held up by the failures that made it, and a server that went down is not
    /// also reported slow.
    fn weigh(&mut self, observation: &Observation, failure: bool, confirmed_failure: bool) {
        if observation.kind == CheckKind::StatusPage {
            return;
        }
        if confirmed_failure {
            self.recent.clear();
            self.intermittent = None;
            self.slow_run = (0, None);
            self.slow = None;
            return;
        }
        self.recent.push_back(if failure { Some(observation.reason.unwrap_or(Reason::Protocol)) } else { None });
        while self.recent.len() > INTERMITTENT_WINDOW {
            self.recent.pop_front();
        }
        let failures = self.recent.iter().filter(|r| r.is_some()).count();
        let of = self.recent.len();
        let reason = self.recent.iter().rev().find_map(|r| *r).or(self.intermittent.and_then(|i| i.reason));
        self.intermittent = match self.intermittent {
            Some(episode) if failures > INTERMITTENT_UNTIL => Some(Intermittent { failures, of, reason, ..episode }),
            None if of == INTERMITTENT_WINDOW && failures >= INTERMITTENT_FROM => {
                Some(Intermittent { since: observation.at, failures, of, reason })
            }
            _ => None,
        };
    }

    /// Learns the usual speed from answers stored in the history (oldest first), so a restart
    /// does not start from nothing: a server that is slow right after the restart is still
    /// told as slow. The same rule as for live answers — slow ones never become the usual —
    /// but no finding is made from the past.
    pub fn learn_usual(&mut self, answers: &[u64]) {
        for &latency in answers {
            if !self.usual_speed().is_some_and(|usual| is_slow(latency, usual)) {
                self.remember_usual(latency);
            }
        }
    }

    /// The median of the latest answers at the usual speed, once there are enough of them.
    fn usual_speed(&self) -> Option<u64> {
        (self.usual.len() >= USUAL_FROM).then(|| {
            let mut sorted: Vec<u64> = self.usual.iter().copied().collect();
            sorted.sort_unstable();
            sorted[sorted.len() / 2]
        })
    }

    fn remember_usual(&mut self, latency: u64) {
        self.usual.push_back(latency);
        while self.usual.len() > USUAL_ANSWERS {
            self.usual.pop_front();
        }
    }

    /// The slowness rule over the answers of a server of the user's: slow answers are not
    /// counted into what is usual, so a server that stays slow stays a finding.
    fn pace(&mut self, observation: &Observation) {
        let Some(latency) = observation.latency_ms else { return };
        if observation.kind == CheckKind::StatusPage {
            return;
        }
        match self.usual_speed() {
            Some(usual) if is_slow(latency, usual) => {
                self.slow_run.0 += 1;
                let since = *self.slow_run.1.get_or_insert(observation.at);
                if self.slow_run.0 >= SLOW_ANSWERS {
                    self.slow = Some(Slow { since, latency_ms: latency, usual_ms: usual });
                }
            }
            _ => {
                self.remember_usual(latency);
                self.slow_run = (0, None);
                self.slow = None;
            }
        }
    }

    /// The end of a one-shot run that cannot wait for confirmation (offline, or told to
    /// come back later): what it saw last is what it reports.
    pub fn conclude(&mut self, observation: Observation) {
        self.confirmed = Some(observation);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Outcome;

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    fn seen(second: u32, outcome: Outcome, reason: Option<Reason>) -> Observation {
        Observation {
            check_id: "p/imap/h:993".into(),
            kind: CheckKind::Imap,
            target: "h:993".into(),
            at: at("2026-12-05T10:00:00+01:00") + chrono::TimeDelta::seconds(i64::from(second)),
            outcome,
            reason,
            message: "x".into(),
            latency_ms: None,
            cert_days_left: None,
            finding: crate::model::Finding::None,
        }
    }

    #[test]
    fn checks_are_the_status_page_then_the_servers_in_config_order() {
        let config = crate::config::parse(
            "[[provider]]\nid = \"p\"\nstatus_page = \"https://status.p.test/\"\n\
             [[provider.mail]]\nkind = \"smtp\"\nhost = \"smtp.p.test\"\nport = 465\ntls = \"implicit\"\n\
             [[provider.mail]]\nkind = \"imap\"\nhost = \"imap.p.test\"\nport = 993\ntls = \"implicit\"\n",
            "c.toml",
        )
        .unwrap();
        let checks = checks_of(&config.providers[0]);
        let ids: Vec<&str> = checks.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["p/status_page", "p/smtp/smtp.p.test:465", "p/imap/imap.p.test:993"]);
        let kinds: Vec<CheckKind> = checks.iter().map(Check::kind).collect();
        assert_eq!(kinds, [CheckKind::StatusPage, CheckKind::Smtp, CheckKind::Imap]);
        assert_eq!(checks[2].target(), "imap.p.test:993");
        assert!(checks.iter().all(|c| c.provider_id == "p"));
    }

    #[test]
    fn a_page_is_judged_by_its_status_and_by_the_text_people_read() {
        let http = |expect: Option<&str>, status: Vec<(u16, u16)>| Http {
            url: url::Url::parse("https://status.strato.test/").unwrap(),
            expect: expect.map(str::to_owned),
            status,
            ca_file: None,
        };
        let page = b"<html><head><script>var s='operating normally';</script></head>\
                     <body><h1>Email</h1><p>All systems <b>operating\n normally</b></p></body></html>";
        assert_eq!(judge_page(&http(None, vec![]), 200, page), None);
        assert_eq!(judge_page(&http(None, vec![]), 301, b""), None);
        assert_eq!(judge_page(&http(None, vec![]), 503, b"").map(|f| f.0), Some(Reason::HttpStatus));
        assert_eq!(judge_page(&http(None, vec![(503, 503)]), 503, b""), None, "the user accepts it");
        assert_eq!(judge_page(&http(Some("Operating normally"), vec![]), 200, page), None);
        let missing = judge_page(&http(Some("operating normally"), vec![]), 200, b"<p>Email: <i>outage</i></p>");
        assert_eq!(missing.map(|f| f.0), Some(Reason::Content));
        let in_script_only = b"<script>document.write('operating normally')</script><p>outage</p>";
        assert_eq!(
            judge_page(&http(Some("operating normally"), vec![]), 200, in_script_only).map(|f| f.0),
            Some(Reason::Content),
            "only what people read counts"
        );
    }

    #[test]
    fn an_outage_starts_at_its_first_failure_and_ends_at_the_first_success_that_was_upheld() {
        let policy = RecheckPolicy::default();
        let mut state = CheckState::default();
        assert!(state.observe(&seen(0, Outcome::Up, None), &policy).published);
        let first = state.observe(&seen(60, Outcome::Down, Some(Reason::Timeout)), &policy);
        assert_eq!((first.published, first.outage), (false, None));
        assert_eq!(state.failing_since, Some(seen(60, Outcome::Up, None).at));
        state.observe(&seen(70, Outcome::Down, Some(Reason::Timeout)), &policy);
        let confirmed = state.observe(&seen(90, Outcome::Down, Some(Reason::Timeout)), &policy);
        assert!(confirmed.published);
        assert_eq!(
            confirmed.outage,
            Some(OutageChange::Started {
                since: seen(60, Outcome::Up, None).at,
                confirmed_at: seen(90, Outcome::Up, None).at,
                reason: Some(Reason::Timeout),
            })
        );
        let unsure = state.observe(&seen(150, Outcome::Up, None), &policy);
        assert_eq!((unsure.published, unsure.outage.is_some()), (false, false));
        assert!(state.failing_since.is_some(), "not recovered until confirmed");
        let recovered = state.observe(&seen(160, Outcome::Up, None), &policy);
        assert_eq!(
            recovered.outage,
            Some(OutageChange::Ended { at: seen(150, Outcome::Up, None).at }),
            "the mail worked again from the first success the re-check upheld"
        );
        assert_eq!(state.failing_since, None);
        assert_eq!(state.confirmed_failure(), Some(false));
    }

    #[test]
    fn a_success_the_next_probe_contradicts_is_not_the_end() {
        let policy = RecheckPolicy::default();
        let mut state = CheckState::default();
        for s in [0, 10, 30] {
            state.observe(&seen(s, Outcome::Down, Some(Reason::Timeout)), &policy);
        }
        assert_eq!(state.confirmed_failure(), Some(true));
        state.observe(&seen(90, Outcome::Up, None), &policy);
        state.observe(&seen(100, Outcome::Down, Some(Reason::Timeout)), &policy);
        state.observe(&seen(160, Outcome::Up, None), &policy);
        let ended = state.observe(&seen(170, Outcome::Up, None), &policy);
        assert_eq!(ended.outage, Some(OutageChange::Ended { at: seen(160, Outcome::Up, None).at }));
    }

    /// Every other probe fails, as on the overloaded server: the failure is re-checked at once
    /// and the re-check answers, so no run of failures ever confirms an outage.
    #[test]
    fn a_server_that_fails_every_other_time_is_intermittent_once_until_the_load_goes() {
        let policy = RecheckPolicy::default();
        let mut state = CheckState::default();
        let mut found = Vec::new();
        for n in 0..40u32 {
            let failing = n < 24 && n % 2 == 0;
            let o = if failing {
                seen(n * 30, Outcome::Down, Some(Reason::Timeout))
            } else {
                seen(n * 30, Outcome::Up, None)
            };
            state.observe(&o, &policy);
            found.push(state.intermittent.map(|i| (i.since, i.failures)));
            assert_ne!(state.confirmed_failure(), Some(true), "never a run of three");
        }
        assert!(found[..5].iter().all(Option::is_none), "not before six probes: {found:?}");
        let episode = found[5].expect("three of six failed");
        assert_eq!(episode, (seen(150, Outcome::Up, None).at, 3));
        assert!(found[5..24].iter().all(|f| f.is_some_and(|(since, _)| since == episode.0)), "one episode: {found:?}");
        assert_eq!(state.intermittent, None, "over once the load went");
        let over = found.iter().rposition(Option::is_some).unwrap();
        assert!(over <= 28, "over within a few probes of the last failure, not {over}");
    }

    #[test]
    fn a_single_blip_or_a_confirmed_outage_is_not_intermittent() {
        let policy = RecheckPolicy::default();
        let mut state = CheckState::default();
        for n in 0..12u32 {
            let o = if n == 4 {
                seen(n * 60, Outcome::Down, Some(Reason::Timeout))
            } else {
                seen(n * 60, Outcome::Up, None)
            };
            state.observe(&o, &policy);
            assert_eq!(state.intermittent, None);
        }
        // An outage confirmed, then over: the failures that made it do not hold the all-clear.
        for n in 12..16u32 {
            state.observe(&seen(n * 60, Outcome::Down, Some(Reason::Refused)), &policy);
        }
        assert_eq!(state.confirmed_failure(), Some(true));
        for n in 16..19u32 {
            state.observe(&seen(n * 60, Outcome::Up, None), &policy);
            assert_eq!(state.intermittent, None);
        }
        assert_eq!(state.confirmed_failure(), Some(false));
    }

    fn answered(second: u32, latency_ms: u64) -> Observation {
        Observation { latency_ms: Some(latency_ms), ..seen(second, Outcome::Up, None) }
    }

    #[test]
    fn the_usual_speed_learnt_from_the_history_survives_a_restart() {
        let policy = RecheckPolicy::default();
        // What the history holds: quick answers, and a slow spell that must not count.
        let mut state = CheckState::default();
        state.learn_usual(&[12, 13, 14, 12, 13, 1_500, 1_600, 13, 12]);
        assert_eq!(state.usual_speed(), Some(13), "slow answers in the history never become the usual");
        assert_eq!(state.slow, None, "no finding is made from the past");
        // Slow from the first probes after the restart: told after three, as before it.
        for n in 0..3u32 {
            state.observe(&answered(n * 60, 1_500), &policy);
        }
        assert_eq!(state.slow.map(|s| s.usual_ms), Some(13));
        // Without the history there is no usual speed to compare with.
        let mut fresh = CheckState::default();
        for n in 0..3u32 {
            fresh.observe(&answered(n * 60, 1_500), &policy);
        }
        assert_eq!(fresh.slow, None);
    }

    #[test]
    fn a_server_a_hundred_times_slower_than_usual_is_slow_until_it_is_quick_again() {
        let policy = RecheckPolicy::default();
        let mut state = CheckState::default();
        for n in 0..10u32 {
            state.observe(&answered(n * 60, 12 + u64::from(n % 3)), &policy);
        }
        state.observe(&answered(600, 1_500), &policy);
        state.observe(&answered(660, 1_400), &policy);
        assert_eq!(state.slow, None, "two slow answers are no finding yet");
        state.observe(&answered(720, 1_600), &policy);
        let slow = state.slow.expect("three in a row are");
        assert_eq!((slow.since, slow.usual_ms, slow.factor()), (answered(600, 0).at, 13, 123));
        for n in 13..20u32 {
            state.observe(&answered(n * 60, 1_500), &policy);
        }
        assert_eq!(state.slow.map(|s| s.since), Some(slow.since), "slow answers never become the usual");
        state.observe(&answered(1_200, 14), &policy);
        assert_eq!(state.slow, None);

        for n in 21..24u32 {
            state.observe(&answered(n * 60, 1_500), &policy);
        }
        assert!(state.slow.is_some());
        for n in 24..27u32 {
            state.observe(&seen(n * 60, Outcome::Down, Some(Reason::Refused)), &policy);
        }
        assert_eq!(state.confirmed_failure(), Some(true));
        assert_eq!(state.pattern(), None, "down, not slow");
    }

    #[test]
    fn slower_under_the_floor_or_without_a_usual_speed_is_not_slow() {
        let policy = RecheckPolicy::default();
        let mut state = CheckState::default();
        for n in 0..3u32 {
            state.observe(&answered(n * 60, 2_000), &policy);
        }
        assert_eq!(state.slow, None, "no usual speed yet");
        let mut state = CheckState::default();
        for n in 0..10u32 {
            state.observe(&answered(n * 60, 10), &policy);
        }
        for n in 10..20u32 {
            state.observe(&answered(n * 60, 400), &policy);
        }
        assert_eq!(state.slow, None, "40 times slower, but under a second");
    }

    #[test]
    fn offline_neither_confirms_nor_clears_nor_starts_the_failure_clock() {
        let policy = RecheckPolicy::default();
        let mut state = CheckState::default();
        state.observe(&seen(0, Outcome::Up, None), &policy);
        for s in [10, 25, 40, 55] {
            let step = state.observe(&seen(s, Outcome::Unknown, Some(Reason::Offline)), &policy);
            assert_eq!(step, Observed { published: false, recheck_in: Some(OFFLINE_RECHECK), outage: None });
        }
        assert_eq!(state.failing_since, None);
        assert_eq!(state.failures(), 0);
        assert_eq!(state.confirmed.as_ref().map(|o| o.outcome), Some(Outcome::Up));
    }

    #[test]
    fn status_pages_have_no_outages_of_ours() {
        let policy = RecheckPolicy::default();
        let mut state = CheckState::default();
        let t = at("2026-12-05T10:00:00+01:00");
        for s in 0..4 {
            let o = Observation::failed(
                "p/status_page",
                CheckKind::StatusPage,
                "https://status.p.test/",
                t + chrono::TimeDelta::seconds(s),
                Outcome::Unknown,
                Reason::HttpStatus,
                "HTTP 500",
            );
            assert_eq!(state.observe(&o, &policy).outage, None);
        }
        assert_eq!(state.confirmed_failure(), Some(true));
    }
}

//! "Is it me or them": fuses our own observations with what the provider's status page says
//! into one state and one verdict per provider, and rolls everything up into the summary.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset};

use crate::cause::{Cause, Owner};
use crate::check::{CheckState, Pattern, checks_of};
use crate::config::{Config, Provider};
use crate::model::{
    CheckKind, Finding, IncidentState, Network, Observation, Outcome, Reason, State, StatusSnapshot, Verdict,
};
use crate::summary::{CheckSummary, ProviderSummary, Summary};
use crate::text::{self, Language, Subject, Symptom, VerdictFacts};

/// One check of a provider as fusion sees it: what it is, and what the engine knows of it.
#[derive(Debug, Clone, Copy)]
pub struct Line<'a> {
    pub id: &'a str,
    pub kind: CheckKind,
    pub target: &'a str,
    pub state: Option<&'a CheckState>,
}

/// Builds the summary from the config and what the engine knows of every check
/// (`states`, by check id); a check without state is listed as not checked yet.
pub fn summarize(
    config: &Config,
    states: &BTreeMap<String, CheckState>,
    network: Network,
    lang: Language,
    now: DateTime<FixedOffset>,
) -> Summary {
    summarize_from(config, |id| states.get(id), network, lang, now)
}

/// [`summarize`] with the states looked up by check id where they live: the engine
/// summarizes after every observation, and copying every check's state (each with its last
/// observation and transcript) to build a map was most of that work (BENCHMARKS.md, round trip).
pub fn summarize_from<'s>(
    config: &Config,
    state: impl Fn(&str) -> Option<&'s CheckState>,
    network: Network,
    lang: Language,
    now: DateTime<FixedOffset>,
) -> Summary {
    let providers = config
        .providers
        .iter()
        .map(|provider| {
            let checks = checks_of(provider);
            let lines: Vec<Line<'_>> = checks
                .iter()
                .map(|c| Line { id: &c.id, kind: c.kind(), target: c.target(), state: state(&c.id) })
                .collect();
            summarize_provider(provider, &lines, network, lang, now)
        })
        .collect();
    Summary { checked_at: now, network, language: lang, providers, storage: None }
}

/// One provider's line in the summary, from its checks (its status page, if it has one,
/// and its own servers).
pub fn summarize_provider(
    provider: &Provider,
    lines: &[Line<'_>],
    network: Network,
    lang: Language,
    now: DateTime<FixedOffset>,
) -> ProviderSummary {
    let status_line = lines.iter().find(|l| l.kind == CheckKind::StatusPage);
    let status = status_line.and_then(|l| l.state);
    let page = status
        .and_then(|s| s.confirmed.as_ref())
        .and_then(Observation::snapshot)
        .map(|s| s.clone().filtered(&provider.components));
    let page_view = match (status_line, &page) {
        (None, _) => Page::None,
        (Some(_), Some(snapshot)) => Page::Read(snapshot),
        (Some(_), None) => {
            Page::Unreadable { reason: status_reason(status), failing_since: status.and_then(|s| s.failing_since) }
        }
    };
    // Our own probes: every check of this provider that is not its status page, those that
    // have not run yet included.
    let not_run = CheckState::default();
    let probes: Vec<&CheckState> =
        lines.iter().filter(|l| l.kind != CheckKind::StatusPage).map(|l| l.state.unwrap_or(&not_run)).collect();

    let judgement = judge(&page_view, &probes, network);
    let verdict_text = if judgement.verdict == Verdict::YourNetwork {
        text::network_trouble(network, lang).to_owned()
    } else {
        text::verdict(
            &VerdictFacts {
                verdict: judgement.verdict,
                name: &provider.name,
                since: judgement.since,
                symptom: judgement.symptom,
                cause: judgement.cause,
                page_reason: judgement.page_reason,
                page_resolved: judgement.page_resolved,
            },
            lang,
            now,
        )
    };

    let check_summaries = lines
        .iter()
        .map(|l| match l.state.and_then(|s| s.confirmed.as_ref().map(|o| (o, s.pattern()))) {
            Some((o, pattern)) => check_line(o, pattern, lang, now),
            None => CheckSummary::not_checked(l.id.to_owned(), l.kind, l.target.to_owned()),
        })
        .collect();

    let (components, incidents) = page.map(|p| (p.components, p.incidents)).unwrap_or_default();
    ProviderSummary {
        id: provider.id.clone(),
        name: provider.name.clone(),
        state: judgement.state,
        verdict: judgement.verdict,
        verdict_text,
        since: judgement.since,
        status_page: provider.status_page.as_ref().map(|s| s.url.to_string()),
        preset: provider.preset.clone(),
        components,
        incidents,
        checks: check_summaries,
    }
}

/// A check's line in the summary: its confirmed observation, or, while it still answers but
/// does so badly over several probes, that pattern in words.
fn check_line(o: &Observation, pattern: Option<Pattern>, lang: Language, now: DateTime<FixedOffset>) -> CheckSummary {
    let mut line = CheckSummary::of(o);
    let sentence = match &o.finding {
        Finding::Mail(m) => text::mail_result(o, m, lang),
        Finding::Http(h) => text::page_result(o, h, lang),
        Finding::StatusPage(_) | Finding::None => None,
    };
    if let Some(sentence) = sentence {
        line.message = sentence;
    }
    if let Some(pattern) = pattern {
        line.outcome = Outcome::Degraded;
        line.reason = pattern.reason();
        line.message = match pattern {
            Pattern::Intermittent(i) => text::intermittent(o.kind, i.failures, i.of, lang),
            Pattern::Slow(s) => text::slow(o.kind, s.factor(), Some(&text::clock_time(s.since, now)), lang),
        };
    }
    line
}

/// The sentence's word for a pattern of a check of this kind.
fn symptom_of(kind: CheckKind, pattern: Pattern) -> Symptom {
    match pattern {
        Pattern::Intermittent(i) => Symptom::Intermittent { kind, failures: i.failures, of: i.of },
        Pattern::Slow(s) => Symptom::Slow { kind, factor: s.factor() },
    }
}

fn status_reason(status: Option<&CheckState>) -> Option<Reason> {
    status.and_then(|s| s.confirmed.as_ref()).and_then(|o| o.reason)
}

/// What the provider's status page gives us.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Page<'a> {
    /// The provider has no status page we watch.
    None,
    /// Not read yet (`reason` is `None`), or it cannot be read.
    Unreadable { reason: Option<Reason>, failing_since: Option<DateTime<FixedOffset>> },
    /// Read and understood (already filtered to the components the user cares about).
    Read(&'a StatusSnapshot),
}

/// The judgement of one provider: its state, the verdict and what the sentence needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Judgement<'a> {
    pub state: State,
    pub verdict: Verdict,
    /// Since when the current problem is known, if there is one.
    pub since: Option<DateTime<FixedOffset>>,
    pub symptom: Symptom,
    /// What failed, when our failing probes could tell and agree on it.
    pub cause: Option<&'a Cause>,
    pub page_reason: Option<Reason>,
    /// The page calls the problem resolved while our probes still fail.
    pub page_resolved: bool,
}

impl Judgement<'_> {
    /// Nothing seen yet.
    fn not_checked() -> Self {
        Judgement {
            state: State::Unknown,
            verdict: Verdict::Unknown,
            since: None,
            symptom: Symptom::None,
            cause: None,
            page_reason: None,
            page_resolved: false,
        }
    }
}

/// What our confirmed probes of one provider say, sorted by what they mean for the user.
#[derive(Debug, Default)]
struct Probes<'a> {
    /// Confirmed down for a reason on the provider's side (not auth, not offline).
    failing: Vec<&'a CheckState>,
    /// Confirmed down because the login was refused.
    auth: Vec<&'a CheckState>,
    /// Confirmed down because a setting of the user's does not fit the server (the TLS mode
    /// for the port, a server's own certificate authority not named).
    settings: Vec<&'a CheckState>,
    /// Answering, but badly; `cert_only` when the only concern is the certificate's expiry.
    impaired: Vec<(&'a Observation, bool)>,
    /// Answering, but badly over several probes: now and then only, or far slower than usual.
    patterned: Vec<(&'a Observation, Pattern)>,
    /// Not run yet.
    not_run: usize,
    /// Ran, but could not tell (with the reason, when there is one).
    inconclusive: Vec<Option<Reason>>,
    /// Answered well.
    up: usize,
}

impl<'a> Probes<'a> {
    fn sort(probes: &[&'a CheckState]) -> Probes<'a> {
        let mut sorted = Probes::default();
        for state in probes {
            let Some(o) = &state.confirmed else {
                sorted.not_run += 1;
                continue;
            };
            match (o.outcome, o.reason) {
                // Offline is the network's fault, never the provider's: the network verdict
                // speaks for it.
                (_, Some(Reason::Offline)) => {}
                (Outcome::Up | Outcome::Degraded, _) if state.pattern().is_some() => {
                    sorted.patterned.extend(state.pattern().map(|p| (o, p)));
                }
                (Outcome::Up, _) => sorted.up += 1,
                (Outcome::Degraded, reason) => {
                    let cert_only = o.cert_days_left.is_some() && matches!(reason, None | Some(Reason::Certificate));
                    sorted.impaired.push((o, cert_only));
                }
                (Outcome::Down, Some(Reason::Auth)) => sorted.auth.push(state),
                (Outcome::Down, _) if o.cause().is_some_and(|c| c.owner() == Owner::Settings) => {
                    sorted.settings.push(state);
                }
                (Outcome::Down, _) => sorted.failing.push(state),
                (Outcome::Unknown, reason) => sorted.inconclusive.push(reason),
            }
        }
        sorted
    }

    /// How many of our probes have a result (offline ones say nothing and do not count).
    fn seen(&self) -> usize {
        self.failing.len()
            + self.auth.len()
            + self.settings.len()
            + self.impaired.len()
            + self.patterned.len()
            + self.inconclusive.len()
            + self.up
    }

    /// The provider's state as far as our probes know it.
    fn state(&self) -> State {
        if !self.failing.is_empty() {
            State::PartialOutage
        } else if !self.auth.is_empty()
            || !self.settings.is_empty()
            || !self.impaired.is_empty()
            || !self.patterned.is_empty()
        {
            // A refused login is not the provider's outage, but the user cannot work and
            // must act: it has to be a problem state (tray attention), yet never an outage.
            State::Degraded
        } else if !self.inconclusive.is_empty() {
            State::Unknown
        } else {
            State::Operational
        }
    }
}

/// Names what a set of probes is about: mail servers, mail delivery or plain servers.
fn subject<'o>(observations: impl IntoIterator<Item = &'o Observation>) -> Subject {
    let observations: Vec<&Observation> = observations.into_iter().collect();
    let kinds: Vec<CheckKind> = observations.iter().map(|o| o.kind).collect();
    if kinds.iter().all(|k| matches!(k, CheckKind::Smtp | CheckKind::Imap | CheckKind::Pop3)) {
        Subject::MailServers
    } else if observations.iter().all(|o| o.kind == CheckKind::Roundtrip && o.reason == Some(Reason::Spam)) {
        Subject::MailToSpam
    } else if kinds.iter().all(|k| *k == CheckKind::Roundtrip) {
        Subject::MailDelivery
    } else if kinds.iter().all(|k| *k != CheckKind::Http) {
        // A mix of mail protocols and the round trip: the mail servers are the common part.
        Subject::MailServers
    } else {
        Subject::Servers
    }
}

/// The cause our failing probes agree on, when it says more than "does not answer": one
/// sentence can name it only when every failing probe found the same kind of fault.
fn shared_cause<'a>(failing: &[&'a CheckState]) -> Option<&'a Cause> {
    let mut causes = failing.iter().map(|s| s.confirmed.as_ref().and_then(Observation::cause));
    let first = causes.next().flatten()?;
    let same = causes.all(|c| c.is_some_and(|c| std::mem::discriminant(c) == std::mem::discriminant(first)));
    (same && !first.is_silence()).then_some(first)
}

fn earliest_failure(states: &[&CheckState]) -> Option<DateTime<FixedOffset>> {
    states.iter().filter_map(|s| s.failing_since).min()
}

/// "Is it me or them": the state, verdict and "since when" of one provider, from its status
/// page and our own confirmed probes.
///
/// The state is the worst of the page and the probes (a confirmed `down` probe makes it at
/// least a partial outage); an unreadable page alone is `unknown`, never down. The verdict
/// says whose fault it is: the network's, the provider's (confirmed by its page, or not yet
/// acknowledged), the user's account, or an announced maintenance.
pub fn judge<'a>(page: &Page<'_>, probes: &[&'a CheckState], network: Network) -> Judgement<'a> {
    let mut judgement = Judgement::not_checked();
    if !network.is_online() {
        judgement.verdict = Verdict::YourNetwork;
        return judgement;
    }
    let ours = Probes::sort(probes);
    if matches!(page, Page::None) && ours.not_run > 0 && ours.seen() == 0 {
        // No status page, and none of our checks has run: not judged yet, never "all well".
        return judgement;
    }
    let page_state = match page {
        Page::None => State::Operational,
        Page::Unreadable { .. } => State::Unknown,
        Page::Read(snapshot) => snapshot.overall(),
    };
    judgement.state = page_state.worse(ours.state());
    if let Page::Unreadable { reason, .. } = page {
        judgement.page_reason = *reason;
    }

    let incident_since = match page {
        Page::Read(snapshot) => snapshot
            .incidents
            .iter()
            .filter(|i| i.state.is_open() && i.state != IncidentState::Scheduled)
            .filter_map(|i| i.started_at)
            .min(),
        _ => None,
    };
    let failing_since = earliest_failure(&ours.failing);
    let failing_symptom = Symptom::NotAnswering(subject(ours.failing.iter().filter_map(|s| s.confirmed.as_ref())));
    let failing_cause = shared_cause(&ours.failing);

    if page_state == State::Maintenance {
        // The provider announced it: failures of ours during its maintenance are expected.
        judgement.verdict = Verdict::Maintenance;
        judgement.since = incident_since;
    } else if page_state.is_problem() {
        judgement.verdict = Verdict::ProviderConfirmed;
        // We may have noticed before the provider wrote it down.
        judgement.since = [incident_since, failing_since].into_iter().flatten().min();
        if !ours.failing.is_empty() {
            judgement.symptom = failing_symptom;
        }
    } else if !ours.failing.is_empty() {
        // The provider spoke about this failure and has since called it over: it is not
        // unacknowledged, and it is not over either.
        let resolved_since_we_failed = match (page, failing_since) {
            (Page::Read(snapshot), Some(failing)) => snapshot.incidents.iter().any(|i| {
                matches!(i.state, IncidentState::Resolved)
                    && i.updated_at.or_else(|| i.updates.first().map(|u| u.at)).is_some_and(|at| at >= failing)
            }),
            _ => false,
        };
        judgement.verdict =
            if resolved_since_we_failed { Verdict::ProviderConfirmed } else { Verdict::ProviderUnacknowledged };
        judgement.page_resolved = resolved_since_we_failed;
        judgement.since = failing_since;
        judgement.symptom = failing_symptom;
        judgement.cause = failing_cause;
        let reached_as_its_clients_do =
            ours.failing.iter().all(|s| s.confirmed.as_ref().is_some_and(|o| o.kind == CheckKind::Http));
        if matches!(page, Page::None) && reached_as_its_clients_do {
            judgement.symptom = Symptom::Unreachable;
        }
    } else if !ours.settings.is_empty() {
        // A setting of the user's, not the provider's outage: the sentence says the fix.
        judgement.verdict = Verdict::YourSettings;
        judgement.since = earliest_failure(&ours.settings);
        judgement.cause = ours.settings.iter().filter_map(|s| s.confirmed.as_ref()).find_map(Observation::cause);
    } else if !ours.auth.is_empty() {
        judgement.verdict = Verdict::YourAccount;
        judgement.since = earliest_failure(&ours.auth);
    } else if let Some((o, worst)) = ours.patterned.iter().max_by_key(|(_, p)| p.severity()) {
        judgement.verdict = Verdict::ProviderUnacknowledged;
        judgement.since = ours.patterned.iter().map(|(_, p)| p.since()).min();
        judgement.symptom = symptom_of(o.kind, *worst);
    } else if !ours.impaired.is_empty() {
        judgement.verdict = Verdict::ProviderUnacknowledged;
        judgement.symptom = if ours.impaired.iter().all(|(_, cert_only)| *cert_only) {
            let days = ours.impaired.iter().filter_map(|(o, _)| o.cert_days_left).min().unwrap_or_default();
            Symptom::CertificateExpiring { days }
        } else {
            Symptom::Impaired(subject(ours.impaired.iter().filter(|(_, cert)| !cert).map(|(o, _)| *o)))
        };
    } else if judgement.state == State::Unknown {
        judgement.verdict = Verdict::Unknown;
        judgement.since = match page {
            Page::Unreadable { failing_since, .. } => *failing_since,
            _ => None,
        };
        if let Some(reason) = ours.inconclusive.iter().flatten().next() {
            judgement.symptom = Symptom::Inconclusive(*reason);
        }
    } else {
        judgement.verdict = Verdict::AllWell;
    }
    judgement
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Finding, Incident};

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    fn config() -> Config {
        crate::config::parse(
            "[[provider]]\nid = \"df\"\nname = \"DomainFactory\"\nstatus_page = \"https://status.df.test/\"\n",
            "c.toml",
        )
        .unwrap()
    }

    fn page_observation(snapshot: StatusSnapshot) -> Observation {
        Observation {
            check_id: "df/status_page".into(),
            kind: CheckKind::StatusPage,
            target: "https://status.df.test/api/v2/summary.json".into(),
            at: at("2026-11-24T10:05:00+01:00"),
            outcome: Outcome::Up,
            reason: None,
            message: "read".into(),
            latency_ms: Some(42),
            cert_days_left: None,
            finding: Finding::StatusPage(snapshot),
        }
    }

    fn summarize_with(state: CheckState, network: Network, lang: Language) -> ProviderSummary {
        let mut checks = BTreeMap::new();
        checks.insert("df/status_page".to_owned(), state);
        summarize(&config(), &checks, network, lang, at("2026-11-24T10:06:00+01:00")).providers.remove(0)
    }

    #[test]
    fn not_checked_yet_is_unknown() {
        let p = summarize_with(CheckState::default(), Network::Online, Language::En);
        assert_eq!((p.state, p.verdict), (State::Unknown, Verdict::Unknown));
        assert_eq!(p.checks[0].outcome, Outcome::Unknown);
        assert_eq!(p.checks[0].message, "not checked yet");
    }

    #[test]
    fn provider_confirmed_outage_with_since() {
        let snapshot = StatusSnapshot {
            indicator: Some(State::MajorOutage),
            components: vec![],
            incidents: vec![Incident {
                id: "i".into(),
                title: "Mail cluster down".into(),
                state: IncidentState::Investigating,
                impact: State::MajorOutage,
                started_at: Some(at("2026-11-24T10:02:00+01:00")),
                updated_at: None,
                url: None,
                updates: vec![],
                components: vec![],
            }],
        };
        let p =
            summarize_with(CheckState::settled(Some(page_observation(snapshot)), None), Network::Online, Language::De);
        assert_eq!(p.state, State::MajorOutage);
        assert_eq!(p.verdict, Verdict::ProviderConfirmed);
        assert_eq!(p.since, Some(at("2026-11-24T10:02:00+01:00")));
        assert!(p.verdict_text.contains("DomainFactory") && p.verdict_text.contains("10:02"), "{}", p.verdict_text);
        assert_eq!(p.incidents.len(), 1);
    }

    #[test]
    fn offline_is_your_network() {
        let snapshot = StatusSnapshot { indicator: Some(State::Operational), components: vec![], incidents: vec![] };
        let p =
            summarize_with(CheckState::settled(Some(page_observation(snapshot)), None), Network::Offline, Language::En);
        assert_eq!((p.state, p.verdict), (State::Unknown, Verdict::YourNetwork));
    }

    #[test]
    fn unreadable_page_is_unknown_not_down() {
        let failed = Observation::failed(
            "df/status_page",
            CheckKind::StatusPage,
            "https://status.df.test/api/v2/summary.json",
            at("2026-11-24T10:05:00+01:00"),
            Outcome::Unknown,
            Reason::HttpStatus,
            "HTTP 500",
        );
        let p = summarize_with(
            CheckState::settled(Some(failed), Some(at("2026-11-24T10:04:00+01:00"))),
            Network::Online,
            Language::En,
        );
        assert_eq!((p.state, p.verdict), (State::Unknown, Verdict::Unknown));
        assert_eq!(p.checks[0].reason, Some(Reason::HttpStatus));
        assert!(p.verdict_text.contains("cannot be read"), "{}", p.verdict_text);
    }

    /// A confirmed probe of ours: (check id, state) with its outcome, reason and since.
    fn probe(
        id: &str,
        kind: CheckKind,
        outcome: Outcome,
        reason: Option<Reason>,
        since: Option<&str>,
        cert_days_left: Option<i64>,
    ) -> (String, CheckState) {
        let observation = Observation {
            check_id: id.into(),
            kind,
            target: "sslin.df.test:993".into(),
            at: at("2026-11-24T10:05:00+01:00"),
            outcome,
            reason,
            message: "probe".into(),
            latency_ms: None,
            cert_days_left,
            finding: Finding::None,
        };
        (id.to_owned(), CheckState::settled(Some(observation), since.map(at)))
    }

    fn green() -> StatusSnapshot {
        StatusSnapshot { indicator: Some(State::Operational), components: vec![], incidents: vec![] }
    }

    fn page_with(state: IncidentState, impact: State, started: &str) -> StatusSnapshot {
        StatusSnapshot {
            indicator: Some(impact),
            components: vec![],
            incidents: vec![Incident {
                id: "i".into(),
                title: "Mail".into(),
                state,
                impact,
                started_at: Some(at(started)),
                updated_at: None,
                url: None,
                updates: vec![],
                components: vec![],
            }],
        }
    }

    /// A green page with one incident, started and resolved at these times.
    fn resolved_at(started: &str, resolved: &str) -> StatusSnapshot {
        let mut page = page_with(IncidentState::Resolved, State::MajorOutage, started);
        page.indicator = Some(State::Operational);
        page.incidents[0].updated_at = Some(at(resolved));
        page
    }

    struct Case {
        name: &'static str,
        page: Option<StatusSnapshot>,
        probes: Vec<(String, CheckState)>,
        network: Network,
        state: State,
        verdict: Verdict,
        since: Option<&'static str>,
        /// Words the German and the English sentence must contain.
        de: &'static str,
        en: &'static str,
    }

    #[test]
    fn verdicts_fuse_status_page_and_own_probes() {
        use CheckKind::{Http, Imap, Roundtrip, Smtp};
        use Outcome::{Degraded, Down, Unknown, Up};
        let imap = "df/imap/sslin.df.test:993";
        let smtp = "df/smtp/smtp.df.test:465";
        let cases = [
            Case {
                name: "our mail probes fail while the page is green",
                page: Some(green()),
                probes: vec![
                    probe(imap, Imap, Down, Some(Reason::Timeout), Some("2026-11-24T10:02:00+01:00"), None),
                    probe(smtp, Smtp, Up, None, None, None),
                ],
                network: Network::Online,
                state: State::PartialOutage,
                verdict: Verdict::ProviderUnacknowledged,
                since: Some("2026-11-24T10:02:00+01:00"),
                de: "DomainFactory: Mailserver antworten seit 10:02 nicht — vom Anbieter noch nicht bestätigt",
                en: "DomainFactory: mail servers not answering since 10:02 — not yet acknowledged by the provider",
            },
            Case {
                name: "the provider confirms what we saw first",
                page: Some(page_with(IncidentState::Investigating, State::MajorOutage, "2026-11-24T10:20:00+01:00")),
                probes: vec![probe(imap, Imap, Down, Some(Reason::Refused), Some("2026-11-24T10:02:00+01:00"), None)],
                network: Network::Online,
                state: State::MajorOutage,
                verdict: Verdict::ProviderConfirmed,
                since: Some("2026-11-24T10:02:00+01:00"),
                de: "Störung seit 10:02, vom Anbieter bestätigt",
                en: "problem since 10:02, confirmed by the provider",
            },
            Case {
                name: "the page calls it resolved while our probes still fail",
                page: Some(resolved_at("2026-11-24T10:20:00+01:00", "2026-11-24T10:40:00+01:00")),
                probes: vec![probe(imap, Imap, Down, Some(Reason::Timeout), Some("2026-11-24T10:02:00+01:00"), None)],
                network: Network::Online,
                state: State::PartialOutage,
                verdict: Verdict::ProviderConfirmed,
                since: Some("2026-11-24T10:02:00+01:00"),
                de: "DomainFactory meldet die Störung als behoben — Ihre Mailserver antworten aber weiterhin nicht",
                en: "DomainFactory reports the problem as resolved — but your mail servers still do not answer",
            },
            Case {
                name: "an incident resolved before our failure began says nothing about it",
                page: Some(resolved_at("2026-11-24T08:00:00+01:00", "2026-11-24T09:00:00+01:00")),
                probes: vec![probe(imap, Imap, Down, Some(Reason::Timeout), Some("2026-11-24T10:02:00+01:00"), None)],
                network: Network::Online,
                state: State::PartialOutage,
                verdict: Verdict::ProviderUnacknowledged,
                since: Some("2026-11-24T10:02:00+01:00"),
                de: "vom Anbieter noch nicht bestätigt",
                en: "not yet acknowledged by the provider",
            },
            Case {
                name: "only the login fails: your account",
                page: Some(green()),
                probes: vec![
                    probe(imap, Imap, Down, Some(Reason::Auth), Some("2026-11-24T09:58:00+01:00"), None),
                    probe(smtp, Smtp, Up, None, None, None),
                ],
                network: Network::Online,
                state: State::Degraded,
                verdict: Verdict::YourAccount,
                since: Some("2026-11-24T09:58:00+01:00"),
                de: "DomainFactory: Anmeldung seit 09:58 abgelehnt — bitte Benutzername und Passwort prüfen",
                en: "DomainFactory: login refused since 09:58 — check your user name and password",
            },
            Case {
                name: "a refused login next to an unreachable server is the provider's problem",
                page: Some(green()),
                probes: vec![
                    probe(imap, Imap, Down, Some(Reason::Auth), Some("2026-11-24T10:01:00+01:00"), None),
                    probe(smtp, Smtp, Down, Some(Reason::Timeout), Some("2026-11-24T10:03:00+01:00"), None),
                ],
                network: Network::Online,
                state: State::PartialOutage,
                verdict: Verdict::ProviderUnacknowledged,
                since: Some("2026-11-24T10:03:00+01:00"),
                de: "Mailserver antworten seit 10:03 nicht",
                en: "mail servers not answering since 10:03",
            },
            Case {
                name: "offline: your network, whatever the probes said before",
                page: Some(page_with(IncidentState::Investigating, State::MajorOutage, "2026-11-24T10:20:00+01:00")),
                probes: vec![probe(imap, Imap, Down, Some(Reason::Timeout), Some("2026-11-24T10:02:00+01:00"), None)],
                network: Network::Offline,
                state: State::Unknown,
                verdict: Verdict::YourNetwork,
                since: None,
                de: "Ihr Internet ist nicht erreichbar",
                en: "Your internet connection is down",
            },
            Case {
                name: "a broken resolver: your network, naming DNS, whatever the probes said before",
                page: Some(green()),
                probes: vec![probe(imap, Imap, Down, Some(Reason::Dns), Some("2026-11-24T10:02:00+01:00"), None)],
                network: Network::Dns,
                state: State::Unknown,
                verdict: Verdict::YourNetwork,
                since: None,
                de: "Ihr DNS-Server beantwortet keine Anfragen — Ihre Internetverbindung selbst funktioniert",
                en: "Your DNS server is not answering — your internet connection itself works",
            },
            Case {
                name: "a captive portal: your network, asking for a sign-in",
                page: Some(green()),
                probes: vec![probe(
                    imap,
                    Imap,
                    Down,
                    Some(Reason::Certificate),
                    Some("2026-11-24T10:02:00+01:00"),
                    None,
                )],
                network: Network::SignIn,
                state: State::Unknown,
                verdict: Verdict::YourNetwork,
                since: None,
                de: "Dieses Netz verlangt eine Anmeldung",
                en: "This network wants you to sign in",
            },
            Case {
                name: "announced maintenance explains our failures",
                page: Some(page_with(IncidentState::InProgress, State::Maintenance, "2026-11-24T09:00:00+01:00")),
                probes: vec![probe(imap, Imap, Down, Some(Reason::Refused), Some("2026-11-24T09:05:00+01:00"), None)],
                network: Network::Online,
                state: State::PartialOutage,
                verdict: Verdict::Maintenance,
                since: Some("2026-11-24T09:00:00+01:00"),
                de: "Wartungsarbeiten laufen",
                en: "maintenance in progress",
            },
            Case {
                name: "an unreadable page with healthy probes is unknown, never down",
                page: None,
                probes: vec![probe(imap, Imap, Up, None, None, None)],
                network: Network::Online,
                state: State::Unknown,
                verdict: Verdict::Unknown,
                since: None,
                de: "Statusseite nicht lesbar (Fehlerstatus des Servers)",
                en: "status page cannot be read (error status from the server)",
            },
            Case {
                name: "an unreadable page does not hide failing probes",
                page: None,
                probes: vec![probe(imap, Imap, Down, Some(Reason::Timeout), Some("2026-11-24T10:02:00+01:00"), None)],
                network: Network::Online,
                state: State::PartialOutage,
                verdict: Verdict::ProviderUnacknowledged,
                since: Some("2026-11-24T10:02:00+01:00"),
                de: "vom Anbieter noch nicht bestätigt",
                en: "not yet acknowledged by the provider",
            },
            Case {
                name: "a certificate about to expire is degraded, with its own sentence",
                page: Some(green()),
                probes: vec![probe(imap, Imap, Degraded, Some(Reason::Certificate), None, Some(5))],
                network: Network::Online,
                state: State::Degraded,
                verdict: Verdict::ProviderUnacknowledged,
                since: None,
                de: "DomainFactory: Zertifikat läuft in 5 Tagen ab",
                en: "DomainFactory: certificate expires in 5 days",
            },
            Case {
                name: "late delivery in the round trip",
                page: Some(green()),
                probes: vec![probe("df/roundtrip", Roundtrip, Degraded, Some(Reason::Delayed), None, None)],
                network: Network::Online,
                state: State::Degraded,
                verdict: Verdict::ProviderUnacknowledged,
                since: None,
                de: "Mails kommen verspätet an",
                en: "mail delivered late",
            },
            Case {
                name: "mail accepted but never delivered while the page is green (the 1&1 case)",
                page: Some(green()),
                probes: vec![
                    probe(smtp, Smtp, Up, None, None, None),
                    probe(imap, Imap, Up, None, None, None),
                    probe("df/roundtrip", Roundtrip, Down, Some(Reason::Lost), Some("2026-11-24T10:05:00+01:00"), None),
                ],
                network: Network::Online,
                state: State::PartialOutage,
                verdict: Verdict::ProviderUnacknowledged,
                since: Some("2026-11-24T10:05:00+01:00"),
                de: "DomainFactory: Mails an Sie kommen seit 10:05 nicht an — vom Anbieter noch nicht bestätigt",
                en: "DomainFactory: mail to you not arriving since 10:05 — not yet acknowledged by the provider",
            },
            Case {
                name: "a round trip whose login is refused is the account's",
                page: Some(green()),
                probes: vec![probe(
                    "df/roundtrip",
                    Roundtrip,
                    Down,
                    Some(Reason::Auth),
                    Some("2026-11-24T09:58:00+01:00"),
                    None,
                )],
                network: Network::Online,
                state: State::Degraded,
                verdict: Verdict::YourAccount,
                since: Some("2026-11-24T09:58:00+01:00"),
                de: "DomainFactory: Anmeldung seit 09:58 abgelehnt — bitte Benutzername und Passwort prüfen",
                en: "DomainFactory: login refused since 09:58 — check your user name and password",
            },
            Case {
                name: "mail in the spam folder is degraded delivery, not an outage",
                page: Some(green()),
                probes: vec![probe("df/roundtrip", Roundtrip, Degraded, Some(Reason::Spam), None, None)],
                network: Network::Online,
                state: State::Degraded,
                verdict: Verdict::ProviderUnacknowledged,
                since: None,
                de: "Mails an Sie landen im Spam-Ordner",
                en: "mail to you lands in the spam folder",
            },
            Case {
                name: "a failing website is named as servers",
                page: Some(green()),
                probes: vec![probe(
                    "df/http/www",
                    Http,
                    Down,
                    Some(Reason::HttpStatus),
                    Some("2026-11-24T10:04:00+01:00"),
                    None,
                )],
                network: Network::Online,
                state: State::PartialOutage,
                verdict: Verdict::ProviderUnacknowledged,
                since: Some("2026-11-24T10:04:00+01:00"),
                de: "DomainFactory: Server antworten seit 10:04 nicht",
                en: "DomainFactory: servers not answering since 10:04",
            },
            Case {
                name: "an inconclusive probe makes the provider unknown",
                page: Some(green()),
                probes: vec![probe(imap, Imap, Unknown, Some(Reason::Protocol), None, None)],
                network: Network::Online,
                state: State::Unknown,
                verdict: Verdict::Unknown,
                since: None,
                de: "Prüfung ohne Ergebnis (unerwartete Antwort des Servers)",
                en: "check inconclusive (unexpected answer from the server)",
            },
            Case {
                name: "a probe that only saw the network go away says nothing about the provider",
                page: Some(green()),
                probes: vec![probe(imap, Imap, Unknown, Some(Reason::Offline), None, None)],
                network: Network::Online,
                state: State::Operational,
                verdict: Verdict::AllWell,
                since: None,
                de: "DomainFactory: alles in Ordnung",
                en: "DomainFactory: all well",
            },
        ];
        for case in cases {
            let status = match case.page {
                Some(snapshot) => CheckState::settled(Some(page_observation(snapshot)), None),
                None => CheckState::settled(
                    Some(Observation::failed(
                        "df/status_page",
                        CheckKind::StatusPage,
                        "https://status.df.test/",
                        at("2026-11-24T10:05:00+01:00"),
                        Unknown,
                        Reason::HttpStatus,
                        "HTTP 500",
                    )),
                    None,
                ),
            };
            // The probes of the table include kinds the config cannot declare yet (http,
            // round trip), so the provider's lines are laid out by hand.
            let mut lines = vec![Line {
                id: "df/status_page",
                kind: CheckKind::StatusPage,
                target: "https://status.df.test/",
                state: Some(&status),
            }];
            lines.extend(case.probes.iter().map(|(id, state)| Line {
                id,
                kind: state.confirmed.as_ref().map_or(Imap, |o| o.kind),
                target: "sslin.df.test:993",
                state: Some(state),
            }));
            let now = at("2026-11-24T10:06:00+01:00");
            let config = config();
            for (lang, words) in [(Language::De, case.de), (Language::En, case.en)] {
                let p = summarize_provider(&config.providers[0], &lines, case.network, lang, now);
                assert_eq!((p.state, p.verdict), (case.state, case.verdict), "{}", case.name);
                assert_eq!(p.since, case.since.map(at), "{}", case.name);
                assert!(p.verdict_text.contains(words), "{}: {:?} lacks {words:?}", case.name, p.verdict_text);
            }
        }
    }

    #[test]
    fn checks_of_another_provider_whose_id_shares_a_prefix_do_not_count() {
        let config = crate::config::parse(
            "[[provider]]\nid = \"df\"\nname = \"DomainFactory\"\nstatus_page = \"https://status.df.test/\"\n\
             [[provider]]\nid = \"dfx\"\nname = \"DFX\"\n\
             [[provider.mail]]\nkind = \"imap\"\nhost = \"imap.dfx.test\"\nport = 993\ntls = \"implicit\"\n",
            "c.toml",
        )
        .unwrap();
        let checks: BTreeMap<String, CheckState> = [
            ("df/status_page".to_owned(), CheckState::settled(Some(page_observation(green())), None)),
            probe(
                "dfx/imap/imap.dfx.test:993",
                CheckKind::Imap,
                Outcome::Down,
                Some(Reason::Timeout),
                Some("2026-11-24T10:02:00+01:00"),
                None,
            ),
        ]
        .into_iter()
        .collect();
        let now = at("2026-11-24T10:06:00+01:00");
        for (lang, words) in [(Language::De, "alles in Ordnung"), (Language::En, "all well")] {
            let summary = summarize(&config, &checks, Network::Online, lang, now);
            let df = &summary.providers[0];
            assert_eq!((df.state, df.verdict, df.since), (State::Operational, Verdict::AllWell, None));
            assert!(df.verdict_text.contains(words), "{:?} lacks {words:?}", df.verdict_text);
            assert_eq!(df.checks.len(), 1, "only its own status page");
            assert_eq!(summary.providers[1].verdict, Verdict::ProviderUnacknowledged);
        }
    }

    #[test]
    fn a_provider_without_status_page_is_not_checked_yet_before_its_checks_ran() {
        let config = crate::config::parse(
            "[[provider]]\nid = \"acme\"\nname = \"Acme Mail\"\n\
             [[provider.mail]]\nkind = \"imap\"\nhost = \"imap.acme.test\"\nport = 993\ntls = \"implicit\"\n",
            "c.toml",
        )
        .unwrap();
        let now = at("2026-11-24T10:06:00+01:00");
        for (lang, text) in
            [(Language::De, "Acme Mail: noch nicht geprüft"), (Language::En, "Acme Mail: not checked yet")]
        {
            let p = summarize(&config, &BTreeMap::new(), Network::Online, lang, now).providers.remove(0);
            assert_eq!((p.state, p.verdict, p.verdict_text.as_str()), (State::Unknown, Verdict::Unknown, text));
        }
        let checks: BTreeMap<String, CheckState> =
            [probe("acme/imap/imap.acme.test:993", CheckKind::Imap, Outcome::Up, None, None, None)]
                .into_iter()
                .collect();
        let p = summarize(&config, &checks, Network::Online, Language::En, now).providers.remove(0);
        assert_eq!((p.state, p.verdict), (State::Operational, Verdict::AllWell), "judged once it ran");
    }

    #[test]
    fn probes_are_listed_with_the_status_page() {
        let config = crate::config::parse(
            "[[provider]]\nid = \"df\"\nname = \"DomainFactory\"\nstatus_page = \"https://status.df.test/\"\n\
             [[provider.mail]]\nkind = \"imap\"\nhost = \"sslin.df.test\"\nport = 993\ntls = \"implicit\"\n",
            "c.toml",
        )
        .unwrap();
        let mut checks: BTreeMap<String, CheckState> = [
            probe("df/imap/sslin.df.test:993", CheckKind::Imap, Outcome::Up, None, None, Some(40)),
            probe("other/imap", CheckKind::Imap, Outcome::Up, None, None, None),
        ]
        .into_iter()
        .collect();
        checks.insert("df/status_page".into(), CheckState::default());
        let p = summarize(&config, &checks, Network::Online, Language::En, at("2026-11-24T10:06:00+01:00"))
            .providers
            .remove(0);
        let ids: Vec<&str> = p.checks.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["df/status_page", "df/imap/sslin.df.test:993"]);
        assert_eq!(p.checks[1].cert_days_left, Some(40));
    }

    #[test]
    fn a_service_without_status_page_that_its_clients_cannot_reach_says_so() {
        let config = crate::config::parse(
            "[[provider]]\nid = \"wa\"\nname = \"WhatsApp\"\n[[provider.http]]\nurl = \"https://web.whatsapp.test/\"\n",
            "c.toml",
        )
        .unwrap();
        let checks: BTreeMap<String, CheckState> = [probe(
            "wa/http/https://web.whatsapp.test/",
            CheckKind::Http,
            Outcome::Down,
            Some(Reason::Timeout),
            Some("2026-11-24T10:02:00+01:00"),
            None,
        )]
        .into_iter()
        .collect();
        let now = at("2026-11-24T10:06:00+01:00");
        for (lang, text) in [
            (
                Language::De,
                "WhatsApp ist nicht erreichbar — Ihre Internetverbindung funktioniert; WhatsApp hat keine Statusseite",
            ),
            (Language::En, "WhatsApp cannot be reached — your internet connection works; WhatsApp has no status page"),
        ] {
            let p = summarize(&config, &checks, Network::Online, lang, now).providers.remove(0);
            assert_eq!((p.state, p.verdict), (State::PartialOutage, Verdict::ProviderUnacknowledged));
            assert_eq!(p.verdict_text, text);
        }
    }

    #[test]
    fn a_provider_without_status_page_is_judged_by_its_probes() {
        let (_, up) = probe("df/imap", CheckKind::Imap, Outcome::Up, None, None, None);
        let j = judge(&Page::None, &[&up], Network::Online);
        assert_eq!((j.state, j.verdict), (State::Operational, Verdict::AllWell));
        let j = judge(&Page::None, &[], Network::Online);
        assert_eq!((j.state, j.verdict), (State::Operational, Verdict::AllWell));
        let (_, down) = probe(
            "df/pop3",
            CheckKind::Pop3,
            Outcome::Down,
            Some(Reason::Banner),
            Some("2026-11-24T10:00:00+01:00"),
            None,
        );
        let j = judge(&Page::None, &[&up, &down], Network::Online);
        assert_eq!((j.state, j.verdict), (State::PartialOutage, Verdict::ProviderUnacknowledged));
        assert_eq!(j.symptom, Symptom::NotAnswering(Subject::MailServers));
    }

    /// A confirmed failed mail probe that found `cause`.
    fn failed_with(id: &str, reason: Reason, cause: Cause) -> CheckState {
        let observation = Observation {
            finding: Finding::Mail(crate::model::MailFinding { cause: Some(cause), ..Default::default() }),
            ..Observation::failed(
                id,
                CheckKind::Imap,
                "imap.example.de:465",
                at("2026-11-24T10:05:00+01:00"),
                Outcome::Down,
                reason,
                "probe",
            )
        };
        CheckState::settled(Some(observation), Some(at("2026-11-24T10:00:00+01:00")))
    }

    #[test]
    fn a_wrong_tls_setting_is_the_users_never_the_providers_outage() {
        let page = green();
        let wrong_mode = failed_with(
            "df/smtp",
            Reason::Timeout,
            Cause::silent("smtp.example.de", 465, crate::config::TlsMode::Starttls, None),
        );
        let j = judge(&Page::Read(&page), &[&wrong_mode], Network::Online);
        assert_eq!((j.state, j.verdict), (State::Degraded, Verdict::YourSettings));
        let facts = VerdictFacts {
            verdict: j.verdict,
            name: "Acme",
            since: j.since,
            symptom: j.symptom,
            cause: j.cause,
            page_reason: None,
            page_resolved: false,
        };
        let de = text::verdict(&facts, Language::De, at("2026-11-24T10:06:00+01:00"));
        assert_eq!(
            de,
            "Acme: Für smtp.example.de:465 ist STARTTLS eingestellt, der Server erwartet dort aber TLS von Anfang an — \
             bitte beim Postfach „TLS von Anfang an (SSL)“ wählen"
        );
        // Implicit TLS on the submission port, and a private CA without ca_file, likewise.
        for cause in [
            Cause::not_tls("smtp.example.de", 587, None),
            Cause::CertificateUntrusted { host: "mail.firma.test".into() },
        ] {
            let state = failed_with("df/smtp", Reason::Tls, cause);
            assert_eq!(judge(&Page::None, &[&state], Network::Online).verdict, Verdict::YourSettings);
        }
        // A real outage of another server of the same provider still speaks first.
        let (_, down) = probe(
            "df/imap",
            CheckKind::Imap,
            Outcome::Down,
            Some(Reason::Refused),
            Some("2026-11-24T10:00:00+01:00"),
            None,
        );
        let j = judge(&Page::Read(&page), &[&wrong_mode, &down], Network::Online);
        assert_eq!(j.verdict, Verdict::ProviderUnacknowledged);
    }

    #[test]
    fn the_verdict_names_what_failed() {
        let expired = failed_with(
            "df/imap",
            Reason::Certificate,
            Cause::CertificateExpired { host: "imap.example.de".into(), days: 3 },
        );
        let page = green();
        let j = judge(&Page::Read(&page), &[&expired], Network::Online);
        assert_eq!(j.verdict, Verdict::ProviderUnacknowledged);
        let facts = VerdictFacts {
            verdict: j.verdict,
            name: "DomainFactory",
            since: j.since,
            symptom: j.symptom,
            cause: j.cause,
            page_reason: None,
            page_resolved: false,
        };
        assert_eq!(
            text::verdict(&facts, Language::De, at("2026-11-24T10:06:00+01:00")),
            "DomainFactory: Das Zertifikat von imap.example.de ist seit 3 Tagen abgelaufen — vom Anbieter noch nicht bestätigt"
        );
        let unavailable = failed_with(
            "df/smtp",
            Reason::Banner,
            Cause::Unavailable { host: "smtp.example.de".into(), reply: "421 4.3.2 Service not available".into() },
        );
        let j = judge(&Page::Read(&page), &[&unavailable], Network::Online);
        let en = text::verdict(
            &VerdictFacts { cause: j.cause, symptom: j.symptom, ..facts },
            Language::En,
            at("2026-11-24T10:06:00+01:00"),
        );
        assert!(en.contains("turns connections away: “421 4.3.2 Service not available”"), "{en}");
        // Two different faults cannot be one sentence: the plain one stays.
        let j = judge(&Page::Read(&page), &[&expired, &unavailable], Network::Online);
        assert_eq!(j.cause, None);
        assert_eq!(j.symptom, Symptom::NotAnswering(Subject::MailServers));
    }

    /// A confirmed failed page check (`[[provider.http]]`) that found `cause`.
    fn page_failed_with(url: &str, reason: Reason, cause: Option<Cause>) -> CheckState {
        let observation = Observation {
            finding: Finding::Http(crate::model::HttpFinding { cause, ..Default::default() }),
            ..Observation::failed(
                &format!("wa/http/{url}"),
                CheckKind::Http,
                url,
                at("2026-11-24T10:05:00+01:00"),
                Outcome::Down,
                reason,
                "probe",
            )
        };
        CheckState::settled(Some(observation), Some(at("2026-11-24T10:00:00+01:00")))
    }

    fn sentence(j: &Judgement<'_>, name: &str, lang: Language) -> String {
        let facts = VerdictFacts {
            verdict: j.verdict,
            name,
            since: j.since,
            symptom: j.symptom,
            cause: j.cause,
            page_reason: j.page_reason,
            page_resolved: j.page_resolved,
        };
        text::verdict(&facts, lang, at("2026-11-24T10:06:00+01:00"))
    }

    #[test]
    fn a_page_checks_verdict_names_what_failed_on_the_page() {
        // A service without a status page: its own failure, in words, and no "not acknowledged".
        let unavailable = page_failed_with(
            "https://web.example.org/",
            Reason::HttpStatus,
            Some(Cause::HttpStatus { host: "web.example.org".into(), status: 503 }),
        );
        let j = judge(&Page::None, &[&unavailable], Network::Online);
        assert_eq!((j.state, j.verdict), (State::PartialOutage, Verdict::ProviderUnacknowledged));
        assert_eq!(
            sentence(&j, "WhatsApp", Language::De),
            "WhatsApp: Die Seite web.example.org antwortet mit dem HTTP-Status 503 (Fehler beim Anbieter) — \
             Ihre Internetverbindung funktioniert; WhatsApp hat keine Statusseite"
        );
        // A page that only stopped answering keeps the plain sentence.
        let silent = page_failed_with(
            "https://web.example.org/",
            Reason::Timeout,
            Some(Cause::Silent { host: "web.example.org".into() }),
        );
        let j = judge(&Page::None, &[&silent], Network::Online);
        assert_eq!(
            sentence(&j, "WhatsApp", Language::En),
            "WhatsApp cannot be reached — your internet connection works; WhatsApp has no status page"
        );
        // A page beside a status page: the provider may still acknowledge it.
        let missing = page_failed_with(
            "https://status.example.com/",
            Reason::Content,
            Some(Cause::TextMissing { host: "status.example.com".into(), expected: "operating normally".into() }),
        );
        let page = green();
        let j = judge(&Page::Read(&page), &[&missing], Network::Online);
        assert_eq!(
            sentence(&j, "Rackspace Email", Language::En),
            "Rackspace Email: The page at status.example.com does not say “operating normally” — \
             not yet acknowledged by the provider"
        );
        // An authority this computer does not trust: most often a site's incomplete chain, so
        // the site's — and the sentence says what to do if it is the user's own authority.
        let untrusted = page_failed_with(
            "https://intranet.firma.test/",
            Reason::Certificate,
            Some(Cause::PageCertificateUntrusted { host: "intranet.firma.test".into() }),
        );
        let j = judge(&Page::None, &[&untrusted], Network::Online);
        assert_eq!((j.state, j.verdict), (State::PartialOutage, Verdict::ProviderUnacknowledged));
        assert!(sentence(&j, "Firma", Language::De).contains("geben Sie deren Zertifikat bei der Seite an"));
    }

    #[test]
    fn a_page_checks_line_says_in_words_what_it_found() {
        let mut ok = Observation {
            finding: Finding::Http(crate::model::HttpFinding { status: Some(200), ..Default::default() }),
            ..Observation::failed(
                "wa/http/x",
                CheckKind::Http,
                "https://web.example.org:8443/app",
                at("2026-11-24T10:05:00+01:00"),
                Outcome::Up,
                Reason::Timeout,
                "HTTP 200 from https://web.example.org:8443/app (12 bytes)",
            )
        };
        ok.reason = None;
        ok.latency_ms = Some(80);
        let line = check_line(&ok, None, Language::De, at("2026-11-24T10:06:00+01:00"));
        assert_eq!(line.message, "Die Seite web.example.org:8443 antwortet in 80 ms (HTTP 200)");
        let too_large = Observation {
            finding: Finding::Http(crate::model::HttpFinding::default()),
            ..Observation::failed(
                "wa/http/x",
                CheckKind::Http,
                "https://web.example.org/",
                at("2026-11-24T10:05:00+01:00"),
                Outcome::Down,
                Reason::TooLarge,
                "body larger than 5120 KiB",
            )
        };
        let line = check_line(&too_large, None, Language::En, at("2026-11-24T10:06:00+01:00"));
        assert_eq!(line.message, "The page at web.example.org: the answer is too large");
    }
}

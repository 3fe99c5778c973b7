//! Tests of the alert policy: a simulated engine (probe schedule, quick re-checks from
//! `confirm`, fusion into summaries) drives `step` with an injected clock, plus direct steps
//! over hand-made summaries for the user's commands and maintenance windows.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::*;
use chrono::Weekday;

use crate::action::Span;
use crate::calendar::{MaintenanceWindow, QuietHours, Window};
use crate::check::{CheckState, checks_of};
use crate::config::Config;
use crate::confirm::{self, RecheckPolicy};
use crate::fusion;
use crate::model::{Finding, Incident, IncidentState, IncidentUpdate, Observation, StatusSnapshot};
use crate::model::{Network, Verdict};

fn at(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).unwrap()
}

fn minutes(n: i64) -> TimeDelta {
    TimeDelta::minutes(n)
}

/// What one probe of ours sees at some moment.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Probe {
    Up,
    Down(Reason),
    /// Answers, but the certificate expires in this many days.
    CertExpiring(i64),
    /// The local network is gone (the connectivity guard said so).
    Offline,
    /// The anchors answer, but the system's resolver does not (the guard said so).
    BrokenDns,
    /// Answers well, but after this many milliseconds.
    Slow(u64),
}

type ProbeWorld = Box<dyn Fn(&str, DateTime<FixedOffset>) -> Probe>;
type PageWorld = Box<dyn Fn(&str, DateTime<FixedOffset>) -> StatusSnapshot>;

fn green() -> StatusSnapshot {
    StatusSnapshot { indicator: Some(State::Operational), components: vec![], incidents: vec![] }
}

fn major_incident(id: &str, title: &str, started: &str) -> StatusSnapshot {
    StatusSnapshot {
        indicator: Some(State::MajorOutage),
        components: vec![],
        incidents: vec![Incident {
            id: id.into(),
            title: title.into(),
            state: IncidentState::Investigating,
            impact: State::MajorOutage,
            started_at: Some(at(started)),
            updated_at: None,
            url: None,
            updates: vec![IncidentUpdate {
                at: at(started),
                status: IncidentState::Investigating,
                body: "We are investigating.".into(),
            }],
            components: vec![],
        }],
    }
}

/// The name a probe world knows a check by: its provider and kind (`df/imap`), without the
/// endpoint the config gives it.
fn world_name(check_id: &str) -> String {
    check_id.split('/').take(2).collect::<Vec<_>>().join("/")
}

/// A small engine: every check runs every `interval`, each observation takes the engine's
/// own step (`CheckState::observe`: re-checks after `confirm`'s delays, the offline rule),
/// confirmed results are fused into a summary, and a changed summary and a tick every minute
/// go into the alert policy. Sleep stops everything; on wake every check runs at once (as
/// the engine does).
struct Sim {
    config: Config,
    policy: Policy,
    confirm: RecheckPolicy,
    interval: TimeDelta,
    now: DateTime<FixedOffset>,
    /// (check id, kind) of every check.
    checks: Vec<(String, CheckKind)>,
    states: BTreeMap<String, CheckState>,
    due: BTreeMap<String, DateTime<FixedOffset>>,
    next_tick: DateTime<FixedOffset>,
    network: Network,
    sleeps: Vec<(DateTime<FixedOffset>, DateTime<FixedOffset>)>,
    probes: ProbeWorld,
    pages: PageWorld,
    alerts: AlertState,
    last_summary: Option<Summary>,
    log: Vec<(DateTime<FixedOffset>, Effect)>,
    /// How often a confirmed result changed between failure and success.
    flips: usize,
}

const NAMES: [(&str, &str); 5] =
    [("df", "DomainFactory"), ("ionos", "IONOS"), ("gmx", "GMX"), ("strato", "STRATO"), ("posteo", "Posteo")];

impl Sim {
    /// `providers` of `NAMES`, each with a status page and an IMAP probe, from `start`.
    fn new(providers: usize, start: &str, probes: ProbeWorld, pages: PageWorld) -> Sim {
        let mut toml = String::new();
        for (id, name) in &NAMES[..providers] {
            writeln!(
                toml,
                "[[provider]]\nid = \"{id}\"\nname = \"{name}\"\nstatus_page = \"https://status.{id}.test/\"\n\
                 [[provider.mail]]\nkind = \"imap\"\nhost = \"imap.example.test\"\nport = 993\ntls = \"implicit\""
            )
            .unwrap();
        }
        let config = crate::config::parse(&toml, "sim.toml").unwrap();
        let start = at(start);
        let mut checks = Vec::new();
        let mut due = BTreeMap::new();
        for (i, p) in config.providers.iter().enumerate() {
            // Spread the checks over the interval like the engine's jitter does; the IMAP
            // probe 3 s after the page.
            let offset = TimeDelta::seconds(7 + 11 * i64::try_from(i).unwrap());
            for (n, check) in checks_of(p).into_iter().enumerate() {
                due.insert(check.id.clone(), start + offset + TimeDelta::seconds(3 * i64::try_from(n).unwrap()));
                checks.push((check.id.clone(), check.kind()));
            }
        }
        Sim {
            config,
            policy: Policy::new(Language::En),
            confirm: RecheckPolicy::default(),
            interval: TimeDelta::seconds(60),
            now: start,
            checks,
            states: BTreeMap::new(),
            due,
            next_tick: start,
            network: Network::Online,
            sleeps: Vec::new(),
            probes,
            pages,
            alerts: AlertState::default(),
            last_summary: None,
            log: Vec::new(),
            flips: 0,
        }
    }

    fn step(&mut self, input: Input) {
        let (next, effects) = step(std::mem::take(&mut self.alerts), input, &self.policy, self.now);
        self.alerts = next;
        self.log.extend(effects.into_iter().map(|e| (self.now, e)));
    }

    /// Runs every probe and tick up to `until`.
    fn run_until(&mut self, until: &str) {
        let until = at(until);
        loop {
            let (check, probe_at) =
                self.due.iter().min_by_key(|(_, t)| **t).map(|(id, t)| (id.clone(), *t)).expect("checks");
            let next = probe_at.min(self.next_tick);
            if next > until {
                self.now = until;
                return;
            }
            if let Some(&(_, wake)) = self.sleeps.iter().find(|(from, to)| *from <= next && next < *to) {
                // Asleep: nothing runs. On wake the engine looks at everything again.
                self.now = wake;
                self.next_tick = wake;
                for t in self.due.values_mut() {
                    *t = wake;
                }
                continue;
            }
            self.now = next;
            if self.next_tick <= probe_at {
                self.next_tick = self.now + TimeDelta::seconds(60);
                self.step(Input::Tick);
            } else {
                self.probe(&check);
            }
        }
    }

    fn probe(&mut self, id: &str) {
        let kind = self.checks.iter().find(|(c, _)| c == id).map(|(_, k)| *k).unwrap();
        let provider = id.split('/').next().unwrap();
        let seen = (self.probes)(&world_name(id), self.now);
        let trouble = match seen {
            Probe::Offline => Network::Offline,
            Probe::BrokenDns => Network::Dns,
            _ => Network::Online,
        };
        let observation = if !trouble.is_online() {
            Observation::failed(id, kind, id, self.now, Outcome::Unknown, Reason::Offline, "offline")
        } else if kind == CheckKind::StatusPage {
            Observation {
                check_id: id.into(),
                kind,
                target: id.into(),
                at: self.now,
                outcome: Outcome::Up,
                reason: None,
                message: "read".into(),
                latency_ms: Some(30),
                cert_days_left: None,
                finding: Finding::StatusPage((self.pages)(provider, self.now)),
            }
        } else {
            let latency = if let Probe::Slow(ms) = seen { ms } else { 20 };
            let (outcome, reason, cert) = match seen {
                Probe::Up | Probe::Slow(_) => (Outcome::Up, None, Some(90)),
                Probe::Down(reason) => (Outcome::Down, Some(reason), None),
                Probe::CertExpiring(days) => (Outcome::Degraded, Some(Reason::Certificate), Some(days)),
                Probe::Offline | Probe::BrokenDns => unreachable!(),
            };
            Observation {
                check_id: id.into(),
                kind,
                target: "imap.example.test:993".into(),
                at: self.now,
                outcome,
                reason,
                message: "probe".into(),
                latency_ms: Some(latency),
                cert_days_left: cert,
                finding: Finding::None,
            }
        };

        // The engine's own step for an observation.
        let came_back = trouble.is_online() && !self.network.is_online();
        self.network = trouble;
        let state = self.states.entry(id.to_owned()).or_default();
        let was_failure = state.confirmed.as_ref().map(|o| confirm::is_failure(o.outcome));
        let step = state.observe(&observation, &self.confirm);
        if step.published && was_failure.is_some_and(|was| was != confirm::is_failure(observation.outcome)) {
            self.flips += 1;
        }
        let wait = step.recheck_in.map_or(self.interval, |d| TimeDelta::from_std(d).unwrap());
        self.due.insert(id.to_owned(), self.now + wait);
        if came_back {
            for t in self.due.values_mut() {
                *t = self.now;
            }
        }

        let summary = fusion::summarize(&self.config, &self.states, self.network, Language::En, self.now);
        let changed = self
            .last_summary
            .as_ref()
            .is_none_or(|last| last.network != summary.network || last.providers != summary.providers);
        if changed {
            self.last_summary = Some(summary.clone());
            self.step(Input::Summary(summary));
        }
    }

    /// The state of a check by the name the probe worlds use (`df/imap`).
    fn state(&self, name: &str) -> &CheckState {
        self.states.iter().find(|(id, _)| world_name(id) == name).map(|(_, s)| s).expect("a check of that name")
    }

    fn notified(&self) -> Vec<(DateTime<FixedOffset>, Alert)> {
        self.log
            .iter()
            .filter_map(|(t, e)| match e {
                Effect::Notify(a) => Some((*t, a.clone())),
                Effect::Withdraw { .. } => None,
            })
            .collect()
    }

    fn notified_between(&self, from: &str, to: &str) -> Vec<(DateTime<FixedOffset>, Alert)> {
        let (from, to) = (at(from), at(to));
        self.notified().into_iter().filter(|(t, _)| *t >= from && *t < to).collect()
    }

    fn titles(&self) -> Vec<String> {
        self.notified().into_iter().map(|(_, a)| a.title).collect()
    }
}

/// Probes that fail with `reason` for `check` while `down(t)` holds, and are up otherwise.
fn failing(check: &'static str, reason: Reason, down: impl Fn(DateTime<FixedOffset>) -> bool + 'static) -> ProbeWorld {
    Box::new(move |id, t| if id == check && down(t) { Probe::Down(reason) } else { Probe::Up })
}

fn always_green() -> PageWorld {
    Box::new(|_, _| green())
}

fn between(from: &str, to: &str) -> impl Fn(DateTime<FixedOffset>) -> bool + 'static {
    let (from, to) = (at(from), at(to));
    move |t| from <= t && t < to
}

#[test]
fn single_failed_probe_never_alerts() {
    // One lost probe (the one at 10:00:10); the re-check 10 s later is fine.
    let mut sim = Sim::new(
        1,
        "2026-11-24T09:00:00+01:00",
        failing("df/imap", Reason::Timeout, between("2026-11-24T10:00:05+01:00", "2026-11-24T10:00:15+01:00")),
        always_green(),
    );
    sim.run_until("2026-11-24T12:00:00+01:00");
    assert!(sim.state("df/imap").confirmed_failure() == Some(false));
    assert_eq!(sim.notified(), vec![], "a single failure is no outage");
}

#[test]
fn a_day_of_blips_shorter_than_the_confirmation_never_alerts() {
    // 24 hours in which the server drops out for 8 s every 23 minutes — each blip shorter
    // than a failure's confirmation, and too rare to make 3 of any 6 probes fail.
    let start = at("2026-11-24T00:00:00+01:00");
    let blips = move |t: DateTime<FixedOffset>| {
        let offset = (t - start).num_seconds();
        (0..24 * 3600).contains(&offset) && offset % (23 * 60) < 8
    };
    let mut sim = Sim::new(1, "2026-11-23T23:30:00+01:00", failing("df/imap", Reason::Timeout, blips), always_green());
    sim.run_until("2026-11-25T01:00:00+01:00");
    assert_eq!(sim.notified(), vec![], "no blip is an outage or an episode");
    assert_eq!(sim.flips, 0, "the confirmed state never changed");
    let p = &sim.last_summary.as_ref().unwrap().providers[0];
    assert_eq!((p.state, p.verdict), (State::Operational, Verdict::AllWell));
}

#[test]
fn real_outage_alerts_within_90_seconds_at_a_60_second_interval() {
    // The outage starts at different moments relative to the probe schedule (the probe runs
    // at :10 past each minute), including just after a successful probe: the worst case.
    for start in [
        "2026-11-24T10:00:00+01:00",
        "2026-11-24T10:00:09+01:00",
        "2026-11-24T10:00:11+01:00",
        "2026-11-24T10:00:40+01:00",
    ] {
        let mut sim = Sim::new(
            1,
            "2026-11-24T09:00:00+01:00",
            failing("df/imap", Reason::Refused, between(start, "2026-11-24T12:00:00+01:00")),
            always_green(),
        );
        sim.run_until("2026-11-24T10:30:00+01:00");
        let alerts = sim.notified();
        assert_eq!(alerts.len(), 1, "{start}: {alerts:?}");
        let (when, alert) = &alerts[0];
        let after = *when - at(start);
        assert!(after <= TimeDelta::seconds(90), "{start}: alerted after {after}");
        assert_eq!(alert.key, "provider:df");
        assert_eq!(alert.title, "DomainFactory: partial outage");
        assert_eq!(alert.urgency, Urgency::Critical);
        assert_eq!(alert.route, "/provider/df");
        assert!(alert.body.contains("mail servers not answering since 10:0"), "{}", alert.body);
        assert!(alert.body.contains("not yet acknowledged by the provider"), "{}", alert.body);
    }
}

/// The resident gives back what an outage needed in memory when the last one is over
/// (issue 20): the moment is the all-clear, not the provider's first good probe.
#[test]
fn a_problem_is_open_from_its_alert_to_its_all_clear() {
    let mut sim = Sim::new(
        2,
        "2026-11-24T09:00:00+01:00",
        failing("df/imap", Reason::Refused, between("2026-11-24T10:00:00+01:00", "2026-11-24T11:00:00+01:00")),
        always_green(),
    );
    sim.run_until("2026-11-24T09:59:00+01:00");
    assert!(!sim.alerts.problem_open(), "nothing told yet");
    sim.run_until("2026-11-24T10:30:00+01:00");
    assert_eq!(sim.titles(), ["DomainFactory: partial outage"]);
    assert!(sim.alerts.problem_open(), "told");
    sim.run_until("2026-11-24T11:05:00+01:00");
    assert_eq!(sim.notified().len(), 1, "{:?}", sim.titles());
    assert!(sim.alerts.problem_open(), "up again but not settled: not over");
    sim.run_until("2026-11-24T12:00:00+01:00");
    assert_eq!(sim.titles(), ["DomainFactory: partial outage", "DomainFactory: back to normal"]);
    assert!(!sim.alerts.problem_open(), "over with the all-clear");
}

#[test]
fn a_network_drop_is_an_open_problem_until_the_network_is_back() {
    let offline = between("2026-11-24T10:00:00+01:00", "2026-11-24T10:20:00+01:00");
    let probes: ProbeWorld = Box::new(move |_, t| if offline(t) { Probe::Offline } else { Probe::Up });
    let mut sim = Sim::new(2, "2026-11-24T09:00:00+01:00", probes, always_green());
    sim.run_until("2026-11-24T10:10:00+01:00");
    assert_eq!(sim.notified().len(), 1, "{:?}", sim.titles());
    assert!(sim.alerts.problem_open(), "offline, told");
    sim.run_until("2026-11-24T10:30:00+01:00");
    assert!(!sim.alerts.problem_open(), "the network is back");
}

#[test]
fn flapping_for_an_hour_alerts_once_and_resolves_once() {
    // Down three minutes, up three minutes, for an hour: each down phase is long enough to be
    // confirmed, each up phase long enough to recover in `confirm`.
    let flapping = |t: DateTime<FixedOffset>| {
        let start = at("2026-11-24T10:00:00+01:00");
        let offset = (t - start).num_seconds();
        (0..3600).contains(&offset) && offset % 360 < 180
    };
    let mut sim =
        Sim::new(1, "2026-11-24T09:30:00+01:00", failing("df/imap", Reason::Timeout, flapping), always_green());
    sim.run_until("2026-11-24T12:00:00+01:00");
    let during = sim.notified_between("2026-11-24T10:00:00+01:00", "2026-11-24T11:00:00+01:00");
    assert_eq!(during.len(), 1, "{during:?}");
    assert_eq!(sim.titles(), ["DomainFactory: partial outage", "DomainFactory: back to normal"]);
    // The confirmed state really did flip every cycle: the bound comes from the policy.
    assert!(sim.flips >= 20, "{} flips", sim.flips);
    let (resolved_at, resolved) = &sim.notified()[1];
    let last_down = at("2026-11-24T10:57:00+01:00");
    assert!(*resolved_at - last_down >= minutes(10), "resolved only after it settled: {resolved_at}");
    assert!(resolved.body.contains("Problem from 10:0"), "{}", resolved.body);
}

#[test]
fn an_overloaded_server_that_fails_every_other_time_is_one_degraded_episode() {
    // Rackspace: from 10:00 to 11:00 every other IMAP probe times out (re-checks included),
    // so no run of failures ever confirms an outage.
    let load = between("2026-11-24T10:00:00+01:00", "2026-11-24T11:00:00+01:00");
    let calls = std::cell::Cell::new(0u32);
    let probes: ProbeWorld = Box::new(move |id, t| {
        if id != "df/imap" || !load(t) {
            return Probe::Up;
        }
        calls.set(calls.get() + 1);
        if calls.get() % 2 == 1 { Probe::Down(Reason::Timeout) } else { Probe::Up }
    });
    let mut sim = Sim::new(1, "2026-11-24T09:30:00+01:00", probes, always_green());
    sim.run_until("2026-11-24T10:08:00+01:00");
    let p = &sim.last_summary.as_ref().unwrap().providers[0];
    assert_eq!((p.state, p.verdict), (State::Degraded, Verdict::ProviderUnacknowledged), "{}", p.verdict_text);
    assert_eq!(
        p.verdict_text,
        "DomainFactory: IMAP answers only about every other attempt — not yet acknowledged by the provider"
    );
    let imap = p.checks.iter().find(|c| c.kind == CheckKind::Imap).unwrap();
    assert_eq!((imap.outcome, imap.reason), (Outcome::Degraded, Some(Reason::Timeout)));
    sim.run_until("2026-11-24T12:00:00+01:00");
    assert_eq!(sim.titles(), ["DomainFactory: degraded", "DomainFactory: back to normal"], "one episode");
    let (found_at, _) = &sim.notified()[0];
    assert!(*found_at - at("2026-11-24T10:00:00+01:00") <= minutes(5), "found within a few intervals: {found_at}");
    assert_eq!(sim.last_summary.as_ref().unwrap().providers[0].state, State::Operational);
}

#[test]
fn a_server_a_hundred_times_slower_than_usual_is_degraded_without_failing() {
    let load = between("2026-11-24T10:00:00+01:00", "2026-11-24T11:00:00+01:00");
    let probes: ProbeWorld =
        Box::new(move |id, t| if id == "df/imap" && load(t) { Probe::Slow(2_000) } else { Probe::Up });
    let mut sim = Sim::new(1, "2026-11-24T09:30:00+01:00", probes, always_green());
    sim.run_until("2026-11-24T10:05:00+01:00");
    let p = &sim.last_summary.as_ref().unwrap().providers[0];
    assert_eq!((p.state, p.verdict), (State::Degraded, Verdict::ProviderUnacknowledged), "{}", p.verdict_text);
    assert!(
        p.verdict_text.starts_with("DomainFactory: IMAP has answered about 100 times slower than usual since 10:0"),
        "{}",
        p.verdict_text
    );
    sim.run_until("2026-11-24T12:00:00+01:00");
    assert_eq!(sim.titles(), ["DomainFactory: degraded", "DomainFactory: back to normal"], "one episode");
}

#[test]
fn network_down_with_five_providers_is_one_alert() {
    let offline = between("2026-11-24T10:00:00+01:00", "2026-11-24T10:40:00+01:00");
    let flap_again = between("2026-11-24T10:42:00+01:00", "2026-11-24T10:44:00+01:00");
    let posteo_down = between("2026-11-24T09:30:00+01:00", "2026-11-24T13:00:00+01:00");
    let probes: ProbeWorld = Box::new(move |id, t| {
        if offline(t) || flap_again(t) {
            Probe::Offline
        } else if id == "posteo/imap" && posteo_down(t) {
            Probe::Down(Reason::Timeout)
        } else {
            Probe::Up
        }
    });
    let mut sim = Sim::new(5, "2026-11-24T09:00:00+01:00", probes, always_green());
    sim.run_until("2026-11-24T11:30:00+01:00");

    let before = sim.notified_between("2026-11-24T09:00:00+01:00", "2026-11-24T10:00:00+01:00");
    assert_eq!(before.len(), 1);
    assert_eq!(before[0].1.title, "Posteo: partial outage");

    // Everything fails at once while offline: one alert about the network, none per provider,
    // and the network dropping again right after it came back is the same cause.
    let after = sim.notified_between("2026-11-24T10:00:00+01:00", "2026-11-24T11:30:00+01:00");
    assert_eq!(after.len(), 1, "{after:?}");
    assert_eq!(after[0].1.key, NETWORK_KEY);
    assert_eq!(after[0].1.title, "Your internet connection is down");
    assert!(after[0].0 < at("2026-11-24T10:01:00+01:00"));
    let withdrawn = sim.log.iter().filter(|(_, e)| *e == Effect::Withdraw { key: NETWORK_KEY.into() }).count();
    assert_eq!(withdrawn, 2, "the network alert leaves the screen when the network is back");
    // Posteo was down before, during and after the gap: the gap is neither a recovery nor a
    // new outage.
    assert!(sim.titles().iter().all(|t| !t.contains("back to normal")), "{:?}", sim.titles());
}

/// A resolver that fails every name while the internet works (issue 12): one alert that names
/// DNS, none per provider, nothing told as resolved when DNS is back.
#[test]
fn broken_dns_with_five_providers_is_one_alert_that_names_dns() {
    let broken = between("2026-11-24T10:00:00+01:00", "2026-11-24T10:40:00+01:00");
    let probes: ProbeWorld = Box::new(move |_, t| if broken(t) { Probe::BrokenDns } else { Probe::Up });
    let mut sim = Sim::new(5, "2026-11-24T09:00:00+01:00", probes, always_green());
    sim.run_until("2026-11-24T11:30:00+01:00");
    let told = sim.notified_between("2026-11-24T09:00:00+01:00", "2026-11-24T11:30:00+01:00");
    assert_eq!(told.len(), 1, "{told:?}");
    assert_eq!(told[0].1.key, NETWORK_KEY);
    assert_eq!(told[0].1.title, "Your DNS server is not answering — your internet connection itself works");
    assert!(told[0].1.body.contains("No provider is to blame"), "{}", told[0].1.body);
    let withdrawn = sim.log.iter().filter(|(_, e)| *e == Effect::Withdraw { key: NETWORK_KEY.into() }).count();
    assert_eq!(withdrawn, 1, "it leaves the screen when DNS answers again");
}

#[test]
fn sleep_and_wake_bring_no_burst_of_stale_reminders() {
    let three_down = between("2026-11-24T17:00:00+01:00", "2026-11-26T00:00:00+01:00");
    let short = between("2026-11-24T18:00:00+01:00", "2026-11-24T18:55:00+01:00");
    let probes: ProbeWorld = Box::new(move |id, t| match id {
        "df/imap" | "ionos/imap" | "gmx/imap" if three_down(t) => Probe::Down(Reason::Timeout),
        "strato/imap" if short(t) => Probe::Down(Reason::Refused),
        _ => Probe::Up,
    });
    let mut sim = Sim::new(4, "2026-11-24T16:30:00+01:00", probes, always_green());
    sim.sleeps.push((at("2026-11-24T19:00:00+01:00"), at("2026-11-25T07:00:00+01:00")));
    sim.run_until("2026-11-25T11:30:00+01:00");

    let evening = sim.notified_between("2026-11-24T16:30:00+01:00", "2026-11-24T19:00:00+01:00");
    assert_eq!(evening.len(), 4, "three outages and STRATO's short one: {evening:?}");
    // Reminders were due at 21:0x, during sleep. Waking up brings no burst of them, and
    // STRATO's recovery, seen just before sleep, is only announced once re-checked and settled.
    let morning = sim.notified_between("2026-11-25T07:00:00+01:00", "2026-11-25T10:59:00+01:00");
    assert_eq!(morning.len(), 1, "{morning:?}");
    assert_eq!(morning[0].1.title, "STRATO: back to normal");
    assert!(morning[0].0 >= at("2026-11-25T07:10:00+01:00"), "{}", morning[0].0);
    // Reminders come again four hours after waking, once per provider.
    let later = sim.notified_between("2026-11-25T10:59:00+01:00", "2026-11-25T11:30:00+01:00");
    let mut titles: Vec<String> = later.into_iter().map(|(_, a)| a.title).collect();
    titles.sort();
    assert_eq!(
        titles,
        ["DomainFactory: still partial outage", "GMX: still partial outage", "IONOS: still partial outage"]
    );
}

#[test]
fn reminders_at_most_every_four_hours_while_a_problem_lasts() {
    let mut sim = Sim::new(
        1,
        "2026-11-24T09:00:00+01:00",
        failing("df/imap", Reason::Timeout, between("2026-11-24T10:00:00+01:00", "2026-11-24T19:00:00+01:00")),
        always_green(),
    );
    sim.run_until("2026-11-24T20:00:00+01:00");
    assert_eq!(
        sim.titles(),
        [
            "DomainFactory: partial outage",
            "DomainFactory: still partial outage",
            "DomainFactory: still partial outage",
            "DomainFactory: back to normal"
        ]
    );
    let times: Vec<_> = sim.notified().into_iter().map(|(t, _)| t).collect();
    assert!(times[1] - times[0] >= TimeDelta::hours(4) && times[1] - times[0] < TimeDelta::hours(4) + minutes(2));
    assert_eq!(sim.notified()[1].1.urgency, Urgency::Normal, "a reminder is no emergency");
}

#[test]
fn auth_failure_is_your_account_with_its_own_wording() {
    for (lang, raised, body, resolved) in [
        (
            Language::En,
            "DomainFactory: login refused",
            "not an outage at DomainFactory",
            "DomainFactory: login works again",
        ),
        (
            Language::De,
            "DomainFactory: Anmeldung abgelehnt",
            "kein Ausfall von DomainFactory",
            "DomainFactory: Anmeldung klappt wieder",
        ),
    ] {
        let mut sim = Sim::new(
            1,
            "2026-11-24T09:00:00+01:00",
            failing("df/imap", Reason::Auth, between("2026-11-24T10:00:00+01:00", "2026-11-24T11:00:00+01:00")),
            always_green(),
        );
        sim.policy.language = lang;
        sim.run_until("2026-11-24T12:00:00+01:00");
        let summary = sim.last_summary.as_ref().unwrap();
        assert_eq!(summary.providers[0].verdict, Verdict::AllWell);
        let alerts = sim.notified();
        assert_eq!(alerts.len(), 2, "{alerts:?}");
        let (_, refused) = &alerts[0];
        assert_eq!(refused.title, raised);
        assert_eq!(refused.key, "account:df", "the account is its own root cause");
        assert!(refused.body.contains(body), "{}", refused.body);
        assert_eq!(refused.urgency, Urgency::Normal);
        assert_eq!(alerts[1].1.title, resolved);
        assert_eq!(alerts[1].1.key, "account:df");
    }
    // While it fails, the verdict says so.
    let mut sim = Sim::new(
        1,
        "2026-11-24T09:00:00+01:00",
        failing("df/imap", Reason::Auth, between("2026-11-24T10:00:00+01:00", "2026-11-24T11:00:00+01:00")),
        always_green(),
    );
    sim.run_until("2026-11-24T10:30:00+01:00");
    let p = &sim.last_summary.as_ref().unwrap().providers[0];
    assert_eq!((p.verdict, p.state), (Verdict::YourAccount, State::Degraded));
    assert!(p.verdict_text.contains("login refused since 10:0"), "{}", p.verdict_text);
}

#[test]
fn provider_silence_then_acknowledgement() {
    let pages: PageWorld = Box::new(|_, t| {
        if t >= at("2026-11-24T10:30:00+01:00") {
            major_incident("inc-1", "Mail cluster unreachable", "2026-11-24T10:15:00+01:00")
        } else {
            green()
        }
    });
    let mut sim = Sim::new(
        1,
        "2026-11-24T09:00:00+01:00",
        failing("df/imap", Reason::Timeout, between("2026-11-24T10:00:00+01:00", "2026-11-24T13:00:00+01:00")),
        pages,
    );
    sim.run_until("2026-11-24T12:00:00+01:00");
    let alerts = sim.notified();
    assert_eq!(alerts.len(), 2, "{alerts:?}");
    let (_, silent) = &alerts[0];
    assert_eq!(silent.title, "DomainFactory: partial outage");
    assert!(silent.body.contains("not yet acknowledged by the provider"), "{}", silent.body);
    let (when, acknowledged) = &alerts[1];
    assert!(*when >= at("2026-11-24T10:30:00+01:00") && *when < at("2026-11-24T10:32:00+01:00"));
    assert_eq!(acknowledged.title, "DomainFactory: provider now confirms the problem");
    assert_eq!(acknowledged.key, silent.key, "it replaces the earlier notification");
    assert_eq!(acknowledged.route, "/provider/df/incident/inc-1");
    assert!(acknowledged.body.contains("We noticed it at 10:0"), "{}", acknowledged.body);
    assert!(acknowledged.body.contains("Mail cluster unreachable — We are investigating."), "{}", acknowledged.body);
    assert_eq!(acknowledged.urgency, Urgency::Critical);
}

#[test]
fn quiet_hours_hold_everything_for_one_digest() {
    let df = between("2026-11-24T23:00:00+01:00", "2026-11-25T01:00:00+01:00");
    let ionos = between("2026-11-25T05:00:00+01:00", "2026-11-26T00:00:00+01:00");
    let probes: ProbeWorld = Box::new(move |id, t| match id {
        "df/imap" if df(t) => Probe::Down(Reason::Timeout),
        "ionos/imap" if ionos(t) => Probe::Down(Reason::Refused),
        _ => Probe::Up,
    });
    let mut sim = Sim::new(2, "2026-11-24T20:00:00+01:00", probes, always_green());
    sim.policy.quiet_hours = Some(QuietHours {
        start: NaiveTime::from_hms_opt(22, 0, 0).unwrap(),
        end: NaiveTime::from_hms_opt(7, 0, 0).unwrap(),
    });
    sim.run_until("2026-11-25T10:00:00+01:00");
    let alerts = sim.notified();
    assert_eq!(alerts.len(), 1, "nothing during quiet hours, one digest after: {alerts:?}");
    let (when, digest) = &alerts[0];
    assert_eq!(*when, at("2026-11-25T07:00:00+01:00"));
    assert_eq!(digest.key, DIGEST_KEY);
    assert_eq!(digest.title, "2 events while notifications were quiet");
    // What is still wrong now first, then what happened meanwhile; each provider once, and
    // DomainFactory, which recovered, is not listed as down.
    let lines: Vec<&str> = digest.body.lines().collect();
    assert_eq!(lines.len(), 2, "{}", digest.body);
    assert!(lines[0].starts_with("05:0") && lines[0].ends_with("IONOS: still partial outage"), "{lines:?}");
    assert!(lines[1].starts_with("01:") && lines[1].ends_with("DomainFactory: back to normal"), "{lines:?}");
    assert!(!digest.body.contains("DomainFactory: partial outage"), "{}", digest.body);
    // The digest counts as telling: no separate alert for IONOS afterwards, and its reminder
    // is four hours after the digest.
    sim.run_until("2026-11-25T11:30:00+01:00");
    let reminder = sim.notified_between("2026-11-25T07:01:00+01:00", "2026-11-25T11:30:00+01:00");
    assert_eq!(reminder.len(), 1);
    assert_eq!(reminder[0].1.title, "IONOS: still partial outage");
    assert!(reminder[0].0 >= at("2026-11-25T11:00:00+01:00"));
}

#[test]
fn certificate_warning_once_a_day_per_check() {
    let start = at("2026-11-24T09:00:00+01:00");
    let probes: ProbeWorld =
        Box::new(
            move |id, t| if id == "df/imap" { Probe::CertExpiring(12 - (t - start).num_days()) } else { Probe::Up },
        );
    let mut sim = Sim::new(2, "2026-11-24T09:00:00+01:00", probes, always_green());
    sim.run_until("2026-11-27T08:59:00+01:00");
    let alerts = sim.notified();
    let titles: Vec<&str> = alerts.iter().map(|(_, a)| a.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "DomainFactory: certificate expires in 12 days",
            "DomainFactory: certificate expires in 11 days",
            "DomainFactory: certificate expires in 10 days"
        ],
        "one warning a day, not one per probe, and no outage alert"
    );
    assert!(
        alerts.iter().all(|(_, a)| a.key == "certificate:df/imap/imap.example.test:993" && a.urgency == Urgency::Low)
    );
    assert!(alerts[0].1.body.starts_with("imap.example.test:993: the certificate must be renewed"));
    let p = &sim.last_summary.as_ref().unwrap().providers[0];
    assert_eq!((p.state, p.verdict), (State::Degraded, Verdict::ProviderUnacknowledged));
    assert_eq!(p.verdict_text, "DomainFactory: certificate expires in 10 days");
}

// --- Direct steps over hand-made summaries -------------------------------------------------

fn provider(id: &str, state: State, verdict: Verdict) -> ProviderSummary {
    ProviderSummary {
        id: id.into(),
        name: id.to_uppercase(),
        state,
        verdict,
        verdict_text: format!("{} verdict", id.to_uppercase()),
        since: None,
        status_page: None,
        preset: None,
        components: vec![],
        incidents: vec![],
        checks: vec![],
    }
}

fn summary(now: DateTime<FixedOffset>, network: Network, providers: &[(&str, State, Verdict)]) -> Summary {
    Summary {
        checked_at: now,
        network,
        language: Language::En,
        providers: providers.iter().map(|(id, state, verdict)| provider(id, *state, *verdict)).collect(),
        storage: None,
    }
}

const OK: (State, Verdict) = (State::Operational, Verdict::AllWell);
const MAJOR: (State, Verdict) = (State::MajorOutage, Verdict::ProviderConfirmed);

/// Runs inputs at given times; returns the notifications' titles and every effect per step.
struct Driver {
    state: AlertState,
    policy: Policy,
    effects: Vec<(DateTime<FixedOffset>, Vec<Effect>)>,
}

impl Driver {
    fn new(policy: Policy) -> Driver {
        Driver { state: AlertState::default(), policy, effects: Vec::new() }
    }

    /// Ticks every minute since the last step (as the resident does), then steps `input` at
    /// `now`; returns the effects of all of them.
    fn at(&mut self, now: &str, input: Input) -> Vec<Effect> {
        let now = at(now);
        let mut effects = Vec::new();
        let mut tick = self.effects.last().map(|(t, _)| *t + minutes(1));
        while let Some(t) = tick.filter(|t| *t < now) {
            effects.extend(self.step(t, Input::Tick));
            tick = Some(t + minutes(1));
        }
        effects.extend(self.step(now, input));
        effects
    }

    fn step(&mut self, now: DateTime<FixedOffset>, input: Input) -> Vec<Effect> {
        let (next, effects) = step(std::mem::take(&mut self.state), input, &self.policy, now);
        self.state = next;
        self.effects.push((now, effects.clone()));
        effects
    }

    fn sum(&mut self, now: &str, providers: &[(&str, (State, Verdict))]) -> Vec<String> {
        let list: Vec<(&str, State, Verdict)> = providers.iter().map(|(id, (s, v))| (*id, *s, *v)).collect();
        titles(&self.at(now, Input::Summary(summary(at(now), Network::Online, &list))))
    }

    fn tick(&mut self, now: &str) -> Vec<String> {
        titles(&self.at(now, Input::Tick))
    }
}

fn titles(effects: &[Effect]) -> Vec<String> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Notify(a) => Some(a.title.clone()),
            Effect::Withdraw { .. } => None,
        })
        .collect()
}

#[test]
fn first_sight_of_healthy_providers_is_silent() {
    let mut d = Driver::new(Policy::default());
    let unknown = (State::Unknown, Verdict::Unknown);
    assert!(d.sum("2026-11-24T10:00:00+01:00", &[("a", OK), ("b", unknown)]).is_empty());
}

#[test]
fn a_history_that_cannot_be_written_is_told_once_per_episode() {
    let mut d = Driver::new(Policy::default());
    let failing = |t: &str| {
        let mut s = summary(at(t), Network::Online, &[("df", OK.0, OK.1)]);
        s.storage = Some(crate::summary::StorageProblem {
            since: at("2026-11-24T10:01:00+01:00"),
            detail: "database or disk is full".into(),
        });
        s
    };
    d.sum("2026-11-24T10:00:00+01:00", &[("df", OK)]);
    let first = d.at("2026-11-24T10:01:00+01:00", Input::Summary(failing("2026-11-24T10:01:00+01:00")));
    assert_eq!(titles(&first), ["History is not being saved"]);
    let Some(Effect::Notify(alert)) = first.first() else { unreachable!() };
    assert_eq!(alert.key, STORAGE_KEY);
    assert!(alert.body.starts_with("Since 10:01 Outage Notifier cannot write its history"), "{}", alert.body);
    for t in ["2026-11-24T10:02:00+01:00", "2026-11-24T10:30:00+01:00"] {
        assert!(titles(&d.at(t, Input::Summary(failing(t)))).is_empty(), "one notification per episode");
    }
    let t = "2026-11-24T10:31:00+01:00";
    let written = d.at(t, Input::Summary(summary(at(t), Network::Online, &[("df", OK.0, OK.1)])));
    assert_eq!(written, vec![Effect::Withdraw { key: STORAGE_KEY.into() }]);
    let again = d.at("2026-11-24T11:00:00+01:00", Input::Summary(failing("2026-11-24T11:00:00+01:00")));
    assert_eq!(titles(&again), ["History is not being saved"], "a new episode is told again");
}

#[test]
fn statuspage_major_outage_is_one_alert_naming_the_incident() {
    // What the end-to-end test expects from the resident.
    let mut p = provider("df", State::MajorOutage, Verdict::ProviderConfirmed);
    p.name = "DomainFactory".into();
    p.verdict_text = "DomainFactory: problem since 10:02, confirmed by the provider".into();
    p.incidents = major_incident("inc-42", "Mailcluster 3 unreachable", "2026-11-24T10:02:00+01:00").incidents;
    let mut d = Driver::new(Policy::default());
    d.sum("2026-11-24T10:00:00+01:00", &[("df", OK)]);
    let now = at("2026-11-24T10:05:00+01:00");
    let effects = d.at(
        "2026-11-24T10:05:00+01:00",
        Input::Summary(Summary {
            checked_at: now,
            network: Network::Online,
            language: Language::En,
            providers: vec![p.clone()],
            storage: None,
        }),
    );
    let [Effect::Notify(alert)] = effects.as_slice() else { panic!("{effects:?}") };
    assert_eq!(alert.title, "DomainFactory: major outage");
    assert!(alert.body.contains("Mailcluster 3 unreachable"), "{}", alert.body);
    assert_eq!(alert.route, "/provider/df/incident/inc-42");
    assert_eq!(alert.urgency, Urgency::Critical);
    // The same summary again, or only a tick: nothing new.
    let again = d.at(
        "2026-11-24T10:06:00+01:00",
        Input::Summary(Summary {
            checked_at: now,
            network: Network::Online,
            language: Language::En,
            providers: vec![p],
            storage: None,
        }),
    );
    assert!(again.is_empty());
    assert!(d.tick("2026-11-24T10:07:00+01:00").is_empty());
}

#[test]
fn worse_news_alerts_but_better_or_same_news_does_not() {
    let mut d = Driver::new(Policy::default());
    let degraded = (State::Degraded, Verdict::ProviderConfirmed);
    let partial = (State::PartialOutage, Verdict::ProviderConfirmed);
    let unacknowledged = (State::PartialOutage, Verdict::ProviderUnacknowledged);
    assert_eq!(d.sum("2026-11-24T10:00:00+01:00", &[("a", degraded)]), ["A: degraded"]);
    assert_eq!(d.sum("2026-11-24T10:05:00+01:00", &[("a", MAJOR)]), ["A: major outage"]);
    assert!(d.sum("2026-11-24T10:10:00+01:00", &[("a", partial)]).is_empty(), "better is no news");
    assert!(d.sum("2026-11-24T10:15:00+01:00", &[("a", MAJOR)]).is_empty(), "already told");
    // The provider closes its incident while our probes still fail: the problem goes on.
    assert!(d.sum("2026-11-24T10:20:00+01:00", &[("a", unacknowledged)]).is_empty());
    // Unknown neither raises nor clears.
    assert!(d.sum("2026-11-24T10:25:00+01:00", &[("a", (State::Unknown, Verdict::Unknown))]).is_empty());
    assert!(d.sum("2026-11-24T10:30:00+01:00", &[("a", OK)]).is_empty(), "settling");
    assert_eq!(d.tick("2026-11-24T10:40:00+01:00"), ["A: back to normal"]);
}

#[test]
fn snooze_holds_one_provider_and_tells_what_changed_when_it_ends() {
    let mut d = Driver::new(Policy::default());
    assert_eq!(d.sum("2026-11-24T10:00:00+01:00", &[("a", MAJOR), ("b", OK)]), ["A: major outage"]);
    let snooze = Action::Snooze { provider_id: "a".into(), span: Span::OneHour };
    assert!(titles(&d.at("2026-11-24T10:01:00+01:00", Input::Action(snooze))).is_empty());
    assert_eq!(d.state.snoozed_until("a"), Some(at("2026-11-24T11:01:00+01:00")));
    // A recovers while snoozed: held. B is not snoozed.
    assert!(d.sum("2026-11-24T10:10:00+01:00", &[("a", OK), ("b", OK)]).is_empty());
    assert_eq!(d.sum("2026-11-24T10:20:00+01:00", &[("a", OK), ("b", MAJOR)]), ["B: major outage"]);
    assert!(d.tick("2026-11-24T11:00:00+01:00").is_empty());
    // The snooze ends: the earlier alert about A is out of date, so the user hears it is over.
    assert_eq!(d.tick("2026-11-24T11:01:00+01:00"), ["A: back to normal"]);
    // A problem that starts and ends within a snooze is never mentioned.
    let snooze = Action::Snooze { provider_id: "a".into(), span: Span::FourHours };
    d.at("2026-11-24T11:02:00+01:00", Input::Action(snooze));
    assert!(d.sum("2026-11-24T12:00:00+01:00", &[("a", MAJOR), ("b", MAJOR)]).is_empty());
    assert!(d.sum("2026-11-24T13:00:00+01:00", &[("a", OK), ("b", MAJOR)]).is_empty());
    // Only B, which is not snoozed, gets its reminder.
    assert_eq!(d.tick("2026-11-24T15:03:00+01:00"), ["B: still major outage"]);
}

#[test]
fn mute_silences_a_provider_until_unmuted() {
    let mut d = Driver::new(Policy::default());
    d.sum("2026-11-24T10:00:00+01:00", &[("a", MAJOR), ("c", OK)]);
    let effects = d.at("2026-11-24T10:01:00+01:00", Input::Action(Action::Mute { provider_id: "a".into() }));
    assert!(effects.contains(&Effect::Withdraw { key: "provider:a".into() }), "muting clears it from the screen");
    d.at("2026-11-24T10:02:00+01:00", Input::Action(Action::Mute { provider_id: "c".into() }));
    assert!(d.state.is_muted("c"));
    assert!(d.sum("2026-11-24T10:30:00+01:00", &[("a", OK), ("c", MAJOR)]).is_empty());
    assert!(d.tick("2026-11-24T18:00:00+01:00").is_empty(), "no reminders either");
    // Unmuting tells what the user does not know yet: C's problem.
    let effects = d.at("2026-11-24T18:01:00+01:00", Input::Action(Action::Unmute { provider_id: "c".into() }));
    assert_eq!(titles(&effects), ["C: major outage"]);
}

#[test]
fn pause_all_holds_everything_for_one_digest() {
    let mut d = Driver::new(Policy::default());
    assert_eq!(d.sum("2026-11-24T10:00:00+01:00", &[("a", OK), ("c", MAJOR)]), ["C: major outage"]);
    d.at("2026-11-24T10:01:00+01:00", Input::Action(Action::Pause(Span::OneHour)));
    assert_eq!(d.state.paused_until(), Some(at("2026-11-24T11:01:00+01:00")));
    assert!(d.sum("2026-11-24T10:10:00+01:00", &[("a", MAJOR), ("c", MAJOR)]).is_empty());
    let unknown = (State::Unknown, Verdict::YourNetwork);
    let offline = summary(
        at("2026-11-24T10:20:00+01:00"),
        Network::Offline,
        &[("a", unknown.0, unknown.1), ("c", unknown.0, unknown.1)],
    );
    assert!(titles(&d.at("2026-11-24T10:20:00+01:00", Input::Summary(offline))).is_empty());
    let back = d.at(
        "2026-11-24T10:25:00+01:00",
        Input::Summary(summary(
            at("2026-11-24T10:25:00+01:00"),
            Network::Online,
            &[("a", MAJOR.0, MAJOR.1), ("c", MAJOR.0, MAJOR.1)],
        )),
    );
    assert_eq!(back, [Effect::Withdraw { key: NETWORK_KEY.into() }], "withdrawing makes no noise");
    // Resuming early delivers the digest at once: what is still wrong now (C, told before the
    // pause and still down, is part of the picture), then what happened meanwhile — the
    // network once, by its latest news.
    let effects = d.at("2026-11-24T10:30:00+01:00", Input::Action(Action::Resume));
    let [Effect::Notify(digest)] = effects.as_slice() else { panic!("{effects:?}") };
    assert_eq!(digest.title, "3 events while notifications were quiet");
    assert_eq!(digest.body, "10:10 A: still major outage\n10:30 C: still major outage\n10:25 Internet connection back");
    // "Until tomorrow" ends at the policy's morning on the next day.
    d.at("2026-11-24T23:30:00+01:00", Input::Action(Action::Pause(Span::UntilTomorrow)));
    assert_eq!(d.state.paused_until(), Some(at("2026-11-25T08:00:00+01:00")));
    let snooze = Action::Snooze { provider_id: "b".into(), span: Span::UntilTomorrow };
    d.at("2026-11-25T00:30:00+01:00", Input::Action(snooze));
    assert_eq!(d.state.snoozed_until("b"), Some(at("2026-11-26T08:00:00+01:00")));
}

#[test]
fn german_digest_and_acknowledgement() {
    let mut d = Driver::new(Policy::new(Language::De));
    d.at("2026-11-24T10:00:00+01:00", Input::Action(Action::Pause(Span::OneHour)));
    let lines: Vec<_> = (0..10).map(|i| format!("p{i}")).collect();
    let many: Vec<(&str, (State, Verdict))> = lines.iter().map(|id| (id.as_str(), MAJOR)).collect();
    d.sum("2026-11-24T10:10:00+01:00", &many);
    let effects = d.at("2026-11-24T11:00:00+01:00", Input::Tick);
    let [Effect::Notify(digest)] = effects.as_slice() else { panic!("{effects:?}") };
    assert_eq!(digest.title, "10 Meldungen aus der Ruhezeit");
    assert!(digest.body.ends_with("\n… und 2 weitere"), "{}", digest.body);
    assert!(digest.body.starts_with("10:10 P0: weiterhin schwerer Ausfall\n"), "{}", digest.body);

    let mut d = Driver::new(Policy::new(Language::De));
    let unack = (State::PartialOutage, Verdict::ProviderUnacknowledged);
    assert_eq!(d.sum("2026-11-24T10:02:00+01:00", &[("a", unack)]), ["A: teilweiser Ausfall"]);
    let effects = d.at(
        "2026-11-24T10:31:00+01:00",
        Input::Summary(summary(at("2026-11-24T10:31:00+01:00"), Network::Online, &[("a", MAJOR.0, MAJOR.1)])),
    );
    let [Effect::Notify(ack)] = effects.as_slice() else { panic!("{effects:?}") };
    assert_eq!(ack.title, "A: Störung jetzt vom Anbieter bestätigt");
    assert!(
        ack.body.starts_with("Von uns bemerkt um 10:02, vom Anbieter bestätigt um 10:31 (29 Min. später)."),
        "{}",
        ack.body
    );
}

#[test]
fn account_and_provider_causes_replace_each_other() {
    let mut d = Driver::new(Policy::default());
    let account = (State::Degraded, Verdict::YourAccount);
    assert_eq!(d.sum("2026-11-24T10:00:00+01:00", &[("a", account)]), ["A: login refused"]);
    let effects = d.at(
        "2026-11-24T10:05:00+01:00",
        Input::Summary(summary(at("2026-11-24T10:05:00+01:00"), Network::Online, &[("a", MAJOR.0, MAJOR.1)])),
    );
    assert_eq!(effects[0], Effect::Withdraw { key: "account:a".into() });
    assert!(
        matches!(&effects[1], Effect::Notify(alert) if alert.key == "provider:a" && alert.title == "A: major outage")
    );
}

#[test]
fn maintenance_window_follows_its_time_zone() {
    let sunday_night = MaintenanceWindow {
        provider_id: "a".into(),
        when: Window::Weekly {
            days: vec![Weekday::Sun],
            start: NaiveTime::from_hms_opt(2, 0, 0).unwrap(),
            end: NaiveTime::from_hms_opt(4, 0, 0).unwrap(),
            zone: chrono_tz::Europe::Berlin,
        },
    };
    let mut policy = Policy::default();
    policy.maintenance.push(sunday_night.clone());

    // Winter (CET, +01:00), with the clock given in UTC: the instant counts, not the offset.
    let mut d = Driver::new(policy.clone());
    d.sum("2026-11-29T01:00:00+00:00", &[("a", OK), ("b", OK)]);
    assert_eq!(d.sum("2026-11-29T01:30:00+00:00", &[("a", MAJOR), ("b", MAJOR)]), ["B: major outage"]);
    assert!(d.tick("2026-11-29T02:59:00+00:00").is_empty(), "03:59 in Berlin: still in the window");
    assert_eq!(d.tick("2026-11-29T03:00:00+00:00"), ["A: major outage"], "04:00 in Berlin: over, and A is still down");

    // Summer (CEST, +02:00): the same wall-clock window is an hour earlier in UTC. A fixed
    // +01:00 would put 02:30 UTC at 03:30 (inside); in Berlin it is 04:30 (outside).
    let mut d = Driver::new(policy);
    d.sum("2026-07-05T00:00:00+00:00", &[("a", OK)]);
    assert!(d.sum("2026-07-05T00:30:00+00:00", &[("a", MAJOR)]).is_empty(), "02:30 in Berlin");
    assert_eq!(d.tick("2026-07-05T02:00:00+00:00"), ["A: major outage"], "04:00 in Berlin");

    let wrapping = Window::Weekly {
        days: vec![Weekday::Sat],
        start: NaiveTime::from_hms_opt(22, 0, 0).unwrap(),
        end: NaiveTime::from_hms_opt(2, 0, 0).unwrap(),
        zone: chrono_tz::Europe::Vienna,
    };
    let once = Window::Once { start: at("2026-11-28T22:00:00+01:00"), end: at("2026-11-29T02:00:00+01:00") };
    let cases = [
        (&sunday_night.when, "2026-11-29T02:30:00+01:00", true),
        (&sunday_night.when, "2026-11-29T04:00:00+01:00", false),
        (&sunday_night.when, "2026-11-28T02:30:00+01:00", false), // a Saturday
        (&sunday_night.when, "2026-07-05T03:30:00+02:00", true),
        (&sunday_night.when, "2026-07-05T01:30:00+00:00", true),
        (&sunday_night.when, "2026-07-05T02:30:00+00:00", false),
        // The night clocks go forward (29 March 2026): 02:00–03:00 does not exist in Berlin.
        (&sunday_night.when, "2026-03-29T00:30:00+00:00", false),
        (&sunday_night.when, "2026-03-29T01:30:00+00:00", true),
        (&sunday_night.when, "2026-03-29T02:00:00+00:00", false),
        (&wrapping, "2026-11-28T23:00:00+01:00", true),
        (&wrapping, "2026-11-29T01:59:00+01:00", true),
        (&wrapping, "2026-11-29T02:00:00+01:00", false),
        (&wrapping, "2026-11-29T23:00:00+01:00", false),
        (&wrapping, "2026-11-28T21:59:00+01:00", false),
        (&once, "2026-11-28T21:30:00+00:00", true),
        (&once, "2026-11-29T01:00:00+00:00", false),
    ];
    for (window, now, inside) in cases {
        assert_eq!(window.contains(at(now)), inside, "{now} in {window:?}");
    }
}

#[test]
fn quiet_hours_may_wrap_midnight() {
    let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap();
    let night = QuietHours { start: t(22, 0), end: t(7, 0) };
    let lunch = QuietHours { start: t(12, 0), end: t(13, 0) };
    let never = QuietHours { start: t(9, 0), end: t(9, 0) };
    let cases = [
        (night, t(21, 59), false),
        (night, t(22, 0), true),
        (night, t(0, 0), true),
        (night, t(6, 59), true),
        (night, t(7, 0), false),
        (lunch, t(12, 30), true),
        (lunch, t(13, 0), false),
        (lunch, t(11, 59), false),
        (never, t(9, 0), false),
    ];
    for (quiet, time, inside) in cases {
        assert_eq!(quiet.contains(time), inside, "{time} in {quiet:?}");
    }
}

#[test]
fn alert_state_survives_a_round_trip_through_json() {
    let mut d = Driver::new(Policy::default());
    d.sum("2026-11-24T10:00:00+01:00", &[("a", MAJOR)]);
    d.at("2026-11-24T10:01:00+01:00", Input::Action(Action::Mute { provider_id: "b".into() }));
    let json = serde_json::to_string(&d.state).unwrap();
    let back: AlertState = serde_json::from_str(&json).unwrap();
    assert_eq!(back, d.state);
    assert!(back.is_muted("b"));
}

#[test]
fn configured_policy_keeps_quiet_hours() {
    let config = crate::config::parse(
        "[[provider]]\nid = \"a\"\nstatus_page = \"https://a.test/\"\n[alerts]\nquiet_hours = \"22:00-07:00\"\nreminder = \"1h\"\n",
        "c.toml",
    )
    .unwrap();
    let policy = Policy::from_config(&config.alerts, Language::De);
    assert_eq!(policy.reminder_every, Duration::from_hours(1));
    let mut d = Driver::new(policy);
    d.sum("2026-11-24T21:00:00+01:00", &[("a", OK)]);
    assert!(d.sum("2026-11-24T23:00:00+01:00", &[("a", MAJOR)]).is_empty());
    let effects = d.at("2026-11-25T07:00:00+01:00", Input::Tick);
    let [Effect::Notify(digest)] = effects.as_slice() else { panic!("{effects:?}") };
    assert_eq!(digest.title, "1 Meldung aus der Ruhezeit");
    assert_eq!(digest.body, "24.11. 23:00 A: weiterhin schwerer Ausfall");
    assert_eq!(d.tick("2026-11-25T08:00:00+01:00"), ["A: weiterhin schwerer Ausfall"]);
}

#[test]
fn a_restored_state_keeps_mutes_and_does_not_repeat_what_was_told() {
    let mut d = Driver::new(Policy::default());
    d.sum("2026-11-24T10:00:00+01:00", &[("a", OK), ("b", OK)]);
    assert_eq!(d.sum("2026-11-24T10:05:00+01:00", &[("a", MAJOR), ("b", OK)]).len(), 1);
    d.at("2026-11-24T10:06:00+01:00", Input::Action(Action::Mute { provider_id: "b".into() }));

    // The shell saves the durable part as JSON and restarts.
    let saved = serde_json::to_string(&d.state.durable()).unwrap();
    assert!(!saved.contains("checked_at"), "no summary in the saved state: {saved}");
    let restored: AlertState = serde_json::from_str(&saved).unwrap();
    assert!(restored.is_muted("b"));
    let mut after = Driver { state: restored, policy: Policy::default(), effects: Vec::new() };
    assert!(
        after.sum("2026-11-24T10:20:00+01:00", &[("a", MAJOR), ("b", MAJOR)]).is_empty(),
        "a's outage was told before the restart; b is muted"
    );
    let mut recovered = after.sum("2026-11-24T10:30:00+01:00", &[("a", OK), ("b", MAJOR)]);
    recovered.extend(after.tick("2026-11-24T10:45:00+01:00"));
    assert_eq!(recovered.len(), 1, "a's recovery is news, once it settled: {recovered:?}");
}

#[test]
fn only_the_chosen_states_alert() {
    let policy = Policy { states: vec![State::MajorOutage, State::PartialOutage], ..Policy::default() };
    let mut d = Driver::new(policy);
    let degraded = (State::Degraded, Verdict::ProviderConfirmed);
    let maintenance = (State::Maintenance, Verdict::Maintenance);
    let account = (State::PartialOutage, Verdict::YourAccount);
    let account_degraded = (State::Degraded, Verdict::YourAccount);
    assert!(d.sum("2026-11-24T10:00:00+01:00", &[("a", degraded), ("m", maintenance)]).is_empty());
    assert!(d.tick("2026-11-24T16:00:00+01:00").is_empty(), "no reminders of what was never told");
    // Worse, into a chosen state: now it alerts.
    assert_eq!(d.sum("2026-11-24T16:01:00+01:00", &[("a", MAJOR), ("m", maintenance)]), ["A: major outage"]);
    // Back to degraded is not "back to normal": the problem is not over, only quieter.
    assert!(d.sum("2026-11-24T16:05:00+01:00", &[("a", degraded), ("m", OK)]).is_empty());
    assert!(d.tick("2026-11-24T16:30:00+01:00").is_empty());
    assert!(d.sum("2026-11-24T16:31:00+01:00", &[("a", OK), ("m", OK)]).is_empty(), "settling");
    assert_eq!(d.tick("2026-11-24T16:45:00+01:00"), ["A: back to normal"]);
    // A refused login is the user's to fix: it alerts even in a state not chosen.
    assert_eq!(d.sum("2026-11-24T17:00:00+01:00", &[("b", account_degraded)]).len(), 1);
    let mut all = Driver::new(Policy { states: vec![], ..Policy::default() });
    assert_eq!(all.sum("2026-11-24T10:00:00+01:00", &[("b", account)]).len(), 1);
    assert!(all.sum("2026-11-24T10:01:00+01:00", &[("b", account), ("c", MAJOR)]).is_empty());
}

#[test]
fn digest_lists_a_recovered_provider_once_and_not_as_down() {
    let mut d = Driver::new(Policy::default());
    d.at("2026-11-24T10:00:00+01:00", Input::Action(Action::Pause(Span::FourHours)));
    d.sum("2026-11-24T10:10:00+01:00", &[("a", MAJOR), ("b", OK)]);
    d.sum("2026-11-24T10:40:00+01:00", &[("a", OK), ("b", MAJOR)]);
    d.sum("2026-11-24T11:20:00+01:00", &[("a", MAJOR), ("b", OK)]);
    d.sum("2026-11-24T12:40:00+01:00", &[("a", OK), ("b", OK)]);
    let effects = d.at("2026-11-24T13:00:00+01:00", Input::Action(Action::Resume));
    let [Effect::Notify(digest)] = effects.as_slice() else { panic!("{effects:?}") };
    let lines: Vec<&str> = digest.body.lines().collect();
    // Both went down and recovered during the pause: nothing is wrong now, each is named
    // once, by its recovery.
    assert_eq!(lines.len(), 2, "{}", digest.body);
    assert!(lines.iter().all(|l| !l.contains("major outage")), "{}", digest.body);
    assert_eq!(lines.iter().filter(|l| l.contains("A:")).count(), 1, "{}", digest.body);
    assert_eq!(lines.iter().filter(|l| l.contains("B:")).count(), 1, "{}", digest.body);
}

#[test]
fn digest_says_first_what_is_still_wrong_now_in_german() {
    let mut d = Driver::new(Policy::new(Language::De));
    d.at("2026-11-24T22:00:00+01:00", Input::Action(Action::Pause(Span::UntilTomorrow)));
    d.sum("2026-11-24T23:10:00+01:00", &[("a", MAJOR), ("b", MAJOR)]);
    d.sum("2026-11-25T01:00:00+01:00", &[("a", OK), ("b", MAJOR)]);
    let effects = d.at("2026-11-25T07:00:00+01:00", Input::Action(Action::Resume));
    let [Effect::Notify(digest)] = effects.as_slice() else { panic!("{effects:?}") };
    let lines: Vec<&str> = digest.body.lines().collect();
    assert_eq!(lines.len(), 2, "{}", digest.body);
    assert!(lines[0].starts_with("24.11. 23:10 B:"), "still wrong now comes first: {}", digest.body);
    assert!(lines[1].starts_with("01:") && lines[1].contains("A: wieder in Betrieb"), "{}", digest.body);
}

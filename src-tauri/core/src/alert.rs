//! Alert policy as a pure step function: `(state, input, policy, now) → (new state, effects)`.
//!
//! Inputs are a new summary, a clock tick and the user's commands (snooze, mute, pause).
//! The policy compares what is going on with what the user has been told and says only the
//! difference: one alert per root cause (a network outage is one alert, not one per provider),
//! on confirmation, on acknowledgement by the provider and on resolution, a reminder at most
//! every few hours, nothing while snoozed, muted, paused, in quiet hours or in the user's own
//! maintenance window — and a digest of what was held back after quiet hours and pauses.
//!
//! Time comes in as `now`, in the user's local offset (the shell's clock): quiet hours and
//! "until tomorrow" are wall-clock times in that offset.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use chrono::{DateTime, FixedOffset, NaiveTime, TimeDelta};
use serde::{Deserialize, Serialize};

use crate::action::Action;
use crate::calendar::{MaintenanceWindow, QuietHours};
use crate::model::{CheckKind, Outcome, Reason, State, Verdict};
use crate::summary::{ProviderSummary, Summary};
use crate::text::{self, AlertEvent, Language};

/// The user's choices and the policy's timings.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub language: Language,
    /// A lasting problem is brought up again at most this often.
    pub reminder_every: Duration,
    /// A problem counts as resolved only after it stayed away this long; a relapse within it
    /// is the same problem (flapping never alerts twice).
    pub settle: Duration,
    /// A certificate warning per check at most this often.
    pub certificate_every: Duration,
    /// A longer pause between two steps means the machine slept (the shell ticks every minute).
    pub wake_gap: Duration,
    /// Local wall-clock time at which "until tomorrow" ends.
    pub morning: NaiveTime,
    pub quiet_hours: Option<QuietHours>,
    /// The user's own maintenance windows: that provider's alerts are held during them.
    pub maintenance: Vec<MaintenanceWindow>,
    /// The provider states the user wants to hear about (`[alerts] states`). A refused login
    /// is the user's own to fix and alerts whatever the state.
    pub states: Vec<State>,
}

impl Policy {
    pub fn new(language: Language) -> Policy {
        Policy {
            language,
            reminder_every: Duration::from_hours(4),
            settle: Duration::from_mins(10),
            certificate_every: Duration::from_hours(24),
            wake_gap: Duration::from_mins(5),
            morning: NaiveTime::from_hms_opt(8, 0, 0).unwrap_or_default(),
            quiet_hours: None,
            maintenance: Vec::new(),
            states: crate::config::ALERT_STATES.to_vec(),
        }
    }
}

impl Policy {
    /// The policy the user configured (`[alerts]`), in the user's language.
    pub fn from_config(alerts: &crate::config::Alerts, language: Language) -> Policy {
        Policy {
            reminder_every: alerts.reminder,
            quiet_hours: alerts.quiet_hours,
            maintenance: alerts.maintenance.clone(),
            states: alerts.states.clone(),
            ..Policy::new(language)
        }
    }
}

impl Default for Policy {
    fn default() -> Policy {
        Policy::new(Language::En)
    }
}

/// What comes into the policy.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    /// The summary changed.
    Summary(Summary),
    /// The clock moved on (the shell ticks about every minute): reminders, the end of quiet
    /// hours, snoozes and pauses, and settling are driven by it.
    Tick,
    /// What the user asked for; the policy takes snooze, mute, pause and resume.
    Action(Action),
}

/// How loud a notification is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Urgency {
    Low,
    Normal,
    Critical,
}

/// One notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    /// The root cause; a later alert with the same key replaces the earlier one on screen.
    pub key: String,
    pub title: String,
    pub body: String,
    pub urgency: Urgency,
    /// Where a click on the notification leads in the window.
    pub route: String,
}

/// What the shell has to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    Notify(Alert),
    /// The cause of an earlier alert is gone; close it if it is still on screen.
    Withdraw {
        key: String,
    },
}

pub const NETWORK_KEY: &str = "network";

/// The root cause "the history cannot be written": one notification per episode.
pub const STORAGE_KEY: &str = "storage";
pub const DIGEST_KEY: &str = "digest";
/// The root cause "a window was refused, too many are open": one notification, replaced by
/// the next refusal.
pub const WINDOWS_KEY: &str = "windows";

/// The key of alerts about a provider's problem (outage, acknowledgement, maintenance).
pub fn provider_key(provider_id: &str) -> String {
    format!("provider:{provider_id}")
}

/// The key of alerts about the user's login at a provider: a root cause of its own.
pub fn account_key(provider_id: &str) -> String {
    format!("account:{provider_id}")
}

/// The key of certificate warnings for one check.
pub fn certificate_key(check_id: &str) -> String {
    format!("certificate:{check_id}")
}

/// What the policy remembers between steps. Serializable, so a shell may keep mutes and
/// snoozes across restarts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AlertState {
    /// The latest summary: ticks and commands are judged against it.
    last: Option<Summary>,
    /// When the policy last ran, to notice sleep.
    last_step: Option<DateTime<FixedOffset>>,
    network: NetworkMemory,
    providers: BTreeMap<String, Memory>,
    /// When each check's certificate was last warned about.
    certificates: BTreeMap<String, DateTime<FixedOffset>>,
    snoozed: BTreeMap<String, DateTime<FixedOffset>>,
    muted: BTreeSet<String>,
    paused_until: Option<DateTime<FixedOffset>>,
    /// What was held back during quiet hours or a pause, oldest first.
    digest: Vec<DigestLine>,
    /// The user knows the history is not being written (told, or held in the digest).
    #[serde(default)]
    storage_told: bool,
}

impl AlertState {
    pub fn is_muted(&self, provider_id: &str) -> bool {
        self.muted.contains(provider_id)
    }

    /// Every snooze still on record, by provider id.
    pub fn snoozed(&self) -> impl Iterator<Item = (&str, DateTime<FixedOffset>)> {
        self.snoozed.iter().map(|(id, until)| (id.as_str(), *until))
    }

    /// The muted provider ids.
    pub fn muted(&self) -> impl Iterator<Item = &str> {
        self.muted.iter().map(String::as_str)
    }

    pub fn snoozed_until(&self, provider_id: &str) -> Option<DateTime<FixedOffset>> {
        self.snoozed.get(provider_id).copied()
    }

    pub fn paused_until(&self) -> Option<DateTime<FixedOffset>> {
        self.paused_until
    }

    /// Whether the user knows of a problem that has not been told over yet: a provider's
    /// (until its all-clear), the network's or the history's. A shell hears from this when the
    /// last one ends, the moment whatever the problem needed in memory can go.
    pub fn problem_open(&self) -> bool {
        self.network.told || self.storage_told || self.providers.values().any(|m| m.told.is_some())
    }

    /// What is worth keeping across a restart: what the user was told, muted, snoozed and
    /// paused, and the digest — without the latest summary and step time, which change with
    /// every probe (a shell saves this when it changes, not at every summary).
    #[must_use]
    pub fn durable(&self) -> AlertState {
        // Field by field, not `..self.clone()`: that copied the whole latest summary only to
        // drop it, at every turn of the resident's loop (BENCHMARKS.md, round trip).
        let AlertState {
            last: _,
            last_step: _,
            network,
            providers,
            certificates,
            snoozed,
            muted,
            paused_until,
            digest,
            storage_told,
        } = self;
        AlertState {
            last: None,
            last_step: None,
            network: network.clone(),
            providers: providers.clone(),
            certificates: certificates.clone(),
            snoozed: snoozed.clone(),
            muted: muted.clone(),
            paused_until: *paused_until,
            digest: digest.clone(),
            storage_told: *storage_told,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct NetworkMemory {
    /// The user knows the network is down (told, or held back in the digest).
    told: bool,
    /// When it came back the last time: a new drop within the settle time is the same one.
    back_at: Option<DateTime<FixedOffset>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct Memory {
    /// The problem the user knows about.
    told: Option<Told>,
    /// Since when the provider has been fine again while a told problem is not yet resolved.
    calm_since: Option<DateTime<FixedOffset>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Told {
    /// The cause: `ProviderConfirmed`, `ProviderUnacknowledged`, `YourAccount` or `Maintenance`.
    verdict: Verdict,
    /// The worst state told during this problem: only worse news raises it again.
    peak: State,
    /// Since when the problem is known (from the summary, else when we first told it).
    since: DateTime<FixedOffset>,
    /// The last alert about it, for reminders.
    last_alert: DateTime<FixedOffset>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct DigestLine {
    at: DateTime<FixedOffset>,
    text: String,
    /// The alert's key (its root cause), so the digest names each provider once.
    #[serde(default)]
    key: String,
}

impl DigestLine {
    /// Whom the line is about: the provider for its provider, account and certificate
    /// alerts (a check id starts with its provider's), else the key itself (`network`).
    fn about(&self) -> &str {
        let (kind, rest) = self.key.split_once(':').unwrap_or(("", self.key.as_str()));
        match kind {
            "provider" | "account" => rest,
            "certificate" => rest.split('/').next().unwrap_or(rest),
            _ => &self.key,
        }
    }
}

/// How many digest lines are shown; the rest are counted.
const DIGEST_LINES: usize = 8;

/// Advances the policy by one input at `now`.
pub fn step(
    mut state: AlertState,
    input: Input,
    policy: &Policy,
    now: DateTime<FixedOffset>,
) -> (AlertState, Vec<Effect>) {
    let mut effects = Vec::new();

    if state.last_step.is_some_and(|last| now - last > delta(policy.wake_gap)) {
        // Woke from sleep. The time asleep is not time the user went without news, and what
        // we knew before is stale until the engine has looked again: restart the reminder
        // and settle clocks instead of catching up with a burst of stale alerts.
        for memory in state.providers.values_mut() {
            memory.calm_since = None;
            if let Some(told) = &mut memory.told {
                told.last_alert = now;
            }
        }
    }
    state.last_step = Some(now);

    match input {
        Input::Summary(summary) => {
            // Providers removed from the config are forgotten.
            state.providers.retain(|id, _| summary.providers.iter().any(|p| &p.id == id));
            state.last = Some(summary);
        }
        Input::Tick => {}
        Input::Action(action) => apply(&mut state, action, policy, now, &mut effects),
    }

    state.snoozed.retain(|_, until| *until > now);
    if state.paused_until.is_some_and(|until| until <= now) {
        state.paused_until = None;
    }
    state.certificates.retain(|_, at| now - *at < delta(policy.certificate_every));

    let quiet = state.paused_until.is_some() || policy.quiet_hours.is_some_and(|q| q.contains(now.time()));
    if !quiet && !state.digest.is_empty() {
        close_digest(&mut state, policy, now);
        effects.push(Effect::Notify(digest(&std::mem::take(&mut state.digest), policy.language, now)));
    }

    if let Some(summary) = state.last.take() {
        evaluate(&mut state, &summary, policy, now, quiet, &mut effects);
        state.last = Some(summary);
    }
    (state, effects)
}

fn apply(state: &mut AlertState, action: Action, policy: &Policy, now: DateTime<FixedOffset>, out: &mut Vec<Effect>) {
    match action {
        Action::Snooze { provider_id, span } => {
            state.snoozed.insert(provider_id, span.end(now, policy.morning));
        }
        Action::Mute { provider_id } => {
            // Muting says "I know, stop": what is on screen about it goes, and so does our
            // memory of it — after unmuting, a problem that still lasts is news again.
            out.push(Effect::Withdraw { key: provider_key(&provider_id) });
            out.push(Effect::Withdraw { key: account_key(&provider_id) });
            state.providers.remove(&provider_id);
            state.muted.insert(provider_id);
        }
        Action::Unmute { provider_id } => {
            state.muted.remove(&provider_id);
        }
        Action::Pause(span) => state.paused_until = Some(span.end(now, policy.morning)),
        Action::Resume => state.paused_until = None,
        // Not about alerts: the shell carries these out.
        Action::CheckNow | Action::OpenWindow { .. } | Action::SetAutostart(_) | Action::Quit => {}
    }
}

/// How an alert that is due gets out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Notify now.
    Tell,
    /// Quiet hours or pause: a digest line now, the digest when it ends. Counts as told.
    Digest,
    /// Snoozed, muted, in the user's maintenance window: nothing now, and not told — once the
    /// hold ends, what still differs from what the user knows is told then.
    Hold,
}

/// What a provider's summary means for alerts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Condition {
    /// Nothing to alert about.
    Calm,
    /// We cannot tell: neither raises nor clears anything.
    Unclear,
    /// A problem with this cause.
    Problem(Verdict),
}

fn condition(p: &ProviderSummary, policy: &Policy) -> Condition {
    match p.verdict {
        Verdict::AllWell => Condition::Calm,
        Verdict::Unknown | Verdict::YourNetwork => Condition::Unclear,
        // A certificate about to expire has its own, daily warning; it is no outage.
        Verdict::ProviderUnacknowledged if certificate_only(p) => Condition::Calm,
        // A state the user chose not to hear about is not "calm" either: a problem told
        // earlier is resolved only when the provider is really well again.
        cause if !cause.is_users() && !policy.states.contains(&p.state) => Condition::Unclear,
        cause => Condition::Problem(cause),
    }
}

/// Whether the only thing wrong with a provider is certificates about to expire.
fn certificate_only(p: &ProviderSummary) -> bool {
    let mut troubled =
        p.checks.iter().filter(|c| c.kind != CheckKind::StatusPage && c.outcome != Outcome::Up).peekable();
    troubled.peek().is_some()
        && troubled.all(|c| {
            c.outcome == Outcome::Degraded
                && c.cert_days_left.is_some()
                && matches!(c.reason, None | Some(Reason::Certificate))
        })
}

fn evaluate(
    state: &mut AlertState,
    summary: &Summary,
    policy: &Policy,
    now: DateTime<FixedOffset>,
    quiet: bool,
    out: &mut Vec<Effect>,
) {
    let lang = policy.language;
    let global = if quiet { Mode::Digest } else { Mode::Tell };

    // Our own evidence record has a gap: whatever the network and the providers do.
    match (&summary.storage, state.storage_told) {
        (Some(problem), false) => {
            state.storage_told = true;
            let alert = Alert {
                key: STORAGE_KEY.into(),
                title: text::storage_failing(lang).to_owned(),
                body: text::storage_failing_body(problem.since, lang, now),
                urgency: Urgency::Normal,
                route: "/".into(),
            };
            emit(state, global, alert, now, out);
        }
        (None, true) => {
            state.storage_told = false;
            out.push(Effect::Withdraw { key: STORAGE_KEY.into() });
        }
        _ => {}
    }

    if !summary.network.is_online() {
        if !state.network.told {
            state.network.told = true;
            let relapse = state.network.back_at.is_some_and(|back| now - back < delta(policy.settle));
            if !relapse {
                let alert = Alert {
                    key: NETWORK_KEY.into(),
                    title: text::network_trouble(summary.network, lang).to_owned(),
                    body: text::network_trouble_body(summary.network, lang).to_owned(),
                    urgency: Urgency::Normal,
                    route: "/".into(),
                };
                emit(state, global, alert, now, out);
            }
        }
        // Provider alerts pause: nothing can be judged without a network, and the gap is
        // nobody's downtime. Calm seen before the drop does not count through it.
        for memory in state.providers.values_mut() {
            memory.calm_since = None;
        }
        return;
    }
    if state.network.told {
        state.network.told = false;
        state.network.back_at = Some(now);
        out.push(Effect::Withdraw { key: NETWORK_KEY.into() });
        if global == Mode::Digest {
            state.digest.push(DigestLine { at: now, text: text::network_back(lang).to_owned(), key: "network".into() });
        }
    }

    for p in &summary.providers {
        let mode = if state.muted.contains(&p.id)
            || state.snoozed.contains_key(&p.id)
            || policy.maintenance.iter().any(|w| w.provider_id == p.id && w.when.contains(now))
        {
            Mode::Hold
        } else {
            global
        };
        provider(state, p, policy, now, mode, out);
        if mode != Mode::Hold {
            certificates(state, p, policy, now, mode, out);
        }
    }
}

/// Tells the difference between a provider's condition and what the user knows about it.
fn provider(
    state: &mut AlertState,
    p: &ProviderSummary,
    policy: &Policy,
    now: DateTime<FixedOffset>,
    mode: Mode,
    out: &mut Vec<Effect>,
) {
    let lang = policy.language;
    let memory = state.providers.entry(p.id.clone()).or_default();
    let mut due: Vec<(Alert, Option<String>)> = Vec::new();
    match condition(p, policy) {
        Condition::Unclear => memory.calm_since = None,
        Condition::Calm => {
            let Some(told) = &memory.told else {
                memory.calm_since = None;
                return;
            };
            let calm_since = *memory.calm_since.get_or_insert(now);
            if now - calm_since >= delta(policy.settle) && mode != Mode::Hold {
                let title = text::alert_title(AlertEvent::Resolved, &p.name, told.verdict, told.peak, lang);
                let body = format!("{}\n{}", p.verdict_text, text::resolved_body(told.since, calm_since, lang));
                let urgency = if told.verdict == Verdict::Maintenance { Urgency::Low } else { Urgency::Normal };
                let key = key_of(&p.id, told.verdict);
                due.push((Alert { key, title, body, urgency, route: format!("/provider/{}", p.id) }, None));
                memory.told = None;
                memory.calm_since = None;
            }
        }
        Condition::Problem(cause) => {
            memory.calm_since = None;
            if mode == Mode::Hold {
                return;
            }
            let since = p.since.unwrap_or(now);
            match &mut memory.told {
                None => {
                    due.push((problem_alert(p, AlertEvent::Raised, cause, lang), None));
                    memory.told = Some(Told { verdict: cause, peak: p.state, since, last_alert: now });
                }
                Some(told) => {
                    let old_key = key_of(&p.id, told.verdict);
                    let event = if told.verdict == Verdict::ProviderUnacknowledged
                        && cause == Verdict::ProviderConfirmed
                    {
                        Some(AlertEvent::Acknowledged)
                    } else if told.verdict == Verdict::ProviderConfirmed && cause == Verdict::ProviderUnacknowledged {
                        // The provider closed its incident while our probes still fail: the
                        // problem goes on, nothing new to say.
                        None
                    } else if told.verdict != cause
                        || (cause != Verdict::Maintenance && p.state.severity() > told.peak.severity())
                    {
                        // Another cause, or worse than anything told so far. Only worse than
                        // the peak: a state that flaps between partial and major alerts once.
                        Some(AlertEvent::Raised)
                    } else if cause != Verdict::Maintenance
                        && mode == Mode::Tell
                        && now - told.last_alert >= delta(policy.reminder_every)
                    {
                        Some(AlertEvent::Reminder)
                    } else {
                        None
                    };
                    if let Some(event) = event {
                        let mut alert = problem_alert(p, event, cause, lang);
                        if event == AlertEvent::Acknowledged {
                            alert.body = format!("{}\n{}", text::acknowledged_body(told.since, now, lang), alert.body);
                        }
                        let withdraw = (old_key != alert.key).then_some(old_key);
                        due.push((alert, withdraw));
                        told.last_alert = now;
                    }
                    told.verdict = cause;
                    told.since = told.since.min(since);
                    if p.state.severity() > told.peak.severity() {
                        told.peak = p.state;
                    }
                }
            }
        }
    }
    for (alert, withdraw) in due {
        if let Some(key) = withdraw {
            out.push(Effect::Withdraw { key });
        }
        emit(state, mode, alert, now, out);
    }
}

/// Before the digest goes out, it becomes the picture the user reads now: first what is still
/// wrong now (one line per provider, whether it began before or during the quiet time), then
/// what happened meanwhile and is over — each provider once, by its latest event, so a
/// provider that recovered is never listed as down. Every reminder clock starts again here.
fn close_digest(state: &mut AlertState, policy: &Policy, now: DateTime<FixedOffset>) {
    let Some(summary) = &state.last else { return };
    let quiet_from = state.digest.first().map_or(now, |line| line.at);
    let held = std::mem::take(&mut state.digest);
    let mut still = Vec::new();
    let mut wrong_now = BTreeSet::new();
    for p in &summary.providers {
        let mentioned = held.iter().filter(|l| l.about() == p.id).map(|l| l.at).min();
        let Some(told) = state.providers.get_mut(&p.id).and_then(|m| m.told.as_mut()) else { continue };
        let before = told.last_alert < quiet_from;
        told.last_alert = now;
        let Condition::Problem(verdict) = condition(p, policy) else { continue };
        if verdict == Verdict::Maintenance || (!before && mentioned.is_none()) {
            continue;
        }
        let title = text::alert_title(AlertEvent::Reminder, &p.name, verdict, p.state, policy.language);
        still.push(DigestLine { at: mentioned.unwrap_or(now), text: title, key: provider_key(&p.id) });
        wrong_now.insert(p.id.clone());
    }
    // Meanwhile: each one's latest line, in the order they last happened.
    let mut meanwhile: Vec<DigestLine> = Vec::new();
    for line in held {
        if wrong_now.contains(line.about()) {
            continue;
        }
        meanwhile.retain(|l| l.about() != line.about());
        meanwhile.push(line);
    }
    state.digest = still.into_iter().chain(meanwhile).collect();
}

/// Certificate warnings: at most once per `certificate_every` per check, not every probe.
fn certificates(
    state: &mut AlertState,
    p: &ProviderSummary,
    policy: &Policy,
    now: DateTime<FixedOffset>,
    mode: Mode,
    out: &mut Vec<Effect>,
) {
    for check in &p.checks {
        let (Outcome::Degraded, Some(days)) = (check.outcome, check.cert_days_left) else { continue };
        // Degraded for another reason (a server that answers only now and then) is not the
        // certificate's doing, whatever its days left.
        if !matches!(check.reason, None | Some(Reason::Certificate)) || state.certificates.contains_key(&check.id) {
            continue;
        }
        state.certificates.insert(check.id.clone(), now);
        let alert = Alert {
            key: certificate_key(&check.id),
            title: text::certificate_expiry(&p.name, days, policy.language),
            body: text::certificate_body(&check.target, policy.language),
            urgency: if days <= 7 { Urgency::Normal } else { Urgency::Low },
            route: format!("/provider/{}", p.id),
        };
        emit(state, mode, alert, now, out);
    }
}

/// Sends an alert now, or keeps it for the digest.
fn emit(state: &mut AlertState, mode: Mode, alert: Alert, now: DateTime<FixedOffset>, out: &mut Vec<Effect>) {
    match mode {
        Mode::Tell => out.push(Effect::Notify(alert)),
        Mode::Digest => state.digest.push(DigestLine { at: now, text: alert.title, key: alert.key }),
        Mode::Hold => {}
    }
}

fn key_of(provider_id: &str, cause: Verdict) -> String {
    if cause.is_users() { account_key(provider_id) } else { provider_key(provider_id) }
}

fn problem_alert(p: &ProviderSummary, event: AlertEvent, cause: Verdict, lang: Language) -> Alert {
    let title = text::alert_title(event, &p.name, cause, p.state, lang);
    let mut body = p.verdict_text.clone();
    if cause == Verdict::YourAccount {
        body.push('\n');
        body.push_str(&text::account_hint(&p.name, lang));
    }
    let incident = p.incidents.iter().find(|i| i.state.is_open());
    if let Some(incident) = incident {
        body.push('\n');
        body.push_str(&incident.title);
        if let Some(update) = incident.updates.first() {
            body.push_str(" — ");
            body.push_str(&first_line(&update.body, 160));
        }
    }
    let urgency = match (cause, event, p.state) {
        (Verdict::Maintenance, ..) => Urgency::Low,
        (_, AlertEvent::Reminder, _) | (Verdict::YourAccount | Verdict::YourSettings, ..) => Urgency::Normal,
        (_, _, State::MajorOutage | State::PartialOutage) => Urgency::Critical,
        _ => Urgency::Normal,
    };
    let route = match incident {
        Some(i) => format!("/provider/{}/incident/{}", p.id, i.id),
        None => format!("/provider/{}", p.id),
    };
    Alert { key: key_of(&p.id, cause), title, body, urgency, route }
}

fn digest(lines: &[DigestLine], lang: Language, now: DateTime<FixedOffset>) -> Alert {
    let mut body: Vec<String> =
        lines.iter().take(DIGEST_LINES).map(|l| format!("{} {}", text::clock_time(l.at, now), l.text)).collect();
    if lines.len() > DIGEST_LINES {
        body.push(text::digest_more(lines.len() - DIGEST_LINES, lang));
    }
    Alert {
        key: DIGEST_KEY.into(),
        title: text::digest_title(lines.len(), lang),
        body: body.join("\n"),
        urgency: Urgency::Normal,
        route: "/".into(),
    }
}

fn first_line(s: &str, max_chars: usize) -> String {
    let line = s.lines().find(|l| !l.trim().is_empty()).unwrap_or("").trim();
    if line.chars().count() > max_chars {
        let cut: String = line.chars().take(max_chars).collect();
        format!("{cut}…")
    } else {
        line.to_owned()
    }
}

fn delta(d: Duration) -> TimeDelta {
    TimeDelta::from_std(d).unwrap_or(TimeDelta::MAX)
}

#[cfg(test)]
mod tests;

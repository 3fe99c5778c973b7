//! The round trip against real Postfix and Dovecot on loopback: test mails sent through the
//! submission port, delivered over LMTP, looked for over IMAP. Postfix holds mail to
//! `probe+hold…@` (a queue that holds mail) until a test releases it, refuses `refuse@`, and
//! bounces mail to users Dovecot does not know; a Sieve rule files mail to `probe+spam@` into
//! a folder only its SPECIAL-USE `\Junk` flag names. Durations are seconds, set in code: the
//! config file never allows a mail more often than every 5 minutes.

use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use outage_core::check::CheckState;
use outage_core::config::{self, Roundtrip};
use outage_core::confirm::RecheckPolicy;
use outage_core::model::{Observation, Outcome, Reason};
use outage_core::roundtrip::{Place, tag};
use outage_core::text::Language;
use outage_engine::credentials::Secret;
use outage_engine::mail::roundtrip::{Cycle, Looked, run_cycle};
use outage_engine::mail::{Credential, Dns};
use outage_engine::store::Store;
use outage_tests::mail::servers;

const WARN: Duration = Duration::from_secs(6);
const FAIL: Duration = Duration::from_secs(15);

/// A round trip of the real servers to `to`, sending through STARTTLS submission.
fn trip(to: &str, interval: Duration) -> Roundtrip {
    let s = servers();
    let text = format!(
        "[[provider]]\nid = \"t\"\n\
         [[provider.mail]]\nkind = \"smtp\"\nhost = \"{host}\"\nport = {sub}\ntls = \"starttls\"\nusername = \"{user}\"\nca_file = \"{ca}\"\n\
         [[provider.mail]]\nkind = \"imap\"\nhost = \"{host}\"\nport = {imaps}\ntls = \"implicit\"\nusername = \"{user}\"\nca_file = \"{ca}\"\n\
         [[provider.roundtrip]]\nsmtp = \"{host}\"\nimap = \"{host}\"\nto = \"{to}\"\n",
        host = s.host,
        sub = s.submission,
        imaps = s.imaps,
        user = s.user,
        ca = s.ca_file.display(),
    );
    let config = config::parse(&text, "test.toml").unwrap();
    let mut trip = config.providers[0].roundtrip[0].clone();
    // Below what a config file may say: only code can (the servers are ours).
    trip.interval = interval;
    trip.warn_after = WARN;
    trip.fail_after = FAIL;
    trip
}

fn password(secret: &str) -> Credential {
    Credential::Password { username: servers().user.clone(), password: Secret::new(secret.to_owned()) }
}

/// One round trip's history and its checks' confirmation, as the scheduler keeps them.
struct Harness {
    trip: Roundtrip,
    check_id: String,
    store: Arc<Mutex<Store>>,
    path: std::path::PathBuf,
    _dir: tempfile::TempDir,
    runtime: tokio::runtime::Runtime,
    smtp_password: String,
    state: CheckState,
    seen: Vec<Observation>,
}

impl Harness {
    fn new(to: &str, interval: Duration) -> Harness {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.sqlite3");
        let trip = trip(to, interval);
        Harness {
            check_id: trip.check_id("t"),
            store: Arc::new(Mutex::new(Store::open(&path).unwrap())),
            path,
            _dir: dir,
            trip,
            runtime: tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap(),
            smtp_password: servers().password.clone(),
            state: CheckState::default(),
            seen: Vec::new(),
        }
    }

    /// One cycle now; its observation goes through the same confirmation as the scheduler's.
    fn cycle(&mut self) -> Looked {
        let cycle = Cycle {
            check_id: &self.check_id,
            provider_id: "t",
            trip: &self.trip,
            smtp: password(&self.smtp_password),
            imap: password(&servers().password),
            remembered: false,
            timeout: Duration::from_secs(10),
            dns: Dns::System,
            language: Language::En,
            now: chrono::Local::now().fixed_offset(),
        };
        let looked = self.runtime.block_on(run_cycle(cycle, &self.store));
        self.state.observe(&looked.observation, &RecheckPolicy::default());
        self.seen.push(looked.observation.clone());
        looked
    }

    /// Cycles at the times the round trip asks for, until `done` holds for the confirmed
    /// observation or `limit` passed.
    fn until(&mut self, limit: Duration, done: impl Fn(&Observation) -> bool) -> Observation {
        let start = Instant::now();
        loop {
            let looked = self.cycle();
            if let Some(confirmed) = self.state.confirmed.clone().filter(|o| done(o)) {
                return confirmed;
            }
            assert!(
                start.elapsed() < limit,
                "not within {limit:?}; seen: {:#?}",
                self.seen.iter().map(|o| (o.outcome, o.reason, o.message.clone())).collect::<Vec<_>>()
            );
            std::thread::sleep(looked.next_look);
        }
    }

    /// Every mail this check sent, as the history has it.
    fn mails(&self) -> Vec<outage_core::roundtrip::ProbeMail> {
        let offset = *chrono::Local::now().fixed_offset().offset();
        self.store.lock().unwrap().roundtrip_mails(&self.check_id, 0, offset).unwrap()
    }

    /// Asserts that no mail of this check is left in any folder, once those still on their
    /// way arrived (no new ones are sent meanwhile).
    fn assert_mailbox_clean(&mut self) {
        self.trip.interval = Duration::from_hours(1);
        let start = Instant::now();
        while self.mails().iter().any(|m| m.arrival.is_none()) && start.elapsed() < FAIL {
            std::thread::sleep(Duration::from_millis(500));
            self.cycle();
        }
        let needle = tag(&self.check_id);
        let leftovers = mail_files_with(Path::new(&maildir()), &needle);
        assert!(leftovers.is_empty(), "probe mails left behind: {leftovers:?}");
    }
}

fn env(key: &str) -> String {
    let env = std::fs::read_to_string(servers().dir.join("env")).unwrap();
    env.lines().find_map(|l| l.strip_prefix(&format!("{key}="))).unwrap().to_owned()
}

fn maildir() -> String {
    env("MAILDIR")
}

/// Mail files under `dir` (every folder of the Maildir; Dovecot's index caches remember
/// expunged mail for a while and are not mail) that contain `needle`.
fn mail_files_with(dir: &Path, needle: &str) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return found };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(mail_files_with(&path, needle));
        } else if path.parent().and_then(Path::file_name).is_some_and(|d| d == "cur" || d == "new" || d == "tmp")
            && std::fs::read(&path).is_ok_and(|b| b.windows(needle.len()).any(|w| w == needle.as_bytes()))
        {
            found.push(path);
        }
    }
    found
}

/// Releases the held mails to `to` (others' stay held) and asks Postfix to deliver them now.
fn release(to: &str) {
    let config = env("POSTFIX_CONFIG");
    let out = Command::new("postqueue").args(["-c", &config, "-j"]).output().unwrap();
    let ids: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|q| q["queue_name"] == "hold")
        .filter(|q| q["recipients"].as_array().is_some_and(|r| r.iter().any(|r| r["address"] == to)))
        .filter_map(|q| q["queue_id"].as_str().map(str::to_owned))
        .collect();
    for id in &ids {
        assert!(Command::new("postsuper").args(["-c", &config, "-H", id]).status().unwrap().success());
    }
    assert!(Command::new("postqueue").args(["-c", &config, "-f"]).status().unwrap().success());
}

/// How many mails to `to` wait in the hold queue.
fn held(to: &str) -> usize {
    let config = env("POSTFIX_CONFIG");
    let out = Command::new("postqueue").args(["-c", &config, "-j"]).output().unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|q| q["queue_name"] == "hold")
        .filter(|q| q["recipients"].as_array().is_some_and(|r| r.iter().any(|r| r["address"] == to)))
        .count()
}

#[test]
fn a_mail_delivered_in_time_is_up_with_its_delivery_time() {
    let mut h = Harness::new(&servers().user, Duration::from_mins(1));
    let o = h.until(WARN * 3, |o| o.outcome == Outcome::Up && o.latency_ms.is_some());
    assert_eq!(o.reason, None);
    assert!(o.latency_ms.unwrap() < ms(WARN), "{o:?}");
    assert!(o.message.starts_with("delivered after "), "{}", o.message);
    let mails = h.mails();
    assert_eq!(mails.len(), 1, "one mail per interval: {mails:?}");
    assert_eq!(mails[0].arrival.map(|a| a.place), Some(Place::Inbox));
    h.assert_mailbox_clean();
}

#[test]
fn a_held_queue_is_delayed_then_up_once_released() {
    let to = "probe+hold1@example.test";
    let mut h = Harness::new(to, Duration::from_mins(1));
    let o = h.until(WARN * 3, |o| o.reason == Some(Reason::Delayed));
    assert_eq!(o.outcome, Outcome::Degraded);
    assert!(o.message.contains("on the way since"), "{}", o.message);
    assert_eq!(held(to), 1);
    // `Received` dates have whole seconds: hold it clearly past warn_after.
    std::thread::sleep(Duration::from_secs(2));
    release(to);
    let o = h.until(FAIL, |o| o.latency_ms.is_some());
    assert_eq!((o.outcome, o.reason), (Outcome::Degraded, Some(Reason::Delayed)), "arrived late: {o:?}");
    assert!(o.latency_ms.unwrap() >= ms(WARN));
    // The next mail is not held (another address): on time again.
    h.trip.to = servers().user.clone();
    h.trip.interval = Duration::from_secs(1);
    let o = h.until(WARN * 3, |o| o.outcome == Outcome::Up);
    assert_eq!(o.reason, None);
    h.assert_mailbox_clean();
}

#[test]
fn a_mail_held_past_fail_after_is_lost_and_its_late_arrival_is_measured() {
    let to = "probe+hold2@example.test";
    let mut h = Harness::new(to, Duration::from_mins(2));
    let start = Instant::now();
    let o = h.until(FAIL * 3, |o| o.outcome == Outcome::Down);
    assert_eq!(o.reason, Some(Reason::Lost), "{o:?}");
    assert!(start.elapsed() >= FAIL, "not before fail_after");
    let first = h.mails()[0].sent;
    assert_eq!(h.state.failing_since, Some(first), "since the held mail was sent, not since the first look missed it");
    release(to);
    let o = h.until(FAIL, |o| o.latency_ms.is_some());
    assert_eq!(o.reason, Some(Reason::Delayed), "{o:?}");
    assert!(o.latency_ms.unwrap() >= ms(FAIL), "the late mail measured its own delay: {o:?}");
    h.assert_mailbox_clean();
}

#[test]
fn a_mail_filed_as_spam_is_spam() {
    let mut h = Harness::new("probe+spam@example.test", Duration::from_mins(1));
    let o = h.until(WARN * 3, |o| o.reason == Some(Reason::Spam));
    assert_eq!(o.outcome, Outcome::Degraded);
    assert_eq!(h.mails()[0].arrival.map(|a| a.place), Some(Place::Junk));
    h.assert_mailbox_clean();
}

#[test]
fn a_refused_send_is_rejected_and_a_wrong_password_is_the_accounts() {
    let mut h = Harness::new("refuse@example.test", Duration::from_mins(1));
    h.cycle();
    let o = h.state.confirmed.clone().expect("a refusal is confirmed at once");
    assert_eq!((o.outcome, o.reason), (Outcome::Down, Some(Reason::Rejected)), "{o:?}");
    assert!(o.message.contains("refused"), "{}", o.message);

    let mut h = Harness::new(&servers().user, Duration::from_mins(1));
    h.smtp_password = "wrong".to_owned();
    h.cycle();
    let o = h.state.confirmed.clone().expect("a refused login is confirmed at once");
    assert_eq!((o.outcome, o.reason), (Outcome::Down, Some(Reason::Auth)), "{o:?}");
    let transcript = o.mail().unwrap().transcript.join("\n");
    assert!(!transcript.contains(&servers().password), "no password in the transcript");
}

#[test]
fn a_bounce_is_bounced_never_an_arrival() {
    let mut h = Harness::new("nobody@example.test", Duration::from_mins(1));
    // The bounce goes to the sender, whose mailbox the look reads.
    let o = h.until(WARN * 3, |o| o.outcome == Outcome::Down);
    assert_eq!(o.reason, Some(Reason::Bounced), "{o:?}");
    assert_eq!(h.mails()[0].arrival.map(|a| a.place), Some(Place::Bounced));
    h.assert_mailbox_clean();
}

#[test]
fn mails_in_flight_when_the_resident_stops_are_measured_after_the_restart() {
    let to = "probe+hold3@example.test";
    let mut h = Harness::new(to, Duration::from_secs(2));
    h.cycle();
    std::thread::sleep(Duration::from_secs(2));
    h.cycle();
    assert_eq!(h.mails().len(), 2);
    outage_tests::wait_for("both mails held", Duration::from_secs(10), || (held(to) == 2).then_some(()));
    // Stopped: the history closed, nothing in memory survives.
    let path = h.path.clone();
    h.store = Arc::new(Mutex::new(Store::open(&path).unwrap()));
    h.state = CheckState::default();
    h.trip.interval = Duration::from_hours(1);
    std::thread::sleep(Duration::from_secs(3));
    let released = chrono::Local::now().fixed_offset();
    release(to);
    h.until(FAIL, |_| true);
    let start = Instant::now();
    while h.mails().iter().any(|m| m.arrival.is_none()) && start.elapsed() < FAIL {
        std::thread::sleep(Duration::from_secs(1));
        h.cycle();
    }
    let mails = h.mails();
    assert_eq!(mails.len(), 2, "no new mail after the restart: {mails:?}");
    for m in &mails {
        let a = m.arrival.expect("both measured");
        assert_eq!(a.place, Place::Inbox);
        let held_for = (released - m.sent).num_milliseconds();
        // `Received` dates have whole seconds.
        assert!(i64::try_from(a.delay_ms).unwrap() + 1_000 >= held_for, "each measured from its own sending: {m:?}");
    }
    h.assert_mailbox_clean();
}

fn ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap()
}

/// The 1&1 case: the status page is green, SMTP takes mail and IMAP logs in, but the queue
/// holds every mail. Only the round trip sees it, and the verdict names mail delivery within
/// `fail_after` and one more look; once the queue is released, all is well again.
#[test]
fn a_queue_that_holds_mail_behind_a_green_page_is_named_as_mail_delivery_then_all_well() {
    use outage_core::check::checks_of;
    use outage_core::model::{Network, Verdict};
    use outage_engine::mail::{Probe, probe};
    use outage_engine::probe::PageCache;
    use outage_tests::{Behaviour, HttpServer, statuspage_summary};

    let page = HttpServer::start(Behaviour::Ok(statuspage_summary("none", None)));
    let to = "probe+hold9@example.test";
    let mut h = Harness::new(to, Duration::from_hours(1));
    let s = servers();
    let text = format!(
        "[settings]\nlanguage = \"de\"\n[[provider]]\nid = \"t\"\nname = \"1&1 IONOS\"\nstatus_page = \"{}/\"\nstatus_format = \"statuspage\"\n\
         [[provider.mail]]\nkind = \"smtp\"\nhost = \"{host}\"\nport = {sub}\ntls = \"starttls\"\nusername = \"{user}\"\nca_file = \"{ca}\"\n\
         [[provider.mail]]\nkind = \"imap\"\nhost = \"{host}\"\nport = {imaps}\ntls = \"implicit\"\nusername = \"{user}\"\nca_file = \"{ca}\"\n\
         [[provider.roundtrip]]\nsmtp = \"{host}\"\nimap = \"{host}\"\nto = \"{to}\"\n",
        page.base_url(),
        host = s.host,
        sub = s.submission,
        imaps = s.imaps,
        user = s.user,
        ca = s.ca_file.display(),
    );
    let mut config = config::parse(&text, "test.toml").unwrap();
    config.providers[0].roundtrip[0] = h.trip.clone();
    let checks = checks_of(&config.providers[0]);
    assert_eq!(checks.last().map(|c| c.id.as_str()), Some(h.check_id.as_str()));
    let client = outage_engine::http::client().unwrap();
    let pages = PageCache::default();
    let mut states: std::collections::BTreeMap<String, CheckState> = std::collections::BTreeMap::new();

    // One round of every check, as the scheduler runs them; the round trip's look last.
    let mut round = |h: &mut Harness| {
        let now = chrono::Local::now().fixed_offset();
        for check in &checks[..checks.len() - 1] {
            let observation = match &check.spec {
                outage_core::check::CheckSpec::Mail { endpoint, .. } => h.runtime.block_on(probe(Probe {
                    check_id: &check.id,
                    endpoint,
                    credential: password(&servers().password),
                    timeout: Duration::from_secs(10),
                    dns: Dns::System,
                    now,
                    progress: None,
                })),
                _ => {
                    h.runtime
                        .block_on(outage_engine::probe::run(check, &client, Duration::from_secs(5), now, &pages))
                        .observation
                }
            };
            states.entry(check.id.clone()).or_default().observe(&observation, &RecheckPolicy::default());
        }
        let looked = h.cycle();
        states.insert(h.check_id.clone(), h.state.clone());
        let summary = outage_core::fusion::summarize(&config, &states, Network::Online, Language::De, now);
        (summary.providers[0].clone(), looked.next_look)
    };

    let first_sent = Instant::now();
    let named = loop {
        let (p, next) = round(&mut h);
        let servers_up = p
            .checks
            .iter()
            .filter(|c| c.kind != outage_core::model::CheckKind::Roundtrip)
            .all(|c| c.outcome == Outcome::Up);
        assert!(servers_up, "page, SMTP and IMAP stay up: {:?}", p.checks);
        if p.verdict == Verdict::ProviderUnacknowledged && p.verdict_text.contains("Mails an Sie kommen seit") {
            break (p, first_sent.elapsed());
        }
        assert!(first_sent.elapsed() < FAIL * 3, "never named: {p:?}");
        std::thread::sleep(next);
    };
    let (p, after) = named;
    assert!(p.verdict_text.ends_with("nicht an — vom Anbieter noch nicht bestätigt"), "{}", p.verdict_text);
    // fail_after, then the look that confirms it (a fifth of the way from warn_after), with
    // a second of slack for the dialogues themselves.
    let one_look = FAIL.saturating_sub(WARN) / 5;
    assert!(after <= FAIL + one_look * 2 + Duration::from_secs(2), "named after {after:?}");
    assert!(after >= FAIL, "not before fail_after: {after:?}");

    // The queue works again: the held mail goes out, and so do the next ones.
    release(to);
    h.trip.to = servers().user.clone();
    h.trip.interval = Duration::from_secs(2);
    let start = Instant::now();
    loop {
        let (p, next) = round(&mut h);
        if p.verdict == Verdict::AllWell {
            break;
        }
        assert!(start.elapsed() < FAIL * 2, "not all well after the release: {p:?}");
        std::thread::sleep(next.min(Duration::from_secs(2)));
    }
    h.assert_mailbox_clean();
}

//! Benchmark: what round trips with mails in flight cost the resident. Runs the release
//! resident twice for the same time against the real Postfix and Dovecot on loopback, with
//! the same 50 providers (each an SMTP and an IMAP login): first without round trips, then
//! with one `[[provider.roundtrip]]` each, whose test mails go to an address Postfix holds, so
//! they stay in flight (sent every INTERVAL minutes, looked for on their schedule). Prints PSS
//! and RSS (from /proc; RSS also its anonymous part) and CPU for both runs side by side, the
//! mails in flight at the end, and how many SMTP sends and IMAP looks the round trips made
//! (from the history). CPU twice: over the whole measured time, and over its quiet seconds
//! only — the resident's CPU ticks are read once a second, and a second is quiet when it lies
//! more than [`MARGINS`] away from every observation the history recorded (each look or send
//! of a round trip, each login probe) and every test mail sent: what mails in flight cost
//! between their looks.
//! Usage: bench-roundtrip [PROVIDERS=50] [MINUTES=5] [INTERVAL=5] [with|without] — INTERVAL in
//! minutes, 5 (the least a config allows) or 15 (the default); `with` or `without` runs one side
//! alone (two builds side by side against one run without). Prints figures; asserts nothing.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use outage_tests::desktop::{self, DesktopServices};
use outage_tests::mail::{Keychain, servers};
use outage_tests::{Anchor, cpu_ticks, pid_status_mib, pss_kib};

/// How far, in seconds, a quiet second lies from every look, send and probe: the work of a
/// cycle follows its recorded start (the dialogue, the history, the summary published at the
/// end of a burst, the trim after it) by a few seconds; two margins show whether that spills.
const MARGINS: [i64; 2] = [5, 15];

struct Stopped(Child);

impl Drop for Stopped {
    fn drop(&mut self) {
        let _ = Command::new("kill").arg("-TERM").arg(self.0.id().to_string()).stderr(Stdio::null()).status();
        std::thread::sleep(Duration::from_millis(500));
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn release_binary(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("bench path");
    let path = exe.parent().expect("target dir").join(name);
    assert!(path.exists(), "{} is missing: `cargo build --release -p outage-notifier`", path.display());
    path
}

/// What one run measured.
struct Run {
    pss_kib: u64,
    peak_pss_kib: u64,
    rss_mib: f64,
    /// The part of RSS that is the heap and stacks, not pages of files (the program's own
    /// pages, which the resident gives back after a burst and every 10 minutes).
    anon_mib: f64,
    hwm_mib: f64,
    cpu_percent: f64,
    ticks: u64,
    in_flight: usize,
    sent: usize,
    /// Round-trip cycles (each a look at the mailbox, with a send when one was due) and mails
    /// sent within the measured minutes.
    cycles: u64,
    sent_measured: usize,
    /// Observations of any check within the measured minutes (the login probes are hourly).
    observed: u64,
    /// Per margin of [`MARGINS`]: the quiet seconds and the CPU ticks spent in them.
    quiet: [(f64, u64); 2],
    /// The quiet seconds (the first margin) that spent any CPU: when (seconds into the
    /// measured minutes) and how many ticks, so a reader can tell a heartbeat from a leak.
    quiet_spent: Vec<(i64, u64)>,
}

/// The seconds of `samples` (wall-clock ms, the resident's CPU ticks) that lie more than
/// `margin_s` away from every moment in `busy` (wall-clock ms): their length in seconds and
/// the ticks spent in them.
fn quiet(samples: &[(i64, u64)], busy: &[i64], margin_s: i64) -> (f64, u64) {
    let seconds = quiet_seconds(samples, busy, margin_s);
    // Display only: milliseconds of a benchmark fit an f64 exactly.
    #[allow(clippy::cast_precision_loss)]
    let length = seconds.iter().map(|&(from, to, _)| to - from).sum::<i64>() as f64 / 1000.0;
    (length, seconds.iter().map(|&(_, _, ticks)| ticks).sum())
}

/// The quiet seconds: from, to (wall-clock ms) and the ticks spent in between.
fn quiet_seconds(samples: &[(i64, u64)], busy: &[i64], margin_s: i64) -> Vec<(i64, i64, u64)> {
    let margin = margin_s * 1000;
    samples
        .windows(2)
        .map(|pair| (pair[0], pair[1]))
        .filter(|&((from, _), (to, _))| busy.iter().all(|&at| at + margin < from || at - margin > to))
        .map(|((from, before), (to, after))| (from, to, after - before))
        .collect()
}

/// Ticks (1/100 s) over `seconds` as a share of one core, in percent.
fn percent(ticks: u64, seconds: f64) -> f64 {
    #[allow(clippy::cast_precision_loss)]
    let ticks = ticks as f64;
    if seconds > 0.0 { ticks / seconds } else { 0.0 }
}

/// The config: `providers` providers, each with an SMTP and an IMAP login to the test
/// servers, and with `roundtrip` a round trip to a held address of its own.
fn config(providers: usize, roundtrip: Option<u64>, anchor: &str) -> String {
    let s = servers();
    // The login probes once an hour: both runs pay them alike, and they stay out of the way.
    let mut text = format!("[settings]\ninterval = \"1h\"\nlanguage = \"en\"\nconnectivity = [\"{anchor}\"]\n");
    for i in 0..providers {
        let _ = write!(
            text,
            "\n[[provider]]\nid = \"p{i}\"\nname = \"Provider {i}\"\n\
             [[provider.mail]]\nkind = \"smtp\"\nhost = \"{host}\"\nport = {sub}\ntls = \"starttls\"\nusername = \"{user}\"\nca_file = \"{ca}\"\n\
             [[provider.mail]]\nkind = \"imap\"\nhost = \"{host}\"\nport = {imaps}\ntls = \"implicit\"\nusername = \"{user}\"\nca_file = \"{ca}\"\n",
            host = s.host,
            sub = s.submission,
            imaps = s.imaps,
            user = s.user,
            ca = s.ca_file.display(),
        );
        if let Some(minutes) = roundtrip {
            let _ = write!(
                text,
                "[[provider.roundtrip]]\nsmtp = \"{host}\"\nimap = \"{host}\"\nto = \"probe+holdbench{i}@example.test\"\ninterval = \"{minutes}m\"\n",
                host = s.host
            );
        }
    }
    text
}

async fn run(
    label: &str,
    providers: usize,
    roundtrip: Option<u64>,
    minutes: u64,
    keychain: &Keychain,
    display: &str,
) -> Run {
    let resident_bin = release_binary("outage-notifier");
    let dir = tempfile::tempdir().expect("tempdir");
    let anchor = Anchor::start();
    let config_path = dir.path().join("config.toml");
    std::fs::write(&config_path, config(providers, roundtrip, &anchor.addr.to_string())).expect("config");
    for i in 0..providers {
        let mut set = Command::new(&resident_bin);
        set.arg("--config").arg(&config_path).args(["credentials", "set", &format!("p{i}"), &servers().user]);
        set.stdin(Stdio::piped()).stdout(Stdio::null()).stderr(Stdio::null());
        keychain.apply(&mut set);
        let mut child = set.spawn().expect("credentials set");
        std::io::Write::write_all(
            &mut child.stdin.take().expect("stdin"),
            format!("{}\n", servers().password).as_bytes(),
        )
        .expect("password");
        assert!(child.wait().expect("credentials set").success(), "credentials set p{i}");
    }
    let data = dir.path().join("data");
    let mut command = Command::new(&resident_bin);
    command.arg("--config").arg(&config_path).arg("--data-dir").arg(&data);
    keychain.apply(&mut command);
    command
        .env("DISPLAY", display)
        .env("XDG_RUNTIME_DIR", dir.path())
        .env_remove("OUTAGE_NOTIFIER_SOCKET")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let resident = Stopped(command.spawn().expect("start the resident"));
    let pid = resident.0.id();
    // The first round (every login, every first send and look) settles before measuring.
    tokio::time::sleep(Duration::from_secs(30)).await;
    let ticks_before = cpu_ticks(pid);
    let started = Instant::now();
    let started_ms = chrono::Local::now().timestamp_millis();
    let mut samples = vec![(started_ms, ticks_before)];
    let mut peak = 0;
    let mut every_second =
        tokio::time::interval_at(tokio::time::Instant::now() + Duration::from_secs(1), Duration::from_secs(1));
    every_second.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    while started.elapsed() < Duration::from_secs(minutes * 60) {
        every_second.tick().await;
        samples.push((chrono::Local::now().timestamp_millis(), cpu_ticks(pid)));
        if samples.len() % 5 == 0 {
            peak = peak.max(pss_kib(pid));
        }
    }
    let elapsed = started.elapsed();
    let ticks = samples.last().map_or(0, |&(_, t)| t) - ticks_before;
    let ended_ms = samples.last().map_or(started_ms, |&(at, _)| at);
    let pid_s = pid.to_string();
    let (pss, rss, hwm) = (pss_kib(pid), pid_status_mib(&pid_s, "VmRSS:"), pid_status_mib(&pid_s, "VmHWM:"));
    let anon = pid_status_mib(&pid_s, "RssAnon:");
    drop(resident);
    let store = outage_engine::store::Store::open(&data.join("history.sqlite3")).expect("history");
    let offset = *chrono::Local::now().fixed_offset().offset();
    let mails = store.roundtrip_history(None, 0, i64::MAX, offset).expect("round-trip mails");
    drop(store);
    let db = rusqlite::Connection::open(data.join("history.sqlite3")).expect("history");
    let cycles: i64 = db
        .query_row(
            "SELECT count(*) FROM observations o JOIN checks c ON o.check_ref = c.id
             WHERE c.kind = 'roundtrip' AND o.at_ms >= ?1",
            [started_ms],
            |r| r.get(0),
        )
        .expect("count the cycles");
    let cycles = u64::try_from(cycles).unwrap_or(0);
    // What the resident did, as it recorded it: every observation's start (a round trip's
    // cycle records the moment it began, its send included) and every test mail's sending.
    let busy: Vec<i64> = db
        .prepare("SELECT at_ms FROM observations UNION ALL SELECT sent_ms FROM roundtrip_mails")
        .and_then(|mut q| q.query_map([], |r| r.get(0))?.collect())
        .expect("the moments of looks, sends and probes");
    let observed = busy_within(&db, started_ms, ended_ms);
    let quiet = MARGINS.map(|margin| quiet(&samples, &busy, margin));
    let quiet_spent = quiet_seconds(&samples, &busy, MARGINS[0])
        .into_iter()
        .filter(|&(_, _, ticks)| ticks > 0)
        .map(|(from, _, ticks)| ((from - started_ms) / 1000, ticks))
        .collect();
    // Ticks are 1/100 s; the share of one core over the measured time, in percent.
    let cpu_percent = percent(ticks, elapsed.as_secs_f64());
    println!("  {label}: done");
    Run {
        pss_kib: pss,
        peak_pss_kib: peak,
        rss_mib: rss,
        anon_mib: anon,
        hwm_mib: hwm,
        cpu_percent,
        ticks,
        in_flight: mails.iter().filter(|m| m.mail.arrival.is_none()).count(),
        sent: mails.len(),
        cycles,
        sent_measured: mails.iter().filter(|m| m.mail.sent.timestamp_millis() >= started_ms).count(),
        observed,
        quiet,
        quiet_spent,
    }
}

/// Observations of any check recorded within the measured minutes.
fn busy_within(db: &rusqlite::Connection, from_ms: i64, to_ms: i64) -> u64 {
    let n: i64 = db
        .query_row("SELECT count(*) FROM observations WHERE at_ms BETWEEN ?1 AND ?2", [from_ms, to_ms], |r| r.get(0))
        .expect("count the observations");
    u64::try_from(n).unwrap_or(0)
}

fn mib(kib: u64) -> f64 {
    // Display only: KiB of one process fit an f64 exactly.
    #[allow(clippy::cast_precision_loss)]
    let m = kib as f64 / 1024.0;
    m
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let providers: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(50);
    let minutes: u64 = std::env::args().nth(2).and_then(|a| a.parse().ok()).unwrap_or(5);
    let interval: u64 = std::env::args().nth(3).and_then(|a| a.parse().ok()).unwrap_or(5);
    let _ = servers();
    let keychain = Keychain::start();
    let (_xvfb, display) = desktop::xvfb();
    let _services = DesktopServices::start(&keychain.bus).await;
    println!(
        "round-trip benchmark: release resident, {providers} providers (SMTP + IMAP login each) on loopback's \
         Postfix and Dovecot, {minutes} min measured after 30 s; round trips every {interval} min"
    );
    // One side alone (`with` or `without`): two builds set side by side against one run without.
    let only = std::env::args().nth(4);
    let skipped = || Run {
        pss_kib: 0,
        peak_pss_kib: 0,
        rss_mib: 0.0,
        anon_mib: 0.0,
        hwm_mib: 0.0,
        cpu_percent: 0.0,
        ticks: 0,
        in_flight: 0,
        sent: 0,
        cycles: 0,
        sent_measured: 0,
        observed: 0,
        quiet: [(0.0, 0); 2],
        quiet_spent: Vec::new(),
    };
    let without = if only.as_deref() == Some("with") {
        skipped()
    } else {
        run("without round trips", providers, None, minutes, &keychain, &display).await
    };
    let with = if only.as_deref() == Some("without") {
        skipped()
    } else {
        run("with round trips", providers, Some(interval), minutes, &keychain, &display).await
    };
    println!("| | without round trips | with {providers} round trips | difference |");
    println!("|---|---|---|---|");
    let row = |name: &str, a: f64, b: f64, unit: &str| {
        println!("| {name} | {a:.1} {unit} | {b:.1} {unit} | {:+.1} {unit} |", b - a);
    };
    row("PSS at the end", mib(without.pss_kib), mib(with.pss_kib), "MiB");
    row("PSS peak (5 s samples)", mib(without.peak_pss_kib), mib(with.peak_pss_kib), "MiB");
    row("RSS at the end", without.rss_mib, with.rss_mib, "MiB");
    row("— of it anonymous (heap, stacks)", without.anon_mib, with.anon_mib, "MiB");
    row("RSS peak (VmHWM)", without.hwm_mib, with.hwm_mib, "MiB");
    println!(
        "| CPU over {minutes} min | {:.3} % ({} ticks) | {:.3} % ({} ticks) | {:+.3} points |",
        without.cpu_percent,
        without.ticks,
        with.cpu_percent,
        with.ticks,
        with.cpu_percent - without.cpu_percent
    );
    for (i, margin) in MARGINS.iter().enumerate() {
        let ((a_s, a_t), (b_s, b_t)) = (without.quiet[i], with.quiet[i]);
        println!(
            "| CPU over the quiet seconds (> {margin} s from any look, send or probe) | {:.3} % ({a_t} ticks in {a_s:.0} s) | \
             {:.3} % ({b_t} ticks in {b_s:.0} s) | {:+.3} points |",
            percent(a_t, a_s),
            percent(b_t, b_s),
            percent(b_t, b_s) - percent(a_t, a_s)
        );
    }
    println!(
        "| test mails sent / in flight at the end | {} / {} | {} / {} | |",
        without.sent, without.in_flight, with.sent, with.in_flight
    );
    println!(
        "| round-trip cycles (looks) / mails sent within the {minutes} min | {} / {} | {} / {} | |",
        without.cycles, without.sent_measured, with.cycles, with.sent_measured
    );
    println!("| observations of any check within the {minutes} min | {} | {} | |", without.observed, with.observed);
    for (side, run) in [("without", &without), ("with", &with)] {
        let spent: Vec<String> = run.quiet_spent.iter().map(|(at, t)| format!("{at}s:{t}")).collect();
        println!(
            "quiet seconds (> {} s) that spent CPU, {side} round trips (s into the minutes:ticks): {}",
            MARGINS[0],
            spent.join(" ")
        );
    }
    println!("targets: at most 2 MiB more PSS/RSS with round trips; CPU within noise");
    drop(keychain);
}

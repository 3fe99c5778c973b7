//! Benchmark: what the history's connection holds in memory over a day. Writes observations
//! minute by minute, each in its own transaction as the engine does (`Store::insert`), for 50
//! checks over simulated hours, and prints the process's heap after each hour — once on a
//! connection opened as the resident opens its own (`Store::open_all_day`) and once with
//! SQLite's default cache (`Store::open`), each in a fresh process so that neither inherits
//! the other's heap. Prints figures; asserts nothing.
//!
//! Usage: bench-cache [HOURS=8] [CHECKS=50]

use std::process::Command;
use std::time::{Duration, Instant};

use outage_core::model::{CheckKind, Observation, Outcome, Reason};
use outage_engine::store::Store;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let numbers: Vec<i64> = args.iter().filter_map(|a| a.parse().ok()).collect();
    let hours = numbers.first().copied().unwrap_or(8);
    let checks = numbers.get(1).copied().unwrap_or(50);
    if let Some(mode) = args.iter().position(|a| a == "--mode").and_then(|i| args.get(i + 1)) {
        write_hours(mode == "all-day", hours, checks);
        return;
    }
    println!("history connection memory: {checks} checks, one observation each a minute, {hours} simulated hours");
    let exe = std::env::current_exe().expect("bench path");
    let mut columns = Vec::new();
    for mode in ["default", "all-day"] {
        let out = Command::new(&exe)
            .args([hours.to_string(), checks.to_string(), "--mode".into(), mode.into()])
            .output()
            .expect("run a mode");
        assert!(out.status.success(), "{mode}: {}", String::from_utf8_lossy(&out.stderr));
        columns.push((mode, String::from_utf8_lossy(&out.stdout).into_owned()));
    }
    println!("  hour | heap, SQLite's default cache | heap, the resident's connection");
    let (default, all_day) = (&columns[0].1, &columns[1].1);
    for (a, b) in default.lines().zip(all_day.lines()) {
        let (hour, a) = a.split_once(' ').unwrap_or((a, ""));
        let b = b.split_once(' ').map_or(b, |(_, b)| b);
        println!("  {hour:>4} | {a:>28} | {b}");
    }
}

/// Writes `hours` of observations; prints "HOUR heap KiB (write ms per minute)" per hour.
fn write_hours(all_day: bool, hours: i64, checks: i64) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("history.sqlite3");
    let store = if all_day { Store::open_all_day(&path) } else { Store::open(&path) }.expect("open");
    let start = chrono::DateTime::parse_from_rfc3339("2026-01-01T00:00:00+01:00").expect("time");
    println!("0 {} KiB", heap_kib());
    for hour in 0..hours {
        let began = Instant::now();
        for minute in 0..60 {
            let at = start + chrono::Duration::minutes(hour * 60 + minute);
            for s in 0..checks {
                let mut o = Observation::failed(
                    &format!("p{s}/imap"),
                    CheckKind::Imap,
                    "imap.example.test:993",
                    at,
                    Outcome::Up,
                    Reason::Timeout,
                    "answered",
                );
                o.reason = None;
                o.latency_ms = Some(30 + u64::try_from((minute * 7 + s) % 50).unwrap_or(0));
                store.insert(&format!("p{s}"), &o, Duration::from_mins(3)).expect("insert");
            }
        }
        let per_minute = began.elapsed().as_secs_f64() * 1000.0 / 60.0;
        println!("{} {} KiB ({per_minute:.1} ms of writes per minute)", hour + 1, heap_kib());
    }
}

/// The process's heap and anonymous memory in memory (`Anonymous:` of smaps_rollup): where
/// SQLite's page cache lives.
fn heap_kib() -> u64 {
    let text = std::fs::read_to_string("/proc/self/smaps_rollup").unwrap_or_default();
    text.lines()
        .find_map(|l| l.strip_prefix("Anonymous:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

//! Benchmark: a simulated year of 1-minute observations for 50 sources, written the way the
//! engine writes them (with roll-ups and daily retention), then the database size and the
//! latency of the 90-day uptime query. Prints figures; asserts nothing.

use std::time::{Duration, Instant};

use outage_core::model::{CheckKind, Observation, Outcome, Reason};
use outage_engine::store::{Retention, Scope, Store};

fn main() {
    let mut args = std::env::args().skip(1);
    let sources: i64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(50);
    let days: i64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(365);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("history.sqlite3");
    let store = Store::open(&path).expect("open");
    let start = chrono::DateTime::parse_from_rfc3339("2026-01-01T00:00:00+01:00").expect("time");

    let began = Instant::now();
    let mut written = 0usize;
    for day in 0..days {
        let mut batch = Vec::with_capacity(usize::try_from(sources * 1440).unwrap_or(0));
        for minute in 0..1440 {
            let at = start + chrono::Duration::minutes(day * 1440 + minute);
            for s in 0..sources {
                // A short outage per source every few days, otherwise up with some jitter.
                let down = (day + s) % 5 == 0 && (600..615).contains(&minute);
                let outcome = if down { Outcome::Down } else { Outcome::Up };
                let mut o = Observation::failed(
                    &format!("p{s}/imap"),
                    CheckKind::Imap,
                    "imap.example.test:993",
                    at,
                    outcome,
                    Reason::Timeout,
                    "no answer within 15.0 s",
                );
                if !down {
                    o.reason = None;
                    o.latency_ms = Some(30 + u64::try_from((minute * 7 + s) % 50).unwrap_or(0));
                }
                batch.push((format!("p{s}"), o));
            }
        }
        written +=
            store.insert_batch(batch.iter().map(|(p, o)| (p.as_str(), o)), Duration::from_mins(3)).expect("insert");
        let now = (start + chrono::Duration::days(day + 1)).timestamp_millis();
        store.apply_retention(now, Retention::default()).expect("retention");
    }
    let write_time = began.elapsed();
    let size = store.size_bytes().expect("size");

    let end = (start + chrono::Duration::days(days)).timestamp_millis();
    let from = end - 90 * 86_400_000;
    let mut timings = Vec::new();
    for i in 0..50 {
        let t = Instant::now();
        let u = store.uptime(Scope::Check(&format!("p{}/imap", i % sources)), from, end).expect("uptime");
        timings.push(t.elapsed());
        assert!(u.ratio().is_some());
    }
    timings.sort();
    let mut provider_timings = Vec::new();
    for i in 0..50 {
        let t = Instant::now();
        store.daily(Scope::Provider(&format!("p{}", i % sources)), from, end).expect("daily");
        provider_timings.push(t.elapsed());
    }
    provider_timings.sort();

    #[allow(clippy::cast_precision_loss)]
    let mib = size as f64 / 1_048_576.0;
    println!("history benchmark: {sources} sources x {days} days of 1-minute observations");
    println!("  observations written: {written} in {:.1} s", write_time.as_secs_f64());
    println!("  database size after retention: {mib:.1} MiB (target < 200 MiB)");
    println!(
        "  90-day uptime query: median {:.2} ms, max {:.2} ms (target < 20 ms)",
        ms(timings[timings.len() / 2]),
        ms(timings[timings.len() - 1])
    );
    println!(
        "  90-day daily bars query: median {:.2} ms, max {:.2} ms",
        ms(provider_timings[provider_timings.len() / 2]),
        ms(provider_timings[provider_timings.len() - 1])
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

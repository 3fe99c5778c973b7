//! Benchmark: parse throughput of every status-page format (MB/s, from the recorded
//! payloads), and a full poll of 1,000 status pages served on loopback through the engine's
//! own one-shot path (wall time, peak memory). Prints figures; asserts nothing.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use outage_core::formats::Format;
use outage_engine::{one_shot, runner, store::Store};
use outage_tests::{Anchor, Behaviour, HttpServer, fixture, statuspage_summary};

const PARSE: [(&str, Format); 9] = [
    ("statuspage-summary-twilio-minor-incidents.json", Format::Statuspage),
    ("statuspage-summary-docs-example-critical-with-maintenances.json", Format::Statuspage),
    ("statuspage-history-github.rss", Format::Feed),
    ("statuspage-history-github-active-incident.atom", Format::Feed),
    ("aws-status-all.rss", Format::Feed),
    ("statusio-status-docker-partial-disruption.json", Format::StatusIo),
    ("slack-current-two-active-incidents.json", Format::Slack),
    ("google-dashboard-incidents-gcp-2.json", Format::GoogleWorkspace),
    ("instatus-summary-docs-example.json", Format::Instatus),
];

fn main() {
    let pages: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(1000);
    let now = chrono::Local::now().fixed_offset();
    println!("parse throughput (recorded payloads):");
    for (name, format) in PARSE {
        let body = fixture(name);
        let mut rounds = 0u32;
        let started = Instant::now();
        while started.elapsed() < Duration::from_millis(700) {
            format.parse(&body, now).expect("fixture parses");
            rounds += 1;
        }
        let secs = started.elapsed().as_secs_f64();
        #[allow(clippy::cast_precision_loss)]
        let mbps = body.len() as f64 * f64::from(rounds) / secs / 1e6;
        println!("  {:<16} {:>8.1} MB/s  ({name}, {} KiB)", format.as_str(), mbps, body.len() / 1024);
    }

    let server = HttpServer::start(Behaviour::Ok(statuspage_summary("minor", Some(("i1", "Slow mail", "minor")))));
    let anchor = Anchor::start();
    let mut text = format!("[settings]\ntimeout = \"10s\"\nlanguage = \"en\"\nconnectivity = [\"{}\"]\n", anchor.addr);
    for i in 0..pages {
        let _ = write!(
            text,
            "\n[[provider]]\nid = \"p{i}\"\nstatus_page = \"{}page{i}/\"\nstatus_format = \"statuspage\"\n",
            server.base_url()
        );
    }
    let config = outage_core::config::parse(&text, "bench.toml").expect("config");
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("history.sqlite3")).expect("store");
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let started = Instant::now();
    let summary = runtime
        .block_on(one_shot::check_all(
            &config,
            outage_core::text::Language::En,
            &store,
            runner::system_clock(),
            &one_shot::cli_policy(),
        ))
        .expect("poll");
    let wall = started.elapsed();
    let read = summary.providers.iter().filter(|p| p.checks.first().is_some_and(|c| c.reason.is_none())).count();
    println!("full poll of {pages} status pages on loopback (engine one-shot path, history written):");
    println!("  read {read}/{pages} in {:.2} s (target < 5 s)", wall.as_secs_f64());
    println!("  peak memory (VmHWM) {:.1} MiB (target < 80 MiB)", outage_tests::proc_status_mib("VmHWM:"));
}

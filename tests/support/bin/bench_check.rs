//! Benchmark: `outage-notifier check --json` against N IMAP endpoints that all misbehave the
//! same way, each behind its own gate in front of the real Dovecot on loopback — `silent`
//! (accept, never greet), `slow` (every chunk 250 ms late) or `open` (the real server as it
//! is). Prints the wall time, the outcome counts and the CLI's peak memory (VmHWM, sampled).
//! `cargo xtask bench` runs it as a release build.
//!
//! Usage: bench-check [ENDPOINTS] [silent|slow|open]   (default 200 silent; timeout 10 s)
//! `BENCH_CHECK_WRAP="heaptrack -o FILE"` runs the CLI under a wrapper (a heap profiler).

// A benchmark's failures are its report: unwrap says where.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use outage_tests::Anchor;
use outage_tests::gate::{Gate, GateMode};
use outage_tests::mail::servers;

const TIMEOUT_S: u64 = 10;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let endpoints: usize = args.iter().find_map(|a| a.parse().ok()).unwrap_or(200);
    let (label, mode) = match args.iter().find(|a| a.parse::<usize>().is_err()).map(String::as_str) {
        None | Some("silent") => ("silent (accept, never greet)", GateMode::Silent),
        Some("slow") => ("slow (every chunk 250 ms late)", GateMode::Slow(Duration::from_millis(250))),
        Some("open") => ("open (the real Dovecot)", GateMode::Open),
        Some(other) => panic!("unknown mode {other}: silent, slow or open"),
    };
    let s = servers();
    let upstream = format!("{}:{}", s.host, s.imaps).parse().unwrap();
    let gates: Vec<Gate> = (0..endpoints).map(|_| Gate::start_on(&s.host, upstream, mode)).collect();
    let anchor = Anchor::start();
    let dir = tempfile::tempdir().unwrap();
    let mut text = format!(
        "[settings]\ninterval = \"1m\"\ntimeout = \"{TIMEOUT_S}s\"\nlanguage = \"en\"\nconnectivity = [\"{}\"]\n\n\
         [[provider]]\nid = \"bench\"\nname = \"Bench\"\n",
        anchor.addr
    );
    for gate in &gates {
        write!(
            text,
            "\n[[provider.mail]]\nkind = \"imap\"\nhost = \"{}\"\nport = {}\ntls = \"implicit\"\nca_file = \"{}\"\n",
            s.host,
            gate.addr.port(),
            s.ca_file.display()
        )
        .unwrap();
    }
    let config = dir.path().join("config.toml");
    std::fs::write(&config, text).unwrap();

    let started = Instant::now();
    // A bench binary sits beside the resident in target/<profile>/, not in deps/.
    let exe = std::env::current_exe().unwrap().with_file_name("outage-notifier");
    assert!(exe.exists(), "{} is missing: `cargo build --release -p outage-notifier` first", exe.display());
    // BENCH_CHECK_WRAP runs the CLI under a profiler, e.g. "heaptrack -o /tmp/check" (where
    // its memory goes) or "env MALLOC_ARENA_MAX=1"; the figures are then the wrapper's too.
    let wrap: Vec<String> =
        std::env::var("BENCH_CHECK_WRAP").unwrap_or_default().split_whitespace().map(str::to_owned).collect();
    let mut command = match wrap.split_first() {
        Some((program, args)) => {
            let mut c = Command::new(program);
            c.args(args).arg(exe);
            c
        }
        None => Command::new(exe),
    };
    let mut child = command
        .arg("--config")
        .arg(&config)
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .args(["check", "--json"])
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/outage-notifier-bench-bus")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut peak_mib = 0f64;
    let stdout = std::thread::spawn({
        let mut out = child.stdout.take().unwrap();
        move || {
            let mut buf = Vec::new();
            std::io::Read::read_to_end(&mut out, &mut buf).unwrap();
            buf
        }
    });
    while child.try_wait().unwrap().is_none() {
        peak_mib = peak_mib.max(outage_tests::pid_status_mib(&pid.to_string(), "VmHWM:"));
        std::thread::sleep(Duration::from_millis(20));
    }
    let wall = started.elapsed();
    let out = stdout.join().unwrap();
    // A wrapper may print before and after the CLI does: the summary is the JSON object.
    let json = out.iter().position(|b| *b == b'{').map_or(&out[..], |i| &out[i..]);
    let summary: serde_json::Value = serde_json::Deserializer::from_slice(json).into_iter().next().unwrap().unwrap();

    let mut outcomes: BTreeMap<String, usize> = BTreeMap::new();
    for check in summary["providers"][0]["checks"].as_array().unwrap() {
        let key = match check["reason"].as_str() {
            Some(reason) => format!("{} ({reason})", check["outcome"].as_str().unwrap_or("?")),
            None => check["outcome"].as_str().unwrap_or("?").to_owned(),
        };
        *outcomes.entry(key).or_default() += 1;
    }
    let connections: usize = gates.iter().map(Gate::accepted).sum();
    println!("check --json against:  {endpoints} IMAP endpoints, {label}; probe timeout {TIMEOUT_S} s");
    println!("wall time:             {:.1} s", wall.as_secs_f64());
    println!("outcomes:              {outcomes:?}");
    println!("connections accepted:  {connections}");
    println!("CLI peak memory:       {peak_mib:.1} MiB (VmHWM, sampled every 20 ms)");
}

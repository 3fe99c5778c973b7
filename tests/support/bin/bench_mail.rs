//! Benchmark: N mail probes at once (default 200) against the real Postfix and Dovecot on
//! loopback, spread over their six listeners (IMAP, POP3 and SMTP submission, each with
//! implicit TLS and with STARTTLS). Prints wall time, the outcome counts and this process's
//! peak memory (VmHWM). `cargo xtask bench` runs it as a release build.
//!
//! Usage: bench-mail [PROBES] [--login]   (--login also logs in, with the test password)

// A benchmark's failures are its report: unwrap says where.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use outage_core::config::{DEFAULT_CERT_WARN_DAYS, Mail, MailKind, TlsMode};
use outage_engine::credentials::Secret;
use outage_engine::mail::{self, Credential, Dns, Probe};
use outage_tests::mail::servers;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let probes: usize = args.iter().find_map(|a| a.parse().ok()).unwrap_or(200);
    let login = args.iter().any(|a| a == "--login");
    let s = servers();
    let listeners = [
        (MailKind::Imap, s.imaps, TlsMode::Implicit),
        (MailKind::Imap, s.imap, TlsMode::Starttls),
        (MailKind::Pop3, s.pop3s, TlsMode::Implicit),
        (MailKind::Pop3, s.pop3, TlsMode::Starttls),
        (MailKind::Smtp, s.submissions, TlsMode::Implicit),
        (MailKind::Smtp, s.submission, TlsMode::Starttls),
    ];
    let endpoints: Vec<Mail> = (0..probes)
        .map(|i| {
            let (kind, port, tls) = listeners[i % listeners.len()];
            Mail {
                kind,
                host: s.host.clone(),
                port,
                tls,
                username: login.then(|| s.user.clone()),
                ca_file: Some(s.ca_file.clone()),
                cert_warn_days: DEFAULT_CERT_WARN_DAYS,
            }
        })
        .collect();
    let ids: Vec<String> = (0..probes).map(|i| format!("bench/{i}")).collect();

    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let rss_before = outage_tests::proc_status_mib("VmRSS:");
    let started = Instant::now();
    let observations = runtime.block_on(async {
        let now = chrono::Local::now().fixed_offset();
        let runs = endpoints.iter().zip(&ids).map(|(endpoint, id)| {
            let credential = if login {
                Credential::Password { username: s.user.clone(), password: Secret::new(s.password.clone()) }
            } else {
                Credential::None
            };
            mail::probe(Probe {
                check_id: id,
                endpoint,
                credential,
                timeout: Duration::from_secs(15),
                dns: Dns::System,
                now,
                progress: None,
            })
        });
        futures_util::future::join_all(runs).await
    });
    let wall = started.elapsed();
    let peak = outage_tests::proc_status_mib("VmHWM:");

    let mut outcomes: BTreeMap<String, usize> = BTreeMap::new();
    for o in &observations {
        let key = match o.reason {
            None => o.outcome.as_str().to_owned(),
            Some(r) => format!("{} ({})", o.outcome.as_str(), r.as_str()),
        };
        *outcomes.entry(key).or_default() += 1;
    }
    let mut latencies: Vec<u64> = observations.iter().filter_map(|o| o.latency_ms).collect();
    latencies.sort_unstable();
    let pct = |p: usize| latencies.get((latencies.len() * p / 100).min(latencies.len().saturating_sub(1))).copied();
    println!("mail probes at once:   {probes}{}", if login { " (with login)" } else { "" });
    println!("wall time:             {:.2} s (target < 3 s)", wall.as_secs_f64());
    println!("outcomes:              {outcomes:?}");
    println!("probe latency p50/p95: {:?} / {:?} ms", pct(50).unwrap_or(0), pct(95).unwrap_or(0));
    println!("RSS before probing:    {rss_before:.1} MiB");
    println!("peak memory (VmHWM):   {peak:.1} MiB (target < 60 MiB)");
    if let Some(bad) = observations.iter().find(|o| o.reason.is_some()) {
        println!("first failure:         {}", bad.message);
    }
}

//! `outage-notifier check [--json]` end to end: DESIGN.md's JSON, exit codes, confirmation
//! re-checks, and hostile status pages.

use std::process::{Command, Output};
use std::time::{Duration, Instant};

use outage_tests::{Anchor, Behaviour, HttpServer, bin, fixture, statuspage_summary, write_config};

fn check(config: &std::path::Path, data: &std::path::Path, json: bool) -> Output {
    check_resolving_with(config, data, json, None)
}

/// `check`, with the system's resolver replaced by `resolver` (a DNS server on loopback): a
/// page that times out makes the connectivity guard ask whether names still resolve, and the
/// answer must not depend on the machine the tests run on.
fn check_resolving_with(
    config: &std::path::Path,
    data: &std::path::Path,
    json: bool,
    resolver: Option<std::net::SocketAddr>,
) -> Output {
    let mut c = Command::new(bin("outage-notifier"));
    c.arg("--config").arg(config).arg("--data-dir").arg(data).arg("check");
    if json {
        c.arg("--json");
    }
    if let Some(resolver) = resolver {
        c.env("OUTAGE_NOTIFIER_DNS", resolver.to_string());
    }
    c.output().expect("run outage-notifier check")
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

#[test]
fn json_follows_the_design_contract() {
    let dir = tempfile::tempdir().unwrap();
    let server = HttpServer::start(Behaviour::Ok(fixture("statuspage-summary-twilio-minor-incidents.json")));
    let anchor = Anchor::start();
    let config = write_config(dir.path(), &server, &anchor, "1m");
    let out = check(&config, &dir.path().join("data"), true);
    assert_eq!(out.status.code(), Some(1), "degraded is not operational");
    let v = json(&out);
    let checked_at = v["checked_at"].as_str().unwrap();
    assert!(chrono::DateTime::parse_from_rfc3339(checked_at).is_ok(), "{checked_at}");
    assert_eq!(v["network"], "online");
    let p = &v["providers"][0];
    for key in ["id", "name", "state", "verdict", "components", "incidents", "checks"] {
        assert!(p.get(key).is_some(), "provider.{key} missing");
    }
    assert_eq!(p["id"], "df");
    assert_eq!(p["state"], "degraded");
    assert_eq!(p["verdict"], "provider_confirmed");
    let incident = &p["incidents"][0];
    for key in ["id", "title", "state", "impact", "started_at", "updated_at", "url", "updates"] {
        assert!(incident.get(key).is_some(), "incident.{key} missing");
    }
    for key in ["at", "status", "body"] {
        assert!(incident["updates"][0].get(key).is_some(), "update.{key} missing");
    }
    let c = &p["checks"][0];
    for key in ["id", "kind", "target", "outcome", "reason", "message", "latency_ms", "cert_days_left"] {
        assert!(c.get(key).is_some(), "check.{key} missing");
    }
    assert_eq!(c["kind"], "status_page");
    assert_eq!(c["outcome"], "up");
    assert!(c["reason"].is_null());
    assert!(p["components"].as_array().unwrap().iter().all(|c| c.get("name").is_some() && c.get("state").is_some()));
}

#[test]
fn operational_exits_zero_and_text_output_reads_well() {
    let dir = tempfile::tempdir().unwrap();
    let server = HttpServer::start(Behaviour::Ok(statuspage_summary("none", None)));
    let anchor = Anchor::start();
    let config = write_config(dir.path(), &server, &anchor, "1m");
    let out = check(&config, &dir.path().join("data"), false);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("DomainFactory") && text.contains("operational"), "{text}");
    // Checks in words, as the report names them; ids and enums are `--json`'s.
    let line = text.lines().find(|l| l.starts_with("    status page ")).unwrap_or_else(|| panic!("{text}"));
    assert!(line.contains(server.base_url().as_str()) && line.contains(": up ("), "{line}");
    assert!(!text.contains("status_page"), "{text}");
    // Every probe is history.
    let db = rusqlite::Connection::open(dir.path().join("data/history.sqlite3")).unwrap();
    let n: i64 = db.query_row("SELECT count(*) FROM observations", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 1);
}

#[test]
fn broken_config_exits_two_with_file_line_and_hint() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "[settings]\nintervall = \"2m\"\n").unwrap();
    let out = check(&config, &dir.path().join("data"), true);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("{}:2", config.display())), "{err}");
    assert!(err.contains("did you mean `interval`?"), "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn an_absurd_duration_is_a_config_error_not_an_abort() {
    // humantime accepts these; the arithmetic on them used to panic (exit 134 in release).
    let dir = tempfile::tempdir().unwrap();
    let server = HttpServer::start(Behaviour::Ok(statuspage_summary("none", None)));
    let anchor = Anchor::start();
    let config = write_config(dir.path(), &server, &anchor, "200000000000y");
    let out = check(&config, &dir.path().join("data"), true);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("{}:2", config.display())) && err.contains("longer than"), "{err}");
    assert!(err.contains("hint: interval may be at most"), "{err}");

    let text = std::fs::read_to_string(&config).unwrap().replace("200000000000y", "1m").replace("5s", "200000000000y");
    std::fs::write(&config, text).unwrap();
    let out = check(&config, &dir.path().join("data"), true);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains(&format!("{}:3", config.display())));
}

#[test]
fn unwritable_data_dir_exits_two() {
    let dir = tempfile::tempdir().unwrap();
    let server = HttpServer::start(Behaviour::Ok(statuspage_summary("none", None)));
    let anchor = Anchor::start();
    let config = write_config(dir.path(), &server, &anchor, "1m");
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, "x").unwrap();
    let out = check(&config, &file.join("data"), true);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
}

/// Runs `check --json` against a hostile server and returns (provider, first check, hits, time).
/// One `check --json` against a page of a known format (`status_format` given).
fn against(behaviour: Behaviour) -> (serde_json::Value, usize, Duration) {
    against_with(behaviour, true)
}

fn against_with(behaviour: Behaviour, format_given: bool) -> (serde_json::Value, usize, Duration) {
    let dir = tempfile::tempdir().unwrap();
    let server = HttpServer::start(behaviour);
    let anchor = Anchor::start();
    let config = write_config(dir.path(), &server, &anchor, "1m");
    let mut text = std::fs::read_to_string(&config).unwrap().replace("timeout = \"5s\"", "timeout = \"2s\"");
    if format_given {
        text.push_str("status_format = \"statuspage\"\n");
    }
    std::fs::write(&config, text).unwrap();
    let started = Instant::now();
    let out = check_resolving_with(&config, &dir.path().join("data"), true, Some(anchor.addr));
    let took = started.elapsed();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let v = json(&out);
    (v["providers"][0].clone(), server.hits(), took)
}

#[test]
fn server_error_is_unknown_after_quick_rechecks() {
    let (p, hits, took) = against(Behaviour::Status(500));
    assert_eq!(p["state"], "unknown", "a page we cannot read is unknown, not down");
    assert_eq!(p["checks"][0]["reason"], "http_status");
    assert_eq!(hits, 3, "one probe and two quick re-checks");
    assert!(took < Duration::from_secs(15), "{took:?}");
}

#[test]
fn invalid_json_is_a_parse_failure() {
    let (p, _, _) = against(Behaviour::Ok(b"<html>maintenance page</html>".to_vec()));
    assert_eq!(p["checks"][0]["reason"], "parse");
    assert_eq!(p["state"], "unknown");
}

#[test]
fn server_that_never_answers_times_out() {
    let (p, _, took) = against(Behaviour::Hang);
    assert_eq!(p["checks"][0]["reason"], "timeout");
    // Three probes of 2 s plus 5 s of re-check delays (11 s alone): the bound is there to
    // catch a hang, not to time the run, so it leaves room for a loaded machine (21 s seen
    // with 16 tests at once at load 9).
    assert!(took < Duration::from_mins(1), "{took:?}");
}

#[test]
fn oversized_body_is_too_large() {
    let (p, _, _) = against(Behaviour::Huge(40 * 1024 * 1024));
    assert_eq!(p["checks"][0]["reason"], "too_large");
}

#[test]
fn redirect_loop_is_bounded() {
    let (p, hits, _) = against(Behaviour::RedirectLoop);
    assert_eq!(p["checks"][0]["reason"], "http_status");
    // Each of the three probes follows at most five redirects.
    assert!(hits <= 18, "{hits}");
}

#[test]
fn offline_network_is_reported_once_and_not_as_provider_downtime() {
    let dir = tempfile::tempdir().unwrap();
    // Nothing listens on either port: the page and the anchor are both unreachable.
    let closed = |_| std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let (page, anchor): (std::net::SocketAddr, std::net::SocketAddr) = (closed(0), closed(1));
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[settings]\ntimeout = \"2s\"\nconnectivity = [\"{anchor}\"]\nlanguage = \"en\"\n\n[[provider]]\nid = \"df\"\nname = \"DomainFactory\"\nstatus_page = \"http://{page}/\"\n"
        ),
    )
    .unwrap();
    let out = check(&config, &dir.path().join("data"), true);
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    assert_eq!(v["network"], "offline");
    assert_eq!(v["providers"][0]["verdict"], "your_network");
    assert_eq!(v["providers"][0]["state"], "unknown");
    assert_eq!(v["providers"][0]["checks"][0]["reason"], "offline");
}

#[test]
fn rate_limited_page_is_not_asked_again_within_the_run() {
    let (p, hits, _) = against(Behaviour::RateLimited(120));
    assert_eq!(p["checks"][0]["reason"], "http_status");
    let message = p["checks"][0]["message"].as_str().unwrap();
    assert!(message.contains("429") && message.contains("retry after 120 s"), "{message}");
    assert_eq!(hits, 1, "Retry-After forbids the quick re-checks");
}

#[test]
fn detection_gives_up_on_a_page_that_does_not_answer() {
    // No status_format: the format is detected on the first probe. A host that never answers
    // is not asked for all the other candidate URLs too.
    let (p, _, took) = against_with(Behaviour::Hang, false);
    assert_eq!(p["checks"][0]["reason"], "timeout", "{p}");
    assert!(took < Duration::from_secs(20), "{took:?}");
}

#[test]
fn detection_on_a_failing_server_reports_its_status_not_a_format_problem() {
    let (p, hits, _) = against_with(Behaviour::Status(500), false);
    assert_eq!(p["checks"][0]["reason"], "http_status", "{p}");
    assert_eq!(p["state"], "unknown");
    // Every candidate URL once per probe, three probes: bounded, and no retry storm.
    assert!(hits <= 3 * 20, "{hits}");
}

#[test]
fn detection_stops_at_a_rate_limit() {
    let (p, hits, _) = against_with(Behaviour::RateLimited(120), false);
    assert_eq!(p["checks"][0]["reason"], "http_status", "{p}");
    assert_eq!(hits, 1, "Retry-After forbids asking the other candidates and the quick re-checks");
}

/// Measured before: the text output named checks and reasons by their ids
/// (`status_page`, `[http_status]`) and said "No providers configured." in a German setup.
#[test]
fn text_output_is_in_the_configured_language_with_reasons_in_words() {
    let dir = tempfile::tempdir().unwrap();
    let server = HttpServer::start(Behaviour::Status(503));
    let anchor = Anchor::start();
    let config = write_config(dir.path(), &server, &anchor, "1m");
    let german = std::fs::read_to_string(&config).unwrap().replace("language = \"en\"", "language = \"de\"");
    std::fs::write(&config, german).unwrap();
    let out = check(&config, &dir.path().join("data"), false);
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().find(|l| l.starts_with("    Statusseite ")).unwrap_or_else(|| panic!("{text}"));
    assert!(line.contains(&format!("{}: ", server.base_url())), "{line}");
    assert!(!line.contains('[') && !line.contains("http_status") && !line.contains("down"), "{line}");

    std::fs::write(&config, "[settings]\nlanguage = \"de\"\n").unwrap();
    let out = check(&config, &dir.path().join("data"), false);
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "Noch keine Anbieter eingerichtet.");
}

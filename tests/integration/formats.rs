//! Every status-page format end to end: a recorded payload served on loopback, read through
//! `outage-notifier check --json`, must give the state core's parser gives; and `detect`
//! finds the format from a base URL the way a user would type it.

use std::process::Command;

use outage_core::formats::Format;
use outage_tests::{Anchor, Behaviour, HttpServer, bin, fixture, workspace};

const CASES: [(&str, Format); 12] = [
    ("statuspage-summary-twilio-minor-incidents.json", Format::Statuspage),
    ("statuspage-summary-cloudamqp-maintenance-in-progress.json", Format::Statuspage),
    ("statuspage-summary-docs-example-critical-with-maintenances.json", Format::Statuspage),
    ("statuspage-history-github.rss", Format::Feed),
    ("statuspage-history-github-active-incident.atom", Format::Feed),
    ("statuspage-history-github-with-maintenance.atom", Format::Feed),
    ("statusio-status-docker-partial-disruption.json", Format::StatusIo),
    ("statusio-status-gitlab-active-maintenance.json", Format::StatusIo),
    ("slack-current-two-active-incidents.json", Format::Slack),
    ("google-dashboard-incidents-gcp-2.json", Format::GoogleWorkspace),
    ("aws-status-all.rss", Format::Feed),
    ("instatus-summary-docs-example.json", Format::Instatus),
];

/// Formats with no recording in `src-tauri/core/tests/fixtures/recorded`: the hand-written trap fixtures of core's
/// snapshot tests, served the same way.
const HAND_CASES: [(&str, Format); 13] = [
    ("datev-incidents.json", Format::Datev),
    ("metastatus-orgs.json", Format::Metastatus),
    ("sorry-lexware-status.json", Format::Sorry),
    ("apple-system-status.js", Format::AppleSystemStatus),
    ("paypal-feed.atom", Format::Feed),
    ("incident-io-compat-summary.json", Format::IncidentIo),
    ("better-stack-index.json", Format::BetterStack),
    ("cachet-components.json", Format::Cachet),
    ("microsoft365-consumer.json", Format::Microsoft365),
    ("google-workspace-incidents.json", Format::GoogleWorkspace),
    ("instatus-live-v3.json", Format::Instatus),
    ("domainfactory-rdf-mail-outage.xml", Format::Feed),
    ("hetzner-atom.xml", Format::Feed),
];

fn hand_fixture(name: &str) -> Vec<u8> {
    let path = workspace().join("src-tauri/core/tests/fixtures").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn check_json(server: &HttpServer, format: Format) -> serde_json::Value {
    let dir = tempfile::tempdir().unwrap();
    let anchor = Anchor::start();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[settings]\ntimeout = \"5s\"\nlanguage = \"en\"\nconnectivity = [\"{}\"]\n\n[[provider]]\nid = \"p\"\nstatus_page = \"{}\"\nstatus_format = \"{}\"\n",
            anchor.addr,
            server.base_url(),
            format.as_str()
        ),
    )
    .unwrap();
    let out = Command::new(bin("outage-notifier"))
        .arg("--config")
        .arg(&config)
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .args(["check", "--json"])
        .output()
        .unwrap();
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn every_recorded_format_reads_end_to_end() {
    let recorded = CASES.iter().map(|(name, format)| (*name, *format, fixture(name)));
    let hand = HAND_CASES.iter().map(|(name, format)| (*name, *format, hand_fixture(name)));
    let mut formats = std::collections::BTreeSet::new();
    for (name, format, body) in recorded.chain(hand) {
        formats.insert(format.as_str());
        let server = HttpServer::start(Behaviour::Ok(body.clone()));
        let v = check_json(&server, format);
        let p = &v["providers"][0];
        let now = chrono::Local::now().fixed_offset();
        let expected = format.parse(&body, now).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(p["checks"][0]["outcome"], "up", "{name}: {}", p["checks"][0]["message"]);
        assert_eq!(p["state"], expected.overall().as_str(), "{name}");
        assert_eq!(
            p["incidents"].as_array().unwrap().len(),
            expected.incidents.len(),
            "{name}: every open incident reaches the JSON"
        );
    }
    assert_eq!(formats.len(), Format::ALL.len(), "every format is read end to end: {formats:?}");
}

/// Lexware's status API answers HTTP 406 to a client that does not ask for JSON: every page
/// is asked for with an `Accept` that names the formats we read, JSON first.
#[test]
fn a_status_api_that_answers_only_clients_asking_for_json_is_read() {
    let server = HttpServer::start(Behaviour::JsonOnly(hand_fixture("sorry-lexware-status.json")));
    let v = check_json(&server, Format::Sorry);
    let check = &v["providers"][0]["checks"][0];
    assert_eq!((&check["outcome"], &check["reason"]), (&"up".into(), &serde_json::Value::Null), "{v:#}");
}

fn detect(url: &str) -> (Option<i32>, serde_json::Value) {
    let out = Command::new(bin("outage-notifier")).args(["detect", "--json", url]).output().unwrap();
    let v =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    (out.status.code(), v)
}

fn page(path: &str, content_type: &str, fixture_name: &str) -> (String, String, Vec<u8>) {
    (path.to_owned(), content_type.to_owned(), fixture(fixture_name))
}

#[test]
fn detect_finds_the_format_from_a_base_url() {
    let statuspage = HttpServer::start(Behaviour::Site(vec![page(
        "/api/v2/summary.json",
        "application/json",
        "statuspage-summary-twilio-minor-incidents.json",
    )]));
    let (code, v) = detect(&statuspage.base_url());
    assert_eq!(code, Some(0));
    assert_eq!(v["format"], "statuspage");
    assert!(v["endpoint"].as_str().unwrap().ends_with("/api/v2/summary.json"));
    assert_eq!(v["state"], "degraded");

    let atom_only = HttpServer::start(Behaviour::Site(vec![page(
        "/history.atom",
        "application/atom+xml",
        "statuspage-history-github-active-incident.atom",
    )]));
    let (code, v) = detect(&atom_only.base_url());
    assert_eq!((code, v["format"].as_str()), (Some(0), Some("feed")));

    // A page that only links its feed from the HTML.
    let html = b"<html><head><link rel=\"alternate\" type=\"application/rss+xml\" href=\"/custom/status.rss\"></head><body>ok</body></html>".to_vec();
    let linked = HttpServer::start(Behaviour::Site(vec![
        ("/".into(), "text/html".into(), html),
        page("/custom/status.rss", "application/rss+xml", "aws-status-all.rss"),
    ]));
    let (code, v) = detect(&linked.base_url());
    assert_eq!((code, v["format"].as_str()), (Some(0), Some("feed")), "{v}");
    assert!(v["endpoint"].as_str().unwrap().ends_with("/custom/status.rss"));

    let nothing =
        HttpServer::start(Behaviour::Site(vec![("/".into(), "text/html".into(), b"<html>hello</html>".to_vec())]));
    let (code, v) = detect(&nothing.base_url());
    assert_eq!(code, Some(1));
    assert!(v["format"].is_null());
    assert!(!v["tried"].as_array().unwrap().is_empty());
}

#[test]
fn a_status_page_without_format_is_detected_on_the_first_probe() {
    let dir = tempfile::tempdir().unwrap();
    let server = HttpServer::start(Behaviour::Site(vec![page(
        "/api/v2/summary.json",
        "application/json",
        "statuspage-summary-cloudamqp-maintenance-in-progress.json",
    )]));
    let anchor = Anchor::start();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[settings]\nconnectivity = [\"{}\"]\n\n[[provider]]\nid = \"p\"\nstatus_page = \"{}\"\n",
            anchor.addr,
            server.base_url()
        ),
    )
    .unwrap();
    let out = Command::new(bin("outage-notifier"))
        .arg("--config")
        .arg(&config)
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .args(["check", "--json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["providers"][0]["state"], "maintenance");
    assert!(v["providers"][0]["checks"][0]["target"].as_str().unwrap().ends_with("/api/v2/summary.json"));
}

#[test]
fn cachet_reads_components_and_incidents_together() {
    let site = HttpServer::start(Behaviour::Site(vec![
        ("/api/v1/components".into(), "application/json".into(), hand_fixture("cachet-components.json")),
        (
            "/api/v1/incidents?sort=id&order=desc".into(),
            "application/json".into(),
            hand_fixture("cachet-incidents.json"),
        ),
    ]));
    let v = check_json(&site, Format::Cachet);
    let p = &v["providers"][0];
    assert_eq!(p["checks"][0]["outcome"], "up", "{}", p["checks"][0]["message"]);
    let titles: Vec<&str> = p["incidents"].as_array().unwrap().iter().filter_map(|i| i["title"].as_str()).collect();
    assert!(titles.contains(&"Mail delays"), "the open incident from the incidents list: {titles:?}");
    assert!(!titles.contains(&"SMTP outage"), "a fixed incident is not open: {titles:?}");

    // Without an incidents list, the components still count, and the message says why.
    let components_only = HttpServer::start(Behaviour::Site(vec![(
        "/api/v1/components".into(),
        "application/json".into(),
        hand_fixture("cachet-components.json"),
    )]));
    let v = check_json(&components_only, Format::Cachet);
    let check = &v["providers"][0]["checks"][0];
    assert_eq!(check["outcome"], "up");
    assert!(check["message"].as_str().unwrap().contains("incidents unavailable"), "{check}");
}

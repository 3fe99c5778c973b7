//! `[[provider.http]]` end to end through `check --json`: one provider per way a page can
//! fail, all on loopback in one run, each with the reason the issue names; the anchor answers,
//! so every failure is the provider's own.

use std::fmt::Write as _;
use std::process::Command;

use outage_tests::mail::{CertCase, TestPki, TlsImapServer};
use outage_tests::{Anchor, Behaviour, HttpServer, bin};

fn site(body: &str) -> Behaviour {
    Behaviour::Site(vec![("/".into(), "text/html; charset=utf-8".into(), body.as_bytes().to_vec())])
}

#[test]
fn every_way_a_page_fails_has_its_reason_and_a_working_one_is_up() {
    let dir = tempfile::tempdir().unwrap();
    let anchor = Anchor::start();
    let pki = TestPki::new(dir.path(), CertCase::Good);
    let untrusted = TlsImapServer::start(&pki);
    let expired_dir = dir.path().join("expired");
    std::fs::create_dir_all(&expired_dir).unwrap();
    let expired_pki = TestPki::new(&expired_dir, CertCase::Expired);
    let expired = TlsImapServer::start(&expired_pki);
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let servers = [
        ("up", Some(site("<h1>Email</h1><p>All systems <b>operating normally</b></p>")), None),
        ("missing", Some(site("<h1>Email</h1><p>Major outage</p>")), None),
        ("silent", Some(Behaviour::Hang), None),
        ("dribble", Some(Behaviour::Dribble(64)), None),
        ("huge", Some(Behaviour::Huge(10 * 1024 * 1024)), None),
        ("loop", Some(Behaviour::RedirectLoop), None),
        ("refused", None, Some(format!("http://{closed}/"))),
        ("badcert", None, Some(format!("https://localhost:{}/", untrusted.addr.port()))),
        ("unavailable", Some(Behaviour::Status(503)), None),
        ("expired", None, Some(format!("https://localhost:{}/", expired.addr.port()))),
    ];
    let mut running = Vec::new();
    let mut text = format!("[settings]\ntimeout = \"3s\"\nlanguage = \"en\"\nconnectivity = [\"{}\"]\n", anchor.addr);
    for (id, behaviour, url) in servers {
        let url = match (behaviour, url) {
            (Some(b), _) => {
                let server = HttpServer::start(b);
                let url = server.base_url();
                running.push(server);
                url
            }
            (None, Some(url)) => url,
            (None, None) => unreachable!(),
        };
        writeln!(
            text,
            "\n[[provider]]\nid = \"{id}\"\n[[provider.http]]\nurl = \"{url}\"\nexpect = \"Operating normally\""
        )
        .unwrap();
        if id == "expired" {
            // Its authority is named: only the expiry is wrong.
            writeln!(text, "ca_file = {:?}", expired_pki.ca_file.display().to_string()).unwrap();
        }
    }
    let config = dir.path().join("config.toml");
    std::fs::write(&config, text).unwrap();
    let out = Command::new(bin("outage-notifier"))
        .arg("--config")
        .arg(&config)
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .args(["check", "--json"])
        // A page that times out makes the guard ask whether names resolve: the anchor does.
        .env("OUTAGE_NOTIFIER_DNS", anchor.addr.to_string())
        .output()
        .unwrap();
    let v: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(v["network"], "online", "{v:#}");
    // Reason, the failing step ("Why?"), and what the line and the verdict say.
    let expected = [
        ("up", "up", None, vec![("answer", true), ("body", true), ("content", true)], "answered in"),
        (
            "missing",
            "down",
            Some("content"),
            vec![("answer", true), ("body", true), ("content", false)],
            "The page at {host} does not say “Operating normally”",
        ),
        ("silent", "down", Some("timeout"), vec![("request", false)], "The page at {host}: no answer in time"),
        (
            "dribble",
            "down",
            Some("timeout"),
            vec![("answer", true), ("body", false)],
            "The page at {host}: no answer in time",
        ),
        (
            "huge",
            "down",
            Some("too_large"),
            vec![("answer", true), ("body", false)],
            "The page at {host}: the answer is too large",
        ),
        (
            "loop",
            "down",
            Some("http_status"),
            vec![("answer", false)],
            "The page at {host} keeps redirecting and never arrives",
        ),
        ("refused", "down", Some("refused"), vec![("connect", false)], "The server {host} does not accept connections"),
        (
            "badcert",
            "down",
            Some("certificate"),
            vec![("tls", false)],
            "The certificate of {host} comes from an authority this computer does not trust",
        ),
        (
            "unavailable",
            "down",
            Some("http_status"),
            vec![("answer", false)],
            "The page at {host} answers with HTTP status 503 (an error on the provider's side)",
        ),
        ("expired", "down", Some("certificate"), vec![("tls", false)], "The certificate of {host} expired "),
    ];
    for (p, (id, outcome, reason, steps, says)) in v["providers"].as_array().unwrap().iter().zip(expected) {
        assert_eq!(p["id"], id);
        let check = &p["checks"][0];
        assert_eq!(check["kind"], "http", "{p:#}");
        assert_eq!(check["outcome"], outcome, "{id}: {p:#}");
        assert_eq!(check["reason"].as_str(), reason, "{id}: {p:#}");
        let seen: Vec<(&str, bool)> = check["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| (s["name"].as_str().unwrap(), s["ok"].as_bool().unwrap()))
            .collect();
        assert_eq!(seen, steps, "{id}: {p:#}");
        let url = check["target"].as_str().unwrap();
        let host = url.trim_start_matches("http://").trim_start_matches("https://").trim_end_matches('/');
        let says = says.replace("{host}", host);
        let line = check["message"].as_str().unwrap();
        assert!(line.contains(&says), "{id}: the line says {line:?}, not {says:?}: {check:#}");
        if outcome == "up" {
            assert_eq!((&p["state"], &p["verdict"]), (&"operational".into(), &"all_well".into()), "{p:#}");
        } else {
            // Confirmed like a mail probe, and the provider's own problem.
            assert_eq!(
                (&p["state"], &p["verdict"]),
                (&"partial_outage".into(), &"provider_unacknowledged".into()),
                "{p:#}"
            );
            // The verdict names what failed where the probe could tell; a page that only went
            // silent keeps the plain sentence.
            let verdict = p["verdict_text"].as_str().unwrap();
            let named = !matches!(id, "silent" | "dribble" | "huge" | "refused");
            assert_eq!(verdict.contains(&says), named, "{id}: {verdict}");
            assert!(verdict.ends_with("has no status page"), "{id}: {verdict}");
        }
    }
    assert_eq!(out.status.code(), Some(1));
}

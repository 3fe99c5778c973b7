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
    let expected = [
        ("up", "up", None),
        ("missing", "down", Some("content")),
        ("silent", "down", Some("timeout")),
        ("dribble", "down", Some("timeout")),
        ("huge", "down", Some("too_large")),
        ("loop", "down", Some("http_status")),
        ("refused", "down", Some("refused")),
        ("badcert", "down", Some("certificate")),
    ];
    for (p, (id, outcome, reason)) in v["providers"].as_array().unwrap().iter().zip(expected) {
        assert_eq!(p["id"], id);
        let check = &p["checks"][0];
        assert_eq!(check["kind"], "http", "{p:#}");
        assert_eq!(check["outcome"], outcome, "{id}: {p:#}");
        assert_eq!(check["reason"].as_str(), reason, "{id}: {p:#}");
        if outcome == "up" {
            assert_eq!((&p["state"], &p["verdict"]), (&"operational".into(), &"all_well".into()), "{p:#}");
        } else {
            // Confirmed like a mail probe, and the provider's own problem.
            assert_eq!(
                (&p["state"], &p["verdict"]),
                (&"partial_outage".into(), &"provider_unacknowledged".into()),
                "{p:#}"
            );
        }
    }
    assert_eq!(out.status.code(), Some(1));
}

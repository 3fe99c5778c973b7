//! `outage-notifier discover` against dnsmasq serving MX and SRV records for test domains and
//! an HTTPS autoconfig site with a test CA, all on loopback in a network namespace of the
//! test's own (autoconfig lives on port 443). Each test asks the real CLI and reads its JSON.

use std::fmt::Write as _;
use std::process::Command;

use outage_tests::https::{HttpsSite, Page};
use outage_tests::mail::{Dnsmasq, TestPki};
use outage_tests::{bin, in_own_network};
use serde_json::Value;

const CONFIG_PATH: &str = "/mail/config-v1.1.xml";

fn autoconfig_xml(servers: &[(&str, &str, u16, &str)]) -> Vec<u8> {
    let mut xml = String::from("<?xml version=\"1.0\"?>\n<clientConfig version=\"1.1\"><emailProvider id=\"x\">");
    for (element_type, host, port, socket) in servers {
        let (element, kind) = element_type.split_once(':').expect("element:type");
        let _ = write!(
            xml,
            "<{element} type=\"{kind}\"><hostname>{host}</hostname><port>{port}</port><socketType>{socket}</socketType><username>%EMAILADDRESS%</username></{element}>"
        );
    }
    xml.push_str("</emailProvider></clientConfig>");
    xml.into_bytes()
}

/// The test world: DNS records for every test domain, and one HTTPS site on 127.0.0.1:443
/// answering as the autoconfig host of several of them.
struct World {
    dir: tempfile::TempDir,
    dns: Dnsmasq,
    ca_file: std::path::PathBuf,
    _site: HttpsSite,
}

fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let hosts = ["ac", "all", "huge", "wrong", "loop", "evil"].map(|d| format!("autoconfig.{d}.test"));
    let names: Vec<&str> = hosts.iter().map(String::as_str).collect();
    let pki = TestPki::for_names(dir.path(), &names);
    let mut records: Vec<String> = vec![
        // By MX alone: IONOS.
        "--mx-host=mx.test,mx01.kundenserver.de,10".into(),
        // By SRV alone: the domain's own server.
        "--srv-host=_imaps._tcp.srv.test,mail.srv.test,993,0".into(),
        "--srv-host=_submission._tcp.srv.test,mail.srv.test,587,0".into(),
        // All three agreeing: STRATO.
        "--mx-host=all.test,smtpin.rzone.de,10".into(),
        "--srv-host=_imaps._tcp.all.test,imap.strato.de,993,0".into(),
        // Servers on another domain, next to a matched provider.
        "--mx-host=evil.test,mx00.kundenserver.de,10".into(),
    ];
    records.extend(hosts.iter().map(|h| format!("--address=/{h}/127.0.0.1")));
    let dns = Dnsmasq::with_records(&records);
    let site = HttpsSite::start(
        "127.0.0.1:443".parse().unwrap(),
        &pki,
        vec![
            (
                "autoconfig.ac.test",
                CONFIG_PATH,
                Page::Body(
                    "text/xml",
                    autoconfig_xml(&[
                        ("incomingServer:imap", "imap.%EMAILDOMAIN%", 993, "SSL"),
                        ("outgoingServer:smtp", "smtp.ac.test", 465, "SSL"),
                    ]),
                ),
            ),
            (
                "autoconfig.all.test",
                CONFIG_PATH,
                Page::Body("text/xml", autoconfig_xml(&[("incomingServer:imap", "imap.strato.de", 993, "SSL")])),
            ),
            ("autoconfig.huge.test", CONFIG_PATH, Page::Endless(10 * 1024 * 1024)),
            (
                "autoconfig.wrong.test",
                CONFIG_PATH,
                Page::Body("text/html", b"<html><body>Welcome!</body></html>".to_vec()),
            ),
            ("autoconfig.loop.test", CONFIG_PATH, Page::RedirectLoop),
            (
                "autoconfig.evil.test",
                CONFIG_PATH,
                Page::Body(
                    "text/xml",
                    autoconfig_xml(&[
                        ("incomingServer:imap", "imap.collector.test", 993, "SSL"),
                        ("outgoingServer:smtp", "smtp.collector.test", 465, "SSL"),
                    ]),
                ),
            ),
        ],
    );
    World { ca_file: pki.ca_file.clone(), dir, dns, _site: site }
}

impl World {
    /// Runs `discover` for `address`; returns the exit code and stdout.
    fn discover(&self, address: &str, json: bool, trust_test_ca: bool) -> (i32, String) {
        let mut command = Command::new(bin("outage-notifier"));
        command
            .arg("--config")
            .arg(self.dir.path().join("config.toml"))
            .arg("--data-dir")
            .arg(self.dir.path().join("data"))
            .args(["discover", address, "--resolver"])
            .arg(self.dns.addr.to_string())
            .env("LANG", "en_US.UTF-8")
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES");
        if json {
            command.arg("--json");
        }
        if trust_test_ca {
            command.arg("--ca-file").arg(&self.ca_file);
        }
        let out = command.output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{stderr}");
        (out.status.code().unwrap_or(-1), String::from_utf8(out.stdout).unwrap())
    }

    fn json(&self, address: &str) -> (i32, Value) {
        let (code, out) = self.discover(address, true, true);
        (code, serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}")))
    }

    /// Nothing is ever written: discovery only reports.
    fn assert_nothing_written(&self) {
        assert!(!self.dir.path().join("config.toml").exists(), "discover wrote a config");
    }
}

/// `(host:port, origins, standing, selected)` of every server found.
fn servers(v: &Value) -> Vec<(String, Vec<String>, String, bool)> {
    v["servers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                format!("{}:{}", s["host"].as_str().unwrap(), s["port"]),
                s["origins"].as_array().unwrap().iter().map(|o| o.as_str().unwrap().to_owned()).collect(),
                s["standing"].as_str().unwrap().to_owned(),
                s["selected"].as_bool().unwrap(),
            )
        })
        .collect()
}

fn notice_kinds(v: &Value) -> Vec<String> {
    v["notices"].as_array().unwrap().iter().map(|n| n["kind"].as_str().unwrap().to_owned()).collect()
}

#[test]
fn discover_finds_the_provider_by_mx_alone() {
    if !in_own_network("discover::discover_finds_the_provider_by_mx_alone") {
        return;
    }
    let w = world();
    let (code, v) = w.json("info@mx.test");
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["provider"]["preset"], "ionos");
    assert_eq!(v["provider"]["by"], "mx");
    assert_eq!(v["provider"]["host"], "mx01.kundenserver.de");
    assert_eq!(v["provider"]["status_page"], "https://www.ionos-status.de/");
    let found = servers(&v);
    assert!(
        found.contains(&("imap.ionos.de:993".into(), vec!["catalog".into()], "provider".into(), true)),
        "{found:?}"
    );
    assert!(found.iter().all(|(_, o, _, selected)| o == &["catalog"] && *selected));
    assert_eq!(notice_kinds(&v), Vec::<String>::new());
    w.assert_nothing_written();
}

#[test]
fn discover_finds_servers_by_srv_alone() {
    if !in_own_network("discover::discover_finds_servers_by_srv_alone") {
        return;
    }
    let w = world();
    let (code, v) = w.json("info@srv.test");
    assert_eq!(code, 0, "{v}");
    assert!(v["provider"].is_null(), "{v}");
    assert_eq!(
        servers(&v),
        [
            ("mail.srv.test:993".into(), vec!["srv".into()], "own_domain".into(), true),
            ("mail.srv.test:587".into(), vec!["srv".into()], "own_domain".into(), true),
        ]
    );
}

#[test]
fn discover_finds_servers_by_autoconfig_alone_and_verifies_its_certificate() {
    if !in_own_network("discover::discover_finds_servers_by_autoconfig_alone_and_verifies_its_certificate") {
        return;
    }
    let w = world();
    let (code, v) = w.json("info@ac.test");
    assert_eq!(code, 0, "{v}");
    assert_eq!(
        servers(&v),
        [
            ("imap.ac.test:993".into(), vec!["autoconfig".into()], "own_domain".into(), true),
            ("smtp.ac.test:465".into(), vec!["autoconfig".into()], "own_domain".into(), true),
        ]
    );
    // Without the test CA the same site is untrusted: told, and nothing taken from it.
    let (code, out) = w.discover("info@ac.test", true, false);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(code, 1, "{v}");
    assert!(v["servers"].as_array().unwrap().is_empty(), "{v}");
    assert_eq!(v["notices"][1]["fault"], "certificate", "{v}");
}

#[test]
fn discover_merges_mx_srv_and_autoconfig_that_agree() {
    if !in_own_network("discover::discover_merges_mx_srv_and_autoconfig_that_agree") {
        return;
    }
    let w = world();
    let (code, v) = w.json("info@all.test");
    assert_eq!(code, 0, "{v}");
    assert_eq!((v["provider"]["preset"].as_str(), v["provider"]["by"].as_str()), (Some("strato"), Some("mx")));
    let found = servers(&v);
    assert_eq!(
        found[0],
        (
            "imap.strato.de:993".into(),
            vec!["srv".into(), "autoconfig".into(), "catalog".into()],
            "provider".into(),
            true
        )
    );
    assert_eq!(found.iter().filter(|s| s.0 == "imap.strato.de:993").count(), 1, "{found:?}");
}

#[test]
fn discover_with_nothing_found_says_to_enter_the_servers() {
    if !in_own_network("discover::discover_with_nothing_found_says_to_enter_the_servers") {
        return;
    }
    let w = world();
    let (code, v) = w.json("info@none.test");
    assert_eq!(code, 1, "{v}");
    assert!(v["provider"].is_null() && v["servers"].as_array().unwrap().is_empty(), "{v}");
    assert_eq!(notice_kinds(&v), ["nothing_found"]);
    let (code, text) = w.discover("info@none.test", false, true);
    assert_eq!(code, 1);
    assert!(text.contains("Nothing found – enter your servers yourself"), "{text}");
    // Not an address at all: our error, exit 2.
    let (code, _) = w.discover("not an address", false, true);
    assert_eq!(code, 2);
}

#[test]
fn discover_survives_hostile_autoconfig_and_adds_nothing_unasked() {
    if !in_own_network("discover::discover_survives_hostile_autoconfig_and_adds_nothing_unasked") {
        return;
    }
    let w = world();
    for (domain, fault) in
        [("huge.test", "too_large"), ("wrong.test", "not_a_config"), ("loop.test", "too_many_redirects")]
    {
        let started = std::time::Instant::now();
        let (code, v) = w.json(&format!("info@{domain}"));
        assert_eq!(code, 1, "{domain}: {v}");
        assert!(v["servers"].as_array().unwrap().is_empty(), "{domain}: {v}");
        let notices = v["notices"].as_array().unwrap();
        assert_eq!(notices[0]["kind"], "nothing_found", "{domain}: {v}");
        assert_eq!(notices[1]["kind"], "autoconfig", "{domain}: {v}");
        assert_eq!(notices[1]["fault"], fault, "{domain}: {v}");
        assert_eq!(notices[1]["url"], format!("https://autoconfig.{domain}{CONFIG_PATH}"), "{domain}: {v}");
        eprintln!("{domain}: {fault} after {:?}", started.elapsed());
    }
    // Servers on another domain: listed, marked, never proposed.
    let (code, v) = w.json("info@evil.test");
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["provider"]["preset"], "ionos");
    let found = servers(&v);
    for host in ["imap.collector.test:993", "smtp.collector.test:465"] {
        let s = found.iter().find(|s| s.0 == host).unwrap_or_else(|| panic!("{host} missing: {found:?}"));
        assert_eq!((s.2.as_str(), s.3), ("elsewhere", false), "{host}");
    }
    assert!(found.iter().filter(|s| s.3).all(|s| s.2 == "provider"), "{found:?}");
    assert_eq!(v["notices"][0], serde_json::json!({"kind": "servers_elsewhere", "count": 2}));
    let (_, text) = w.discover("info@evil.test", false, true);
    assert!(text.contains("another domain – not proposed"), "{text}");
    assert!(text.contains("2 server(s) belong neither to your provider nor to your domain"), "{text}");
    w.assert_nothing_written();
}

//! Mail checks through the real binary: `check --json` reports them in `checks[]`, logins
//! use passwords that `credentials set` put into a (private) Secret Service, and the password
//! appears nowhere else — not in any output, log, transcript, database row or config file.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use std::time::Duration;

use outage_tests::mail::{Keychain, Script, ScriptedServer, closed_port, servers};
use outage_tests::{Anchor, Behaviour, HttpServer, bin, control_roundtrip, statuspage_summary, wait_for};

/// A config with an operational status page and the six real endpoints (each protocol with
/// implicit TLS and STARTTLS), optionally logging in.
fn config(dir: &Path, page: &HttpServer, anchor: &Anchor, username: Option<&str>) -> PathBuf {
    let s = servers();
    let mut text = format!(
        "[settings]\ninterval = \"1m\"\ntimeout = \"10s\"\nlanguage = \"en\"\nconnectivity = [\"{}\"]\n\n\
         [[provider]]\nid = \"df\"\nname = \"DomainFactory\"\nstatus_page = \"{}\"\n",
        anchor.addr,
        page.base_url()
    );
    let endpoints = [
        ("imap", s.imaps, "implicit"),
        ("imap", s.imap, "starttls"),
        ("pop3", s.pop3s, "implicit"),
        ("pop3", s.pop3, "starttls"),
        ("smtp", s.submissions, "implicit"),
        ("smtp", s.submission, "starttls"),
    ];
    for (kind, port, tls) in endpoints {
        writeln!(
            text,
            "\n[[provider.mail]]\nkind = \"{kind}\"\nhost = \"{}\"\nport = {port}\ntls = \"{tls}\"\nca_file = \"{}\"",
            s.host,
            s.ca_file.display()
        )
        .unwrap();
        if let Some(user) = username {
            writeln!(text, "username = \"{user}\"").unwrap();
        }
    }
    let path = dir.join("config.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn outage_notifier(keychain: Option<&Keychain>, config: &Path, data: &Path) -> Command {
    let mut c = Command::new(bin("outage-notifier"));
    c.arg("--config").arg(config).arg("--data-dir").arg(data);
    match keychain {
        Some(k) => k.apply(&mut c),
        // No session bus at all: there is no keychain service.
        None => {
            c.env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/outage-notifier-test-bus");
        }
    }
    c
}

fn with_stdin(mut command: Command, input: &str) -> Output {
    let mut child = command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
    })
}

fn mail_checks(v: &serde_json::Value) -> Vec<serde_json::Value> {
    v["providers"][0]["checks"].as_array().unwrap().iter().filter(|c| c["kind"] != "status_page").cloned().collect()
}

#[test]
fn check_json_reports_every_mail_endpoint() {
    let dir = tempfile::tempdir().unwrap();
    let page = HttpServer::start(Behaviour::Ok(statuspage_summary("none", None)));
    let anchor = Anchor::start();
    let config = config(dir.path(), &page, &anchor, None);
    let out = outage_notifier(None, &config, &dir.path().join("data")).args(["check", "--json"]).output().unwrap();
    let v = json(&out);
    let checks = mail_checks(&v);
    assert_eq!(checks.len(), 6, "{checks:#?}");
    let s = servers();
    for c in &checks {
        for key in ["id", "kind", "target", "outcome", "reason", "message", "latency_ms", "cert_days_left"] {
            assert!(c.get(key).is_some(), "check.{key} missing: {c}");
        }
        assert_eq!(c["outcome"], "up", "{c}");
        assert!(c["reason"].is_null(), "{c}");
        assert!(matches!(c["cert_days_left"].as_i64(), Some(29 | 30)), "{c}");
        assert!(c["latency_ms"].as_u64().is_some(), "{c}");
        let kind = c["kind"].as_str().unwrap();
        assert!(["imap", "pop3", "smtp"].contains(&kind), "{c}");
        let target = c["target"].as_str().unwrap();
        assert!(target.starts_with(&format!("{}:", s.host)), "{c}");
        assert_eq!(c["id"].as_str().unwrap(), format!("df/{kind}/{target}"));
        // "Why?" in the window: the steps with timings and the dialogue.
        let steps: Vec<&str> = c["steps"].as_array().unwrap().iter().filter_map(|s| s["name"].as_str()).collect();
        assert!(steps.contains(&"connect") && steps.contains(&"greeting"), "{c}");
        assert!(c["steps"].as_array().unwrap().iter().all(|s| s["ok"] == true), "{c}");
        assert!(!c["transcript"].as_array().unwrap().is_empty(), "{c}");
    }
    assert_eq!(
        out.status.code(),
        Some(0),
        "all up and the page is operational: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Every probe is history, mail included.
    let db = rusqlite::Connection::open(dir.path().join("data/history.sqlite3")).unwrap();
    let kinds: Vec<String> = db
        .prepare("SELECT DISTINCT kind FROM checks ORDER BY kind")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(kinds, ["imap", "pop3", "smtp", "status_page"]);

    // The text output shows each endpoint's latency and its certificate's days left.
    let text = outage_notifier(None, &config, &dir.path().join("data")).arg("check").output().unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    let lines: Vec<&str> = text.lines().filter(|l| l.contains(&format!("{}:", s.host))).collect();
    assert_eq!(lines.len(), 6, "{text}");
    for line in lines {
        assert!(
            line.contains(" ms, certificate valid 29 more days)")
                || line.contains(" ms, certificate valid 30 more days)"),
            "{line}"
        );
    }
}

#[test]
fn check_tells_a_mail_failure_behind_a_green_status_page() {
    let s = servers();
    let dir = tempfile::tempdir().unwrap();
    let page = HttpServer::start(Behaviour::Ok(statuspage_summary("none", None)));
    let anchor = Anchor::start();
    let closed = closed_port();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[settings]\ntimeout = \"5s\"\nlanguage = \"en\"\nconnectivity = [\"{}\"]\n\n\
             [[provider]]\nid = \"df\"\nname = \"DomainFactory\"\nstatus_page = \"{}\"\n\n\
             [[provider.mail]]\nkind = \"imap\"\nhost = \"{}\"\nport = {}\nca_file = \"{}\"\n\n\
             [[provider.mail]]\nkind = \"smtp\"\nhost = \"127.0.0.1\"\nport = {}\ntls = \"starttls\"\n",
            anchor.addr,
            page.base_url(),
            s.host,
            s.imaps,
            s.ca_file.display(),
            closed.port()
        ),
    )
    .unwrap();
    let data = dir.path().join("data");
    let out = outage_notifier(None, &config, &data).args(["check", "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let v = json(&out);
    let p = &v["providers"][0];
    assert_eq!(p["state"], "partial_outage", "{p:#}");
    assert_eq!(p["verdict"], "provider_unacknowledged", "{p:#}");
    let smtp = mail_checks(&v).into_iter().find(|c| c["kind"] == "smtp").unwrap();
    assert_eq!((smtp["outcome"].as_str(), smtp["reason"].as_str()), (Some("down"), Some("refused")), "{smtp}");
    // A refusal may be one lost packet: confirmed by quick re-checks (three probes in all).
    let db = rusqlite::Connection::open(data.join("history.sqlite3")).unwrap();
    let probes: i64 = db
        .query_row(
            "SELECT count(*) FROM observations o JOIN checks c ON c.id = o.check_ref WHERE c.kind = 'smtp'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(probes, 3);
}

/// STARTTLS configured on the real Dovecot's implicit-TLS port, behind a green page: the
/// user's setting, said as such in German with the fix — never the provider's outage.
#[test]
fn check_tells_a_wrong_tls_setting_as_the_users_not_the_providers() {
    let s = servers();
    let dir = tempfile::tempdir().unwrap();
    let page = HttpServer::start(Behaviour::Ok(statuspage_summary("none", None)));
    let anchor = Anchor::start();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[settings]\ntimeout = \"3s\"\nlanguage = \"de\"\nconnectivity = [\"{}\"]\n\n\
             [[provider]]\nid = \"df\"\nname = \"DomainFactory\"\nstatus_page = \"{}\"\n\n\
             [[provider.mail]]\nkind = \"imap\"\nhost = \"{}\"\nport = {}\ntls = \"starttls\"\nca_file = \"{}\"\n",
            anchor.addr,
            page.base_url(),
            s.host,
            s.imaps,
            s.ca_file.display(),
        ),
    )
    .unwrap();
    let out = outage_notifier(None, &config, &dir.path().join("data")).args(["check", "--json"]).output().unwrap();
    let v = json(&out);
    let p = &v["providers"][0];
    assert_eq!((p["state"].as_str(), p["verdict"].as_str()), (Some("degraded"), Some("your_settings")), "{p:#}");
    let expected = format!(
        "DomainFactory: Für {}:{} ist STARTTLS eingestellt, der Server erwartet dort aber TLS von Anfang an — \
         bitte beim Postfach „TLS von Anfang an (SSL)“ wählen",
        s.host, s.imaps
    );
    assert_eq!(p["verdict_text"].as_str(), Some(expected.as_str()), "{p:#}");
}

#[test]
fn the_resident_probes_mail_endpoints_and_fuses_them_into_the_verdict() {
    let s = servers();
    // A permanent refusal is confirmed at once, without waiting for the re-checks.
    let refusing = ScriptedServer::start(Script::Say(b"554 5.3.2 mx.example.test no service here\r\n".to_vec()));
    let extra = format!(
        "\n[[provider.mail]]\nkind = \"imap\"\nhost = \"{}\"\nport = {}\nca_file = \"{}\"\n\n\
         [[provider.mail]]\nkind = \"smtp\"\nhost = \"127.0.0.1\"\nport = {}\ntls = \"starttls\"\n",
        s.host,
        s.imaps,
        s.ca_file.display(),
        refusing.addr.port()
    );
    let r = crate::control_socket::start_with(&extra);
    let provider = wait_for("the mail failure in the resident's verdict", Duration::from_secs(30), || {
        let reply = control_roundtrip(&r.socket, b"{\"id\":1,\"method\":\"summary\"}\n");
        let v: serde_json::Value = serde_json::from_str(&reply).ok()?;
        let p = v["summary"]["providers"][0].clone();
        let checks = p["checks"].as_array()?;
        let imap_up = checks.iter().any(|c| c["kind"] == "imap" && c["outcome"] == "up");
        (p["verdict"] == "provider_unacknowledged" && imap_up).then_some(p)
    });
    assert_eq!(provider["state"], "partial_outage", "{provider:#}");
    let checks = provider["checks"].as_array().unwrap();
    let imap = checks.iter().find(|c| c["kind"] == "imap").unwrap();
    assert!(matches!(imap["cert_days_left"].as_i64(), Some(29 | 30)), "{imap}");
    let smtp = checks.iter().find(|c| c["kind"] == "smtp").unwrap();
    assert_eq!((smtp["outcome"].as_str(), smtp["reason"].as_str()), (Some("down"), Some("banner")), "{smtp}");
    assert!(smtp["message"].as_str().unwrap().contains("554 5.3.2"), "{smtp}");
    assert!(provider["verdict_text"].as_str().unwrap().contains("DomainFactory"), "{provider:#}");
    // The resident stores mail probes in the history like every other probe.
    let db = rusqlite::Connection::open(r.dir.path().join("data/history.sqlite3")).unwrap();
    let kinds: Vec<String> = db
        .prepare("SELECT DISTINCT c.kind FROM observations o JOIN checks c ON c.id = o.check_ref ORDER BY c.kind")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(kinds, ["imap", "smtp", "status_page"]);
}

/// Every file under `dir`, recursively.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return out };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files(&path));
        } else if path.is_file() {
            out.push(path);
        }
    }
    out
}

fn assert_nowhere(secret: &str, outputs: &[&Output], dirs: &[&Path]) {
    for (i, out) in outputs.iter().enumerate() {
        for stream in [&out.stdout, &out.stderr] {
            assert!(!String::from_utf8_lossy(stream).contains(secret), "the password is in output #{i}");
        }
    }
    for dir in dirs {
        for file in files(dir) {
            let bytes = std::fs::read(&file).unwrap_or_default();
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "the password is in {}",
                file.display()
            );
        }
    }
}

#[test]
fn login_with_a_keychain_password_and_the_password_appears_nowhere_else() {
    let s = servers();
    let keychain = Keychain::start();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let page = HttpServer::start(Behaviour::Ok(statuspage_summary("none", None)));
    let anchor = Anchor::start();
    let config = config(dir.path(), &page, &anchor, Some(&s.user));
    let cli = || outage_notifier(Some(&keychain), &config, &data);

    let set = with_stdin(
        {
            let mut c = cli();
            c.args(["credentials", "set", "df", &s.user]);
            c
        },
        &format!("{}\n", s.password),
    );
    assert_eq!(set.status.code(), Some(0), "{}", String::from_utf8_lossy(&set.stderr));

    // -vv logs at debug level to stderr: those logs are searched too.
    let good = cli().args(["check", "--json", "-vv"]).output().unwrap();
    let v = json(&good);
    for c in mail_checks(&v) {
        assert_eq!(c["outcome"], "up", "{c}");
        assert!(c["message"].as_str().unwrap().contains("login works"), "{c}");
    }
    assert_eq!(good.status.code(), Some(0));

    let wrong = "wrong-Passw0rd-in-the-keychain";
    let set_wrong = with_stdin(
        {
            let mut c = cli();
            c.args(["credentials", "set", "df", &s.user]);
            c
        },
        &format!("{wrong}\n"),
    );
    assert_eq!(set_wrong.status.code(), Some(0), "{}", String::from_utf8_lossy(&set_wrong.stderr));
    let bad = cli().args(["check", "--json", "-vv"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(1));
    let v = json(&bad);
    for c in mail_checks(&v) {
        assert_eq!(c["outcome"], "down", "{c}");
        assert_eq!(c["reason"], "auth", "{c}");
    }
    // The servers answer and the page is green: it is the account, not the provider.
    assert_eq!(v["providers"][0]["verdict"], "your_account", "{:#}", v["providers"][0]);
    assert!(v["providers"][0]["verdict_text"].as_str().unwrap().contains("check your user name and password"));
    // A refused password is permanent: one probe, no quick re-checks that could lock the account.
    let db = rusqlite::Connection::open(data.join("history.sqlite3")).unwrap();
    let failed_probes: i64 = db
        .query_row(
            "SELECT count(*) FROM observations o JOIN checks c ON c.id = o.check_ref
             WHERE c.kind = 'imap' AND o.reason = 'auth'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(failed_probes, 2, "one probe per IMAP endpoint");
    drop(db);

    let delete = cli().args(["credentials", "delete", "df", &s.user]).output().unwrap();
    assert_eq!(delete.status.code(), Some(0), "{}", String::from_utf8_lossy(&delete.stderr));
    let again = cli().args(["credentials", "delete", "df", &s.user]).output().unwrap();
    assert_eq!(again.status.code(), Some(1), "nothing left to delete");
    let missing = cli().args(["check", "--json"]).output().unwrap();
    let v = json(&missing);
    for c in mail_checks(&v) {
        assert_eq!((c["outcome"].as_str(), c["reason"].as_str()), (Some("unknown"), Some("auth")), "{c}");
        assert!(c["message"].as_str().unwrap().contains("credentials set df"), "{c}");
    }

    // The passwords live in the keychain (encrypted at rest) and nowhere else: not in any
    // output, the config, the history database (and its WAL), logs, or files in HOME.
    let outputs = [&set, &good, &set_wrong, &bad, &delete, &again, &missing];
    for secret in [s.password.as_str(), wrong] {
        assert_nowhere(secret, &outputs, &[dir.path(), keychain.home.path()]);
    }
    let config_text = std::fs::read_to_string(&config).unwrap();
    assert!(!config_text.contains("password"), "{config_text}");
}

#[test]
fn without_a_keychain_service_it_says_so_and_writes_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let data = dir.path().join("data");
    let page = HttpServer::start(Behaviour::Ok(statuspage_summary("none", None)));
    let anchor = Anchor::start();
    let s = servers();
    let config = config(dir.path(), &page, &anchor, Some(&s.user));
    let secret = "never-stored-anywhere-7f3a";
    let set = with_stdin(
        {
            let mut c = outage_notifier(None, &config, &data);
            c.env("HOME", &home).env("XDG_DATA_HOME", home.join("data")).args(["credentials", "set", "df", &s.user]);
            c
        },
        &format!("{secret}\n"),
    );
    assert_eq!(set.status.code(), Some(2));
    let err = String::from_utf8_lossy(&set.stderr);
    assert!(err.contains("no keychain service is available"), "{err}");
    assert!(err.contains("never stored in a file"), "{err}");

    let check = outage_notifier(None, &config, &data).env("HOME", &home).args(["check", "--json"]).output().unwrap();
    let v = json(&check);
    for c in mail_checks(&v) {
        assert_eq!((c["outcome"].as_str(), c["reason"].as_str()), (Some("unknown"), Some("auth")), "{c}");
        assert!(c["message"].as_str().unwrap().contains("no keychain service"), "{c}");
    }
    assert_nowhere(secret, &[&set, &check], &[dir.path()]);
}

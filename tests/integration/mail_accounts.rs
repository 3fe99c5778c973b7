//! Mail accounts through the control socket, as the window uses it: endpoints added to and
//! removed from the config file in place (the running resident picks them up), and "Test
//! connection" against the real Dovecot, streaming each probe step while it happens, with
//! the password only in the keychain.

use std::io::{BufRead as _, BufReader, Write as _};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use outage_tests::mail::{Keychain, Script, ScriptedServer, servers};
use outage_tests::{Anchor, Behaviour, HttpServer, bin, control_roundtrip, statuspage_summary, wait_for};

/// Sends one request and reads every line up to and including the one that ends it (a reply
/// that is not a `mail_step`), each with the time it arrived.
fn exchange(socket: &Path, request: &str) -> Vec<(Instant, serde_json::Value)> {
    let mut stream = UnixStream::connect(socket).unwrap();
    stream.set_read_timeout(Some(Duration::from_mins(1))).unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    stream.write_all(b"\n").unwrap();
    let mut reader = BufReader::new(stream);
    let mut lines = Vec::new();
    loop {
        let mut line = String::new();
        assert!(reader.read_line(&mut line).unwrap() > 0, "the resident hung up after {lines:?}");
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        let last = v["type"] != "mail_step";
        lines.push((Instant::now(), v));
        if last {
            return lines;
        }
    }
}

fn request(socket: &Path, line: &str) -> serde_json::Value {
    serde_json::from_str(&control_roundtrip(socket, format!("{line}\n").as_bytes())).unwrap()
}

struct Resident(Child);

impl Drop for Resident {
    fn drop(&mut self) {
        let _ = Command::new("kill").arg("-TERM").arg(self.0.id().to_string()).stderr(Stdio::null()).status();
        let _ = self.0.wait();
    }
}

/// A resident whose keychain is `keychain`'s, watching a green loopback page for `df`.
fn resident(keychain: &Keychain, dir: &Path, page: &HttpServer, anchor: &Anchor) -> (Resident, std::path::PathBuf) {
    let config = dir.join("config.toml");
    std::fs::write(
        &config,
        format!(
            "# my monitoring\n[settings]\ninterval = \"10m\"\ntimeout = \"4s\"\nlanguage = \"en\"\n\
             connectivity = [\"{}\"]\n\n[[provider]]\nid = \"df\"\nname = \"DomainFactory\" # my hoster\n\
             status_page = \"{}\"\nstatus_format = \"statuspage\"\n",
            anchor.addr,
            page.base_url()
        ),
    )
    .unwrap();
    let mut command = Command::new(bin("outage-notifier"));
    command
        .arg("--config")
        .arg(&config)
        .arg("--data-dir")
        .arg(dir.join("data"))
        .env("OUTAGE_NOTIFIER_WINDOW", "/bin/true")
        .env_remove("OUTAGE_NOTIFIER_SOCKET")
        .env_remove("DISPLAY")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    keychain.apply(&mut command);
    let child = Resident(command.spawn().unwrap());
    let socket = keychain.home.path().join("run/outage-notifier/control.sock");
    wait_for("the control socket", Duration::from_secs(15), || UnixStream::connect(&socket).ok());
    (child, socket)
}

/// A resident with one provider `df`, its status page, the network anchor and a private
/// keychain. Fields drop in order: the resident ends before what it uses.
struct Setup {
    _resident: Resident,
    _anchor: Anchor,
    _page: HttpServer,
    socket: std::path::PathBuf,
    dir: tempfile::TempDir,
    keychain: Keychain,
}

impl Setup {
    fn start() -> Setup {
        let keychain = Keychain::start();
        let dir = tempfile::tempdir().unwrap();
        let page = HttpServer::start(Behaviour::Ok(statuspage_summary("none", None)));
        let anchor = Anchor::start();
        let (resident, socket) = resident(&keychain, dir.path(), &page, &anchor);
        Setup { _resident: resident, _anchor: anchor, _page: page, socket, dir, keychain }
    }
}

fn set_password(keychain: &Keychain, user: &str, password: &str) {
    let mut command = Command::new(bin("outage-notifier"));
    command.args(["credentials", "set", "df", user]);
    keychain.apply(&mut command);
    let mut child = command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(format!("{password}\n").as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// `credentials set df USER --endpoint CHECK_ID`: the CLI, another process than the resident.
fn set_endpoint_password(keychain: &Keychain, config: &Path, user: &str, check_id: &str, password: &str) {
    let mut command = Command::new(bin("outage-notifier"));
    command.arg("--config").arg(config);
    command.args(["credentials", "set", "df", user, "--endpoint", check_id]);
    keychain.apply(&mut command);
    let mut child = command.stdin(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(format!("{password}\n").as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn mail_accounts_are_added_listed_and_removed_in_the_config_and_picked_up() {
    let setup = Setup::start();
    let (dir, socket) = (&setup.dir, &setup.socket);
    let config = dir.path().join("config.toml");

    let add = r#"{"id":1,"method":"add_mail","mail":{"provider_id":"df","kind":"imap","host":"127.0.0.2","port":null,"tls":"implicit","username":"info@example.test","ca_file":null}}"#;
    let reply = request(socket, add);
    assert_eq!(reply["type"], "done", "{reply}");
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(text.starts_with("# my monitoring\n"), "{text}");
    assert!(text.contains("name = \"DomainFactory\" # my hoster"), "comments stay: {text}");
    assert!(text.contains("[[provider.mail]]\nkind = \"imap\"\nhost = \"127.0.0.2\"\ntls = \"implicit\""), "{text}");
    assert!(text.contains("username = \"info@example.test\""), "{text}");

    let listed = request(socket, r#"{"id":2,"method":"mail_accounts","provider_id":"df"}"#);
    assert_eq!(listed["type"], "mail_accounts", "{listed}");
    let accounts = listed["accounts"].as_array().unwrap();
    assert_eq!(accounts.len(), 1, "{listed}");
    assert_eq!(accounts[0]["check_id"], "df/imap/127.0.0.2:993", "the standard port: {listed}");
    assert_eq!(accounts[0]["username"], "info@example.test");

    // The running resident reloads the file and checks the new endpoint.
    wait_for("the new check in the resident's summary", Duration::from_secs(20), || {
        control_roundtrip(socket, b"{\"id\":3,\"method\":\"summary\"}\n")
            .contains("df/imap/127.0.0.2:993")
            .then_some(())
    });

    // What the app would refuse is refused, and the file stays byte for byte.
    let before = std::fs::read(&config).unwrap();
    for (bad, needle) in [
        (add.to_owned(), "lists imap 127.0.0.2:993 twice"),
        (add.replace("\"df\"", "\"nobody\""), "no provider `nobody`"),
        (add.replace("\"port\":null,\"tls\":\"implicit\"", "\"port\":143,\"tls\":\"none\""), "needs TLS"),
        (add.replace("\"127.0.0.2\"", "\"\""), "host"),
    ] {
        let reply = request(socket, &bad);
        assert_eq!(reply["type"], "error", "{bad}: {reply}");
        assert!(reply["message"].as_str().unwrap().contains(needle), "{bad}: {reply}");
        assert_eq!(std::fs::read(&config).unwrap(), before, "{bad} changed the file");
    }

    let reply =
        request(socket, r#"{"id":4,"method":"remove_mail","provider_id":"df","check_id":"df/imap/127.0.0.2:993"}"#);
    assert_eq!(reply["type"], "done", "{reply}");
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(!text.contains("provider.mail") && text.contains("# my hoster"), "{text}");
    let listed = request(socket, r#"{"id":5,"method":"mail_accounts","provider_id":"df"}"#);
    assert_eq!(listed["accounts"], serde_json::json!([]), "{listed}");
    let reply =
        request(socket, r#"{"id":6,"method":"remove_mail","provider_id":"df","check_id":"df/imap/127.0.0.2:993"}"#);
    assert_eq!(reply["type"], "error", "gone already: {reply}");

    // Which states alert: written as a list, read back, removed again with null.
    let set = r#"{"id":7,"method":"set_general_settings","settings":{"interval":"10m","language":"en","quiet_hours":null,"reminder":null,"alert_states":["major_outage","maintenance"]}}"#;
    assert_eq!(request(socket, set)["type"], "done");
    assert!(std::fs::read_to_string(&config).unwrap().contains("states = [\"major_outage\", \"maintenance\"]"));
    let read = request(socket, r#"{"id":8,"method":"general_settings"}"#);
    assert_eq!(read["settings"]["alert_states"], serde_json::json!(["major_outage", "maintenance"]), "{read}");
    let bad = set.replace("\"maintenance\"", "\"operational\"");
    assert_eq!(request(socket, &bad)["type"], "error", "operational is no state that alerts");
    assert_eq!(request(socket, &set.replace("[\"major_outage\",\"maintenance\"]", "null"))["type"], "done");
    assert!(!std::fs::read_to_string(&config).unwrap().contains("states"));
}

#[test]
fn test_connection_streams_each_step_and_logs_in_with_the_keychain_password() {
    let s = servers();
    let setup = Setup::start();
    let (keychain, dir, socket) = (&setup.keychain, &setup.dir, &setup.socket);
    let config = dir.path().join("config.toml");
    let before = std::fs::read(&config).unwrap();
    set_password(keychain, &s.user, &s.password);

    let test = format!(
        r#"{{"id":1,"method":"test_mail","mail":{{"provider_id":"df","kind":"imap","host":"{}","port":{},"tls":"implicit","username":"{}","ca_file":"{}"}}}}"#,
        s.host,
        s.imaps,
        s.user,
        s.ca_file.display()
    );
    let lines = exchange(socket, &test);
    let (_, last) = lines.last().unwrap();
    assert_eq!(last["type"], "mail_tested", "{lines:?}");
    let check = &last["check"];
    assert_eq!(check["outcome"], "up", "{check:#}");
    assert!(matches!(check["cert_days_left"].as_i64(), Some(29 | 30)), "{check}");
    // Every step came as its own line first, in the order of the result's steps.
    let streamed: Vec<&str> =
        lines[..lines.len() - 1].iter().map(|(_, v)| v["step"]["name"].as_str().unwrap()).collect();
    let steps: Vec<&str> = check["steps"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(streamed, steps, "{lines:?}");
    for name in ["connect", "tls", "greeting", "login"] {
        assert!(steps.contains(&name), "{name} in {steps:?}");
    }
    assert!(lines.iter().all(|(_, v)| v["id"] == 1), "{lines:?}");
    let everything = format!("{lines:?}");
    assert!(!everything.contains(&s.password), "the password never crosses the socket");
    assert_eq!(std::fs::read(&config).unwrap(), before, "a test writes nothing");

    // A wrong password: the verdict is the account's, and the test says so.
    set_password(keychain, &s.user, "wrong-horse-battery");
    let lines = exchange(socket, &test);
    let check = &lines.last().unwrap().1["check"];
    assert_eq!((check["outcome"].as_str(), check["reason"].as_str()), (Some("down"), Some("auth")), "{check:#}");
    assert!(!format!("{lines:?}").contains("wrong-horse-battery"), "{lines:?}");

    // A username without a stored password is said plainly.
    let nobody = test.replace(&format!("\"username\":\"{}\"", s.user), "\"username\":\"nobody@example.test\"");
    let lines = exchange(socket, &nobody);
    let check = &lines.last().unwrap().1["check"];
    assert!(check["message"].as_str().unwrap().contains("no password for nobody@example.test"), "{check:#}");

    // An endpoint the config would refuse is not probed at all.
    let refused = exchange(socket, &test.replace("\"df\"", "\"nobody\""));
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert_eq!(refused[0].1["type"], "error", "{refused:?}");
}

#[test]
fn test_connection_steps_arrive_while_the_probe_still_runs() {
    // Connects at once, then never greets: the connect step must reach the client long
    // before the probe gives up on the greeting (the config's 4 s timeout).
    let silent = ScriptedServer::start(Script::Silent);
    let setup = Setup::start();
    let socket = &setup.socket;
    let test = format!(
        r#"{{"id":9,"method":"test_mail","mail":{{"provider_id":"df","kind":"pop3","host":"127.0.0.1","port":{},"tls":"none","username":null,"ca_file":null}}}}"#,
        silent.addr.port()
    );
    let lines = exchange(socket, &test);
    let (done_at, last) = lines.last().unwrap();
    assert_eq!((last["check"]["outcome"].as_str(), last["check"]["reason"].as_str()), (Some("down"), Some("timeout")));
    let (connect_at, _) = lines.iter().find(|(_, v)| v["step"]["name"] == "connect").expect("a connect step");
    assert!(
        done_at.duration_since(*connect_at) >= Duration::from_secs(2),
        "the connect step came only with the result: {lines:?}"
    );
}

/// Changes a mail account as the window does (see `support/bin/mail_account.rs`), with
/// `password` typed; the error the window would show when refused.
fn account(keychain: &Keychain, socket: &Path, args: &[&str], password: &str) -> Result<(), String> {
    let mut command = Command::new(bin("mail-account"));
    command.arg(socket).args(args);
    keychain.apply(&mut command);
    let mut child = command.stdin(Stdio::piped()).stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(format!("{password}\n").as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    if out.status.success() { Ok(()) } else { Err(String::from_utf8_lossy(&out.stderr).into_owned()) }
}

/// An endpoint of `df` on the real Dovecot as the window sends it.
fn endpoint(kind: &str, host: &str, port: u16, tls: &str, user: &str) -> String {
    serde_json::json!({
        "provider_id": "df", "kind": kind, "host": host, "port": port, "tls": tls,
        "username": user, "ca_file": servers().ca_file,
    })
    .to_string()
}

/// Every mail check of the config, probed once by `check --json` with the keychain's
/// passwords: check id → (outcome, reason).
fn probed(keychain: &Keychain, dir: &Path) -> std::collections::BTreeMap<String, (String, String)> {
    let mut command = Command::new(bin("outage-notifier"));
    command.arg("--config").arg(dir.join("config.toml")).arg("--data-dir").arg(dir.join("check-data"));
    command.args(["check", "--json"]);
    keychain.apply(&mut command);
    let out = command.output().unwrap();
    let v: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    v["providers"][0]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] != "status_page")
        .map(|c| {
            let text = |k: &str| c[k].as_str().unwrap_or_default().to_owned();
            (text("id"), (text("outcome"), text("reason")))
        })
        .collect()
}

fn up() -> (String, String) {
    ("up".into(), String::new())
}

fn refused_login(result: Option<&(String, String)>) -> bool {
    result.is_some_and(|(outcome, reason)| outcome == "down" && reason == "auth")
}

/// The wrong password the other tests use too: Dovecot does not raise that delay for a
/// username and password it has just refused.
const WRONG: &str = "wrong-horse-battery";

/// Measured before: saving a POP3 account with a mistyped password replaced the working IMAP
/// account's password (same username), and a save the resident refused had already changed
/// the keychain.
#[test]
fn endpoints_with_the_same_username_keep_their_own_passwords_and_a_refused_edit_changes_none() {
    let s = servers();
    let setup = Setup::start();
    let (keychain, dir, socket) = (&setup.keychain, &setup.dir, &setup.socket);
    let imap = format!("df/imap/{}:{}", s.host, s.imaps);
    let pop3 = format!("df/pop3/{}:{}", s.host, s.pop3s);

    account(keychain, socket, &["add", &endpoint("imap", &s.host, s.imaps, "implicit", &s.user)], &s.password).unwrap();
    account(keychain, socket, &["add", &endpoint("pop3", &s.host, s.pop3s, "implicit", &s.user)], WRONG).unwrap();
    let results = probed(keychain, dir.path());
    assert_eq!(results.get(&imap), Some(&up()), "{results:?}");
    assert!(refused_login(results.get(&pop3)), "{results:?}");

    // Turning the POP3 endpoint into a second copy of the IMAP one is refused, and neither
    // the config nor any password changes.
    let before = std::fs::read(dir.path().join("config.toml")).unwrap();
    let twice = endpoint("imap", &s.host, s.imaps, "implicit", &s.user);
    let refused = account(keychain, socket, &["edit", &pop3, &twice], WRONG).unwrap_err();
    assert!(refused.contains("twice"), "{refused}");
    let refused = account(keychain, socket, &["add", &twice], WRONG).unwrap_err();
    assert!(refused.contains("twice"), "{refused}");
    assert_eq!(std::fs::read(dir.path().join("config.toml")).unwrap(), before);
    let results = probed(keychain, dir.path());
    assert_eq!(results.get(&imap), Some(&up()), "{results:?}");
    assert!(refused_login(results.get(&pop3)), "{results:?}");

    // The CLI sets one endpoint's password too.
    set_endpoint_password(keychain, &dir.path().join("config.toml"), &s.user, &pop3, &s.password);
    let results = probed(keychain, dir.path());
    assert_eq!((results.get(&imap), results.get(&pop3)), (Some(&up()), Some(&up())), "{results:?}");

    // Removing one leaves the other's password alone.
    account(keychain, socket, &["remove", "df", &pop3], "").unwrap();
    let results = probed(keychain, dir.path());
    assert_eq!(results.len(), 1, "{results:?}");
    assert_eq!(results.get(&imap), Some(&up()), "{results:?}");
}

#[test]
fn an_endpoint_is_edited_in_place_and_probed_with_its_new_host_port_and_password() {
    let s = servers();
    let setup = Setup::start();
    let (keychain, dir, socket) = (&setup.keychain, &setup.dir, &setup.socket);
    let config = dir.path().join("config.toml");
    // The TLS-less server on another address, and a wrong password.
    let old = format!("df/imap/{}:{}", s.plain_host, s.imap);
    account(keychain, socket, &["add", &endpoint("imap", &s.plain_host, s.imap, "starttls", &s.user)], WRONG).unwrap();
    let results = probed(keychain, dir.path());
    assert!(results.get(&old).is_some_and(|r| r.0 == "down"), "{results:?}");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, text.replace("[[provider.mail]]", "# my inbox\n[[provider.mail]]")).unwrap();

    let new = format!("df/imap/{}:{}", s.host, s.imaps);
    account(keychain, socket, &["edit", &old, &endpoint("imap", &s.host, s.imaps, "implicit", &s.user)], &s.password)
        .unwrap();
    let text = std::fs::read_to_string(&config).unwrap();
    assert_eq!(text.matches("[[provider.mail]]").count(), 1, "edited, not added: {text}");
    let written = format!(
        "# my inbox\n[[provider.mail]]\nkind = \"imap\"\nhost = \"{}\"\nport = {}\ntls = \"implicit\"",
        s.host, s.imaps
    );
    assert!(text.contains(&written), "in place, its comment kept: {text}");
    let results = probed(keychain, dir.path());
    assert_eq!(results.into_iter().collect::<Vec<_>>(), [(new.clone(), up())]);

    // Moved back without typing a password: the endpoint's password moves along.
    account(keychain, socket, &["edit", &new, &endpoint("imap", &s.host, s.imap, "starttls", &s.user)], "").unwrap();
    let moved = format!("df/imap/{}:{}", s.host, s.imap);
    let results = probed(keychain, dir.path());
    assert_eq!(results.into_iter().collect::<Vec<_>>(), [(moved, up())]);

    // The running resident picked the edits up.
    wait_for("the edited check in the resident's summary", Duration::from_secs(20), || {
        control_roundtrip(socket, b"{\"id\":3,\"method\":\"summary\"}\n")
            .contains(&format!("df/imap/{}:{}", s.host, s.imap))
            .then_some(())
    });
}

/// Measured before: removing a provider in the window left every password of its mail
/// accounts in the keychain, for good (nothing listed them any more), and a provider added
/// again under the same id logged in with them.
#[test]
fn removing_a_provider_deletes_its_passwords_from_the_keychain() {
    let s = servers();
    let setup = Setup::start();
    let (keychain, dir, socket) = (&setup.keychain, &setup.dir, &setup.socket);
    let imap = format!("df/imap/{}:{}", s.host, s.imaps);
    account(keychain, socket, &["add", &endpoint("imap", &s.host, s.imaps, "implicit", &s.user)], &s.password).unwrap();
    // The provider's own entry too, as `credentials set` without `--endpoint` writes it.
    set_password(keychain, &s.user, &s.password);
    assert_eq!(probed(keychain, dir.path()).get(&imap), Some(&up()), "logs in before");

    account(keychain, socket, &["remove-provider", "df"], "").unwrap();
    let config = std::fs::read_to_string(dir.path().join("config.toml")).unwrap();
    assert!(!config.contains("[[provider]]"), "the provider is gone: {config}");
    // `credentials delete` exits 1 when nothing was stored under that entry.
    for endpoint in [Some(imap.as_str()), None] {
        let mut command = Command::new(bin("outage-notifier"));
        command.arg("--config").arg(dir.path().join("config.toml"));
        command.args(["credentials", "delete", "df", &s.user]);
        if let Some(check_id) = endpoint {
            command.args(["--endpoint", check_id]);
        }
        keychain.apply(&mut command);
        let out = command.output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(1),
            "a password was left behind at {endpoint:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// The resident's summary of one check: (outcome, reason).
fn summarized(socket: &Path, check_id: &str) -> Option<(String, String)> {
    let reply = request(socket, r#"{"id":7,"method":"summary"}"#);
    let checks = reply["summary"]["providers"][0]["checks"].as_array()?.clone();
    let check = checks.iter().find(|c| c["id"] == check_id)?;
    let text = |k: &str| check[k].as_str().unwrap_or_default().to_owned();
    Some((text("outcome"), text("reason")))
}

/// The resident keeps the passwords it has read for a while (reading the keychain twice per
/// login was a tenth of a round trip's CPU, BENCHMARKS.md). A password corrected in another
/// process (`credentials set`) must still be used at the next check: a remembered wrong one
/// would blame the user's account for a login that now works.
#[test]
fn a_password_corrected_with_the_cli_is_used_at_the_next_check_though_the_resident_remembers_passwords() {
    let s = servers();
    let setup = Setup::start();
    let (keychain, dir, socket) = (&setup.keychain, &setup.dir, &setup.socket);
    let imap = format!("df/imap/{}:{}", s.host, s.imaps);
    account(keychain, socket, &["add", &endpoint("imap", &s.host, s.imaps, "implicit", &s.user)], WRONG).unwrap();
    wait_for("the refused login in the resident's summary", Duration::from_secs(30), || {
        summarized(socket, &imap).filter(|(_, reason)| reason == "auth")
    });

    set_endpoint_password(keychain, &dir.path().join("config.toml"), &s.user, &imap, &s.password);

    assert_eq!(request(socket, r#"{"id":8,"method":"check_now"}"#)["type"], "done");
    wait_for("the corrected password's login in the resident's summary", Duration::from_secs(30), || {
        summarized(socket, &imap).filter(|result| *result == up())
    });
}

//! The control socket of a running resident: requests, bad input, stalled clients, and
//! owner-only permissions. The resident runs without a session bus here (no tray host, no
//! notification server), which it must survive.

use std::io::{BufRead as _, BufReader, Write as _};
use std::os::unix::fs::PermissionsExt as _;
use std::os::unix::net::UnixStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use outage_tests::{Anchor, Behaviour, HttpServer, bin, statuspage_summary, wait_for, write_config};

pub struct Resident {
    child: Child,
    pub socket: std::path::PathBuf,
    pub dir: tempfile::TempDir,
    pub server: HttpServer,
    _anchor: Anchor,
}

impl Drop for Resident {
    fn drop(&mut self) {
        let _ = Command::new("kill").arg("-TERM").arg(self.child.id().to_string()).stderr(Stdio::null()).status();
        let _ = self.child.wait();
    }
}

/// Starts a resident without a desktop, watching a loopback Statuspage page.
pub fn start() -> Resident {
    start_with("")
}

/// Like [`start`], with `extra` appended to provider `df`'s config (e.g. mail endpoints).
pub fn start_with(extra: &str) -> Resident {
    start_with_settings("1m", "5s", extra)
}

/// Like [`start_with`], probing every `interval` with probes of at most `timeout`.
pub fn start_with_settings(interval: &str, timeout: &str, extra: &str) -> Resident {
    let dir = tempfile::tempdir().unwrap();
    let server = HttpServer::start(Behaviour::Ok(statuspage_summary("none", None)));
    let anchor = Anchor::start();
    let config = write_config(dir.path(), &server, &anchor, interval);
    let mut text =
        std::fs::read_to_string(&config).unwrap().replace("timeout = \"5s\"", &format!("timeout = \"{timeout}\""));
    text.push_str(extra);
    std::fs::write(&config, text).unwrap();
    let child = launch(dir.path());
    let socket = dir.path().join("run/outage-notifier/control.sock");
    Resident { child, socket, dir, server, _anchor: anchor }
}

/// Runs the resident on the files in `dir` and waits for its socket.
fn launch(dir: &std::path::Path) -> Child {
    let (mut command, socket) = outage_tests::headless_resident(&dir.join("config.toml"), dir);
    let child = command.spawn().unwrap();
    wait_for("the control socket", Duration::from_secs(15), || UnixStream::connect(&socket).ok());
    child
}

/// Ends the resident (SIGTERM, as at logout); `between` runs while it is down; then it
/// starts again on the same files.
pub fn restart(r: &mut Resident, between: impl FnOnce(&std::path::Path)) {
    let _ = Command::new("kill").arg("-TERM").arg(r.child.id().to_string()).status();
    let status = r.child.wait().unwrap();
    assert!(status.success(), "{status}");
    between(r.dir.path());
    r.child = launch(r.dir.path());
}

fn line(reader: &mut BufReader<UnixStream>) -> serde_json::Value {
    let mut s = String::new();
    reader.read_line(&mut s).unwrap();
    serde_json::from_str(&s).unwrap_or_else(|e| panic!("{e}: {s}"))
}

fn connect(r: &Resident) -> (UnixStream, BufReader<UnixStream>) {
    let s = UnixStream::connect(&r.socket).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let reader = BufReader::new(s.try_clone().unwrap());
    (s, reader)
}

#[test]
fn answers_requests_and_survives_garbage_and_oversized_lines() {
    let r = start();
    let (mut w, mut reader) = connect(&r);

    w.write_all(b"{\"id\":1,\"method\":\"ping\"}\n").unwrap();
    let pong = line(&mut reader);
    assert_eq!(pong["type"], "pong");
    assert_eq!(pong["id"], 1);

    w.write_all(b"this is not json\n").unwrap();
    let err = line(&mut reader);
    assert_eq!(err["type"], "error");
    assert_eq!(err["code"], "bad_request");

    w.write_all(b"{\"id\":2,\"method\":\"format_disk\"}\n").unwrap();
    assert_eq!(line(&mut reader)["code"], "bad_request");

    let mut huge = vec![b'x'; 10 * 1024 * 1024];
    huge.push(b'\n');
    w.write_all(&huge).unwrap();
    let err = line(&mut reader);
    assert_eq!(err["code"], "too_large");

    // The same connection still works, and so does the resident.
    w.write_all(b"{\"id\":3,\"method\":\"summary\"}\n").unwrap();
    let summary = line(&mut reader);
    assert_eq!(summary["type"], "summary");
    assert_eq!(summary["summary"]["providers"][0]["id"], "df");
    assert!(!matches!(r.child.id(), 0));
}

#[test]
fn a_stalled_client_does_not_block_others() {
    let r = start();
    let stalled = UnixStream::connect(&r.socket).unwrap();
    let mut half = UnixStream::connect(&r.socket).unwrap();
    half.write_all(b"{\"id\":1,\"meth").unwrap();
    let reply = outage_tests::control_roundtrip(&r.socket, b"{\"id\":9,\"method\":\"ping\"}\n");
    assert!(reply.contains("\"pong\""), "{reply}");
    drop((stalled, half));
}

#[test]
fn subscribers_get_the_summary_first() {
    let r = start();
    let (mut w, mut reader) = connect(&r);
    w.write_all(b"{\"id\":5,\"method\":\"subscribe\"}\n").unwrap();
    let first = line(&mut reader);
    assert_eq!(first["type"], "summary");
    assert_eq!(first["id"], 5);
}

#[test]
fn socket_is_owner_only_and_a_second_launch_defers_to_the_first() {
    let r = start();
    let mode = std::fs::metadata(&r.socket).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let dir_mode = std::fs::metadata(r.socket.parent().unwrap()).unwrap().permissions().mode() & 0o777;
    assert_eq!(dir_mode, 0o700);

    let runtime = r.socket.parent().unwrap().parent().unwrap();
    let out = Command::new(bin("outage-notifier"))
        .arg("--config")
        .arg(r.dir.path().join("config.toml"))
        .arg("--data-dir")
        .arg(r.dir.path().join("data"))
        .env("XDG_RUNTIME_DIR", runtime)
        .env_remove("OUTAGE_NOTIFIER_SOCKET")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("already running"));
}

fn request(w: &mut UnixStream, reader: &mut BufReader<UnixStream>, json: &str) -> serde_json::Value {
    w.write_all(json.as_bytes()).unwrap();
    w.write_all(b"\n").unwrap();
    line(reader)
}

#[test]
fn pause_snooze_mute_and_start_at_login_are_controls_of_the_resident() {
    let r = start();
    let (mut w, mut reader) = connect(&r);
    let controls = |w: &mut UnixStream, reader: &mut BufReader<UnixStream>| {
        let reply = request(w, reader, r#"{"id":1,"method":"controls"}"#);
        assert_eq!(reply["type"], "controls", "{reply}");
        reply["controls"].clone()
    };
    let before = controls(&mut w, &mut reader);
    assert_eq!(before["paused_until"], serde_json::Value::Null);
    assert_eq!(before["autostart"], false, "nothing written yet: {before}");

    let done = request(&mut w, &mut reader, r#"{"id":2,"method":"pause","span":"one_hour"}"#);
    assert_eq!(done, serde_json::json!({"type": "done", "id": 2}));
    let paused = controls(&mut w, &mut reader);
    let until = chrono::DateTime::parse_from_rfc3339(paused["paused_until"].as_str().expect("paused_until")).unwrap();
    let left = until.signed_duration_since(chrono::Utc::now());
    assert!(left > chrono::TimeDelta::minutes(58) && left <= chrono::TimeDelta::minutes(60), "{left}");

    request(&mut w, &mut reader, r#"{"id":3,"method":"snooze","provider_id":"df","span":"four_hours"}"#);
    request(&mut w, &mut reader, r#"{"id":4,"method":"mute","provider_id":"other"}"#);
    request(&mut w, &mut reader, r#"{"id":5,"method":"resume"}"#);
    let c = controls(&mut w, &mut reader);
    assert_eq!(c["paused_until"], serde_json::Value::Null, "{c}");
    assert_eq!(c["snoozed"][0]["provider_id"], "df", "{c}");
    assert_eq!(c["muted"], serde_json::json!(["other"]));
    request(&mut w, &mut reader, r#"{"id":6,"method":"unmute","provider_id":"other"}"#);
    assert_eq!(controls(&mut w, &mut reader)["muted"], serde_json::json!([]));

    // Start at login: an XDG autostart entry that starts this binary with the same files.
    let entry = r.dir.path().join("home/.config/autostart/outage-notifier.desktop");
    request(&mut w, &mut reader, r#"{"id":7,"method":"set_autostart","enabled":true}"#);
    assert_eq!(controls(&mut w, &mut reader)["autostart"], true);
    let desktop = std::fs::read_to_string(&entry).expect("autostart entry written");
    assert!(desktop.contains("Exec="), "{desktop}");
    assert!(desktop.contains(&format!("--config={}", r.dir.path().join("config.toml").display())), "{desktop}");
    request(&mut w, &mut reader, r#"{"id":8,"method":"set_autostart","enabled":false}"#);
    assert_eq!(controls(&mut w, &mut reader)["autostart"], false);
    assert!(!entry.exists());

    // Unknown spans are bad requests, and the resident carries on.
    let bad = request(&mut w, &mut reader, r#"{"id":9,"method":"pause","span":"forever"}"#);
    assert_eq!(bad["code"], "bad_request", "{bad}");
    assert_eq!(request(&mut w, &mut reader, r#"{"id":10,"method":"ping"}"#)["type"], "pong");
}

#[test]
fn quit_over_the_socket_ends_the_resident_cleanly() {
    let mut r = start();
    let (mut w, mut reader) = connect(&r);
    assert_eq!(request(&mut w, &mut reader, r#"{"id":1,"method":"quit"}"#)["type"], "done");
    let status = wait_for("the resident to exit", Duration::from_secs(15), || r.child.try_wait().unwrap());
    assert!(status.success(), "{status}");
    assert!(!r.socket.exists(), "the socket is removed on exit");
}

fn provider_ids(r: &Resident) -> Vec<String> {
    let (mut w, mut reader) = connect(r);
    let reply = request(&mut w, &mut reader, r#"{"id":1,"method":"summary"}"#);
    reply["summary"]["providers"]
        .as_array()
        .expect("providers")
        .iter()
        .map(|p| p["id"].as_str().expect("id").to_owned())
        .collect()
}

#[test]
fn config_edits_apply_without_restart_and_a_broken_edit_keeps_the_old_config() {
    let r = start();
    let path = r.dir.path().join("config.toml");
    assert_eq!(provider_ids(&r), ["df"]);

    // An editor's atomic save: write a temp file, rename over the config.
    let text = std::fs::read_to_string(&path).unwrap();
    let added = format!(
        "{text}\n[[provider]]\nid = \"second\"\nname = \"Second\"\nstatus_page = \"{}\"\n",
        r.server.base_url()
    );
    let tmp = r.dir.path().join(".config.toml.swp");
    std::fs::write(&tmp, &added).unwrap();
    std::fs::rename(&tmp, &path).unwrap();
    wait_for("the second provider to appear", Duration::from_secs(10), || {
        (provider_ids(&r) == ["df", "second"]).then_some(())
    });
    // Its status page gets checked right away, not after the 1-minute interval.
    wait_for("the new provider's first check", Duration::from_secs(10), || {
        let (mut w, mut reader) = connect(&r);
        let reply = request(&mut w, &mut reader, r#"{"id":1,"method":"summary"}"#);
        (reply["summary"]["providers"][1]["state"] == "operational").then_some(())
    });

    // A typo: the resident keeps the last good config and stays up.
    std::fs::write(&path, format!("{added}\n[[provider]]\nid = \"broken\"\nstatus_page = 42\n")).unwrap();
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(provider_ids(&r), ["df", "second"]);
    let log_dir = r.dir.path().join("data/logs");
    let logs: String = std::fs::read_dir(&log_dir)
        .expect("log dir")
        .flatten()
        .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default())
        .collect();
    assert!(logs.contains("config not applied"), "{logs}");

    // Fixing it applies it; removing a provider removes it.
    std::fs::write(&path, &text).unwrap();
    wait_for("back to one provider", Duration::from_secs(10), || (provider_ids(&r) == ["df"]).then_some(()));
}

#[test]
fn mutes_and_snoozes_survive_a_restart_and_a_damaged_state_file_starts_afresh() {
    let mut r = start();
    {
        let (mut w, mut reader) = connect(&r);
        request(&mut w, &mut reader, r#"{"id":1,"method":"mute","provider_id":"df"}"#);
        request(&mut w, &mut reader, r#"{"id":2,"method":"snooze","provider_id":"x","span":"four_hours"}"#);
    }
    restart(&mut r, |_| {});
    let (mut w, mut reader) = connect(&r);
    let c = request(&mut w, &mut reader, r#"{"id":3,"method":"controls"}"#)["controls"].clone();
    assert_eq!(c["muted"], serde_json::json!(["df"]), "{c}");
    assert_eq!(c["snoozed"][0]["provider_id"], "x", "{c}");
    drop((w, reader));

    restart(&mut r, |dir| std::fs::write(dir.join("data/alerts.json"), b"{ half a file").unwrap());
    let (mut w, mut reader) = connect(&r);
    let c = request(&mut w, &mut reader, r#"{"id":4,"method":"controls"}"#)["controls"].clone();
    assert_eq!(c["muted"], serde_json::json!([]), "{c}");
    assert_eq!(
        std::fs::read(r.dir.path().join("data/alerts.json.unreadable")).unwrap(),
        b"{ half a file",
        "the damaged file is kept aside"
    );
}

#[test]
fn provider_history_has_the_incident_timeline_and_day_bars() {
    let r = start();
    let (mut w, mut reader) = connect(&r);
    r.server.set(Behaviour::Ok(statuspage_summary("major", Some(("inc-7", "Mail <b>down</b>", "major")))));
    request(&mut w, &mut reader, r#"{"id":1,"method":"check_now"}"#);
    let history = wait_for("the incident in the provider's history", Duration::from_secs(15), || {
        let reply = request(&mut w, &mut reader, r#"{"id":2,"method":"provider_history","provider_id":"df"}"#);
        assert_eq!(reply["type"], "provider_history", "{reply}");
        (reply["history"]["report"]["incidents"].as_array().is_some_and(|i| !i.is_empty()))
            .then(|| reply["history"].clone())
    });
    let incident = &history["report"]["incidents"][0];
    assert_eq!(incident["id"], "inc-7");
    assert_eq!(incident["title"], "Mail <b>down</b>", "provider text arrives verbatim, to be shown as text");
    let timeline = incident["timeline"].as_array().unwrap();
    assert!(timeline.iter().any(|l| l["source"] == "provider"), "{timeline:?}");
    assert_eq!(history["report"]["name"], "DomainFactory");
    assert_eq!(history["report"]["uptime"][0][0], "24h");
    let days = history["days"].as_array().unwrap();
    assert_eq!(days.len(), 90, "one bar per day, like a status page");
    let today = chrono::Local::now().date_naive().to_string();
    assert_eq!(days[89]["day"], today.as_str());
    // Seconds of monitoring give no uptime share yet, but today's probes were timed.
    assert!(days[89]["latency_ms"].is_number(), "today was seen: {}", days[89]);
    assert!(
        days[0]["uptime"].is_null() && days[0]["latency_ms"].is_null(),
        "89 days ago nothing was seen: {}",
        days[0]
    );

    // The windows' base: monitoring began seconds ago, not 90 days ago (the window's third
    // value, set where the first measurement lies inside it — here in every window).
    for window in history["report"]["uptime"].as_array().unwrap() {
        let since = chrono::DateTime::parse_from_rfc3339(window[2].as_str().unwrap()).unwrap();
        let age = chrono::Local::now().fixed_offset() - since;
        assert!(age >= chrono::TimeDelta::zero() && age < chrono::TimeDelta::minutes(2), "{since}");
    }

    let unknown = request(&mut w, &mut reader, r#"{"id":3,"method":"provider_history","provider_id":"nope"}"#);
    assert_eq!(unknown["type"], "error");
    assert!(unknown["message"].as_str().unwrap().contains("nope"), "{unknown}");

    // The window's "Export report…": the resident writes the file where the dialog said.
    let now = chrono::Local::now().fixed_offset();
    let from = (now - chrono::TimeDelta::days(7)).to_rfc3339();
    let out = r.dir.path().join("nachweis.csv");
    let export = serde_json::json!({
        "id": 4, "method": "export_report",
        "request": { "from": from, "to": now.to_rfc3339(), "providers": ["df"], "format": "csv",
                     "path": out.to_str().unwrap(), "language": "de" }
    });
    // One probe holds no time yet: a second one makes the first measured.
    let reply = wait_for("a measured stretch to export", Duration::from_secs(20), || {
        request(&mut w, &mut reader, r#"{"id":6,"method":"check_now"}"#);
        let reply = request(&mut w, &mut reader, &export.to_string());
        assert_eq!(reply["type"], "exported", "{reply}");
        if reply["outcome"]["outcome"] == "refused" {
            assert_eq!(reply["outcome"]["problem"], "no_history", "{reply}");
            assert!(reply["outcome"]["detail"].as_str().unwrap().contains("nothing has been measured"), "{reply}");
            std::thread::sleep(Duration::from_millis(500));
            return None;
        }
        Some(reply)
    });
    assert_eq!(reply["outcome"]["outcome"], "written", "{reply}");
    let written: Vec<&str> =
        reply["outcome"]["files"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect();
    assert!(written.iter().all(|f| std::path::Path::new(f).exists()), "{written:?}");
    let days = std::fs::read_to_string(r.dir.path().join("nachweis-days.csv")).unwrap();
    assert!(days.contains("Anbieter;Tag;") && days.contains("DomainFactory;"), "{days}");
    let bad = serde_json::json!({
        "id": 5, "method": "export_report",
        "request": { "from": from, "to": now.to_rfc3339(), "providers": ["nope"], "format": "pdf",
                     "path": r.dir.path().join("x.pdf").to_str().unwrap(), "language": null }
    });
    let reply = request(&mut w, &mut reader, &bad.to_string());
    assert_eq!(reply["outcome"]["problem"], "unknown_provider", "{reply}");
    assert!(reply["outcome"]["detail"].as_str().unwrap().contains("no provider `nope`"), "{reply}");
    assert!(!r.dir.path().join("x.pdf").exists());
    // A file the resident cannot write is said as such, and leaves nothing behind.
    let unwritable = serde_json::json!({
        "id": 7, "method": "export_report",
        "request": { "from": from, "to": now.to_rfc3339(), "providers": [], "format": "pdf",
                     "path": r.dir.path().join("no-such-dir/x.pdf").to_str().unwrap(), "language": "en" }
    });
    let reply = request(&mut w, &mut reader, &unwritable.to_string());
    assert_eq!(reply["outcome"]["problem"], "unwritable", "{reply}");
    assert!(!r.dir.path().join("no-such-dir").exists());
}

#[test]
fn providers_are_added_from_the_catalog_or_a_detected_url_and_removed_again() {
    let r = start();
    let (mut w, mut reader) = connect(&r);
    let catalog = request(&mut w, &mut reader, r#"{"id":1,"method":"catalog"}"#);
    let presets = catalog["presets"].as_array().unwrap();
    assert!(presets.len() >= 30, "{}", presets.len());
    let df = presets.iter().find(|p| p["id"] == "domainfactory").expect("DomainFactory preset");
    assert!(df["mail"].as_array().unwrap().iter().any(|m| m.as_str().unwrap().starts_with("imap ")), "{df}");

    // Detection of the loopback page gives a preview.
    let detect = format!(r#"{{"id":2,"method":"detect","url":"{}"}}"#, r.server.base_url());
    let found = request(&mut w, &mut reader, &detect);
    assert_eq!(found["type"], "detected", "{found}");
    assert_eq!(found["detection"]["format"], "statuspage");
    assert_eq!(found["detection"]["state"], "operational");
    let bad = request(&mut w, &mut reader, r#"{"id":3,"method":"detect","url":"ftp://x"}"#);
    assert_eq!(bad["type"], "error", "{bad}");

    // Adding writes the config (keeping what was there); the watch reloads the engine.
    let add = format!(
        r#"{{"id":4,"method":"add_provider","provider":{{"id":"mine","name":"Mine","preset":null,"status_page":"{}","status_format":"statuspage"}}}}"#,
        r.server.base_url()
    );
    assert_eq!(request(&mut w, &mut reader, &add)["type"], "done");
    wait_for("the added provider", Duration::from_secs(10), || (provider_ids(&r) == ["df", "mine"]).then_some(()));
    let text = std::fs::read_to_string(r.dir.path().join("config.toml")).unwrap();
    assert!(text.contains("id = \"df\"") && text.contains("id = \"mine\""), "{text}");

    // A duplicate id would not load: refused with a reason, nothing written.
    let again = request(&mut w, &mut reader, &add.replace("\"id\":4", "\"id\":5"));
    assert_eq!(again["type"], "error", "{again}");
    assert_eq!(std::fs::read_to_string(r.dir.path().join("config.toml")).unwrap(), text);

    // Renamed in place, the status page kept: the id (and so the history) stays.
    let edit = request(
        &mut w,
        &mut reader,
        &format!(
            r#"{{"id":7,"method":"edit_provider","provider_id":"mine","name":"Mine (renamed)","status_page":"{}"}}"#,
            r.server.base_url()
        ),
    );
    assert_eq!(edit["type"], "done", "{edit}");
    let text = std::fs::read_to_string(r.dir.path().join("config.toml")).unwrap();
    assert!(text.contains("name = \"Mine (renamed)\"") && text.contains("status_format = \"statuspage\""), "{text}");
    // An empty name is refused with nothing written.
    let refused = request(
        &mut w,
        &mut reader,
        r#"{"id":8,"method":"edit_provider","provider_id":"mine","name":" ","status_page":null}"#,
    );
    assert_eq!(refused["type"], "error", "{refused}");
    assert_eq!(std::fs::read_to_string(r.dir.path().join("config.toml")).unwrap(), text);

    let remove = request(
        &mut w,
        &mut reader,
        r#"{"id":6,"method":"remove_provider","provider_id":"mine","delete_history":true}"#,
    );
    assert_eq!(remove["type"], "done", "{remove}");
    wait_for("the removal", Duration::from_secs(10), || (provider_ids(&r) == ["df"]).then_some(()));
}

#[test]
fn general_settings_are_read_and_written_to_the_config() {
    let r = start();
    let (mut w, mut reader) = connect(&r);
    let read = request(&mut w, &mut reader, r#"{"id":1,"method":"general_settings"}"#);
    assert_eq!(read["type"], "general_settings", "{read}");
    assert_eq!(read["settings"]["interval"], "1m");
    assert_eq!(read["settings"]["language"], "en");

    let set = r#"{"id":2,"method":"set_general_settings","settings":{"interval":"5m","language":"de","quiet_hours":"22:00-07:00","reminder":null}}"#;
    assert_eq!(request(&mut w, &mut reader, set)["type"], "done");
    // The resident reloads: verdicts now speak German.
    wait_for("the German verdict", Duration::from_secs(10), || {
        let reply = request(&mut w, &mut reader, r#"{"id":3,"method":"summary"}"#);
        let text = reply["summary"]["providers"][0]["verdict_text"].as_str().unwrap_or_default().to_owned();
        (text.contains("in Ordnung") || text.contains("noch nicht")).then_some(())
    });
    let text = std::fs::read_to_string(r.dir.path().join("config.toml")).unwrap();
    assert!(text.contains("interval = \"5m\"") && text.contains("quiet_hours = \"22:00-07:00\""), "{text}");

    let bad = r#"{"id":4,"method":"set_general_settings","settings":{"interval":"5s","language":"de","quiet_hours":null,"reminder":null}}"#;
    let refused = request(&mut w, &mut reader, bad);
    assert_eq!(refused["type"], "error", "{refused}");
    assert!(refused["message"].as_str().unwrap().contains("interval"), "{refused}");
    assert_eq!(std::fs::read_to_string(r.dir.path().join("config.toml")).unwrap(), text);
}

/// Connections that never send a line must not hold the socket: measured before, 32 of them
/// delayed every other client by the 60 s idle limit.
#[test]
fn idle_connections_neither_delay_other_clients_nor_stay_open() {
    let r = start();
    let idle: Vec<UnixStream> = (0..80).map(|_| UnixStream::connect(&r.socket).unwrap()).collect();

    let started = std::time::Instant::now();
    let (mut w, mut reader) = connect(&r);
    assert_eq!(request(&mut w, &mut reader, r#"{"id":1,"method":"ping"}"#)["type"], "pong");
    assert!(started.elapsed() < Duration::from_secs(6), "ping took {:?}", started.elapsed());

    // A connection that never sends its first line is closed after a few seconds.
    let mut first = BufReader::new(idle.into_iter().next().unwrap());
    first.get_ref().set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut rest = String::new();
    assert_eq!(first.read_line(&mut rest).unwrap(), 0, "closed without a word: {rest}");
}

/// The current state of provider `df`, asked on a connection of its own.
fn df_state(r: &Resident) -> String {
    let (mut w, mut reader) = connect(r);
    let reply = request(&mut w, &mut reader, r#"{"id":1,"method":"summary"}"#);
    reply["summary"]["providers"][0]["state"].as_str().unwrap_or_default().to_owned()
}

/// Subscribers that never read must neither block the server nor use up the slots of
/// requests: measured before, 32 of them hung the window, `open` and a second launch.
#[test]
fn subscribers_that_never_read_do_not_block_requests_or_new_subscribers() {
    let r = start();
    let stuck: Vec<UnixStream> = (0..40)
        .map(|i| {
            let mut s = UnixStream::connect(&r.socket).unwrap();
            s.write_all(format!("{{\"id\":{i},\"method\":\"subscribe\"}}\n").as_bytes()).unwrap();
            s
        })
        .collect();

    // Several summary changes, each pushed (or queued) to every stuck subscriber.
    for indicator in ["major", "none", "critical", "none"] {
        let before = df_state(&r);
        r.server.set(Behaviour::Ok(statuspage_summary(indicator, None)));
        let (mut w, mut reader) = connect(&r);
        assert_eq!(request(&mut w, &mut reader, r#"{"id":2,"method":"check_now"}"#)["type"], "done");
        wait_for("the summary to change", Duration::from_secs(20), || (df_state(&r) != before).then_some(()));
    }

    let started = std::time::Instant::now();
    let (mut w, mut reader) = connect(&r);
    assert_eq!(request(&mut w, &mut reader, r#"{"id":3,"method":"ping"}"#)["type"], "pong");
    assert_eq!(request(&mut w, &mut reader, r#"{"id":4,"method":"open_window","route":null}"#)["type"], "done");
    assert!(started.elapsed() < Duration::from_secs(3), "took {:?}", started.elapsed());

    // A window that subscribes now still gets its summary.
    let (mut w, mut reader) = connect(&r);
    let first = request(&mut w, &mut reader, r#"{"id":5,"method":"subscribe"}"#);
    assert_eq!((first["type"].as_str(), first["id"].as_i64()), (Some("summary"), Some(5)), "{first}");
    drop(stuck);
}

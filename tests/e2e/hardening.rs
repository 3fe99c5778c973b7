//! The resident on a private session bus with the recording notification server, for the
//! hardening issue: status-page text as markup, quitting with replaced notifications, and a
//! config file deleted while running.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use outage_tests::desktop::{self, DesktopServices, Notified};
use outage_tests::{Anchor, Behaviour, HttpServer, Running, bin, eventually, statuspage_summary};

/// A resident on its own bus, with its own runtime, config and data directories.
struct Session {
    _bus: desktop::Daemon,
    services: DesktopServices,
    bus_address: String,
    dir: tempfile::TempDir,
    server: HttpServer,
    anchor: Anchor,
    config: PathBuf,
}

impl Session {
    async fn start(name: &str) -> Session {
        let (bus, bus_address) = desktop::dbus_session();
        let services = DesktopServices::start(&bus_address).await;
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join("run")).expect("runtime dir");
        let server = HttpServer::start(Behaviour::Ok(statuspage_summary("none", None)));
        let anchor = Anchor::start();
        let config = dir.path().join("config.toml");
        std::fs::write(&config, config_text(&server, &anchor, name)).expect("write config");
        Session { _bus: bus, services, bus_address, dir, server, anchor, config }
    }

    fn socket(&self) -> PathBuf {
        self.dir.path().join("run/outage-notifier/control.sock")
    }

    /// A stand-in for the window: it writes the arguments it was started with.
    fn window_stand_in(&self) -> PathBuf {
        use std::os::unix::fs::PermissionsExt as _;
        let script = self.dir.path().join("window.sh");
        let log = self.dir.path().join("window.log");
        std::fs::write(&script, format!("#!/bin/sh\necho \"$@\" >> '{}'\n", log.display())).expect("script");
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        script
    }

    fn windows_opened(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("window.log")).unwrap_or_default()
    }

    fn resident(&self) -> Running {
        let mut command = Command::new(bin("outage-notifier"));
        command
            .arg("--config")
            .arg(&self.config)
            .arg("--data-dir")
            .arg(self.dir.path().join("data"))
            .env("DBUS_SESSION_BUS_ADDRESS", &self.bus_address)
            .env("XDG_RUNTIME_DIR", self.dir.path().join("run"))
            .env("HOME", self.dir.path())
            .env("XDG_CONFIG_HOME", self.dir.path().join("config"))
            .env("XDG_DATA_HOME", self.dir.path().join("share"))
            .env_remove("OUTAGE_NOTIFIER_SOCKET")
            .env("OUTAGE_NOTIFIER_WINDOW", self.window_stand_in())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        Running(command.spawn().expect("start the resident"))
    }

    /// Waits until the resident answers on its socket. A connection alone is not enough: the
    /// socket is bound first thing, before the resident watches its config file, so an edit
    /// made as soon as it accepts could go unseen.
    async fn wait_for_socket(&self) {
        let socket = self.socket();
        eventually("the control socket", Duration::from_secs(30), || async {
            outage_tests::try_control_roundtrip(&socket, b"{\"id\":1,\"method\":\"summary\"}\n")
                .filter(|reply| reply.contains("\"summary\""))
        })
        .await;
    }

    fn summary(&self) -> String {
        outage_tests::control_roundtrip(&self.socket(), b"{\"id\":1,\"method\":\"summary\"}\n")
    }

    /// Waits for the `n`th notification and returns it.
    async fn notification(&self, n: usize, what: &str) -> Notified {
        eventually(what, Duration::from_secs(30), || async { self.services.notified().get(n - 1).cloned() }).await
    }
}

fn config_text(server: &HttpServer, anchor: &Anchor, name: &str) -> String {
    format!(
        "[settings]\ninterval = \"10s\"\ntimeout = \"5s\"\nlanguage = \"en\"\nconnectivity = [\"{}\"]\n\n\
         [[provider]]\nid = \"df\"\nname = {}\nstatus_page = \"{}\"\n",
        anchor.addr,
        serde_json::to_string(name).expect("a TOML string"),
        server.base_url()
    )
}

fn threads_of(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/task")).map_or(0, Iterator::count)
}

/// Waits up to `limit` for the process to end; the time it took, or `None`.
fn exit_within(resident: &mut Running, limit: Duration) -> Option<Duration> {
    let started = Instant::now();
    while started.elapsed() < limit {
        if let Ok(Some(status)) = resident.0.try_wait() {
            assert!(status.success(), "the resident ended with {status}");
            return Some(started.elapsed());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_page_text_is_escaped_where_the_server_reads_markup() {
    let session = Session::start("AT&T <i>Mail</i>").await;
    session.services.notifications.markup.store(true, Ordering::SeqCst);
    let _resident = session.resident();
    session.wait_for_socket().await;
    let title = "Hostile <b>Inc</b> <img src=x onerror=alert(1)> at AT&T";
    session.server.set(Behaviour::Ok(statuspage_summary("critical", Some(("inc-1", title, "critical")))));
    outage_tests::control_roundtrip(&session.socket(), b"{\"id\":1,\"method\":\"check_now\"}\n");

    let shown = eventually("the outage notification", Duration::from_secs(30), || async {
        session.services.notified().into_iter().find(|n| n.body.contains("Hostile"))
    })
    .await;
    assert_eq!(shown.summary, "AT&amp;T &lt;i&gt;Mail&lt;/i&gt;: major outage");
    assert!(
        shown.body.contains("Hostile &lt;b&gt;Inc&lt;/b&gt; &lt;img src=x onerror=alert(1)&gt; at AT&amp;T"),
        "{}",
        shown.body
    );
    for text in [&shown.summary, &shown.body] {
        assert!(!text.contains('<') && !text.contains('>'), "markup reached the server: {text}");
        assert!(!text.replace("&amp;", "").replace("&lt;", "").replace("&gt;", "").contains('&'), "bare &: {text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plain_text_server_gets_the_text_as_written() {
    let session = Session::start("AT&T").await;
    let _resident = session.resident();
    session.wait_for_socket().await;
    let title = "Hostile <b>Inc</b>";
    session.server.set(Behaviour::Ok(statuspage_summary("critical", Some(("inc-1", title, "critical")))));
    outage_tests::control_roundtrip(&session.socket(), b"{\"id\":1,\"method\":\"check_now\"}\n");
    let shown = eventually("the outage notification", Duration::from_secs(30), || async {
        session.services.notified().into_iter().find(|n| n.body.contains("Hostile"))
    })
    .await;
    // Without body-markup the server shows text as it is: entities would show literally.
    assert_eq!(shown.summary, "AT&T: major outage");
    assert!(shown.body.contains(title), "{}", shown.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quit_after_replaced_notifications_ends_at_once() {
    for how in ["quit", "SIGTERM"] {
        let session = Session::start("DomainFactory").await;
        let mut resident = session.resident();
        session.wait_for_socket().await;
        let pid = resident.0.id();

        std::fs::write(&session.config, "[settings]\ninterval = \"broken 1\"\n").expect("write config");
        let first = session.notification(1, "the first config notice").await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        let threads_before = threads_of(pid);
        for n in 2..=6 {
            std::fs::write(&session.config, format!("[settings]\ninterval = \"broken {n}\"\n")).expect("config");
            let shown = session.notification(n, "a replacing config notice").await;
            assert_eq!(shown.replaces_id, first.id, "each notice replaces the previous one");
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
        let threads_after = threads_of(pid);
        // A waiter per replaced notification would be five more; allow for pool jitter.
        assert!(
            threads_after < threads_before + 3,
            "{how}: replaced notifications pinned threads ({threads_before} → {threads_after})"
        );

        // A click on the latest version still reaches the resident.
        session.services.click(first.id).await;
        eventually("the window opened by the click", Duration::from_secs(10), || async {
            Some(()).filter(|()| session.windows_opened().contains("--route /settings"))
        })
        .await;

        if how == "quit" {
            let reply = outage_tests::control_roundtrip(&session.socket(), b"{\"id\":9,\"method\":\"quit\"}\n");
            assert!(reply.contains("\"done\""), "{reply}");
        } else {
            let status = Command::new("kill").arg("-TERM").arg(pid.to_string()).status().expect("kill");
            assert!(status.success());
        }
        let took = exit_within(&mut resident, Duration::from_secs(1));
        assert!(took.is_some(), "{how}: the resident still runs 1 s later ({} threads)", threads_of(pid));
        eprintln!("{how}: the resident ended {:?} after the request", took.unwrap_or_default());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_config_keeps_the_providers_and_says_so() {
    let session = Session::start("DomainFactory").await;
    let _resident = session.resident();
    session.wait_for_socket().await;
    eventually("the provider in the summary", Duration::from_secs(30), || async {
        Some(()).filter(|()| session.summary().contains("\"DomainFactory\""))
    })
    .await;

    std::fs::remove_file(&session.config).expect("delete the config");
    let notice = session.notification(1, "a notice about the deleted config").await;
    assert_eq!(notice.summary, "Outage Notifier: settings not applied");
    assert!(notice.body.contains("deleted") && notice.body.contains(&*session.config.to_string_lossy()), "{notice:?}");
    // Give a wrong reload every chance to land.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let summary = session.summary();
    assert!(summary.contains("\"DomainFactory\""), "the provider was dropped: {summary}");

    // Putting it back applies it and takes the notice back.
    std::fs::write(&session.config, config_text(&session.server, &session.anchor, "DomainFactory 2"))
        .expect("restore config");
    eventually("the restored config", Duration::from_secs(30), || async {
        Some(()).filter(|()| session.summary().contains("\"DomainFactory 2\""))
    })
    .await;
    eventually("the notice withdrawn", Duration::from_secs(10), || async {
        session.services.notifications.closed.lock().expect("lock").contains(&notice.id).then_some(())
    })
    .await;
}

/// A window beyond the resident's cap (64, left-over windows almost always) exits at once,
/// with its reason on stderr where nobody looks: the person is told in a notification, in
/// their language.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_window_is_told_in_a_notification_in_the_users_language() {
    use std::io::{BufRead as _, BufReader, Write as _};
    use std::os::unix::net::UnixStream;

    let session = Session::start("DomainFactory").await;
    let text = std::fs::read_to_string(&session.config).expect("read config");
    std::fs::write(&session.config, text.replace("language = \"en\"", "language = \"de\"")).expect("write config");
    let _resident = session.resident();
    session.wait_for_socket().await;
    // A window subscribes and gets the summary first; the refused one gets an error instead.
    let subscribe = || {
        let stream = UnixStream::connect(session.socket()).expect("connect");
        stream.set_read_timeout(Some(Duration::from_secs(30))).expect("timeout");
        (&stream).write_all(b"{\"id\":1,\"method\":\"subscribe\"}\n").expect("subscribe");
        let mut reply = String::new();
        BufReader::new(&stream).read_line(&mut reply).expect("a reply");
        (stream, reply)
    };
    let mut windows = Vec::new();
    loop {
        let (stream, reply) = subscribe();
        if reply.contains("\"error\"") {
            assert_eq!(windows.len(), 64, "refused after {} windows: {reply}", windows.len());
            assert!(reply.contains("64 Fenster"), "{reply}");
            break;
        }
        assert!(windows.len() < 64, "a 65th window was let in: {reply}");
        windows.push(stream);
    }
    let notice = session.notification(1, "a notice about the refused window").await;
    assert_eq!(notice.summary, "Outage Notifier: Fenster nicht geöffnet");
    assert!(notice.body.starts_with("Es sind bereits 64 Fenster von Outage Notifier offen."), "{notice:?}");
    assert!(notice.actions.iter().any(|a| a == "default"), "clickable: {:?}", notice.actions);
    // Refused again: the notice is replaced, not stacked.
    let (_, reply) = subscribe();
    assert!(reply.contains("\"error\""), "{reply}");
    let replaced = eventually("the notice replaced", Duration::from_secs(30), || async {
        session.services.notified().get(1).cloned()
    })
    .await;
    assert_eq!(replaced.replaces_id, notice.id, "{replaced:?}");
}

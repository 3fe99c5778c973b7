//! A real full disk under the running resident: its data directory is a small tmpfs in a
//! mount namespace of the test's own (`unshare`), filled up while the resident runs. The
//! evidence record then has a gap, and the summary on the control socket must say so until
//! writes work again.

use std::os::unix::net::UnixStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use outage_tests::{Anchor, Behaviour, HttpServer, bin, statuspage_summary, wait_for, write_config};

/// The resident inside `sh`, which mounts the tmpfs, fills it once the database exists, and
/// frees it again on SIGUSR1.
struct OnSmallDisk {
    shell: Child,
}

impl Drop for OnSmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("kill").arg("-TERM").arg(self.shell.id().to_string()).stderr(Stdio::null()).status();
        let _ = self.shell.wait();
    }
}

const SCRIPT: &str = r#"
set -u
mount -t tmpfs -o size=4m tmpfs "$DATA" || exit 97
"$RESIDENT" --config "$CONFIG" --data-dir "$DATA" &
pid=$!
trap 'kill -TERM $pid' TERM
trap 'rm -f "$DATA/filler"' USR1
while [ ! -e "$DATA/history.sqlite3" ]; do sleep 0.1; done
sleep 1
dd if=/dev/zero of="$DATA/filler" bs=4k 2>/dev/null
touch "$DATA/full"
while kill -0 $pid 2>/dev/null; do wait $pid; done
"#;

fn summary(socket: &std::path::Path) -> serde_json::Value {
    outage_tests::control_summary(socket)
}

#[test]
fn a_full_disk_is_in_the_summary_until_the_history_can_be_written_again() {
    // A user namespace gives the test its own mount table without being root.
    let probe = Command::new("unshare").args(["-Urm", "true"]).status();
    if !probe.is_ok_and(|s| s.success()) {
        eprintln!("skipped: this machine cannot make a mount namespace (unshare -Urm)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let server = HttpServer::start(Behaviour::Ok(statuspage_summary("none", None)));
    let anchor = Anchor::start();
    let config = write_config(dir.path(), &server, &anchor, "10s");
    let data = dir.path().join("data");
    let runtime = dir.path().join("run");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::create_dir_all(&runtime).unwrap();
    let shell = Command::new("unshare")
        .args(["-Urm", "sh", "-c", SCRIPT])
        .env("RESIDENT", bin("outage-notifier"))
        .env("CONFIG", &config)
        .env("DATA", &data)
        .env("XDG_RUNTIME_DIR", &runtime)
        .env("HOME", dir.path().join("home"))
        .env("DBUS_SESSION_BUS_ADDRESS", format!("unix:path={}/no-bus", dir.path().display()))
        .env("OUTAGE_NOTIFIER_WINDOW", "/bin/true")
        .env_remove("OUTAGE_NOTIFIER_SOCKET")
        .env_remove("DISPLAY")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let shell = OnSmallDisk { shell };
    let socket = runtime.join("outage-notifier/control.sock");
    wait_for("the control socket", Duration::from_secs(20), || UnixStream::connect(&socket).ok());

    let failing = wait_for("the full disk in the summary", Duration::from_mins(1), || {
        let s = summary(&socket);
        (!s["storage"].is_null()).then_some(s)
    });
    assert!(failing["storage"]["detail"].as_str().unwrap_or_default().contains("full"), "{failing}");
    assert_eq!(failing["providers"][0]["state"], "operational", "monitoring goes on: {failing}");

    let freed = Instant::now();
    let _ = Command::new("kill").arg("-USR1").arg(shell.shell.id().to_string()).status();
    wait_for("the storage problem to clear", Duration::from_mins(1), || {
        summary(&socket)["storage"].is_null().then_some(())
    });
    eprintln!("writes worked again {:?} after the space came back", freed.elapsed());
}

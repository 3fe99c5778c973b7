//! A network change (an address appears) makes the resident check everything again. The
//! resident runs in a user and network namespace of the test's own, so adding an address
//! touches nothing outside it.

use std::process::{Command, Stdio};
use std::time::Duration;

use outage_tests::{bin, wait_for};

fn logs(dir: &std::path::Path) -> String {
    std::fs::read_dir(dir.join("data/logs"))
        .map(|d| d.flatten().map(|e| std::fs::read_to_string(e.path()).unwrap_or_default()).collect())
        .unwrap_or_default()
}

struct Killed(std::process::Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn a_new_address_makes_the_resident_check_again() {
    let dir = tempfile::tempdir().unwrap();
    // Nothing listens in the new namespace: the checks fail, which is fine; what matters is
    // when they run.
    std::fs::write(
        dir.path().join("config.toml"),
        "[settings]\nlanguage = \"en\"\ninterval = \"10m\"\nconnectivity = [\"127.0.0.1:9\"]\n\n\
         [[provider]]\nid = \"p\"\nstatus_page = \"http://127.0.0.1:9/\"\nstatus_format = \"statuspage\"\n",
    )
    .unwrap();
    let runtime = dir.path().join("run");
    std::fs::create_dir_all(&runtime).unwrap();
    let resident = Command::new("unshare")
        .args(["--user", "--map-root-user", "--net", "sh", "-c", "ip link set lo up && exec \"$@\"", "sh"])
        .arg(bin("outage-notifier"))
        .arg("--config")
        .arg(dir.path().join("config.toml"))
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .env("XDG_RUNTIME_DIR", &runtime)
        .env("HOME", dir.path())
        .env("DBUS_SESSION_BUS_ADDRESS", format!("unix:path={}/no-bus", dir.path().display()))
        .env_remove("DISPLAY")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("unshare (util-linux) runs the resident in a namespace of its own");
    let resident = Killed(resident);
    let pid = resident.0.id().to_string();
    wait_for("the resident to start", Duration::from_secs(15), || {
        logs(dir.path()).contains("resident starting").then_some(())
    });
    // Past the first inventory of addresses, which is no change.
    std::thread::sleep(Duration::from_secs(4));
    assert!(!logs(dir.path()).contains("network changed"), "{}", logs(dir.path()));

    let added = Command::new("nsenter")
        .args([
            "--target",
            &pid,
            "--user",
            "--net",
            "--preserve-credentials",
            "ip",
            "addr",
            "add",
            "10.77.0.1/24",
            "dev",
            "lo",
        ])
        .status()
        .expect("nsenter");
    assert!(added.success(), "adding an address inside the namespace failed");
    wait_for("the resident to notice the new address", Duration::from_secs(10), || {
        logs(dir.path()).contains("network changed; checking everything again").then_some(())
    });
}

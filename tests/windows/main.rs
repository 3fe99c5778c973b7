//! The Windows build of the resident, run for real under Wine: `check --json` against a
//! status page on loopback, and the tray app's named-pipe control channel — the single-
//! instance claim, a second launch asking the first to open its window, `open --route`.
//! `cargo xtask test` cross-builds `outage-notifier.exe` (x86_64-pc-windows-gnu) first and
//! runs this only where that target and Wine are installed.
//!
//! Wine 8 (Debian 12) lacks `ProcessPrng` in bcryptprimitives.dll, which Rust's standard
//! library calls for randomness since 1.78 (Wine 9 has it); `bcryptprimitives.c` beside this
//! file is that one function over the older `RtlGenRandom`, built with mingw for the test.

// In tests a panic is the failure report: unwrap says where.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use outage_tests::desktop::{self, Daemon};
use outage_tests::{Anchor, Behaviour, HttpServer, statuspage_summary, wait_for, workspace};

/// The cross-built resident, beside the host's target directory.
fn exe() -> PathBuf {
    let host = std::env::current_exe().unwrap();
    // target/debug/deps/<test> → target/x86_64-pc-windows-gnu/debug/outage-notifier.exe
    let target = host.parent().and_then(Path::parent).and_then(Path::parent).unwrap();
    let exe = target.join("x86_64-pc-windows-gnu/debug/outage-notifier.exe");
    assert!(
        exe.exists(),
        "{} is missing: `cargo build --target x86_64-pc-windows-gnu -p outage-notifier` (cargo xtask test does)",
        exe.display()
    );
    exe
}

/// Wine's own `Z:` drive maps the Unix root.
fn windows_path(p: &Path) -> String {
    format!("Z:{}", p.display()).replace('/', "\\")
}

/// A Wine prefix of the test's own, with the ProcessPrng shim beside the executable.
struct Wine {
    prefix: tempfile::TempDir,
    display: String,
    _xvfb: Daemon,
}

impl Wine {
    fn start() -> Wine {
        let shim = exe().with_file_name("bcryptprimitives.dll");
        let built = Command::new("x86_64-w64-mingw32-gcc")
            .args(["-shared", "-O2", "-o"])
            .arg(&shim)
            .arg(workspace().join("tests/windows/bcryptprimitives.c"))
            .arg(workspace().join("tests/windows/bcryptprimitives.def"))
            .arg("-ladvapi32")
            .status()
            .expect("x86_64-w64-mingw32-gcc (cargo xtask setup installs gcc-mingw-w64-x86-64)");
        assert!(built.success(), "building the ProcessPrng shim failed");
        let (xvfb, display) = desktop::xvfb();
        let prefix = tempfile::Builder::new().prefix("outage-wine-").tempdir().unwrap();
        let wine = Wine { prefix, display, _xvfb: xvfb };
        // The first start creates the prefix; later ones are quick.
        let out = wine.command().arg("--version").output().expect("wine64 (cargo xtask setup installs it)");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(String::from_utf8_lossy(&out.stdout).starts_with("outage-notifier "), "{out:?}");
        wine
    }

    fn command(&self) -> Command {
        let mut c = Command::new(wine64());
        c.arg(exe())
            .env("WINEPREFIX", self.prefix.path())
            .env("WINEDEBUG", "-all")
            .env("DISPLAY", &self.display)
            // Nothing of the test's own session may leak in: the pipe is named after this.
            .env_remove("OUTAGE_NOTIFIER_SOCKET")
            .stdin(Stdio::null());
        c
    }
}

impl Drop for Wine {
    fn drop(&mut self) {
        let _ = Command::new(wineserver()).arg("-k").env("WINEPREFIX", self.prefix.path()).status();
    }
}

fn wine64() -> PathBuf {
    ["/usr/lib/wine/wine64", "/usr/bin/wine64", "/usr/bin/wine"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .expect("wine64 is not installed (cargo xtask setup installs it)")
}

fn wineserver() -> PathBuf {
    ["/usr/lib/wine/wineserver64", "/usr/lib/wine/wineserver", "/usr/bin/wineserver"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .unwrap_or_else(|| PathBuf::from("wineserver"))
}

fn config(dir: &Path, page: &HttpServer, anchor: &Anchor) -> PathBuf {
    let path = dir.join("config.toml");
    std::fs::write(
        &path,
        format!(
            "[settings]\nlanguage = \"en\"\ninterval = \"1m\"\ntimeout = \"10s\"\nconnectivity = [\"{}\"]\n\n\
             [[provider]]\nid = \"df\"\nname = \"DomainFactory\"\nstatus_page = \"{}\"\nstatus_format = \"statuspage\"\n",
            anchor.addr,
            page.base_url()
        ),
    )
    .unwrap();
    path
}

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

struct Resident(Child);

impl Drop for Resident {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_windows_build_checks_and_keeps_one_resident_over_its_named_pipe() {
    let wine = Wine::start();
    let dir = tempfile::tempdir().unwrap();
    let page = HttpServer::start(Behaviour::Ok(statuspage_summary("none", None)));
    let anchor = Anchor::start();
    let config = windows_path(&config(dir.path(), &page, &anchor));
    let data = windows_path(&dir.path().join("data"));

    // The one-shot check: DESIGN.md's JSON and exit codes.
    let out = wine.command().args(["check", "--json", "--config", &config, "--data-dir", &data]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["providers"][0]["state"], "operational", "{v:#}");
    page.set(Behaviour::Ok(statuspage_summary("major", Some(("inc-1", "Mail servers unreachable", "major")))));
    let out = wine.command().args(["check", "--json", "--config", &config, "--data-dir", &data]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["providers"][0]["incidents"][0]["title"], "Mail servers unreachable", "{v:#}");
    assert!(dir.path().join("data/history.sqlite3").exists(), "the history is kept on Windows too");

    // The tray app: it claims the lock and listens on its pipe. The window it would spawn is
    // a program that exists in every Wine prefix; what matters is that it is asked for.
    let resident = wine
        .command()
        .args(["--config", &config, "--data-dir", &data])
        .env("OUTAGE_NOTIFIER_WINDOW", r"C:\windows\system32\hostname.exe")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let _resident = Resident(resident);
    // The resident's own log file in its data dir, as on every platform.
    let logs = dir.path().join("data/logs");
    let logged = || -> String {
        std::fs::read_dir(&logs)
            .map(|d| d.flatten().map(|e| std::fs::read_to_string(e.path()).unwrap_or_default()).collect())
            .unwrap_or_default()
    };
    wait_for("the resident to start", Duration::from_mins(1), || logged().contains("resident starting").then_some(()));

    // A second launch starts no second engine: it reaches the first over the named pipe.
    let second = wait_for("a second launch to reach the first", Duration::from_mins(1), || {
        let out = wine.command().args(["--config", &config, "--data-dir", &data]).output().unwrap();
        text(&out).contains("already running").then_some(out)
    });
    assert!(second.status.success(), "{}", text(&second));
    wait_for("the resident to start the window", Duration::from_secs(30), || {
        logged().contains("window process").then_some(())
    });

    // `open --route` is a request on the same pipe, answered by the running resident.
    let out = wine.command().args(["open", "--route", "/provider/df", "--config", &config]).output().unwrap();
    assert!(out.status.success(), "{}", text(&out));
    wait_for("a second window request", Duration::from_secs(30), || {
        (logged().matches("window process").count() >= 2).then_some(())
    });
    assert!(page.hits() > 0, "the resident polled the page");
}

//! Benchmark: what the resident costs all day. Starts the release resident with 50 status
//! pages on loopback on a private desktop (Xvfb, D-Bus, a recording notification server, a
//! tray watcher) and prints PSS of the resident alone after the idle period, its idle CPU,
//! how long a notification click takes to show the window, PSS of resident + window (with
//! WebKit's helper processes), and the resident's PSS after the window closed.
//! Usage: bench-memory [IDLE_MINUTES=10]. Prints figures; asserts nothing.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use outage_tests::desktop::{self, DesktopServices};
use outage_tests::{Anchor, Behaviour, HttpServer, cpu_ticks, pss_kib, statuspage_summary};

struct Stopped(Child);

impl Drop for Stopped {
    fn drop(&mut self) {
        let _ = Command::new("kill").arg("-TERM").arg(self.0.id().to_string()).stderr(Stdio::null()).status();
        std::thread::sleep(Duration::from_millis(500));
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The pid and all its descendants (the window spawns WebKit's web and network processes).
fn tree(root: u32) -> Vec<u32> {
    let mut all = vec![root];
    let mut i = 0;
    while i < all.len() {
        let parent = all[i];
        let children = std::fs::read_to_string(format!("/proc/{parent}/task/{parent}/children")).unwrap_or_default();
        all.extend(children.split_whitespace().filter_map(|c| c.parse::<u32>().ok()));
        i += 1;
    }
    all
}

fn mib(kib: u64) -> String {
    // Display only: KiB of a desktop process fit an f64 exactly.
    #[allow(clippy::cast_precision_loss)]
    let m = kib as f64 / 1024.0;
    format!("{m:.1} MiB")
}

fn release_binary(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("bench path");
    let dir = exe.parent().expect("target dir");
    let path = dir.join(name);
    assert!(
        path.exists(),
        "{} is missing: `cargo build --release -p outage-notifier -p outage-notifier-window`",
        path.display()
    );
    path
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let minutes: u64 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(10);
    let resident_bin = release_binary("outage-notifier");
    let window_bin = std::env::var_os("OUTAGE_NOTIFIER_WINDOW")
        .map_or_else(|| release_binary("outage-notifier-window"), PathBuf::from);
    let dir = tempfile::tempdir().expect("tempdir");
    let runtime = dir.path().join("run");
    std::fs::create_dir_all(&runtime).expect("runtime dir");

    let (_xvfb, display) = desktop::xvfb();
    let (_bus, bus) = desktop::dbus_session();
    let services = DesktopServices::start(&bus).await;

    let healthy = statuspage_summary("none", None);
    let server = HttpServer::start(Behaviour::Ok(healthy));
    let anchor = Anchor::start();
    let mut config =
        format!("[settings]\ninterval = \"60s\"\nlanguage = \"en\"\nconnectivity = [\"{}\"]\n", anchor.addr);
    for i in 0..50 {
        let _ = write!(
            config,
            "\n[[provider]]\nid = \"p{i}\"\nname = \"Provider {i}\"\nstatus_page = \"{}page{i}/\"\nstatus_format = \"statuspage\"\n",
            server.base_url()
        );
    }
    let config_path = dir.path().join("config.toml");
    std::fs::write(&config_path, config).expect("config");

    let env = |c: &mut Command| {
        c.env("DISPLAY", &display)
            .env("DBUS_SESSION_BUS_ADDRESS", &bus)
            .env("XDG_RUNTIME_DIR", &runtime)
            .env("HOME", dir.path())
            .env("OUTAGE_NOTIFIER_WINDOW", &window_bin)
            .env_remove("OUTAGE_NOTIFIER_SOCKET")
            .env("WEBKIT_DISABLE_COMPOSITING_MODE", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::null());
    };
    let mut command = Command::new(&resident_bin);
    command.arg("--config").arg(&config_path).arg("--data-dir").arg(dir.path().join("data"));
    env(&mut command);
    let resident = Stopped(command.spawn().expect("start the resident"));
    let pid = resident.0.id();

    println!("memory benchmark: release resident, 50 status pages on loopback, 60 s interval");
    println!("  resident: {}", resident_bin.display());
    println!("  window:   {}", window_bin.display());
    // Let the first round of checks finish before measuring idle CPU.
    tokio::time::sleep(Duration::from_secs(15)).await;
    let ticks_before = cpu_ticks(pid);
    let idle_started = Instant::now();
    let mut peak = 0;
    while idle_started.elapsed() < Duration::from_secs(minutes * 60) {
        tokio::time::sleep(Duration::from_secs(5)).await;
        peak = peak.max(pss_kib(pid));
    }
    let idle = idle_started.elapsed();
    let ticks = cpu_ticks(pid) - ticks_before;
    let alone = pss_kib(pid);
    // Ticks are 1/100 s; the share of one core over the idle period, in percent.
    #[allow(clippy::cast_precision_loss)]
    let cpu_percent = ticks as f64 / idle.as_secs_f64();
    println!("  resident alone after {minutes} min: PSS {} (peak {}), target < 30 MiB", mib(alone), mib(peak));
    println!("  idle CPU over {minutes} min: {cpu_percent:.3} % of one core ({ticks} ticks of 10 ms), target < 0.5 %");

    // An outage on one page: the notification comes; clicking it shows the window.
    server.set(Behaviour::Ok(statuspage_summary("major", Some(("inc-1", "Mail down", "major")))));
    let notified = loop {
        if let Some(n) = services.notified().into_iter().find(|n| n.summary.contains("Provider")) {
            break n;
        }
        // The 60 s interval would make this slow: ask for a check now.
        let _ = outage_tests::control_roundtrip(
            &runtime.join("outage-notifier/control.sock"),
            b"{\"id\":1,\"method\":\"check_now\"}\n",
        );
        tokio::time::sleep(Duration::from_secs(2)).await;
    };
    // The outage itself costs a little (a notification waiting for its click, incident
    // data): measure the window's cost from here.
    tokio::time::sleep(Duration::from_secs(10)).await;
    let before_window = pss_kib(pid);
    println!("  resident with an outage notified, before the window: PSS {}", mib(before_window));
    // Updates replace a notification (same root cause, new id from the server); a person
    // clicks the one on screen, the newest.
    let latest = services.notified().into_iter().rev().find(|n| n.summary.contains("Provider")).unwrap_or(notified);
    let clicked = Instant::now();
    services.click(latest.id).await;
    let window = loop {
        if let Some(w) = desktop::find_window(&display, "Outage Notifier") {
            break w;
        }
        assert!(clicked.elapsed() < Duration::from_secs(60), "no window within 60 s of the click");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    println!("  notification click → window mapped: {} ms, target < 1500 ms", clicked.elapsed().as_millis());
    tokio::time::sleep(Duration::from_secs(10)).await;
    let processes = tree(pid);
    let with_window: u64 = processes.iter().map(|p| pss_kib(*p)).sum();
    println!(
        "  resident + window ({} processes, WebKit's included): PSS {}, target < 250 MiB",
        processes.len(),
        mib(with_window)
    );

    desktop::close_window(&display, window);
    let closed = Instant::now();
    while tree(pid).len() > 1 && closed.elapsed() < Duration::from_secs(60) {
        if desktop::find_window(&display, "Outage Notifier").is_some() && closed.elapsed() > Duration::from_secs(10) {
            desktop::close_window(&display, window);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tokio::time::sleep(Duration::from_secs(10)).await;
    let after = pss_kib(pid);
    // Display only.
    #[allow(clippy::cast_precision_loss)]
    let growth = (after as f64 - before_window as f64) / before_window as f64 * 100.0;
    println!(
        "  resident after the window closed: PSS {} ({growth:+.1} % vs before the window), target within 5 %",
        mib(after)
    );
    drop(resident);
}

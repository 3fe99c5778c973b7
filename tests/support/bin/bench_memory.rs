//! Benchmark: what the resident costs all day. Starts the release resident with 50 status
//! pages on loopback on a private desktop (Xvfb, D-Bus, a recording notification server, a
//! tray watcher) and prints PSS of the resident alone after the idle period, its idle CPU,
//! how long a notification click takes to show the window, PSS of resident + window (with
//! WebKit's helper processes), and the resident's PSS after the window closed — each as the
//! median (min–max) of several runs, with where the resident's and the window's PSS goes.
//!
//! Usage: bench-memory [IDLE_MINUTES=10] [RUNS=3] [--no-window] [--outage-ends]. Prints
//! figures; asserts nothing. `--outage-ends` adds a step after the window: the page turns green
//! again, the all-clear is told (the alert policy waits 10 minutes of calm before it, so the
//! step takes about 12), and a whole interval later the resident's PSS is measured again —
//! whether its memory returns once the outage is over. The environment passes through, so `MALLOC_ARENA_MAX=2 bench-memory 2 3` measures
//! an allocator setting, `BENCH_RESIDENT=old/outage-notifier` another build of the resident,
//! `OUTAGE_NOTIFIER_WINDOW=old/outage-notifier-window` another build of the window, and
//! `WEBKIT_DISABLE_COMPOSITING_MODE=1` a WebKit setting (the window runs as a user's does:
//! the benchmark sets none). `bench-memory 0 5` measures the window five times without the
//! idle period.
//!
//! Each run is a child process of this one (`--run`) in a process group of its own, with
//! everything it starts (Xvfb, D-Bus, the resident, the window and WebKit's helpers) in that
//! group: whatever ends a run — a failed expectation (release builds abort on panic, so no
//! drop guard runs), a signal, a kill — the group is ended by its id afterwards, and the next
//! run starts on a clean machine with its own control socket.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{BufRead as _, BufReader};
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::{Duration, Instant};

use outage_tests::desktop::{self, DesktopServices};
use outage_tests::{Anchor, Behaviour, HttpServer, cpu_ticks, pss_kib, statuspage_summary};

/// The process group of the run under way (0: none), ended by the parent's signal handler.
static RUN_GROUP: AtomicI32 = AtomicI32::new(0);

fn end_group(pgid: i32) {
    if let Some(pid) = rustix::process::Pid::from_raw(pgid) {
        // ESRCH: the group is already gone, which is the point.
        let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::TERM);
        std::thread::sleep(Duration::from_millis(300));
        let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let with_window = !args.iter().any(|a| a == "--no-window");
    let outage_ends = args.iter().any(|a| a == "--outage-ends");
    let numbers: Vec<u64> = args.iter().filter_map(|a| a.parse().ok()).collect();
    let minutes = numbers.first().copied().unwrap_or(10);
    if args.iter().any(|a| a == "--run") {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("the harness's runtime");
        runtime.block_on(run_once(minutes, with_window, outage_ends));
        return;
    }
    let runs = numbers.get(1).copied().unwrap_or(3).max(1);
    parent(minutes, runs, with_window, outage_ends);
}

/// Runs `runs` measurements one after another, each in its own process group, and prints
/// every figure's median (min–max).
fn parent(minutes: u64, runs: u64, with_window: bool, outage_ends: bool) {
    // A Ctrl-C reaches only our own process group: end the run's group too, then leave.
    std::thread::spawn(|| {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("signal runtime");
        runtime.block_on(async {
            use tokio::signal::unix::{SignalKind, signal};
            let mut int = signal(SignalKind::interrupt()).expect("SIGINT");
            let mut term = signal(SignalKind::terminate()).expect("SIGTERM");
            let mut hup = signal(SignalKind::hangup()).expect("SIGHUP");
            tokio::select! { _ = int.recv() => {}, _ = term.recv() => {}, _ = hup.recv() => {} }
        });
        end_group(RUN_GROUP.load(Ordering::SeqCst));
        std::process::exit(130);
    });
    let exe = std::env::current_exe().expect("bench path");
    println!(
        "memory benchmark: release resident, 50 status pages on loopback, 60 s interval; {runs} runs of {minutes} min idle{}",
        if with_window { "" } else { ", without the window" }
    );
    println!(
        "  environment: MALLOC_ARENA_MAX={}, load average {}",
        std::env::var("MALLOC_ARENA_MAX").unwrap_or_else(|_| "(glibc default)".into()),
        load_average()
    );
    let mut figures: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for run in 1..=runs {
        println!("run {run}/{runs}:");
        let mut command = Command::new(&exe);
        command.arg("--run").arg(minutes.to_string()).stdout(Stdio::piped()).process_group(0);
        if !with_window {
            command.arg("--no-window");
        }
        if outage_ends {
            command.arg("--outage-ends");
        }
        let mut child: Child = command.spawn().expect("start a run");
        let pgid = i32::try_from(child.id()).expect("pid");
        RUN_GROUP.store(pgid, Ordering::SeqCst);
        for line in BufReader::new(child.stdout.take().expect("stdout")).lines() {
            let Ok(line) = line else { break };
            if let Some(rest) = line.strip_prefix("FIGURE ") {
                if let Some((name, value)) = rest.rsplit_once(' ')
                    && let Ok(value) = value.parse::<f64>()
                {
                    figures.entry(name.to_owned()).or_default().push(value);
                }
            } else {
                println!("{line}");
            }
        }
        let status = child.wait();
        end_group(pgid);
        RUN_GROUP.store(0, Ordering::SeqCst);
        match status {
            Ok(s) if s.success() => {}
            other => println!("  run {run} did not finish ({other:?}); its processes were ended, figures so far kept"),
        }
    }
    println!("median (min–max) of {runs} runs, load average now {}:", load_average());
    for (name, mut values) in figures {
        values.sort_by(f64::total_cmp);
        let median = if values.len() % 2 == 1 {
            values[values.len() / 2]
        } else {
            f64::midpoint(values[values.len() / 2 - 1], values[values.len() / 2])
        };
        println!("  {name}: {median:.3} ({:.3}–{:.3}, n={})", values[0], values[values.len() - 1], values.len());
    }
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

/// A figure for the parent to collect: one line, the value last.
fn figure(name: &str, value: f64) {
    println!("FIGURE {name} {value}");
}

/// Where a process's PSS goes, by kind of mapping, in KiB.
fn pss_breakdown(pid: u32) -> BTreeMap<&'static str, u64> {
    let exe = std::fs::read_link(format!("/proc/{pid}/exe")).unwrap_or_default();
    let text = std::fs::read_to_string(format!("/proc/{pid}/smaps")).unwrap_or_default();
    let mut out = BTreeMap::new();
    let mut kind = "other";
    for line in text.lines() {
        let mut fields = line.split_whitespace();
        let first = fields.next().unwrap_or_default();
        // A mapping's header: "start-end perms offset dev inode [path]".
        if first.contains('-') && !first.ends_with(':') {
            let perms = fields.next().unwrap_or_default();
            let path = fields.nth(3).unwrap_or_default();
            kind = match path {
                "[heap]" => "heap (brk: glibc's main arena)",
                "[stack]" => "main thread's stack",
                "" => "anonymous (other arenas, thread stacks, large buffers)",
                p if Path::new(p) == exe && perms.contains('x') => "binary: code",
                p if Path::new(p) == exe => "binary: data and relocations",
                p if p.starts_with('/') => "shared libraries and other files",
                _ => "kernel ([vdso], [vvar])",
            };
        } else if first == "Pss:" {
            *out.entry(kind).or_default() += fields.next().and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
        }
    }
    out
}

fn status_field(pid: u32, field: &str) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field).map(|v| v.trim().to_owned()))
        .unwrap_or_default()
}

fn print_breakdown(pid: u32) {
    let parts = pss_breakdown(pid);
    let total: u64 = parts.values().sum();
    println!("    PSS {} in {} threads:", mib(total), status_field(pid, "Threads:"));
    for (kind, kib) in parts {
        println!("      {kind}: {}", mib(kib));
    }
}

// Display only: KiB of a desktop process fit an f64 exactly.
#[allow(clippy::cast_precision_loss)]
fn mib_f(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

/// How much more `kib` is than `base`, in percent (less: negative). Display only.
#[allow(clippy::cast_precision_loss)]
fn percent_more(kib: u64, base: u64) -> f64 {
    (kib as f64 - base as f64) / base as f64 * 100.0
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", mib_f(kib))
}

/// Whether the window shows a page: more than 1 % of its pixels differ from its most common
/// colour. An empty GTK window or a page not painted yet is one colour; the provider's page
/// (bar, headline, verdict, incident) is not, while the "…" before the first data is far
/// below 1 %.
fn painted(display: &str, window: u32) -> bool {
    use x11rb::protocol::xproto::{ConnectionExt as _, ImageFormat};
    let Ok((conn, _)) = x11rb::connect(Some(display)) else { return false };
    let Some(geometry) = conn.get_geometry(window).ok().and_then(|c| c.reply().ok()) else { return false };
    let image = conn
        .get_image(ImageFormat::Z_PIXMAP, window, 0, 0, geometry.width, geometry.height, !0)
        .ok()
        .and_then(|c| c.reply().ok());
    let Some(image) = image else { return false };
    // Xvfb's 24-bit screen stores a pixel in 4 bytes.
    let mut counts: std::collections::HashMap<&[u8], usize> = std::collections::HashMap::new();
    for pixel in image.data.chunks_exact(4) {
        *counts.entry(pixel).or_default() += 1;
    }
    let total = image.data.len() / 4;
    let common = counts.values().copied().max().unwrap_or(0);
    total > 0 && (total - common) * 100 > total
}

fn release_binary(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("bench path");
    let dir = exe.parent().expect("target dir");
    let path = dir.join(name);
    assert!(
        path.exists(),
        "{} is missing: `cargo build --release -p outage-notifier-window`, then `cargo build --release -p \
         outage-notifier` (the resident alone, as `cargo xtask bundle` builds it: its link order names that build's \
         functions)",
        path.display()
    );
    path
}

/// One measurement. Everything it starts inherits its process group, which the parent ends
/// after it, so a failed `expect` here leaves nothing behind.
async fn run_once(minutes: u64, with_window: bool, outage_ends: bool) {
    // Another build side by side (the one before a change): BENCH_RESIDENT=path/to/outage-notifier.
    let built = std::env::var_os("BENCH_RESIDENT").map_or_else(|| release_binary("outage-notifier"), PathBuf::from);
    let window_bin = match std::env::var_os("OUTAGE_NOTIFIER_WINDOW") {
        Some(path) => PathBuf::from(path),
        None if with_window => release_binary("outage-notifier-window"),
        None => PathBuf::from("/nonexistent/outage-notifier-window"),
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let runtime = dir.path().join("run");
    std::fs::create_dir_all(&runtime).expect("runtime dir");
    // The binary's pages are most of the resident's PSS, and PSS splits a file's pages among
    // every process that maps it: another resident of the same build running anywhere (a
    // left-over run, a second benchmark, a developer's) halved the code's share, which was
    // most of the spread between runs (14.5 vs 19.7 MiB). A private copy is mapped by this
    // run's resident alone, as an installed resident is.
    let resident_bin = dir.path().join("outage-notifier");
    std::fs::copy(&built, &resident_bin).expect("copy the resident");
    // This run's own control socket, in a directory only we may enter (the resident refuses
    // any other): a resident left from elsewhere cannot take its clicks.
    let socket_dir = dir.path().join("socket");
    std::os::unix::fs::DirBuilderExt::mode(&mut std::fs::DirBuilder::new(), 0o700)
        .create(&socket_dir)
        .expect("socket dir");
    let socket = socket_dir.join("control.sock");

    let (_xvfb, display) = desktop::xvfb();
    let (_bus, bus) = desktop::dbus_session();
    let services = DesktopServices::start(&bus).await;

    let healthy = statuspage_summary("none", None);
    let server = HttpServer::start(Behaviour::Ok(healthy.clone()));
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

    let mut command = Command::new(&resident_bin);
    command
        .arg("--config")
        .arg(&config_path)
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .env("DISPLAY", &display)
        .env("DBUS_SESSION_BUS_ADDRESS", &bus)
        .env("XDG_RUNTIME_DIR", &runtime)
        .env("HOME", dir.path())
        .env("OUTAGE_NOTIFIER_WINDOW", &window_bin)
        .env("OUTAGE_NOTIFIER_SOCKET", &socket)
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(dir.path().join("resident.log")).expect("resident log"));
    let mut resident = desktop::Daemon(command.spawn().expect("start the resident"));
    let pid = resident.0.id();
    // A resident that ended early would measure as 0 MiB: say why instead.
    let alive = |resident: &mut desktop::Daemon| {
        if let Ok(Some(status)) = resident.0.try_wait() {
            let log = std::fs::read_to_string(dir.path().join("resident.log")).unwrap_or_default();
            panic!("the resident ended early ({status}):\n{log}");
        }
    };

    println!("  resident: {} (a private copy; pid {pid})", built.display());
    // Let the first round of checks finish before measuring idle CPU.
    tokio::time::sleep(Duration::from_secs(15)).await;
    let ticks_before = cpu_ticks(pid);
    let idle_started = Instant::now();
    let mut peak = 0;
    while idle_started.elapsed() < Duration::from_secs(minutes * 60) {
        tokio::time::sleep(Duration::from_secs(5)).await;
        alive(&mut resident);
        peak = peak.max(pss_kib(pid));
    }
    let idle = idle_started.elapsed();
    let ticks = cpu_ticks(pid) - ticks_before;
    let alone = pss_kib(pid);
    // Ticks are 1/100 s; the share of one core over the idle period, in percent.
    #[allow(clippy::cast_precision_loss)]
    let cpu_percent = ticks as f64 / idle.as_secs_f64();
    println!(
        "  resident alone after {minutes} min: PSS {} (peak {}); idle CPU {cpu_percent:.3} % of one core ({ticks} ticks of 10 ms)",
        mib(alone),
        mib(peak)
    );
    print_breakdown(pid);
    figure("resident alone, PSS MiB (goal <= 12)", mib_f(alone));
    figure("resident alone, peak PSS MiB", mib_f(peak));
    figure("idle CPU, % of one core (goal <= 0.1)", cpu_percent);
    if !with_window {
        return;
    }

    // An outage on one page: the notification comes; clicking it shows the window.
    server.set(Behaviour::Ok(statuspage_summary("major", Some(("inc-1", "Mail down", "major")))));
    let asked = Instant::now();
    let notified = loop {
        if let Some(n) = services.notified().into_iter().find(|n| n.summary.contains("Provider")) {
            break n;
        }
        assert!(asked.elapsed() < Duration::from_mins(2), "no notification within 120 s of the outage");
        // The 60 s interval would make this slow: ask for a check now.
        let _ = outage_tests::try_control_roundtrip(&socket, b"{\"id\":1,\"method\":\"check_now\"}\n");
        tokio::time::sleep(Duration::from_secs(2)).await;
    };
    // The outage itself costs a little (a notification waiting for its click, incident
    // data): measure the window's cost from here.
    tokio::time::sleep(Duration::from_secs(10)).await;
    let before_window = pss_kib(pid);
    println!("  resident with an outage notified, before the window: PSS {}", mib(before_window));
    print_breakdown(pid);
    figure("resident with an outage notified, PSS MiB", mib_f(before_window));
    // Updates replace a notification (same root cause, new id from the server); a person
    // clicks the one on screen, the newest.
    let latest = services.notified().into_iter().rev().find(|n| n.summary.contains("Provider")).unwrap_or(notified);
    let clicked = Instant::now();
    services.click(latest.id).await;
    let window = loop {
        if let Some(w) = desktop::find_window(&display, "Outage Notifier") {
            break w;
        }
        assert!(clicked.elapsed() < Duration::from_mins(1), "no window within 60 s of the click");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let click_ms = clicked.elapsed().as_millis();
    // Mapped is when the window manager could show a frame; what a person waits for is the
    // page in it.
    while !painted(&display, window) {
        assert!(clicked.elapsed() < Duration::from_mins(1), "the window showed no page within 60 s of the click");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let paint_ms = clicked.elapsed().as_millis();
    println!("  notification click → window mapped: {click_ms} ms; → the page painted in it: {paint_ms} ms");
    #[allow(clippy::cast_precision_loss)]
    {
        figure("notification click -> window mapped, ms (goal <= 300)", click_ms as f64);
        figure("notification click -> page painted, ms", paint_ms as f64);
    }
    tokio::time::sleep(Duration::from_secs(10)).await;
    let processes = desktop::tree(pid);
    let with_window_kib: u64 = processes.iter().map(|p| pss_kib(*p)).sum();
    println!("  resident + window ({} processes, WebKit's included): PSS {}", processes.len(), mib(with_window_kib));
    for p in &processes {
        let name = std::fs::read_to_string(format!("/proc/{p}/comm")).unwrap_or_default();
        println!("    {}: PSS {}", name.trim(), mib(pss_kib(*p)));
        if *p != pid {
            print_breakdown(*p);
        }
    }
    figure("resident + window, PSS MiB (goal <= 200)", mib_f(with_window_kib));

    desktop::close_window(&display, window);
    let closed = Instant::now();
    while desktop::tree(pid).len() > 1 && closed.elapsed() < Duration::from_mins(1) {
        if desktop::find_window(&display, "Outage Notifier").is_some() && closed.elapsed() > Duration::from_secs(10) {
            desktop::close_window(&display, window);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // A whole interval and more, so that the figure holds what a poll runs: the resident gives
    // its program's pages back when the window has closed (working_set.rs), and measured
    // sooner it would look smaller than it stays.
    tokio::time::sleep(Duration::from_secs(75)).await;
    let after = pss_kib(pid);
    let growth = percent_more(after, before_window);
    let against_alone = percent_more(after, alone);
    println!(
        "  resident after the window closed: PSS {} ({growth:+.1} % vs before the window, {against_alone:+.1} % vs alone)",
        mib(after)
    );
    print_breakdown(pid);
    figure("resident after the window closed, PSS MiB", mib_f(after));
    figure("resident after the window closed vs alone, % (goal <= 5)", against_alone);
    figure("resident after the window closed vs before it, %", growth);
    if outage_ends {
        outage_over(&server, healthy, &services, pid, alone).await;
    }
    drop(resident);
}

/// The page turns green again: the resident sees it at its next poll and tells the all-clear
/// once the provider stayed well for the alert policy's settling time. Measured a whole
/// interval after that, so the figure holds a poll's work, not the moment after it.
async fn outage_over(server: &HttpServer, healthy: Vec<u8>, services: &DesktopServices, pid: u32, alone: u64) {
    let told_before = services.notified().len();
    server.set(Behaviour::Ok(healthy));
    let green = Instant::now();
    // Not "check now": that starts every probe at once, which no user's outage ends with;
    // the regular polls see the page green.
    let all_clear = loop {
        if let Some(n) = services.notified().into_iter().skip(told_before).find(|n| n.summary.contains("Provider")) {
            break n;
        }
        assert!(green.elapsed() < Duration::from_mins(15), "no all-clear within 15 min of the page turning green");
        tokio::time::sleep(Duration::from_secs(5)).await;
    };
    println!("  the all-clear, {} s after the page turned green: {:?}", green.elapsed().as_secs(), all_clear.summary);
    tokio::time::sleep(Duration::from_secs(75)).await;
    let over = pss_kib(pid);
    let against_alone = percent_more(over, alone);
    println!(
        "  resident after the outage ended (the all-clear + 75 s): PSS {} ({against_alone:+.1} % vs alone)",
        mib(over)
    );
    print_breakdown(pid);
    figure("resident after the outage ended, PSS MiB", mib_f(over));
    figure("resident after the outage ended vs alone, %", against_alone);
}

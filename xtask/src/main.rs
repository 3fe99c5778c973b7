//! The developer task runner (`cargo xtask …`): sets up what a fresh machine lacks, builds,
//! runs the app, and runs every test layer. Pure Rust and std only, so it builds in seconds
//! and works on every OS.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

mod link_order;

const USAGE: &str = "\
cargo xtask <task>

  run [-- ARGS]   set up what is missing, build, and start the tray app (ARGS go to it)
  test            set up what is missing and run the whole test suite (Rust, UI, end-to-end)
  setup           only install what is missing (system packages, npm packages)
  bench           run the benchmarks (release builds) and print their figures
  bundle          build the packages users install (Linux: .deb and .rpm), release
  bundle --debug  the same packages from a debug build (what the package test installs)
  bundle --test   the release packages, then the package test against them (as root:
                  installs the .deb, runs it, removes it)
  ui              build the UI into ui/dist
  fuzz [SECONDS]  run every fuzz target for SECONDS (default 60) with nightly and cargo-fuzz
  link-order      write src-tauri/resident/link-order.txt from the release resident run
                  under callgrind (Linux; installs valgrind; about 10 minutes)
";

/// Debian/Ubuntu packages: building the window (WebKitGTK), and the desktop the end-to-end
/// tests run on (Xvfb, a D-Bus daemon, ImageMagick for screenshots).
const APT_BUILD: &[&str] = &["build-essential", "pkg-config", "libwebkit2gtk-4.1-dev", "libxdo-dev", "librsvg2-dev"];
// iproute2: the network-change and window tests bring up loopback in a namespace of their own.
// webkit2gtk-driver: WebKitWebDriver, which tauri-driver drives the window's webview through.
// poppler-utils: the report test reads the PDF's text back (pdftotext) and renders its pages
// (pdftoppm) to look at.
// rpm, desktop-file-utils, appstream: the package test reads the .rpm (rpm -qlp) and
// validates the desktop entry and the AppStream metainfo with their own validators.
// xdotool: the window's export test types the path into the real GTK save dialog, as a person.
const APT_TEST: &[&str] = &[
    "xvfb",
    "xauth",
    "dbus-daemon",
    "imagemagick",
    "iproute2",
    "webkit2gtk-driver",
    "poppler-utils",
    "rpm",
    "desktop-file-utils",
    "appstream",
    "xdotool",
];
/// The mail-probe tests: real Postfix and Dovecot on loopback (tests/mail-servers), test
/// certificates, a keychain (gnome-keyring's Secret Service, driven with dbus-send) in a
/// private D-Bus session, and dnsmasq as a DNS server on loopback.
const APT_MAIL_TEST: &[&str] = &[
    "postfix",
    "dovecot-imapd",
    "dovecot-pop3d",
    "dovecot-lmtpd",
    "dovecot-sieve",
    "openssl",
    "gnome-keyring",
    "dbus-bin",
    "dnsmasq-base",
];
/// The Windows build, cross-compiled and run under Wine (tests/windows): mingw links it and
/// builds the test's ProcessPrng shim.
const APT_WINDOWS_TEST: &[&str] = &["gcc-mingw-w64-x86-64", "wine64"];
const WINDOWS_TARGET: &str = "x86_64-pc-windows-gnu";
/// macOS is type-checked only (xtask/stand-in explains how without an SDK).
const MACOS_TARGET: &str = "x86_64-apple-darwin";
/// Packages whose install scripts start a system daemon. The tests run their own instances
/// on loopback; a system Postfix on port 25 or a Dovecot on 143/993 of every interface would
/// only be an open door, so they are neither started nor enabled.
const SYSTEM_DAEMONS: &[(&str, &str)] = &[("postfix", "postfix"), ("dovecot-core", "dovecot")];
const POLICY: &str = "/usr/sbin/policy-rc.d";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") => run(&args[1..]),
        Some("test") => test(),
        Some("setup") => setup(true),
        Some("ui") => ui_build(),
        Some("bench") => bench(),
        Some("link-order") => link_order::link_order(),
        Some("bundle") => match args.get(1).map(String::as_str) {
            None => bundle(),
            Some("--debug") => debug_packages(),
            Some("--test") => bundle().and_then(|()| package_test(&target_dir().join("release/bundle"))),
            Some(other) => Err(format!("`bundle {other}`: only `--debug` and `--test` are known")),
        },
        Some("fuzz") => match args.get(1).map(|s| s.parse::<u64>()) {
            None => fuzz(60, false),
            Some(Ok(seconds)) if seconds > 0 => fuzz(seconds, false),
            Some(_) => Err(format!("`{}` is not a number of seconds", args[1])),
        },
        _ => {
            eprint!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

type Result<T = ()> = std::result::Result<T, String>;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

fn step(title: &str) {
    eprintln!("\n==> {title}");
}

/// Runs a command in `dir`, failing with its name when it fails.
fn sh(dir: &Path, program: &str, args: &[&str]) -> Result {
    eprintln!("$ {program} {}", args.join(" "));
    let status =
        Command::new(program).args(args).current_dir(dir).status().map_err(|e| format!("cannot run {program}: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("`{program} {}` failed ({status})", args.join(" "))) }
}

fn cargo(args: &[&str]) -> Result {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    sh(&root(), &cargo, args)
}

fn npm(args: &[&str]) -> Result {
    sh(&root().join("ui"), if cfg!(windows) { "npm.cmd" } else { "npm" }, args)
}

fn have(program: &str) -> bool {
    Command::new(program).arg("--version").output().is_ok()
}

/// Installs what is missing. On Debian/Ubuntu it installs system packages with apt (as root,
/// or through sudo); elsewhere it says what to install.
fn setup(with_test_tools: bool) -> Result {
    step("system packages");
    if !have("npm") {
        return Err("Node.js and npm are needed for the UI: install Node.js 20 or newer".into());
    }
    if cfg!(target_os = "linux") {
        let mut wanted: Vec<&str> = APT_BUILD.to_vec();
        if with_test_tools {
            wanted.extend_from_slice(APT_TEST);
            wanted.extend_from_slice(APT_MAIL_TEST);
        }
        if Path::new("/usr/bin/dpkg").exists() {
            let missing: Vec<&str> = wanted.into_iter().filter(|p| !dpkg_installed(p)).collect();
            if missing.is_empty() {
                eprintln!("all present");
            } else {
                apt_install(&missing)?;
            }
        } else {
            eprintln!("not a Debian/Ubuntu system: install the equivalents of {} yourself", wanted.join(", "));
        }
    } else if cfg!(target_os = "macos") {
        eprintln!(
            "macOS: install the Xcode command line tools (`xcode-select --install`); the window uses the system WebView"
        );
    } else if cfg!(windows) {
        eprintln!(
            "Windows: install the Visual Studio C++ build tools and the WebView2 runtime (preinstalled on Windows 11)"
        );
    }

    if with_test_tools
        && cfg!(target_os = "linux")
        && Path::new("/usr/bin/dpkg").exists()
        && rust_target(WINDOWS_TARGET)
    {
        step("the Windows build's tools (mingw, Wine)");
        let missing: Vec<&str> = APT_WINDOWS_TEST.iter().copied().filter(|p| !dpkg_installed(p)).collect();
        if missing.is_empty() {
            eprintln!("all present");
        } else {
            apt_install(&missing)?;
        }
    }

    if with_test_tools && cfg!(target_os = "linux") {
        step("tauri-driver (the window's WebDriver end-to-end test)");
        if have("tauri-driver") {
            eprintln!("present");
        } else {
            // No distribution packages it; it is a crate, built here once into ~/.cargo/bin.
            cargo(&["install", "tauri-driver", "--locked"])?;
        }
    }

    step("npm packages");
    let ui = root().join("ui");
    let stamp = ui.join("node_modules/.package-lock.json");
    let fresh = modified(&stamp)
        .zip(modified(&ui.join("package-lock.json")))
        .is_some_and(|(installed, lock)| installed >= lock);
    if fresh {
        eprintln!("up to date");
    } else {
        npm(&["ci", "--no-audit", "--no-fund"])?;
    }
    Ok(())
}

/// Whether Rust can build for `target` here: its standard library is installed, or rustup can
/// add it now. Where neither works that target's checks are skipped, and say so.
fn rust_target(target: &str) -> bool {
    let installed = || {
        Command::new("rustup")
            .args(["target", "list", "--installed"])
            .output()
            .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).lines().any(|l| l.trim() == target))
    };
    if installed() {
        return true;
    }
    eprintln!("$ rustup target add {target}");
    let added = Command::new("rustup").args(["target", "add", target]).status().is_ok_and(|s| s.success());
    added && installed()
}

/// Clippy over the resident and what it links, for macOS, with the C toolchain stood in for.
fn macos_typecheck() -> Result {
    let stand_in = root().join("xtask/stand-in");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let args = [
        "clippy",
        "--target",
        MACOS_TARGET,
        "-p",
        "outage-core",
        "-p",
        "outage-engine",
        "-p",
        "outage-notifier",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ];
    eprintln!("$ {cargo} {} (C compiler and archiver: xtask/stand-in)", args.join(" "));
    let status = Command::new(&cargo)
        .args(args)
        .current_dir(root())
        .env("CC_x86_64_apple_darwin", stand_in.join("cc"))
        .env("CXX_x86_64_apple_darwin", stand_in.join("cc"))
        .env("AR_x86_64_apple_darwin", stand_in.join("ar"))
        .status()
        .map_err(|e| format!("cannot run {cargo}: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("clippy for {MACOS_TARGET} failed ({status})")) }
}

fn modified(p: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(p).and_then(|m| m.modified()).ok()
}

fn dpkg_installed(package: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", package])
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("install ok installed"))
}

fn apt_install(packages: &[&str]) -> Result {
    let is_root = Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    let mut prefix: Vec<&str> = Vec::new();
    if !is_root {
        if !have("sudo") {
            return Err(format!("missing packages {}: install them as root", packages.join(" ")));
        }
        prefix.push("sudo");
    }
    let run = |args: &[&str]| -> Result {
        let mut full: Vec<&str> = prefix.clone();
        full.extend_from_slice(args);
        let (program, rest) = full.split_first().ok_or("empty command")?;
        eprintln!("$ {}", full.join(" "));
        let status = Command::new(program)
            .args(rest)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
            .map_err(|e| format!("cannot run {program}: {e}"))?;
        if status.success() { Ok(()) } else { Err(format!("`{}` failed", full.join(" "))) }
    };
    if packages.contains(&"postfix") {
        // Otherwise its debconf asks what kind of mail system this is; "No configuration"
        // leaves the system Postfix unconfigured, so it cannot start.
        run(&["sh", "-c", "echo 'postfix postfix/main_mailer_type select No configuration' | debconf-set-selections"])?;
    }
    let daemons: Vec<&str> =
        SYSTEM_DAEMONS.iter().filter(|(package, _)| !dpkg_installed(package)).map(|(_, service)| *service).collect();
    // While installing, a policy-rc.d that answers 101 keeps package scripts from starting
    // services (invoke-rc.d and deb-systemd-invoke ask it). One that exists is left alone.
    let own_policy = !daemons.is_empty() && !Path::new(POLICY).exists();
    if own_policy {
        run(&["sh", "-c", &format!("printf '#!/bin/sh\\nexit 101\\n' > {POLICY} && chmod 755 {POLICY}")])?;
    }
    let installed = run(&["apt-get", "update", "-qq"]).and_then(|()| {
        let mut args = vec!["apt-get", "install", "-y", "-qq", "--no-install-recommends"];
        args.extend_from_slice(packages);
        run(&args)
    });
    if own_policy {
        run(&["rm", "-f", POLICY])?;
    }
    installed?;
    for service in daemons {
        // Not at the next boot either; and stop it, should something have started it anyway.
        let disable = if Path::new("/run/systemd/system").exists() {
            format!("systemctl disable --now {service}")
        } else {
            format!("update-rc.d {service} disable; service {service} stop")
        };
        run(&["sh", "-c", &format!("{disable} >/dev/null 2>&1 || true")])?;
    }
    Ok(())
}

fn ui_build() -> Result {
    setup(false)?;
    step("UI build");
    npm(&["run", "build"])
}

fn run(args: &[String]) -> Result {
    ui_build()?;
    step("build the resident and the window");
    cargo(&["build", "-p", "outage-notifier", "-p", "outage-notifier-window"])?;
    step("start Outage Notifier");
    let resident =
        target_dir().join("debug").join(if cfg!(windows) { "outage-notifier.exe" } else { "outage-notifier" });
    let passed: Vec<&str> = args.iter().map(String::as_str).skip_while(|a| *a == "--").collect();
    sh(&root(), &resident.to_string_lossy(), &passed)
}

/// The bundler's settings for the packages (src-tauri/tauri.bundle.json, merged over
/// tauri.conf.json): file names, desktop entry, icons, metainfo, dependencies, removal script.
const BUNDLE_CONFIG: &str = "src-tauri/tauri.bundle.json";

/// The packages users install (Linux: .deb and .rpm; no AppImage, whose tools Tauri downloads
/// at build time): the window built in release by `tauri build`, with the release resident
/// beside it as Tauri's sidecar (`externalBin`).
fn bundle() -> Result {
    ui_build()?;
    step("the resident, release");
    cargo(&["build", "--release", "-p", "outage-notifier"])?;
    place_sidecar("release")?;
    step("the window and the packages (tauri build)");
    tauri(&["build", "--config", BUNDLE_CONFIG])?;
    eprintln!("packages: {}", target_dir().join("release/bundle").display());
    Ok(())
}

/// The same packages from the debug binaries the test suite has built: `tauri bundle` only
/// packs (a release build of the window from cold costs more than the rest of CI's build).
/// `--no-binary-patching` leaves the built window as the other tests run it.
fn bundle_debug() -> Result {
    place_sidecar("debug")?;
    tauri(&["bundle", "--debug", "--no-binary-patching", "--config", BUNDLE_CONFIG])?;
    // The bundler leaves its staging folders (another copy of both binaries) beside the
    // packages; the disk is shared, and only the packages are read.
    for kind in ["deb", "rpm"] {
        let dir = target_dir().join("debug/bundle").join(kind);
        for entry in std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?.flatten() {
            if entry.path().is_dir() {
                std::fs::remove_dir_all(entry.path()).map_err(|e| format!("{}: {e}", entry.path().display()))?;
            }
        }
    }
    Ok(())
}

/// The package test (tests/package) against the packages in `bundle` (its `deb/` and `rpm/`),
/// which it is told through `OUTAGE_PACKAGES`; without it, it reads the debug packages.
fn package_test(bundle: &Path) -> Result {
    step("the packages: .rpm and .deb read and validated; the .deb installed, run and removed (as root)");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let args = ["test", "-p", "outage-tests", "--test", "package"];
    eprintln!("$ OUTAGE_PACKAGES={} {cargo} {}", bundle.display(), args.join(" "));
    let status = Command::new(&cargo)
        .args(args)
        .env("OUTAGE_PACKAGES", bundle)
        .current_dir(root())
        .status()
        .map_err(|e| format!("cannot run {cargo}: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("the package test failed ({status})")) }
}

fn debug_packages() -> Result {
    ui_build()?;
    step("the resident and the window, debug");
    cargo(&["build", "-p", "outage-notifier", "-p", "outage-notifier-window"])?;
    step("the packages (tauri bundle --debug)");
    bundle_debug()?;
    eprintln!("packages: {}", target_dir().join("debug/bundle").display());
    Ok(())
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root().join("target"), PathBuf::from)
}

fn tauri(args: &[&str]) -> Result {
    let cli = root().join("ui/node_modules/.bin").join(if cfg!(windows) { "tauri.cmd" } else { "tauri" });
    sh(&root(), &cli.to_string_lossy(), args)
}

/// Copies the resident built for `profile` to where Tauri expects a sidecar: named with the
/// target triple, in src-tauri/binaries. Only bundling puts it there, so a plain `cargo build`
/// of the window never needs it.
fn place_sidecar(profile: &str) -> Result {
    let host = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["--version", "--verbose"])
        .output()
        .ok()
        .and_then(|o| {
            String::from_utf8_lossy(&o.stdout).lines().find_map(|l| l.strip_prefix("host: ").map(str::to_owned))
        })
        .ok_or("cannot tell the host target triple from `cargo --version --verbose`")?;
    let exe = if cfg!(windows) { ".exe" } else { "" };
    let built = target_dir().join(profile).join(format!("outage-notifier{exe}"));
    let sidecars = root().join("src-tauri/binaries");
    std::fs::create_dir_all(&sidecars).map_err(|e| format!("{}: {e}", sidecars.display()))?;
    let sidecar = sidecars.join(format!("outage-notifier-{host}{exe}"));
    std::fs::copy(&built, &sidecar).map_err(|e| format!("{} → {}: {e}", built.display(), sidecar.display()))?;
    Ok(())
}

/// Benchmarks print figures; BENCHMARKS.md records them with this command.
fn bench() -> Result {
    step("status pages: parse throughput per format, a full poll of 1,000 pages on loopback");
    cargo(&["run", "--release", "-p", "outage-tests", "--bin", "bench-status", "--", "1000"])?;
    step("history: a year of 1-minute observations for 50 sources");
    cargo(&["run", "--release", "-p", "outage-tests", "--bin", "bench-history", "--", "50", "365"])?;
    step(
        "history connection: the resident's page cache over 16 simulated hours of 50 checks, against SQLite's default",
    );
    cargo(&["run", "--release", "-p", "outage-tests", "--bin", "bench-cache", "--", "16", "50"])?;
    step("bench-report: the evidence PDF over two years × 50 providers");
    cargo(&["run", "--release", "-p", "outage-tests", "--bin", "bench-report", "--", "50", "730"])?;
    step("mail: 200 endpoints probed at once against real Postfix and Dovecot on loopback");
    cargo(&["run", "--release", "-p", "outage-tests", "--bin", "bench-mail", "--", "200"])?;
    step("check: 200 endpoints that never greet, then 200 that answer every line 250 ms late");
    cargo(&["build", "--release", "-p", "outage-notifier"])?;
    cargo(&["run", "--release", "-p", "outage-tests", "--bin", "bench-check", "--", "200", "silent"])?;
    cargo(&["run", "--release", "-p", "outage-tests", "--bin", "bench-check", "--", "200", "slow"])?;
    step("round trip: 50 round trips with test mails in flight against real Postfix and Dovecot, against none");
    cargo(&["run", "--release", "-p", "outage-tests", "--bin", "bench-roundtrip", "--", "50", "5"])?;
    step("memory and idle CPU: the release resident for 10 minutes, then with its window");
    setup(true)?;
    let bench = bench_memory_builds()?.join(if cfg!(windows) { "bench-memory.exe" } else { "bench-memory" });
    sh(&root(), &bench.display().to_string(), &["10"])
}

/// The release builds `bench-memory` runs — the window, the benchmark, the resident — and the
/// directory they are in. The resident alone and last, as `bundle` builds it: built together
/// with the window its generic functions' names differ (features unified), and
/// `link-order.txt` names those of the resident users get.
fn bench_memory_builds() -> Result<PathBuf> {
    npm(&["run", "build"])?;
    cargo(&["build", "--release", "-p", "outage-notifier-window"])?;
    cargo(&["build", "--release", "-p", "outage-tests", "--bin", "bench-memory"])?;
    cargo(&["build", "--release", "-p", "outage-notifier"])?;
    Ok(target_dir().join("release"))
}

fn test() -> Result {
    setup(true)?;

    step("format");
    cargo(&["fmt", "--all", "--check"])?;

    step("core unit tests (also regenerates the UI's IPC types)");
    cargo(&["test", "-p", "outage-core"])?;
    bindings_fresh()?;

    step("UI: types, component tests, build");
    npm(&["run", "check"])?;
    npm(&["test"])?;
    npm(&["run", "build"])?;

    step("layering: core is pure, the engine has no Tauri");
    layering()?;

    step("clippy");
    cargo(&["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"])?;

    step("build the binaries the integration and end-to-end tests run");
    cargo(&["build", "-p", "outage-notifier", "-p", "outage-notifier-window"])?;

    let packages = cfg!(target_os = "linux") && Path::new("/usr/bin/dpkg").exists();
    if packages {
        step("the Linux packages (.deb, .rpm), packed from the debug build");
        let started = std::time::Instant::now();
        bundle_debug()?;
        eprintln!("packed in {:.0} s", started.elapsed().as_secs_f64());
    }

    step("engine, integration and end-to-end tests");
    // The window crate has no tests of its own: it is tested end to end as a binary.
    cargo(&["test", "--workspace", "--exclude", "outage-notifier-window", "--exclude", "outage-core"])?;

    if packages {
        let started = std::time::Instant::now();
        package_test(&target_dir().join("debug/bundle"))?;
        eprintln!("package test in {:.0} s", started.elapsed().as_secs_f64());
    } else {
        eprintln!("\nskipped the package test: not a Debian or Ubuntu system (no dpkg)");
    }

    if cfg!(target_os = "linux") && rust_target(MACOS_TARGET) {
        step("the macOS shell: clippy (type-checked only; nothing here can run it)");
        macos_typecheck()?;
    } else {
        eprintln!(
            "\nskipped the macOS type-check: no {MACOS_TARGET} standard library (rustup target add {MACOS_TARGET})"
        );
    }

    if cfg!(target_os = "linux") && rust_target(WINDOWS_TARGET) && have("x86_64-w64-mingw32-gcc") {
        step("the Windows build: clippy, cross-build, and the resident under Wine");
        let target = ["--target", WINDOWS_TARGET];
        let crates = ["-p", "outage-core", "-p", "outage-engine", "-p", "outage-notifier"];
        cargo(&[&["clippy"][..], &target, &crates, &["--all-targets", "--", "-D", "warnings"]].concat())?;
        cargo(&[&["build"][..], &target, &["-p", "outage-notifier"]].concat())?;
        cargo(&["test", "-p", "outage-tests", "--test", "windows"])?;
    } else {
        eprintln!(
            "\nskipped the Windows build: no {WINDOWS_TARGET} standard library (rustup target add {WINDOWS_TARGET}) or no mingw"
        );
    }
    if nightly() {
        step("fuzz targets: a few seconds each, as a smoke check");
        fuzz(FUZZ_SMOKE_SECONDS, true)?;
    } else {
        eprintln!("\nskipped the fuzz smoke check: no nightly toolchain (rustup toolchain install nightly)");
    }
    eprintln!("\nall test layers passed");
    Ok(())
}

/// DESIGN.md's arrows, checked on the real dependency graph.
fn layering() -> Result {
    let rules: [(&str, &[&str]); 3] = [
        ("outage-core", &["tokio", "reqwest", "rusqlite", "tauri", "gtk", "webkit2gtk"]),
        ("outage-engine", &["tauri", "gtk", "webkit2gtk"]),
        ("outage-notifier", &["tauri", "gtk", "webkit2gtk", "wry"]),
    ];
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    for (package, forbidden) in rules {
        let out = Command::new(&cargo)
            .args(["tree", "-p", package, "-e", "normal", "--prefix", "none", "--format", "{p}"])
            .current_dir(root())
            .output()
            .map_err(|e| format!("cargo tree: {e}"))?;
        if !out.status.success() {
            return Err(format!("cargo tree -p {package} failed: {}", String::from_utf8_lossy(&out.stderr)));
        }
        let tree = String::from_utf8_lossy(&out.stdout);
        let names: Vec<&str> = tree.lines().filter_map(|l| l.split_whitespace().next()).collect();
        let broken: Vec<&str> = forbidden.iter().copied().filter(|f| names.contains(f)).collect();
        if !broken.is_empty() {
            return Err(format!("{package} depends on {}: see ARCHITECTURE.md, Invariants", broken.join(", ")));
        }
        eprintln!("{package}: none of {}", forbidden.join(", "));
    }
    unsafe_only_where_allowed()
}

/// The files that may allow unsafe code (the workspace denies it): each is a small module whose
/// every unsafe call states why it is sound.
const UNSAFE_ALLOWED: [&str; 1] = ["src-tauri/engine/src/working_set.rs"];

/// Unsafe code stays where [`UNSAFE_ALLOWED`] says: the workspace lint is `deny`, which any
/// file could lift for itself.
fn unsafe_only_where_allowed() -> Result {
    // Spelled at run time, so that this file does not count itself.
    let lifts: Vec<String> = ["allow", "expect", "warn"].iter().map(|level| format!("{level}(unsafe_code)")).collect();
    let mut found = Vec::new();
    let mut dirs: Vec<PathBuf> = ["src-tauri", "tests", "xtask", "fuzz"].iter().map(|d| root().join(d)).collect();
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name();
            if path.is_dir() {
                // Build output and generated files are not ours.
                if !matches!(name.to_str(), Some("target" | "gen" | "node_modules" | "corpus" | "artifacts")) {
                    dirs.push(path);
                }
            } else if path.extension().is_some_and(|e| e == "rs")
                && std::fs::read_to_string(&path).is_ok_and(|text| lifts.iter().any(|l| text.contains(l.as_str())))
            {
                let relative = path.strip_prefix(root()).unwrap_or(&path).to_string_lossy().replace('\\', "/");
                if !UNSAFE_ALLOWED.contains(&relative.as_str()) {
                    found.push(relative);
                }
            }
        }
    }
    if !found.is_empty() {
        found.sort();
        return Err(format!("unsafe code allowed outside {}: {}", UNSAFE_ALLOWED.join(", "), found.join(", ")));
    }
    eprintln!("unsafe code: allowed only in {}", UNSAFE_ALLOWED.join(", "));
    Ok(())
}

/// ts-rs opens every file it writes with this line.
const TS_RS_HEADER: &str = "This file was generated by [ts-rs]";

/// The generated TypeScript types must be committed as generated, and live only in
/// `ui/src/bindings`. Cargo run from outside the checkout ignores `.cargo/config.toml`, and
/// ts-rs then writes a second copy to the crate's own `bindings/`, which nothing reads and
/// which goes stale unnoticed. A stray copy fails locally too: deleting it is the whole fix,
/// and there is no half-finished regeneration to wait for as with a stale `ui/src/bindings`.
fn bindings_fresh() -> Result {
    let strays = stray_bindings();
    if !strays.is_empty() {
        return Err(format!(
            "generated TypeScript outside ui/src/bindings (delete it; run cargo from inside the checkout so \
             .cargo/config.toml's TS_RS_EXPORT_DIR applies):\n{}",
            strays.join("\n")
        ));
    }
    let out = Command::new("git").args(["status", "--porcelain", "--", "ui/src/bindings"]).current_dir(root()).output();
    let Ok(out) = out else { return Ok(()) };
    let changed = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    if changed.is_empty() {
        return Ok(());
    }
    let message = format!("ui/src/bindings is stale; commit the regenerated files:\n{changed}");
    if std::env::var_os("CI").is_some() {
        Err(message)
    } else {
        eprintln!("warning: {message}");
        Ok(())
    }
}

/// How long `cargo xtask test` runs each fuzz target: enough to find shallow crashes, not to
/// explore. The smoke check builds without optimisation (`--dev`): it compiles faster, and a
/// few seconds of slower executions cost less than an optimised build; exploring wants speed.
const FUZZ_SMOKE_SECONDS: u64 = 5;

/// Whether rustup has a nightly toolchain (cargo-fuzz needs one for the sanitizer flags).
fn nightly() -> bool {
    Command::new("rustup")
        .args(["toolchain", "list"])
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).lines().any(|l| l.starts_with("nightly")))
}

/// The fuzz targets: one file each in fuzz/fuzz_targets.
fn fuzz_targets(dir: &Path) -> Result<Vec<String>> {
    let entries = std::fs::read_dir(dir.join("fuzz_targets")).map_err(|e| format!("fuzz/fuzz_targets: {e}"))?;
    let mut targets: Vec<String> =
        entries.flatten().filter_map(|e| e.file_name().to_str()?.strip_suffix(".rs").map(str::to_owned)).collect();
    targets.sort();
    Ok(targets)
}

/// Runs every fuzz target for `seconds` with the nightly toolchain. Corpora: what earlier runs
/// found (fuzz/corpus/<target>, kept out of git), the target's hand-written seeds
/// (fuzz/seeds/<target>), and for the status-page targets the recorded payloads in
/// src-tauri/core/tests/fixtures, read in place. A crash stops here with the input saved
/// under fuzz/artifacts/<target>. `smoke` builds without optimisation.
fn fuzz(seconds: u64, smoke: bool) -> Result {
    if !nightly() {
        return Err("fuzzing needs a nightly toolchain: rustup toolchain install nightly".into());
    }
    let root = root();
    let dir = root.join("fuzz");
    let has_cargo_fuzz =
        Command::new("cargo").args(["+nightly", "fuzz", "--version"]).output().is_ok_and(|o| o.status.success());
    if !has_cargo_fuzz {
        step("cargo-fuzz");
        sh(&root, "cargo", &["install", "cargo-fuzz", "--locked"])?;
    }
    // The same dependency versions as the app: start from the workspace's lock file.
    let lock = dir.join("Cargo.lock");
    if !lock.exists() {
        std::fs::copy(root.join("Cargo.lock"), &lock).map_err(|e| format!("copying Cargo.lock: {e}"))?;
    }
    // Sanitizer builds of their own: never mixed with (or invalidating) the normal target dir,
    // but beside it when that is kept outside the clone (CI), so the next run reuses them.
    let target_dir = match (std::env::var_os("OUTAGE_FUZZ_TARGET_DIR"), std::env::var_os("CARGO_TARGET_DIR")) {
        (Some(dir), _) => PathBuf::from(dir),
        (None, Some(normal)) => {
            let mut beside = normal;
            beside.push("-fuzz");
            PathBuf::from(beside)
        }
        (None, None) => dir.join("target"),
    };
    let fixtures = root.join("src-tauri/core/tests/fixtures");
    let max_time = format!("-max_total_time={seconds}");
    for target in fuzz_targets(&dir)? {
        step(&format!("fuzz {target} for {seconds} s"));
        let corpus = dir.join("corpus").join(&target);
        std::fs::create_dir_all(&corpus).map_err(|e| format!("{}: {e}", corpus.display()))?;
        let mut corpora = vec![corpus];
        let seeds = dir.join("seeds").join(&target);
        if seeds.is_dir() {
            corpora.push(seeds);
        }
        if (target.starts_with("format_") || target == "detect") && fixtures.is_dir() {
            corpora.push(fixtures.clone());
        }
        let mut args: Vec<String> = ["+nightly", "fuzz", "run", "--fuzz-dir"].map(str::to_owned).to_vec();
        args.push(dir.display().to_string());
        if smoke {
            args.push("--dev".into());
        }
        args.push("--target-dir".into());
        args.push(target_dir.display().to_string());
        args.push(target.clone());
        args.extend(corpora.iter().map(|c| c.display().to_string()));
        // Seeds larger than this are read truncated; the formats fail fast on cut JSON, and
        // the big recorded pages are not where the short-input bugs hide.
        args.extend(["--".into(), max_time.clone(), "-max_len=65536".into(), "-print_final_stats=1".into()]);
        eprintln!("$ cargo {}", args.join(" "));
        let status = Command::new("cargo")
            .args(&args)
            .current_dir(&dir)
            .env_remove("CARGO_TARGET_DIR")
            .status()
            .map_err(|e| format!("cannot run cargo fuzz: {e}"))?;
        if !status.success() {
            return Err(format!("fuzz target {target} failed ({status}): see fuzz/artifacts/{target}"));
        }
    }
    Ok(())
}

/// Tracked and untracked (not ignored) `.ts` files written by ts-rs outside `ui/src/bindings`.
/// Without git (a source tarball) there is nothing to commit by mistake, so nothing is found.
fn stray_bindings() -> Vec<String> {
    let out = Command::new("git")
        .args(["ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "*.ts"])
        .current_dir(root())
        .output();
    let Ok(out) = out else { return vec![] };
    String::from_utf8_lossy(&out.stdout)
        .split('\0')
        .filter(|path| !path.is_empty())
        .filter(|path| is_stray_binding(path, &file_head(&root().join(path))))
        .map(str::to_owned)
        .collect()
}

/// The first KiB of a file as text; empty when it cannot be read (a tracked file deleted in
/// the work tree is the stale check's business, not this one's).
fn file_head(path: &Path) -> String {
    use std::io::Read as _;
    let mut head = Vec::new();
    if let Ok(file) = std::fs::File::open(path) {
        let _ = file.take(1024).read_to_end(&mut head);
    }
    String::from_utf8_lossy(&head).into_owned()
}

/// Whether a repository path whose file opens with `head` is a ts-rs binding in the wrong place.
fn is_stray_binding(path: &str, head: &str) -> bool {
    let in_bindings = path.starts_with("ui/src/bindings/");
    let in_node_modules = path.split('/').any(|part| part == "node_modules");
    !in_bindings && !in_node_modules && head.contains(TS_RS_HEADER)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsafe_code_is_allowed_only_where_listed() {
        unsafe_only_where_allowed().expect("unsafe code allowed only where listed");
    }

    const GENERATED: &str = "// This file was generated by [ts-rs](https://github.com/Aleph-Alpha/ts-rs). Do not edit this file manually.\nexport type Format = \"feed\";\n";

    #[test]
    fn a_generated_file_outside_ui_bindings_is_stray() {
        assert!(is_stray_binding("src-tauri/core/bindings/Format.ts", GENERATED));
        assert!(is_stray_binding("Format.ts", GENERATED));
        assert!(is_stray_binding("ui/src/Format.ts", GENERATED));
    }

    #[test]
    fn the_real_bindings_hand_written_code_and_node_modules_are_not() {
        assert!(!is_stray_binding("ui/src/bindings/Format.ts", GENERATED));
        assert!(!is_stray_binding("ui/node_modules/some-package/Format.ts", GENERATED));
        assert!(!is_stray_binding("ui/src/backend.ts", "import { invoke } from \"@tauri-apps/api/core\";\n"));
    }
}

//! The Linux packages as a user gets them. `cargo xtask test` packs the debug binaries it built
//! with the same Tauri bundler config as `cargo xtask bundle` (src-tauri/tauri.bundle.json)
//! into `target/debug/bundle/{deb,rpm}`; `cargo xtask bundle --test` runs this against the
//! release packages instead (`OUTAGE_PACKAGES=target/release/bundle`). It reads both
//! packages, validates their desktop entry and AppStream metainfo, and — as root on Debian or
//! Ubuntu — installs the `.deb` with apt, runs it under Xvfb with a private D-Bus session,
//! turns start at login on and off, and removes it again, checking that nothing of it is
//! left; then installs it once more and removes it with nobody running it, while an account
//! that is not logged in keeps a start-at-login entry. It never removes a package it did not
//! install, and removes what it installed even when it fails.

// In tests a panic is the failure report: unwrap says where.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use outage_tests::desktop::{self, DesktopServices};
use outage_tests::{Anchor, Behaviour, HttpServer, Running, eventually, statuspage_summary, workspace, write_config};

const PACKAGE: &str = "outage-notifier";
const RESIDENT: &str = "/usr/bin/outage-notifier";
const WINDOW: &str = "/usr/bin/outage-notifier-window";
const DESKTOP_ENTRY: &str = "/usr/share/applications/outage-notifier.desktop";
const METAINFO: &str = "/usr/share/metainfo/eu.outagenotifier.app.metainfo.xml";
const ICON_SIZES: [u32; 6] = [32, 48, 64, 128, 256, 512];

/// The folder the packages are read from: `$OUTAGE_PACKAGES` if set — `cargo xtask bundle
/// --test` points it at the release packages, `target/release/bundle` — else the debug
/// packages beside this test, `target/debug/bundle`.
fn bundle_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("OUTAGE_PACKAGES") {
        return PathBuf::from(dir);
    }
    let exe = std::env::current_exe().expect("test executable path");
    // target/<profile>/deps/<test> → target/<profile>/bundle
    exe.parent().and_then(Path::parent).expect("target dir").join("bundle")
}

/// The bundle folder's one package file ending in `.<kind>`, in `<kind>/`.
fn package_file(kind: &str) -> PathBuf {
    let dir = bundle_dir().join(kind);
    let found: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e} — `cargo xtask test` packs the debug build there first", dir.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == kind))
        .collect();
    assert_eq!(found.len(), 1, "one .{kind} in {}: {found:?}", dir.display());
    found.into_iter().next().unwrap()
}

/// Runs a program, panicking with its output unless it succeeds; returns its stdout.
fn output(program: &str, args: &[&str]) -> String {
    let out = Command::new(program).args(args).output().unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
    assert!(
        out.status.success(),
        "`{program} {}` failed ({}):\n{}{}",
        args.join(" "),
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn have(program: &str) -> bool {
    Command::new(program).arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok()
}

/// The `.deb`'s files (not directories) as absolute paths: `dpkg-deb -c` prints
/// `-rwxr-xr-x 0/0 123 2026-12-05 14:31 usr/bin/x`, and our paths hold no spaces.
fn deb_files(deb: &Path) -> BTreeSet<String> {
    let listing = output("dpkg-deb", &["-c", &deb.to_string_lossy()]);
    listing
        .lines()
        .filter(|l| !l.starts_with('d'))
        .filter_map(|l| l.split_whitespace().last())
        .map(|p| format!("/{}", p.trim_start_matches("./")))
        .collect()
}

/// The width and height a PNG's header states.
fn png_size(path: &Path) -> (u32, u32) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "{} is not a PNG", path.display());
    let be = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
    (be(16), be(20))
}

/// The program and arguments of a desktop entry's `Exec` key (quoting undone, field codes
/// such as `%U` dropped), the way a desktop launches it.
fn exec_of(entry: &str) -> Vec<String> {
    let value = entry.lines().find_map(|l| l.strip_prefix("Exec=")).expect("an Exec key");
    // The desktop file's string escapes first (`\\` is one backslash), then the Exec quoting.
    let value = value.replace("\\\\", "\\");
    let mut args = Vec::new();
    let mut current = String::new();
    let (mut quoted, mut any) = (false, false);
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                quoted = !quoted;
                any = true;
            }
            '\\' if quoted => current.extend(chars.next()),
            '%' if chars.peek() == Some(&'%') => {
                chars.next();
                current.push('%');
            }
            '%' if !quoted => {
                chars.next();
            }
            ' ' if !quoted => {
                if any || !current.is_empty() {
                    args.push(std::mem::take(&mut current));
                }
                any = false;
            }
            _ => {
                current.push(c);
                any = true;
            }
        }
    }
    if any || !current.is_empty() {
        args.push(current);
    }
    args
}

#[test]
fn exec_lines_are_read_as_a_desktop_reads_them() {
    assert_eq!(exec_of("Exec=outage-notifier-window %U\n"), ["outage-notifier-window"]);
    assert_eq!(exec_of("Exec=\"/usr/bin/outage-notifier\"\n"), ["/usr/bin/outage-notifier"]);
    assert_eq!(
        exec_of("Exec=\"/opt/a b/x\" \"--config=/h/100%% \\\\\"q\\\\\" \\\\$y\"\n"),
        ["/opt/a b/x", "--config=/h/100% \"q\" $y"]
    );
}

#[test]
fn both_packages_carry_the_binaries_entry_icons_and_metainfo_which_validate() {
    for tool in ["dpkg-deb", "rpm", "desktop-file-validate", "appstreamcli"] {
        if !have(tool) {
            eprintln!("skipped: no {tool} here (`cargo xtask setup` installs it on Debian and Ubuntu)");
            return;
        }
    }
    let deb = package_file("deb");
    let files = deb_files(&deb);
    let mut expected: BTreeSet<String> =
        [RESIDENT, WINDOW, DESKTOP_ENTRY, METAINFO].into_iter().map(str::to_owned).collect();
    for size in ICON_SIZES {
        expected.insert(format!("/usr/share/icons/hicolor/{size}x{size}/apps/outage-notifier-window.png"));
    }
    let missing: Vec<&String> = expected.difference(&files).collect();
    assert!(missing.is_empty(), "the .deb lacks {missing:?}; it has {files:?}");

    let depends = output("dpkg-deb", &["-f", &deb.to_string_lossy(), "Depends"]);
    // libc6 2.36: the resident is linked with packed relative relocations (DT_RELR), which
    // older C libraries refuse to load (src-tauri/resident/build.rs).
    for needed in ["libwebkit2gtk-4.1-0", "libgtk-3-0", "dbus-session-bus", "libc6 (>= 2.36)"] {
        assert!(depends.contains(needed), "the .deb does not depend on {needed}: {depends}");
    }
    // Who answers for the package: the name the software centres show (the metainfo's
    // developer), not the bundler's default (the identifier's middle part).
    let maintainer = output("dpkg-deb", &["-f", &deb.to_string_lossy(), "Maintainer"]);
    assert_eq!(maintainer.trim(), "The Outage Notifier developers", "the .deb's Maintainer");
    let scripts = output("dpkg-deb", &["-I", &deb.to_string_lossy()]);
    assert!(scripts.contains("prerm"), "the .deb has no prerm: {scripts}");

    // What a desktop and a software centre read, checked by their own validators.
    let unpacked = tempfile::tempdir().unwrap();
    output("dpkg-deb", &["-x", &deb.to_string_lossy(), &unpacked.path().to_string_lossy()]);
    let at = |path: &str| unpacked.path().join(path.trim_start_matches('/'));
    let report = output("desktop-file-validate", &[&at(DESKTOP_ENTRY).to_string_lossy()]);
    assert!(!report.contains("error:"), "{report}");
    output("appstreamcli", &["validate", "--no-net", "--pedantic", &at(METAINFO).to_string_lossy()]);
    let entry = std::fs::read_to_string(at(DESKTOP_ENTRY)).unwrap();
    assert_eq!(exec_of(&entry), ["outage-notifier-window"], "the menu opens the window: {entry}");
    let metainfo = std::fs::read_to_string(at(METAINFO)).unwrap();
    assert!(metainfo.contains("<launchable type=\"desktop-id\">outage-notifier.desktop</launchable>"));
    for size in ICON_SIZES {
        let icon = at(&format!("/usr/share/icons/hicolor/{size}x{size}/apps/outage-notifier-window.png"));
        assert_eq!(png_size(&icon), (size, size), "{}", icon.display());
    }

    // The .rpm: the same files, the window's libraries, the same removal script.
    let rpm = package_file("rpm");
    let rpm = rpm.to_string_lossy();
    let rpm_files: BTreeSet<String> = output("rpm", &["-qlp", &rpm]).lines().map(str::to_owned).collect();
    assert_eq!(rpm_files, files, "the .rpm and the .deb install different files");
    let requires = output("rpm", &["-qp", "--requires", &rpm]);
    // By library name, which every RPM distribution resolves (Tauri's CLI adds them).
    for needed in ["libwebkit2gtk-4.1.so.0()(64bit)", "libgtk-3.so.0()(64bit)"] {
        assert!(requires.lines().any(|l| l.trim() == needed), "the .rpm does not require {needed}: {requires}");
    }
    let rpm_scripts = output("rpm", &["-qp", "--scripts", &rpm]);
    assert!(
        rpm_scripts.contains("preuninstall") && rpm_scripts.contains("TryExec=$RESIDENT"),
        "the .rpm's removal script: {rpm_scripts}"
    );
}

/// Why the package cannot be installed here, if it cannot: the test then skips, saying so.
fn cannot_install() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let uid = status.lines().find_map(|l| l.strip_prefix("Uid:")).and_then(|v| v.split_whitespace().next());
    if uid != Some("0") {
        return Some("not root: installing a package needs root (CI runs as root)".into());
    }
    if !Path::new("/usr/bin/apt-get").exists() || !Path::new("/usr/bin/dpkg-query").exists() {
        return Some("no apt-get here: the .deb is installed on Debian and Ubuntu only".into());
    }
    let installed = Command::new("dpkg-query").args(["-W", "-f=${Status}", PACKAGE]).output().ok()?;
    let status = String::from_utf8_lossy(&installed.stdout);
    if installed.status.success() && !status.contains("not-installed") {
        return Some(format!(
            "{PACKAGE} is on this machine already ({status}): this test removes only what it installed"
        ));
    }
    for path in [RESIDENT, WINDOW, DESKTOP_ENTRY] {
        if Path::new(path).exists() {
            return Some(format!("{path} exists and belongs to no package of ours: left alone"));
        }
    }
    None
}

/// The installed package, purged when dropped: a failing test leaves the machine as it was.
struct Installed;

impl Drop for Installed {
    fn drop(&mut self) {
        let status = Command::new("apt-get")
            .args(["purge", "-y", "-qq", "-o", "DPkg::Lock::Timeout=300", PACKAGE])
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status();
        if !status.is_ok_and(|s| s.success()) {
            eprintln!("could not purge {PACKAGE}: remove it with `apt-get purge {PACKAGE}`");
        }
    }
}

/// An account of the machine that is not logged in (no process of it runs), with its home in
/// a temporary folder: what the removal script finds in the password database. Deleted from
/// the database when dropped.
struct OtherAccount {
    name: String,
    home: PathBuf,
}

impl OtherAccount {
    fn create(which: &str, home: PathBuf) -> OtherAccount {
        let name = format!("outage-{which}-{}", std::process::id());
        std::fs::create_dir_all(&home).unwrap();
        output(
            "useradd",
            &[
                "--system",
                "--no-create-home",
                "--home-dir",
                &home.to_string_lossy(),
                "--shell",
                "/usr/sbin/nologin",
                &name,
            ],
        );
        OtherAccount { name, home }
    }
}

impl Drop for OtherAccount {
    fn drop(&mut self) {
        if !Command::new("userdel").arg(&self.name).status().is_ok_and(|s| s.success()) {
            eprintln!("could not delete the test account {}: `userdel {}`", self.name, self.name);
        }
    }
}

/// The installed programs' stderr, one file per program, printed when the test fails.
struct Logs(PathBuf);

impl Drop for Logs {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            return;
        }
        for entry in std::fs::read_dir(&self.0).into_iter().flatten().flatten() {
            let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
            eprintln!("--- stderr of {} ---\n{text}", entry.file_name().to_string_lossy());
        }
    }
}

/// Running processes whose executable is the installed resident or window (also after the
/// files are gone: Linux then says `… (deleted)`), as (pid, executable).
fn installed_processes() -> Vec<(u32, String)> {
    let Ok(entries) = std::fs::read_dir("/proc") else { return vec![] };
    entries
        .flatten()
        .filter_map(|e| {
            let pid: u32 = e.file_name().to_str()?.parse().ok()?;
            let exe = std::fs::read_link(e.path().join("exe")).ok()?.to_string_lossy().into_owned();
            let binary = exe.strip_suffix(" (deleted)").unwrap_or(&exe);
            [RESIDENT, WINDOW].contains(&binary).then_some((pid, exe))
        })
        .collect()
}

fn processes_of(runtime: &Path) -> Vec<(u32, String)> {
    desktop::processes_of(runtime)
}

fn windows_of(runtime: &Path) -> Vec<u32> {
    desktop::windows_of(Path::new(WINDOW), runtime)
}

fn residents_of(runtime: &Path) -> Vec<u32> {
    desktop::pids_of(Path::new(RESIDENT), runtime)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_deb_installs_runs_starts_at_login_and_leaves_nothing_when_removed() {
    if let Some(reason) = cannot_install() {
        eprintln!("skipped the .deb's install test: {reason}");
        return;
    }
    let deb = package_file("deb");
    let deb_path = deb.to_string_lossy().into_owned();

    // Only the package itself may come in: its dependencies are installed by `cargo xtask
    // setup`, so removing the package afterwards leaves the machine as it was.
    let simulated = output("apt-get", &["install", "-s", "-o", "DPkg::Lock::Timeout=300", &deb_path]);
    let incoming: Vec<&str> = simulated.lines().filter(|l| l.starts_with("Inst ")).collect();
    assert!(
        incoming.len() == 1 && incoming[0].starts_with(&format!("Inst {PACKAGE} ")),
        "installing the .deb would also bring {incoming:?}: install its dependencies first (cargo xtask setup does)"
    );

    let installed = Installed;
    output("apt-get", &["install", "-y", "-qq", "-o", "DPkg::Lock::Timeout=300", &deb_path]);
    let listed = output("dpkg", &["-L", PACKAGE]);
    let package_files: Vec<&str> = listed.lines().filter(|p| Path::new(p).is_file()).collect();
    for path in [RESIDENT, WINDOW, DESKTOP_ENTRY, METAINFO] {
        assert!(package_files.contains(&path), "{path} is not installed: {package_files:?}");
    }
    // Both binaries are on the PATH a login shell has.
    for (name, path) in [("outage-notifier", RESIDENT), ("outage-notifier-window", WINDOW)] {
        let found = output("sh", &["-c", &format!("PATH=/usr/local/bin:/usr/bin:/bin command -v {name}")]);
        assert_eq!(found.trim(), path);
    }

    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let runtime = home.join("run");
    let config_home = home.join("config");
    std::fs::create_dir_all(&runtime).unwrap();
    // The user's config where the app looks by default: no --config, as after a real install.
    let server = HttpServer::start(Behaviour::Ok(statuspage_summary("none", None)));
    let anchor = Anchor::start();
    let config_dir = config_home.join("outage-notifier");
    std::fs::create_dir_all(&config_dir).unwrap();
    std::fs::rename(write_config(home, &server, &anchor, "10s"), config_dir.join("config.toml")).unwrap();

    let (_xvfb, display) = desktop::xvfb();
    let (_bus, bus_address) = desktop::dbus_session();
    let services = DesktopServices::start(&bus_address).await;
    let session = |c: &mut Command| {
        c.env_clear()
            .env("PATH", "/usr/local/bin:/usr/bin:/bin")
            .env("HOME", home)
            .env("DISPLAY", &display)
            .env("DBUS_SESSION_BUS_ADDRESS", &bus_address)
            .env("XDG_RUNTIME_DIR", &runtime)
            .env("XDG_CONFIG_HOME", &config_home)
            .env("XDG_DATA_HOME", home.join("share"))
            .env("LANG", "C.UTF-8")
            // Xvfb has no GPU: software rendering without compositing is what works there.
            .env("WEBKIT_DISABLE_COMPOSITING_MODE", "1")
            .stdout(Stdio::null());
    };
    let logs = Logs(home.join("logs"));
    std::fs::create_dir_all(&logs.0).unwrap();
    let launch = |args: &[String]| {
        let mut command = Command::new(&args[0]);
        command.args(&args[1..]);
        session(&mut command);
        let name = Path::new(&args[0]).file_name().unwrap().to_string_lossy().into_owned();
        let log = std::fs::OpenOptions::new().create(true).append(true).open(logs.0.join(name)).unwrap();
        command.stderr(log);
        Running(command.spawn().unwrap_or_else(|e| panic!("cannot start {args:?}: {e}")))
    };
    let socket = runtime.join("outage-notifier").join("control.sock");
    let tray_items = || services.watcher.items.lock().unwrap().len();

    // The installed resident, started as a user would start it from a terminal.
    let mut resident = launch(&["outage-notifier".to_owned()]);
    eventually("the installed resident's tray to show the first result", Duration::from_mins(1), || async {
        services.tray_state().await.filter(|t| t.tooltip.contains("All well"))
    })
    .await;

    // The menu's entry opens the window (its Exec line, as the desktop runs it).
    let entry = std::fs::read_to_string(DESKTOP_ENTRY).unwrap();
    let mut window = launch(&exec_of(&entry));
    let shown = eventually("the window from the desktop entry", Duration::from_mins(1), || async {
        desktop::find_window(&display, "Outage Notifier")
    })
    .await;
    assert_eq!(windows_of(&runtime).len(), 1, "one window process: {:?}", processes_of(&runtime));
    assert_eq!(residents_of(&runtime).len(), 1, "the window used the running resident: {:?}", processes_of(&runtime));
    tokio::time::sleep(Duration::from_secs(3)).await;
    let shot = workspace().join("artifacts").join("package-window.png");
    desktop::screenshot(&display, &shot);
    let variation = desktop::variation(&shot, "720x560+0+0");
    assert!(variation > 0.02, "the installed window is blank (variation {variation}): see {}", shot.display());

    // Start at login on: an entry that starts the installed resident alone.
    let autostart = config_home.join("autostart").join("outage-notifier.desktop");
    let reply = outage_tests::control_roundtrip(&socket, b"{\"id\":1,\"method\":\"set_autostart\",\"enabled\":true}\n");
    assert!(reply.contains("\"done\""), "{reply}");
    // "done" says the resident took the request; the entry is written right after.
    let login_entry = eventually("the start-at-login entry", Duration::from_secs(10), || {
        let text = std::fs::read_to_string(&autostart).ok();
        async move { text }
    })
    .await;
    assert_eq!(exec_of(&login_entry), [RESIDENT], "{login_entry}");
    assert!(login_entry.contains(&format!("Exec=\"{RESIDENT}\"\n")), "the path is quoted: {login_entry}");
    let report = output("desktop-file-validate", &[&autostart.to_string_lossy()]);
    assert!(!report.contains("error:"), "{report}");
    let controls = outage_tests::control_roundtrip(&socket, b"{\"id\":2,\"method\":\"controls\"}\n");
    assert!(controls.contains("\"autostart\":true"), "{controls}");

    // Log out: the resident quits and takes its window along.
    desktop::close_window(&display, shown);
    resident.stop();
    eventually("the window to follow its resident", Duration::from_secs(30), || {
        let exited = window.0.try_wait().ok().flatten().is_some();
        async move { exited.then_some(()) }
    })
    .await;
    assert!(residents_of(&runtime).is_empty() && windows_of(&runtime).is_empty());

    // Log in: the session starts the entry's Exec line; the tray comes back, no window does.
    let before = tray_items();
    let mut at_login = launch(&exec_of(&login_entry));
    eventually("the tray after a login", Duration::from_mins(1), || async { (tray_items() > before).then_some(()) })
        .await;
    eventually("the resident to answer on its socket", Duration::from_secs(30), || async {
        outage_tests::try_control_roundtrip(&socket, b"{\"id\":3,\"method\":\"ping\"}\n")
    })
    .await;
    assert_eq!(residents_of(&runtime), vec![at_login.0.id()], "the entry started the resident");
    assert!(windows_of(&runtime).is_empty(), "start at login opens no window");
    assert!(desktop::find_window(&display, "Outage Notifier").is_none(), "start at login opens no window");

    // Off removes the entry; on again, for the removal to find.
    let reply =
        outage_tests::control_roundtrip(&socket, b"{\"id\":4,\"method\":\"set_autostart\",\"enabled\":false}\n");
    assert!(reply.contains("\"done\""), "{reply}");
    eventually("turning start at login off to remove the entry", Duration::from_secs(10), || {
        let gone = !autostart.exists();
        async move { gone.then_some(()) }
    })
    .await;
    let controls = outage_tests::control_roundtrip(&socket, b"{\"id\":5,\"method\":\"controls\"}\n");
    assert!(controls.contains("\"autostart\":false"), "{controls}");
    outage_tests::control_roundtrip(&socket, b"{\"id\":6,\"method\":\"set_autostart\",\"enabled\":true}\n");
    eventually("the entry again", Duration::from_secs(10), || {
        let back = autostart.exists();
        async move { back.then_some(()) }
    })
    .await;
    // And the window open while the package goes.
    let mut window = launch(&exec_of(&entry));
    eventually("the window again", Duration::from_mins(1), || async {
        desktop::find_window(&display, "Outage Notifier")
    })
    .await;

    // Removal: no file of the package, no process of it, no start-at-login entry is left.
    output("apt-get", &["purge", "-y", "-qq", "-o", "DPkg::Lock::Timeout=300", PACKAGE]);
    std::mem::forget(installed);
    let left: Vec<&&str> = package_files.iter().filter(|p| Path::new(p).exists()).collect();
    assert!(left.is_empty(), "removing the package left {left:?}");
    assert!(installed_processes().is_empty(), "processes of the package outlived it: {:?}", installed_processes());
    eventually("everything the app started to end", Duration::from_secs(15), || async {
        processes_of(&runtime).is_empty().then_some(())
    })
    .await;
    assert!(at_login.0.try_wait().unwrap().is_some() && window.0.try_wait().unwrap().is_some());
    assert!(!autostart.exists(), "the removal left the start-at-login entry {}", autostart.display());
    let status = Command::new("dpkg-query").args(["-W", "-f=${Status}", PACKAGE]).output().unwrap();
    let status = String::from_utf8_lossy(&status.stdout);
    assert!(status.is_empty() || status.contains("not-installed"), "{PACKAGE} is still known to dpkg: {status}");

    // Removal again, with nobody running the app: two accounts that are not logged in have
    // an entry each — one had start at login on (the entry the resident wrote above), the
    // other made an entry of the same name for something else, which is theirs and stays.
    let entry_of = |account: &OtherAccount| {
        let dir = account.home.join(".config/autostart");
        std::fs::create_dir_all(&dir).unwrap();
        dir.join("outage-notifier.desktop")
    };
    let other = OtherAccount::create("a", home.join("a"));
    let ours = entry_of(&other);
    let another = OtherAccount::create("b", home.join("b"));
    let theirs = entry_of(&another);
    let their_text = "[Desktop Entry]\nType=Application\nName=My outage script\nExec=/usr/local/bin/outage-notifier\n";
    let installed = Installed;
    output("apt-get", &["install", "-y", "-qq", "-o", "DPkg::Lock::Timeout=300", &deb_path]);
    std::fs::write(&ours, &login_entry).unwrap();
    std::fs::write(&theirs, their_text).unwrap();
    assert!(installed_processes().is_empty(), "nothing of the package runs: {:?}", installed_processes());
    output("apt-get", &["purge", "-y", "-qq", "-o", "DPkg::Lock::Timeout=300", PACKAGE]);
    std::mem::forget(installed);
    assert!(!ours.exists(), "the removal left the entry of an account not logged in: {}", ours.display());
    assert_eq!(std::fs::read_to_string(&theirs).unwrap(), their_text, "the removal touched an entry not ours");
    let left: Vec<&&str> = package_files.iter().filter(|p| Path::new(p).exists()).collect();
    assert!(left.is_empty(), "removing the package left {left:?}");
    drop((other, another));
}

//! A private desktop for end-to-end tests: an Xvfb display, a D-Bus session bus, a
//! notification server that records every `Notify` call and can click them, a
//! StatusNotifierWatcher that lets the tray register, and X11 window helpers.

use std::collections::HashMap;
use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use x11rb::connection::Connection as _;
use x11rb::protocol::xproto::{AtomEnum, ClientMessageEvent, ConnectionExt as _, EventMask, Window};
use zbus::object_server::SignalEmitter;
use zbus::zvariant::OwnedValue;

/// A child process killed when dropped.
#[derive(Debug)]
pub struct Daemon(pub Child);

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `Xvfb` on a free display; returns it with its `DISPLAY` value.
///
/// `-noreset`: an X server resets when its last client disconnects, and a client connecting
/// during the reset fails — a window starting while a test's own short X connection (a
/// window lookup) had just closed died with "Failed to initialize GTK" under load.
pub fn xvfb() -> (Daemon, String) {
    let mut child = Command::new("Xvfb")
        .args(["-displayfd", "1", "-screen", "0", "1024x768x24", "-nolisten", "tcp", "-noreset"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("Xvfb is not installed (cargo xtask setup installs it)");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("Xvfb display");
    (Daemon(child), format!(":{}", line.trim()))
}

/// Starts a private session bus; returns it with its address.
pub fn dbus_session() -> (Daemon, String) {
    let mut child = Command::new("dbus-daemon")
        .args(["--session", "--nofork", "--nopidfile", "--print-address=1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("dbus-daemon is not installed (cargo xtask setup installs it)");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("bus address");
    (Daemon(child), line.trim().to_owned())
}

/// One `Notify` call as the server received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notified {
    pub id: u32,
    pub replaces_id: u32,
    pub app_name: String,
    pub summary: String,
    pub body: String,
    pub actions: Vec<String>,
}

/// org.freedesktop.Notifications that records instead of showing.
///
/// Like dunst and xfce4-notifyd, it tells a notification's clicks and closes only to the
/// connection that sent its latest version, not to the whole bus.
#[derive(Debug, Clone, Default)]
pub struct Recorder {
    pub log: Arc<Mutex<Vec<Notified>>>,
    /// Ids the app asked to close.
    pub closed: Arc<Mutex<Vec<u32>>>,
    /// Advertise `body-markup`, as GNOME, KDE, dunst and mako do.
    pub markup: Arc<AtomicBool>,
    /// The unique bus name that sent each notification's latest version.
    senders: Arc<Mutex<HashMap<u32, String>>>,
    next_id: Arc<Mutex<u32>>,
}

// D-Bus methods are fixed by the specifications: unused receivers and arguments are theirs.
#[allow(clippy::unused_self)]
#[zbus::interface(name = "org.freedesktop.Notifications")]
impl Recorder {
    fn get_capabilities(&self) -> Vec<String> {
        let mut caps = vec!["actions".into(), "body".into()];
        if self.markup.load(Ordering::SeqCst) {
            caps.push("body-markup".into());
        }
        caps
    }

    // zbus hands the message header over by value.
    #[allow(clippy::too_many_arguments, clippy::needless_pass_by_value)]
    fn notify(
        &self,
        app_name: String,
        replaces_id: u32,
        app_icon: String,
        summary: String,
        body: String,
        actions: Vec<String>,
        hints: HashMap<String, OwnedValue>,
        expire_timeout: i32,
        #[zbus(header)] header: zbus::message::Header<'_>,
    ) -> u32 {
        // Part of the method's signature; the tests look only at what the user would read.
        let _ = (app_icon, hints, expire_timeout);
        let id = if replaces_id > 0 {
            replaces_id
        } else {
            let mut next = self.next_id.lock().expect("lock");
            *next += 1;
            *next
        };
        if let Some(sender) = header.sender() {
            self.senders.lock().expect("lock").insert(id, sender.to_string());
        }
        self.log.lock().expect("lock").push(Notified { id, replaces_id, app_name, summary, body, actions });
        id
    }

    fn close_notification(&self, id: u32) {
        self.closed.lock().expect("lock").push(id);
    }

    fn get_server_information(&self) -> (String, String, String, String) {
        ("recorder".into(), "outage-notifier tests".into(), "1".into(), "1.2".into())
    }

    #[zbus(signal)]
    async fn action_invoked(emitter: &SignalEmitter<'_>, id: u32, action_key: &str) -> zbus::Result<()>;
}

/// org.kde.StatusNotifierWatcher with a host "registered", so items register with it.
#[derive(Debug, Clone, Default)]
pub struct Watcher {
    pub items: Arc<Mutex<Vec<String>>>,
}

#[allow(clippy::unused_self)]
#[zbus::interface(name = "org.kde.StatusNotifierWatcher")]
impl Watcher {
    async fn register_status_notifier_item(
        &self,
        service: String,
        #[zbus(header)] header: zbus::message::Header<'_>,
        #[zbus(signal_emitter)] emitter: SignalEmitter<'_>,
    ) {
        let sender = header.sender().map(ToString::to_string).unwrap_or_default();
        // Items may register by object path (then the sender is the service) or by name.
        let item = if service.starts_with('/') { format!("{sender}{service}") } else { service };
        self.items.lock().expect("lock").push(item.clone());
        let _ = Self::status_notifier_item_registered(&emitter, &item).await;
    }

    fn register_status_notifier_host(&self, service: &str) {
        // No test needs the host's name; hosts are always considered present here.
        let _ = service;
    }

    #[zbus(property)]
    fn registered_status_notifier_items(&self) -> Vec<String> {
        self.items.lock().expect("lock").clone()
    }

    #[zbus(property)]
    fn is_status_notifier_host_registered(&self) -> bool {
        true
    }

    #[zbus(property)]
    fn protocol_version(&self) -> i32 {
        0
    }

    #[zbus(signal)]
    async fn status_notifier_item_registered(emitter: &SignalEmitter<'_>, service: &str) -> zbus::Result<()>;

    #[zbus(signal)]
    async fn status_notifier_host_registered(emitter: &SignalEmitter<'_>) -> zbus::Result<()>;
}

/// The notification server and tray watcher, served on the given bus.
#[derive(Debug)]
pub struct DesktopServices {
    pub connection: zbus::Connection,
    pub notifications: Recorder,
    pub watcher: Watcher,
}

impl DesktopServices {
    pub async fn start(address: &str) -> DesktopServices {
        let notifications = Recorder::default();
        let watcher = Watcher::default();
        let connection = zbus::connection::Builder::address(address)
            .expect("address")
            .name("org.freedesktop.Notifications")
            .expect("name")
            .name("org.kde.StatusNotifierWatcher")
            .expect("name")
            .serve_at("/org/freedesktop/Notifications", notifications.clone())
            .expect("serve")
            .serve_at("/StatusNotifierWatcher", watcher.clone())
            .expect("serve")
            .build()
            .await
            .expect("connect to the test bus");
        DesktopServices { connection, notifications, watcher }
    }

    pub fn notified(&self) -> Vec<Notified> {
        self.notifications.log.lock().expect("lock").clone()
    }

    /// Clicks a notification's body, as a user would (`ActionInvoked(id, "default")`), telling
    /// only the connection that sent its latest version.
    pub async fn click(&self, id: u32) {
        let mut emitter = SignalEmitter::new(&self.connection, "/org/freedesktop/Notifications").expect("emitter");
        let sender = self.notifications.senders.lock().expect("lock").get(&id).cloned();
        if let Some(sender) = sender {
            emitter = emitter.set_destination(zbus::names::BusName::try_from(sender).expect("bus name"));
        }
        Recorder::action_invoked(&emitter, id, "default").await.expect("emit ActionInvoked");
    }

    /// The registered tray item as (bus name, object path).
    pub fn tray_item(&self) -> Option<(String, String)> {
        let items = self.watcher.items.lock().expect("lock");
        items.last().map(|item| match item.find('/') {
            Some(i) => (item[..i].to_owned(), item[i..].to_owned()),
            None => (item.clone(), "/StatusNotifierItem".to_owned()),
        })
    }

    /// Reads the tray item's tooltip text, status and icon bytes over D-Bus.
    pub async fn tray_state(&self) -> Option<TrayState> {
        let (service, path) = self.tray_item()?;
        let proxy = zbus::Proxy::new(&self.connection, service, path, "org.kde.StatusNotifierItem").await.ok()?;
        let (_, _, title, description): (String, SniPixmaps, String, String) =
            proxy.get_property("ToolTip").await.ok()?;
        let status: String = proxy.get_property("Status").await.ok()?;
        let icon: SniPixmaps = proxy.get_property("IconPixmap").await.ok()?;
        Some(TrayState {
            tooltip: format!("{title}: {description}"),
            status,
            icon: icon.into_iter().flat_map(|i| i.2).collect(),
        })
    }
}

/// SNI pixmaps: (width, height, ARGB32 bytes) per size.
type SniPixmaps = Vec<(i32, i32, Vec<u8>)>;

/// What the tray shows, as read over D-Bus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrayState {
    pub tooltip: String,
    pub status: String,
    pub icon: Vec<u8>,
}

/// The window processes of a test: a window forks its WebKit helpers, and until a helper
/// has exec'd it still shows the window's binary — a child of a window is not a window.
pub fn windows_of(exe: &Path, runtime: &Path) -> Vec<u32> {
    let pids = pids_of(exe, runtime);
    let parent = |pid: u32| {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        status.lines().find_map(|l| l.strip_prefix("PPid:")).and_then(|v| v.trim().parse::<u32>().ok())
    };
    pids.iter().copied().filter(|pid| !parent(*pid).is_some_and(|p| pids.contains(&p))).collect()
}

/// The pids of running processes of a test (their `XDG_RUNTIME_DIR` is `runtime`) whose
/// executable is `exe`; processes of other runs on the same machine do not count.
pub fn pids_of(exe: &Path, runtime: &Path) -> Vec<u32> {
    let exe = exe.display().to_string();
    processes_of(runtime).into_iter().filter(|(_, e)| *e == exe).map(|(pid, _)| pid).collect()
}

/// Live processes started with `runtime` as their `XDG_RUNTIME_DIR` — the app under test and
/// everything it started —, as (pid, executable; empty where it cannot be read).
pub fn processes_of(runtime: &Path) -> Vec<(u32, String)> {
    let Ok(entries) = std::fs::read_dir("/proc") else { return vec![] };
    let marker = format!("XDG_RUNTIME_DIR={}", runtime.display());
    entries
        .flatten()
        .filter_map(|e| {
            let pid: u32 = e.file_name().to_str()?.parse().ok()?;
            let environ = std::fs::read(e.path().join("environ")).ok()?;
            let state = std::fs::read_to_string(e.path().join("stat")).ok()?;
            // A zombie is gone already; only its parent's wait is missing.
            let zombie = state.rsplit(')').next().is_some_and(|rest| rest.trim_start().starts_with('Z'));
            let exe = std::fs::read_link(e.path().join("exe")).map(|p| p.display().to_string()).unwrap_or_default();
            (environ.split(|b| *b == 0).any(|var| var == marker.as_bytes()) && !zombie).then_some((pid, exe))
        })
        .collect()
}

/// The pid and all its descendants (the window spawns WebKit's web and network processes).
pub fn tree(root: u32) -> Vec<u32> {
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

/// The GL driver files a process has mapped: Mesa's EGL and GLX vendor libraries and its DRI
/// drivers (which bring libLLVM along). The window draws in software, so its process should
/// map none (`outage_core::webview`); WebKit's web process sets up EGL itself.
pub fn gl_drivers(pid: u32) -> Vec<String> {
    let maps = std::fs::read_to_string(format!("/proc/{pid}/maps")).unwrap_or_default();
    let mut files: Vec<String> = maps
        .lines()
        .filter_map(|line| line.split_whitespace().nth(5))
        .filter(|path| {
            let name = path.rsplit('/').next().unwrap_or(path);
            name.starts_with("libEGL_mesa") || name.starts_with("libGLX_mesa") || name.ends_with("_dri.so")
        })
        .map(str::to_owned)
        .collect();
    files.dedup();
    files
}

/// KiB of `exe`'s code that process `pid` has in memory (the `Rss` of its executable
/// mappings of that file).
pub fn code_in_memory(pid: u32, exe: &Path) -> u64 {
    let smaps = std::fs::read_to_string(format!("/proc/{pid}/smaps")).unwrap_or_default();
    let exe = exe.to_string_lossy();
    let mut in_code = false;
    let mut kib = 0;
    for line in smaps.lines() {
        let mut parts = line.split_whitespace();
        let first = parts.next().unwrap_or("");
        if first.contains('-') && first.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
            let perms = parts.next().unwrap_or("");
            in_code = perms.contains('x') && line.ends_with(exe.as_ref());
        } else if in_code && first == "Rss:" {
            kib += parts.next().and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
        }
    }
    kib
}

/// Finds a mapped top-level window by its exact title.
pub fn find_window(display: &str, title: &str) -> Option<Window> {
    let (conn, screen) = x11rb::connect(Some(display)).ok()?;
    let root = conn.setup().roots[screen].root;
    let tree = conn.query_tree(root).ok()?.reply().ok()?;
    let net_wm_name = conn.intern_atom(false, b"_NET_WM_NAME").ok()?.reply().ok()?.atom;
    let utf8 = conn.intern_atom(false, b"UTF8_STRING").ok()?.reply().ok()?.atom;
    tree.children.into_iter().find(|w| {
        let mapped = conn
            .get_window_attributes(*w)
            .ok()
            .and_then(|c| c.reply().ok())
            .is_some_and(|a| a.map_state == x11rb::protocol::xproto::MapState::VIEWABLE);
        let name = conn
            .get_property(false, *w, net_wm_name, utf8, 0, 1024)
            .ok()
            .and_then(|c| c.reply().ok())
            .map(|r| String::from_utf8_lossy(&r.value).into_owned())
            .filter(|n| !n.is_empty())
            .or_else(|| {
                conn.get_property(false, *w, AtomEnum::WM_NAME, AtomEnum::STRING, 0, 1024)
                    .ok()
                    .and_then(|c| c.reply().ok())
                    .map(|r| String::from_utf8_lossy(&r.value).into_owned())
            });
        mapped && name.as_deref() == Some(title)
    })
}

/// Asks a window to close the way a window manager's close button does (WM_DELETE_WINDOW).
pub fn close_window(display: &str, window: Window) {
    let (conn, _) = x11rb::connect(Some(display)).expect("connect to X");
    let protocols = conn.intern_atom(false, b"WM_PROTOCOLS").expect("atom").reply().expect("atom").atom;
    let delete = conn.intern_atom(false, b"WM_DELETE_WINDOW").expect("atom").reply().expect("atom").atom;
    let event = ClientMessageEvent::new(32, window, protocols, [delete, x11rb::CURRENT_TIME, 0, 0, 0]);
    conn.send_event(false, window, EventMask::NO_EVENT, event).expect("send");
    conn.flush().expect("flush");
}

/// Saves a screenshot of the whole display (ImageMagick's `import`).
pub fn screenshot(display: &str, path: &Path) {
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let status = Command::new("import").env("DISPLAY", display).args(["-window", "root"]).arg(path).status();
    assert!(status.is_ok_and(|s| s.success()), "screenshot with ImageMagick's import failed");
}

/// How much a screenshot varies (grey-level standard deviation, 0 for one flat colour), over
/// `geometry` (ImageMagick's `WxH+X+Y`): a page that failed to load is a blank rectangle.
pub fn variation(path: &Path, geometry: &str) -> f64 {
    let out = Command::new("convert")
        .arg(path)
        .args(["-crop", geometry, "-colorspace", "gray", "-format", "%[fx:standard_deviation]", "info:"])
        .output()
        .expect("ImageMagick's convert");
    // A failed measurement is not a blank page: say what failed (a window that rendered was
    // once reported "blank (variation 0)" with its screenshot showing the page).
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "convert could not measure {}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    text.trim().parse().unwrap_or_else(|e| panic!("convert's figure for {} is `{text}`: {e}", path.display()))
}

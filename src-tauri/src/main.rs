//! `outage-notifier-window`: the on-demand window. Spawned by the resident (or from the
//! desktop menu, then it starts the resident), it shows the UI, forwards every IPC command
//! to the resident over the control socket, and exits when its window closes.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod ipc;

use std::sync::Mutex;

use ipc::handler;
use tauri::{Emitter as _, Manager as _};

fn main() {
    #[cfg(target_os = "linux")]
    take_settings();
    let route = route_argument(std::env::args().skip(1));
    let socket = match outage_engine::paths::Paths::resolve(None, None) {
        Ok(paths) => paths.socket,
        Err(e) => {
            eprintln!("outage-notifier-window: {e}");
            std::process::exit(2);
        }
    };
    let state = ipc::WindowState { socket, route: Mutex::new(route), chosen: Mutex::new(Vec::new()) };

    let app = tauri::Builder::default()
        .manage(state)
        // Links are opened by `ipc::open_link` only; the page's own <a> clicks are not hooked.
        .plugin(tauri_plugin_opener::Builder::new().open_js_links_on_click(false).build())
        // The file choosers (a CA file, where to save a report), used by the `pick_file` and
        // `choose_report_file` commands only (no permission lets the page call the plugin).
        .plugin(tauri_plugin_dialog::init())
        // The command list's forwarding commands plus the hand-written ones (`ipc::handler`).
        .invoke_handler(outage_core::with_commands!(handler, @names []))
        .setup(|app| {
            let config = app.config().app.windows.first().cloned().ok_or("no window in tauri.conf.json")?;
            let builder = tauri::WebviewWindowBuilder::from_config(app.handle(), &config)?;
            #[cfg(target_os = "linux")]
            let builder = builder.on_page_load(|_, payload| {
                if payload.event() == tauri::webview::PageLoadEvent::Finished {
                    give_back_start_up();
                }
            });
            let window = builder.build()?;
            // Settings, not a requirement: a window that cannot take them still works.
            #[cfg(target_os = "linux")]
            if let Err(e) = window.with_webview(|webview| small_window(&webview)) {
                eprintln!("outage-notifier-window: WebKit settings not applied: {e}");
            }
            #[cfg(not(target_os = "linux"))]
            let _ = window;
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move { follow_resident(handle).await });
            Ok(())
        })
        .build(tauri::generate_context!());
    match app {
        Ok(app) => app.run(|_, _| {}),
        Err(e) => {
            eprintln!("outage-notifier-window: {e}");
            std::process::exit(1);
        }
    }
}

/// A window started from the desktop menu lacks the environment the resident gives the window
/// it opens (`outage_core::webview`): it starts once more with it, before GTK or WebKit has
/// read its environment. `exec` keeps the process, so whoever started it — the menu,
/// WebDriver — still has it; once the settings are there, nothing is missing and it goes on.
#[cfg(target_os = "linux")]
fn take_settings() {
    use std::os::unix::process::CommandExt as _;
    let missing = outage_core::webview::missing(|name| std::env::var_os(name).is_some());
    if missing.is_empty() {
        return;
    }
    let mut args = std::env::args_os();
    let (Ok(exe), Some(name)) = (std::env::current_exe(), args.next()) else { return };
    let error = std::process::Command::new(exe).arg0(name).args(args).envs(missing).exec();
    // Settings, not a requirement: a window that cannot start again starts without them.
    eprintln!("outage-notifier-window: started without its window settings: {error}");
}

/// WebKit's settings for a small window that lives for a minute: drawn in software (no GPU
/// context: no GL driver in the web process, nothing to set up before the first frame — the
/// page has no animation or 3-D that a GPU would speed up), no WebGL or Web Audio (the page
/// uses neither; wry turns them on), no back-forward page cache (the page never navigates)
/// and WebKit's smallest memory caches (the document-viewer model: the page is one local
/// document, never reloaded from a network).
#[cfg(target_os = "linux")]
fn small_window(webview: &tauri::webview::PlatformWebview) {
    use webkit2gtk::{CacheModel, HardwareAccelerationPolicy, SettingsExt as _, WebContextExt as _, WebViewExt as _};
    let view = webview.inner();
    if let Some(settings) = view.settings() {
        settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
        settings.set_enable_webgl(false);
        settings.set_enable_webaudio(false);
        settings.set_enable_page_cache(false);
    }
    if let Some(context) = view.context() {
        context.set_cache_model(CacheModel::DocumentViewer);
    }
}

/// How long after its page has loaded the window gives back what its start-up touched: the
/// page's first requests to the resident and its first paint come within a second.
#[cfg(target_os = "linux")]
const SETTLED: std::time::Duration = std::time::Duration::from_secs(5);

/// Once, [`SETTLED`] after the page first loaded: the window process's start-up — GTK,
/// WebKit's UI side, Tauri's setup — touched far more of its libraries and its binary than
/// showing the page does, and the C library keeps the heap that start-up freed
/// (`outage_engine::working_set`). On a quiet machine the window process held 51.6 MiB ten
/// seconds after the click and 43.3 MiB with its clean pages given back (BENCHMARKS.md).
/// What the page needs afterwards comes back from the page cache as it runs.
#[cfg(target_os = "linux")]
fn give_back_start_up() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        std::thread::spawn(|| {
            std::thread::sleep(SETTLED);
            // Memory, not a requirement: a window that cannot give it back works all the same.
            if let Err(e) = outage_engine::working_set::trim() {
                eprintln!("outage-notifier-window: cannot give back its start-up pages: {e}");
            }
        });
    });
}

fn route_argument(mut args: impl Iterator<Item = String>) -> Option<String> {
    while let Some(arg) = args.next() {
        if arg == "--route" {
            return args.next();
        }
        if let Some(route) = arg.strip_prefix("--route=") {
            return Some(route.to_owned());
        }
    }
    None
}

/// Mirrors the resident's pushes into the page; closes the window when the resident ends.
async fn follow_resident(app: tauri::AppHandle) {
    let socket = app.state::<ipc::WindowState>().socket.clone();
    let mut client = match ipc::connect_or_start(&socket).await {
        Ok(c) => c,
        Err(e) => {
            eprintln!("outage-notifier-window: {e}");
            app.exit(1);
            return;
        }
    };
    if let Err(e) = client.subscribe().await {
        match e {
            // The resident's own words, in the user's language (too many windows open); the
            // person sees them in the notification the resident shows for the refusal.
            outage_engine::control::ClientError::Refused(message) => eprintln!("outage-notifier-window: {message}"),
            e => eprintln!("outage-notifier-window: {e}"),
        }
        app.exit(1);
        return;
    }
    loop {
        match client.next_message().await {
            Ok(outage_core::protocol::ServerMessage::Update { summary }) => {
                let _ = app.emit("summary", summary);
            }
            Ok(outage_core::protocol::ServerMessage::Navigate { route }) => {
                let _ = app.emit("navigate", route);
                if let Some(window) = app.get_webview_window("main") {
                    let _ = window.unminimize();
                    let _ = window.show();
                    let _ = window.set_focus();
                }
            }
            Ok(_) => {}
            Err(_) => {
                // The resident quit: a window without its resident has nothing to show.
                app.exit(0);
                return;
            }
        }
    }
}

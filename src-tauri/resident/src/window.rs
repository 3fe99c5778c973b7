//! Spawns the window process on demand: one at a time; a second request navigates the open
//! one through its control-socket subscription.

use std::path::PathBuf;
use std::process::{Child, Command};
use std::sync::Arc;

use tokio::sync::{Notify, broadcast};

/// The name of the window binary, expected next to the resident (Tauri puts sidecars there,
/// and so does `cargo build`).
const WINDOW_BINARY: &str = if cfg!(windows) { "outage-notifier-window.exe" } else { "outage-notifier-window" };

#[derive(Debug)]
pub struct Windows {
    socket: PathBuf,
    child: Option<Child>,
    navigate: broadcast::Sender<String>,
    /// Told each time the window process has ended.
    closed: Arc<Notify>,
}

impl Windows {
    pub fn new(socket: PathBuf, navigate: broadcast::Sender<String>) -> Windows {
        Windows { socket, child: None, navigate, closed: Arc::new(Notify::new()) }
    }

    fn binary() -> std::io::Result<PathBuf> {
        if let Some(path) = std::env::var_os("OUTAGE_NOTIFIER_WINDOW") {
            return Ok(PathBuf::from(path));
        }
        let exe = std::env::current_exe()?;
        Ok(exe.with_file_name(WINDOW_BINARY))
    }

    /// Shows the window at `route`, spawning the window process if none runs.
    pub fn open(&mut self, route: Option<String>) {
        if let Some(child) = &mut self.child {
            match child.try_wait() {
                Ok(None) => {
                    let _ = self.navigate.send(route.unwrap_or_else(|| "/".into()));
                    return;
                }
                Ok(Some(_)) | Err(_) => self.child = None,
            }
        }
        let binary = match Self::binary() {
            Ok(b) => b,
            Err(e) => {
                tracing::error!("cannot locate the window binary: {e}");
                return;
            }
        };
        let mut command = Command::new(&binary);
        command.env("OUTAGE_NOTIFIER_SOCKET", &self.socket);
        // Set here as well as by the window itself, which would otherwise start once more
        // to take them (`webview::missing`): the click does not wait for a second start.
        for (name, value) in outage_core::webview::missing(|name| std::env::var_os(name).is_some()) {
            command.env(name, value);
        }
        if let Some(route) = route {
            command.arg("--route").arg(route);
        }
        match command.spawn() {
            Ok(child) => {
                tracing::info!("window process {} started", child.id());
                self.child = Some(child);
            }
            Err(e) => tracing::error!("cannot start {}: {e}", binary.display()),
        }
    }

    /// Whether a window process was started and not yet found ended ([`Windows::reap`]).
    pub fn is_open(&self) -> bool {
        self.child.is_some()
    }

    /// Reaps a window process that has exited, so it does not linger as a zombie.
    pub fn reap(&mut self) {
        if let Some(child) = &mut self.child
            && !matches!(child.try_wait(), Ok(None))
        {
            self.child = None;
            self.closed.notify_one();
        }
    }

    /// Told each time the window process has ended (found by [`Windows::reap`]).
    #[cfg(target_os = "linux")]
    pub fn closings(&self) -> Arc<Notify> {
        self.closed.clone()
    }

    /// Ends the window with the app ("Quit" quits everything).
    pub fn close(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

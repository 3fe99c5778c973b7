//! Spawns the window process on demand: one at a time; a second request navigates the open
//! one through its control-socket subscription.

use std::path::PathBuf;
use std::process::{Child, Command};
use std::sync::Arc;

use tokio::sync::{Notify, broadcast};

/// Environment for the window process (WebKitGTK, Linux), each measured (BENCHMARKS.md):
/// - `GDK_GL`, `WEBKIT_DISABLE_DMABUF_RENDERER` keep GL out of its start: GTK 3 loads the GL
///   driver (on a machine without a GPU Mesa and LLVM) when it opens the display, only to pick
///   a visual for GL, and WebKit's DMA-BUF renderer sets up buffers for a compositor the
///   window never uses — it draws in software (`small_window` in the window's main.rs). On a
///   quiet machine: click → window mapped 271 → 201 ms, click → page painted 681 → 515 ms,
///   resident + window 269 → 255 MiB.
/// - `JSC_useJIT=0` runs the page's scripts in JavaScriptCore's interpreter: the web
///   process's executable pools and compiled code go, 132 → 119 MiB, resident + window
///   254 → 239 MiB, with no slower click or first paint — the page is a small Svelte app
///   whose scripts run for milliseconds, which a JIT never pays back.
///
/// A value the user set wins (`is_set` says which are set), so a desktop that needs another
/// setting keeps it.
const SETTINGS: [(&str, &str); 3] =
    [("GDK_GL", "disable"), ("WEBKIT_DISABLE_DMABUF_RENDERER", "1"), ("JSC_useJIT", "0")];

fn window_settings(is_set: impl Fn(&str) -> bool) -> Vec<(&'static str, &'static str)> {
    if !cfg!(target_os = "linux") {
        return Vec::new();
    }
    SETTINGS.into_iter().filter(|(name, _)| !is_set(name)).collect()
}

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
        for (name, value) in window_settings(|name| std::env::var_os(name).is_some()) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_starts_without_gl_and_jit_unless_the_user_chose_a_setting() {
        assert!(window_settings(|_| true).is_empty());
        if !cfg!(target_os = "linux") {
            // GTK and WebKitGTK draw the window on Linux only.
            assert!(window_settings(|_| false).is_empty());
            return;
        }
        assert_eq!(
            window_settings(|_| false),
            vec![("GDK_GL", "disable"), ("WEBKIT_DISABLE_DMABUF_RENDERER", "1"), ("JSC_useJIT", "0")]
        );
        assert_eq!(
            window_settings(|name| name == "GDK_GL"),
            vec![("WEBKIT_DISABLE_DMABUF_RENDERER", "1"), ("JSC_useJIT", "0")]
        );
    }
}

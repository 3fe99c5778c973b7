//! The window's WebKit environment on Linux: the settings its process must start with, which
//! the resident sets when it opens the window and the window takes by itself when started
//! from the desktop menu.

/// Environment for the window process (WebKitGTK, Linux), each measured (BENCHMARKS.md):
/// - `GDK_GL`, `WEBKIT_DISABLE_DMABUF_RENDERER` keep GL out of its start: GTK 3 loads the GL
///   driver (on a machine without a GPU Mesa and LLVM) when it opens the display, only to pick
///   a visual for GL, and WebKit's DMA-BUF renderer sets up buffers for a compositor the
///   window never uses — it draws in software (`small_window` in the window's main.rs). On a
///   quiet machine: click → window mapped 271 → 201 ms, click → page painted 681 → 515 ms,
///   resident + window 269 → 255 MiB.
/// - `WEBKIT_WEB_RENDER_DEVICE_FILE` names the GPU device WebKit would hand its web process
///   for hardware rendering. Without it, WebKit's process asks EGL for the device when it
///   starts its first web process — which loads the GL driver (Mesa's, and with it libLLVM's
///   20 MiB of relocated data) into the window process only to learn a device name that the
///   window, drawing in software, never uses. `/dev/null` names no device and answers the
///   question without EGL: window process 75.6 → 52.3 MiB, resident + window 230 → 213.5 MiB,
///   click → page painted 1.1 → 0.5 s. The web process still sets up EGL itself (WebKitGTK
///   2.50 does at every page creation); that is WebKit's, not a setting's.
/// - `JSC_useJIT=0` runs the page's scripts in JavaScriptCore's interpreter: the web
///   process's executable pools and compiled code go, 132 → 119 MiB, resident + window
///   254 → 239 MiB, with no slower click or first paint — the page is a small Svelte app
///   whose scripts run for milliseconds, which a JIT never pays back.
///
/// They are read when the process starts (GTK, WebKit and its web process read them from the
/// environment), so they must be there before it starts, not set from within.
const SETTINGS: [(&str, &str); 4] = [
    ("GDK_GL", "disable"),
    ("WEBKIT_DISABLE_DMABUF_RENDERER", "1"),
    ("WEBKIT_WEB_RENDER_DEVICE_FILE", "/dev/null"),
    ("JSC_useJIT", "0"),
];

/// The settings a window process still needs: none off Linux, and none that is set already —
/// a value the user set wins (`is_set` says which are set), so a desktop that needs another
/// setting keeps it.
pub fn missing(is_set: impl Fn(&str) -> bool) -> Vec<(&'static str, &'static str)> {
    if !cfg!(target_os = "linux") {
        return Vec::new();
    }
    SETTINGS.into_iter().filter(|(name, _)| !is_set(name)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_starts_without_gl_and_jit_unless_the_user_chose_a_setting() {
        assert!(missing(|_| true).is_empty());
        if !cfg!(target_os = "linux") {
            // GTK and WebKitGTK draw the window on Linux only.
            assert!(missing(|_| false).is_empty());
            return;
        }
        assert_eq!(
            missing(|_| false),
            vec![
                ("GDK_GL", "disable"),
                ("WEBKIT_DISABLE_DMABUF_RENDERER", "1"),
                ("WEBKIT_WEB_RENDER_DEVICE_FILE", "/dev/null"),
                ("JSC_useJIT", "0")
            ]
        );
        assert_eq!(
            missing(|name| name == "GDK_GL" || name == "WEBKIT_WEB_RENDER_DEVICE_FILE"),
            vec![("WEBKIT_DISABLE_DMABUF_RENDERER", "1"), ("JSC_useJIT", "0")]
        );
    }
}

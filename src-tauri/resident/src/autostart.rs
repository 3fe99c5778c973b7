//! Start at login through each OS's own mechanism (an XDG autostart entry, a LaunchAgent, the
//! Run key), via `auto-launch`. The entry starts this very binary with the same `--config`
//! and `--data-dir` the user gave, so a custom setup survives a re-login.

use std::path::Path;

use auto_launch::{AutoLaunch, AutoLaunchBuilder};
use outage_core::text::APP_NAME;
use outage_engine::paths::Paths;

/// The platform's start-at-login entry for this resident.
pub struct Autostart(Option<AutoLaunch>);

impl Autostart {
    /// `explicit` are the paths the user passed on the command line, if any.
    pub fn new(paths: &Paths, explicit_config: Option<&Path>, explicit_data: Option<&Path>) -> Autostart {
        let Ok(exe) = std::env::current_exe() else { return Autostart(None) };
        let mut args = Vec::new();
        if explicit_config.is_some() {
            args.push(format!("--config={}", paths.config_file.display()));
        }
        if explicit_data.is_some() {
            args.push(format!("--data-dir={}", paths.data_dir.display()));
        }
        let built = AutoLaunchBuilder::new()
            .set_app_name(APP_NAME)
            .set_app_path(&exe.to_string_lossy())
            .set_macos_launch_mode(auto_launch::MacOSLaunchMode::LaunchAgent)
            .set_args(&args)
            .build();
        match built {
            Ok(entry) => Autostart(Some(entry)),
            Err(e) => {
                tracing::warn!("start at login is unavailable here: {e}");
                Autostart(None)
            }
        }
    }

    /// Whether the entry exists; `None` where there is no mechanism or it cannot be read.
    pub fn enabled(&self) -> Option<bool> {
        self.0.as_ref()?.is_enabled().map_err(|e| tracing::warn!("reading start at login: {e}")).ok()
    }

    pub fn set(&self, on: bool) {
        let Some(entry) = &self.0 else { return };
        let result = if on { entry.enable() } else { entry.disable() };
        match result {
            Ok(()) => tracing::info!(on, "start at login changed"),
            Err(e) => tracing::warn!("changing start at login failed: {e}"),
        }
    }
}

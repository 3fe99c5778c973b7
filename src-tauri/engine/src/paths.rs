//! Where config, data and the control socket live: platform defaults, overridable.

use std::path::{Path, PathBuf};

use crate::EngineError;

/// The resolved locations for one run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths {
    pub config_file: PathBuf,
    pub data_dir: PathBuf,
    pub socket: PathBuf,
}

impl Paths {
    /// Platform defaults (`directories::ProjectDirs`), with the command line's overrides.
    /// `OUTAGE_NOTIFIER_SOCKET` overrides the socket path (the resident passes it to the
    /// window it spawns, so both agree whatever the environment).
    pub fn resolve(config: Option<&Path>, data_dir: Option<&Path>) -> Result<Paths, EngineError> {
        let dirs = directories::ProjectDirs::from("eu", "Outage Notifier", "outage-notifier");
        let config_file = match (config, &dirs) {
            (Some(c), _) => c.to_path_buf(),
            (None, Some(d)) => d.config_dir().join("config.toml"),
            (None, None) => return Err(EngineError::NoHome),
        };
        let data_dir = match (data_dir, &dirs) {
            (Some(d), _) => d.to_path_buf(),
            (None, Some(d)) => d.data_dir().to_path_buf(),
            (None, None) => return Err(EngineError::NoHome),
        };
        let socket = match std::env::var_os("OUTAGE_NOTIFIER_SOCKET") {
            Some(s) => PathBuf::from(s),
            None => default_socket(dirs.as_ref()),
        };
        Ok(Paths { config_file, data_dir, socket })
    }

    pub fn database(&self) -> PathBuf {
        self.data_dir.join("history.sqlite3")
    }

    /// What the user muted, snoozed and was told, kept across restarts.
    pub fn alert_state(&self) -> PathBuf {
        self.data_dir.join("alerts.json")
    }

    pub fn logs(&self) -> PathBuf {
        self.data_dir.join("logs")
    }
}

fn default_socket(dirs: Option<&directories::ProjectDirs>) -> PathBuf {
    if let Some(runtime) = dirs.and_then(directories::ProjectDirs::runtime_dir) {
        return runtime.join("control.sock");
    }
    // No XDG runtime dir (macOS, Windows, bare sessions): a per-user directory in the
    // temporary dir, created owner-only by the server.
    std::env::temp_dir().join(format!("outage-notifier-{}", user_tag())).join("control.sock")
}

fn user_tag() -> String {
    ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
        .unwrap_or_else(|| "user".into())
}

//! The engine: runs checks on a schedule, confirms failures, keeps history in SQLite and
//! publishes the summary. It knows nothing of Tauri, trays or windows.

pub mod accounts;
pub mod config_file;
pub mod connectivity;
pub mod control;
pub mod credentials;
pub mod detect;
pub mod discover;
pub mod http;
pub mod mail;
pub mod netwatch;
pub mod one_shot;
pub mod paths;
pub mod probe;
pub mod reachability;
pub mod report;
pub mod runner;
pub mod store;
#[cfg(target_os = "linux")]
pub mod working_set;

/// The instant `after` from `from`, or one decades away when that overflows: timeouts and
/// intervals come from the user, and `Instant + Duration` panics where it cannot represent
/// the sum (the release build aborts on a panic).
pub(crate) fn deadline(from: tokio::time::Instant, after: std::time::Duration) -> tokio::time::Instant {
    const FAR: std::time::Duration = std::time::Duration::from_hours(262_800);
    from.checked_add(after).or_else(|| from.checked_add(FAR)).unwrap_or(from)
}

/// Errors of ours (not of the things we watch: those are observations).
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Config(#[from] outage_core::config::ConfigError),
    #[error("cannot read {path}: {source}")]
    ReadConfig { path: String, source: std::io::Error },
    /// The config file went away while we run: unlike at the first start, not an empty config.
    #[error("{path} was deleted; keeping the previous settings")]
    ConfigDeleted { path: String },
    #[error("cannot use data directory {path}: {source}")]
    DataDir { path: String, source: std::io::Error },
    #[error("history database {path}: {source}")]
    Database { path: String, source: rusqlite::Error },
    #[error("cannot build the HTTP client: {0}")]
    Http(String),
    #[error("no home directory: pass --config and --data-dir")]
    NoHome,
    #[error("control socket {path}: {source}")]
    Control { path: String, source: std::io::Error },
    #[error("cannot change the config: {0}")]
    EditConfig(String),
    #[error("cannot watch {path} for changes: {source}")]
    Watch { path: String, source: notify::Error },
}

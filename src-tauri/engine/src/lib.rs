//! The engine: runs checks on a schedule, confirms failures, keeps history in SQLite and
//! publishes the summary. It knows nothing of Tauri, trays or windows.

pub mod connectivity;
pub mod control;
pub mod credentials;
pub mod detect;
pub mod http;
pub mod mail;
pub mod netwatch;
pub mod once;
pub mod paths;
pub mod probe;
pub mod report;
pub mod runner;
pub mod settings;
pub mod store;

/// Errors of ours (not of the things we watch: those are observations).
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Config(#[from] outage_core::config::ConfigError),
    #[error("cannot read {path}: {source}")]
    ReadConfig { path: String, source: std::io::Error },
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

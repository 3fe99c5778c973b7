//! Reads the config file from disk; the parsing and validation are core's.

use std::path::Path;

use outage_core::config::{self, Config};
use outage_core::text::Language;

use crate::EngineError;

/// Loads the config. A missing file is a first run: no providers, default settings.
pub fn load(path: &Path) -> Result<Config, EngineError> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(config::parse(&text, &path.display().to_string())?),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(config::parse("", &path.display().to_string())?),
        Err(source) => Err(EngineError::ReadConfig { path: path.display().to_string(), source }),
    }
}

/// The configured language, else the OS locale.
pub fn language(config: &Config) -> Language {
    config.settings.language.unwrap_or_else(|| {
        let locale =
            ["LC_ALL", "LC_MESSAGES", "LANG"].iter().find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()));
        Language::from_locale(locale.as_deref())
    })
}

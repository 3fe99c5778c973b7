//! Reads the config file from disk, and notices when it changes; the parsing and validation
//! are core's.

use std::path::{Path, PathBuf};
use std::time::Duration;

use notify::Watcher as _;
use tokio::sync::mpsc;

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

/// Tells when the config file may have changed: written in place, replaced by a rename (how
/// editors and our own settings writer save), created or deleted.
#[derive(Debug)]
pub struct ConfigWatch {
    // Dropping the watcher stops the OS watch; it lives as long as this.
    _watcher: notify::RecommendedWatcher,
    events: mpsc::UnboundedReceiver<()>,
    /// A change was received and is settling.
    pending: bool,
}

/// How long to wait for a burst of events (truncate, write, rename) to end before reloading.
const SETTLE: Duration = Duration::from_millis(300);

impl ConfigWatch {
    /// Watches the file's directory, which must exist (a rename replaces the file's inode, so
    /// a watch on the file itself would go deaf after the first save).
    pub fn new(path: &Path) -> Result<ConfigWatch, EngineError> {
        let error = |source| EngineError::Watch { path: path.display().to_string(), source };
        let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let name = path.file_name().map(std::ffi::OsStr::to_owned);
        let (tx, events) = mpsc::unbounded_channel();
        let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
            let ours = match &event {
                Ok(e) => {
                    !e.kind.is_access() && e.paths.iter().any(|p| p.file_name().map(std::ffi::OsStr::to_owned) == name)
                }
                // An overflowed queue may have hidden our file's event: reload to be sure.
                Err(_) => true,
            };
            if ours {
                let _ = tx.send(());
            }
        })
        .map_err(error)?;
        watcher.watch(dir, notify::RecursiveMode::NonRecursive).map_err(error)?;
        Ok(ConfigWatch { _watcher: watcher, events, pending: false })
    }

    /// Waits for the next change and for its burst of events to settle. Cancel-safe: a
    /// change seen before the future was dropped (in a `select!`) is reported by the next call.
    pub async fn changed(&mut self) {
        if !self.pending {
            if self.events.recv().await.is_none() {
                // The watcher thread is gone: never report a change again.
                std::future::pending::<()>().await;
            }
            self.pending = true;
        }
        while let Ok(Some(())) = tokio::time::timeout(SETTLE, self.events.recv()).await {}
        self.pending = false;
    }
}

/// The directory a config file lives in, created if missing so it can be watched.
pub fn ensure_config_dir(path: &Path) -> std::io::Result<PathBuf> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new(".")).to_path_buf();
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn settled(watch: &mut ConfigWatch) -> bool {
        tokio::time::timeout(Duration::from_secs(5), watch.changed()).await.is_ok()
    }

    #[tokio::test]
    async fn notices_writes_renames_and_ignores_neighbours() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "").unwrap();
        let mut watch = ConfigWatch::new(&path).unwrap();

        std::fs::write(&path, "[settings]\n").unwrap();
        assert!(settled(&mut watch).await, "an in-place write is a change");

        let tmp = dir.path().join(".config.toml.tmp");
        std::fs::write(&tmp, "[settings]\ninterval = \"2m\"\n").unwrap();
        std::fs::rename(&tmp, &path).unwrap();
        assert!(settled(&mut watch).await, "an atomic replace is a change");
        // The watch survives the replace.
        std::fs::write(&path, "").unwrap();
        assert!(settled(&mut watch).await, "a write after the replace is still seen");

        // A change whose settling is interrupted (another select! branch won) is not lost.
        std::fs::write(&path, "[settings]\n").unwrap();
        assert!(tokio::time::timeout(Duration::from_millis(100), watch.changed()).await.is_err());
        assert!(settled(&mut watch).await, "the interrupted change is still reported");

        std::fs::write(dir.path().join("other.toml"), "x").unwrap();
        assert!(
            tokio::time::timeout(Duration::from_millis(800), watch.changed()).await.is_err(),
            "another file in the folder is not our config"
        );
    }
}

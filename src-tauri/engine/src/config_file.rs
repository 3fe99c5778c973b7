//! The config file on disk: reads it, notices when it changes, and makes the window's edits
//! to it (comments kept, validated before an atomic write); the parsing and validation are
//! core's.

use std::path::{Path, PathBuf};
use std::time::Duration;

use notify::Watcher as _;
use tokio::sync::mpsc;

use outage_core::config::{self, Config};
use outage_core::protocol::{GeneralSettings, MailAccount, NewMail, NewProvider};
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

/// Loads the config again after a change. A missing file here is not a first run but a
/// deletion (or a save caught between unlink and rename): like an invalid edit, it is an
/// error, so the caller keeps the last good config instead of dropping every provider.
pub fn reload(path: &Path) -> Result<Config, EngineError> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(config::parse(&text, &path.display().to_string())?),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Err(EngineError::ConfigDeleted { path: path.display().to_string() })
        }
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

/// Adds a provider to the config file, keeping the user's comments and layout. The result is
/// validated by core's parser before anything is written, and written atomically (temp file,
/// fsync, rename), so a bad addition never lands and a crash never leaves half a file.
pub fn add_provider(path: &Path, new: &NewProvider) -> Result<(), EngineError> {
    edit(path, |doc| {
        let providers = doc
            .entry("provider")
            .or_insert_with(|| toml_edit::Item::ArrayOfTables(toml_edit::ArrayOfTables::new()))
            .as_array_of_tables_mut()
            .ok_or_else(|| "`provider` in the config is not a list of [[provider]] tables".to_owned())?;
        let mut table = toml_edit::Table::new();
        table.insert("id", toml_edit::value(new.id.as_str()));
        if let Some(name) = &new.name {
            table.insert("name", toml_edit::value(name.as_str()));
        }
        if let Some(preset) = &new.preset {
            table.insert("preset", toml_edit::value(preset.as_str()));
        }
        if let Some(page) = &new.status_page {
            table.insert("status_page", toml_edit::value(page.as_str()));
        }
        if let Some(format) = new.status_format {
            table.insert("status_format", toml_edit::value(format.as_str()));
        }
        providers.push(table);
        for mail in &new.mail {
            insert_mail(doc, &NewMail { provider_id: new.id.clone(), ..mail.clone() })?;
        }
        Ok(())
    })
}

/// Removes the provider with this id from the config file (same guarantees as
/// [`add_provider`]). Removing one that is not there is an error.
pub fn remove_provider(path: &Path, id: &str) -> Result<(), EngineError> {
    edit(path, |doc| {
        let providers = doc
            .get_mut("provider")
            .and_then(toml_edit::Item::as_array_of_tables_mut)
            .ok_or_else(|| format!("no provider `{id}` in the config"))?;
        let before = providers.len();
        providers.retain(|t| t.get("id").and_then(toml_edit::Item::as_str) != Some(id));
        if providers.len() == before {
            return Err(format!("no provider `{id}` in the config"));
        }
        Ok(())
    })
}

/// Renames the provider with this id and sets its status page, in place (comments and its
/// mail accounts stay; same guarantees as [`add_provider`]). A new status page drops the
/// format written for the old one, so the next check detects it afresh; `None` removes the
/// page (a preset's own applies again).
pub fn edit_provider(path: &Path, id: &str, name: &str, status_page: Option<&str>) -> Result<(), EngineError> {
    edit(path, |doc| {
        let table = provider_table(doc, id)?;
        let name = name.trim();
        if name.is_empty() {
            return Err("a provider needs a name".into());
        }
        table.insert("name", toml_edit::value(name));
        let page = status_page.map(str::trim).filter(|p| !p.is_empty());
        let unchanged = table.get("status_page").and_then(toml_edit::Item::as_str) == page;
        if !unchanged {
            table.remove("status_format");
            match page {
                Some(page) => {
                    table.insert("status_page", toml_edit::value(page));
                }
                None => {
                    table.remove("status_page");
                }
            }
        }
        Ok(())
    })
}

/// The general settings as the config file spells them.
pub fn general(path: &Path) -> Result<GeneralSettings, EngineError> {
    let shown = path.display().to_string();
    let text = read(path)?;
    let doc: toml_edit::DocumentMut =
        text.parse().map_err(|e: toml_edit::TomlError| EngineError::EditConfig(format!("{shown}: {e}")))?;
    let get = |table: &str, key: &str| {
        doc.get(table).and_then(|t| t.get(key)).and_then(toml_edit::Item::as_str).map(str::to_owned)
    };
    let alert_states = doc
        .get("alerts")
        .and_then(|t| t.get("states"))
        .and_then(toml_edit::Item::as_array)
        .map(|a| a.iter().filter_map(|v| v.as_str().and_then(outage_core::model::State::parse)).collect());
    Ok(GeneralSettings {
        interval: get("settings", "interval"),
        language: get("settings", "language"),
        quiet_hours: get("alerts", "quiet_hours"),
        reminder: get("alerts", "reminder"),
        alert_states,
    })
}

/// Writes the general settings into the config file: a `None` removes the key (its default
/// applies). Same guarantees as [`add_provider`]: validated first, comments kept, atomic.
pub fn set_general(path: &Path, new: &GeneralSettings) -> Result<(), EngineError> {
    edit(path, |doc| {
        for (table, key, value) in [
            ("settings", "interval", &new.interval),
            ("settings", "language", &new.language),
            ("alerts", "quiet_hours", &new.quiet_hours),
            ("alerts", "reminder", &new.reminder),
        ] {
            let value = value.as_deref().map(str::trim).filter(|v| !v.is_empty());
            match value {
                Some(v) => {
                    let t = doc
                        .entry(table)
                        .or_insert_with(|| toml_edit::Item::Table(toml_edit::Table::new()))
                        .as_table_mut()
                        .ok_or_else(|| format!("`{table}` in the config is not a table"))?;
                    // Keep the comment that follows an existing value.
                    match t.get_mut(key).and_then(toml_edit::Item::as_value_mut) {
                        Some(existing) => {
                            let decor = existing.decor().clone();
                            *existing = toml_edit::Value::from(v);
                            *existing.decor_mut() = decor;
                        }
                        None => {
                            t.insert(key, toml_edit::value(v));
                        }
                    }
                }
                None => {
                    if let Some(t) = doc.get_mut(table).and_then(toml_edit::Item::as_table_mut) {
                        t.remove(key);
                    }
                }
            }
        }
        match &new.alert_states {
            Some(states) => {
                let alerts = doc
                    .entry("alerts")
                    .or_insert_with(|| toml_edit::Item::Table(toml_edit::Table::new()))
                    .as_table_mut()
                    .ok_or_else(|| "`alerts` in the config is not a table".to_owned())?;
                let list: toml_edit::Array = states.iter().map(|s| s.as_str()).collect();
                alerts.insert("states", toml_edit::value(list));
            }
            None => {
                if let Some(t) = doc.get_mut("alerts").and_then(toml_edit::Item::as_table_mut) {
                    t.remove("states");
                }
            }
        }
        Ok(())
    })
}

/// The `[[provider]]` table with this id.
fn provider_table<'d>(doc: &'d mut toml_edit::DocumentMut, id: &str) -> Result<&'d mut toml_edit::Table, String> {
    doc.get_mut("provider")
        .and_then(toml_edit::Item::as_array_of_tables_mut)
        .and_then(|list| list.iter_mut().find(|t| t.get("id").and_then(toml_edit::Item::as_str) == Some(id)))
        .ok_or_else(|| format!("no provider `{id}` in the config"))
}

/// Appends `new` as a `[[provider.mail]]` of its provider.
fn insert_mail(doc: &mut toml_edit::DocumentMut, new: &NewMail) -> Result<(), String> {
    let provider = provider_table(doc, &new.provider_id)?;
    let list = provider
        .entry("mail")
        .or_insert_with(|| toml_edit::Item::ArrayOfTables(toml_edit::ArrayOfTables::new()))
        .as_array_of_tables_mut()
        .ok_or_else(|| format!("`mail` of provider `{}` is not a list of [[provider.mail]] tables", new.provider_id))?;
    let mut table = toml_edit::Table::new();
    table.insert("kind", toml_edit::value(new.kind.as_str()));
    table.insert("host", toml_edit::value(new.host.trim()));
    if let Some(port) = new.port {
        table.insert("port", toml_edit::value(i64::from(port)));
    }
    table.insert("tls", toml_edit::value(new.tls.as_str()));
    if let Some(user) = new.username.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
        table.insert("username", toml_edit::value(user));
    }
    if let Some(ca) = new.ca_file.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        table.insert("ca_file", toml_edit::value(ca));
    }
    list.push(table);
    Ok(())
}

fn configured<'c>(config: &'c Config, provider_id: &str) -> Result<&'c config::Provider, EngineError> {
    config
        .providers
        .iter()
        .find(|p| p.id == provider_id)
        .ok_or_else(|| EngineError::EditConfig(format!("no provider `{provider_id}` in the config")))
}

/// The mail endpoints the config file gives for a provider (a preset's own are not listed:
/// they apply only while the file gives none).
pub fn mail_accounts(path: &Path, provider_id: &str) -> Result<Vec<MailAccount>, EngineError> {
    // One read for both views of the file: what it means, and what it spells out.
    let text = read(path)?;
    let config = config::parse(&text, &path.display().to_string())?;
    let provider = configured(&config, provider_id)?;
    let doc: toml_edit::DocumentMut =
        text.parse().map_err(|e: toml_edit::TomlError| EngineError::EditConfig(format!("{}: {e}", path.display())))?;
    let written = doc
        .get("provider")
        .and_then(toml_edit::Item::as_array_of_tables)
        .and_then(|list| list.iter().find(|t| t.get("id").and_then(toml_edit::Item::as_str) == Some(provider_id)))
        .and_then(|t| t.get("mail"))
        .is_some();
    if !written {
        return Ok(Vec::new());
    }
    Ok(provider
        .mail
        .iter()
        .map(|m| MailAccount {
            check_id: m.check_id(provider_id),
            kind: m.kind,
            host: m.host.clone(),
            port: m.port,
            tls: m.tls,
            username: m.username.clone(),
            ca_file: m.ca_file.as_ref().map(|c| c.display().to_string()),
        })
        .collect())
}

/// Adds a mail endpoint to its provider in the config file (same guarantees as
/// [`add_provider`]; core's parser refuses an endpoint the provider already has).
pub fn add_mail(path: &Path, new: &NewMail) -> Result<(), EngineError> {
    edit(path, |doc| insert_mail(doc, new))
}

/// Removes the provider's mail endpoint whose check has this id (same guarantees as
/// [`add_provider`]).
pub fn remove_mail(path: &Path, provider_id: &str, check_id: &str) -> Result<(), EngineError> {
    let index = mail_index(path, provider_id, check_id)?;
    remove_nth(path, provider_id, "mail", index, check_id)
}

/// Adds a page to watch (`[[provider.http]]`) to its provider in the config file (same
/// guarantees as [`add_provider`]; core's parser refuses an address that is no http(s) URL or
/// that the provider already watches).
pub fn add_http(path: &Path, provider_id: &str, url: &str, expect: Option<&str>) -> Result<(), EngineError> {
    edit(path, |doc| {
        let provider = provider_table(doc, provider_id)?;
        let list = provider
            .entry("http")
            .or_insert_with(|| toml_edit::Item::ArrayOfTables(toml_edit::ArrayOfTables::new()))
            .as_array_of_tables_mut()
            .ok_or_else(|| format!("`http` of provider `{provider_id}` is not a list of [[provider.http]] tables"))?;
        let mut table = toml_edit::Table::new();
        table.insert("url", toml_edit::value(url.trim()));
        if let Some(expect) = expect.map(str::trim).filter(|e| !e.is_empty()) {
            table.insert("expect", toml_edit::value(expect));
        }
        list.push(table);
        Ok(())
    })
}

/// Removes the provider's page whose check has this id (same guarantees as [`add_provider`]).
pub fn remove_http(path: &Path, provider_id: &str, check_id: &str) -> Result<(), EngineError> {
    let config = load(path)?;
    let index = configured(&config, provider_id)?
        .http
        .iter()
        .position(|h| h.check_id(provider_id) == check_id)
        .ok_or_else(|| EngineError::EditConfig(format!("no page `{check_id}` in the config")))?;
    remove_nth(path, provider_id, "http", index, check_id)
}

/// Adds a round trip (`[[provider.roundtrip]]`) from the provider's smtp endpoint on `smtp` to
/// its imap endpoint on `imap`, with a comment above it saying what it does (same guarantees
/// as [`add_provider`]; core's parser refuses endpoints without a username, and a second
/// round trip between the same two).
pub fn add_roundtrip(path: &Path, provider_id: &str, smtp: &str, imap: &str) -> Result<(), EngineError> {
    edit(path, |doc| {
        let provider = provider_table(doc, provider_id)?;
        let list = provider
            .entry("roundtrip")
            .or_insert_with(|| toml_edit::Item::ArrayOfTables(toml_edit::ArrayOfTables::new()))
            .as_array_of_tables_mut()
            .ok_or_else(|| {
                format!("`roundtrip` of provider `{provider_id}` is not a list of [[provider.roundtrip]] tables")
            })?;
        let mut table = toml_edit::Table::new();
        table.decor_mut().set_prefix(
            "\n# Check delivery: every 15 minutes a test mail goes out through smtp to the imap\n\
             # login's own mailbox, is looked for there and deleted once found. Late after\n\
             # warn_after (5m), lost after fail_after (30m); interval = \"15m\" at least 5m.\n",
        );
        table.insert("smtp", toml_edit::value(smtp.trim()));
        table.insert("imap", toml_edit::value(imap.trim()));
        list.push(table);
        Ok(())
    })
}

/// Removes the provider's round trip whose check has this id (same guarantees as
/// [`add_provider`]). Its test mails stay in the history.
pub fn remove_roundtrip(path: &Path, provider_id: &str, check_id: &str) -> Result<(), EngineError> {
    let config = load(path)?;
    let index = configured(&config, provider_id)?
        .roundtrip
        .iter()
        .position(|t| t.check_id(provider_id) == check_id)
        .ok_or_else(|| EngineError::EditConfig(format!("no round trip `{check_id}` in the config")))?;
    remove_nth(path, provider_id, "roundtrip", index, check_id)
}

/// Removes the `index`th `[[provider.<section>]]` table of a provider: the config's list and
/// the file's tables are in the same order, unless the list is the preset's (no tables).
fn remove_nth(path: &Path, provider_id: &str, section: &str, index: usize, check_id: &str) -> Result<(), EngineError> {
    edit(path, |doc| {
        let provider = provider_table(doc, provider_id)?;
        let list = provider
            .get_mut(section)
            .and_then(toml_edit::Item::as_array_of_tables_mut)
            .ok_or_else(|| format!("no {section} entry `{check_id}` in the config (it is the preset's)"))?;
        if index >= list.len() {
            return Err(format!("no {section} entry `{check_id}` in the config"));
        }
        list.remove(index);
        if list.is_empty() {
            provider.remove(section);
        }
        Ok(())
    })
}

/// Changes the provider's mail endpoint whose check has this id to `new`, in place: the
/// table keeps its position, its comments and any keys the window does not edit (same
/// guarantees as [`add_provider`]; core's parser refuses a result that lists an endpoint
/// twice).
pub fn edit_mail(path: &Path, check_id: &str, new: &NewMail) -> Result<(), EngineError> {
    let index = mail_index(path, &new.provider_id, check_id)?;
    edit(path, |doc| {
        let provider = provider_table(doc, &new.provider_id)?;
        let table = provider
            .get_mut("mail")
            .and_then(toml_edit::Item::as_array_of_tables_mut)
            .and_then(|list| list.get_mut(index))
            .ok_or_else(|| format!("no mail endpoint `{check_id}` in the config (it is the preset's)"))?;
        let trimmed = |v: Option<&str>| v.map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned);
        let port = new.port.map(i64::from);
        let values: [(&str, Option<toml_edit::Value>); 6] = [
            ("kind", Some(new.kind.as_str().into())),
            ("host", Some(new.host.trim().into())),
            ("port", port.map(Into::into)),
            ("tls", Some(new.tls.as_str().into())),
            ("username", trimmed(new.username.as_deref()).map(Into::into)),
            ("ca_file", trimmed(new.ca_file.as_deref()).map(Into::into)),
        ];
        for (key, value) in values {
            match value {
                Some(mut value) => match table.get_mut(key).and_then(toml_edit::Item::as_value_mut) {
                    // The comment after a value stays with it.
                    Some(existing) => {
                        *value.decor_mut() = existing.decor().clone();
                        *existing = value;
                    }
                    None => {
                        table.insert(key, toml_edit::Item::Value(value));
                    }
                },
                None => {
                    table.remove(key);
                }
            }
        }
        Ok(())
    })
}

/// The position of the endpoint with this check id among the provider's `[[provider.mail]]`
/// tables: the config's endpoints and the file's tables are in the same order.
fn mail_index(path: &Path, provider_id: &str, check_id: &str) -> Result<usize, EngineError> {
    let config = load(path)?;
    let provider = configured(&config, provider_id)?;
    provider
        .mail
        .iter()
        .position(|m| m.check_id(provider_id) == check_id)
        .ok_or_else(|| EngineError::EditConfig(format!("no mail endpoint `{check_id}` in the config")))
}

/// The endpoint `new` would be once added, validated exactly as the config file would be
/// (port defaults, `ca_file` against the config's folder), with the config it would be in;
/// nothing is written.
pub fn draft_mail(path: &Path, new: &NewMail) -> Result<(Config, config::Mail), EngineError> {
    let (_, config) = edited(path, |doc| insert_mail(doc, new))?;
    let endpoint = config
        .providers
        .iter()
        .find(|p| p.id == new.provider_id)
        .and_then(|p| p.mail.last())
        .cloned()
        .ok_or_else(|| EngineError::EditConfig(format!("no provider `{}` in the config", new.provider_id)))?;
    Ok((config, endpoint))
}

fn edit(
    path: &Path,
    change: impl FnOnce(&mut toml_edit::DocumentMut) -> Result<(), String>,
) -> Result<(), EngineError> {
    let shown = path.display().to_string();
    let (edited, _) = edited(path, change)?;
    let write = || -> std::io::Result<()> {
        use std::io::Write as _;
        ensure_config_dir(path)?;
        let tmp = path.with_extension("toml.tmp");
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(edited.as_bytes())?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    };
    write().map_err(|e| EngineError::EditConfig(format!("cannot write {shown}: {e}")))
}

/// The config file's text after `change`, and the config it makes; an edit the app would
/// refuse at start-up is refused here.
fn edited(
    path: &Path,
    change: impl FnOnce(&mut toml_edit::DocumentMut) -> Result<(), String>,
) -> Result<(String, Config), EngineError> {
    let shown = path.display().to_string();
    let text = read(path)?;
    let mut doc: toml_edit::DocumentMut =
        text.parse().map_err(|e: toml_edit::TomlError| EngineError::EditConfig(format!("{shown}: {e}")))?;
    change(&mut doc).map_err(EngineError::EditConfig)?;
    let edited = doc.to_string();
    // The same validation as at start-up: a config the app would refuse is never written.
    let config = config::parse(&edited, &shown)?;
    Ok((edited, config))
}

/// The config file's text; a missing file is an empty config (a first run).
fn read(path: &Path) -> Result<String, EngineError> {
    match std::fs::read_to_string(path) {
        Ok(t) => Ok(t),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
        Err(source) => Err(EngineError::ReadConfig { path: path.display().to_string(), source }),
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

    fn new(id: &str, page: &str) -> NewProvider {
        NewProvider {
            id: id.into(),
            name: Some(format!("{id} Inc.")),
            preset: None,
            status_page: Some(page.into()),
            status_format: None,
            mail: Vec::new(),
        }
    }

    #[test]
    fn adding_and_removing_providers_keeps_comments_and_refuses_what_would_not_load() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        let original = "# my monitoring\n[settings]\ninterval = \"2m\" # not too often\n\n\
                        [[provider]]\nid = \"a\" # the first\nstatus_page = \"https://a.example/\"\n";
        std::fs::write(&path, original).unwrap();

        add_provider(&path, &new("b", "https://b.example/")).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with(original), "the user's text stays as it was:\n{text}");
        let c = load(&path).unwrap();
        assert_eq!(c.providers.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(c.providers[1].name, "b Inc.");

        // A second `b` would not load: refused, and the file stays byte for byte.
        let before = std::fs::read(&path).unwrap();
        assert!(add_provider(&path, &new("b", "https://other.example/")).is_err());
        assert!(add_provider(&path, &new("c", "not a url")).is_err());
        assert_eq!(std::fs::read(&path).unwrap(), before);

        remove_provider(&path, "a").unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("# my monitoring") && text.contains("# not too often"), "{text}");
        assert!(!text.contains("a.example"), "{text}");
        assert!(remove_provider(&path, "a").is_err(), "gone already");
        assert!(!dir.path().join("config.toml.tmp").exists());
    }

    #[test]
    fn a_page_to_watch_is_added_and_removed_and_a_bad_one_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        let original =
            "[[provider]]\nid = \"wa\" # messenger\nname = \"WhatsApp\"\nstatus_page = \"https://wa.example/\"\n";
        std::fs::write(&path, original).unwrap();
        add_http(&path, "wa", " https://web.wa.example/ ", Some(" online ")).unwrap();
        add_http(&path, "wa", "https://chat.wa.example/", None).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with(original), "{text}");
        let http = load(&path).unwrap().providers[0].http.clone();
        assert_eq!(http.len(), 2);
        assert_eq!((http[0].url.as_str(), http[0].expect.as_deref()), ("https://web.wa.example/", Some("online")));

        let before = std::fs::read(&path).unwrap();
        assert!(add_http(&path, "wa", "https://web.wa.example/", None).is_err(), "already watched");
        assert!(add_http(&path, "wa", "ftp://x.example/", None).is_err(), "not http(s)");
        assert!(add_http(&path, "nope", "https://x.example/", None).is_err(), "no such provider");
        assert_eq!(std::fs::read(&path).unwrap(), before, "nothing written");

        remove_http(&path, "wa", &http[0].check_id("wa")).unwrap();
        let left = load(&path).unwrap().providers[0].http.clone();
        assert_eq!(left.iter().map(|h| h.url.as_str()).collect::<Vec<_>>(), ["https://chat.wa.example/"]);
        remove_http(&path, "wa", &left[0].check_id("wa")).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text, original, "back to what the user wrote");
        assert!(remove_http(&path, "wa", &left[0].check_id("wa")).is_err(), "gone already");
    }

    #[test]
    fn check_delivery_adds_a_commented_round_trip_keeping_the_users_comments() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        let original = "# my providers\n[[provider]]\nid = \"io\" # the hoster\nstatus_page = \"https://io.example/\"\n\n\
                        [[provider.mail]]\nkind = \"smtp\"\nhost = \"smtp.io.example\"\nusername = \"me@io.example\"\n\n\
                        [[provider.mail]]\nkind = \"imap\"\nhost = \"imap.io.example\" # inbox\nusername = \"me@io.example\"\n\n\
                        [[provider.mail]]\nkind = \"pop3\"\nhost = \"pop.io.example\"\n";
        std::fs::write(&path, original).unwrap();
        add_roundtrip(&path, "io", " smtp.io.example ", "imap.io.example").unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with(original), "{text}");
        assert!(text.contains("# Check delivery: every 15 minutes a test mail"), "{text}");
        let trips = load(&path).unwrap().providers[0].roundtrip.clone();
        assert_eq!(trips.len(), 1);
        assert_eq!((trips[0].smtp.host.as_str(), trips[0].to.as_str()), ("smtp.io.example", "me@io.example"));

        let before = std::fs::read(&path).unwrap();
        assert!(add_roundtrip(&path, "io", "smtp.io.example", "imap.io.example").is_err(), "there already");
        assert!(add_roundtrip(&path, "io", "smtp.io.example", "pop.io.example").is_err(), "no imap endpoint");
        assert!(add_roundtrip(&path, "nope", "smtp.io.example", "imap.io.example").is_err(), "no such provider");
        assert_eq!(std::fs::read(&path).unwrap(), before, "nothing written");

        remove_roundtrip(&path, "io", &trips[0].check_id("io")).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), original, "back to what the user wrote");
        assert!(remove_roundtrip(&path, "io", &trips[0].check_id("io")).is_err(), "gone already");

        // Without a username the round trip cannot log in: refused, with nothing written.
        let anonymous = original.replace(
            "username = \"me@io.example\"\n\n[[provider.mail]]\nkind = \"imap\"",
            "\n[[provider.mail]]\nkind = \"imap\"",
        );
        std::fs::write(&path, &anonymous).unwrap();
        let refused = add_roundtrip(&path, "io", "smtp.io.example", "imap.io.example").unwrap_err().to_string();
        assert!(refused.contains("no username"), "{refused}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), anonymous);
    }

    #[test]
    fn a_mail_endpoint_is_edited_in_place_keeping_comments_and_refused_as_a_duplicate() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        let original = "[[provider]]\nid = \"df\"\nstatus_page = \"https://df.example/\"\n\n\
                        # the inbox\n[[provider.mail]]\nkind = \"imap\"\nhost = \"old.example\" # before the move\n\
                        tls = \"implicit\"\nusername = \"me@df.example\"\n\n\
                        [[provider.mail]]\nkind = \"pop3\"\nhost = \"pop.example\"\nusername = \"me@df.example\"\n";
        std::fs::write(&path, original).unwrap();
        let accounts = mail_accounts(&path, "df").unwrap();
        let mut moved = accounts[0].as_new("df");
        moved.host = "new.example".into();
        moved.port = Some(1993);
        edit_mail(&path, "df/imap/old.example:993", &moved).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.contains(
                "# the inbox\n[[provider.mail]]\nkind = \"imap\"\nhost = \"new.example\" # before the move\n"
            ),
            "{text}"
        );
        assert!(text.contains("port = 1993"), "{text}");
        let accounts = mail_accounts(&path, "df").unwrap();
        assert_eq!(accounts[0].check_id, "df/imap/new.example:1993");
        assert_eq!(accounts[1].check_id, "df/pop3/pop.example:995", "the other endpoint stays");

        // Made the same as the other endpoint: refused, nothing written.
        let before = std::fs::read(&path).unwrap();
        let twice = accounts[1].as_new("df");
        let refused = edit_mail(&path, "df/imap/new.example:1993", &NewMail { kind: twice.kind, ..twice.clone() });
        assert!(refused.unwrap_err().to_string().contains("twice"));
        assert!(edit_mail(&path, "df/imap/gone.example:993", &moved).is_err());
        assert_eq!(std::fs::read(&path).unwrap(), before);
    }

    #[test]
    fn general_settings_are_read_and_written_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "# mine\n[settings]\ninterval = \"2m\" # often enough\nlanguage = \"de\"\n").unwrap();
        let mut g = general(&path).unwrap();
        assert_eq!(g.interval.as_deref(), Some("2m"));
        assert_eq!(g.quiet_hours, None);

        g.interval = Some("5m".into());
        g.language = None;
        g.quiet_hours = Some("22:00-07:00".into());
        set_general(&path, &g).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("interval = \"5m\" # often enough"), "{text}");
        assert!(!text.contains("language"), "{text}");
        let c = load(&path).unwrap();
        assert_eq!(c.settings.interval, Duration::from_mins(5));
        assert!(c.alerts.quiet_hours.is_some());

        let before = std::fs::read(&path).unwrap();
        let bad = GeneralSettings { quiet_hours: Some("late".into()), ..g.clone() };
        assert!(set_general(&path, &bad).unwrap_err().to_string().contains("quiet_hours"));
        assert_eq!(std::fs::read(&path).unwrap(), before, "a refused edit leaves the file as it was");
    }

    #[test]
    fn adding_to_a_missing_config_creates_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/config.toml");
        let preset = NewProvider {
            id: "df".into(),
            name: None,
            preset: Some("domainfactory".into()),
            status_page: None,
            status_format: None,
            mail: Vec::new(),
        };
        add_provider(&path, &preset).unwrap();
        let c = load(&path).unwrap();
        assert_eq!(c.providers[0].name, "DomainFactory");
    }

    /// A provider found from a mail address comes with its servers: one write, so one with
    /// nothing but mail servers is never refused half-written, and comments stay.
    #[test]
    fn a_provider_is_added_with_its_mail_endpoints_in_one_write() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "# mine\n[settings]\ninterval = \"5m\" # five\n").unwrap();
        let mail = |kind, host: &str, tls, username: Option<&str>| NewMail {
            provider_id: "ignored".into(),
            kind,
            host: host.into(),
            port: None,
            tls,
            username: username.map(str::to_owned),
            ca_file: None,
        };
        let own = NewProvider {
            id: "firma-de".into(),
            name: Some("firma.de".into()),
            preset: None,
            status_page: None,
            status_format: None,
            mail: vec![
                mail(config::MailKind::Imap, "mail.firma.de", config::TlsMode::Implicit, Some("info@firma.de")),
                mail(config::MailKind::Smtp, "mail.firma.de", config::TlsMode::Starttls, None),
            ],
        };
        add_provider(&path, &own).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("# mine\n") && text.contains("interval = \"5m\" # five"), "{text}");
        let c = load(&path).unwrap();
        let p = &c.providers[0];
        assert_eq!(p.id, "firma-de");
        let ids: Vec<String> = p.mail.iter().map(|m| m.check_id("firma-de")).collect();
        assert_eq!(ids, ["firma-de/imap/mail.firma.de:993", "firma-de/smtp/mail.firma.de:587"]);
        assert_eq!(p.mail[0].username.as_deref(), Some("info@firma.de"));
        // A bad endpoint refuses the whole provider: nothing is written.
        let before = std::fs::read(&path).unwrap();
        let bad = NewProvider {
            id: "other".into(),
            mail: vec![mail(config::MailKind::Imap, "x.test", config::TlsMode::None, None)],
            ..own
        };
        assert!(add_provider(&path, &bad).is_err());
        assert_eq!(std::fs::read(&path).unwrap(), before);
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

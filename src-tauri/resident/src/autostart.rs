//! Start at login through each OS's own mechanism: an XDG autostart entry on Linux (written
//! here), a LaunchAgent or the Run key elsewhere (via `auto-launch`). The entry starts this very
//! binary — the resident alone, no window — with the same `--config` and `--data-dir` the user
//! gave, so a custom setup survives a re-login.

use std::path::{Path, PathBuf};

#[cfg(not(target_os = "linux"))]
use auto_launch::{AutoLaunch, AutoLaunchBuilder};
#[cfg(not(target_os = "linux"))]
use outage_core::text::APP_NAME;
use outage_engine::paths::Paths;

#[cfg(target_os = "linux")]
type Mechanism = xdg::Entry;
#[cfg(not(target_os = "linux"))]
type Mechanism = AutoLaunch;

/// The platform's start-at-login entry for this resident.
pub struct Autostart(Option<Mechanism>);

impl Autostart {
    /// `explicit` are the paths the user passed on the command line, if any.
    pub fn new(paths: &Paths, explicit_config: Option<&Path>, explicit_data: Option<&Path>) -> Autostart {
        let Ok(exe) = std::env::current_exe() else { return Autostart(None) };
        let exe = installed_path(&exe);
        let mut args = Vec::new();
        if explicit_config.is_some() {
            args.push(format!("--config={}", paths.config_file.display()));
        }
        if explicit_data.is_some() {
            args.push(format!("--data-dir={}", paths.data_dir.display()));
        }
        match mechanism(&exe, &args) {
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

/// The path the binary was started from. A package upgrade replaces the file under a running
/// resident, and Linux then reports `/usr/bin/outage-notifier (deleted)`: an entry written
/// after that must still name the installed binary, not a file that never existed.
fn installed_path(exe: &Path) -> PathBuf {
    match exe.to_str().and_then(|s| s.strip_suffix(" (deleted)")) {
        Some(path) => PathBuf::from(path),
        None => exe.to_path_buf(),
    }
}

#[cfg(target_os = "linux")]
fn mechanism(exe: &Path, args: &[String]) -> Result<Mechanism, String> {
    let dirs = directories::BaseDirs::new().ok_or("no home directory")?;
    let text = xdg::entry_text(exe, args).ok_or("the binary's path or an argument has a control character")?;
    Ok(xdg::Entry {
        path: dirs.config_dir().join("autostart").join(xdg::FILE_NAME),
        legacy: dirs.home_dir().join(".config/autostart").join(xdg::LEGACY_FILE_NAME),
        text,
    })
}

#[cfg(not(target_os = "linux"))]
fn mechanism(exe: &Path, args: &[String]) -> Result<Mechanism, String> {
    AutoLaunchBuilder::new()
        .set_app_name(APP_NAME)
        .set_app_path(&exe.to_string_lossy())
        .set_macos_launch_mode(auto_launch::MacOSLaunchMode::LaunchAgent)
        .set_args(args)
        .build()
        .map_err(|e| e.to_string())
}

/// The XDG autostart entry (freedesktop.org's Desktop Application Autostart Specification).
#[cfg(target_os = "linux")]
mod xdg {
    use std::path::{Path, PathBuf};

    use outage_core::text::APP_NAME;

    /// Named like the packages' desktop entry, so the packages' removal script finds it (see
    /// src-tauri/packaging/prerm.sh).
    pub const FILE_NAME: &str = "outage-notifier.desktop";
    /// What auto-launch wrote before (always under `~/.config`, unquoted): removed on every
    /// change, so nobody keeps a second, stale entry.
    pub const LEGACY_FILE_NAME: &str = "Outage Notifier.desktop";

    #[derive(Debug)]
    pub struct Entry {
        pub path: PathBuf,
        pub legacy: PathBuf,
        pub text: String,
    }

    impl Entry {
        pub fn is_enabled(&self) -> std::io::Result<bool> {
            Ok(self.path.try_exists()? || self.legacy.try_exists()?)
        }

        /// Written whole or not at all: a session that logs in meanwhile reads the old entry
        /// or the new one, never half of one.
        pub fn enable(&self) -> std::io::Result<()> {
            let dir = self.path.parent().ok_or_else(|| std::io::Error::other("no autostart directory"))?;
            std::fs::create_dir_all(dir)?;
            let partial = self.path.with_extension("desktop.partial");
            std::fs::write(&partial, &self.text)?;
            std::fs::rename(&partial, &self.path)?;
            remove(&self.legacy)
        }

        pub fn disable(&self) -> std::io::Result<()> {
            remove(&self.path)?;
            remove(&self.legacy)
        }
    }

    fn remove(path: &Path) -> std::io::Result<()> {
        match std::fs::remove_file(path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }

    /// The entry for `exe` with `args`; `None` when a path holds a control character, which
    /// no desktop entry can carry. `TryExec` makes a session skip an entry whose binary is gone
    /// (a package removed while the user's home was out of its reach).
    pub fn entry_text(exe: &Path, args: &[String]) -> Option<String> {
        let exe = exe.to_str()?;
        if exe.chars().chain(args.iter().flat_map(|a| a.chars())).any(char::is_control) {
            return None;
        }
        let exec: Vec<String> =
            std::iter::once(exe).chain(args.iter().map(String::as_str)).map(exec_argument).collect();
        Some(format!(
            "[Desktop Entry]\nType=Application\nName={APP_NAME}\nExec={}\nTryExec={}\nIcon=outage-notifier-window\n\
             Terminal=false\nX-GNOME-Autostart-enabled=true\n",
            exec.join(" "),
            exe.replace('\\', "\\\\"),
        ))
    }

    /// One argument of an `Exec` key, always quoted: inside the quotes `"`, `` ` ``, `$` and `\`
    /// take a backslash, `%` is doubled, and then the whole value gets the desktop file's own
    /// string escaping (a backslash written as two).
    fn exec_argument(arg: &str) -> String {
        let mut quoted = String::from("\"");
        for c in arg.chars() {
            match c {
                '"' | '`' | '$' | '\\' => {
                    quoted.push('\\');
                    quoted.push(c);
                }
                '%' => quoted.push_str("%%"),
                _ => quoted.push(c),
            }
        }
        quoted.push('"');
        quoted.replace('\\', "\\\\")
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        fn exec_line(text: &str) -> &str {
            text.lines().find_map(|l| l.strip_prefix("Exec=")).expect("an Exec line")
        }

        #[test]
        fn the_entry_starts_the_installed_resident_alone_by_its_quoted_path() {
            let text = entry_text(Path::new("/usr/bin/outage-notifier"), &[]).expect("entry");
            assert_eq!(exec_line(&text), "\"/usr/bin/outage-notifier\"");
            assert!(text.contains("\nTryExec=/usr/bin/outage-notifier\n"), "{text}");
            assert!(text.starts_with("[Desktop Entry]\nType=Application\n"), "{text}");
        }

        #[test]
        fn paths_with_spaces_and_reserved_characters_survive_both_escapings() {
            let args = vec!["--config=/home/a b/100% \"mine\" $x.toml".to_owned()];
            let text = entry_text(Path::new("/opt/My Apps/back\\slash/outage-notifier"), &args).expect("entry");
            assert_eq!(
                exec_line(&text),
                "\"/opt/My Apps/back\\\\\\\\slash/outage-notifier\" \"--config=/home/a b/100%% \\\\\"mine\\\\\" \\\\$x.toml\""
            );
            assert!(text.contains("\nTryExec=/opt/My Apps/back\\\\slash/outage-notifier\n"), "{text}");
        }

        #[test]
        fn a_control_character_makes_no_entry() {
            assert_eq!(entry_text(Path::new("/usr/bin/outage-notifier"), &["--config=/a\nb".to_owned()]), None);
            assert_eq!(entry_text(Path::new("/tmp/x\ty/outage-notifier"), &[]), None);
        }

        #[test]
        fn turning_it_on_writes_the_entry_and_off_removes_it_and_auto_launchs_old_one() {
            let dir = tempfile::tempdir().expect("tempdir");
            let entry = Entry {
                path: dir.path().join("config/autostart").join(FILE_NAME),
                legacy: dir.path().join("home/.config/autostart").join(LEGACY_FILE_NAME),
                text: entry_text(Path::new("/usr/bin/outage-notifier"), &[]).expect("entry"),
            };
            std::fs::create_dir_all(entry.legacy.parent().expect("dir")).expect("legacy dir");
            std::fs::write(&entry.legacy, "[Desktop Entry]\nExec=/old/outage-notifier \n").expect("legacy");
            assert!(entry.is_enabled().expect("read"), "the old entry counts as on");

            entry.enable().expect("enable");
            assert_eq!(std::fs::read_to_string(&entry.path).expect("entry"), entry.text);
            assert!(!entry.legacy.exists(), "the old entry is replaced");
            assert!(entry.is_enabled().expect("read"));

            entry.disable().expect("disable");
            assert!(!entry.path.exists());
            assert!(!entry.is_enabled().expect("read"));
            entry.disable().expect("turning off what is off is fine");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_upgraded_binary_is_named_by_its_installed_path() {
        assert_eq!(
            installed_path(Path::new("/usr/bin/outage-notifier (deleted)")),
            PathBuf::from("/usr/bin/outage-notifier")
        );
        assert_eq!(installed_path(Path::new("/usr/bin/outage-notifier")), PathBuf::from("/usr/bin/outage-notifier"));
    }
}

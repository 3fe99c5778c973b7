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

/// Makes sure `dir` is a directory only we can enter, without changing anything we did not
/// create: the control socket and its lock live there. A missing directory is created
/// owner-only; an existing one must already be ours, owner-only and not a symbolic link.
/// Chmod-ing an existing one would follow a planted symlink into someone else's directory,
/// or turn a shared temp dir (1777) into ours.
pub fn private_dir(dir: &Path) -> std::io::Result<()> {
    if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    #[cfg(unix)]
    let created = std::os::unix::fs::DirBuilderExt::mode(&mut std::fs::DirBuilder::new(), 0o700).create(dir);
    #[cfg(not(unix))]
    let created = std::fs::DirBuilder::new().create(dir);
    match created {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(e),
    }
    // Also for one we just made: the umask may have taken bits, and checking costs nothing.
    check_private(dir)
}

#[cfg(unix)]
fn check_private(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::MetadataExt as _;
    let refuse = |why: String| {
        Err(std::io::Error::new(
            std::io::ErrorKind::PermissionDenied,
            format!(
                "refusing {}: {why}; remove it or set OUTAGE_NOTIFIER_SOCKET to a path in a directory of yours",
                dir.display()
            ),
        ))
    };
    let meta = std::fs::symlink_metadata(dir)?;
    if meta.file_type().is_symlink() {
        return refuse("it is a symbolic link".into());
    }
    if !meta.is_dir() {
        return refuse("it is not a directory".into());
    }
    let me = rustix::process::geteuid().as_raw();
    if meta.uid() != me {
        return refuse(format!("it belongs to user {}, not to us ({me})", meta.uid()));
    }
    let mode = meta.mode() & 0o7777;
    if mode != 0o700 {
        return refuse(format!("its mode is {mode:o}, not 700 (owner only)"));
    }
    Ok(())
}

/// Windows: the directory is in the user's own temp or app-data folder, whose ACL already
/// admits only the user (and the system).
#[cfg(not(unix))]
#[allow(clippy::unnecessary_wraps)] // the Unix version's signature
fn check_private(_dir: &Path) -> std::io::Result<()> {
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::os::unix::fs::PermissionsExt as _;

    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::symlink_metadata(path).unwrap().permissions().mode() & 0o7777
    }

    fn set_mode(path: &Path, mode: u32) {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }

    /// Claims the control socket in `dir` and says whether it was allowed.
    fn claims(dir: &Path) -> bool {
        crate::control::claim(&dir.join("control.sock")).is_ok()
    }

    // Binding the socket needs a reactor, hence tokio tests.
    #[tokio::test]
    async fn a_missing_socket_dir_is_created_owner_only() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("outage-notifier-me");
        assert!(claims(&dir));
        assert_eq!(mode(&dir), 0o700);
        // Ours and owner-only: the next start accepts it.
        assert!(claims(&dir));
    }

    #[tokio::test]
    async fn a_socket_dir_we_did_not_create_is_refused_and_left_alone() {
        let root = tempfile::tempdir().unwrap();

        // A shared, world-writable directory (another user made it first, or a misconfigured
        // OUTAGE_NOTIFIER_SOCKET): it stays 1777.
        let shared = root.path().join("shared");
        std::fs::create_dir(&shared).unwrap();
        set_mode(&shared, 0o1777);
        assert!(!claims(&shared), "a 1777 directory must be refused");
        assert_eq!(mode(&shared), 0o1777, "and never chmod-ed");

        let open = root.path().join("open");
        std::fs::create_dir(&open).unwrap();
        set_mode(&open, 0o755);
        assert!(!claims(&open), "a 755 directory must be refused");
        assert_eq!(mode(&open), 0o755);

        // A symlink into the victim's directory: neither followed nor changed.
        let victim = root.path().join("victim");
        std::fs::create_dir(&victim).unwrap();
        set_mode(&victim, 0o750);
        let link = root.path().join("link");
        std::os::unix::fs::symlink(&victim, &link).unwrap();
        assert!(!claims(&link), "a symlink must be refused");
        assert_eq!(mode(&victim), 0o750, "the symlink's target must not be chmod-ed");
        assert!(std::fs::read_dir(&victim).unwrap().next().is_none(), "nothing is created behind the link");

        // Owner-only but someone else's (only root can give a directory away).
        if rustix::process::geteuid().is_root() {
            let theirs = root.path().join("theirs");
            std::fs::create_dir(&theirs).unwrap();
            set_mode(&theirs, 0o700);
            std::os::unix::fs::chown(&theirs, Some(65534), Some(65534)).unwrap();
            assert!(!claims(&theirs), "another user's directory must be refused");
        }
    }
}

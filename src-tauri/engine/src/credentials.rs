//! Mail passwords in the OS keychain (Keychain, Credential Manager, Secret Service) and
//! nowhere else: not in the config, the history, logs, transcripts or IPC. When no keychain
//! service runs we say so; there is no plaintext fallback.
//!
//! Every call goes through `spawn_blocking` with a timeout: the keyring API blocks, the
//! Secret Service backend must not run on a runtime worker, and a locked collection can wait
//! for an unlock prompt forever (shared/research/mail.md §3.3).

use std::collections::HashMap;
use std::fmt;
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant};

/// Reading a password must not stall a probe for long.
const READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Storing may show an unlock prompt; give the user time to answer it.
const WRITE_TIMEOUT: Duration = Duration::from_mins(1);
/// How long the resident uses a password it has read without asking the keychain again.
/// Each read is several D-Bus calls (an endpoint's entry, then its provider's), a tenth of
/// a round trip's CPU when every look read two passwords (BENCHMARKS.md, round trip). A
/// password changed elsewhere is read again at once when a login is refused
/// ([`reread`]); one that still works is used until this runs out.
const REMEMBER_FOR: Duration = Duration::from_mins(30);

/// Passwords read for the scheduled probes, by check id and username, with when they were read.
type Remembered = Mutex<HashMap<(String, String), (Instant, Secret)>>;
static REMEMBERED: LazyLock<Remembered> = LazyLock::new(Remembered::default);

/// A password. Its `Debug` shows nothing, and its bytes (each clone's too) are overwritten
/// when it is dropped.
#[derive(Clone)]
pub struct Secret(Vec<u8>);

impl Secret {
    pub fn new(password: String) -> Secret {
        Secret(password.into_bytes())
    }

    pub fn expose(&self) -> &str {
        // Built only from a String, so always UTF-8.
        std::str::from_utf8(&self.0).unwrap_or("")
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        self.0.fill(0);
        // Keeps the compiler from dropping the writes as dead stores.
        std::hint::black_box(&self.0);
    }
}

/// Why the keychain could not be used. Never carries the secret.
#[derive(Debug, thiserror::Error)]
pub enum CredentialError {
    #[error(
        "no keychain service is available ({0}); on Linux start one (GNOME Keyring or KWallet, \
         usually part of a desktop login). Passwords are never stored in a file instead"
    )]
    Unavailable(String),
    #[error("the keychain did not answer within {0} s (is it locked and waiting for a password?)")]
    Timeout(u64),
    #[error("the keychain refused: {0}")]
    Failed(String),
}

/// Which keychain entry a password lives in. Each is the service `outage-notifier:…` with
/// the login's username as the account, so the user can find it by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry<'a> {
    /// One mail endpoint, by its check id (`<provider>/<kind>/<host>:<port>`): two endpoints
    /// that log in with the same username keep two passwords unless they are the same login.
    Endpoint(&'a str),
    /// Every endpoint of a provider that logs in as the username and has no entry of its own:
    /// how passwords were stored before endpoints had their own, and what `credentials set`
    /// without `--endpoint` also writes, so a password can be set before the config names it.
    Provider(&'a str),
}

impl Entry<'_> {
    /// The entry's service name.
    pub fn service(self) -> String {
        match self {
            Entry::Endpoint(check_id) => format!("outage-notifier:{check_id}"),
            Entry::Provider(provider_id) => format!("outage-notifier:{provider_id}"),
        }
    }
}

fn map_error(e: &keyring::Error) -> CredentialError {
    match e {
        keyring::Error::NoDefaultStore => {
            let why = match keyring::Entry::store_status() {
                Err(inner) => inner.to_string(),
                Ok(()) => "no credential store".to_owned(),
            };
            CredentialError::Unavailable(why)
        }
        keyring::Error::NoStorageAccess(inner) | keyring::Error::PlatformFailure(inner) => {
            CredentialError::Unavailable(inner.to_string())
        }
        other => CredentialError::Failed(other.to_string()),
    }
}

async fn blocking<T: Send + 'static>(
    limit: Duration,
    f: impl FnOnce() -> Result<T, CredentialError> + Send + 'static,
) -> Result<T, CredentialError> {
    match tokio::time::timeout(limit, tokio::task::spawn_blocking(f)).await {
        Ok(Ok(result)) => result,
        Ok(Err(join)) => Err(CredentialError::Failed(format!("the keychain call failed: {join}"))),
        Err(_) => Err(CredentialError::Timeout(limit.as_secs())),
    }
}

/// The password stored in exactly this entry, `None` when there is none.
pub async fn get(entry: Entry<'_>, username: &str) -> Result<Option<Secret>, CredentialError> {
    let (service, user) = (entry.service(), username.to_owned());
    blocking(READ_TIMEOUT, move || {
        let entry = keyring::Entry::new(&service, &user).map_err(|e| map_error(&e))?;
        match entry.get_password() {
            Ok(password) => Ok(Some(Secret::new(password))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(map_error(&e)),
        }
    })
    .await
}

/// The password an endpoint logs in with: its own entry, else its provider's.
pub async fn for_endpoint(
    provider_id: &str,
    check_id: &str,
    username: &str,
) -> Result<Option<Secret>, CredentialError> {
    match get(Entry::Endpoint(check_id), username).await? {
        Some(password) => Ok(Some(password)),
        None => get(Entry::Provider(provider_id), username).await,
    }
}

/// [`for_endpoint`], from what this process read within [`REMEMBER_FOR`]: for the probes
/// that run on a schedule. A test the user asks for reads the keychain itself.
pub async fn remembered(provider_id: &str, check_id: &str, username: &str) -> Result<Option<Secret>, CredentialError> {
    let key = (check_id.to_owned(), username.to_owned());
    if let Ok(remembered) = REMEMBERED.lock()
        && let Some((read, password)) = remembered.get(&key)
        && read.elapsed() < REMEMBER_FOR
    {
        return Ok(Some(password.clone()));
    }
    let read = for_endpoint(provider_id, check_id, username).await?;
    if let Ok(mut remembered) = REMEMBERED.lock() {
        match &read {
            Some(password) => remembered.insert(key, (Instant::now(), password.clone())),
            None => remembered.remove(&key),
        };
    }
    Ok(read)
}

/// After a refused login with `used`: the keychain's password now, when it is another one
/// (changed in another process, e.g. `credentials set`), else `None` — the refusal stands.
pub async fn reread(provider_id: &str, check_id: &str, username: &str, used: &Secret) -> Option<Secret> {
    if let Ok(mut remembered) = REMEMBERED.lock() {
        remembered.remove(&(check_id.to_owned(), username.to_owned()));
    }
    match remembered(provider_id, check_id, username).await {
        Ok(Some(fresh)) if fresh.0 != used.0 => Some(fresh),
        _ => None,
    }
}

/// Forgets every remembered password: the config or the keychain changed through us.
pub fn forget_remembered() {
    if let Ok(mut remembered) = REMEMBERED.lock() {
        remembered.clear();
    }
}

/// Stores (or replaces) the password.
pub async fn set(entry: Entry<'_>, username: &str, password: Secret) -> Result<(), CredentialError> {
    forget_remembered();
    let (service, user) = (entry.service(), username.to_owned());
    blocking(WRITE_TIMEOUT, move || {
        let entry = keyring::Entry::new(&service, &user).map_err(|e| map_error(&e))?;
        entry.set_password(password.expose()).map_err(|e| map_error(&e))
    })
    .await
}

/// Removes the password; `false` when none was stored.
pub async fn delete(entry: Entry<'_>, username: &str) -> Result<bool, CredentialError> {
    forget_remembered();
    let (service, user) = (entry.service(), username.to_owned());
    blocking(WRITE_TIMEOUT, move || {
        let entry = keyring::Entry::new(&service, &user).map_err(|e| map_error(&e))?;
        match entry.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(e) => Err(map_error(&e)),
        }
    })
    .await
}

/// Puts an entry back as it was before a change: the password it had, or none.
pub async fn restore(entry: Entry<'_>, username: &str, previous: Option<Secret>) -> Result<(), CredentialError> {
    match previous {
        Some(old) => set(entry, username, old).await,
        None => delete(entry, username).await.map(|_| ()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The provider's entry keeps the name passwords were stored under before endpoints had
    /// their own, so existing passwords still work; an endpoint's entry names the whole login.
    #[test]
    fn entries_are_named_after_the_login() {
        assert_eq!(Entry::Provider("df").service(), "outage-notifier:df");
        assert_eq!(Entry::Endpoint("df/imap/sslin.df.eu:993").service(), "outage-notifier:df/imap/sslin.df.eu:993");
    }

    #[test]
    fn secrets_do_not_debug_print() {
        let s = Secret::new("hunter2".into());
        assert_eq!(format!("{s:?}"), "Secret(<redacted>)");
        assert_eq!(s.expose(), "hunter2");
    }
}

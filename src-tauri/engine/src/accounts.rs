//! Mail accounts as the window changes them: the config edit goes to the resident first, and
//! the keychain changes only once the resident accepted it; if the keychain then fails, the
//! edit is undone. A refused edit never leaves a password behind (measured before: a save the
//! resident refused had already replaced another account's password).
//!
//! These run in the window process, which owns the password: it never crosses the socket.

use outage_core::protocol::{MailAccount, NewMail, NewProvider};
use outage_core::summary::{CheckStep, CheckSummary};

use crate::control::{Client, ClientError};
use crate::credentials::{self, CredentialError, Entry, Secret};

/// Why a mail account could not be changed.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// The resident refused or could not be reached; nothing was changed.
    #[error(transparent)]
    Resident(#[from] ClientError),
    /// The keychain failed before anything else was changed.
    #[error(transparent)]
    Keychain(#[from] CredentialError),
    #[error("a password needs a username")]
    PasswordWithoutUsername,
    #[error("the password could not be stored, so the change was undone: {0}")]
    Undone(CredentialError),
    #[error("the password could not be stored ({keychain}), and undoing the change failed too: {undo}")]
    NotUndone { keychain: CredentialError, undo: ClientError },
    #[error("the test ran, but the keychain could not be put back: {0}")]
    NotRestored(CredentialError),
    #[error("the provider is removed, but its passwords could not be deleted from the keychain: {0}")]
    PasswordsLeft(CredentialError),
}

/// The endpoint's username as it will be written: trimmed, `None` when empty.
fn username(mail: &NewMail) -> Option<String> {
    mail.username.as_deref().map(str::trim).filter(|u| !u.is_empty()).map(str::to_owned)
}

/// The typed password, `None` when nothing was typed; a password without a username is a
/// mistake the user should hear about.
fn typed(mail: &NewMail, password: Option<Secret>) -> Result<Option<(String, Secret)>, AccountError> {
    match (password.filter(|p| !p.is_empty()), username(mail)) {
        (None, _) => Ok(None),
        (Some(_), None) => Err(AccountError::PasswordWithoutUsername),
        (Some(password), Some(user)) => Ok(Some((user, password))),
    }
}

fn undo(undone: Result<(), ClientError>, keychain: CredentialError) -> AccountError {
    match undone {
        Ok(()) => AccountError::Undone(keychain),
        Err(undo) => AccountError::NotUndone { keychain, undo },
    }
}

async fn account(client: &mut Client, provider_id: &str, check_id: &str) -> Result<Option<MailAccount>, ClientError> {
    Ok(client.mail_accounts(provider_id.to_owned()).await?.into_iter().find(|a| a.check_id == check_id))
}

/// Adds a mail endpoint; a password given with it is stored for this endpoint alone.
pub async fn add(client: &mut Client, mail: NewMail, password: Option<Secret>) -> Result<(), AccountError> {
    let login = typed(&mail, password)?;
    let (provider_id, check_id) = (mail.provider_id.clone(), mail.check_id());
    client.add_mail(mail).await?;
    // Accepted, so the port resolved and the check id exists.
    let (Some((user, password)), Some(check_id)) = (login, check_id) else { return Ok(()) };
    if let Err(keychain) = credentials::set(Entry::Endpoint(&check_id), &user, password).await {
        return Err(undo(client.remove_mail(provider_id, check_id).await, keychain));
    }
    Ok(())
}

/// Adds a provider with its mail endpoints (one write); a password given with it is stored
/// for each endpoint that logs in (all log in as the one address the user typed). Should the
/// keychain fail, the provider is removed again and what was stored is taken back.
pub async fn add_provider(
    client: &mut Client,
    provider: NewProvider,
    password: Option<Secret>,
) -> Result<(), AccountError> {
    let password = password.filter(|p| !p.is_empty());
    let logins: Vec<(String, String)> = provider
        .mail
        .iter()
        .map(|m| NewMail { provider_id: provider.id.clone(), ..m.clone() })
        .filter_map(|m| Some((m.check_id()?, username(&m)?)))
        .collect();
    if password.is_some() && logins.is_empty() {
        return Err(AccountError::PasswordWithoutUsername);
    }
    let id = provider.id.clone();
    client.add_provider(provider).await?;
    let Some(password) = password else { return Ok(()) };
    for (n, (check_id, user)) in logins.iter().enumerate() {
        if let Err(keychain) = credentials::set(Entry::Endpoint(check_id), user, password.clone()).await {
            for (stored, user) in &logins[..n] {
                if let Err(e) = credentials::delete(Entry::Endpoint(stored), user).await {
                    tracing::warn!("the password of {stored} stays in the keychain: {e}");
                }
            }
            return Err(undo(client.remove_provider(id, true).await, keychain));
        }
    }
    Ok(())
}

/// Removes a provider, then every password its mail endpoints logged in with: their own
/// entries and the provider's entry for each username. Measured before: a removed provider's
/// passwords stayed in the keychain for good, and a provider added again under the same id
/// logged in with them.
pub async fn remove_provider(
    client: &mut Client,
    provider_id: String,
    delete_history: bool,
) -> Result<(), AccountError> {
    let accounts = client.mail_accounts(provider_id.clone()).await?;
    client.remove_provider(provider_id.clone(), delete_history).await?;
    let logins: Vec<(String, String)> = accounts
        .into_iter()
        .filter_map(|a| Some((a.check_id, a.username?.trim().to_owned())))
        .filter(|(_, user)| !user.is_empty())
        .collect();
    let mut users: Vec<&str> = logins.iter().map(|(_, user)| user.as_str()).collect();
    users.sort_unstable();
    users.dedup();
    let entries = logins
        .iter()
        .map(|(check_id, user)| (Entry::Endpoint(check_id), user.as_str()))
        .chain(users.into_iter().map(|user| (Entry::Provider(&provider_id), user)));
    for (entry, user) in entries {
        match credentials::delete(entry, user).await {
            Ok(_) => {}
            // No keychain at all: nothing can have been stored in it.
            Err(CredentialError::Unavailable(why)) => {
                tracing::info!("no keychain to delete {}'s passwords from: {why}", entry.service());
                break;
            }
            Err(e) => return Err(AccountError::PasswordsLeft(e)),
        }
    }
    Ok(())
}

/// Changes the endpoint with this check id in place. A typed password is stored for the
/// edited login; without one, a login that only moved (same username, new host, port or
/// kind) keeps its password.
pub async fn edit(
    client: &mut Client,
    check_id: String,
    mail: NewMail,
    password: Option<Secret>,
) -> Result<(), AccountError> {
    let login = typed(&mail, password)?;
    let provider_id = mail.provider_id.clone();
    let old = account(client, &provider_id, &check_id).await?;
    let (new_id, new_user) = (mail.check_id(), username(&mail));
    client.edit_mail(check_id.clone(), mail).await?;
    // Accepted, so the endpoint existed and the new one resolves.
    let (Some(old), Some(new_id)) = (old, new_id) else { return Ok(()) };
    if let Err(keychain) = rekey(&old, &new_id, new_user.as_deref(), login).await {
        return Err(undo(client.edit_mail(new_id, old.as_new(&provider_id)).await, keychain));
    }
    Ok(())
}

/// Moves the keychain along with an edited endpoint. Only the first write can fail before
/// anything changed; the old entry is removed last, and failing that leaves only a stale
/// entry behind.
async fn rekey(
    old: &MailAccount,
    new_id: &str,
    new_user: Option<&str>,
    login: Option<(String, Secret)>,
) -> Result<(), CredentialError> {
    let old_user = old.username.as_deref().map(str::trim);
    let same_login = old.check_id == new_id && old_user == new_user;
    match (login, new_user) {
        (Some((user, password)), _) => credentials::set(Entry::Endpoint(new_id), &user, password).await?,
        (None, Some(user)) if !same_login && old_user == Some(user) => {
            // None: it used its provider's entry, which the moved endpoint falls back to too.
            if let Some(password) = credentials::get(Entry::Endpoint(&old.check_id), user).await? {
                credentials::set(Entry::Endpoint(new_id), user, password).await?;
            }
        }
        _ => {}
    }
    if let (false, Some(user)) = (same_login, old_user)
        && let Err(e) = credentials::delete(Entry::Endpoint(&old.check_id), user).await
    {
        tracing::warn!("the old password of {} stays in the keychain: {e}", old.check_id);
    }
    Ok(())
}

/// Removes the endpoint with this check id, then its password, and its provider's entry for
/// that username once no other endpoint of the provider logs in with it.
pub async fn remove(client: &mut Client, provider_id: String, check_id: String) -> Result<(), AccountError> {
    let old = account(client, &provider_id, &check_id).await?;
    client.remove_mail(provider_id.clone(), check_id.clone()).await?;
    let Some(user) = old.and_then(|a| a.username).map(|u| u.trim().to_owned()) else { return Ok(()) };
    credentials::delete(Entry::Endpoint(&check_id), &user).await?;
    let remaining = client.mail_accounts(provider_id.clone()).await?;
    if !remaining.iter().any(|a| a.username.as_deref().map(str::trim) == Some(user.as_str())) {
        credentials::delete(Entry::Provider(&provider_id), &user).await?;
    }
    Ok(())
}

/// "Test connection": a password typed for the test is put into the endpoint's entry only for
/// the probe (the resident reads it from there) and the entry is put back afterwards: "Save"
/// stores it.
pub async fn test(
    client: &mut Client,
    mail: NewMail,
    password: Option<Secret>,
    on_step: impl FnMut(CheckStep),
) -> Result<CheckSummary, AccountError> {
    let login = typed(&mail, password)?;
    let temporary = match (login, mail.check_id()) {
        (Some((user, password)), Some(check_id)) => {
            let previous = credentials::get(Entry::Endpoint(&check_id), &user).await?;
            credentials::set(Entry::Endpoint(&check_id), &user, password).await?;
            Some((check_id, user, previous))
        }
        _ => None,
    };
    let result = client.test_mail(mail, on_step).await;
    if let Some((check_id, user, previous)) = temporary {
        credentials::restore(Entry::Endpoint(&check_id), &user, previous).await.map_err(AccountError::NotRestored)?;
    }
    Ok(result?)
}

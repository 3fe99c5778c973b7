//! The window's IPC commands: each forwards to the resident over the control socket.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use outage_core::alert::Span;
use outage_core::ipc::{CheckStep, CheckSummary, Controls, NewMail, Request, Summary};
use outage_engine::control::{Client, ClientError};
use outage_engine::credentials;

/// What the window process keeps.
#[derive(Debug)]
pub struct WindowState {
    pub socket: PathBuf,
    /// The route to show first, taken once by the page when it loads.
    pub route: Mutex<Option<String>>,
}

/// Connects to the resident, starting it first when none runs (window launched from the
/// desktop menu).
pub async fn connect_or_start(socket: &Path) -> Result<Client, String> {
    match Client::connect(socket).await {
        Ok(c) => return Ok(c),
        Err(ClientError::NotRunning(_)) => {}
        Err(e) => return Err(e.to_string()),
    }
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let resident = exe.with_file_name(if cfg!(windows) { "outage-notifier.exe" } else { "outage-notifier" });
    std::process::Command::new(&resident)
        .env("OUTAGE_NOTIFIER_SOCKET", socket)
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", resident.display()))?;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if let Ok(c) = Client::connect(socket).await {
            return Ok(c);
        }
    }
    Err("the resident did not come up within 5 s".into())
}

#[tauri::command]
pub async fn summary(state: tauri::State<'_, WindowState>) -> Result<Summary, String> {
    let mut client = Client::connect(&state.socket).await.map_err(|e| e.to_string())?;
    client.summary().await.map_err(|e| e.to_string())
}

// Tauri injects `State` by value; the signature is its, not ours.
#[allow(clippy::needless_pass_by_value)]
#[tauri::command]
pub fn take_route(state: tauri::State<'_, WindowState>) -> Option<String> {
    state.route.lock().ok().and_then(|mut r| r.take())
}

#[tauri::command]
pub async fn check_now(state: tauri::State<'_, WindowState>) -> Result<(), String> {
    let mut client = Client::connect(&state.socket).await.map_err(|e| e.to_string())?;
    client.request(Request::CheckNow).await.map(|_| ()).map_err(|e| e.to_string())
}

/// Sends a request that answers `Done`.
async fn send(state: &WindowState, request: Request) -> Result<(), String> {
    let mut client = Client::connect(&state.socket).await.map_err(|e| e.to_string())?;
    client.request(request).await.map(|_| ()).map_err(|e| e.to_string())
}

#[tauri::command]
pub async fn controls(state: tauri::State<'_, WindowState>) -> Result<Controls, String> {
    let mut client = Client::connect(&state.socket).await.map_err(|e| e.to_string())?;
    client.controls().await.map_err(|e| e.to_string())
}

#[tauri::command]
pub async fn pause(state: tauri::State<'_, WindowState>, span: Span) -> Result<(), String> {
    send(&state, Request::Pause { span }).await
}

#[tauri::command]
pub async fn resume(state: tauri::State<'_, WindowState>) -> Result<(), String> {
    send(&state, Request::Resume).await
}

#[tauri::command]
pub async fn snooze(state: tauri::State<'_, WindowState>, provider_id: String, span: Span) -> Result<(), String> {
    send(&state, Request::Snooze { provider_id, span }).await
}

#[tauri::command]
pub async fn mute(state: tauri::State<'_, WindowState>, provider_id: String) -> Result<(), String> {
    send(&state, Request::Mute { provider_id }).await
}

#[tauri::command]
pub async fn unmute(state: tauri::State<'_, WindowState>, provider_id: String) -> Result<(), String> {
    send(&state, Request::Unmute { provider_id }).await
}

#[tauri::command]
pub async fn set_autostart(state: tauri::State<'_, WindowState>, enabled: bool) -> Result<(), String> {
    send(&state, Request::SetAutostart { enabled }).await
}

#[tauri::command]
pub async fn quit(state: tauri::State<'_, WindowState>) -> Result<(), String> {
    send(&state, Request::Quit).await
}

#[tauri::command]
pub async fn provider_history(
    state: tauri::State<'_, WindowState>,
    provider_id: String,
) -> Result<outage_core::report::ProviderHistory, String> {
    let mut client = Client::connect(&state.socket).await.map_err(|e| e.to_string())?;
    client.provider_history(&provider_id).await.map_err(|e| e.to_string())
}

#[tauri::command]
pub async fn catalog(state: tauri::State<'_, WindowState>) -> Result<Vec<outage_core::ipc::PresetSummary>, String> {
    let mut client = Client::connect(&state.socket).await.map_err(|e| e.to_string())?;
    client.catalog().await.map_err(|e| e.to_string())
}

#[tauri::command]
pub async fn detect(state: tauri::State<'_, WindowState>, url: String) -> Result<outage_core::ipc::Detection, String> {
    let mut client = Client::connect(&state.socket).await.map_err(|e| e.to_string())?;
    client.detect(&url).await.map_err(|e| e.to_string())
}

#[tauri::command]
pub async fn add_provider(
    state: tauri::State<'_, WindowState>,
    provider: outage_core::ipc::NewProvider,
) -> Result<(), String> {
    send(&state, Request::AddProvider { provider }).await
}

#[tauri::command]
pub async fn remove_provider(state: tauri::State<'_, WindowState>, provider_id: String) -> Result<(), String> {
    send(&state, Request::RemoveProvider { provider_id }).await
}

#[tauri::command]
pub async fn general_settings(
    state: tauri::State<'_, WindowState>,
) -> Result<outage_core::ipc::GeneralSettings, String> {
    let mut client = Client::connect(&state.socket).await.map_err(|e| e.to_string())?;
    client.general_settings().await.map_err(|e| e.to_string())
}

#[tauri::command]
pub async fn set_general_settings(
    state: tauri::State<'_, WindowState>,
    settings: outage_core::ipc::GeneralSettings,
) -> Result<(), String> {
    send(&state, Request::SetGeneralSettings { settings }).await
}

#[tauri::command]
pub async fn mail_accounts(
    state: tauri::State<'_, WindowState>,
    provider_id: String,
) -> Result<Vec<outage_core::ipc::MailAccount>, String> {
    let mut client = Client::connect(&state.socket).await.map_err(|e| e.to_string())?;
    client.mail_accounts(&provider_id).await.map_err(|e| e.to_string())
}

/// Puts the password into the keychain from this process, so it never crosses the control
/// socket: the resident reads it from the keychain for each probe, as it does for the CLI's
/// `credentials set`.
async fn store_password(mail: &NewMail, password: Option<String>) -> Result<(), String> {
    let Some(password) = password.filter(|p| !p.is_empty()) else { return Ok(()) };
    let password = credentials::Secret::new(password);
    let username = mail.username.as_deref().map(str::trim).filter(|u| !u.is_empty());
    let Some(username) = username else { return Err("a password needs a username".into()) };
    credentials::set(&mail.provider_id, username, password).await.map_err(|e| e.to_string())
}

/// Adds a mail endpoint; a password given with it goes into the keychain first.
#[tauri::command]
pub async fn add_mail(
    state: tauri::State<'_, WindowState>,
    mail: NewMail,
    password: Option<String>,
) -> Result<(), String> {
    store_password(&mail, password).await?;
    send(&state, Request::AddMail { mail }).await
}

/// Removes a mail endpoint, and its password once no other endpoint of the provider logs in
/// with that username.
#[tauri::command]
pub async fn remove_mail(
    state: tauri::State<'_, WindowState>,
    provider_id: String,
    check_id: String,
    username: Option<String>,
) -> Result<(), String> {
    let mut client = Client::connect(&state.socket).await.map_err(|e| e.to_string())?;
    client
        .request(Request::RemoveMail { provider_id: provider_id.clone(), check_id })
        .await
        .map_err(|e| e.to_string())?;
    let Some(username) = username.filter(|u| !u.is_empty()) else { return Ok(()) };
    let remaining = client.mail_accounts(&provider_id).await.map_err(|e| e.to_string())?;
    if !remaining.iter().any(|a| a.username.as_deref() == Some(username.as_str())) {
        credentials::delete(&provider_id, &username).await.map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// "Test connection": each probe step reaches the page through `on_step` as it ends. A
/// password typed for the test is put into the keychain only for the probe (the resident
/// reads it from there) and the keychain is left as it was afterwards: "Save" stores it.
#[tauri::command]
pub async fn test_mail(
    state: tauri::State<'_, WindowState>,
    mail: NewMail,
    password: Option<String>,
    on_step: tauri::ipc::Channel<CheckStep>,
) -> Result<CheckSummary, String> {
    let username = mail.username.as_deref().map(str::trim).filter(|u| !u.is_empty()).map(str::to_owned);
    let typed = password.filter(|p| !p.is_empty());
    let previous = match (&typed, &username) {
        (Some(_), Some(user)) => Some(credentials::get(&mail.provider_id, user).await.map_err(|e| e.to_string())?),
        _ => None,
    };
    let provider_id = mail.provider_id.clone();
    store_password(&mail, typed).await?;
    let result = async {
        let mut client = Client::connect(&state.socket).await.map_err(|e| e.to_string())?;
        client
            .test_mail(mail, |step| {
                let _ = on_step.send(step);
            })
            .await
            .map_err(|e| e.to_string())
    }
    .await;
    if let (Some(previous), Some(user)) = (previous, &username) {
        let restored = match previous {
            Some(old) => credentials::set(&provider_id, user, old).await,
            None => credentials::delete(&provider_id, user).await.map(|_| ()),
        };
        restored.map_err(|e| format!("the test ran, but the keychain could not be put back: {e}"))?;
    }
    result
}
/// Opens a provider's status page, or one of its incidents, in the user's browser. The page
/// names only which: the address comes from the resident's summary and must be http(s), so
/// neither a script in the page nor a status page's incident data can open anything else.
#[tauri::command]
pub async fn open_link(
    app: tauri::AppHandle,
    state: tauri::State<'_, WindowState>,
    provider_id: String,
    incident_id: Option<String>,
) -> Result<(), String> {
    use tauri_plugin_opener::OpenerExt as _;
    let mut client = Client::connect(&state.socket).await.map_err(|e| e.to_string())?;
    let summary = client.summary().await.map_err(|e| e.to_string())?;
    let provider = summary
        .providers
        .into_iter()
        .find(|p| p.id == provider_id)
        .ok_or_else(|| format!("no provider `{provider_id}`"))?;
    let address = match &incident_id {
        Some(id) => provider.incidents.iter().find(|i| &i.id == id).and_then(|i| i.url.clone()),
        None => provider.status_page.clone(),
    }
    .ok_or("there is no address to open")?;
    let url = url::Url::parse(&address).map_err(|e| format!("not an address: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("only web addresses are opened, not {}:", url.scheme()));
    }
    app.opener().open_url(url.as_str(), None::<&str>).map_err(|e| e.to_string())
}

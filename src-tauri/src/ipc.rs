//! The window's IPC commands: each forwards to the resident over the control socket, except
//! the few that must not (a mail password goes straight into the keychain; links open here).

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use outage_core::protocol::NewMail;
use outage_core::summary::{CheckStep, CheckSummary};
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

// Tauri injects `State` by value; the signature is its, not ours.
#[allow(clippy::needless_pass_by_value)]
#[tauri::command]
pub fn take_route(state: tauri::State<'_, WindowState>) -> Option<String> {
    state.route.lock().ok().and_then(|mut r| r.take())
}

/// The window's part of the command list: each `window` command becomes a Tauri command of
/// the same name that forwards its arguments to the resident and returns its reply.
macro_rules! forwarding_commands {
    ($(
        $(#[$doc:meta])*
        $scope:ident $name:ident : $variant:ident $({ $($field:ident : $fty:ty),* })?
            -> $reply:ty = $message:ident { $($reply_field:ident)? };
    )*) => {
        $(forwarding_command!($scope $(#[$doc])* $name ($($($field : $fty),*)?) -> $reply);)*
    };
}

macro_rules! forwarding_command {
    (window $(#[$doc:meta])* $name:ident ($($field:ident : $fty:ty),*) -> $reply:ty) => {
        $(#[$doc])*
        #[tauri::command]
        pub async fn $name(state: tauri::State<'_, WindowState> $(, $field: $fty)*) -> Result<$reply, String> {
            let mut client = Client::connect(&state.socket).await.map_err(|e| e.to_string())?;
            client.$name($($field),*).await.map_err(|e| e.to_string())
        }
    };
    ($scope:ident $($rest:tt)*) => {};
}

outage_core::with_commands!(forwarding_commands);

/// The handler of every command the page may call: the forwarding ones from the command list,
/// then the hand-written ones. Expands to `tauri::generate_handler![…]`.
macro_rules! handler {
    (@names [$($names:ident)*]) => {
        tauri::generate_handler![
            $(ipc::$names,)*
            ipc::take_route,
            ipc::add_mail,
            ipc::remove_mail,
            ipc::test_mail,
            ipc::open_link
        ]
    };
    (@names [$($names:ident)*]
        $(#[$doc:meta])*
        window $name:ident : $variant:ident $({ $($field:ident : $fty:ty),* })?
            -> $reply:ty = $message:ident { $($reply_field:ident)? };
        $($rest:tt)*
    ) => {
        handler!(@names [$($names)* $name] $($rest)*)
    };
    (@names [$($names:ident)*]
        $(#[$doc:meta])*
        $scope:ident $name:ident : $variant:ident $({ $($field:ident : $fty:ty),* })?
            -> $reply:ty = $message:ident { $($reply_field:ident)? };
        $($rest:tt)*
    ) => {
        handler!(@names [$($names)*] $($rest)*)
    };
}
pub(crate) use handler;

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
    let mut client = Client::connect(&state.socket).await.map_err(|e| e.to_string())?;
    client.add_mail(mail).await.map_err(|e| e.to_string())
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
    client.remove_mail(provider_id.clone(), check_id).await.map_err(|e| e.to_string())?;
    let Some(username) = username.filter(|u| !u.is_empty()) else { return Ok(()) };
    let remaining = client.mail_accounts(provider_id.clone()).await.map_err(|e| e.to_string())?;
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

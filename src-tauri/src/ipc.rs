//! The window's IPC commands: each forwards to the resident over the control socket, except
//! the few that must not (a mail password goes straight into the keychain; links open here).

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use outage_core::protocol::{NewMail, NewProvider};
use outage_core::summary::{CheckStep, CheckSummary};
use outage_engine::control::{Client, ClientError};
use outage_engine::{accounts, credentials};

/// What the window process keeps.
#[derive(Debug)]
pub struct WindowState {
    pub socket: PathBuf,
    /// The route to show first, taken once by the page when it loads.
    pub route: Mutex<Option<String>>,
    /// The paths the user chose in the report's save dialog: the only files `open_report`
    /// opens (with the CSV files made from it).
    pub chosen: Mutex<Vec<PathBuf>>,
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
            ipc::add_provider,
            ipc::add_mail,
            ipc::edit_mail,
            ipc::remove_mail,
            ipc::remove_provider,
            ipc::test_mail,
            ipc::open_link,
            ipc::pick_file,
            ipc::choose_report_file,
            ipc::open_report
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

fn secret(password: Option<String>) -> Option<credentials::Secret> {
    password.filter(|p| !p.is_empty()).map(credentials::Secret::new)
}

/// Adds a provider with its mail endpoints; a password given with it goes into the keychain
/// from this process for each endpoint with a username, once the resident accepted them.
#[tauri::command]
pub async fn add_provider(
    state: tauri::State<'_, WindowState>,
    provider: NewProvider,
    password: Option<String>,
) -> Result<(), String> {
    let mut client = Client::connect(&state.socket).await.map_err(|e| e.to_string())?;
    accounts::add_provider(&mut client, provider, secret(password)).await.map_err(|e| e.to_string())
}

/// Adds a mail endpoint; a password given with it goes into the keychain from this process
/// (so it never crosses the socket), once the resident accepted the endpoint.
#[tauri::command]
pub async fn add_mail(
    state: tauri::State<'_, WindowState>,
    mail: NewMail,
    password: Option<String>,
) -> Result<(), String> {
    let mut client = Client::connect(&state.socket).await.map_err(|e| e.to_string())?;
    accounts::add(&mut client, mail, secret(password)).await.map_err(|e| e.to_string())
}

/// Changes a mail endpoint in place; a password given with it is stored as with `add_mail`.
#[tauri::command]
pub async fn edit_mail(
    state: tauri::State<'_, WindowState>,
    check_id: String,
    mail: NewMail,
    password: Option<String>,
) -> Result<(), String> {
    let mut client = Client::connect(&state.socket).await.map_err(|e| e.to_string())?;
    accounts::edit(&mut client, check_id, mail, secret(password)).await.map_err(|e| e.to_string())
}

/// Removes a mail endpoint and its password.
#[tauri::command]
pub async fn remove_mail(
    state: tauri::State<'_, WindowState>,
    provider_id: String,
    check_id: String,
) -> Result<(), String> {
    let mut client = Client::connect(&state.socket).await.map_err(|e| e.to_string())?;
    accounts::remove(&mut client, provider_id, check_id).await.map_err(|e| e.to_string())
}

/// Removes a provider, then its mail passwords from the keychain.
#[tauri::command]
pub async fn remove_provider(
    state: tauri::State<'_, WindowState>,
    provider_id: String,
    delete_history: bool,
) -> Result<(), String> {
    let mut client = Client::connect(&state.socket).await.map_err(|e| e.to_string())?;
    accounts::remove_provider(&mut client, provider_id, delete_history).await.map_err(|e| e.to_string())
}

/// "Test connection": each probe step reaches the page through `on_step` as it ends. A
/// password typed for the test is in the keychain only while the probe runs: "Save" stores it.
#[tauri::command]
pub async fn test_mail(
    state: tauri::State<'_, WindowState>,
    mail: NewMail,
    password: Option<String>,
    on_step: tauri::ipc::Channel<CheckStep>,
) -> Result<CheckSummary, String> {
    let mut client = Client::connect(&state.socket).await.map_err(|e| e.to_string())?;
    let forward = |step| {
        let _ = on_step.send(step);
    };
    accounts::test(&mut client, mail, secret(password), forward).await.map_err(|e| e.to_string())
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

/// The system's file chooser, for the CA file of a self-hosted mail server: the page gets the
/// chosen path (or `None` when cancelled) and never browses the disk itself. `title` is the
/// chooser's heading in the page's language.
#[tauri::command]
pub async fn pick_file(app: tauri::AppHandle, title: String) -> Option<String> {
    use tauri_plugin_dialog::DialogExt as _;
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog().file().set_title(title).pick_file(move |path| {
        let _ = tx.send(path.and_then(|p| p.into_path().ok()).map(|p| p.display().to_string()));
    });
    rx.await.ok().flatten()
}

/// The system's save dialog for the evidence report: `name` is the proposed file name, and
/// its extension the one filter. The chosen path is remembered, since `open_report` opens
/// nothing else; the page gets it (or `None` when cancelled) and asks the resident to write
/// there.
#[tauri::command]
pub async fn choose_report_file(
    app: tauri::AppHandle,
    state: tauri::State<'_, WindowState>,
    title: String,
    name: String,
) -> Result<Option<String>, String> {
    use tauri_plugin_dialog::DialogExt as _;
    let (tx, rx) = tokio::sync::oneshot::channel();
    let mut dialog = app.dialog().file().set_title(title).set_file_name(&name);
    if let Some(extension) = Path::new(&name).extension().and_then(|e| e.to_str()) {
        dialog = dialog.add_filter(extension.to_uppercase(), &[extension]);
    }
    dialog.save_file(move |path| {
        let _ = tx.send(path.and_then(|p| p.into_path().ok()));
    });
    let Some(path) = rx.await.ok().flatten() else { return Ok(None) };
    state.chosen.lock().map_err(|e| e.to_string())?.push(path.clone());
    Ok(Some(path.display().to_string()))
}

/// Opens a report the export wrote, with the system's program for its type. Only a path
/// chosen in [`choose_report_file`] (or one of the CSV files made from it) is opened, so the
/// page cannot open any other file.
// Tauri injects `State` by value; the signature is its, not ours.
#[allow(clippy::needless_pass_by_value)]
#[tauri::command]
pub fn open_report(app: tauri::AppHandle, state: tauri::State<'_, WindowState>, path: String) -> Result<(), String> {
    use tauri_plugin_opener::OpenerExt as _;
    let wanted = PathBuf::from(&path);
    let chosen = state.chosen.lock().map_err(|e| e.to_string())?;
    let known = chosen.iter().any(|c| {
        let (outages, days) = outage_engine::report::csv::paths(c);
        let (degraded, mails) =
            (outage_engine::report::csv::degraded_path(c), outage_engine::report::csv::mails_path(c));
        [c.clone(), outages, days, degraded, mails].contains(&wanted)
    });
    if !known || !wanted.is_file() {
        return Err(format!("{path} is not a report written here"));
    }
    app.opener().open_path(path, None::<&str>).map_err(|e| e.to_string())
}

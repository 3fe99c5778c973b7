//! The control socket: newline-delimited JSON between the resident and its clients (the
//! window, `outage-notifier open`, a second launch). Owner-only, bounded, and also the
//! single-instance lock.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use outage_core::alert;
use outage_core::ipc::{Controls, ErrorCode, MAX_LINE_BYTES, Request, RequestEnvelope, ServerMessage, Summary};
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::sync::{Semaphore, broadcast, mpsc, oneshot};

use crate::EngineError;
use crate::runner::{Command, EngineHandle};

/// Connections served at once; more wait (a stalled client cannot starve the others).
const MAX_CONNECTIONS: usize = 32;
/// A client that sends nothing for this long (and is not subscribed) is disconnected.
const IDLE: Duration = Duration::from_secs(60);

/// What the shell does for requests the engine cannot answer itself.
#[derive(Debug)]
pub enum ShellAction {
    OpenWindow {
        route: Option<String>,
    },
    /// Snooze, mute, pause: the alert policy lives in the shell.
    Alert(alert::Command),
    SetAutostart(bool),
    /// Reply with the current controls.
    Controls(oneshot::Sender<Controls>),
    Quit,
}

/// The outcome of trying to become the one running resident.
#[derive(Debug)]
pub enum Claim {
    /// We hold the lock and listen on the socket.
    Primary(Listener),
    /// Another resident runs; talk to it through the socket.
    Secondary,
}

/// The bound socket plus the lock that makes it ours.
#[derive(Debug)]
pub struct Listener {
    socket: transport::Acceptor,
    path: PathBuf,
    _lock: std::fs::File,
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Takes the single-instance lock and binds the socket, or reports that another resident
/// holds it.
pub fn claim(path: &Path) -> Result<Claim, EngineError> {
    let err = |source| EngineError::Control { path: path.display().to_string(), source };
    let dir = path.parent().unwrap_or(Path::new("."));
    crate::paths::private_dir(dir).map_err(err)?;
    let lock_path = path.with_extension("lock");
    let lock = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&lock_path).map_err(err)?;
    match lock.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => return Ok(Claim::Secondary),
        Err(std::fs::TryLockError::Error(e)) => return Err(err(e)),
    }
    // We hold the lock, so a socket file left here belongs to a dead resident.
    match std::fs::remove_file(path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(err(e)),
    }
    let listener = transport::Acceptor::bind(path).map_err(err)?;
    Ok(Claim::Primary(Listener { socket: listener, path: path.to_path_buf(), _lock: lock }))
}

#[cfg(unix)]
fn set_owner_only(path: &Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

/// The byte stream under the protocol: a Unix domain socket, or a named pipe on Windows.
#[cfg(unix)]
mod transport {
    use std::path::Path;

    pub type ServerStream = tokio::net::UnixStream;
    pub type ClientStream = tokio::net::UnixStream;

    #[derive(Debug)]
    pub struct Acceptor(tokio::net::UnixListener);

    impl Acceptor {
        pub fn bind(path: &Path) -> std::io::Result<Acceptor> {
            let listener = tokio::net::UnixListener::bind(path)?;
            super::set_owner_only(path, 0o600)?;
            Ok(Acceptor(listener))
        }

        pub async fn accept(&mut self) -> std::io::Result<ServerStream> {
            self.0.accept().await.map(|(stream, _)| stream)
        }
    }

    pub async fn connect(path: &Path) -> std::io::Result<ClientStream> {
        tokio::net::UnixStream::connect(path).await
    }
}

/// Windows: a named pipe whose name is derived from the socket path, so the path (and
/// `OUTAGE_NOTIFIER_SOCKET`) still names the resident. Remote clients are refused; the pipe's
/// default DACL lets other local accounts open it for reading only, and a reader that cannot
/// write a request is sent nothing.
#[cfg(windows)]
mod transport {
    use std::path::Path;
    use std::time::Duration;

    use tokio::net::windows::named_pipe::{ClientOptions, NamedPipeClient, NamedPipeServer, ServerOptions};

    pub type ServerStream = NamedPipeServer;
    pub type ClientStream = NamedPipeClient;

    /// ERROR_PIPE_BUSY: every instance is taken; another comes within moments.
    const PIPE_BUSY: i32 = 231;

    fn name(path: &Path) -> String {
        let flat: String =
            path.to_string_lossy().chars().map(|c| if matches!(c, '\\' | '/' | ':') { '_' } else { c }).collect();
        // Pipe names end at 256 characters; the end of a path is its distinctive part.
        let tail: String = flat.chars().rev().take(200).collect::<Vec<_>>().into_iter().rev().collect();
        format!(r"\\.\pipe\outage-notifier-{tail}")
    }

    #[derive(Debug)]
    pub struct Acceptor {
        name: String,
        next: NamedPipeServer,
    }

    impl Acceptor {
        pub fn bind(path: &Path) -> std::io::Result<Acceptor> {
            let name = name(path);
            // The first instance fails if anyone else already created the name.
            let next = ServerOptions::new().first_pipe_instance(true).reject_remote_clients(true).create(&name)?;
            Ok(Acceptor { name, next })
        }

        pub async fn accept(&mut self) -> std::io::Result<ServerStream> {
            self.next.connect().await?;
            let fresh = ServerOptions::new().reject_remote_clients(true).create(&self.name)?;
            Ok(std::mem::replace(&mut self.next, fresh))
        }
    }

    pub async fn connect(path: &Path) -> std::io::Result<ClientStream> {
        let name = name(path);
        for _ in 0..50 {
            match ClientOptions::new().open(&name) {
                Err(e) if e.raw_os_error() == Some(PIPE_BUSY) => tokio::time::sleep(Duration::from_millis(20)).await,
                other => return other,
            }
        }
        ClientOptions::new().open(&name)
    }
}

/// Serves clients until the task is dropped.
/// `navigate` carries routes to subscribed windows.
/// The files requests read and change: the history (`ProviderHistory`) and the config
/// (`AddProvider`, `RemoveProvider`; the config watch then reloads the engine).
#[derive(Debug, Clone)]
pub struct Files {
    pub database: PathBuf,
    pub config: PathBuf,
}

pub async fn serve(
    mut listener: Listener,
    engine: EngineHandle,
    files: Files,
    shell: mpsc::UnboundedSender<ShellAction>,
    navigate: broadcast::Sender<String>,
) {
    let permits = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    loop {
        let Ok(permit) = permits.clone().acquire_owned().await else { return };
        let stream = match listener.socket.accept().await {
            Ok(stream) => stream,
            Err(e) => {
                tracing::warn!("control socket accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let engine = engine.clone();
        let files = files.clone();
        let shell = shell.clone();
        let navigate = navigate.subscribe();
        tokio::spawn(async move {
            let _permit = permit;
            if let Err(e) = connection(stream, engine, &files, shell, navigate).await {
                tracing::debug!("control client left: {e}");
            }
        });
    }
}

/// Reads one line of at most `MAX_LINE_BYTES`. `Ok(None)` at end of stream; an oversized
/// line is consumed to its end and reported as `Err(TooLarge)` so the connection can go on.
async fn read_line<R: AsyncBufRead + Unpin>(reader: &mut R) -> std::io::Result<Option<Result<Vec<u8>, ErrorCode>>> {
    let mut line = Vec::new();
    let limit = u64::try_from(MAX_LINE_BYTES).unwrap_or(u64::MAX) + 1;
    let n = (&mut *reader).take(limit).read_until(b'\n', &mut line).await?;
    if n == 0 {
        return Ok(None);
    }
    if line.last() != Some(&b'\n') && line.len() > MAX_LINE_BYTES {
        // Skip the rest of the oversized line without keeping it.
        loop {
            let buf = reader.fill_buf().await?;
            if buf.is_empty() {
                break;
            }
            if let Some(pos) = buf.iter().position(|b| *b == b'\n') {
                reader.consume(pos + 1);
                break;
            }
            let len = buf.len();
            reader.consume(len);
        }
        return Ok(Some(Err(ErrorCode::TooLarge)));
    }
    Ok(Some(Ok(line)))
}

async fn send<W: AsyncWriteExt + Unpin>(w: &mut W, message: &ServerMessage) -> std::io::Result<()> {
    let mut line = serde_json::to_vec(message).map_err(std::io::Error::other)?;
    line.push(b'\n');
    w.write_all(&line).await?;
    w.flush().await
}

async fn connection(
    stream: transport::ServerStream,
    engine: EngineHandle,
    files: &Files,
    shell: mpsc::UnboundedSender<ShellAction>,
    mut navigate: broadcast::Receiver<String>,
) -> std::io::Result<()> {
    let (read, mut write) = tokio::io::split(stream);
    let mut reader = BufReader::new(read);
    loop {
        let line = match tokio::time::timeout(IDLE, read_line(&mut reader)).await {
            Err(_) | Ok(Ok(None)) => return Ok(()),
            Ok(Err(e)) => return Err(e),
            Ok(Ok(Some(line))) => line,
        };
        let envelope = match line {
            Err(code) => {
                let message = format!("line longer than {MAX_LINE_BYTES} bytes");
                send(&mut write, &ServerMessage::Error { id: None, code, message }).await?;
                continue;
            }
            Ok(bytes) => match serde_json::from_slice::<RequestEnvelope>(&bytes) {
                Ok(e) => e,
                Err(e) => {
                    if bytes.iter().all(u8::is_ascii_whitespace) {
                        continue;
                    }
                    let reply = ServerMessage::Error { id: None, code: ErrorCode::BadRequest, message: e.to_string() };
                    send(&mut write, &reply).await?;
                    continue;
                }
            },
        };
        let id = envelope.id;
        match envelope.request {
            Request::Ping => {
                send(&mut write, &ServerMessage::Pong { id, version: env!("CARGO_PKG_VERSION").into() }).await?;
            }
            Request::Summary => send(&mut write, &ServerMessage::Summary { id, summary: engine.summary() }).await?,
            Request::CheckNow => {
                engine.send(Command::CheckNow).await;
                send(&mut write, &ServerMessage::Done { id }).await?;
            }
            Request::OpenWindow { route } => {
                send(&mut write, &forward(&shell, id, ShellAction::OpenWindow { route })).await?;
            }
            Request::Snooze { provider_id, span } => {
                let action = ShellAction::Alert(alert::Command::Snooze { provider_id, span });
                send(&mut write, &forward(&shell, id, action)).await?;
            }
            Request::Mute { provider_id } => {
                let action = ShellAction::Alert(alert::Command::Mute { provider_id });
                send(&mut write, &forward(&shell, id, action)).await?;
            }
            Request::Unmute { provider_id } => {
                let action = ShellAction::Alert(alert::Command::Unmute { provider_id });
                send(&mut write, &forward(&shell, id, action)).await?;
            }
            Request::Pause { span } => {
                send(&mut write, &forward(&shell, id, ShellAction::Alert(alert::Command::Pause(span)))).await?;
            }
            Request::Resume => {
                send(&mut write, &forward(&shell, id, ShellAction::Alert(alert::Command::Resume))).await?;
            }
            Request::SetAutostart { enabled } => {
                send(&mut write, &forward(&shell, id, ShellAction::SetAutostart(enabled))).await?;
            }
            Request::Quit => send(&mut write, &forward(&shell, id, ShellAction::Quit)).await?,
            Request::ProviderHistory { provider_id } => {
                let reply = match provider_history(&engine, &files.database, &provider_id).await {
                    Ok(history) => ServerMessage::ProviderHistory { id, history },
                    Err(message) => failed(id, message),
                };
                send(&mut write, &reply).await?;
            }
            Request::Catalog => {
                let presets =
                    outage_core::catalog::catalog().presets().iter().map(outage_core::ipc::PresetSummary::of).collect();
                send(&mut write, &ServerMessage::Catalog { id, presets }).await?;
            }
            Request::Detect { url } => {
                let now = chrono::Local::now().fixed_offset();
                let found = match crate::http::client() {
                    Ok(client) => crate::detect::preview(&client, &url, now).await,
                    Err(e) => Err(e.to_string()),
                };
                let reply = match found {
                    Ok(detection) => ServerMessage::Detected { id, detection },
                    Err(message) => failed(id, message),
                };
                send(&mut write, &reply).await?;
            }
            Request::AddProvider { provider } => {
                let path = files.config.clone();
                let done = blocking(move || crate::settings::add_provider(&path, &provider)).await;
                send(&mut write, &done_or_error(id, done)).await?;
            }
            Request::RemoveProvider { provider_id } => {
                let path = files.config.clone();
                let done = blocking(move || crate::settings::remove_provider(&path, &provider_id)).await;
                send(&mut write, &done_or_error(id, done)).await?;
            }
            Request::GeneralSettings => {
                let path = files.config.clone();
                let reply = match blocking(move || crate::settings::general(&path)).await {
                    Ok(settings) => ServerMessage::GeneralSettings { id, settings },
                    Err(message) => failed(id, message),
                };
                send(&mut write, &reply).await?;
            }
            Request::SetGeneralSettings { settings } => {
                let path = files.config.clone();
                let done = blocking(move || crate::settings::set_general(&path, &settings)).await;
                send(&mut write, &done_or_error(id, done)).await?;
            }
            Request::MailAccounts { provider_id } => {
                let path = files.config.clone();
                let reply = match blocking(move || crate::settings::mail_accounts(&path, &provider_id)).await {
                    Ok(accounts) => ServerMessage::MailAccounts { id, accounts },
                    Err(message) => failed(id, message),
                };
                send(&mut write, &reply).await?;
            }
            Request::AddMail { mail } => {
                let path = files.config.clone();
                let done = blocking(move || crate::settings::add_mail(&path, &mail)).await;
                send(&mut write, &done_or_error(id, done)).await?;
            }
            Request::RemoveMail { provider_id, check_id } => {
                let path = files.config.clone();
                let done = blocking(move || crate::settings::remove_mail(&path, &provider_id, &check_id)).await;
                send(&mut write, &done_or_error(id, done)).await?;
            }
            Request::TestMail { mail } => test_mail(&mut write, &files.config, id, mail).await?,
            Request::Controls => {
                let (tx, rx) = oneshot::channel();
                let reply = match forward(&shell, id, ShellAction::Controls(tx)) {
                    ServerMessage::Done { .. } => match rx.await {
                        Ok(controls) => ServerMessage::Controls { id, controls },
                        Err(_) => shutting_down(id),
                    },
                    error => error,
                };
                send(&mut write, &reply).await?;
            }
            Request::Subscribe => {
                let mut updates = engine.subscribe();
                let first = updates.borrow_and_update().clone();
                send(&mut write, &ServerMessage::Summary { id, summary: first }).await?;
                // From here the connection only pushes; it ends when the client hangs up.
                let mut sink = [0u8; 256];
                loop {
                    tokio::select! {
                        changed = updates.changed() => {
                            if changed.is_err() { return Ok(()); }
                            let summary = updates.borrow_and_update().clone();
                            send(&mut write, &ServerMessage::Update { summary }).await?;
                        }
                        n = reader.read(&mut sink) => {
                            if n? == 0 { return Ok(()); }
                        }
                        route = navigate.recv() => match route {
                            Ok(route) => send(&mut write, &ServerMessage::Navigate { route }).await?,
                            Err(broadcast::error::RecvError::Lagged(_)) => {}
                            Err(broadcast::error::RecvError::Closed) => return Ok(()),
                        },
                    }
                }
            }
        }
    }
}

/// "Test connection": probes a mail endpoint as it would be checked once added, pushing
/// each step while it happens. The endpoint is validated as the config file would be, and a
/// login uses the keychain's password, so the result is what the real check will report.
async fn test_mail<W: AsyncWriteExt + Unpin>(
    write: &mut W,
    config: &Path,
    id: u64,
    mail: outage_core::ipc::NewMail,
) -> std::io::Result<()> {
    let path = config.to_owned();
    let provider_id = mail.provider_id.clone();
    let (config, endpoint) = match blocking(move || crate::settings::draft_mail(&path, &mail)).await {
        Ok(draft) => draft,
        Err(message) => return send(write, &failed(id, message)).await,
    };
    let check_id = endpoint.check_id(&provider_id);
    let (tx, mut steps) = mpsc::unbounded_channel();
    let now = chrono::Local::now().fixed_offset();
    let probe = crate::mail::run_reporting(&check_id, &provider_id, &endpoint, config.settings.timeout, now, tx);
    // The probe owns the sender, so the steps end when it does: every step is out before
    // the result.
    let forward = async {
        while let Some(step) = steps.recv().await {
            send(write, &ServerMessage::MailStep { id, step: (&step).into() }).await?;
        }
        Ok::<_, std::io::Error>(())
    };
    let (observation, forwarded) = tokio::join!(probe, forward);
    forwarded?;
    let check = outage_core::ipc::CheckSummary::of(&observation);
    send(write, &ServerMessage::MailTested { id, check }).await
}

/// Reads one provider's history on a connection of its own (SQLite in WAL mode lets it read
/// beside the runner's writer), off the async threads.
async fn provider_history(
    engine: &EngineHandle,
    database: &Path,
    provider_id: &str,
) -> Result<outage_core::report::ProviderHistory, String> {
    let summary = engine.summary();
    let provider = summary
        .providers
        .iter()
        .find(|p| p.id == provider_id)
        .ok_or_else(|| format!("no provider `{provider_id}` in the config"))?;
    let (id, name, now) = (provider.id.clone(), provider.name.clone(), chrono::Local::now().fixed_offset());
    let database = database.to_owned();
    tokio::task::spawn_blocking(move || {
        let store = crate::store::Store::open(&database).map_err(|e| e.to_string())?;
        crate::report::history(&store, &id, &name, now).map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| e.to_string())?
}

/// Runs file work off the async threads; the error is a sentence for a person.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T, EngineError> + Send + 'static) -> Result<T, String> {
    match tokio::task::spawn_blocking(f).await {
        Ok(result) => result.map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    }
}

fn failed(id: u64, message: String) -> ServerMessage {
    ServerMessage::Error { id: Some(id), code: ErrorCode::Failed, message }
}

fn done_or_error(id: u64, done: Result<(), String>) -> ServerMessage {
    match done {
        Ok(()) => ServerMessage::Done { id },
        Err(message) => failed(id, message),
    }
}

/// Hands a request to the shell: `Done` once queued, an error when the shell is gone.
fn forward(shell: &mpsc::UnboundedSender<ShellAction>, id: u64, action: ShellAction) -> ServerMessage {
    match shell.send(action) {
        Ok(()) => ServerMessage::Done { id },
        Err(_) => shutting_down(id),
    }
}

fn shutting_down(id: u64) -> ServerMessage {
    ServerMessage::Error { id: Some(id), code: ErrorCode::Failed, message: "the resident is shutting down".into() }
}

/// A client of the control socket.
#[derive(Debug)]
pub struct Client {
    reader: BufReader<tokio::io::ReadHalf<transport::ClientStream>>,
    writer: tokio::io::WriteHalf<transport::ClientStream>,
    next_id: u64,
}

/// Errors of a control-socket client.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("no resident is running ({0})")]
    NotRunning(std::io::Error),
    #[error("control socket: {0}")]
    Io(#[from] std::io::Error),
    #[error("the resident sent something we do not understand: {0}")]
    Protocol(String),
    #[error("the resident refused: {0}")]
    Refused(String),
}

impl Client {
    pub async fn connect(path: &Path) -> Result<Client, ClientError> {
        let stream = transport::connect(path).await.map_err(ClientError::NotRunning)?;
        let (read, writer) = tokio::io::split(stream);
        Ok(Client { reader: BufReader::new(read), writer, next_id: 1 })
    }

    /// Sends a request and returns the first message that answers it.
    pub async fn request(&mut self, request: Request) -> Result<ServerMessage, ClientError> {
        let id = self.next_id;
        self.next_id += 1;
        let mut line =
            serde_json::to_vec(&RequestEnvelope { id, request }).map_err(|e| ClientError::Protocol(e.to_string()))?;
        line.push(b'\n');
        self.writer.write_all(&line).await?;
        self.next_message().await
    }

    /// Reads the next message (replies and, after `Subscribe`, pushed updates).
    pub async fn next_message(&mut self) -> Result<ServerMessage, ClientError> {
        match read_line(&mut self.reader).await? {
            None => Err(ClientError::Io(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "the resident closed the connection",
            ))),
            Some(Err(_)) => Err(ClientError::Protocol("oversized message".into())),
            Some(Ok(bytes)) => {
                let message: ServerMessage =
                    serde_json::from_slice(&bytes).map_err(|e| ClientError::Protocol(e.to_string()))?;
                if let ServerMessage::Error { message, .. } = &message {
                    return Err(ClientError::Refused(message.clone()));
                }
                Ok(message)
            }
        }
    }

    /// The user's alert controls and the start-at-login switch.
    pub async fn controls(&mut self) -> Result<Controls, ClientError> {
        match self.request(Request::Controls).await? {
            ServerMessage::Controls { controls, .. } => Ok(controls),
            other => Err(ClientError::Protocol(format!("expected controls, got {other:?}"))),
        }
    }

    /// The built-in presets.
    pub async fn catalog(&mut self) -> Result<Vec<outage_core::ipc::PresetSummary>, ClientError> {
        match self.request(Request::Catalog).await? {
            ServerMessage::Catalog { presets, .. } => Ok(presets),
            other => Err(ClientError::Protocol(format!("expected the catalog, got {other:?}"))),
        }
    }

    /// What detection finds at a URL.
    pub async fn detect(&mut self, url: &str) -> Result<outage_core::ipc::Detection, ClientError> {
        match self.request(Request::Detect { url: url.to_owned() }).await? {
            ServerMessage::Detected { detection, .. } => Ok(detection),
            other => Err(ClientError::Protocol(format!("expected a detection, got {other:?}"))),
        }
    }

    /// The general settings as written in the config file.
    pub async fn general_settings(&mut self) -> Result<outage_core::ipc::GeneralSettings, ClientError> {
        match self.request(Request::GeneralSettings).await? {
            ServerMessage::GeneralSettings { settings, .. } => Ok(settings),
            other => Err(ClientError::Protocol(format!("expected the settings, got {other:?}"))),
        }
    }

    /// One provider's last 90 days.
    pub async fn provider_history(
        &mut self,
        provider_id: &str,
    ) -> Result<outage_core::report::ProviderHistory, ClientError> {
        match self.request(Request::ProviderHistory { provider_id: provider_id.to_owned() }).await? {
            ServerMessage::ProviderHistory { history, .. } => Ok(history),
            other => Err(ClientError::Protocol(format!("expected a provider history, got {other:?}"))),
        }
    }

    /// The mail endpoints the config file gives for a provider.
    pub async fn mail_accounts(
        &mut self,
        provider_id: &str,
    ) -> Result<Vec<outage_core::ipc::MailAccount>, ClientError> {
        match self.request(Request::MailAccounts { provider_id: provider_id.to_owned() }).await? {
            ServerMessage::MailAccounts { accounts, .. } => Ok(accounts),
            other => Err(ClientError::Protocol(format!("expected mail accounts, got {other:?}"))),
        }
    }

    /// "Test connection": `on_step` hears every step as it ends; the probe's result last.
    pub async fn test_mail(
        &mut self,
        mail: outage_core::ipc::NewMail,
        mut on_step: impl FnMut(outage_core::ipc::CheckStep),
    ) -> Result<outage_core::ipc::CheckSummary, ClientError> {
        let mut message = self.request(Request::TestMail { mail }).await?;
        loop {
            match message {
                ServerMessage::MailStep { step, .. } => on_step(step),
                ServerMessage::MailTested { check, .. } => return Ok(check),
                other => return Err(ClientError::Protocol(format!("expected a mail test, got {other:?}"))),
            }
            message = self.next_message().await?;
        }
    }

    /// The current summary.
    pub async fn summary(&mut self) -> Result<Summary, ClientError> {
        match self.request(Request::Summary).await? {
            ServerMessage::Summary { summary, .. } => Ok(summary),
            other => Err(ClientError::Protocol(format!("expected a summary, got {other:?}"))),
        }
    }
}

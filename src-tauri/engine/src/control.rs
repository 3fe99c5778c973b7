//! The control socket: newline-delimited JSON between the resident and its clients (the
//! window, `outage-notifier open`, a second launch). Owner-only, bounded, and also the
//! single-instance lock.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use outage_core::action::Action;
use outage_core::protocol::{
    Controls, ErrorCode, ExportOutcome, MAX_LINE_BYTES, Request, RequestEnvelope, ServerMessage, reply,
};
use outage_core::summary::Summary;
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, broadcast, mpsc, oneshot, watch};

use crate::EngineError;
use crate::runner::EngineHandle;

/// Connections served at once that have not subscribed; more wait in the accept queue. The
/// deadlines below free a slot within seconds, so no number of silent clients starves the
/// others for long.
const MAX_CLIENTS: usize = 64;
/// Subscribers (windows) at once, counted apart from the requests: idle request connections
/// cannot take their slots, and subscribers, which stay for hours, cannot take the requests'.
const MAX_SUBSCRIBERS: usize = 64;
/// Every client sends its request right after connecting; one that does not is not one of
/// ours (or is stuck), and holds a slot only this long.
const FIRST_LINE: Duration = Duration::from_secs(3);
/// A client that sends nothing more for this long (and is not subscribed) is disconnected.
const IDLE: Duration = Duration::from_mins(1);
/// Messages waiting for a subscriber that does not read. A window reads each at once, so a
/// full queue means the reader is stuck: it is disconnected rather than buffered for.
const SUBSCRIBER_QUEUE: usize = 8;
/// How long one pushed message may take to go out before its subscriber is disconnected.
const SUBSCRIBER_WRITE: Duration = Duration::from_secs(5);

/// What the control server hands to the resident, which owns the alert policy, the tray and
/// the window.
#[derive(Debug)]
pub enum ShellRequest {
    /// Carry out what the user asked for.
    Action(Action),
    /// Reply with the current controls.
    Controls(oneshot::Sender<Controls>),
    /// A window was refused: `max` are connected already. The window exits, so the resident
    /// tells the person, who otherwise sees nothing happen.
    TooManyWindows { max: usize },
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

/// The files requests read and change: the history (`ProviderHistory`) and the config
/// (`AddProvider`, `RemoveProvider`; the config watch then reloads the engine).
#[derive(Debug, Clone)]
pub struct Files {
    pub database: PathBuf,
    pub config: PathBuf,
}

/// Serves clients until `shutdown` resolves, then stops accepting and gives the socket up
/// (connections already open end with the process). `navigate` carries routes to subscribed
/// windows.
pub async fn serve(
    listener: Listener,
    engine: EngineHandle,
    files: Files,
    shell: mpsc::UnboundedSender<ShellRequest>,
    navigate: broadcast::Sender<String>,
    shutdown: impl Future<Output = ()>,
) {
    tokio::select! {
        () = accept(listener, engine, files, shell, navigate) => {}
        () = shutdown => {}
    }
}

async fn accept(
    mut listener: Listener,
    engine: EngineHandle,
    files: Files,
    shell: mpsc::UnboundedSender<ShellRequest>,
    navigate: broadcast::Sender<String>,
) {
    let permits = Arc::new(Semaphore::new(MAX_CLIENTS));
    let subscribers = Arc::new(Semaphore::new(MAX_SUBSCRIBERS));
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
        let slots = Slots { client: permit, subscribers: subscribers.clone() };
        tokio::spawn(async move {
            if let Err(e) = connection(stream, engine, &files, shell, navigate, slots).await {
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

/// A connection's place among the clients, and where it goes if it subscribes.
struct Slots {
    client: OwnedSemaphorePermit,
    subscribers: Arc<Semaphore>,
}

async fn connection(
    stream: transport::ServerStream,
    engine: EngineHandle,
    files: &Files,
    shell: mpsc::UnboundedSender<ShellRequest>,
    navigate: broadcast::Receiver<String>,
    slots: Slots,
) -> std::io::Result<()> {
    let (read, mut write) = tokio::io::split(stream);
    let mut reader = BufReader::new(read);
    let mut deadline = FIRST_LINE;
    loop {
        let line = tokio::time::timeout(deadline, read_line(&mut reader)).await;
        deadline = IDLE;
        let line = match line {
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
        let reply = match envelope.request {
            // What the user asks for is carried out by the resident.
            Request::CheckNow => act(&shell, id, Action::CheckNow),
            Request::OpenWindow { route } => act(&shell, id, Action::OpenWindow { route }),
            Request::Snooze { provider_id, span } => act(&shell, id, Action::Snooze { provider_id, span }),
            Request::Mute { provider_id } => act(&shell, id, Action::Mute { provider_id }),
            Request::Unmute { provider_id } => act(&shell, id, Action::Unmute { provider_id }),
            Request::Pause { span } => act(&shell, id, Action::Pause(span)),
            Request::Resume => act(&shell, id, Action::Resume),
            Request::SetAutostart { enabled } => act(&shell, id, Action::SetAutostart(enabled)),
            Request::Quit => act(&shell, id, Action::Quit),
            Request::Ping => reply::ping::message(id, env!("CARGO_PKG_VERSION").into()),
            Request::Summary => reply::summary::message(id, engine.summary()),
            Request::Controls => {
                let (tx, rx) = oneshot::channel();
                match forward(&shell, id, ShellRequest::Controls(tx)) {
                    ServerMessage::Done { .. } => match rx.await {
                        Ok(controls) => reply::controls::message(id, controls),
                        Err(_) => shutting_down(id),
                    },
                    error => error,
                }
            }
            Request::ProviderHistory { provider_id } => {
                match provider_history(&engine, &files.database, &provider_id).await {
                    Ok(history) => reply::provider_history::message(id, history),
                    Err(message) => failed(id, message),
                }
            }
            Request::ExportReport { request } => match export_report(files, request).await {
                Ok(outcome) => reply::export_report::message(id, outcome),
                Err(message) => failed(id, message),
            },
            Request::Catalog => reply::catalog::message(
                id,
                outage_core::catalog::catalog()
                    .presets()
                    .iter()
                    .map(outage_core::protocol::PresetSummary::of)
                    .collect(),
            ),
            Request::Detect { url } => {
                let now = chrono::Local::now().fixed_offset();
                let found = match crate::http::client() {
                    Ok(client) => crate::detect::preview(&client, &url, now).await,
                    Err(e) => Err(e.to_string()),
                };
                match found {
                    Ok(detection) => reply::detect::message(id, detection),
                    Err(message) => failed(id, message),
                }
            }
            Request::Discover { address } => match discover(&address).await {
                Ok(discovery) => reply::discover::message(id, discovery),
                Err(message) => failed(id, message),
            },
            Request::AddProvider { provider } => {
                let path = files.config.clone();
                done_or_error(id, blocking(move || crate::config_file::add_provider(&path, &provider)).await)
            }
            Request::RemoveProvider { provider_id, delete_history } => {
                let (path, database) = (files.config.clone(), files.database.clone());
                // The config first: should that be refused, the history stays untouched.
                let removed = blocking(move || {
                    crate::config_file::remove_provider(&path, &provider_id)?;
                    if delete_history {
                        crate::store::Store::open(&database)?.delete_provider(&provider_id)?;
                    }
                    Ok(())
                })
                .await;
                done_or_error(id, removed)
            }
            Request::EditProvider { provider_id, name, status_page } => {
                let path = files.config.clone();
                done_or_error(
                    id,
                    blocking(move || {
                        crate::config_file::edit_provider(&path, &provider_id, &name, status_page.as_deref())
                    })
                    .await,
                )
            }
            Request::GeneralSettings => {
                let path = files.config.clone();
                match blocking(move || crate::config_file::general(&path)).await {
                    Ok(settings) => reply::general_settings::message(id, settings),
                    Err(message) => failed(id, message),
                }
            }
            Request::SetGeneralSettings { settings } => {
                let path = files.config.clone();
                done_or_error(id, blocking(move || crate::config_file::set_general(&path, &settings)).await)
            }
            Request::MailAccounts { provider_id } => {
                let path = files.config.clone();
                match blocking(move || crate::config_file::mail_accounts(&path, &provider_id)).await {
                    Ok(accounts) => reply::mail_accounts::message(id, accounts),
                    Err(message) => failed(id, message),
                }
            }
            Request::AddMail { mail } => {
                let path = files.config.clone();
                done_or_error(id, blocking(move || crate::config_file::add_mail(&path, &mail)).await)
            }
            Request::EditMail { check_id, mail } => {
                let path = files.config.clone();
                done_or_error(id, blocking(move || crate::config_file::edit_mail(&path, &check_id, &mail)).await)
            }
            Request::RemoveMail { provider_id, check_id } => {
                let path = files.config.clone();
                done_or_error(
                    id,
                    blocking(move || crate::config_file::remove_mail(&path, &provider_id, &check_id)).await,
                )
            }
            Request::AddHttp { provider_id, url, expect } => {
                let path = files.config.clone();
                done_or_error(
                    id,
                    blocking(move || crate::config_file::add_http(&path, &provider_id, &url, expect.as_deref())).await,
                )
            }
            Request::RemoveHttp { provider_id, check_id } => {
                let path = files.config.clone();
                done_or_error(
                    id,
                    blocking(move || crate::config_file::remove_http(&path, &provider_id, &check_id)).await,
                )
            }
            Request::ProviderRoundtrips { provider_id } => match provider_roundtrips(files, &provider_id).await {
                Ok(trips) => reply::provider_roundtrips::message(id, trips),
                Err(message) => failed(id, message),
            },
            Request::AddRoundtrip { provider_id, smtp, imap } => {
                let path = files.config.clone();
                done_or_error(
                    id,
                    blocking(move || crate::config_file::add_roundtrip(&path, &provider_id, &smtp, &imap)).await,
                )
            }
            Request::RemoveRoundtrip { provider_id, check_id } => {
                let path = files.config.clone();
                done_or_error(
                    id,
                    blocking(move || crate::config_file::remove_roundtrip(&path, &provider_id, &check_id)).await,
                )
            }
            Request::TestMail { mail } => {
                test_mail(&mut write, &files.config, id, mail).await?;
                continue;
            }
            Request::Subscribe => {
                let Ok(subscribed) = slots.subscribers.try_acquire_owned() else {
                    // The window shows the resident's words: in the language of its summary.
                    let message = outage_core::text::too_many_windows(MAX_SUBSCRIBERS, engine.summary().language);
                    let _ = shell.send(ShellRequest::TooManyWindows { max: MAX_SUBSCRIBERS });
                    return send(&mut write, &failed(id, message)).await;
                };
                // From here the connection counts as a subscriber, no longer as a client.
                drop(slots.client);
                let result = push(reader, write, id, engine.subscribe(), navigate).await;
                drop(subscribed);
                return result;
            }
        };
        send(&mut write, &reply).await?;
    }
}

/// Serves a subscriber: the current summary, then every change and navigation, until it
/// hangs up. A separate task writes them from a bounded queue, so a subscriber that does not
/// read is disconnected once the queue is full (or a write stalls) and never holds up the
/// server or anyone else.
async fn push<R, W>(
    mut reader: R,
    write: W,
    id: u64,
    mut updates: watch::Receiver<Summary>,
    mut navigate: broadcast::Receiver<String>,
) -> std::io::Result<()>
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin + Send + 'static,
{
    let (queue, mut queued) = mpsc::channel::<ServerMessage>(SUBSCRIBER_QUEUE);
    let mut writer = tokio::spawn(async move {
        let mut write = write;
        while let Some(message) = queued.recv().await {
            match tokio::time::timeout(SUBSCRIBER_WRITE, send(&mut write, &message)).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => return Err(e),
                Err(_) => {
                    return Err(std::io::Error::new(std::io::ErrorKind::TimedOut, "a push to a subscriber stalled"));
                }
            }
        }
        Ok(())
    });
    // Ending here (hang-up, a stuck reader) also ends a write that is blocked.
    let _writer = AbortOnDrop(writer.abort_handle());
    let first = updates.borrow_and_update().clone();
    let mut message = reply::subscribe::message(id, first);
    let mut sink = [0u8; 256];
    loop {
        match queue.try_send(message) {
            Ok(()) => {}
            Err(mpsc::error::TrySendError::Full(_)) => {
                return Err(std::io::Error::other("a subscriber did not read its updates; disconnected"));
            }
            Err(mpsc::error::TrySendError::Closed(_)) => {
                return (&mut writer).await.unwrap_or_else(|e| Err(std::io::Error::other(e)));
            }
        }
        message = loop {
            tokio::select! {
                changed = updates.changed() => {
                    if changed.is_err() { return Ok(()); }
                    break ServerMessage::Update { summary: updates.borrow_and_update().clone() };
                }
                n = reader.read(&mut sink) => {
                    if n? == 0 { return Ok(()); }
                }
                route = navigate.recv() => match route {
                    Ok(route) => break ServerMessage::Navigate { route },
                    Err(broadcast::error::RecvError::Lagged(_)) => {}
                    Err(broadcast::error::RecvError::Closed) => return Ok(()),
                },
            }
        };
    }
}

/// Aborts a task when dropped.
struct AbortOnDrop(tokio::task::AbortHandle);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// "Test connection": probes a mail endpoint as it would be checked once added, pushing
/// each step while it happens. The endpoint is validated as the config file would be, and a
/// login uses the keychain's password, so the result is what the real check will report.
async fn test_mail<W: AsyncWriteExt + Unpin>(
    write: &mut W,
    config: &Path,
    id: u64,
    mail: outage_core::protocol::NewMail,
) -> std::io::Result<()> {
    let path = config.to_owned();
    let provider_id = mail.provider_id.clone();
    let (config, endpoint) = match blocking(move || crate::config_file::draft_mail(&path, &mail)).await {
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
    send(write, &reply::test_mail::message(id, outage_core::summary::CheckSummary::of(&observation))).await
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
        // The summary does not carry the followed components: the announcement's own
        // component names decide whether it concerns what failed.
        crate::report::history(&store, &id, &name, &[], now).map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| e.to_string())?
}

/// One provider's round trips as the config file has them, with their mails from the history,
/// off the async threads.
async fn provider_roundtrips(
    files: &Files,
    provider_id: &str,
) -> Result<Vec<outage_core::roundtrip::RoundtripView>, String> {
    let (database, config, provider_id) = (files.database.clone(), files.config.clone(), provider_id.to_owned());
    blocking(move || {
        let config = crate::config_file::load(&config)?;
        let Some(provider) = config.providers.iter().find(|p| p.id == provider_id) else {
            return Err(EngineError::EditConfig(format!("no provider `{provider_id}` in the config")));
        };
        // No round trip in the config may still leave one removed with mails as evidence.
        let store = crate::store::Store::open(&database)?;
        crate::mail::roundtrip::views(&store, provider, chrono::Local::now().fixed_offset())
    })
    .await
}

/// Makes the evidence report the window asked for, off the async threads (a two-year PDF
/// takes a moment; the summary and other requests go on meanwhile). A refusal is an outcome
/// with its problem named, so the window can say it in words.
async fn export_report(files: &Files, request: outage_core::protocol::ExportRequest) -> Result<ExportOutcome, String> {
    use crate::report::ReportError;
    use outage_core::protocol::ExportProblem;
    let (database, config) = (files.database.clone(), files.config.clone());
    let work = move || -> ExportOutcome {
        let refused = |problem, detail: String| ExportOutcome::Refused { problem, detail };
        let time = |s: &str| chrono::DateTime::parse_from_rfc3339(s);
        let (Ok(from), Ok(to)) = (time(&request.from), time(&request.to)) else {
            let detail = format!("`{}` or `{}` is not a moment (RFC 3339)", request.from, request.to);
            return refused(ExportProblem::Failed, detail);
        };
        let config = match crate::config_file::load(&config) {
            Ok(config) => config,
            Err(e) => return refused(ExportProblem::Failed, e.to_string()),
        };
        let language = request.language.unwrap_or_else(|| crate::config_file::language(&config));
        let wanted = crate::report::Request { from, to, providers: request.providers, language };
        let now = chrono::Local::now().fixed_offset();
        let written = crate::store::Store::open(&database)
            .map_err(ReportError::from)
            .and_then(|store| {
                let computer = crate::report::computer_name();
                crate::report::build_in(&store, &config, &wanted, now, &computer, &chrono::Local)
            })
            .and_then(|report| crate::report::export(&report, request.format, Path::new(&request.path)));
        match written {
            Ok(paths) => ExportOutcome::Written { files: paths.iter().map(|p| p.display().to_string()).collect() },
            Err(e) => {
                let problem = match e {
                    ReportError::EmptyPeriod { .. } => ExportProblem::EmptyPeriod,
                    ReportError::Future(_) => ExportProblem::Future,
                    ReportError::UnknownProvider { .. } => ExportProblem::UnknownProvider,
                    ReportError::NoHistory => ExportProblem::NoHistory,
                    ReportError::Write { .. } => ExportProblem::Unwritable,
                    ReportError::Render(_) | ReportError::Engine(_) => ExportProblem::Failed,
                };
                refused(problem, e.to_string())
            }
        }
    };
    tokio::task::spawn_blocking(work).await.map_err(|e| e.to_string())
}

/// Looks the address's domain up as `outage-notifier discover` does — the system's resolver
/// (or `OUTAGE_NOTIFIER_DNS`) and trust store — on this connection's task: the lookups take
/// seconds, and neither the engine nor other clients wait for them.
async fn discover(address: &str) -> Result<outage_core::discover::Discovery, String> {
    let domain =
        outage_core::discover::domain_of(address).ok_or_else(|| format!("`{address}` is not a mail address"))?;
    let found =
        crate::discover::lookup(&domain, &crate::discover::Options::from_env()).await.map_err(|e| e.to_string())?;
    Ok(outage_core::discover::decide(&domain, &found, outage_core::catalog::catalog()))
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
fn forward(shell: &mpsc::UnboundedSender<ShellRequest>, id: u64, request: ShellRequest) -> ServerMessage {
    match shell.send(request) {
        Ok(()) => ServerMessage::Done { id },
        Err(_) => shutting_down(id),
    }
}

/// Hands the user's action to the resident.
fn act(shell: &mpsc::UnboundedSender<ShellRequest>, id: u64, action: Action) -> ServerMessage {
    forward(shell, id, ShellRequest::Action(action))
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

    /// "Test connection": `on_step` hears every step as it ends; the probe's result last.
    pub async fn test_mail(
        &mut self,
        mail: outage_core::protocol::NewMail,
        mut on_step: impl FnMut(outage_core::summary::CheckStep),
    ) -> Result<outage_core::summary::CheckSummary, ClientError> {
        let mut message = self.request(Request::TestMail { mail }).await?;
        loop {
            match message {
                ServerMessage::MailStep { step, .. } => on_step(step),
                other => return reply::test_mail::take(other).map_err(|other| unexpected("test_mail", &other)),
            }
            message = self.next_message().await?;
        }
    }
}

fn unexpected(command: &str, message: &ServerMessage) -> ClientError {
    ClientError::Protocol(format!("expected a reply to `{command}`, got {message:?}"))
}

/// The engine's part of the command list: one `Client` method per command, which sends its
/// request and returns its typed reply. `stream` commands have hand-written methods.
macro_rules! client_methods {
    ($(
        $(#[$doc:meta])*
        $scope:ident $name:ident : $variant:ident $({ $($field:ident : $fty:ty),* })?
            -> $reply:ty = $message:ident { $($reply_field:ident)? };
    )*) => {
        $(client_method!($scope $(#[$doc])* $name : $variant $({ $($field : $fty),* })? -> $reply);)*
    };
}

macro_rules! client_method {
    (stream $($rest:tt)*) => {};
    ($scope:ident $(#[$doc:meta])* $name:ident : $variant:ident $({ $($field:ident : $fty:ty),* })? -> $reply:ty) => {
        impl Client {
            $(#[$doc])*
            pub async fn $name(&mut self $($(, $field: $fty)*)?) -> Result<$reply, ClientError> {
                let message = self.request(Request::$variant $({ $($field),* })?).await?;
                reply::$name::take(message).map_err(|other| unexpected(stringify!($name), &other))
            }
        }
    };
}

outage_core::with_commands!(client_methods);

#[cfg(test)]
mod tests {
    use outage_core::text::Language;

    use super::*;
    use crate::runner::Command;

    fn summary() -> Summary {
        let json = serde_json::json!({
            "checked_at": "2026-01-01T00:00:00+00:00", "network": "online", "language": "en", "providers": []
        });
        serde_json::from_value(json).unwrap()
    }

    /// A subscriber that never reads is disconnected once its queue is full, however many
    /// changes follow, instead of blocking the task that feeds it.
    #[tokio::test]
    async fn a_subscriber_that_does_not_read_is_disconnected() {
        // A pipe that holds almost nothing: the first write that does not fit blocks.
        let (server, _client) = tokio::io::duplex(64);
        let (read, write) = tokio::io::split(server);
        let (tx, updates) = watch::channel(summary());
        let (_navigate, routes) = broadcast::channel(4);
        let pushing = tokio::spawn(push(read, write, 1, updates, routes));
        for _ in 0..=SUBSCRIBER_QUEUE + 1 {
            tx.send_modify(|s| s.checked_at += chrono::TimeDelta::seconds(1));
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let ended = tokio::time::timeout(Duration::from_secs(2), pushing).await.expect("disconnected at once");
        assert!(ended.unwrap().unwrap_err().to_string().contains("did not read"));
    }

    /// A subscriber that reads gets the summary first, then every change.
    #[tokio::test]
    async fn a_reading_subscriber_gets_every_change() {
        let (server, client) = tokio::io::duplex(64);
        let (read, write) = tokio::io::split(server);
        let (tx, updates) = watch::channel(summary());
        let (_navigate, routes) = broadcast::channel(4);
        let _pushing = tokio::spawn(push(read, write, 7, updates, routes));
        let mut lines = BufReader::new(client);
        let mut next = async || {
            let line = read_line(&mut lines).await.unwrap().unwrap().unwrap();
            serde_json::from_slice::<ServerMessage>(&line).unwrap()
        };
        assert!(matches!(next().await, ServerMessage::Summary { id: 7, .. }));
        for _ in 0..3 * SUBSCRIBER_QUEUE {
            tx.send_modify(|s| s.checked_at += chrono::TimeDelta::seconds(1));
            assert!(matches!(next().await, ServerMessage::Update { .. }));
        }
    }

    /// The resident ends the server by signal, not by aborting it: once signalled it stops
    /// answering and gives the socket up, so the next resident can claim it.
    /// A resident's control server on a socket in `dir`, speaking `language`, until `shutdown`.
    struct Served {
        path: PathBuf,
        engine: EngineHandle,
        engine_task: tokio::task::JoinHandle<()>,
        server: tokio::task::JoinHandle<()>,
        shell: mpsc::UnboundedReceiver<ShellRequest>,
    }

    fn served(dir: &Path, language: Language, shutdown: impl Future<Output = ()> + Send + 'static) -> Served {
        // A directory of its own: the temp dir's mode depends on the umask, and claim refuses
        // one others can read.
        let path = dir.join("run/control.sock");
        let Claim::Primary(listener) = claim(&path).unwrap() else { panic!("no other resident uses this socket") };
        // Connectivity on loopback: the test never leaves the machine.
        let text = format!("[settings]\nlanguage = \"{}\"\nconnectivity = [\"127.0.0.1:9\"]\n", language.as_str());
        let config = outage_core::config::parse(&text, "test.toml").unwrap();
        let database = dir.join("history.sqlite3");
        let store = crate::store::Store::open(&database).unwrap();
        let (engine, engine_task) =
            crate::runner::start(config, language, store, crate::runner::system_clock()).unwrap();
        let (shell, shell_rx) = mpsc::unbounded_channel();
        let (navigate, _) = broadcast::channel(1);
        let files = Files { database, config: dir.join("config.toml") };
        let server = tokio::spawn(serve(listener, engine.clone(), files, shell, navigate, shutdown));
        Served { path, engine, engine_task, server, shell: shell_rx }
    }

    #[tokio::test]
    async fn serve_stops_on_its_shutdown_signal_and_gives_up_the_socket() {
        let dir = tempfile::tempdir().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let Served { path, engine, engine_task, server, shell: _shell } = served(dir.path(), Language::En, async {
            let _ = stopped.await;
        });

        let mut client = Client::connect(&path).await.unwrap();
        assert_eq!(client.ping().await.unwrap(), env!("CARGO_PKG_VERSION"));
        stop.send(()).unwrap();
        tokio::time::timeout(Duration::from_secs(5), server).await.expect("the server ends on its signal").unwrap();
        assert!(matches!(Client::connect(&path).await, Err(ClientError::NotRunning(_))), "nobody listens any more");
        assert!(matches!(claim(&path).unwrap(), Claim::Primary(_)), "the next resident can claim the socket");

        engine.send(Command::Shutdown).await;
        engine_task.await.unwrap();
    }

    /// A window beyond the cap on subscribers is told so in the user's language, from the
    /// catalog, while the windows already there keep their place.
    #[tokio::test]
    async fn a_window_beyond_the_cap_hears_why_in_the_users_language() {
        let dir = tempfile::tempdir().unwrap();
        let Served { path, engine, engine_task, server, mut shell } =
            served(dir.path(), Language::De, std::future::pending());

        let mut windows = Vec::new();
        for _ in 0..MAX_SUBSCRIBERS {
            let mut window = Client::connect(&path).await.unwrap();
            window.subscribe().await.unwrap();
            windows.push(window);
        }
        let mut one_more = Client::connect(&path).await.unwrap();
        match one_more.subscribe().await {
            Err(ClientError::Refused(message)) => {
                assert_eq!(message, outage_core::text::too_many_windows(MAX_SUBSCRIBERS, Language::De));
                assert!(message.contains("Fenster"), "{message}");
            }
            other => panic!("the window beyond the cap was not refused: {other:?}"),
        }
        // The resident hears of it too, to tell the person: the refused window only exits.
        match shell.try_recv() {
            Ok(ShellRequest::TooManyWindows { max }) => assert_eq!(max, MAX_SUBSCRIBERS),
            other => panic!("the resident was not told of the refused window: {other:?}"),
        }
        // A window that goes frees its place.
        drop(windows.pop());
        tokio::time::timeout(Duration::from_secs(5), async {
            loop {
                let mut again = Client::connect(&path).await.unwrap();
                if again.subscribe().await.is_ok() {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
        .await
        .expect("a freed place is taken again");

        server.abort();
        engine.send(Command::Shutdown).await;
        engine_task.await.unwrap();
    }
}

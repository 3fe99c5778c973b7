//! One mail connection: DNS, connect, TLS upgrade, capped line reads, timed steps, and a
//! transcript with secrets removed. The three dialogues (SMTP, IMAP, POP3) build on it.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use outage_core::model::{ProbeStep, Reason};
use rustls::pki_types::ServerName;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;
use tokio::time::Instant;
use tokio_rustls::client::TlsStream;

use super::dns::Dns;
use super::tls::{self, Recorder};
use super::{Fail, budget};

/// No reply line of SMTP, IMAP or POP3 needs more (RFC 5321 allows 512 bytes; long IMAP
/// capability lists stay under 2 KiB). A server that sends more without a line break is
/// broken or hostile; we stop reading instead of buffering it.
pub const MAX_LINE: usize = 8 * 1024;
/// The most a whole multi-line reply may hold.
pub const MAX_REPLY: usize = 64 * 1024;
/// Transcript lines are cut to this many characters, and at most this many are kept.
const TRANSCRIPT_LINE: usize = 200;
const TRANSCRIPT_LINES: usize = 200;

enum Stream {
    None,
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

/// A mail connection and everything it recorded.
pub struct Session {
    stream: Stream,
    /// Read but not yet consumed.
    buf: Vec<u8>,
    /// The deadline of the whole probe.
    deadline: Instant,
    /// The step that runs now and its deadline.
    step: Option<(&'static str, Instant)>,
    step_deadline: Instant,
    pub steps: Vec<ProbeStep>,
    pub transcript: Vec<String>,
    /// Strings that must never appear in the transcript or a message.
    secrets: Vec<String>,
    pub tls_version: Option<String>,
    pub recorder: Option<Recorder>,
    pub peer: Option<SocketAddr>,
    pub local: Option<SocketAddr>,
    /// Told every step as it ends; a receiver that went away only stops the reports.
    pub progress: Option<super::Progress>,
}

impl Session {
    pub fn new(deadline: Instant) -> Session {
        Session {
            stream: Stream::None,
            buf: Vec::new(),
            deadline,
            step: None,
            step_deadline: deadline,
            steps: Vec::new(),
            transcript: Vec::new(),
            secrets: Vec::new(),
            tls_version: None,
            recorder: None,
            peer: None,
            local: None,
            progress: None,
        }
    }

    /// Everything derived from `secret` (it and its encodings) is removed from what we record.
    pub fn add_secret(&mut self, secret: &str) {
        if !secret.is_empty() {
            self.secrets.push(secret.to_owned());
        }
    }

    /// Starts a step with its own budget (never beyond the probe's deadline).
    pub fn begin(&mut self, name: &'static str, limit: Duration) {
        self.end(true);
        let now = Instant::now();
        self.step = Some((name, now));
        self.step_deadline = crate::deadline(now, limit).min(self.deadline);
    }

    /// Ends the running step, recording how long it took.
    pub fn end(&mut self, ok: bool) {
        if let Some((name, started)) = self.step.take() {
            let millis = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
            let step = ProbeStep { name: name.to_owned(), millis, ok };
            if let Some(progress) = &self.progress {
                let _ = progress.send(step.clone());
            }
            self.steps.push(step);
        }
    }

    fn step_name(&self) -> &'static str {
        self.step.map_or("dialogue", |(name, _)| name)
    }

    fn timeout_fail(&self) -> Fail {
        let step = self.step_name();
        let limit = self.step.map(|(_, started)| self.step_deadline.saturating_duration_since(started));
        let within = limit.map(|l| format!(" within {:.1} s", l.as_secs_f64())).unwrap_or_default();
        let what = match step {
            "greeting" => "the server accepted the connection but sent no greeting".to_owned(),
            "connect" => "the connection was not accepted".to_owned(),
            "tls" => "no TLS handshake".to_owned(),
            "dns" => "no DNS answer".to_owned(),
            other => format!("no answer during {other}"),
        };
        Fail::transient(Reason::Timeout, format!("{what}{within}"))
    }

    /// Resolves `host` (A and AAAA) unless it is an address already.
    pub async fn resolve(&mut self, dns: &Dns, host: &str, port: u16) -> Result<Vec<SocketAddr>, Fail> {
        if let Ok(ip) = host.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>() {
            return Ok(vec![SocketAddr::new(ip, port)]);
        }
        self.begin("dns", budget::DNS);
        let lookup = dns.lookup(host);
        match tokio::time::timeout_at(self.step_deadline, lookup).await {
            Ok(Ok(ips)) => Ok(ips.into_iter().map(|ip| SocketAddr::new(ip, port)).collect()),
            Ok(Err(fail)) => Err(fail),
            Err(_) => Err(Fail { reason: Reason::Dns, ..self.timeout_fail() }),
        }
    }

    /// Connects to the first address that accepts, within the connect budget.
    pub async fn connect(&mut self, addrs: &[SocketAddr]) -> Result<(), Fail> {
        self.begin("connect", budget::CONNECT);
        let mut last: Option<std::io::Error> = None;
        for addr in addrs {
            match tokio::time::timeout_at(self.step_deadline, TcpStream::connect(addr)).await {
                Ok(Ok(stream)) => {
                    // Small commands, each waiting for its answer: send them at once.
                    let _ = stream.set_nodelay(true);
                    self.peer = Some(*addr);
                    self.local = stream.local_addr().ok();
                    self.stream = Stream::Plain(stream);
                    return Ok(());
                }
                Ok(Err(e)) => last = Some(e),
                Err(_) => return Err(self.timeout_fail()),
            }
        }
        Err(match last {
            Some(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                Fail::transient(Reason::Refused, "connection refused: nothing listens on that port".to_owned())
            }
            Some(e) => Fail::transient(Reason::Refused, format!("cannot connect: {e}")),
            None => Fail::transient(Reason::Dns, "the name has no address".to_owned()),
        })
    }

    /// The TLS handshake on the plain connection (implicit TLS, or after STARTTLS).
    pub async fn start_tls(&mut self, host: &str, ca_file: Option<&std::path::Path>) -> Result<(), Fail> {
        self.begin("tls", budget::TLS);
        if !self.buf.is_empty() {
            // Anything the server sent before the handshake would be read as if it came
            // through TLS: the STARTTLS command-injection hole (CVE-2011-0411 and kin).
            return Err(Fail::permanent(
                Reason::Tls,
                "the server sent data before the TLS handshake; refusing to continue".to_owned(),
            ));
        }
        let Stream::Plain(tcp) = std::mem::replace(&mut self.stream, Stream::None) else {
            return Err(Fail::transient(Reason::Tls, "no connection to secure".to_owned()));
        };
        let (config, recorder) = tls::client_config(ca_file)?;
        self.recorder = Some(recorder.clone());
        let name = ServerName::try_from(host.trim_start_matches('[').trim_end_matches(']').to_owned())
            .map_err(|_| Fail::permanent(Reason::Tls, format!("`{host}` is not a valid TLS server name")))?;
        let connector = tokio_rustls::TlsConnector::from(Arc::clone(&config));
        match tokio::time::timeout_at(self.step_deadline, connector.connect(name, tcp)).await {
            Ok(Ok(stream)) => {
                self.tls_version = stream.get_ref().1.protocol_version().map(|v| tls::version_name(v).to_owned());
                self.stream = Stream::Tls(Box::new(stream));
                self.transcript("-- TLS established");
                Ok(())
            }
            Ok(Err(e)) => Err(tls::classify_handshake(&e, host, &recorder)),
            Err(_) => Err(self.timeout_fail()),
        }
    }

    /// Starts the login step, refusing it unless TLS is up: a password never crosses the
    /// network in the clear, whatever the server offers.
    pub fn begin_login(&mut self) -> Result<(), Fail> {
        self.begin("login", budget::LOGIN);
        if matches!(self.stream, Stream::Tls(_)) {
            Ok(())
        } else {
            Err(Fail::permanent(Reason::Tls, "refusing to send the password without TLS".to_owned()))
        }
    }

    async fn read_some(&mut self) -> Result<usize, Fail> {
        let mut chunk = [0u8; 4096];
        let read = async {
            match &mut self.stream {
                Stream::Plain(s) => s.read(&mut chunk).await,
                Stream::Tls(s) => s.read(&mut chunk).await,
                Stream::None => Err(std::io::ErrorKind::NotConnected.into()),
            }
        };
        let n = match tokio::time::timeout_at(self.step_deadline, read).await {
            Ok(Ok(n)) => n,
            Ok(Err(e)) => return Err(self.io_fail(&e)),
            Err(_) => return Err(self.timeout_fail()),
        };
        self.buf.extend_from_slice(&chunk[..n]);
        Ok(n)
    }

    fn io_fail(&self, e: &std::io::Error) -> Fail {
        let step = self.step_name();
        if let Some(tls_error) = e.get_ref().and_then(|inner| inner.downcast_ref::<rustls::Error>()) {
            return Fail::transient(Reason::Tls, format!("TLS failed during {step}: {tls_error}"));
        }
        let reason = if step == "greeting" { Reason::Banner } else { Reason::Protocol };
        let what = match e.kind() {
            std::io::ErrorKind::ConnectionReset => "the server reset the connection",
            std::io::ErrorKind::ConnectionAborted => "the connection was aborted",
            std::io::ErrorKind::BrokenPipe => "the server closed the connection",
            _ => "the connection failed",
        };
        Fail::transient(reason, format!("{what} during {step} ({e})"))
    }

    /// Reads one line (without CR LF). Refuses lines longer than [`MAX_LINE`].
    pub async fn read_line(&mut self) -> Result<String, Fail> {
        loop {
            if let Some(end) = self.buf.iter().position(|b| *b == b'\n') {
                let raw: Vec<u8> = self.buf.drain(..=end).collect();
                let text = String::from_utf8_lossy(&raw).trim_end_matches(['\r', '\n']).to_owned();
                if text.len() > MAX_LINE {
                    return Err(self.too_long());
                }
                self.transcript(&format!("S: {text}"));
                return Ok(text);
            }
            if self.buf.len() > MAX_LINE {
                return Err(self.too_long());
            }
            if self.read_some().await? == 0 {
                let step = self.step_name();
                let reason = if step == "greeting" { Reason::Banner } else { Reason::Protocol };
                let what = if step == "greeting" {
                    "the server closed the connection without a greeting".to_owned()
                } else {
                    format!("the server closed the connection during {step}")
                };
                if !self.buf.is_empty() {
                    let partial = String::from_utf8_lossy(&self.buf).into_owned();
                    self.transcript(&format!("S: {partial}"));
                }
                return Err(Fail::transient(reason, what));
            }
        }
    }

    /// Reads exactly `n` bytes (an IMAP literal), kept out of the transcript: it is mail.
    pub async fn read_bytes(&mut self, n: usize) -> Result<Vec<u8>, Fail> {
        while self.buf.len() < n {
            if self.read_some().await? == 0 {
                return Err(Fail::transient(
                    Reason::Protocol,
                    format!("the server closed the connection during {}", self.step_name()),
                ));
            }
        }
        self.transcript(&format!("S: <{n} bytes>"));
        Ok(self.buf.drain(..n).collect())
    }

    fn too_long(&mut self) -> Fail {
        let shown = String::from_utf8_lossy(&self.buf[..self.buf.len().min(80)]).into_owned();
        self.transcript(&format!("S: {shown}… (cut)"));
        self.buf.clear();
        Fail::transient(
            Reason::TooLarge,
            format!(
                "the server sent more than {} KiB without a line break during {}: not a mail server, or a broken one",
                MAX_LINE / 1024,
                self.step_name()
            ),
        )
    }

    /// Sends one command line. `shown` is what the transcript records instead of `line`
    /// (commands that carry credentials pass a redacted form).
    pub async fn send(&mut self, line: &str, shown: &str) -> Result<(), Fail> {
        self.transcript(&format!("C: {shown}"));
        let mut bytes = Vec::with_capacity(line.len() + 2);
        bytes.extend_from_slice(line.as_bytes());
        bytes.extend_from_slice(b"\r\n");
        let write = async {
            match &mut self.stream {
                Stream::Plain(s) => {
                    s.write_all(&bytes).await?;
                    s.flush().await
                }
                Stream::Tls(s) => {
                    s.write_all(&bytes).await?;
                    s.flush().await
                }
                Stream::None => Err(std::io::ErrorKind::NotConnected.into()),
            }
        };
        let result = tokio::time::timeout_at(self.step_deadline, write).await;
        bytes.fill(0);
        match result {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(self.io_fail(&e)),
            Err(_) => Err(self.timeout_fail()),
        }
    }

    /// Closes the connection politely; failures here do not matter any more.
    pub async fn close(&mut self) {
        self.end(true);
        let shutdown = async {
            match &mut self.stream {
                Stream::Plain(s) => {
                    let _ = s.shutdown().await;
                }
                Stream::Tls(s) => {
                    let _ = s.shutdown().await;
                }
                Stream::None => {}
            }
        };
        let _ = tokio::time::timeout(Duration::from_secs(1), shutdown).await;
        self.stream = Stream::None;
    }

    /// Records a transcript line: secrets removed, control characters escaped, length cut.
    pub fn transcript(&mut self, line: &str) {
        if self.transcript.len() >= TRANSCRIPT_LINES {
            return;
        }
        let mut clean = self.scrub(line);
        clean = clean.chars().map(|c| if c.is_control() { '�' } else { c }).collect();
        if clean.chars().count() > TRANSCRIPT_LINE {
            clean = clean.chars().take(TRANSCRIPT_LINE).collect::<String>() + "…";
        }
        self.transcript.push(clean);
        if self.transcript.len() == TRANSCRIPT_LINES {
            self.transcript.push("-- (transcript cut)".to_owned());
        }
    }

    /// Removes every secret, and its base64 forms, from `text`.
    pub fn scrub(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for secret in &self.secrets {
            for form in secret_forms(secret) {
                if out.contains(&form) {
                    out = out.replace(&form, "<redacted>");
                }
            }
        }
        out
    }
}

/// The forms a secret can take on the wire: itself and its base64 encoding (AUTH LOGIN).
/// AUTH PLAIN's blob is never written to the transcript at all.
fn secret_forms(secret: &str) -> [String; 2] {
    [secret.to_owned(), super::base64(secret.as_bytes())]
}

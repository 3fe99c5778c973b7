//! Mail probes: SMTP submission, IMAP and POP3, each walking the real dialogue a mail client
//! walks — DNS, TCP, greeting, capabilities, STARTTLS or implicit TLS, capabilities again,
//! optional login, a harmless command, logout — with its own timeout for every step.
//!
//! A probe returns an [`Observation`], never an error: outcome, reason, a message for people,
//! the certificate's days left, and a [`MailFinding`] with per-step timings, whether a failure
//! is permanent or transient, and a transcript with every secret replaced by `<redacted>`.
//!
//! The dialogues are written by hand on tokio and rustls rather than with lettre or async-imap
//! (shared/research/mail.md §2): a monitor must time each step, cap every line it reads
//! (a hostile server can send megabytes without a line break), keep a redacted transcript,
//! and refuse to send a password before TLS; both crates hide exactly those parts.

pub(crate) mod dns;
mod imap;
mod pop3;
pub mod replies;
pub mod roundtrip;
mod session;
mod smtp;
pub(crate) mod tls;

use std::time::Duration;

use chrono::{DateTime, FixedOffset};
use outage_core::cause::Cause;
use outage_core::config::{Mail, MailKind, TlsMode};
use outage_core::model::{Finding, MailFinding, Observation, Outcome, Permanence, Reason};
use tokio::time::Instant;

pub use dns::{DNS_ENV, Dns};
use session::Session;

use crate::credentials::{self, Secret};

/// Each step's own limit; the probe's deadline (`settings.timeout`) bounds them all.
pub mod budget {
    use std::time::Duration;

    pub const DNS: Duration = Duration::from_secs(5);
    pub const CONNECT: Duration = Duration::from_secs(10);
    pub const TLS: Duration = Duration::from_secs(10);
    pub const GREETING: Duration = Duration::from_secs(15);
    pub const COMMAND: Duration = Duration::from_secs(10);
    /// Servers delay a failed login on purpose (Dovecot: 2 s); give it room.
    pub const LOGIN: Duration = Duration::from_secs(20);
    pub const LOGOUT: Duration = Duration::from_secs(3);
}

/// Why a step failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fail {
    pub reason: Reason,
    pub permanence: Permanence,
    pub message: String,
    /// What the failing step knew beyond its reason, for the cause the verdict names.
    pub hint: Option<Hint>,
}

impl Fail {
    pub fn transient(reason: Reason, message: String) -> Fail {
        Fail { reason, permanence: Permanence::Transient, message, hint: None }
    }

    pub fn permanent(reason: Reason, message: String) -> Fail {
        Fail { reason, permanence: Permanence::Permanent, message, hint: None }
    }

    #[must_use]
    pub fn hinting(self, hint: Hint) -> Fail {
        Fail { hint: Some(hint), ..self }
    }
}

/// What a failing step knows that its reason does not say; [`cause_of`] makes a [`Cause`] of
/// it with the endpoint's host, port and TLS setting, which the step does not have (page
/// checks make theirs with the page's host).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hint {
    /// NXDOMAIN, or a name without an address.
    NoSuchHost,
    /// The peer answered the TLS handshake with something that is not TLS.
    NotTls,
    /// STARTTLS (or STLS) configured, not offered.
    NoStarttls,
    /// The greeting said "not now" (SMTP non-220, IMAP `* BYE`, POP3 `-ERR`).
    Refusal {
        reply: String,
    },
    /// The greeting is not one of this protocol's.
    NotMail,
    CertExpired {
        not_after: Option<i64>,
    },
    CertNotYetValid,
    CertWrongHost,
    CertUntrusted,
    /// A page redirected on and on (page checks only).
    TooManyRedirects,
}

/// The cause of a failed dialogue, in terms the verdict can name: from the failing step's
/// hint, or from its reason and the step it failed in.
fn cause_of(fail: &Fail, step: &str, endpoint: &Mail, now: i64, second_look: Option<bool>) -> Option<Cause> {
    let host = endpoint.host.clone();
    Some(match &fail.hint {
        Some(Hint::NoSuchHost) => Cause::NoSuchHost { host },
        Some(Hint::NotTls) => Cause::not_tls(&host, endpoint.port, second_look),
        Some(Hint::NoStarttls) => Cause::NoStarttls { host },
        Some(Hint::Refusal { reply }) => Cause::Unavailable { host, reply: reply.clone() },
        Some(Hint::NotMail) => Cause::NotMail { host },
        Some(Hint::CertExpired { not_after }) => {
            Cause::CertificateExpired { host, days: not_after.map_or(0, |t| (now - t).max(0) / 86_400) }
        }
        Some(Hint::CertNotYetValid) => Cause::CertificateNotYetValid { host },
        Some(Hint::CertWrongHost) => Cause::CertificateWrongHost { host },
        Some(Hint::CertUntrusted) => Cause::CertificateUntrusted { host },
        Some(Hint::TooManyRedirects) => return None,
        None => match (fail.reason, step) {
            (Reason::Refused, _) => Cause::Refused { host },
            (Reason::Timeout, "greeting") => Cause::silent(&host, endpoint.port, endpoint.tls, second_look),
            (Reason::Timeout, "connect" | "tls") => Cause::Silent { host },
            _ => return None,
        },
    })
}

/// How the probe may log in.
#[derive(Debug, Clone)]
pub enum Credential {
    /// No username configured: probe without logging in.
    None,
    /// Log in with this password from the keychain.
    Password { username: String, password: Secret },
    /// A username is configured but its password cannot be had (not stored, no keychain).
    Unavailable { username: String, why: String },
}

impl Credential {
    /// The credential for an endpoint: from the keychain (its own entry, else its provider's)
    /// when it names a username.
    pub async fn for_endpoint(provider_id: &str, endpoint: &Mail) -> Credential {
        Credential::read(provider_id, endpoint, false).await
    }

    /// [`Credential::for_endpoint`] as the scheduled probes read it: remembered for a while
    /// (`credentials::remembered`). After a refused login, ask [`Credential::reread`].
    pub async fn remembered(provider_id: &str, endpoint: &Mail) -> Credential {
        Credential::read(provider_id, endpoint, true).await
    }

    /// After `used` was refused: the keychain's password now, when it is another one.
    pub async fn reread(provider_id: &str, endpoint: &Mail, used: &Credential) -> Option<Credential> {
        let Credential::Password { username, password } = used else { return None };
        let check_id = endpoint.check_id(provider_id);
        let fresh = credentials::reread(provider_id, &check_id, username, password).await?;
        Some(Credential::Password { username: username.clone(), password: fresh })
    }

    async fn read(provider_id: &str, endpoint: &Mail, remembered: bool) -> Credential {
        let Some(username) = endpoint.username.clone() else { return Credential::None };
        let check_id = endpoint.check_id(provider_id);
        let read = if remembered {
            credentials::remembered(provider_id, &check_id, &username).await
        } else {
            credentials::for_endpoint(provider_id, &check_id, &username).await
        };
        match read {
            Ok(Some(password)) => Credential::Password { username, password },
            Ok(None) => Credential::Unavailable {
                why: format!(
                    "no password for {username} in the keychain (run `outage-notifier credentials set {provider_id} {username} --endpoint {check_id}`)"
                ),
                username,
            },
            Err(e) => Credential::Unavailable { username, why: e.to_string() },
        }
    }
}

/// A login the dialogue may perform.
#[derive(Debug, Clone, Copy)]
pub struct Login<'a> {
    pub username: &'a str,
    pub password: &'a str,
}

/// What a successful dialogue established.
#[derive(Debug, Clone, Copy, Default)]
pub struct Done {
    pub logged_in: bool,
}

/// Everything one probe needs.
#[derive(Debug)]
pub struct Probe<'a> {
    pub check_id: &'a str,
    pub endpoint: &'a Mail,
    pub credential: Credential,
    /// The deadline of the whole probe.
    pub timeout: Duration,
    pub dns: Dns,
    /// Stamps the observation and dates the certificate.
    pub now: DateTime<FixedOffset>,
    /// Receives every step as soon as it ended ("Test connection" shows them live).
    pub progress: Option<Progress>,
}

/// Where a probe reports its steps while it runs.
pub type Progress = tokio::sync::mpsc::UnboundedSender<outage_core::model::ProbeStep>;

fn label(kind: MailKind) -> &'static str {
    match kind {
        MailKind::Smtp => "SMTP",
        MailKind::Imap => "IMAP",
        MailKind::Pop3 => "POP3",
    }
}

/// Runs one probe. Never fails: every failure is the observation's outcome and reason.
pub async fn probe(p: Probe<'_>) -> Observation {
    let endpoint = p.endpoint;
    let started = Instant::now();
    let mut s = Session::new(crate::deadline(started, p.timeout));
    s.progress = p.progress;
    let login = match &p.credential {
        Credential::Password { username, password } => {
            s.add_secret(password.expose());
            Some(Login { username, password: password.expose() })
        }
        Credential::None | Credential::Unavailable { .. } => None,
    };
    let result = async {
        let addrs = s.resolve(&p.dns, &endpoint.host, endpoint.port).await?;
        s.connect(&addrs).await?;
        match endpoint.kind {
            MailKind::Smtp => smtp::dialogue(&mut s, endpoint, login).await,
            MailKind::Imap => imap::dialogue(&mut s, endpoint, login).await,
            MailKind::Pop3 => pop3::dialogue(&mut s, endpoint, login).await,
        }
    }
    .await;
    s.end(result.is_ok());
    s.close().await;

    // The dialogue without the logout: what a mail client waits for.
    let latency: u64 = s.steps.iter().filter(|step| step.name != "logout").map(|step| step.millis).sum();
    let cert_days_left =
        s.recorder.as_ref().and_then(tls::Recorder::not_after).map(|t| tls::days_left(t, p.now.timestamp()));
    let kind = label(endpoint.kind);
    let mut observation = Observation {
        check_id: p.check_id.to_owned(),
        kind: endpoint.kind.check_kind(),
        target: endpoint.authority(),
        at: p.now,
        outcome: Outcome::Up,
        reason: None,
        message: String::new(),
        latency_ms: Some(latency),
        cert_days_left,
        finding: Finding::None,
    };
    let mut permanence = None;
    let mut cause = None;
    match result {
        Err(fail) => {
            let step = s.steps.last().map_or_else(|| "dialogue".to_owned(), |step| step.name.clone());
            let second = match s.peer {
                Some(peer) => second_look(&fail, &step, endpoint, peer).await,
                None => None,
            };
            cause = cause_of(&fail, &step, endpoint, p.now.timestamp(), second);
            observation.outcome = Outcome::Down;
            observation.reason = Some(fail.reason);
            observation.message = format!("{kind} {}: {}", endpoint.authority(), fail.message);
            permanence = Some(fail.permanence);
        }
        Ok(done) => {
            let tls = match (&s.tls_version, cert_days_left) {
                (Some(version), Some(days)) => format!(" over {version}, certificate valid {days} more days"),
                (Some(version), None) => format!(" over {version}"),
                _ => " without TLS".to_owned(),
            };
            let who = if done.logged_in {
                login.map(|l| format!(", logged in as {}", l.username)).unwrap_or_default()
            } else {
                String::new()
            };
            observation.message = format!("{kind} {} answered in {latency} ms{tls}{who}", endpoint.authority());
            if let Credential::Unavailable { why, .. } = &p.credential {
                // The server is fine, but the login the user asked for cannot be tested.
                observation.outcome = Outcome::Unknown;
                observation.reason = Some(Reason::Auth);
                observation.message = format!("{}; cannot log in: {why}", observation.message);
                permanence = Some(Permanence::Permanent);
            } else if let Some(days) = cert_days_left.filter(|d| *d <= i64::from(endpoint.cert_warn_days)) {
                observation.outcome = Outcome::Degraded;
                observation.reason = Some(Reason::Certificate);
                observation.message = format!(
                    "{kind} {}: the certificate expires in {days} days (warning from {} days); the server answered in {latency} ms",
                    endpoint.authority(),
                    endpoint.cert_warn_days
                );
            }
        }
    }
    observation.message = s.scrub(&observation.message);
    if observation.outcome != Outcome::Up {
        tracing::debug!(check = p.check_id, transcript = ?s.transcript, "mail probe: {}", observation.message);
    }
    observation.finding = Finding::Mail(MailFinding {
        steps: std::mem::take(&mut s.steps),
        permanence,
        tls_version: s.tls_version.clone(),
        transcript: std::mem::take(&mut s.transcript),
        cause,
        trouble_since: None,
    });
    observation
}

/// How long the second look may take, beyond the probe's own deadline: only a probe that
/// failed in a way a wrong TLS setting explains takes it.
pub const SECOND_LOOK: Duration = Duration::from_secs(2);

/// A second, short connection that tells a wrong TLS setting from a broken server, so the
/// verdict never calls the user's setting the provider's outage: after STARTTLS got no
/// greeting, does the server answer a TLS handshake there? After implicit TLS met plain text,
/// does the server greet as a mail server without TLS? `None` when neither question arises.
async fn second_look(fail: &Fail, step: &str, endpoint: &Mail, peer: std::net::SocketAddr) -> Option<bool> {
    let question = match (&fail.hint, fail.reason, step, endpoint.tls) {
        (Some(Hint::NotTls), ..) => Question::GreetsInPlain,
        (None, Reason::Timeout, "greeting", TlsMode::Starttls) => Question::SpeaksTls,
        _ => return None,
    };
    let look = async {
        let mut tcp = tokio::net::TcpStream::connect(peer).await.ok()?;
        match question {
            Question::SpeaksTls => {
                let (config, _) = tls::client_config(endpoint.ca_file.as_deref()).ok()?;
                let name = rustls::pki_types::ServerName::try_from(
                    endpoint.host.trim_start_matches('[').trim_end_matches(']').to_owned(),
                )
                .ok()?;
                match tokio_rustls::TlsConnector::from(config).connect(name, tcp).await {
                    Ok(_) => Some(true),
                    // A certificate we reject still came in a TLS handshake.
                    Err(e) => Some(
                        e.get_ref()
                            .and_then(|inner| inner.downcast_ref::<rustls::Error>())
                            .is_some_and(|e| matches!(e, rustls::Error::InvalidCertificate(_))),
                    ),
                }
            }
            Question::GreetsInPlain => {
                use tokio::io::AsyncReadExt as _;
                let mut first = [0u8; 64];
                let n = tcp.read(&mut first).await.ok()?;
                let line = String::from_utf8_lossy(&first[..n]).to_ascii_uppercase();
                Some(match endpoint.kind {
                    MailKind::Smtp => line.starts_with("220"),
                    MailKind::Imap => line.starts_with("* OK") || line.starts_with("* PREAUTH"),
                    MailKind::Pop3 => line.starts_with("+OK"),
                })
            }
        }
    };
    // Silence on the second look too is an answer (the server is silent, whatever we speak);
    // only a look that could not connect says nothing, and the port's convention decides.
    tokio::time::timeout(SECOND_LOOK, look).await.unwrap_or(Some(false))
}

/// What the second look asks.
#[derive(Debug, Clone, Copy)]
enum Question {
    SpeaksTls,
    GreetsInPlain,
}

/// The probe of a configured endpoint: credential from the keychain, DNS from the environment.
pub async fn run(
    check_id: &str,
    provider_id: &str,
    endpoint: &Mail,
    timeout: Duration,
    now: DateTime<FixedOffset>,
) -> Observation {
    let credential = Credential::remembered(provider_id, endpoint).await;
    let refused = probe(Probe {
        check_id,
        endpoint,
        credential: credential.clone(),
        timeout,
        dns: Dns::from_env(),
        now,
        progress: None,
    })
    .await;
    if !refused_login(&refused) {
        return refused;
    }
    // A remembered password may have been changed elsewhere since: one more login, with the
    // keychain's, before the account is blamed.
    match Credential::reread(provider_id, endpoint, &credential).await {
        Some(fresh) => {
            probe(Probe { check_id, endpoint, credential: fresh, timeout, dns: Dns::from_env(), now, progress: None })
                .await
        }
        None => refused,
    }
}

/// The server refused our login: the verdict that blames the account.
fn refused_login(o: &Observation) -> bool {
    o.outcome == Outcome::Down
        && o.reason == Some(Reason::Auth)
        && o.mail().is_some_and(|m| m.permanence == Some(Permanence::Permanent))
}

/// [`run`], reporting each step to `progress` as it ends.
pub async fn run_reporting(
    check_id: &str,
    provider_id: &str,
    endpoint: &Mail,
    timeout: Duration,
    now: DateTime<FixedOffset>,
    progress: Progress,
) -> Observation {
    let credential = Credential::for_endpoint(provider_id, endpoint).await;
    probe(Probe { check_id, endpoint, credential, timeout, dns: Dns::from_env(), now, progress: Some(progress) }).await
}

/// With implicit TLS the handshake comes before the greeting.
async fn implicit_tls(s: &mut Session, endpoint: &Mail) -> Result<(), Fail> {
    if endpoint.tls == TlsMode::Implicit {
        s.start_tls(&endpoint.host, endpoint.ca_file.as_deref()).await?;
    }
    Ok(())
}

/// STARTTLS (or STLS) configured but not offered. Never fall back to plaintext: that is what
/// a downgrade attack looks like, and a login would send the password in the clear.
fn upgrade_missing(command: &str) -> Fail {
    Fail::permanent(
        Reason::Tls,
        format!("the server does not offer {command} (misconfigured, or someone strips it on the way)"),
    )
    .hinting(Hint::NoStarttls)
}

/// Standard base64 (RFC 4648) for SASL PLAIN and LOGIN; too small a need for a dependency.
pub(crate) fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], chunk.get(1).copied().unwrap_or(0), chunk.get(2).copied().unwrap_or(0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// SASL PLAIN's initial response: `\0user\0password`, base64.
pub(crate) fn sasl_plain(login: Login<'_>) -> String {
    let mut raw = Vec::with_capacity(login.username.len() + login.password.len() + 2);
    raw.push(0);
    raw.extend_from_slice(login.username.as_bytes());
    raw.push(0);
    raw.extend_from_slice(login.password.as_bytes());
    let encoded = base64(&raw);
    raw.fill(0);
    encoded
}

/// A server line for a message: cut, and never more than one line.
pub(crate) fn quote(line: &str) -> String {
    let line = line.trim();
    if line.chars().count() > 120 {
        format!("{}…", line.chars().take(120).collect::<String>())
    } else {
        line.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        for (plain, encoded) in
            [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("foobar", "Zm9vYmFy")]
        {
            assert_eq!(base64(plain.as_bytes()), encoded);
        }
        assert_eq!(sasl_plain(Login { username: "u", password: "p" }), "AHUAcA==");
    }
}

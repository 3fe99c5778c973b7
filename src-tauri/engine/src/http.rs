//! One shared HTTP client and a fetch that never hangs, never buffers without bound and
//! turns every failure into a reason.

use std::error::Error as _;
use std::sync::Once;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use outage_core::model::Reason;

use crate::EngineError;
use crate::mail::Hint;

/// Bodies larger than this are refused while streaming.
pub const DEFAULT_BODY_CAP: usize = 5 * 1024 * 1024;
/// Redirects we follow before giving up.
pub const MAX_REDIRECTS: usize = 5;

static CRYPTO: Once = Once::new();

/// rustls needs exactly one process-wide crypto provider; we use ring everywhere (HTTP and
/// mail), and install it before the first TLS use.
pub fn install_crypto_provider() {
    CRYPTO.call_once(|| {
        // Err means another provider was installed first, which is just as good.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// Builds the one client the process shares (connection pool, TLS verified by default).
pub fn client() -> Result<reqwest::Client, EngineError> {
    builder().build().map_err(|e| EngineError::Http(e.to_string()))
}

/// A client like [`client`] that also trusts the CA in `ca_file` (PEM): a page served with a
/// certificate of the user's own CA.
pub fn client_trusting(ca_file: &std::path::Path) -> Result<reqwest::Client, String> {
    trusting(builder(), ca_file)?.build().map_err(|e| e.to_string())
}

/// `builder`, also trusting the CA(s) in `ca_file` (PEM).
pub fn trusting(builder: reqwest::ClientBuilder, ca_file: &std::path::Path) -> Result<reqwest::ClientBuilder, String> {
    let pem = std::fs::read(ca_file).map_err(|e| format!("cannot read ca_file {}: {e}", ca_file.display()))?;
    let certificates = reqwest::Certificate::from_pem_bundle(&pem)
        .map_err(|e| format!("ca_file {} holds no PEM certificate: {e}", ca_file.display()))?;
    Ok(certificates.into_iter().fold(builder, reqwest::ClientBuilder::add_root_certificate))
}

/// The settings every client of ours starts from; a caller with needs of its own (its own
/// resolver, an extra trust anchor) adds to them.
pub fn builder() -> reqwest::ClientBuilder {
    install_crypto_provider();
    reqwest::Client::builder()
        .user_agent(concat!(
            "OutageNotifier/",
            env!("CARGO_PKG_VERSION"),
            " (desktop status monitor; polls public status pages)"
        ))
        .redirect(reqwest::redirect::Policy::limited(MAX_REDIRECTS))
        .connect_timeout(Duration::from_secs(10))
        .pool_idle_timeout(Duration::from_secs(90))
        .pool_max_idle_per_host(2)
}

/// The `Accept` of every status document we ask for: the formats we read, JSON first. Some
/// APIs answer 406 to a client that does not name JSON (Lexware's status API does).
pub const DOCUMENTS_WE_READ: &str = "application/json, application/atom+xml;q=0.9, application/rss+xml;q=0.9, \
     application/xml;q=0.9, text/xml;q=0.9, text/html;q=0.8, */*;q=0.5";

/// What makes a GET conditional: the validators of the last body we saw.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

impl Validators {
    fn is_empty(&self) -> bool {
        self.etag.is_none() && self.last_modified.is_none()
    }
}

/// A fetched body.
#[derive(Debug)]
pub struct Fetched {
    pub body: Vec<u8>,
    pub latency: Duration,
    /// Until the answer's status and headers came (connection, TLS and request included).
    pub answered: Duration,
    pub final_url: String,
    pub content_type: Option<String>,
    pub validators: Validators,
}

/// The answer to a (possibly conditional) GET.
#[derive(Debug)]
pub enum Response {
    Body(Fetched),
    /// 304: the body we have is still current; it cost no transfer.
    NotModified {
        latency: Duration,
    },
}

/// Why a fetch failed, with a reason from DESIGN.md and a message for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchError {
    pub reason: Reason,
    pub message: String,
    /// The server asked us not to come back before this (429/503 with `Retry-After`).
    pub retry_after: Option<Duration>,
    /// The step it failed in, as a page check's "Why?" names it: `dns`, `connect`, `tls` or
    /// `request` before any answer came, `answer` for the answer's status, `body` after it.
    pub step: &'static str,
    /// What it knew beyond its reason (a certificate's fault, a missing name, a loop).
    pub hint: Option<Hint>,
    /// How long it took until it failed.
    pub after: Duration,
}

/// The longest `Retry-After` we honour; a server asking for more is polled again after this.
pub const MAX_RETRY_AFTER: Duration = Duration::from_hours(6);

/// GETs `url` within `timeout` (the whole exchange, body included), capping the body.
/// With `validators`, the request is conditional and a 304 comes back as `NotModified`.
/// `now` interprets a `Retry-After` given as a date.
pub async fn get(
    client: &reqwest::Client,
    url: &str,
    timeout: Duration,
    cap: usize,
    validators: Option<&Validators>,
    now: chrono::DateTime<chrono::FixedOffset>,
) -> Result<Response, FetchError> {
    let started = Instant::now();
    let exchange = async {
        let mut request = client.get(url).header(reqwest::header::ACCEPT, DOCUMENTS_WE_READ);
        if let Some(v) = validators.filter(|v| !v.is_empty()) {
            if let Some(etag) = &v.etag {
                request = request.header(reqwest::header::IF_NONE_MATCH, etag);
            }
            if let Some(date) = &v.last_modified {
                request = request.header(reqwest::header::IF_MODIFIED_SINCE, date);
            }
        }
        let response = request.send().await.map_err(|e| classify(&e))?;
        let status = response.status();
        let final_url = response.url().to_string();
        if status == reqwest::StatusCode::NOT_MODIFIED && validators.is_some() {
            return Ok(None);
        }
        if !status.is_success() {
            let retry_after = matches!(status.as_u16(), 429 | 503)
                .then(|| response.headers().get(reqwest::header::RETRY_AFTER))
                .flatten()
                .and_then(|v| v.to_str().ok())
                .and_then(|v| parse_retry_after(v, now));
            let message = match retry_after {
                Some(d) => format!("HTTP {status}; asked to retry after {} s", d.as_secs()),
                None => format!("HTTP {status}"),
            };
            return Err(FetchError {
                reason: Reason::HttpStatus,
                message,
                retry_after,
                step: "answer",
                hint: None,
                after: started.elapsed(),
            });
        }
        let header = |name: reqwest::header::HeaderName| {
            response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
        };
        let content_type = header(reqwest::header::CONTENT_TYPE);
        let validators =
            Validators { etag: header(reqwest::header::ETAG), last_modified: header(reqwest::header::LAST_MODIFIED) };
        let answered = started.elapsed();
        let body = read_capped(response, cap).await?;
        Ok(Some((body, final_url, content_type, validators, answered)))
    };
    match tokio::time::timeout(timeout, exchange).await {
        Ok(Ok(Some((body, final_url, content_type, validators, answered)))) => Ok(Response::Body(Fetched {
            body,
            latency: started.elapsed(),
            answered,
            final_url,
            content_type,
            validators,
        })),
        Ok(Ok(None)) => Ok(Response::NotModified { latency: started.elapsed() }),
        Ok(Err(e)) => Err(e.after(started.elapsed())),
        Err(_) => Err(timed_out(timeout, "request")),
    }
}

/// GETs `url` within `timeout` (the whole exchange, body included), capping the body, and
/// returns whatever status the server gave with it: for checks that judge the status
/// themselves.
pub async fn fetch(
    client: &reqwest::Client,
    url: &str,
    timeout: Duration,
    cap: usize,
) -> Result<(u16, Fetched), FetchError> {
    let started = Instant::now();
    // Whether the answer's headers came before the deadline: a timeout after them is the
    // body's, before them the request's.
    let answered = std::sync::OnceLock::new();
    let exchange = async {
        let response = client.get(url).send().await.map_err(|e| classify(&e))?;
        let _ = answered.set(started.elapsed());
        let status = response.status().as_u16();
        let final_url = response.url().to_string();
        let content_type =
            response.headers().get(reqwest::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let body = read_capped(response, cap).await.map_err(|e| FetchError { step: "body", ..e })?;
        Ok::<_, FetchError>((status, body, final_url, content_type))
    };
    let result = tokio::time::timeout(timeout, exchange).await;
    let answered_after = answered.get().copied();
    match result {
        Ok(Ok((status, body, final_url, content_type))) => Ok((
            status,
            Fetched {
                body,
                latency: started.elapsed(),
                answered: answered_after.unwrap_or_default(),
                final_url,
                content_type,
                validators: Validators::default(),
            },
        )),
        Ok(Err(e)) => Err(e.after(started.elapsed())),
        Err(_) => Err(timed_out(timeout, if answered_after.is_some() { "body" } else { "request" })),
    }
}

/// A response's body, refused as soon as it grows past `cap`.
async fn read_capped(response: reqwest::Response, cap: usize) -> Result<Vec<u8>, FetchError> {
    if response.content_length().is_some_and(|n| n > cap as u64) {
        return Err(too_large(cap));
    }
    let mut body = Vec::new();
    let mut stream = response.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| classify(&e))?;
        if body.len() + chunk.len() > cap {
            return Err(too_large(cap));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

impl FetchError {
    fn new(reason: Reason, message: String, step: &'static str) -> FetchError {
        FetchError { reason, message, retry_after: None, step, hint: None, after: Duration::ZERO }
    }

    fn after(self, elapsed: Duration) -> FetchError {
        FetchError { after: elapsed, ..self }
    }
}

fn timed_out(timeout: Duration, step: &'static str) -> FetchError {
    FetchError::new(Reason::Timeout, format!("no complete answer within {}", humantime_secs(timeout)), step)
        .after(timeout)
}

fn too_large(cap: usize) -> FetchError {
    FetchError::new(Reason::TooLarge, format!("body larger than {} KiB", cap / 1024), "body")
}

/// `Retry-After` is either delta-seconds or an HTTP date (RFC 9110 §10.2.3).
fn parse_retry_after(value: &str, now: chrono::DateTime<chrono::FixedOffset>) -> Option<Duration> {
    let value = value.trim();
    let wait = if let Ok(seconds) = value.parse::<u64>() {
        Duration::from_secs(seconds)
    } else {
        let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
        (at - now).to_std().unwrap_or(Duration::ZERO)
    };
    Some(wait.min(MAX_RETRY_AFTER))
}

fn humantime_secs(d: Duration) -> String {
    format!("{:.1} s", d.as_secs_f64())
}

/// Why a request failed, as the probes name it.
pub(crate) fn reason_of(e: &reqwest::Error) -> Reason {
    classify(e).reason
}

/// rustls's error in this link of a chain: an io::Error's `source()` skips the error it wraps
/// (it returns that one's source), and the connector wraps io::Errors in io::Errors.
fn rustls_error_in<'a>(link: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    let mut inner = link;
    loop {
        if let Some(found) = inner.downcast_ref::<rustls::Error>() {
            return Some(found);
        }
        inner = inner.downcast_ref::<std::io::Error>()?.get_ref()?;
    }
}

/// Maps a reqwest error onto our reasons by walking its source chain.
fn classify(e: &reqwest::Error) -> FetchError {
    let mut chain = String::new();
    let mut source: Option<&dyn std::error::Error> = e.source();
    let mut io_kind = None;
    let mut tls = false;
    let mut hint = None;
    while let Some(s) = source {
        if !chain.is_empty() {
            chain.push_str(": ");
        }
        chain.push_str(&s.to_string());
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            io_kind.get_or_insert(io.kind());
        }
        if let Some(rustls_error) = rustls_error_in(s) {
            tls = true;
            if let rustls::Error::InvalidCertificate(cert) = rustls_error {
                hint = hint.or_else(|| crate::mail::tls::certificate_hint(cert, None));
            }
        }
        source = s.source();
    }
    let lower = chain.to_lowercase();
    let reason = if e.is_timeout() {
        Reason::Timeout
    } else if e.is_redirect() {
        Reason::HttpStatus
    } else if tls || lower.contains("certificate") || lower.contains("tls") {
        if lower.contains("certificate") { Reason::Certificate } else { Reason::Tls }
    } else if lower.contains("dns error") || lower.contains("failed to lookup address") {
        Reason::Dns
    } else if io_kind == Some(std::io::ErrorKind::ConnectionRefused) {
        Reason::Refused
    } else if io_kind == Some(std::io::ErrorKind::TimedOut) {
        Reason::Timeout
    } else {
        Reason::Protocol
    };
    let message = if chain.is_empty() { e.to_string() } else { format!("{e}: {chain}") };
    // The system resolver's "no such name" (EAI_NONAME), not its "try again" (EAI_AGAIN): only
    // a name that does not exist is a cause to name.
    let no_such_name = reason == Reason::Dns
        && (lower.contains("name or service not known") || lower.contains("no address associated"));
    let hint = match reason {
        _ if e.is_redirect() => Some(Hint::TooManyRedirects),
        _ if no_such_name => Some(Hint::NoSuchHost),
        Reason::Certificate | Reason::Tls => hint,
        _ => None,
    };
    let step = match reason {
        _ if e.is_redirect() => "answer",
        Reason::Dns => "dns",
        Reason::Refused => "connect",
        Reason::Tls | Reason::Certificate => "tls",
        Reason::Timeout if e.is_connect() => "connect",
        _ => "request",
    };
    FetchError { step, hint, ..FetchError::new(reason, message, step) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-11-24T10:00:00Z").unwrap();
        assert_eq!(parse_retry_after("120", now), Some(Duration::from_mins(2)));
        assert_eq!(parse_retry_after("Tue, 24 Nov 2026 10:05:00 GMT", now), Some(Duration::from_mins(5)));
        assert_eq!(parse_retry_after("Tue, 24 Nov 2026 09:00:00 GMT", now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("999999999", now), Some(MAX_RETRY_AFTER));
        assert_eq!(parse_retry_after("soon", now), None);
    }
}

//! One shared HTTP client and a fetch that never hangs, never buffers without bound and
//! turns every failure into a reason.

use std::error::Error as _;
use std::sync::Once;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use outage_core::model::Reason;

use crate::EngineError;

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
        .build()
        .map_err(|e| EngineError::Http(e.to_string()))
}

/// A fetched body.
#[derive(Debug)]
pub struct Fetched {
    pub body: Vec<u8>,
    pub latency: Duration,
    pub final_url: String,
}

/// Why a fetch failed, with a reason from DESIGN.md and a message for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchError {
    pub reason: Reason,
    pub message: String,
}

/// GETs `url` within `timeout` (the whole exchange, body included), capping the body.
pub async fn get(client: &reqwest::Client, url: &str, timeout: Duration, cap: usize) -> Result<Fetched, FetchError> {
    let started = Instant::now();
    let exchange = async {
        let response = client.get(url).send().await.map_err(|e| classify(&e))?;
        let status = response.status();
        let final_url = response.url().to_string();
        if !status.is_success() {
            return Err(FetchError { reason: Reason::HttpStatus, message: format!("HTTP {status}") });
        }
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
        Ok((body, final_url))
    };
    match tokio::time::timeout(timeout, exchange).await {
        Ok(Ok((body, final_url))) => Ok(Fetched { body, latency: started.elapsed(), final_url }),
        Ok(Err(e)) => Err(e),
        Err(_) => Err(FetchError {
            reason: Reason::Timeout,
            message: format!("no complete answer within {}", humantime_secs(timeout)),
        }),
    }
}

fn too_large(cap: usize) -> FetchError {
    FetchError { reason: Reason::TooLarge, message: format!("body larger than {} KiB", cap / 1024) }
}

fn humantime_secs(d: Duration) -> String {
    format!("{:.1} s", d.as_secs_f64())
}

/// Maps a reqwest error onto our reasons by walking its source chain.
fn classify(e: &reqwest::Error) -> FetchError {
    let mut chain = String::new();
    let mut source: Option<&dyn std::error::Error> = e.source();
    let mut io_kind = None;
    let mut tls = false;
    while let Some(s) = source {
        if !chain.is_empty() {
            chain.push_str(": ");
        }
        chain.push_str(&s.to_string());
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            io_kind.get_or_insert(io.kind());
        }
        if s.downcast_ref::<rustls::Error>().is_some() {
            tls = true;
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
    FetchError { reason, message }
}

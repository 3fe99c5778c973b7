//! Discovery's lookups for one mail domain: its MX records, its RFC 6186 SRV records and its
//! autoconfig file. What they mean is decided in `outage_core::discover`; nothing here
//! connects to a mail server — probing waits until the user has confirmed what to watch.
//!
//! Every name, the autoconfig host included, is resolved through the same [`Dns`] (the
//! system's resolver, or the one server `--resolver` or `OUTAGE_NOTIFIER_DNS` names), each
//! lookup and request runs under its own deadline, and the autoconfig body is capped.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use futures_util::future::join_all;
use hickory_resolver::proto::rr::RData;
use outage_core::discover::{AutoconfigFault, AutoconfigOutcome, Found, SrvRecord, SrvService, autoconfig};
use outage_core::model::Reason;

use crate::EngineError;
use crate::http::{self, FetchError, Response};
use crate::mail::Dns;

/// An autoconfig file is a few KiB; anything near this is not one.
pub const AUTOCONFIG_CAP: usize = 256 * 1024;

/// How discovery reaches the network.
#[derive(Debug, Clone)]
pub struct Options {
    pub dns: Dns,
    /// An extra trust anchor (PEM) for the autoconfig request, as `ca_file` is for a mail
    /// server: for a self-run server with its own CA, and for tests.
    pub ca_file: Option<PathBuf>,
    /// The deadline of each lookup and of each autoconfig request.
    pub timeout: Duration,
}

impl Options {
    /// The system's resolver (or `OUTAGE_NOTIFIER_DNS`), the OS trust store, 10 s a step.
    pub fn from_env() -> Options {
        Options { dns: Dns::from_env(), ca_file: None, timeout: Duration::from_secs(10) }
    }
}

/// The autoconfig URLs Thunderbird asks, in its order.
pub fn autoconfig_urls(domain: &str) -> [String; 2] {
    [
        format!("https://autoconfig.{domain}/mail/config-v1.1.xml"),
        format!("https://{domain}/.well-known/autoconfig/mail/config-v1.1.xml"),
    ]
}

/// Asks everything about `domain` at once and returns what came back. Our own failures
/// (an unreadable `ca_file`) are errors; the domain's are part of [`Found`].
pub async fn lookup(domain: &str, options: &Options) -> Result<Found, EngineError> {
    let resolver = options.dns.resolver().map_err(|f| EngineError::Http(f.message))?;
    let client = client(options)?;
    let mut found = Found::default();

    let mx = async {
        match tokio::time::timeout(options.timeout, resolver.mx_lookup(format!("{domain}."))).await {
            Ok(Ok(lookup)) => {
                let mut hosts: Vec<(u16, String)> = lookup
                    .answers()
                    .iter()
                    .filter_map(|r| match &r.data {
                        RData::MX(mx) => Some((mx.preference, host_name(&mx.exchange.to_ascii()))),
                        _ => None,
                    })
                    .filter(|(_, h)| !h.is_empty())
                    .collect();
                hosts.sort();
                Ok(hosts.into_iter().map(|(_, h)| h).collect::<Vec<_>>())
            }
            Ok(Err(e)) if e.is_nx_domain() || e.is_no_records_found() => Ok(Vec::new()),
            _ => Err(format!("{domain} MX")),
        }
    };
    let srv = join_all(SrvService::ALL.into_iter().map(|service| {
        let name = format!("{}.{domain}.", service.label());
        let resolver = &resolver;
        async move {
            match tokio::time::timeout(options.timeout, resolver.srv_lookup(name.as_str())).await {
                Ok(Ok(lookup)) => Ok(lookup
                    .answers()
                    .iter()
                    .filter_map(|r| match &r.data {
                        RData::SRV(srv) => Some(SrvRecord {
                            service,
                            priority: srv.priority,
                            port: srv.port,
                            target: host_name(&srv.target.to_ascii()),
                        }),
                        _ => None,
                    })
                    .collect::<Vec<_>>()),
                Ok(Err(e)) if e.is_nx_domain() || e.is_no_records_found() => Ok(Vec::new()),
                _ => Err(format!("{} SRV", name.trim_end_matches('.'))),
            }
        }
    }));
    let autoconfig = async {
        let mut outcomes = Vec::new();
        for url in autoconfig_urls(domain) {
            let outcome = fetch_autoconfig(&client, &url, domain, options.timeout).await;
            let done = matches!(outcome, AutoconfigOutcome::Servers(_));
            outcomes.push((url, outcome));
            if done {
                break;
            }
        }
        outcomes
    };
    let (mx, srv, autoconfig) = tokio::join!(mx, srv, autoconfig);
    match mx {
        Ok(hosts) => found.mx = hosts,
        Err(query) => found.dns_failed.push(query),
    }
    for answer in srv {
        match answer {
            Ok(records) => found.srv.extend(records),
            Err(query) => found.dns_failed.push(query),
        }
    }
    found.srv.sort_by_key(|r| r.priority);
    found.autoconfig = autoconfig;
    Ok(found)
}

/// `mail.example.com.` → `mail.example.com`; the root (`.`) → empty.
fn host_name(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}

/// The shared client settings, with our resolver for every name and the extra anchor; a
/// redirect may only lead to another https URL, at most [`http::MAX_REDIRECTS`] times.
fn client(options: &Options) -> Result<reqwest::Client, EngineError> {
    let mut builder = http::builder().dns_resolver(Arc::new(Resolve(options.dns.clone()))).redirect(
        reqwest::redirect::Policy::custom(|attempt| {
            if attempt.previous().len() > http::MAX_REDIRECTS {
                attempt.error("too many redirects")
            } else if attempt.url().scheme() != "https" {
                attempt.stop()
            } else {
                attempt.follow()
            }
        }),
    );
    if let Some(path) = &options.ca_file {
        builder = http::trusting(builder, path).map_err(EngineError::Http)?;
    }
    builder.build().map_err(|e| EngineError::Http(e.to_string()))
}

/// Resolves the autoconfig hosts through our [`Dns`], like every other lookup of discovery.
#[derive(Debug)]
struct Resolve(Dns);

impl reqwest::dns::Resolve for Resolve {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let dns = self.0.clone();
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let ips = dns.lookup(&host).await.map_err(|f| Box::new(std::io::Error::other(f.message)))?;
            let addrs: reqwest::dns::Addrs = Box::new(ips.into_iter().map(|ip| SocketAddr::new(ip, 0)));
            Ok(addrs)
        })
    }
}

async fn fetch_autoconfig(client: &reqwest::Client, url: &str, domain: &str, timeout: Duration) -> AutoconfigOutcome {
    let now = chrono::Utc::now().fixed_offset();
    match http::get(client, url, timeout, AUTOCONFIG_CAP, None, now).await {
        Ok(Response::Body(fetched)) => match autoconfig::parse(&fetched.body, domain) {
            Ok(servers) => AutoconfigOutcome::Servers(servers),
            Err(e) => {
                tracing::info!("autoconfig {url}: {e}");
                AutoconfigOutcome::Fault(AutoconfigFault::NotAConfig)
            }
        },
        Ok(Response::NotModified { .. }) => AutoconfigOutcome::Fault(AutoconfigFault::HttpError),
        Err(e) => {
            tracing::info!("autoconfig {url}: {}", e.message);
            outcome_of(&e)
        }
    }
}

/// Most domains have no autoconfig file: no such host, nobody listening and "not found" are
/// absence, not a fault worth telling.
fn outcome_of(e: &FetchError) -> AutoconfigOutcome {
    let fault = match e.reason {
        Reason::TooLarge => AutoconfigFault::TooLarge,
        Reason::Timeout => AutoconfigFault::Timeout,
        Reason::Certificate | Reason::Tls => AutoconfigFault::Certificate,
        Reason::HttpStatus if e.message.contains("redirect") => AutoconfigFault::TooManyRedirects,
        Reason::HttpStatus if e.message.starts_with("HTTP 404") || e.message.starts_with("HTTP 410") => {
            return AutoconfigOutcome::Absent;
        }
        Reason::HttpStatus => AutoconfigFault::HttpError,
        _ => return AutoconfigOutcome::Absent,
    };
    AutoconfigOutcome::Fault(fault)
}

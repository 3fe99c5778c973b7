//! One probe of one check — a status page fetched and parsed, or a mail endpoint's dialogue —
//! returning an observation: always a value.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, FixedOffset};
use outage_core::check::{Check, CheckSpec};
use outage_core::formats::Format;
use outage_core::model::{CheckKind, Finding, Observation, Outcome, Reason, StatusSnapshot};

use crate::{detect, http};

/// What the engine learnt about status pages: the last body of each (so the next poll can
/// be conditional, and an unchanged page costs a 304 instead of a download and a parse) and
/// the detected format of each page given without one.
#[derive(Debug, Clone, Default)]
pub struct PageCache(Arc<Mutex<PageCacheInner>>);

#[derive(Debug, Default)]
struct PageCacheInner {
    bodies: HashMap<String, CachedPage>,
    detected: HashMap<String, detect::Detected>,
}

#[derive(Debug, Clone)]
struct CachedPage {
    validators: http::Validators,
    snapshot: StatusSnapshot,
}

impl PageCache {
    fn get(&self, url: &str) -> Option<CachedPage> {
        self.0.lock().ok()?.bodies.get(url).cloned()
    }

    fn put(&self, url: &str, page: CachedPage) {
        if let Ok(mut inner) = self.0.lock() {
            inner.bodies.insert(url.to_owned(), page);
        }
    }

    fn detected(&self, page: &url::Url) -> Option<detect::Detected> {
        self.0.lock().ok()?.detected.get(page.as_str()).cloned()
    }

    fn remember(&self, page: &url::Url, found: detect::Detected) {
        if let Ok(mut inner) = self.0.lock() {
            inner.detected.insert(page.to_string(), found);
        }
    }
}

/// One probe's observation, plus when the server allows the next one.
#[derive(Debug, Clone, PartialEq)]
pub struct ProbeResult {
    pub observation: Observation,
    /// From `Retry-After`: do not probe again before this has passed.
    pub retry_after: Option<Duration>,
    /// When the check itself knows its next look (the round trip follows its mails).
    pub next_look: Option<Duration>,
}

/// Runs one probe. `now` stamps the observation (injected so tests control time).
pub async fn run(
    check: &Check,
    client: &reqwest::Client,
    timeout: Duration,
    now: DateTime<FixedOffset>,
    cache: &PageCache,
) -> ProbeResult {
    match &check.spec {
        CheckSpec::StatusPage { page, format } => {
            let (format, endpoint) = match format
                .map(|f| (f, f.endpoint(page)))
                .or_else(|| cache.detected(page).map(|d| (d.format, d.endpoint)))
            {
                Some(known) => known,
                None => match detect::detect(client, page, timeout, timeout.saturating_mul(4), now).await {
                    Ok(found) => {
                        cache.remember(page, found.clone());
                        (found.format, found.endpoint)
                    }
                    Err(not_found) => {
                        let detail: Vec<String> =
                            not_found.tried.iter().take(3).map(|(u, why)| format!("{u}: {why}")).collect();
                        let (reason, retry_after, message) = match not_found.unreachable {
                            Some((reason, retry_after)) => {
                                (reason, retry_after, format!("status page unreachable: {}", detail.join("; ")))
                            }
                            None => (Reason::Parse, None, format!("{not_found}; {}", detail.join("; "))),
                        };
                        let observation = Observation::failed(
                            &check.id,
                            CheckKind::StatusPage,
                            page.as_str(),
                            now,
                            Outcome::Unknown,
                            reason,
                            message,
                        );
                        return ProbeResult { observation, retry_after, next_look: None };
                    }
                },
            };
            status_page(check, client, endpoint.as_str(), format, timeout, now, cache).await
        }
        CheckSpec::Mail { endpoint, .. } => ProbeResult {
            observation: crate::mail::run(&check.id, &check.provider_id, endpoint, timeout, now).await,
            retry_after: None,
            next_look: None,
        },
        // A round trip spans many cycles and needs the history: the scheduler runs it
        // (`mail::roundtrip`), never a single probe.
        CheckSpec::Roundtrip { .. } => ProbeResult {
            observation: Observation {
                check_id: check.id.clone(),
                kind: CheckKind::Roundtrip,
                target: check.target().to_owned(),
                at: now,
                outcome: Outcome::Unknown,
                reason: None,
                message: "the round trip is measured by the running resident".to_owned(),
                latency_ms: None,
                cert_days_left: None,
                finding: Finding::None,
            },
            retry_after: None,
            next_look: None,
        },
        CheckSpec::Http(page) => ProbeResult {
            observation: crate::reachability::run(&check.id, page, client, timeout, now).await,
            retry_after: None,
            next_look: None,
        },
    }
}

async fn status_page(
    check: &Check,
    client: &reqwest::Client,
    url: &str,
    format: Format,
    timeout: Duration,
    now: DateTime<FixedOffset>,
    cache: &PageCache,
) -> ProbeResult {
    let failed = |reason: Reason, message: String| {
        Observation::failed(&check.id, CheckKind::StatusPage, url, now, Outcome::Unknown, reason, message)
    };
    let cached = cache.get(url);
    let validators = cached.as_ref().map(|c| &c.validators);
    let fetched = match http::get(client, url, timeout, http::DEFAULT_BODY_CAP, validators, now).await {
        Ok(http::Response::Body(f)) => f,
        Ok(http::Response::NotModified { latency }) => {
            let observation = match cached {
                Some(page) => {
                    // Unchanged bytes, but time moved on: a long-resolved incident still goes.
                    let snapshot = outage_core::formats::without_old_closed(page.snapshot, now);
                    let (snapshot, note) = with_companion(client, format, url, timeout, now, snapshot).await;
                    up(check, url, now, latency, format!("not modified since the last poll ({url}){note}"), snapshot)
                }
                // Without a cached page we sent no validators: a 304 then is a broken server.
                None => failed(Reason::Protocol, "304 to an unconditional request".into()),
            };
            return ProbeResult { observation, retry_after: None, next_look: None };
        }
        // A status page we cannot read tells nothing about the provider: unknown, not down.
        Err(e) => {
            return ProbeResult {
                observation: failed(e.reason, e.message),
                retry_after: e.retry_after,
                next_look: None,
            };
        }
    };
    let observation = match format.parse(&fetched.body, now) {
        Ok(snapshot) => {
            if fetched.validators != http::Validators::default() {
                cache.put(url, CachedPage { validators: fetched.validators.clone(), snapshot: snapshot.clone() });
            }
            let (snapshot, note) = with_companion(client, format, url, timeout, now, snapshot).await;
            let message = format!("read {} ({} bytes){note}", fetched.final_url, fetched.body.len());
            up(check, url, now, fetched.latency, message, snapshot)
        }
        Err(e) => {
            let mut o = failed(Reason::Parse, e.to_string());
            o.latency_ms = u64::try_from(fetched.latency.as_millis()).ok();
            o
        }
    };
    ProbeResult { observation, retry_after: None, next_look: None }
}

/// Adds the incidents of the format's companion document (Cachet's incidents list). It is
/// asked every time, even when the main document was not modified: incidents change on their
/// own. When it cannot be read, the main document still counts and the message says so.
async fn with_companion(
    client: &reqwest::Client,
    format: Format,
    url: &str,
    timeout: Duration,
    now: DateTime<FixedOffset>,
    mut snapshot: StatusSnapshot,
) -> (StatusSnapshot, String) {
    let Some(companion) = url::Url::parse(url).ok().and_then(|u| format.companion(&u)) else {
        return (snapshot, String::new());
    };
    let note = match http::get(client, companion.as_str(), timeout, http::DEFAULT_BODY_CAP, None, now).await {
        Ok(http::Response::Body(fetched)) => match format.parse(&fetched.body, now) {
            Ok(incidents) => {
                snapshot.merge_incidents(incidents);
                format!("; incidents from {companion}")
            }
            Err(e) => format!("; incidents unreadable: {e}"),
        },
        Ok(http::Response::NotModified { .. }) => format!("; incidents: unexpected 304 from {companion}"),
        Err(e) => format!("; incidents unavailable: {}", e.message),
    };
    (snapshot, note)
}

fn up(
    check: &Check,
    url: &str,
    now: DateTime<FixedOffset>,
    latency: Duration,
    message: String,
    snapshot: StatusSnapshot,
) -> Observation {
    Observation {
        check_id: check.id.clone(),
        kind: CheckKind::StatusPage,
        target: url.to_owned(),
        at: now,
        outcome: Outcome::Up,
        reason: None,
        message,
        latency_ms: u64::try_from(latency.as_millis()).ok(),
        cert_days_left: None,
        finding: Finding::StatusPage(snapshot),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use outage_core::config::{Mail, MailKind, TlsMode};

    use super::*;

    /// A loopback port nobody listens on: connections are refused at once.
    fn closed_port() -> u16 {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    }

    // The parser bounds timeouts, but a config built in code (or a future key) reaches the
    // probes unchecked: a huge timeout must be a long deadline, never an overflow panic.
    #[tokio::test]
    async fn an_endless_timeout_is_a_deadline_not_a_panic() {
        let client = http::client().unwrap();
        let now = chrono::Local::now().fixed_offset();
        let port = closed_port();
        let page = url::Url::parse(&format!("http://127.0.0.1:{port}/")).unwrap();
        let status = Check {
            id: "p/status_page".into(),
            provider_id: "p".into(),
            spec: CheckSpec::StatusPage { page, format: None },
        };
        let result = run(&status, &client, Duration::MAX, now, &PageCache::default()).await;
        assert_eq!(result.observation.outcome, Outcome::Unknown);

        let endpoint = Mail {
            kind: MailKind::Smtp,
            host: "127.0.0.1".into(),
            port,
            tls: TlsMode::None,
            username: None,
            ca_file: None,
            cert_warn_days: 14,
        };
        let mail = Check {
            id: "p/smtp/127.0.0.1".into(),
            provider_id: "p".into(),
            spec: CheckSpec::Mail { target: endpoint.authority(), endpoint },
        };
        let result = run(&mail, &client, Duration::MAX, now, &PageCache::default()).await;
        assert_ne!(result.observation.outcome, Outcome::Up, "{:?}", result.observation);
    }
}

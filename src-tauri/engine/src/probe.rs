//! One probe of one check: fetch, parse, and return an observation — always a value.

use std::time::Duration;

use chrono::{DateTime, FixedOffset};
use outage_core::config::{Provider, StatusPage};
use outage_core::formats::Format;
use outage_core::model::{CheckKind, Finding, Observation, Outcome, Reason};

use crate::http;

/// A check as the engine runs it.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    pub id: String,
    pub provider_id: String,
    pub spec: CheckSpec,
}

/// What a check probes.
#[derive(Debug, Clone, PartialEq)]
pub enum CheckSpec {
    StatusPage { url: String, format: Format },
}

impl Check {
    pub fn kind(&self) -> CheckKind {
        match self.spec {
            CheckSpec::StatusPage { .. } => CheckKind::StatusPage,
        }
    }

    pub fn target(&self) -> &str {
        match &self.spec {
            CheckSpec::StatusPage { url, .. } => url,
        }
    }
}

/// The checks of one provider.
pub fn checks_of(provider: &Provider) -> Vec<Check> {
    let mut checks = Vec::new();
    if let Some(StatusPage { url, format }) = &provider.status_page {
        // Statuspage is the only format so far; detection arrives with the other formats.
        let format = format.unwrap_or(Format::Statuspage);
        checks.push(Check {
            id: provider.status_check_id(),
            provider_id: provider.id.clone(),
            spec: CheckSpec::StatusPage { url: format.endpoint(url).to_string(), format },
        });
    }
    checks
}

/// Runs one probe. `now` stamps the observation (injected so tests control time).
pub async fn run(
    check: &Check,
    client: &reqwest::Client,
    timeout: Duration,
    now: DateTime<FixedOffset>,
) -> Observation {
    match &check.spec {
        CheckSpec::StatusPage { url, format } => status_page(check, client, url, *format, timeout, now).await,
    }
}

async fn status_page(
    check: &Check,
    client: &reqwest::Client,
    url: &str,
    format: Format,
    timeout: Duration,
    now: DateTime<FixedOffset>,
) -> Observation {
    let fetched = match http::get(client, url, timeout, http::DEFAULT_BODY_CAP).await {
        Ok(f) => f,
        // A status page we cannot read tells nothing about the provider: unknown, not down.
        Err(e) => {
            return Observation::failed(
                &check.id,
                CheckKind::StatusPage,
                url,
                now,
                Outcome::Unknown,
                e.reason,
                e.message,
            );
        }
    };
    let latency_ms = u64::try_from(fetched.latency.as_millis()).ok();
    match format.parse(&fetched.body) {
        Ok(snapshot) => Observation {
            check_id: check.id.clone(),
            kind: CheckKind::StatusPage,
            target: url.to_owned(),
            at: now,
            outcome: Outcome::Up,
            reason: None,
            message: format!("read {} ({} bytes)", fetched.final_url, fetched.body.len()),
            latency_ms,
            cert_days_left: None,
            finding: Finding::StatusPage(snapshot),
        },
        Err(e) => {
            let mut o = Observation::failed(
                &check.id,
                CheckKind::StatusPage,
                url,
                now,
                Outcome::Unknown,
                Reason::Parse,
                e.to_string(),
            );
            o.latency_ms = latency_ms;
            o
        }
    }
}

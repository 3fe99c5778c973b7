//! `[[provider.http]]`: one page fetched as a browser would — redirects followed (bounded),
//! TLS verified, the body capped, all within the probe's deadline — and judged by core
//! (`check::judge_page`): an accepted status, and the expected text in what people read.

use std::time::Duration;

use chrono::{DateTime, FixedOffset};
use outage_core::check::judge_page;
use outage_core::config::Http;
use outage_core::model::{CheckKind, Finding, Observation, Outcome, Reason};

use crate::http;

/// Pages larger than this are not pages a person reads: a failure of their own (`too_large`).
pub const BODY_CAP: usize = http::DEFAULT_BODY_CAP;

/// One probe of one page. `client` is the shared one; a page with its own `ca_file` gets a
/// client that trusts it as well.
pub async fn run(
    check_id: &str,
    page: &Http,
    client: &reqwest::Client,
    timeout: Duration,
    now: DateTime<FixedOffset>,
) -> Observation {
    let url = page.url.as_str();
    let failed = |outcome: Outcome, reason: Reason, message: String| {
        Observation::failed(check_id, CheckKind::Http, url, now, outcome, reason, message)
    };
    let own;
    let client = match &page.ca_file {
        None => client,
        Some(ca_file) => match http::client_trusting(ca_file) {
            Ok(c) => {
                own = c;
                &own
            }
            // Our own setup, not the site: we cannot tell.
            Err(message) => return failed(Outcome::Unknown, Reason::Certificate, message),
        },
    };
    let (status, fetched) = match http::fetch(client, url, timeout, BODY_CAP).await {
        Ok(answer) => answer,
        Err(e) => return failed(Outcome::Down, e.reason, e.message),
    };
    let latency_ms = u64::try_from(fetched.latency.as_millis()).ok();
    let (outcome, reason, message) = match judge_page(page, status, &fetched.body) {
        None => (Outcome::Up, None, format!("HTTP {status} from {} ({} bytes)", fetched.final_url, fetched.body.len())),
        Some((reason, message)) => (Outcome::Down, Some(reason), message),
    };
    Observation {
        check_id: check_id.to_owned(),
        kind: CheckKind::Http,
        target: url.to_owned(),
        at: now,
        outcome,
        reason,
        message,
        latency_ms,
        cert_days_left: None,
        finding: Finding::None,
    }
}

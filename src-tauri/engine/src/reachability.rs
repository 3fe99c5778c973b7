//! `[[provider.http]]`: one page fetched as a browser would — redirects followed (bounded),
//! TLS verified, the body capped, all within the probe's deadline — and judged by core
//! (`check::judge_page`): an accepted status, and the expected text in what people read.

use std::time::Duration;

use chrono::{DateTime, FixedOffset};
use outage_core::cause::{Cause, page_host};
use outage_core::check::judge_page;
use outage_core::config::Http;
use outage_core::model::{CheckKind, Finding, HttpFinding, Observation, Outcome, ProbeStep, Reason};

use crate::http::{self, FetchError};
use crate::mail::Hint;

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
    let failed = |outcome: Outcome, reason: Reason, message: String, finding: HttpFinding| Observation {
        finding: Finding::Http(finding),
        ..Observation::failed(check_id, CheckKind::Http, url, now, outcome, reason, message)
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
            Err(message) => return failed(Outcome::Unknown, Reason::Certificate, message, HttpFinding::default()),
        },
    };
    let (status, fetched) = match http::fetch(client, url, timeout, BODY_CAP).await {
        Ok(answer) => answer,
        Err(e) => {
            let finding =
                HttpFinding { steps: steps_until(&e), status: None, cause: cause_of(&e, page, now.timestamp()) };
            return failed(Outcome::Down, e.reason, e.message, finding);
        }
    };
    let latency_ms = u64::try_from(fetched.latency.as_millis()).ok();
    let answered_ms = millis(fetched.answered);
    let body_ms = millis(fetched.latency.saturating_sub(fetched.answered));
    let host = || page_host(url);
    let mut steps = vec![ProbeStep { name: "answer".into(), millis: answered_ms, ok: page.accepts(status) }];
    let (outcome, reason, message, cause) = match judge_page(page, status, &fetched.body) {
        None => (
            Outcome::Up,
            None,
            format!("HTTP {status} from {} ({} bytes)", fetched.final_url, fetched.body.len()),
            None,
        ),
        Some((Reason::HttpStatus, message)) => {
            (Outcome::Down, Some(Reason::HttpStatus), message, Some(Cause::HttpStatus { host: host(), status }))
        }
        Some((reason, message)) => {
            let expected = page.expect.clone().unwrap_or_default();
            (Outcome::Down, Some(reason), message, Some(Cause::TextMissing { host: host(), expected }))
        }
    };
    if page.accepts(status) {
        steps.push(ProbeStep { name: "body".into(), millis: body_ms, ok: true });
        if page.expect.is_some() {
            steps.push(ProbeStep { name: "content".into(), millis: 0, ok: outcome == Outcome::Up });
        }
    }
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
        finding: Finding::Http(HttpFinding { steps, status: Some(status), cause }),
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// The steps of a fetch that failed: the ones it passed, then the one it failed in. Before
/// any answer came, one step names where it failed (its time is the whole attempt's).
fn steps_until(e: &FetchError) -> Vec<ProbeStep> {
    let failed = |name: &str, millis| ProbeStep { name: name.to_owned(), millis, ok: false };
    match e.step {
        // The answer came and was fine; the page itself failed to load.
        "body" => vec![ProbeStep { name: "answer".into(), millis: 0, ok: true }, failed("body", millis(e.after))],
        step => vec![failed(step, millis(e.after))],
    }
}

/// What a failed fetch found wrong, with the page's host, where it could tell.
fn cause_of(e: &FetchError, page: &Http, now: i64) -> Option<Cause> {
    let host = page_host(page.url.as_str());
    Some(match &e.hint {
        Some(Hint::NoSuchHost) => Cause::NoSuchHost { host },
        Some(Hint::CertExpired { not_after }) => {
            Cause::CertificateExpired { host, days: not_after.map_or(0, |t| (now - t).max(0) / 86_400) }
        }
        Some(Hint::CertNotYetValid) => Cause::CertificateNotYetValid { host },
        Some(Hint::CertWrongHost) => Cause::CertificateWrongHost { host },
        Some(Hint::CertUntrusted) => Cause::PageCertificateUntrusted { host },
        Some(Hint::TooManyRedirects) => Cause::TooManyRedirects { host },
        None if e.reason == Reason::Refused => Cause::Refused { host },
        // Mail's hints do not come from pages; a timeout cannot tell a silent site from a
        // connection that never came about: its reason says no more than that, nor does the line.
        Some(Hint::NotTls | Hint::NoStarttls | Hint::Refusal { .. } | Hint::NotMail) | None => return None,
    })
}

//! Finds which status-page format a URL serves: fetches core's candidate URLs in order and
//! keeps the first body that core recognises and parses; then looks for feeds and Status.io
//! ids in the page's HTML. The result is remembered per page, so polls never re-guess.

use std::time::Duration;

use chrono::{DateTime, FixedOffset};
use outage_core::formats::{Format, detect};
use outage_core::model::Reason;
use outage_core::protocol::Detection;

use crate::http;

/// What detection found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detected {
    pub format: Format,
    /// The URL to poll from now on.
    pub endpoint: url::Url,
}

/// Every URL tried and what it gave, for a person to read when nothing was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotFound {
    pub tried: Vec<(url::Url, String)>,
    /// When no candidate answered with a body at all, why the first one failed: then the
    /// page is unreachable (timeout, refused, 500, 429 …), which says more than "no format".
    pub unreachable: Option<(Reason, Option<Duration>)>,
}

impl std::fmt::Display for NotFound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "no known status-page format found (tried {} URLs)", self.tried.len())
    }
}

/// The largest body detection reads per candidate (real status pages stay far below).
const CAP: usize = 2 * 1024 * 1024;

/// Detects the format behind `base`. Each candidate gets `timeout`; the whole search stops
/// after `budget`.
pub async fn detect(
    client: &reqwest::Client,
    base: &url::Url,
    timeout: Duration,
    budget: Duration,
    now: DateTime<FixedOffset>,
) -> Result<Detected, NotFound> {
    let deadline = crate::deadline(tokio::time::Instant::now(), budget);
    let mut tried = Vec::new();
    let mut queue: Vec<url::Url> = detect::candidates(base).into_iter().map(|(_, url)| url).collect();
    let mut looked_at_html = false;
    let mut answered = false;
    let mut first_error: Option<(Reason, Option<Duration>)> = None;
    let mut i = 0;
    while i < queue.len() || !looked_at_html {
        if tokio::time::Instant::now() >= deadline {
            tried.push((base.clone(), "gave up: detection took too long".into()));
            break;
        }
        if i >= queue.len() {
            // Nothing at the usual places: read the page itself for feed links and ids.
            looked_at_html = true;
            if let Ok(http::Response::Body(page)) = http::get(client, base.as_str(), timeout, CAP, None, now).await {
                answered = true;
                let html = String::from_utf8_lossy(&page.body);
                let mut found: Vec<url::Url> = detect::discover_feed_links(&html, base);
                found.extend(detect::status_io_api(&html));
                found.retain(|u| !queue.contains(u));
                tried.push((base.clone(), format!("HTML page; {} more candidates in it", found.len())));
                queue.extend(found);
            }
            continue;
        }
        let url = queue[i].clone();
        i += 1;
        match http::get(client, url.as_str(), timeout, CAP, None, now).await {
            Ok(http::Response::Body(fetched)) => {
                answered = true;
                match detect::recognise(&fetched.body, fetched.content_type.as_deref()) {
                    Some(format) if format.parse(&fetched.body, now).is_ok() => {
                        return Ok(Detected { format, endpoint: url });
                    }
                    Some(format) => tried.push((url, format!("looks like {} but does not parse", format.as_str()))),
                    None => tried.push((url, "not a status-page format".into())),
                }
            }
            Ok(http::Response::NotModified { .. }) => {
                answered = true;
                tried.push((url, "304 without a request for it".into()));
            }
            Err(e) => {
                first_error.get_or_insert((e.reason, e.retry_after));
                // Asked to wait, or the host does not answer at all: the other candidates live
                // on the same host, and asking them now would be rude or just as futile.
                let give_up = e.retry_after.is_some()
                    || matches!(e.reason, Reason::Timeout | Reason::Refused | Reason::Dns | Reason::Tls);
                tried.push((url, e.message));
                if give_up {
                    break;
                }
            }
        }
    }
    Err(NotFound { tried, unreachable: if answered { None } else { first_error } })
}

/// Detects the format behind `url` and reads it once more, for a preview of what it says.
/// The error is a sentence for a person.
pub async fn preview(client: &reqwest::Client, url: &str, now: DateTime<FixedOffset>) -> Result<Detection, String> {
    let base = url::Url::parse(url)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .ok_or_else(|| format!("`{url}` is not an http(s) URL"))?;
    let found =
        detect(client, &base, Duration::from_secs(10), Duration::from_mins(1), now).await.map_err(|not_found| {
            let tried: Vec<String> = not_found.tried.iter().take(3).map(|(u, why)| format!("{u}: {why}")).collect();
            format!("{not_found}; {}", tried.join("; "))
        })?;
    let body = match http::get(client, found.endpoint.as_str(), Duration::from_secs(10), CAP, None, now).await {
        Ok(http::Response::Body(fetched)) => fetched.body,
        Ok(http::Response::NotModified { .. }) => return Err("the page answered 304 to a plain request".into()),
        Err(e) => return Err(e.message),
    };
    let snapshot = found.format.parse(&body, now).map_err(|e| e.to_string())?;
    Ok(Detection {
        format: found.format,
        endpoint: found.endpoint.to_string(),
        state: snapshot.overall(),
        components: u32::try_from(snapshot.components.len()).unwrap_or(u32::MAX),
        incidents: u32::try_from(snapshot.incidents.len()).unwrap_or(u32::MAX),
    })
}

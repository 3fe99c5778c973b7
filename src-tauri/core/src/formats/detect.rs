//! Which status-page format a URL serves, without touching the network: the URLs worth
//! trying for a base URL, in order ([`candidates`]), recognising a format from a response
//! body ([`recognise`]), and finding feeds and Status.io page ids in a page's HTML.
//!
//! The engine fetches the candidates in order and keeps the first body [`recognise`] accepts;
//! the format paired with a candidate is only what that URL usually serves, the body decides.

use serde_json::Value;

use super::{Format, feed, html, status_io};

/// Paths probed on every page, after the known-host table (research §7: Statuspage and its
/// incident.io copy, Instatus, Better Stack, Cachet, then feeds).
const GENERIC: [(Format, &str); 15] = [
    (Format::Statuspage, "api/v2/summary.json"),
    (Format::Instatus, "summary.json"),
    (Format::Instatus, "v3/summary.json"),
    (Format::BetterStack, "index.json"),
    (Format::Cachet, "api/v1/components"),
    (Format::Feed, "history.atom"),
    (Format::Feed, "history.rss"),
    (Format::Feed, "feed.atom"),
    (Format::Feed, "feed.rss"),
    (Format::Feed, "en.atom"),
    (Format::Feed, "de.atom"),
    (Format::Feed, "rss"),
    (Format::Feed, "rdf.xml"),
    (Format::Feed, "rss/all.rss"),
    (Format::Feed, "en-us/status/feed/"),
];

/// The URLs to try for a page, best first, each with the format it usually serves: the URL
/// itself when it already names a document, then the known-host table, then the generic paths.
pub fn candidates(base: &url::Url) -> Vec<(Format, url::Url)> {
    let mut out: Vec<(Format, url::Url)> = Vec::new();
    let mut push = |format: Format, url: url::Url| {
        if !out.iter().any(|(_, u)| *u == url) {
            out.push((format, url));
        }
    };
    let path = base.path();
    let names_document =
        super::has_extension(path, &["json", "xml", "rss", "atom"]) || path.contains("/api/") || path.contains("/feed");
    if names_document {
        push(guess_from_path(base), base.clone());
    }
    for (format, url) in known_host(base) {
        push(format, url);
    }
    // A document URL's generic siblings live at the site root; a page URL's under its path.
    let root = if names_document {
        let mut root = base.clone();
        root.set_path("/");
        root.set_query(None);
        root
    } else {
        base.clone()
    };
    let dir = format!("{}/", root.path().trim_end_matches('/'));
    for (format, suffix) in GENERIC {
        let mut url = root.clone();
        url.set_path(&format!("{dir}{suffix}"));
        push(format, url);
    }
    out
}

fn guess_from_path(url: &url::Url) -> Format {
    let path = url.path().to_ascii_lowercase();
    if url.host_str() == Some("api.status.io") {
        Format::StatusIo
    } else if super::has_extension(&path, &["rss", "atom", "xml"]) || path.contains("/feed") {
        Format::Feed
    } else if path.contains("/api/v1/components") || path.contains("/api/v1/incidents") {
        Format::Cachet
    } else if path.contains("/api/v2.0.0/") {
        Format::Slack
    } else if path.contains("/api/posts/") {
        Format::Microsoft365
    } else if path.ends_with("incidents.json") && !path.contains("/api/v2/") {
        Format::GoogleWorkspace
    } else if path.ends_with("index.json") {
        Format::BetterStack
    } else if path.ends_with("summary.json") && !path.contains("/api/v2/") {
        Format::Instatus
    } else {
        Format::Statuspage
    }
}

/// Providers with their own formats or fixed places.
fn known_host(base: &url::Url) -> Vec<(Format, url::Url)> {
    let Some(host) = base.host_str() else { return vec![] };
    let host = host.to_ascii_lowercase();
    let parse = |s: &str| url::Url::parse(s).ok();
    let mut out = Vec::new();
    let fixed = match host.as_str() {
        "www.google.com" | "google.com" if base.path().starts_with("/appsstatus") => {
            parse("https://www.google.com/appsstatus/dashboard/incidents.json").map(|u| (Format::GoogleWorkspace, u))
        }
        "status.cloud.google.com" => {
            parse("https://status.cloud.google.com/incidents.json").map(|u| (Format::GoogleWorkspace, u))
        }
        "slack-status.com" | "status.slack.com" => {
            parse("https://slack-status.com/api/v2.0.0/current").map(|u| (Format::Slack, u))
        }
        "status.cloud.microsoft" | "status.office.com" | "portal.office.com" => {
            parse("https://status.cloud.microsoft/api/posts/m365Consumer").map(|u| (Format::Microsoft365, u))
        }
        "api.status.io" | "status.io" => Some((Format::StatusIo, status_io::endpoint(base))),
        _ => None,
    };
    out.extend(fixed);
    if let Some(url) = feed::known_feed(&host) {
        out.push((Format::Feed, url));
    }
    // A custom domain that shows its Status.io page id in the path.
    if status_io::page_id(base.path()).is_some() {
        out.push((Format::StatusIo, status_io::endpoint(base)));
    }
    out
}

/// The format of a response body, decided by its shape and confirmed by parsing it; `None` for
/// HTML (error pages and status pages answer 200 with HTML) and anything unknown.
pub fn recognise(body: &[u8], content_type: Option<&str>) -> Option<Format> {
    if content_type.is_some_and(|ct| ct.to_ascii_lowercase().contains("html")) {
        return None;
    }
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let start = body.iter().position(|b| !b.is_ascii_whitespace())?;
    match body[start] {
        b'<' => {
            let head = String::from_utf8_lossy(&body[start..body.len().min(start + 512)]).to_ascii_lowercase();
            if head.starts_with("<!doctype html") || head.starts_with("<html") {
                return None;
            }
            feed::parse(body).is_ok().then_some(Format::Feed)
        }
        b'{' | b'[' => {
            let value: Value = serde_json::from_slice(body).ok()?;
            let format = shape(&value)?;
            let parses = match format {
                Format::Statuspage => super::statuspage::parse(body).is_ok(),
                Format::IncidentIo => super::incident_io::parse(body).is_ok(),
                Format::Instatus => super::instatus::parse(body).is_ok(),
                Format::StatusIo => status_io::parse(body).is_ok(),
                Format::BetterStack => super::better_stack::parse(body).is_ok(),
                Format::Cachet => super::cachet::parse(body).is_ok(),
                Format::GoogleWorkspace => super::google_workspace::parse(body).is_ok(),
                Format::Slack => super::slack::parse(body).is_ok(),
                Format::Microsoft365 => super::microsoft365::parse(body).is_ok(),
                Format::Feed => false,
            };
            parses.then_some(format)
        }
        _ => None,
    }
}

/// The format a JSON document looks like, by its distinctive keys.
fn shape(v: &Value) -> Option<Format> {
    let has = |v: &Value, key: &str| v.get(key).is_some_and(|x| !x.is_null());
    match v {
        Value::Array(items) => {
            let first = items.first()?;
            if has(first, "ServiceDisplayName") || (has(first, "Status") && has(first, "AuthoredDateTime")) {
                Some(Format::Microsoft365)
            } else if has(first, "status_impact") || has(first, "affected_products") || has(first, "most_recent_update")
            {
                Some(Format::GoogleWorkspace)
            } else if has(first, "notes") || (has(first, "services") && has(first, "type")) {
                Some(Format::Slack)
            } else if has(first, "isParent") || has(first, "children") {
                Some(Format::Instatus)
            } else {
                None
            }
        }
        Value::Object(_) => {
            let data = v.get("data");
            let page = v.get("page");
            let time_zone = page.is_some_and(|p| has(p, "time_zone"));
            if data.and_then(|d| d.get("type")).and_then(Value::as_str) == Some("status_page")
                || data.and_then(|d| d.get("attributes")).is_some_and(|a| has(a, "aggregate_state"))
            {
                Some(Format::BetterStack)
            } else if v.get("meta").is_some_and(Value::is_object) && data.is_some_and(Value::is_array) {
                Some(Format::Cachet)
            } else if v.get("result").is_some_and(|r| has(r, "status_overall")) {
                Some(Format::StatusIo)
            } else if v.get("status").and_then(|s| s.get("indicator")).is_some_and(Value::is_string)
                || (page.is_some() && (has(v, "incidents") || has(v, "scheduled_maintenances")))
            {
                // StatusBar's rule: Atlassian always sends the page's zone, incident.io never.
                Some(if time_zone { Format::Statuspage } else { Format::IncidentIo })
            } else if page.and_then(|p| p.get("status")).is_some_and(Value::is_string)
                || has(v, "activeIncidents")
                || has(v, "activeMaintenances")
                || (page.is_none() && v.get("components").is_some_and(Value::is_array))
            {
                Some(Format::Instatus)
            } else if has(v, "active_incidents") {
                Some(Format::Slack)
            } else if has(v, "Status") && (has(v, "AuthoredDateTime") || has(v, "LastUpdatedTime")) {
                Some(Format::Microsoft365)
            } else {
                None
            }
        }
        _ => None,
    }
}

/// Feeds a page links to (`<link rel="alternate" type="application/rss+xml|atom+xml">`),
/// resolved against the page's URL, in document order.
pub fn discover_feed_links(html: &str, base: &url::Url) -> Vec<url::Url> {
    let mut seen = std::collections::HashSet::new();
    html::feed_links(html)
        .into_iter()
        .filter_map(|href| base.join(&href).ok())
        .filter(|url| matches!(url.scheme(), "http" | "https"))
        .filter(|url| seen.insert(url.to_string()))
        .collect()
}

/// The Status.io API URL for a page whose HTML names its page id (`status.io/pages/{id}`).
pub fn status_io_api(html: &str) -> Option<url::Url> {
    let id = status_io::page_id(html)?;
    url::Url::parse(&format!("https://api.status.io/1.0/status/{id}")).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(s: &str) -> url::Url {
        url::Url::parse(s).unwrap()
    }

    fn urls(list: &[(Format, url::Url)]) -> Vec<String> {
        list.iter().map(|(f, url)| format!("{} {url}", f.as_str())).collect()
    }

    #[test]
    fn generic_order() {
        let c = urls(&candidates(&u("https://status.example.com")));
        assert_eq!(c[0], "statuspage https://status.example.com/api/v2/summary.json");
        assert_eq!(c[1], "instatus https://status.example.com/summary.json");
        assert_eq!(c[2], "instatus https://status.example.com/v3/summary.json");
        assert_eq!(c[3], "better_stack https://status.example.com/index.json");
        assert_eq!(c[4], "cachet https://status.example.com/api/v1/components");
        assert_eq!(c[5], "feed https://status.example.com/history.atom");
        assert_eq!(c.len(), GENERIC.len());
        let sub = urls(&candidates(&u("https://x.io/sub/")));
        assert_eq!(sub[0], "statuspage https://x.io/sub/api/v2/summary.json");
    }

    #[test]
    fn known_hosts_first() {
        let c = urls(&candidates(&u("https://status.df.eu/")));
        assert_eq!(c[0], "feed https://status.df.eu/rdf.xml");
        let c = urls(&candidates(&u("https://www.google.com/appsstatus/dashboard/")));
        assert_eq!(c[0], "google_workspace https://www.google.com/appsstatus/dashboard/incidents.json");
        let c = urls(&candidates(&u("https://status.slack.com/")));
        assert_eq!(c[0], "slack https://slack-status.com/api/v2.0.0/current");
        let c = urls(&candidates(&u("https://status.cloud.microsoft")));
        assert_eq!(c[0], "microsoft365 https://status.cloud.microsoft/api/posts/m365Consumer");
        let c = urls(&candidates(&u("https://status.aws.amazon.com/")));
        assert_eq!(c[0], "feed https://status.aws.amazon.com/rss/all.rss");
        let c = urls(&candidates(&u("https://status.gitlab.com/pages/5b36dc6502d06804c0834a06")));
        assert_eq!(c[0], "status_io https://api.status.io/1.0/status/5b36dc6502d06804c0834a06");
        let c = urls(&candidates(&u("https://status.hetzner.com/de.atom")));
        assert_eq!(c[0], "feed https://status.hetzner.com/de.atom");
        assert_eq!(c[1], "feed https://status.hetzner.com/en.atom");
        assert_eq!(c[2], "statuspage https://status.hetzner.com/api/v2/summary.json");
    }

    #[test]
    fn recognises_shapes() {
        let statuspage = br#"{"page":{"id":"x","time_zone":"Etc/UTC"},"status":{"indicator":"none"},"components":[]}"#;
        let incident_io = br#"{"page":{"id":"x"},"status":{"indicator":"none"},"incidents":null}"#;
        let instatus = br#"{"page":{"name":"x","url":"https://x","status":"UP"}}"#;
        let better =
            br#"{"data":{"id":"1","type":"status_page","attributes":{"aggregate_state":"operational"}},"included":[]}"#;
        let cachet = br#"{"meta":{"pagination":{}},"data":[{"id":1,"name":"Web","status":1}]}"#;
        let status_io = br#"{"result":{"status_overall":{"status_code":100},"status":[],"incidents":[]}}"#;
        let slack = br#"{"status":"ok","active_incidents":[]}"#;
        let m365 = br#"[{"ServiceDisplayName":"OneDrive","Status":"Available"}]"#;
        let google = br#"[{"id":"a","status_impact":"SERVICE_OUTAGE","end":null}]"#;
        let atom = br#"<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title></feed>"#;
        let cases: [(&[u8], Format); 10] = [
            (statuspage, Format::Statuspage),
            (incident_io, Format::IncidentIo),
            (instatus, Format::Instatus),
            (better, Format::BetterStack),
            (cachet, Format::Cachet),
            (status_io, Format::StatusIo),
            (slack, Format::Slack),
            (m365, Format::Microsoft365),
            (google, Format::GoogleWorkspace),
            (atom, Format::Feed),
        ];
        for (body, format) in cases {
            assert_eq!(recognise(body, Some("application/json")), Some(format), "{}", format.as_str());
        }
    }

    #[test]
    fn recognises_every_recorded_fixture() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/recorded/");
        let expected = [
            ("aws-status-all.rss", Format::Feed),
            ("google-dashboard-incidents-gcp-2.json", Format::GoogleWorkspace),
            ("instatus-summary-docs-example.json", Format::Instatus),
            ("slack-current-two-active-incidents.json", Format::Slack),
            ("slack-history-recent5.json", Format::Slack),
            ("statusio-status-docker-partial-disruption.json", Format::StatusIo),
            ("statusio-status-gitlab-active-maintenance.json", Format::StatusIo),
            ("statuspage-history-github-active-incident.atom", Format::Feed),
            ("statuspage-history-github-with-maintenance.atom", Format::Feed),
            ("statuspage-history-github.rss", Format::Feed),
            ("statuspage-incidents-discord-component-transitions.json", Format::Statuspage),
            ("statuspage-incidents-github-recent5.json", Format::Statuspage),
            ("statuspage-summary-cloudamqp-maintenance-in-progress.json", Format::Statuspage),
            // Atlassian's own docs example lacks `page.time_zone`, like incident.io: the shape
            // cannot tell them apart, and the compat parser reads it just as well.
            ("statuspage-summary-docs-example-critical-with-maintenances.json", Format::IncidentIo),
            ("statuspage-summary-twilio-minor-incidents.json", Format::Statuspage),
        ];
        for (name, format) in expected {
            let body = std::fs::read(format!("{dir}{name}")).unwrap();
            assert_eq!(recognise(&body, None), Some(format), "{name}");
        }
    }

    #[test]
    fn refuses_html_and_garbage() {
        let html = b"<!DOCTYPE html><html><head><title>Status</title></head><body>All good</body></html>";
        assert_eq!(recognise(html, None), None);
        assert_eq!(recognise(br#"{"status":{"indicator":"none"}}"#, Some("text/html; charset=utf-8")), None);
        assert_eq!(recognise(b"", None), None);
        assert_eq!(recognise(b"   ", None), None);
        assert_eq!(recognise(b"{}", None), None);
        assert_eq!(recognise(b"[]", None), None);
        assert_eq!(recognise(b"{\"a\":", None), None);
        assert_eq!(recognise(br#"{"status":{"indicator":"none"},"incidents":[{"id":1}]}"#, None), None);
    }

    #[test]
    fn feed_links_and_status_io_ids() {
        let html = r#"<html><head>
            <link rel="alternate" type="application/atom+xml" href="/history.atom">
            <link rel="alternate" type="application/rss+xml" href="history.rss">
            <link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
            <link rel="alternate" type="application/atom+xml" href="/history.atom">
            </head><body><a href="https://status.io/pages/5b36dc6502d06804c0834a06">Status.io</a></body></html>"#;
        let found = discover_feed_links(html, &u("https://status.example.com/en/"));
        let found: Vec<_> = found.iter().map(url::Url::as_str).collect();
        assert_eq!(found, ["https://status.example.com/history.atom", "https://status.example.com/en/history.rss"]);
        assert_eq!(
            status_io_api(html).map(String::from).as_deref(),
            Some("https://api.status.io/1.0/status/5b36dc6502d06804c0834a06")
        );
        assert_eq!(status_io_api("<html></html>"), None);
    }
}

//! Which status-page format a URL serves, without touching the network: the URLs worth
//! trying for a base URL, in order ([`candidates`]), recognising a format from a response
//! body ([`recognise`]), and finding feeds and Status.io page ids in a page's HTML.
//!
//! Each format declares what it is recognised by in its [`Spec`](super::Spec)'s
//! [`Detection`](super::Detection); this module only decides whose claim wins when several
//! formats would answer: the precedence lists below.
//!
//! The engine fetches the candidates in order and keeps the first body [`recognise`] accepts;
//! the format paired with a candidate is only what that URL usually serves, the body decides.

use serde_json::Value;

use super::{Format, html, status_io};

/// The order of the generic paths, by format (research §7: Statuspage and its incident.io
/// copy, Instatus, Better Stack, Cachet, then feeds); each format lists its own paths.
const GENERIC_PRECEDENCE: [Format; 5] =
    [Format::Statuspage, Format::Instatus, Format::BetterStack, Format::Cachet, Format::Feed];

/// Known hosts rarely overlap, but Status.io claims any page with its id in the path, and a
/// host whose feed we know keeps its feed first.
const KNOWN_HOST_PRECEDENCE: [Format; 5] =
    [Format::GoogleWorkspace, Format::Slack, Format::Microsoft365, Format::Feed, Format::StatusIo];

/// What a document URL names, the most specific claims first: `/api/v1/incidents.json` is
/// Cachet's, not Google's; `…/incidents.json` outside `/api/v2/` is Google's, and inside it
/// Statuspage's, like every document no format claims ([`URL_FALLBACK`]).
const URL_PRECEDENCE: [Format; 8] = [
    Format::StatusIo,
    Format::Feed,
    Format::Cachet,
    Format::Slack,
    Format::Microsoft365,
    Format::GoogleWorkspace,
    Format::BetterStack,
    Format::Instatus,
];

/// The format a document URL no format claims is guessed to serve: the most common one.
const URL_FALLBACK: Format = Format::Statuspage;

/// JSON objects, the most distinctive keys first: Better Stack's and Cachet's `data`,
/// Status.io's `result`, then Statuspage's `status.indicator` before Instatus' looser keys.
/// Statuspage and incident.io tell each other apart themselves, by `page.time_zone`.
const OBJECT_PRECEDENCE: [Format; 8] = [
    Format::BetterStack,
    Format::Cachet,
    Format::StatusIo,
    Format::Statuspage,
    Format::IncidentIo,
    Format::Instatus,
    Format::Slack,
    Format::Microsoft365,
];

/// JSON arrays, by their first item.
const ARRAY_PRECEDENCE: [Format; 4] = [Format::Microsoft365, Format::GoogleWorkspace, Format::Slack, Format::Instatus];

/// Markup that is not HTML: only feeds so far.
const MARKUP_PRECEDENCE: [Format; 1] = [Format::Feed];

/// The formats in `precedence` first, then every other format in the table's order: a new
/// format is tried after the existing ones unless it is given a place in a list above.
fn in_order(precedence: &'static [Format]) -> impl Iterator<Item = Format> {
    precedence.iter().copied().chain(Format::ALL.into_iter().filter(|f| !precedence.contains(f)))
}

/// Paths probed on every page, after the known hosts, each with its format.
fn generic() -> impl Iterator<Item = (Format, &'static str)> {
    in_order(&GENERIC_PRECEDENCE)
        .flat_map(|format| format.spec().detection.generic_paths.iter().map(move |path| (format, *path)))
}

/// The URLs to try for a page, best first, each with the format it usually serves: the URL
/// itself when it already names a document, then the known hosts, then the generic paths.
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
    for (format, suffix) in generic() {
        let mut url = root.clone();
        url.set_path(&format!("{dir}{suffix}"));
        push(format, url);
    }
    out
}

fn guess_from_path(url: &url::Url) -> Format {
    in_order(&URL_PRECEDENCE)
        .find(|format| format.spec().detection.names.is_some_and(|names| names(url)))
        .unwrap_or(URL_FALLBACK)
}

/// Providers with their own formats or fixed places.
fn known_host(base: &url::Url) -> Vec<(Format, url::Url)> {
    let Some(host) = base.host_str() else { return vec![] };
    let host = host.to_ascii_lowercase();
    in_order(&KNOWN_HOST_PRECEDENCE)
        .filter_map(|format| {
            let known_host = format.spec().detection.known_host?;
            known_host(&host, base).map(|url| (format, url))
        })
        .collect()
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
            in_order(&MARKUP_PRECEDENCE)
                .filter(|format| format.spec().detection.markup)
                .find(|format| (format.spec().parse)(body).is_ok())
        }
        b'{' | b'[' => {
            let value: Value = serde_json::from_slice(body).ok()?;
            // The first fingerprint that matches decides; a body that then fails its parser
            // is not handed to the next format, whose fingerprint it lacks.
            let format = shape(&value)?;
            (format.spec().parse)(body).is_ok().then_some(format)
        }
        _ => None,
    }
}

/// The format a JSON document looks like, by its distinctive keys.
fn shape(v: &Value) -> Option<Format> {
    match v {
        Value::Array(items) => {
            let first = items.first()?;
            in_order(&ARRAY_PRECEDENCE)
                .find(|format| format.spec().detection.json_array_item.is_some_and(|matches| matches(first)))
        }
        Value::Object(_) => in_order(&OBJECT_PRECEDENCE)
            .find(|format| format.spec().detection.json_object.is_some_and(|matches| matches(v))),
        _ => None,
    }
}

/// Whether `v` has `key` with a value other than `null`: the test every fingerprint is built of.
pub(crate) fn has(v: &Value, key: &str) -> bool {
    v.get(key).is_some_and(|x| !x.is_null())
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
        assert_eq!(c.len(), generic().count());
        let all: Vec<String> = generic().map(|(f, path)| format!("{} {path}", f.as_str())).collect();
        assert_eq!(
            all,
            [
                "statuspage api/v2/summary.json",
                "instatus summary.json",
                "instatus v3/summary.json",
                "better_stack index.json",
                "cachet api/v1/components",
                "feed history.atom",
                "feed history.rss",
                "feed feed.atom",
                "feed feed.rss",
                "feed en.atom",
                "feed de.atom",
                "feed rss",
                "feed rdf.xml",
                "feed rss/all.rss",
                "feed en-us/status/feed/",
            ]
        );
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

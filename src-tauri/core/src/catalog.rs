//! The built-in provider catalog: presets for the mail hosters, office suites, messengers and
//! services that small businesses in Germany, Austria and Switzerland depend on.
//!
//! A config entry with `preset = "domainfactory"` takes its status page and mail hosts from
//! here (DESIGN.md "Config"); `catalog [--json]` lists it. The data lives in `catalog.toml`
//! beside this crate's manifest and is compiled in, so the catalog needs no I/O and cannot be
//! missing at run time. That file documents its own format and where each fact comes from.
//!
//! Status formats stay strings here rather than [`Format`] values: the catalog names formats
//! whose parsers may not exist yet, and a preset must not stop parsing because of that.
//! [`StatusSource::format`] resolves the name when the parser is there.

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use crate::formats::Format;
use crate::text::Language;

/// The embedded catalog text.
const CATALOG_TOML: &str = include_str!("../catalog.toml");

/// Parsed once on first use; tests guarantee the embedded file parses.
static CATALOG: LazyLock<Catalog> = LazyLock::new(|| {
    parse(CATALOG_TOML).unwrap_or_else(|e| panic!("the embedded catalog.toml is invalid (a test guards this): {e}"))
});

/// The built-in catalog.
///
/// # Panics
/// Only if the embedded `catalog.toml` does not parse, which the module's tests rule out.
pub fn catalog() -> &'static Catalog {
    &CATALOG
}

/// Parses catalog text. Structural rules beyond the types (unique ids, https URLs, one status
/// source or note) are checked by the tests against the embedded file, not on every start.
fn parse(text: &str) -> Result<Catalog, toml::de::Error> {
    toml::from_str(text)
}

/// All presets, in the order of `catalog.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    /// `[[preset]]` in TOML reads naturally; `presets` in JSON says what the list holds.
    #[serde(rename(deserialize = "preset"), default)]
    presets: Vec<Preset>,
}

impl Catalog {
    pub fn presets(&self) -> &[Preset] {
        &self.presets
    }

    /// The preset with exactly this id.
    pub fn get(&self, id: &str) -> Option<&Preset> {
        self.presets.iter().find(|p| p.id == id)
    }

    /// Presets whose id, name or an alias contains `query`, ignoring case. Exact matches come
    /// first, then prefix matches, then the rest, each group in catalog order, so "gmx" lists
    /// GMX before anything that merely mentions it. A blank query lists every preset.
    pub fn search(&self, query: &str) -> Vec<&Preset> {
        let query = query.trim().to_lowercase();
        if query.is_empty() {
            return self.presets.iter().collect();
        }
        let mut hits: Vec<(Match, &Preset)> =
            self.presets.iter().filter_map(|p| p.best_match(&query).map(|m| (m, p))).collect();
        // A stable sort keeps catalog order within each kind of match.
        hits.sort_by_key(|(m, _)| *m);
        hits.into_iter().map(|(_, p)| p).collect()
    }
}

/// How well a search query matches a preset; smaller is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Match {
    Exact,
    Prefix,
    Contains,
}

/// One provider a user can pick instead of typing status page and mail hosts by hand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Preset {
    /// Stable id that configs refer to (`preset = "…"`).
    pub id: String,
    pub name: String,
    /// Extra search words: former brands, parent companies, domains.
    #[serde(default)]
    pub aliases: Vec<String>,
    pub category: Category,
    pub countries: Vec<Country>,
    pub website: String,
    /// MX host patterns of the domains this provider hosts mail for (`*.kundenserver.de`);
    /// `discover` matches a domain's MX records against them.
    #[serde(default)]
    pub mx: Vec<String>,
    /// Pages a maintainer re-checks the host names and the status URL against.
    pub sources: Vec<String>,
    /// The machine-readable status source, when the provider has one.
    #[serde(default)]
    pub status: Option<StatusSource>,
    /// Why there is no status source and what the user can do instead (English; German in
    /// `status_note_de` — read them through [`Preset::status_note_in`]).
    #[serde(default)]
    pub status_note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_note_de: Option<String>,
    /// The provider's documented client endpoints.
    #[serde(default)]
    pub mail: Vec<MailEndpoint>,
    /// Why endpoints are missing (customer-specific servers) or what to know before probing
    /// (English; German in `mail_note_de` — read them through [`Preset::mail_note_in`]).
    #[serde(default)]
    pub mail_note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mail_note_de: Option<String>,
    /// Pages that must answer: the endpoints the provider's own clients use, or a status page
    /// only people can read (with the text it shows while all is well).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub http: Vec<HttpEndpoint>,
}

/// A page a preset watches for reachability (`[[preset.http]]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpEndpoint {
    pub url: String,
    /// The text the page shows while all is well.
    #[serde(default)]
    pub expect: Option<String>,
    /// Accepted status codes or ranges (`"200-499"`), as `[[provider.http]] status`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub status: Vec<String>,
}

impl Preset {
    /// The status note in `lang`.
    pub fn status_note_in(&self, lang: Language) -> Option<&str> {
        match lang {
            Language::De => self.status_note_de.as_deref(),
            Language::En => self.status_note.as_deref(),
        }
    }

    /// The mail note in `lang`.
    pub fn mail_note_in(&self, lang: Language) -> Option<&str> {
        match lang {
            Language::De => self.mail_note_de.as_deref(),
            Language::En => self.mail_note.as_deref(),
        }
    }

    /// `query` is already trimmed and lowercase.
    fn best_match(&self, query: &str) -> Option<Match> {
        std::iter::once(&self.id)
            .chain(std::iter::once(&self.name))
            .chain(&self.aliases)
            .filter_map(|field| {
                let field = field.to_lowercase();
                if field == query {
                    Some(Match::Exact)
                } else if field.starts_with(query) {
                    Some(Match::Prefix)
                } else if field.contains(query) {
                    Some(Match::Contains)
                } else {
                    None
                }
            })
            .min()
    }
}

/// What kind of provider a preset is, for grouping in lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    MailHoster,
    WebHoster,
    OfficeSuite,
    Messenger,
    Cloud,
    Payments,
    BusinessSoftware,
}

/// The markets this app is made for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Country {
    De,
    At,
    Ch,
}

/// A provider's status page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusSource {
    /// The page's base URL; for the `feed` format the feed itself.
    pub url: String,
    /// A format name as [`Format::parse_name`] spells it.
    pub format: String,
    /// Only these components (or products) count; empty means all.
    #[serde(default)]
    pub components: Vec<String>,
    /// `false` while nobody confirmed the source live; shown as "not verified".
    #[serde(default = "verified_by_default")]
    pub verified: bool,
}

fn verified_by_default() -> bool {
    true
}

impl StatusSource {
    /// The format, or `None` while this build has no parser of that name; callers then fall
    /// back to detecting the format from the URL.
    pub fn format(&self) -> Option<Format> {
        Format::parse_name(&self.format)
    }
}

/// One mail server a client connects to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailEndpoint {
    pub kind: MailKind,
    pub host: String,
    pub port: u16,
    pub tls: TlsMode,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, rename_all = "snake_case")]
pub enum MailKind {
    /// Submission (465/587), never port 25: ISPs often block it from customer lines.
    Smtp,
    Imap,
    Pop3,
}

impl MailKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MailKind::Smtp => "smtp",
            MailKind::Imap => "imap",
            MailKind::Pop3 => "pop3",
        }
    }

    pub fn parse(s: &str) -> Option<MailKind> {
        [MailKind::Smtp, MailKind::Imap, MailKind::Pop3].into_iter().find(|k| k.as_str() == s)
    }

    /// The kind of check that probes an endpoint of this protocol.
    pub fn check_kind(self) -> crate::model::CheckKind {
        match self {
            MailKind::Smtp => crate::model::CheckKind::Smtp,
            MailKind::Imap => crate::model::CheckKind::Imap,
            MailKind::Pop3 => crate::model::CheckKind::Pop3,
        }
    }

    /// The registered client port for this protocol with this kind of TLS (RFC 8314, RFC 6409);
    /// `None` for plaintext, which has no port of its own and which no preset uses.
    pub fn standard_port(self, tls: TlsMode) -> Option<u16> {
        match (self, tls) {
            (MailKind::Imap, TlsMode::Implicit) => Some(993),
            (MailKind::Imap, TlsMode::Starttls) => Some(143),
            (MailKind::Pop3, TlsMode::Implicit) => Some(995),
            (MailKind::Pop3, TlsMode::Starttls) => Some(110),
            (MailKind::Smtp, TlsMode::Implicit) => Some(465),
            (MailKind::Smtp, TlsMode::Starttls) => Some(587),
            (_, TlsMode::None) => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, rename_all = "snake_case")]
pub enum TlsMode {
    /// TLS from the first byte (993, 995, 465).
    Implicit,
    /// Plaintext greeting, then STARTTLS/STLS (143, 110, 587).
    Starttls,
    /// No TLS at all: only for test servers and self-hosted setups.
    None,
}

impl TlsMode {
    pub fn as_str(self) -> &'static str {
        match self {
            TlsMode::Implicit => "implicit",
            TlsMode::Starttls => "starttls",
            TlsMode::None => "none",
        }
    }

    pub fn parse(s: &str) -> Option<TlsMode> {
        [TlsMode::Implicit, TlsMode::Starttls, TlsMode::None].into_iter().find(|t| t.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    /// Providers the product brief names; losing one from the file must be deliberate.
    const MUST_HAVE: [&str; 31] = [
        "domainfactory",
        "ionos",
        "strato",
        "hetzner",
        "all-inkl",
        "mittwald",
        "netcup",
        "hosteurope",
        "rackspace-email",
        "google-workspace",
        "gmail",
        "microsoft-365",
        "outlook-com",
        "gmx",
        "web-de",
        "t-online",
        "fastmail",
        "proton-mail",
        "zoho-mail",
        "mailbox-org",
        "posteo",
        "icloud-mail",
        "yahoo-mail",
        "whatsapp",
        "slack",
        "zoom",
        "microsoft-teams",
        "dropbox",
        "cloudflare",
        "shopify",
        "paypal",
    ];

    fn presets() -> &'static [Preset] {
        catalog().presets()
    }

    fn assert_https(preset: &str, what: &str, text: &str) {
        let url = url::Url::parse(text).unwrap_or_else(|e| panic!("{preset}: {what} `{text}` is not a URL: {e}"));
        assert_eq!(url.scheme(), "https", "{preset}: {what} `{text}` is not https");
        assert!(url.host_str().is_some_and(|h| h.contains('.')), "{preset}: {what} `{text}` has no public host");
    }

    #[test]
    fn catalog_parses() {
        // `parse` first, so a broken file reports serde's message with its line.
        if let Err(e) = parse(CATALOG_TOML) {
            panic!("catalog.toml: {e}");
        }
        assert!(!catalog().presets().is_empty());
    }

    #[test]
    fn catalog_has_at_least_30_presets() {
        assert!(presets().len() >= 30, "only {} presets", presets().len());
    }

    #[test]
    fn catalog_ids_are_unique_and_valid() {
        let mut seen = HashSet::new();
        for p in presets() {
            assert!(
                !p.id.is_empty()
                    && p.id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_'),
                "id `{}` is not lowercase letters, digits, `-`, `_`",
                p.id
            );
            assert!(seen.insert(p.id.as_str()), "id `{}` is used twice", p.id);
            assert!(!p.name.trim().is_empty(), "{}: empty name", p.id);
        }
    }

    #[test]
    fn catalog_urls_are_https() {
        for p in presets() {
            assert_https(&p.id, "website", &p.website);
            assert!(!p.sources.is_empty(), "{}: no sources", p.id);
            for source in &p.sources {
                assert_https(&p.id, "source", source);
            }
            if let Some(status) = &p.status {
                assert_https(&p.id, "status url", &status.url);
            }
        }
    }

    #[test]
    fn catalog_has_status_source_or_note_never_both() {
        for p in presets() {
            match (&p.status, &p.status_note) {
                (Some(_), None) => {}
                (None, Some(note)) => assert!(!note.trim().is_empty(), "{}: empty status_note", p.id),
                (Some(_), Some(_)) => panic!("{}: both a status source and a status_note", p.id),
                (None, None) => panic!("{}: neither a status source nor a status_note", p.id),
            }
            if let Some(note) = &p.mail_note {
                assert!(!note.trim().is_empty(), "{}: empty mail_note", p.id);
            }
        }
    }

    /// Every note is in both languages, so the German window never shows an English one:
    /// the German differs from the English and names every URL, host name and config key the
    /// English names (a translation that drops or changes one sends the user elsewhere).
    #[test]
    fn catalog_notes_are_in_german_and_english() {
        let named = |text: &str| -> Vec<String> {
            text.split(|c: char| c.is_whitespace() || matches!(c, '(' | ')' | ',' | ';' | '"'))
                .map(|w| w.trim_end_matches(['.', ':']))
                .filter(|w| {
                    w.starts_with("https://") || w.starts_with("[[") || w.contains('_') || {
                        let labels: Vec<&str> = w.split('.').collect();
                        labels.len() >= 2
                            && labels.iter().all(|l| {
                                !l.is_empty()
                                    && l.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                            })
                    }
                })
                .map(str::to_owned)
                .collect()
        };
        let mut notes = 0;
        for p in presets() {
            for (what, en, de) in
                [("status_note", &p.status_note, &p.status_note_de), ("mail_note", &p.mail_note, &p.mail_note_de)]
            {
                match (en, de) {
                    (None, None) => {}
                    (Some(_), None) => panic!("{}: {what} has no German text ({what}_de)", p.id),
                    (None, Some(_)) => panic!("{}: {what}_de has no English text ({what})", p.id),
                    (Some(en), Some(de)) => {
                        assert!(!de.trim().is_empty(), "{}: empty {what}_de", p.id);
                        assert_ne!(en, de, "{}: {what}_de is the English text", p.id);
                        for name in named(en) {
                            assert!(de.contains(&name), "{}: {what}_de does not name `{name}`: {de}", p.id);
                        }
                        notes += 1;
                    }
                }
            }
            assert_eq!(p.status_note_in(Language::De), p.status_note_de.as_deref());
            assert_eq!(p.mail_note_in(Language::En), p.mail_note.as_deref());
        }
        assert!(notes >= 46, "only {notes} notes");
    }

    #[test]
    fn catalog_status_formats_are_known_names() {
        // A typo must fail here, not silently disable a provider's status check: every name
        // is one of `formats::SPECS`, and resolves to itself.
        let mut known_now = 0;
        for p in presets() {
            let Some(status) = &p.status else { continue };
            let format =
                status.format().unwrap_or_else(|| panic!("{}: unknown status format `{}`", p.id, status.format));
            assert_eq!(format.as_str(), status.format, "{}", p.id);
            known_now += 1;
            let mut components = HashSet::new();
            for c in &status.components {
                assert!(!c.trim().is_empty(), "{}: empty component", p.id);
                assert!(components.insert(c), "{}: component `{c}` listed twice", p.id);
            }
        }
        // Statuspage has a parser from the start, and several presets use it.
        assert!(known_now > 0);
    }

    #[test]
    fn catalog_mail_ports_match_kind_and_tls() {
        for p in presets() {
            let mut seen = HashSet::new();
            for m in &p.mail {
                assert_eq!(
                    Some(m.port),
                    m.kind.standard_port(m.tls),
                    "{}: {:?} {}:{} with {:?} TLS is not a standard combination",
                    p.id,
                    m.kind,
                    m.host,
                    m.port,
                    m.tls
                );
                assert!(
                    m.host.contains('.')
                        && !m.host.starts_with(['.', '-'])
                        && m.host.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-'),
                    "{}: `{}` is not a lowercase host name",
                    p.id,
                    m.host
                );
                assert!(seen.insert((m.kind, m.host.as_str(), m.port)), "{}: {}:{} listed twice", p.id, m.host, m.port);
            }
        }
    }

    #[test]
    fn catalog_mail_providers_have_endpoints_or_a_note() {
        for p in presets() {
            if matches!(p.category, Category::MailHoster | Category::WebHoster) {
                assert!(
                    !p.mail.is_empty() || p.mail_note.is_some(),
                    "{}: neither mail endpoints nor a mail_note",
                    p.id
                );
            }
        }
    }

    #[test]
    fn catalog_mx_patterns_are_host_patterns_owned_by_one_preset() {
        let mut all: Vec<(&str, &str)> = Vec::new();
        for p in presets() {
            for pattern in &p.mx {
                let host = pattern.strip_prefix("*.").unwrap_or(pattern);
                assert!(
                    crate::discover::valid_host(host) && host == host.to_ascii_lowercase() && host.contains('.'),
                    "{}: `{pattern}` is not `*.domain` or a lowercase host",
                    p.id
                );
                all.push((p.id.as_str(), pattern.as_str()));
            }
        }
        // No host may match the patterns of two presets: one MX, one provider.
        for (i, (a, pa)) in all.iter().enumerate() {
            for (b, pb) in &all[i + 1..] {
                let probe = |pattern: &str| pattern.strip_prefix("*.").map_or(pattern.to_owned(), |s| format!("x.{s}"));
                let clash = crate::discover::mx_pattern_matches(pa, &probe(pb))
                    || crate::discover::mx_pattern_matches(pb, &probe(pa));
                assert!(!clash || a == b, "`{pa}` ({a}) and `{pb}` ({b}) overlap");
            }
        }
    }

    #[test]
    fn catalog_grows_with_payments_remote_support_hr_and_newsletters() {
        let paypal = catalog().get("paypal").unwrap().status.as_ref().unwrap();
        assert_eq!((paypal.url.as_str(), paypal.format.as_str()), ("https://www.paypal-status.com/feed/atom", "feed"));
        let expected = [
            ("teamviewer", "statuspage", false),
            ("anydesk", "statuspage", false),
            ("personio", "statuspage", true),
            ("cleverreach", "statuspage", false),
            ("mailjet", "statuspage", true),
            ("brevo", "incident_io", false),
            ("klarna", "statuspage", true),
            ("sumup", "statuspage", true),
            ("mollie", "instatus", false),
        ];
        for (id, format, verified) in expected {
            let status = catalog().get(id).unwrap_or_else(|| panic!("{id} missing")).status.as_ref().unwrap();
            assert_eq!((status.format.as_str(), status.verified), (format, verified), "{id}");
        }
    }

    #[test]
    fn catalog_mail_hosters_have_mx_patterns() {
        for p in presets() {
            if p.category == Category::MailHoster || (p.category == Category::WebHoster) {
                assert!(!p.mx.is_empty(), "{}: a mail hoster without MX patterns cannot be discovered", p.id);
            }
        }
        for id in ["google-workspace", "microsoft-365"] {
            assert!(!catalog().get(id).unwrap().mx.is_empty(), "{id}");
        }
    }

    #[test]
    fn catalog_has_every_must_have_provider() {
        for id in MUST_HAVE {
            assert!(catalog().get(id).is_some(), "preset `{id}` is missing");
        }
        assert!(catalog().get("DomainFactory").is_none(), "get matches ids exactly");
    }

    /// Every preset page is https and reads as a `[[provider.http]]` check; the messengers
    /// without a status page are watched through the endpoints their clients use.
    #[test]
    fn catalog_http_checks_are_https_and_cover_the_messengers() {
        for p in presets() {
            for page in &p.http {
                assert_https(&p.id, "http url", &page.url);
                assert!(page.expect.as_deref().is_none_or(|e| !e.trim().is_empty()), "{}: empty expect", p.id);
            }
        }
        for id in ["whatsapp", "signal", "telegram", "threema", "microsoft-teams", "zoom", "rackspace-email", "strato"]
        {
            let preset = catalog().get(id).unwrap_or_else(|| panic!("{id} is missing"));
            assert!(!preset.http.is_empty(), "{id} has no http check");
            let config = crate::config::parse(&format!("[[provider]]\nid = \"x\"\npreset = \"{id}\"\n"), "c.toml")
                .unwrap_or_else(|e| panic!("{id}: {e}"));
            assert_eq!(config.providers[0].http.len(), preset.http.len(), "{id}: the preset fills the checks");
        }
        let rackspace = catalog().get("rackspace-email").unwrap();
        assert!(rackspace.http.iter().any(|h| h.expect.is_some()), "an HTML-only page gets a content check");
        let business = catalog().get("whatsapp-business").unwrap().status.as_ref().unwrap();
        assert_eq!(
            (business.format.as_str(), business.url.as_str()),
            ("feed", "https://metastatus.com/outage-events-feed-whatsapp-business-api.rss")
        );
    }

    #[test]
    fn catalog_known_hosts_are_right() {
        // Spot checks of facts the design relies on, so a careless edit shows up.
        let df = catalog().get("domainfactory").unwrap();
        assert!(df.mail.iter().any(|m| m.kind == MailKind::Imap && m.host == "sslin.df.eu" && m.port == 993));
        assert!(df.mail.iter().any(|m| m.kind == MailKind::Smtp && m.host == "sslout.df.eu"));
        let gmail = catalog().get("gmail").unwrap();
        let status = gmail.status.as_ref().unwrap();
        assert_eq!(
            (status.format.as_str(), status.components.as_slice()),
            ("google_workspace", ["Gmail".to_owned()].as_slice())
        );
        for id in ["gmx", "web-de", "strato"] {
            assert!(catalog().get(id).unwrap().status_note.is_some(), "{id} has no status source per the research");
        }
    }

    #[test]
    fn catalog_search_finds_by_id_name_and_alias() {
        let ids = |q: &str| catalog().search(q).iter().map(|p| p.id.as_str()).collect::<Vec<_>>();
        assert_eq!(ids("domainf").first(), Some(&"domainfactory"));
        assert_eq!(ids("DomainFactory").first(), Some(&"domainfactory"));
        assert_eq!(ids("1&1").first(), Some(&"ionos"));
        assert_eq!(ids("united internet").first(), Some(&"ionos"));
        assert_eq!(ids("  GMX ").first(), Some(&"gmx"));
        assert!(ids("atlassian").contains(&"jira") && ids("atlassian").contains(&"confluence"));
        assert!(ids("no such provider").is_empty());
        assert_eq!(catalog().search("").len(), presets().len());
    }

    #[test]
    fn catalog_search_ranks_exact_before_prefix_before_contains() {
        // "outlook" is an alias of Microsoft 365 and the start of "outlook-com".
        let hits: Vec<_> = catalog().search("outlook").iter().map(|p| p.id.as_str()).collect();
        assert_eq!(hits.first(), Some(&"microsoft-365"), "{hits:?}");
        assert!(hits.contains(&"outlook-com"), "{hits:?}");
    }

    #[test]
    fn catalog_serializes_for_json_listing() {
        let json = serde_json::to_value(catalog()).unwrap();
        let first = &json["presets"][0];
        assert_eq!(first["id"], "domainfactory");
        assert_eq!(first["category"], "web_hoster");
        assert_eq!(first["countries"][0], "DE");
        assert_eq!(first["mail"][0]["kind"], "imap");
        assert_eq!(first["mail"][0]["tls"], "implicit");
        assert_eq!(first["status"]["format"], "feed");
    }

    #[test]
    fn catalog_parse_rejects_unknown_fields_with_line() {
        let e = parse("[[preset]]\nid = \"x\"\nname = \"X\"\ncategory = \"cloud\"\ncountries = [\"DE\"]\nwebsite = \"https://x.test\"\nsources = []\nstatus_url = \"https://x.test\"\n").unwrap_err();
        let shown = e.to_string();
        assert!(shown.contains("status_url") && shown.contains("line 8"), "{shown}");
        let e = parse("[[preset]]\nid = \"x\"\nname = \"X\"\ncategory = \"chat\"\ncountries = [\"DE\"]\nwebsite = \"https://x.test\"\nsources = []\n").unwrap_err();
        assert!(e.to_string().contains("chat"), "{e}");
        let e = parse("[[preset]]\nid = \"x\"\nname = \"X\"\ncategory = \"cloud\"\ncountries = [\"FR\"]\nwebsite = \"https://x.test\"\nsources = []\n").unwrap_err();
        assert!(e.to_string().contains("FR"), "{e}");
    }
}

//! From a mail address to its provider and servers: what the domain's MX and RFC 6186 SRV
//! records and its autoconfig file say, matched against the catalog and merged into one list
//! of candidate servers, each with where it came from and whether it belongs to the matched
//! provider. The engine does the lookups (`engine::discover`); this module only decides.
//!
//! Trust: a server is proposed (selected) only when it belongs to the provider the domain's
//! MX records point to (its documented servers or its own domains), or — when no provider
//! matched — when it lies under the user's own domain. A server on any other domain is listed
//! as such and never selected: autoconfig files and SRV records are whatever the domain's
//! owner (or whoever controls its DNS or web server) wrote, and a monitor that probes with the
//! user's password must not follow them unasked.

pub mod autoconfig;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::catalog::{Catalog, MailKind, Preset, TlsMode};

/// The domain of `address` (`info@Meine-Firma.de` → `meine-firma.de`); a bare domain is
/// taken as it is. `None` when it is not a plausible DNS name.
pub fn domain_of(address: &str) -> Option<String> {
    let address = address.trim();
    let domain = match address.rsplit_once('@') {
        Some((local, domain)) if !local.is_empty() && !local.contains(char::is_whitespace) => domain,
        Some(_) => return None,
        None => address,
    };
    let domain = domain.trim_end_matches('.').to_ascii_lowercase();
    (valid_host(&domain) && domain.contains('.')).then_some(domain)
}

/// A DNS host name: labels of letters, digits and inner hyphens, at most 253 characters.
pub(crate) fn valid_host(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

/// Where a candidate server was named.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, rename_all = "snake_case")]
pub enum Origin {
    /// The domain's MX records (they name the provider, never a client server).
    Mx,
    /// An RFC 6186 SRV record of the domain.
    Srv,
    /// The domain's autoconfig file.
    Autoconfig,
    /// The matched provider's documented servers in our catalog.
    Catalog,
}

/// The RFC 6186 / RFC 8314 services we ask for, in that order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SrvService {
    Imaps,
    Imap,
    Submissions,
    Submission,
    Pop3s,
}

impl SrvService {
    pub const ALL: [SrvService; 5] =
        [SrvService::Imaps, SrvService::Imap, SrvService::Submissions, SrvService::Submission, SrvService::Pop3s];

    /// The owner name under the domain, e.g. `_imaps._tcp`.
    pub fn label(self) -> &'static str {
        match self {
            SrvService::Imaps => "_imaps._tcp",
            SrvService::Imap => "_imap._tcp",
            SrvService::Submissions => "_submissions._tcp",
            SrvService::Submission => "_submission._tcp",
            SrvService::Pop3s => "_pop3s._tcp",
        }
    }

    fn kind_and_tls(self) -> (MailKind, TlsMode) {
        match self {
            SrvService::Imaps => (MailKind::Imap, TlsMode::Implicit),
            SrvService::Imap => (MailKind::Imap, TlsMode::Starttls),
            SrvService::Submissions => (MailKind::Smtp, TlsMode::Implicit),
            SrvService::Submission => (MailKind::Smtp, TlsMode::Starttls),
            SrvService::Pop3s => (MailKind::Pop3, TlsMode::Implicit),
        }
    }
}

/// One SRV answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SrvRecord {
    pub service: SrvService,
    pub priority: u16,
    pub port: u16,
    /// `.` (RFC 6186 §4: the service is not offered) arrives as an empty string.
    pub target: String,
}

/// What became of one autoconfig URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AutoconfigOutcome {
    /// Nothing there (no such host, refused, 404): most domains have none.
    Absent,
    /// The file, read.
    Servers(Vec<autoconfig::Server>),
    /// Something there, but nothing we can use.
    Fault(AutoconfigFault),
}

/// Why an autoconfig file that exists was not used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, rename_all = "snake_case")]
pub enum AutoconfigFault {
    /// Larger than we read.
    TooLarge,
    /// Not an autoconfig file (not XML, another document, no usable server).
    NotAConfig,
    /// Redirected more often than we follow.
    TooManyRedirects,
    /// Its certificate (or TLS) failed.
    Certificate,
    /// No complete answer before the deadline.
    Timeout,
    /// An HTTP error other than "not found".
    HttpError,
}

/// Everything the engine's lookups found for one domain.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Found {
    /// MX hosts, most preferred first.
    pub mx: Vec<String>,
    pub srv: Vec<SrvRecord>,
    /// Each autoconfig URL asked, in order, with what came of it.
    pub autoconfig: Vec<(String, AutoconfigOutcome)>,
    /// DNS queries that got no usable answer (not NXDOMAIN: a server that did not answer).
    pub dns_failed: Vec<String>,
}

/// The provider the domain's records point to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ProviderMatch {
    /// The catalog preset's id.
    pub preset: String,
    pub name: String,
    /// Which record matched: an MX record, or a server named by SRV or autoconfig.
    pub by: Origin,
    /// The host that matched.
    pub host: String,
    /// The status page we would watch, if the provider has one.
    pub status_page: Option<String>,
}

/// Whose a candidate server is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, rename_all = "snake_case")]
pub enum Standing {
    /// The matched provider's: documented, or under one of its domains.
    Provider,
    /// Under the address's own domain (a self-run or custom-named server).
    OwnDomain,
    /// Neither: a server on some other domain.
    Elsewhere,
}

/// One server we could watch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Candidate {
    pub kind: MailKind,
    pub host: String,
    pub port: u16,
    pub tls: TlsMode,
    /// Every source that named it, in [`Origin`] order.
    pub origins: Vec<Origin>,
    pub standing: Standing,
    /// Proposed for adding; the user confirms (or changes) the selection first.
    pub selected: bool,
}

/// Something the user should read besides the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export, tag = "kind", rename_all = "snake_case")]
pub enum Notice {
    /// No provider and no server: the user enters their servers.
    NothingFound,
    /// The domain's mail goes to a host that no catalog provider is known by.
    UnknownMx { host: String },
    /// Servers on other domains were named; they are listed but not selected.
    ServersElsewhere { count: usize },
    /// An autoconfig file was there but unusable.
    Autoconfig { url: String, fault: AutoconfigFault },
    /// A DNS query got no answer; what it would have said is missing.
    DnsFailed { query: String },
}

/// The result of discovery, for the CLI and the window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Discovery {
    pub domain: String,
    pub mx: Vec<String>,
    pub provider: Option<ProviderMatch>,
    pub servers: Vec<Candidate>,
    pub notices: Vec<Notice>,
}

impl Discovery {
    /// Whether there is anything to add.
    pub fn found_anything(&self) -> bool {
        self.provider.is_some() || !self.servers.is_empty()
    }
}

/// Whether `host` matches an MX pattern: `*.example.com` any host strictly under
/// `example.com`, anything else that exact host.
pub fn mx_pattern_matches(pattern: &str, host: &str) -> bool {
    match pattern.strip_prefix("*.") {
        Some(suffix) => {
            host.len() > suffix.len() + 1 && host.ends_with(suffix) && host[..host.len() - suffix.len()].ends_with('.')
        }
        None => host == pattern,
    }
}

/// Whether `host` is `domain` or under it.
fn under(host: &str, domain: &str) -> bool {
    host == domain || (host.ends_with(domain) && host[..host.len() - domain.len()].ends_with('.'))
}

/// The domains a provider's servers live under: those of its MX patterns and of its
/// documented hosts, each without its first label (so `imap.ionos.de` gives `ionos.de`, and
/// `*.kundenserver.de` gives `kundenserver.de`), but never a bare top-level domain.
fn provider_domains(preset: &Preset) -> Vec<String> {
    let parent = |name: &str| -> String {
        if let Some(suffix) = name.strip_prefix("*.") {
            return suffix.to_owned();
        }
        match name.split_once('.') {
            Some((_, rest)) if rest.contains('.') => rest.to_owned(),
            _ => name.to_owned(),
        }
    };
    let mut domains: Vec<String> =
        preset.mx.iter().map(|p| parent(p)).chain(preset.mail.iter().map(|m| parent(&m.host))).collect();
    domains.sort();
    domains.dedup();
    domains
}

fn standing_of(host: &str, domain: &str, provider: Option<&Preset>) -> Standing {
    if let Some(p) = provider
        && (p.mail.iter().any(|m| m.host == host) || provider_domains(p).iter().any(|d| under(host, d)))
    {
        return Standing::Provider;
    }
    if under(host, domain) { Standing::OwnDomain } else { Standing::Elsewhere }
}

/// Decides what was discovered: the provider, the candidate servers and what to tell.
pub fn decide(domain: &str, found: &Found, catalog: &Catalog) -> Discovery {
    // Servers named by the domain's own records, before any matching.
    let mut named: Vec<(MailKind, String, u16, TlsMode, Origin)> = Vec::new();
    for record in &found.srv {
        let target = record.target.trim_end_matches('.').to_ascii_lowercase();
        if target.is_empty() || record.port == 0 || !valid_host(&target) {
            continue;
        }
        let (kind, tls) = record.service.kind_and_tls();
        named.push((kind, target, record.port, tls, Origin::Srv));
    }
    // Thunderbird's order: the first file that reads wins.
    if let Some(servers) = found.autoconfig.iter().find_map(|(_, outcome)| match outcome {
        AutoconfigOutcome::Servers(s) => Some(s),
        _ => None,
    }) {
        for s in servers {
            named.push((s.kind, s.host.clone(), s.port, s.tls, Origin::Autoconfig));
        }
    }

    let by_mx = found.mx.iter().find_map(|host| {
        catalog
            .presets()
            .iter()
            .find(|p| p.mx.iter().any(|pattern| mx_pattern_matches(pattern, host)))
            .map(|p| (p, Origin::Mx, host.clone()))
    });
    let matched = by_mx.or_else(|| {
        named.iter().find_map(|(_, host, _, _, origin)| {
            catalog
                .presets()
                .iter()
                .find(|p| p.mail.iter().any(|m| &m.host == host))
                .map(|p| (p, *origin, host.clone()))
        })
    });
    let preset = matched.as_ref().map(|(p, _, _)| *p);

    let mut servers: Vec<Candidate> = Vec::new();
    let mut add = |kind: MailKind, host: String, port: u16, tls: TlsMode, origin: Origin| {
        if let Some(c) = servers.iter_mut().find(|c| c.kind == kind && c.host == host && c.port == port && c.tls == tls)
        {
            if !c.origins.contains(&origin) {
                c.origins.push(origin);
                c.origins.sort();
            }
            return;
        }
        let standing = standing_of(&host, domain, preset);
        let selected = match standing {
            Standing::Provider => true,
            Standing::OwnDomain => preset.is_none(),
            Standing::Elsewhere => false,
        };
        servers.push(Candidate { kind, host, port, tls, origins: vec![origin], standing, selected });
    };
    for (kind, host, port, tls, origin) in named {
        add(kind, host, port, tls, origin);
    }
    if let Some(p) = preset {
        for m in &p.mail {
            add(m.kind, m.host.clone(), m.port, m.tls, Origin::Catalog);
        }
    }
    let kind_rank = |k: MailKind| match k {
        MailKind::Imap => 0,
        MailKind::Pop3 => 1,
        MailKind::Smtp => 2,
    };
    servers.sort_by(|a, b| {
        kind_rank(a.kind)
            .cmp(&kind_rank(b.kind))
            .then(b.selected.cmp(&a.selected))
            .then(b.origins.len().cmp(&a.origins.len()))
            .then(a.host.cmp(&b.host))
            .then(a.port.cmp(&b.port))
    });

    let mut notices = Vec::new();
    if matched.is_none() && servers.is_empty() {
        notices.push(Notice::NothingFound);
    }
    if !matches!(matched, Some((_, Origin::Mx, _)))
        && let Some(host) = found.mx.first()
    {
        notices.push(Notice::UnknownMx { host: host.clone() });
    }
    let elsewhere = servers.iter().filter(|c| c.standing == Standing::Elsewhere).count();
    if elsewhere > 0 {
        notices.push(Notice::ServersElsewhere { count: elsewhere });
    }
    for (url, outcome) in &found.autoconfig {
        if let AutoconfigOutcome::Fault(fault) = outcome {
            notices.push(Notice::Autoconfig { url: url.clone(), fault: *fault });
        }
    }
    notices.extend(found.dns_failed.iter().map(|q| Notice::DnsFailed { query: q.clone() }));

    Discovery {
        domain: domain.to_owned(),
        mx: found.mx.clone(),
        provider: matched.map(|(p, by, host)| ProviderMatch {
            preset: p.id.clone(),
            name: p.name.clone(),
            by,
            host,
            status_page: p.status.as_ref().map(|s| s.url.clone()),
        }),
        servers,
        notices,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::catalog;

    fn srv(service: SrvService, target: &str, port: u16) -> SrvRecord {
        SrvRecord { service, priority: 0, port, target: target.to_owned() }
    }

    fn server(kind: MailKind, host: &str, port: u16, tls: TlsMode) -> autoconfig::Server {
        autoconfig::Server { kind, host: host.to_owned(), port, tls }
    }

    fn selected(d: &Discovery) -> Vec<String> {
        d.servers.iter().filter(|c| c.selected).map(|c| format!("{}:{}", c.host, c.port)).collect()
    }

    #[test]
    fn addresses_give_their_domain() {
        assert_eq!(domain_of(" info@Meine-Firma.DE "), Some("meine-firma.de".into()));
        assert_eq!(domain_of("a.b@c@mail.example.com."), Some("mail.example.com".into()));
        assert_eq!(domain_of("meine-firma.de"), Some("meine-firma.de".into()));
        for bad in ["", "@x.de", "info@", "info@localhost", "info@-x.de", "in fo@x.de", "info@x_y.de", "info@x..de"] {
            assert_eq!(domain_of(bad), None, "{bad}");
        }
    }

    #[test]
    fn mx_patterns_match_hosts_under_them_only() {
        assert!(mx_pattern_matches("*.kundenserver.de", "mx00.kundenserver.de"));
        assert!(!mx_pattern_matches("*.kundenserver.de", "kundenserver.de"));
        assert!(!mx_pattern_matches("*.kundenserver.de", "evilkundenserver.de"));
        assert!(mx_pattern_matches("aspmx.l.google.com", "aspmx.l.google.com"));
        assert!(!mx_pattern_matches("aspmx.l.google.com", "alt1.aspmx.l.google.com"));
    }

    #[test]
    fn mx_alone_finds_the_provider_and_its_documented_servers() {
        let found =
            Found { mx: vec!["mx00.kundenserver.de".into(), "mx01.kundenserver.de".into()], ..Found::default() };
        let d = decide("meine-firma.de", &found, catalog());
        let p = d.provider.as_ref().unwrap();
        assert_eq!((p.preset.as_str(), p.by, p.host.as_str()), ("ionos", Origin::Mx, "mx00.kundenserver.de"));
        assert_eq!(p.status_page.as_deref(), Some("https://www.ionos-status.de/"));
        assert!(
            d.servers.iter().all(|c| c.origins == [Origin::Catalog] && c.selected && c.standing == Standing::Provider)
        );
        assert!(selected(&d).contains(&"imap.ionos.de:993".to_owned()));
        assert!(d.notices.is_empty(), "{:?}", d.notices);
    }

    #[test]
    fn microsoft_365_and_google_are_told_from_their_consumer_services() {
        let of = |mx: &str| {
            let found = Found { mx: vec![mx.into()], ..Found::default() };
            decide("firma.de", &found, catalog()).provider.map(|p| p.preset)
        };
        assert_eq!(of("firma-de.mail.protection.outlook.com").as_deref(), Some("microsoft-365"));
        assert_eq!(of("hotmail-com.olc.protection.outlook.com").as_deref(), Some("outlook-com"));
        assert_eq!(of("aspmx.l.google.com").as_deref(), Some("google-workspace"));
        assert_eq!(of("alt2.aspmx.l.google.com").as_deref(), Some("google-workspace"));
        assert_eq!(of("gmail-smtp-in.l.google.com").as_deref(), Some("gmail"));
        assert_eq!(of("mx.unknown-hoster.test"), None);
    }

    #[test]
    fn all_three_agreeing_merge_into_one_candidate_each() {
        let found = Found {
            mx: vec!["smtpin.rzone.de".into()],
            srv: vec![
                srv(SrvService::Imaps, "imap.strato.de.", 993),
                srv(SrvService::Submission, "smtp.strato.de", 587),
            ],
            autoconfig: vec![(
                "https://autoconfig.firma.de/mail/config-v1.1.xml".into(),
                AutoconfigOutcome::Servers(vec![server(MailKind::Imap, "imap.strato.de", 993, TlsMode::Implicit)]),
            )],
            dns_failed: vec![],
        };
        let d = decide("firma.de", &found, catalog());
        assert_eq!(d.provider.as_ref().unwrap().preset, "strato");
        let imap = d.servers.iter().find(|c| c.host == "imap.strato.de" && c.port == 993).unwrap();
        assert_eq!(imap.origins, [Origin::Srv, Origin::Autoconfig, Origin::Catalog]);
        assert_eq!(d.servers.iter().filter(|c| c.host == "imap.strato.de" && c.port == 993).count(), 1);
        let smtp = d.servers.iter().find(|c| c.host == "smtp.strato.de" && c.port == 587).unwrap();
        assert_eq!(smtp.origins, [Origin::Srv, Origin::Catalog]);
        assert!(d.servers.iter().all(|c| c.selected));
        assert_eq!(d.servers.first().unwrap().host, "imap.strato.de", "IMAP first, most confirmed first");
    }

    #[test]
    fn srv_alone_on_the_own_domain_is_proposed_and_an_unknown_mx_is_told() {
        let found = Found {
            mx: vec!["mx.firma.test".into()],
            srv: vec![
                srv(SrvService::Imaps, "mail.firma.test", 993),
                srv(SrvService::Submissions, "mail.firma.test", 465),
                srv(SrvService::Pop3s, "", 0),
            ],
            ..Found::default()
        };
        let d = decide("firma.test", &found, catalog());
        assert!(d.provider.is_none());
        assert_eq!(selected(&d), ["mail.firma.test:993", "mail.firma.test:465"]);
        assert!(d.servers.iter().all(|c| c.standing == Standing::OwnDomain));
        assert_eq!(d.notices, [Notice::UnknownMx { host: "mx.firma.test".into() }]);
    }

    #[test]
    fn a_documented_host_named_by_srv_finds_the_provider() {
        let found = Found { srv: vec![srv(SrvService::Imaps, "sslin.df.eu", 993)], ..Found::default() };
        let d = decide("firma.de", &found, catalog());
        let p = d.provider.unwrap();
        assert_eq!((p.preset.as_str(), p.by), ("domainfactory", Origin::Srv));
    }

    #[test]
    fn servers_elsewhere_are_listed_never_selected() {
        let found = Found {
            mx: vec!["mx01.kundenserver.de".into()],
            autoconfig: vec![(
                "https://autoconfig.firma.de/mail/config-v1.1.xml".into(),
                AutoconfigOutcome::Servers(vec![
                    server(MailKind::Imap, "imap.collector.test", 993, TlsMode::Implicit),
                    server(MailKind::Imap, "imap.firma.de", 993, TlsMode::Implicit),
                ]),
            )],
            ..Found::default()
        };
        let d = decide("firma.de", &found, catalog());
        let evil = d.servers.iter().find(|c| c.host == "imap.collector.test").unwrap();
        assert_eq!((evil.standing, evil.selected), (Standing::Elsewhere, false));
        // Under the own domain, but a provider matched: shown, not proposed.
        let own = d.servers.iter().find(|c| c.host == "imap.firma.de").unwrap();
        assert_eq!((own.standing, own.selected), (Standing::OwnDomain, false));
        assert!(d.notices.contains(&Notice::ServersElsewhere { count: 1 }));
        // Without any provider, a server elsewhere is still not proposed.
        let found = Found {
            autoconfig: vec![(
                "u".into(),
                AutoconfigOutcome::Servers(vec![server(MailKind::Imap, "imap.collector.test", 993, TlsMode::Implicit)]),
            )],
            ..Found::default()
        };
        let d = decide("firma.de", &found, catalog());
        assert!(selected(&d).is_empty());
        assert!(d.found_anything());
    }

    #[test]
    fn nothing_found_says_so_with_the_faults_seen() {
        let found = Found {
            autoconfig: vec![
                (
                    "https://autoconfig.x.test/mail/config-v1.1.xml".into(),
                    AutoconfigOutcome::Fault(AutoconfigFault::TooLarge),
                ),
                ("https://x.test/.well-known/autoconfig/mail/config-v1.1.xml".into(), AutoconfigOutcome::Absent),
            ],
            dns_failed: vec!["_imaps._tcp.x.test SRV".into()],
            ..Found::default()
        };
        let d = decide("x.test", &found, catalog());
        assert!(!d.found_anything());
        assert_eq!(
            d.notices,
            [
                Notice::NothingFound,
                Notice::Autoconfig {
                    url: "https://autoconfig.x.test/mail/config-v1.1.xml".into(),
                    fault: AutoconfigFault::TooLarge
                },
                Notice::DnsFailed { query: "_imaps._tcp.x.test SRV".into() },
            ]
        );
    }
}

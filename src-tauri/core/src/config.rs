//! The user's configuration (DESIGN.md "Config"): parsed and validated from TOML text.
//!
//! Reading the file is the engine's job; this module only turns text into a checked
//! [`Config`], and every mistake into a [`ConfigError`] that names file, line and a hint.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::calendar::{MaintenanceWindow, QuietHours, Window};
pub use crate::catalog::{MailKind, TlsMode};
use crate::formats::Format;
use crate::model::State;
use crate::text::Language;

/// The default connectivity anchors: independent public resolvers, each asked directly for a
/// well-known name, and one HTTPS page whose certificate a captive portal cannot present.
pub const DEFAULT_CONNECTIVITY: [&str; 4] = ["1.1.1.1:53", "9.9.9.9:53", "8.8.8.8:53", "https://one.one.one.one/"];

/// Something on the internet whose answer proves the network works (`connectivity`): an
/// answer a middlebox cannot fake, not a bare TCP connect that anything in the path accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Anchor {
    /// A DNS server (`host:port`), asked directly for a well-known name over UDP, then TCP.
    Dns(String),
    /// An `https://` URL, fetched with certificate verification.
    Https(url::Url),
}

impl Anchor {
    /// `host:port` is a DNS server; `https://…` a page. Anything else is no anchor.
    pub fn parse(text: &str) -> Option<Anchor> {
        if text.contains("://") {
            let url = url::Url::parse(text).ok()?;
            (url.scheme() == "https" && url.host_str().is_some()).then_some(Anchor::Https(url))
        } else {
            valid_anchor(text).then(|| Anchor::Dns(text.to_owned()))
        }
    }
}

impl std::fmt::Display for Anchor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Anchor::Dns(server) => f.write_str(server),
            Anchor::Https(url) => f.write_str(url.as_str()),
        }
    }
}

/// A validated configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub settings: Settings,
    pub providers: Vec<Provider>,
    pub alerts: Alerts,
}

/// When and how often the user wants to hear about problems (`[alerts]`).
#[derive(Debug, Clone, PartialEq)]
pub struct Alerts {
    /// A lasting problem is brought up again at most this often.
    pub reminder: Duration,
    pub quiet_hours: Option<QuietHours>,
    /// The user's own maintenance windows (`[[alerts.maintenance]]`).
    pub maintenance: Vec<MaintenanceWindow>,
    /// The provider states that alert (`states`); a provider in another state neither
    /// raises nor clears an alert.
    pub states: Vec<State>,
}

/// The states that can alert, in the order the window lists them; all of them by default.
pub const ALERT_STATES: [State; 4] = [State::MajorOutage, State::PartialOutage, State::Degraded, State::Maintenance];

impl Default for Alerts {
    fn default() -> Alerts {
        Alerts {
            reminder: Duration::from_hours(4),
            quiet_hours: None,
            maintenance: Vec::new(),
            states: ALERT_STATES.to_vec(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// How often each check runs.
    pub interval: Duration,
    /// The deadline of one probe.
    pub timeout: Duration,
    /// `None` follows the OS locale.
    pub language: Option<Language>,
    /// The network is online when any of these answers.
    pub connectivity: Vec<Anchor>,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            interval: Duration::from_mins(2),
            timeout: Duration::from_secs(15),
            language: None,
            connectivity: DEFAULT_CONNECTIVITY.iter().filter_map(|s| Anchor::parse(s)).collect(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Provider {
    pub id: String,
    pub name: String,
    pub status_page: Option<StatusPage>,
    /// Only these components (or products) count; empty means all.
    pub components: Vec<String>,
    /// How often this provider's checks run, when not `[settings] interval`.
    pub interval: Option<Duration>,
    /// The user's own mail endpoints (`[[provider.mail]]`), or the preset's when none given.
    pub mail: Vec<Mail>,
    /// The catalog preset it was filled from (`preset`), if any.
    pub preset: Option<String>,
    /// Round trips through the user's own mailbox (`[[provider.roundtrip]]`).
    pub roundtrip: Vec<Roundtrip>,
    /// Pages watched for reachability (`[[provider.http]]`).
    pub http: Vec<Http>,
    /// The availability the provider promises (`sla = "99.9%"`), as a ratio, for the report.
    pub sla: Option<f64>,
}

/// A page watched for reachability (`[[provider.http]]`): a service without a status page,
/// or a status page only people can read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Http {
    pub url: url::Url,
    /// Must appear in the page's plain text (HTML reduced to text).
    pub expect: Option<String>,
    /// The status codes that count as an answer, as inclusive ranges; empty means 200 to 399.
    pub status: Vec<(u16, u16)>,
    /// An extra trust anchor (PEM), resolved against the config file's directory.
    pub ca_file: Option<PathBuf>,
}

impl Http {
    /// The check's stable id: `{provider}/http/{url}`.
    pub fn check_id(&self, provider_id: &str) -> String {
        format!("{provider_id}/http/{}", self.url)
    }

    /// A preset's page; `None` only if the catalog holds an address that is no URL (its tests
    /// rule that out).
    fn from_preset(page: &crate::catalog::HttpEndpoint) -> Option<Http> {
        let url = url::Url::parse(&page.url).ok()?;
        let status = page.status.iter().map(|s| status_range(s)).collect::<Option<Vec<_>>>()?;
        Some(Http { url, expect: page.expect.clone(), status, ca_file: None })
    }

    /// Whether an answer with this status code counts.
    pub fn accepts(&self, code: u16) -> bool {
        if self.status.is_empty() {
            (200..400).contains(&code)
        } else {
            self.status.iter().any(|(from, to)| (*from..=*to).contains(&code))
        }
    }
}

/// A test mail sent through one of the provider's SMTP endpoints to a mailbox read through
/// one of its IMAP endpoints (`[[provider.roundtrip]]`): accepted is not delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Roundtrip {
    /// The endpoint that sends (its port, TLS and login).
    pub smtp: Mail,
    /// The endpoint whose mailbox receives.
    pub imap: Mail,
    /// The address the mail goes to; the IMAP login by default.
    pub to: String,
    /// One mail per interval, never more often than [`ROUNDTRIP_MIN_INTERVAL`] from a file.
    pub interval: Duration,
    /// Arrived later than this: degraded, `delayed`.
    pub warn_after: Duration,
    /// Not arrived by then: down, `lost`.
    pub fail_after: Duration,
}

/// A mail every 5 minutes at most: polite to the provider and to the user's mailbox. Only a
/// config built in code (the tests, with their own servers) may go below it.
pub const ROUNDTRIP_MIN_INTERVAL: Duration = Duration::from_mins(5);
pub const ROUNDTRIP_INTERVAL: Duration = Duration::from_mins(15);
pub const ROUNDTRIP_WARN_AFTER: Duration = Duration::from_mins(5);
pub const ROUNDTRIP_FAIL_AFTER: Duration = Duration::from_mins(30);

impl Roundtrip {
    /// The check's stable id: `{provider}/roundtrip/{smtp host}/{to}`.
    pub fn check_id(&self, provider_id: &str) -> String {
        format!("{provider_id}/roundtrip/{}/{}", self.smtp.host, self.to)
    }

    /// What the check looks at, as `check --json` names it.
    pub fn target(&self) -> String {
        format!("{} → {}", self.smtp.authority(), self.to)
    }
}

/// One mail endpoint to probe (`[[provider.mail]]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    pub kind: MailKind,
    pub host: String,
    pub port: u16,
    pub tls: TlsMode,
    /// Log in as this user; the password lives in the OS keychain, never in the config.
    pub username: Option<String>,
    /// An extra trust anchor (PEM), resolved against the config file's directory.
    pub ca_file: Option<PathBuf>,
    /// A certificate that expires within this many days makes the endpoint degraded.
    pub cert_warn_days: u32,
}

/// Days before expiry from which a certificate counts as a problem (`cert_warn_days`).
pub const DEFAULT_CERT_WARN_DAYS: u32 = 14;

impl Mail {
    /// The check's stable id: `{provider}/{kind}/{host}:{port}`.
    pub fn check_id(&self, provider_id: &str) -> String {
        format!("{provider_id}/{}/{}", self.kind.as_str(), self.authority())
    }

    /// `host:port`, with brackets around an IPv6 literal.
    pub fn authority(&self) -> String {
        authority(&self.host, self.port)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct StatusPage {
    /// What the user wrote.
    pub url: url::Url,
    /// The format: given by `status_format`, or detected.
    pub format: Option<Format>,
}

impl Provider {
    /// How often this provider's checks run.
    pub fn interval(&self, settings: &Settings) -> Duration {
        self.interval.unwrap_or(settings.interval)
    }

    /// The id of this provider's status-page check.
    pub fn status_check_id(&self) -> String {
        format!("{}/status_page", self.id)
    }
}

/// A configuration we cannot use, with where and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}{}: {message}{}", .line.map(|l| format!(":{l}")).unwrap_or_default(), .hint.as_ref().map(|h| format!("\n  hint: {h}")).unwrap_or_default())]
pub struct ConfigError {
    pub file: String,
    pub line: Option<usize>,
    pub message: String,
    pub hint: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    settings: Option<RawSettings>,
    #[serde(default)]
    provider: Vec<toml::Spanned<RawProvider>>,
    #[serde(default)]
    alerts: Option<RawAlerts>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSettings {
    interval: Option<toml::Spanned<String>>,
    timeout: Option<toml::Spanned<String>>,
    language: Option<toml::Spanned<String>>,
    connectivity: Option<toml::Spanned<Vec<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProvider {
    id: toml::Spanned<String>,
    name: Option<String>,
    preset: Option<toml::Spanned<String>>,
    status_page: Option<toml::Spanned<String>>,
    status_format: Option<toml::Spanned<String>>,
    #[serde(default)]
    components: Vec<String>,
    interval: Option<toml::Spanned<String>>,
    #[serde(default)]
    mail: Vec<toml::Spanned<RawMail>>,
    #[serde(default)]
    roundtrip: Vec<toml::Spanned<RawRoundtrip>>,
    #[serde(default)]
    http: Vec<toml::Spanned<RawHttp>>,
    sla: Option<toml::Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRoundtrip {
    smtp: toml::Spanned<String>,
    imap: toml::Spanned<String>,
    to: Option<toml::Spanned<String>>,
    interval: Option<toml::Spanned<String>>,
    warn_after: Option<toml::Spanned<String>>,
    fail_after: Option<toml::Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHttp {
    url: toml::Spanned<String>,
    expect: Option<toml::Spanned<String>>,
    status: Option<toml::Spanned<Vec<toml::Value>>>,
    ca_file: Option<toml::Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMail {
    kind: toml::Spanned<String>,
    host: toml::Spanned<String>,
    port: Option<toml::Spanned<i64>>,
    tls: Option<toml::Spanned<String>>,
    username: Option<toml::Spanned<String>>,
    ca_file: Option<toml::Spanned<String>>,
    cert_warn_days: Option<toml::Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAlerts {
    reminder: Option<toml::Spanned<String>>,
    quiet_hours: Option<toml::Spanned<String>>,
    states: Option<toml::Spanned<Vec<String>>>,
    #[serde(default)]
    maintenance: Vec<toml::Spanned<RawMaintenance>>,
}

/// Either weekly (`days`, `from`, `to`, `time_zone`) or once (`start`, `end`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMaintenance {
    provider: toml::Spanned<String>,
    days: Option<Vec<String>>,
    from: Option<String>,
    to: Option<String>,
    time_zone: Option<String>,
    start: Option<String>,
    end: Option<String>,
}

const SETTINGS_KEYS: [&str; 4] = ["interval", "timeout", "language", "connectivity"];
const PROVIDER_KEYS: [&str; 11] = [
    "id",
    "name",
    "preset",
    "status_page",
    "status_format",
    "components",
    "interval",
    "mail",
    "http",
    "roundtrip",
    "sla",
];
const ROUNDTRIP_KEYS: [&str; 6] = ["smtp", "imap", "to", "interval", "warn_after", "fail_after"];
const HTTP_KEYS: [&str; 4] = ["url", "expect", "status", "ca_file"];
const MAIL_KEYS: [&str; 7] = ["kind", "host", "port", "tls", "username", "ca_file", "cert_warn_days"];
const ALERTS_KEYS: [&str; 4] = ["reminder", "quiet_hours", "states", "maintenance"];
const MAINTENANCE_KEYS: [&str; 7] = ["provider", "days", "from", "to", "time_zone", "start", "end"];
const TOP_KEYS: [&str; 3] = ["settings", "provider", "alerts"];

/// A promised availability, "99.9%" (or "99,9 %"), as a ratio in (0, 1].
fn sla(text: &str) -> Option<f64> {
    let number = text.trim().strip_suffix('%')?.trim().replace(',', ".");
    let percent: f64 = number.parse().ok()?;
    (percent > 0.0 && percent <= 100.0).then_some(percent / 100.0)
}

/// Parses and validates config text. `file` only names the source in messages.
pub fn parse(text: &str, file: &str) -> Result<Config, ConfigError> {
    let line_of = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
    let error = |span: Option<std::ops::Range<usize>>, message: String, hint: Option<String>| ConfigError {
        file: file.to_owned(),
        line: span.map(|s| line_of(s.start)),
        message,
        hint,
    };

    let raw: RawConfig = toml::from_str(text).map_err(|e| {
        let message = e.message().trim().to_owned();
        let hint = unknown_key_hint(&message);
        error(e.span(), message, hint)
    })?;

    let mut settings = Settings::default();
    if let Some(s) = raw.settings {
        if let Some(v) = s.interval {
            settings.interval = duration(&v, "interval", Duration::from_secs(10), MAX_INTERVAL)
                .map_err(|(m, h)| error(Some(v.span()), m, h))?;
        }
        if let Some(v) = s.timeout {
            settings.timeout = duration(&v, "timeout", Duration::from_secs(1), MAX_TIMEOUT)
                .map_err(|(m, h)| error(Some(v.span()), m, h))?;
        }
        if let Some(v) = s.language {
            settings.language = Some(Language::parse(v.get_ref()).ok_or_else(|| {
                error(
                    Some(v.span()),
                    format!("unknown language `{}`", v.get_ref()),
                    Some("use \"de\" or \"en\", or leave it out to follow the system".into()),
                )
            })?);
        }
        if let Some(v) = s.connectivity {
            let mut anchors = Vec::new();
            for anchor in v.get_ref() {
                anchors.push(Anchor::parse(anchor).ok_or_else(|| {
                    error(
                        Some(v.span()),
                        format!("connectivity anchor `{anchor}` is neither host:port nor an https:// URL"),
                        Some("for example \"1.1.1.1:53\" (a DNS server) or \"https://one.one.one.one/\"".into()),
                    )
                })?);
            }
            if anchors.is_empty() {
                return Err(error(
                    Some(v.span()),
                    "connectivity needs at least one anchor".into(),
                    Some("leave the key out for the defaults".into()),
                ));
            }
            settings.connectivity = anchors;
        }
    }
    if settings.timeout > settings.interval {
        return Err(error(
            None,
            "timeout is longer than interval".into(),
            Some("a probe must end before the next one is due".into()),
        ));
    }

    let mut providers: Vec<Provider> = Vec::new();
    for spanned in raw.provider {
        let span = spanned.span();
        let p = spanned.into_inner();
        let id = p.id.get_ref().clone();
        if id.is_empty() || !id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_') {
            return Err(error(
                Some(p.id.span()),
                format!("provider id `{id}` is not a stable id"),
                Some("use lowercase letters, digits, `-` and `_`, e.g. \"domainfactory\"".into()),
            ));
        }
        if providers.iter().any(|q| q.id == id) {
            return Err(error(Some(p.id.span()), format!("provider id `{id}` is used twice"), None));
        }
        let format = match p.status_format {
            None => None,
            Some(f) => Some(Format::parse_name(f.get_ref()).ok_or_else(|| {
                let known: Vec<_> = Format::ALL.iter().map(|f| f.as_str()).collect();
                error(
                    Some(f.span()),
                    format!("unknown status_format `{}`", f.get_ref()),
                    Some(format!("known formats: {}", known.join(", "))),
                )
            })?),
        };
        let preset = match &p.preset {
            None => None,
            Some(name) => Some(crate::catalog::catalog().get(name.get_ref()).ok_or_else(|| {
                let closest = crate::catalog::catalog()
                    .presets()
                    .iter()
                    .min_by_key(|candidate| edit_distance(name.get_ref(), &candidate.id))
                    .filter(|candidate| edit_distance(name.get_ref(), &candidate.id) <= 3)
                    .map(|candidate| format!("did you mean `{}`? ", candidate.id))
                    .unwrap_or_default();
                error(
                    Some(name.span()),
                    format!("unknown preset `{}`", name.get_ref()),
                    Some(format!("{closest}`outage-notifier catalog` lists the presets")),
                )
            })?),
        };
        let status_page = match p.status_page {
            // The preset fills in what the user left out; what the user wrote wins.
            None => preset.and_then(|preset| preset.status.as_ref()).and_then(|status| {
                let url = url::Url::parse(&status.url).ok()?;
                Some(StatusPage { url, format: format.or_else(|| status.format()) })
            }),
            Some(u) => {
                let url = url::Url::parse(u.get_ref())
                    .ok()
                    .filter(|url| matches!(url.scheme(), "http" | "https") && url.host().is_some())
                    .ok_or_else(|| {
                        error(
                            Some(u.span()),
                            format!("status_page `{}` is not an http(s) URL", u.get_ref()),
                            Some("for example \"https://status.example.com/\"".into()),
                        )
                    })?;
                Some(StatusPage { url, format })
            }
        };
        if status_page.is_none() && format.is_some() {
            return Err(error(Some(span), format!("provider `{id}` has status_format but no status_page"), None));
        }
        let mut mail = Vec::with_capacity(p.mail.len());
        for raw in p.mail {
            let endpoint = mail_endpoint(raw.into_inner(), file).map_err(|(span, m, h)| error(Some(span), m, h))?;
            if mail.iter().any(|m: &Mail| m.kind == endpoint.kind && m.host == endpoint.host && m.port == endpoint.port)
            {
                return Err(error(
                    Some(span.clone()),
                    format!("provider `{id}` lists {} {} twice", endpoint.kind.as_str(), endpoint.authority()),
                    None,
                ));
            }
            mail.push(endpoint);
        }
        if mail.is_empty() {
            // The preset's documented endpoints, unless the user wrote their own.
            mail = preset.map(|preset| preset.mail.iter().map(Mail::from_preset).collect()).unwrap_or_default();
        }
        let mut http: Vec<Http> = Vec::new();
        for raw in p.http {
            let span = raw.span();
            let page = http_check(raw.into_inner(), file).map_err(|(span, m, h)| error(Some(span), m, h))?;
            if http.iter().any(|h| h.url == page.url) {
                return Err(error(Some(span), format!("provider `{id}` lists {} twice", page.url), None));
            }
            http.push(page);
        }
        if http.is_empty() {
            // The preset's pages, unless the user wrote their own.
            http = preset.map(|preset| preset.http.iter().filter_map(Http::from_preset).collect()).unwrap_or_default();
        }
        if status_page.is_none() && mail.is_empty() && http.is_empty() {
            let hint = preset.and_then(|preset| preset.status_note.clone()).unwrap_or_else(|| {
                "add status_page = \"https://…\", a [[provider.mail]] endpoint or a [[provider.http]] page".into()
            });
            return Err(error(Some(span), format!("provider `{id}` has nothing to watch"), Some(hint)));
        }
        let components = if p.components.is_empty() {
            preset.and_then(|preset| preset.status.as_ref()).map(|status| status.components.clone()).unwrap_or_default()
        } else {
            p.components
        };
        let name = p.name.or_else(|| preset.map(|preset| preset.name.clone())).unwrap_or_else(|| id.clone());
        let interval = match &p.interval {
            Some(v) => {
                let d = duration(v, "interval", Duration::from_secs(10), MAX_INTERVAL)
                    .map_err(|(m, h)| error(Some(v.span()), m, h))?;
                if settings.timeout > d {
                    let hint = Some(format!("at least the timeout, {}", humantime::format_duration(settings.timeout)));
                    return Err(error(
                        Some(v.span()),
                        format!("provider `{id}`: interval is shorter than the timeout"),
                        hint,
                    ));
                }
                Some(d)
            }
            None => None,
        };
        let sla = match &p.sla {
            Some(v) => Some(sla(v.get_ref()).ok_or_else(|| {
                error(
                    Some(v.span()),
                    format!("provider `{id}`: sla `{}` is not a percentage", v.get_ref()),
                    Some("for example sla = \"99.9%\"".into()),
                )
            })?),
            None => None,
        };
        let mut trips = Vec::with_capacity(p.roundtrip.len());
        for raw in p.roundtrip {
            let trip = roundtrip(raw.into_inner(), &id, &mail).map_err(|(span, m, h)| error(Some(span), m, h))?;
            if trips.iter().any(|t: &Roundtrip| t.check_id(&id) == trip.check_id(&id)) {
                return Err(error(
                    Some(span.clone()),
                    format!("provider `{id}` has the round trip {} twice", trip.target()),
                    None,
                ));
            }
            trips.push(trip);
        }
        let preset = preset.map(|p| p.id.clone());
        providers.push(Provider {
            id,
            name,
            status_page,
            components,
            interval,
            mail,
            preset,
            http,
            roundtrip: trips,
            sla,
        });
    }
    let alerts = match raw.alerts {
        None => Alerts::default(),
        Some(raw) => alerts(raw, &providers).map_err(|(span, m, h)| error(span, m, h))?,
    };
    Ok(Config { settings, providers, alerts })
}

type Located = (Option<std::ops::Range<usize>>, String, Option<String>);

fn alerts(raw: RawAlerts, providers: &[Provider]) -> Result<Alerts, Located> {
    let mut alerts = Alerts::default();
    if let Some(v) = raw.reminder {
        alerts.reminder =
            duration(&v, "reminder", Duration::from_mins(15), MAX_REMINDER).map_err(|(m, h)| (Some(v.span()), m, h))?;
    }
    if let Some(v) = raw.quiet_hours {
        let parsed = v.get_ref().split_once('-').and_then(|(start, end)| Some((clock(start)?, clock(end)?)));
        let (start, end) = parsed.ok_or_else(|| {
            (
                Some(v.span()),
                format!("quiet_hours `{}` is not a time range", v.get_ref()),
                Some("for example \"22:00-07:00\" (local time; may wrap midnight)".into()),
            )
        })?;
        alerts.quiet_hours = Some(QuietHours { start, end });
    }
    if let Some(v) = raw.states {
        let span = v.span();
        let mut states = Vec::new();
        for name in v.into_inner() {
            let state = State::parse(&name).filter(|s| ALERT_STATES.contains(s)).ok_or_else(|| {
                let all: Vec<&str> = ALERT_STATES.iter().map(|s| s.as_str()).collect();
                (
                    Some(span.clone()),
                    format!("`{name}` in states is not a state that can alert"),
                    Some(format!("choose from {}", all.join(", "))),
                )
            })?;
            if !states.contains(&state) {
                states.push(state);
            }
        }
        alerts.states = states;
    }
    for spanned in raw.maintenance {
        let span = spanned.span();
        let m = spanned.into_inner();
        let bad = |message: String, hint: &str| (Some(span.clone()), message, Some(hint.to_owned()));
        let provider_id = m.provider.get_ref().clone();
        if !providers.iter().any(|p| p.id == provider_id) {
            return Err((Some(m.provider.span()), format!("maintenance for unknown provider `{provider_id}`"), None));
        }
        let when = match (m.start, m.end, m.days) {
            (Some(start), Some(end), None) => {
                let instant = |s: &str| chrono::DateTime::parse_from_rfc3339(s).ok();
                let (Some(start), Some(end)) = (instant(&start), instant(&end)) else {
                    return Err(bad(
                        "maintenance start/end is not a date and time with offset".into(),
                        "for example start = \"2026-11-28T22:00:00+01:00\" (quoted)",
                    ));
                };
                if end <= start {
                    return Err(bad("maintenance ends before it starts".into(), "swap start and end"));
                }
                Window::Once { start, end }
            }
            (None, None, Some(days)) => {
                let weekdays: Option<Vec<chrono::Weekday>> = days.iter().map(|d| d.parse().ok()).collect();
                let weekly_hint = "for example days = [\"sun\"], from = \"02:00\", to = \"04:00\", \
                                   time_zone = \"Europe/Berlin\"";
                let (Some(days), Some(start), Some(end)) = (
                    weekdays.filter(|d| !d.is_empty()),
                    m.from.as_deref().and_then(clock),
                    m.to.as_deref().and_then(clock),
                ) else {
                    return Err(bad("weekly maintenance needs days, from and to".into(), weekly_hint));
                };
                let Some(zone) = m.time_zone.as_deref().and_then(|z| z.parse::<chrono_tz::Tz>().ok()) else {
                    return Err(bad(
                        "weekly maintenance needs a time_zone".into(),
                        "an IANA name such as \"Europe/Berlin\" or \"Europe/Vienna\"",
                    ));
                };
                Window::Weekly { days, start, end, zone }
            }
            _ => {
                return Err(bad(
                    "maintenance is either weekly (days, from, to, time_zone) or once (start, end)".into(),
                    "give one of the two",
                ));
            }
        };
        alerts.maintenance.push(MaintenanceWindow { provider_id, when });
    }
    Ok(alerts)
}

/// `HH:MM`, 24 hours.
fn clock(s: &str) -> Option<chrono::NaiveTime> {
    chrono::NaiveTime::parse_from_str(s.trim(), "%H:%M").ok()
}

impl Mail {
    fn from_preset(endpoint: &crate::catalog::MailEndpoint) -> Mail {
        Mail {
            kind: endpoint.kind,
            host: endpoint.host.clone(),
            port: endpoint.port,
            tls: endpoint.tls,
            username: None,
            ca_file: None,
            cert_warn_days: DEFAULT_CERT_WARN_DAYS,
        }
    }
}

/// `host:port`, with brackets around an IPv6 literal.
pub fn authority(host: &str, port: u16) -> String {
    if host.contains(':') { format!("[{host}]:{port}") } else { format!("{host}:{port}") }
}

/// Validates one `[[provider.http]]` table. `file` anchors a relative `ca_file`.
fn http_check(raw: RawHttp, file: &str) -> Result<Http, (std::ops::Range<usize>, String, Option<String>)> {
    let url = url::Url::parse(raw.url.get_ref().trim())
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
        .ok_or_else(|| {
            (
                raw.url.span(),
                format!("url `{}` is not an http(s) address", raw.url.get_ref()),
                Some("for example \"https://web.whatsapp.com/\"".into()),
            )
        })?;
    let expect = match raw.expect {
        Some(e) if e.get_ref().trim().is_empty() => {
            return Err((e.span(), "expect is empty".into(), Some("leave it out to accept any page".into())));
        }
        e => e.map(|e| e.into_inner().trim().to_owned()),
    };
    let status = match raw.status {
        None => Vec::new(),
        Some(codes) => {
            let span = codes.span();
            let codes: Option<Vec<(u16, u16)>> = codes
                .into_inner()
                .into_iter()
                .map(|c| match c {
                    toml::Value::Integer(code) => status_range(&code.to_string()),
                    toml::Value::String(range) => status_range(&range),
                    _ => None,
                })
                .collect();
            match codes {
                Some(codes) if !codes.is_empty() => codes,
                _ => {
                    return Err((
                        span,
                        "status lists no HTTP status codes".into(),
                        Some("for example [200, 204] or [\"200-499\"]".into()),
                    ));
                }
            }
        }
    };
    let ca_file = match raw.ca_file {
        None => None,
        Some(c) if c.get_ref().trim().is_empty() => return Err((c.span(), "ca_file is empty".into(), None)),
        Some(c) if url.scheme() != "https" => {
            return Err((c.span(), "ca_file without https has nothing to verify".into(), None));
        }
        Some(c) => Some(relative_to(file, PathBuf::from(c.into_inner()))),
    };
    Ok(Http { url, expect, status, ca_file })
}

/// One accepted status code (`"404"`) or an inclusive range of them (`"200-499"`).
fn status_range(text: &str) -> Option<(u16, u16)> {
    let code = |s: &str| s.trim().parse::<u16>().ok().filter(|c| (100..600).contains(c));
    let (from, to) = match text.split_once('-') {
        Some((from, to)) => (code(from)?, code(to)?),
        None => (code(text)?, code(text)?),
    };
    (from <= to).then_some((from, to))
}

/// A path as a user reading the config file means it: relative to that file.
fn relative_to(file: &str, path: PathBuf) -> PathBuf {
    if path.is_relative() { Path::new(file).parent().unwrap_or(Path::new("")).join(path) } else { path }
}

/// Validates one `[[provider.mail]]` table. `file` anchors a relative `ca_file`.
fn mail_endpoint(raw: RawMail, file: &str) -> Result<Mail, (std::ops::Range<usize>, String, Option<String>)> {
    let kind = MailKind::parse(raw.kind.get_ref()).ok_or_else(|| {
        (
            raw.kind.span(),
            format!("unknown mail kind `{}`", raw.kind.get_ref()),
            Some("use \"smtp\", \"imap\" or \"pop3\"".into()),
        )
    })?;
    let host = raw.host.get_ref().trim().to_owned();
    let host_ok = !host.is_empty()
        && host.len() <= 253
        && (host.parse::<std::net::IpAddr>().is_ok()
            || host.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            }));
    if !host_ok {
        return Err((
            raw.host.span(),
            format!("mail host `{}` is not a host name or IP address", raw.host.get_ref()),
            Some("just the name, e.g. \"sslin.df.eu\": no scheme, no port".into()),
        ));
    }
    let tls = match &raw.tls {
        None => TlsMode::Implicit,
        Some(t) => TlsMode::parse(t.get_ref()).ok_or_else(|| {
            (
                t.span(),
                format!("unknown tls `{}`", t.get_ref()),
                Some("use \"implicit\", \"starttls\" or \"none\"".into()),
            )
        })?,
    };
    let port = match &raw.port {
        Some(p) => u16::try_from(*p.get_ref())
            .ok()
            .filter(|p| *p > 0)
            .ok_or_else(|| (p.span(), format!("port {} is not a TCP port", p.get_ref()), Some("1 to 65535".into())))?,
        None => kind.standard_port(tls).ok_or_else(|| {
            (
                raw.host.span(),
                format!("{} without TLS has no standard port", kind.as_str()),
                Some("add port = …".into()),
            )
        })?,
    };
    let username = match raw.username {
        None => None,
        Some(u) if u.get_ref().trim().is_empty() || u.get_ref().chars().any(char::is_control) => {
            return Err((u.span(), "username is empty or contains control characters".into(), None));
        }
        Some(u) if tls == TlsMode::None => {
            return Err((
                u.span(),
                "a login needs TLS: the password would cross the network in plain text".into(),
                Some("use tls = \"implicit\" or \"starttls\", or leave username out".into()),
            ));
        }
        Some(u) => Some(u.into_inner()),
    };
    let ca_file = match raw.ca_file {
        None => None,
        Some(c) if c.get_ref().trim().is_empty() => return Err((c.span(), "ca_file is empty".into(), None)),
        Some(c) if tls == TlsMode::None => {
            return Err((c.span(), "ca_file without TLS has nothing to verify".into(), None));
        }
        Some(c) => Some(relative_to(file, PathBuf::from(c.into_inner()))),
    };
    let cert_warn_days = match raw.cert_warn_days {
        None => DEFAULT_CERT_WARN_DAYS,
        Some(d) => u32::try_from(*d.get_ref()).ok().filter(|d| *d <= 365).ok_or_else(|| {
            (d.span(), format!("cert_warn_days {} is out of range", d.get_ref()), Some("0 to 365 days".into()))
        })?,
    };
    Ok(Mail { kind, host, port, tls, username, ca_file, cert_warn_days })
}

/// Validates one `[[provider.roundtrip]]` table against the provider's mail endpoints.
fn roundtrip(
    raw: RawRoundtrip,
    provider_id: &str,
    mail: &[Mail],
) -> Result<Roundtrip, (std::ops::Range<usize>, String, Option<String>)> {
    let endpoint = |host: &toml::Spanned<String>,
                    kind: MailKind|
     -> Result<Mail, (std::ops::Range<usize>, String, Option<String>)> {
        let same_kind: Vec<&Mail> = mail.iter().filter(|m| m.kind == kind).collect();
        let Some(found) = same_kind.iter().find(|m| m.host.eq_ignore_ascii_case(host.get_ref().trim())) else {
            let known: Vec<&str> = same_kind.iter().map(|m| m.host.as_str()).collect();
            let hint = if known.is_empty() {
                format!("add a [[provider.mail]] with kind = \"{}\" and a username first", kind.as_str())
            } else {
                format!("one of this provider's {} hosts: {}", kind.as_str(), known.join(", "))
            };
            return Err((
                host.span(),
                format!("provider `{provider_id}` has no {} endpoint `{}`", kind.as_str(), host.get_ref()),
                Some(hint),
            ));
        };
        if found.username.is_none() {
            return Err((
                host.span(),
                format!("the round trip needs a login, and {} {} has no username", kind.as_str(), found.authority()),
                Some("add username = \"…\" to that [[provider.mail]] (the password goes into the keychain)".into()),
            ));
        }
        Ok((*found).clone())
    };
    let smtp = endpoint(&raw.smtp, MailKind::Smtp)?;
    let imap = endpoint(&raw.imap, MailKind::Imap)?;
    let to = match raw.to {
        None => imap.username.clone().unwrap_or_default(),
        Some(t) => {
            let addr = t.get_ref().trim();
            let ok = addr.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && domain.contains('.')
                    && !addr.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | '"'))
            });
            if !ok {
                return Err((
                    t.span(),
                    format!("`{}` is not a mail address", t.get_ref()),
                    Some("for example \"info@example.de\"".into()),
                ));
            }
            addr.to_owned()
        }
    };
    let interval = match &raw.interval {
        None => ROUNDTRIP_INTERVAL,
        Some(v) => duration(v, "interval", ROUNDTRIP_MIN_INTERVAL, MAX_INTERVAL).map_err(|(m, h)| {
            (v.span(), m, h.or(Some("a test mail at most every 5 minutes: the provider counts them as mail".into())))
        })?,
    };
    let warn_after = match &raw.warn_after {
        None => ROUNDTRIP_WARN_AFTER,
        Some(v) => {
            duration(v, "warn_after", Duration::from_mins(1), MAX_INTERVAL).map_err(|(m, h)| (v.span(), m, h))?
        }
    };
    let fail_after = match &raw.fail_after {
        None => ROUNDTRIP_FAIL_AFTER.max(warn_after),
        Some(v) => {
            duration(v, "fail_after", Duration::from_mins(1), MAX_INTERVAL).map_err(|(m, h)| (v.span(), m, h))?
        }
    };
    if fail_after < warn_after {
        let span = raw.fail_after.as_ref().or(raw.warn_after.as_ref()).map_or(raw.smtp.span(), toml::Spanned::span);
        return Err((
            span,
            "fail_after is shorter than warn_after".into(),
            Some("a mail is late before it is lost".into()),
        ));
    }
    Ok(Roundtrip { smtp, imap, to, interval, warn_after, fail_after })
}

/// The longest probe deadline: beyond it a probe is not a probe but a hang.
pub const MAX_TIMEOUT: Duration = Duration::from_hours(24);
/// The longest interval between checks (global or per provider).
pub const MAX_INTERVAL: Duration = Duration::from_hours(168);
/// The longest time between reminders.
pub const MAX_REMINDER: Duration = Duration::from_hours(168);

/// A duration in `min..=max`. The upper bound matters as much as the lower one: humantime
/// accepts "200000000000y", and the engine multiplies and adds intervals and timeouts, so a
/// value that large would overflow `Duration`/`Instant` arithmetic far from this line.
fn duration(
    v: &toml::Spanned<String>,
    key: &str,
    min: Duration,
    max: Duration,
) -> Result<Duration, (String, Option<String>)> {
    let d = humantime::parse_duration(v.get_ref()).map_err(|e| {
        (
            format!("{key} `{}` is not a duration: {e}", v.get_ref()),
            Some("for example \"2m\", \"90s\" or \"1h\"".to_owned()),
        )
    })?;
    if d < min {
        return Err((format!("{key} `{}` is shorter than {}", v.get_ref(), humantime::format_duration(min)), None));
    }
    if d > max {
        return Err((
            format!("{key} `{}` is longer than {}", v.get_ref(), humantime::format_duration(max)),
            Some(format!(
                "{key} may be at most {}; for example \"2m\", \"90s\" or \"1h\"",
                humantime::format_duration(max)
            )),
        ));
    }
    Ok(d)
}

fn valid_anchor(anchor: &str) -> bool {
    anchor.rsplit_once(':').is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok_and(|p| p > 0))
}

/// serde says "unknown field `x`, expected one of …": name the closest known key.
fn unknown_key_hint(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `")?;
    let field = &rest[..rest.find('`')?];
    let candidates = SETTINGS_KEYS
        .iter()
        .chain(&PROVIDER_KEYS)
        .chain(&MAIL_KEYS)
        .chain(&ROUNDTRIP_KEYS)
        .chain(&HTTP_KEYS)
        .chain(&ALERTS_KEYS)
        .chain(&MAINTENANCE_KEYS)
        .chain(&TOP_KEYS);
    let best = candidates.min_by_key(|k| edit_distance(field, k))?;
    (edit_distance(field, best) <= 3).then(|| format!("did you mean `{best}`?"))
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = r#"
[settings]
interval = "2m"          # default check interval
timeout = "15s"
language = "de"
connectivity = ["1.1.1.1:53", "9.9.9.9:53"]

[[provider]]
id = "github"
name = "GitHub"
status_page = "https://www.githubstatus.com/"
status_format = "statuspage"
components = ["Git Operations"]
"#;

    #[test]
    fn parses_design_example() {
        let c = parse(EXAMPLE, "config.toml").unwrap();
        assert_eq!(c.settings.interval, Duration::from_mins(2));
        assert_eq!(c.settings.timeout, Duration::from_secs(15));
        assert_eq!(c.settings.language, Some(Language::De));
        assert_eq!(c.settings.connectivity.len(), 2);
        assert_eq!(c.settings.connectivity[0], Anchor::Dns("1.1.1.1:53".into()));
        let p = &c.providers[0];
        assert_eq!((p.id.as_str(), p.name.as_str()), ("github", "GitHub"));
        assert_eq!(p.status_page.as_ref().unwrap().format, Some(Format::Statuspage));
        assert_eq!(p.components, vec!["Git Operations".to_owned()]);
    }

    #[test]
    fn a_promised_availability_is_a_percentage() {
        let page = "[[provider]]\nid = \"p\"\nstatus_page = \"https://s.test/\"\n";
        let c = parse(&format!("{page}sla = \"99.9%\"\n"), "c.toml").unwrap();
        assert!((c.providers[0].sla.unwrap() - 0.999).abs() < 1e-12);
        assert_eq!(parse(page, "c.toml").unwrap().providers[0].sla, None);
        assert!(parse(&format!("{page}sla = \"99,5 %\"\n"), "c.toml").unwrap().providers[0].sla.is_some());
        let e = parse(&format!("{page}sla = \"three nines\"\n"), "c.toml").unwrap_err();
        assert!(e.to_string().contains("not a percentage"), "{e}");
        assert!(parse(&format!("{page}sla = \"120%\"\n"), "c.toml").is_err());
    }

    #[test]
    fn http_checks_are_read_with_their_defaults_and_errors_are_located() {
        let c = parse(
            "[[provider]]\nid = \"wa\"\n[[provider.http]]\nurl = \"https://web.whatsapp.test/\"\n\
             [[provider.http]]\nurl = \"https://status.strato.test/\"\nexpect = \" alle Systeme \"\nstatus = [200, \"400-404\"]\n\
             ca_file = \"ca.pem\"\n",
            "/etc/outage/c.toml",
        )
        .unwrap();
        let http = &c.providers[0].http;
        assert_eq!(http.len(), 2);
        assert_eq!((http[0].expect.as_deref(), http[0].accepts(302), http[0].accepts(404)), (None, true, false));
        assert_eq!(http[1].expect.as_deref(), Some("alle Systeme"));
        assert_eq!(
            (http[1].accepts(200), http[1].accepts(204), http[1].accepts(404), http[1].accepts(405)),
            (true, false, true, false)
        );
        assert_eq!(http[1].ca_file.as_deref(), Some(Path::new("/etc/outage/ca.pem")));
        assert_eq!(http[0].check_id("wa"), "wa/http/https://web.whatsapp.test/");
        let cases = [
            ("[[provider]]\nid = \"a\"\n[[provider.http]]\nurl = \"ftp://x.test/\"\n", 4, "http(s)"),
            ("[[provider]]\nid = \"a\"\n[[provider.http]]\nurl = \"https://x.test/\"\nexpect = \" \"\n", 5, "empty"),
            ("[[provider]]\nid = \"a\"\n[[provider.http]]\nurl = \"https://x.test/\"\nstatus = [99]\n", 5, "status"),
            (
                "[[provider]]\nid = \"a\"\n[[provider.http]]\nurl = \"https://x.test/\"\nstatus = [\"499-200\"]\n",
                5,
                "status",
            ),
            ("[[provider]]\nid = \"a\"\n[[provider.http]]\nurl = \"http://x.test/\"\nca_file = \"c\"\n", 5, "https"),
            ("[[provider]]\nid = \"a\"\n[[provider.http]]\nurl = \"https://x.test/\"\nexpekt = \"x\"\n", 5, "expekt"),
        ];
        for (text, line, needle) in cases {
            let e = parse(text, "c.toml").unwrap_err();
            assert_eq!(e.line, Some(line), "{text}: {e}");
            assert!(e.message.contains(needle), "{text}: {e}");
        }
        let e =
            parse("[[provider]]\nid = \"a\"\n[[provider.http]]\nurl = \"https://x.test/\"\nexpekt = \"x\"\n", "c.toml")
                .unwrap_err();
        assert_eq!(e.hint.as_deref(), Some("did you mean `expect`?"));
    }

    #[test]
    fn anchors_are_dns_servers_or_https_pages() {
        let c = parse("[settings]\nconnectivity = [\"9.9.9.9:53\", \"https://anchor.test/x\"]\n", "c.toml").unwrap();
        assert_eq!(
            c.settings.connectivity,
            [Anchor::Dns("9.9.9.9:53".into()), Anchor::Https(url::Url::parse("https://anchor.test/x").unwrap())]
        );
        assert_eq!(c.settings.connectivity[1].to_string(), "https://anchor.test/x");
        assert_eq!(Settings::default().connectivity.len(), DEFAULT_CONNECTIVITY.len(), "every default parses");
    }

    #[test]
    fn empty_config_has_defaults() {
        let c = parse("", "c.toml").unwrap();
        assert!(c.providers.is_empty());
        assert_eq!(c.settings, Settings::default());
    }

    #[test]
    fn unknown_key_names_file_line_and_hint() {
        let e = parse("[settings]\n\nintervall = \"2m\"\n", "/home/u/config.toml").unwrap_err();
        assert_eq!(e.file, "/home/u/config.toml");
        assert_eq!(e.line, Some(3));
        assert!(e.message.contains("intervall"), "{e}");
        assert_eq!(e.hint.as_deref(), Some("did you mean `interval`?"));
        let shown = e.to_string();
        assert!(shown.starts_with("/home/u/config.toml:3: "), "{shown}");
    }

    #[test]
    fn bad_values_are_located() {
        let cases = [
            ("[settings]\ninterval = \"soon\"\n", 2, "not a duration"),
            ("[settings]\ninterval = \"1s\"\n", 2, "shorter than"),
            ("[settings]\nlanguage = \"fr\"\n", 2, "unknown language"),
            ("[settings]\nconnectivity = [\"nohost\"]\n", 2, "host:port"),
            ("[settings]\nconnectivity = [\"http://portal.test/\"]\n", 2, "https:// URL"),
            ("[[provider]]\nid = \"Bad Id\"\nstatus_page = \"https://x.test\"\n", 2, "stable id"),
            ("[[provider]]\nid = \"a\"\nstatus_page = \"ftp://x.test\"\n", 3, "http(s)"),
            (
                "[[provider]]\nid = \"a\"\nstatus_page = \"https://x.test\"\nstatus_format = \"nope\"\n",
                4,
                "unknown status_format",
            ),
            (
                "[[provider]]\nid = \"a\"\nstatus_page = \"https://x.test\"\n[[provider]]\nid = \"a\"\nstatus_page = \"https://y.test\"\n",
                5,
                "twice",
            ),
            ("[settings\n", 1, ""),
        ];
        for (text, line, needle) in cases {
            let e = parse(text, "c.toml").unwrap_err();
            assert_eq!(e.line, Some(line), "{text}: {e}");
            assert!(e.message.contains(needle), "{text}: {e}");
        }
    }

    #[test]
    fn preset_fills_in_what_the_user_left_out() {
        let c = parse("[[provider]]\nid = \"gmail\"\npreset = \"gmail\"\n", "c.toml").unwrap();
        let p = &c.providers[0];
        let preset = crate::catalog::catalog().get("gmail").unwrap();
        assert_eq!(p.name, preset.name);
        let status = preset.status.as_ref().unwrap();
        assert_eq!(p.status_page.as_ref().unwrap().url.as_str(), url::Url::parse(&status.url).unwrap().as_str());
        assert_eq!(p.components, status.components);

        let own = parse(
            "[[provider]]\nid = \"g\"\nname = \"Mine\"\npreset = \"gmail\"\nstatus_page = \"https://x.test/\"\ncomponents = [\"A\"]\n",
            "c.toml",
        )
        .unwrap();
        assert_eq!(own.providers[0].name, "Mine");
        assert_eq!(own.providers[0].status_page.as_ref().unwrap().url.as_str(), "https://x.test/");
        assert_eq!(own.providers[0].components, vec!["A".to_owned()]);
    }

    #[test]
    fn unknown_preset_and_preset_without_status_source_are_explained() {
        let e = parse("[[provider]]\nid = \"df\"\npreset = \"domainfactroy\"\n", "c.toml").unwrap_err();
        assert_eq!(e.line, Some(3));
        assert!(e.hint.as_deref().unwrap().contains("did you mean `domainfactory`?"), "{e}");
        let e = parse("[[provider]]\nid = \"kas\"\npreset = \"all-inkl\"\n", "c.toml").unwrap_err();
        assert!(e.message.contains("nothing to watch"), "{e}");
        assert_eq!(e.hint, crate::catalog::catalog().get("all-inkl").unwrap().status_note.clone());
        // A preset without a status page but with mail servers has something to watch.
        let c = parse("[[provider]]\nid = \"gmx\"\npreset = \"gmx\"\n", "c.toml").unwrap();
        assert!(c.providers[0].status_page.is_none());
        assert!(!c.providers[0].mail.is_empty());
    }

    const MAIL: &str = r#"
[[provider]]
id = "df"
name = "DomainFactory"
status_page = "https://status.df.eu/"

[[provider.mail]]
kind = "imap"            # smtp | imap | pop3
host = "sslin.df.eu"
port = 993
tls = "implicit"         # implicit | starttls | none
username = "info@example.de"
ca_file = "my-ca.pem"
cert_warn_days = 21

[[provider.mail]]
kind = "smtp"
host = "sslout.df.eu"
tls = "starttls"
"#;

    #[test]
    fn parses_mail_endpoints() {
        let c = parse(MAIL, "/home/u/.config/outage-notifier/config.toml").unwrap();
        let mail = &c.providers[0].mail;
        assert_eq!(mail.len(), 2);
        assert_eq!(
            mail[0],
            Mail {
                kind: MailKind::Imap,
                host: "sslin.df.eu".into(),
                port: 993,
                tls: TlsMode::Implicit,
                username: Some("info@example.de".into()),
                ca_file: Some(PathBuf::from("/home/u/.config/outage-notifier/my-ca.pem")),
                cert_warn_days: 21,
            }
        );
        assert_eq!((mail[1].port, mail[1].cert_warn_days, mail[1].username.as_deref()), (587, 14, None));
        assert_eq!(mail[0].check_id("df"), "df/imap/sslin.df.eu:993");
    }

    #[test]
    fn mail_only_provider_is_fine_and_preset_fills_mail_unless_given() {
        let c = parse("[[provider]]\nid = \"m\"\n[[provider.mail]]\nkind = \"pop3\"\nhost = \"127.0.0.1\"\nport = 11110\ntls = \"starttls\"\n", "c.toml").unwrap();
        assert!(c.providers[0].status_page.is_none());
        assert_eq!(c.providers[0].mail[0].kind, MailKind::Pop3);

        let preset = crate::catalog::catalog().get("domainfactory").unwrap();
        let c = parse("[[provider]]\nid = \"df\"\npreset = \"domainfactory\"\n", "c.toml").unwrap();
        let hosts: Vec<_> = c.providers[0].mail.iter().map(|m| (m.host.as_str(), m.port)).collect();
        let expected: Vec<_> = preset.mail.iter().map(|m| (m.host.as_str(), m.port)).collect();
        assert_eq!(hosts, expected);
        assert!(!hosts.is_empty());
        assert_eq!(c.providers[0].preset.as_deref(), Some("domainfactory"), "the window offers its servers");
        assert_eq!(
            parse("[[provider]]\nid = \"m\"\nname = \"DomainFactory\"\nstatus_page = \"https://x.test/\"\n", "c.toml")
                .unwrap()
                .providers[0]
                .preset,
            None
        );

        let own = parse(
            "[[provider]]\nid = \"df\"\npreset = \"domainfactory\"\n[[provider.mail]]\nkind = \"imap\"\nhost = \"mine.test\"\n",
            "c.toml",
        )
        .unwrap();
        assert_eq!(own.providers[0].mail.len(), 1);
        assert_eq!(own.providers[0].mail[0].host, "mine.test");
    }

    const ROUNDTRIP_PROVIDER: &str = "[[provider]]\nid = \"ionos\"\n\
        [[provider.mail]]\nkind = \"smtp\"\nhost = \"smtp.ionos.de\"\nusername = \"info@example.de\"\n\
        [[provider.mail]]\nkind = \"imap\"\nhost = \"imap.ionos.de\"\nusername = \"info@example.de\"\n\
        [[provider.mail]]\nkind = \"pop3\"\nhost = \"pop.ionos.de\"\n";

    #[test]
    fn a_round_trip_refers_to_the_providers_endpoints_and_has_polite_defaults() {
        let text =
            format!("{ROUNDTRIP_PROVIDER}[[provider.roundtrip]]\nsmtp = \"smtp.ionos.de\"\nimap = \"imap.ionos.de\"\n");
        let c = parse(&text, "c.toml").unwrap();
        let trip = &c.providers[0].roundtrip[0];
        assert_eq!((trip.smtp.port, trip.imap.port), (465, 993));
        assert_eq!(trip.to, "info@example.de", "the imap login by default");
        assert_eq!(
            (trip.interval, trip.warn_after, trip.fail_after),
            (ROUNDTRIP_INTERVAL, ROUNDTRIP_WARN_AFTER, ROUNDTRIP_FAIL_AFTER)
        );
        assert_eq!(trip.check_id("ionos"), "ionos/roundtrip/smtp.ionos.de/info@example.de");
        let ids: Vec<String> = crate::check::checks_of(&c.providers[0]).into_iter().map(|c| c.id).collect();
        assert_eq!(ids.last().map(String::as_str), Some("ionos/roundtrip/smtp.ionos.de/info@example.de"));

        let text = format!(
            "{ROUNDTRIP_PROVIDER}[[provider.roundtrip]]\nsmtp = \"smtp.ionos.de\"\nimap = \"imap.ionos.de\"\nto = \"chef@example.de\"\n\
             interval = \"5m\"\nwarn_after = \"2m\"\nfail_after = \"10m\"\n"
        );
        let trip = &parse(&text, "c.toml").unwrap().providers[0].roundtrip[0];
        assert_eq!(
            (trip.to.as_str(), trip.interval.as_secs(), trip.fail_after.as_secs()),
            ("chef@example.de", 300, 600)
        );
    }

    #[test]
    fn bad_round_trips_are_located_with_hints() {
        let trip = |body: &str| format!("{ROUNDTRIP_PROVIDER}[[provider.roundtrip]]\n{body}");
        let cases = [
            (
                "smtp = \"smtp.other.de\"\nimap = \"imap.ionos.de\"\n",
                15,
                "no smtp endpoint `smtp.other.de`",
                "smtp.ionos.de",
            ),
            ("smtp = \"smtp.ionos.de\"\nimap = \"pop.ionos.de\"\n", 16, "no imap endpoint", "imap.ionos.de"),
            (
                "smtp = \"smtp.ionos.de\"\nimap = \"imap.ionos.de\"\ninterval = \"1m\"\n",
                17,
                "shorter than 5m",
                "5 minutes",
            ),
            (
                "smtp = \"smtp.ionos.de\"\nimap = \"imap.ionos.de\"\nto = \"nobody\"\n",
                17,
                "not a mail address",
                "info@",
            ),
            (
                "smtp = \"smtp.ionos.de\"\nimap = \"imap.ionos.de\"\nwarn_after = \"20m\"\nfail_after = \"10m\"\n",
                18,
                "fail_after is shorter",
                "late",
            ),
            ("smtp = \"smtp.ionos.de\"\nimap = \"imap.ionos.de\"\nintervall = \"5m\"\n", 17, "intervall", "interval"),
        ];
        for (body, line, needle, hint) in cases {
            let e = parse(&trip(body), "/home/u/config.toml").unwrap_err();
            assert_eq!(e.line, Some(line), "{body}: {e}");
            assert!(e.message.contains(needle), "{body}: {e}");
            assert!(e.hint.as_deref().is_some_and(|h| h.contains(hint)), "{body}: {e}");
        }
        let no_login = "[[provider]]\nid = \"p\"\n[[provider.mail]]\nkind = \"smtp\"\nhost = \"s.p.de\"\n\
                        [[provider.mail]]\nkind = \"imap\"\nhost = \"i.p.de\"\nusername = \"u@p.de\"\n\
                        [[provider.roundtrip]]\nsmtp = \"s.p.de\"\nimap = \"i.p.de\"\n";
        let e = parse(no_login, "c.toml").unwrap_err();
        assert_eq!(e.line, Some(11), "{e}");
        assert!(e.message.contains("has no username"), "{e}");
    }

    #[test]
    fn bad_mail_entries_are_located_with_hints() {
        let head = "[[provider]]\nid = \"a\"\n[[provider.mail]]\n";
        let cases = [
            ("kind = \"jmap\"\nhost = \"x.test\"\n", 4, "unknown mail kind"),
            ("kind = \"imap\"\nhost = \"imaps://x.test\"\n", 5, "not a host name"),
            ("kind = \"imap\"\nhost = \"x.test\"\nport = 70000\n", 6, "not a TCP port"),
            ("kind = \"imap\"\nhost = \"x.test\"\ntls = \"ssl\"\n", 6, "unknown tls"),
            ("kind = \"imap\"\nhost = \"x.test\"\ntls = \"none\"\n", 5, "no standard port"),
            ("kind = \"imap\"\nhost = \"x.test\"\nport = 143\ntls = \"none\"\nusername = \"u\"\n", 8, "needs TLS"),
            ("kind = \"imap\"\nhost = \"x.test\"\ncert_warn_days = -1\n", 6, "out of range"),
            ("kind = \"imap\"\nhost = \"x.test\"\npasword = \"secret\"\n", 6, "unknown field"),
            ("kind = \"imap\"\nhost = \"x.test\"\n[[provider.mail]]\nkind = \"imap\"\nhost = \"x.test\"\n", 1, "twice"),
        ];
        for (body, line, needle) in cases {
            let text = format!("{head}{body}");
            let e = parse(&text, "c.toml").unwrap_err();
            assert!(e.message.contains(needle), "{text}: {e}");
            if needle != "twice" {
                assert_eq!(e.line, Some(line), "{text}: {e}");
            }
        }
        let e = parse(&format!("{head}kind = \"imap\"\nhost = \"x.test\"\nusernme = \"u\"\n"), "c.toml").unwrap_err();
        assert_eq!(e.hint.as_deref(), Some("did you mean `username`?"));
        // No key may carry a password: there is none, so it is an unknown key.
        let e = parse(&format!("{head}kind = \"imap\"\nhost = \"x.test\"\npassword = \"p\"\n"), "c.toml").unwrap_err();
        assert!(e.message.contains("unknown field `password`"), "{e}");
    }

    #[test]
    fn alerts_section_sets_reminder_quiet_hours_and_maintenance() {
        let c = parse(
            r#"
[[provider]]
id = "df"
status_page = "https://status.df.test/"

[alerts]
reminder = "2h"
quiet_hours = "22:00-07:00"

[[alerts.maintenance]]
provider = "df"
days = ["sun"]
from = "02:00"
to = "04:00"
time_zone = "Europe/Berlin"

[[alerts.maintenance]]
provider = "df"
start = "2026-11-28T22:00:00+01:00"
end = "2026-11-29T02:00:00+01:00"
"#,
            "c.toml",
        )
        .unwrap();
        let t = |h, m| chrono::NaiveTime::from_hms_opt(h, m, 0).unwrap();
        assert_eq!(c.alerts.reminder, Duration::from_hours(2));
        assert_eq!(c.alerts.quiet_hours, Some(QuietHours { start: t(22, 0), end: t(7, 0) }));
        assert_eq!(
            c.alerts.maintenance[0].when,
            Window::Weekly {
                days: vec![chrono::Weekday::Sun],
                start: t(2, 0),
                end: t(4, 0),
                zone: chrono_tz::Europe::Berlin
            }
        );
        assert!(matches!(c.alerts.maintenance[1].when, Window::Once { .. }));
        assert_eq!(parse("", "c.toml").unwrap().alerts, Alerts::default());
        assert_eq!(parse("", "c.toml").unwrap().alerts.states, ALERT_STATES);
        let only =
            parse("[alerts]\nstates = [\"major_outage\", \"major_outage\", \"maintenance\"]\n", "c.toml").unwrap();
        assert_eq!(only.alerts.states, [State::MajorOutage, State::Maintenance]);
        assert!(parse("[alerts]\nstates = []\n", "c.toml").unwrap().alerts.states.is_empty());
    }

    #[test]
    fn bad_alerts_are_located() {
        let provider = "[[provider]]\nid = \"df\"\nstatus_page = \"https://x.test\"\n";
        let cases = [
            ("[alerts]\nquiet_hours = \"22-7\"\n", 5, "not a time range"),
            ("[alerts]\nreminder = \"1m\"\n", 5, "shorter than"),
            ("[alerts]\nremind = \"1h\"\n", 5, "remind"),
            ("[[alerts.maintenance]]\nprovider = \"ionos\"\nstart = \"x\"\nend = \"y\"\n", 5, "unknown provider"),
            (
                "[[alerts.maintenance]]\nprovider = \"df\"\ndays = [\"sun\"]\nfrom = \"02:00\"\nto = \"04:00\"\n",
                4,
                "needs a time_zone",
            ),
            (
                "[[alerts.maintenance]]\nprovider = \"df\"\nstart = \"2026-11-29T02:00:00+01:00\"\nend = \"2026-11-28T02:00:00+01:00\"\n",
                4,
                "ends before it starts",
            ),
            ("[[alerts.maintenance]]\nprovider = \"df\"\n", 4, "either weekly"),
            ("[alerts]\nstates = [\"major_outage\", \"operational\"]\n", 5, "`operational` in states"),
            ("[alerts]\nstates = [\"down\"]\n", 5, "not a state that can alert"),
        ];
        for (text, line, needle) in cases {
            let e = parse(&format!("{provider}{text}"), "c.toml").unwrap_err();
            assert_eq!(e.line, Some(line), "{text}: {e}");
            assert!(e.message.contains(needle), "{text}: {e}");
        }
    }

    #[test]
    fn a_provider_may_have_its_own_interval() {
        let text = "[settings]\ninterval = \"2m\"\n\n[[provider]]\nid = \"a\"\nstatus_page = \"https://a.example/\"\n\
                    interval = \"30s\"\n\n[[provider]]\nid = \"b\"\nstatus_page = \"https://b.example/\"\n";
        let c = parse(text, "c.toml").unwrap();
        assert_eq!(c.providers[0].interval(&c.settings), Duration::from_secs(30));
        assert_eq!(c.providers[1].interval(&c.settings), Duration::from_mins(2));
        let e = parse(&text.replace("30s", "5s"), "c.toml").unwrap_err();
        assert_eq!(e.line, Some(7), "{e}");
        let e = parse(&text.replace("\"30s\"", "\"soon\""), "c.toml").unwrap_err();
        assert!(e.message.contains("not a duration"), "{e}");
    }

    #[test]
    fn absurd_durations_are_refused_with_line_and_hint() {
        let provider = "[[provider]]\nid = \"a\"\nstatus_page = \"https://a.example/\"\n";
        let cases = [
            // humantime accepts these; the engine's arithmetic on them overflowed and aborted.
            (format!("[settings]\ninterval = \"200000000000y\"\n{provider}"), 2, "interval"),
            (format!("[settings]\ntimeout = \"200000000000y\"\n{provider}"), 2, "timeout"),
            (format!("[settings]\ninterval = \"8days\"\n{provider}"), 2, "interval"),
            (format!("[settings]\ninterval = \"3days\"\ntimeout = \"25h\"\n{provider}"), 3, "timeout"),
            (format!("{provider}interval = \"200000000000y\"\n"), 4, "interval"),
            (format!("{provider}[alerts]\nreminder = \"200000000000y\"\n"), 5, "reminder"),
        ];
        for (text, line, key) in cases {
            let e = parse(&text, "c.toml").unwrap_err();
            assert_eq!(e.line, Some(line), "{text}: {e}");
            assert!(e.message.contains(key) && e.message.contains("longer than"), "{text}: {e}");
            assert!(e.hint.as_deref().is_some_and(|h| h.contains("at most")), "{text}: {e}");
        }
        // The bounds themselves are accepted.
        let c = parse(&format!("[settings]\ninterval = \"7days\"\ntimeout = \"1day\"\n{provider}"), "c.toml").unwrap();
        assert_eq!(c.settings.timeout, Duration::from_hours(24));
    }

    #[test]
    fn timeout_longer_than_interval_is_refused() {
        let e = parse("[settings]\ninterval = \"10s\"\ntimeout = \"20s\"\n", "c.toml").unwrap_err();
        assert!(e.message.contains("timeout is longer"));
    }
}

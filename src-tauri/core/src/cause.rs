//! What a failed probe found wrong, as a closed set a person can act on: the verdict names it
//! ("Das Zertifikat von imap.example.de ist seit 3 Tagen abgelaufen"), the language catalogs
//! say it, and whose it is — the provider's, or a setting of the user's — is decided here, once.
//! Mail dialogues and page checks (`[[provider.http]]`) share the causes they have in common.

use serde::{Deserialize, Serialize};

use crate::config::TlsMode;
use crate::text::Language;

/// What went wrong, with what the sentence needs. `host` is the server as configured.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "cause", rename_all = "snake_case")]
pub enum Cause {
    /// The name does not exist in DNS (NXDOMAIN) or has no address.
    NoSuchHost { host: String },
    /// Nothing accepts connections on the port.
    Refused { host: String },
    /// The server accepted the connection and never greeted.
    Silent { host: String },
    /// The server greeted with "not now": SMTP 421, IMAP `* BYE`, POP3 `-ERR`.
    Unavailable { host: String, reply: String },
    /// Something other than a mail server answers there (a web server, another protocol).
    NotMail { host: String },
    /// The certificate expired `days` whole days ago (0: today).
    CertificateExpired { host: String, days: i64 },
    /// The certificate is not valid yet (or this computer's clock is wrong).
    CertificateNotYetValid { host: String },
    /// The certificate is for another name.
    CertificateWrongHost { host: String },
    /// The certificate comes from an authority this computer does not trust and no `ca_file`
    /// is configured: a server with its own certificate authority needs it named.
    CertificateUntrusted { host: String },
    /// STARTTLS is configured but the server does not offer it.
    NoStarttls { host: String },
    /// "TLS from the start" configured on a port where the server speaks plain text first.
    ImplicitTlsOnPlainPort { host: String, port: u16 },
    /// STARTTLS configured on a port where the server expects TLS from the start.
    StarttlsOnTlsPort { host: String, port: u16 },
    /// A page answered with a status its check does not accept.
    HttpStatus { host: String, status: u16 },
    /// A page does not say what it says when all is well (its check's `expect`).
    TextMissing { host: String, expected: String },
    /// A page redirects on and on (a loop, or more hops than any page needs).
    TooManyRedirects { host: String },
    /// A page's certificate comes from an authority this computer does not trust. Unlike a
    /// mail server's, this is the site's: a public site that sends an incomplete chain is far
    /// likelier than a page of the user's own authority, and the sentence says what to do then.
    PageCertificateUntrusted { host: String },
}

/// How a page is named in a sentence: its host, with the port when it is not the scheme's own
/// ("status.example.com", "127.0.0.1:8080"); the text itself when it is no URL.
pub fn page_host(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let authority = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
    let default_port = match scheme.to_ascii_lowercase().as_str() {
        "https" => Some(":443"),
        "http" => Some(":80"),
        _ => None,
    };
    match default_port {
        Some(port) if authority.ends_with(port) => authority[..authority.len() - port.len()].to_owned(),
        _ => authority.to_owned(),
    }
}

/// The meaning of the common error statuses, in a few words.
fn status_words(status: u16, lang: Language) -> Option<&'static str> {
    Some(match (status, lang) {
        (401 | 403, Language::De) => "Zugriff verweigert",
        (401 | 403, Language::En) => "access denied",
        (404 | 410, Language::De) => "Seite nicht gefunden",
        (404 | 410, Language::En) => "page not found",
        (429, Language::De) => "zu viele Anfragen",
        (429, Language::En) => "too many requests",
        (500..=599, Language::De) => "Fehler beim Anbieter",
        (500..=599, Language::En) => "an error on the provider's side",
        _ => return None,
    })
}

/// Whose move it is when a cause is found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    /// The provider's servers fail.
    Provider,
    /// A setting of the user's is wrong; fixing it is the user's to do.
    Settings,
}

/// The ports where a mail protocol starts with TLS (RFC 8314) and where it starts in plain text.
fn tls_first_port(port: u16) -> bool {
    matches!(port, 465 | 993 | 995)
}

fn plain_first_port(port: u16) -> bool {
    matches!(port, 25 | 587 | 143 | 110)
}

impl Cause {
    /// Whose it is: a wrong setting of the user's, or the provider's failure.
    pub fn owner(&self) -> Owner {
        match self {
            Cause::CertificateUntrusted { .. }
            | Cause::ImplicitTlsOnPlainPort { .. }
            | Cause::StarttlsOnTlsPort { .. } => Owner::Settings,
            _ => Owner::Provider,
        }
    }

    /// A probe configured with `tls` on `port` got no greeting. With STARTTLS configured, the
    /// server may be waiting for our TLS handshake: `tls_spoken` is what a second look found
    /// (a handshake answered there), `None` when there was none — then the port decides.
    pub fn silent(host: &str, port: u16, tls: TlsMode, tls_spoken: Option<bool>) -> Cause {
        let wrong_mode = tls == TlsMode::Starttls && tls_spoken.unwrap_or_else(|| tls_first_port(port));
        if wrong_mode {
            Cause::StarttlsOnTlsPort { host: host.to_owned(), port }
        } else {
            Cause::Silent { host: host.to_owned() }
        }
    }

    /// A probe configured with implicit TLS met a peer that does not speak TLS. When it greets
    /// as a mail server in plain text (`greeted`, from a second look; `None` when there was
    /// none — then the port decides), the setting is why; else something other than a mail
    /// server answers there.
    pub fn not_tls(host: &str, port: u16, greeted: Option<bool>) -> Cause {
        if greeted.unwrap_or_else(|| plain_first_port(port)) {
            Cause::ImplicitTlsOnPlainPort { host: host.to_owned(), port }
        } else {
            Cause::NotMail { host: host.to_owned() }
        }
    }

    /// The cause in one sentence that starts with it, in `lang`.
    pub fn sentence(&self, lang: Language) -> String {
        match (lang, self) {
            (Language::De, Cause::NoSuchHost { host }) => format!("Den Namen {host} gibt es im DNS nicht"),
            (Language::En, Cause::NoSuchHost { host }) => format!("The name {host} does not exist in DNS"),
            (Language::De, Cause::Refused { host }) => format!("Der Server {host} nimmt keine Verbindungen an"),
            (Language::En, Cause::Refused { host }) => format!("The server {host} does not accept connections"),
            (Language::De, Cause::Silent { host }) => {
                format!("Der Server {host} nimmt Verbindungen an, antwortet aber nicht")
            }
            (Language::En, Cause::Silent { host }) => {
                format!("The server {host} accepts connections but does not answer")
            }
            (Language::De, Cause::Unavailable { host, reply }) => {
                format!("Der Server {host} weist Verbindungen ab: „{reply}“")
            }
            (Language::En, Cause::Unavailable { host, reply }) => {
                format!("The server {host} turns connections away: “{reply}”")
            }
            (Language::De, Cause::NotMail { host }) => {
                format!("Unter {host} antwortet kein Mailserver, sondern ein anderer Dienst")
            }
            (Language::En, Cause::NotMail { host }) => {
                format!("Something other than a mail server answers at {host}")
            }
            (Language::De, Cause::CertificateExpired { host, days: ..=0 }) => {
                format!("Das Zertifikat von {host} ist heute abgelaufen")
            }
            (Language::De, Cause::CertificateExpired { host, days: 1 }) => {
                format!("Das Zertifikat von {host} ist seit gestern abgelaufen")
            }
            (Language::De, Cause::CertificateExpired { host, days }) => {
                format!("Das Zertifikat von {host} ist seit {days} Tagen abgelaufen")
            }
            (Language::En, Cause::CertificateExpired { host, days: ..=0 }) => {
                format!("The certificate of {host} expired today")
            }
            (Language::En, Cause::CertificateExpired { host, days: 1 }) => {
                format!("The certificate of {host} expired yesterday")
            }
            (Language::En, Cause::CertificateExpired { host, days }) => {
                format!("The certificate of {host} expired {days} days ago")
            }
            (Language::De, Cause::CertificateNotYetValid { host }) => {
                format!("Das Zertifikat von {host} ist noch nicht gültig — oder die Uhr dieses Computers geht falsch")
            }
            (Language::En, Cause::CertificateNotYetValid { host }) => {
                format!("The certificate of {host} is not valid yet — or this computer's clock is wrong")
            }
            (Language::De, Cause::CertificateWrongHost { host }) => {
                format!("Das Zertifikat von {host} gilt für einen anderen Namen")
            }
            (Language::En, Cause::CertificateWrongHost { host }) => {
                format!("The certificate of {host} is for another name")
            }
            (Language::De, Cause::CertificateUntrusted { host }) => format!(
                "Das Zertifikat von {host} stammt von einer Stelle, der dieser Computer nicht vertraut — \
                 hat Ihr Server eine eigene Zertifizierungsstelle, geben Sie deren Zertifikat beim Postfach an"
            ),
            (Language::En, Cause::CertificateUntrusted { host }) => format!(
                "The certificate of {host} comes from an authority this computer does not trust — \
                 if your server has its own certificate authority, add its certificate to the mail account"
            ),
            (Language::De, Cause::NoStarttls { host }) => {
                format!("{host} bietet keine Verschlüsselung (STARTTLS) an")
            }
            (Language::En, Cause::NoStarttls { host }) => format!("{host} does not offer encryption (STARTTLS)"),
            (Language::De, Cause::ImplicitTlsOnPlainPort { host, port }) => format!(
                "Für {host}:{port} ist „TLS von Anfang an“ eingestellt, der Server erwartet dort aber STARTTLS — \
                 bitte beim Postfach STARTTLS wählen"
            ),
            (Language::En, Cause::ImplicitTlsOnPlainPort { host, port }) => format!(
                "{host}:{port} is set to “TLS from the start”, but the server expects STARTTLS there — \
                 choose STARTTLS for the mail account"
            ),
            (Language::De, Cause::StarttlsOnTlsPort { host, port }) => format!(
                "Für {host}:{port} ist STARTTLS eingestellt, der Server erwartet dort aber TLS von Anfang an — \
                 bitte beim Postfach „TLS von Anfang an (SSL)“ wählen"
            ),
            (Language::En, Cause::StarttlsOnTlsPort { host, port }) => format!(
                "{host}:{port} is set to STARTTLS, but the server expects TLS from the start there — \
                 choose “TLS from the start (SSL)” for the mail account"
            ),
            (Language::De, Cause::HttpStatus { host, status }) => match status_words(*status, lang) {
                Some(words) => format!("Die Seite {host} antwortet mit dem HTTP-Status {status} ({words})"),
                None => format!("Die Seite {host} antwortet mit dem HTTP-Status {status}"),
            },
            (Language::En, Cause::HttpStatus { host, status }) => match status_words(*status, lang) {
                Some(words) => format!("The page at {host} answers with HTTP status {status} ({words})"),
                None => format!("The page at {host} answers with HTTP status {status}"),
            },
            (Language::De, Cause::TextMissing { host, expected }) => {
                format!("Auf der Seite {host} fehlt „{expected}“")
            }
            (Language::En, Cause::TextMissing { host, expected }) => {
                format!("The page at {host} does not say “{expected}”")
            }
            (Language::De, Cause::TooManyRedirects { host }) => {
                format!("Die Seite {host} leitet immer weiter und kommt nie an")
            }
            (Language::En, Cause::TooManyRedirects { host }) => {
                format!("The page at {host} keeps redirecting and never arrives")
            }
            (Language::De, Cause::PageCertificateUntrusted { host }) => format!(
                "Das Zertifikat von {host} stammt von einer Stelle, der dieser Computer nicht vertraut \
                 (ist es Ihre eigene Zertifizierungsstelle, geben Sie deren Zertifikat bei der Seite an)"
            ),
            (Language::En, Cause::PageCertificateUntrusted { host }) => format!(
                "The certificate of {host} comes from an authority this computer does not trust \
                 (if it is your own certificate authority, add its certificate to the page)"
            ),
        }
    }

    /// Whether the sentence says no more than "does not answer" (the provider's sentence then
    /// keeps its plain "mail servers do not answer since …").
    pub fn is_silence(&self) -> bool {
        matches!(self, Cause::Refused { .. } | Cause::Silent { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tls_mode_against_the_port_decides_whose_it_is() {
        assert_eq!(Cause::silent("h", 465, TlsMode::Starttls, None).owner(), Owner::Settings);
        assert_eq!(Cause::silent("h", 993, TlsMode::Starttls, None).owner(), Owner::Settings);
        // A server that hangs on its usual port is the provider's.
        assert_eq!(Cause::silent("h", 993, TlsMode::Implicit, None), Cause::Silent { host: "h".into() });
        assert_eq!(Cause::silent("h", 587, TlsMode::Starttls, None).owner(), Owner::Provider);
        assert_eq!(Cause::not_tls("h", 587, None).owner(), Owner::Settings);
        assert_eq!(Cause::not_tls("h", 143, None).owner(), Owner::Settings);
        assert_eq!(Cause::not_tls("h", 993, None), Cause::NotMail { host: "h".into() });
        // What a second look saw outweighs the port's convention.
        assert_eq!(Cause::silent("h", 2465, TlsMode::Starttls, Some(true)).owner(), Owner::Settings);
        assert_eq!(Cause::silent("h", 465, TlsMode::Starttls, Some(false)), Cause::Silent { host: "h".into() });
        assert_eq!(Cause::not_tls("h", 2587, Some(true)).owner(), Owner::Settings);
        assert_eq!(Cause::not_tls("h", 587, Some(false)), Cause::NotMail { host: "h".into() });
    }

    #[test]
    fn every_cause_reads_in_both_languages_and_names_the_host() {
        let host = "imap.example.de".to_owned();
        let causes = [
            Cause::NoSuchHost { host: host.clone() },
            Cause::Refused { host: host.clone() },
            Cause::Silent { host: host.clone() },
            Cause::Unavailable { host: host.clone(), reply: "421 try later".into() },
            Cause::NotMail { host: host.clone() },
            Cause::CertificateExpired { host: host.clone(), days: 3 },
            Cause::CertificateNotYetValid { host: host.clone() },
            Cause::CertificateWrongHost { host: host.clone() },
            Cause::CertificateUntrusted { host: host.clone() },
            Cause::NoStarttls { host: host.clone() },
            Cause::ImplicitTlsOnPlainPort { host: host.clone(), port: 587 },
            Cause::StarttlsOnTlsPort { host: host.clone(), port: 465 },
            Cause::HttpStatus { host: host.clone(), status: 503 },
            Cause::HttpStatus { host: host.clone(), status: 302 },
            Cause::TextMissing { host: host.clone(), expected: "operating normally".into() },
            Cause::TooManyRedirects { host: host.clone() },
            Cause::PageCertificateUntrusted { host: host.clone() },
        ];
        for cause in &causes {
            let (de, en) = (cause.sentence(Language::De), cause.sentence(Language::En));
            assert!(de.contains(&host) && en.contains(&host), "{de} / {en}");
            assert_ne!(de, en);
        }
        assert_eq!(causes[5].sentence(Language::De), "Das Zertifikat von imap.example.de ist seit 3 Tagen abgelaufen");
        assert_eq!(
            causes[12].sentence(Language::De),
            "Die Seite imap.example.de antwortet mit dem HTTP-Status 503 (Fehler beim Anbieter)"
        );
        assert_eq!(causes[13].sentence(Language::En), "The page at imap.example.de answers with HTTP status 302");
    }

    #[test]
    fn a_page_is_named_by_its_host_and_a_port_of_its_own() {
        assert_eq!(page_host("https://status.example.com/api/v2/summary.json"), "status.example.com");
        assert_eq!(page_host("https://status.example.com:443/"), "status.example.com");
        assert_eq!(page_host("http://127.0.0.1:8080/x?y#z"), "127.0.0.1:8080");
        assert_eq!(page_host("https://user:secret@web.example.org:8443"), "web.example.org:8443");
        assert_eq!(page_host("https://[::1]:80/"), "[::1]:80");
        assert_eq!(page_host("not a url"), "not a url");
    }

    #[test]
    fn a_pages_own_failures_are_the_providers_its_certificate_included() {
        let host = || "web.example.org".to_owned();
        for cause in [
            Cause::HttpStatus { host: host(), status: 503 },
            Cause::TextMissing { host: host(), expected: "ok".into() },
            Cause::TooManyRedirects { host: host() },
            Cause::PageCertificateUntrusted { host: host() },
        ] {
            assert_eq!(cause.owner(), Owner::Provider, "{cause:?}");
            assert!(!cause.is_silence());
        }
    }
}

//! The autoconfig file a domain may publish for mail programs (Thunderbird's
//! `config-v1.1.xml`): untrusted bytes → the IMAP, POP3 and SMTP servers it names.
//!
//! Only the parts a monitor needs are read: each `incomingServer`/`outgoingServer` with its
//! `type`, `hostname`, `port` and `socketType`. Everything else (authentication, usernames,
//! Exchange and webmail entries) is skipped. Plaintext servers are dropped: nobody should
//! send a password to them, and we will not watch them on the user's behalf.

use quick_xml::events::Event;
use quick_xml::{Reader, XmlVersion};

use crate::catalog::{MailKind, TlsMode};

/// More servers than this in one file is not a mail setup but an attempt to flood the list.
pub const MAX_SERVERS: usize = 16;

/// One server the file names, with the user's domain substituted into its host name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Server {
    pub kind: MailKind,
    pub host: String,
    pub port: u16,
    pub tls: TlsMode,
}

/// Why a body is not an autoconfig file we can use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("not well-formed XML: {0}")]
    Xml(String),
    #[error("the document is not a <clientConfig>")]
    NotClientConfig,
    #[error("the file names no IMAP, POP3 or SMTP server with TLS")]
    NoServers,
    #[error("the file names more than {MAX_SERVERS} servers")]
    TooManyServers,
}

/// The server being read: which element it is in, and what was seen so far.
#[derive(Debug, Default)]
struct Partial {
    kind: Option<MailKind>,
    host: Option<String>,
    port: Option<u16>,
    /// `None` also for plaintext, which is dropped like a missing socket type.
    tls: Option<TlsMode>,
    poisoned: bool,
}

/// Reads an autoconfig document; `domain` replaces `%EMAILDOMAIN%` in host names.
pub fn parse(body: &[u8], domain: &str) -> Result<Vec<Server>, Error> {
    let mut reader = Reader::from_reader(body);
    reader.config_mut().trim_text(true);
    let mut buf = Vec::new();
    // Element names from the root down; the depth bounds nothing we keep, it only tells
    // where text belongs.
    let mut path: Vec<String> = Vec::new();
    let mut root_seen = false;
    let mut current: Option<Partial> = None;
    let mut servers = Vec::new();
    let mut seen = 0usize;
    loop {
        let event = reader.read_event_into(&mut buf).map_err(|e| Error::Xml(e.to_string()))?;
        match event {
            Event::Start(start) => {
                let name = start.local_name().as_ref().to_owned();
                if !root_seen {
                    if name != "clientConfig" {
                        return Err(Error::NotClientConfig);
                    }
                    root_seen = true;
                }
                if current.is_none() && matches!(name.as_str(), "incomingServer" | "outgoingServer") {
                    seen += 1;
                    if seen > MAX_SERVERS * 2 {
                        return Err(Error::TooManyServers);
                    }
                    let kind = start
                        .try_get_attribute("type")
                        .ok()
                        .flatten()
                        .and_then(|a| a.normalized_value(XmlVersion::Implicit1_0).ok().map(|v| v.to_ascii_lowercase()))
                        .and_then(|t| match (name.as_str(), t.as_str()) {
                            ("incomingServer", "imap") => Some(MailKind::Imap),
                            ("incomingServer", "pop3") => Some(MailKind::Pop3),
                            ("outgoingServer", "smtp") => Some(MailKind::Smtp),
                            _ => None,
                        });
                    current = Some(Partial { kind, ..Partial::default() });
                }
                path.push(name);
            }
            Event::Empty(start) if !root_seen => {
                return Err(if start.local_name().as_ref() == "clientConfig" {
                    Error::NoServers
                } else {
                    Error::NotClientConfig
                });
            }
            Event::Text(text) => {
                let (Some(partial), Some(field)) = (current.as_mut(), path.last()) else { continue };
                let value = text.xml10_content().trim().to_owned();
                match field.as_str() {
                    "hostname" => partial.host = Some(value),
                    "port" => partial.port = value.parse().ok(),
                    "socketType" => {
                        partial.tls = match value.to_ascii_uppercase().as_str() {
                            "SSL" | "TLS" => Some(TlsMode::Implicit),
                            "STARTTLS" => Some(TlsMode::Starttls),
                            _ => None,
                        };
                    }
                    _ => {}
                }
            }
            // Host names, ports and TLS words never need an entity; one in them is a trick.
            Event::GeneralRef(_) => {
                if let Some(partial) = current.as_mut() {
                    partial.poisoned = true;
                }
            }
            Event::End(end) => {
                path.pop();
                if matches!(end.local_name().as_ref(), "incomingServer" | "outgoingServer")
                    && let Some(partial) = current.take()
                    && let Some(server) = finish(partial, domain)
                    && !servers.contains(&server)
                {
                    servers.push(server);
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if !root_seen {
        return Err(Error::NotClientConfig);
    }
    if servers.len() > MAX_SERVERS {
        return Err(Error::TooManyServers);
    }
    if servers.is_empty() {
        return Err(Error::NoServers);
    }
    Ok(servers)
}

/// A complete server with TLS, or nothing: a half-described entry is not guessed at.
fn finish(partial: Partial, domain: &str) -> Option<Server> {
    if partial.poisoned {
        return None;
    }
    let kind = partial.kind?;
    let tls = partial.tls?;
    let port = partial.port.filter(|p| *p != 0)?;
    let host = partial.host?.replace("%EMAILDOMAIN%", domain).to_ascii_lowercase();
    super::valid_host(&host).then_some(Server { kind, host, port, tls })
}

#[cfg(test)]
mod tests {
    use super::*;

    const THUNDERBIRD_SAMPLE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="meine-firma.test">
    <domain>meine-firma.test</domain>
    <displayName>Meine Firma</displayName>
    <incomingServer type="imap">
      <hostname>imap.%EMAILDOMAIN%</hostname>
      <port>993</port>
      <socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>password-cleartext</authentication>
    </incomingServer>
    <incomingServer type="pop3">
      <hostname>pop.meine-firma.test</hostname>
      <port>110</port>
      <socketType>plain</socketType>
    </incomingServer>
    <incomingServer type="exchange">
      <hostname>ews.meine-firma.test</hostname>
      <port>443</port>
      <socketType>SSL</socketType>
    </incomingServer>
    <outgoingServer type="smtp">
      <hostname>SMTP.Meine-Firma.test</hostname>
      <port>587</port>
      <socketType>STARTTLS</socketType>
    </outgoingServer>
  </emailProvider>
</clientConfig>"#;

    #[test]
    fn reads_servers_with_tls_and_substitutes_the_domain() {
        let servers = parse(THUNDERBIRD_SAMPLE.as_bytes(), "meine-firma.test").unwrap();
        assert_eq!(
            servers,
            vec![
                Server {
                    kind: MailKind::Imap,
                    host: "imap.meine-firma.test".into(),
                    port: 993,
                    tls: TlsMode::Implicit
                },
                Server {
                    kind: MailKind::Smtp,
                    host: "smtp.meine-firma.test".into(),
                    port: 587,
                    tls: TlsMode::Starttls
                },
            ]
        );
    }

    #[test]
    fn rejects_what_is_not_a_client_config() {
        assert!(matches!(parse(b"<html><body>hello</body></html>", "x.test"), Err(Error::NotClientConfig)));
        assert!(matches!(parse(b"{\"json\": true}", "x.test"), Err(Error::NotClientConfig)));
        assert!(matches!(parse(b"", "x.test"), Err(Error::NotClientConfig)));
        assert!(matches!(parse(b"<clientConfig/>", "x.test"), Err(Error::NoServers)));
        assert!(matches!(parse(b"<clientConfig><a></b></clientConfig>", "x.test"), Err(Error::Xml(_))));
        let plain_only = "<clientConfig><emailProvider><incomingServer type=\"imap\"><hostname>imap.x.test</hostname><port>143</port><socketType>plain</socketType></incomingServer></emailProvider></clientConfig>";
        assert!(matches!(parse(plain_only.as_bytes(), "x.test"), Err(Error::NoServers)));
    }

    #[test]
    fn refuses_hosts_that_are_not_host_names_and_floods() {
        let odd = "<clientConfig><incomingServer type=\"imap\"><hostname>imap.x.test/../evil</hostname><port>993</port><socketType>SSL</socketType></incomingServer><incomingServer type=\"imap\"><hostname>%EMAILLOCALPART%.x.test</hostname><port>993</port><socketType>SSL</socketType></incomingServer></clientConfig>";
        assert!(matches!(parse(odd.as_bytes(), "x.test"), Err(Error::NoServers)));
        let one = "<incomingServer type=\"imap\"><hostname>imap.x.test</hostname><port>993</port><socketType>SSL</socketType></incomingServer>";
        let flood = format!("<clientConfig>{}</clientConfig>", one.repeat(MAX_SERVERS * 2 + 1));
        assert!(matches!(parse(flood.as_bytes(), "x.test"), Err(Error::TooManyServers)));
        // Repeats of one server are one server.
        let repeated = format!("<clientConfig>{}</clientConfig>", one.repeat(3));
        assert_eq!(parse(repeated.as_bytes(), "x.test").unwrap().len(), 1);
    }
}

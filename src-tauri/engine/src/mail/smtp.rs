//! The SMTP submission dialogue (RFC 5321, RFC 3207 STARTTLS, RFC 4954 AUTH, RFC 8314):
//! greeting, EHLO, STARTTLS and EHLO again, AUTH PLAIN or LOGIN, NOOP, QUIT — and the round
//! trip's submission of one test mail.

use outage_core::config::{Mail, TlsMode};
use outage_core::model::Reason;

use super::session::{MAX_REPLY, Session};
use super::{Done, Fail, Hint, Login, base64, budget, implicit_tls, quote, sasl_plain, upgrade_missing};

/// A reply: its code and the text of each line.
pub(super) struct Reply {
    pub(super) code: u16,
    pub(super) lines: Vec<String>,
}

impl Reply {
    fn text(&self) -> String {
        quote(&format!("{} {}", self.code, self.lines.join(" ")))
    }

    fn class(&self) -> u16 {
        self.code / 100
    }
}

/// Collects the lines of one (possibly multi-line) reply, as they arrive.
#[derive(Default)]
pub(super) struct ReplyLines {
    lines: Vec<String>,
    code: Option<u16>,
    total: usize,
}

impl ReplyLines {
    /// Takes the next line: `Some` once the reply is complete. Anything that is not
    /// `NNN[ -]text` is garbage.
    pub(super) fn push(&mut self, line: &str, greeting: bool) -> Result<Option<Reply>, Fail> {
        self.total += line.len();
        if self.total > MAX_REPLY {
            return Err(Fail::transient(Reason::TooLarge, "the reply is larger than 64 KiB".to_owned()));
        }
        let digits = line.get(..3).filter(|d| d.bytes().all(|b| b.is_ascii_digit()));
        let separator = line.as_bytes().get(3).copied();
        let (Some(digits), Some(b' ' | b'-') | None) = (digits, separator) else {
            let reason = if greeting { Reason::Banner } else { Reason::Protocol };
            let what = if greeting { "not an SMTP greeting" } else { "not an SMTP reply" };
            let fail = Fail::transient(reason, format!("{what}: {}", quote(line)));
            return Err(if greeting { fail.hinting(Hint::NotMail) } else { fail });
        };
        let this: u16 = digits.parse().unwrap_or(0);
        if self.code.is_some_and(|c| c != this) {
            return Err(Fail::transient(Reason::Protocol, format!("reply lines disagree: {}", quote(line))));
        }
        self.code = Some(this);
        self.lines.push(line.get(4..).unwrap_or("").to_owned());
        if separator != Some(b'-') {
            return Ok(Some(Reply { code: this, lines: std::mem::take(&mut self.lines) }));
        }
        Ok(None)
    }
}

/// Reads a (possibly multi-line) reply.
async fn reply(s: &mut Session, greeting: bool) -> Result<Reply, Fail> {
    let mut reply = ReplyLines::default();
    loop {
        let line = s.read_line().await?;
        if let Some(done) = reply.push(&line, greeting)? {
            return Ok(done);
        }
    }
}

/// A reply that is not the expected one, as a failure: 4xx transient, 5xx permanent.
fn refused(reply: &Reply, reason: Reason, what: &str) -> Fail {
    let message = format!("{what}: {}", reply.text());
    if reply.class() == 4 { Fail::transient(reason, message) } else { Fail::permanent(reason, message) }
}

/// `EHLO` with an address literal of our side (RFC 5321 §4.1.3): no name to leak or invent.
fn ehlo(s: &Session) -> String {
    match s.local.map(|a| a.ip()) {
        Some(std::net::IpAddr::V4(ip)) => format!("EHLO [{ip}]"),
        Some(std::net::IpAddr::V6(ip)) => format!("EHLO [IPv6:{ip}]"),
        None => "EHLO localhost".to_owned(),
    }
}

async fn capabilities(s: &mut Session) -> Result<Vec<String>, Fail> {
    s.begin("capabilities", budget::COMMAND);
    let line = ehlo(s);
    s.send(&line, &line).await?;
    let r = reply(s, false).await?;
    if r.code != 250 {
        return Err(refused(&r, Reason::Protocol, "EHLO was refused"));
    }
    // The first line is the server's name; the rest are extensions.
    Ok(r.lines.into_iter().skip(1).map(|l| l.to_ascii_uppercase()).collect())
}

pub(super) fn mechanisms(caps: &[String]) -> Vec<String> {
    caps.iter()
        .filter_map(|c| c.strip_prefix("AUTH ").or_else(|| c.strip_prefix("AUTH=")))
        .flat_map(|m| m.split_whitespace().map(str::to_owned))
        .collect()
}

pub async fn dialogue(s: &mut Session, ep: &Mail, login: Option<Login<'_>>) -> Result<Done, Fail> {
    let done = open(s, ep, login).await?;
    s.begin("noop", budget::COMMAND);
    s.send("NOOP", "NOOP").await?;
    let r = reply(s, false).await?;
    if r.class() != 2 {
        return Err(refused(&r, Reason::Protocol, "NOOP was refused"));
    }
    quit(s).await;
    Ok(done)
}

async fn quit(s: &mut Session) {
    s.begin("logout", budget::LOGOUT);
    // The answer to QUIT changes nothing: the server was fine until here.
    if s.send("QUIT", "QUIT").await.is_ok() {
        let _ = reply(s, false).await;
    }
}

/// Submits one message (RFC 5321 §3.3): MAIL, RCPT, DATA with dot-stuffing. A refusal is
/// `rejected` (5xx permanent, 4xx transient); a refused login is `auth`, the account's.
pub async fn submit(
    s: &mut Session,
    ep: &Mail,
    login: Login<'_>,
    from: &str,
    to: &str,
    message: &str,
) -> Result<(), Fail> {
    open(s, ep, Some(login)).await?;
    s.begin("mail", budget::COMMAND);
    let line = format!("MAIL FROM:<{from}>");
    s.send(&line, &line).await?;
    let r = reply(s, false).await?;
    if r.class() != 2 {
        return Err(refused(&r, Reason::Rejected, "the sender was refused"));
    }
    s.begin("rcpt", budget::COMMAND);
    let line = format!("RCPT TO:<{to}>");
    s.send(&line, &line).await?;
    let r = reply(s, false).await?;
    if r.class() != 2 {
        return Err(refused(&r, Reason::Rejected, "the recipient was refused"));
    }
    s.begin("data", budget::COMMAND);
    s.send("DATA", "DATA").await?;
    let r = reply(s, false).await?;
    if r.code != 354 {
        return Err(refused(&r, Reason::Rejected, "DATA was refused"));
    }
    let mut body = String::with_capacity(message.len() + 8);
    for line in message.trim_end_matches("\r\n").split("\r\n") {
        if line.starts_with('.') {
            body.push('.');
        }
        body.push_str(line);
        body.push_str("\r\n");
    }
    body.push('.');
    s.send(&body, "<message>").await?;
    let r = reply(s, false).await?;
    if r.class() != 2 {
        return Err(refused(&r, Reason::Rejected, "the message was refused"));
    }
    quit(s).await;
    Ok(())
}

/// Greeting, EHLO, STARTTLS and EHLO again, and the login when one is given.
async fn open(s: &mut Session, ep: &Mail, login: Option<Login<'_>>) -> Result<Done, Fail> {
    implicit_tls(s, ep).await?;
    s.begin("greeting", budget::GREETING);
    let greeting = reply(s, true).await?;
    if greeting.code != 220 {
        let reply = greeting.text();
        return Err(refused(&greeting, Reason::Banner, "the server refused service").hinting(Hint::Refusal { reply }));
    }
    let mut caps = capabilities(s).await?;
    if ep.tls == TlsMode::Starttls {
        if !caps.iter().any(|c| c == "STARTTLS") {
            return Err(upgrade_missing("STARTTLS"));
        }
        s.begin("starttls", budget::COMMAND);
        s.send("STARTTLS", "STARTTLS").await?;
        let r = reply(s, false).await?;
        if r.code != 220 {
            return Err(refused(&r, Reason::Tls, "STARTTLS was refused"));
        }
        s.start_tls(&ep.host, ep.ca_file.as_deref()).await?;
        // RFC 3207 §4.2: what was said before TLS no longer counts.
        caps = capabilities(s).await?;
    }
    let mut done = Done::default();
    if let Some(login) = login {
        authenticate(s, &caps, login).await?;
        done.logged_in = true;
    }
    Ok(done)
}

async fn authenticate(s: &mut Session, caps: &[String], login: Login<'_>) -> Result<(), Fail> {
    s.begin_login()?;
    let mechanisms = mechanisms(caps);
    let r = if mechanisms.iter().any(|m| m == "PLAIN") {
        s.send(&format!("AUTH PLAIN {}", sasl_plain(login)), "AUTH PLAIN <redacted>").await?;
        reply(s, false).await?
    } else if mechanisms.iter().any(|m| m == "LOGIN") {
        s.send("AUTH LOGIN", "AUTH LOGIN").await?;
        let r = reply(s, false).await?;
        if r.code != 334 {
            return Err(auth_failed(&r));
        }
        let user = base64(login.username.as_bytes());
        s.send(&user, &user).await?;
        let r = reply(s, false).await?;
        if r.code != 334 {
            return Err(auth_failed(&r));
        }
        s.send(&base64(login.password.as_bytes()), "<redacted>").await?;
        reply(s, false).await?
    } else {
        return Err(Fail::permanent(
            Reason::Protocol,
            "the server offers no password login (AUTH PLAIN or LOGIN) after TLS".to_owned(),
        ));
    };
    if r.code == 235 { Ok(()) } else { Err(auth_failed(&r)) }
}

/// 535/534/5xx: the credentials (or the account) were refused. 454/4xx: the server's login
/// service has trouble — an outage on their side, not the user's password.
pub(super) fn auth_failed(r: &Reply) -> Fail {
    match r.class() {
        5 => Fail::permanent(Reason::Auth, format!("the login was refused: {}", r.text())),
        4 => Fail::transient(Reason::Protocol, format!("the server cannot check logins right now: {}", r.text())),
        _ => Fail::transient(Reason::Protocol, format!("unexpected answer to AUTH: {}", r.text())),
    }
}

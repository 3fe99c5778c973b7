//! The POP3 dialogue (RFC 1939, RFC 2449 CAPA, RFC 2595 STLS, RFC 3206 response codes):
//! greeting, CAPA, STLS and CAPA again, USER/PASS or AUTH PLAIN, STAT, QUIT.

use outage_core::config::{Mail, TlsMode};
use outage_core::model::Reason;

use super::session::{MAX_REPLY, Session};
use super::{Done, Fail, Hint, Login, budget, implicit_tls, quote, sasl_plain, upgrade_missing};

/// `+OK …` or `-ERR …`.
pub(super) fn status_of(line: String, greeting: bool) -> Result<Result<String, String>, Fail> {
    if line.starts_with("+OK") {
        Ok(Ok(line))
    } else if line.starts_with("-ERR") {
        Ok(Err(line))
    } else {
        let (reason, what) =
            if greeting { (Reason::Banner, "not a POP3 greeting") } else { (Reason::Protocol, "not a POP3 answer") };
        let fail = Fail::transient(reason, format!("{what}: {}", quote(&line)));
        Err(if greeting { fail.hinting(Hint::NotMail) } else { fail })
    }
}

async fn status(s: &mut Session, greeting: bool) -> Result<Result<String, String>, Fail> {
    status_of(s.read_line().await?, greeting)
}

/// Collects the lines of a multi-line answer, up to the lone `.`.
#[derive(Default)]
pub(super) struct Multiline {
    lines: Vec<String>,
    total: usize,
}

impl Multiline {
    /// Takes the next line: `Some` at the end of the answer.
    pub(super) fn push(&mut self, line: &str) -> Result<Option<Vec<String>>, Fail> {
        self.total += line.len();
        if self.total > MAX_REPLY {
            return Err(Fail::transient(Reason::TooLarge, "the answer is larger than 64 KiB".to_owned()));
        }
        if line == "." {
            return Ok(Some(std::mem::take(&mut self.lines)));
        }
        self.lines.push(line.strip_prefix('.').unwrap_or(line).to_owned());
        Ok(None)
    }
}

async fn multiline(s: &mut Session) -> Result<Vec<String>, Fail> {
    let mut answer = Multiline::default();
    loop {
        let line = s.read_line().await?;
        if let Some(lines) = answer.push(&line)? {
            return Ok(lines);
        }
    }
}

async fn capabilities(s: &mut Session) -> Result<Vec<String>, Fail> {
    s.begin("capabilities", budget::COMMAND);
    s.send("CAPA", "CAPA").await?;
    match status(s, false).await? {
        Ok(_) => Ok(multiline(s).await?.into_iter().map(|l| l.to_ascii_uppercase()).collect()),
        // RFC 1939 servers without CAPA: nothing is advertised, USER/PASS is assumed.
        Err(_) => Ok(Vec::new()),
    }
}

/// RFC 3206: `[AUTH]` is the credentials, `[SYS/TEMP]` and `[IN-USE]` are the server's
/// passing trouble, `[SYS/PERM]` its lasting trouble. Without a code a refused PASS means
/// the credentials.
pub(super) fn classify(line: &str, during: &str) -> Fail {
    let upper = line.to_ascii_uppercase();
    let text = quote(line);
    if upper.contains("[SYS/TEMP]") || upper.contains("[IN-USE]") || upper.contains("[LOGIN-DELAY]") {
        Fail::transient(Reason::Protocol, format!("the server cannot serve the mailbox right now: {text}"))
    } else if upper.contains("[SYS/PERM]") {
        Fail::permanent(Reason::Protocol, format!("the server reports a lasting problem: {text}"))
    } else if during == "login" {
        Fail::permanent(Reason::Auth, format!("the login was refused: {text}"))
    } else {
        Fail::transient(Reason::Protocol, format!("{during} failed: {text}"))
    }
}

pub async fn dialogue(s: &mut Session, ep: &Mail, login: Option<Login<'_>>) -> Result<Done, Fail> {
    implicit_tls(s, ep).await?;
    s.begin("greeting", budget::GREETING);
    if let Err(line) = status(s, true).await? {
        let fail = classify(&line, "greeting");
        return Err(Fail {
            reason: Reason::Banner,
            message: format!("the server refused service: {}", quote(&line)),
            hint: Some(Hint::Refusal { reply: quote(&line) }),
            ..fail
        });
    }
    let mut caps = capabilities(s).await?;
    if ep.tls == TlsMode::Starttls {
        if !caps.iter().any(|c| c == "STLS") {
            return Err(upgrade_missing("STLS"));
        }
        s.begin("starttls", budget::COMMAND);
        s.send("STLS", "STLS").await?;
        if let Err(line) = status(s, false).await? {
            return Err(Fail::transient(Reason::Tls, format!("STLS was refused: {}", quote(&line))));
        }
        s.start_tls(&ep.host, ep.ca_file.as_deref()).await?;
        caps = capabilities(s).await?;
    }
    let mut done = Done::default();
    if let Some(login) = login {
        authenticate(s, &caps, login).await?;
        done.logged_in = true;
        // STAT is the harmless command of the TRANSACTION state: it reads, changes nothing.
        s.begin("stat", budget::COMMAND);
        s.send("STAT", "STAT").await?;
        if let Err(line) = status(s, false).await? {
            return Err(classify(&line, "STAT"));
        }
    }
    s.begin("logout", budget::LOGOUT);
    if s.send("QUIT", "QUIT").await.is_ok() {
        let _ = status(s, false).await;
    }
    Ok(done)
}

async fn authenticate(s: &mut Session, caps: &[String], login: Login<'_>) -> Result<(), Fail> {
    s.begin_login()?;
    let sasl_plain_offered = caps.iter().any(|c| c.starts_with("SASL") && c.split_whitespace().any(|m| m == "PLAIN"));
    let user_offered = caps.is_empty() || caps.iter().any(|c| c == "USER");
    if user_offered {
        if login.username.contains(['\r', '\n']) || login.password.contains(['\r', '\n']) {
            return Err(Fail::permanent(Reason::Auth, "the username or password contains a line break".to_owned()));
        }
        s.send(&format!("USER {}", login.username), &format!("USER {}", login.username)).await?;
        if let Err(line) = status(s, false).await? {
            return Err(classify(&line, "login"));
        }
        s.send(&format!("PASS {}", login.password), "PASS <redacted>").await?;
    } else if sasl_plain_offered {
        s.send(&format!("AUTH PLAIN {}", sasl_plain(login)), "AUTH PLAIN <redacted>").await?;
    } else {
        return Err(Fail::permanent(
            Reason::Protocol,
            "the server offers no password login (USER or SASL PLAIN) after TLS".to_owned(),
        ));
    }
    match status(s, false).await? {
        Ok(_) => Ok(()),
        Err(line) => Err(classify(&line, "login")),
    }
}

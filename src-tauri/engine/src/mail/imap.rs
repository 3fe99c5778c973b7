//! The IMAP dialogue (RFC 9051/3501, RFC 2595 STARTTLS, RFC 5530 response codes): greeting,
//! CAPABILITY, STARTTLS and CAPABILITY again, AUTHENTICATE PLAIN or LOGIN, NOOP, LOGOUT — and
//! the round trip's look for its test mails (LIST, SELECT, UID SEARCH, FETCH, UID EXPUNGE).

use outage_core::config::{Mail, TlsMode};
use outage_core::model::Reason;

use super::session::{MAX_REPLY, Session};
use super::{Done, Fail, Hint, Login, budget, implicit_tls, quote, sasl_plain, upgrade_missing};

/// A tagged completion: `OK`, `NO` or `BAD`, its response code and text.
pub(super) struct Completion {
    pub(super) status: String,
    pub(super) line: String,
    untagged: Vec<String>,
}

impl Completion {
    fn ok(&self) -> bool {
        self.status == "OK"
    }

    /// The response code in brackets (`AUTHENTICATIONFAILED`), upper case.
    pub(super) fn code(&self) -> Option<String> {
        let rest = self.line.split_once('[')?.1;
        let code = rest.split([']', ' ']).next()?;
        Some(code.to_ascii_uppercase())
    }
}

/// Numbers the commands of one session.
struct Tags(u32);

impl Tags {
    fn next(&mut self) -> String {
        self.0 += 1;
        format!("a{}", self.0)
    }
}

/// Collects the untagged lines before the completion of `tag`, as they arrive.
#[derive(Default)]
pub(super) struct Completer {
    untagged: Vec<String>,
    total: usize,
}

impl Completer {
    /// Takes the next line: `Some` at the completion. `* BYE` means the server is hanging
    /// up. A continuation request (`+`) ends the wait too: the caller decides what to send.
    pub(super) fn push(&mut self, line: String, tag: &str) -> Result<Option<Completion>, Fail> {
        self.total += line.len();
        if self.total > MAX_REPLY {
            return Err(Fail::transient(Reason::TooLarge, "the response is larger than 64 KiB".to_owned()));
        }
        if let Some(rest) = line.strip_prefix(tag).and_then(|r| r.strip_prefix(' ')) {
            let status = rest.split_whitespace().next().unwrap_or("").to_ascii_uppercase();
            if !matches!(status.as_str(), "OK" | "NO" | "BAD") {
                return Err(Fail::transient(Reason::Protocol, format!("not an IMAP completion: {}", quote(&line))));
            }
            return Ok(Some(Completion { status, line, untagged: std::mem::take(&mut self.untagged) }));
        }
        if line.get(..5).is_some_and(|p| p.eq_ignore_ascii_case("* BYE")) {
            return Err(Fail::transient(Reason::Protocol, format!("the server ended the session: {}", quote(&line))));
        }
        if line.starts_with('+') {
            return Ok(Some(Completion { status: "+".to_owned(), line, untagged: std::mem::take(&mut self.untagged) }));
        }
        if !line.starts_with("* ") {
            return Err(Fail::transient(Reason::Protocol, format!("not an IMAP response: {}", quote(&line))));
        }
        self.untagged.push(line);
        Ok(None)
    }
}

/// Reads until the completion of `tag`.
async fn complete(s: &mut Session, tag: &str) -> Result<Completion, Fail> {
    let mut completer = Completer::default();
    loop {
        let line = s.read_line().await?;
        if let Some(done) = completer.push(line, tag)? {
            return Ok(done);
        }
    }
}

/// The capabilities a `CAPABILITY` completion lists, upper case.
pub(super) fn capabilities_of(c: &Completion) -> Vec<String> {
    c.untagged
        .iter()
        .filter_map(|l| l.strip_prefix("* CAPABILITY ").or_else(|| l.strip_prefix("* capability ")))
        .flat_map(|l| l.split_whitespace().map(str::to_ascii_uppercase))
        .collect()
}

async fn capabilities(s: &mut Session, tags: &mut Tags) -> Result<Vec<String>, Fail> {
    s.begin("capabilities", budget::COMMAND);
    let tag = tags.next();
    s.send(&format!("{tag} CAPABILITY"), &format!("{tag} CAPABILITY")).await?;
    let c = complete(s, &tag).await?;
    if !c.ok() {
        return Err(Fail::transient(Reason::Protocol, format!("CAPABILITY failed: {}", quote(&c.line))));
    }
    Ok(capabilities_of(&c))
}

pub async fn dialogue(s: &mut Session, ep: &Mail, login: Option<Login<'_>>) -> Result<Done, Fail> {
    let (mut tags, _, done) = open(s, ep, login).await?;
    s.begin("noop", budget::COMMAND);
    let tag = tags.next();
    s.send(&format!("{tag} NOOP"), &format!("{tag} NOOP")).await?;
    let c = complete(s, &tag).await?;
    if !c.ok() {
        return Err(Fail::transient(Reason::Protocol, format!("NOOP failed: {}", quote(&c.line))));
    }
    logout(s, &mut tags).await;
    Ok(done)
}

async fn logout(s: &mut Session, tags: &mut Tags) {
    s.begin("logout", budget::LOGOUT);
    let tag = tags.next();
    if s.send(&format!("{tag} LOGOUT"), &format!("{tag} LOGOUT")).await.is_ok() {
        // `* BYE` comes first and reads as the end of the session: either way we are done.
        let _ = complete(s, &tag).await;
    }
}

/// The most of one message a look reads: test mails and their bounces are small.
pub const MAX_MESSAGE: usize = 64 * 1024;
/// The most messages a look reads per folder.
const MAX_FOUND: usize = 50;

/// A message a look found, as the server sent it (cut at [`MAX_MESSAGE`]).
#[derive(Debug)]
pub struct Fetched {
    pub junk: bool,
    pub bytes: Vec<u8>,
}

/// The round trip's look: logs in, finds the spam folders (SPECIAL-USE `\Junk`, or the
/// usual names), and in each of them and the INBOX fetches every message that mentions
/// `needle` and came in on `since` or later. `keep` decides which are ours; those are deleted (UID EXPUNGE where the server
/// has UIDPLUS, so no other deleted-flagged mail of the user's goes with them).
pub async fn look(
    s: &mut Session,
    ep: &Mail,
    login: Login<'_>,
    needle: &str,
    since: chrono::NaiveDate,
    mut keep: impl FnMut(&Fetched) -> bool,
) -> Result<Vec<Fetched>, Fail> {
    let (mut tags, _, _) = open(s, ep, Some(login)).await?;
    // RFC 9051 §6.2: capabilities may change with the login (UIDPLUS, SPECIAL-USE).
    let caps = capabilities(s, &mut tags).await?;
    s.begin("list", budget::COMMAND);
    let tag = tags.next();
    s.send(&format!("{tag} LIST \"\" \"*\""), &format!("{tag} LIST \"\" \"*\"")).await?;
    let c = complete(s, &tag).await?;
    if !c.ok() {
        return Err(Fail::transient(Reason::Protocol, format!("LIST failed: {}", quote(&c.line))));
    }
    let mut folders = vec![("INBOX".to_owned(), false)];
    folders.extend(c.untagged.iter().filter_map(|l| list_entry(l)).filter(|f| f.1).map(|(name, _)| (name, true)));
    let uidplus = caps.iter().any(|c| c == "UIDPLUS");
    let mut found = Vec::new();
    for (folder, junk) in folders {
        let Some(name) = quoted(&folder) else { continue };
        s.begin("select", budget::COMMAND);
        let tag = tags.next();
        s.send(&format!("{tag} SELECT {name}"), &format!("{tag} SELECT {name}")).await?;
        if !complete(s, &tag).await?.ok() {
            continue;
        }
        s.begin("search", budget::COMMAND);
        let tag = tags.next();
        // SINCE first: the server reads the bodies of recent mail only, not of a mailbox of
        // years (without a full-text index, TEXT reads every message).
        let search = format!("{tag} UID SEARCH SINCE {} TEXT \"{needle}\"", since.format("%-d-%b-%Y"));
        s.send(&search, &search).await?;
        let c = complete(s, &tag).await?;
        if !c.ok() {
            return Err(Fail::transient(Reason::Protocol, format!("SEARCH failed: {}", quote(&c.line))));
        }
        let uids: Vec<u32> = c
            .untagged
            .iter()
            .filter_map(|l| l.strip_prefix("* SEARCH"))
            .flat_map(|l| l.split_whitespace().filter_map(|n| n.parse().ok()))
            .take(MAX_FOUND)
            .collect();
        let mut ours = Vec::new();
        for uid in uids {
            s.begin("fetch", budget::COMMAND);
            if let Some(bytes) = fetch(s, &mut tags, uid).await? {
                let fetched = Fetched { junk, bytes };
                if keep(&fetched) {
                    ours.push(uid);
                    found.push(fetched);
                }
            }
        }
        if !ours.is_empty() {
            let set = ours.iter().map(u32::to_string).collect::<Vec<_>>().join(",");
            s.begin("delete", budget::COMMAND);
            let tag = tags.next();
            let store = format!("{tag} UID STORE {set} +FLAGS.SILENT (\\Deleted)");
            s.send(&store, &store).await?;
            if !complete(s, &tag).await?.ok() {
                continue;
            }
            let tag = tags.next();
            let expunge = if uidplus { format!("{tag} UID EXPUNGE {set}") } else { format!("{tag} EXPUNGE") };
            s.send(&expunge, &expunge).await?;
            let _ = complete(s, &tag).await?;
        }
    }
    logout(s, &mut tags).await;
    Ok(found)
}

/// One message's first [`MAX_MESSAGE`] bytes, without setting `\Seen`.
async fn fetch(s: &mut Session, tags: &mut Tags, uid: u32) -> Result<Option<Vec<u8>>, Fail> {
    let tag = tags.next();
    let line = format!("{tag} UID FETCH {uid} (BODY.PEEK[]<0.{MAX_MESSAGE}>)");
    s.send(&line, &line).await?;
    let mut body = None;
    loop {
        let line = s.read_line().await?;
        if line.strip_prefix(tag.as_str()).is_some_and(|r| r.starts_with(' ')) {
            return Ok(body);
        }
        if let Some(n) = literal_len(&line) {
            if n > MAX_MESSAGE + 1024 {
                return Err(Fail::transient(
                    Reason::TooLarge,
                    format!("a {n}-byte literal for a {MAX_MESSAGE}-byte fetch"),
                ));
            }
            body = Some(s.read_bytes(n).await?);
        }
    }
}

/// `{123}` at the end of a line announces a literal of 123 bytes.
pub(super) fn literal_len(line: &str) -> Option<usize> {
    let open = line.strip_suffix('}')?.rfind('{')?;
    line[open + 1..line.len() - 1].parse().ok()
}

/// A `* LIST` line's mailbox name and whether it is a spam folder (RFC 6154 `\Junk`, or
/// one of the usual names in English and German, at any depth).
pub(super) fn list_entry(line: &str) -> Option<(String, bool)> {
    let rest = line.strip_prefix("* LIST ").or_else(|| line.strip_prefix("* list "))?;
    let (flags, rest) = rest.strip_prefix('(')?.split_once(')')?;
    let rest = rest.trim_start();
    let (delimiter, rest) = if let Some(r) = rest.strip_prefix('"') {
        let end = if r.starts_with('\\') { 2 } else { 1 };
        (r.get(..end).unwrap_or("").trim_start_matches('\\').to_owned(), r.get(end + 1..)?.trim_start())
    } else {
        let (token, r) = rest.split_once(' ')?;
        (if token.eq_ignore_ascii_case("NIL") { String::new() } else { token.to_owned() }, r.trim_start())
    };
    let name = if let Some(q) = rest.strip_prefix('"') {
        let mut out = String::new();
        let mut chars = q.chars();
        loop {
            match chars.next()? {
                '\\' => out.push(chars.next()?),
                '"' => break,
                c => out.push(c),
            }
        }
        out
    } else if rest.ends_with('}') {
        return None;
    } else {
        rest.trim().to_owned()
    };
    let leaf =
        if delimiter.is_empty() { name.as_str() } else { name.rsplit(delimiter.as_str()).next().unwrap_or(&name) };
    let usual = ["junk", "spam", "spamverdacht", "unerw&apw-nscht", "junk e-mail", "junk-e-mail"]
        .contains(&leaf.to_ascii_lowercase().as_str());
    let flagged = flags.split_whitespace().any(|f| f.eq_ignore_ascii_case("\\Junk"));
    Some((name.clone(), flagged || usual))
}

/// Greeting, CAPABILITY, STARTTLS and CAPABILITY again, and the login when one is given.
async fn open(s: &mut Session, ep: &Mail, login: Option<Login<'_>>) -> Result<(Tags, Vec<String>, Done), Fail> {
    implicit_tls(s, ep).await?;
    s.begin("greeting", budget::GREETING);
    let greeting = s.read_line().await?;
    let upper = greeting.to_ascii_uppercase();
    if upper.starts_with("* BYE") {
        let fail = Fail::transient(Reason::Banner, format!("the server refused the session: {}", quote(&greeting)));
        return Err(fail.hinting(Hint::Refusal { reply: quote(&greeting) }));
    }
    if !(upper.starts_with("* OK") || upper.starts_with("* PREAUTH")) {
        return Err(Fail::transient(Reason::Banner, format!("not an IMAP greeting: {}", quote(&greeting)))
            .hinting(Hint::NotMail));
    }
    let mut tags = Tags(0);
    let mut caps = capabilities(s, &mut tags).await?;
    if ep.tls == TlsMode::Starttls {
        if !caps.iter().any(|c| c == "STARTTLS") {
            return Err(upgrade_missing("STARTTLS"));
        }
        s.begin("starttls", budget::COMMAND);
        let tag = tags.next();
        s.send(&format!("{tag} STARTTLS"), &format!("{tag} STARTTLS")).await?;
        let c = complete(s, &tag).await?;
        if !c.ok() {
            return Err(Fail::transient(Reason::Tls, format!("STARTTLS was refused: {}", quote(&c.line))));
        }
        s.start_tls(&ep.host, ep.ca_file.as_deref()).await?;
        // RFC 2595 §3.1: forget what was said before TLS.
        caps = capabilities(s, &mut tags).await?;
    }
    let mut done = Done::default();
    if let Some(login) = login {
        authenticate(s, &mut tags, &caps, login).await?;
        done.logged_in = true;
    }
    Ok((tags, caps, done))
}

/// An IMAP quoted string (RFC 9051 §4.3); `None` when the text needs a literal.
fn quoted(text: &str) -> Option<String> {
    if text.chars().any(|c| c == '\r' || c == '\n' || c == '\0' || !c.is_ascii()) {
        return None;
    }
    Some(format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\"")))
}

async fn authenticate(s: &mut Session, tags: &mut Tags, caps: &[String], login: Login<'_>) -> Result<(), Fail> {
    s.begin_login()?;
    let tag = tags.next();
    let c = if caps.iter().any(|c| c == "AUTH=PLAIN") {
        if caps.iter().any(|c| c == "SASL-IR") {
            s.send(
                &format!("{tag} AUTHENTICATE PLAIN {}", sasl_plain(login)),
                &format!("{tag} AUTHENTICATE PLAIN <redacted>"),
            )
            .await?;
            complete(s, &tag).await?
        } else {
            s.send(&format!("{tag} AUTHENTICATE PLAIN"), &format!("{tag} AUTHENTICATE PLAIN")).await?;
            let c = complete(s, &tag).await?;
            if c.status != "+" {
                return Err(login_failed(&c));
            }
            s.send(&sasl_plain(login), "<redacted>").await?;
            complete(s, &tag).await?
        }
    } else if caps.iter().any(|c| c == "LOGINDISABLED") {
        return Err(Fail::permanent(Reason::Tls, "the server refuses LOGIN even over TLS (LOGINDISABLED)".to_owned()));
    } else {
        let (Some(user), Some(password)) = (quoted(login.username), quoted(login.password)) else {
            return Err(Fail::permanent(
                Reason::Auth,
                "the server offers only LOGIN, which cannot carry this username or password".to_owned(),
            ));
        };
        s.send(&format!("{tag} LOGIN {user} {password}"), &format!("{tag} LOGIN {user} <redacted>")).await?;
        complete(s, &tag).await?
    };
    if c.ok() { Ok(()) } else { Err(login_failed(&c)) }
}

/// RFC 5530: `AUTHENTICATIONFAILED` and friends are the account's problem (permanent);
/// `UNAVAILABLE` and friends are the server's (transient, an outage).
pub(super) fn login_failed(c: &Completion) -> Fail {
    let text = quote(&c.line);
    match c.code().as_deref() {
        Some("UNAVAILABLE" | "SERVERBUG" | "INUSE" | "LIMIT") => {
            Fail::transient(Reason::Protocol, format!("the server cannot log anyone in right now: {text}"))
        }
        Some("PRIVACYREQUIRED") => Fail::permanent(Reason::Tls, format!("the server wants more privacy: {text}")),
        _ if c.status == "BAD" || c.status == "+" => {
            Fail::permanent(Reason::Protocol, format!("the server did not accept the login command: {text}"))
        }
        // AUTHENTICATIONFAILED, AUTHORIZATIONFAILED, EXPIRED, CONTACTADMIN, or no code.
        _ => Fail::permanent(Reason::Auth, format!("the login was refused: {text}")),
    }
}

//! The mail dialogues' reply parsers as pure functions over what a server sent, for fuzzing
//! and tests: the same line splitting, caps and per-protocol parsing as a live session, with
//! no socket and no clock.

use super::session::MAX_LINE;
use super::{Fail, imap, pop3, smtp};

/// Splits a server's bytes into lines as `Session::read_line` does: at `\n`, lossy UTF-8,
/// without the line end; a line over [`MAX_LINE`] ends the stream with a failure, and bytes
/// after the last line break are a reply the server never finished.
pub fn lines(bytes: &[u8]) -> Vec<Result<String, Fail>> {
    let mut out = Vec::new();
    let mut rest = bytes;
    while let Some(end) = rest.iter().position(|b| *b == b'\n') {
        let text = String::from_utf8_lossy(&rest[..=end]).trim_end_matches(['\r', '\n']).to_owned();
        rest = &rest[end + 1..];
        if text.len() > MAX_LINE {
            out.push(Err(too_long()));
            return out;
        }
        out.push(Ok(text));
    }
    if rest.len() > MAX_LINE {
        out.push(Err(too_long()));
    }
    out
}

fn too_long() -> Fail {
    Fail::transient(outage_core::model::Reason::TooLarge, "line too long".to_owned())
}

/// What one reply said, in the terms the dialogues act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    /// SMTP: the code, the text lines, the AUTH mechanisms they advertise, and the failure an
    /// unexpected answer would be.
    Smtp { code: u16, lines: Vec<String>, mechanisms: Vec<String>, refused: Fail },
    /// IMAP: the completion's status, its response code, the capabilities of its untagged
    /// lines, and the failure a refused login would be.
    Imap { status: String, code: Option<String>, capabilities: Vec<String>, refused: Fail },
    /// POP3: a `+OK` line, or the failure a `-ERR` line would be.
    Pop3Status(Result<String, Fail>),
    /// POP3: the lines of a multi-line answer.
    Pop3Lines(Vec<String>),
}

/// Every SMTP reply in `bytes` (the first one read as a greeting), up to the first failure.
pub fn smtp(bytes: &[u8]) -> Vec<Result<Parsed, Fail>> {
    let mut out = Vec::new();
    let mut reply = smtp::ReplyLines::default();
    for line in lines(bytes) {
        let pushed = line.and_then(|line| reply.push(&line, out.is_empty()));
        match pushed {
            Ok(None) => {}
            Ok(Some(r)) => {
                let mechanisms =
                    smtp::mechanisms(&r.lines.iter().skip(1).map(|l| l.to_ascii_uppercase()).collect::<Vec<_>>());
                let refused = smtp::auth_failed(&r);
                out.push(Ok(Parsed::Smtp { code: r.code, lines: r.lines, mechanisms, refused }));
                reply = smtp::ReplyLines::default();
            }
            Err(e) => {
                out.push(Err(e));
                break;
            }
        }
    }
    out
}

/// Every IMAP completion of tag `a1` in `bytes`, up to the first failure.
pub fn imap(bytes: &[u8]) -> Vec<Result<Parsed, Fail>> {
    let mut out = Vec::new();
    let mut completer = imap::Completer::default();
    for line in lines(bytes) {
        match line.and_then(|line| completer.push(line, "a1")) {
            Ok(None) => {}
            Ok(Some(c)) => {
                out.push(Ok(Parsed::Imap {
                    status: c.status.clone(),
                    code: c.code(),
                    capabilities: imap::capabilities_of(&c),
                    refused: imap::login_failed(&c),
                }));
                completer = imap::Completer::default();
            }
            Err(e) => {
                out.push(Err(e));
                break;
            }
        }
    }
    out
}

/// A POP3 status line, then a multi-line answer, repeated, up to the first failure.
pub fn pop3(bytes: &[u8]) -> Vec<Result<Parsed, Fail>> {
    let mut out = Vec::new();
    let mut answer: Option<pop3::Multiline> = None;
    for line in lines(bytes) {
        let line = match line {
            Ok(line) => line,
            Err(e) => {
                out.push(Err(e));
                break;
            }
        };
        if let Some(mut lines) = answer.take() {
            match lines.push(&line) {
                Ok(None) => answer = Some(lines),
                Ok(Some(done)) => out.push(Ok(Parsed::Pop3Lines(done))),
                Err(e) => {
                    out.push(Err(e));
                    break;
                }
            }
            continue;
        }
        match pop3::status_of(line, out.is_empty()) {
            Ok(Ok(ok)) => {
                out.push(Ok(Parsed::Pop3Status(Ok(ok))));
                answer = Some(pop3::Multiline::default());
            }
            Ok(Err(err)) => out.push(Ok(Parsed::Pop3Status(Err(pop3::classify(&err, "login"))))),
            Err(e) => {
                out.push(Err(e));
                break;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn replies_parse_as_in_a_session() {
        let got = smtp(b"220 mx ESMTP\r\n250-mx\r\n250-AUTH PLAIN LOGIN\r\n250 STARTTLS\r\n535 5.7.8 no\r\n");
        assert_eq!(got.len(), 3);
        let Ok(Parsed::Smtp { code: 250, mechanisms, .. }) = &got[1] else { panic!("{got:?}") };
        assert_eq!(mechanisms, &["PLAIN", "LOGIN"]);
        let Ok(Parsed::Smtp { code: 535, refused, .. }) = &got[2] else { panic!("{got:?}") };
        assert_eq!(refused.reason, outage_core::model::Reason::Auth);
        assert!(smtp(b"HTTP/1.1 400\r\n")[0].is_err());

        let got = imap(b"* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\na1 OK done\r\na1 NO [UNAVAILABLE] later\r\n");
        let Ok(Parsed::Imap { capabilities, .. }) = &got[0] else { panic!("{got:?}") };
        assert_eq!(capabilities, &["IMAP4REV1", "AUTH=PLAIN"]);
        let Ok(Parsed::Imap { code, .. }) = &got[1] else { panic!("{got:?}") };
        assert_eq!(code.as_deref(), Some("UNAVAILABLE"));

        let got = pop3(b"+OK ready\r\nUSER\r\n..dot\r\n.\r\n-ERR [SYS/TEMP] busy\r\n");
        assert_eq!(got[1], Ok(Parsed::Pop3Lines(vec!["USER".into(), ".dot".into()])));
        assert!(matches!(&got[2], Ok(Parsed::Pop3Status(Err(f))) if f.message.contains("right now")));

        let long = [b"220 ".as_slice(), &[b'x'; MAX_LINE + 1], b"\r\n"].concat();
        assert!(smtp(&long)[0].is_err());
    }
}

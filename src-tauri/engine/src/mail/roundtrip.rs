//! The round trip in the engine: one cycle looks for the check's test mails still on their
//! way (INBOX and spam folders), records and deletes what it found, sends the next mail when
//! one is due, and judges. A cycle takes seconds; the waiting between sending and arriving
//! happens between cycles, with the mails in SQLite, so no probe slot is held and a restart
//! goes on where it stopped.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, FixedOffset};
use outage_core::config::Roundtrip;
use outage_core::model::{CheckKind, Finding, MailFinding, Observation, Outcome, Permanence, Reason};
use outage_core::roundtrip::{self, Arrival, Place, ProbeMail};
use outage_core::text::Language;
use tokio::time::Instant;

use super::session::Session;
use super::{Credential, Dns, Fail, Login, imap, smtp};
use crate::store::Store;

/// Everything one cycle needs.
#[derive(Debug)]
pub struct Cycle<'a> {
    pub check_id: &'a str,
    pub provider_id: &'a str,
    pub trip: &'a Roundtrip,
    pub smtp: Credential,
    pub imap: Credential,
    /// The passwords are remembered ones (`Credential::remembered`): a refused login reads
    /// the keychain again and logs in once more when it holds another password, before the
    /// account is blamed. (No mail is sent twice: a refused login sent none.)
    pub remembered: bool,
    /// The deadline of each dialogue (the look, the send).
    pub timeout: Duration,
    pub dns: Dns,
    pub language: Language,
    pub now: DateTime<FixedOffset>,
}

/// What a cycle observed, and when the next one is due.
#[derive(Debug, Clone, PartialEq)]
pub struct Looked {
    pub observation: Observation,
    pub next_look: Duration,
}

/// A cycle with the passwords from the keychain.
pub async fn run(
    check_id: &str,
    provider_id: &str,
    trip: &Roundtrip,
    timeout: Duration,
    language: Language,
    now: DateTime<FixedOffset>,
    store: &Arc<Mutex<Store>>,
) -> Looked {
    let smtp = Credential::remembered(provider_id, &trip.smtp).await;
    let imap = Credential::remembered(provider_id, &trip.imap).await;
    let cycle = Cycle {
        check_id,
        provider_id,
        trip,
        smtp,
        imap,
        remembered: true,
        timeout,
        dns: Dns::from_env(),
        language,
        now,
    };
    run_cycle(cycle, store).await
}

/// The window's view of each of the provider's round trips over the last 90 days, from the
/// history (a read of its own; the runner writes beside it): those in the config, then those
/// since removed from it that left mails not in time — evidence the user may still need.
pub fn views(
    store: &Store,
    provider: &outage_core::config::Provider,
    now: DateTime<FixedOffset>,
) -> Result<Vec<roundtrip::RoundtripView>, crate::EngineError> {
    let from = (now - chrono::Duration::days(90)).timestamp_millis();
    let mails = store.roundtrip_history(Some(&provider.id), from, now.timestamp_millis() + 1, *now.offset())?;
    let own =
        |id: &str| -> Vec<ProbeMail> { mails.iter().filter(|m| m.check_id == id).map(|m| m.mail.clone()).collect() };
    let mut views: Vec<roundtrip::RoundtripView> = provider
        .roundtrip
        .iter()
        .map(|trip| {
            let id = trip.check_id(&provider.id);
            roundtrip::view(&id, &trip.route(), &own(&id), now)
        })
        .collect();
    for removed in removed_routes(store, provider, now)? {
        let view = roundtrip::removed_view(&removed.check_id, &removed.route, &own(&removed.check_id), removed.looked);
        if !view.trouble.is_empty() {
            views.push(view);
        }
    }
    Ok(views)
}

/// A round trip the history remembers and the config no longer has, with the moment its
/// mails are judged at: its last look, or `now` when it never looked.
#[derive(Debug)]
pub struct Removed {
    pub check_id: String,
    pub route: roundtrip::Route,
    pub looked: DateTime<FixedOffset>,
}

/// The provider's round trips removed from the config, as the history remembers them.
pub fn removed_routes(
    store: &Store,
    provider: &outage_core::config::Provider,
    now: DateTime<FixedOffset>,
) -> Result<Vec<Removed>, crate::EngineError> {
    let live: Vec<String> = provider.roundtrip.iter().map(|t| t.check_id(&provider.id)).collect();
    Ok(store
        .roundtrip_routes(&provider.id, *now.offset())?
        .into_iter()
        .filter(|r| !live.contains(&r.check_id))
        .map(|r| Removed { looked: r.last_look.map_or(now, |l| l.min(now)), check_id: r.check_id, route: r.route })
        .collect())
}

/// Runs a blocking history call off the runtime's workers.
async fn with_store<T: Send + 'static>(
    store: &Arc<Mutex<Store>>,
    f: impl FnOnce(&Store) -> Result<T, crate::EngineError> + Send + 'static,
) -> Result<T, String> {
    let store = Arc::clone(store);
    tokio::task::spawn_blocking(move || match store.lock() {
        Ok(store) => f(&store),
        Err(poisoned) => f(&poisoned.into_inner()),
    })
    .await
    .map_err(|e| e.to_string())?
    .map_err(|e| e.to_string())
}

/// The server refused our login (not: we had no password to offer).
fn refused_login<T>(result: &Result<T, Fail>) -> bool {
    matches!(result, Err(Fail { reason: Reason::Auth, permanence: Permanence::Permanent, .. }))
}

fn login(credential: &Credential) -> Result<Login<'_>, Fail> {
    match credential {
        Credential::Password { username, password } => Ok(Login { username, password: password.expose() }),
        Credential::Unavailable { why, .. } => Err(Fail::permanent(Reason::Auth, format!("cannot log in: {why}"))),
        Credential::None => Err(Fail::permanent(Reason::Auth, "the round trip needs a login".to_owned())),
    }
}

/// One cycle. Never fails: what went wrong is the observation.
pub async fn run_cycle(mut c: Cycle<'_>, store: &Arc<Mutex<Store>>) -> Looked {
    let check_id = c.check_id.to_owned();
    let tag = roundtrip::tag(&check_id);
    let offset = *c.now.offset();
    let since = c.now.timestamp_millis()
        - i64::try_from(roundtrip::GIVE_UP_AFTER.as_millis()).unwrap_or(i64::MAX).min(c.now.timestamp_millis());
    let id = check_id.clone();
    let mut mails = match with_store(store, move |s| s.roundtrip_mails(&id, since, offset)).await {
        Ok(mails) => mails,
        Err(e) => {
            let o = observation(&c, Outcome::Unknown, Some(Reason::Protocol), format!("history unreadable: {e}"));
            return Looked { observation: o, next_look: c.trip.interval };
        }
    };
    let mut finding = MailFinding::default();
    let mut trouble: Option<Fail> = None;
    let mut found_now = Vec::new();

    let oldest = mails.iter().filter(|m| m.in_flight(c.now)).map(|m| m.sent).min();
    if let Some(oldest) = oldest {
        // A day's margin for time zones and clocks that disagree.
        let since = (oldest - chrono::TimeDelta::days(1)).date_naive();
        let mut looked = look(&c, &tag, since, &mut finding).await;
        if refused_login(&looked)
            && c.remembered
            && let Some(fresh) = Credential::reread(c.provider_id, &c.trip.imap, &c.imap).await
        {
            c.imap = fresh;
            looked = look(&c, &tag, since, &mut finding).await;
        }
        match looked {
            Ok(seen) => {
                for (seen, junk) in seen {
                    let Some(mail) = mails.iter_mut().find(|m| m.key == seen.key && m.arrival.is_none()) else {
                        continue;
                    };
                    let delivered = seen.received.unwrap_or(c.now);
                    let delay_ms = u64::try_from((delivered - mail.sent).num_milliseconds().max(0)).unwrap_or(0);
                    let place = match (seen.bounce, junk) {
                        (true, _) => Place::Bounced,
                        (false, true) => Place::Junk,
                        (false, false) => Place::Inbox,
                    };
                    let arrival = Arrival { seen: c.now, delay_ms, place };
                    mail.arrival = Some(arrival);
                    found_now.push(mail.key.clone());
                    let key = mail.key.clone();
                    if let Err(e) = with_store(store, move |s| s.roundtrip_ended(&key, &arrival)).await {
                        tracing::warn!(check = %check_id, "cannot record a test mail's arrival: {e}");
                    }
                }
            }
            Err(fail) => trouble = Some(fail),
        }
    }

    if roundtrip::send_due(&mails, c.now, c.trip) {
        let key = roundtrip::key(&check_id, c.now);
        let (provider, id, route, k, sent_ms) =
            (c.provider_id.to_owned(), check_id.clone(), c.trip.route(), key.clone(), c.now.timestamp_millis());
        let recorded = with_store(store, move |s| s.roundtrip_sent(&provider, &id, &route, &k, sent_ms)).await;
        if let Err(e) = recorded {
            // Never send a mail we could not look for afterwards.
            trouble = Some(Fail::transient(Reason::Protocol, format!("history unwritable, no mail sent: {e}")));
        } else {
            let mut mail = ProbeMail { key: key.clone(), sent: c.now, arrival: None };
            let mut sent = send(&c, &key, &mut finding).await;
            if refused_login(&sent)
                && c.remembered
                && let Some(fresh) = Credential::reread(c.provider_id, &c.trip.smtp, &c.smtp).await
            {
                c.smtp = fresh;
                sent = send(&c, &key, &mut finding).await;
            }
            match sent {
                Ok(()) => mails.push(mail),
                Err(fail) => {
                    let place = match (fail.permanence, fail.reason) {
                        (Permanence::Permanent, Reason::Auth) => Some(Place::LoginRefused),
                        (Permanence::Permanent, Reason::Rejected) => Some(Place::Rejected),
                        _ => None,
                    };
                    if let Some(place) = place {
                        let arrival = Arrival { seen: c.now, delay_ms: 0, place };
                        mail.arrival = Some(arrival);
                        mails.push(mail);
                        found_now.push(key.clone());
                        let _ = with_store(store, move |s| s.roundtrip_ended(&key, &arrival)).await;
                    } else {
                        // Not taken, for a reason that says nothing about delivery: the mail
                        // never existed.
                        let _ = with_store(store, move |s| s.roundtrip_forget(&key)).await;
                        trouble = Some(fail);
                    }
                }
            }
        }
    }

    let judged = roundtrip::judge(&mails, &found_now, c.now, c.trip, c.language);
    let mut o = observation(&c, judged.outcome, judged.reason, judged.message);
    o.latency_ms = judged.latency_ms;
    finding.trouble_since = judged.since;
    let permanent = matches!(judged.reason, Some(Reason::Auth | Reason::Rejected | Reason::Bounced));
    finding.permanence = if permanent {
        Some(Permanence::Permanent)
    } else if judged.outcome == Outcome::Up {
        None
    } else {
        Some(Permanence::Transient)
    };
    let mut next_look = roundtrip::next_look(&mails, c.now, c.trip);
    if let Some(fail) = trouble {
        // The look or the send could not be made: what the mails say stands when it is bad
        // already; otherwise we cannot tell, and say why.
        if o.outcome == Outcome::Up {
            o.outcome = Outcome::Unknown;
            o.reason = Some(fail.reason);
            finding.permanence = Some(fail.permanence);
        }
        o.message = format!("{}; {}", o.message, fail.message);
        next_look = next_look.min(c.trip.interval);
    }
    o.finding = Finding::Mail(finding);
    Looked { observation: o, next_look }
}

fn observation(c: &Cycle<'_>, outcome: Outcome, reason: Option<Reason>, message: String) -> Observation {
    Observation {
        check_id: c.check_id.to_owned(),
        kind: CheckKind::Roundtrip,
        target: c.trip.target(),
        at: c.now,
        outcome,
        reason,
        message,
        latency_ms: None,
        cert_days_left: None,
        finding: Finding::None,
    }
}

/// Keeps a dialogue's steps and transcript, secrets removed.
fn keep(s: &mut Session, finding: &mut MailFinding) {
    finding.steps.append(&mut s.steps);
    finding.transcript.append(&mut s.transcript);
    if finding.tls_version.is_none() {
        finding.tls_version.clone_from(&s.tls_version);
    }
}

/// Looks in the mailbox: every message of ours found, and whether it was in a spam folder.
async fn look(
    c: &Cycle<'_>,
    tag: &str,
    since: chrono::NaiveDate,
    finding: &mut MailFinding,
) -> Result<Vec<(roundtrip::Seen, bool)>, Fail> {
    let ep = &c.trip.imap;
    let mut s = Session::new(crate::deadline(Instant::now(), c.timeout));
    let result = async {
        let login = login(&c.imap)?;
        s.add_secret(login.password);
        let addrs = s.resolve(&c.dns, &ep.host, ep.port).await?;
        s.connect(&addrs).await?;
        let fetched =
            imap::look(&mut s, ep, login, tag, since, |f| roundtrip::read_message(&f.bytes, tag).is_some()).await?;
        Ok(fetched
            .into_iter()
            .filter_map(|f| roundtrip::read_message(&f.bytes, tag).map(|seen| (seen, f.junk)))
            .collect())
    }
    .await;
    s.end(result.is_ok());
    s.close().await;
    keep(&mut s, finding);
    result.map_err(|f: Fail| Fail { message: s.scrub(&format!("IMAP {}: {}", ep.authority(), f.message)), ..f })
}

/// Sends one test mail through the SMTP endpoint.
async fn send(c: &Cycle<'_>, key: &str, finding: &mut MailFinding) -> Result<(), Fail> {
    let ep = &c.trip.smtp;
    let mut s = Session::new(crate::deadline(Instant::now(), c.timeout));
    let result = async {
        let login = login(&c.smtp)?;
        s.add_secret(login.password);
        // The login is the sender when it is an address, as a mail client sends; else the
        // recipient, so a bounce comes back to the mailbox we look in.
        let from = if login.username.contains('@') { login.username.to_owned() } else { c.trip.to.clone() };
        let message = message(key, &from, &c.trip.to, c.now, c.language);
        let addrs = s.resolve(&c.dns, &ep.host, ep.port).await?;
        s.connect(&addrs).await?;
        smtp::submit(&mut s, ep, login, &from, &c.trip.to, &message).await
    }
    .await;
    s.end(result.is_ok());
    s.close().await;
    keep(&mut s, finding);
    result.map_err(|f| Fail { message: s.scrub(&format!("SMTP {}: {}", ep.authority(), f.message)), ..f })
}

/// The test mail (RFC 5322): the key in the subject and in our header, the subject encoded
/// as RFC 2047 UTF-8, the body in base64 so no server has to carry 8-bit text.
pub fn message(key: &str, from: &str, to: &str, now: DateTime<FixedOffset>, language: Language) -> String {
    let subject = format!("=?UTF-8?B?{}?=", super::base64(roundtrip::subject(key, language).as_bytes()));
    let body = super::base64(roundtrip::body(language).as_bytes());
    let domain = from.rsplit_once('@').map_or("localhost", |(_, d)| d);
    let mut lines = vec![
        format!("From: Outage Notifier <{from}>"),
        format!("To: <{to}>"),
        format!("Subject: {subject}"),
        format!("Date: {}", now.to_rfc2822()),
        format!("Message-ID: <{key}@{domain}>"),
        format!("{}: {key}", roundtrip::HEADER),
        "Auto-Submitted: auto-generated".to_owned(),
        "MIME-Version: 1.0".to_owned(),
        "Content-Type: text/plain; charset=utf-8".to_owned(),
        "Content-Transfer-Encoding: base64".to_owned(),
        String::new(),
    ];
    lines.extend(body.as_bytes().chunks(76).map(|c| String::from_utf8_lossy(c).into_owned()));
    lines.join("\r\n") + "\r\n"
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use outage_core::config;
    use outage_core::roundtrip::Fate;

    use super::*;

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(&format!("2026-12-05T{s}+01:00")).unwrap()
    }

    /// The window's history of a provider keeps the late and lost mails of a round trip the
    /// user removed, beside those of the one still checked.
    #[test]
    fn the_history_keeps_the_mails_of_a_removed_round_trip() {
        let text = "[[provider]]\nid = \"p\"\n\
             [[provider.mail]]\nkind = \"smtp\"\nhost = \"smtp.a\"\nusername = \"u@a\"\n\
             [[provider.mail]]\nkind = \"smtp\"\nhost = \"smtp.b\"\nusername = \"u@a\"\n\
             [[provider.mail]]\nkind = \"imap\"\nhost = \"imap.a\"\nusername = \"u@a\"\n\
             [[provider.roundtrip]]\nsmtp = \"smtp.a\"\nimap = \"imap.a\"\n\
             [[provider.roundtrip]]\nsmtp = \"smtp.b\"\nimap = \"imap.a\"\n";
        let both = config::parse(text, "t.toml").unwrap().providers.remove(0);
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("h.sqlite3")).unwrap();
        for (i, trip) in both.roundtrip.iter().enumerate() {
            let id = trip.check_id("p");
            store.roundtrip_sent("p", &id, &trip.route(), &format!("k{i}"), at("09:00:00").timestamp_millis()).unwrap();
        }
        let mut kept = both.clone();
        kept.roundtrip.pop();
        let views = views(&store, &kept, at("10:00:00")).unwrap();
        let seen: Vec<(&str, bool, Vec<Fate>)> =
            views.iter().map(|v| (v.route.as_str(), v.removed, v.trouble.iter().map(|l| l.fate).collect())).collect();
        assert_eq!(
            seen,
            [("smtp.a → imap.a", false, vec![Fate::Lost]), ("smtp.b → imap.a", true, vec![Fate::Lost])],
            "the removed round trip's lost mail is still listed"
        );
    }
}

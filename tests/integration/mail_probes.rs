//! The mail probes in-process, against real Postfix and Dovecot on loopback and against
//! hostile servers: every row of shared/research/mail.md §5 yields its reason within its
//! deadline, never a hang or a panic.

use std::path::Path;
use std::time::{Duration, Instant};

use outage_core::config::{DEFAULT_CERT_WARN_DAYS, Mail, MailKind, TlsMode};
use outage_core::model::{Observation, Outcome, Permanence, Reason};
use outage_engine::credentials::Secret;
use outage_engine::mail::{self, Credential, Dns, Probe};
use outage_tests::mail::{
    Blackhole, CertCase, Dnsmasq, Script, ScriptedServer, SilentDns, TestPki, TlsImapServer, closed_port, servers,
};

fn endpoint(kind: MailKind, host: &str, port: u16, tls: TlsMode, ca_file: Option<&Path>) -> Mail {
    Mail {
        kind,
        host: host.to_owned(),
        port,
        tls,
        username: None,
        ca_file: ca_file.map(Path::to_path_buf),
        cert_warn_days: DEFAULT_CERT_WARN_DAYS,
    }
}

/// Runs one probe on a fresh runtime; returns the observation and how long it took.
fn run(endpoint: &Mail, credential: Credential, timeout: Duration, dns: Dns) -> (Observation, Duration) {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let started = Instant::now();
    let now = chrono::Local::now().fixed_offset();
    let id = endpoint.check_id("t");
    let observation =
        runtime.block_on(mail::probe(Probe { check_id: &id, endpoint, credential, timeout, dns, now, progress: None }));
    (observation, started.elapsed())
}

fn probe(endpoint: &Mail) -> (Observation, Duration) {
    run(endpoint, Credential::None, Duration::from_secs(3), Dns::System)
}

fn password(user: &str, password: &str) -> Credential {
    Credential::Password { username: user.to_owned(), password: Secret::new(password.to_owned()) }
}

fn permanence(o: &Observation) -> Option<Permanence> {
    o.mail().and_then(|m| m.permanence)
}

fn step_names(o: &Observation) -> Vec<String> {
    o.mail().unwrap().steps.iter().map(|s| s.name.clone()).collect()
}

/// The six real endpoints: each protocol with implicit TLS and with STARTTLS.
fn real_endpoints() -> Vec<Mail> {
    let s = servers();
    let ca = Some(s.ca_file.as_path());
    vec![
        endpoint(MailKind::Imap, &s.host, s.imaps, TlsMode::Implicit, ca),
        endpoint(MailKind::Imap, &s.host, s.imap, TlsMode::Starttls, ca),
        endpoint(MailKind::Pop3, &s.host, s.pop3s, TlsMode::Implicit, ca),
        endpoint(MailKind::Pop3, &s.host, s.pop3, TlsMode::Starttls, ca),
        endpoint(MailKind::Smtp, &s.host, s.submissions, TlsMode::Implicit, ca),
        endpoint(MailKind::Smtp, &s.host, s.submission, TlsMode::Starttls, ca),
    ]
}

#[test]
fn real_servers_are_up_in_both_tls_modes_with_certificate_days() {
    for ep in real_endpoints() {
        let (o, _) = probe(&ep);
        assert_eq!(o.outcome, Outcome::Up, "{}: {}", ep.authority(), o.message);
        assert_eq!(o.reason, None);
        // mail-servers.sh issues a 30-day leaf.
        assert!(matches!(o.cert_days_left, Some(29 | 30)), "{}: {:?}", ep.authority(), o.cert_days_left);
        assert!(o.latency_ms.is_some());
        let m = o.mail().unwrap();
        assert!(m.tls_version.as_deref().is_some_and(|v| v.starts_with("TLSv1.")), "{:?}", m.tls_version);
        let steps = step_names(&o);
        assert!(steps.iter().all(|s| m.steps.iter().any(|x| &x.name == s && x.ok)), "{steps:?}");
        let expected: &[&str] = match ep.tls {
            TlsMode::Starttls => &["connect", "greeting", "capabilities", "starttls", "tls", "capabilities"],
            _ => &["connect", "tls", "greeting", "capabilities"],
        };
        assert!(steps.starts_with(&expected.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>()), "{steps:?}");
        assert_eq!(steps.last().map(String::as_str), Some("logout"), "{steps:?}");
        assert!(m.transcript.iter().any(|l| l.starts_with("S: ")), "{:?}", m.transcript);
        assert!(o.message.contains("certificate valid"), "{}", o.message);
    }
}

#[test]
fn real_login_succeeds_and_a_wrong_password_is_a_permanent_auth_failure() {
    let s = servers();
    for mut ep in real_endpoints() {
        ep.username = Some(s.user.clone());
        let (o, _) = run(&ep, password(&s.user, &s.password), Duration::from_secs(10), Dns::System);
        assert_eq!(o.outcome, Outcome::Up, "{}: {}", ep.authority(), o.message);
        assert!(o.message.contains(&format!("logged in as {}", s.user)), "{}", o.message);
        assert!(step_names(&o).contains(&"login".to_owned()));
        let transcript = o.mail().unwrap().transcript.join("\n");
        assert!(!transcript.contains(&s.password), "password in transcript:\n{transcript}");
        assert!(transcript.contains("<redacted>"), "{transcript}");

        let wrong = "wrong-password-for-the-test";
        let (o, took) = run(&ep, password(&s.user, wrong), Duration::from_secs(10), Dns::System);
        assert_eq!(o.outcome, Outcome::Down, "{}: {}", ep.authority(), o.message);
        assert_eq!(o.reason, Some(Reason::Auth), "{}: {}", ep.authority(), o.message);
        assert_eq!(permanence(&o), Some(Permanence::Permanent));
        assert!(o.is_permanent_failure());
        assert!(took < Duration::from_secs(10), "{took:?}");
        let transcript = o.mail().unwrap().transcript.join("\n");
        assert!(!transcript.contains(wrong) && !o.message.contains(wrong), "{transcript}");
    }
}

#[test]
fn missing_starttls_is_a_tls_failure_and_no_password_is_sent() {
    let s = servers();
    for (kind, port) in [(MailKind::Imap, s.imap), (MailKind::Pop3, s.pop3), (MailKind::Smtp, s.submission)] {
        let mut ep = endpoint(kind, &s.plain_host, port, TlsMode::Starttls, Some(&s.ca_file));
        ep.username = Some(s.user.clone());
        let (o, _) = run(&ep, password(&s.user, &s.password), Duration::from_secs(5), Dns::System);
        assert_eq!(o.outcome, Outcome::Down, "{}", o.message);
        assert_eq!(o.reason, Some(Reason::Tls), "{}", o.message);
        assert!(
            o.message.contains("does not offer STARTTLS") || o.message.contains("does not offer STLS"),
            "{}",
            o.message
        );
        assert_eq!(permanence(&o), Some(Permanence::Permanent));
        let sent: Vec<_> =
            o.mail().unwrap().transcript.iter().filter(|l| l.starts_with("C: ")).cloned().collect::<Vec<_>>();
        assert!(
            sent.iter()
                .all(|l| !l.contains("LOGIN") && !l.contains("AUTH") && !l.contains("USER") && !l.contains("PASS")),
            "credentials must never be sent before TLS: {sent:?}"
        );
    }
}

#[test]
fn plaintext_endpoint_without_login_is_up_without_certificate() {
    let s = servers();
    let (o, _) = probe(&endpoint(MailKind::Imap, &s.plain_host, s.imap, TlsMode::None, None));
    assert_eq!(o.outcome, Outcome::Up, "{}", o.message);
    assert_eq!(o.cert_days_left, None);
    assert!(o.message.contains("without TLS"), "{}", o.message);
}

/// Asserts a failed probe's reason and that it ended within `limit`.
fn fails(ep: &Mail, reason: Reason, limit: Duration) -> Observation {
    let (o, took) = probe(ep);
    assert_eq!(o.outcome, Outcome::Down, "{}: {}", ep.authority(), o.message);
    assert_eq!(o.reason, Some(reason), "{}: {}", ep.authority(), o.message);
    assert!(took < limit, "{}: took {took:?}, limit {limit:?}", ep.authority());
    o
}

const QUICK: Duration = Duration::from_secs(2);
/// The probe's deadline (3 s) plus slack for a loaded machine.
const DEADLINE: Duration = Duration::from_secs(5);

#[test]
fn refused_connection() {
    let addr = closed_port();
    for kind in [MailKind::Smtp, MailKind::Imap, MailKind::Pop3] {
        let o = fails(&endpoint(kind, "127.0.0.1", addr.port(), TlsMode::Implicit, None), Reason::Refused, QUICK);
        assert_eq!(permanence(&o), Some(Permanence::Transient));
    }
}

#[test]
fn connect_timeout() {
    let hole = Blackhole::start();
    let o = fails(
        &endpoint(MailKind::Imap, "127.0.0.1", hole.addr.port(), TlsMode::Implicit, None),
        Reason::Timeout,
        DEADLINE,
    );
    assert!(o.message.contains("not accepted"), "{}", o.message);
    assert_eq!(step_names(&o), vec!["connect"]);
}

#[test]
fn server_that_never_greets() {
    let server = ScriptedServer::start(Script::Silent);
    // With STARTTLS configured, a second look asks whether the server waits for TLS instead.
    for kind in [MailKind::Smtp, MailKind::Imap, MailKind::Pop3] {
        let ep = endpoint(kind, "127.0.0.1", server.addr.port(), TlsMode::Starttls, None);
        let o = fails(&ep, Reason::Timeout, DEADLINE + mail::SECOND_LOOK);
        assert!(o.message.contains("no greeting"), "{}", o.message);
    }
    // On an implicit-TLS port the silence is in the handshake.
    let o = fails(
        &endpoint(MailKind::Imap, "127.0.0.1", server.addr.port(), TlsMode::Implicit, None),
        Reason::Timeout,
        DEADLINE,
    );
    assert!(o.message.contains("TLS handshake"), "{}", o.message);
}

#[test]
fn negative_banners_are_banner_failures_told_permanent_or_transient() {
    let cases: [(MailKind, &[u8], Permanence); 5] = [
        (MailKind::Smtp, b"554 5.3.2 mx.example.test service unavailable\r\n", Permanence::Permanent),
        (MailKind::Smtp, b"421 4.3.2 mx.example.test too busy, try later\r\n", Permanence::Transient),
        (MailKind::Imap, b"* BYE Too many connections\r\n", Permanence::Transient),
        (MailKind::Pop3, b"-ERR [SYS/TEMP] maintenance\r\n", Permanence::Transient),
        (MailKind::Pop3, b"-ERR [SYS/PERM] this mailbox host is gone\r\n", Permanence::Permanent),
    ];
    for (kind, banner, expected) in cases {
        let server = ScriptedServer::start(Script::Say(banner.to_vec()));
        let o = fails(&endpoint(kind, "127.0.0.1", server.addr.port(), TlsMode::Starttls, None), Reason::Banner, QUICK);
        assert_eq!(permanence(&o), Some(expected), "{}", o.message);
        let shown = String::from_utf8_lossy(banner);
        assert!(o.message.contains(shown.trim()), "the server's words belong in the message: {}", o.message);
    }
}

#[test]
fn garbage_instead_of_a_greeting() {
    for garbage in [
        &b"HTTP/1.1 400 Bad Request\r\n\r\n"[..],
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n",
        b"SSH-2.0-OpenSSH_9.2\r\n",
    ] {
        let server = ScriptedServer::start(Script::Say(garbage.to_vec()));
        for kind in [MailKind::Smtp, MailKind::Imap, MailKind::Pop3] {
            fails(&endpoint(kind, "127.0.0.1", server.addr.port(), TlsMode::Starttls, None), Reason::Banner, QUICK);
        }
        if garbage.starts_with(b"\x16") {
            // A TLS record header announcing 512 bytes that never come: on an implicit-TLS
            // port that is a handshake that stalls (covered by the never-greets test).
            continue;
        }
        // Plaintext garbage on an implicit-TLS port: the handshake cannot even start.
        let o = fails(
            &endpoint(MailKind::Imap, "127.0.0.1", server.addr.port(), TlsMode::Implicit, None),
            Reason::Tls,
            QUICK,
        );
        assert!(o.message.contains("TLS"), "{}", o.message);
    }
}

#[test]
fn connection_reset_mid_dialogue() {
    let cases: [(MailKind, &[u8]); 3] = [
        (MailKind::Smtp, b"220 mx.example.test ESMTP\r\n"),
        (MailKind::Imap, b"* OK ready\r\n"),
        (MailKind::Pop3, b"+OK ready\r\n"),
    ];
    for (kind, greeting) in cases {
        let server = ScriptedServer::start(Script::ResetAfterGreeting(greeting.to_vec()));
        let o =
            fails(&endpoint(kind, "127.0.0.1", server.addr.port(), TlsMode::Starttls, None), Reason::Protocol, QUICK);
        assert!(o.message.contains("reset") || o.message.contains("closed"), "{}", o.message);
        assert!(o.message.contains("capabilities"), "names the step: {}", o.message);
        assert_eq!(permanence(&o), Some(Permanence::Transient));
    }
}

#[test]
fn refused_starttls_is_a_transient_tls_failure() {
    let ehlo = "250-mx.example.test\r\n250 STARTTLS\r\n".to_owned();
    let cases: [(MailKind, &[u8], Vec<String>); 3] = [
        (
            MailKind::Smtp,
            b"220 mx.example.test ESMTP\r\n",
            vec![ehlo, "454 4.7.0 TLS not available due to local problem\r\n".into()],
        ),
        (
            MailKind::Imap,
            b"* OK ready\r\n",
            vec!["* CAPABILITY IMAP4rev1 STARTTLS\r\n{tag} OK done\r\n".into(), "{tag} NO TLS is down\r\n".into()],
        ),
        (MailKind::Pop3, b"+OK ready\r\n", vec!["+OK\r\nSTLS\r\nUSER\r\n.\r\n".into(), "-ERR TLS is down\r\n".into()]),
    ];
    for (kind, greeting, replies) in cases {
        let server = ScriptedServer::start(Script::Replies(greeting.to_vec(), replies));
        let o = fails(&endpoint(kind, "127.0.0.1", server.addr.port(), TlsMode::Starttls, None), Reason::Tls, QUICK);
        assert!(o.message.contains("refused"), "{}", o.message);
        assert_eq!(permanence(&o), Some(Permanence::Transient), "{}", o.message);
    }
}

#[test]
fn login_service_down_is_the_providers_problem_not_the_account() {
    let dir = tempfile::tempdir().unwrap();
    let pki = TestPki::new(dir.path(), CertCase::Good);
    let server = TlsImapServer::answering_logins(&pki, "NO [UNAVAILABLE] Authentication backend is down");
    let mut ep = endpoint(MailKind::Imap, "127.0.0.1", server.addr.port(), TlsMode::Implicit, Some(&pki.ca_file));
    ep.username = Some("u@example.test".into());
    let (o, _) = run(&ep, password("u@example.test", "some-password-1"), Duration::from_secs(3), Dns::System);
    assert_eq!((o.outcome, o.reason), (Outcome::Down, Some(Reason::Protocol)), "{}", o.message);
    assert_eq!(permanence(&o), Some(Permanence::Transient), "re-checked, not confirmed at once: {}", o.message);
    assert!(o.message.contains("cannot log anyone in right now"), "{}", o.message);

    let server = TlsImapServer::answering_logins(&pki, "NO [AUTHENTICATIONFAILED] Authentication failed.");
    let ep = Mail { port: server.addr.port(), ..ep };
    let (o, _) = run(&ep, password("u@example.test", "some-password-1"), Duration::from_secs(3), Dns::System);
    assert_eq!((o.outcome, o.reason), (Outcome::Down, Some(Reason::Auth)), "{}", o.message);
    assert_eq!(permanence(&o), Some(Permanence::Permanent), "{}", o.message);
    let transcript = o.mail().unwrap().transcript.join("\n");
    assert!(!transcript.contains("some-password-1"), "{transcript}");
}

#[test]
fn ten_mebibytes_without_a_line_break() {
    let server = ScriptedServer::start(Script::Flood(10 * 1024 * 1024));
    for kind in [MailKind::Smtp, MailKind::Imap, MailKind::Pop3] {
        let o =
            fails(&endpoint(kind, "127.0.0.1", server.addr.port(), TlsMode::Starttls, None), Reason::TooLarge, QUICK);
        assert!(o.message.contains("without a line break"), "{}", o.message);
        let transcript = o.mail().unwrap().transcript.join("\n");
        assert!(transcript.len() < 4096, "the transcript stays small: {} bytes", transcript.len());
    }
}

fn tls_case(case: CertCase, host: &str) -> (Observation, Duration) {
    let dir = tempfile::tempdir().unwrap();
    let pki = TestPki::new(dir.path(), case);
    let server = TlsImapServer::start(&pki);
    probe(&endpoint(MailKind::Imap, host, server.addr.port(), TlsMode::Implicit, Some(&pki.ca_file)))
}

#[test]
fn good_certificate_from_a_private_ca_is_up() {
    let (o, _) = tls_case(CertCase::Good, "127.0.0.1");
    assert_eq!(o.outcome, Outcome::Up, "{}", o.message);
    assert!(matches!(o.cert_days_left, Some(88..=90)), "{:?}", o.cert_days_left);
}

#[test]
fn expired_certificate() {
    let (o, took) = tls_case(CertCase::Expired, "127.0.0.1");
    assert_eq!((o.outcome, o.reason), (Outcome::Down, Some(Reason::Certificate)), "{}", o.message);
    assert!(o.message.contains("expired on"), "{}", o.message);
    assert!(o.cert_days_left.is_some_and(|d| d < 0), "{:?}", o.cert_days_left);
    assert_eq!(permanence(&o), Some(Permanence::Permanent));
    assert!(took < QUICK);
}

#[test]
fn not_yet_valid_certificate() {
    let (o, _) = tls_case(CertCase::NotYetValid, "127.0.0.1");
    assert_eq!((o.outcome, o.reason), (Outcome::Down, Some(Reason::Certificate)), "{}", o.message);
    assert!(o.message.contains("not valid yet"), "{}", o.message);
}

#[test]
fn certificate_for_another_host() {
    let (o, _) = tls_case(CertCase::WrongHost, "127.0.0.1");
    assert_eq!((o.outcome, o.reason), (Outcome::Down, Some(Reason::Certificate)), "{}", o.message);
    assert!(o.message.contains("other.example.test") && o.message.contains("not for 127.0.0.1"), "{}", o.message);
}

#[test]
fn certificate_from_an_unknown_ca() {
    let (o, _) = tls_case(CertCase::UnknownCa, "127.0.0.1");
    assert_eq!((o.outcome, o.reason), (Outcome::Down, Some(Reason::Certificate)), "{}", o.message);
    assert!(o.message.contains("unknown authority"), "{}", o.message);
    // Without the ca_file the OS trust store does not know the test CA either.
    let dir = tempfile::tempdir().unwrap();
    let pki = TestPki::new(dir.path(), CertCase::Good);
    let server = TlsImapServer::start(&pki);
    let (o, _) = probe(&endpoint(MailKind::Imap, "127.0.0.1", server.addr.port(), TlsMode::Implicit, None));
    assert_eq!(o.reason, Some(Reason::Certificate), "{}", o.message);
    assert!(o.message.contains("unknown authority"), "{}", o.message);
}

#[test]
fn soon_expiring_certificate_is_degraded_not_down() {
    let (o, _) = tls_case(CertCase::ExpiresSoon, "localhost");
    assert_eq!(o.outcome, Outcome::Degraded, "{}", o.message);
    assert_eq!(o.reason, Some(Reason::Certificate));
    assert!(matches!(o.cert_days_left, Some(2 | 3)), "{:?}", o.cert_days_left);
    assert!(o.message.contains("expires in"), "{}", o.message);
    // With a warning threshold below the days left, the same certificate is fine.
    let dir = tempfile::tempdir().unwrap();
    let pki = TestPki::new(dir.path(), CertCase::ExpiresSoon);
    let server = TlsImapServer::start(&pki);
    let mut ep = endpoint(MailKind::Imap, "localhost", server.addr.port(), TlsMode::Implicit, Some(&pki.ca_file));
    ep.cert_warn_days = 1;
    assert_eq!(probe(&ep).0.outcome, Outcome::Up);
}

#[test]
fn dns_name_found_nxdomain_and_timeout() {
    let s = servers();
    let dns = Dnsmasq::start();
    let named = endpoint(MailKind::Imap, "mail.example.test", s.imaps, TlsMode::Implicit, Some(&s.ca_file));
    let (o, _) = run(&named, Credential::None, Duration::from_secs(5), Dns::Server(dns.addr));
    assert_eq!(o.outcome, Outcome::Up, "{}", o.message);
    assert_eq!(step_names(&o).first().map(String::as_str), Some("dns"));

    let missing = endpoint(MailKind::Imap, "nope.example.test", s.imaps, TlsMode::Implicit, None);
    let (o, took) = run(&missing, Credential::None, Duration::from_secs(3), Dns::Server(dns.addr));
    assert_eq!((o.outcome, o.reason), (Outcome::Down, Some(Reason::Dns)), "{}", o.message);
    assert!(o.message.contains("does not exist"), "{}", o.message);
    assert_eq!(permanence(&o), Some(Permanence::Permanent));
    assert!(took < QUICK, "{took:?}");

    let silent = SilentDns::start();
    let (o, took) = run(&missing, Credential::None, Duration::from_secs(3), Dns::Server(silent.addr));
    assert_eq!((o.outcome, o.reason), (Outcome::Down, Some(Reason::Dns)), "{}", o.message);
    assert_eq!(permanence(&o), Some(Permanence::Transient), "{}", o.message);
    assert!(took < DEADLINE, "{took:?}");
}

#[test]
fn configured_login_without_a_stored_password_is_unknown_not_down() {
    let s = servers();
    let mut ep = endpoint(MailKind::Imap, &s.host, s.imaps, TlsMode::Implicit, Some(&s.ca_file));
    ep.username = Some(s.user.clone());
    let credential = Credential::Unavailable { username: s.user.clone(), why: "no keychain in this test".into() };
    let (o, _) = run(&ep, credential, Duration::from_secs(5), Dns::System);
    assert_eq!((o.outcome, o.reason), (Outcome::Unknown, Some(Reason::Auth)), "{}", o.message);
    assert!(o.message.contains("no keychain in this test") && o.message.contains("answered"), "{}", o.message);
    assert!(!step_names(&o).contains(&"login".to_owned()));
}

/// What the probe found wrong, as the verdict will name it.
fn cause(o: &Observation) -> Option<outage_core::cause::Cause> {
    o.mail().and_then(|m| m.cause.clone())
}

#[test]
fn a_wrong_tls_setting_against_the_real_servers_is_named_as_the_users() {
    use outage_core::cause::{Cause, Owner};
    let s = servers();
    let ca = Some(s.ca_file.as_path());
    // STARTTLS configured where Dovecot and Postfix expect TLS from the start: they wait for
    // our handshake, we wait for their greeting. The second look finds TLS spoken there.
    for (kind, port) in [(MailKind::Imap, s.imaps), (MailKind::Pop3, s.pop3s), (MailKind::Smtp, s.submissions)] {
        let (o, _) = probe(&endpoint(kind, &s.host, port, TlsMode::Starttls, ca));
        assert_eq!(o.outcome, Outcome::Down, "{}", o.message);
        assert_eq!(cause(&o), Some(Cause::StarttlsOnTlsPort { host: s.host.clone(), port }), "{}", o.message);
    }
    // "TLS from the start" where they greet in plain text first.
    for (kind, port) in [(MailKind::Imap, s.imap), (MailKind::Pop3, s.pop3), (MailKind::Smtp, s.submission)] {
        let (o, _) = probe(&endpoint(kind, &s.host, port, TlsMode::Implicit, ca));
        assert_eq!(o.outcome, Outcome::Down, "{}", o.message);
        let found = cause(&o).unwrap();
        assert_eq!(found, Cause::ImplicitTlsOnPlainPort { host: s.host.clone(), port }, "{}", o.message);
        assert_eq!(found.owner(), Owner::Settings);
    }
    // The real servers' private CA without ca_file: the user's to name.
    let (o, _) = probe(&endpoint(MailKind::Imap, &s.host, s.imaps, TlsMode::Implicit, None));
    assert_eq!(cause(&o), Some(Cause::CertificateUntrusted { host: s.host.clone() }), "{}", o.message);
}

#[test]
fn a_silent_server_stays_the_providers_whatever_the_tls_setting() {
    use outage_core::cause::Cause;
    let server = ScriptedServer::start(Script::Silent);
    for tls in [TlsMode::Starttls, TlsMode::Implicit] {
        let (o, _) = probe(&endpoint(MailKind::Imap, "127.0.0.1", server.addr.port(), tls, None));
        assert_eq!(cause(&o), Some(Cause::Silent { host: "127.0.0.1".into() }), "{tls:?}: {}", o.message);
    }
    let (o, _) = probe(&endpoint(MailKind::Imap, "127.0.0.1", closed_port().port(), TlsMode::Implicit, None));
    assert_eq!(cause(&o), Some(Cause::Refused { host: "127.0.0.1".into() }), "{}", o.message);
}

#[test]
fn greetings_that_say_not_now_and_certificates_are_named() {
    use outage_core::cause::Cause;
    let server = ScriptedServer::start(Script::Say(b"421 4.3.2 mx.example.test too busy, try later\r\n".to_vec()));
    let (o, _) = probe(&endpoint(MailKind::Smtp, "127.0.0.1", server.addr.port(), TlsMode::Starttls, None));
    assert_eq!(
        cause(&o),
        Some(Cause::Unavailable {
            host: "127.0.0.1".into(),
            reply: "421 4.3.2 mx.example.test too busy, try later".into()
        })
    );
    let web = ScriptedServer::start(Script::Say(b"HTTP/1.1 400 Bad Request\r\n\r\n".to_vec()));
    let (o, _) = probe(&endpoint(MailKind::Imap, "127.0.0.1", web.addr.port(), TlsMode::Starttls, None));
    assert_eq!(cause(&o), Some(Cause::NotMail { host: "127.0.0.1".into() }));
    // The test CA's expired leaf ended about a month ago.
    let (o, _) = tls_case(CertCase::Expired, "127.0.0.1");
    assert!(
        matches!(cause(&o), Some(Cause::CertificateExpired { days: 25..=35, .. })),
        "{:?}: {}",
        cause(&o),
        o.message
    );
    let (o, _) = tls_case(CertCase::WrongHost, "127.0.0.1");
    assert_eq!(cause(&o), Some(Cause::CertificateWrongHost { host: "127.0.0.1".into() }));
}

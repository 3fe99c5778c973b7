//! Mail test fixtures: real Postfix and Dovecot on loopback (started once per test process
//! through `tests/mail-servers/mail-servers.sh`), scripted hostile servers, TLS servers with
//! certificates made to order (expired, wrong host, unknown CA, expiring soon), dnsmasq as a
//! DNS server, and a private Secret Service (gnome-keyring in its own D-Bus session).
//! Everything listens on 127.0.0.0/8 only.

use std::io::{BufRead as _, BufReader, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use crate::workspace;

/// The running Postfix and Dovecot, as `mail-servers.sh` described them in `DIR/env`.
#[derive(Debug)]
pub struct Servers {
    pub dir: PathBuf,
    /// Where TLS is offered (127.0.0.2).
    pub host: String,
    /// The same servers without TLS (127.0.0.3): the STARTTLS-missing case.
    pub plain_host: String,
    pub user: String,
    pub password: String,
    pub imap: u16,
    pub imaps: u16,
    pub pop3: u16,
    pub pop3s: u16,
    pub submission: u16,
    pub submissions: u16,
    pub ca_file: PathBuf,
    _dir: Option<tempfile::TempDir>,
}

static SERVERS: OnceLock<Servers> = OnceLock::new();

/// Starts the servers on first use; they stop when this test process exits (the script's
/// watchdog). `OUTAGE_MAIL_SERVERS=DIR` uses servers someone else started in DIR instead.
pub fn servers() -> &'static Servers {
    SERVERS.get_or_init(|| {
        let (dir, keep) =
            std::env::var_os("OUTAGE_MAIL_SERVERS").map_or_else(start_servers, |dir| (PathBuf::from(dir), None));
        let env = std::fs::read_to_string(dir.join("env")).expect("mail servers env");
        let get = |key: &str| {
            env.lines()
                .find_map(|l| l.strip_prefix(&format!("{key}=")))
                .unwrap_or_else(|| panic!("{key} missing in {}/env", dir.display()))
                .to_owned()
        };
        let port = |key: &str| get(key).parse::<u16>().expect("port");
        Servers {
            host: get("MAIL_HOST"),
            plain_host: get("MAIL_PLAIN_HOST"),
            user: get("MAIL_USER"),
            password: std::fs::read_to_string(dir.join("password")).expect("password"),
            imap: port("IMAP_PORT"),
            imaps: port("IMAPS_PORT"),
            pop3: port("POP3_PORT"),
            pop3s: port("POP3S_PORT"),
            submission: port("SUBMISSION_PORT"),
            submissions: port("SUBMISSIONS_PORT"),
            ca_file: PathBuf::from(get("CA_FILE")),
            dir,
            _dir: keep,
        }
    })
}

/// Runs `mail-servers.sh start` in a new temp dir; a failure names what to install.
fn start_servers() -> (PathBuf, Option<tempfile::TempDir>) {
    let tmp = tempfile::Builder::new().prefix("outage-mail-").tempdir().expect("temp dir");
    let dir = tmp.path().to_path_buf();
    // A port range of our own, so parallel runs (other work trees) do not collide; all of
    // them below Linux's ephemeral ports (32768 and up), where clients' own ports live.
    let base = 11_000 + (std::process::id() % 21) * 1000;
    let out = Command::new("bash")
        .arg(workspace().join("tests/mail-servers/mail-servers.sh"))
        .arg("start")
        .arg(&dir)
        .arg("--until-exit")
        .arg(std::process::id().to_string())
        .env("MAIL_PORT_BASE", base.to_string())
        .output()
        .expect("run tests/mail-servers/mail-servers.sh");
    assert!(
        out.status.success(),
        "the mail tests need real Postfix and Dovecot, and they did not start \
         (`cargo xtask setup` installs postfix, dovecot-imapd, dovecot-pop3d, dovecot-lmtpd, dovecot-sieve):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (dir, Some(tmp))
}

/// A port on 127.0.0.1 where nothing listens.
pub fn closed_port() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr")
}

/// What a scripted server does with each connection.
#[derive(Debug, Clone)]
pub enum Script {
    /// Accepts and never says a word (a tarpit).
    Silent,
    /// Sends these bytes, then keeps the connection open without reading.
    Say(Vec<u8>),
    /// Sends the greeting, reads one line, then resets the connection (RST).
    ResetAfterGreeting(Vec<u8>),
    /// Sends this many bytes without a line break.
    Flood(usize),
    /// Sends the greeting, then answers each line it reads with the next reply (`{tag}` is
    /// replaced by the first word of that line, for IMAP), then holds the connection.
    Replies(Vec<u8>, Vec<String>),
}

/// A scripted TCP server on 127.0.0.1.
#[derive(Debug)]
pub struct ScriptedServer {
    pub addr: SocketAddr,
}

impl ScriptedServer {
    pub fn start(script: Script) -> ScriptedServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let addr = listener.local_addr().expect("addr");
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let script = script.clone();
                std::thread::spawn(move || serve_script(stream, &script));
            }
        });
        ScriptedServer { addr }
    }
}

fn serve_script(mut stream: TcpStream, script: &Script) {
    match script {
        Script::Silent => std::thread::sleep(Duration::from_mins(2)),
        Script::Say(bytes) => {
            let _ = stream.write_all(bytes);
            std::thread::sleep(Duration::from_mins(2));
        }
        Script::ResetAfterGreeting(greeting) => {
            let _ = stream.write_all(greeting);
            let mut line = String::new();
            let _ = BufReader::new(&stream).read_line(&mut line);
            // Linger 0: close() sends RST instead of FIN.
            let _ = socket2::SockRef::from(&stream).set_linger(Some(Duration::ZERO));
            drop(stream);
        }
        Script::Replies(greeting, replies) => {
            let _ = stream.write_all(greeting);
            let mut reader = BufReader::new(stream.try_clone().expect("clone stream"));
            for reply in replies {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    return;
                }
                let tag = line.split_whitespace().next().unwrap_or("");
                if stream.write_all(reply.replace("{tag}", tag).as_bytes()).is_err() {
                    return;
                }
            }
            std::thread::sleep(Duration::from_secs(30));
        }
        Script::Flood(size) => {
            let chunk = vec![b'x'; 64 * 1024];
            let mut sent = 0;
            while sent < *size {
                let n = chunk.len().min(size - sent);
                if stream.write_all(&chunk[..n]).is_err() {
                    return;
                }
                sent += n;
            }
            std::thread::sleep(Duration::from_secs(30));
        }
    }
}

/// A listener whose accept queue is full: further connection attempts are never answered
/// (the SYN is dropped), as behind a firewall that drops packets.
#[derive(Debug)]
pub struct Blackhole {
    pub addr: SocketAddr,
    _listener: TcpListener,
    _fillers: Vec<socket2::Socket>,
}

impl Blackhole {
    pub fn start() -> Blackhole {
        use socket2::{Domain, Socket, Type};
        let socket = Socket::new(Domain::IPV4, Type::STREAM, None).expect("socket");
        socket.bind(&"127.0.0.1:0".parse::<SocketAddr>().expect("addr").into()).expect("bind");
        socket.listen(0).expect("listen");
        let listener: TcpListener = socket.into();
        let addr = listener.local_addr().expect("addr");
        // Never accepted: a backlog of 0 holds one or two; the rest wait for SYN-ACKs.
        let mut fillers = Vec::new();
        for _ in 0..4 {
            let filler = Socket::new(Domain::IPV4, Type::STREAM, None).expect("socket");
            filler.set_nonblocking(true).expect("nonblocking");
            let _ = filler.connect(&addr.into());
            fillers.push(filler);
        }
        std::thread::sleep(Duration::from_millis(200));
        Blackhole { addr, _listener: listener, _fillers: fillers }
    }
}

/// How a test certificate should be wrong (or right).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertCase {
    /// Valid for 127.0.0.1 and localhost for 90 days.
    Good,
    /// Expired a month ago.
    Expired,
    /// Valid only from next year on.
    NotYetValid,
    /// Valid, but for other.example.test only.
    WrongHost,
    /// Valid for 3 more days.
    ExpiresSoon,
    /// Signed by a CA the client does not trust.
    UnknownCa,
}

/// A test CA (written to `ca.pem`) and a server certificate of the given case.
#[derive(Debug)]
pub struct TestPki {
    pub ca_file: PathBuf,
    pub chain: Vec<rustls::pki_types::CertificateDer<'static>>,
    pub key: rustls::pki_types::PrivateKeyDer<'static>,
}

fn ymd(date: chrono::DateTime<chrono::Utc>) -> (i32, u8, u8) {
    use chrono::Datelike as _;
    (date.year(), u8::try_from(date.month()).expect("month"), u8::try_from(date.day()).expect("day"))
}

impl TestPki {
    /// A TLS server configuration presenting this certificate.
    pub fn server_config(&self) -> Arc<rustls::ServerConfig> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("versions")
            .with_no_client_auth()
            .with_single_cert(self.chain.clone(), self.key.clone_key())
            .expect("server config");
        Arc::new(config)
    }

    pub fn new(dir: &Path, case: CertCase) -> TestPki {
        TestPki::issue(dir, case, &[])
    }

    /// A valid certificate for these host names (besides the usual loopback names).
    pub fn for_names(dir: &Path, names: &[&str]) -> TestPki {
        TestPki::issue(dir, CertCase::Good, names)
    }

    fn issue(dir: &Path, case: CertCase, extra_names: &[&str]) -> TestPki {
        use rcgen::{
            BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
            KeyUsagePurpose,
        };
        let at = |date: chrono::DateTime<chrono::Utc>| {
            let (y, m, d) = ymd(date);
            rcgen::date_time_ymd(y, m, d)
        };
        let now = chrono::Utc::now();
        let ca_key = KeyPair::generate().expect("key");
        let mut ca = CertificateParams::new(Vec::<String>::new()).expect("params");
        ca.distinguished_name.push(DnType::CommonName, "Outage Notifier Test CA");
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        ca.not_before = at(now - chrono::Duration::days(400));
        ca.not_after = at(now + chrono::Duration::days(3650));
        let ca_cert = ca.self_signed(&ca_key).expect("ca");
        let issuer = Issuer::new(ca, ca_key);

        let names = match case {
            CertCase::WrongHost => vec!["other.example.test".to_owned()],
            _ => ["localhost", "127.0.0.1", "mail.example.test"]
                .iter()
                .chain(extra_names)
                .map(|n| (*n).to_owned())
                .collect(),
        };
        let mut leaf = CertificateParams::new(names).expect("params");
        leaf.distinguished_name.push(DnType::CommonName, "test server");
        leaf.is_ca = IsCa::ExplicitNoCa;
        leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        leaf.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment];
        let (from, until) = match case {
            CertCase::Expired => (now - chrono::Duration::days(120), now - chrono::Duration::days(30)),
            CertCase::NotYetValid => (now + chrono::Duration::days(365), now + chrono::Duration::days(500)),
            CertCase::ExpiresSoon => (now - chrono::Duration::days(80), now + chrono::Duration::days(3)),
            _ => (now - chrono::Duration::days(10), now + chrono::Duration::days(90)),
        };
        leaf.not_before = at(from);
        leaf.not_after = at(until);
        let leaf_key = KeyPair::generate().expect("key");

        let (leaf_cert, trusted_pem) = if case == CertCase::UnknownCa {
            // Signed by a second CA the client is never told about.
            let other_key = KeyPair::generate().expect("key");
            let mut other = CertificateParams::new(Vec::<String>::new()).expect("params");
            other.distinguished_name.push(DnType::CommonName, "Unknown CA");
            other.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
            let other_issuer = Issuer::new(other, other_key);
            (leaf.signed_by(&leaf_key, &other_issuer).expect("leaf"), ca_cert.pem())
        } else {
            (leaf.signed_by(&leaf_key, &issuer).expect("leaf"), ca_cert.pem())
        };
        let ca_file = dir.join(format!("ca-{case:?}.pem"));
        std::fs::write(&ca_file, trusted_pem).expect("write ca");
        TestPki {
            ca_file,
            chain: vec![leaf_cert.der().clone()],
            key: rustls::pki_types::PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into()),
        }
    }
}

/// An implicit-TLS IMAP server that answers CAPABILITY, NOOP and LOGOUT, with the
/// certificate of a [`TestPki`]. It does not look at its own certificate's dates, so it can
/// serve an expired one.
#[derive(Debug)]
pub struct TlsImapServer {
    pub addr: SocketAddr,
}

impl TlsImapServer {
    pub fn start(pki: &TestPki) -> TlsImapServer {
        TlsImapServer::answering_logins(pki, "OK logged in")
    }

    /// Answers AUTHENTICATE with `login` (e.g. `NO [UNAVAILABLE] …`) after its continuation.
    pub fn answering_logins(pki: &TestPki, login: &'static str) -> TlsImapServer {
        let config = pki.server_config();
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let addr = listener.local_addr().expect("addr");
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let config = Arc::clone(&config);
                std::thread::spawn(move || {
                    let _ = stream.set_read_timeout(Some(Duration::from_secs(20)));
                    let Ok(conn) = rustls::ServerConnection::new(config) else { return };
                    let mut tls = rustls::StreamOwned::new(conn, stream);
                    fake_imap(&mut tls, login);
                });
            }
        });
        TlsImapServer { addr }
    }
}

fn fake_imap(stream: &mut (impl std::io::Read + std::io::Write), login: &str) {
    if stream.write_all(b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] test server ready\r\n").is_err() {
        return;
    }
    let mut pending = Vec::new();
    let mut buf = [0u8; 1024];
    // The tag of an AUTHENTICATE waiting for its SASL response line.
    let mut authenticating: Option<String> = None;
    loop {
        let Ok(n) = stream.read(&mut buf) else { return };
        if n == 0 {
            return;
        }
        pending.extend_from_slice(&buf[..n]);
        while let Some(end) = pending.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = pending.drain(..=end).collect();
            let line = String::from_utf8_lossy(&line).trim().to_owned();
            let (tag, command) = line.split_once(' ').unwrap_or((&line, ""));
            let reply = if let Some(tag) = authenticating.take() {
                format!("{tag} {login}\r\n")
            } else {
                match command.to_ascii_uppercase().as_str() {
                    "CAPABILITY" => format!("* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n{tag} OK done\r\n"),
                    "LOGOUT" => format!("* BYE bye\r\n{tag} OK done\r\n"),
                    "AUTHENTICATE PLAIN" => {
                        authenticating = Some(tag.to_owned());
                        "+ \r\n".to_owned()
                    }
                    _ => format!("{tag} OK done\r\n"),
                }
            };
            if stream.write_all(reply.as_bytes()).is_err() {
                return;
            }
        }
    }
}

/// dnsmasq on a loopback port: `mail.example.test` is 127.0.0.2 (the Dovecot of
/// [`servers`]), `example.com` exists; other names under `.test` do not exist (NXDOMAIN).
#[derive(Debug)]
pub struct Dnsmasq {
    pub addr: SocketAddr,
    child: Child,
}

impl Dnsmasq {
    pub fn start() -> Dnsmasq {
        Dnsmasq::with_records(&[])
    }

    /// With more records, as dnsmasq options (`--mx-host=…`, `--srv-host=…`, `--address=…`).
    pub fn with_records(records: &[String]) -> Dnsmasq {
        let port = UdpSocket::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
        let child = Command::new("dnsmasq")
            .args([
                "--keep-in-foreground",
                "--no-daemon",
                &format!("--port={port}"),
                "--listen-address=127.0.0.1",
                "--bind-interfaces",
                "--no-resolv",
                "--no-hosts",
                "--local=/test/",
                "--address=/mail.example.test/127.0.0.2",
                // The connectivity guard's well-known name: this resolver works, so a name
                // it calls NXDOMAIN is that name's problem, not the resolver's.
                &format!("--address=/example.com/{}", crate::WELL_KNOWN_ANSWER),
                "--pid-file",
                "--user=root",
            ])
            .args(records)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("dnsmasq is not installed (cargo xtask setup installs dnsmasq-base)");
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().expect("addr");
        // Ready once it answers over TCP as well.
        crate::wait_for("dnsmasq", Duration::from_secs(10), || TcpStream::connect(addr).ok());
        Dnsmasq { addr, child }
    }
}

impl Drop for Dnsmasq {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A UDP (and TCP) port where a DNS query is received and never answered.
#[derive(Debug)]
pub struct SilentDns {
    pub addr: SocketAddr,
    _udp: UdpSocket,
    _tcp: Blackhole,
}

impl SilentDns {
    pub fn start() -> SilentDns {
        let tcp = Blackhole::start();
        let udp = UdpSocket::bind(SocketAddr::new(tcp.addr.ip(), tcp.addr.port())).expect("bind udp");
        SilentDns { addr: tcp.addr, _udp: udp, _tcp: tcp }
    }
}

/// A private desktop keychain: a D-Bus session with gnome-keyring's Secret Service,
/// with HOME and the XDG directories in a temp dir (the keyring files land there).
#[derive(Debug)]
pub struct Keychain {
    pub home: tempfile::TempDir,
    pub bus: String,
    _bus: crate::desktop::Daemon,
    _keyring: crate::desktop::Daemon,
}

impl Keychain {
    pub fn start() -> Keychain {
        let home = tempfile::Builder::new().prefix("outage-keychain-").tempdir().expect("temp dir");
        let (bus_daemon, bus) = crate::desktop::dbus_session();
        let run = home.path().join("run");
        std::fs::create_dir_all(&run).expect("run dir");
        std::fs::set_permissions(&run, std::os::unix::fs::PermissionsExt::from_mode(0o700)).expect("chmod");
        let mut keyring = Command::new("gnome-keyring-daemon")
            .args(["--foreground", "--unlock", "--components=secrets"])
            .env("DBUS_SESSION_BUS_ADDRESS", &bus)
            .env("HOME", home.path())
            .env("XDG_DATA_HOME", home.path().join("data"))
            .env("XDG_RUNTIME_DIR", &run)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("gnome-keyring-daemon is not installed (cargo xtask setup installs gnome-keyring)");
        // The login keyring's own password, on stdin (--unlock).
        let mut stdin = keyring.stdin.take().expect("stdin");
        stdin.write_all(b"keyring-unlock-test").expect("unlock");
        drop(stdin);
        let keychain = Keychain { home, bus, _bus: bus_daemon, _keyring: crate::desktop::Daemon(keyring) };
        crate::wait_for("the Secret Service on the private bus", Duration::from_secs(15), || {
            let out = Command::new("dbus-send")
                .args(["--session", "--print-reply", "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus"])
                .arg("org.freedesktop.DBus.NameHasOwner")
                .arg("string:org.freedesktop.secrets")
                .env("DBUS_SESSION_BUS_ADDRESS", &keychain.bus)
                .output()
                .ok()?;
            String::from_utf8_lossy(&out.stdout).contains("boolean true").then_some(())
        });
        keychain
    }

    /// The environment the CLI needs to reach this keychain (and only it).
    pub fn apply(&self, command: &mut Command) {
        command
            .env("DBUS_SESSION_BUS_ADDRESS", &self.bus)
            .env("HOME", self.home.path())
            .env("XDG_DATA_HOME", self.home.path().join("data"))
            .env("XDG_CONFIG_HOME", self.home.path().join("config"))
            .env("XDG_RUNTIME_DIR", self.home.path().join("run"));
    }
}

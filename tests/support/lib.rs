//! Helpers shared by the integration and end-to-end tests: the built binaries, loopback
//! servers with scripted behaviour, status-page payloads, and polling with deadlines.
//! Everything listens on 127.0.0.1 only; nothing here reaches another host.

pub mod desktop;
pub mod gate;
pub mod https;
pub mod mail;
pub mod replay;
pub mod webdriver;

use std::io::{BufRead as _, BufReader, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The real resident as a desktop-less test runs it, on `config` with its data in
/// `dir/data`: its control socket under `dir/run` (returned), HOME under `dir/home` (start at
/// login never writes into the real user's autostart folder), no D-Bus session, no display,
/// and a window command that does nothing. The caller adds what its test needs and spawns it.
pub fn headless_resident(config: &Path, dir: &Path) -> (Command, PathBuf) {
    let runtime = dir.join("run");
    std::fs::create_dir_all(&runtime).expect("runtime dir");
    let mut command = Command::new(bin("outage-notifier"));
    command
        .arg("--config")
        .arg(config)
        .arg("--data-dir")
        .arg(dir.join("data"))
        .env("XDG_RUNTIME_DIR", &runtime)
        .env("HOME", dir.join("home"))
        .env("XDG_CONFIG_HOME", dir.join("home/.config"))
        .env("DBUS_SESSION_BUS_ADDRESS", format!("unix:path={}/no-bus", dir.display()))
        .env("OUTAGE_NOTIFIER_WINDOW", "/bin/true")
        .env_remove("OUTAGE_NOTIFIER_SOCKET")
        .env_remove("DISPLAY")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    (command, runtime.join("outage-notifier/control.sock"))
}

/// A binary of this workspace, built into the same target directory as the test.
/// `cargo xtask test` builds them first; a missing one is a clear failure, not a skip.
pub fn bin(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    // target/<profile>/deps/<test> → target/<profile>/<name>
    let dir = exe.parent().and_then(Path::parent).expect("target dir");
    let path = dir.join(name);
    assert!(
        path.exists(),
        "{} is missing: build it first (`cargo build -p outage-notifier`, or `cargo xtask test`)",
        path.display()
    );
    path
}

/// The workspace root (for fixtures and artifacts).
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").to_path_buf()
}

/// A recorded payload, from the copy core's own tests read (`src-tauri/core/tests/fixtures/recorded/`).
pub fn fixture(name: &str) -> Vec<u8> {
    let path = workspace().join("src-tauri/core/tests/fixtures/recorded").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// What the loopback HTTP server does with the next request.
#[derive(Debug, Clone)]
pub enum Behaviour {
    /// 200 with this body.
    Ok(Vec<u8>),
    /// This status code with an empty body.
    Status(u16),
    /// Accept, read the request, never answer.
    Hang,
    /// 200 with a body of this many bytes, sent in chunks.
    Huge(usize),
    /// 302 to itself, forever.
    RedirectLoop,
    /// 302 to this address, whatever was asked (a captive portal's sign-in page).
    RedirectTo(String),
    /// 200 announcing this many bytes, then one byte a second (a body that never ends in time).
    Dribble(usize),
    /// 429 with `Retry-After` in seconds.
    RateLimited(u64),
    /// 200 with this JSON body to a client whose `Accept` names `application/json`, 406 to any
    /// other (Lexware's status API answers so, per a health-check pack's notes).
    JsonOnly(Vec<u8>),
    /// A site: these paths answer 200 with (content type, body); every other path 404.
    Site(Vec<(String, String, Vec<u8>)>),
}

/// A scripted HTTP/1.1 server on loopback. Byte-level on purpose: hostile behaviour
/// (hangs, oversized bodies, loops) is what it exists to produce.
#[derive(Debug, Clone)]
pub struct HttpServer {
    pub addr: SocketAddr,
    behaviour: Arc<Mutex<Behaviour>>,
    hits: Arc<AtomicUsize>,
    not_modified: Arc<AtomicUsize>,
}

impl HttpServer {
    pub fn start(behaviour: Behaviour) -> HttpServer {
        HttpServer::start_on("127.0.0.1:0", behaviour)
    }

    /// On this address (port 80 in a network namespace of the test's own, say).
    pub fn start_on(addr: &str, behaviour: Behaviour) -> HttpServer {
        let listener = TcpListener::bind(addr).expect("bind loopback");
        let addr = listener.local_addr().expect("local addr");
        let server = HttpServer {
            addr,
            behaviour: Arc::new(Mutex::new(behaviour)),
            hits: Arc::default(),
            not_modified: Arc::default(),
        };
        let s = server.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let s = s.clone();
                std::thread::spawn(move || s.serve(stream));
            }
        });
        server
    }

    pub fn base_url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    pub fn set(&self, behaviour: Behaviour) {
        *self.behaviour.lock().expect("lock") = behaviour;
    }

    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }

    /// How many conditional requests were answered with 304.
    pub fn not_modified(&self) -> usize {
        self.not_modified.load(Ordering::SeqCst)
    }

    fn serve(&self, mut stream: TcpStream) {
        let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
        let mut reader = BufReader::new(match stream.try_clone() {
            Ok(s) => s,
            Err(_) => return,
        });
        loop {
            let mut request_line = String::new();
            if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
                return;
            }
            let path = request_line.split_whitespace().nth(1).unwrap_or("/").to_owned();
            let mut if_none_match = None;
            let mut accept = String::new();
            loop {
                let mut header = String::new();
                if reader.read_line(&mut header).unwrap_or(0) == 0 || header == "\r\n" {
                    break;
                }
                if let Some((name, value)) = header.split_once(':') {
                    if name.eq_ignore_ascii_case("if-none-match") {
                        if_none_match = Some(value.trim().to_owned());
                    } else if name.eq_ignore_ascii_case("accept") {
                        value.trim().clone_into(&mut accept);
                    }
                }
            }
            self.hits.fetch_add(1, Ordering::SeqCst);
            let behaviour = self.behaviour.lock().expect("lock").clone();
            let ok = match behaviour {
                Behaviour::Ok(body) => {
                    // A strong validator derived from the body, as real servers send.
                    let etag = format!("\"{:016x}\"", fnv(&body));
                    if if_none_match.as_deref() == Some(etag.as_str()) {
                        self.not_modified.fetch_add(1, Ordering::SeqCst);
                        let head = format!("HTTP/1.1 304 Not Modified\r\nETag: {etag}\r\n\r\n");
                        stream.write_all(head.as_bytes()).is_ok()
                    } else {
                        let head = format!(
                            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nETag: {etag}\r\nContent-Length: {}\r\n\r\n",
                            body.len()
                        );
                        stream.write_all(head.as_bytes()).is_ok() && stream.write_all(&body).is_ok()
                    }
                }
                Behaviour::Site(pages) => match pages.iter().find(|(p, _, _)| *p == path) {
                    Some((_, content_type, body)) => respond(&mut stream, "200 OK", content_type, body),
                    None => respond(&mut stream, "404 Not Found", "text/plain", b"not found"),
                },
                Behaviour::RateLimited(seconds) => {
                    let head = format!(
                        "HTTP/1.1 429 Too Many Requests\r\nRetry-After: {seconds}\r\nContent-Length: 0\r\n\r\n"
                    );
                    stream.write_all(head.as_bytes()).is_ok()
                }
                Behaviour::Status(code) => respond(&mut stream, &format!("{code} Scripted"), "text/plain", b""),
                Behaviour::JsonOnly(body) if accept.contains("application/json") => {
                    respond(&mut stream, "200 OK", "application/json", &body)
                }
                Behaviour::JsonOnly(_) => respond(&mut stream, "406 Not Acceptable", "text/plain", b"not acceptable"),
                Behaviour::Hang => {
                    std::thread::sleep(Duration::from_mins(10));
                    false
                }
                Behaviour::Huge(size) => {
                    let head =
                        format!("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {size}\r\n\r\n");
                    let chunk = vec![b' '; 64 * 1024];
                    let mut sent = 0;
                    let mut ok = stream.write_all(head.as_bytes()).is_ok();
                    while ok && sent < size {
                        let n = chunk.len().min(size - sent);
                        ok = stream.write_all(&chunk[..n]).is_ok();
                        sent += n;
                    }
                    ok
                }
                Behaviour::Dribble(size) => {
                    let head = format!("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {size}\r\n\r\n");
                    let mut ok = stream.write_all(head.as_bytes()).is_ok();
                    for _ in 0..size {
                        if !ok {
                            break;
                        }
                        std::thread::sleep(Duration::from_secs(1));
                        ok = stream.write_all(b"x").is_ok();
                    }
                    ok
                }
                Behaviour::RedirectTo(location) => {
                    let head = format!("HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\n\r\n");
                    stream.write_all(head.as_bytes()).is_ok()
                }
                Behaviour::RedirectLoop => {
                    let next = format!("{path}{}r", if path.contains('?') { "&" } else { "?" });
                    let head = format!("HTTP/1.1 302 Found\r\nLocation: {next}\r\nContent-Length: 0\r\n\r\n");
                    stream.write_all(head.as_bytes()).is_ok()
                }
            };
            if !ok {
                return;
            }
        }
    }
}

fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3))
}

fn respond(stream: &mut TcpStream, status: &str, content_type: &str, body: &[u8]) -> bool {
    let head = format!("HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n", body.len());
    stream.write_all(head.as_bytes()).is_ok() && stream.write_all(body).is_ok()
}

/// A connectivity anchor on loopback: a real DNS server (dnsmasq) that answers the guard's
/// well-known name over UDP and TCP, as a public resolver would, and nothing else.
#[derive(Debug)]
pub struct Anchor {
    pub addr: SocketAddr,
    child: std::process::Child,
}

/// What the anchor answers for the guard's well-known name (`example.com`, RFC 2606).
pub const WELL_KNOWN_ANSWER: &str = "192.0.2.80";

impl Anchor {
    pub fn start() -> Anchor {
        Anchor::start_on("127.0.0.1", 0)
    }

    /// On this address and port (0: a free one), e.g. `1.1.1.1:53` in a network namespace.
    /// A free port is picked by binding UDP port 0, and another test may take its TCP twin
    /// before dnsmasq binds it: dnsmasq then exits, and a new port is tried.
    pub fn start_on(ip: &str, port: u16) -> Anchor {
        Anchor::start_with(ip, port, &[])
    }

    /// Like [`Anchor::start_on`], answering `records` too (dnsmasq options such as
    /// `--mx-host=…`, `--srv-host=…`, `--address=…`).
    pub fn start_with(ip: &str, port: u16, records: &[String]) -> Anchor {
        for _ in 0..5 {
            let chosen = if port == 0 {
                std::net::UdpSocket::bind(format!("{ip}:0")).expect("bind").local_addr().expect("addr").port()
            } else {
                port
            };
            let mut child = Command::new("dnsmasq")
                .args([
                    "--keep-in-foreground",
                    "--no-daemon",
                    &format!("--port={chosen}"),
                    &format!("--listen-address={ip}"),
                    "--bind-interfaces",
                    "--no-resolv",
                    "--no-hosts",
                    &format!("--address=/example.com/{WELL_KNOWN_ANSWER}"),
                    "--pid-file",
                    "--user=root",
                ])
                .args(records)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .expect("dnsmasq is not installed (cargo xtask setup installs dnsmasq-base)");
            let addr: SocketAddr = format!("{ip}:{chosen}").parse().expect("addr");
            // Ready once its port answers and it is still running: dnsmasq binds every socket
            // before it serves, so a port answered by someone else shows as dnsmasq's exit.
            let ready = wait_for("the anchor's dnsmasq", Duration::from_secs(10), || {
                if child.try_wait().ok().flatten().is_some() {
                    return Some(false);
                }
                TcpStream::connect(addr).ok()?;
                std::thread::sleep(Duration::from_millis(100));
                Some(child.try_wait().ok().flatten().is_none())
            });
            if ready {
                return Anchor { addr, child };
            }
            let _ = child.wait();
            assert_eq!(port, 0, "dnsmasq could not bind {addr}");
        }
        panic!("dnsmasq found no free port on {ip} in five tries");
    }
}

impl Drop for Anchor {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A Statuspage `summary.json` with one component and, optionally, one open incident.
pub fn statuspage_summary(indicator: &str, incident: Option<(&str, &str, &str)>) -> Vec<u8> {
    let component_status = match indicator {
        "none" => "operational",
        "minor" => "degraded_performance",
        "major" => "partial_outage",
        _ => "major_outage",
    };
    let incidents = match incident {
        None => serde_json::json!([]),
        Some((id, title, impact)) => serde_json::json!([{
            "id": id, "name": title, "status": "investigating", "impact": impact,
            "created_at": "2026-11-24T09:58:00.000Z", "started_at": "2026-11-24T09:58:00.000Z",
            "updated_at": "2026-11-24T10:01:00.000Z", "shortlink": "https://stspg.io/x",
            "components": [{"id": "c1", "name": "E-Mail", "status": component_status}],
            "incident_updates": [
                {"status": "investigating", "body": "Mailboxes are not reachable. We are investigating.",
                 "display_at": "2026-11-24T10:01:00.000Z", "created_at": "2026-11-24T10:01:00.000Z"}
            ]
        }]),
    };
    serde_json::to_vec(&serde_json::json!({
        "page": {"id": "test", "name": "Test", "url": "http://127.0.0.1", "time_zone": "Etc/UTC",
                 "updated_at": "2026-11-24T10:01:00.000Z"},
        "status": {"indicator": indicator, "description": "scripted"},
        "components": [{"id": "c1", "name": "E-Mail", "status": component_status, "group": false,
                        "only_show_if_degraded": false}],
        "incidents": incidents,
        "scheduled_maintenances": []
    }))
    .expect("json")
}

/// Writes a config with one Statuspage provider watched on `server`.
pub fn write_config(dir: &Path, server: &HttpServer, anchor: &Anchor, interval: &str) -> PathBuf {
    let path = dir.join("config.toml");
    let text = format!(
        "[settings]\ninterval = \"{interval}\"\ntimeout = \"5s\"\nlanguage = \"en\"\nconnectivity = [\"{}\"]\n\n\
         [[provider]]\nid = \"df\"\nname = \"DomainFactory\"\nstatus_page = \"{}\"\n",
        anchor.addr,
        server.base_url()
    );
    std::fs::write(&path, text).expect("write config");
    path
}

/// A memory figure of this process from `/proc/self/status` (`VmHWM:` is the peak, `VmRSS:`
/// the current resident size) in MiB; 0 where there is no /proc. For the benchmarks.
pub fn proc_status_mib(field: &str) -> f64 {
    pid_status_mib("self", field)
}

/// Like [`proc_status_mib`], for process `pid` (`"self"` or a number).
pub fn pid_status_mib(pid: &str, field: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    kib / 1024.0
}

/// Proportional set size in KiB (shared pages split among their users, so a sum over
/// processes does not count shared libraries twice).
pub fn pss_kib(pid: u32) -> u64 {
    let text = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).unwrap_or_default();
    text.lines()
        .find_map(|l| l.strip_prefix("Pss:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// User + system CPU time of a process, in clock ticks (USER_HZ, 100 on Linux).
pub fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name, which is in parentheses and may contain spaces.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let field = |n: usize| fields.get(n).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    // utime and stime are fields 14 and 15 of stat: 12 and 13 after the name.
    field(11) + field(12)
}

/// The summary a running resident gives on its control socket.
#[cfg(unix)]
pub fn control_summary(socket: &Path) -> serde_json::Value {
    let mut stream = std::os::unix::net::UnixStream::connect(socket).expect("connect to the control socket");
    stream.set_read_timeout(Some(Duration::from_secs(10))).expect("timeout");
    stream.write_all(b"{\"id\":1,\"method\":\"summary\"}\n").expect("ask");
    let mut line = String::new();
    BufReader::new(stream).read_line(&mut line).expect("answer");
    let reply: serde_json::Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"));
    reply["summary"].clone()
}

/// Polls `check` until it returns `Some`, or panics after `timeout` naming `what`.
pub fn wait_for<T>(what: &str, timeout: Duration, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = check() {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out after {timeout:?} waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A process under test, ended (SIGTERM, then SIGKILL after 10 s) however the test ends.
#[derive(Debug)]
pub struct Running(pub std::process::Child);

impl Running {
    pub fn stop(&mut self) {
        if let Ok(Some(_)) = self.0.try_wait() {
            return;
        }
        let _ = Command::new("kill").arg("-TERM").arg(self.0.id().to_string()).status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.0.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Polls `check` until it returns `Some`, or panics after `timeout` naming `what`: the async
/// [`wait_for`], for tests that drive servers on the same runtime.
pub async fn eventually<T, F: Future<Output = Option<T>>>(
    what: &str,
    timeout: Duration,
    mut check: impl FnMut() -> F,
) -> T {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out after {timeout:?} waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Sends one request line to a control socket and reads one reply line.
pub fn control_roundtrip(socket: &Path, line: &[u8]) -> String {
    try_control_roundtrip(socket, line).expect("a reply on the control socket")
}

/// [`control_roundtrip`], or `None` when no resident answers (between a stop and a start).
pub fn try_control_roundtrip(socket: &Path, line: &[u8]) -> Option<String> {
    use std::os::unix::net::UnixStream;
    let mut stream = UnixStream::connect(socket).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    stream.write_all(line).ok()?;
    let mut reader = BufReader::new(stream);
    let mut reply = String::new();
    reader.read_line(&mut reply).ok()?;
    Some(reply)
}

/// The system resolver of a namespace made by [`in_own_network`]: an [`Anchor`] on
/// 127.0.0.53:53, with the namespace's own `/etc/resolv.conf` (a bind mount, in its private
/// mount namespace) pointing at it. Like the machine's resolver it answers the connectivity
/// guard's well-known name, and no other, so the network counts as online while real hosts
/// (a catalog preset's) stay out of reach. Stops when dropped.
#[derive(Debug)]
pub struct NamespaceResolver {
    /// Held for its `Drop`, which stops the resolver.
    _anchor: Anchor,
}

impl NamespaceResolver {
    pub fn start(dir: &Path) -> NamespaceResolver {
        NamespaceResolver::with_records(dir, &[])
    }

    /// Answering `records` too (dnsmasq options, as for [`Anchor::start_with`]): the system
    /// resolver of the namespace then knows the test's domains, as a real one would.
    pub fn with_records(dir: &Path, records: &[String]) -> NamespaceResolver {
        assert!(std::env::var_os(OWN_NETWORK).is_some(), "only inside a namespace of in_own_network");
        let resolver = NamespaceResolver { _anchor: Anchor::start_with("127.0.0.53", 53, records) };
        let conf = dir.join("resolv.conf");
        std::fs::write(&conf, "nameserver 127.0.0.53\noptions timeout:1 attempts:1\n").expect("resolv.conf");
        let mounted = Command::new("mount").arg("--bind").arg(&conf).arg("/etc/resolv.conf").status();
        assert!(mounted.is_ok_and(|s| s.success()), "bind-mount the namespace's resolv.conf");
        resolver
    }
}

/// Set in the copy of a test that [`in_own_network`] runs.
const OWN_NETWORK: &str = "OUTAGE_TESTS_OWN_NETWORK";

/// Runs the test `name` of this test binary once more in a network namespace of its own, with
/// only loopback up, so whatever it starts can reach no other host (a catalog preset names
/// real hosts). A PID namespace around it ends every process it left behind when it ends.
/// Returns `true` in that copy, which goes on with the test; `false` in the caller once the
/// copy passed (it panics when the copy failed). As root directly, otherwise in a user
/// namespace where this user is root.
pub fn in_own_network(name: &str) -> bool {
    use std::os::unix::fs::MetadataExt as _;
    if std::env::var_os(OWN_NETWORK).is_some() {
        return true;
    }
    let exe = std::env::current_exe().expect("test executable path");
    let root = std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0);
    let mut command = Command::new("unshare");
    if !root {
        command.args(["--user", "--map-root-user"]);
    }
    command
        .args([
            "--net",
            "--mount",
            "--pid",
            "--fork",
            "--kill-child",
            "sh",
            "-c",
            "ip link set lo up && exec \"$@\"",
            "sh",
        ])
        .arg(exe)
        .args(["--exact", name, "--nocapture", "--test-threads=1"])
        .env(OWN_NETWORK, "1");
    let status = command.status().expect("unshare (util-linux) and ip (iproute2) run the test in a namespace");
    assert!(status.success(), "{name} failed in its own network namespace ({status}); its output is above");
    false
}

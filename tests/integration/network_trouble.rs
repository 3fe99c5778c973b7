//! "Is it me or them" on a broken network: the real `check` in a user, mount and network
//! namespace of the test's own, whose `/etc/resolv.conf` is bind-mounted to point at a
//! resolver the test controls on 127.0.0.53:53. A resolver that says NXDOMAIN for every name,
//! one that never answers, anchors that accept TCP and say nothing, and a captive portal must
//! all be the user's network — no provider blamed, no downtime recorded — while one provider
//! whose own name does not exist among working ones stays that provider's problem.
//!
//! Each test runs itself again inside `unshare -Urmn` (the variable `INSIDE` tells the copy),
//! so the servers it starts and the resident it runs share the namespace, and nothing it
//! does reaches the machine's own network or files.

use std::net::{SocketAddr, TcpListener, UdpSocket};
use std::path::Path;
use std::process::{Command, Output, Stdio};

use outage_tests::mail::{Script, ScriptedServer};
use outage_tests::{Anchor, Behaviour, HttpServer, WELL_KNOWN_ANSWER, bin, statuspage_summary, wait_for};

const INSIDE: &str = "OUTAGE_TEST_IN_NAMESPACE";
/// Where the namespace's system resolver listens (resolv.conf cannot name a port).
const RESOLVER: &str = "127.0.0.53";

/// True inside the namespace (go on with the test); false outside, after the copy inside
/// passed (or when this machine cannot make namespaces, said on stderr).
fn in_own_network(test: &str) -> bool {
    if std::env::var_os(INSIDE).is_some() {
        let up = Command::new("ip").args(["link", "set", "lo", "up"]).status().unwrap();
        assert!(up.success(), "lo up");
        return true;
    }
    if !Command::new("unshare").args(["-Urmn", "true"]).status().is_ok_and(|s| s.success()) {
        eprintln!("skipped: this machine cannot make user, mount and network namespaces (unshare -Urmn)");
        return false;
    }
    let out = Command::new("unshare")
        .arg("-Urmn")
        .arg(std::env::current_exe().unwrap())
        .args(["--exact", test, "--nocapture", "--test-threads=1"])
        .env(INSIDE, "1")
        .output()
        .unwrap();
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success() && said.contains("1 passed"), "inside the namespace:\n{said}");
    false
}

/// Points the namespace's `/etc/resolv.conf` at [`RESOLVER`].
fn use_resolver(dir: &Path) {
    let conf = dir.join("resolv.conf");
    std::fs::write(&conf, format!("nameserver {RESOLVER}\noptions timeout:1 attempts:1\n")).unwrap();
    let mounted = Command::new("mount").arg("--bind").arg(&conf).arg("/etc/resolv.conf").status().unwrap();
    assert!(mounted.success(), "bind-mount resolv.conf");
}

/// dnsmasq on [`RESOLVER`]:53 with these rules, as the namespace's system resolver.
struct Resolver(std::process::Child);

impl Resolver {
    fn start(rules: &[&str]) -> Resolver {
        let child = Command::new("dnsmasq")
            .args([
                "--keep-in-foreground",
                "--no-daemon",
                "--port=53",
                &format!("--listen-address={RESOLVER}"),
                "--bind-interfaces",
                "--no-resolv",
                "--no-hosts",
                "--pid-file",
                "--user=root",
            ])
            .args(rules)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("dnsmasq");
        let addr: SocketAddr = format!("{RESOLVER}:53").parse().unwrap();
        wait_for("the resolver", std::time::Duration::from_secs(10), || std::net::TcpStream::connect(addr).ok());
        Resolver(child)
    }
}

impl Drop for Resolver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A resolver that receives every query and never answers (UDP and TCP).
fn silent_resolver() -> (UdpSocket, TcpListener) {
    let udp = UdpSocket::bind(format!("{RESOLVER}:53")).unwrap();
    let tcp = TcpListener::bind(format!("{RESOLVER}:53")).unwrap();
    (udp, tcp)
}

/// A TCP port that accepts every connection and never says a word (a middlebox).
fn accepting_silence() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    addr
}

/// Two providers by name: DomainFactory (a status page and an IMAP server) and IONOS (a
/// status page), both served on loopback under names the namespace's resolver knows or not.
fn config(dir: &Path, anchors: &[String], page: &HttpServer, ionos_host: &str) -> std::path::PathBuf {
    let port = page.addr.port();
    let anchors: Vec<String> = anchors.iter().map(|a| format!("\"{a}\"")).collect();
    let path = dir.join("config.toml");
    std::fs::write(
        &path,
        format!(
            "[settings]\ntimeout = \"3s\"\nlanguage = \"en\"\nconnectivity = [{}]\n\n\
             [[provider]]\nid = \"df\"\nname = \"DomainFactory\"\nstatus_page = \"http://status.df.test:{port}/\"\n\
             status_format = \"statuspage\"\n\
             [[provider.mail]]\nkind = \"imap\"\nhost = \"imap.df.test\"\nport = {port}\ntls = \"none\"\n\n\
             [[provider]]\nid = \"ionos\"\nname = \"IONOS\"\nstatus_page = \"http://{ionos_host}:{port}/\"\n\
             status_format = \"statuspage\"\n",
            anchors.join(", ")
        ),
    )
    .unwrap();
    path
}

fn run(dir: &Path, config: &Path, args: &[&str]) -> Output {
    Command::new(bin("outage-notifier"))
        .arg("--config")
        .arg(config)
        .arg("--data-dir")
        .arg(dir.join("data"))
        .args(args)
        .env_remove("OUTAGE_NOTIFIER_DNS")
        .output()
        .unwrap()
}

fn check(dir: &Path, config: &Path) -> serde_json::Value {
    let out = run(dir, config, &["check", "--json"]);
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
    })
}

/// The user's network, whatever its cause: every provider `your_network` and unknown, every
/// check of ours `offline` (not measured), and the report has no downtime for anyone.
fn assert_nobody_blamed(dir: &Path, config: &Path, summary: &serde_json::Value, network: &str, sentence: &str) {
    assert_eq!(summary["network"], network, "{summary:#}");
    for p in summary["providers"].as_array().unwrap() {
        assert_eq!(p["verdict"], "your_network", "{p:#}");
        assert_eq!(p["state"], "unknown", "{p:#}");
        assert_eq!(p["verdict_text"], sentence, "{p:#}");
        for c in p["checks"].as_array().unwrap() {
            assert_eq!(c["outcome"], "unknown", "{c:#}");
            assert_eq!(c["reason"], "offline", "{c:#}");
        }
    }
    // Every probe stored is time nobody could measure…
    let out = run(dir, config, &["history", "--limit", "1000", "--json"]);
    let rows: Vec<serde_json::Value> =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    assert!(!rows.is_empty());
    for r in &rows {
        assert_eq!((&r["outcome"], &r["reason"]), (&"unknown".into(), &"offline".into()), "{r:#}");
    }
    // … so the evidence report has nothing against anyone: no outage, no availability below
    // 100 %, or nothing measured at all.
    let out = run(dir, config, &["report", "--format", "json"]);
    if out.stdout.is_empty() {
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(said.contains("nothing has been measured"), "{said}");
        return;
    }
    let report: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    for p in report["providers"].as_array().unwrap() {
        assert_eq!(p["outages"], serde_json::json!([]), "{p:#}");
        for (window, uptime) in p["uptime"].as_array().unwrap().iter().map(|w| (&w[0], &w[1])) {
            assert!(uptime.is_null() || uptime.as_f64() == Some(100.0), "{window}: {uptime} — {p:#}");
        }
    }
}

const DNS_SENTENCE: &str = "Your DNS server is not answering — your internet connection itself works";

/// The anchors answer; the namespace's resolver, started by `broken`, does not resolve.
fn resolver_broken_while_the_internet_answers<T>(broken: impl FnOnce() -> T) {
    let dir = tempfile::tempdir().unwrap();
    use_resolver(dir.path());
    let _resolver = broken();
    let page = HttpServer::start(Behaviour::Ok(statuspage_summary("none", None)));
    let anchor = Anchor::start();
    let config = config(dir.path(), &[anchor.addr.to_string()], &page, "status.ionos.test");
    let summary = check(dir.path(), &config);
    assert_nobody_blamed(dir.path(), &config, &summary, "dns", DNS_SENTENCE);
}

#[test]
fn a_resolver_that_says_nxdomain_for_every_name_is_the_users_dns() {
    if in_own_network("network_trouble::a_resolver_that_says_nxdomain_for_every_name_is_the_users_dns") {
        resolver_broken_while_the_internet_answers(|| Resolver::start(&["--address=/#/"]));
    }
}

#[test]
fn a_resolver_that_never_answers_is_the_users_dns() {
    if in_own_network("network_trouble::a_resolver_that_never_answers_is_the_users_dns") {
        resolver_broken_while_the_internet_answers(silent_resolver);
    }
}

/// The measured case of issue 12: every name NXDOMAIN, and the anchors are TCP ports that
/// something in the network accepts. A TCP connect proves nothing: nobody is blamed.
#[test]
fn anchors_that_only_accept_connections_prove_nothing() {
    if !in_own_network("network_trouble::anchors_that_only_accept_connections_prove_nothing") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    use_resolver(dir.path());
    let _resolver = Resolver::start(&["--address=/#/"]);
    let page = HttpServer::start(Behaviour::Ok(statuspage_summary("none", None)));
    let anchors = [accepting_silence().to_string(), accepting_silence().to_string()];
    let config = config(dir.path(), &anchors, &page, "status.ionos.test");
    let summary = check(dir.path(), &config);
    assert_nobody_blamed(dir.path(), &config, &summary, "offline", "Your internet connection is down");
}

/// A domain that really expired: the resolver works (the well-known name and the other
/// provider resolve), only IONOS's own name is NXDOMAIN. That is IONOS's problem alone.
#[test]
fn one_providers_name_missing_among_working_ones_is_that_providers_problem() {
    if !in_own_network("network_trouble::one_providers_name_missing_among_working_ones_is_that_providers_problem") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    use_resolver(dir.path());
    let _resolver = Resolver::start(&[
        &format!("--address=/example.com/{WELL_KNOWN_ANSWER}"),
        "--address=/status.df.test/127.0.0.1",
        "--address=/imap.df.test/127.0.0.1",
        "--local=/test/",
    ]);
    let page = HttpServer::start(Behaviour::Ok(statuspage_summary("none", None)));
    let imap = ScriptedServer::start(Script::Replies(
        b"* OK IMAP ready\r\n".to_vec(),
        vec![
            "* CAPABILITY IMAP4rev1\r\n{tag} OK done\r\n".into(),
            "{tag} OK done\r\n".into(),
            "* BYE\r\n{tag} OK done\r\n".into(),
        ],
    ));
    let anchor = Anchor::start();
    let config = config(dir.path(), &[anchor.addr.to_string()], &page, "status.gone.test");
    // DomainFactory's IMAP server answers on the page's port in this test: point it there.
    let text = std::fs::read_to_string(&config)
        .unwrap()
        .replace(&format!("port = {}\ntls", page.addr.port()), &format!("port = {}\ntls", imap.addr.port()));
    std::fs::write(&config, text).unwrap();
    let summary = check(dir.path(), &config);
    assert_eq!(summary["network"], "online", "{summary:#}");
    let df = &summary["providers"][0];
    assert_eq!((&df["state"], &df["verdict"]), (&"operational".into(), &"all_well".into()), "{df:#}");
    let ionos = &summary["providers"][1];
    assert_eq!(ionos["checks"][0]["reason"], "dns", "{ionos:#}");
    assert_ne!(ionos["verdict"], "your_network", "{ionos:#}");
    assert_eq!(ionos["state"], "unknown", "an unreadable page alone is unknown: {ionos:#}");
}

/// A hotel Wi-Fi: every name resolves to the portal, HTTPS gets nowhere, and plain HTTP is
/// redirected to the sign-in page. The HTTPS anchor shows it: the network wants a sign-in.
#[test]
fn a_captive_portal_is_the_users_network_asking_for_a_sign_in() {
    if !in_own_network("network_trouble::a_captive_portal_is_the_users_network_asking_for_a_sign_in") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    use_resolver(dir.path());
    let _resolver = Resolver::start(&["--address=/#/127.0.0.1"]);
    let portal = HttpServer::start_on("127.0.0.1:80", Behaviour::RedirectTo("http://login.portal.test/".into()));
    let config = config(dir.path(), &["https://anchor.example.org/".into()], &portal, "status.ionos.test");
    let summary = check(dir.path(), &config);
    assert_nobody_blamed(dir.path(), &config, &summary, "sign_in", "This network wants you to sign in");
}

/// The real resident, in the test's namespace, with its control socket in `dir`.
struct Resident(std::process::Child);

impl Resident {
    fn start(dir: &Path, config: &Path) -> (Resident, std::path::PathBuf) {
        let (mut command, socket) = outage_tests::headless_resident(config, dir);
        // The namespace's own resolver is the system's: names go where the test says.
        let child = command.env_remove("OUTAGE_NOTIFIER_DNS").spawn().unwrap();
        (Resident(child), socket)
    }
}

impl Drop for Resident {
    fn drop(&mut self) {
        let _ = Command::new("kill").arg("-TERM").arg(self.0.id().to_string()).stderr(Stdio::null()).status();
        let _ = self.0.wait();
    }
}

/// While the system resolver fails, a probe that still gets through (a page by its address)
/// does not end the `dns` state by itself: only a resolver that works again does. The time in
/// between is kept as a gap of its own kind — the user's DNS, not measured, nobody's downtime.
#[test]
fn a_success_does_not_end_a_dns_failure_until_the_resolver_works() {
    const INTERVAL: std::time::Duration = std::time::Duration::from_secs(10);
    if !in_own_network("network_trouble::a_success_does_not_end_a_dns_failure_until_the_resolver_works") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    use_resolver(dir.path());
    let broken = Resolver::start(&["--address=/#/"]);
    let anchor = Anchor::start();
    let direct = HttpServer::start(Behaviour::Ok(b"<html>ok</html>".to_vec()));
    let page = HttpServer::start(Behaviour::Ok(statuspage_summary("none", None)));
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[settings]\ninterval = \"{}s\"\ntimeout = \"3s\"\nlanguage = \"en\"\nconnectivity = [\"{}\"]\n\n\
             [[provider]]\nid = \"direct\"\nname = \"Direct\"\n\
             [[provider.http]]\nurl = \"http://{}/\"\n\n\
             [[provider]]\nid = \"df\"\nname = \"DomainFactory\"\nstatus_page = \"http://status.df.test:{}/\"\n\
             status_format = \"statuspage\"\n",
            INTERVAL.as_secs(),
            anchor.addr,
            direct.addr,
            page.addr.port()
        ),
    )
    .unwrap();
    let (_resident, socket) = Resident::start(dir.path(), &config);
    let network = || {
        std::os::unix::net::UnixStream::connect(&socket).ok()?;
        outage_tests::control_summary(&socket)["network"].as_str().map(str::to_owned)
    };
    wait_for("the DNS failure told", INTERVAL * 4, || (network().as_deref() == Some("dns")).then_some(()));

    // The page by its address keeps answering, interval after interval: the network stays `dns`.
    let hits_before = direct.hits();
    let until = std::time::Instant::now() + INTERVAL * 3;
    while std::time::Instant::now() < until {
        assert_eq!(network().as_deref(), Some("dns"), "a success ended the DNS failure");
        std::thread::sleep(std::time::Duration::from_secs(1));
    }
    assert!(direct.hits() >= hits_before + 2, "the page by address was probed {} times", direct.hits() - hits_before);
    let out = run(dir.path(), &config, &["history", "--provider", "direct", "--limit", "100", "--json"]);
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(rows.iter().any(|r| r["outcome"] == "up"), "no success while the resolver failed: {rows:#?}");

    // The resolver works again: online within an interval or two.
    drop(broken);
    let _fixed = Resolver::start(&[
        &format!("--address=/example.com/{WELL_KNOWN_ANSWER}"),
        "--address=/status.df.test/127.0.0.1",
        "--local=/test/",
    ]);
    wait_for("online again", INTERVAL * 3, || (network().as_deref() == Some("online")).then_some(()));

    // The evidence keeps that time as the user's DNS: a gap of its own kind, ended.
    let out = run(dir.path(), &config, &["report", "--format", "json"]);
    let report: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let gaps = report["gaps"].as_array().unwrap();
    assert!(gaps.iter().any(|g| g["kind"] == "dns" && !g["to"].is_null()), "{gaps:#?}");
    assert!(gaps.iter().all(|g| g["kind"] != "offline"), "the DNS failure was stored as offline: {gaps:#?}");
    for p in report["providers"].as_array().unwrap() {
        assert_eq!(p["outages"], serde_json::json!([]), "{p:#}");
    }
}

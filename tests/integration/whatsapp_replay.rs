//! A WhatsApp-style global outage replayed against the real resident: the service's endpoint
//! (its `[[provider.http]]` check) stops answering while the anchor works — WhatsApp's own
//! problem, told within one interval plus confirmation — and then the anchor dies too: the
//! user's network from then on, and nothing the resident stores for that time counts as
//! WhatsApp's downtime.

use std::os::unix::net::UnixStream;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use outage_tests::{Anchor, Behaviour, HttpServer, bin, wait_for};

/// The check interval of this replay; the confirmation adds two quick re-checks (10 s, 20 s).
const INTERVAL: Duration = Duration::from_secs(10);

struct Resident(Child);

impl Drop for Resident {
    fn drop(&mut self) {
        let _ = Command::new("kill").arg("-TERM").arg(self.0.id().to_string()).stderr(Stdio::null()).status();
        let _ = self.0.wait();
    }
}

fn summary(socket: &std::path::Path) -> serde_json::Value {
    outage_tests::control_summary(socket)
}

fn history(dir: &std::path::Path) -> Vec<serde_json::Value> {
    let out: Output = Command::new(bin("outage-notifier"))
        .arg("--config")
        .arg(dir.join("config.toml"))
        .arg("--data-dir")
        .arg(dir.join("data"))
        .args(["history", "--provider", "whatsapp", "--limit", "1000", "--json"])
        .output()
        .unwrap();
    serde_json::from_slice::<Vec<serde_json::Value>>(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
}

#[test]
fn a_global_outage_is_the_services_until_the_users_own_network_goes_too() {
    let dir = tempfile::tempdir().unwrap();
    let endpoint = HttpServer::start(Behaviour::Ok(b"<html>WhatsApp Web</html>".to_vec()));
    let anchor = Anchor::start();
    std::fs::write(
        dir.path().join("config.toml"),
        format!(
            "[settings]\ninterval = \"{}s\"\ntimeout = \"3s\"\nlanguage = \"en\"\nconnectivity = [\"{}\"]\n\n\
             [[provider]]\nid = \"whatsapp\"\nname = \"WhatsApp\"\n\
             [[provider.http]]\nurl = \"{}\"\nstatus = [\"200-499\"]\n",
            INTERVAL.as_secs(),
            anchor.addr,
            endpoint.base_url()
        ),
    )
    .unwrap();
    let (mut command, socket) = outage_tests::headless_resident(&dir.path().join("config.toml"), dir.path());
    // Timeouts make the guard ask whether names resolve: the anchor answers that too.
    let _resident = Resident(command.env("OUTAGE_NOTIFIER_DNS", anchor.addr.to_string()).spawn().unwrap());
    let verdict = |s: &serde_json::Value| s["providers"][0]["verdict"].as_str().unwrap_or_default().to_owned();
    wait_for("WhatsApp answering", Duration::from_secs(30), || {
        UnixStream::connect(&socket).ok().and_then(|_| (verdict(&summary(&socket)) == "all_well").then_some(()))
    });

    // WhatsApp stops answering; the internet still works.
    endpoint.set(Behaviour::Hang);
    let failed_at = Instant::now();
    let told = wait_for("WhatsApp's outage", INTERVAL * 10, || {
        let s = summary(&socket);
        (verdict(&s) == "provider_unacknowledged").then_some(s)
    });
    let took = failed_at.elapsed();
    // One interval until the next probe, then three probes (each up to the 3 s timeout) 10 s
    // and 20 s apart: about 4.5 intervals at most, with room for a loaded machine.
    assert!(took < INTERVAL * 6, "told after {took:?}");
    assert_eq!(told["network"], "online", "{told:#}");
    let p = &told["providers"][0];
    assert_eq!(
        p["verdict_text"], "WhatsApp cannot be reached — your internet connection works; WhatsApp has no status page",
        "{p:#}"
    );
    assert_eq!((&p["state"], &p["checks"][0]["reason"]), (&"partial_outage".into(), &"timeout".into()), "{p:#}");

    // Now the user's own network dies as well.
    drop(anchor);
    let offline_from = chrono::Local::now();
    let offline = wait_for("the user's network", INTERVAL * 6, || {
        let s = summary(&socket);
        (s["network"] == "offline").then_some(s)
    });
    assert_eq!(offline["providers"][0]["verdict"], "your_network", "{offline:#}");
    std::thread::sleep(INTERVAL * 3);

    // What is kept: timeouts (WhatsApp's downtime) while the anchor answered, and after the
    // probe that was in flight when it died, only time nobody could measure.
    let rows = history(dir.path());
    let at = |r: &serde_json::Value| chrono::DateTime::parse_from_rfc3339(r["at"].as_str().unwrap()).unwrap();
    let grace = chrono::Duration::seconds(5);
    let before: Vec<_> = rows.iter().filter(|r| at(r) < offline_from).collect();
    let after: Vec<_> = rows.iter().filter(|r| at(r) > offline_from + grace).collect();
    assert!(before.iter().filter(|r| r["outcome"] == "down").count() >= 3, "{before:#?}");
    assert!(after.len() >= 2, "probed while offline: {after:#?}");
    for r in &after {
        assert_eq!((&r["outcome"], &r["reason"]), (&"unknown".into(), &"offline".into()), "{r:#}");
    }
}

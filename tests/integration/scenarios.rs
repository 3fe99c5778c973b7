//! Verdicts as scenarios: the founding outages replayed against the real resident, with a
//! switchable gate in front of the real Dovecot and a Statuspage page on loopback. Bounds are
//! multiples of the interval; each scenario prints its figures (BENCHMARKS.md records them).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use outage_tests::gate::{Gate, GateMode};
use outage_tests::mail::servers;
use outage_tests::{Behaviour, HttpServer, try_control_roundtrip};

/// The interval the scenarios run at: the shortest the config allows.
const INTERVAL: Duration = Duration::from_secs(10);

/// What the resident said about provider `df`, and when (since the scenario began).
#[derive(Debug, Clone)]
struct Said {
    at: Duration,
    state: String,
    verdict: String,
    text: String,
}

/// A resident watching one provider: its status page and one IMAP endpoint behind a gate.
struct Scenario {
    page: HttpServer,
    gate: Gate,
    started: Instant,
    log: Arc<Mutex<Vec<Said>>>,
    /// Set when the scenario ends: the thread that listens to the resident stops.
    done: Arc<std::sync::atomic::AtomicBool>,
    resident: crate::control_socket::Resident,
}

impl Drop for Scenario {
    fn drop(&mut self) {
        self.done.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

impl Scenario {
    fn start(name: &str) -> Scenario {
        let s = servers();
        let gate = Gate::start_on(&s.host, format!("{}:{}", s.host, s.imaps).parse().unwrap(), GateMode::Open);
        let extra = format!(
            "\n[[provider.mail]]\nkind = \"imap\"\nhost = \"{}\"\nport = {}\ntls = \"implicit\"\nca_file = \"{}\"\n",
            s.host,
            gate.addr.port(),
            s.ca_file.display()
        );
        let resident = crate::control_socket::start_with_settings(&format!("{}s", INTERVAL.as_secs()), "4s", &extra);
        let page = resident.server.clone();
        let log = Arc::new(Mutex::new(Vec::<Said>::new()));
        let started = Instant::now();
        let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (socket, recorded, finished) = (resident.socket.clone(), log.clone(), done.clone());
        std::thread::spawn(move || {
            while !finished.load(std::sync::atomic::Ordering::SeqCst) {
                // Between a stop and a start the resident does not answer: ask again.
                let Some(reply) = try_control_roundtrip(&socket, b"{\"id\":1,\"method\":\"summary\"}\n") else {
                    std::thread::sleep(Duration::from_millis(250));
                    continue;
                };
                if let Ok(v) = serde_json::from_str::<serde_json::Value>(&reply) {
                    let p = &v["summary"]["providers"][0];
                    let said = Said {
                        at: started.elapsed(),
                        state: p["state"].as_str().unwrap_or_default().to_owned(),
                        verdict: p["verdict"].as_str().unwrap_or_default().to_owned(),
                        text: p["verdict_text"].as_str().unwrap_or_default().to_owned(),
                    };
                    let Ok(mut log) = recorded.lock() else { return };
                    if log
                        .last()
                        .is_none_or(|l| (&l.state, &l.verdict, &l.text) != (&said.state, &said.verdict, &said.text))
                    {
                        log.push(said);
                    }
                }
                std::thread::sleep(Duration::from_millis(250));
            }
        });
        eprintln!("scenario {name}: interval {} s", INTERVAL.as_secs());
        Scenario { page, gate, started, log, done, resident }
    }

    /// Waits until the latest verdict satisfies `what`, at most `intervals` × the interval from
    /// now; returns how long it took, in intervals.
    fn until(&self, label: &str, intervals: f64, what: impl Fn(&Said) -> bool) -> f64 {
        let from = self.started.elapsed();
        let deadline = Instant::now() + INTERVAL.mul_f64(intervals);
        loop {
            if let Some(last) = self.log.lock().unwrap().last().cloned()
                && what(&last)
            {
                let took = last.at.saturating_sub(from).as_secs_f64() / INTERVAL.as_secs_f64();
                eprintln!("  {label}: {took:.1} × interval — {} / {}: {}", last.state, last.verdict, last.text);
                return took;
            }
            assert!(
                Instant::now() < deadline,
                "{label}: not within {intervals} intervals; what was said: {:#?}",
                self.log.lock().unwrap()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Every distinct thing said since `from` (seconds since the start).
    fn said_since(&self, from: Duration) -> Vec<Said> {
        self.log.lock().unwrap().iter().filter(|s| s.at >= from).cloned().collect()
    }

    fn now(&self) -> Duration {
        self.started.elapsed()
    }

    /// The evidence report since the scenario began, in German, made by the resident as the
    /// window asks for it: JSON parsed, any other format as `{"text": …}`.
    fn report(&self, format: &str) -> serde_json::Value {
        let out = self.resident.dir.path().join(format!("report.{format}"));
        let now = chrono::Local::now().fixed_offset();
        let from = now - chrono::TimeDelta::from_std(self.now() + INTERVAL).unwrap();
        let request = serde_json::json!({
            "id": 9, "method": "export_report",
            "request": { "from": from.to_rfc3339(), "to": now.to_rfc3339(), "providers": [], "format": format,
                         "path": out.to_str().unwrap(), "language": "de" }
        });
        let reply = try_control_roundtrip(&self.resident.socket, format!("{request}\n").as_bytes()).unwrap();
        let reply: serde_json::Value = serde_json::from_str(&reply).unwrap();
        assert_eq!(reply["outcome"]["outcome"], "written", "{reply}");
        let text = std::fs::read_to_string(&out).unwrap();
        if format == "json" { serde_json::from_str(&text).unwrap() } else { serde_json::json!({ "text": text }) }
    }
}

fn all_well(s: &Said) -> bool {
    s.verdict == "all_well"
}

/// A Statuspage summary whose one incident is in `status` (or none), updated now.
fn page(indicator: &str, incident: Option<&str>) -> Vec<u8> {
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let incidents = match incident {
        None => serde_json::json!([]),
        Some(status) => serde_json::json!([{
            "id": "df-1", "name": "E-Mail nicht erreichbar", "status": status, "impact": "major",
            "created_at": now, "started_at": now, "updated_at": now,
            "resolved_at": if status == "resolved" { serde_json::json!(now) } else { serde_json::Value::Null },
            "shortlink": "https://stspg.io/x",
            "components": [{"id": "c1", "name": "E-Mail", "status": if status == "resolved" { "operational" } else { "major_outage" }}],
            "incident_updates": [{"status": status, "body": "Wir arbeiten daran.", "display_at": now, "created_at": now}]
        }]),
    };
    let component = if indicator == "none" { "operational" } else { "major_outage" };
    serde_json::to_vec(&serde_json::json!({
        "page": {"id": "df", "name": "DomainFactory", "url": "http://127.0.0.1", "time_zone": "Etc/UTC", "updated_at": now},
        "status": {"indicator": indicator, "description": "scripted"},
        "components": [{"id": "c1", "name": "E-Mail", "status": component, "group": false, "only_show_if_degraded": false}],
        "incidents": incidents,
        "scheduled_maintenances": []
    }))
    .unwrap()
}

#[test]
fn overload_half_hanging_half_late_is_one_degraded_episode() {
    // Rackspace: every other connection hangs past the timeout, the rest answer late (each
    // of the dialogue's round trips 250 ms late: the whole probe about 1.5 s instead of 20 ms).
    let sc = Scenario::start("overload");
    sc.until("first all-clear", 3.0, all_well);
    std::thread::sleep(INTERVAL * 5); // the usual speed is learnt from five normal answers
    let load = sc.now();
    sc.gate.set(GateMode::Overloaded(Duration::from_millis(250)));
    let detect = sc.until("overload found", 8.0, |s| s.state == "degraded" && s.verdict == "provider_unacknowledged");
    std::thread::sleep(INTERVAL * 4);
    let gone = sc.now();
    sc.gate.set(GateMode::Open);
    let clear = sc.until("all-clear after the load", 8.0, all_well);
    let problems: Vec<Said> = sc.said_since(load).into_iter().filter(|s| s.state != "operational").collect();
    // One episode: no return to "all well" between the first problem and the end of the load.
    let during = sc.said_since(load).into_iter().filter(|s| s.at < gone).collect::<Vec<_>>();
    let first_problem = during.iter().position(|s| s.state != "operational").unwrap();
    assert!(during[first_problem..].iter().all(|s| !all_well(s)), "the episode flapped: {during:#?}");
    assert!(problems.iter().all(|s| s.state != "partial_outage" && s.state != "major_outage"), "{problems:#?}");
    eprintln!("  figures: detect {detect:.1}, all-clear {clear:.1} intervals");
}

#[test]
fn slowness_alone_is_degraded() {
    // Every answer about 100 times later than usual, none failing.
    let sc = Scenario::start("slowness");
    sc.until("first all-clear", 3.0, all_well);
    std::thread::sleep(INTERVAL * 5);
    sc.gate.set(GateMode::Slow(Duration::from_millis(350)));
    let detect = sc.until("slowness found", 6.0, |s| s.state == "degraded" && s.text.contains("slower than usual"));
    sc.gate.set(GateMode::Open);
    let clear = sc.until("all-clear when quick again", 3.0, all_well);
    eprintln!("  figures: detect {detect:.1}, all-clear {clear:.1} intervals");

    // The slow stretch is evidence: the resident stored it, and the report lists it apart
    // from the outages, with its start and end, and counts none of it as downtime.
    let report = sc.report("json");
    let df = &report["providers"][0];
    let degraded = df["degraded"].as_array().expect("degraded stretches in the report");
    assert_eq!(degraded.len(), 1, "{degraded:#?}");
    assert_eq!(degraded[0]["kind"], "slow");
    assert_eq!(degraded[0]["probed"]["kind"], "imap");
    let (started, ended) = (degraded[0]["started"].as_str().unwrap(), degraded[0]["ended"].as_str());
    let ended = ended.expect("the stretch ended when the server was quick again");
    let length =
        chrono::DateTime::parse_from_rfc3339(ended).unwrap() - chrono::DateTime::parse_from_rfc3339(started).unwrap();
    assert!(length > chrono::TimeDelta::zero() && length.to_std().unwrap() < INTERVAL * 12, "{started} – {ended}");
    assert!(df["outages"].as_array().unwrap().is_empty(), "slow is not an outage: {df:#}");
    let period = df["availability"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(period["down_ms"], 0, "slow is not downtime: {period}");
    let md = sc.report("md");
    assert!(md["text"].as_str().unwrap().contains("deutlich langsamer als üblich"), "{md}");
}

#[test]
fn domainfactory_timeline_from_silence_to_the_all_clear() {
    let sc = Scenario::start("domainfactory");
    sc.page.set(Behaviour::Ok(page("none", None)));
    sc.until("first all-clear", 3.0, all_well);
    // Mail goes silent behind a green page.
    sc.gate.set(GateMode::Silent);
    let detect = sc.until("unacknowledged", 6.0, |s| s.verdict == "provider_unacknowledged");
    // The provider speaks.
    sc.page.set(Behaviour::Ok(page("major", Some("investigating"))));
    let ack = sc.until("confirmed", 2.0, |s| s.verdict == "provider_confirmed");
    // The page says resolved while our mail still fails: exactly that, nothing false.
    sc.page.set(Behaviour::Ok(page("none", Some("resolved"))));
    let resolved_first = sc.until("resolved-but-failing", 2.0, |s| s.text.contains("still do not answer"));
    // Mail returns: all well within one interval of both being true.
    let back = sc.now();
    sc.gate.set(GateMode::Open);
    let clear = sc.until("all-clear", 1.5, all_well);
    let since_back: Vec<Said> = sc.said_since(back);
    assert!(
        since_back.iter().all(|s| !s.text.contains("not yet acknowledged")),
        "no false sentence on the way back: {since_back:#?}"
    );
    eprintln!(
        "  figures: detect {detect:.1}, acknowledged {ack:.1}, resolved-but-failing {resolved_first:.1}, \
         all-clear {clear:.1} intervals"
    );
}

#[test]
fn slowness_right_after_a_restart_is_told_from_the_usual_speed_in_the_history() {
    let mut sc = Scenario::start("slowness after a restart");
    sc.until("first all-clear", 3.0, all_well);
    std::thread::sleep(INTERVAL * 6); // the history holds six quick answers
    crate::control_socket::restart(&mut sc.resident, |_| ());
    // Slow from the first probe after the restart: only the history knows the usual speed.
    sc.gate.set(GateMode::Slow(Duration::from_millis(350)));
    let detect = sc.until("slowness found after the restart", 5.0, |s| {
        s.state == "degraded" && s.text.contains("slower than usual")
    });
    eprintln!("  figures: detect {detect:.1} intervals after the restart");
}

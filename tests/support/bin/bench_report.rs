//! Benchmark: the evidence report as a PDF over two years of history for 50 providers (the
//! retention's full depth: hourly roll-ups of a status page and two mail servers each, an
//! outage a fortnight per provider with the provider's announcement, a night offline a week).
//! The history is seeded in this process; the report is made in a child process so its peak
//! memory (VmHWM) is the report's alone. Prints figures; asserts nothing.
//!
//! To time the report alone over several runs: `bench-report seed DB 50 730` once, then
//! `bench-report run DB 50 730 OUT.pdf` as often as wanted.

use std::path::Path;
use std::time::Instant;

use outage_core::config::parse;
use outage_core::model::{Incident, IncidentState, IncidentUpdate, State, StatusSnapshot};
use outage_core::text::Language;
use outage_engine::report::{self, Format, Request};
use outage_engine::store::{GapKind, Store};

const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 24 * HOUR_MS;

fn config(providers: i64) -> String {
    use std::fmt::Write as _;
    let mut text = String::from("[settings]\nlanguage = \"de\"\n");
    for i in 0..providers {
        let _ = write!(
            text,
            "\n[[provider]]\nid = \"p{i}\"\nname = \"Anbieter {i}\"\nstatus_page = \"https://status{i}.test/\"\n\
             status_format = \"statuspage\"\nsla = \"99.9%\"\n\
             [[provider.mail]]\nkind = \"imap\"\nhost = \"imap{i}.test\"\nport = 993\n\
             [[provider.mail]]\nkind = \"smtp\"\nhost = \"smtp{i}.test\"\nport = 465\n"
        );
    }
    text
}

fn start_ms() -> i64 {
    chrono::DateTime::parse_from_rfc3339("2024-12-01T00:00:00+01:00").expect("time").timestamp_millis()
}

fn seed(db: &Path, providers: i64, days: i64) {
    let store = Store::open(db).expect("open");
    let start = start_ms();
    let checks = ["status_page", "imap/imap{}.test:993", "smtp/smtp{}.test:465"];
    {
        let mut conn = rusqlite::Connection::open(db).expect("open for seeding");
        let tx = conn.transaction().expect("tx");
        {
            let mut hourly = tx
                .prepare(
                    "INSERT INTO rollup_hourly (check_id, provider_id, hour_ms, up_ms, down_ms, offline_ms, latency_sum, latency_n)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                )
                .expect("prepare");
            let mut daily = tx
                .prepare(
                    "INSERT INTO rollup_daily (check_id, provider_id, day_ms, up_ms, down_ms, offline_ms, latency_sum, latency_n)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                )
                .expect("prepare");
            for p in 0..providers {
                let provider = format!("p{p}");
                for c in checks {
                    let check = format!("{provider}/{}", c.replace("{}", &p.to_string()));
                    for day in 0..days {
                        // A night offline a week (01:00–06:00), an outage of 3 hours a fortnight.
                        let (mut up_day, mut down_day, mut off_day) = (0, 0, 0);
                        for hour in 0..24 {
                            let offline = day % 7 == 3 && (1..6).contains(&hour);
                            let down = c != "status_page" && (day + p) % 14 == 0 && (9..12).contains(&hour);
                            let (up, dn, off) = if offline {
                                (0, 0, HOUR_MS)
                            } else if down {
                                (0, HOUR_MS, 0)
                            } else {
                                (HOUR_MS, 0, 0)
                            };
                            up_day += up;
                            down_day += dn;
                            off_day += off;
                            let at = start + day * DAY_MS + hour * HOUR_MS;
                            hourly
                                .execute(rusqlite::params![check, provider, at, up, dn, off, 40 * 60, 60])
                                .expect("hourly");
                        }
                        let at = start + day * DAY_MS;
                        daily
                            .execute(rusqlite::params![check, provider, at, up_day, down_day, off_day, 40 * 1440, 1440])
                            .expect("daily");
                    }
                }
            }
        }
        tx.commit().expect("commit");
    }
    for p in 0..providers {
        let provider = format!("p{p}");
        let imap = format!("{provider}/imap/imap{p}.test:993");
        for day in (0..days).filter(|d| (d + p) % 14 == 0) {
            let from = start + day * DAY_MS + 9 * HOUR_MS;
            store.outage_started(&imap, &provider, from, from + 30_000, Some("timeout")).expect("outage");
            store.outage_ended(&imap, from + 3 * HOUR_MS).expect("outage");
            let said = from + 40 * 60_000;
            let at = |ms: i64| chrono::DateTime::from_timestamp_millis(ms).expect("time").fixed_offset();
            let incident = Incident {
                id: format!("i{day}"),
                title: "Störung E-Mail".into(),
                state: IncidentState::Investigating,
                impact: State::MajorOutage,
                started_at: Some(at(said)),
                updated_at: None,
                url: None,
                updates: vec![IncidentUpdate {
                    at: at(said),
                    status: IncidentState::Investigating,
                    body: "Wir prüfen eine Störung der Mailserver.".into(),
                }],
                components: vec!["E-Mail".into()],
            };
            let page =
                |incidents| StatusSnapshot { indicator: Some(State::MajorOutage), components: vec![], incidents };
            store.record_snapshot(&provider, &page(vec![incident]), said + 60_000).expect("snapshot");
            store.record_snapshot(&provider, &page(vec![]), from + 4 * HOUR_MS).expect("snapshot");
        }
    }
    for day in (0..days).filter(|d| d % 7 == 3) {
        store.gap_started(GapKind::Offline, start + day * DAY_MS + HOUR_MS).expect("gap");
        store.gap_ended(GapKind::Offline, start + day * DAY_MS + 6 * HOUR_MS).expect("gap");
    }
}

fn run(db: &Path, providers: i64, days: i64, out: &Path) {
    let config = parse(&config(providers), "bench.toml").expect("config");
    let store = Store::open(db).expect("open");
    let at = |ms: i64| chrono::DateTime::from_timestamp_millis(ms).expect("time").fixed_offset();
    let (from, to) = (at(start_ms()), at(start_ms() + days * DAY_MS));
    let began = Instant::now();
    let request = Request { from, to, providers: vec![], language: Language::De };
    let built = report::build_in(&store, &config, &request, to, "bench", &chrono::Local).expect("report");
    let assembled = began.elapsed();
    let assembled_peak = outage_tests::proc_status_mib("VmHWM:");
    let written = report::export(&built, Format::Pdf, out).expect("pdf");
    let total = began.elapsed();
    let size = std::fs::metadata(&written[0]).map_or(0, |m| m.len());
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "report over {days} days for {providers} providers: assembled in {:.2} s, PDF written in {:.2} s total \
         ({:.2} s of CPU), {:.1} MiB, peak memory (VmHWM) {:.1} MiB ({assembled_peak:.1} MiB once assembled); \
         load average {}",
        assembled.as_secs_f64(),
        total.as_secs_f64(),
        cpu_seconds(),
        f64::from(u32::try_from(size).unwrap_or(u32::MAX)) / 1_048_576.0,
        outage_tests::proc_status_mib("VmHWM:"),
        load.split_whitespace().take(3).collect::<Vec<_>>().join(" "),
    );
}

/// The CPU time this process has used (user and system), from /proc/self/stat: on a machine
/// shared with other builds the wall-clock time says more about them than about the report.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the command name (which may hold spaces) in parentheses; utime and
    // stime are the 14th and 15th of the whole line, in clock ticks of 1/100 s (USER_HZ).
    let after = stat.rsplit_once(") ").map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<u32>().ok()).unwrap_or(0);
    f64::from(ticks(11) + ticks(12)) / 100.0
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("seed") {
        seed(Path::new(&args[1]), args[2].parse().expect("providers"), args[3].parse().expect("days"));
        return;
    }
    if args.first().map(String::as_str) == Some("run") {
        let providers = args[2].parse().expect("providers");
        let days = args[3].parse().expect("days");
        run(Path::new(&args[1]), providers, days, Path::new(&args[4]));
        return;
    }
    let providers: i64 = args.first().and_then(|a| a.parse().ok()).unwrap_or(50);
    let days: i64 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(730);
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("history.sqlite3");
    let began = Instant::now();
    seed(&db, providers, days);
    println!("seeded {days} days × {providers} providers of roll-ups in {:.1} s", began.elapsed().as_secs_f64());
    let out = dir.path().join("bench.pdf");
    let status = std::process::Command::new(std::env::current_exe().expect("self"))
        .arg("run")
        .arg(&db)
        .arg(providers.to_string())
        .arg(days.to_string())
        .arg(&out)
        .status()
        .expect("run the report");
    assert!(status.success());
}

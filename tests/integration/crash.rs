//! The history database survives being killed at any moment: a writer is SIGKILLed again and
//! again mid-write; afterwards the database opens, passes `PRAGMA integrity_check`, and holds
//! every observation the writer reported as stored.

use std::io::Read as _;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use outage_engine::store::Store;

#[test]
fn sigkill_while_writing_loses_nothing_reported() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("history.sqlite3");
    let mut reported: Vec<i64> = Vec::new();
    for round in 0..20u64 {
        let mut child = Command::new(env!("CARGO_BIN_EXE_history-writer"))
            .arg(&db)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Vary the moment of death: 40..230 ms into the run.
        std::thread::sleep(Duration::from_millis(40 + (round * 37) % 190));
        child.kill().unwrap(); // SIGKILL: no destructor, no flush, no goodbye
        child.wait().unwrap();
        let mut out = String::new();
        child.stdout.take().unwrap().read_to_string(&mut out).unwrap();
        // Only complete lines count: a torn last line was never reported.
        let complete = out.rfind('\n').map_or("", |i| &out[..i]);
        reported.extend(complete.lines().map(|l| l.parse::<i64>().unwrap()));
    }
    assert!(reported.len() > 200, "the writer barely wrote ({}); the test proves nothing", reported.len());

    let started = Instant::now();
    let store = Store::open(&db).unwrap();
    store.integrity_check().unwrap();
    let conn = rusqlite::Connection::open(&db).unwrap();
    let mut missing = Vec::new();
    for id in &reported {
        let n: i64 = conn.query_row("SELECT count(*) FROM observations WHERE id = ?1", [id], |r| r.get(0)).unwrap();
        if n != 1 {
            missing.push(*id);
        }
    }
    assert!(
        missing.is_empty(),
        "lost {} reported observations, e.g. {:?}",
        missing.len(),
        &missing[..missing.len().min(5)]
    );
    assert!(started.elapsed() < Duration::from_secs(30));
}

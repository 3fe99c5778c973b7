//! Writes observations into a history database as fast as it can and prints the id of each
//! one after its transaction committed: the crash test kills it mid-write and then checks
//! that every id it printed survived.

use std::io::Write as _;
use std::time::Duration;

use outage_core::model::{CheckKind, Observation, Outcome, Reason};
use outage_engine::store::Store;

fn main() {
    let path = std::env::args().nth(1).expect("usage: history-writer DB");
    let store = Store::open(std::path::Path::new(&path)).expect("open the history database");
    let base = chrono::DateTime::parse_from_rfc3339("2026-11-24T00:00:00+01:00").expect("time");
    let start = store.recent(None, 1).expect("read").first().map_or(0, |o| o.id);
    let mut stdout = std::io::stdout().lock();
    for i in start.. {
        let at = base + chrono::Duration::seconds(i);
        let outcome = if i % 7 == 0 { Outcome::Down } else { Outcome::Up };
        let mut o = Observation::failed(
            &format!("p{}/imap", i % 5),
            CheckKind::Imap,
            "imap.test:993",
            at,
            outcome,
            Reason::Timeout,
            "no answer",
        );
        if outcome == Outcome::Up {
            o.reason = None;
            o.latency_ms = Some(40);
        }
        let id = store.insert(&format!("p{}", i % 5), &o, Duration::from_mins(5)).expect("insert");
        // Reported only after the commit returned: this is the promise under test.
        if writeln!(stdout, "{id}").and_then(|()| stdout.flush()).is_err() {
            return;
        }
    }
}

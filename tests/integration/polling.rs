//! The resident's polling: conditional GETs make an unchanged page cost a 304, and every
//! probe lands in the history database.

use std::time::Duration;

use outage_tests::{control_roundtrip, wait_for};

fn messages(r: &crate::control_socket::Resident) -> Vec<(Option<String>, Option<String>)> {
    let Ok(db) = rusqlite::Connection::open(r.dir.path().join("data/history.sqlite3")) else { return vec![] };
    let Ok(mut stmt) = db.prepare("SELECT message, state FROM observations ORDER BY id") else { return vec![] };
    stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?))).map(|rows| rows.flatten().collect()).unwrap_or_default()
}

#[test]
fn an_unchanged_page_costs_a_304_on_the_second_poll() {
    let r = crate::control_socket::start();
    wait_for("the first observation", Duration::from_secs(20), || (messages(&r).len() == 1).then_some(()));
    let reply = control_roundtrip(&r.socket, b"{\"id\":1,\"method\":\"check_now\"}\n");
    assert!(reply.contains("\"done\""), "{reply}");
    let rows = wait_for("the second observation", Duration::from_secs(20), || {
        let rows = messages(&r);
        (rows.len() == 2).then_some(rows)
    });
    assert_eq!(r.server.not_modified(), 1, "the second request was conditional and answered 304");
    assert_eq!(rows[1].1.as_deref(), Some("operational"), "the cached snapshot still counts: {rows:?}");
    assert_eq!(rows[1].0, None, "a success stores no message");
}

//! Snapshot tests: every recorded payload in `tests/fixtures/recorded/` is parsed and its
//! normalised snapshot compared, byte for byte, with the JSON checked in under
//! `tests/snapshots/<fixture>.json`. `UPDATE_SNAPSHOTS=1 cargo test -p outage-core --test
//! snapshots` rewrites them; review the diff by eye before committing it.

use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset};
use outage_core::formats::{ParseError, feed, google_workspace, instatus, slack, status_io, statuspage};
use outage_core::model::StatusSnapshot;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/recorded/");
const SNAPSHOTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/snapshots/");

/// The fixed clock for rules that need "now" (feeds without lifecycle markers): the date of
/// the research the fixtures come with, after every capture.
fn now() -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2026-09-23T12:00:00Z").unwrap_or_else(|e| panic!("fixed clock: {e}"))
}

type Parser = fn(&[u8]) -> Result<StatusSnapshot, ParseError>;

/// The parser that reads a fixture, by its name. Module parsers, not `Format::parse`: the
/// snapshot shows the whole normalised payload, closed incidents included.
fn parser(name: &str) -> Option<Parser> {
    let feed = Path::new(name).extension().is_some_and(|ext| ext == "rss" || ext == "atom");
    let p: Parser = if feed {
        |body| feed::parse_at(body, now())
    } else if name.starts_with("statuspage-") {
        statuspage::parse
    } else if name.starts_with("statusio-") {
        status_io::parse
    } else if name.starts_with("slack-") {
        slack::parse
    } else if name.starts_with("instatus-") {
        instatus::parse
    } else if name.starts_with("google-dashboard-") {
        // The recording is Google Cloud's dashboard: its links resolve there.
        |body| {
            let cloud = url::Url::parse("https://status.cloud.google.com/")
                .map_err(|e| ParseError { format: "google_workspace", detail: e.to_string() })?;
            google_workspace::parse_relative_to(body, &cloud)
        }
    } else {
        return None;
    };
    Some(p)
}

fn fixtures() -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(FIXTURES)
        .unwrap_or_else(|e| panic!("{FIXTURES}: {e}"))
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|p| p.extension().is_some_and(|ext| ext != "md"))
        .collect();
    paths.sort();
    paths
}

fn snapshot_path(fixture: &Path) -> PathBuf {
    let name = fixture.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    Path::new(SNAPSHOTS).join(format!("{name}.json"))
}

#[test]
fn every_fixture_matches_its_snapshot() {
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some_and(|v| v == "1");
    let fixtures = fixtures();
    assert!(fixtures.len() >= 15, "expected the recorded fixtures in {FIXTURES}, found {}", fixtures.len());
    let mut failures = Vec::new();
    for fixture in &fixtures {
        let name = fixture.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let Some(parse) = parser(&name) else {
            failures.push(format!("{name}: no parser is mapped to this fixture; add it to `parser`"));
            continue;
        };
        let body = std::fs::read(fixture).unwrap_or_else(|e| panic!("{name}: {e}"));
        let snapshot = match parse(&body) {
            Ok(s) => s,
            Err(e) => {
                failures.push(format!("{name}: does not parse: {e}"));
                continue;
            }
        };
        let actual = serde_json::to_string_pretty(&snapshot).unwrap_or_else(|e| panic!("{name}: {e}")) + "\n";
        // Bodies from feeds, Slack and some Statuspage updates are HTML at the source; none may
        // survive as markup.
        for needle in ["<p>", "<br", "<strong>", "<small>", "<var", "<a ", "&lt;", "&nbsp;", "&amp;"] {
            if actual.contains(needle) {
                failures.push(format!("{name}: the snapshot contains `{needle}`"));
            }
        }
        let path = snapshot_path(fixture);
        if update {
            std::fs::write(&path, &actual).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            continue;
        }
        match std::fs::read_to_string(&path) {
            Ok(expected) if expected == actual => {}
            Ok(_) => failures.push(format!(
                "{name}: differs from {} (run with UPDATE_SNAPSHOTS=1 and review the diff)",
                path.display()
            )),
            Err(e) => failures.push(format!("{name}: no snapshot at {}: {e}", path.display())),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn no_orphan_snapshots() {
    let fixtures: Vec<PathBuf> = fixtures().iter().map(|f| snapshot_path(f)).collect();
    let orphans: Vec<String> = std::fs::read_dir(SNAPSHOTS)
        .unwrap_or_else(|e| panic!("{SNAPSHOTS}: {e}"))
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|p| !fixtures.contains(p))
        .map(|p| p.display().to_string())
        .collect();
    assert!(orphans.is_empty(), "snapshots without a fixture: {orphans:?}");
}

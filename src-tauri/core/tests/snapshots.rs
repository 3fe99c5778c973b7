//! Snapshot tests: every recorded payload in `tests/fixtures/recorded/` is parsed and its
//! normalised snapshot compared, byte for byte, with the JSON checked in under
//! `tests/snapshots/<fixture>.json`. `UPDATE_SNAPSHOTS=1 cargo test -p outage-core --test
//! snapshots` rewrites them; review the diff by eye before committing it.

use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset};
use outage_core::formats::{Format, Spec};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/recorded/");
const SNAPSHOTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/snapshots/");

/// The fixed clock for rules that need "now" (feeds without lifecycle markers): the date of
/// the research the fixtures come with, after every capture.
fn now() -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2026-09-23T12:00:00Z").unwrap_or_else(|e| panic!("fixed clock: {e}"))
}

/// The format whose recordings are named like `name`, as each format's
/// [`Recordings`](outage_core::formats::Recordings) declares: an extension wins over a prefix
/// (`statuspage-history-github.rss` is a feed), and two claims of the same kind are an error.
fn format_of(name: &str) -> Result<Format, String> {
    let extension = Path::new(name).extension().map(|ext| ext.to_string_lossy().into_owned()).unwrap_or_default();
    let by_extension: Vec<Format> =
        Format::ALL.into_iter().filter(|f| f.spec().recordings.extensions.contains(&extension.as_str())).collect();
    let by_prefix: Vec<Format> = Format::ALL
        .into_iter()
        .filter(|f| f.spec().recordings.prefixes.iter().any(|prefix| name.starts_with(prefix)))
        .collect();
    match (by_extension.as_slice(), by_prefix.as_slice()) {
        ([format], _) | ([], [format]) => Ok(*format),
        ([], []) => Err(format!("{name}: no format claims this recording; name it after a format's `recordings`")),
        ([], claims) | (claims, _) => Err(format!("{name}: claimed by several formats: {claims:?}")),
    }
}

/// Reads a recording with its format's module parser, not `Format::parse`: the snapshot
/// shows the whole normalised payload, closed incidents included.
fn read(spec: &Spec, body: &[u8]) -> Result<outage_core::model::StatusSnapshot, outage_core::formats::ParseError> {
    match spec.recordings.parse {
        Some(parse) => parse(body),
        None => spec.read_at(body, now()),
    }
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
        let format = match format_of(&name) {
            Ok(format) => format,
            Err(e) => {
                failures.push(e);
                continue;
            }
        };
        let body = std::fs::read(fixture).unwrap_or_else(|e| panic!("{name}: {e}"));
        let snapshot = match read(format.spec(), &body) {
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

#[test]
fn recordings_are_claimed_by_name() {
    assert_eq!(format_of("statuspage-summary-twilio-minor-incidents.json"), Ok(Format::Statuspage));
    assert_eq!(format_of("statuspage-history-github.rss"), Ok(Format::Feed));
    assert_eq!(format_of("aws-status-all.rss"), Ok(Format::Feed));
    assert_eq!(format_of("google-dashboard-incidents-gcp-2.json"), Ok(Format::GoogleWorkspace));
    assert_eq!(format_of("statusio-status-docker-partial-disruption.json"), Ok(Format::StatusIo));
    assert!(format_of("unheard-of.json").is_err());
}

//! `cargo xtask link-order`: writes `src-tauri/resident/link-order.txt`, the order in which
//! the linker lays out the release resident's functions, from a run of that resident under
//! valgrind's callgrind: first what it runs all day, then what an outage and the window run,
//! then start-up's, then (unlisted) everything else.
//!
//! A page fault maps 64 KiB of the binary around the page it needs, so functions that run
//! every minute scattered among ten megabytes that ran once kept most of `.text` mapped
//! (BENCHMARKS.md, "The functions the resident runs all day, together"). The run is
//! `bench-memory 3 1`: 50 status pages polled every minute, an outage, its notification
//! clicked, the window. Callgrind's profile is dumped at 50 s (start-up and the first
//! round), at 170 s (two rounds of polling: the all-day set) and every 10 s after, until the
//! benchmark ends the resident.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::{Result, apt_install, dpkg_installed, root, setup, step};

/// The phases of the training run, in the order their functions are laid out.
#[derive(Debug, Default)]
pub struct Phases {
    pub start_up: BTreeSet<String>,
    pub all_day: BTreeSet<String>,
    pub later: BTreeSet<String>,
}

impl Phases {
    /// All day first, then what only later parts (the outage, the window) ran, then what only
    /// start-up ran. Each name once.
    pub fn order(&self) -> Vec<String> {
        let mut out: Vec<String> = self.all_day.iter().cloned().collect();
        out.extend(self.later.difference(&self.all_day).cloned());
        out.extend(self.start_up.iter().filter(|n| !self.all_day.contains(*n) && !self.later.contains(*n)).cloned());
        out
    }
}

/// The functions of `object` (a path's last component, e.g. `outage-notifier`) that ran in
/// one callgrind profile: its `fn=` entries under that object. Callgrind compresses names
/// (`fn=(12) name` once, `fn=(12)` after) per file, and marks recursion levels with `'N`.
pub fn functions_in(profile: &str, object: &str) -> BTreeSet<String> {
    let mut objects: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    let mut names: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    let mut current_object = String::new();
    let mut out = BTreeSet::new();
    for line in profile.lines() {
        let Some((key, value)) = line.split_once('=') else { continue };
        let (id, name) = match value.strip_prefix('(').and_then(|v| v.split_once(')')) {
            Some((id, rest)) => (Some(id.to_owned()), rest.trim()),
            None => (None, value.trim()),
        };
        let table = match key {
            "ob" | "cob" => &mut objects,
            "fn" | "cfn" => &mut names,
            _ => continue,
        };
        let resolved = match (id, name.is_empty()) {
            (Some(id), false) => {
                table.insert(id, name.to_owned());
                name.to_owned()
            }
            (Some(id), true) => table.get(&id).cloned().unwrap_or_default(),
            (None, _) => name.to_owned(),
        };
        match key {
            "ob" => current_object = resolved,
            "fn" if Path::new(&current_object).file_name().is_some_and(|f| f == object) => {
                let bare = match resolved.rsplit_once('\'') {
                    Some((base, level)) if level.chars().all(|c| c.is_ascii_digit()) => base.to_owned(),
                    _ => resolved,
                };
                if !bare.is_empty() && !bare.starts_with('(') {
                    out.insert(bare);
                }
            }
            _ => {}
        }
    }
    out
}

/// The process whose command line holds `needle`, if one runs.
fn process_with(needle: &str) -> Option<u32> {
    std::fs::read_dir("/proc").ok()?.flatten().find_map(|entry| {
        let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
        let cmdline = std::fs::read(entry.path().join("cmdline")).ok()?;
        String::from_utf8_lossy(&cmdline).contains(needle).then_some(pid)
    })
}

fn dump(pid: u32) -> bool {
    Command::new("callgrind_control").args(["-d", &pid.to_string()]).output().is_ok_and(|o| o.status.success())
}

pub fn link_order() -> Result {
    setup(true)?;
    if !dpkg_installed("valgrind") {
        apt_install(&["valgrind"])?;
    }
    step("the release resident, its window and bench-memory");
    let release = crate::bench_memory_builds()?;
    let work = std::env::temp_dir().join(format!("outage-link-order-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).map_err(|e| format!("{}: {e}", work.display()))?;
    let profiles = work.join("profile");
    let wrapper = work.join("outage-notifier");
    std::fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\nexec valgrind --tool=callgrind --demangle=no --dump-instr=no \
             --callgrind-out-file={} {} \"$@\"\n",
            profiles.display(),
            release.join("outage-notifier").display()
        ),
    )
    .map_err(|e| format!("{}: {e}", wrapper.display()))?;
    // Through chmod(1), not std's unix-only permission API: xtask builds on every OS.
    Command::new("chmod").arg("755").arg(&wrapper).status().map_err(|e| format!("chmod: {e}"))?;

    step("bench-memory 3 1 with the resident under callgrind (about 8 minutes)");
    let mut bench = Command::new(release.join("bench-memory"))
        .args(["3", "1"])
        .env("BENCH_RESIDENT", &wrapper)
        .spawn()
        .map_err(|e| format!("cannot start bench-memory: {e}"))?;
    let needle = format!("--callgrind-out-file={}", profiles.display());
    let started = Instant::now();
    let pid = loop {
        if let Some(pid) = process_with(&needle) {
            break pid;
        }
        if started.elapsed() > Duration::from_mins(1) {
            let _ = bench.kill();
            return Err("the resident under callgrind did not start within 60 s".to_owned());
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let mut n = 0;
    for wait in [50, 120] {
        std::thread::sleep(Duration::from_secs(wait));
        if !dump(pid) {
            let _ = bench.kill();
            return Err(format!("callgrind_control -d {pid} failed"));
        }
        n += 1;
    }
    while Path::new(&format!("/proc/{pid}")).exists() {
        std::thread::sleep(Duration::from_secs(10));
        if dump(pid) {
            n += 1;
        }
    }
    let status = bench.wait().map_err(|e| e.to_string())?;
    eprintln!("bench-memory ended ({status}); {n} profiles");

    let read = |i: usize| -> BTreeSet<String> {
        let path = format!("{}.{i}", profiles.display());
        std::fs::read_to_string(&path).map(|text| functions_in(&text, "outage-notifier")).unwrap_or_default()
    };
    let phases = Phases { start_up: read(1), all_day: read(2), later: (3..=n).flat_map(read).collect() };
    if phases.all_day.is_empty() {
        return Err("the profile of the polling minutes is empty: nothing to write".to_owned());
    }
    let order = phases.order();
    let out = root().join("src-tauri/resident/link-order.txt");
    std::fs::write(&out, order.join("\n") + "\n").map_err(|e| format!("{}: {e}", out.display()))?;
    let (all_day, later) = (phases.all_day.len(), phases.later.difference(&phases.all_day).count());
    eprintln!(
        "{}: {} functions ({all_day} all day, {later} later, {} start-up)",
        out.display(),
        order.len(),
        order.len() - all_day - later
    );
    let _ = std::fs::remove_dir_all(&work);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROFILE: &str = "\
version: 1
ob=(1) /usr/lib/libc.so.6
fn=(1) malloc
ob=(2) /tmp/x/outage-notifier
fn=(2) _ZN4core3fmt5write17h0123456789abcdefE
cfn=(3) sqlite3Prepare'2
cfn=(3)
fn=(3)
fn=(4) (below main)
ob=(1)
fn=(5) free
";

    #[test]
    fn only_the_objects_functions_with_their_names_resolved() {
        let got: Vec<String> = functions_in(PROFILE, "outage-notifier").into_iter().collect();
        assert_eq!(got, ["_ZN4core3fmt5write17h0123456789abcdefE", "sqlite3Prepare"]);
    }

    #[test]
    fn all_day_first_then_later_then_start_up_each_once() {
        let set = |names: &[&str]| names.iter().map(|n| (*n).to_owned()).collect::<BTreeSet<_>>();
        let phases = Phases { start_up: set(&["a", "s", "d"]), all_day: set(&["d", "p"]), later: set(&["p", "w"]) };
        assert_eq!(phases.order(), ["d", "p", "w", "a", "s"]);
    }
}

//! Gives the kernel back the pages of a process's mapped files that nothing ran lately, and
//! the heap's free pages, so its memory is what it does now rather than what its start-up
//! did: the resident's all day (its schedule is [`keep_trimmed`]), the window's a few seconds
//! after its page has loaded.
//!
//! Why: a process maps its whole binary and libraries, and for each page its code touches the
//! kernel maps the 16 around it that are in the page cache ("fault-around"). After start-up,
//! clap, the config parser, SQLite's schema and the tray's registration have touched nearly
//! all of the resident's 10.7 MB of code, though a poll runs about half of it (BENCHMARKS.md,
//! issue 20: 10.8 MiB of the binary's pages in memory after start-up, 7.1 MiB a minute after
//! they were all dropped); the window's start-up (GTK, WebKit's UI side, Tauri) touches far
//! more of its libraries than showing a page does. Those pages are clean copies of the files:
//! dropping them from the process's mappings (`MADV_DONTNEED`) loses nothing — the next use
//! faults them back from the page cache, a minor fault of about a microsecond — and leaves the
//! kernel page cache it reclaims at will, instead of pages mapped by a process, which it keeps.
//!
//! Unsafe code is forbidden everywhere else in the workspace (`xtask`'s layering check says
//! where it is allowed); here it is two calls into the C library, whose conditions are
//! stated at each.
#![allow(unsafe_code)]

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;

/// The first trim: start-up and the first round of checks are over.
pub const FIRST: Duration = Duration::from_secs(90);
/// Then: what an outage, a report or a reload ran is given back within this.
pub const EVERY: Duration = Duration::from_mins(10);
/// After the last outage's all-clear: its notification, its line in the history and the
/// tray's new look are sent first, so that what they ran goes too.
pub const AFTER_ALL_CLEAR: Duration = Duration::from_secs(5);

/// What one trim gave back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Trimmed {
    /// Bytes of mapped files' pages (the program's and its libraries') that were in memory
    /// and were dropped.
    pub files: u64,
    /// Whether the C library gave any free heap pages back (it says no more than that).
    pub heap: bool,
}

/// The moments after which what the resident just did is not needed until it happens again,
/// each signalled by whoever sees it.
#[derive(Debug, Clone, Default)]
pub struct Moments {
    /// A window has closed: what its requests ran waits for the next one.
    pub window_closed: Arc<Notify>,
    /// A burst of probes is over (the engine's
    /// [`crate::runner::EngineHandle::settled`]): "check now", a network change or a reload
    /// ran every probe at once, and glibc keeps the 1–2 MiB of heap they held mapped after
    /// they freed it.
    pub probes_settled: Arc<Notify>,
    /// The last problem the user knew of is over (its all-clear was told): the outage's
    /// code path — incident parsing, the alerts, the notifications and their clicks — and
    /// its heap stayed in memory until the next scheduled trim, up to [`EVERY`] later
    /// (BENCHMARKS.md, issue 20: 7.3 MiB 75 s after the all-clear against 6.1 before the
    /// outage).
    pub outage_over: Arc<Notify>,
}

/// Trims at [`FIRST`], every [`EVERY`] after it, and at each of the [`Moments`]. `trim` is
/// [`trim`] outside tests. This is the resident's schedule; the window trims once, after its
/// page has loaded.
pub async fn keep_trimmed(moments: Moments, mut trim: impl FnMut() -> std::io::Result<Trimmed>) {
    let mut due = tokio::time::interval_at(tokio::time::Instant::now() + FIRST, EVERY);
    due.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = due.tick() => {}
            () = moments.window_closed.notified() => {}
            () = moments.probes_settled.notified() => {}
            () = moments.outage_over.notified() => tokio::time::sleep(AFTER_ALL_CLEAR).await,
        }
        match trim() {
            Ok(trimmed) => {
                tracing::debug!(files_kib = trimmed.files / 1024, heap = trimmed.heap, "gave back memory");
            }
            Err(e) => {
                // Nothing is lost but memory: say so once, and stop trying.
                tracing::warn!("cannot give back the program's unused pages: {e}");
                return;
            }
        }
    }
}

/// Drops the clean pages of the process's mapped files from its memory and gives the heap's
/// free pages back.
pub fn trim() -> std::io::Result<Trimmed> {
    let smaps = std::fs::read_to_string("/proc/self/smaps")?;
    let mut files = 0;
    for mapping in clean_file_mappings(&smaps) {
        // SAFETY: `mapping` is one of this process's mappings of a regular file that is not
        // writable and holds no page copied on write (smaps' `Anonymous: 0 kB`): every page in
        // it is the file's, unchanged. MADV_DONTNEED on such a mapping only unmaps the pages;
        // the next access maps the same bytes from the file again, so no value any code can
        // read changes. Writable mappings and relocated read-only data (whose pages the loader
        // copied on write) are never passed here.
        let rc = unsafe { libc::madvise(mapping.start as *mut libc::c_void, mapping.len, libc::MADV_DONTNEED) };
        if rc != 0 {
            let error = std::io::Error::last_os_error();
            // A mapping the kernel will not drop pages of (locked, or one whose pages are not
            // ordinary memory) keeps them; the others still can.
            if error.raw_os_error() == Some(libc::EINVAL) {
                continue;
            }
            return Err(error);
        }
        files += mapping.resident;
    }
    Ok(Trimmed { files, heap: heap_trim() })
}

/// Makes every thread allocate from the main heap (glibc's `M_ARENA_MAX` = 1), the one
/// [`trim`] gives back best. Otherwise a thread's first allocation makes it an arena of its
/// own, and the blocking pool's threads (SQLite's writes, the window's requests) left about
/// 0.3 MiB in theirs after an outage that `malloc_trim` did not return (BENCHMARKS.md, issue
/// 20, session 10: anonymous memory 0.2 → 0.5 MiB with arenas, 0.1 → 0.1 with one heap). The
/// resident's threads allocate a few times a minute: they do not wait for each other. Call
/// it before other threads start. Whether the C library took the setting.
#[cfg(target_env = "gnu")]
pub fn one_heap() -> bool {
    // SAFETY: `mallopt` has no preconditions; it takes the allocator's own lock, and
    // M_ARENA_MAX only limits the arenas made from now on.
    unsafe { libc::mallopt(libc::M_ARENA_MAX, 1) == 1 }
}

#[cfg(not(target_env = "gnu"))]
pub fn one_heap() -> bool {
    false
}

/// glibc keeps freed heap pages mapped (it trims only the top of the main arena, and only
/// past a threshold it raises itself after large frees): `malloc_trim` returns every whole
/// free page in every arena.
#[cfg(target_env = "gnu")]
fn heap_trim() -> bool {
    // SAFETY: `malloc_trim` has no preconditions; it takes the allocator's own locks.
    unsafe { libc::malloc_trim(0) == 1 }
}

#[cfg(not(target_env = "gnu"))]
fn heap_trim() -> bool {
    false
}

/// A range of the address space and how much of it is in memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Mapping {
    start: usize,
    len: usize,
    resident: u64,
}

/// The mappings of regular files in `smaps` (the text of `/proc/self/smaps`) that hold
/// nothing but the files' bytes: not writable, and no page copied on write. Only those with
/// pages in memory: the others have nothing to give.
fn clean_file_mappings(smaps: &str) -> Vec<Mapping> {
    let mut found = Vec::new();
    // The mapping being read, while its fields follow: (range, whether it is a candidate).
    let mut current: Option<(Mapping, bool)> = None;
    let mut anonymous_seen = false;
    let mut finish = |current: Option<(Mapping, bool)>, anonymous_seen: bool| {
        // A kernel without the `Anonymous` field cannot tell a copied page: no candidate.
        if let Some((mapping, true)) = current
            && anonymous_seen
            && mapping.resident > 0
        {
            found.push(mapping);
        }
    };
    for line in smaps.lines() {
        if let Some((range, candidate)) = header(line) {
            finish(current.take(), anonymous_seen);
            anonymous_seen = false;
            current = Some((range, candidate));
            continue;
        }
        let Some((mapping, candidate)) = current.as_mut() else { continue };
        if let Some(kib) = field(line, "Rss:") {
            mapping.resident = kib * 1024;
        } else if let Some(kib) = field(line, "Anonymous:") {
            anonymous_seen = true;
            if kib != 0 {
                *candidate = false;
            }
        }
    }
    finish(current, anonymous_seen);
    found
}

/// A mapping's header line (`start-end perms offset dev inode path`): its range, and whether
/// it maps a regular file without write permission — not a device (`/dev/…`: its pages may
/// not be the file's bytes) and not the kernel's (`[vdso]`, `[heap]`, …). `None` for the
/// field lines.
fn header(line: &str) -> Option<(Mapping, bool)> {
    let mut parts = line.splitn(6, ' ');
    let (range, perms) = (parts.next()?, parts.next()?);
    let (start, end) = range.split_once('-')?;
    let start = usize::from_str_radix(start, 16).ok()?;
    let end = usize::from_str_radix(end, 16).ok()?;
    if perms.len() != 4 || end < start {
        return None;
    }
    let (_offset, _device, _inode) = (parts.next()?, parts.next()?, parts.next()?);
    let path = parts.next().map_or("", str::trim_start);
    let candidate = path.starts_with('/') && !path.starts_with("/dev/") && !perms.contains('w');
    Some((Mapping { start, len: end - start, resident: 0 }, candidate))
}

/// The value of a `Name:   123 kB` line, in KiB.
fn field(line: &str, name: &str) -> Option<u64> {
    line.strip_prefix(name)?.trim().strip_suffix("kB")?.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXE: &str = "/opt/outage notifier/outage-notifier";

    /// Four mappings of the program as the loader leaves them, a library, a font, a device,
    /// shared memory, the kernel's page and the heap.
    fn smaps() -> String {
        let entry = |range: &str, perms: &str, path: &str, rss: u64, anonymous: u64| {
            format!(
                "{range} {perms} 00000000 fe:00 1234                       {path}\n\
                 Size:               4096 kB\nRss:                {rss} kB\nPss:                {rss} kB\n\
                 Anonymous:          {anonymous} kB\nVmFlags: rd mr mw me\n"
            )
        };
        [
            entry("55bad0000000-55bad0478000", "r--p", EXE, 1856, 0),
            entry("55bad0478000-55bad0ead000", "r-xp", EXE, 8960, 0),
            // The relocated read-only data: the loader wrote every page of it.
            entry("55bad0ead000-55bad1069000", "r--p", EXE, 1756, 1756),
            entry("55bad1069000-55bad1073000", "rw-p", EXE, 40, 40),
            entry("7f0000000000-7f0000020000", "r-xp", "/usr/lib/x86_64-linux-gnu/libc.so.6", 900, 0),
            entry("7f0000100000-7f0000180000", "r--s", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 120, 0),
            entry("7f0000200000-7f0000201000", "r--s", "/dev/dri/renderD128", 4, 0),
            entry("7f0000300000-7f0000400000", "rw-s", "/SYSV00000000 (deleted)", 1500, 0),
            entry("7ffc00000000-7ffc00002000", "r-xp", "[vdso]", 8, 0),
            entry("55bad2000000-55bad2100000", "rw-p", "[heap]", 1200, 1200),
            // Code never touched since the last trim: nothing to give.
            entry("55bad3000000-55bad3001000", "r-xp", EXE, 0, 0),
        ]
        .concat()
    }

    #[test]
    fn only_clean_read_only_mappings_of_regular_files_are_given_back() {
        let found = clean_file_mappings(&smaps());
        assert_eq!(
            found,
            [
                Mapping { start: 0x55ba_d000_0000, len: 0x47_8000, resident: 1856 * 1024 },
                Mapping { start: 0x55ba_d047_8000, len: 0xa3_5000, resident: 8960 * 1024 },
                Mapping { start: 0x7f00_0000_0000, len: 0x2_0000, resident: 900 * 1024 },
                Mapping { start: 0x7f00_0010_0000, len: 0x8_0000, resident: 120 * 1024 },
            ]
        );
    }

    #[test]
    fn without_the_anonymous_field_nothing_is_given_back() {
        let old_kernel: String =
            smaps().lines().filter(|l| !l.starts_with("Anonymous:")).flat_map(|l| [l, "\n"]).collect();
        assert!(clean_file_mappings(&old_kernel).is_empty());
    }

    trait Greeter: Sync {
        fn greet(&self) -> String;
    }
    struct German;
    impl Greeter for German {
        fn greet(&self) -> String {
            "Guten Tag".into()
        }
    }
    // A pointer the loader relocated: it lives in the relocated read-only data, which a trim
    // must leave alone (it would read back as the file's unrelocated bytes).
    static GREETER: &dyn Greeter = &German;
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

    /// The program's own clean pages in memory: its code, which this test runs either way.
    fn programs_pages_in_memory() -> u64 {
        let exe = std::fs::read_link("/proc/self/exe").expect("own executable");
        let smaps = std::fs::read_to_string("/proc/self/smaps").expect("own smaps");
        let mut in_program = false;
        let mut resident = 0;
        for line in smaps.lines() {
            if let Some((_, candidate)) = header(line) {
                in_program = candidate && line.ends_with(exe.to_string_lossy().as_ref());
            } else if in_program && let Some(kib) = field(line, "Rss:") {
                resident += kib * 1024;
            }
        }
        resident
    }

    #[test]
    fn a_trim_gives_back_the_programs_pages_and_the_program_runs_on_unchanged() {
        COUNTER.store(41, std::sync::atomic::Ordering::SeqCst);
        let before = programs_pages_in_memory();
        assert!(before > 0, "the test binary's code is in memory");
        let trimmed = trim().expect("trim");
        assert!(trimmed.files > 0, "{trimmed:?}");
        let after = programs_pages_in_memory();
        assert!(after < before, "the program's pages in memory: {before} before the trim, {after} after it");
        // Code, relocated pointers and written data all read as before.
        assert_eq!(GREETER.greet(), "Guten Tag");
        assert_eq!(COUNTER.fetch_add(1, std::sync::atomic::Ordering::SeqCst), 41);
    }

    /// `keep_trimmed` with a trim that only counts, and how many it has run so far.
    fn counting_trims(moments: Moments) -> (tokio::task::JoinHandle<()>, impl Fn() -> u32) {
        let trims = Arc::new(std::sync::atomic::AtomicU32::new(0));
        let count = trims.clone();
        let task = tokio::spawn(keep_trimmed(moments, move || {
            count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Ok(Trimmed::default())
        }));
        (task, move || trims.load(std::sync::atomic::Ordering::SeqCst))
    }

    #[tokio::test(start_paused = true)]
    async fn trims_after_start_up_every_ten_minutes_and_when_a_window_closed() {
        let moments = Moments::default();
        let closed = moments.window_closed.clone();
        let (task, seen) = counting_trims(moments);
        tokio::time::sleep(FIRST.saturating_sub(Duration::from_secs(1))).await;
        assert_eq!(seen(), 0, "not during start-up");
        tokio::time::sleep(Duration::from_secs(2)).await;
        assert_eq!(seen(), 1, "once start-up is over");
        closed.notify_one();
        tokio::time::sleep(Duration::from_millis(1)).await;
        assert_eq!(seen(), 2, "when a window closed");
        tokio::time::sleep(EVERY.saturating_sub(Duration::from_secs(2))).await;
        assert_eq!(seen(), 2, "the interval counts from start-up, not from the window");
        tokio::time::sleep(Duration::from_secs(2)).await;
        assert_eq!(seen(), 3, "ten minutes after the first");
        task.abort();
    }

    #[tokio::test(start_paused = true)]
    async fn trims_when_a_burst_of_probes_is_over() {
        let moments = Moments::default();
        let settled = moments.probes_settled.clone();
        let (task, seen) = counting_trims(moments);
        tokio::time::sleep(Duration::from_secs(10)).await;
        // "Check now" during start-up: its burst's heap is given back when it is over.
        settled.notify_one();
        tokio::time::sleep(Duration::from_millis(1)).await;
        assert_eq!(seen(), 1, "when the burst was over");
        tokio::time::sleep(FIRST).await;
        assert_eq!(seen(), 2, "and after start-up, as before");
        task.abort();
    }

    #[tokio::test(start_paused = true)]
    async fn trims_when_the_last_outage_is_over() {
        let moments = Moments::default();
        let over = moments.outage_over.clone();
        let (task, seen) = counting_trims(moments);
        tokio::time::sleep(FIRST + Duration::from_mins(3)).await;
        assert_eq!(seen(), 1, "after start-up");
        // The all-clear, minutes before the next scheduled trim.
        over.notify_one();
        tokio::time::sleep(Duration::from_millis(1)).await;
        assert_eq!(seen(), 1, "not before the all-clear itself has been sent");
        tokio::time::sleep(AFTER_ALL_CLEAR).await;
        assert_eq!(seen(), 2, "when the outage was over");
        tokio::time::sleep(EVERY.saturating_sub(Duration::from_mins(3))).await;
        assert_eq!(seen(), 3, "and on schedule, as before");
        task.abort();
    }

    #[cfg(target_env = "gnu")]
    #[test]
    fn the_c_library_takes_one_heap() {
        assert!(one_heap());
    }

    #[tokio::test(start_paused = true)]
    async fn a_trim_that_fails_is_not_tried_again() {
        let tries = Arc::new(std::sync::atomic::AtomicU32::new(0));
        let count = tries.clone();
        let task = tokio::spawn(keep_trimmed(Moments::default(), move || {
            count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Err(std::io::Error::from(std::io::ErrorKind::PermissionDenied))
        }));
        tokio::time::sleep(FIRST + EVERY * 3).await;
        assert!(task.is_finished());
        assert_eq!(tries.load(std::sync::atomic::Ordering::SeqCst), 1);
    }
}

//! Link settings of the resident's binary that depend on the target.
//!
//! Linux with glibc: packed relative relocations (`-z pack-relative-relocs`, DT_RELR). A
//! position-independent binary carries one relocation per pointer in its read-only data; as
//! RELA entries that is 2.4 MB that the loader reads at every start and keeps mapped, 2 MiB of
//! the idle resident's PSS and of `check`'s peak (BENCHMARKS.md, issue 20). RELR packs them into
//! a few KB. The binary then needs glibc 2.36 or newer, which the README already requires (it is
//! built on Debian 12). Only the binaries of this package: a build script's flag reaches no other
//! crate, so no dependency is rebuilt for it.
//!
//! x86_64 Linux release builds: the functions the resident runs all day first in `.text`, in
//! the order of `link-order.txt` (LLD's `--symbol-ordering-file`; LLD is Rust's default linker
//! there). A page fault maps 64 KiB of the binary around the page it needs, so functions that
//! run every minute, scattered among ten megabytes of code that ran once, kept most of `.text`
//! mapped. `cargo xtask link-order` writes the file from a run of the release resident under
//! callgrind; a name it lists that the binary no longer has is skipped, so a stale file costs
//! memory, never a build.

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" {
        println!("cargo::rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
    println!("cargo::rerun-if-changed=link-order.txt");
    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    let release = std::env::var("PROFILE").is_ok_and(|p| p == "release");
    let order = std::path::Path::new(&std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default()).join("link-order.txt");
    if os == "linux" && env == "gnu" && arch == "x86_64" && release && order.exists() {
        println!("cargo::rustc-link-arg-bins=-Wl,--symbol-ordering-file={}", order.display());
        println!("cargo::rustc-link-arg-bins=-Wl,--no-warn-symbol-ordering");
    }
}

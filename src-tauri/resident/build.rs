//! Link settings of the resident's binary that depend on the target.
//!
//! Linux with glibc: packed relative relocations (`-z pack-relative-relocs`, DT_RELR). A
//! position-independent binary carries one relocation per pointer in its read-only data; as
//! RELA entries that is 2.4 MB that the loader reads at every start and keeps mapped, 2 MiB of
//! the idle resident's PSS and of `check`'s peak (BENCHMARKS.md, issue 20). RELR packs them into
//! a few KB. The binary then needs glibc 2.36 or newer, which the README already requires (it is
//! built on Debian 12). Only the binaries of this package: a build script's flag reaches no other
//! crate, so no dependency is rebuilt for it.

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" {
        println!("cargo::rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
}

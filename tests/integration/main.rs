//! Integration tests: the real resident binary and engine against loopback servers.
//! No display, no session bus: what needs a desktop lives in `tests/e2e`.

// In tests a panic is the failure report: unwrap says where.
#![allow(clippy::unwrap_used)]

mod check_cli;
mod control_socket;
mod crash;
mod discover;
mod formats;
mod full_disk;
mod http_checks;
mod mail_accounts;
mod mail_cli;
mod mail_probes;
mod network_change;
mod network_trouble;
mod polling;
mod report;
mod roundtrip;
mod whatsapp_replay;

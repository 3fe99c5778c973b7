//! Pure domain of Outage Notifier: the model, status-page parsers, state fusion, verdicts,
//! alert policy and the texts of tray and notifications.
//!
//! Nothing in this crate touches the network, the disk, the clock or threads: time, config
//! and observations come in as arguments, which keeps every rule unit-testable.

pub mod action;
pub mod alert;
pub mod calendar;
pub mod catalog;
pub mod cause;
pub mod check;
pub mod config;
pub mod confirm;
pub mod discover;
pub mod formats;
pub mod fusion;
pub mod model;
pub mod protocol;
pub mod report;
pub mod roundtrip;
pub mod summary;
pub mod text;
pub mod tray;
pub mod webview;

//! Status-page formats: one module per format, each a pure function from response bytes to a
//! normalised [`StatusSnapshot`](crate::model::StatusSnapshot).

pub mod statuspage;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::model::StatusSnapshot;

/// The status-page formats we understand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, rename_all = "snake_case")]
pub enum Format {
    /// Atlassian Statuspage v2 (`/api/v2/summary.json`).
    Statuspage,
}

impl Format {
    pub const ALL: [Format; 1] = [Format::Statuspage];

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Statuspage => "statuspage",
        }
    }

    pub fn parse_name(s: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.as_str() == s)
    }

    /// The URL to poll for a page whose base URL the user gave.
    pub fn endpoint(self, base: &url::Url) -> url::Url {
        match self {
            Format::Statuspage => statuspage::endpoint(base),
        }
    }

    /// Parses a response body of this format.
    pub fn parse(self, body: &[u8]) -> Result<StatusSnapshot, ParseError> {
        match self {
            Format::Statuspage => statuspage::parse(body),
        }
    }
}

/// A body that is not what its format promises. Becomes an observation with reason `parse`.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{format}: {detail}")]
pub struct ParseError {
    pub format: &'static str,
    pub detail: String,
}

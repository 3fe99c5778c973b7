//! What the user can ask for — from the tray menu, the window, a notification or the CLI — as
//! one type, so every shell hands the same intent to the one place that carries it out.

use chrono::{DateTime, FixedOffset, NaiveTime, TimeDelta};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A user's intent. The tray menu offers them, the control socket's requests name them, the
/// resident carries them out, and the alert policy takes the ones about alerts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Probe every check now.
    CheckNow,
    /// Show the window (spawning it if needed), at a route such as `/provider/github`.
    OpenWindow {
        route: Option<String>,
    },
    /// No alerts about this provider for a while.
    Snooze {
        provider_id: String,
        span: Span,
    },
    /// No alerts about this provider until unmuted.
    Mute {
        provider_id: String,
    },
    Unmute {
        provider_id: String,
    },
    /// No alerts at all for a while; a digest afterwards.
    Pause(Span),
    /// End a pause now.
    Resume,
    /// Start the resident at login, or not.
    SetAutostart(bool),
    /// End the resident (and its window).
    Quit,
}

impl Action {
    /// Whether the alert policy takes this action (`alert::Input::Action`).
    pub fn concerns_alerts(&self) -> bool {
        matches!(
            self,
            Action::Snooze { .. } | Action::Mute { .. } | Action::Unmute { .. } | Action::Pause(_) | Action::Resume
        )
    }

    /// Open the window at this provider's detail.
    pub fn open_provider(provider_id: &str) -> Action {
        Action::OpenWindow { route: Some(format!("/provider/{provider_id}")) }
    }
}

/// How long a snooze or pause lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, rename_all = "snake_case")]
pub enum Span {
    OneHour,
    FourHours,
    /// Until the policy's morning time on the next calendar day.
    UntilTomorrow,
}

impl Span {
    /// When a snooze or pause of this span, begun at `now`, ends; `morning` is the alert
    /// policy's start of the day.
    pub fn end(self, now: DateTime<FixedOffset>, morning: NaiveTime) -> DateTime<FixedOffset> {
        match self {
            Span::OneHour => now + TimeDelta::hours(1),
            Span::FourHours => now + TimeDelta::hours(4),
            Span::UntilTomorrow => now
                .date_naive()
                .succ_opt()
                .and_then(|day| day.and_time(morning).and_local_timezone(*now.offset()).single())
                .unwrap_or(now + TimeDelta::hours(24)),
        }
    }
}

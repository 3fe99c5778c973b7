//! What the user can ask for — from the tray menu, the window, a notification or the CLI — as
//! one type, so every shell hands the same intent to the one place that carries it out.

use chrono::{DateTime, FixedOffset, NaiveTime, TimeDelta};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A user's intent. The tray menu offers them, the control socket's requests name them, the
/// resident carries them out, and the alert policy takes the ones about alerts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Look at everything again now (the resident has the engine probe every check).
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alert::{self, AlertState, Input, Policy};

    /// `concerns_alerts` decides which actions the resident hands to the alert policy (also
    /// when draining at shutdown), so it must name exactly those the policy acts on.
    #[test]
    fn the_alert_policy_acts_on_exactly_the_actions_that_concern_alerts() {
        let now = DateTime::parse_from_rfc3339("2026-11-24T10:00:00+01:00").unwrap();
        let policy = Policy::default();
        let mut silenced = AlertState::default();
        for action in [Action::Pause(Span::OneHour), Action::Mute { provider_id: "a".into() }] {
            silenced = alert::step(silenced, Input::Action(action), &policy, now).0;
        }
        let ticked = alert::step(silenced.clone(), Input::Tick, &policy, now).0;
        let actions = [
            Action::CheckNow,
            Action::OpenWindow { route: Some("/provider/a".into()) },
            Action::Snooze { provider_id: "b".into(), span: Span::FourHours },
            Action::Mute { provider_id: "b".into() },
            Action::Unmute { provider_id: "a".into() },
            Action::Pause(Span::FourHours),
            Action::Resume,
            Action::SetAutostart(true),
            Action::Quit,
        ];
        for action in actions {
            let stepped = alert::step(silenced.clone(), Input::Action(action.clone()), &policy, now).0;
            assert_eq!(stepped != ticked, action.concerns_alerts(), "{action:?}");
        }
    }

    #[test]
    fn until_tomorrow_ends_at_the_next_morning() {
        let now = DateTime::parse_from_rfc3339("2026-11-24T23:30:00+01:00").unwrap();
        let morning = NaiveTime::from_hms_opt(7, 30, 0).unwrap();
        assert_eq!(Span::UntilTomorrow.end(now, morning).to_rfc3339(), "2026-11-25T07:30:00+01:00");
        assert_eq!(Span::OneHour.end(now, morning).to_rfc3339(), "2026-11-25T00:30:00+01:00");
    }
}

//! The user's calendar of quiet times: quiet hours without notifications and maintenance
//! windows of their own per provider. The config reads them; the alert policy asks them.

use chrono::{DateTime, Datelike as _, FixedOffset, NaiveTime, Weekday};
use chrono_tz::Tz;

/// Local wall-clock hours without notifications, e.g. 22:00–07:00 (may wrap midnight).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuietHours {
    pub start: NaiveTime,
    pub end: NaiveTime,
}

impl QuietHours {
    /// Whether `t` falls into the quiet hours; `start == end` is never quiet.
    pub fn contains(&self, t: NaiveTime) -> bool {
        if self.start <= self.end { self.start <= t && t < self.end } else { t >= self.start || t < self.end }
    }
}

/// A maintenance window the user set up for one provider.
#[derive(Debug, Clone, PartialEq)]
pub struct MaintenanceWindow {
    pub provider_id: String,
    pub when: Window,
}

/// When a maintenance window is.
#[derive(Debug, Clone, PartialEq)]
pub enum Window {
    /// One stretch of time. Instants need only offsets, no time-zone rules.
    Once { start: DateTime<FixedOffset>, end: DateTime<FixedOffset> },
    /// Every week on these days, from `start` to `end` wall-clock time in `zone` (`end` before
    /// `start` wraps past midnight into the next day). A named zone, because a weekly 02:00 is
    /// a different instant in winter and summer.
    Weekly { days: Vec<Weekday>, start: NaiveTime, end: NaiveTime, zone: Tz },
}

impl Window {
    pub fn contains(&self, now: DateTime<FixedOffset>) -> bool {
        match self {
            Window::Once { start, end } => *start <= now && now < *end,
            Window::Weekly { days, start, end, zone } => {
                let local = now.with_timezone(zone);
                let (day, t) = (local.weekday(), local.time());
                if start <= end {
                    days.contains(&day) && *start <= t && t < *end
                } else {
                    (days.contains(&day) && t >= *start) || (days.contains(&day.pred()) && t < *end)
                }
            }
        }
    }
}

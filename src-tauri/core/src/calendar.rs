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

    /// When the quiet hours that `now` falls into end (the next `end` on the wall clock),
    /// or `None` outside them — what the window's banner and the tray say.
    pub fn until(&self, now: DateTime<FixedOffset>) -> Option<DateTime<FixedOffset>> {
        if !self.contains(now.time()) {
            return None;
        }
        let today = now.date_naive().and_time(self.end);
        let end = if self.end > now.time() { today } else { today + chrono::Duration::days(1) };
        end.and_local_timezone(*now.offset()).single()
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

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    fn hours(start: &str, end: &str) -> QuietHours {
        QuietHours { start: start.parse().unwrap(), end: end.parse().unwrap() }
    }

    #[test]
    fn quiet_hours_say_until_when_across_midnight() {
        let night = hours("22:00:00", "07:00:00");
        assert_eq!(night.until(at("2026-12-05T23:10:00+01:00")), Some(at("2026-12-06T07:00:00+01:00")));
        assert_eq!(night.until(at("2026-12-06T03:00:00+01:00")), Some(at("2026-12-06T07:00:00+01:00")));
        assert_eq!(night.until(at("2026-12-06T07:00:00+01:00")), None, "the end itself is no longer quiet");
        assert_eq!(night.until(at("2026-12-06T12:00:00+01:00")), None);
        let lunch = hours("12:00:00", "13:30:00");
        assert_eq!(lunch.until(at("2026-12-06T12:15:00+01:00")), Some(at("2026-12-06T13:30:00+01:00")));
        assert_eq!(hours("08:00:00", "08:00:00").until(at("2026-12-06T08:00:00+01:00")), None);
    }
}

//! Timestamp parsing shared by the formats: RFC 3339, RFC 2822 with zone names, zone-less
//! local times, JavaScript's `Date.toString()` and the year-less dates of feed fragments.

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Timelike};

/// RFC 3339 / ISO 8601 with an offset (`2020-06-16T14:00:29.031-07:00`, `…Z`).
pub(crate) fn rfc3339(s: &str) -> Option<DateTime<FixedOffset>> {
    let s = s.trim();
    DateTime::parse_from_rfc3339(s)
        .ok()
        // `+0000` without a colon is common enough in hand-made JSON to accept.
        .or_else(|| DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f%z").ok())
}

/// RFC 3339, or a date-time without any zone read as UTC.
///
/// Used where a format documents no zone at all (Cachet's `2015-08-01 12:00:00`): UTC is
/// a guess, but a stable one, and it is never shifted by the zone of the machine we run on.
pub(crate) fn rfc3339_or_utc(s: &str) -> Option<DateTime<FixedOffset>> {
    rfc3339(s).or_else(|| naive(s).map(|n| n.and_utc().fixed_offset()))
}

/// Zone-less layouts status pages use.
const LAYOUTS: [&str; 8] = [
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y, %H:%M",
    "%a, %d %b %Y %H:%M:%S",
];

/// A date-time without a zone, in the layouts status pages use.
pub(crate) fn naive(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    LAYOUTS
        .iter()
        .find_map(|layout| NaiveDateTime::parse_from_str(s, layout).ok())
        .or_else(|| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok().map(|d| d.and_time(NaiveTime::MIN)))
}

/// RFC 2822 as feeds write it: numeric offsets, `GMT`, the US zone names chrono knows
/// (`PDT`, `PST`, …) and the common deviations (`UTC`, a long weekday, European zone names).
pub(crate) fn rfc2822(s: &str) -> Option<DateTime<FixedOffset>> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc2822(s) {
        return Some(t);
    }
    // Drop any weekday (it is redundant and often wrong or localised), then read the zone
    // ourselves so names chrono does not know still work.
    let rest = match s.split_once(", ") {
        Some((day, rest)) if day.chars().all(char::is_alphabetic) => rest,
        _ => s,
    };
    let (stamp, zone) = rest.trim().rsplit_once(' ')?;
    let offset = zone_offset(zone)?;
    let local = ["%d %b %Y %H:%M:%S", "%d %b %Y %H:%M"]
        .iter()
        .find_map(|layout| NaiveDateTime::parse_from_str(stamp, layout).ok())?;
    local_to_fixed(local, offset)
}

/// Any timestamp a feed or a JSON page might carry: RFC 3339, RFC 2822, `Date.toString()`.
pub(crate) fn any_zoned(s: &str) -> Option<DateTime<FixedOffset>> {
    rfc3339(s).or_else(|| rfc2822(s)).or_else(|| js_date(s))
}

/// JavaScript's `Date.toString()`: `Sat Jun 11 2022 18:55:50 GMT+0000 (Coordinated Universal Time)`.
pub(crate) fn js_date(s: &str) -> Option<DateTime<FixedOffset>> {
    // The parenthesised zone name is localised and free text: only the numeric part counts.
    let s = s.split(" (").next()?.trim();
    DateTime::parse_from_str(s, "%a %b %d %Y %H:%M:%S GMT%z").ok()
}

/// The offset of a zone abbreviation or a `GMT+2`/`UTC-05:30` style zone.
///
/// Abbreviations are ambiguous in general; this table holds only the ones status pages for
/// our users print, each with its usual meaning.
pub(crate) fn zone_offset(zone: &str) -> Option<FixedOffset> {
    let zone = zone.trim();
    let hours = |h: i32| FixedOffset::east_opt(h * 3600);
    let named = match zone.to_ascii_uppercase().as_str() {
        "UTC" | "GMT" | "UT" | "Z" | "WET" => hours(0),
        "CET" | "MEZ" | "WEST" | "BST" => hours(1),
        "CEST" | "MESZ" | "EET" => hours(2),
        "EEST" | "MSK" => hours(3),
        "EDT" | "AST" => hours(-4),
        "EST" | "CDT" => hours(-5),
        "CST" | "MDT" => hours(-6),
        "MST" | "PDT" => hours(-7),
        "PST" | "AKDT" => hours(-8),
        "AKST" => hours(-9),
        "HST" => hours(-10),
        "JST" | "KST" => hours(9),
        "SGT" | "AWST" => hours(8),
        "AEST" => hours(10),
        "AEDT" => hours(11),
        "NZST" => hours(12),
        "NZDT" => hours(13),
        _ => None,
    };
    named.or_else(|| numeric_offset(zone))
}

/// `GMT+0`, `GMT+2`, `UTC-05:30`, `+0100`, `-07:00`.
fn numeric_offset(zone: &str) -> Option<FixedOffset> {
    let upper = zone.to_ascii_uppercase();
    let rest = upper.strip_prefix("GMT").or_else(|| upper.strip_prefix("UTC")).unwrap_or(&upper);
    let (sign, digits) = match rest.as_bytes().first()? {
        b'+' => (1, &rest[1..]),
        b'-' => (-1, &rest[1..]),
        _ => return None,
    };
    let (h, m) = match digits.split_once(':') {
        Some((h, m)) => (h.parse::<i32>().ok()?, m.parse::<i32>().ok()?),
        None if digits.len() == 4 => (digits.get(..2)?.parse().ok()?, digits.get(2..)?.parse().ok()?),
        None => (digits.parse().ok()?, 0),
    };
    if h > 14 || m > 59 {
        return None;
    }
    FixedOffset::east_opt(sign * (h * 3600 + m * 60))
}

fn local_to_fixed(local: NaiveDateTime, offset: FixedOffset) -> Option<DateTime<FixedOffset>> {
    offset.from_local_datetime(&local).single()
}

/// A wall-clock time in Germany (CET/CEST) as an instant.
///
/// German status pages (DomainFactory) print local times without a zone. Core has no zone
/// database, so the EU rule is applied directly: summer time from the last Sunday of March,
/// 02:00, to the last Sunday of October, 03:00 (in force since 1996).
pub(crate) fn berlin(local: NaiveDateTime) -> Option<DateTime<FixedOffset>> {
    let year = local.year();
    let begins = last_sunday(year, 3)?.and_hms_opt(2, 0, 0)?;
    let ends = last_sunday(year, 10)?.and_hms_opt(3, 0, 0)?;
    let hours = if local >= begins && local < ends { 2 } else { 1 };
    local_to_fixed(local, FixedOffset::east_opt(hours * 3600)?)
}

fn last_sunday(year: i32, month: u32) -> Option<NaiveDate> {
    let first_of_next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)?
    };
    let last = first_of_next.pred_opt()?;
    let back = last.weekday().num_days_from_sunday();
    last.checked_sub_signed(Duration::days(i64::from(back)))
}

/// A year-less date from a feed fragment (`Jul 9, 06:01 UTC`, `Sep 25, 15:15:00 GMT+0`),
/// placed in the year that puts it closest before `reference` (the entry's own timestamp):
/// a December update inside an entry stamped in January belongs to the previous year.
pub(crate) fn yearless(text: &str, reference: DateTime<FixedOffset>) -> Option<DateTime<FixedOffset>> {
    let parts = Yearless::parse(text)?;
    let offset = zone_offset(parts.zone.as_deref()?)?;
    parts.place(offset, reference)
}

/// Like [`yearless`], with the zone given instead of read (for zones the table lacks).
pub(crate) fn yearless_in(
    text: &str,
    offset: FixedOffset,
    reference: DateTime<FixedOffset>,
) -> Option<DateTime<FixedOffset>> {
    Yearless::parse(text)?.place(offset, reference)
}

/// The offset of a fragment's unknown zone, learned from the instant it was written at: the
/// newest update of a feed entry was written when the entry was last updated. Rounded to a
/// quarter hour, as every real offset is.
pub(crate) fn yearless_offset(text: &str, written: DateTime<FixedOffset>) -> Option<FixedOffset> {
    let parts = Yearless::parse(text)?;
    let utc = written.naive_utc();
    (utc.year() - 1..=utc.year() + 1).find_map(|year| {
        let local = NaiveDate::from_ymd_opt(year, parts.month, parts.day)?.and_time(parts.time);
        let seconds = (local - utc).num_seconds();
        let quarters = i32::try_from((seconds + 450).div_euclid(900)).ok()?;
        (quarters.abs() <= 14 * 4).then(|| FixedOffset::east_opt(quarters * 900)).flatten()
    })
}

/// The parts of a year-less fragment date.
struct Yearless {
    month: u32,
    day: u32,
    time: NaiveTime,
    zone: Option<String>,
}

impl Yearless {
    fn parse(text: &str) -> Option<Yearless> {
        let cleaned = text.replace(',', " ");
        let mut words = cleaned.split_whitespace();
        let month = month_number(words.next()?)?;
        let day: u32 = words.next()?.parse().ok()?;
        let clock = words.next()?;
        let mut time =
            NaiveTime::parse_from_str(clock, "%H:%M:%S").or_else(|_| NaiveTime::parse_from_str(clock, "%H:%M")).ok()?;
        let mut zone = words.next();
        // 12-hour clocks (`3:15 PM`) appear on some pages.
        if let Some(meridiem) = zone.filter(|z| z.eq_ignore_ascii_case("AM") || z.eq_ignore_ascii_case("PM")) {
            let pm = meridiem.eq_ignore_ascii_case("PM");
            time = time.with_hour(time.hour() % 12 + if pm { 12 } else { 0 })?;
            zone = words.next();
        }
        Some(Yearless { month, day, time, zone: zone.map(str::to_owned) })
    }

    fn place(&self, offset: FixedOffset, reference: DateTime<FixedOffset>) -> Option<DateTime<FixedOffset>> {
        let slack = Duration::days(2);
        [reference.year(), reference.year() - 1].into_iter().find_map(|year| {
            let local = NaiveDate::from_ymd_opt(year, self.month, self.day)?.and_time(self.time);
            local_to_fixed(local, offset).filter(|at| *at <= reference + slack)
        })
    }
}

fn month_number(word: &str) -> Option<u32> {
    let prefix: String = word.chars().take(3).collect::<String>().to_ascii_lowercase();
    let n = match prefix.as_str() {
        "jan" => 1,
        "feb" => 2,
        "mar" | "mär" => 3,
        "apr" => 4,
        "may" | "mai" => 5,
        "jun" => 6,
        "jul" => 7,
        "aug" => 8,
        "sep" => 9,
        "oct" | "okt" => 10,
        "nov" => 11,
        "dec" | "dez" => 12,
        _ => return None,
    };
    Some(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    #[test]
    fn rfc2822_zone_names_and_deviations() {
        assert_eq!(rfc2822("Mon, 17 Aug 2026 21:01:19 PDT"), Some(at("2026-08-17T21:01:19-07:00")));
        assert_eq!(rfc2822("Tue, 03 Mar 2026 08:40:00 PST"), Some(at("2026-03-03T08:40:00-08:00")));
        assert_eq!(rfc2822("Wed, 16 Mar 2022 19:46:00 UTC"), Some(at("2022-03-16T19:46:00Z")));
        assert_eq!(rfc2822("Wednesday, 16 Mar 2022 19:46:00 CET"), Some(at("2022-03-16T19:46:00+01:00")));
        assert_eq!(rfc2822("16 Mar 2022 19:46 +0100"), Some(at("2022-03-16T19:46:00+01:00")));
        assert_eq!(rfc2822("Wed, 16 Mar 2022 19:46:00 XYZ"), None);
        assert_eq!(rfc2822(""), None);
        // Multibyte zone text must not be sliced inside a character.
        assert_eq!(rfc2822("16 Mar 2022 19:46 +1é1"), None);
        assert_eq!(zone_offset("GMT+1é"), None);
    }

    #[test]
    fn javascript_date_to_string() {
        assert_eq!(
            js_date("Sat Jun 11 2022 18:55:50 GMT+0000 (Coordinated Universal Time)"),
            Some(at("2022-06-11T18:55:50Z"))
        );
        assert_eq!(
            js_date("Tue Oct 15 2024 09:05:00 GMT+0200 (Mitteleuropäische Sommerzeit)"),
            Some(at("2024-10-15T09:05:00+02:00"))
        );
        assert_eq!(js_date("yesterday"), None);
    }

    #[test]
    fn zone_less_is_utc_only_where_asked() {
        assert_eq!(rfc3339("2015-08-01 12:00:00"), None);
        assert_eq!(rfc3339_or_utc("2015-08-01 12:00:00"), Some(at("2015-08-01T12:00:00Z")));
        assert_eq!(rfc3339_or_utc("2020-06-16T14:00:29.031-07:00"), Some(at("2020-06-16T14:00:29.031-07:00")));
        assert_eq!(rfc3339("2020-06-16T14:00:29+0000"), Some(at("2020-06-16T14:00:29Z")));
    }

    #[test]
    fn berlin_summer_and_winter_time() {
        let local = |s: &str| naive(s).unwrap();
        assert_eq!(berlin(local("2024-10-22 10:00:00")), Some(at("2024-10-22T10:00:00+02:00")));
        assert_eq!(berlin(local("2024-10-27 03:00:00")), Some(at("2024-10-27T03:00:00+01:00")));
        assert_eq!(berlin(local("2024-03-31 01:59:00")), Some(at("2024-03-31T01:59:00+01:00")));
        assert_eq!(berlin(local("2024-03-31 02:00:00")), Some(at("2024-03-31T02:00:00+02:00")));
        assert_eq!(berlin(local("2024-01-05 08:00:00")), Some(at("2024-01-05T08:00:00+01:00")));
        assert_eq!(last_sunday(2024, 12).unwrap().weekday(), chrono::Weekday::Sun);
    }

    #[test]
    fn yearless_fragment_dates() {
        let reference = at("2026-07-09T06:01:43Z");
        assert_eq!(yearless("Jul  9, 06:01 UTC", reference), Some(at("2026-07-09T06:01:00Z")));
        assert_eq!(yearless("Sep 25, 15:15:00 GMT+0", at("2025-09-26T00:00:00Z")), Some(at("2025-09-25T15:15:00Z")));
        // An update from December inside an entry last touched in January.
        assert_eq!(yearless("Dec 31, 23:50 CET", at("2026-01-01T01:00:00Z")), Some(at("2025-12-31T23:50:00+01:00")));
        assert_eq!(yearless("Mar 3, 3:15 PM PST", at("2026-03-04T00:00:00Z")), Some(at("2026-03-03T15:15:00-08:00")));
        assert_eq!(yearless("Jul 9, 06:01 XYZT", reference), None);
        assert_eq!(yearless("soon", reference), None);
        // Feb 29 of a leap year inside an entry from the next year.
        assert_eq!(yearless("Feb 29, 10:00 UTC", at("2025-01-02T00:00:00Z")), Some(at("2024-02-29T10:00:00Z")));
    }

    #[test]
    fn unknown_zones_are_learned_from_the_entry_time() {
        let written = at("2026-07-09T06:01:43Z");
        let offset = yearless_offset("Jul 9, 11:31 IST", written).unwrap();
        assert_eq!(offset.local_minus_utc(), 5 * 3600 + 30 * 60);
        assert_eq!(yearless_in("Jul 9, 10:00 IST", offset, written), Some(at("2026-07-09T10:00:00+05:30")));
        // Around new year the wall clock is already in the next year.
        let offset = yearless_offset("Jan 1, 00:30 XYZ", at("2025-12-31T23:30:00Z")).unwrap();
        assert_eq!(offset.local_minus_utc(), 3600);
        assert_eq!(yearless_offset("Jul 20, 06:01 XYZ", written), None);
    }
}

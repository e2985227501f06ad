//! The calendar behind `date`: the proleptic Gregorian calendar, from
//! 0001-01-01 to 9999-12-31.
//!
//! A [`Date`] is a count of days since 1970-01-01. Its field is public so
//! that dates serialize as plain integers, which means a deserialized date
//! may lie outside the range; everything that reads dates from outside the
//! compiler checks [`Date::in_range`], and the conversions here work in
//! 64-bit arithmetic so that no `i32` day count can make them overflow.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A calendar date: days since 1970-01-01 (negative before).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Date(pub i32);

impl Date {
    /// The first valid date, 0001-01-01.
    pub const MIN: Date = Date(-719_162);
    /// The last valid date, 9999-12-31.
    pub const MAX: Date = Date(2_932_896);

    /// The date for a year, month (1-12) and day (1-31), or `None` when no
    /// such calendar day exists (`2023-02-30`) or the year is outside
    /// 1..=9999.
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Date> {
        if !(1..=9999).contains(&year) || !(1..=12).contains(&month) || day == 0 {
            return None;
        }
        if day > days_in_month(i64::from(year), month) {
            return None;
        }
        i32::try_from(days_from_civil(i64::from(year), month, day))
            .ok()
            .map(Date)
    }

    /// Whether the date lies in 0001-01-01..=9999-12-31.
    pub fn in_range(self) -> bool {
        (Date::MIN..=Date::MAX).contains(&self)
    }

    /// The date `days` days later (earlier when negative), or `None` when
    /// that falls outside the valid range.
    pub fn add_days(self, days: i64) -> Option<Date> {
        let d = i64::from(self.0).checked_add(days)?;
        let d = Date(i32::try_from(d).ok()?);
        d.in_range().then_some(d)
    }

    /// Whole days from `earlier` to this date (negative when `earlier` is
    /// later). Two `i32` day counts always fit the difference.
    pub fn days_since(self, earlier: Date) -> i64 {
        i64::from(self.0) - i64::from(earlier.0)
    }

    /// Year, month, day of this date. Outside the valid range the year may
    /// be below 1 or above 9999 (never an overflow).
    pub fn ymd(self) -> (i64, u32, u32) {
        civil_from_days(i64::from(self.0))
    }

    /// Parses `YYYY-MM-DD` (as in scenario files and after `@` in source);
    /// `None` for anything else, an impossible day, or year 0000.
    pub fn parse(text: &str) -> Option<Date> {
        let bytes = text.as_bytes();
        if bytes.len() != 10 || bytes.get(4) != Some(&b'-') || bytes.get(7) != Some(&b'-') {
            return None;
        }
        let num = |r: std::ops::Range<usize>| -> Option<u32> {
            let s = text.get(r)?;
            if s.bytes().all(|b| b.is_ascii_digit()) {
                s.parse().ok()
            } else {
                None
            }
        };
        let year = i32::try_from(num(0..4)?).ok()?;
        Date::from_ymd(year, num(5..7)?, num(8..10)?)
    }

    /// Whole years from `self` (a birthdate) to `today`. A birthday on
    /// 29 February is reached on 1 March in years that have no 29 February.
    /// Negative when `self` is after `today`: the same rule (this year's
    /// birthday not yet reached counts one year less) gives -1 for a date
    /// later this year and, from 2026-11-25, -4 for 2030-01-01.
    pub fn age_at(self, today: Date) -> i64 {
        let (by, bm, bd) = self.ymd();
        let (ty, tm, td) = today.ymd();
        let mut years = ty - by;
        // The birthday in `today`'s year, with 29 Feb moved to 1 Mar when
        // that year has no 29 Feb.
        let (bm, bd) = if bm == 2 && bd == 29 && !is_leap(ty) {
            (3, 1)
        } else {
            (bm, bd)
        };
        if (tm, td) < (bm, bd) {
            years -= 1;
        }
        years
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

// Howard Hinnant's days_from_civil / civil_from_days algorithms, in i64:
// every intermediate value of an i32 day count fits.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = i64::from((m + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    // 1..=31 and 1..=12: the casts cannot truncate.
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip_and_reject_impossible_days() {
        for text in [
            "1970-01-01",
            "2000-02-29",
            "1815-12-10",
            "0001-01-01",
            "9999-12-31",
            "2026-11-25",
        ] {
            let d = Date::parse(text).unwrap();
            assert_eq!(d.to_string(), text);
        }
        assert_eq!(Date::parse("1970-01-01"), Some(Date(0)));
        for bad in [
            "2023-02-29",
            "2023-02-30",
            "2023-13-01",
            "2023-00-10",
            "2023-04-31",
            "1900-02-29",
            "2023-1-01",
            "20230101xx",
            "0000-01-01",
            "0000-12-31",
        ] {
            assert_eq!(Date::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_range_ends_at_year_one_and_year_9999() {
        assert_eq!(Date::parse("0001-01-01"), Some(Date::MIN));
        assert_eq!(Date::parse("9999-12-31"), Some(Date::MAX));
        assert!(Date::MIN.in_range() && Date::MAX.in_range());
        assert!(!Date(Date::MIN.0 - 1).in_range());
        assert!(!Date(Date::MAX.0 + 1).in_range());
        assert_eq!(Date::MAX.add_days(1), None);
        assert_eq!(Date::MIN.add_days(-1), None);
        assert_eq!(Date::MIN.add_days(i64::MAX), None);
        assert_eq!(Date::MAX.add_days(i64::MIN), None);
        assert_eq!(
            Date(0).add_days(-1).map(|d| d.to_string()).as_deref(),
            Some("1969-12-31")
        );
        assert_eq!(
            Date::MIN.add_days(i64::from(Date::MAX.0 - Date::MIN.0)),
            Some(Date::MAX)
        );
    }

    #[test]
    fn conversions_never_overflow_for_any_day_count() {
        for days in [i32::MIN, i32::MIN + 1, -1, 0, i32::MAX - 1, i32::MAX] {
            let d = Date(days);
            let (y, m, day) = d.ymd();
            assert!((1..=12).contains(&m) && (1..=31).contains(&day), "{days}");
            assert_eq!(days_from_civil(y, m, day), i64::from(days));
            let _ = d.to_string();
            let _ = d.age_at(Date(i32::MIN));
            let _ = Date(i32::MIN).age_at(d);
        }
        // the whole valid range round-trips through the civil form
        let mut d = Date::MIN;
        while d <= Date::MAX {
            let (y, m, day) = d.ymd();
            let y = i32::try_from(y).unwrap();
            assert_eq!(Date::from_ymd(y, m, day), Some(d));
            d = Date(d.0 + 997);
        }
    }

    #[test]
    fn age_counts_whole_years_and_leap_birthdays() {
        let d = |s| Date::parse(s).unwrap();
        assert_eq!(d("2000-06-15").age_at(d("2026-06-14")), 25);
        assert_eq!(d("2000-06-15").age_at(d("2026-06-15")), 26);
        // 29 February birthdays are reached on 1 March in common years.
        assert_eq!(d("2004-02-29").age_at(d("2025-02-28")), 20);
        assert_eq!(d("2004-02-29").age_at(d("2025-03-01")), 21);
        assert_eq!(d("2004-02-29").age_at(d("2028-02-29")), 24);
        // future dates give negative ages
        assert_eq!(d("2030-01-01").age_at(d("2026-01-01")), -4);
        assert_eq!(d("2026-11-26").age_at(d("2026-11-25")), -1);
        assert_eq!(d("2030-01-01").age_at(d("2026-11-25")), -4);
        assert_eq!(Date::MIN.age_at(Date::MAX), 9998);
    }
}

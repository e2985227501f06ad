//! Run-time values, and the calendar arithmetic behind `date`.
//!
//! Values are shared by the constant pool, the VM, test inputs and stubs, and
//! the scenario JSON of `flowc run`. A [`Date`] is a count of days since
//! 1970-01-01 in the proleptic Gregorian calendar.

use crate::types::BaseType;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The result of a verification: the `verification_status` type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Passed,
    Failed,
    RequiresRetry,
}

impl Status {
    pub const ALL: [Status; 3] = [Status::Passed, Status::Failed, Status::RequiresRetry];
    pub fn name(self) -> &'static str {
        match self {
            Status::Passed => "passed",
            Status::Failed => "failed",
            Status::RequiresRetry => "requires_retry",
        }
    }
    pub fn from_name(name: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.name() == name)
    }
}

/// How a run ends: `end STATUS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndStatus {
    Approved,
    Declined,
    Completed,
    Failed,
    NeedsReview,
}

impl EndStatus {
    pub const ALL: [EndStatus; 5] = [
        EndStatus::Approved,
        EndStatus::Declined,
        EndStatus::Completed,
        EndStatus::Failed,
        EndStatus::NeedsReview,
    ];
    pub fn name(self) -> &'static str {
        match self {
            EndStatus::Approved => "approved",
            EndStatus::Declined => "declined",
            EndStatus::Completed => "completed",
            EndStatus::Failed => "failed",
            EndStatus::NeedsReview => "needs_review",
        }
    }
    pub fn from_name(name: &str) -> Option<EndStatus> {
        EndStatus::ALL.into_iter().find(|s| s.name() == name)
    }
}

impl fmt::Display for EndStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A calendar date: days since 1970-01-01 (negative before).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Date(pub i32);

impl Date {
    /// The date for a year, month (1-12) and day (1-31), or `None` when no
    /// such calendar day exists (`2023-02-30`) or the year is outside
    /// 0..=9999.
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Date> {
        if !(0..=9999).contains(&year) || !(1..=12).contains(&month) || day == 0 {
            return None;
        }
        if day > days_in_month(year, month) {
            return None;
        }
        Some(Date(days_from_civil(year, month, day)))
    }

    /// Year, month, day of this date.
    pub fn ymd(self) -> (i32, u32, u32) {
        civil_from_days(self.0)
    }

    /// Parses `YYYY-MM-DD` (as in scenario files and after `@` in source).
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
        let mut years = i64::from(ty) - i64::from(by);
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

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

// Howard Hinnant's days_from_civil / civil_from_days algorithms.
fn days_from_civil(y: i32, m: u32, d: u32) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400) as u32;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe as i32 - 719_468
}

fn civil_from_days(z: i32) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097) as u32;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe as i32 + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// A run-time value.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Value {
    None,
    Bool(bool),
    Int(i64),
    Str(String),
    Date(Date),
    Status(Status),
}

impl Value {
    /// The base type of a present value; `None` for `none`.
    pub fn base_type(&self) -> Option<BaseType> {
        Some(match self {
            Value::None => return None,
            Value::Bool(_) => BaseType::Bool,
            Value::Int(_) => BaseType::Int,
            Value::Str(_) => BaseType::String,
            Value::Date(_) => BaseType::Date,
            Value::Status(_) => BaseType::Status,
        })
    }

    /// The value as JSON, in the shape scenario files use: dates as
    /// `"YYYY-MM-DD"`, statuses as their names, `none` as `null`.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::None => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Int(i) => serde_json::Value::from(*i),
            Value::Str(s) => serde_json::Value::String(s.clone()),
            Value::Date(d) => serde_json::Value::String(d.to_string()),
            Value::Status(s) => serde_json::Value::String(s.name().to_string()),
        }
    }

    /// Reads a JSON value as a value of `ty`, the inverse of [`Value::to_json`].
    /// `null` gives `none`; anything else of the wrong shape gives `Err` with
    /// a short description of what was expected.
    pub fn from_json(json: &serde_json::Value, ty: BaseType) -> Result<Value, String> {
        use serde_json::Value as J;
        let got = |what: &str| {
            let mut text = json.to_string();
            if let Some((cut, _)) = text.char_indices().nth(40) {
                text.truncate(cut);
                text.push('…');
            }
            format!("{what}, got {text}")
        };
        match (ty, json) {
            (_, J::Null) => Ok(Value::None),
            (BaseType::Bool, J::Bool(b)) => Ok(Value::Bool(*b)),
            (BaseType::Int, J::Number(n)) => n
                .as_i64()
                .map(Value::Int)
                .ok_or_else(|| got("a 64-bit integer")),
            (BaseType::String, J::String(s)) => Ok(Value::Str(s.clone())),
            (BaseType::Date, J::String(s)) => Date::parse(s)
                .map(Value::Date)
                .ok_or_else(|| got("a date as \"YYYY-MM-DD\"")),
            (BaseType::Status, J::String(s)) => Status::from_name(s)
                .map(Value::Status)
                .ok_or_else(|| got("one of \"passed\", \"failed\", \"requires_retry\"")),
            (ty, _) => Err(got(&format!("a value of type {ty}"))),
        }
    }
}

impl fmt::Display for Value {
    /// Flow source syntax for the value: `"text"`, `42`, `@2026-11-25`, `passed`, `none`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::None => f.write_str("none"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Str(s) => write!(f, "{s:?}"),
            Value::Date(d) => write!(f, "@{d}"),
            Value::Status(s) => f.write_str(s.name()),
        }
    }
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
            "0000-01-01",
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
        ] {
            assert_eq!(Date::parse(bad), None, "{bad}");
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
    }

    #[test]
    fn json_values_follow_the_scenario_shape() {
        assert_eq!(
            Value::from_json(&serde_json::json!("2026-11-25"), BaseType::Date),
            Ok(Value::Date(Date::parse("2026-11-25").unwrap()))
        );
        assert_eq!(
            Value::from_json(&serde_json::json!(null), BaseType::Int),
            Ok(Value::None)
        );
        assert!(Value::from_json(&serde_json::json!("x"), BaseType::Int).is_err());
        assert!(Value::from_json(&serde_json::json!("2023-02-30"), BaseType::Date).is_err());
        let v = Value::Status(Status::RequiresRetry);
        assert_eq!(Value::from_json(&v.to_json(), BaseType::Status), Ok(v));
    }
}

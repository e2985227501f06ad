//! Run-time values.
//!
//! Values are shared by the constant pool, the VM, test inputs and stubs, and
//! the scenario JSON of `flowc run`. The calendar behind `date` is in
//! [`date`]; the operators on values are in [`crate::unstable::ops`].

pub mod date;

pub use date::Date;

use crate::types::BaseType;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The result of a verification: the `verification_status` type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The verification passed.
    Passed,
    /// The verification failed.
    Failed,
    /// The person should try again (a blurry photo, ...).
    RequiresRetry,
}

impl Status {
    /// Every status.
    pub const ALL: [Status; 3] = [Status::Passed, Status::Failed, Status::RequiresRetry];
    /// The status as written in flows (`passed`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Status::Passed => "passed",
            Status::Failed => "failed",
            Status::RequiresRetry => "requires_retry",
        }
    }
    /// The status a name names.
    pub fn from_name(name: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.name() == name)
    }
}

/// How a run ends: `end STATUS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndStatus {
    /// `end approved`.
    Approved,
    /// `end declined`.
    Declined,
    /// `end completed`.
    Completed,
    /// `end failed`.
    Failed,
    /// `end needs_review`.
    NeedsReview,
}

impl EndStatus {
    /// Every end status.
    pub const ALL: [EndStatus; 5] = [
        EndStatus::Approved,
        EndStatus::Declined,
        EndStatus::Completed,
        EndStatus::Failed,
        EndStatus::NeedsReview,
    ];
    /// The status as written in flows (`approved`, ...).
    pub fn name(self) -> &'static str {
        match self {
            EndStatus::Approved => "approved",
            EndStatus::Declined => "declined",
            EndStatus::Completed => "completed",
            EndStatus::Failed => "failed",
            EndStatus::NeedsReview => "needs_review",
        }
    }
    /// The end status a name names.
    pub fn from_name(name: &str) -> Option<EndStatus> {
        EndStatus::ALL.into_iter().find(|s| s.name() == name)
    }
}

impl fmt::Display for EndStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A run-time value.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Value {
    /// No value (an unwritten field, an absent result field).
    None,
    /// A `bool`.
    Bool(bool),
    /// An `int`.
    Int(i64),
    /// A `string`.
    Str(String),
    /// A `date`.
    Date(Date),
    /// A `verification_status`.
    Status(Status),
}

impl Value {
    /// Whether the value may exist at all: every value but a [`Date`]
    /// outside [`Date::MIN`]`..=`[`Date::MAX`]. What enters a run from
    /// outside the compiler (a module's constants, a saved state, a host's
    /// answer, a scenario, resume input) is checked with this.
    pub fn in_range(&self) -> bool {
        match self {
            Value::Date(d) => d.in_range(),
            _ => true,
        }
    }

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

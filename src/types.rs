//! The static types of Flow: `string int bool date verification_status` and
//! their optional forms `T?`.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A non-optional type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BaseType {
    /// Text.
    String,
    /// A 64-bit signed integer.
    Int,
    /// `true` or `false`.
    Bool,
    /// A calendar date, 0001-01-01 to 9999-12-31.
    Date,
    #[serde(rename = "verification_status")]
    /// `passed`, `failed` or `requires_retry`.
    Status,
}

impl BaseType {
    /// Every base type, in the order the language reference lists them.
    pub const ALL: [BaseType; 5] = [
        BaseType::String,
        BaseType::Int,
        BaseType::Bool,
        BaseType::Date,
        BaseType::Status,
    ];

    /// The name a user writes for this type.
    pub fn name(self) -> &'static str {
        match self {
            BaseType::String => "string",
            BaseType::Int => "int",
            BaseType::Bool => "bool",
            BaseType::Date => "date",
            BaseType::Status => "verification_status",
        }
    }

    /// The base type a type name names (`string`, `int`, ...).
    pub fn from_name(name: &str) -> Option<BaseType> {
        BaseType::ALL.into_iter().find(|t| t.name() == name)
    }
}

impl fmt::Display for BaseType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A type as written on a field declaration or inferred for an expression:
/// a base type, possibly optional (`T?`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Type {
    /// What values it holds besides `none`.
    pub base: BaseType,
    /// Whether it may hold `none` (`T?`).
    pub optional: bool,
}

impl Type {
    /// The non-optional `base`.
    pub const fn new(base: BaseType) -> Type {
        Type {
            base,
            optional: false,
        }
    }
    /// The optional `base?`.
    pub const fn opt(base: BaseType) -> Type {
        Type {
            base,
            optional: true,
        }
    }
    /// The same base, optional or not as given.
    pub const fn with_optional(self, optional: bool) -> Type {
        Type {
            base: self.base,
            optional,
        }
    }

    /// Whether `value` may stand in a field of this type: a value of its
    /// base type, or `none` when it is optional.
    pub fn admits(&self, value: &crate::value::Value) -> bool {
        match value.base_type() {
            None => self.optional,
            Some(base) => base == self.base,
        }
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.base, if self.optional { "?" } else { "" })
    }
}

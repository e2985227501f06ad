//! The static types of Flow: `string int bool date verification_status` and
//! their optional forms `T?`.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A non-optional type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BaseType {
    String,
    Int,
    Bool,
    Date,
    #[serde(rename = "verification_status")]
    Status,
}

impl BaseType {
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
    pub base: BaseType,
    pub optional: bool,
}

impl Type {
    pub const fn new(base: BaseType) -> Type {
        Type {
            base,
            optional: false,
        }
    }
    pub const fn opt(base: BaseType) -> Type {
        Type {
            base,
            optional: true,
        }
    }
    pub const fn with_optional(self, optional: bool) -> Type {
        Type {
            base: self.base,
            optional,
        }
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.base, if self.optional { "?" } else { "" })
    }
}

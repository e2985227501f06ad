//! The static types of Flow: `string int bool date verification_status`,
//! choices of string literals (`"passport" | "id_card"`), and their optional
//! forms `T?`.
//!
//! A [`Type`] is `Copy` and compared everywhere, so a choice does not own
//! its values: it names a set in a [`ChoiceTable`] by a small
//! [`ChoiceId`]. The checker fills one table per flow; the typed flow and
//! the module carry it, and whatever shows or checks a choice's values
//! reads them from there. A choice's base is `string`, so every rule that
//! looks only at `base` treats a choice as the `string` it is.

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
    /// A choice: the set of strings it holds, in the flow's
    /// [`ChoiceTable`] (`base` is then [`BaseType::String`]).
    pub choice: Option<ChoiceId>,
}

/// Names one set of string literals in a [`ChoiceTable`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ChoiceId(pub u32);

/// The choice sets of one flow or module, each in the order its values
/// were written, without repeats. (The checker gives equal lists one id.)
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ChoiceTable {
    sets: Vec<Vec<String>>,
}

impl ChoiceTable {
    /// A table without sets, for a module or flow that declares no choice.
    pub const fn new() -> ChoiceTable {
        ChoiceTable { sets: Vec::new() }
    }

    /// Adds a set and gives its id.
    pub fn push(&mut self, values: Vec<String>) -> ChoiceId {
        self.sets.push(values);
        ChoiceId((self.sets.len() - 1) as u32)
    }

    /// The values of a choice; empty for an id out of range (a verified
    /// module holds none).
    pub fn values(&self, id: ChoiceId) -> &[String] {
        self.sets.get(id.0 as usize).map_or(&[], Vec::as_slice)
    }

    /// How many sets there are.
    pub fn len(&self) -> usize {
        self.sets.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.sets.is_empty()
    }

    /// Whether `value` is a value of the choice `id`.
    pub fn contains(&self, id: ChoiceId, value: &str) -> bool {
        self.values(id).iter().any(|v| v == value)
    }

    /// Whether every value of `inner` is one of `outer`'s.
    pub fn subset(&self, inner: ChoiceId, outer: ChoiceId) -> bool {
        self.values(inner).iter().all(|v| self.contains(outer, v))
    }

    /// Whether the two choices share no value.
    pub fn disjoint(&self, a: ChoiceId, b: ChoiceId) -> bool {
        !self.values(a).iter().any(|v| self.contains(b, v))
    }

    /// Whether `value` may stand in a field of type `ty`: [`Type::admits`],
    /// and for a choice, a string of its set.
    pub fn admits(&self, ty: Type, value: &crate::value::Value) -> bool {
        match (ty.choice, value) {
            (Some(id), crate::value::Value::Str(s)) => self.contains(id, s),
            _ => ty.admits(value),
        }
    }

    /// The values as a user writes them: `"a" | "b"`.
    pub fn show_values(&self, id: ChoiceId) -> String {
        show_choice(self.values(id), false)
    }

    /// A type as a user writes it, a choice's values included:
    /// `("a" | "b")?`.
    pub fn show(&self, ty: Type) -> String {
        match ty.choice {
            Some(id) => show_choice(self.values(id), ty.optional),
            None => ty.to_string(),
        }
    }
}

/// A choice type as a user writes it: `"a" | "b"`, or `("a" | "b")?`
/// when optional.
pub fn show_choice(values: &[String], optional: bool) -> String {
    let values = values
        .iter()
        .map(|v| format!("{v:?}"))
        .collect::<Vec<_>>()
        .join(" | ");
    if optional {
        format!("({values})?")
    } else {
        values
    }
}

impl Type {
    /// The non-optional `base`.
    pub const fn new(base: BaseType) -> Type {
        Type {
            base,
            optional: false,
            choice: None,
        }
    }
    /// The optional `base?`.
    pub const fn opt(base: BaseType) -> Type {
        Type {
            base,
            optional: true,
            choice: None,
        }
    }
    /// The non-optional choice `id` (a `string` of that set).
    pub const fn choice(id: ChoiceId) -> Type {
        Type {
            base: BaseType::String,
            optional: false,
            choice: Some(id),
        }
    }
    /// The same type, optional or not as given.
    pub const fn with_optional(self, optional: bool) -> Type {
        Type {
            base: self.base,
            optional,
            choice: self.choice,
        }
    }

    /// Whether `value` may stand in a field of this type: a value of its
    /// base type, or `none` when it is optional. A choice's set is not
    /// looked at here (see [`ChoiceTable::admits`]).
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

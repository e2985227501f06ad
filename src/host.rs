//! The embedder's side of a run.
//!
//! The VM never talks to the outside world itself: verifications, reports,
//! HTTP calls, account reads and writes, tags, cases and the clock all go
//! through [`Host`]. `retry` and `on error` are compiled behaviour; a host
//! only answers one call at a time.
//!
//! This file is the embedder's contract: the [`Host`] trait and what goes
//! in and out of it. The rest is the host of `flowc run` and `flowc test`:
//!
//! - `scripted`: [`ScriptedHost`] answers calls from a [`Script`] of
//!   stubs given in order, keeps an in-memory Account, and records a
//!   trace of everything the run did;
//! - `scenario`: a [`Script`] read from a scenario file (JSON);
//! - `trace`: [`TraceEvent`], one line of that trace.

mod scenario;
mod scripted;
mod trace;

pub use scenario::ScenarioError;
pub use scripted::{Script, ScriptedHost, system_today};
pub use trace::{CallOutcome, TraceEvent};

use crate::bytecode::{CallTarget, FieldInfo, Promise};
use crate::types::ChoiceTable;
use crate::value::{Date, Value};
use std::fmt;

/// A host-side failure: retried when the call has `retry`, then routed to
/// `on error`, else the run stops with R0003.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostError {
    /// What went wrong, for the trace and the R0003 message.
    pub message: String,
    /// Stop the run at once with R0003, leaving the state at the call:
    /// no retry, no `on error` (the host cannot answer now, e.g. a
    /// scripted host with no stub left; resuming re-issues the call).
    pub stop: bool,
}

impl HostError {
    /// A failed call: retried, then `on error`.
    pub fn new(message: impl Into<String>) -> HostError {
        HostError {
            message: message.into(),
            stop: false,
        }
    }

    /// A call the host cannot answer now: the run stops with R0003 at once.
    pub fn stop(message: impl Into<String>) -> HostError {
        HostError {
            message: message.into(),
            stop: true,
        }
    }
}

impl fmt::Display for HostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// One verification, report or HTTP call.
#[derive(Debug, Clone, Copy)]
pub struct HostCall<'a> {
    /// The result name bound by `let`.
    pub result: &'a str,
    /// What is called: a verification, a report or an HTTP endpoint.
    pub target: &'a CallTarget,
    /// Named argument values, in source order, lent by the VM (the names
    /// from the module, the values from its stack).
    pub args: CallArgs<'a>,
    /// The fields the host must return, in this order.
    pub fields: &'a [FieldInfo],
    /// What a successful answer must carry besides (a verification that
    /// `passed` every result field, an `http` answer with `ok` true every
    /// non-optional field its `returns` declares); an answer that breaks
    /// it is a host error.
    pub promise: Option<&'a Promise>,
    /// The module's choice sets, which the `ty` of `fields` refer to: a
    /// value outside its field's set is a host error.
    pub choices: &'a ChoiceTable,
    /// `timeout`, in seconds: a call that runs past it is a host error.
    pub timeout_secs: Option<u32>,
    /// 0 for the first call, 1 for the first retry, ...
    pub attempt: u32,
}

/// The named arguments of a [`HostCall`]: `(name, value)` pairs in
/// source order, borrowed rather than owned so that a call copies nothing.
/// [`CallArgs::get`] finds one by name; [`CallArgs::to_vec`] makes owned
/// pairs for a host that keeps them.
#[derive(Debug, Clone, Copy)]
pub struct CallArgs<'a>(ArgsRepr<'a>);

/// Where the pairs live: names and values side by side (as the VM has
/// them), or pairs already made.
#[derive(Debug, Clone, Copy)]
enum ArgsRepr<'a> {
    Split {
        names: &'a [String],
        values: &'a [Value],
    },
    Pairs(&'a [(String, Value)]),
}

impl<'a> CallArgs<'a> {
    /// The arguments named `names`, with `values` in the same order; a
    /// name or value without a partner is left out.
    pub fn new(names: &'a [String], values: &'a [Value]) -> CallArgs<'a> {
        let n = names.len().min(values.len());
        CallArgs(ArgsRepr::Split {
            names: names.get(..n).unwrap_or_default(),
            values: values.get(..n).unwrap_or_default(),
        })
    }

    /// The arguments given as owned pairs.
    pub fn from_pairs(pairs: &'a [(String, Value)]) -> CallArgs<'a> {
        CallArgs(ArgsRepr::Pairs(pairs))
    }

    /// How many arguments there are.
    pub fn len(&self) -> usize {
        match self.0 {
            ArgsRepr::Split { names, .. } => names.len(),
            ArgsRepr::Pairs(p) => p.len(),
        }
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The `i`th argument, in source order.
    pub fn at(&self, i: usize) -> Option<(&'a str, &'a Value)> {
        match self.0 {
            ArgsRepr::Split { names, values } => {
                names.get(i).map(String::as_str).zip(values.get(i))
            }
            ArgsRepr::Pairs(p) => p.get(i).map(|(n, v)| (n.as_str(), v)),
        }
    }

    /// The value of the argument called `name`.
    pub fn get(&self, name: &str) -> Option<&'a Value> {
        self.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    /// The arguments in source order.
    pub fn iter(&self) -> CallArgsIter<'a> {
        CallArgsIter {
            args: *self,
            next: 0,
        }
    }

    /// Owned copies of the pairs.
    pub fn to_vec(&self) -> Vec<(String, Value)> {
        self.iter()
            .map(|(n, v)| (n.to_string(), v.clone()))
            .collect()
    }
}

impl<'a> IntoIterator for CallArgs<'a> {
    type Item = (&'a str, &'a Value);
    type IntoIter = CallArgsIter<'a>;
    fn into_iter(self) -> CallArgsIter<'a> {
        self.iter()
    }
}

/// The iterator of [`CallArgs::iter`].
#[derive(Debug, Clone)]
pub struct CallArgsIter<'a> {
    args: CallArgs<'a>,
    next: usize,
}

impl<'a> Iterator for CallArgsIter<'a> {
    type Item = (&'a str, &'a Value);
    fn next(&mut self) -> Option<(&'a str, &'a Value)> {
        let item = self.args.at(self.next)?;
        self.next += 1;
        Some(item)
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.args.len().saturating_sub(self.next);
        (left, Some(left))
    }
}

impl ExactSizeIterator for CallArgsIter<'_> {}

/// What an embedder implements.
pub trait Host {
    /// Runs a verification, report or HTTP call. On success, one value per
    /// result field in `call.fields` order (`Value::None` only where the
    /// field type is optional and `call.promise` does not require a
    /// value); anything else is treated as a host error.
    fn call(&mut self, call: &HostCall<'_>) -> Result<Vec<Value>, HostError>;
    /// Reads an Account field; `Value::None` when the Account has no value.
    fn read_account(&mut self, field: &str) -> Result<Value, HostError>;
    /// Writes an Account field (`set account.F = ...`).
    fn write_account(&mut self, field: &str, value: &Value) -> Result<(), HostError>;
    /// Tags the inquiry (`tag ...`).
    fn tag(&mut self, text: &str) -> Result<(), HostError>;
    /// Opens a manual-review case in a queue (`case ...`).
    fn case(&mut self, queue: &str) -> Result<(), HostError>;
    /// The run's clock.
    fn today(&mut self) -> Date;
    /// Told when a step is entered (not on retries or resumes).
    fn step_entered(&mut self, _step: &str) {}
    /// Told when an inquiry field is written by `set inquiry.F`.
    fn inquiry_written(&mut self, _field: &str, _value: &Value) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn call_args_pair_names_with_values_either_way() {
        let names = ["a".to_string(), "b".to_string(), "c".to_string()];
        let values = [Value::Int(1), Value::Bool(true)];
        let split = CallArgs::new(&names, &values);
        assert_eq!(split.len(), 2, "`c` has no value");
        assert_eq!(split.get("b"), Some(&Value::Bool(true)));
        assert_eq!(split.get("c"), None);
        let pairs = split.to_vec();
        assert_eq!(
            pairs,
            [("a".into(), Value::Int(1)), ("b".into(), Value::Bool(true))]
        );
        let owned = CallArgs::from_pairs(&pairs);
        assert_eq!(owned.iter().len(), 2);
        assert!(owned.iter().eq(split.iter()));
        assert_eq!(owned.at(1), Some(("b", &Value::Bool(true))));
        assert!(CallArgs::new(&[], &values).is_empty());
    }
}

//! How `flowc run` prints a trace: one human line per event, the events of
//! a step indented under its `enter`; or, with `--format json`, one JSON
//! object per event (JSON Lines) with an `event` key. Values are written
//! as JSON in both, as in a scenario (dates `"YYYY-MM-DD"`, `none` as
//! `null`). The table of keys is in docs/vm.md.

use crate::bytecode::CallTarget;
use crate::host::{CallOutcome, TraceEvent};
use crate::invariant;
use crate::value::Value;
use crate::vm::ScreenField;
use serde::Serialize;
use serde::ser::SerializeMap;
use std::fmt::Write as _;

/// The human line for an event, indented when it happens inside a step.
pub(crate) fn human(event: &TraceEvent) -> String {
    let line = match event {
        TraceEvent::Enter { step } => return format!("enter {step}"),
        TraceEvent::End { status } => return format!("end {status}"),
        TraceEvent::Error { code, message, at } => {
            let mut line = format!("error[{code}]: {message}");
            if let Some(at) = at {
                let _ = write!(line, " (at {at})");
            }
            return line;
        }
        TraceEvent::Waiting {
            screen,
            title,
            fields,
            captures,
        } => {
            let fields: Vec<String> = fields
                .iter()
                .map(|f| match &f.label {
                    Some(label) => format!("{}: {} {label:?}", f.name, f.type_text()),
                    None => format!("{}: {}", f.name, f.type_text()),
                })
                .collect();
            let title = title
                .as_ref()
                .map_or_else(String::new, |t| format!(" titled {t:?}"));
            return format!(
                "waiting at screen {screen}{title} for input: fields [{}], captures [{}]",
                fields.join(", "),
                captures.join(", ")
            );
        }
        TraceEvent::Call {
            result,
            call,
            attempt,
            timeout_secs,
            args,
            outcome,
        } => {
            let mut line = format!("call {result} = {call} {}", named(args));
            if let Some(t) = timeout_secs {
                let _ = write!(line, " timeout {t}s");
            }
            if *attempt > 0 {
                let _ = write!(line, " (retry {attempt})");
            }
            match outcome {
                CallOutcome::Ok(values) => {
                    let _ = write!(line, " -> {}", named(values));
                }
                CallOutcome::Error(e) => {
                    let _ = write!(line, " -> error: {e}");
                }
            }
            line
        }
        TraceEvent::SetInquiry { field, value } => {
            format!("set inquiry.{field} = {}", value.to_json())
        }
        TraceEvent::SetAccount { field, value } => {
            format!("set account.{field} = {}", value.to_json())
        }
        TraceEvent::ReadAccount { field, value } => {
            format!("read account.{field} -> {}", value.to_json())
        }
        TraceEvent::Tag { text } => format!("tag {text:?}"),
        TraceEvent::Case { queue } => format!("case {queue:?}"),
        TraceEvent::Suspend { screen } => format!("suspend at screen {screen}"),
        TraceEvent::Resume { screen, input } => {
            format!("resume {screen} with {}", named(input))
        }
    };
    format!("  {line}")
}

/// `{ name: VALUE, ... }`, or `{}`.
fn named(values: &[(String, Value)]) -> String {
    if values.is_empty() {
        return "{}".to_string();
    }
    let parts: Vec<String> = values
        .iter()
        .map(|(k, v)| format!("{k}: {}", v.to_json()))
        .collect();
    format!("{{ {} }}", parts.join(", "))
}

/// The JSON Lines form of an event.
pub(crate) fn json(event: &TraceEvent) -> String {
    let line = match event {
        TraceEvent::Enter { step } => Line::Enter { step },
        TraceEvent::Call {
            result,
            call,
            attempt,
            timeout_secs,
            args,
            outcome,
        } => Line::Call {
            result,
            call: Display(call),
            attempt: *attempt,
            timeout_secs: *timeout_secs,
            args: Object(args),
            outcome: match outcome {
                CallOutcome::Ok(values) => Outcome::Ok(Object(values)),
                CallOutcome::Error(e) => Outcome::Error(e),
            },
        },
        TraceEvent::SetInquiry { field, value } => Line::SetInquiry(FieldValue::new(field, value)),
        TraceEvent::SetAccount { field, value } => Line::SetAccount(FieldValue::new(field, value)),
        TraceEvent::ReadAccount { field, value } => {
            Line::ReadAccount(FieldValue::new(field, value))
        }
        TraceEvent::Tag { text } => Line::Tag { text },
        TraceEvent::Case { queue } => Line::Case { queue },
        TraceEvent::Suspend { screen } => Line::Suspend { screen },
        TraceEvent::Resume { screen, input } => Line::Resume {
            screen,
            input: Object(input),
        },
        TraceEvent::Waiting {
            screen,
            title,
            fields,
            captures,
        } => Line::Waiting {
            screen,
            title: title.as_deref(),
            fields: Types(fields),
            choices: Choices(fields),
            labels: Labels(fields),
            captures,
        },
        TraceEvent::End { status } => Line::End {
            status: status.name(),
        },
        TraceEvent::Error { code, message, at } => Line::Error {
            code: code.as_str(),
            message,
            at: at.as_deref(),
        },
    };
    // Every piece serializes infallibly: strings, integers, JSON values and
    // maps with string keys. Past that, an error event in the same shape.
    serde_json::to_string(&line).unwrap_or_else(|e| {
        invariant::broken("trace-events-serialize", format_args!("{e}"));
        serde_json::json!({"event": "error", "code": "R0005", "message": format!("internal error: a trace event does not serialize: {e}")}).to_string()
    })
}

/// The body of the events about one field's value (written, or read from
/// the Account).
#[derive(Serialize)]
struct FieldValue<'a> {
    field: &'a str,
    value: Json<'a>,
}

impl<'a> FieldValue<'a> {
    fn new(field: &'a str, value: &'a Value) -> Self {
        FieldValue {
            field,
            value: Json(value),
        }
    }
}

/// One JSON line; keys in this order, `event` first.
#[derive(Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
enum Line<'a> {
    Enter {
        step: &'a str,
    },
    Call {
        result: &'a str,
        call: Display<'a, CallTarget>,
        attempt: u32,
        #[serde(skip_serializing_if = "Option::is_none")]
        timeout_secs: Option<u32>,
        args: Object<'a>,
        outcome: Outcome<'a>,
    },
    SetInquiry(FieldValue<'a>),
    SetAccount(FieldValue<'a>),
    ReadAccount(FieldValue<'a>),
    Tag {
        text: &'a str,
    },
    Case {
        queue: &'a str,
    },
    Suspend {
        screen: &'a str,
    },
    Resume {
        screen: &'a str,
        input: Object<'a>,
    },
    Waiting {
        screen: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        title: Option<&'a str>,
        fields: Types<'a>,
        #[serde(skip_serializing_if = "Choices::is_empty")]
        choices: Choices<'a>,
        #[serde(skip_serializing_if = "Labels::is_empty")]
        labels: Labels<'a>,
        captures: &'a [String],
    },
    End {
        status: &'a str,
    },
    Error {
        code: &'a str,
        message: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        at: Option<&'a str>,
    },
}

#[derive(Serialize)]
#[serde(rename_all = "snake_case")]
enum Outcome<'a> {
    Ok(Object<'a>),
    Error(&'a str),
}

/// A value as JSON.
struct Json<'a>(&'a Value);

impl Serialize for Json<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.to_json().serialize(s)
    }
}

/// Named values as a JSON object, keys in the given order.
struct Object<'a>(&'a [(String, Value)]);

impl Serialize for Object<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in self.0 {
            map.serialize_entry(k, &Json(v))?;
        }
        map.end()
    }
}

/// Field types as a JSON object of their names (`"string?"`, a choice as
/// written: `"\"passport\" | \"id_card\""`).
struct Types<'a>(&'a [ScreenField]);

impl Serialize for Types<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for f in self.0 {
            map.serialize_entry(&f.name, &f.type_text())?;
        }
        map.end()
    }
}

/// The values of each choice field, as a JSON object of arrays.
struct Choices<'a>(&'a [ScreenField]);

impl Choices<'_> {
    fn is_empty(&self) -> bool {
        self.0.iter().all(|f| f.choices.is_empty())
    }
}

impl Serialize for Choices<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        for f in self.0.iter().filter(|f| !f.choices.is_empty()) {
            map.serialize_entry(&f.name, &f.choices)?;
        }
        map.end()
    }
}

/// The label of each labelled field, as a JSON object.
struct Labels<'a>(&'a [ScreenField]);

impl Labels<'_> {
    fn is_empty(&self) -> bool {
        self.0.iter().all(|f| f.label.is_none())
    }
}

impl Serialize for Labels<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        for f in self.0 {
            if let Some(label) = &f.label {
                map.serialize_entry(&f.name, label)?;
            }
        }
        map.end()
    }
}

/// Anything by its `Display` text.
struct Display<'a, T>(&'a T);

impl<T: std::fmt::Display> Serialize for Display<'_, T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self.0)
    }
}

//! The embedder's side of a run.
//!
//! The VM never talks to the outside world itself: verifications, reports,
//! HTTP calls, account reads and writes, tags, cases and the clock all go
//! through [`Host`]. `retry` and `on error` are compiled behaviour; a host
//! only answers one call at a time.
//!
//! [`ScriptedHost`] is the host of `flowc run` and `flowc test`: it answers
//! calls from stubs given in order (a scenario file or a `test` block),
//! keeps an in-memory Account, and records a trace of everything the run
//! did.

use crate::ast::HttpMethod;
use crate::bytecode::{CallTarget, FieldInfo, Module, StepKindTag};
use crate::typed::{StubAnswer, Test};
use crate::types::{BaseType, Type};
use crate::value::{Date, Value};
use serde::Serialize;
use std::collections::{BTreeMap, VecDeque};
use std::fmt;

/// A host-side failure: retried when the call has `retry`, then routed to
/// `on error`, else the run stops with R0003.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostError {
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
    pub target: &'a CallTarget,
    /// Named argument values, in source order.
    pub args: &'a [(String, Value)],
    /// The fields the host must return, in this order.
    pub fields: &'a [FieldInfo],
    /// `timeout`, in seconds: a call that runs past it is a host error.
    pub timeout_secs: Option<u32>,
    /// 0 for the first call, 1 for the first retry, ...
    pub attempt: u32,
}

/// What an embedder implements.
pub trait Host {
    /// Runs a verification, report or HTTP call. On success, one value per
    /// result field in `call.fields` order (`Value::None` only where the
    /// field type is optional); anything else is treated as a host error.
    fn call(&mut self, call: &HostCall<'_>) -> Result<Vec<Value>, HostError>;
    /// Reads an Account field; `Value::None` when the Account has no value.
    fn read_account(&mut self, field: &str) -> Result<Value, HostError>;
    fn write_account(&mut self, field: &str, value: &Value) -> Result<(), HostError>;
    fn tag(&mut self, text: &str) -> Result<(), HostError>;
    fn case(&mut self, queue: &str) -> Result<(), HostError>;
    /// The run's clock.
    fn today(&mut self) -> Date;
    /// Told when a step is entered (not on retries or resumes).
    fn step_entered(&mut self, _step: &str) {}
    /// Told when an inquiry field is written by `set inquiry.F`.
    fn inquiry_written(&mut self, _field: &str, _value: &Value) {}
}

/// One line of a run's trace.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum TraceEvent {
    Enter {
        step: String,
    },
    Call {
        result: String,
        call: String,
        attempt: u32,
        /// The timeout the host was given, in seconds.
        #[serde(skip_serializing_if = "Option::is_none")]
        timeout_secs: Option<u32>,
        args: Fields,
        outcome: CallOutcome,
    },
    SetInquiry {
        field: String,
        value: serde_json::Value,
    },
    SetAccount {
        field: String,
        value: serde_json::Value,
    },
    /// `account.F` read from the host (`null` when the Account has none).
    ReadAccount {
        field: String,
        value: serde_json::Value,
    },
    Tag {
        text: String,
    },
    Case {
        queue: String,
    },
    Suspend {
        screen: String,
    },
    Resume {
        screen: String,
        input: Fields,
    },
    /// The run waits at a screen with no input left.
    Waiting {
        screen: String,
        /// The fields it collects, with their types.
        fields: Fields,
        captures: Vec<String>,
    },
    End {
        status: String,
    },
    Error {
        code: String,
        message: String,
        /// `FILE:LINE:COL` of the failing instruction, when the source is known.
        #[serde(skip_serializing_if = "Option::is_none")]
        at: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CallOutcome {
    Ok(Fields),
    Error(String),
}

/// Named values in a fixed order (source order for arguments and inputs,
/// the result table's order for results); serialized as a JSON object.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Fields(pub Vec<(String, serde_json::Value)>);

impl Serialize for Fields {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl FromIterator<(String, serde_json::Value)> for Fields {
    fn from_iter<I: IntoIterator<Item = (String, serde_json::Value)>>(iter: I) -> Fields {
        Fields(iter.into_iter().collect())
    }
}

impl fmt::Display for Fields {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("{}");
        }
        let parts: Vec<String> = self.0.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        write!(f, "{{ {} }}", parts.join(", "))
    }
}

impl fmt::Display for TraceEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TraceEvent::Enter { step } => write!(f, "enter {step}"),
            TraceEvent::Call {
                result,
                call,
                attempt,
                timeout_secs,
                args,
                outcome,
            } => {
                write!(f, "call {result} = {call} {args}")?;
                if let Some(t) = timeout_secs {
                    write!(f, " timeout {t}s")?;
                }
                if *attempt > 0 {
                    write!(f, " (retry {attempt})")?;
                }
                match outcome {
                    CallOutcome::Ok(values) => write!(f, " -> {values}"),
                    CallOutcome::Error(e) => write!(f, " -> error: {e}"),
                }
            }
            TraceEvent::SetInquiry { field, value } => write!(f, "set inquiry.{field} = {value}"),
            TraceEvent::SetAccount { field, value } => write!(f, "set account.{field} = {value}"),
            TraceEvent::ReadAccount { field, value } => {
                write!(f, "read account.{field} -> {value}")
            }
            TraceEvent::Tag { text } => write!(f, "tag {text:?}"),
            TraceEvent::Case { queue } => write!(f, "case {queue:?}"),
            TraceEvent::Suspend { screen } => write!(f, "suspend at screen {screen}"),
            TraceEvent::Resume { screen, input } => write!(f, "resume {screen} with {input}"),
            TraceEvent::Waiting {
                screen,
                fields,
                captures,
            } => {
                let fields: Vec<String> = fields
                    .0
                    .iter()
                    .map(|(n, t)| format!("{n}: {}", t.as_str().unwrap_or("?")))
                    .collect();
                write!(
                    f,
                    "waiting at screen {screen} for input: fields [{}], captures [{}]",
                    fields.join(", "),
                    captures.join(", ")
                )
            }
            TraceEvent::End { status } => write!(f, "end {status}"),
            TraceEvent::Error { code, message, at } => {
                write!(f, "error[{code}]: {message}")?;
                match at {
                    Some(at) => write!(f, " (at {at})"),
                    None => Ok(()),
                }
            }
        }
    }
}

/// Answers for a scripted run: screen inputs and call stubs in order, a
/// starting Account and a clock.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Script {
    /// Per screen name, the inputs for its successive visits.
    pub inputs: BTreeMap<String, VecDeque<Vec<(String, Value)>>>,
    /// Per result name, the answers to its successive calls (`None`: a host
    /// error).
    pub stubs: BTreeMap<String, VecDeque<Option<Vec<Value>>>>,
    pub account: BTreeMap<String, Value>,
    pub clock: Option<Date>,
}

impl Script {
    /// Reads a scenario (`{"inputs": {SCREEN: [{...}]}, "stubs": {R: [{...},
    /// "error"]}, "account": {...}, "clock": "YYYY-MM-DD"}`), typing every
    /// value by the module's tables.
    pub fn from_scenario(module: &Module, json: &serde_json::Value) -> Result<Script, String> {
        use serde_json::Value as J;
        let obj = json.as_object().ok_or("a scenario is a JSON object")?;
        if let Some(k) = obj
            .keys()
            .find(|k| !["inputs", "stubs", "account", "clock"].contains(&k.as_str()))
        {
            return Err(format!(
                "unknown scenario key `{k}` (expected inputs, stubs, account, clock)"
            ));
        }
        let mut script = Script::default();
        if let Some(inputs) = obj.get("inputs") {
            let inputs = inputs
                .as_object()
                .ok_or("`inputs` is an object of screen names")?;
            for (screen, list) in inputs {
                let step = module
                    .steps
                    .iter()
                    .find(|s| &s.name == screen && s.kind == StepKindTag::Screen)
                    .ok_or_else(|| format!("`inputs`: `{screen}` is not a screen of this flow"))?;
                let list = list
                    .as_array()
                    .ok_or_else(|| format!("`inputs.{screen}` is a list of objects"))?;
                let queue = script.inputs.entry(screen.clone()).or_default();
                for (i, item) in list.iter().enumerate() {
                    let item = item
                        .as_object()
                        .ok_or_else(|| format!("`inputs.{screen}[{i}]` is not an object"))?;
                    if let Some(k) = item.keys().find(|k| {
                        !step.captures.contains(k)
                            && !step
                                .collects
                                .iter()
                                .filter_map(|f| module.inquiry.get(*f as usize))
                                .any(|f| &f.name == *k)
                    }) {
                        return Err(format!(
                            "`inputs.{screen}[{i}]`: screen `{screen}` takes no `{k}`"
                        ));
                    }
                    // In the screen's order: its fields, then its captures.
                    let mut values = Vec::new();
                    let fields = step
                        .collects
                        .iter()
                        .filter_map(|f| module.inquiry.get(*f as usize))
                        .map(|f| (&f.name, f.ty));
                    let captures = step.captures.iter().map(|c| (c, Type::new(BaseType::Bool)));
                    for (k, ty) in fields.chain(captures) {
                        let at = format!("`inputs.{screen}[{i}].{k}`");
                        let v = item.get(k).ok_or_else(|| {
                            format!("`inputs.{screen}[{i}]`: screen `{screen}` needs `{k}` ({ty})")
                        })?;
                        let value = Value::from_json(v, ty.base)
                            .map_err(|e| format!("{at}: expected {e}"))?;
                        if value == Value::None && !ty.optional {
                            return Err(format!("{at} is `{ty}` and may not be null"));
                        }
                        if ty.base == BaseType::Bool
                            && step.captures.contains(k)
                            && value != Value::Bool(true)
                        {
                            return Err(format!("{at}: a capture is given as `true`"));
                        }
                        values.push((k.clone(), value));
                    }
                    queue.push_back(values);
                }
            }
        }
        if let Some(stubs) = obj.get("stubs") {
            let stubs = stubs
                .as_object()
                .ok_or("`stubs` is an object of result names")?;
            for (name, list) in stubs {
                let res = module
                    .results
                    .iter()
                    .find(|r| &r.name == name)
                    .ok_or_else(|| format!("`stubs`: no result `{name}` in this flow"))?;
                let list = list
                    .as_array()
                    .ok_or_else(|| format!("`stubs.{name}` is a list"))?;
                let queue = script.stubs.entry(name.clone()).or_default();
                for (i, item) in list.iter().enumerate() {
                    match item {
                        J::String(s) if s == "error" => queue.push_back(None),
                        J::Object(o) => {
                            if let Some(k) =
                                o.keys().find(|k| !res.fields.iter().any(|f| &f.name == *k))
                            {
                                return Err(format!(
                                    "`stubs.{name}[{i}]`: `{name}` has no field `{k}`"
                                ));
                            }
                            let mut values = Vec::new();
                            for f in &res.fields {
                                let v = match o.get(&f.name) {
                                    Some(j) => Value::from_json(j, f.ty.base).map_err(|e| {
                                        format!("`stubs.{name}[{i}].{}`: expected {e}", f.name)
                                    })?,
                                    None => Value::None,
                                };
                                if v == Value::None && !f.ty.optional {
                                    return Err(format!(
                                        "`stubs.{name}[{i}]` needs `{}` ({}), which may not be null",
                                        f.name, f.ty
                                    ));
                                }
                                values.push(v);
                            }
                            queue.push_back(Some(values));
                        }
                        _ => {
                            return Err(format!(
                                "`stubs.{name}[{i}]` is neither an object nor \"error\""
                            ));
                        }
                    }
                }
            }
        }
        if let Some(account) = obj.get("account") {
            let account = account
                .as_object()
                .ok_or("`account` is an object of field values")?;
            for (k, v) in account {
                let f = module
                    .account
                    .iter()
                    .find(|f| &f.name == k)
                    .ok_or_else(|| format!("`account`: no account field `{k}`"))?;
                let value = Value::from_json(v, f.ty.base)
                    .map_err(|e| format!("`account.{k}`: expected {e}"))?;
                script.account.insert(k.clone(), value);
            }
        }
        if let Some(clock) = obj.get("clock") {
            let text = clock.as_str().ok_or("`clock` is a \"YYYY-MM-DD\" string")?;
            script.clock =
                Some(Date::parse(text).ok_or_else(|| format!("`clock`: `{text}` is not a date"))?);
        }
        Ok(script)
    }

    /// The answers of a `test` block.
    pub fn from_test(module: &Module, test: &Test) -> Script {
        let mut script = Script {
            clock: test.clock,
            ..Script::default()
        };
        for input in &test.inputs {
            let name = module.step_name(input.screen).to_string();
            script
                .inputs
                .entry(name)
                .or_default()
                .push_back(input.values.clone());
        }
        for stub in &test.stubs {
            let name = module
                .results
                .get(stub.result as usize)
                .map_or("?", |r| r.name.as_str())
                .to_string();
            let answer = match &stub.answer {
                StubAnswer::Values(v) => Some(v.clone()),
                StubAnswer::Error => None,
            };
            script.stubs.entry(name).or_default().push_back(answer);
        }
        script
    }
}

/// The host of `flowc run` and `flowc test`.
#[derive(Debug, Clone, Default)]
pub struct ScriptedHost {
    pub script: Script,
    pub trace: Vec<TraceEvent>,
    /// Results that were called with no stub left.
    pub missing_stubs: Vec<String>,
}

impl ScriptedHost {
    pub fn new(script: Script) -> ScriptedHost {
        ScriptedHost {
            script,
            trace: Vec::new(),
            missing_stubs: Vec::new(),
        }
    }

    /// The next input for a screen, if any is left.
    pub fn next_input(&mut self, screen: &str) -> Option<Vec<(String, Value)>> {
        self.script.inputs.get_mut(screen)?.pop_front()
    }

    /// The steps entered so far, in order.
    pub fn visits(&self) -> Vec<&str> {
        self.trace
            .iter()
            .filter_map(|e| match e {
                TraceEvent::Enter { step } => Some(step.as_str()),
                _ => None,
            })
            .collect()
    }

    pub fn tags(&self) -> Vec<&str> {
        self.trace
            .iter()
            .filter_map(|e| match e {
                TraceEvent::Tag { text } => Some(text.as_str()),
                _ => None,
            })
            .collect()
    }

    /// Screens with inputs left and results with stubs left.
    pub fn unused(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (screen, q) in &self.script.inputs {
            if !q.is_empty() {
                out.push(format!("{} unused input(s) for screen `{screen}`", q.len()));
            }
        }
        for (result, q) in &self.script.stubs {
            if !q.is_empty() {
                out.push(format!("{} unused stub(s) for `{result}`", q.len()));
            }
        }
        out
    }
}

pub(crate) fn json_map(pairs: impl IntoIterator<Item = (String, Value)>) -> Fields {
    Fields(pairs.into_iter().map(|(k, v)| (k, v.to_json())).collect())
}

pub fn call_text(target: &CallTarget) -> String {
    match target {
        CallTarget::Http {
            method: HttpMethod::Get,
            url,
        } => format!("http get {url:?}"),
        other => other.to_string(),
    }
}

impl Host for ScriptedHost {
    fn call(&mut self, call: &HostCall<'_>) -> Result<Vec<Value>, HostError> {
        let answer = self
            .script
            .stubs
            .get_mut(call.result)
            .and_then(|q| q.pop_front());
        let (result, outcome) = match answer {
            Some(Some(values)) => {
                let map = json_map(
                    call.fields
                        .iter()
                        .map(|f| f.name.clone())
                        .zip(values.iter().cloned()),
                );
                (Ok(values), CallOutcome::Ok(map))
            }
            Some(None) => {
                let msg = format!("stubbed error for `{}`", call.result);
                (Err(HostError::new(msg.clone())), CallOutcome::Error(msg))
            }
            None => {
                self.missing_stubs.push(call.result.to_string());
                let msg = format!("no stub left for `{}`", call.result);
                (Err(HostError::stop(msg.clone())), CallOutcome::Error(msg))
            }
        };
        self.trace.push(TraceEvent::Call {
            result: call.result.to_string(),
            call: call_text(call.target),
            attempt: call.attempt,
            timeout_secs: call.timeout_secs,
            args: json_map(call.args.iter().cloned()),
            outcome,
        });
        result
    }

    fn read_account(&mut self, field: &str) -> Result<Value, HostError> {
        let value = self
            .script
            .account
            .get(field)
            .cloned()
            .unwrap_or(Value::None);
        self.trace.push(TraceEvent::ReadAccount {
            field: field.to_string(),
            value: value.to_json(),
        });
        Ok(value)
    }

    fn write_account(&mut self, field: &str, value: &Value) -> Result<(), HostError> {
        self.script.account.insert(field.to_string(), value.clone());
        self.trace.push(TraceEvent::SetAccount {
            field: field.to_string(),
            value: value.to_json(),
        });
        Ok(())
    }

    fn tag(&mut self, text: &str) -> Result<(), HostError> {
        self.trace.push(TraceEvent::Tag {
            text: text.to_string(),
        });
        Ok(())
    }

    fn case(&mut self, queue: &str) -> Result<(), HostError> {
        self.trace.push(TraceEvent::Case {
            queue: queue.to_string(),
        });
        Ok(())
    }

    fn today(&mut self) -> Date {
        self.script.clock.unwrap_or_else(system_today)
    }

    fn step_entered(&mut self, step: &str) {
        self.trace.push(TraceEvent::Enter {
            step: step.to_string(),
        });
    }

    fn inquiry_written(&mut self, field: &str, value: &Value) {
        self.trace.push(TraceEvent::SetInquiry {
            field: field.to_string(),
            value: value.to_json(),
        });
    }
}

/// Today's date from the system clock, in UTC.
pub fn system_today() -> Date {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    Date(i32::try_from(secs / 86_400).unwrap_or(0))
}

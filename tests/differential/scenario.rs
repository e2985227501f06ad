//! Scenarios (screen inputs, host answers, a starting Account, a clock) and
//! the host that plays one and records what the run asked of it.
//!
//! Answers include host errors, `stop` errors and hostile answers: the
//! wrong number of values, a value of the wrong type, `none` for a field
//! that is not optional, an Account value of the wrong type, a failing
//! account write, tag or case. Screen inputs include bad ones (a missing or
//! unknown key, a wrong type, `none` for a required field, a capture given
//! as `false`), which must be refused with R0002 and change nothing.

use crate::choices::Choices;
use flowc::unstable::host::{Host, HostCall, HostError};
use flowc::unstable::typed::{ResultSlot, StepKind, TypedFlow};
use flowc::unstable::types::{BaseType, Type};
use flowc::unstable::value::{Date, EndStatus, Status, Value};
use std::collections::{BTreeMap, VecDeque};

#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    Values(Vec<Value>),
    /// A failed call: retried, then `on error`.
    Error,
    /// The host cannot answer now: R0003 at once.
    Stop,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Scenario {
    /// Per screen, the inputs for its successive visits.
    pub inputs: BTreeMap<String, VecDeque<Vec<(String, Value)>>>,
    /// Per result, the answers to its successive calls; when they run out,
    /// the host answers with a `stop` error.
    pub answers: BTreeMap<String, VecDeque<Answer>>,
    pub account: BTreeMap<String, Value>,
    pub clock: Option<Date>,
    /// The n-th account read or write, tag or case (from 0) fails.
    pub failing_effect: Option<u32>,
}

/// One event of a normalized trace. Both engines' traces are made of these,
/// by the same host and the same driver, so they compare exactly.
#[derive(Debug, Clone, PartialEq)]
pub enum Ev {
    Enter(String),
    Call {
        result: String,
        target: String,
        attempt: u32,
        timeout_secs: Option<u32>,
        args: Vec<(String, Value)>,
        /// The field names the host was asked for.
        fields: Vec<String>,
        answer: Answer,
    },
    ReadAccount(String, Result<Value, ()>),
    WriteAccount(String, Value, bool),
    SetInquiry(String, Value),
    Tag(String, bool),
    Case(String, bool),
    Today,
    /// Suspended at a screen: its name, fields with types, captures.
    Suspend(String, Vec<(String, Type)>, Vec<String>),
    /// An input given to a screen, and the code it was refused with.
    Resume(String, Option<String>),
    /// Suspended with no input left.
    Waiting(String),
    End(EndStatus),
    /// The run stopped with this runtime error code.
    Stop(String),
}

/// The host of one run: plays a scenario, records events.
pub struct RecHost {
    pub answers: BTreeMap<String, VecDeque<Answer>>,
    pub account: BTreeMap<String, Value>,
    pub clock: Date,
    pub failing_effect: Option<u32>,
    effects: u32,
    /// The n-th host interaction of any kind (a call attempt, an Account
    /// read or write, a tag, a case; from 0) fails with a host error.
    pub fail_at: Option<u32>,
    /// Host interactions so far.
    pub interactions: u32,
    pub trace: Vec<Ev>,
}

impl RecHost {
    pub fn new(s: &Scenario) -> RecHost {
        RecHost {
            answers: s.answers.clone(),
            account: s.account.clone(),
            clock: s.clock.unwrap_or(Date(20_000)),
            failing_effect: s.failing_effect,
            effects: 0,
            fail_at: None,
            interactions: 0,
            trace: Vec::new(),
        }
    }

    /// Whether this account access, tag or case succeeds.
    fn effect(&mut self) -> bool {
        let n = self.effects;
        self.effects += 1;
        !self.interaction_fails() && self.failing_effect != Some(n)
    }

    /// Counts one host interaction: whether it is the one that fails.
    fn interaction_fails(&mut self) -> bool {
        let n = self.interactions;
        self.interactions += 1;
        self.fail_at == Some(n)
    }
}

impl Host for RecHost {
    fn call(&mut self, call: &HostCall<'_>) -> Result<Vec<Value>, HostError> {
        let answer = if self.interaction_fails() {
            Answer::Error
        } else {
            self.answers
                .get_mut(call.result)
                .and_then(VecDeque::pop_front)
                .unwrap_or(Answer::Stop)
        };
        self.trace.push(Ev::Call {
            result: call.result.to_string(),
            target: call.target.to_string(),
            attempt: call.attempt,
            timeout_secs: call.timeout_secs,
            args: call.args.to_vec(),
            fields: call.fields.iter().map(|f| f.name.clone()).collect(),
            answer: answer.clone(),
        });
        match answer {
            Answer::Values(v) => Ok(v),
            Answer::Error => Err(HostError::new("scripted error")),
            Answer::Stop => Err(HostError::stop("no answer left")),
        }
    }

    fn read_account(&mut self, field: &str) -> Result<Value, HostError> {
        if !self.effect() {
            self.trace.push(Ev::ReadAccount(field.to_string(), Err(())));
            return Err(HostError::new("account unavailable"));
        }
        let v = self.account.get(field).cloned().unwrap_or(Value::None);
        self.trace
            .push(Ev::ReadAccount(field.to_string(), Ok(v.clone())));
        Ok(v)
    }

    fn write_account(&mut self, field: &str, value: &Value) -> Result<(), HostError> {
        let ok = self.effect();
        self.trace
            .push(Ev::WriteAccount(field.to_string(), value.clone(), ok));
        if !ok {
            return Err(HostError::new("account unavailable"));
        }
        self.account.insert(field.to_string(), value.clone());
        Ok(())
    }

    fn tag(&mut self, text: &str) -> Result<(), HostError> {
        let ok = self.effect();
        self.trace.push(Ev::Tag(text.to_string(), ok));
        if ok {
            Ok(())
        } else {
            Err(HostError::new("tags unavailable"))
        }
    }

    fn case(&mut self, queue: &str) -> Result<(), HostError> {
        let ok = self.effect();
        self.trace.push(Ev::Case(queue.to_string(), ok));
        if ok {
            Ok(())
        } else {
            Err(HostError::new("cases unavailable"))
        }
    }

    fn today(&mut self) -> Date {
        self.trace.push(Ev::Today);
        self.clock
    }

    fn step_entered(&mut self, step: &str) {
        self.trace.push(Ev::Enter(step.to_string()));
    }

    fn inquiry_written(&mut self, field: &str, value: &Value) {
        self.trace
            .push(Ev::SetInquiry(field.to_string(), value.clone()));
    }
}

const STRINGS: [&str; 8] = [
    "Ada",
    "",
    " x ",
    "ÄSS",
    "İi",
    "Lovelace",
    "ada",
    "\u{1F600}",
];
const INTS: [i64; 9] = [0, 1, 2, 3, -1, 18, i64::MAX, i64::MIN, 100];
const DATES: [&str; 7] = [
    "1815-12-10",
    "2000-02-29",
    "2026-11-25",
    "1970-01-01",
    "0001-01-01",
    "9999-12-31",
    "2008-03-01",
];

fn date(text: &str) -> Date {
    Date::parse(text).unwrap_or(Date(0))
}

/// A present value of `base`.
pub fn value(c: &mut Choices, base: BaseType) -> Value {
    match base {
        BaseType::String => Value::Str(STRINGS[c.below(STRINGS.len())].to_string()),
        BaseType::Int => Value::Int(INTS[c.below(INTS.len())]),
        BaseType::Bool => Value::Bool(c.chance(50)),
        BaseType::Date => Value::Date(date(DATES[c.below(DATES.len())])),
        BaseType::Status => Value::Status(Status::ALL[c.below(3)]),
    }
}

/// A present value of a base type other than `base`.
fn wrong_value(c: &mut Choices, base: BaseType) -> Value {
    let others: Vec<BaseType> = BaseType::ALL.into_iter().filter(|b| *b != base).collect();
    let b = others[c.below(others.len())];
    value(c, b)
}

/// A value for a field of type `ty`: `none` sometimes when optional.
fn field_value(c: &mut Choices, ty: Type) -> Value {
    if ty.optional && c.chance(30) {
        Value::None
    } else {
        value(c, ty.base)
    }
}

/// How hostile a scenario is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mix {
    /// Everything: bad inputs, `stop` errors, answers of the wrong shape
    /// or type, Account values of the wrong type, failing effects.
    Hostile,
    /// Valid inputs, answers of random values of the right types (`none`
    /// where optional), some host errors, Account values of the right type
    /// or `none`, and the one hostile answer §8.4 is about: `passed`
    /// without its result fields (the soundness property; the failing
    /// calls come from `RecHost::fail_at`).
    Valid,
}

/// A scenario for a checked flow, hostile in every way.
pub fn scenario(c: &mut Choices, flow: &TypedFlow) -> Scenario {
    scenario_of(c, flow, Mix::Hostile)
}

/// A scenario for a checked flow.
pub fn scenario_of(c: &mut Choices, flow: &TypedFlow, mix: Mix) -> Scenario {
    let hostile = mix == Mix::Hostile;
    let mut s = Scenario {
        clock: Some(date(
            ["2026-11-25", "2024-02-29", "2025-02-28", "2000-01-01"][c.below(4)],
        )),
        ..Scenario::default()
    };
    for step in &flow.steps {
        let StepKind::Screen {
            collects, captures, ..
        } = &step.kind
        else {
            continue;
        };
        let mut queue = VecDeque::new();
        for _ in 0..c.count(4) {
            let mut input: Vec<(String, Value)> = Vec::new();
            for f in collects {
                let field = &flow.inquiry[*f as usize];
                input.push((field.name.clone(), field_value(c, field.ty)));
            }
            for cap in captures {
                input.push((cap.clone(), Value::Bool(true)));
            }
            if hostile && c.chance(12) {
                spoil_input(c, &mut input, flow, collects);
            }
            if c.chance(20) {
                input.reverse();
            }
            queue.push_back(input);
        }
        s.inputs.insert(step.name.clone(), queue);
    }
    // How often a `passed` answer lacks its fields, in percent.
    let lacking = if hostile { 25 } else { 15 };
    for r in &flow.results {
        let mut queue = VecDeque::new();
        for _ in 0..c.count(6) {
            queue.push_back(answer(c, r, hostile, lacking));
        }
        s.answers.insert(r.name.clone(), queue);
    }
    for f in &flow.account {
        match c.below(10) {
            0..=3 => {}
            4 => {
                s.account.insert(f.name.clone(), Value::None);
            }
            5 if hostile && c.chance(40) => {
                s.account.insert(f.name.clone(), wrong_value(c, f.ty.base));
            }
            _ => {
                s.account.insert(f.name.clone(), value(c, f.ty.base));
            }
        }
    }
    if hostile && c.chance(8) {
        s.failing_effect = Some(c.below(6) as u32);
    }
    s
}

/// Makes a screen input wrong in one way.
fn spoil_input(
    c: &mut Choices,
    input: &mut Vec<(String, Value)>,
    flow: &TypedFlow,
    collects: &[u32],
) {
    let n = input.len();
    match c.below(5) {
        0 if n > 0 => {
            input.remove(c.below(n));
        }
        1 => input.push(("zz".to_string(), Value::Int(1))),
        2 if n > 0 => {
            let i = c.below(n);
            let dup = input[i].clone();
            input.push(dup);
        }
        3 if !collects.is_empty() => {
            let i = c.below(collects.len());
            let field = &flow.inquiry[collects[i] as usize];
            input[i].1 = if field.ty.optional || c.chance(50) {
                wrong_value(c, field.ty.base)
            } else {
                Value::None
            };
        }
        _ if n > collects.len() => {
            let i = collects.len() + c.below(n - collects.len());
            input[i].1 = Value::Bool(false);
        }
        _ => input.push(("zz".to_string(), Value::None)),
    }
}

/// One answer for a call binding `r`.
/// A hostile `passed` answer may lack its result fields: a host error
/// under §8.4's strict answers, in the VM and the reference alike.
fn answer(c: &mut Choices, r: &ResultSlot, hostile: bool, lacking: usize) -> Answer {
    match c.below(40) {
        0..=2 if !hostile => return Answer::Error,
        _ if !hostile => {}
        0..=5 => return Answer::Error,
        6 => return Answer::Stop,
        7 | 8 => {
            // hostile: the wrong shape or type
            let mut v: Vec<Value> = r.fields.iter().map(|f| value(c, f.ty.base)).collect();
            match c.below(3) {
                0 => {
                    v.pop();
                }
                1 => v.push(Value::Int(7)),
                _ => {
                    let i = c.below(v.len());
                    let base = r.fields[i].ty.base;
                    v[i] = if r.fields[i].ty.optional || c.chance(50) {
                        wrong_value(c, base)
                    } else {
                        Value::None
                    };
                }
            }
            return Answer::Values(v);
        }
        _ => {}
    }
    let mut v: Vec<Value> = Vec::with_capacity(r.fields.len());
    let lacking = c.chance(lacking);
    let mut passed = false;
    for f in &r.fields {
        if f.name == "status" && f.ty.base == BaseType::Status {
            let s = Status::ALL[c.below(3)];
            passed = s == Status::Passed;
            v.push(Value::Status(s));
        } else if passed && !lacking {
            v.push(value(c, f.ty.base));
        } else {
            v.push(field_value(c, f.ty));
        }
    }
    Answer::Values(v)
}

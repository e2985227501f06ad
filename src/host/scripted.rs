//! The host of `flowc run` and `flowc test`: answers from a [`Script`],
//! an in-memory Account, and a trace of everything the run did.

use super::trace::{CallOutcome, TraceEvent};
use super::{Host, HostCall, HostError};
use crate::bytecode::Module;
use crate::invariant;
use crate::typed::{StubAnswer, Test};
use crate::value::{Date, Value};
use std::collections::{BTreeMap, VecDeque};

/// Answers for a scripted run: screen inputs and call stubs in order, a
/// starting Account and a clock. Read from a scenario file
/// ([`Script::from_scenario`]) or a `test` block ([`Script::from_test`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Script {
    /// Per screen name, the inputs for its successive visits.
    pub inputs: BTreeMap<String, VecDeque<Vec<(String, Value)>>>,
    /// Per result name, the answers to its successive calls (`None`: a host
    /// error).
    pub stubs: BTreeMap<String, VecDeque<Option<Vec<Value>>>>,
    /// The Account before the run, by field name.
    pub account: BTreeMap<String, Value>,
    /// The run's clock; the system clock (UTC) when `None`.
    pub clock: Option<Date>,
}

/// A test's step and result ids index the tables of the module compiled
/// from its own flow.
const IDS: &str = "test-ids-index-module";

impl Script {
    /// The answers of a `test` block, for the module compiled from the
    /// test's own flow.
    pub fn from_test(module: &Module, test: &Test) -> Script {
        let mut script = Script {
            clock: test.clock,
            account: test.account.iter().cloned().collect(),
            ..Script::default()
        };
        for input in &test.inputs {
            let step = invariant::holds(module.step(input.screen), IDS);
            if let Some(name) = step.map(|s| s.name.clone()) {
                script
                    .inputs
                    .entry(name)
                    .or_default()
                    .push_back(input.values.clone());
            }
        }
        for stub in &test.stubs {
            let result = invariant::holds(module.results.get(stub.result as usize), IDS);
            let name = result.map(|r| r.name.clone());
            let answer = match &stub.answer {
                StubAnswer::Values(v) => Some(v.clone()),
                StubAnswer::Error => None,
            };
            if let Some(name) = name {
                script.stubs.entry(name).or_default().push_back(answer);
            }
        }
        script
    }
}

/// The host of `flowc run` and `flowc test`.
#[derive(Debug, Clone, Default)]
pub struct ScriptedHost {
    /// What is left to answer with.
    pub script: Script,
    /// Everything that happened, in order.
    pub trace: Vec<TraceEvent>,
    /// Results that were called with no stub left.
    pub missing_stubs: Vec<String>,
}

impl ScriptedHost {
    /// A host that answers from `script`.
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

    /// The tags written so far, in order.
    pub fn tags(&self) -> Vec<&str> {
        self.trace
            .iter()
            .filter_map(|e| match e {
                TraceEvent::Tag { text } => Some(text.as_str()),
                _ => None,
            })
            .collect()
    }

    /// The queues of the cases opened so far, in order.
    pub fn cases(&self) -> Vec<&str> {
        self.trace
            .iter()
            .filter_map(|e| match e {
                TraceEvent::Case { queue } => Some(queue.as_str()),
                _ => None,
            })
            .collect()
    }

    /// How many calls were made for `result`, every attempt counted,
    /// failed ones too.
    pub fn calls(&self, result: &str) -> usize {
        self.trace
            .iter()
            .filter(|e| matches!(e, TraceEvent::Call { result: r, .. } if r == result))
            .count()
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

impl Host for ScriptedHost {
    fn call(&mut self, call: &HostCall<'_>) -> Result<Vec<Value>, HostError> {
        let answer = self
            .script
            .stubs
            .get_mut(call.result)
            .and_then(|q| q.pop_front());
        let (result, outcome) = match answer {
            // An answer that breaks the call's promise (a `passed` without
            // its fields, an `ok` without its declared ones) is a host
            // error here as from any host (reference §8.3, §8.4).
            Some(Some(values))
                if let Err(msg) = crate::bytecode::check_answer(
                    call.result,
                    call.fields,
                    call.promise,
                    call.choices,
                    &values,
                ) =>
            {
                (Err(HostError::new(msg.clone())), CallOutcome::Error(msg))
            }
            Some(Some(values)) => {
                let named = call
                    .fields
                    .iter()
                    .map(|f| f.name.clone())
                    .zip(values.iter().cloned())
                    .collect();
                (Ok(values), CallOutcome::Ok(named))
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
            call: call.target.clone(),
            attempt: call.attempt,
            timeout_secs: call.timeout_secs,
            args: call.args.to_vec(),
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
            value: value.clone(),
        });
        Ok(value)
    }

    fn write_account(&mut self, field: &str, value: &Value) -> Result<(), HostError> {
        self.script.account.insert(field.to_string(), value.clone());
        self.trace.push(TraceEvent::SetAccount {
            field: field.to_string(),
            value: value.clone(),
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
            value: value.clone(),
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

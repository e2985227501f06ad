//! A run's trace: what the scripted host saw and what the driver did, in
//! order. Events hold the run's own values; `flowc run` renders them as
//! human lines or JSON Lines (`cli/trace.rs`).

use crate::bytecode::CallTarget;
use crate::diagnostics::Code;
use crate::types::Type;
use crate::value::{EndStatus, Value};

/// One line of a run's trace.
#[derive(Debug, Clone, PartialEq)]
pub enum TraceEvent {
    /// A step was entered (not on retries or resumes).
    Enter {
        step: String,
    },
    /// One attempt of a verification, report or HTTP call.
    Call {
        /// The result name bound by `let`.
        result: String,
        call: CallTarget,
        /// 0 for the first call, 1 for the first retry, ...
        attempt: u32,
        /// The timeout the host was given, in seconds.
        timeout_secs: Option<u32>,
        /// Named argument values, in source order.
        args: Vec<(String, Value)>,
        outcome: CallOutcome,
    },
    SetInquiry {
        field: String,
        value: Value,
    },
    SetAccount {
        field: String,
        value: Value,
    },
    /// `account.F` read from the host (`none` when the Account has none).
    ReadAccount {
        field: String,
        value: Value,
    },
    Tag {
        text: String,
    },
    Case {
        queue: String,
    },
    /// The run suspended at a screen.
    Suspend {
        screen: String,
    },
    /// The screen was answered with these values, in the screen's order.
    Resume {
        screen: String,
        input: Vec<(String, Value)>,
    },
    /// The run waits at a screen with no input left.
    Waiting {
        screen: String,
        /// The fields it collects, with their types.
        fields: Vec<(String, Type)>,
        captures: Vec<String>,
    },
    End {
        status: EndStatus,
    },
    /// The run stopped with a runtime error.
    Error {
        code: Code,
        message: String,
        /// `FILE:LINE:COL` of the failing instruction, when the source is known.
        at: Option<String>,
    },
}

/// How one call attempt went.
#[derive(Debug, Clone, PartialEq)]
pub enum CallOutcome {
    /// The host's answer: one value per result field, in the result
    /// table's order.
    Ok(Vec<(String, Value)>),
    /// The host error's message.
    Error(String),
}

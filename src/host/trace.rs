//! A run's trace: what the scripted host saw and what the driver did, in
//! order. Events hold the run's own values; `flowc run` renders them as
//! human lines or JSON Lines (`cli/trace.rs`).

use crate::bytecode::CallTarget;
use crate::diagnostics::Code;
use crate::value::{EndStatus, Value};

/// One line of a run's trace.
#[derive(Debug, Clone, PartialEq)]
pub enum TraceEvent {
    /// A step was entered (not on retries or resumes).
    Enter {
        /// The step's name.
        step: String,
    },
    /// One attempt of a verification, report or HTTP call.
    Call {
        /// The result name bound by `let`.
        result: String,
        /// What was called.
        call: CallTarget,
        /// 0 for the first call, 1 for the first retry, ...
        attempt: u32,
        /// The timeout the host was given, in seconds.
        timeout_secs: Option<u32>,
        /// Named argument values, in source order.
        args: Vec<(String, Value)>,
        /// Its answer or error.
        outcome: CallOutcome,
    },
    /// An inquiry field was written.
    SetInquiry {
        /// The field's name.
        field: String,
        /// The value written.
        value: Value,
    },
    /// An Account field was written.
    SetAccount {
        /// The field's name.
        field: String,
        /// The value written.
        value: Value,
    },
    /// `account.F` read from the host (`none` when the Account has none).
    ReadAccount {
        /// The field's name.
        field: String,
        /// The value read (`none` when unset).
        value: Value,
    },
    /// The inquiry was tagged.
    Tag {
        /// The tag.
        text: String,
    },
    /// A manual-review case was opened.
    Case {
        /// The queue.
        queue: String,
    },
    /// The run suspended at a screen.
    Suspend {
        /// The screen's step name.
        screen: String,
    },
    /// The screen was answered with these values, in the screen's order.
    Resume {
        /// The screen's step name.
        screen: String,
        /// The fields and captures given, by name.
        input: Vec<(String, Value)>,
    },
    /// The run waits at a screen with no input left.
    Waiting {
        /// The screen's step name.
        screen: String,
        /// The screen's `title`, if any.
        title: Option<String>,
        /// The fields it collects: types, choice values and labels.
        fields: Vec<crate::vm::ScreenField>,
        /// The capture kinds it takes.
        captures: Vec<String>,
    },
    /// The run ended.
    End {
        /// With this status.
        status: EndStatus,
    },
    /// The run stopped with a runtime error.
    Error {
        /// The runtime code.
        code: Code,
        /// What happened.
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

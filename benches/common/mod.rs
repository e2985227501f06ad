//! Shared by the bench targets: the adapters to flowc's API (`api`, the
//! only file that calls flowc), the flow model and its generators, the
//! 20-step reference flow in its three forms, the Rhai contender and the
//! interleaved timer behind `benches/ratios.rs`.
#![allow(dead_code)]

pub mod api;
pub mod flows;
pub mod model;
pub mod reference;
pub mod rhai_flow;
pub mod timing;

use api::{Input, Value};

/// The answer to the compute flows' `input` screen.
pub fn compute_input() -> Input {
    let (a, b, c, s, t, flag) = flows::COMPUTE_INPUT;
    vec![
        ("a".into(), Value::Int(a)),
        ("b".into(), Value::Int(b)),
        ("c".into(), Value::Int(c)),
        ("s".into(), Value::Str(s.into())),
        ("t".into(), Value::Str(t.into())),
        ("flag".into(), Value::Bool(flag)),
    ]
}

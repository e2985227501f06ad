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

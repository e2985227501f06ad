#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The benches' inputs stay valid as the compiler changes: the generated
//! flows compile with no diagnostic at all and have exactly the steps asked
//! for, their JSON form reads back to the same flow, and the contenders of
//! the VM benches (hand-written Rust, Rhai) do what the VM does.

#[allow(dead_code)]
#[path = "../benches/common/api.rs"]
mod api;
#[allow(dead_code)]
#[path = "../benches/common/flows.rs"]
mod flows;
#[allow(dead_code)]
#[path = "../benches/common/model.rs"]
mod model;
#[allow(dead_code)]
#[path = "../benches/common/reference.rs"]
mod reference;
#[allow(dead_code)]
#[path = "../benches/common/rhai_flow.rs"]
mod rhai_flow;

use api::BenchHost;

#[test]
fn generated_flows_are_clean_and_exact() {
    let cat = api::catalog();
    for n in [4usize, 5, 37, 100, 1_000] {
        let model = flows::realistic(n, flows::SEED);
        assert_eq!(model.steps.len(), n);
        let src = model.to_source();
        let m = api::compile_clean(&src, &cat);
        assert_eq!(m.module().steps.len(), n);
        let json = serde_json::to_string(&model).unwrap();
        assert_eq!(serde_json::from_str::<model::Flow>(&json).unwrap(), model);
    }
    // Seeded: the same flow every time, another seed another flow.
    assert_eq!(
        flows::realistic(200, flows::SEED),
        flows::realistic(200, flows::SEED)
    );
    assert_ne!(
        flows::realistic(200, flows::SEED),
        flows::realistic(200, flows::SEED + 1)
    );
}

#[test]
fn generated_flows_use_every_kind_of_step() {
    let model = flows::realistic(100, flows::SEED);
    let src = model.to_source();
    for needle in [
        "screen ",
        "action ",
        "branch ",
        "connector ",
        "capture ",
        "verify ",
        "report ",
        "http post",
        "retry ",
        "timeout ",
        "on error",
        "attempts(",
        " != none",
        ".status == passed and",
        " in [",
        "not ",
        " or ",
        "case ",
    ] {
        assert!(src.contains(needle), "no `{needle}` in the generated flow");
    }
}

#[test]
fn reference_contenders_agree() {
    let cat = api::catalog();
    let m = api::compile_clean(reference::SOURCE, &cat);
    assert_eq!(m.module().steps.len(), 20);
    let inputs = reference::inputs();
    let mut vm = BenchHost::default();
    let (end, fuel) = api::run_to_end(&m, &mut vm, |s| reference::input_for(&inputs, s));
    assert_eq!(end, reference::END);
    assert!(fuel > 100);
    let mut native = BenchHost::default();
    let n = reference::Native::new(&m);
    assert_eq!(reference::run_native(&n, &mut native, &inputs), end);
    assert_eq!(native.counts, vm.counts);
    let rhai = rhai_flow::RhaiFlow::reference(&m, reference::inputs());
    assert_eq!(rhai.run(), end);
    assert_eq!(rhai.host().counts, vm.counts);
    assert_eq!(vm.counts.calls, 8);
    assert_eq!(vm.counts.enters, 18);
}

#[test]
fn compute_flow_and_its_rhai_script_agree() {
    let cat = api::catalog();
    let c = flows::compute(300, flows::SEED);
    let m = api::compile_clean(&c.flow.to_source(), &cat);
    let input = flows::compute_input();
    let mut state = api::start(&m);
    let mut h = BenchHost::default();
    assert_eq!(
        api::run(&m, &mut state, &mut h),
        api::Stop::Screen("input".into())
    );
    api::resume(&m, &mut state, &input);
    assert!(matches!(
        api::run(&m, &mut state, &mut h),
        api::Stop::End(_)
    ));
    let vm: Vec<_> = ["acc", "n", "b", "flag"]
        .iter()
        .map(|f| api::inquiry_value(&m, &state, f).unwrap())
        .collect();
    let rhai = rhai_flow::RhaiCompute::new(&c.rhai).run(flows::COMPUTE_INPUT);
    assert_eq!(vm, rhai.to_vec());
}

#[test]
fn string_load_flow_runs() {
    let cat = api::catalog();
    let m = api::compile_clean(&flows::string_loads(30).to_source(), &cat);
    let input = vec![
        ("s".to_string(), api::Value::Str("alpha".into())),
        ("t".to_string(), api::Value::Str("beta".into())),
    ];
    let (end, fuel) = api::run_to_end(&m, &mut BenchHost::default(), |_| &input);
    assert_eq!(end, api::EndStatus::Completed);
    // 30 statements of 4 instructions, plus the steps' own.
    assert!(fuel >= 120);
}

#[test]
fn saved_states_round_trip_and_the_envelope_is_measured() {
    let cat = api::catalog();
    let m = api::compile_clean(reference::SOURCE, &cat);
    let (s, stop) = api::run_to_first_screen(&m, &mut BenchHost::default());
    assert_eq!(stop, api::Stop::Screen("contact".into()));
    let bytes = api::save(&m, &s);
    assert_eq!(api::load(&m, &bytes), s);
    let (overhead, bare) = api::envelope_overhead(&m, &s);
    assert_eq!(overhead + bare, bytes.len());
    assert!(bare > 0 && overhead > 0);
}

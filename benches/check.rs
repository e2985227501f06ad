#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Checks generated flows of 1,000, 5,000 and 10,000 steps, to show that
//! the checker (names, data flow, typing, graph rules) is linear in size.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use flowc::unstable::catalog::Catalog;
use std::fmt::Write;

/// A chain of screen -> action -> branch triples; each branch loops back
/// to its screen or moves on, and each action verifies and writes fields.
fn generate(steps: usize) -> String {
    let mut s = String::from(
        "flow big {\n  plan growth\n  inquiry { phone: string, copy: string? }\n  account { phone: string? }\n",
    );
    let groups = steps / 3;
    for i in 0..groups {
        let next = if i + 1 == groups {
            "end approved".to_string()
        } else {
            format!("s{}", i + 1)
        };
        write!(
            s,
            "  screen s{i} {{ collect phone -> a{i} }}\n  action a{i} {{\n    let r{i} = verify phone_number {{ phone_number: inquiry.phone }}\n    if r{i}.status == passed {{ set account.phone = r{i}.phone_number }}\n    -> b{i}\n  }}\n  branch b{i} {{\n    when r{i}.status == passed and r{i}.phone_number != none -> {next}\n    when attempts(s{i}) < 3 -> s{i}\n    else -> end declined\n  }}\n"
        )
        .unwrap();
    }
    s.push_str("}\n");
    s
}

fn bench(c: &mut Criterion) {
    let cat = Catalog::builtin();
    let mut group = c.benchmark_group("check");
    group.sample_size(10);
    for n in [1_000usize, 5_000, 10_000] {
        let src = generate(n);
        let file = flowc::unstable::parser::parse(&src).file.expect("parses");
        let checked = flowc::unstable::check::check(&file, &cat);
        assert!(checked.flow.is_some(), "{:?}", checked.diagnostics.first());
        group.bench_with_input(BenchmarkId::from_parameter(n), &file, |b, file| {
            b.iter(|| flowc::unstable::check::check(file, &cat))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

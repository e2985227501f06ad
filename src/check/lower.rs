//! Assembles the [`TypedFlow`] from the checked parts.

use super::Body;
use crate::typed::{Test, TypedFlow};

pub(super) fn flow(name: String, version: i64, body: Body, tests: Vec<Test>) -> TypedFlow {
    TypedFlow {
        name,
        version,
        plan: body.plan,
        choices: body.choices,
        inquiry: body.inquiry,
        account: body.account,
        steps: body.steps,
        start: body.start,
        results: body.results,
        tests,
    }
}

//! Screens: what a suspended run asks for ([`ScreenRequest`]), and
//! [`Vm::resume`], which checks the answer and moves past the screen.
//!
//! Resuming runs once per screen of every run, so it allocates nothing for
//! a screen of a few fields: names are matched by a scan of the screen's
//! fields (a hash map only past [`FEW`] of them, so that a screen of many
//! fields is still answered in linear time), the fields given are
//! remembered in a bit set, and the answer is checked whole before it is
//! written, so that a refused one leaves the state as it was.

use super::{RANGE, State, Vm, broken};
use crate::bytecode::{FieldInfo, Instr, Module, RuntimeError, StepInfo, VerifiedModule};
use crate::diagnostics::Code;
use crate::types::{BaseType, Type};
use crate::value::{EndStatus, Value};
use crate::vm::RunStatus;
use crate::vm::limits;
use serde::Serialize;
use std::collections::HashMap;

/// What a screen needs from the user: enough for a host to draw it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScreenRequest {
    /// The screen's step name.
    pub screen: String,
    /// The screen's `title`, if it has one.
    pub title: Option<String>,
    /// The inquiry fields to fill in, in the order the screen collects them.
    pub fields: Vec<ScreenField>,
    /// The capture kinds to take (each answered `true`).
    pub captures: Vec<String>,
}

/// One field a screen collects.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScreenField {
    /// The inquiry field's name (the key of the answer).
    pub name: String,
    /// Its declared type.
    pub ty: Type,
    /// For a choice type, the values the answer must be one of, in the
    /// order they were declared; empty otherwise.
    pub choices: Vec<String>,
    /// The label declared with the field, if any.
    pub label: Option<String>,
}

impl ScreenField {
    /// The type as a user writes it, a choice's values included
    /// (`string?`, `"passport" | "id_card"`).
    pub fn type_text(&self) -> String {
        if self.choices.is_empty() {
            return self.ty.to_string();
        }
        crate::types::show_choice(&self.choices, self.ty.optional)
    }
}

/// A screen a run is suspended at, borrowed from its module: what a
/// [`ScreenRequest`] holds, read in place. [`Vm::advance`] returns one
/// instead of copying it into a request at every suspension.
#[derive(Debug, Clone, Copy)]
pub struct Screen<'m> {
    module: &'m Module,
    step: &'m StepInfo,
}

impl<'m> Screen<'m> {
    /// The screen's step name.
    pub fn name(&self) -> &'m str {
        &self.step.name
    }

    /// The screen's `title`, if it has one.
    pub fn title(&self) -> Option<&'m str> {
        self.step.title.as_deref()
    }

    /// The inquiry fields to fill in, in the order the screen collects them.
    pub fn fields(&self) -> impl Iterator<Item = &'m FieldInfo> + use<'m> {
        let module = self.module;
        (self.step.collects.iter()).filter_map(move |f| module.inquiry.get(*f as usize))
    }

    /// For a field of a choice type, the values an answer must be one of,
    /// in declaration order; empty otherwise.
    pub fn choices(&self, field: &FieldInfo) -> &'m [String] {
        field
            .ty
            .choice
            .map_or(&[], |c| self.module.choices.values(c))
    }

    /// The capture kinds to take (each answered `true`).
    pub fn captures(&self) -> &'m [String] {
        &self.step.captures
    }

    /// The owned description of this screen.
    pub fn to_request(&self) -> ScreenRequest {
        ScreenRequest {
            screen: self.step.name.clone(),
            title: self.step.title.clone(),
            fields: (self.step.collects.iter())
                .filter_map(|f| self.module.inquiry.get(*f as usize))
                .map(|f| ScreenField {
                    name: f.name.clone(),
                    ty: f.ty,
                    choices: self.choices(f).to_vec(),
                    label: f.label.clone(),
                })
                .collect(),
            captures: self.step.captures.clone(),
        }
    }
}

/// Where [`Vm::advance`] stopped without an error: [`Outcome`](super::Outcome)
/// with the screen borrowed.
#[derive(Debug, Clone, Copy)]
pub enum Stopped<'m> {
    /// Waiting at a screen for [`Vm::resume`].
    Suspended(Screen<'m>),
    /// The run ended with this status.
    Ended(EndStatus),
}

impl Stopped<'_> {
    /// The owned outcome [`Vm::run`] returns.
    pub fn to_outcome(&self) -> super::Outcome {
        match self {
            Stopped::Suspended(s) => super::Outcome::Suspended(s.to_request()),
            Stopped::Ended(e) => super::Outcome::Ended(*e),
        }
    }
}

impl Vm {
    /// What the screen a state is suspended at needs, if it is suspended.
    pub fn screen_request(verified: &VerifiedModule, state: &State) -> Option<ScreenRequest> {
        Vm::screen(verified, state).map(|s| s.to_request())
    }

    /// The screen a state is suspended at, if it is, borrowed from the
    /// module ([`Vm::screen_request`] without the copy).
    pub fn screen<'m>(verified: &'m VerifiedModule, state: &State) -> Option<Screen<'m>> {
        let module = verified.module();
        if state.status != RunStatus::Suspended {
            return None;
        }
        let Some(Instr::Suspend(s)) = module.code.get(state.pc as usize) else {
            return None;
        };
        let step = module.step(*s)?;
        Some(Screen { module, step })
    }

    /// Answers the screen a state is suspended at and moves past it. The
    /// input must give every collected field (with its type; `none` only for
    /// an optional field) and every capture (`true`), and nothing else;
    /// otherwise R0002 (R0008 for a string over 65,536 bytes) and the state
    /// is left exactly as it was.
    pub fn resume(
        verified: &VerifiedModule,
        state: &mut State,
        input: &[(String, Value)],
    ) -> Result<(), RuntimeError> {
        let module = verified.module();
        let step = suspended_step(module, state)?;
        let names = Names::of(module, &step.collects);
        check_input(module, step, &names, input)?;
        // Checked whole: now written.
        for (k, v) in input {
            if let Some(i) = names.position(k) {
                let slot = (step.collects.get(i))
                    .and_then(|f| state.inquiry.get_mut(*f as usize))
                    .ok_or_else(|| broken(state.pc, "state_tables_match_module"))?;
                *slot = v.clone();
            }
        }
        state.status = RunStatus::Running;
        state.pc = state.pc.wrapping_add(1);
        Ok(())
    }

    /// [`Vm::resume`] with the input as JSON text (`{"name_first": "Ada",
    /// "birthdate": "1815-12-10", "selfie": true}`), read strictly: text
    /// that is not JSON or gives a key twice is R0002 like any bad input.
    pub fn resume_json(
        module: &VerifiedModule,
        state: &mut State,
        input: &str,
    ) -> Result<(), RuntimeError> {
        let values = Vm::input_from_json_text(module, state, input)?;
        Vm::resume(module, state, &values)
    }

    /// The typed answer [`Vm::resume_json`] reads from JSON text, for a
    /// caller that wants the values too (to trace them).
    pub fn input_from_json_text(
        module: &VerifiedModule,
        state: &State,
        input: &str,
    ) -> Result<Vec<(String, Value)>, RuntimeError> {
        let input = crate::json::parse(input).map_err(|e| {
            let message = match e {
                crate::json::JsonError::Syntax(e) => format!("the input is not JSON: {e}"),
                crate::json::JsonError::Refused(e) => format!("the input is refused: {e}"),
            };
            RuntimeError::new(Code::R0002, message)
        })?;
        Vm::input_from_json(module, state, &input)
    }

    /// Types a JSON input object by the screen the state is suspended at.
    /// A `serde_json::Value` has already lost any repeated key; read text
    /// with [`Vm::resume_json`] (or [`crate::json::parse`]) to refuse them.
    pub fn input_from_json(
        module: &VerifiedModule,
        state: &State,
        input: &serde_json::Value,
    ) -> Result<Vec<(String, Value)>, RuntimeError> {
        let bad = |m: String| RuntimeError::new(Code::R0002, m);
        let req = Vm::screen_request(module, state)
            .ok_or_else(|| bad("the run is not suspended at a screen".into()))?;
        let obj = input.as_object().ok_or_else(|| {
            bad(format!(
                "input for screen `{}` must be a JSON object",
                req.screen
            ))
        })?;
        let mut out = Vec::with_capacity(obj.len());
        let types: HashMap<&str, Type> =
            req.fields.iter().map(|f| (f.name.as_str(), f.ty)).collect();
        for (k, v) in obj {
            let ty = match types.get(k.as_str()) {
                Some(t) => t.base,
                None if req.captures.contains(k) => BaseType::Bool,
                None => return Err(bad(format!("screen `{}` takes no `{k}`", req.screen))),
            };
            let value = Value::from_json(v, ty)
                .map_err(|e| bad(format!("`{k}` on screen `{}`: expected {e}", req.screen)))?;
            out.push((k.clone(), value));
        }
        Ok(out)
    }
}

/// The screen step a state is suspended at; R0002 when it is not.
fn suspended_step<'m>(module: &'m Module, state: &State) -> Result<&'m StepInfo, RuntimeError> {
    let not = || RuntimeError::new(Code::R0002, "the run is not suspended at a screen");
    if state.status != RunStatus::Suspended {
        return Err(not());
    }
    let Some(Instr::Suspend(s)) = module.code.get(state.pc as usize) else {
        return Err(not());
    };
    module.step(*s).ok_or_else(not)
}

/// Past this many fields a screen's names are looked up in a hash map.
const FEW: usize = 16;

/// A screen's collected fields by name: the position of a name in the
/// step's `collects`.
enum Names<'m> {
    Few(&'m Module, &'m [u32]),
    Many(HashMap<&'m str, usize>),
}

impl<'m> Names<'m> {
    fn of(module: &'m Module, collects: &'m [u32]) -> Names<'m> {
        if collects.len() <= FEW {
            return Names::Few(module, collects);
        }
        let mut map = HashMap::with_capacity(collects.len());
        for (i, f) in collects.iter().enumerate() {
            if let Some(fi) = module.inquiry.get(*f as usize) {
                map.insert(fi.name.as_str(), i);
            }
        }
        Names::Many(map)
    }

    fn position(&self, name: &str) -> Option<usize> {
        match self {
            Names::Few(module, collects) => collects.iter().position(|f| {
                module
                    .inquiry
                    .get(*f as usize)
                    .is_some_and(|fi| fi.name == name)
            }),
            Names::Many(map) => map.get(name).copied(),
        }
    }
}

/// The positions given so far, of `n`: a bit set, in a vector past 64.
struct Given {
    bits: u64,
    more: Vec<bool>,
}

impl Given {
    fn new(n: usize) -> Given {
        Given {
            bits: 0,
            more: if n > 64 { vec![false; n] } else { Vec::new() },
        }
    }

    /// Marks `i` given; false when it already was.
    fn insert(&mut self, i: usize) -> bool {
        if let Some(b) = self.more.get_mut(i) {
            return !std::mem::replace(b, true);
        }
        let bit = 1u64.checked_shl(i as u32).unwrap_or(0);
        let new = self.bits & bit == 0;
        self.bits |= bit;
        new
    }

    fn contains(&self, i: usize) -> bool {
        match self.more.get(i) {
            Some(b) => *b,
            None => self.bits & 1u64.checked_shl(i as u32).unwrap_or(0) != 0,
        }
    }
}

/// Checks an answer to the screen `step` (R0002, R0008 for a string over
/// the limit), in input order, then that nothing is missing.
fn check_input(
    module: &Module,
    step: &StepInfo,
    names: &Names<'_>,
    input: &[(String, Value)],
) -> Result<(), RuntimeError> {
    let bad = |m: String| RuntimeError::new(Code::R0002, m);
    let screen = &step.name;
    let mut given = Given::new(step.collects.len());
    let mut captured = Given::new(step.captures.len());
    for (k, v) in input {
        if let Some(len) = limits::oversized([v]) {
            let what = format!("given for `{k}` on screen `{screen}`");
            return Err(limits::string_error(None, len, &what));
        }
        if let Some(i) = names.position(k) {
            let field = (step.collects.get(i))
                .and_then(|f| module.inquiry.get(*f as usize))
                .ok_or_else(|| bad(format!("unknown field `{k}`")))?;
            if !given.insert(i) {
                return Err(bad(format!("`{k}` given twice for screen `{screen}`")));
            }
            match v.base_type() {
                None if !field.ty.optional => {
                    return Err(bad(format!(
                        "`{k}` on screen `{screen}` is `{}` and may not be null",
                        field.ty
                    )));
                }
                Some(t) if t != field.ty.base => {
                    return Err(bad(format!(
                        "`{k}` on screen `{screen}` expects {}, got {v}",
                        field.ty
                    )));
                }
                Some(_) if !v.in_range() => {
                    return Err(bad(format!(
                        "`{k}` on screen `{screen}` is a date outside {RANGE}"
                    )));
                }
                Some(_) if !module.choices.admits(field.ty, v) => {
                    return Err(bad(format!(
                        "`{k}` on screen `{screen}` must be one of {}, got {v}",
                        module.choices.show(field.ty.with_optional(false))
                    )));
                }
                _ => {}
            }
        } else if let Some(c) = step.captures.iter().position(|c| c == k) {
            if !captured.insert(c) {
                return Err(bad(format!("`{k}` given twice for screen `{screen}`")));
            }
            if *v != Value::Bool(true) {
                return Err(bad(format!(
                    "capture `{k}` on screen `{screen}` must be `true`, got {v}"
                )));
            }
        } else {
            return Err(bad(format!("screen `{screen}` takes no `{k}`")));
        }
    }
    for (i, f) in step.collects.iter().enumerate() {
        if !given.contains(i) {
            let name = module
                .inquiry
                .get(*f as usize)
                .map_or("?", |f| f.name.as_str());
            return Err(bad(format!("screen `{screen}` is missing `{name}`")));
        }
    }
    let missing = (step.captures.iter().enumerate()).find(|(i, _)| !captured.contains(*i));
    if let Some((_, c)) = missing {
        return Err(bad(format!("screen `{screen}` is missing capture `{c}`")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )]
    use super::*;
    use crate::host::{Script, ScriptedHost};

    /// A flow whose first screen collects `n` fields `f0..` and captures
    /// `selfie`, suspended there.
    fn at_screen(n: usize) -> (VerifiedModule, State) {
        let decl: Vec<String> = (0..n).map(|i| format!("f{i}: int?")).collect();
        let names: Vec<String> = (0..n).map(|i| format!("f{i}")).collect();
        let source = format!(
            "flow wide {{\n  plan growth\n  inquiry {{ {} }}\n  screen ask {{ collect {} capture selfie -> done }}\n  branch done {{\n    when inquiry.f0 == 1 -> end approved\n    else -> end declined\n  }}\n}}\n",
            decl.join(", "),
            names.join(", ")
        );
        let c = crate::compile_source(&source, &crate::catalog::Catalog::builtin());
        let m = c.module.unwrap_or_else(|| panic!("{:#?}", c.diagnostics));
        let mut state = Vm::start(&m);
        let mut host = ScriptedHost::new(Script::default());
        let out = Vm::run(&m, &mut state, &mut host, 1_000).unwrap();
        assert!(matches!(out, super::super::Outcome::Suspended(_)));
        (m, state)
    }

    fn answer(n: usize) -> Vec<(String, Value)> {
        let mut a: Vec<(String, Value)> = (0..n)
            .rev()
            .map(|i| (format!("f{i}"), Value::Int(i as i64)))
            .collect();
        a.push(("selfie".into(), Value::Bool(true)));
        a
    }

    fn refused(m: &VerifiedModule, state: &State, input: &[(String, Value)], says: &str) {
        let mut s = state.clone();
        let e = Vm::resume(m, &mut s, input).unwrap_err();
        assert_eq!(e.code, Code::R0002);
        assert!(e.message.contains(says), "{e}");
        assert_eq!(&s, state, "a refused answer changes nothing");
    }

    #[test]
    fn small_wide_and_very_wide_screens_check_alike() {
        // A scan, a hash map with a bit set, a hash map with a vector.
        for n in [3, 40, 70] {
            let (m, state) = at_screen(n);
            let mut s = state.clone();
            Vm::resume(&m, &mut s, &answer(n)).unwrap();
            assert_eq!(s.status(), RunStatus::Running);
            assert_eq!(s.inquiry().get(n - 1), Some(&Value::Int(n as i64 - 1)));
            assert_eq!(s.inquiry().get(0), Some(&Value::Int(0)));

            let mut twice = answer(n);
            twice.push((format!("f{}", n - 1), Value::Int(1)));
            refused(&m, &state, &twice, "given twice");
            let mut twice = answer(n);
            twice.push(("selfie".into(), Value::Bool(true)));
            refused(&m, &state, &twice, "given twice");
            let mut missing = answer(n);
            missing.remove(0);
            refused(&m, &state, &missing, &format!("missing `f{}`", n - 1));
            let mut no_selfie = answer(n);
            no_selfie.pop();
            refused(&m, &state, &no_selfie, "missing capture `selfie`");
            let mut unknown = answer(n);
            unknown.insert(1, ("nope".into(), Value::Int(1)));
            refused(&m, &state, &unknown, "takes no `nope`");
            let mut typed = answer(n);
            typed.insert(0, ("f1".into(), Value::Str("x".into())));
            refused(&m, &state, &typed, "expects int?");
        }
    }

    #[test]
    fn the_borrowed_screen_reads_what_the_request_copies() {
        let source = r#"
flow kinds {
  plan essential
  inquiry {
    doc_kind: "passport" | "id_card" "Document type"
    note: string?
  }
  screen ask {
    title "Which document?"
    collect doc_kind, note
    capture government_id
    -> done
  }
  branch done {
    when inquiry.doc_kind == "passport" -> end approved
    else -> end declined
  }
}
"#;
        let c = crate::compile_source(source, &crate::catalog::Catalog::builtin());
        let m = c.module.unwrap_or_else(|| panic!("{:#?}", c.diagnostics));
        let mut state = Vm::start(&m);
        let mut host = ScriptedHost::new(Script::default());
        assert!(Vm::screen(&m, &state).is_none(), "not suspended yet");
        let super::Stopped::Suspended(screen) =
            Vm::advance(&m, &mut state, &mut host, 100).unwrap()
        else {
            panic!("not at the screen")
        };
        assert_eq!(screen.name(), "ask");
        assert_eq!(screen.title(), Some("Which document?"));
        assert_eq!(screen.captures(), ["government_id"]);
        let fields: Vec<&FieldInfo> = screen.fields().collect();
        assert_eq!(fields.len(), 2);
        assert_eq!(screen.choices(fields[0]), ["passport", "id_card"]);
        assert!(screen.choices(fields[1]).is_empty());
        let req = screen.to_request();
        assert_eq!(Some(&req), Vm::screen_request(&m, &state).as_ref());
        assert_eq!(req.fields[0].label.as_deref(), Some("Document type"));
        let again = Vm::run(&m, &mut state, &mut host, 100).unwrap();
        assert_eq!(again, super::super::Outcome::Suspended(req));
    }
}

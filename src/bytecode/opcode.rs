//! The instruction set, each opcode described once.
//!
//! [`Instr`] is what a module stores. [`Instr::shape`] is the one place
//! that says what each opcode is: its mnemonic, its operands (each tagged
//! with the table it indexes, as a pc, or as a plain number), its stack
//! effect, where control goes next and what it does. The verifier checks
//! operands and computes stack depths from it, the disassembler prints from
//! it, and the opcode table in `docs/bytecode.md` is generated from it by
//! [`markdown_table`] (a test fails when the doc differs).
//!
//! Adding an opcode is: a variant of [`Instr`], its arm in [`Instr::shape`]
//! and in [`Opcode::sample`], and its arm in the VM's dispatch loop; the
//! compiler points at each, since no match over instructions has a
//! wildcard arm. The operand kinds ([`Operand`]) are few; a new kind needs
//! its check in the verifier and its comment in the disassembler, again
//! pointed at by the compiler.

use crate::value::EndStatus;
use serde::{Deserialize, Serialize};
use strum::IntoEnumIterator;

/// One instruction: an opcode with its operands. What each one means is
/// in [`Instr::shape`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, strum::EnumDiscriminants)]
#[strum_discriminants(name(Opcode), derive(strum::EnumIter))]
#[serde(rename_all = "snake_case")]
pub enum Instr {
    Const(u32),
    LoadInquiry(u32),
    LoadAccount(u32),
    LoadResult(u32, u16),
    Attempts(u32),
    Today,
    Age,
    Lower,
    Upper,
    Trim,
    Len,
    Contains,
    StartsWith,
    EndsWith,
    Matches(u32),
    Not,
    Neg,
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In(u32),
    Jump(u32),
    JumpIfFalse(u32),
    JumpIfFalseOrPop(u32),
    JumpIfTrueOrPop(u32),
    Enter(u32),
    Suspend(u32),
    End(EndStatus),
    Call {
        result: u32,
        argc: u32,
        retry: u8,
        timeout_secs: Option<u32>,
        on_error: Option<u32>,
    },
    SetInquiry(u32),
    SetAccount(u32),
    Tag,
    Case,
    LoadAccountPresent(u32),
}

/// The most operands an instruction has.
pub const MAX_OPERANDS: usize = 4;

/// One operand with its value: what it refers to decides how the verifier
/// checks it and how the disassembler shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operand {
    /// An index into `consts`.
    Const(u32),
    /// An index into `consts` that holds a string.
    Text(u32),
    /// An index into `inquiry`.
    Inquiry(u32),
    /// An index into `account`.
    Account(u32),
    /// An index into `results` and one into that result's `fields`.
    ResultField(u32, u16),
    /// An index into `results` and the number of values the call pops,
    /// which must be that result's argument count.
    Call { result: u32, argc: u32 },
    /// An index into `steps`.
    Step(u32),
    /// An index into `steps` naming a screen.
    Screen(u32),
    /// A pc: an index into `code`.
    Target(u32),
    /// An optional pc, taken when a host call fails.
    OnError(Option<u32>),
    /// A number of list items.
    Count(u32),
    /// Retries after a host error.
    Retry(u8),
    /// An optional timeout in seconds.
    Timeout(Option<u32>),
    /// An end status.
    Status(EndStatus),
}

/// How many values an instruction pops: `plus`, and the value of the
/// operand `operand` names when there is one (`in n` pops `n+1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pops {
    pub operand: Option<(&'static str, u32)>,
    pub plus: u32,
}

impl Pops {
    const fn fixed(n: u32) -> Pops {
        Pops {
            operand: None,
            plus: n,
        }
    }

    /// The number of values popped.
    pub fn total(self) -> u32 {
        self.operand.map_or(0, |(_, n)| n).saturating_add(self.plus)
    }

    /// `2`, `n+1`, `argc`: as the doc table writes it.
    fn text(self) -> String {
        match self.operand {
            None => self.plus.to_string(),
            Some((name, _)) if self.plus == 0 => name.to_string(),
            Some((name, _)) => format!("{name}+{}", self.plus),
        }
    }
}

/// Where control goes after an instruction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// On to the next instruction (after a `suspend`, once resumed).
    Next,
    /// To the pc, never on.
    Jump(u32),
    /// To the pc or on; both edges see the stack after the effect.
    Branch(u32),
    /// To the pc with the stack as it was (nothing popped), or on after
    /// the effect: the short-circuit of `and` and `or`.
    BranchKeeping(u32),
    /// Nowhere: the run ends.
    Stop,
}

/// Everything about one instruction: the opcode's description together
/// with this instruction's operand values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    /// The mnemonic.
    pub name: &'static str,
    operands: [Option<Operand>; MAX_OPERANDS],
    pub pops: Pops,
    pub pushes: u32,
    pub flow: Flow,
    /// The stack must be empty before it (`enter`, `suspend`, `end`).
    pub empty_stack: bool,
    /// What it does, for the doc table.
    pub summary: &'static str,
}

impl Shape {
    /// The operands, in the order the disassembler prints them.
    pub fn operands(&self) -> impl Iterator<Item = Operand> + '_ {
        self.operands.iter().flatten().copied()
    }
}

/// A shape with the common defaults: pops and pushes nothing, goes on.
const fn shape(name: &'static str, summary: &'static str) -> Shape {
    Shape {
        name,
        operands: [None; MAX_OPERANDS],
        pops: Pops::fixed(0),
        pushes: 0,
        flow: Flow::Next,
        empty_stack: false,
        summary,
    }
}

impl Shape {
    const fn with(mut self, operands: [Option<Operand>; MAX_OPERANDS]) -> Shape {
        self.operands = operands;
        self
    }
    const fn one(self, op: Operand) -> Shape {
        self.with([Some(op), None, None, None])
    }
    const fn effect(mut self, pops: u32, pushes: u32) -> Shape {
        self.pops = Pops::fixed(pops);
        self.pushes = pushes;
        self
    }
    const fn flow(mut self, flow: Flow) -> Shape {
        self.flow = flow;
        self
    }
    const fn empty_stack(mut self) -> Shape {
        self.empty_stack = true;
        self
    }
}

impl Instr {
    /// The binary operator ([`crate::unstable::ops`]) this instruction
    /// computes, if it is one of the operator instructions.
    pub fn binary_op(self) -> Option<crate::ast::BinaryOp> {
        use crate::ast::BinaryOp;
        Some(match self {
            Instr::Add => BinaryOp::Add,
            Instr::Sub => BinaryOp::Sub,
            Instr::Mul => BinaryOp::Mul,
            Instr::Div => BinaryOp::Div,
            Instr::Rem => BinaryOp::Rem,
            Instr::Eq => BinaryOp::Eq,
            Instr::Ne => BinaryOp::Ne,
            Instr::Lt => BinaryOp::Lt,
            Instr::Le => BinaryOp::Le,
            Instr::Gt => BinaryOp::Gt,
            Instr::Ge => BinaryOp::Ge,
            _ => return None,
        })
    }

    /// The one description of this instruction's opcode, with its operands.
    pub fn shape(self) -> Shape {
        use Operand as O;
        match self {
            Instr::Const(c) => shape("const", "push `consts[c]`")
                .one(O::Const(c))
                .effect(0, 1),
            Instr::LoadInquiry(f) => shape(
                "load_inquiry",
                "push inquiry field `f` (`none` until written)",
            )
            .one(O::Inquiry(f))
            .effect(0, 1),
            Instr::LoadAccount(f) => shape(
                "load_account",
                "read account field `f` from the host (`none` when unset)",
            )
            .one(O::Account(f))
            .effect(0, 1),
            Instr::LoadResult(r, f) => shape(
                "load_result",
                "push field `f` of result `r` (`none` until the call succeeds)",
            )
            .one(O::ResultField(r, f))
            .effect(0, 1),
            Instr::Attempts(s) => shape("attempts", "push how many times step `s` was entered")
                .one(O::Step(s))
                .effect(0, 1),
            Instr::Today => shape("today", "push the host's date").effect(0, 1),
            Instr::Age => shape("age", "whole years from a date to the host's date").effect(1, 1),
            Instr::Lower => shape("lower", "a string in lower case").effect(1, 1),
            Instr::Upper => shape("upper", "a string in upper case").effect(1, 1),
            Instr::Trim => shape("trim", "a string without surrounding white space").effect(1, 1),
            Instr::Len => shape("len", "a string's length in Unicode scalar values").effect(1, 1),
            Instr::Contains => shape(
                "contains",
                "whether the first string contains the second (case-sensitive)",
            )
            .effect(2, 1),
            Instr::StartsWith => shape(
                "starts_with",
                "whether the first string starts with the second (case-sensitive)",
            )
            .effect(2, 1),
            Instr::EndsWith => shape(
                "ends_with",
                "whether the first string ends with the second (case-sensitive)",
            )
            .effect(2, 1),
            Instr::Matches(c) => shape(
                "matches",
                "whether the whole string matches the regular expression `consts[c]` (compiled when the module is loaded)",
            )
            .one(O::Text(c))
            .effect(1, 1),
            Instr::Not => shape("not", "boolean negation").effect(1, 1),
            Instr::Neg => shape("neg", "checked `int` negation (R0006)").effect(1, 1),
            Instr::Add => shape(
                "add",
                "checked `int` addition (R0006), two strings joined (R0008 past 65,536 bytes), or a date moved by an int of days (R0006)",
            )
            .effect(2, 1),
            Instr::Sub => shape(
                "sub",
                "checked `int` subtraction (R0006), a date moved back by an int of days (R0006), or the days between two dates",
            )
            .effect(2, 1),
            Instr::Mul => shape("mul", "checked `int` multiplication (R0006)").effect(2, 1),
            Instr::Div => shape(
                "div",
                "`int` division truncated toward zero (R0007 by zero, R0006 on overflow)",
            )
            .effect(2, 1),
            Instr::Rem => shape(
                "rem",
                "`int` remainder with the dividend's sign (R0007 by zero)",
            )
            .effect(2, 1),
            Instr::Eq => shape(
                "eq",
                "equality of any two values (`none` equals only `none`)",
            )
            .effect(2, 1),
            Instr::Ne => shape("ne", "inequality of any two values").effect(2, 1),
            Instr::Lt => shape("lt", "`<` on two ints or two dates").effect(2, 1),
            Instr::Le => shape("le", "`<=` on two ints or two dates").effect(2, 1),
            Instr::Gt => shape("gt", "`>` on two ints or two dates").effect(2, 1),
            Instr::Ge => shape("ge", "`>=` on two ints or two dates").effect(2, 1),
            Instr::In(n) => {
                let mut s = shape(
                    "in",
                    "is the value below the `n` items equal to one of them",
                )
                .one(O::Count(n));
                s.pops = Pops {
                    operand: Some(("n", n)),
                    plus: 1,
                };
                s.pushes = 1;
                s
            }
            Instr::Jump(pc) => shape("jump", "go to `pc`")
                .one(O::Target(pc))
                .flow(Flow::Jump(pc)),
            Instr::JumpIfFalse(pc) => shape("jump_if_false", "pop a bool; go to `pc` when false")
                .one(O::Target(pc))
                .effect(1, 0)
                .flow(Flow::Branch(pc)),
            Instr::JumpIfFalseOrPop(pc) => shape(
                "jump_if_false_or_pop",
                "`and`: a false operand stays and goes to `pc`; a true one is popped",
            )
            .one(O::Target(pc))
            .effect(1, 0)
            .flow(Flow::BranchKeeping(pc)),
            Instr::JumpIfTrueOrPop(pc) => shape(
                "jump_if_true_or_pop",
                "`or`: a true operand stays and goes to `pc`; a false one is popped",
            )
            .one(O::Target(pc))
            .effect(1, 0)
            .flow(Flow::BranchKeeping(pc)),
            Instr::Enter(s) => shape(
                "enter",
                "first instruction of step `s`: count the visit, tell the host",
            )
            .one(O::Step(s))
            .empty_stack(),
            Instr::Suspend(s) => shape("suspend", "suspend at screen `s` until resumed")
                .one(O::Screen(s))
                .empty_stack(),
            Instr::End(status) => shape("end", "the run ends with `STATUS`")
                .one(O::Status(status))
                .flow(Flow::Stop)
                .empty_stack(),
            Instr::Call {
                result,
                argc,
                retry,
                timeout_secs,
                on_error,
            } => {
                let mut s = shape(
                    "call",
                    "host call binding result `r`, retried `R` times after a host error; \
                     then to `on_error`, or R0003 at this instruction without one",
                )
                .with([
                    Some(O::Call { result, argc }),
                    Some(O::Retry(retry)),
                    Some(O::Timeout(timeout_secs)),
                    Some(O::OnError(on_error)),
                ]);
                s.pops = Pops {
                    operand: Some(("N", argc)),
                    plus: 0,
                };
                s.flow = on_error.map_or(Flow::Next, Flow::Branch);
                s
            }
            Instr::SetInquiry(f) => shape("set_inquiry", "pop a value into inquiry field `f`")
                .one(O::Inquiry(f))
                .effect(1, 0),
            Instr::SetAccount(f) => shape(
                "set_account",
                "write a value to account field `f` through the host, then pop it",
            )
            .one(O::Account(f))
            .effect(1, 0),
            Instr::LoadAccountPresent(f) => shape(
                "load_account_present",
                "read account field `f` from the host where the flow knows it is set; `none` is a host error (R0003)",
            )
            .one(O::Account(f))
            .effect(0, 1),
            Instr::Tag => shape("tag", "pop a string and tag the inquiry with it").effect(1, 0),
            Instr::Case => {
                shape("case", "pop a string and open a case in the queue it names").effect(1, 0)
            }
        }
    }

    /// The mnemonic.
    pub fn mnemonic(self) -> &'static str {
        self.shape().name
    }
}

impl Opcode {
    /// An instruction of this opcode with every operand zero (or absent).
    pub fn sample(self) -> Instr {
        match self {
            Opcode::Const => Instr::Const(0),
            Opcode::LoadInquiry => Instr::LoadInquiry(0),
            Opcode::LoadAccount => Instr::LoadAccount(0),
            Opcode::LoadResult => Instr::LoadResult(0, 0),
            Opcode::Attempts => Instr::Attempts(0),
            Opcode::Today => Instr::Today,
            Opcode::Age => Instr::Age,
            Opcode::Lower => Instr::Lower,
            Opcode::Upper => Instr::Upper,
            Opcode::Trim => Instr::Trim,
            Opcode::Len => Instr::Len,
            Opcode::Contains => Instr::Contains,
            Opcode::StartsWith => Instr::StartsWith,
            Opcode::EndsWith => Instr::EndsWith,
            Opcode::Matches => Instr::Matches(0),
            Opcode::Not => Instr::Not,
            Opcode::Neg => Instr::Neg,
            Opcode::Add => Instr::Add,
            Opcode::Sub => Instr::Sub,
            Opcode::Mul => Instr::Mul,
            Opcode::Div => Instr::Div,
            Opcode::Rem => Instr::Rem,
            Opcode::Eq => Instr::Eq,
            Opcode::Ne => Instr::Ne,
            Opcode::Lt => Instr::Lt,
            Opcode::Le => Instr::Le,
            Opcode::Gt => Instr::Gt,
            Opcode::Ge => Instr::Ge,
            Opcode::In => Instr::In(0),
            Opcode::Jump => Instr::Jump(0),
            Opcode::JumpIfFalse => Instr::JumpIfFalse(0),
            Opcode::JumpIfFalseOrPop => Instr::JumpIfFalseOrPop(0),
            Opcode::JumpIfTrueOrPop => Instr::JumpIfTrueOrPop(0),
            Opcode::Enter => Instr::Enter(0),
            Opcode::Suspend => Instr::Suspend(0),
            Opcode::End => Instr::End(EndStatus::Approved),
            Opcode::Call => Instr::Call {
                result: 0,
                argc: 0,
                retry: 0,
                timeout_secs: None,
                on_error: None,
            },
            Opcode::SetInquiry => Instr::SetInquiry(0),
            Opcode::SetAccount => Instr::SetAccount(0),
            Opcode::Tag => Instr::Tag,
            Opcode::Case => Instr::Case,
            Opcode::LoadAccountPresent => Instr::LoadAccountPresent(0),
        }
    }

    /// Every opcode, in encoding order.
    pub fn all() -> impl Iterator<Item = Opcode> {
        Opcode::iter()
    }
}

impl Operand {
    /// How the operand is written in the doc table's first column.
    fn syntax(self) -> &'static str {
        match self {
            Operand::Const(_) | Operand::Text(_) => "c",
            Operand::Inquiry(_) | Operand::Account(_) => "f",
            Operand::ResultField(..) => "r f",
            Operand::Call { .. } => "r argc=N",
            Operand::Step(_) | Operand::Screen(_) => "s",
            Operand::Target(_) => "pc",
            Operand::OnError(_) => "[on_error=pc]",
            Operand::Count(_) => "n",
            Operand::Retry(_) => "retry=R",
            Operand::Timeout(_) => "[timeout=Ts]",
            Operand::Status(_) => "STATUS",
        }
    }

    /// What the operand refers to, for the doc table.
    fn doc(self) -> &'static str {
        match self {
            Operand::Const(_) => "`c`: index into `consts`",
            Operand::Text(_) => "`c`: index into `consts`, a string",
            Operand::Inquiry(_) => "`f`: index into `inquiry`",
            Operand::Account(_) => "`f`: index into `account`",
            Operand::ResultField(..) => {
                "`r`: index into `results`; `f` (`u16`): index into that result's `fields`"
            }
            Operand::Call { .. } => {
                "`r`: index into `results`; `N`: values popped, that result's argument count"
            }
            Operand::Step(_) => "`s`: index into `steps`",
            Operand::Screen(_) => "`s`: index into `steps`, a screen",
            Operand::Target(_) => "`pc`: index into `code`",
            Operand::OnError(_) => "`pc` (optional): index into `code`",
            Operand::Count(_) => "`n`: number of items",
            Operand::Retry(_) => "`R` (`u8`): retries",
            Operand::Timeout(_) => "`T` (optional): seconds",
            Operand::Status(_) => "`STATUS`: an end status",
        }
    }
}

/// The opcode table of `docs/bytecode.md`, one row per opcode, generated
/// from [`Instr::shape`].
pub fn markdown_table() -> String {
    let mut out = String::from("| instruction | operands | stack | meaning |\n|---|---|---|---|\n");
    for op in Opcode::all() {
        let s = op.sample().shape();
        let mut syntax = s.name.to_string();
        let mut docs = Vec::new();
        for operand in s.operands() {
            syntax.push(' ');
            syntax.push_str(operand.syntax());
            docs.push(operand.doc());
        }
        let mut stack = format!("{} -> {}", s.pops.text(), s.pushes);
        if let Flow::BranchKeeping(_) = s.flow {
            stack.push_str(&format!(" (jumping: {0} -> {0})", s.pops.text()));
        }
        out.push_str(&format!(
            "| `{syntax}` | {} | {stack} | {} |\n",
            docs.join("; "),
            s.summary
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    /// `Opcode::sample` gives each opcode its own variant, in encoding
    /// order (the variant index postcard writes first).
    #[test]
    fn samples_follow_the_encoding_order() {
        for (i, op) in Opcode::all().enumerate() {
            let instr = op.sample();
            assert_eq!(Opcode::from(instr), op);
            let bytes = postcard::to_stdvec(&instr).unwrap();
            assert_eq!(usize::from(bytes[0]), i, "{op:?}");
        }
    }

    #[test]
    fn every_opcode_has_a_distinct_mnemonic() {
        let names: Vec<&str> = Opcode::all().map(|o| o.sample().shape().name).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), names.len());
    }
}

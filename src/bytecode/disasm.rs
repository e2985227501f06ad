//! The stable, human-readable listing of a module.
//!
//! Users snapshot-test this text, so its layout only changes with the
//! module format version: header lines, the constant pool, the field,
//! result and step tables, then each step's code under a label, one
//! instruction per line with its pc, mnemonic, raw operands and a `;`
//! comment resolving them to names.

use super::opcode::Operand;
use super::{Instr, Module};
use crate::span::LineIndex;
use std::fmt::Write;

/// The listing without source line numbers.
pub fn disasm(module: &Module) -> String {
    render(module, None)
}

/// The listing with each instruction's source line (`line N`).
pub fn disasm_with_source(module: &Module, source: &str) -> String {
    render(module, Some(source))
}

fn render(m: &Module, source: Option<&str>) -> String {
    let mut out = String::new();
    let magic = String::from_utf8_lossy(&m.magic).into_owned();
    let _ = writeln!(out, "module {} version {}", m.name, m.version);
    let _ = writeln!(out, "format {magic} {}", m.format_version);
    let _ = writeln!(out, "source sha256 {}", hex::encode(m.source_hash));
    let _ = writeln!(out, "start {}", m.step_name(m.start));
    let _ = writeln!(out, "max_stack {}", m.max_stack);

    let _ = writeln!(out, "\nconstants:");
    for (i, c) in m.consts.iter().enumerate() {
        let _ = writeln!(out, "  {i:>3}  {c}");
    }
    for (title, fields) in [("inquiry", &m.inquiry), ("account", &m.account)] {
        let _ = writeln!(out, "\n{title}:");
        for (i, f) in fields.iter().enumerate() {
            let _ = write!(out, "  {i:>3}  {}: {}", f.name, m.choices.show(f.ty));
            if let Some(label) = &f.label {
                let _ = write!(out, " {label:?}");
            }
            out.push('\n');
        }
    }
    let _ = writeln!(out, "\nresults:");
    for (i, r) in m.results.iter().enumerate() {
        let fields: Vec<String> = r
            .fields
            .iter()
            .map(|f| format!("{}: {}", f.name, m.choices.show(f.ty)))
            .collect();
        let _ = writeln!(
            out,
            "  {i:>3}  {} = {} ({}) -> {{ {} }}",
            r.name,
            r.call,
            r.args.join(", "),
            fields.join(", ")
        );
        // What a successful answer must carry (`when ok == true: score`).
        if let Some(p) = &r.promise {
            let flag = r.fields.get(usize::from(p.when)).map_or("?", |f| &f.name);
            let present: Vec<&str> = (p.present.iter())
                .map(|f| r.fields.get(usize::from(*f)).map_or("?", |f| &f.name))
                .collect();
            let _ = writeln!(
                out,
                "       when {flag} == {}: {}",
                p.is,
                present.join(", ")
            );
        }
    }
    let _ = writeln!(out, "\nsteps:");
    for (i, s) in m.steps.iter().enumerate() {
        let _ = write!(out, "  {i:>3}  {} {} @{}", s.kind.name(), s.name, s.entry);
        if let Some(title) = &s.title {
            let _ = write!(out, " title {title:?}");
        }
        if !s.collects.is_empty() {
            let names: Vec<&str> = s
                .collects
                .iter()
                .map(|f| m.inquiry.get(*f as usize).map_or("?", |f| f.name.as_str()))
                .collect();
            let _ = write!(out, " collect [{}]", names.join(", "));
        }
        if !s.captures.is_empty() {
            let _ = write!(out, " capture [{}]", s.captures.join(", "));
        }
        out.push('\n');
    }

    let _ = writeln!(out, "\ncode:");
    let index = source.map(LineIndex::new);
    let entries = Entries::new(m);
    for (pc, instr) in m.code.iter().enumerate() {
        let pc = pc as u32;
        for s in entries.at(pc) {
            let _ = writeln!(out, "{}:  ({})", s.name, s.kind.name());
        }
        let (operands, comment) = operands(m, &entries, *instr);
        let mut line = format!("  {pc:04}  {}", instr.mnemonic());
        if !operands.is_empty() {
            line.push(' ');
            line.push_str(&operands);
        }
        let mut comments = Vec::new();
        if !comment.is_empty() {
            comments.push(comment);
        }
        if let (Some(index), Some(span)) = (&index, m.spans.get(pc as usize)) {
            comments.push(format!("line {}", index.line_col(span.start).0));
        }
        if !comments.is_empty() {
            line = format!("{line:<36} ; {}", comments.join(", "));
        }
        let _ = writeln!(out, "{line}");
    }
    out
}

/// The steps that start at each pc, found once for the whole listing (a
/// search of the step table per instruction made it quadratic).
struct Entries<'m> {
    /// The steps sorted by entry pc, in table order within one pc.
    by_entry: Vec<&'m super::StepInfo>,
}

impl<'m> Entries<'m> {
    fn new(m: &'m Module) -> Entries<'m> {
        let mut by_entry: Vec<&super::StepInfo> = m.steps.iter().collect();
        by_entry.sort_by_key(|s| s.entry);
        Entries { by_entry }
    }

    /// The steps whose entry is `pc`, in table order.
    fn at(&self, pc: u32) -> &[&'m super::StepInfo] {
        let from = self.by_entry.partition_point(|s| s.entry < pc);
        let to = self.by_entry.partition_point(|s| s.entry <= pc);
        self.by_entry.get(from..to).unwrap_or(&[])
    }
}

/// The raw operands and the `;` comment resolving them, both from the
/// instruction's shape.
fn operands(m: &Module, entries: &Entries<'_>, instr: Instr) -> (String, String) {
    let mut raw: Vec<String> = Vec::new();
    let mut comments: Vec<String> = Vec::new();
    for operand in instr.shape().operands() {
        let (text, comment) = operand_text(m, entries, operand);
        raw.extend(text);
        comments.extend(comment);
    }
    (raw.join(" "), comments.join(", "))
}

/// One operand as written (nothing for an absent optional one) and what
/// it refers to, when it refers to something with a name.
fn operand_text(
    m: &Module,
    entries: &Entries<'_>,
    operand: Operand,
) -> (Option<String>, Option<String>) {
    let field = |list: &[super::FieldInfo], i: u32| {
        list.get(i as usize)
            .map_or("?".to_string(), |f| f.name.clone())
    };
    let konst = |i: u32| {
        m.consts
            .get(i as usize)
            .map_or("?".to_string(), |c| c.to_string())
    };
    match operand {
        Operand::Const(i) | Operand::Text(i) => (Some(i.to_string()), Some(konst(i))),
        Operand::Inquiry(i) => (Some(i.to_string()), Some(field(&m.inquiry, i))),
        Operand::Account(i) => (Some(i.to_string()), Some(field(&m.account, i))),
        Operand::ResultField(r, f) => {
            let res = m.results.get(r as usize);
            let rname = res.map_or("?", |r| r.name.as_str());
            let fname = res
                .and_then(|r| r.fields.get(usize::from(f)))
                .map_or("?", |f| f.name.as_str());
            (Some(format!("{r} {f}")), Some(format!("{rname}.{fname}")))
        }
        Operand::Call { result, argc } => {
            let res = m.results.get(result as usize);
            let comment = res.map_or("?".to_string(), |r| format!("{} = {}", r.name, r.call));
            (Some(format!("{result} argc={argc}")), Some(comment))
        }
        Operand::Step(s) | Operand::Screen(s) => {
            (Some(s.to_string()), Some(m.step_name(s).to_string()))
        }
        Operand::Target(pc) => {
            let comment = match entries.at(pc).first() {
                Some(s) => s.name.clone(),
                None => format!("-> {pc:04}"),
            };
            (Some(pc.to_string()), Some(comment))
        }
        Operand::OnError(pc) => (pc.map(|pc| format!("on_error={pc}")), None),
        Operand::Count(n) => (Some(n.to_string()), None),
        Operand::Retry(r) => (Some(format!("retry={r}")), None),
        Operand::Timeout(t) => (t.map(|t| format!("timeout={t}s")), None),
        Operand::Status(status) => (Some(status.name().to_string()), None),
    }
}

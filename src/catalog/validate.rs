//! The rules a catalogue must satisfy to be usable, checked where each name
//! stands in the TOML file.
//!
//! [`Names`] is a second reading of the same text that keeps only names
//! and types, each with its span (`toml::Spanned`); the shape and the value
//! types have already been checked by deserializing [`super::Catalog`].
//! Every lookup goes through a hash map, so validation is linear in the
//! size of the file (a list scan per reference made a 5 MB catalogue take
//! 20 s).

use serde::Deserialize;
use std::collections::HashMap;
use std::path::{Component, Path};
use toml::Spanned;

/// Most problems reported for one catalogue; the last line counts the rest.
pub const MAX_REPORTED: usize = 20;

type Name = Spanned<String>;

#[derive(Deserialize)]
pub(super) struct Names {
    #[serde(default)]
    capture_kinds: Vec<Name>,
    #[serde(rename = "plan", default)]
    plans: Vec<PlanNames>,
    #[serde(rename = "verification", default)]
    verifications: Vec<KindNames>,
    #[serde(rename = "report", default)]
    reports: Vec<KindNames>,
    #[serde(default)]
    http: Option<HttpNames>,
    #[serde(rename = "solution", default)]
    pub(super) solutions: Vec<SolutionNames>,
}

#[derive(Deserialize)]
struct PlanNames {
    name: Name,
    #[serde(default)]
    statements: Vec<Name>,
}

#[derive(Deserialize)]
struct KindNames {
    name: Name,
    #[serde(default)]
    plans: Vec<Name>,
    capture: Option<Name>,
    #[serde(default)]
    args: Vec<ParamNames>,
    #[serde(default)]
    results: Vec<ParamNames>,
}

#[derive(Deserialize)]
struct ParamNames {
    name: Name,
    #[serde(rename = "type")]
    ty: Name,
}

#[derive(Deserialize)]
struct HttpNames {
    #[serde(default)]
    results: Vec<ParamNames>,
}

#[derive(Deserialize)]
pub(super) struct SolutionNames {
    name: Name,
    pub(super) path: Name,
}

/// Problems found so far, each at a byte offset of the TOML text.
struct Problems<'a> {
    at: &'a dyn Fn(usize) -> String,
    found: Vec<(usize, String)>,
}

impl Problems<'_> {
    fn add(&mut self, name: &Name, message: String) {
        self.found.push((name.span().start, message));
    }

    /// Reports each name of `names` that an earlier one already used, as
    /// "WHAT `x` is listed twice[ in OWNER]"; returns the names by text.
    fn unique<'n>(
        &mut self,
        what: &str,
        owner: Option<&str>,
        names: impl IntoIterator<Item = &'n Name>,
    ) -> HashMap<&'n str, &'n Name> {
        let mut seen: HashMap<&str, &Name> = HashMap::new();
        for name in names {
            if let Some(first) = seen.get(name.get_ref().as_str()) {
                let first = (self.at)(first.span().start);
                let within = owner.map(|o| format!(" in {o}")).unwrap_or_default();
                self.add(
                    name,
                    format!(
                        "{what} `{}` is listed twice{within} (first at {first})",
                        name.get_ref()
                    ),
                );
            } else {
                seen.insert(name.get_ref(), name);
            }
        }
        seen
    }

    /// Arguments or result fields: a name given twice is a duplicate, or a
    /// contradiction when the two types differ.
    fn params(&mut self, what: &str, owner: &str, params: &[ParamNames]) {
        let mut seen: HashMap<&str, &ParamNames> = HashMap::new();
        for p in params {
            let name = p.name.get_ref();
            match seen.get(name.as_str()) {
                None => {
                    seen.insert(name, p);
                }
                Some(first) => {
                    let first_at = (self.at)(first.name.span().start);
                    let (a, b) = (first.ty.get_ref(), p.ty.get_ref());
                    let message = if a == b {
                        format!("{what} `{name}` of {owner} is listed twice (first at {first_at})")
                    } else {
                        format!(
                            "{what} `{name}` of {owner} has contradictory types: `{b}` here, `{a}` at {first_at}"
                        )
                    };
                    self.add(&p.name, message);
                }
            }
        }
    }
}

/// Checks the catalogue's names; `at` turns a byte offset into
/// `LINE:COLUMN`. Errors are sorted by position, each `LINE:COLUMN: text`.
pub(super) fn validate(names: &Names, at: &dyn Fn(usize) -> String) -> Result<(), Vec<String>> {
    let mut p = Problems {
        at,
        found: Vec::new(),
    };
    let captures = p.unique("capture kind", None, &names.capture_kinds);
    let plans = p.unique("plan", None, names.plans.iter().map(|pl| &pl.name));
    for plan in &names.plans {
        let owner = format!("plan `{}`", plan.name.get_ref());
        p.unique("statement", Some(&owner), &plan.statements);
    }
    for (what, kinds) in [
        ("verification", &names.verifications),
        ("report", &names.reports),
    ] {
        p.unique(what, None, kinds.iter().map(|k| &k.name));
        for kind in kinds {
            let owner = format!("{what} `{}`", kind.name.get_ref());
            for plan in &kind.plans {
                if !plans.contains_key(plan.get_ref().as_str()) {
                    p.add(
                        plan,
                        format!("{owner} names unknown plan `{}`", plan.get_ref()),
                    );
                }
            }
            p.unique("plan", Some(&owner), &kind.plans);
            if let Some(cap) = &kind.capture
                && !captures.contains_key(cap.get_ref().as_str())
            {
                p.add(
                    cap,
                    format!("{owner} needs unknown capture `{}`", cap.get_ref()),
                );
            }
            p.params("argument", &owner, &kind.args);
            p.params("result field", &owner, &kind.results);
        }
    }
    if let Some(http) = &names.http {
        p.params("result field", "`http`", &http.results);
    }
    p.unique("solution", None, names.solutions.iter().map(|s| &s.name));
    for sol in &names.solutions {
        if let Some(why) = escapes(sol.path.get_ref()) {
            p.add(
                &sol.path,
                format!(
                    "solution path `{}` {why}; it must stay inside the catalogue's folder",
                    sol.path.get_ref()
                ),
            );
        }
    }
    if p.found.is_empty() {
        return Ok(());
    }
    p.found.sort_by_key(|(offset, _)| *offset);
    let total = p.found.len();
    let mut out: Vec<String> = p
        .found
        .into_iter()
        .take(MAX_REPORTED)
        .map(|(offset, m)| format!("{}: {m}", at(offset)))
        .collect();
    if total > MAX_REPORTED {
        out.push(format!(
            "{}: and {} more problems",
            at(0),
            total - MAX_REPORTED
        ));
    }
    Err(out)
}

/// Why a solution path could leave the catalogue's folder by its text
/// alone: absolute, or with a `..` step. (A symlink that leads out is
/// caught when the file is read.)
fn escapes(path: &str) -> Option<&'static str> {
    if path.is_empty() {
        return Some("is empty");
    }
    let path = Path::new(path);
    if path.has_root() || path.is_absolute() {
        return Some("is absolute");
    }
    path.components()
        .any(|c| matches!(c, Component::ParentDir | Component::Prefix(_)))
        .then_some("steps out with `..`")
}

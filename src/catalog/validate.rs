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
pub(super) const MAX_REPORTED: usize = 20;

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

#[cfg(test)]
mod tests {
    use crate::catalog::Catalog;

    const BASE: &str = r#"capture_kinds = ["government_id", "selfie"]

[[plan]]
name = "essential"
statements = ["verify"]

[http]
results = [{ name = "ok", type = "bool" }]
"#;

    fn errors(extra: &str) -> Vec<String> {
        Catalog::parse(&format!("{BASE}{extra}"), |_| Ok(String::new()))
            .err()
            .unwrap_or_default()
    }

    #[test]
    fn the_base_loads() {
        assert_eq!(errors(""), Vec::<String>::new());
    }

    #[test]
    fn duplicates_are_reported_where_they_stand() {
        let dup_capture = BASE.replace(r#""selfie"]"#, r#""selfie", "selfie"]"#);
        let err = Catalog::parse(&dup_capture, |_| Ok(String::new())).unwrap_err();
        assert_eq!(
            err,
            ["1:45: capture kind `selfie` is listed twice (first at 1:35)"]
        );
        assert_eq!(
            errors("[[plan]]\nname = \"essential\"\nstatements = [\"verify\", \"verify\"]\n"),
            [
                "10:8: plan `essential` is listed twice (first at 4:8)",
                "11:25: statement `verify` is listed twice in plan `essential` (first at 11:15)"
            ]
        );
        let kind = |table: &str, body: &str| format!("[[{table}]]\nname = \"k\"\n{body}\n");
        let plain = "plans = [\"essential\"]\nargs = []\nresults = []";
        assert_eq!(
            errors(&(kind("verification", plain) + &kind("verification", plain))),
            ["15:8: verification `k` is listed twice (first at 10:8)"]
        );
        // a verification and a report may share a name: `verify k` and
        // `report k` cannot be confused
        assert!(errors(&(kind("verification", plain) + &kind("report", plain))).is_empty());
        assert_eq!(
            errors(&kind(
                "report",
                "plans = [\"essential\", \"essential\"]\nargs = []\nresults = []"
            )),
            ["11:23: plan `essential` is listed twice in report `k` (first at 11:10)"]
        );
        assert_eq!(
            errors(
                "[[solution]]\nname = \"s\"\npath = \"a.flow\"\n[[solution]]\nname = \"s\"\npath = \"a.flow\"\n"
            ),
            ["13:8: solution `s` is listed twice (first at 10:8)"]
        );
    }

    #[test]
    fn fields_listed_twice_or_with_contradictory_types() {
        let body = "[[verification]]\nname = \"k\"\nplans = []\nargs = [{ name = \"a\", type = \"string\" }, { name = \"a\", type = \"string\" }]\nresults = [{ name = \"r\", type = \"int\" }, { name = \"r\", type = \"date\", optional = true }]\n";
        assert_eq!(
            errors(body),
            [
                "12:51: argument `a` of verification `k` is listed twice (first at 12:18)",
                "13:51: result field `r` of verification `k` has contradictory types: `date` here, `int` at 13:21",
            ]
        );
        let http = BASE.replace(
            r#"results = [{ name = "ok", type = "bool" }]"#,
            r#"results = [{ name = "ok", type = "bool" }, { name = "ok", type = "int" }]"#,
        );
        let err = Catalog::parse(&http, |_| Ok(String::new())).unwrap_err();
        assert_eq!(
            err,
            [
                "8:53: result field `ok` of `http` has contradictory types: `int` here, `bool` at 8:21"
            ]
        );
    }

    #[test]
    fn unknown_references_and_escaping_paths() {
        let body = "[[verification]]\nname = \"k\"\nplans = [\"gold\"]\ncapture = \"retina\"\nargs = []\nresults = []\n[[solution]]\nname = \"s\"\npath = \"../s.flow\"\n";
        assert_eq!(
            errors(body),
            [
                "11:10: verification `k` names unknown plan `gold`",
                "12:11: verification `k` needs unknown capture `retina`",
                "17:8: solution path `../s.flow` steps out with `..`; it must stay inside the catalogue's folder",
            ]
        );
        for (path, why) in [("/etc/passwd", "is absolute"), ("", "is empty")] {
            let err = errors(&format!("[[solution]]\nname = \"s\"\npath = \"{path}\"\n"));
            assert!(err[0].contains(why), "{err:?}");
        }
        // solutions are not read when the catalogue is invalid
        let mut read = 0;
        let text = format!("{BASE}[[solution]]\nname = \"s\"\npath = \"../x\"\n");
        let _ = Catalog::parse(&text, |_| {
            read += 1;
            Ok(String::new())
        });
        assert_eq!(read, 0);
    }

    #[test]
    fn shape_errors_have_positions_and_many_problems_are_capped() {
        let err = errors("[[plan]]\nname = \"p\"\nstatements = [\"fly\"]\n");
        assert!(err[0].starts_with("11:15: "), "{err:?}");
        let many: String = (0..30)
            .map(|_| "[[plan]]\nname = \"essential\"\nstatements = []\n")
            .collect();
        let err = errors(&many);
        assert_eq!(err.len(), super::MAX_REPORTED + 1);
        assert!(
            err[super::MAX_REPORTED].ends_with("and 10 more problems"),
            "{err:?}"
        );
    }
}

//! The catalogue: plans, verification and report kinds, and solutions.
//!
//! One table, as data, that the checker, the plan pass, the code generator
//! and the VM all read. The built-in catalogue is `catalog/default.toml`
//! (with the solution flows beside it), compiled into the binary;
//! `flowc --plans FILE.toml` replaces it with a file of the same shape.
//! A catalogue is validated as it is loaded ([`validate`]); each fault is
//! reported at its line and column in the TOML file.

use crate::files::{self, Input};
use crate::types::{BaseType, Type};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

mod validate;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    /// What a screen may `capture`.
    pub capture_kinds: Vec<String>,
    /// Plans, from the most limited to the least.
    #[serde(rename = "plan")]
    pub plans: Vec<PlanSpec>,
    #[serde(rename = "verification", default)]
    pub verifications: Vec<CallSpec>,
    #[serde(rename = "report", default)]
    pub reports: Vec<CallSpec>,
    /// The result fields of every `http` call.
    pub http: HttpSpec,
    #[serde(rename = "solution", default)]
    pub solutions: Vec<SolutionSpec>,
    /// The files the catalogue was read from: the TOML file and the
    /// solution flows (none for the built-in catalogue).
    #[serde(skip)]
    pub files: Vec<PathBuf>,
    /// Positions by name, so that the checker's many lookups (one per
    /// `let`, for instance) do not each search a list of thousands.
    #[serde(skip)]
    index: Index,
}

/// Where each name stands in its list; built by [`Catalog::parse`].
#[derive(Debug, Clone, Default, PartialEq)]
struct Index {
    plans: HashMap<String, usize>,
    verifications: HashMap<String, usize>,
    reports: HashMap<String, usize>,
    solutions: HashMap<String, usize>,
}

impl Index {
    fn new(cat: &Catalog) -> Index {
        fn positions<'a>(names: impl Iterator<Item = &'a String>) -> HashMap<String, usize> {
            let mut map = HashMap::new();
            for (i, name) in names.enumerate() {
                map.entry(name.clone()).or_insert(i);
            }
            map
        }
        Index {
            plans: positions(cat.plans.iter().map(|p| &p.name)),
            verifications: positions(cat.verifications.iter().map(|v| &v.name)),
            reports: positions(cat.reports.iter().map(|r| &r.name)),
            solutions: positions(cat.solutions.iter().map(|s| &s.name)),
        }
    }
}

/// The item of `list` called `name`: through `index` when it still points
/// at that name, else by a search (a name the catalogue does not have, or
/// a list changed since the index was built: the fields are public). An
/// unknown name is an error whose did-you-mean reads every name anyway.
fn find<'c, T>(
    list: &'c [T],
    index: &HashMap<String, usize>,
    name: &str,
    key: impl Fn(&T) -> &str,
) -> Option<&'c T> {
    match index.get(name).and_then(|&i| list.get(i)) {
        Some(item) if key(item) == name => Some(item),
        _ => list.iter().find(|t| key(t) == name),
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanSpec {
    pub name: String,
    /// Most steps (screens, actions, branches, connectors) a flow may have.
    pub max_steps: Option<u32>,
    /// Most routes (`when` routes and `else` together) in one branch.
    pub max_routes: Option<u32>,
    /// Statements an action may use.
    pub statements: Vec<StatementKind>,
    /// The plan may only `use solution`.
    #[serde(default)]
    pub solution_only: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatementKind {
    Verify,
    Report,
    Http,
    Set,
    Tag,
    Case,
    If,
}

impl StatementKind {
    pub fn keyword(self) -> &'static str {
        match self {
            StatementKind::Verify => "verify",
            StatementKind::Report => "report",
            StatementKind::Http => "http",
            StatementKind::Set => "set",
            StatementKind::Tag => "tag",
            StatementKind::Case => "case",
            StatementKind::If => "if",
        }
    }
}

/// A verification or report kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallSpec {
    pub name: String,
    /// Plans that include this kind.
    pub plans: Vec<String>,
    /// The capture kind the call needs on every path (`government_id`).
    #[serde(default)]
    pub capture: Option<String>,
    /// Arguments; `optional` marks one that may be left out.
    pub args: Vec<Param>,
    /// Result fields; `optional` marks a field of type `T?`.
    pub results: Vec<Param>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpSpec {
    pub results: Vec<Param>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Param {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: BaseType,
    #[serde(default)]
    pub optional: bool,
}

impl Param {
    /// The type of a result field described by this parameter.
    pub fn result_type(&self) -> Type {
        Type {
            base: self.ty,
            optional: self.optional,
            choice: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SolutionSpec {
    pub name: String,
    /// The solution's flow file, relative to the catalogue file.
    pub path: String,
    /// The flow source, read when the catalogue is loaded.
    #[serde(skip)]
    pub source: String,
}

/// The solution flows shipped inside the binary, by their path in
/// `catalog/default.toml`.
const BUILTIN_SOLUTIONS: &[(&str, &str)] = &[
    (
        "solutions/gov_id_selfie.flow",
        include_str!("../catalog/solutions/gov_id_selfie.flow"),
    ),
    (
        "solutions/database_kyc.flow",
        include_str!("../catalog/solutions/database_kyc.flow"),
    ),
    (
        "solutions/phone_email.flow",
        include_str!("../catalog/solutions/phone_email.flow"),
    ),
];

const BUILTIN_TOML: &str = include_str!("../catalog/default.toml");

impl Catalog {
    /// The catalogue compiled into flowc.
    pub fn builtin() -> Catalog {
        // Invariant: the built-in catalogue is a constant of this crate, and
        // `tests::builtin_catalogue_loads` proves it loads.
        #[allow(clippy::expect_used)]
        Catalog::parse(BUILTIN_TOML, |path| {
            BUILTIN_SOLUTIONS
                .iter()
                .find(|(p, _)| *p == path)
                .map(|(_, src)| (*src).to_string())
                .ok_or_else(|| format!("no built-in solution file `{path}`"))
        })
        .expect("the built-in catalogue loads")
    }

    /// Loads a catalogue file (`--plans FILE.toml`) under its size limit;
    /// solution paths are read relative to the file's folder and may not
    /// lead out of it. Each error names the file and, where there is one,
    /// the line and column.
    pub fn load(path: &Path) -> Result<Catalog, Vec<String>> {
        let text = files::read_text(path, Input::Catalogue).map_err(|e| vec![e.to_string()])?;
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let mut read_files = vec![path.to_path_buf()];
        let root = dir.canonicalize();
        let mut cat = Catalog::parse(&text, |rel| {
            let root = root
                .as_ref()
                .map_err(|e| format!("cannot read the folder `{}`: {e}", dir.display()))?;
            let joined = dir.join(rel);
            let real = joined
                .canonicalize()
                .map_err(|e| format!("cannot read solution `{}`: {e}", joined.display()))?;
            if !real.starts_with(root) {
                return Err(format!(
                    "solution path `{rel}` leads out of the catalogue's folder (to `{}`)",
                    real.display()
                ));
            }
            let source = files::read_text(&real, Input::Source).map_err(|e| e.to_string())?;
            read_files.push(real);
            Ok(source)
        })
        .map_err(|errors| {
            errors
                .into_iter()
                .map(|e| format!("{}:{e}", path.display()))
                .collect::<Vec<_>>()
        })?;
        cat.files = read_files;
        Ok(cat)
    }

    /// Parses catalogue TOML, validates it and reads each solution's source
    /// with `read`. Each error starts `LINE:COLUMN: ` (1-based, in the TOML
    /// text); at most 20 problems are listed, then a count of the rest.
    pub fn parse(
        text: &str,
        mut read: impl FnMut(&str) -> Result<String, String>,
    ) -> Result<Catalog, Vec<String>> {
        let index = crate::span::LineIndex::new(text);
        let at = |offset: usize| {
            let (line, column) = index.line_col(u32::try_from(offset).unwrap_or(u32::MAX));
            format!("{line}:{column}")
        };
        let toml_error = |e: toml::de::Error| {
            let pos = e.span().map_or_else(|| "1:1".to_string(), |s| at(s.start));
            vec![format!("{pos}: {}", e.message().trim_end())]
        };
        let mut cat: Catalog = toml::from_str(text).map_err(toml_error)?;
        let names: validate::Names = toml::from_str(text).map_err(toml_error)?;
        validate::validate(&names, &at)?;
        for (sol, names) in cat.solutions.iter_mut().zip(&names.solutions) {
            sol.source = read(&sol.path)
                .map_err(|e| vec![format!("{}: {e}", at(names.path.span().start))])?;
        }
        cat.index = Index::new(&cat);
        Ok(cat)
    }

    pub fn plan(&self, name: &str) -> Option<&PlanSpec> {
        find(&self.plans, &self.index.plans, name, |p| &p.name)
    }

    pub fn verification(&self, name: &str) -> Option<&CallSpec> {
        find(&self.verifications, &self.index.verifications, name, |c| {
            &c.name
        })
    }

    pub fn report(&self, name: &str) -> Option<&CallSpec> {
        find(&self.reports, &self.index.reports, name, |c| &c.name)
    }

    pub fn solution(&self, name: &str) -> Option<&SolutionSpec> {
        find(&self.solutions, &self.index.solutions, name, |s| &s.name)
    }

    pub fn plan_names(&self) -> impl Iterator<Item = &str> {
        self.plans.iter().map(|p| p.name.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_catalogue_loads() {
        let cat = Catalog::builtin();
        assert_eq!(
            cat.plan_names().collect::<Vec<_>>(),
            ["startup", "essential", "growth", "enterprise"]
        );
        assert_eq!(cat.plan("essential").and_then(|p| p.max_steps), Some(20));
        assert_eq!(cat.verification("database").map(|v| v.args.len()), Some(7));
        assert_eq!(
            cat.report("pep").map(|r| r.plans.clone()),
            Some(vec!["enterprise".to_string()])
        );
        for s in &cat.solutions {
            assert!(s.source.contains("flow "), "{} has no flow", s.name);
        }
    }

    #[test]
    fn lookups_follow_lists_changed_after_loading() {
        let mut cat = Catalog::builtin();
        assert!(cat.verification("database").is_some());
        assert!(cat.verification("nothing").is_none());
        let mut extra = cat.verifications[0].clone();
        extra.name = "added_later".into();
        cat.verifications.push(extra);
        assert!(cat.verification("added_later").is_some());
        cat.verifications.retain(|v| v.name != "database");
        assert!(cat.verification("database").is_none());
        assert!(cat.verification("added_later").is_some());
        cat.plans.reverse();
        assert_eq!(cat.plan("growth").map(|p| p.name.as_str()), Some("growth"));
    }

    #[test]
    fn bad_catalogues_are_errors_not_panics() {
        let err = Catalog::parse("not toml [", |_| Ok(String::new())).unwrap_err();
        assert!(err[0].starts_with("1:"), "{err:?}");
        let unknown_plan =
            BUILTIN_TOML.replace("plans = [\"enterprise\"]", "plans = [\"platinum\"]");
        let err = Catalog::parse(&unknown_plan, |_| Ok(String::new())).unwrap_err();
        assert!(err[0].contains("platinum"), "{err:?}");
        let missing = Catalog::parse(BUILTIN_TOML, |p| Err(format!("no {p}"))).unwrap_err();
        assert!(missing[0].contains("solutions/"), "{missing:?}");
    }
}

//! The catalogue: plans, verification and report kinds, and solutions.
//!
//! One table, as data, that the checker, the plan pass, the code generator
//! and the VM all read. The built-in catalogue is `catalog/default.toml`
//! (with the solution flows beside it), compiled into the binary;
//! `flowc --plans FILE.toml` replaces it with a file of the same shape.

use crate::types::{BaseType, Type};
use serde::{Deserialize, Serialize};
use std::path::Path;

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

    /// Loads a catalogue file (`--plans FILE.toml`); solution paths are read
    /// relative to the file's folder.
    pub fn load(path: &Path) -> Result<Catalog, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
        let dir = path.parent().unwrap_or(Path::new("."));
        Catalog::parse(&text, |rel| {
            let p = dir.join(rel);
            std::fs::read_to_string(&p)
                .map_err(|e| format!("cannot read solution `{}`: {e}", p.display()))
        })
        .map_err(|e| format!("in `{}`: {e}", path.display()))
    }

    /// Parses catalogue TOML, reading each solution's source with `read`.
    pub fn parse(
        text: &str,
        mut read: impl FnMut(&str) -> Result<String, String>,
    ) -> Result<Catalog, String> {
        let mut cat: Catalog = toml::from_str(text).map_err(|e| e.to_string())?;
        for sol in &mut cat.solutions {
            sol.source = read(&sol.path)?;
        }
        cat.validate()?;
        Ok(cat)
    }

    /// Cross-references a catalogue must satisfy to be usable.
    fn validate(&self) -> Result<(), String> {
        let mut seen = std::collections::HashSet::new();
        for p in &self.plans {
            if !seen.insert(p.name.as_str()) {
                return Err(format!("plan `{}` is listed twice", p.name));
            }
        }
        for (what, list) in [
            ("verification", &self.verifications),
            ("report", &self.reports),
        ] {
            let mut names = std::collections::HashSet::new();
            for c in list {
                if !names.insert(c.name.as_str()) {
                    return Err(format!("{what} `{}` is listed twice", c.name));
                }
                if let Some(p) = c.plans.iter().find(|p| self.plan(p).is_none()) {
                    return Err(format!("{what} `{}` names unknown plan `{p}`", c.name));
                }
                if let Some(cap) = &c.capture
                    && !self.capture_kinds.contains(cap)
                {
                    return Err(format!("{what} `{}` needs unknown capture `{cap}`", c.name));
                }
            }
        }
        Ok(())
    }

    pub fn plan(&self, name: &str) -> Option<&PlanSpec> {
        self.plans.iter().find(|p| p.name == name)
    }

    pub fn verification(&self, name: &str) -> Option<&CallSpec> {
        self.verifications.iter().find(|c| c.name == name)
    }

    pub fn report(&self, name: &str) -> Option<&CallSpec> {
        self.reports.iter().find(|c| c.name == name)
    }

    pub fn solution(&self, name: &str) -> Option<&SolutionSpec> {
        self.solutions.iter().find(|s| s.name == name)
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
    fn bad_catalogues_are_errors_not_panics() {
        assert!(Catalog::parse("not toml [", |_| Ok(String::new())).is_err());
        let unknown_plan =
            BUILTIN_TOML.replace("plans = [\"enterprise\"]", "plans = [\"platinum\"]");
        let err = Catalog::parse(&unknown_plan, |_| Ok(String::new())).unwrap_err();
        assert!(err.contains("platinum"), "{err}");
        let missing = Catalog::parse(BUILTIN_TOML, |p| Err(format!("no {p}"))).unwrap_err();
        assert!(missing.contains("solutions/"), "{missing}");
    }
}

//! A [`Script`] read from a scenario file, the JSON form of a `test`
//! block's answers that `flowc run --scenario` takes:
//!
//! ```json
//! {"inputs": {"collect": [{"name_first": "Ada", "birthdate": "1815-12-10"}]},
//!  "stubs": {"db": ["error", {"status": "passed", "name_first": "Ada"}]},
//!  "account": {"name_first": "Ada"},
//!  "clock": "2026-11-25"}
//! ```
//!
//! Reading goes in three passes, each with the JSON path of a fault in its
//! message: the text is parsed refusing duplicate keys ([`crate::json`]);
//! its shape is read by serde into [`ScenarioFile`] (unknown keys refused);
//! then every name and value is checked and typed by the module's tables.

use super::scripted::Script;
use crate::bytecode::{CallTarget, Module, StepKindTag};
use crate::json::{self, JsonError};
use crate::types::{BaseType, Type};
use crate::value::{Date, Value};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

/// Why a scenario was refused.
#[derive(Debug)]
pub enum ScenarioError {
    /// The text is not JSON.
    NotJson(serde_json::Error),
    /// JSON that is not a scenario for this module; the message starts
    /// with the JSON path of the fault.
    Invalid(String),
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScenarioError::NotJson(e) => write!(f, "{e}"),
            ScenarioError::Invalid(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for ScenarioError {}

/// The shape of a scenario file, before names and values are checked.
#[derive(Debug, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a JSON object with `inputs`, `stubs`, `account`, `clock`"
)]
struct ScenarioFile {
    /// Screen name to its answers, one per visit.
    #[serde(default)]
    inputs: BTreeMap<String, Vec<BTreeMap<String, serde_json::Value>>>,
    /// Result name to its answers, one per call.
    #[serde(default)]
    stubs: BTreeMap<String, Vec<StubFile>>,
    /// The Account before the run.
    #[serde(default)]
    account: BTreeMap<String, serde_json::Value>,
    /// Today, as `"YYYY-MM-DD"`; else the system clock.
    #[serde(default)]
    clock: Option<String>,
}

/// One answer to a call.
#[derive(Debug, Deserialize)]
#[serde(untagged, expecting = "neither an object nor \"error\"")]
enum StubFile {
    /// The string `"error"`: the call fails as a host error would.
    Error(ErrorWord),
    /// The result's fields.
    Values(BTreeMap<String, serde_json::Value>),
}

/// The string `"error"` and nothing else.
#[derive(Debug, Deserialize)]
#[serde(try_from = "String")]
struct ErrorWord;

impl TryFrom<String> for ErrorWord {
    type Error = String;

    fn try_from(text: String) -> Result<ErrorWord, String> {
        match text.as_str() {
            "error" => Ok(ErrorWord),
            _ => Err(format!("`{text}` is not \"error\"")),
        }
    }
}

impl Script {
    /// Reads a scenario for `module`, typing every value by the module's
    /// tables.
    pub fn from_scenario(module: &Module, text: &str) -> Result<Script, ScenarioError> {
        let json = json::parse(text).map_err(|e| match e {
            JsonError::Syntax(e) => ScenarioError::NotJson(e),
            JsonError::Refused(e) => ScenarioError::Invalid(e.to_string()),
        })?;
        // serde would also read a struct from an array of its fields.
        if !json.is_object() {
            return Err(ScenarioError::Invalid(
                "a scenario is a JSON object".to_string(),
            ));
        }
        let file: ScenarioFile = serde_path_to_error::deserialize(json).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            ScenarioError::Invalid(if path == "." {
                inner.to_string()
            } else {
                format!("`{path}`: {inner}")
            })
        })?;
        typed(module, file).map_err(ScenarioError::Invalid)
    }
}

/// Checks every name of `file` against the module and types its values.
/// Names are looked up through maps built once, so reading is linear in
/// the size of the scenario and the module.
fn typed(module: &Module, file: ScenarioFile) -> Result<Script, String> {
    let mut script = Script::default();
    let screens = by_name(
        (module.steps.iter()).filter(|s| s.kind == StepKindTag::Screen),
        |s| &s.name,
    );
    let results = by_name(module.results.iter(), |r| &r.name);
    let account = by_name(module.account.iter(), |f| &f.name);
    for (screen, list) in file.inputs {
        let step = screens
            .get(screen.as_str())
            .ok_or_else(|| format!("`inputs`: `{screen}` is not a screen of this flow"))?;
        // In the screen's order: its fields, then its captures.
        let fields: Vec<(&String, Type)> = step
            .collects
            .iter()
            .filter_map(|f| module.inquiry.get(*f as usize))
            .map(|f| (&f.name, f.ty))
            .chain(step.captures.iter().map(|c| (c, Type::new(BaseType::Bool))))
            .collect();
        let known: HashSet<&str> = fields.iter().map(|(n, _)| n.as_str()).collect();
        let mut queue = std::collections::VecDeque::new();
        for (i, item) in list.into_iter().enumerate() {
            let at = format!("inputs.{screen}[{i}]");
            if let Some(k) = item.keys().find(|k| !known.contains(k.as_str())) {
                return Err(format!("`{at}`: screen `{screen}` takes no `{k}`"));
            }
            let mut values = Vec::new();
            for &(k, ty) in &fields {
                let v = item
                    .get(k)
                    .ok_or_else(|| format!("`{at}`: screen `{screen}` needs `{k}` ({ty})"))?;
                let value = Value::from_json(v, ty.base)
                    .map_err(|e| format!("`{at}.{k}`: expected {e}"))?;
                if value == Value::None && !ty.optional {
                    return Err(format!("`{at}.{k}` is `{ty}` and may not be null"));
                }
                outside_choice(module, ty, &value, &format!("{at}.{k}"))?;
                if step.captures.contains(k) && value != Value::Bool(true) {
                    return Err(format!("`{at}.{k}`: a capture is given as `true`"));
                }
                values.push((k.clone(), value));
            }
            queue.push_back(values);
        }
        script.inputs.insert(screen, queue);
    }
    for (name, list) in file.stubs {
        let res = results
            .get(name.as_str())
            .ok_or_else(|| format!("`stubs`: no result `{name}` in this flow"))?;
        let mut queue = std::collections::VecDeque::new();
        for (i, item) in list.into_iter().enumerate() {
            let at = format!("stubs.{name}[{i}]");
            let fields = match item {
                StubFile::Error(ErrorWord) => {
                    queue.push_back(None);
                    continue;
                }
                StubFile::Values(fields) => fields,
            };
            if let Some(k) = fields
                .keys()
                .find(|k| !res.fields.iter().any(|f| &f.name == *k))
            {
                return Err(format!("`{at}`: `{name}` has no field `{k}`"));
            }
            let mut values = Vec::new();
            for f in &res.fields {
                let v = match fields.get(&f.name) {
                    Some(j) => Value::from_json(j, f.ty.base)
                        .map_err(|e| format!("`{at}.{}`: expected {e}", f.name))?,
                    None => Value::None,
                };
                if v == Value::None && !f.ty.optional {
                    return Err(format!(
                        "`{at}` needs `{}` ({}), which may not be null",
                        f.name, f.ty
                    ));
                }
                values.push(v);
            }
            passed_carries_every_field(res, &values, &at)?;
            queue.push_back(Some(values));
        }
        script.stubs.insert(name, queue);
    }
    for (k, v) in file.account {
        let f = account
            .get(k.as_str())
            .ok_or_else(|| format!("`account`: no account field `{k}`"))?;
        let value =
            Value::from_json(&v, f.ty.base).map_err(|e| format!("`account.{k}`: expected {e}"))?;
        outside_choice(module, f.ty, &value, &format!("account.{k}"))?;
        script.account.insert(k, value);
    }
    if let Some(text) = file.clock {
        script.clock =
            Some(Date::parse(&text).ok_or_else(|| format!("`clock`: `{text}` is not a date"))?);
    }
    Ok(script)
}

/// A verification stub that says `passed` must give every result field
/// (reference §8.4): the checker promises them wherever the verification
/// is known passed. (An `http` stub with `ok` true that leaves a field out
/// is allowed: it simulates a broken service, a host error at run time.)
fn passed_carries_every_field(
    res: &crate::bytecode::ResultInfo,
    values: &[Value],
    at: &str,
) -> Result<(), String> {
    let (CallTarget::Verify(_), Some(p)) = (&res.call, &res.promise) else {
        return Ok(());
    };
    if values.get(usize::from(p.when)) != Some(&p.is) {
        return Ok(());
    }
    let missing: Vec<String> = p
        .present
        .iter()
        .filter(|&&i| values.get(usize::from(i)).is_none_or(|v| *v == Value::None))
        .filter_map(|&i| res.fields.get(usize::from(i)))
        .map(|f| format!("`{}`", f.name))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(format!(
        "`{at}`: a `{}` answer carries every result field; missing or null: {}",
        p.is,
        missing.join(", ")
    ))
}

/// A scenario error for a value outside its field's choice set. (A stub's
/// value outside one is left to the VM: it is a host answer, and a host
/// error.)
fn outside_choice(module: &Module, ty: Type, value: &Value, at: &str) -> Result<(), String> {
    if module.choices.admits(ty.with_optional(true), value) {
        return Ok(());
    }
    Err(format!(
        "`{at}`: {value} is not one of {}",
        module.choices.show(ty.with_optional(false))
    ))
}

/// The items of a module table by name; the first of a name wins, as a
/// search from the start would find it.
fn by_name<'m, T>(
    items: impl Iterator<Item = &'m T>,
    name: impl Fn(&T) -> &String,
) -> HashMap<&'m str, &'m T> {
    let mut map = HashMap::new();
    for item in items {
        map.entry(name(item).as_str()).or_insert(item);
    }
    map
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::catalog::Catalog;

    const FLOW: &str = r#"
flow f {
  plan essential
  inquiry { name: string, nick: string? }
  account { name: string? }
  screen ask { collect name, nick capture selfie -> v }
  action v {
    let face = verify selfie {}
    set account.name = inquiry.name
    -> end completed
  }
}
"#;

    fn module() -> Module {
        crate::compile_source(FLOW, &Catalog::builtin())
            .module
            .expect("the test flow compiles")
            .into_module()
    }

    fn err(text: &str) -> String {
        match Script::from_scenario(&module(), text) {
            Ok(s) => format!("accepted: {s:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn reads_a_whole_scenario_in_the_screens_order() {
        let s = Script::from_scenario(
            &module(),
            r#"{"clock": "2026-11-25",
                "account": {"name": null},
                "inputs": {"ask": [{"selfie": true, "nick": null, "name": "Ada"}]},
                "stubs": {"face": ["error", {"status": "passed", "match_score": 90}]}}"#,
        )
        .unwrap();
        assert_eq!(s.clock, Date::parse("2026-11-25"));
        assert_eq!(s.account.get("name"), Some(&Value::None));
        let ask: Vec<_> = s.inputs.get("ask").unwrap().iter().cloned().collect();
        assert_eq!(
            ask,
            [vec![
                ("name".to_string(), Value::Str("Ada".into())),
                ("nick".to_string(), Value::None),
                ("selfie".to_string(), Value::Bool(true)),
            ]]
        );
        let face = s.stubs.get("face").unwrap();
        assert_eq!(face.len(), 2);
        assert_eq!(face.front(), Some(&None));
        assert_eq!(
            Script::from_scenario(&module(), "{}").unwrap(),
            Script::default()
        );
    }

    #[test]
    fn shape_faults_name_their_path() {
        for top in ["[]", "[{}, {}, {}, null]", "null", "\"inputs\""] {
            assert_eq!(err(top), "a scenario is a JSON object", "{top}");
        }
        assert!(err(r#"{"input": {}}"#).contains("unknown field `input`, expected one of"));
        assert_eq!(
            err(r#"{"inputs": {"ask": {}}}"#),
            "`inputs.ask`: invalid type: map, expected a sequence"
        );
        assert_eq!(
            err(r#"{"inputs": {"ask": [[]]}}"#),
            "`inputs.ask[0]`: invalid type: sequence, expected a map"
        );
        assert_eq!(
            err(r#"{"stubs": {"face": [{"status": "passed"}, 3]}}"#),
            "`stubs.face[1]`: neither an object nor \"error\""
        );
        assert_eq!(
            err(r#"{"stubs": {"face": ["errors"]}}"#),
            "`stubs.face[0]`: neither an object nor \"error\""
        );
        // an object whose one key is `error` is not the word `"error"`
        assert_eq!(
            err(r#"{"stubs": {"face": [{"error": null}]}}"#),
            "`stubs.face[0]`: `face` has no field `error`"
        );
        assert_eq!(
            err(r#"{"clock": 20261125}"#),
            "`clock`: invalid type: integer `20261125`, expected a string"
        );
    }

    #[test]
    fn duplicate_keys_are_refused_at_any_depth() {
        for (text, want) in [
            (
                r#"{"clock": "2026-11-25", "clock": "2026-11-26"}"#,
                "duplicate key `clock` at line 1",
            ),
            (
                r#"{"inputs": {"ask": [{"name": "A", "name": "B", "selfie": true}]}}"#,
                "duplicate key `name` in `inputs.ask[0]` at line 1",
            ),
            (
                r#"{"stubs": {"face": [], "face": ["error"]}}"#,
                "duplicate key `face` in `stubs` at line 1",
            ),
            (
                r#"{"account": {"name": "A", "name": null}}"#,
                "duplicate key `name` in `account` at line 1",
            ),
        ] {
            let got = err(text);
            assert!(got.starts_with(want), "{text}: {got}");
        }
    }

    #[test]
    fn value_faults_name_their_path() {
        for (text, want) in [
            (
                r#"{"inputs": {"ask": [{"name": "A", "selfie": true}]}}"#,
                "`inputs.ask[0]`: screen `ask` needs `nick` (string?)",
            ),
            (
                r#"{"inputs": {"ask": [{"name": "A", "nick": null, "selfie": false}]}}"#,
                "`inputs.ask[0].selfie`: a capture is given as `true`",
            ),
            (
                r#"{"stubs": {"face": [{"status": "passed", "score": 1}]}}"#,
                "`stubs.face[0]`: `face` has no field `score`",
            ),
            (r#"{"account": {"name": 1}}"#, "`account.name`: expected"),
            (
                r#"{"clock": "2026-02-30"}"#,
                "`clock`: `2026-02-30` is not a date",
            ),
        ] {
            let got = err(text);
            assert!(got.starts_with(want), "{text}: {got}");
        }
    }
}

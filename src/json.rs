//! Reading JSON input strictly: scenarios (`flowc run --scenario`) and
//! resume input (the object that answers a screen).
//!
//! serde_json keeps the last of two equal keys in an object without a word,
//! so `{"name_first": "Ada", "name_first": "Bob"}` would silently answer
//! `Bob`. [`parse`] builds the same [`serde_json::Value`] but refuses a
//! duplicate key at any depth, naming the key and the path of the object
//! that holds it (`inputs.collect[0]`, the path style of scenario errors).

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::fmt;

/// Why a text was refused.
#[derive(Debug)]
pub enum JsonError {
    /// Not JSON at all (syntax, end of input, bad escapes...).
    Syntax(serde_json::Error),
    /// JSON syntax that is refused: a key given twice in one object (the
    /// message names the key, its object's path, and the line and column).
    Refused(serde_json::Error),
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JsonError::Syntax(e) | JsonError::Refused(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for JsonError {}

/// Parses one JSON document, refusing duplicate keys.
pub fn parse(text: &str) -> Result<Value, JsonError> {
    let mut de = serde_json::Deserializer::from_str(text);
    let classify = |e: serde_json::Error| {
        // The seed's own errors are data errors to serde_json; everything
        // else is syntax, end of input or I/O.
        if e.is_data() {
            JsonError::Refused(e)
        } else {
            JsonError::Syntax(e)
        }
    };
    let value = Unique { path: "" }.deserialize(&mut de).map_err(classify)?;
    de.end().map_err(classify)?;
    Ok(value)
}

/// A [`serde_json::Value`] seed that knows where it is in the document.
struct Unique<'p> {
    /// `""` at the top level, else `a.b[2]`.
    path: &'p str,
}

impl<'de> DeserializeSeed<'de> for Unique<'_> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Unique<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Value, E> {
        Ok(Value::from(n))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Value, E> {
        Ok(Value::from(n))
    }

    fn visit_f64<E: de::Error>(self, n: f64) -> Result<Value, E> {
        // serde_json's reader gives only finite numbers (it refuses `1e400`
        // itself); `from_f64` fails only on NaN and infinity.
        serde_json::Number::from_f64(n)
            .map(Value::Number)
            .ok_or_else(|| E::custom(format!("the number {n} is not finite")))
    }

    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(s.to_string()))
    }

    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::String(s))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        loop {
            let path = format!("{}[{}]", self.path, out.len());
            match seq.next_element_seed(Unique { path: &path })? {
                Some(v) => out.push(v),
                None => return Ok(Value::Array(out)),
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(&key) {
                let msg = if self.path.is_empty() {
                    format!("duplicate key `{key}`")
                } else {
                    format!("duplicate key `{key}` in `{}`", self.path)
                };
                return Err(de::Error::custom(msg));
            }
            let path = if self.path.is_empty() {
                key.clone()
            } else {
                format!("{}.{key}", self.path)
            };
            let value = map.next_value_seed(Unique { path: &path })?;
            out.insert(key, value);
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn dup(text: &str) -> String {
        match parse(text) {
            Err(JsonError::Refused(e)) => e.to_string(),
            other => format!("not a duplicate-key error: {other:?}"),
        }
    }

    #[test]
    fn parses_like_serde_json() {
        for text in [
            r#"{"a": [1, -2, 3.5, "x", true, null, {"b": {}}], "c": 18446744073709551615}"#,
            "[]",
            "\"Adà\"",
            "1e23",
            r#"{"a": {"a": {"a": 1}}}"#,
        ] {
            let want: Value = serde_json::from_str(text).unwrap();
            assert_eq!(parse(text).unwrap(), want, "{text}");
        }
    }

    #[test]
    fn refuses_duplicate_keys_naming_key_and_path() {
        assert_eq!(
            dup(r#"{"clock": "2026-01-01", "clock": "2026-01-02"}"#),
            "duplicate key `clock` at line 1 column 31"
        );
        assert_eq!(
            dup(r#"{"inputs": {"s": [{"n": 1}, {"n": 1, "n": 2}]}}"#),
            "duplicate key `n` in `inputs.s[1]` at line 1 column 40"
        );
        assert_eq!(
            dup(r#"{"stubs": {"db": [], "db": []}}"#),
            "duplicate key `db` in `stubs` at line 1 column 25"
        );
        // deep inside a value that is otherwise never read
        assert!(dup(r#"[{"x": [{"y": {"z": 1, "z": 1}}]}]"#).contains("in `[0].x[0].y`"));
    }

    #[test]
    fn syntax_errors_stay_syntax_errors() {
        for text in ["{", "{\"a\": }", "[1,]", "{} {}", ""] {
            assert!(
                matches!(parse(text), Err(JsonError::Syntax(_))),
                "{text}: {:?}",
                parse(text)
            );
        }
    }
}

//! Reading the standard's JSON documents member by member, so that every problem is reported
//! with its JSON pointer instead of stopping at the first one as a typed deserialiser would.
//!
//! The hub validates national documents against the standard's schema before they reach
//! `to_local`, so these checks mostly repeat it; they stay because an adapter must never turn
//! a document it does not understand into a wrong local file.

use lgsp_guest::{AdapterError, Violations};
use serde_json::{Map, Value};

use crate::checks::Raw;

/// Parses a body as JSON, or refuses it with one violation that says where it broke.
pub fn parse(body: &[u8]) -> Result<Value, AdapterError> {
    if let Err(err) = std::str::from_utf8(body) {
        let mut v = Violations::new();
        v.push(
            "body",
            "encoding",
            format!(
                "the body is not valid UTF-8 (bad byte at offset {})",
                err.valid_up_to()
            ),
        );
        return Err(v.into());
    }
    serde_json::from_slice(body).map_err(|err| {
        let mut v = Violations::new();
        v.push("body", "json", format!("the body is not JSON: {err}"));
        v.into()
    })
}

/// The pointer to member `key` of the value at `parent`, escaped as RFC 6901 requires.
pub fn pointer(parent: &str, key: &str) -> String {
    format!("{parent}/{}", key.replace('~', "~0").replace('/', "~1"))
}

/// A JSON object and where it sits in the document.
pub struct Object<'a> {
    map: &'a Map<String, Value>,
    path: String,
}

impl<'a> Object<'a> {
    /// The object at `path`, or `None` after recording that it is something else.
    pub fn at(value: &'a Value, path: String, v: &mut Violations) -> Option<Self> {
        match value {
            Value::Object(map) => Some(Self { map, path }),
            _ => {
                v.push(path_or_body(&path), "type", "expected a JSON object");
                None
            }
        }
    }

    /// Where member `key` is.
    pub fn path(&self, key: &str) -> String {
        pointer(&self.path, key)
    }

    /// Records a violation for each member not in `known`: a member the standard does not
    /// define would otherwise be dropped without anyone noticing.
    pub fn only(&self, known: &[&str], v: &mut Violations) {
        for key in self.map.keys() {
            if !known.contains(&key.as_str()) {
                v.push(
                    self.path(key),
                    "unknown-field",
                    format!("`{key}` is not defined here"),
                );
            }
        }
    }

    /// Member `key`, absent when missing or null.
    pub fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|value| !value.is_null())
    }

    /// Member `key` as text.
    pub fn text(&self, key: &str, v: &mut Violations) -> Raw<'a> {
        match self.get(key) {
            None => Raw::Absent,
            Some(Value::String(text)) => Raw::from_text(text),
            Some(_) => {
                v.push(self.path(key), "type", "expected a string");
                Raw::Reported
            }
        }
    }

    /// Member `key` as a required whole number from 0 to `max`.
    pub fn count(&self, key: &str, max: u64, v: &mut Violations) -> Option<u32> {
        match self.get(key) {
            None => {
                v.push(self.path(key), "required", format!("`{key}` is required"));
                None
            }
            Some(value) => match value.as_u64() {
                Some(n) if n <= max => u32::try_from(n).ok(),
                _ => {
                    v.push(
                        self.path(key),
                        "format",
                        format!("expected a whole number from 0 to {max}"),
                    );
                    None
                }
            },
        }
    }

    /// Checks that member `key` is exactly `expected`, as `standard` and `version` must be.
    pub fn constant(&self, key: &str, expected: &str, v: &mut Violations) {
        match self.get(key) {
            None => v.push(self.path(key), "required", format!("`{key}` is required")),
            Some(Value::String(text)) if text == expected => {}
            Some(_) => v.push(
                self.path(key),
                "standard",
                format!("expected `{expected}`; this adapter reads no other"),
            ),
        }
    }
}

/// A root pointer is empty, which reads badly in a message; the whole body is meant.
fn path_or_body(path: &str) -> &str {
    if path.is_empty() { "body" } else { path }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_escape_slash_and_tilde() {
        assert_eq!(pointer("/records/0", "a/b~c"), "/records/0/a~1b~0c");
    }

    #[test]
    fn parse_failures_are_located() {
        let codes = |body: &[u8]| match parse(body) {
            Err(AdapterError::Rejected(v)) => v.into_iter().map(|v| v.code).collect::<Vec<_>>(),
            _ => Vec::new(),
        };
        assert_eq!(codes(b"{\"a\":\xff}"), ["encoding"]);
        assert_eq!(codes(b"{\"a\":"), ["json"]);
        assert!(parse(b"{}").is_ok());
    }
}

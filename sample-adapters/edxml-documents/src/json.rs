//! Reading a JSON object field by field while collecting every violation.
//!
//! serde's derive stops at the first mistake; a clerk fixing a message wants all of them at
//! once, each with the JSON pointer of the field. [`Obj`] wraps one object and its pointer
//! and records a violation for each field that is missing, of the wrong type or badly shaped,
//! returning `None` for it so that reading goes on.

use lgsp_guest::Violations;
use serde_json::{Map, Value};

use crate::codes::CodeList;
use crate::dates::{Date, Spelling, Timestamp};
use crate::rules;

/// One JSON object and where it sits in the message.
pub struct Obj<'a> {
    map: &'a Map<String, Value>,
    path: String,
}

/// `value` as an object at `path`, or a `type` violation.
pub fn object<'a>(value: &'a Value, path: &str, v: &mut Violations) -> Option<Obj<'a>> {
    match value {
        Value::Object(map) => Some(Obj {
            map,
            path: path.to_owned(),
        }),
        other => {
            v.push(
                path,
                "type",
                format!("expected an object, found {}", kind_of(other)),
            );
            None
        }
    }
}

/// The JSON pointer of `key` under `base` (RFC 6901 escaping).
pub fn pointer(base: &str, key: &str) -> String {
    format!("{base}/{}", key.replace('~', "~0").replace('/', "~1"))
}

impl<'a> Obj<'a> {
    /// The pointer of one of this object's fields.
    pub fn at(&self, key: &str) -> String {
        pointer(&self.path, key)
    }

    /// Records an `unknown-field` violation for every key not in `known`, so that a misspelt
    /// field is reported rather than silently dropped.
    pub fn only(&self, known: &[&str], v: &mut Violations) {
        for key in self.map.keys().filter(|k| !known.contains(&k.as_str())) {
            v.push(
                self.at(key),
                "unknown-field",
                format!("{key:?} is not a field here"),
            );
        }
    }

    /// Whether `key` is given: present, not null, and not an empty array.
    pub fn is_given(&self, key: &str) -> bool {
        self.get(key)
            .is_some_and(|value| value.as_array().is_none_or(|a| !a.is_empty()))
    }

    /// A field that is present and not null.
    fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|value| !value.is_null())
    }

    fn missing(&self, key: &str, v: &mut Violations) {
        v.push(self.at(key), "required", format!("{key:?} is required"));
    }

    /// A required, non-blank string, trimmed.
    pub fn text(&self, key: &str, v: &mut Violations) -> Option<String> {
        match self.get(key) {
            None => {
                self.missing(key, v);
                None
            }
            Some(Value::String(text)) if text.trim().is_empty() => {
                self.missing(key, v);
                None
            }
            Some(_) => self.opt_text(key, v),
        }
    }

    /// An optional string, trimmed; blank counts as absent, as many systems export it.
    pub fn opt_text(&self, key: &str, v: &mut Violations) -> Option<String> {
        let value = self.get(key)?;
        let Some(text) = value.as_str() else {
            v.push(
                self.at(key),
                "type",
                format!("expected a string, found {}", kind_of(value)),
            );
            return None;
        };
        let text = text.trim();
        if !rules::is_xml_text(text) {
            v.push(
                self.at(key),
                "format",
                "contains a control character that XML cannot carry",
            );
            return None;
        }
        (!text.is_empty()).then(|| text.to_owned())
    }

    /// A required agency code.
    pub fn organ_id(&self, key: &str, v: &mut Violations) -> Option<String> {
        let code = self.text(key, v)?;
        if rules::is_organ_id(&code) {
            Some(code)
        } else {
            v.push(
                self.at(key),
                "format",
                format!("{code:?} is not an agency code (such as 000.00.00.H41 or 01.02.G22)"),
            );
            None
        }
    }

    /// An optional whole number, at most `max`.
    pub fn opt_number(&self, key: &str, max: u64, v: &mut Violations) -> Option<u64> {
        let value = self.get(key)?;
        match value.as_u64() {
            Some(n) if n <= max => Some(n),
            Some(_) => {
                v.push(self.at(key), "range", format!("must be at most {max}"));
                None
            }
            None if value.as_i64().is_some() => {
                v.push(self.at(key), "range", "must not be negative");
                None
            }
            None => {
                let found = kind_of(value);
                v.push(
                    self.at(key),
                    "type",
                    format!("expected a whole number, found {found}"),
                );
                None
            }
        }
    }

    /// A required whole number, at most `max`.
    pub fn number(&self, key: &str, max: u64, v: &mut Violations) -> Option<u64> {
        if self.get(key).is_none() {
            self.missing(key, v);
        }
        self.opt_number(key, max, v)
    }

    /// An optional boolean.
    pub fn opt_bool(&self, key: &str, v: &mut Violations) -> Option<bool> {
        let value = self.get(key)?;
        let flag = value.as_bool();
        if flag.is_none() {
            v.push(
                self.at(key),
                "type",
                format!("expected true or false, found {}", kind_of(value)),
            );
        }
        flag
    }

    /// A required date written `dd/mm/yyyy`.
    pub fn date(&self, key: &str, v: &mut Violations) -> Option<Date> {
        let text = self.text(key, v)?;
        self.check_date(key, &text, v)
    }

    /// An optional date written `dd/mm/yyyy`.
    pub fn opt_date(&self, key: &str, v: &mut Violations) -> Option<Date> {
        let text = self.opt_text(key, v)?;
        self.check_date(key, &text, v)
    }

    fn check_date(&self, key: &str, text: &str, v: &mut Violations) -> Option<Date> {
        let date = Date::parse(text, Spelling::Local);
        if date.is_none() {
            let pattern = Spelling::Local.date_pattern();
            v.push(
                self.at(key),
                "format",
                format!("{text:?} is not a date written {pattern}"),
            );
        }
        date
    }

    /// A required timestamp written `dd/mm/yyyy HH:MM:SS`.
    pub fn timestamp(&self, key: &str, v: &mut Violations) -> Option<Timestamp> {
        let text = self.text(key, v)?;
        let ts = Timestamp::parse(&text, Spelling::Local);
        if ts.is_none() {
            let pattern = Spelling::Local.timestamp_pattern();
            v.push(
                self.at(key),
                "format",
                format!("{text:?} is not a time written {pattern}"),
            );
        }
        ts
    }

    /// An optional member of a code list, written as its local word.
    pub fn opt_code<T>(
        &self,
        key: &str,
        (what, words, parse): CodeList<T>,
        v: &mut Violations,
    ) -> Option<T> {
        let word = self.opt_text(key, v)?;
        let code = parse(&word);
        if code.is_none() {
            let words = words.join(", ");
            v.push(
                self.at(key),
                "unknown-code",
                format!("{word:?} is not a {what}: use one of {words}"),
            );
        }
        code
    }

    /// A required member of a code list.
    pub fn code<T>(&self, key: &str, list: CodeList<T>, v: &mut Violations) -> Option<T> {
        if self
            .get(key)
            .is_none_or(|value| value.as_str().is_some_and(|s| s.trim().is_empty()))
        {
            self.missing(key, v);
            return None;
        }
        self.opt_code(key, list, v)
    }

    /// A required nested object.
    pub fn object(&self, key: &str, v: &mut Violations) -> Option<Obj<'a>> {
        let Some(value) = self.get(key) else {
            self.missing(key, v);
            return None;
        };
        object(value, &self.at(key), v)
    }

    /// An optional nested object.
    pub fn opt_object(&self, key: &str, v: &mut Violations) -> Option<Obj<'a>> {
        object(self.get(key)?, &self.at(key), v)
    }

    /// The items of an optional array, each with its pointer; absent reads as empty.
    pub fn array(&self, key: &str, v: &mut Violations) -> Vec<(String, &'a Value)> {
        let Some(value) = self.get(key) else {
            return Vec::new();
        };
        let Some(items) = value.as_array() else {
            v.push(
                self.at(key),
                "type",
                format!("expected an array, found {}", kind_of(value)),
            );
            return Vec::new();
        };
        let base = self.at(key);
        items
            .iter()
            .enumerate()
            .map(|(i, item)| (format!("{base}/{i}"), item))
            .collect()
    }

    /// An optional array of non-blank strings.
    pub fn texts(&self, key: &str, v: &mut Violations) -> Vec<String> {
        let mut out = Vec::new();
        for (path, item) in self.array(key, v) {
            match item.as_str().map(str::trim) {
                Some("") => v.push(path, "required", "must not be blank"),
                Some(text) if !rules::is_xml_text(text) => v.push(
                    path,
                    "format",
                    "contains a control character that XML cannot carry",
                ),
                Some(text) => out.push(text.to_owned()),
                None => v.push(
                    path,
                    "type",
                    format!("expected a string, found {}", kind_of(item)),
                ),
            }
        }
        out
    }
}

/// How a JSON value is called in messages.
fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

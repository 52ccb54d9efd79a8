//! JSON Schema standards, through the `jsonschema` crate.

use std::path::Path;

use super::{StandardError, cap};
use crate::message::Violation;

/// A compiled JSON Schema.
pub(super) struct JsonStandard {
    validator: jsonschema::Validator,
}

impl JsonStandard {
    pub(super) fn load(key: &str, path: &Path) -> Result<Self, StandardError> {
        let text = std::fs::read_to_string(path).map_err(|source| StandardError::Read {
            standard: key.to_owned(),
            path: path.to_owned(),
            source,
        })?;
        let compile = |message: String| StandardError::Compile {
            standard: key.to_owned(),
            path: path.to_owned(),
            message,
        };
        let schema: serde_json::Value =
            serde_json::from_str(&text).map_err(|err| compile(err.to_string()))?;
        // Formats are assertions in a national standard, not annotations.
        let validator = jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .map_err(|err| compile(err.to_string()))?;
        Ok(Self { validator })
    }

    pub(super) fn validate(&self, body: &[u8]) -> Result<(), Vec<Violation>> {
        // serde_json refuses nesting deeper than 128 levels, which bounds the work here.
        let instance: serde_json::Value = serde_json::from_slice(body).map_err(|err| {
            vec![Violation::new(
                format!("line {}, column {}", err.line(), err.column()),
                "malformed",
                format!("the national form is not valid JSON: {err}"),
            )]
        })?;
        // The common case, a valid form, takes the validator's short-circuiting path; the
        // errors are only collected for a form already known to be invalid.
        if self.validator.is_valid(&instance) {
            return Ok(());
        }
        let violations: Vec<Violation> = self
            .validator
            .iter_errors(&instance)
            .map(|err| {
                let path = err.instance_path().as_str();
                Violation::new(
                    if path.is_empty() { "/" } else { path },
                    err.kind().keyword(),
                    err.to_string(),
                )
            })
            .collect();
        if violations.is_empty() {
            Ok(())
        } else {
            Err(cap(violations))
        }
    }
}

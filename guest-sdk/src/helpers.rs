//! Conveniences over the contract's types: building messages and collecting violations.

use crate::{AdapterError, Message, Violation};

impl Message {
    /// A message with a content type and a body, and no metadata.
    pub fn new(content_type: impl Into<String>, body: impl Into<Vec<u8>>) -> Self {
        Self {
            content_type: content_type.into(),
            metadata: Vec::new(),
            body: body.into(),
        }
    }

    /// Adds one metadata pair, keeping those already there.
    pub fn with_meta(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.metadata.push((key.into(), value.into()));
        self
    }

    /// The first value of metadata `key`, if present.
    pub fn meta(&self, key: &str) -> Option<&str> {
        self.metadata
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The media type without parameters, lowercased: `text/csv; charset=utf-8` is `text/csv`.
    pub fn media_type(&self) -> String {
        self.content_type
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase()
    }

    /// The body as UTF-8 text, or a rejection that says where the first bad byte is.
    pub fn text(&self) -> Result<&str, AdapterError> {
        std::str::from_utf8(&self.body).map_err(|err| {
            AdapterError::Rejected(vec![Violation::new(
                "body",
                "encoding",
                format!(
                    "the body is not valid UTF-8 (first bad byte at offset {})",
                    err.valid_up_to()
                ),
            )])
        })
    }
}

impl Violation {
    /// One violation.
    pub fn new(
        path: impl Into<String>,
        code: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            path: path.into(),
            code: code.into(),
            message: message.into(),
        }
    }
}

/// Most violations kept; the hub reports no more than this many either.
pub const MAX_VIOLATIONS: usize = 100;

/// Collects every violation of an input before refusing it, so that the author of the input
/// can fix all of them in one round. Past [`MAX_VIOLATIONS`] it only counts, so that a huge
/// bad input cannot make a huge answer (or exceed what the hub accepts from an adapter).
#[derive(Debug, Default, Clone)]
pub struct Violations {
    kept: Vec<Violation>,
    dropped: usize,
}

impl Violations {
    /// No violations yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records one violation.
    pub fn push(
        &mut self,
        path: impl Into<String>,
        code: impl Into<String>,
        message: impl Into<String>,
    ) {
        if self.kept.len() < MAX_VIOLATIONS {
            self.kept.push(Violation::new(path, code, message));
        } else {
            self.dropped += 1;
        }
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.kept.is_empty()
    }

    /// The violations kept so far (at most [`MAX_VIOLATIONS`]).
    pub fn as_slice(&self) -> &[Violation] {
        &self.kept
    }

    /// `Ok(value)` when nothing was recorded, otherwise a rejection listing the violations.
    pub fn finish<T>(self, value: T) -> Result<T, AdapterError> {
        if self.kept.is_empty() {
            Ok(value)
        } else {
            Err(self.into())
        }
    }

    fn into_list(mut self) -> Vec<Violation> {
        if self.dropped > 0 {
            self.kept.push(Violation::new(
                "",
                "too-many-violations",
                format!("{} more violations were left out", self.dropped),
            ));
        }
        self.kept
    }
}

impl From<Violations> for AdapterError {
    fn from(v: Violations) -> Self {
        AdapterError::Rejected(v.into_list())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn past_the_cap_violations_are_counted_not_kept() {
        let mut v = Violations::new();
        for i in 0..MAX_VIOLATIONS + 5 {
            v.push(format!("row {i}"), "required", "missing");
        }
        let Err(AdapterError::Rejected(list)) = v.finish(()) else {
            panic!("a rejection");
        };
        assert_eq!(list.len(), MAX_VIOLATIONS + 1);
        assert_eq!(list[MAX_VIOLATIONS].code, "too-many-violations");
        assert_eq!(
            list[MAX_VIOLATIONS].message,
            "5 more violations were left out"
        );
    }
}

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

/// Collects every violation of an input before refusing it, so that the author of the input
/// can fix all of them in one round.
#[derive(Debug, Default, Clone)]
pub struct Violations(Vec<Violation>);

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
        self.0.push(Violation::new(path, code, message));
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The violations recorded so far.
    pub fn as_slice(&self) -> &[Violation] {
        &self.0
    }

    /// `Ok(value)` when nothing was recorded, otherwise a rejection listing every violation.
    pub fn finish<T>(self, value: T) -> Result<T, AdapterError> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(AdapterError::Rejected(self.0))
        }
    }
}

impl From<Violations> for AdapterError {
    fn from(v: Violations) -> Self {
        AdapterError::Rejected(v.0)
    }
}

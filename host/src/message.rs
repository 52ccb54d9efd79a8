//! The hub's own view of a message and of a field violation.
//!
//! These are the values that travel between the HTTP edge, the runtime, the standards and the
//! providers. They mirror the contract's `message` and `violation` records but belong to the
//! host, so no other module needs the generated bindings.

use bytes::Bytes;
use serde::Serialize;

/// One message, in local or national form.
#[derive(Debug, Clone, Default)]
pub struct Message {
    /// MIME type of `body`, as given.
    pub content_type: String,
    /// Ordered key/value pairs that travel with the body.
    pub metadata: Vec<(String, String)>,
    /// The bytes.
    pub body: Bytes,
}

impl Message {
    /// The media type without parameters, lowercased (`text/csv; charset=utf-8` is `text/csv`).
    pub fn media_type(&self) -> String {
        media_type(&self.content_type)
    }
}

/// The media type of a `Content-Type` value without parameters, lowercased.
pub fn media_type(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// One reason why a message was refused, for the author of that message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Violation {
    /// Where: a JSON pointer, an element path, a line, or a CSV cell.
    pub path: String,
    /// A stable, machine-readable code.
    pub code: String,
    /// A sentence for a person.
    pub message: String,
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

/// `text` cut to at most `max` bytes, on a character boundary.
pub fn truncate(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// `text` made safe for one log line: control characters (new lines, escapes, NUL) are
/// written as escapes, so that nothing a caller or an adapter sends can forge a line or
/// colour a terminal. Everything else, Vietnamese letters included, is kept as it is.
pub fn loggable(text: &str) -> std::borrow::Cow<'_, str> {
    // Line and paragraph separators end a line in some log viewers, as a new line does.
    let unsafe_char = |c: char| c.is_control() || c == '\u{2028}' || c == '\u{2029}';
    if text.chars().any(unsafe_char) {
        text.chars()
            .map(|c| {
                if unsafe_char(c) {
                    c.escape_default().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect::<String>()
            .into()
    } else {
        text.into()
    }
}

#[cfg(test)]
mod tests {
    use super::{loggable, truncate};

    #[test]
    fn truncation_keeps_whole_characters() {
        assert_eq!(truncate("Hà Nội", 2), "H");
        assert_eq!(truncate("Hà Nội", 3), "Hà");
        assert_eq!(truncate("abc", 10), "abc");
    }

    #[test]
    fn control_characters_cannot_forge_log_lines() {
        assert_eq!(loggable("x\n2026 INFO forged"), "x\\n2026 INFO forged");
        assert_eq!(loggable("\u{1b}[31mred\0"), "\\u{1b}[31mred\\u{0}");
        assert_eq!(loggable("Phường Ba Đình"), "Phường Ba Đình");
        assert_eq!(loggable("a\u{2028}b"), "a\\u{2028}b");
    }
}

//! Base64 for attachment bytes: strict standard-alphabet decoding, one-line encoding.
//!
//! edXML carries files as base64, sometimes broken into lines; the local form carries them as
//! one base64 string. Both are decoded to bytes, so that a corrupt file is refused where it
//! enters rather than passed on, and written back without line breaks.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// Decodes `text`, ignoring ASCII white space (line breaks in edXML).
pub fn decode(text: &str) -> Option<Vec<u8>> {
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    STANDARD.decode(compact).ok()
}

/// Encodes `bytes` on one line, with padding.
pub fn encode(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// Serialises bytes as one base64 string, for the local form.
pub fn serialize<S: serde::Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_breaks_are_ignored_and_not_written() {
        assert_eq!(
            decode("UEsD\r\nBBQA\n"),
            Some(b"PK\x03\x04\x14\x00".to_vec())
        );
        assert_eq!(encode(b"PK\x03\x04\x14\x00"), "UEsDBBQA");
    }

    #[test]
    fn corrupt_base64_is_refused() {
        for text in ["UEsD!", "UEs", "@@@", "UEsDBBQA===", "UEsD BBQ"] {
            assert_eq!(decode(text), None, "{text}");
        }
    }
}

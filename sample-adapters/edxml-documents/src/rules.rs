//! Shape rules for single values that both directions enforce.
//!
//! They mirror the simple types of `standards/edxml/qcvn-102-2016.xsd`, so that whatever
//! this adapter writes passes the hub's validation, and whatever it reads was what the
//! standard allows. Keep the two in step.

/// An organisation identifier: dot-separated letters and digits with at least one digit
/// (`000.00.00.H41`, `01.02.G22`, `G12`, `vxp.saas.03`; never a placeholder like `null`).
pub fn is_organ_id(text: &str) -> bool {
    !text.is_empty()
        && text
            .split('.')
            .all(|group| !group.is_empty() && group.bytes().all(|b| b.is_ascii_alphanumeric()))
        && text.bytes().any(|b| b.is_ascii_digit())
}

/// A MIME content-id URL, `cid:` and at least one more character, no white space.
pub fn is_content_id(text: &str) -> bool {
    text.strip_prefix("cid:")
        .is_some_and(|rest| !rest.is_empty() && !rest.chars().any(char::is_whitespace))
}

/// A media type without parameters, such as `application/pdf`.
pub fn is_media_type(text: &str) -> bool {
    let token = |part: &str| {
        part.bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphanumeric())
            && part
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$&^_.+-".contains(&b))
    };
    text.split_once('/')
        .is_some_and(|(kind, sub)| token(kind) && token(sub))
}

/// Whether XML 1.0 can carry every character of `text` (no NUL or other C0 controls but tab,
/// line feed and carriage return; no U+FFFE or U+FFFF).
pub fn is_xml_text(text: &str) -> bool {
    text.chars().all(|c| {
        matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn organ_ids_take_every_shape_in_use() {
        for id in [
            "000.00.00.H41",
            "002.00.20.H13",
            "01.02.G22",
            "G12",
            "vxp.saas.03",
            "001.00.20.TT2",
        ] {
            assert!(is_organ_id(id), "{id}");
        }
        for id in [
            "null",
            "",
            "000..H41",
            ".H41",
            "H41.",
            "000 00",
            "vxp-saas-03",
            "abc",
        ] {
            assert!(!is_organ_id(id), "{id}");
        }
    }

    #[test]
    fn content_ids_and_media_types() {
        assert!(is_content_id("cid:209"));
        assert!(!is_content_id("cid:"));
        assert!(!is_content_id("209"));
        assert!(!is_content_id("cid:a b"));
        assert!(is_media_type(
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        ));
        assert!(!is_media_type("application/pdf; charset=utf-8"));
        assert!(!is_media_type("pdf"));
        assert!(!is_media_type("/pdf"));
    }

    #[test]
    fn xml_text_refuses_control_characters() {
        assert!(is_xml_text("Hà Nội\n\tok"));
        assert!(!is_xml_text("a\u{0}b"));
        assert!(!is_xml_text("a\u{1b}b"));
    }
}

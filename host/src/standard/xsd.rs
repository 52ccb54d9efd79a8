//! XML Schema standards, through libxml2 (the `libxml` crate).
//!
//! libxml2's validation contexts are not `Send`, so each blocking thread compiles its own
//! context once per standard and keeps it in a thread-local cache: a schema is compiled once
//! per thread, never per message. Documents with a DOCTYPE are refused before libxml2 parses
//! them, so no entity is ever expanded and no external resource ever read.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use libxml::error::XmlErrorLevel;
use libxml::parser::{Parser, ParserOptions, XmlParseFailure};
use libxml::schemas::{SchemaParserContext, SchemaValidationContext};

use super::{StandardError, cap};
use crate::message::Violation;

/// A standard's XSD, compiled lazily per thread.
pub(super) struct XsdStandard {
    key: String,
    path: PathBuf,
}

thread_local! {
    static CONTEXTS: RefCell<HashMap<String, SchemaValidationContext>> = RefCell::new(HashMap::new());
}

impl XsdStandard {
    pub(super) fn load(key: &str, path: &Path) -> Result<Self, StandardError> {
        if let Err(source) = std::fs::metadata(path) {
            return Err(StandardError::Read {
                standard: key.to_owned(),
                path: path.to_owned(),
                source,
            });
        }
        let this = Self {
            key: key.to_owned(),
            path: path.to_owned(),
        };
        // Compile once now so that a broken schema stops the hub at start.
        this.compile().map_err(|message| StandardError::Compile {
            standard: key.to_owned(),
            path: path.to_owned(),
            message,
        })?;
        Ok(this)
    }

    fn compile(&self) -> Result<SchemaValidationContext, String> {
        let path = self.path.to_string_lossy();
        let mut parser = SchemaParserContext::from_file(&path);
        SchemaValidationContext::from_parser(&mut parser).map_err(|errors| {
            errors
                .iter()
                .filter_map(|e| e.message.as_deref())
                .map(str::trim)
                .collect::<Vec<_>>()
                .join("; ")
        })
    }

    pub(super) fn validate(&self, body: &[u8]) -> Result<(), Vec<Violation>> {
        precheck(body)?;

        // Never recover: the libxml crate's default repairs malformed input, and a repaired
        // document is not the one that was sent.
        let options = ParserOptions {
            recover: false,
            no_net: true,
            no_error: true,
            no_warning: true,
            ..ParserOptions::default()
        };
        let doc = match Parser::default().parse_string_with_diagnostics(body, options) {
            Ok((doc, _warnings)) => doc,
            Err(XmlParseFailure::ParseFailed(errors)) => {
                return Err(cap(errors
                    .iter()
                    .filter(|e| !matches!(e.level, XmlErrorLevel::Warning | XmlErrorLevel::None))
                    .map(|e| {
                        let path = e.line.map(|l| format!("line {l}")).unwrap_or_default();
                        let message = e.message.as_deref().unwrap_or("not well-formed").trim();
                        Violation::new(
                            path,
                            "malformed",
                            format!("the national form is not well-formed XML: {message}"),
                        )
                    })
                    .collect()));
            }
            Err(other) => {
                return Err(vec![Violation::new(
                    "",
                    "malformed",
                    format!("the national form could not be parsed as XML: {other}"),
                )]);
            }
        };

        CONTEXTS.with(|cell| {
            let mut contexts = cell.borrow_mut();
            if !contexts.contains_key(&self.key) {
                let ctx = self
                    .compile()
                    .map_err(|message| vec![Violation::new("", "validator-failed", message)])?;
                contexts.insert(self.key.clone(), ctx);
            }
            let Some(ctx) = contexts.get_mut(&self.key) else {
                return Ok(());
            };
            ctx.validate_document(&doc).map_err(|errors| {
                cap(errors
                    .into_iter()
                    .map(|e| {
                        let message = e.message.as_deref().unwrap_or("invalid").trim().to_owned();
                        let path = match (element_of(&message), e.line) {
                            (Some(el), Some(line)) => format!("line {line}, {el}"),
                            (None, Some(line)) => format!("line {line}"),
                            (Some(el), None) => el,
                            (None, None) => String::new(),
                        };
                        Violation::new(path, "schema", message)
                    })
                    .collect())
            })
        })
    }
}

/// libxml2 names the element at fault as `Element '{ns}Name': ...`; keep the local name.
fn element_of(message: &str) -> Option<String> {
    let rest = message.strip_prefix("Element '")?;
    let name = &rest[..rest.find('\'')?];
    let local = name.rsplit('}').next().unwrap_or(name);
    Some(format!("element {local}"))
}

/// Deepest element nesting accepted in a national form (libxml2's own default limit).
pub const MAX_XML_DEPTH: usize = 256;
/// Most attributes accepted on one element of a national form.
pub const MAX_XML_ATTRIBUTES: usize = 256;

/// One linear pass over the document before libxml2 sees it, refusing what would make
/// libxml2 expensive or dangerous: any document type declaration (entity expansion, external
/// entities), text that is not UTF-8 (so no other encoding can hide a declaration), elements
/// nested past [`MAX_XML_DEPTH`], and elements with more than [`MAX_XML_ATTRIBUTES`]
/// attributes (libxml2's duplicate check is quadratic in them, and cannot be interrupted).
fn precheck(body: &[u8]) -> Result<(), Vec<Violation>> {
    use quick_xml::events::Event;

    let refuse = |at: u64, code: &str, message: String| {
        Err(vec![Violation::new(format!("byte {at}"), code, message)])
    };
    if let Err(err) = std::str::from_utf8(body) {
        return refuse(
            err.valid_up_to() as u64,
            "encoding",
            "the national form must be UTF-8 text".to_owned(),
        );
    }
    // XML has no NUL character; a NUL byte means UTF-16 or UTF-32, which libxml2 would
    // detect on its own and read past this check.
    if let Some(at) = body.iter().position(|&b| b == 0) {
        return refuse(
            at as u64,
            "encoding",
            "the national form must be UTF-8 text (it holds a NUL byte)".to_owned(),
        );
    }
    let mut reader = quick_xml::Reader::from_reader(body);
    let mut buf = Vec::new();
    let mut depth = 0usize;
    loop {
        let at = reader.buffer_position();
        match reader.read_event_into(&mut buf) {
            Ok(Event::Decl(decl)) => {
                let encoding = decl.encoding().and_then(Result::ok);
                if let Some(name) = encoding
                    && !name.eq_ignore_ascii_case(b"utf-8")
                {
                    let name = String::from_utf8_lossy(&name).into_owned();
                    return refuse(
                        at,
                        "encoding",
                        format!("the national form must be UTF-8, not {name:?}"),
                    );
                }
            }
            Ok(Event::DocType(_)) => {
                return refuse(
                    at,
                    "doctype",
                    "document type declarations are not allowed in the national form".to_owned(),
                );
            }
            Ok(event @ (Event::Start(_) | Event::Empty(_))) => {
                let (Event::Start(element) | Event::Empty(element)) = &event else {
                    continue;
                };
                if element.attributes().with_checks(false).count() > MAX_XML_ATTRIBUTES {
                    return refuse(
                        at,
                        "attributes",
                        format!("an element has more than {MAX_XML_ATTRIBUTES} attributes"),
                    );
                }
                if matches!(event, Event::Start(_)) {
                    depth += 1;
                    if depth > MAX_XML_DEPTH {
                        return refuse(
                            at,
                            "depth",
                            format!("elements are nested deeper than {MAX_XML_DEPTH}"),
                        );
                    }
                }
            }
            Ok(Event::End(_)) => depth = depth.saturating_sub(1),
            Ok(Event::Eof) => return Ok(()),
            Ok(_) => {}
            Err(err) => {
                return refuse(
                    at,
                    "malformed",
                    format!("the national form is not well-formed XML: {err}"),
                );
            }
        }
        buf.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(body: &[u8]) -> String {
        precheck(body).expect_err("refused")[0].code.clone()
    }

    #[test]
    fn doctype_is_refused_before_parsing() {
        let xxe = br#"<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>"#;
        assert_eq!(code(xxe), "doctype");
        assert!(precheck(b"<?xml version=\"1.0\"?><!-- c --><r a=\"1\"><s/></r>").is_ok());
    }

    #[test]
    fn other_encodings_cannot_hide_a_doctype() {
        let utf16: Vec<u8> = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><!DOCTYPE r><r/>"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert_eq!(code(&utf16), "encoding");
        // `<?xml version="1.0" encoding="EBCDIC"?><!DOCTYPE` in EBCDIC (code page 037).
        let ebcdic = [
            0x4c, 0x6f, 0xa7, 0x94, 0x93, 0x40, 0xa5, 0x85, 0x99, 0xa2, 0x89, 0x96, 0x95, 0x7e,
            0x7f, 0xf1, 0x4b, 0xf0, 0x7f, 0x6f, 0x6e, 0x4c, 0x5a, 0xc4, 0xd6, 0xc3, 0xe3, 0xe8,
            0xd7, 0xc5,
        ];
        assert_eq!(code(&ebcdic), "encoding");
        assert_eq!(
            code(b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><r/>"),
            "encoding"
        );
    }

    #[test]
    fn structures_that_make_libxml2_slow_are_refused() {
        let attrs: String = (0..=MAX_XML_ATTRIBUTES)
            .map(|i| format!(" a{i}=\"1\""))
            .collect();
        assert_eq!(code(format!("<r{attrs}/>").as_bytes()), "attributes");
        let deep = "<a>".repeat(MAX_XML_DEPTH + 1);
        assert_eq!(code(deep.as_bytes()), "depth");
        let ok_deep = format!(
            "{}{}",
            "<a>".repeat(MAX_XML_DEPTH),
            "</a>".repeat(MAX_XML_DEPTH)
        );
        assert!(precheck(ok_deep.as_bytes()).is_ok());
        assert_eq!(code(b"<a><b></a>"), "malformed");
    }

    #[test]
    fn element_name_is_taken_from_libxml_messages() {
        let m = "Element '{http://www.mic.gov.vn/TBT/QCVN_102_2016}StatusCode': [facet 'enumeration'] ...";
        assert_eq!(element_of(m).as_deref(), Some("element StatusCode"));
        assert_eq!(element_of("Something else"), None);
    }
}

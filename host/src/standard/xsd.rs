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
        refuse_doctype(body)?;

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

/// Refuses any document type declaration: national standards have no use for one, and it is
/// the door to entity expansion and external entities.
fn refuse_doctype(body: &[u8]) -> Result<(), Vec<Violation>> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(body);
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::DocType(_)) => {
                return Err(vec![Violation::new(
                    format!("byte {}", reader.buffer_position()),
                    "doctype",
                    "document type declarations are not allowed in the national form",
                )]);
            }
            // The prolog ends at the first element; libxml2 reports anything malformed later.
            Ok(Event::Start(_) | Event::Empty(_) | Event::Eof) | Err(_) => return Ok(()),
            Ok(_) => buf.clear(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doctype_is_refused_before_parsing() {
        let xxe = br#"<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>"#;
        let err = refuse_doctype(xxe).expect_err("a DOCTYPE is refused");
        assert_eq!(err[0].code, "doctype");
        assert!(refuse_doctype(b"<?xml version=\"1.0\"?><!-- c --><r/>").is_ok());
    }

    #[test]
    fn element_name_is_taken_from_libxml_messages() {
        let m = "Element '{http://www.mic.gov.vn/TBT/QCVN_102_2016}StatusCode': [facet 'enumeration'] ...";
        assert_eq!(element_of(m).as_deref(), Some("element StatusCode"));
        assert_eq!(element_of("Something else"), None);
    }
}

//! XML Schema standards, through libxml2 (the `libxml` crate).
//!
//! libxml2's validation contexts are not `Send`, so each blocking thread compiles its own
//! context once per standard and keeps it in a thread-local cache: a schema is compiled once
//! per thread, never per message. Documents with a DOCTYPE are refused before libxml2 parses
//! them, so no entity is ever expanded and no external resource ever read.
//!
//! The schema documents themselves are read with quick-xml before libxml2 compiles them: a
//! schema may include or import others only by a relative path inside its own folder (a
//! multi-file standard named in the configuration), or not at all (a schema uploaded through
//! the admin API), so that libxml2 never fetches a URL nor reads a file the operator did not
//! put beside the schema.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};

use libxml::error::XmlErrorLevel;
use libxml::parser::{Parser, ParserOptions, XmlParseFailure};
use libxml::schemas::{SchemaParserContext, SchemaValidationContext};

use super::{StandardError, cap};
use crate::message::Violation;

/// Which other schema documents an XSD may include, import, redefine or override.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaReferences {
    /// Documents named by a relative path inside the schema's own folder.
    SameFolder,
    /// None: the schema is one self-contained document.
    None,
}

/// Most schema documents one standard may be made of.
pub const MAX_SCHEMA_DOCUMENTS: usize = 256;

/// A standard's XSD, compiled lazily per thread.
pub(super) struct XsdStandard {
    key: String,
    path: PathBuf,
}

thread_local! {
    static CONTEXTS: RefCell<HashMap<String, SchemaValidationContext>> = RefCell::new(HashMap::new());
}

impl XsdStandard {
    pub(super) fn load(
        key: &str,
        path: &Path,
        references: SchemaReferences,
    ) -> Result<Self, StandardError> {
        if let Err(source) = std::fs::metadata(path) {
            return Err(StandardError::Read {
                standard: key.to_owned(),
                path: path.to_owned(),
                source,
            });
        }
        let compile_error = |message| StandardError::Compile {
            standard: key.to_owned(),
            path: path.to_owned(),
            message,
        };
        check_schema_documents(path, references).map_err(compile_error)?;
        let this = Self {
            key: key.to_owned(),
            path: path.to_owned(),
        };
        // Compile once now so that a broken schema stops the hub at start.
        this.compile().map_err(compile_error)?;
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

/// Reads `root` and every schema document it refers to, refusing a reference that
/// `references` does not allow, and any document that is not well-formed or carries a
/// document type declaration, before libxml2 reads any of them.
fn check_schema_documents(root: &Path, references: SchemaReferences) -> Result<(), String> {
    let mut pending = vec![root.to_path_buf()];
    let mut seen = HashSet::new();
    while let Some(path) = pending.pop() {
        if !seen.insert(path.clone()) {
            continue;
        }
        if seen.len() > MAX_SCHEMA_DOCUMENTS {
            return Err(format!(
                "the schema is made of more than {MAX_SCHEMA_DOCUMENTS} documents"
            ));
        }
        let name = path
            .strip_prefix(root.parent().unwrap_or(Path::new("")))
            .unwrap_or(&path);
        let text = std::fs::read(&path).map_err(|e| format!("{}: {e}", name.display()))?;
        let locations = schema_locations(&text).map_err(|e| format!("{}: {e}", name.display()))?;
        for location in locations {
            if references == SchemaReferences::None {
                return Err(format!(
                    "{}: refers to the schema document {location:?}; a schema uploaded through \
                     the admin API must be one self-contained document",
                    name.display()
                ));
            }
            let relative = Path::new(&location);
            let plain = !location.is_empty()
                && !location.contains([':', '%', '\\', '?', '#'])
                && relative
                    .components()
                    .all(|c| matches!(c, Component::Normal(_)));
            if !plain {
                return Err(format!(
                    "{}: refers to the schema document {location:?}; a schema may refer only \
                     to documents in its own folder, by a relative path without '..'",
                    name.display()
                ));
            }
            let folder = path.parent().unwrap_or(Path::new(""));
            pending.push(folder.join(relative));
        }
    }
    Ok(())
}

/// The `schemaLocation` of every `include`, `import`, `redefine` and `override` in a schema
/// document.
fn schema_locations(text: &[u8]) -> Result<Vec<String>, String> {
    use quick_xml::events::Event;

    let mut reader = quick_xml::Reader::from_reader(text);
    let mut buf = Vec::new();
    let mut locations = Vec::new();
    let (mut depth, mut roots) = (0usize, 0usize);
    loop {
        let event = reader.read_event_into(&mut buf);
        match &event {
            Ok(Event::Start(_)) if depth == 0 => (roots, depth) = (roots + 1, 1),
            Ok(Event::Start(_)) => depth += 1,
            Ok(Event::Empty(_)) if depth == 0 => roots += 1,
            Ok(Event::End(_)) => depth = depth.saturating_sub(1),
            Ok(Event::Text(text)) if depth == 0 && !text.iter().all(u8::is_ascii_whitespace) => {
                return Err("not well-formed XML: text outside the root element".to_owned());
            }
            _ => {}
        }
        if roots > 1 {
            return Err("not well-formed XML: more than one root element".to_owned());
        }
        match event {
            Ok(Event::DocType(_)) => {
                return Err("document type declarations are not allowed in a schema".to_owned());
            }
            Ok(Event::Start(element) | Event::Empty(element)) => {
                let refers = matches!(
                    element.local_name().as_ref(),
                    b"include" | b"import" | b"redefine" | b"override"
                );
                for attribute in element.attributes().filter(|_| refers) {
                    let attribute = attribute.map_err(|e| format!("not well-formed XML: {e}"))?;
                    if attribute.key.local_name().as_ref() == b"schemaLocation" {
                        let value = attribute
                            .unescape_value()
                            .map_err(|e| format!("not well-formed XML: {e}"))?;
                        locations.push(value.trim().to_owned());
                    }
                }
            }
            Ok(Event::Eof) if roots == 0 => {
                return Err("not well-formed XML: no root element".to_owned());
            }
            Ok(Event::Eof) => return Ok(locations),
            Ok(_) => {}
            Err(err) => return Err(format!("not well-formed XML: {err}")),
        }
        buf.clear();
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

    const XS: &str = r#"xmlns:xs="http://www.w3.org/2001/XMLSchema""#;

    /// A folder with `main.xsd` referring to `location`, and `parts/person.xsd` beside it.
    fn schema_folder(reference: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir(dir.path().join("parts")).expect("parts");
        std::fs::write(
            dir.path().join("parts/person.xsd"),
            format!(r#"<xs:schema {XS}><xs:element name="person" type="xs:string"/></xs:schema>"#),
        )
        .expect("part");
        std::fs::write(
            dir.path().join("main.xsd"),
            format!(r#"<xs:schema {XS}>{reference}<xs:element name="r"/></xs:schema>"#),
        )
        .expect("main");
        dir
    }

    fn load(dir: &tempfile::TempDir, references: SchemaReferences) -> Result<(), String> {
        XsdStandard::load("s@1", &dir.path().join("main.xsd"), references)
            .map(drop)
            .map_err(|e| match e {
                StandardError::Compile { message, .. } => message,
                other => other.to_string(),
            })
    }

    #[test]
    fn a_schema_includes_only_documents_of_its_own_folder() {
        let inside = schema_folder(r#"<xs:include schemaLocation="parts/person.xsd"/>"#);
        assert_eq!(load(&inside, SchemaReferences::SameFolder), Ok(()));
        for reference in [
            r#"<xs:include schemaLocation="/etc/passwd"/>"#,
            r#"<xs:include schemaLocation="../outside.xsd"/>"#,
            r#"<xs:include schemaLocation="parts/%2e%2e/%2e%2e/x.xsd"/>"#,
            r#"<xs:import namespace="urn:x" schemaLocation="http://127.0.0.1:9/probe.xsd"/>"#,
            r#"<xs:redefine schemaLocation="file:///etc/hostname"/>"#,
        ] {
            let err =
                load(&schema_folder(reference), SchemaReferences::SameFolder).expect_err(reference);
            assert!(
                err.contains("only to documents in its own folder"),
                "{reference}: {err}"
            );
        }
    }

    #[test]
    fn an_uploaded_schema_refers_to_no_other_document() {
        let inside = schema_folder(r#"<xs:include schemaLocation="parts/person.xsd"/>"#);
        let err = load(&inside, SchemaReferences::None).expect_err("refused");
        assert!(err.contains("one self-contained document"), "{err}");
        // An import of a namespace without a location fetches nothing and stays allowed.
        let bare = schema_folder(r#"<xs:import namespace="urn:x"/>"#);
        assert_eq!(load(&bare, SchemaReferences::None), Ok(()));
    }

    #[test]
    fn a_schema_document_is_checked_before_libxml2_reads_it() {
        let doctype = tempfile::tempdir().expect("temp dir");
        std::fs::write(
            doctype.path().join("main.xsd"),
            format!(r#"<!DOCTYPE s [<!ENTITY x SYSTEM "/etc/passwd">]><xs:schema {XS}/>"#),
        )
        .expect("main");
        let err = load(&doctype, SchemaReferences::SameFolder).expect_err("refused");
        assert!(err.contains("document type declarations"), "{err}");
        // An included part that is not well-formed is named, and never handed to libxml2.
        let broken = schema_folder(r#"<xs:include schemaLocation="parts/person.xsd"/>"#);
        std::fs::write(broken.path().join("parts/person.xsd"), "root:x:0:0").expect("part");
        let err = load(&broken, SchemaReferences::SameFolder).expect_err("refused");
        assert!(
            err.starts_with("parts/person.xsd: not well-formed"),
            "{err}"
        );
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

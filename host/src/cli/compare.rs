//! How `lgsp adapter test` compares what an adapter produced with a fixture's expected
//! output, and how it words the difference: JSON as values (with the JSON pointers that
//! differ), CSV and text line by line after normalising line ends, XML as elements,
//! attributes and trimmed text (prefixes, attribute order and indentation do not count).

use quick_xml::events::Event;
use serde_json::Value;

/// At most this many differences are listed for one case.
pub const MAX_DIFFERENCES: usize = 10;

/// How two bodies are compared, chosen from the expected file's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    /// Parsed and compared as JSON values.
    Json,
    /// Compared as XML infosets.
    Xml,
    /// Compared as text, line by line, with `\r\n` and a final line end ignored.
    Text,
    /// Compared byte for byte.
    Bytes,
}

impl Comparison {
    /// The comparison for an expected file with extension `ext`.
    pub fn for_extension(ext: &str) -> Self {
        match ext.to_ascii_lowercase().as_str() {
            "json" => Comparison::Json,
            "xml" | "edxml" => Comparison::Xml,
            "csv" | "txt" | "tsv" => Comparison::Text,
            _ => Comparison::Bytes,
        }
    }

    /// `None` when `got` matches `expected`, otherwise the differences, one per line.
    pub fn differences(self, got: &[u8], expected: &[u8]) -> Option<Vec<String>> {
        let found = match self {
            Comparison::Json => json_differences(got, expected),
            Comparison::Xml => xml_differences(got, expected),
            Comparison::Text => text_differences(got, expected),
            Comparison::Bytes if got == expected => Vec::new(),
            Comparison::Bytes => vec![format!(
                "the bytes differ ({} bytes produced, {} expected)",
                got.len(),
                expected.len()
            )],
        };
        (!found.is_empty()).then_some(found)
    }
}

fn json_differences(got: &[u8], expected: &[u8]) -> Vec<String> {
    let expected: Value = match serde_json::from_slice(expected) {
        Ok(v) => v,
        Err(err) => return vec![format!("the expected file is not JSON: {err}")],
    };
    let got: Value = match serde_json::from_slice(got) {
        Ok(v) => v,
        Err(err) => {
            return vec![format!(
                "the output is not JSON ({err}): {}",
                preview(&String::from_utf8_lossy(got))
            )];
        }
    };
    let mut out = Vec::new();
    diff_values("", &got, &expected, &mut out);
    cap(out)
}

/// Walks both values and records each JSON pointer where they part.
fn diff_values(path: &str, got: &Value, expected: &Value, out: &mut Vec<String>) {
    if out.len() > MAX_DIFFERENCES || got == expected {
        return;
    }
    let at = if path.is_empty() { "/" } else { path };
    match (got, expected) {
        (Value::Object(g), Value::Object(e)) => {
            for (key, ev) in e {
                let child = format!("{path}/{}", escape_pointer(key));
                match g.get(key) {
                    Some(gv) => diff_values(&child, gv, ev, out),
                    None => out.push(format!("{child}: missing, expected {}", preview_json(ev))),
                }
            }
            for (key, gv) in g {
                if !e.contains_key(key) {
                    let child = format!("{path}/{}", escape_pointer(key));
                    out.push(format!("{child}: not expected, got {}", preview_json(gv)));
                }
            }
        }
        (Value::Array(g), Value::Array(e)) => {
            for (i, (gv, ev)) in g.iter().zip(e).enumerate() {
                diff_values(&format!("{path}/{i}"), gv, ev, out);
            }
            if g.len() != e.len() {
                out.push(format!("{at}: {} items, expected {}", g.len(), e.len()));
            }
        }
        _ => out.push(format!(
            "{at}: got {}, expected {}",
            preview_json(got),
            preview_json(expected)
        )),
    }
}

fn escape_pointer(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

fn text_differences(got: &[u8], expected: &[u8]) -> Vec<String> {
    let normalise = |b: &[u8]| {
        String::from_utf8_lossy(b)
            .replace("\r\n", "\n")
            .trim_end_matches('\n')
            .to_owned()
    };
    let (got, expected) = (normalise(got), normalise(expected));
    let got_lines: Vec<&str> = got.split('\n').collect();
    let expected_lines: Vec<&str> = expected.split('\n').collect();
    let mut out = Vec::new();
    for (i, (g, e)) in got_lines.iter().zip(&expected_lines).enumerate() {
        if g != e {
            out.push(format!(
                "line {}: got {}, expected {}",
                i + 1,
                preview(g),
                preview(e)
            ));
        }
    }
    if got_lines.len() != expected_lines.len() {
        out.push(format!(
            "{} lines, expected {}",
            got_lines.len(),
            expected_lines.len()
        ));
    }
    cap(out)
}

/// One step of an XML document as compared: namespaces resolved to their URIs.
#[derive(Debug, PartialEq, Eq)]
enum Node {
    Start {
        ns: String,
        name: String,
        attributes: Vec<(String, String, String)>,
    },
    Text(String),
    End,
}

fn xml_differences(got: &[u8], expected: &[u8]) -> Vec<String> {
    let expected = match xml_nodes(expected) {
        Ok(n) => n,
        Err(err) => return vec![format!("the expected file is not XML: {err}")],
    };
    let got = match xml_nodes(got) {
        Ok(n) => n,
        Err(err) => return vec![format!("the output is not XML: {err}")],
    };
    let mut path: Vec<String> = Vec::new();
    for (g, e) in got.iter().zip(&expected) {
        if g != e {
            let at = format!("/{}", path.join("/"));
            return vec![format!(
                "at {at}: got {}, expected {}",
                describe_node(g),
                describe_node(e)
            )];
        }
        match g {
            Node::Start { name, .. } => path.push(name.clone()),
            Node::End => {
                path.pop();
            }
            Node::Text(_) => {}
        }
    }
    if got.len() != expected.len() {
        return vec![format!(
            "the output {} where the expected document {}",
            if got.len() < expected.len() {
                "ends"
            } else {
                "goes on"
            },
            if got.len() < expected.len() {
                "goes on"
            } else {
                "ends"
            }
        )];
    }
    Vec::new()
}

fn describe_node(node: &Node) -> String {
    match node {
        Node::Start {
            ns,
            name,
            attributes,
        } => {
            let attrs: Vec<String> = attributes
                .iter()
                .map(|(_, n, v)| format!("{n}={v:?}"))
                .collect();
            let ns = if ns.is_empty() {
                String::new()
            } else {
                format!("{{{ns}}}")
            };
            format!(
                "<{ns}{name}{}>",
                attrs.iter().map(|a| format!(" {a}")).collect::<String>()
            )
        }
        Node::Text(t) => format!("text {}", preview(t)),
        Node::End => "the end of the element".to_owned(),
    }
}

fn xml_nodes(bytes: &[u8]) -> Result<Vec<Node>, String> {
    use quick_xml::name::ResolveResult;
    let text = std::str::from_utf8(bytes).map_err(|e| e.to_string())?;
    let mut reader = quick_xml::NsReader::from_str(text);
    let mut nodes = Vec::new();
    let mut pending = String::new();
    let flush = |pending: &mut String, nodes: &mut Vec<Node>| {
        let t = pending.trim();
        if !t.is_empty() {
            nodes.push(Node::Text(t.to_owned()));
        }
        pending.clear();
    };
    loop {
        let (ns, event) = match reader.read_resolved_event() {
            Ok((ResolveResult::Bound(ns), event)) => {
                (String::from_utf8_lossy(ns.as_ref()).into_owned(), event)
            }
            Ok((_, event)) => (String::new(), event),
            Err(err) => return Err(format!("at byte {}: {err}", reader.buffer_position())),
        };
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                flush(&mut pending, &mut nodes);
                let mut attributes = Vec::new();
                for attr in e.attributes() {
                    let attr = attr.map_err(|e| e.to_string())?;
                    let key = attr.key;
                    if key.as_namespace_binding().is_some() {
                        continue;
                    }
                    let (attr_ns, local) = reader.resolve_attribute(key);
                    let attr_ns = match attr_ns {
                        ResolveResult::Bound(n) => String::from_utf8_lossy(n.as_ref()).into_owned(),
                        _ => String::new(),
                    };
                    let value = attr
                        .unescape_value()
                        .map_err(|e| e.to_string())?
                        .into_owned();
                    attributes.push((
                        attr_ns,
                        String::from_utf8_lossy(local.as_ref()).into_owned(),
                        value,
                    ));
                }
                attributes.sort();
                nodes.push(Node::Start {
                    ns,
                    name: String::from_utf8_lossy(e.local_name().as_ref()).into_owned(),
                    attributes,
                });
                if matches!(event, Event::Empty(_)) {
                    nodes.push(Node::End);
                }
            }
            Event::End(_) => {
                flush(&mut pending, &mut nodes);
                nodes.push(Node::End);
            }
            Event::Text(t) => {
                pending.push_str(&t.decode().map_err(|e| e.to_string())?);
            }
            Event::GeneralRef(r) => {
                if let Some(c) = r.resolve_char_ref().map_err(|e| e.to_string())? {
                    pending.push(c);
                    continue;
                }
                let name = r.decode().map_err(|e| e.to_string())?;
                let resolved = match name.as_ref() {
                    "lt" => "<".to_owned(),
                    "gt" => ">".to_owned(),
                    "amp" => "&".to_owned(),
                    "apos" => "'".to_owned(),
                    "quot" => "\"".to_owned(),
                    other => format!("&{other};"),
                };
                pending.push_str(&resolved);
            }
            Event::CData(c) => pending.push_str(&String::from_utf8_lossy(&c)),
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    Ok(nodes)
}

fn cap(mut out: Vec<String>) -> Vec<String> {
    if out.len() > MAX_DIFFERENCES {
        let more = out.len() - MAX_DIFFERENCES;
        out.truncate(MAX_DIFFERENCES);
        out.push(format!("... and {more} more"));
    }
    out
}

/// Longest preview of a value, in characters.
const PREVIEW_CHARS: usize = 80;

/// A JSON value as JSON text, cut to a readable length.
fn preview_json(v: &Value) -> String {
    let text = v.to_string();
    if text.chars().count() <= PREVIEW_CHARS {
        text
    } else {
        format!(
            "{}...",
            text.chars().take(PREVIEW_CHARS).collect::<String>()
        )
    }
}

/// A text quoted and cut to a readable length.
pub fn preview(text: &str) -> String {
    if text.chars().count() <= PREVIEW_CHARS {
        format!("{text:?}")
    } else {
        let cut: String = text.chars().take(PREVIEW_CHARS).collect();
        format!("{cut:?}...")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_compared_as_values_and_differences_name_the_pointer() {
        let json = Comparison::for_extension("json");
        assert_eq!(
            json.differences(br#"{"a":1,"b":[1,2]}"#, br#"{ "b": [1, 2], "a": 1 }"#),
            None
        );
        let diff = json
            .differences(
                br#"{"a":1,"b":[1,3],"x/y":true}"#,
                br#"{"a":2,"b":[1,3,4],"c":null}"#,
            )
            .expect("different");
        assert_eq!(
            diff,
            [
                "/a: got 1, expected 2",
                "/b: 2 items, expected 3",
                "/c: missing, expected null",
                "/x~1y: not expected, got true",
            ]
        );
    }

    #[test]
    fn csv_ignores_line_end_style_but_not_content() {
        let text = Comparison::for_extension("csv");
        assert_eq!(text.differences(b"a,b\r\n1,2\r\n", b"a,b\n1,2"), None);
        assert_eq!(
            text.differences(b"a,b\n1,2\n", b"a,b\n1,3\n"),
            Some(vec!["line 2: got \"1,2\", expected \"1,3\"".to_owned()])
        );
        assert_eq!(
            text.differences(b"a,b\n", b"a,b\n1,3\n"),
            Some(vec!["1 lines, expected 2".to_owned()])
        );
    }

    #[test]
    fn xml_ignores_prefixes_order_and_indentation() {
        let xml = Comparison::for_extension("edxml");
        let a = r#"<e xmlns="urn:x"><A x="1" y="2"> hi &amp; bye </A><B/></e>"#;
        let b = "<?xml version=\"1.0\"?>\n<p:e xmlns:p=\"urn:x\">\n  <!-- c -->\n  \
                 <p:A y=\"2\" x=\"1\">hi &amp; bye</p:A>\n  <p:B></p:B>\n</p:e>\n";
        assert_eq!(xml.differences(a.as_bytes(), b.as_bytes()), None);

        let other_ns = r#"<e xmlns="urn:y"><A x="1" y="2">hi &amp; bye</A><B/></e>"#;
        let diff = xml
            .differences(other_ns.as_bytes(), a.as_bytes())
            .expect("namespaces count");
        assert_eq!(diff.len(), 1);
        assert!(diff[0].starts_with("at /: got <{urn:y}e>"), "{diff:?}");

        let text = r#"<e xmlns="urn:x"><A x="1" y="2">hi</A><B/></e>"#;
        let diff = xml
            .differences(text.as_bytes(), a.as_bytes())
            .expect("text counts");
        assert_eq!(
            diff,
            ["at /e/A: got text \"hi\", expected text \"hi & bye\""]
        );
    }

    #[test]
    fn output_that_does_not_parse_is_reported_as_such() {
        let diff = Comparison::Json
            .differences(b"name,x", b"{}")
            .expect("different");
        assert!(diff[0].starts_with("the output is not JSON"), "{diff:?}");
    }
}

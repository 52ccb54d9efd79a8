//! Whether two XML documents say the same thing, for tests of this adapter and of the hub.
//!
//! Two documents are equivalent when their element trees match: the same expanded names
//! (namespace and local name, whatever the prefixes) in the same order, the same attributes
//! in any order (namespace declarations aside), and the same text in each element once
//! leading and trailing white space is trimmed. White-space-only text between elements,
//! comments, processing instructions and the XML declaration do not count. That is exactly
//! the freedom an edXML writer has; nothing else is forgiven.

use roxmltree::{Document, Node};

/// Whether `a` and `b` are well-formed and equivalent in the sense above.
pub fn xml_equivalent(a: &str, b: &str) -> bool {
    match (Document::parse(a), Document::parse(b)) {
        (Ok(a), Ok(b)) => same_element(a.root_element(), b.root_element()),
        _ => false,
    }
}

fn same_element(a: Node<'_, '_>, b: Node<'_, '_>) -> bool {
    if a.tag_name() != b.tag_name() || text_of(a) != text_of(b) {
        return false;
    }

    let mut attrs_a: Vec<_> = a
        .attributes()
        .map(|at| (at.namespace(), at.name(), at.value()))
        .collect();
    let mut attrs_b: Vec<_> = b
        .attributes()
        .map(|at| (at.namespace(), at.name(), at.value()))
        .collect();
    attrs_a.sort_unstable();
    attrs_b.sort_unstable();
    if attrs_a != attrs_b {
        return false;
    }

    let children_a: Vec<_> = a.children().filter(Node::is_element).collect();
    let children_b: Vec<_> = b.children().filter(Node::is_element).collect();
    children_a.len() == children_b.len()
        && children_a
            .into_iter()
            .zip(children_b)
            .all(|(x, y)| same_element(x, y))
}

/// The element's own text (not its descendants'), trimmed.
fn text_of(node: Node<'_, '_>) -> String {
    let text: String = node
        .children()
        .filter(Node::is_text)
        .filter_map(|n| n.text())
        .collect();
    text.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::xml_equivalent;

    const NS: &str = "http://www.mic.gov.vn/TBT/QCVN_102_2016";

    #[test]
    fn prefixes_whitespace_and_attribute_order_do_not_count() {
        let a = format!(r#"<edXML xmlns="{NS}"><A x="1" y="2"> hi </A><B/></edXML>"#);
        let b = format!(
            "<?xml version=\"1.0\"?>\n<e:edXML xmlns:e=\"{NS}\">\n  <!-- c -->\n  \
             <e:A y=\"2\" x=\"1\">hi</e:A>\n  <e:B></e:B>\n</e:edXML>\n"
        );
        assert!(xml_equivalent(&a, &b));
    }

    #[test]
    fn names_text_order_and_namespaces_count() {
        let base = format!(r#"<edXML xmlns="{NS}"><A>1</A><B>2</B></edXML>"#);
        let cases = [
            format!(r#"<edXML xmlns="{NS}"><B>2</B><A>1</A></edXML>"#),
            format!(r#"<edXML xmlns="{NS}"><A>1</A><B>3</B></edXML>"#),
            format!(r#"<edXML xmlns="{NS}"><A>1</A></edXML>"#),
            r#"<edXML><A>1</A><B>2</B></edXML>"#.to_owned(),
            "<edXML".to_owned(),
        ];
        for other in cases {
            assert!(!xml_equivalent(&base, &other), "{other}");
        }
    }
}

//! A small, byte-stable XML writer: two-space indentation, one element per line.
//!
//! The adapter writes edXML by hand rather than through a serialiser so that the output is
//! identical for identical input (fixtures compare bytes-equivalent trees) and so that the
//! namespace prefixes follow what the national exchange's own software writes.

/// Builds one XML document in memory.
pub struct XmlWriter {
    out: String,
    depth: usize,
    prefix: &'static str,
}

impl XmlWriter {
    /// A document that starts with the XML declaration.
    pub fn new() -> Self {
        Self {
            out: String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"),
            depth: 0,
            prefix: "",
        }
    }

    /// Sets the prefix (such as `edXML:`) written before every element name from now on.
    pub fn prefix(&mut self, prefix: &'static str) {
        self.prefix = prefix;
    }

    /// Opens an element with attributes; each attribute is a name and an unescaped value.
    pub fn open_with(&mut self, name: &str, attributes: &[(&str, &str)]) {
        self.indent();
        self.out.push('<');
        self.out.push_str(self.prefix);
        self.out.push_str(name);
        for (key, value) in attributes {
            self.out.push(' ');
            self.out.push_str(key);
            self.out.push_str("=\"");
            escape_into(&mut self.out, value, true);
            self.out.push('"');
        }
        self.out.push_str(">\n");
        self.depth += 1;
    }

    /// Opens an element.
    pub fn open(&mut self, name: &str) {
        self.open_with(name, &[]);
    }

    /// Closes the element opened last, which must be `name`.
    pub fn close(&mut self, name: &str) {
        self.depth = self.depth.saturating_sub(1);
        self.indent();
        self.out.push_str("</");
        self.out.push_str(self.prefix);
        self.out.push_str(name);
        self.out.push_str(">\n");
    }

    /// Writes an element with text content and attributes.
    pub fn leaf_with(&mut self, name: &str, attributes: &[(&str, &str)], text: &str) {
        self.indent();
        self.out.push('<');
        self.out.push_str(self.prefix);
        self.out.push_str(name);
        for (key, value) in attributes {
            self.out.push(' ');
            self.out.push_str(key);
            self.out.push_str("=\"");
            escape_into(&mut self.out, value, true);
            self.out.push('"');
        }
        self.out.push('>');
        escape_into(&mut self.out, text, false);
        self.out.push_str("</");
        self.out.push_str(self.prefix);
        self.out.push_str(name);
        self.out.push_str(">\n");
    }

    /// Writes an element with text content.
    pub fn leaf(&mut self, name: &str, text: &str) {
        self.leaf_with(name, &[], text);
    }

    /// Writes an element with text content when there is some.
    pub fn leaf_opt(&mut self, name: &str, text: Option<&str>) {
        if let Some(text) = text {
            self.leaf(name, text);
        }
    }

    /// The document.
    pub fn finish(self) -> String {
        self.out
    }

    fn indent(&mut self) {
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
    }
}

/// Escapes markup characters; carriage returns are written as references so that a parser's
/// line-end normalisation does not turn them into line feeds.
fn escape_into(out: &mut String, text: &str, attribute: bool) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\r' => out.push_str("&#13;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\t' if attribute => out.push_str("&#9;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_attributes_are_escaped() {
        let mut w = XmlWriter::new();
        w.open_with("a", &[("v", "1\"<&")]);
        w.prefix("p:");
        w.leaf("b", "x < y & z > w\r\n");
        w.prefix("");
        w.close("a");
        let text = w.finish();
        assert_eq!(
            text,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a v=\"1&quot;&lt;&amp;\">\n  \
             <p:b>x &lt; y &amp; z &gt; w&#13;\n</p:b>\n</a>\n"
        );
    }
}

//! Reading edXML elements field by field while collecting every violation.
//!
//! [`El`] pairs a parsed element with its path (`/edXML/edXMLEnvelope/.../To[2]/OrganId`),
//! so that each missing or badly shaped value is reported where it sits. Only elements in
//! the edXML namespace are seen; repeated elements get a one-based index in their path.

use lgsp_guest::Violations;
use roxmltree::Node;

use super::NS;
use crate::codes::CodeList;
use crate::dates::{Date, Spelling, Timestamp};
use crate::rules;

/// One edXML element and where it sits.
#[derive(Clone)]
pub struct El<'a, 'input> {
    node: Node<'a, 'input>,
    path: String,
}

impl<'a, 'input> El<'a, 'input> {
    /// The root element, at `/name`.
    pub fn root(node: Node<'a, 'input>) -> Self {
        let path = format!("/{}", node.tag_name().name());
        Self { node, path }
    }

    /// This element's path.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The path a child called `name` has, or would have.
    pub fn at(&self, name: &str) -> String {
        format!("{}/{name}", self.path)
    }

    /// The local names of child elements, in order, whatever their namespace.
    pub fn child_names(&self) -> impl Iterator<Item = (Option<&'a str>, &'a str)> + 'a {
        self.node
            .children()
            .filter(Node::is_element)
            .map(|n| (n.tag_name().namespace(), n.tag_name().name()))
    }

    fn find(&self, name: &str) -> impl Iterator<Item = Node<'a, 'input>> + '_ {
        let name = name.to_owned();
        self.node.children().filter(move |n| {
            n.is_element() && n.tag_name().name() == name && n.tag_name().namespace() == Some(NS)
        })
    }

    /// The first child called `name`.
    pub fn child(&self, name: &str) -> Option<Self> {
        let node = self.find(name).next()?;
        Some(Self {
            node,
            path: self.at(name),
        })
    }

    /// The first child called `name`, or a `required` violation.
    pub fn require(&self, name: &str, v: &mut Violations) -> Option<Self> {
        let child = self.child(name);
        if child.is_none() {
            v.push(
                self.at(name),
                "required",
                format!("{name} is required here"),
            );
        }
        child
    }

    /// Every child called `name`, each with a one-based index in its path.
    pub fn children(&self, name: &str) -> Vec<Self> {
        self.find(name)
            .enumerate()
            .map(|(i, node)| Self {
                node,
                path: format!("{}/{name}[{}]", self.path, i + 1),
            })
            .collect()
    }

    /// Whether the element has child elements.
    pub fn has_children(&self) -> bool {
        self.node.children().any(|n| n.is_element())
    }

    /// This element's own text, trimmed; `None` when blank.
    pub fn own_text(&self) -> Option<String> {
        let text: String = self
            .node
            .children()
            .filter(Node::is_text)
            .filter_map(|n| n.text())
            .collect();
        let text = text.trim();
        (!text.is_empty()).then(|| text.to_owned())
    }

    /// The text of the child `name`, when present and not blank.
    pub fn opt_text(&self, name: &str) -> Option<String> {
        self.child(name)?.own_text()
    }

    /// The text of the child `name`, or a `required` violation.
    pub fn text(&self, name: &str, v: &mut Violations) -> Option<String> {
        let text = self.opt_text(name);
        if text.is_none() {
            v.push(
                self.at(name),
                "required",
                format!("{name} is required and must not be blank"),
            );
        }
        text
    }

    /// An agency code in the child `name`, or a violation.
    pub fn organ_id(&self, name: &str, v: &mut Violations) -> Option<String> {
        let code = self.text(name, v)?;
        self.check_organ_id(name, code, v)
    }

    /// An agency code in the child `name`, if present.
    pub fn opt_organ_id(&self, name: &str, v: &mut Violations) -> Option<String> {
        let code = self.opt_text(name)?;
        self.check_organ_id(name, code, v)
    }

    fn check_organ_id(&self, name: &str, code: String, v: &mut Violations) -> Option<String> {
        if rules::is_organ_id(&code) {
            Some(code)
        } else {
            v.push(
                self.at(name),
                "format",
                format!("{code:?} is not an organisation id"),
            );
            None
        }
    }

    /// A date written `yyyy/mm/dd` in the child `name`.
    pub fn date(&self, name: &str, v: &mut Violations) -> Option<Date> {
        let text = self.text(name, v)?;
        self.check_date(name, &text, v)
    }

    /// A date written `yyyy/mm/dd` in the child `name`, if present.
    pub fn opt_date(&self, name: &str, v: &mut Violations) -> Option<Date> {
        let text = self.opt_text(name)?;
        self.check_date(name, &text, v)
    }

    fn check_date(&self, name: &str, text: &str, v: &mut Violations) -> Option<Date> {
        let date = Date::parse(text, Spelling::National);
        if date.is_none() {
            let pattern = Spelling::National.date_pattern();
            v.push(
                self.at(name),
                "format",
                format!("{text:?} is not a date written {pattern}"),
            );
        }
        date
    }

    /// A timestamp written `yyyy/mm/dd HH:MM:SS` in the child `name`.
    pub fn timestamp(&self, name: &str, v: &mut Violations) -> Option<Timestamp> {
        let text = self.text(name, v)?;
        let ts = Timestamp::parse(&text, Spelling::National);
        if ts.is_none() {
            let pattern = Spelling::National.timestamp_pattern();
            v.push(
                self.at(name),
                "format",
                format!("{text:?} is not a time written {pattern}"),
            );
        }
        ts
    }

    /// A whole number in the child `name`, if present (`+` sign allowed, as XSD does).
    pub fn opt_number(&self, name: &str, max: u64, v: &mut Violations) -> Option<u64> {
        let text = self.opt_text(name)?;
        let digits = text.strip_prefix('+').unwrap_or(&text);
        let number = if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            None
        } else {
            digits.parse::<u64>().ok().filter(|n| *n <= max)
        };
        if number.is_none() {
            let msg = format!("{text:?} is not a whole number from 0 to {max}");
            v.push(self.at(name), "format", msg);
        }
        number
    }

    /// A whole number in the child `name`, or a violation.
    pub fn number(&self, name: &str, max: u64, v: &mut Violations) -> Option<u64> {
        if self.opt_text(name).is_none() {
            v.push(
                self.at(name),
                "required",
                format!("{name} is required and must not be blank"),
            );
            return None;
        }
        self.opt_number(name, max, v)
    }

    /// An XSD boolean in the child `name`, if present.
    pub fn opt_bool(&self, name: &str, v: &mut Violations) -> Option<bool> {
        match self.opt_text(name)?.as_str() {
            "true" | "1" => Some(true),
            "false" | "0" => Some(false),
            other => {
                v.push(
                    self.at(name),
                    "format",
                    format!("{other:?} is not true or false"),
                );
                None
            }
        }
    }

    /// A member of a code list in the child `name`, if present.
    pub fn opt_code<T>(
        &self,
        name: &str,
        (what, codes, parse): CodeList<T>,
        v: &mut Violations,
    ) -> Option<T> {
        let text = self.opt_text(name)?;
        let code = parse(&text);
        if code.is_none() {
            let codes = codes.join(", ");
            let msg = format!("{text:?} is not a {what}: the codes are {codes}");
            v.push(self.at(name), "unknown-code", msg);
        }
        code
    }

    /// A member of a code list in the child `name`, or a violation.
    pub fn code<T>(&self, name: &str, list: CodeList<T>, v: &mut Violations) -> Option<T> {
        if self.opt_text(name).is_none() {
            v.push(
                self.at(name),
                "required",
                format!("{name} is required and must not be blank"),
            );
            return None;
        }
        self.opt_code(name, list, v)
    }

    /// The texts of every child `name`, blank ones left out.
    pub fn texts(&self, name: &str) -> Vec<String> {
        self.children(name)
            .iter()
            .filter_map(El::own_text)
            .collect()
    }
}

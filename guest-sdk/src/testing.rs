//! A stand-in host for native unit tests of a mapping (`cargo test` without Wasm).

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::Path;

use crate::{Context, Entry, Host, Level, Phase};

/// A host whose catalogues are filled by the test and whose log lines are kept for asserts.
#[derive(Debug, Default)]
pub struct MockHost {
    catalogues: HashMap<String, HashMap<String, Entry>>,
    logs: RefCell<Vec<(Level, String)>>,
}

impl MockHost {
    /// An empty host: every look-up finds nothing.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one entry to a catalogue.
    pub fn with_entry(
        mut self,
        catalogue: &str,
        code: &str,
        name: &str,
        parent: Option<&str>,
    ) -> Self {
        self.catalogues
            .entry(catalogue.to_owned())
            .or_default()
            .insert(
                code.to_owned(),
                Entry {
                    code: code.to_owned(),
                    name: name.to_owned(),
                    parent: parent.map(str::to_owned),
                },
            );
        self
    }

    /// Loads `provinces` and `communes` from the hub's administrative units file
    /// (`catalogues/admin-units-vn-2025.json`), exactly as the hub does.
    pub fn with_admin_units(mut self, path: impl AsRef<Path>) -> Self {
        #[derive(serde::Deserialize)]
        struct Province {
            #[serde(rename = "Code")]
            code: String,
            #[serde(rename = "FullName")]
            name: String,
            #[serde(rename = "Wards")]
            wards: Vec<Ward>,
        }
        #[derive(serde::Deserialize)]
        struct Ward {
            #[serde(rename = "Code")]
            code: String,
            #[serde(rename = "FullName")]
            name: String,
        }
        let path = path.as_ref();
        let text = std::fs::read_to_string(path)
            .unwrap_or_else(|err| panic!("failed to read {}: {err}", path.display()));
        let provinces: Vec<Province> = serde_json::from_str(&text)
            .unwrap_or_else(|err| panic!("failed to parse {}: {err}", path.display()));
        for p in provinces {
            for w in &p.wards {
                self = self.with_entry("communes", &w.code, &w.name, Some(&p.code));
            }
            self = self.with_entry("provinces", &p.code, &p.name, None);
        }
        self
    }

    /// The log lines written so far, as level and message.
    pub fn logs(&self) -> Vec<(Level, String)> {
        self.logs.borrow().clone()
    }
}

impl Host for MockHost {
    fn lookup(&self, catalogue: &str, code: &str) -> Option<Entry> {
        self.catalogues.get(catalogue)?.get(code).cloned()
    }

    fn log(&self, level: Level, message: &str, _fields: &[(&str, &str)]) {
        self.logs.borrow_mut().push((level, message.to_owned()));
    }
}

/// A context for a test call.
pub fn context(service: &str, standard: &str, phase: Phase) -> Context {
    Context {
        exchange_id: "00000000-0000-0000-0000-000000000000".to_owned(),
        service: service.to_owned(),
        standard: standard.to_owned(),
        phase,
        agency: "test-agency".to_owned(),
    }
}

//! National standards: the schemas every national-form message must satisfy.
//!
//! The hub checks each national-form message against its service's standard in both
//! directions, whatever the adapter that produced it claims. This module owns compiling the
//! schemas once at start and turning a schema failure into field violations; it does not know
//! who produced the message or what happens next.

mod json;
mod xsd;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use crate::config::{StandardConfig, StandardKind};
use crate::message::{Message, Violation};
use xsd::SchemaReferences;

/// At most this many violations are reported for one message; the rest are counted.
pub const MAX_VIOLATIONS: usize = 100;

/// Why a standard could not be loaded at start.
#[derive(Debug, thiserror::Error)]
pub enum StandardError {
    /// The schema file could not be read.
    #[error("failed to read schema of standard {standard:?} at {path:?}: {source}")]
    Read {
        /// `id@version`.
        standard: String,
        /// The schema file.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The schema itself is invalid.
    #[error("failed to compile schema of standard {standard:?} at {path:?}: {message}")]
    Compile {
        /// `id@version`.
        standard: String,
        /// The schema file.
        path: PathBuf,
        /// The schema compiler's message.
        message: String,
    },
}

/// A compiled standard.
pub struct Standard {
    key: String,
    validator: Validator,
}

enum Validator {
    Json(json::JsonStandard),
    Xsd(xsd::XsdStandard),
}

impl std::fmt::Debug for Standard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Standard")
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

impl Standard {
    /// Reads and compiles the schema of `config`, a standard of the configuration file: an XSD
    /// may include other documents of its own folder.
    pub fn load(config: &StandardConfig) -> Result<Self, StandardError> {
        Self::load_with(config, SchemaReferences::SameFolder)
    }

    /// Reads and compiles the schema of a standard uploaded through the admin API, which must
    /// be one self-contained document.
    pub fn load_uploaded(config: &StandardConfig) -> Result<Self, StandardError> {
        Self::load_with(config, SchemaReferences::None)
    }

    fn load_with(
        config: &StandardConfig,
        references: SchemaReferences,
    ) -> Result<Self, StandardError> {
        let key = config.key();
        let validator = match config.kind {
            StandardKind::JsonSchema => {
                Validator::Json(json::JsonStandard::load(&key, &config.schema)?)
            }
            StandardKind::Xsd => {
                Validator::Xsd(xsd::XsdStandard::load(&key, &config.schema, references)?)
            }
        };
        Ok(Self { key, validator })
    }

    /// `id@version`.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The media type national-form messages of this standard carry.
    pub fn media_type(&self) -> &'static str {
        match self.validator {
            Validator::Json(_) => "application/json",
            Validator::Xsd(_) => "application/xml",
        }
    }

    /// Checks `msg` against the standard; `Err` lists what is wrong, at most [`MAX_VIOLATIONS`].
    ///
    /// XSD validation runs on the blocking pool: libxml2 is synchronous and a large document
    /// takes milliseconds.
    pub async fn validate(self: &Arc<Self>, msg: &Message) -> Result<(), Vec<Violation>> {
        self.check_media_type(msg)?;
        match &self.validator {
            Validator::Json(v) => v.validate(&msg.body),
            Validator::Xsd(_) => {
                let this = Arc::clone(self);
                let body = msg.body.clone();
                tokio::task::spawn_blocking(move || this.validate_body(&body))
                    .await
                    .unwrap_or_else(|err| {
                        Err(vec![Violation::new(
                            "",
                            "validator-failed",
                            format!("the validator stopped: {err}"),
                        )])
                    })
            }
        }
    }

    /// The same check on the calling thread, for callers that are not async.
    pub fn validate_blocking(&self, msg: &Message) -> Result<(), Vec<Violation>> {
        self.check_media_type(msg)?;
        self.validate_body(&msg.body)
    }

    fn validate_body(&self, body: &[u8]) -> Result<(), Vec<Violation>> {
        match &self.validator {
            Validator::Json(v) => v.validate(body),
            Validator::Xsd(v) => v.validate(body),
        }
    }

    fn check_media_type(&self, msg: &Message) -> Result<(), Vec<Violation>> {
        let media = msg.media_type();
        let accepted = match self.validator {
            // Exactly these: a national form has one media type, so that every adapter reading
            // it recognises it.
            Validator::Json(_) => media == "application/json",
            Validator::Xsd(_) => media == "application/xml" || media == "text/xml",
        };
        if accepted {
            Ok(())
        } else {
            Err(vec![Violation::new(
                "content-type",
                "content-type",
                format!(
                    "standard {} is carried as {}, not {:?}",
                    self.key,
                    self.media_type(),
                    msg.content_type
                ),
            )])
        }
    }
}

/// Every standard of the configuration, by `id@version`.
#[derive(Debug, Default, Clone)]
pub struct Standards {
    by_key: BTreeMap<String, Arc<Standard>>,
}

impl Standards {
    /// Loads and compiles every standard.
    pub fn load<'a>(
        configs: impl IntoIterator<Item = &'a StandardConfig>,
    ) -> Result<Self, StandardError> {
        let mut by_key = BTreeMap::new();
        for config in configs {
            let standard = Standard::load(config)?;
            by_key.insert(standard.key.clone(), Arc::new(standard));
        }
        Ok(Self { by_key })
    }

    /// One standard by `id@version`.
    pub fn get(&self, key: &str) -> Option<&Arc<Standard>> {
        self.by_key.get(key)
    }

    /// Adds or replaces a standard (the admin API builds a new set and swaps it in).
    pub fn insert(&mut self, standard: Standard) {
        self.by_key.insert(standard.key.clone(), Arc::new(standard));
    }

    /// Removes a standard.
    pub fn remove(&mut self, key: &str) -> Option<Arc<Standard>> {
        self.by_key.remove(key)
    }

    /// Every standard's `id@version`.
    pub fn keys(&self) -> impl Iterator<Item = &str> + '_ {
        self.by_key.keys().map(String::as_str)
    }
}

/// Longest violation message kept: schema messages can quote a whole instance.
pub const MAX_VIOLATION_MESSAGE: usize = 512;

/// Truncates `violations` to [`MAX_VIOLATIONS`], adding one that says how many were left out,
/// and cuts each path and message to [`MAX_VIOLATION_MESSAGE`] bytes.
pub fn cap(mut violations: Vec<Violation>) -> Vec<Violation> {
    for v in &mut violations {
        shorten(&mut v.message);
        shorten(&mut v.path);
    }
    if violations.len() > MAX_VIOLATIONS {
        let dropped = violations.len() - MAX_VIOLATIONS;
        violations.truncate(MAX_VIOLATIONS);
        violations.push(Violation::new(
            "",
            "too-many-violations",
            format!("{dropped} more violations were left out"),
        ));
    }
    violations
}

fn shorten(text: &mut String) {
    if text.len() > MAX_VIOLATION_MESSAGE {
        let end = crate::message::truncate(text, MAX_VIOLATION_MESSAGE).len();
        text.truncate(end);
        text.push_str(" ...");
    }
}

//! Operating the hub while it runs: the adapter registry, the runtime tables of standards,
//! services and clients, and the audit log of every change.
//!
//! This module owns the rules of change (what may be replaced, what is refused and why) and
//! the order of each change: check, persist, then swap the new state in whole, so that an
//! exchange in flight keeps the tables and adapters it started with. The HTTP side is in
//! `api::admin`; the SQL is in `store`.

mod compiled;
pub use compiled::{COMPILED_DIR, FileCache};
pub mod registry;
pub mod store;
pub mod tables;

use std::sync::Arc;

pub use registry::{Registry, VersionInfo};
pub use store::{AdminStore, AuditEntry, StoreError};
pub use tables::Tables;

use crate::config::{OperatorConfig, Role};

/// Why an admin request was refused or failed. `problem` maps each to a status and a kind.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// The request is malformed (a parameter, a body that is not the expected JSON).
    #[error("{0}")]
    BadRequest(String),
    /// What the request names does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The change contradicts the current state; `kind` says how.
    #[error("{detail}")]
    Conflict {
        /// The problem kind, such as `version-active`.
        kind: &'static str,
        /// What to do about it.
        detail: String,
    },
    /// What was sent is well formed but refused; `kind` says why.
    #[error("{detail}")]
    Invalid {
        /// The problem kind, such as `adapter-invalid` or `signature-invalid`.
        kind: &'static str,
        /// The reason, for the operator.
        detail: String,
    },
    /// The request body is over the route's limit.
    #[error("the request body is over this route's limit of {limit} bytes")]
    TooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// The admin store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The data directory could not be read or written.
    #[error("data directory: {0}")]
    Io(#[from] std::io::Error),
}

impl AdminError {
    pub(crate) fn invalid(kind: &'static str, detail: impl Into<String>) -> Self {
        AdminError::Invalid {
            kind,
            detail: detail.into(),
        }
    }

    pub(crate) fn conflict(kind: &'static str, detail: impl Into<String>) -> Self {
        AdminError::Conflict {
            kind,
            detail: detail.into(),
        }
    }
}

/// Who makes an admin request, as the audit log records it.
#[derive(Debug, Clone, Default)]
pub struct Actor {
    /// The operator, when the credentials were valid.
    pub operator: Option<Arc<OperatorConfig>>,
    /// The client's address.
    pub remote: Option<String>,
}

impl Actor {
    /// The operator's name, or `config` for changes the configuration file makes at start.
    pub fn name(&self) -> &str {
        self.operator.as_ref().map_or("config", |o| o.name.as_str())
    }

    /// `operator` or `auditor`.
    pub fn role(&self) -> Option<&'static str> {
        self.operator.as_ref().map(|o| match o.role {
            Role::Operator => "operator",
            Role::Auditor => "auditor",
        })
    }
}

/// The current time in RFC 3339, UTC.
pub fn now() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

//! The admin store: the adapter registry, the runtime tables (standards, services, clients
//! added through the admin API), the compiled-cache digests and the audit log, in one SQLite
//! file in the data directory.
//!
//! This module owns the schema and the SQL, nothing else: it checks no rights and loads no
//! component. Admin changes are rare and small, so one connection behind a mutex serves them;
//! the exchange path never reads this store. The SQL is plain, to port to PostgreSQL.

use std::path::Path;
use std::sync::Mutex;

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

/// The store's file name inside the data directory.
pub const ADMIN_DB_FILE: &str = "admin.sqlite";

/// A failure of the store itself.
#[derive(Debug, thiserror::Error)]
#[error("admin store: {0}")]
pub struct StoreError(#[from] rusqlite::Error);

type Result<T, E = StoreError> = std::result::Result<T, E>;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS adapter_versions (
    agency          TEXT    NOT NULL,
    version         INTEGER NOT NULL,
    sha256          TEXT    NOT NULL,
    size            INTEGER NOT NULL,
    name            TEXT    NOT NULL,
    adapter_version TEXT    NOT NULL,
    standards       TEXT    NOT NULL,
    services        TEXT    NOT NULL,
    uploaded_at     TEXT    NOT NULL,
    uploaded_by     TEXT    NOT NULL,
    publisher       TEXT,
    signature       TEXT,
    deleted_at      TEXT,
    PRIMARY KEY (agency, version)
);
CREATE TABLE IF NOT EXISTS activations (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    agency  TEXT    NOT NULL,
    version INTEGER NOT NULL,
    at      TEXT    NOT NULL,
    actor   TEXT    NOT NULL
);
CREATE INDEX IF NOT EXISTS activations_agency ON activations (agency, id);
CREATE TABLE IF NOT EXISTS compiled (
    sha256 TEXT NOT NULL,
    engine TEXT NOT NULL,
    digest TEXT NOT NULL,
    PRIMARY KEY (sha256, engine)
);
CREATE TABLE IF NOT EXISTS standards (
    id      TEXT NOT NULL,
    version TEXT NOT NULL,
    kind    TEXT NOT NULL,
    sha256  TEXT NOT NULL,
    PRIMARY KEY (id, version)
);
CREATE TABLE IF NOT EXISTS services (
    id   TEXT PRIMARY KEY,
    spec TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS clients (
    id         TEXT PRIMARY KEY,
    agency     TEXT NOT NULL,
    form       TEXT NOT NULL,
    services   TEXT NOT NULL,
    key_sha256 TEXT NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS audit (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    at      TEXT NOT NULL,
    actor   TEXT,
    role    TEXT,
    remote  TEXT,
    action  TEXT NOT NULL,
    target  TEXT NOT NULL,
    outcome TEXT NOT NULL,
    status  INTEGER NOT NULL,
    reason  TEXT,
    before  TEXT,
    after   TEXT
);
";

/// One registered version of an agency's adapter.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct VersionRow {
    /// The agency.
    pub agency: String,
    /// 1, 2, 3… per agency, never reused.
    pub version: i64,
    /// SHA-256 of the component's bytes.
    pub sha256: String,
    /// Size of the component in bytes.
    pub size: i64,
    /// The name the adapter gave itself.
    pub name: String,
    /// The version the adapter gave itself.
    pub adapter_version: String,
    /// The standards it handles.
    pub standards: Vec<String>,
    /// The services it is written for.
    pub services: Vec<String>,
    /// When it was uploaded (RFC 3339).
    pub uploaded_at: String,
    /// Who uploaded it (an operator's name, or `config` for the configuration file).
    pub uploaded_by: String,
    /// The trusted publisher whose key signed it.
    pub publisher: Option<String>,
    /// The signature, standard base64.
    #[serde(skip)]
    pub signature: Option<String>,
}

/// One entry of the audit log.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AuditEntry {
    /// Increasing id; pages continue with `before`.
    pub id: i64,
    /// When (RFC 3339).
    pub at: String,
    /// The operator's name; `None` when the credentials were not valid.
    pub actor: Option<String>,
    /// `operator` or `auditor`.
    pub role: Option<String>,
    /// The client's address.
    pub remote: Option<String>,
    /// What was attempted, such as `adapter.upload`.
    pub action: String,
    /// What it was attempted on, such as `agency/commune-00004`.
    pub target: String,
    /// `done` or `refused`.
    pub outcome: String,
    /// The HTTP status answered.
    pub status: u16,
    /// Why it was refused.
    pub reason: Option<String>,
    /// The object before the change.
    pub before: Option<serde_json::Value>,
    /// The object after the change.
    pub after: Option<serde_json::Value>,
}

/// A client added through the admin API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientRow {
    /// Its id, for the API.
    pub id: String,
    /// The agency.
    pub agency: String,
    /// `local` or `national`.
    pub form: String,
    /// The services it may call.
    pub services: Vec<String>,
    /// SHA-256 of its key.
    pub key_sha256: String,
}

/// The admin store.
pub struct AdminStore {
    conn: Mutex<Connection>,
}

impl std::fmt::Debug for AdminStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdminStore").finish_non_exhaustive()
    }
}

fn json_list(text: String) -> Vec<String> {
    serde_json::from_str(&text).unwrap_or_default()
}

fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned())
}

impl AdminStore {
    /// Opens (creating) the store at `path`.
    pub fn open(path: &Path) -> Result<Self> {
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.execute_batch(SCHEMA)?;
        Ok(Self {
            conn: Mutex::new(conn),
        })
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    // ---- Adapter registry ------------------------------------------------------------------

    /// Every agency with at least one version.
    pub fn agencies(&self) -> Result<Vec<String>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT DISTINCT agency FROM adapter_versions WHERE deleted_at IS NULL ORDER BY agency",
        )?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The versions of `agency` that are not deleted, oldest first.
    pub fn versions(&self, agency: &str) -> Result<Vec<VersionRow>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT agency, version, sha256, size, name, adapter_version, standards, services,
                    uploaded_at, uploaded_by, publisher, signature
             FROM adapter_versions WHERE agency = ?1 AND deleted_at IS NULL ORDER BY version",
        )?;
        let rows = stmt.query_map([agency], |r| {
            Ok(VersionRow {
                agency: r.get(0)?,
                version: r.get(1)?,
                sha256: r.get(2)?,
                size: r.get(3)?,
                name: r.get(4)?,
                adapter_version: r.get(5)?,
                standards: json_list(r.get(6)?),
                services: json_list(r.get(7)?),
                uploaded_at: r.get(8)?,
                uploaded_by: r.get(9)?,
                publisher: r.get(10)?,
                signature: r.get(11)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Registers a new version and returns it with its number, the next one for the agency.
    pub fn insert_version(&self, mut row: VersionRow) -> Result<VersionRow> {
        let conn = self.conn();
        let next: i64 = conn.query_row(
            "SELECT COALESCE(MAX(version), 0) + 1 FROM adapter_versions WHERE agency = ?1",
            [&row.agency],
            |r| r.get(0),
        )?;
        row.version = next;
        conn.execute(
            "INSERT INTO adapter_versions (agency, version, sha256, size, name, adapter_version,
                standards, services, uploaded_at, uploaded_by, publisher, signature)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            params![
                row.agency,
                row.version,
                row.sha256,
                row.size,
                row.name,
                row.adapter_version,
                to_json(&row.standards),
                to_json(&row.services),
                row.uploaded_at,
                row.uploaded_by,
                row.publisher,
                row.signature,
            ],
        )?;
        Ok(row)
    }

    /// Marks a version deleted; its number is never given again.
    pub fn delete_version(&self, agency: &str, version: i64, at: &str) -> Result<()> {
        self.conn().execute(
            "UPDATE adapter_versions SET deleted_at = ?3 WHERE agency = ?1 AND version = ?2",
            params![agency, version, at],
        )?;
        Ok(())
    }

    /// Whether any agency's live version still has these bytes.
    pub fn sha_in_use(&self, sha256: &str) -> Result<bool> {
        Ok(self
            .conn()
            .query_row(
                "SELECT 1 FROM adapter_versions WHERE sha256 = ?1 AND deleted_at IS NULL LIMIT 1",
                [sha256],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    /// Records that `version` became `agency`'s active version.
    pub fn activate(&self, agency: &str, version: i64, at: &str, actor: &str) -> Result<()> {
        self.conn().execute(
            "INSERT INTO activations (agency, version, at, actor) VALUES (?1, ?2, ?3, ?4)",
            params![agency, version, at, actor],
        )?;
        Ok(())
    }

    /// The versions `agency` was switched to, newest first.
    pub fn activation_history(&self, agency: &str) -> Result<Vec<i64>> {
        let conn = self.conn();
        let mut stmt =
            conn.prepare("SELECT version FROM activations WHERE agency = ?1 ORDER BY id DESC")?;
        let rows = stmt.query_map([agency], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    // ---- Compiled cache --------------------------------------------------------------------

    /// The digest recorded for a compiled form.
    pub fn compiled_digest(&self, sha256: &str, engine: &str) -> Result<Option<String>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT digest FROM compiled WHERE sha256 = ?1 AND engine = ?2",
                [sha256, engine],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Records the digest of a compiled form just written.
    pub fn set_compiled_digest(&self, sha256: &str, engine: &str, digest: &str) -> Result<()> {
        self.conn().execute(
            "INSERT OR REPLACE INTO compiled (sha256, engine, digest) VALUES (?1, ?2, ?3)",
            [sha256, engine, digest],
        )?;
        Ok(())
    }

    // ---- Runtime tables --------------------------------------------------------------------

    /// Standards added through the API: `(id, version, kind, sha256)`.
    pub fn standards(&self) -> Result<Vec<(String, String, String, String)>> {
        let conn = self.conn();
        let mut stmt =
            conn.prepare("SELECT id, version, kind, sha256 FROM standards ORDER BY id, version")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Adds or replaces a standard.
    pub fn put_standard(&self, id: &str, version: &str, kind: &str, sha256: &str) -> Result<()> {
        self.conn().execute(
            "INSERT OR REPLACE INTO standards (id, version, kind, sha256) VALUES (?1, ?2, ?3, ?4)",
            [id, version, kind, sha256],
        )?;
        Ok(())
    }

    /// Removes a standard.
    pub fn delete_standard(&self, id: &str, version: &str) -> Result<()> {
        self.conn().execute(
            "DELETE FROM standards WHERE id = ?1 AND version = ?2",
            [id, version],
        )?;
        Ok(())
    }

    /// Services added through the API: `(id, spec as JSON)`.
    pub fn services(&self) -> Result<Vec<(String, String)>> {
        let conn = self.conn();
        let mut stmt = conn.prepare("SELECT id, spec FROM services ORDER BY id")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Adds or replaces a service.
    pub fn put_service(&self, id: &str, spec: &str) -> Result<()> {
        self.conn().execute(
            "INSERT OR REPLACE INTO services (id, spec) VALUES (?1, ?2)",
            [id, spec],
        )?;
        Ok(())
    }

    /// Removes a service.
    pub fn delete_service(&self, id: &str) -> Result<()> {
        self.conn()
            .execute("DELETE FROM services WHERE id = ?1", [id])?;
        Ok(())
    }

    /// Clients added through the API.
    pub fn clients(&self) -> Result<Vec<ClientRow>> {
        let conn = self.conn();
        let mut stmt =
            conn.prepare("SELECT id, agency, form, services, key_sha256 FROM clients ORDER BY id")?;
        let rows = stmt.query_map([], |r| {
            Ok(ClientRow {
                id: r.get(0)?,
                agency: r.get(1)?,
                form: r.get(2)?,
                services: json_list(r.get(3)?),
                key_sha256: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Adds or replaces a client.
    pub fn put_client(&self, c: &ClientRow) -> Result<()> {
        self.conn().execute(
            "INSERT OR REPLACE INTO clients (id, agency, form, services, key_sha256)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![c.id, c.agency, c.form, to_json(&c.services), c.key_sha256],
        )?;
        Ok(())
    }

    /// Removes a client.
    pub fn delete_client(&self, id: &str) -> Result<()> {
        self.conn()
            .execute("DELETE FROM clients WHERE id = ?1", [id])?;
        Ok(())
    }

    // ---- Audit log -------------------------------------------------------------------------

    /// Appends one entry (its `id` is assigned here).
    pub fn audit(&self, e: &AuditEntry) -> Result<()> {
        self.conn().execute(
            "INSERT INTO audit (at, actor, role, remote, action, target, outcome, status, reason,
                before, after)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            params![
                e.at,
                e.actor,
                e.role,
                e.remote,
                e.action,
                e.target,
                e.outcome,
                e.status,
                e.reason,
                e.before.as_ref().map(to_json),
                e.after.as_ref().map(to_json),
            ],
        )?;
        Ok(())
    }

    /// Up to `limit` entries older than `before`, newest first.
    pub fn audit_page(&self, before: Option<i64>, limit: u32) -> Result<Vec<AuditEntry>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT id, at, actor, role, remote, action, target, outcome, status, reason, before,
                    after
             FROM audit WHERE id < ?1 ORDER BY id DESC LIMIT ?2",
        )?;
        let parse = |text: Option<String>| text.and_then(|t| serde_json::from_str(&t).ok());
        let rows = stmt.query_map(params![before.unwrap_or(i64::MAX), limit], |r| {
            Ok(AuditEntry {
                id: r.get(0)?,
                at: r.get(1)?,
                actor: r.get(2)?,
                role: r.get(3)?,
                remote: r.get(4)?,
                action: r.get(5)?,
                target: r.get(6)?,
                outcome: r.get(7)?,
                status: r.get(8)?,
                reason: r.get(9)?,
                before: parse(r.get(10)?),
                after: parse(r.get(11)?),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a failed step fails the test")]
mod tests {
    use super::*;

    fn row(agency: &str, sha: &str) -> VersionRow {
        VersionRow {
            agency: agency.to_owned(),
            version: 0,
            sha256: sha.to_owned(),
            size: 3,
            name: "a".to_owned(),
            adapter_version: "0.1.0".to_owned(),
            standards: vec!["s@1".to_owned()],
            services: vec![],
            uploaded_at: "2026-12-03T00:00:00Z".to_owned(),
            uploaded_by: "op".to_owned(),
            publisher: None,
            signature: None,
        }
    }

    #[test]
    fn versions_are_numbered_per_agency_and_never_reused() {
        let dir = tempfile::tempdir().unwrap();
        let store = AdminStore::open(&dir.path().join(ADMIN_DB_FILE)).unwrap();
        assert_eq!(store.insert_version(row("a", "x")).unwrap().version, 1);
        assert_eq!(store.insert_version(row("a", "y")).unwrap().version, 2);
        assert_eq!(store.insert_version(row("b", "x")).unwrap().version, 1);
        store.delete_version("a", 2, "t").unwrap();
        assert_eq!(store.insert_version(row("a", "z")).unwrap().version, 3);
        let live: Vec<i64> = store
            .versions("a")
            .unwrap()
            .iter()
            .map(|v| v.version)
            .collect();
        assert_eq!(live, [1, 3]);
        assert!(store.sha_in_use("x").unwrap());
        assert!(!store.sha_in_use("y").unwrap());
    }

    #[test]
    fn activations_and_audit_read_back_newest_first() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(ADMIN_DB_FILE);
        {
            let store = AdminStore::open(&path).unwrap();
            store.activate("a", 1, "t1", "op").unwrap();
            store.activate("a", 2, "t2", "op").unwrap();
            for i in 0..3 {
                store
                    .audit(&AuditEntry {
                        id: 0,
                        at: format!("t{i}"),
                        actor: Some("op".to_owned()),
                        role: Some("operator".to_owned()),
                        remote: None,
                        action: "service.put".to_owned(),
                        target: format!("service/s{i}"),
                        outcome: "done".to_owned(),
                        status: 200,
                        reason: None,
                        before: None,
                        after: Some(serde_json::json!({"i": i})),
                    })
                    .unwrap();
            }
        }
        // Reopened: everything survived.
        let store = AdminStore::open(&path).unwrap();
        assert_eq!(store.activation_history("a").unwrap(), [2, 1]);
        let page = store.audit_page(None, 2).unwrap();
        assert_eq!(page.len(), 2);
        assert_eq!(page[0].target, "service/s2");
        assert_eq!(page[0].after, Some(serde_json::json!({"i": 2})));
        let next = store.audit_page(Some(page[1].id), 10).unwrap();
        assert_eq!(next.len(), 1);
        assert_eq!(next[0].target, "service/s0");
    }
}

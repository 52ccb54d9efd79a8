//! The message log: one record per exchange, in an embedded SQLite database in the data
//! directory.
//!
//! This module owns the record's data model and its storage. Bodies are never stored, only
//! their sizes and SHA-256 digests. The schema is plain SQL with text and integer columns so
//! that the same model can move to PostgreSQL. Writes go through one writer thread that
//! commits whatever has queued up in a single transaction (group commit), and an exchange is
//! answered only after its record is committed.

use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use tokio::sync::oneshot;

/// The database file's name inside the data directory.
pub const DB_FILE: &str = "message-log.sqlite3";
/// Largest page of records one list call returns.
pub const MAX_PAGE: u32 = 500;
/// Most records committed in one transaction.
const MAX_BATCH: usize = 256;

/// Why the message log failed.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    /// SQLite reported an error.
    #[error("message log database error: {0}")]
    Db(#[from] rusqlite::Error),
    /// A stored JSON column could not be read back.
    #[error("message log record is corrupt: {0}")]
    Corrupt(#[from] serde_json::Error),
    /// The writer thread is gone.
    #[error("the message log writer has stopped")]
    WriterGone,
    /// The writer failed to commit a batch that held this record.
    #[error("failed to commit to the message log: {0}")]
    Commit(String),
}

/// How an exchange ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// The caller got the provider's answer.
    Delivered,
    /// The hub refused the request (4xx).
    Rejected,
    /// Something past the caller failed (5xx).
    Failed,
}

impl Outcome {
    fn as_str(self) -> &'static str {
        match self {
            Outcome::Delivered => "delivered",
            Outcome::Rejected => "rejected",
            Outcome::Failed => "failed",
        }
    }

    fn parse(s: &str) -> Outcome {
        match s {
            "delivered" => Outcome::Delivered,
            "rejected" => Outcome::Rejected,
            _ => Outcome::Failed,
        }
    }
}

/// The time one step of an exchange took.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepTime {
    /// The step, such as `caller-to-national` or `provider`.
    pub step: String,
    /// Microseconds.
    pub micros: u64,
}

/// Size and digest of one body that crossed the hub.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BodyDigest {
    /// Which body: `request`, `national-request`, `provider-request`, `provider-reply`,
    /// `national-reply` or `response`.
    pub leg: String,
    /// Length in bytes.
    pub bytes: u64,
    /// SHA-256, lowercase hex.
    pub sha256: String,
}

/// One exchange as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExchangeRecord {
    /// The exchange id (UUID v7, so ids sort by time).
    pub id: String,
    /// When the request arrived, RFC 3339 UTC.
    pub started_at: String,
    /// When the answer was ready, RFC 3339 UTC.
    pub finished_at: String,
    /// Whole duration in microseconds.
    pub duration_micros: u64,
    /// The calling agency, when it authenticated.
    pub caller: Option<String>,
    /// The service named in the request.
    pub service: Option<String>,
    /// The provider: an agency id or an upstream URL.
    pub provider: Option<String>,
    /// The caller's adapter as `name@version`, when one ran.
    pub caller_adapter: Option<String>,
    /// The provider's adapter as `name@version`, when one ran.
    pub provider_adapter: Option<String>,
    /// SHA-256 of the caller's adapter component: exactly which registered version ran.
    pub caller_adapter_sha256: Option<String>,
    /// SHA-256 of the provider's adapter component.
    pub provider_adapter_sha256: Option<String>,
    /// How it ended.
    pub outcome: Outcome,
    /// The HTTP status returned to the caller.
    pub status: u16,
    /// The problem type for a failed exchange.
    pub problem_type: Option<String>,
    /// Time per step.
    pub steps: Vec<StepTime>,
    /// Size and SHA-256 of each body.
    pub bodies: Vec<BodyDigest>,
}

type Job = (ExchangeRecord, oneshot::Sender<Result<(), String>>);

/// The handle to the message log. Cheap to clone.
#[derive(Clone)]
pub struct MessageLog {
    writer: std::sync::mpsc::SyncSender<Job>,
    reader: Arc<Mutex<Connection>>,
}

impl std::fmt::Debug for MessageLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MessageLog")
    }
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS exchanges (
    id               TEXT PRIMARY KEY,
    started_at       TEXT NOT NULL,
    finished_at      TEXT NOT NULL,
    duration_micros  INTEGER NOT NULL,
    caller           TEXT,
    service          TEXT,
    provider         TEXT,
    caller_adapter   TEXT,
    provider_adapter TEXT,
    caller_adapter_sha256   TEXT,
    provider_adapter_sha256 TEXT,
    outcome          TEXT NOT NULL,
    status           INTEGER NOT NULL,
    problem_type     TEXT,
    steps            TEXT NOT NULL,
    bodies           TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS exchanges_caller ON exchanges (caller, id);
CREATE INDEX IF NOT EXISTS exchanges_service ON exchanges (service, id);
";

fn open(path: &Path) -> Result<Connection, LogError> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    Ok(conn)
}

impl MessageLog {
    /// Opens (creating if needed) the database at `path` and starts the writer thread.
    pub fn open(path: &Path) -> Result<Self, LogError> {
        let conn = open(path)?;
        conn.execute_batch(SCHEMA)?;
        let reader = open(path)?;

        // A bounded queue: when the disk cannot keep up, exchanges wait rather than pile up.
        let (tx, rx) = std::sync::mpsc::sync_channel::<Job>(4096);
        std::thread::Builder::new()
            .name("lgsp-message-log".to_owned())
            .spawn(move || writer_loop(conn, rx))
            .map_err(|_| LogError::WriterGone)?;
        Ok(Self {
            writer: tx,
            reader: Arc::new(Mutex::new(reader)),
        })
    }

    /// Records one exchange and waits until it is committed.
    pub async fn record(&self, record: ExchangeRecord) -> Result<(), LogError> {
        let (ack_tx, ack_rx) = oneshot::channel();
        // Almost always there is room; only a full queue needs a thread that may block.
        match self.writer.try_send((record, ack_tx)) {
            Ok(()) => {}
            Err(std::sync::mpsc::TrySendError::Full(job)) => {
                let writer = self.writer.clone();
                tokio::task::spawn_blocking(move || writer.send(job).map_err(|_| ()))
                    .await
                    .map_err(|_| LogError::WriterGone)?
                    .map_err(|_| LogError::WriterGone)?;
            }
            Err(std::sync::mpsc::TrySendError::Disconnected(_)) => {
                return Err(LogError::WriterGone);
            }
        }
        match ack_rx.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(message)) => Err(LogError::Commit(message)),
            Err(_) => Err(LogError::WriterGone),
        }
    }

    /// Newest records first; `before` continues a listing after the last id of a page.
    pub async fn list(
        &self,
        before: Option<String>,
        limit: u32,
    ) -> Result<Vec<ExchangeRecord>, LogError> {
        let reader = self.reader.clone();
        let limit = limit.clamp(1, MAX_PAGE);
        tokio::task::spawn_blocking(move || {
            let conn = reader.lock().unwrap_or_else(|p| p.into_inner());
            let mut stmt = conn.prepare_cached(
                "SELECT * FROM exchanges WHERE (?1 IS NULL OR id < ?1) ORDER BY id DESC LIMIT ?2",
            )?;
            let rows = stmt.query_map(params![before, limit], row_to_raw)?;
            rows.map(|r| r.map_err(LogError::from).and_then(RawRow::into_record))
                .collect()
        })
        .await
        .map_err(|_| LogError::WriterGone)?
    }

    /// One record by id.
    pub async fn get(&self, id: String) -> Result<Option<ExchangeRecord>, LogError> {
        let reader = self.reader.clone();
        tokio::task::spawn_blocking(move || {
            let conn = reader.lock().unwrap_or_else(|p| p.into_inner());
            let mut stmt = conn.prepare_cached("SELECT * FROM exchanges WHERE id = ?1")?;
            let raw = stmt.query_row(params![id], row_to_raw).optional()?;
            raw.map(RawRow::into_record).transpose()
        })
        .await
        .map_err(|_| LogError::WriterGone)?
    }
}

fn writer_loop(mut conn: Connection, rx: std::sync::mpsc::Receiver<Job>) {
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        // Let the exchanges that are running queue their records too before committing:
        // one commit costs far more than one insert, so one commit should carry them all.
        std::thread::yield_now();
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let result = write_batch(&mut conn, &batch).map_err(|e| e.to_string());
        if let Err(message) = &result {
            tracing::error!(error = %message, records = batch.len(), "failed to write the message log");
        }
        for (_, ack) in batch {
            let _ = ack.send(result.clone());
        }
    }
}

fn write_batch(conn: &mut Connection, batch: &[Job]) -> Result<(), LogError> {
    let tx = conn.transaction()?;
    {
        let mut stmt = tx.prepare_cached(
            "INSERT INTO exchanges (id, started_at, finished_at, duration_micros, caller, service,
                provider, caller_adapter, provider_adapter, caller_adapter_sha256,
                provider_adapter_sha256, outcome, status, problem_type, steps, bodies)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
        )?;
        for (r, _) in batch {
            stmt.execute(params![
                r.id,
                r.started_at,
                r.finished_at,
                r.duration_micros as i64,
                r.caller,
                r.service,
                r.provider,
                r.caller_adapter,
                r.provider_adapter,
                r.caller_adapter_sha256,
                r.provider_adapter_sha256,
                r.outcome.as_str(),
                r.status,
                r.problem_type,
                serde_json::to_string(&r.steps)?,
                serde_json::to_string(&r.bodies)?,
            ])?;
        }
    }
    tx.commit()?;
    Ok(())
}

struct RawRow {
    id: String,
    started_at: String,
    finished_at: String,
    duration_micros: i64,
    caller: Option<String>,
    service: Option<String>,
    provider: Option<String>,
    caller_adapter: Option<String>,
    provider_adapter: Option<String>,
    caller_adapter_sha256: Option<String>,
    provider_adapter_sha256: Option<String>,
    outcome: String,
    status: u16,
    problem_type: Option<String>,
    steps: String,
    bodies: String,
}

fn row_to_raw(row: &rusqlite::Row<'_>) -> rusqlite::Result<RawRow> {
    Ok(RawRow {
        id: row.get("id")?,
        started_at: row.get("started_at")?,
        finished_at: row.get("finished_at")?,
        duration_micros: row.get("duration_micros")?,
        caller: row.get("caller")?,
        service: row.get("service")?,
        provider: row.get("provider")?,
        caller_adapter: row.get("caller_adapter")?,
        provider_adapter: row.get("provider_adapter")?,
        caller_adapter_sha256: row.get("caller_adapter_sha256")?,
        provider_adapter_sha256: row.get("provider_adapter_sha256")?,
        outcome: row.get("outcome")?,
        status: row.get("status")?,
        problem_type: row.get("problem_type")?,
        steps: row.get("steps")?,
        bodies: row.get("bodies")?,
    })
}

impl RawRow {
    fn into_record(self) -> Result<ExchangeRecord, LogError> {
        Ok(ExchangeRecord {
            id: self.id,
            started_at: self.started_at,
            finished_at: self.finished_at,
            duration_micros: self.duration_micros.max(0) as u64,
            caller: self.caller,
            service: self.service,
            provider: self.provider,
            caller_adapter: self.caller_adapter,
            provider_adapter: self.provider_adapter,
            caller_adapter_sha256: self.caller_adapter_sha256,
            provider_adapter_sha256: self.provider_adapter_sha256,
            outcome: Outcome::parse(&self.outcome),
            status: self.status,
            problem_type: self.problem_type,
            steps: serde_json::from_str(&self.steps)?,
            bodies: serde_json::from_str(&self.bodies)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: &str, outcome: Outcome) -> ExchangeRecord {
        ExchangeRecord {
            id: id.to_owned(),
            started_at: "2026-12-03T10:00:00Z".to_owned(),
            finished_at: "2026-12-03T10:00:01Z".to_owned(),
            duration_micros: 1_000_000,
            caller: Some("000.00.00.A80".to_owned()),
            service: Some("documents.send".to_owned()),
            provider: Some("http://127.0.0.1:1/x".to_owned()),
            caller_adapter: Some("edxml-documents@0.1.0".to_owned()),
            provider_adapter: None,
            caller_adapter_sha256: None,
            provider_adapter_sha256: None,
            outcome,
            status: if outcome == Outcome::Delivered {
                200
            } else {
                422
            },
            problem_type: None,
            steps: vec![StepTime {
                step: "caller-to-national".to_owned(),
                micros: 42,
            }],
            bodies: vec![BodyDigest {
                leg: "request".to_owned(),
                bytes: 3,
                sha256: "ab".repeat(32),
            }],
        }
    }

    #[tokio::test]
    async fn records_survive_a_reopen_and_list_newest_first() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join(DB_FILE);
        {
            let log = MessageLog::open(&path).expect("open");
            log.record(record("0001", Outcome::Delivered))
                .await
                .expect("write");
            log.record(record("0002", Outcome::Rejected))
                .await
                .expect("write");
            log.record(record("0003", Outcome::Delivered))
                .await
                .expect("write");
        }
        let log = MessageLog::open(&path).expect("reopen");
        let page = log.list(None, 2).await.expect("list");
        let ids: Vec<&str> = page.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["0003", "0002"]);
        let next = log.list(Some("0002".to_owned()), 2).await.expect("list");
        assert_eq!(next.len(), 1);
        assert_eq!(next[0], record("0001", Outcome::Delivered));
        assert_eq!(
            log.get("0002".to_owned())
                .await
                .expect("get")
                .map(|r| r.outcome),
            Some(Outcome::Rejected)
        );
        assert!(log.get("nope".to_owned()).await.expect("get").is_none());
    }
}

//! Receipts for a batch: the registry's CSV receipt and the `citizen-receipt` standard, and
//! the translation between them in both directions.
//!
//! CSV has no nesting, so the registry's receipt repeats the batch's columns (reference, time,
//! status, counts) on every row and gives one record's outcome per row. A batch refused as a
//! whole has no outcomes; its receipt is a single row whose outcome columns are blank.

use lgsp_guest::{AdapterError, Host, Violations};
use serde::Serialize;
use serde_json::Value;

use crate::checks::{self, Fault, MAX_RECORDS, Raw, push, required};
use crate::date::LocalTime;
use crate::json::{self, Object};
use crate::table::{self, Columns, Row, Table};

/// The standard's id.
pub const STANDARD: &str = "citizen-receipt";
/// The version of the standard this module reads and writes.
pub const VERSION: &str = "1.0";

/// The columns of the registry's receipt; every one must be in the header.
pub const COLUMNS: Columns = Columns {
    all: &[
        "ma_bien_nhan",
        "thoi_gian_nhan",
        "trang_thai",
        "so_ban_ghi",
        "so_chap_nhan",
        "so_dinh_danh",
        "ket_qua",
        "ly_do",
    ],
    required: &[
        "ma_bien_nhan",
        "thoi_gian_nhan",
        "trang_thai",
        "so_ban_ghi",
        "so_chap_nhan",
        "so_dinh_danh",
        "ket_qua",
        "ly_do",
    ],
};

/// The columns that describe the whole batch and so repeat on every row.
const BATCH_COLUMNS: &[&str] = &[
    "ma_bien_nhan",
    "thoi_gian_nhan",
    "trang_thai",
    "so_ban_ghi",
    "so_chap_nhan",
];

/// Longest reason, as in the schema.
const REASON_MAX: usize = 500;

/// What happened to a batch as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
enum Status {
    Accepted,
    Partial,
    Rejected,
}

impl Status {
    const LOCAL: [(Self, &'static str); 3] = [
        (Self::Accepted, "chap_nhan"),
        (Self::Partial, "chap_nhan_mot_phan"),
        (Self::Rejected, "tu_choi"),
    ];
    const NATIONAL: [(Self, &'static str); 3] = [
        (Self::Accepted, "accepted"),
        (Self::Partial, "partial"),
        (Self::Rejected, "rejected"),
    ];

    /// The status that the counts imply.
    fn implied(received: u32, accepted: u32) -> Self {
        if accepted == 0 {
            Self::Rejected
        } else if accepted >= received {
            Self::Accepted
        } else {
            Self::Partial
        }
    }
}

/// What happened to one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
enum Verdict {
    Accepted,
    Rejected,
}

impl Verdict {
    const LOCAL: [(Self, &'static str); 2] =
        [(Self::Accepted, "chap_nhan"), (Self::Rejected, "tu_choi")];
    const NATIONAL: [(Self, &'static str); 2] =
        [(Self::Accepted, "accepted"), (Self::Rejected, "rejected")];
}

/// Finds `text` among a form's spellings of an enumeration.
fn spelled<T: Copy>(table: &[(T, &'static str)], text: &str) -> Result<T, Fault> {
    match table.iter().find(|(_, name)| *name == text) {
        Some((value, _)) => Ok(*value),
        None => {
            let names: Vec<_> = table.iter().map(|(_, name)| *name).collect();
            Err(Fault::new(
                "enum",
                format!("`{text}` is not one of {}", names.join(", ")),
            ))
        }
    }
}

/// The spelling of `value` in a form.
fn spelling<T: Copy + PartialEq>(table: &[(T, &'static str)], value: T) -> &'static str {
    table
        .iter()
        .find(|(v, _)| *v == value)
        .map_or("", |(_, name)| name)
}

/// A receipt, every value checked.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Receipt {
    standard: &'static str,
    version: &'static str,
    receipt_id: String,
    status: Status,
    received_at: LocalTime,
    received: u32,
    accepted: u32,
    records: Vec<Outcome>,
}

/// One record's outcome.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Outcome {
    citizen_id: String,
    status: Verdict,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

/// The values of a receipt that describe the whole batch, each `None` if it was wrong.
struct Head {
    receipt_id: Option<String>,
    status: Option<Status>,
    received_at: Option<LocalTime>,
    received: Option<u32>,
    accepted: Option<u32>,
}

/// Where the values that the consistency rules compare sit, in one form.
struct HeadPaths {
    status: String,
    received: String,
    accepted: String,
}

impl Head {
    /// Checks the counts against each other, the status and the outcomes, then assembles the
    /// receipt if nothing was wrong. `outcomes` is `None` when some could not be read; they are
    /// then not counted, since the count would only repeat violations already recorded.
    fn finish(
        self,
        outcomes: Option<Vec<Outcome>>,
        paths: HeadPaths,
        v: &mut Violations,
    ) -> Option<Receipt> {
        let (Some(received), Some(accepted)) = (self.received, self.accepted) else {
            return None;
        };
        let before = v.as_slice().len();
        if accepted > received {
            let message = format!("{accepted} records accepted out of {received} received");
            v.push(paths.accepted.clone(), "count", message);
        } else if let Some(status) = self.status {
            let implied = Status::implied(received, accepted);
            if status != implied {
                let message = format!(
                    "{accepted} of {received} records accepted means the status `{}`",
                    spelling(&Status::NATIONAL, implied)
                );
                v.push(paths.status, "status", message);
            }
        }
        let outcomes = outcomes?;
        if !outcomes.is_empty() {
            if outcomes.len() != received as usize {
                let message = format!("{} outcomes listed for {received} records", outcomes.len());
                v.push(paths.received, "count", message);
            }
            let listed = outcomes
                .iter()
                .filter(|o| o.status == Verdict::Accepted)
                .count();
            if listed != accepted as usize {
                let message =
                    format!("{listed} outcomes are accepted but the count says {accepted}");
                v.push(paths.accepted, "count", message);
            }
        }
        if v.as_slice().len() != before {
            return None;
        }
        Some(Receipt {
            standard: STANDARD,
            version: VERSION,
            receipt_id: self.receipt_id?,
            status: self.status?,
            received_at: self.received_at?,
            received,
            accepted,
            records: outcomes,
        })
    }
}

/// Translates the registry's CSV receipt into a `citizen-receipt` document.
pub fn to_national(host: &dyn Host, body: &[u8]) -> Result<(Vec<u8>, usize), AdapterError> {
    let mut v = Violations::new();
    let Some(table) = Table::read(body, &COLUMNS, &mut v) else {
        return Err(v.into());
    };
    let mut rows = Vec::new();
    table.each_row(&mut v, |row, _| rows.push(row));
    let Some(first) = rows.first() else {
        return Err(v.into());
    };

    let head = read_local_head(&table, first, &mut v);
    for row in &rows[1..] {
        for column in BATCH_COLUMNS {
            let (here, there) = (table.cell(row, column), table.cell(first, column));
            if here != there && here != Raw::Reported && there != Raw::Reported {
                v.push(
                    table::path(row.line, column),
                    "inconsistent",
                    format!(
                        "every row must repeat the batch's `{column}` of row {}",
                        first.line
                    ),
                );
            }
        }
    }

    let mut outcomes = Vec::new();
    let mut complete = rows.len() == table.row_count();
    for row in &rows {
        let values = ["so_dinh_danh", "ket_qua", "ly_do"].map(|c| table.cell(row, c));
        if rows.len() == 1 && values.iter().all(|value| *value == Raw::Absent) {
            // The single row of a receipt for a batch refused as a whole.
            break;
        }
        let paths = ["so_dinh_danh", "ket_qua", "ly_do"].map(|c| table::path(row.line, c));
        match read_outcome(host, values, paths, &Verdict::LOCAL, &mut v) {
            Some(outcome) => outcomes.push(outcome),
            None => complete = false,
        }
    }

    let paths = HeadPaths {
        status: table::path(first.line, "trang_thai"),
        received: table::path(first.line, "so_ban_ghi"),
        accepted: table::path(first.line, "so_chap_nhan"),
    };
    let receipt = head.finish(complete.then_some(outcomes), paths, &mut v);
    v.finish(())?;
    write_json(receipt)
}

/// Translates a `citizen-receipt` document into the registry's CSV receipt.
pub fn to_local(host: &dyn Host, body: &[u8]) -> Result<(Vec<u8>, usize), AdapterError> {
    let document = json::parse(body)?;
    let mut v = Violations::new();
    let Some(root) = Object::at(&document, String::new(), &mut v) else {
        return Err(v.into());
    };
    root.only(
        &[
            "standard",
            "version",
            "receiptId",
            "status",
            "receivedAt",
            "received",
            "accepted",
            "records",
        ],
        &mut v,
    );
    root.constant("standard", STANDARD, &mut v);
    root.constant("version", VERSION, &mut v);

    let member = |key: &str, v: &mut Violations| (root.text(key, v), root.path(key));
    let (raw, path) = member("receiptId", &mut v);
    let receipt_id = required(raw, || path, &mut v, checks::receipt_id);
    let (raw, path) = member("status", &mut v);
    let status = required(raw, || path, &mut v, |t| spelled(&Status::NATIONAL, t));
    let (raw, path) = member("receivedAt", &mut v);
    let received_at = required(raw, || path, &mut v, LocalTime::from_rfc3339);
    let head = Head {
        receipt_id,
        status,
        received_at,
        received: root.count("received", MAX_RECORDS as u64, &mut v),
        accepted: root.count("accepted", MAX_RECORDS as u64, &mut v),
    };

    let mut outcomes = Vec::new();
    let mut complete = true;
    match root.get("records") {
        None => v.push(
            root.path("records"),
            "required",
            "a receipt needs `records`, maybe empty",
        ),
        Some(Value::Array(items)) if items.len() > MAX_RECORDS => v.push(
            root.path("records"),
            "too-many",
            format!(
                "a receipt lists at most {MAX_RECORDS} records; this one has {}",
                items.len()
            ),
        ),
        Some(Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                let path = json::pointer("/records", &i.to_string());
                let Some(record) = Object::at(item, path, &mut v) else {
                    complete = false;
                    continue;
                };
                record.only(&["citizenId", "status", "reason"], &mut v);
                let values = ["citizenId", "status", "reason"].map(|k| record.text(k, &mut v));
                let paths = ["citizenId", "status", "reason"].map(|k| record.path(k));
                match read_outcome(host, values, paths, &Verdict::NATIONAL, &mut v) {
                    Some(outcome) => outcomes.push(outcome),
                    None => complete = false,
                }
            }
        }
        Some(_) => v.push(
            root.path("records"),
            "type",
            "expected an array of outcomes",
        ),
    }

    let paths = HeadPaths {
        status: root.path("status"),
        received: root.path("received"),
        accepted: root.path("accepted"),
    };
    let receipt = head.finish(complete.then_some(outcomes), paths, &mut v);
    v.finish(())?;
    let receipt = receipt.ok_or_else(incomplete)?;

    let batch = [
        receipt.receipt_id.clone(),
        receipt.received_at.local(),
        spelling(&Status::LOCAL, receipt.status).to_owned(),
        receipt.received.to_string(),
        receipt.accepted.to_string(),
    ];
    let row = |outcome: Option<&Outcome>| {
        let mut row = batch.to_vec();
        row.push(outcome.map(|o| o.citizen_id.clone()).unwrap_or_default());
        row.push(
            outcome
                .map(|o| spelling(&Verdict::LOCAL, o.status).to_owned())
                .unwrap_or_default(),
        );
        row.push(outcome.and_then(|o| o.reason.clone()).unwrap_or_default());
        row
    };
    let rows: Vec<_> = if receipt.records.is_empty() {
        vec![row(None)]
    } else {
        receipt.records.iter().map(|o| row(Some(o))).collect()
    };
    Ok((table::write(COLUMNS.all, rows)?, receipt.records.len()))
}

/// The batch columns of the registry's receipt, from its first row.
fn read_local_head(table: &Table, row: &Row, v: &mut Violations) -> Head {
    let cell = |column: &str| table.cell(row, column);
    let path = |column: &str| table::path(row.line, column);
    Head {
        receipt_id: required(
            cell("ma_bien_nhan"),
            || path("ma_bien_nhan"),
            v,
            checks::receipt_id,
        ),
        received_at: required(
            cell("thoi_gian_nhan"),
            || path("thoi_gian_nhan"),
            v,
            LocalTime::parse,
        ),
        status: required(
            cell("trang_thai"),
            || path("trang_thai"),
            v,
            |t| spelled(&Status::LOCAL, t),
        ),
        received: required(cell("so_ban_ghi"), || path("so_ban_ghi"), v, checks::count),
        accepted: required(
            cell("so_chap_nhan"),
            || path("so_chap_nhan"),
            v,
            checks::count,
        ),
    }
}

/// One outcome from its identification number, verdict and reason, in either form.
fn read_outcome(
    host: &dyn Host,
    [id, verdict, reason]: [Raw<'_>; 3],
    [id_path, verdict_path, reason_path]: [String; 3],
    verdicts: &[(Verdict, &'static str)],
    v: &mut Violations,
) -> Option<Outcome> {
    let id = required(id, || id_path, v, |t| checks::citizen_id(host, t));
    let verdict = required(verdict, || verdict_path, v, |t| spelled(verdicts, t));
    let reason = match (reason, verdict) {
        (Raw::Absent, Some(Verdict::Rejected)) => {
            v.push(
                reason_path,
                "required",
                "a refused record needs the reason for refusing it",
            );
            return None;
        }
        (Raw::Absent, _) => None,
        (Raw::Text(text), _) => match checks::plain_text(text, REASON_MAX) {
            Ok(text) => Some(text),
            Err(fault) => {
                push(v, reason_path, fault);
                return None;
            }
        },
        (Raw::Reported, _) => return None,
    };
    Some(Outcome {
        citizen_id: id?,
        status: verdict?,
        reason,
    })
}

fn write_json(receipt: Option<Receipt>) -> Result<(Vec<u8>, usize), AdapterError> {
    let receipt = receipt.ok_or_else(incomplete)?;
    let body = serde_json::to_vec(&receipt)
        .map_err(|err| AdapterError::Internal(format!("failed to write JSON: {err}")))?;
    Ok((body, receipt.records.len()))
}

/// A receipt that recorded no violation is complete; reaching this is a bug in this module.
fn incomplete() -> AdapterError {
    AdapterError::Internal("a receipt without violations was incomplete".to_owned())
}

#[cfg(test)]
mod tests {
    use lgsp_guest::testing::MockHost;
    use serde_json::json;

    use super::*;

    fn host() -> MockHost {
        MockHost::new().with_entry("provinces", "01", "Thành phố Hà Nội", None)
    }

    fn refusal(result: Result<(Vec<u8>, usize), AdapterError>) -> Vec<(String, String)> {
        match result {
            Err(AdapterError::Rejected(v)) => v.into_iter().map(|v| (v.path, v.code)).collect(),
            other => panic!("expected a rejection, got {other:?}"),
        }
    }

    fn pairs<const N: usize>(expected: [(&str, &str); N]) -> Vec<(String, String)> {
        expected.map(|(p, c)| (p.to_owned(), c.to_owned())).into()
    }

    #[test]
    fn a_registry_receipt_must_agree_with_itself() {
        let file = "ma_bien_nhan,thoi_gian_nhan,trang_thai,so_ban_ghi,so_chap_nhan,\
                    so_dinh_danh,ket_qua,ly_do\n\
                    BN-1,03/12/2025 17:00:00,chap_nhan,3,3,001325004567,chap_nhan,\n\
                    BN-2,03/12/2025 17:00:00,chap_nhan,3,3,001225004568,tu_choi,Trùng số\n";
        let expected = pairs([
            ("row 3, column ma_bien_nhan", "inconsistent"),
            ("row 2, column so_ban_ghi", "count"),
            ("row 2, column so_chap_nhan", "count"),
        ]);
        assert_eq!(refusal(to_national(&host(), file.as_bytes())), expected);

        let file = "ma_bien_nhan,thoi_gian_nhan,trang_thai,so_ban_ghi,so_chap_nhan,\
                    so_dinh_danh,ket_qua,ly_do\n\
                    BN-1,31/11/2025 17:00,tu_choi,2,1,,,\n";
        let expected = pairs([
            ("row 2, column thoi_gian_nhan", "date"),
            ("row 2, column trang_thai", "status"),
        ]);
        assert_eq!(refusal(to_national(&host(), file.as_bytes())), expected);
    }

    #[test]
    fn a_national_receipt_must_agree_with_itself() {
        let receipt = json!({
            "standard": "citizen-receipt",
            "version": "1.0",
            "receiptId": "QG-1",
            "status": "accepted",
            "receivedAt": "2025-12-03T10:00:00Z",
            "received": 2,
            "accepted": 1,
            "records": [
                { "citizenId": "001325004567", "status": "accepted", "note": "x" },
                { "citizenId": "001225004568", "status": "rejected" }
            ]
        });
        let body = serde_json::to_vec(&receipt).unwrap_or_default();
        let expected = pairs([
            ("/records/0/note", "unknown-field"),
            ("/records/1/reason", "required"),
            ("/status", "status"),
        ]);
        assert_eq!(refusal(to_local(&host(), &body)), expected);

        let receipt = json!({ "standard": "citizen-receipt", "version": "1.0", "received": 1.5 });
        let body = serde_json::to_vec(&receipt).unwrap_or_default();
        let expected = pairs([
            ("/receiptId", "required"),
            ("/status", "required"),
            ("/receivedAt", "required"),
            ("/received", "format"),
            ("/accepted", "required"),
            ("/records", "required"),
        ]);
        assert_eq!(refusal(to_local(&host(), &body)), expected);
    }

    #[test]
    fn status_follows_the_counts() {
        assert_eq!(Status::implied(3, 3), Status::Accepted);
        assert_eq!(Status::implied(3, 2), Status::Partial);
        assert_eq!(Status::implied(3, 0), Status::Rejected);
        assert_eq!(Status::implied(0, 0), Status::Rejected);
    }

    #[test]
    fn every_status_has_both_spellings() {
        for (status, local) in Status::LOCAL {
            assert_eq!(spelled(&Status::LOCAL, local), Ok(status));
            let national = spelling(&Status::NATIONAL, status);
            assert_eq!(spelled(&Status::NATIONAL, national), Ok(status));
        }
        assert!(spelled(&Verdict::LOCAL, "accepted").is_err());
    }
}

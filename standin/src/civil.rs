//! Stand-ins for the two peers of the civil-registry exchange.
//!
//! [`national`] plays the national citizen service: it takes a `citizen-record` batch (JSON)
//! and answers with a `citizen-receipt` (see `standards/citizen-record/`). [`agency_registry`]
//! plays another commune's civil registry: it takes the registry's CSV file and answers with
//! the registry's CSV receipt, which the `civil-registry-csv` adapter turns into a
//! `citizen-receipt`.
//!
//! Both judge a batch by its identification numbers alone, the rest being the hub's and the
//! adapter's job: a record is accepted unless its number appeared earlier in the batch. A
//! batch with a malformed number, or one they cannot read as a batch at all, is refused as a
//! whole with no per-record outcomes (and counted as 0 records when it has no readable list).
//! A body that is not JSON, or not a CSV file with a `so_dinh_danh` column, gets a 400.
//!
//! The receipt reference is a hash of the body, so the same batch always gets the same one;
//! the reception time is the machine's clock.

use std::time::{SystemTime, UNIX_EPOCH};

use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde_json::{Value, json};

/// The province codes in force since 1 July 2025: the second and third digits of a valid
/// personal identification number (the standard's schema enforces the same list).
const PROVINCES: [&str; 34] = [
    "01", "04", "08", "11", "12", "14", "15", "19", "20", "22", "24", "25", "31", "33", "37", "38",
    "40", "42", "44", "46", "48", "51", "52", "56", "66", "68", "75", "79", "80", "82", "86", "91",
    "92", "96",
];

/// Most records either receipt may count, as in the standard.
const MAX_RECORDS: usize = 1000;

/// The reason given for a number seen twice, in the clerk's language.
const DUPLICATE_REASON: &str = "Số định danh cá nhân trùng với một bản ghi trước đó trong lô";

/// The header of the registry's CSV receipt: the batch's columns, then one record's outcome.
const RECEIPT_HEADER: &str = concat!(
    "ma_bien_nhan,thoi_gian_nhan,trang_thai,so_ban_ghi,so_chap_nhan,",
    "so_dinh_danh,ket_qua,ly_do\r\n"
);

/// Vietnam's offset from UTC, constant all year.
const VIETNAM_OFFSET_SECONDS: i64 = 7 * 3600;

/// The national citizen service: a `citizen-record` batch in, a `citizen-receipt` out.
pub async fn national(body: Bytes) -> Response {
    let batch: Value = match serde_json::from_slice(&body) {
        Ok(batch) => batch,
        Err(err) => return bad_request(&format!("the body is not JSON: {err}")),
    };
    let ids: Option<Vec<Option<&str>>> =
        batch
            .get("records")
            .and_then(Value::as_array)
            .map(|records| {
                records
                    .iter()
                    .map(|r| r.get("citizenId").and_then(Value::as_str))
                    .collect()
            });
    let verdict = Verdict::of(ids.as_deref());

    let records: Vec<Value> = verdict
        .outcomes
        .iter()
        .map(|(id, reason)| match reason {
            None => json!({ "citizenId": id, "status": "accepted" }),
            Some(reason) => json!({ "citizenId": id, "status": "rejected", "reason": reason }),
        })
        .collect();
    let receipt = json!({
        "standard": "citizen-receipt",
        "version": "1.0",
        "receiptId": format!("QG-{:016X}", fnv1a(&body)),
        "status": verdict.status(["accepted", "partial", "rejected"]),
        "receivedAt": Clock::now(0).rfc3339_utc(),
        "received": verdict.received,
        "accepted": verdict.accepted(),
        "records": records,
    });
    tracing::debug!(
        records = verdict.received,
        accepted = verdict.accepted(),
        "national citizen service received a batch"
    );
    ([(CONTENT_TYPE, "application/json")], receipt.to_string()).into_response()
}

/// Another commune's civil registry: its CSV file in, its CSV receipt out.
pub async fn agency_registry(body: Bytes) -> Response {
    let text = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&body);
    let Ok(text) = std::str::from_utf8(text) else {
        return bad_request("the file is not UTF-8");
    };
    let rows = match parse_csv(text) {
        Ok(rows) => rows,
        Err(reason) => return bad_request(&reason),
    };
    let Some((header, records)) = rows.split_first() else {
        return bad_request("the file is empty");
    };
    let Some(column) = header.iter().position(|name| name.trim() == "so_dinh_danh") else {
        return bad_request("the header has no column so_dinh_danh");
    };
    let ids: Vec<Option<&str>> = records
        .iter()
        .filter(|row| row.iter().any(|cell| !cell.trim().is_empty()))
        .map(|row| row.get(column).map(|id| id.trim()))
        .collect();
    let verdict = Verdict::of(Some(&ids));

    let batch = [
        format!("BN-{:016X}", fnv1a(&body)),
        Clock::now(VIETNAM_OFFSET_SECONDS).local(),
        verdict
            .status(["chap_nhan", "chap_nhan_mot_phan", "tu_choi"])
            .to_owned(),
        verdict.received.to_string(),
        verdict.accepted().to_string(),
    ];
    let mut receipt = String::from(RECEIPT_HEADER);
    let mut line = |outcome: [&str; 3]| {
        let cells: Vec<String> = batch
            .iter()
            .map(String::as_str)
            .chain(outcome)
            .map(quote)
            .collect();
        receipt.push_str(&cells.join(","));
        receipt.push_str("\r\n");
    };
    if verdict.outcomes.is_empty() {
        line(["", "", ""]);
    }
    for (id, reason) in &verdict.outcomes {
        match reason {
            None => line([id, "chap_nhan", ""]),
            Some(reason) => line([id, "tu_choi", reason]),
        }
    }
    tracing::debug!(
        records = verdict.received,
        accepted = verdict.accepted(),
        "civil registry received a batch"
    );
    ([(CONTENT_TYPE, "text/csv; charset=utf-8")], receipt).into_response()
}

/// What the receiving side decided about a batch.
struct Verdict<'a> {
    /// How many records the batch held, or 0 when it held no readable list.
    received: usize,
    /// Each record's number and, if refused, why; empty when the batch is refused whole.
    outcomes: Vec<(&'a str, Option<&'static str>)>,
}

impl<'a> Verdict<'a> {
    /// Judges a batch from the identification numbers of its records, in order.
    fn of(ids: Option<&[Option<&'a str>]>) -> Self {
        let Some(ids) = ids.filter(|ids| ids.len() <= MAX_RECORDS) else {
            return Self {
                received: 0,
                outcomes: Vec::new(),
            };
        };
        let well_formed: Option<Vec<&str>> = ids
            .iter()
            .map(|id| id.filter(|id| is_citizen_id(id)))
            .collect();
        let outcomes = well_formed
            .map(|ids| {
                ids.iter()
                    .enumerate()
                    .map(|(i, id)| (*id, ids[..i].contains(id).then_some(DUPLICATE_REASON)))
                    .collect()
            })
            .unwrap_or_default();
        Self {
            received: ids.len(),
            outcomes,
        }
    }

    fn accepted(&self) -> usize {
        self.outcomes
            .iter()
            .filter(|(_, reason)| reason.is_none())
            .count()
    }

    /// The batch's status, spelled as one of `[accepted, partial, rejected]`.
    fn status(&self, spellings: [&'static str; 3]) -> &'static str {
        match self.accepted() {
            0 => spellings[2],
            n if n == self.received => spellings[0],
            _ => spellings[1],
        }
    }
}

/// Twelve digits: `0`, a province code in force, then nine more.
fn is_citizen_id(id: &str) -> bool {
    id.len() == 12
        && id.bytes().all(|b| b.is_ascii_digit())
        && id.starts_with('0')
        && PROVINCES.contains(&&id[1..3])
}

/// Splits CSV text into rows of cells (RFC 4180 quoting, LF or CRLF line ends).
fn parse_csv(text: &str) -> Result<Vec<Vec<String>>, String> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => cell.push(c),
            (false, '"') if cell.is_empty() => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut cell)),
            (false, '\r') if chars.peek() == Some(&'\n') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => cell.push(c),
        }
    }
    if quoted {
        return Err("a quoted cell is never closed".to_owned());
    }
    if !cell.is_empty() || !row.is_empty() {
        row.push(cell);
        rows.push(row);
    }
    Ok(rows)
}

/// A CSV cell, quoted when it holds a separator, a quote or a line break.
fn quote(cell: &str) -> String {
    if cell.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell.to_owned()
    }
}

/// 64-bit FNV-1a: a stable hash of the body, so that a receipt reference depends only on what
/// was sent, across runs and Rust releases alike.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// A wall-clock reading split into calendar fields at a fixed offset from UTC.
struct Clock {
    year: i64,
    month: i64,
    day: i64,
    seconds_of_day: i64,
}

impl Clock {
    /// Now, `offset` seconds east of UTC.
    fn now(offset: i64) -> Self {
        let since_epoch = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0));
        Self::at(since_epoch + offset)
    }

    /// The calendar fields of a count of seconds since 1970-01-01T00:00:00.
    fn at(seconds: i64) -> Self {
        // Years counted from 1 March, so that the leap day falls at the end of a year.
        let days = seconds.div_euclid(86_400) + 719_468;
        let era = days.div_euclid(146_097);
        let day_of_era = days.rem_euclid(146_097);
        let year_of_era =
            (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let month_from_march = (5 * day_of_year + 2) / 153;
        let month = if month_from_march < 10 {
            month_from_march + 3
        } else {
            month_from_march - 9
        };
        Self {
            year: era * 400 + year_of_era + i64::from(month <= 2),
            month,
            day: day_of_year - (153 * month_from_march + 2) / 5 + 1,
            seconds_of_day: seconds.rem_euclid(86_400),
        }
    }

    fn time(&self) -> String {
        let s = self.seconds_of_day;
        format!("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    }

    /// RFC 3339 in UTC, for a reading taken at offset 0.
    fn rfc3339_utc(&self) -> String {
        format!(
            "{:04}-{:02}-{:02}T{}Z",
            self.year,
            self.month,
            self.day,
            self.time()
        )
    }

    /// The registry's `dd/mm/yyyy HH:MM:SS`.
    fn local(&self) -> String {
        format!(
            "{:02}/{:02}/{:04} {}",
            self.day,
            self.month,
            self.year,
            self.time()
        )
    }
}

/// A 400 answer as an RFC 9457 problem document.
fn bad_request(detail: &str) -> Response {
    let problem = json!({
        "type": "about:blank",
        "title": "Bad Request",
        "status": 400,
        "detail": detail,
    });
    let headers = [(CONTENT_TYPE, "application/problem+json")];
    (StatusCode::BAD_REQUEST, headers, problem.to_string()).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn answer(response: Response) -> (StatusCode, String, String) {
        let status = response.status();
        let content_type = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap_or_default();
        (
            status,
            content_type,
            String::from_utf8_lossy(&body).into_owned(),
        )
    }

    fn batch(ids: &[&str]) -> Bytes {
        let records: Vec<Value> = ids.iter().map(|id| json!({ "citizenId": id })).collect();
        let batch = json!({ "standard": "citizen-record", "version": "1.0", "records": records });
        Bytes::from(batch.to_string())
    }

    #[tokio::test]
    async fn national_answers_with_a_receipt() {
        let body = batch(&["001325004567", "001225004568", "001325004567"]);
        let (status, content_type, text) = answer(national(body.clone()).await).await;
        assert_eq!(
            (status, content_type.as_str()),
            (StatusCode::OK, "application/json")
        );
        let receipt: Value = serde_json::from_str(&text).unwrap_or_default();
        assert_eq!(receipt["standard"], "citizen-receipt");
        assert_eq!(receipt["status"], "partial");
        assert_eq!(
            (receipt["received"].as_u64(), receipt["accepted"].as_u64()),
            (Some(3), Some(2))
        );
        assert_eq!(receipt["records"][2]["status"], "rejected");
        assert_eq!(receipt["records"][2]["reason"], DUPLICATE_REASON);
        let received_at = receipt["receivedAt"].as_str().unwrap_or_default();
        assert!(
            received_at.len() == 20 && received_at.ends_with('Z'),
            "{received_at}"
        );

        let again: Value =
            serde_json::from_str(&answer(national(body).await).await.2).unwrap_or_default();
        assert_eq!(again["receiptId"], receipt["receiptId"]);
    }

    #[tokio::test]
    async fn national_refuses_a_batch_it_cannot_name_whole() {
        let (_, _, text) = answer(national(batch(&["001325004567", "002325004567"])).await).await;
        let receipt: Value = serde_json::from_str(&text).unwrap_or_default();
        assert_eq!(receipt["status"], "rejected");
        assert_eq!(
            (receipt["received"].as_u64(), receipt["accepted"].as_u64()),
            (Some(2), Some(0))
        );
        assert_eq!(receipt["records"], json!([]));

        let (_, _, text) = answer(national(Bytes::from_static(b"{}")).await).await;
        let receipt: Value = serde_json::from_str(&text).unwrap_or_default();
        assert_eq!(
            (receipt["status"].as_str(), receipt["received"].as_u64()),
            (Some("rejected"), Some(0))
        );

        let (status, _, _) = answer(national(Bytes::from_static(b"so_dinh_danh\n")).await).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    }

    #[tokio::test]
    async fn registry_answers_with_a_csv_receipt() {
        let file = "\u{feff}so_dinh_danh,ho_ten\r\n046325001001,\"Tôn Nữ Khánh Linh\"\r\n\
                    046225001002,Lê Phước Nguyên\r\n,\r\n046225001002,Lê Phước Nguyên\r\n";
        let (status, content_type, text) = answer(agency_registry(Bytes::from(file)).await).await;
        assert_eq!(
            (status, content_type.as_str()),
            (StatusCode::OK, "text/csv; charset=utf-8")
        );
        let rows = parse_csv(&text).unwrap_or_default();
        assert_eq!(rows.len(), 4, "{text}");
        assert_eq!(rows[0][5], "so_dinh_danh");
        for row in &rows[1..] {
            assert!(row[0].starts_with("BN-") && row[0].len() == 19, "{row:?}");
            assert_eq!(row[1].len(), "03/12/2026 17:00:00".len(), "{row:?}");
            assert_eq!(&row[2..5], ["chap_nhan_mot_phan", "3", "2"]);
        }
        assert_eq!(rows[3][5..], ["046225001002", "tu_choi", DUPLICATE_REASON]);
    }

    #[tokio::test]
    async fn registry_refuses_what_it_cannot_read() {
        let refused = [
            &b"so_dinh_danh\n\xff\n"[..],
            b"so_dinh_danh,ho_ten\n001325004567,\"Tr\xe1\xba\xa7n\n",
            b"ma_dinh_danh\n001325004567\n",
            b"",
        ];
        for body in refused {
            let (status, _, _) = answer(agency_registry(Bytes::from_static(body)).await).await;
            assert_eq!(
                status,
                StatusCode::BAD_REQUEST,
                "{}",
                String::from_utf8_lossy(body)
            );
        }
        let (status, _, text) =
            answer(agency_registry(Bytes::from_static(b"so_dinh_danh\n")).await).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            text.lines()
                .nth(1)
                .is_some_and(|row| row.contains(",tu_choi,0,0,,,")),
            "{text}"
        );
    }

    #[test]
    fn clock_fields_follow_the_calendar() {
        let at = |seconds| {
            let clock = Clock::at(seconds);
            (clock.rfc3339_utc(), clock.local())
        };
        assert_eq!(at(0).0, "1970-01-01T00:00:00Z");
        assert_eq!(at(951_782_400).0, "2000-02-29T00:00:00Z");
        assert_eq!(
            at(1_796_292_000 + VIETNAM_OFFSET_SECONDS).1,
            "03/12/2026 17:00:00"
        );
    }
}

//! The registry's CSV files as tables: reading them with every fault located by row and
//! column, and writing them back.
//!
//! This module knows the file format (UTF-8, an optional byte order mark, a header row, comma
//! or semicolon separators, quoting) and nothing of what the columns mean; the readers of
//! records and receipts say which columns exist and which are required.
//!
//! Rows are numbered as the line they start on, header included, which is the row number a
//! clerk sees in a spreadsheet.

use lgsp_guest::{AdapterError, Violations};

use crate::checks::{MAX_RECORDS, Raw};

/// The byte order mark that Excel and Notepad put before UTF-8 text.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The columns a kind of file may have.
pub struct Columns {
    /// Every known column, in the order they are written.
    pub all: &'static [&'static str],
    /// Those the header must contain.
    pub required: &'static [&'static str],
}

/// A CSV file whose header has been checked.
pub struct Table {
    /// Header names, lowercased; `None` where a name was not UTF-8.
    header: Vec<Option<String>>,
    /// The non-blank data rows with the line each starts on, split into cells but not yet
    /// decoded.
    rows: Vec<(u64, csv::ByteRecord)>,
    required: &'static [&'static str],
}

/// One data row, decoded.
pub struct Row {
    /// The line the row starts on.
    pub line: u64,
    /// The cells in header order; `None` where a cell was not UTF-8.
    cells: Vec<Option<String>>,
}

impl Table {
    /// Reads `body`, recording a violation for each problem with the file as a whole: its
    /// header, its size. Returns `None` only when there is no header to work with.
    pub fn read(body: &[u8], columns: &Columns, v: &mut Violations) -> Option<Self> {
        let body = body.strip_prefix(BOM).unwrap_or(body);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter(body))
            .from_reader(body);
        let mut records = reader.byte_records();

        let header = match records.next() {
            Some(Ok(record)) => record,
            Some(Err(err)) => {
                v.push(
                    "body",
                    "csv",
                    format!("the file cannot be read as CSV: {err}"),
                );
                return None;
            }
            None => {
                v.push(
                    "body",
                    "required",
                    "the file is empty; it needs a header row and records",
                );
                return None;
            }
        };
        let header = read_header(&header, columns, v);

        // The reader's own line count does not see the line breaks of CRLF files, so lines are
        // counted from the byte offset where each record starts.
        let mut counted = (0, 1);
        let mut line_at = |offset: usize| {
            let (from, line) = counted;
            let start = offset.clamp(from, body.len());
            let breaks = body[from..start].iter().filter(|&&b| b == b'\n').count();
            counted = (start, line + breaks as u64);
            counted.1
        };

        let mut rows = Vec::new();
        for record in records {
            let record = match record {
                Ok(record) => record,
                Err(err) => {
                    v.push(
                        "body",
                        "csv",
                        format!("the file cannot be read as CSV: {err}"),
                    );
                    break;
                }
            };
            if record.iter().all(|cell| cell.trim_ascii().is_empty()) {
                // Spreadsheets save trailing empty rows as bare separators.
                continue;
            }
            if rows.len() == MAX_RECORDS {
                v.push(
                    "body",
                    "too-many",
                    format!("the file has more than {MAX_RECORDS} records; split it"),
                );
                break;
            }
            let offset = record.position().map_or(0, |p| p.byte());
            rows.push((
                line_at(usize::try_from(offset).unwrap_or(usize::MAX)),
                record,
            ));
        }

        if rows.is_empty() {
            v.push(
                "body",
                "required",
                "the file has a header row but no records",
            );
        }
        Some(Self {
            header,
            rows,
            required: columns.required,
        })
    }

    /// Hands each data row to `visit` in file order, after recording the row's own faults
    /// (ragged, not UTF-8), so that violations come out row by row. A ragged row is not
    /// handed on: its cells cannot be matched to columns.
    pub fn each_row(&self, v: &mut Violations, mut visit: impl FnMut(Row, &mut Violations)) {
        for (line, record) in &self.rows {
            let line = *line;
            if record.len() != self.header.len() {
                v.push(
                    format!("row {line}"),
                    "csv",
                    format!(
                        "the row has {} cells where the header has {}; check for a stray \
                         separator or an unclosed quote",
                        record.len(),
                        self.header.len()
                    ),
                );
                continue;
            }
            let cells = record
                .iter()
                .zip(&self.header)
                .enumerate()
                .map(|(i, (cell, name))| {
                    let column = name.clone().unwrap_or_else(|| (i + 1).to_string());
                    decode_cell(cell, &path(line, &column), v)
                })
                .collect();
            visit(Row { line, cells }, v);
        }
    }

    /// How many non-blank data rows the file has, ragged ones included.
    pub fn row_count(&self) -> usize {
        self.rows.len()
    }

    /// The cell of `row` in `column`.
    pub fn cell<'a>(&self, row: &'a Row, column: &str) -> Raw<'a> {
        let index = self
            .header
            .iter()
            .position(|name| name.as_deref() == Some(column));
        match index.and_then(|i| row.cells.get(i)) {
            Some(Some(text)) => Raw::from_text(text),
            // The header or the decoding already produced a violation for this value.
            Some(None) => Raw::Reported,
            None if self.required.contains(&column) => Raw::Reported,
            None => Raw::Absent,
        }
    }
}

/// Where a cell is, for a violation.
pub fn path(line: u64, column: &str) -> String {
    format!("row {line}, column {column}")
}

/// Writes a header and rows as CSV with CRLF line ends (RFC 4180), quoting only where needed.
pub fn write(
    header: &[&str],
    rows: impl IntoIterator<Item = Vec<String>>,
) -> Result<Vec<u8>, AdapterError> {
    let failed = |err: csv::Error| AdapterError::Internal(format!("failed to write CSV: {err}"));
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    writer.write_record(header).map_err(failed)?;
    for row in rows {
        writer.write_record(&row).map_err(failed)?;
    }
    writer
        .into_inner()
        .map_err(|err| AdapterError::Internal(format!("failed to write CSV: {err}")))
}

/// Excel in a Vietnamese locale saves "CSV" with semicolons, because the comma is the decimal
/// separator there. A header line with semicolons and no comma is taken to be such a file.
fn delimiter(body: &[u8]) -> u8 {
    let first_line = body.split(|&b| b == b'\n').next().unwrap_or_default();
    if first_line.contains(&b';') && !first_line.contains(&b',') {
        b';'
    } else {
        b','
    }
}

/// Names the header's columns, recording unknown, repeated, missing and undecodable ones.
fn read_header(
    record: &csv::ByteRecord,
    columns: &Columns,
    v: &mut Violations,
) -> Vec<Option<String>> {
    let mut names: Vec<Option<String>> = Vec::with_capacity(record.len());
    for (i, raw) in record.iter().enumerate() {
        let Ok(name) = std::str::from_utf8(raw) else {
            v.push(
                format!("header, column {}", i + 1),
                "encoding",
                "the column name is not valid UTF-8",
            );
            names.push(None);
            continue;
        };
        let name = name.trim().to_ascii_lowercase();
        if !columns.all.contains(&name.as_str()) {
            v.push(
                format!("header, column {name}"),
                "unknown-column",
                format!(
                    "`{name}` is not a column of this file; expected {}",
                    columns.all.join(",")
                ),
            );
        } else if names.iter().any(|n| n.as_deref() == Some(name.as_str())) {
            v.push(
                format!("header, column {name}"),
                "duplicate-column",
                format!("the header names `{name}` twice"),
            );
            names.push(None);
            continue;
        }
        names.push(Some(name));
    }
    for column in columns.required {
        if !names.iter().any(|n| n.as_deref() == Some(*column)) {
            v.push(
                format!("header, column {column}"),
                "required",
                format!("the header has no column `{column}`"),
            );
        }
    }
    names
}

fn decode_cell(raw: &[u8], path: &str, v: &mut Violations) -> Option<String> {
    match std::str::from_utf8(raw) {
        Ok(text) => Some(text.to_owned()),
        Err(err) => {
            v.push(
                path,
                "encoding",
                format!(
                    "the cell is not valid UTF-8 (bad byte at offset {}); save the file as \
                     UTF-8, not Windows-1258 or TCVN3",
                    err.valid_up_to()
                ),
            );
            None
        }
    }
}

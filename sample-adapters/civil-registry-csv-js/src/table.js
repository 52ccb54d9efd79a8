// The registry's CSV files as tables: reading them with every fault located by row and
// column, and writing them back.
//
// This module knows the file format (UTF-8, an optional byte order mark, a header row, comma or
// semicolon separators, quoting) and nothing of what the columns mean; the readers of records
// and receipts say which columns exist and which are required.
//
// Rows are numbered as the line they start on, header included, which is the row number a
// clerk sees in a spreadsheet.

import { MAX_RECORDS, Raw } from './checks.js';
import { readRecords, writeRecords } from './csv.js';
import { asciiLowercase, decodeUtf8, encodeUtf8, trim } from './text.js';

const SEMICOLON = 0x3b;
const COMMA = 0x2c;
const LF = 0x0a;

/** ASCII white space as Rust's `trim_ascii` knows it (no vertical tab). */
const isAsciiSpace = (b) => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0c || b === 0x0d;

/** Where a cell is, for a violation. */
export function cellPath(line, column) {
  return `row ${line}, column ${column}`;
}

/** A CSV file whose header has been checked. */
export class Table {
  constructor(header, rows, required) {
    /** Header names, lowercased; `undefined` where a name was unreadable or repeated. */
    this.header = header;
    /** The non-blank data rows: `{ line, cells }` with cells still bytes. */
    this.rows = rows;
    this.required = required;
  }

  /**
   * Reads `body` (bytes), recording a violation for each problem with the file as a whole: its
   * header, its size. Returns `undefined` only when there is no header to work with. `columns`
   * is `{ all, required }`.
   */
  static read(body, columns, v) {
    const hasBom = body.length >= 3 && body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf;
    const bytes = hasBom ? body.subarray(3) : body;
    const [headerRecord, ...records] = readRecords(bytes, delimiter(bytes));
    if (headerRecord === undefined) {
      v.push('body', 'required', 'the file is empty; it needs a header row and records');
      return undefined;
    }
    const header = readHeader(headerRecord.cells, columns, v);

    // Lines are counted from the byte offset where each record starts, up to that offset.
    let counted = 0;
    let line = 1;
    const lineAt = (offset) => {
      const end = Math.min(Math.max(offset, counted), bytes.length);
      for (let i = counted; i < end; i += 1) {
        if (bytes[i] === LF) line += 1;
      }
      counted = end;
      return line;
    };

    const rows = [];
    for (const record of records) {
      if (record.cells.every((cell) => cell.every(isAsciiSpace))) {
        // Spreadsheets save trailing empty rows as bare separators.
        continue;
      }
      if (rows.length === MAX_RECORDS) {
        v.push('body', 'too-many', `the file has more than ${MAX_RECORDS} records; split it`);
        break;
      }
      rows.push({ line: lineAt(record.offset), cells: record.cells });
    }
    if (rows.length === 0) {
      v.push('body', 'required', 'the file has a header row but no records');
    }
    return new Table(header, rows, columns.required);
  }

  /**
   * Hands each data row to `visit` in file order, after recording the row's own faults
   * (ragged, not UTF-8), so that violations come out row by row. A ragged row is not handed
   * on: its cells cannot be matched to columns.
   */
  eachRow(v, visit) {
    for (const { line, cells } of this.rows) {
      if (cells.length !== this.header.length) {
        v.push(
          `row ${line}`,
          'csv',
          `the row has ${cells.length} cells where the header has ${this.header.length}; ` +
            'check for a stray separator or an unclosed quote',
        );
        continue;
      }
      const decoded = cells.map((cell, i) => {
        const column = this.header[i] ?? String(i + 1);
        return decodeCell(cell, cellPath(line, column), v);
      });
      visit({ line, cells: decoded });
    }
  }

  /** How many non-blank data rows the file has, ragged ones included. */
  rowCount() {
    return this.rows.length;
  }

  /** The cell of a decoded `row` in `column`, as a `Raw` value. */
  cell(row, column) {
    const index = this.header.indexOf(column);
    if (index < 0) {
      return this.required.includes(column) ? Raw.REPORTED : Raw.ABSENT;
    }
    const text = row.cells[index];
    // `undefined`: the header or the decoding already produced a violation for this value.
    return text === undefined ? Raw.REPORTED : Raw.fromText(text);
  }
}

/** Writes a header and rows (arrays of strings) as UTF-8 CSV with CRLF line ends. */
export function write(header, rows) {
  return encodeUtf8(writeRecords([header, ...rows]));
}

/**
 * Excel in a Vietnamese locale saves "CSV" with semicolons, because the comma is the decimal
 * separator there. A header line with semicolons and no comma is taken to be such a file.
 */
function delimiter(bytes) {
  let end = bytes.indexOf(LF);
  if (end < 0) end = bytes.length;
  const firstLine = bytes.subarray(0, end);
  return firstLine.includes(SEMICOLON) && !firstLine.includes(COMMA) ? SEMICOLON : COMMA;
}

/** Names the header's columns, recording unknown, repeated, missing and undecodable ones. */
function readHeader(cells, columns, v) {
  const names = [];
  cells.forEach((raw, i) => {
    const decoded = decodeUtf8(raw);
    if (decoded.text === undefined) {
      v.push(`header, column ${i + 1}`, 'encoding', 'the column name is not valid UTF-8');
      names.push(undefined);
      return;
    }
    const name = asciiLowercase(trim(decoded.text));
    if (!columns.all.includes(name)) {
      v.push(
        `header, column ${name}`,
        'unknown-column',
        `\`${name}\` is not a column of this file; expected ${columns.all.join(',')}`,
      );
    } else if (names.includes(name)) {
      v.push(`header, column ${name}`, 'duplicate-column', `the header names \`${name}\` twice`);
      names.push(undefined);
      return;
    }
    names.push(name);
  });
  for (const column of columns.required) {
    if (!names.includes(column)) {
      v.push(`header, column ${column}`, 'required', `the header has no column \`${column}\``);
    }
  }
  return names;
}

function decodeCell(raw, path, v) {
  const decoded = decodeUtf8(raw);
  if (decoded.text === undefined) {
    v.push(
      path,
      'encoding',
      `the cell is not valid UTF-8 (bad byte at offset ${decoded.validUpTo}); save the file ` +
        'as UTF-8, not Windows-1258 or TCVN3',
    );
  }
  return decoded.text;
}

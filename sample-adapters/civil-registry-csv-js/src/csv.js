// RFC 4180 CSV on bytes: splitting a file into records of raw cells, and writing records.
//
// The reader follows, byte for byte, the state machine of the Rust `csv` crate that the Rust
// adapter uses (a quote opens a quoted field only at a field's start, `""` inside quotes is one
// quote, CR, LF and CRLF all end a record, empty lines are skipped, a second byte order mark
// at the very start is dropped), so that both adapters see the same cells and report the same
// row numbers. Cells stay bytes: decoding is the caller's business, so that a bad byte is
// reported against its own cell.

const QUOTE = 0x22;
const CR = 0x0d;
const LF = 0x0a;

// The states of the reader. Those from END_FIELD_DELIM on end a field; from END_RECORD on, a
// record. The last three are passed through within a single step and never rest.
const START_RECORD = 0;
const START_FIELD = 1;
const IN_FIELD = 2;
const IN_QUOTED_FIELD = 3;
const IN_DOUBLE_ESCAPED_QUOTE = 4;
const END_FIELD_DELIM = 5;
const END_RECORD = 6;
const CRLF = 7;
const END_FIELD_TERM = 8;
const IN_RECORD_TERM = 9;
const STATES = 8;

// What a step does with the byte it reads.
const EPSILON = 0;
const DISCARD = 1;
const COPY = 2;

const isTerminator = (c) => c === CR || c === LF;

/** One transition of the reader's machine: `[next state, what is done with the byte]`. */
function transition(state, c, delimiter) {
  switch (state) {
    case START_RECORD:
      return isTerminator(c) ? [START_RECORD, DISCARD] : [START_FIELD, EPSILON];
    case END_RECORD:
      return [START_RECORD, EPSILON];
    case START_FIELD:
      if (c === QUOTE) return [IN_QUOTED_FIELD, DISCARD];
      if (c === delimiter) return [END_FIELD_DELIM, DISCARD];
      if (isTerminator(c)) return [END_FIELD_TERM, EPSILON];
      return [IN_FIELD, COPY];
    case END_FIELD_DELIM:
      return [START_FIELD, EPSILON];
    case END_FIELD_TERM:
      return [IN_RECORD_TERM, EPSILON];
    case IN_FIELD:
      if (c === delimiter) return [END_FIELD_DELIM, DISCARD];
      if (isTerminator(c)) return [END_FIELD_TERM, EPSILON];
      return [IN_FIELD, COPY];
    case IN_QUOTED_FIELD:
      return c === QUOTE ? [IN_DOUBLE_ESCAPED_QUOTE, DISCARD] : [IN_QUOTED_FIELD, COPY];
    case IN_DOUBLE_ESCAPED_QUOTE:
      if (c === QUOTE) return [IN_QUOTED_FIELD, COPY];
      if (c === delimiter) return [END_FIELD_DELIM, DISCARD];
      if (isTerminator(c)) return [END_FIELD_TERM, EPSILON];
      return [IN_FIELD, COPY];
    case IN_RECORD_TERM:
      return c === CR ? [CRLF, DISCARD] : [END_RECORD, DISCARD];
    case CRLF:
      return c === LF ? [START_RECORD, DISCARD] : [START_RECORD, EPSILON];
    default:
      throw new Error(`no CSV reader state ${state}`);
  }
}

/** Per delimiter, the machine folded into a table: one step per byte, epsilons followed. */
const tables = new Map();

function tableFor(delimiter) {
  let table = tables.get(delimiter);
  if (table === undefined) {
    table = { next: new Uint8Array(STATES * 256), copy: new Uint8Array(STATES * 256) };
    for (let state = 0; state < STATES; state += 1) {
      for (let c = 0; c < 256; c += 1) {
        let [to, action] = [state, EPSILON];
        while (action === EPSILON) {
          [to, action] = transition(to, c, delimiter);
        }
        table.next[state * 256 + c] = to;
        table.copy[state * 256 + c] = action === COPY ? 1 : 0;
      }
    }
    tables.set(delimiter, table);
  }
  return table;
}

/**
 * Splits `bytes` into records. Each record is `{ offset, cells }`: the byte offset where the
 * reader started on it (just past the previous record's terminator, which for CRLF files is the
 * LF), and its cells as byte arrays.
 */
export function readRecords(bytes, delimiter) {
  const { next, copy } = tableFor(delimiter);
  const out = new Uint8Array(bytes.length);
  const records = [];
  const hasBom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  let i = hasBom ? 3 : 0;
  let o = 0;
  let state = START_RECORD;
  for (let first = true; ; first = false) {
    const offset = first ? 0 : i;
    const ends = [];
    const start = o;
    let ended = false;
    while (i < bytes.length) {
      const c = bytes[i];
      const at = state * 256 + c;
      state = next[at];
      if (copy[at] === 1) {
        out[o] = c;
        o += 1;
      }
      i += 1;
      if (state >= END_FIELD_DELIM) {
        ends.push(o);
        if (state > END_FIELD_DELIM) {
          ended = true;
          break;
        }
      }
    }
    if (!ended) {
      if (state === START_RECORD || state >= END_RECORD) {
        return records;
      }
      ends.push(o);
      state = END_RECORD;
    }
    const cells = [];
    let from = start;
    for (const end of ends) {
      cells.push(out.subarray(from, end));
      from = end;
    }
    records.push({ offset, cells });
  }
}

/** Writes records as CSV with CRLF line ends, quoting only the cells that need it. */
export function writeRecords(records) {
  const lines = records.map((cells) => cells.map(quoteIfNeeded).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

function quoteIfNeeded(cell) {
  return /[",\r\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell;
}

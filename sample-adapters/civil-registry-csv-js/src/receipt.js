// Receipts for a batch: the registry's CSV receipt and the `citizen-receipt` standard, and the
// translation between them in both directions.
//
// CSV has no nesting, so the registry's receipt repeats the batch's columns (reference, time,
// status, counts) on every row and gives one record's outcome per row. A batch refused as a
// whole has no outcomes; its receipt is a single row whose outcome columns are blank.

import * as checks from './checks.js';
import { Fault, MAX_RECORDS, Raw, push, required } from './checks.js';
import { LocalTime } from './date.js';
import { JsonObject, parse, pointer } from './json.js';
import { Table, cellPath, write } from './table.js';
import { encodeUtf8 } from './text.js';
import { Violations, internal } from './violations.js';

/** The standard's id. */
export const STANDARD = 'citizen-receipt';
/** The version of the standard this module reads and writes. */
export const VERSION = '1.0';

/** The columns of the registry's receipt; every one must be in the header. */
export const COLUMNS = Object.freeze({
  all: [
    'ma_bien_nhan',
    'thoi_gian_nhan',
    'trang_thai',
    'so_ban_ghi',
    'so_chap_nhan',
    'so_dinh_danh',
    'ket_qua',
    'ly_do',
  ],
  required: [
    'ma_bien_nhan',
    'thoi_gian_nhan',
    'trang_thai',
    'so_ban_ghi',
    'so_chap_nhan',
    'so_dinh_danh',
    'ket_qua',
    'ly_do',
  ],
});

/** The columns that describe the whole batch and so repeat on every row. */
const BATCH_COLUMNS = ['ma_bien_nhan', 'thoi_gian_nhan', 'trang_thai', 'so_ban_ghi', 'so_chap_nhan'];

/** The columns, and the members, of one record's outcome. */
const OUTCOME_COLUMNS = ['so_dinh_danh', 'ket_qua', 'ly_do'];
const OUTCOME_MEMBERS = ['citizenId', 'status', 'reason'];

/** Longest reason, as in the schema. */
const REASON_MAX = 500;

/**
 * What happened to a batch as a whole, and to one record, as the national value (what this
 * module works with) against each form's spelling.
 */
const STATUS = Object.freeze({
  local: { accepted: 'chap_nhan', partial: 'chap_nhan_mot_phan', rejected: 'tu_choi' },
  national: { accepted: 'accepted', partial: 'partial', rejected: 'rejected' },
});
const VERDICT = Object.freeze({
  local: { accepted: 'chap_nhan', rejected: 'tu_choi' },
  national: { accepted: 'accepted', rejected: 'rejected' },
});

/** The status that the counts imply. */
export function impliedStatus(received, accepted) {
  if (accepted === 0) return 'rejected';
  return accepted >= received ? 'accepted' : 'partial';
}

/** Finds `text` among a form's spellings of an enumeration. */
function spelled(spellings, text) {
  const found = Object.entries(spellings).find(([, name]) => name === text);
  if (found === undefined) {
    throw new Fault('enum', `\`${text}\` is not one of ${Object.values(spellings).join(', ')}`);
  }
  return found[0];
}

/**
 * The values of a receipt that describe the whole batch, each `undefined` if it was wrong:
 * `{ receiptId, status, receivedAt, received, accepted }`. Checks the counts against each
 * other, the status and the outcomes, then assembles the receipt if nothing was wrong.
 * `outcomes` is `undefined` when some could not be read; they are then not counted, since the
 * count would only repeat violations already recorded. `paths` says where the status and the
 * counts sit in the form being read.
 */
function finishHead(head, outcomes, paths, v) {
  const { received, accepted, status } = head;
  if (received === undefined || accepted === undefined) {
    return undefined;
  }
  const before = v.length;
  if (accepted > received) {
    v.push(paths.accepted, 'count', `${accepted} records accepted out of ${received} received`);
  } else if (status !== undefined) {
    const implied = impliedStatus(received, accepted);
    if (status !== implied) {
      v.push(
        paths.status,
        'status',
        `${accepted} of ${received} records accepted means the status \`${STATUS.national[implied]}\``,
      );
    }
  }
  if (outcomes === undefined) {
    return undefined;
  }
  if (outcomes.length > 0) {
    if (outcomes.length !== received) {
      v.push(paths.received, 'count', `${outcomes.length} outcomes listed for ${received} records`);
    }
    const listed = outcomes.filter((o) => o.status === 'accepted').length;
    if (listed !== accepted) {
      v.push(paths.accepted, 'count', `${listed} outcomes are accepted but the count says ${accepted}`);
    }
  }
  if (v.length !== before) {
    return undefined;
  }
  if (head.receiptId === undefined || status === undefined || head.receivedAt === undefined) {
    return undefined;
  }
  return {
    standard: STANDARD,
    version: VERSION,
    receiptId: head.receiptId,
    status,
    receivedAt: head.receivedAt,
    received,
    accepted,
    records: outcomes,
  };
}

/** Translates the registry's CSV receipt into a `citizen-receipt` document. */
export function toNational(host, body) {
  const v = new Violations();
  const table = Table.read(body, COLUMNS, v);
  if (table === undefined) {
    throw v.error();
  }
  const rows = [];
  table.eachRow(v, (row) => rows.push(row));
  const first = rows[0];
  if (first === undefined) {
    throw v.error();
  }

  const head = readLocalHead(table, first, v);
  for (const row of rows.slice(1)) {
    for (const column of BATCH_COLUMNS) {
      const [here, there] = [table.cell(row, column), table.cell(first, column)];
      if (!Raw.equal(here, there) && here !== Raw.REPORTED && there !== Raw.REPORTED) {
        v.push(
          cellPath(row.line, column),
          'inconsistent',
          `every row must repeat the batch's \`${column}\` of row ${first.line}`,
        );
      }
    }
  }

  const outcomes = [];
  let complete = rows.length === table.rowCount();
  for (const row of rows) {
    const values = OUTCOME_COLUMNS.map((c) => table.cell(row, c));
    if (rows.length === 1 && values.every((value) => value === Raw.ABSENT)) {
      // The single row of a receipt for a batch refused as a whole.
      break;
    }
    const paths = OUTCOME_COLUMNS.map((c) => cellPath(row.line, c));
    const outcome = readOutcome(host, values, paths, VERDICT.local, v);
    if (outcome !== undefined) {
      outcomes.push(outcome);
    } else {
      complete = false;
    }
  }

  const paths = {
    status: cellPath(first.line, 'trang_thai'),
    received: cellPath(first.line, 'so_ban_ghi'),
    accepted: cellPath(first.line, 'so_chap_nhan'),
  };
  const receipt = finishHead(head, complete ? outcomes : undefined, paths, v);
  v.finish();
  if (receipt === undefined) {
    throw incomplete();
  }
  return { body: encodeUtf8(JSON.stringify(receipt)), records: receipt.records.length };
}

/** Translates a `citizen-receipt` document into the registry's CSV receipt. */
export function toLocal(host, body) {
  const document = parse(body);
  const v = new Violations();
  const root = JsonObject.at(document, '', v);
  if (root === undefined) {
    throw v.error();
  }
  root.only(
    ['standard', 'version', 'receiptId', 'status', 'receivedAt', 'received', 'accepted', 'records'],
    v,
  );
  root.constant('standard', STANDARD, v);
  root.constant('version', VERSION, v);

  const member = (key, rule) => required(root.text(key, v), () => root.pathOf(key), v, rule);
  const receiptId = member('receiptId', checks.receiptId);
  const status = member('status', (t) => spelled(STATUS.national, t));
  const receivedAt = member('receivedAt', LocalTime.fromRfc3339);
  const head = {
    receiptId,
    status,
    receivedAt,
    received: root.count('received', MAX_RECORDS, v),
    accepted: root.count('accepted', MAX_RECORDS, v),
  };

  const outcomes = [];
  let complete = true;
  const items = root.get('records');
  if (items === undefined) {
    v.push(root.pathOf('records'), 'required', 'a receipt needs `records`, maybe empty');
  } else if (!Array.isArray(items)) {
    v.push(root.pathOf('records'), 'type', 'expected an array of outcomes');
  } else if (items.length > MAX_RECORDS) {
    v.push(
      root.pathOf('records'),
      'too-many',
      `a receipt lists at most ${MAX_RECORDS} records; this one has ${items.length}`,
    );
  } else {
    items.forEach((item, i) => {
      const record = JsonObject.at(item, pointer('/records', String(i)), v);
      if (record === undefined) {
        complete = false;
        return;
      }
      record.only(OUTCOME_MEMBERS, v);
      const values = OUTCOME_MEMBERS.map((k) => record.text(k, v));
      const paths = OUTCOME_MEMBERS.map((k) => record.pathOf(k));
      const outcome = readOutcome(host, values, paths, VERDICT.national, v);
      if (outcome !== undefined) {
        outcomes.push(outcome);
      } else {
        complete = false;
      }
    });
  }

  const paths = {
    status: root.pathOf('status'),
    received: root.pathOf('received'),
    accepted: root.pathOf('accepted'),
  };
  const receipt = finishHead(head, complete ? outcomes : undefined, paths, v);
  v.finish();
  if (receipt === undefined) {
    throw incomplete();
  }

  const batch = [
    receipt.receiptId,
    receipt.receivedAt.local(),
    STATUS.local[receipt.status],
    String(receipt.received),
    String(receipt.accepted),
  ];
  const row = (outcome) => [
    ...batch,
    outcome?.citizenId ?? '',
    outcome === undefined ? '' : VERDICT.local[outcome.status],
    outcome?.reason ?? '',
  ];
  const rows = receipt.records.length === 0 ? [row(undefined)] : receipt.records.map(row);
  return { body: write(COLUMNS.all, rows), records: receipt.records.length };
}

/** The batch columns of the registry's receipt, from its first row. */
function readLocalHead(table, row, v) {
  const read = (column, rule) =>
    required(table.cell(row, column), () => cellPath(row.line, column), v, rule);
  const receiptId = read('ma_bien_nhan', checks.receiptId);
  const receivedAt = read('thoi_gian_nhan', LocalTime.parse);
  const status = read('trang_thai', (t) => spelled(STATUS.local, t));
  const received = read('so_ban_ghi', checks.count);
  const accepted = read('so_chap_nhan', checks.count);
  return { receiptId, status, receivedAt, received, accepted };
}

/** One outcome from its identification number, verdict and reason, in either form. */
function readOutcome(host, [id, verdict, reason], [idPath, verdictPath, reasonPath], verdicts, v) {
  const citizenId = required(id, () => idPath, v, (t) => checks.citizenId(host, t));
  const status = required(verdict, () => verdictPath, v, (t) => spelled(verdicts, t));
  let text;
  switch (reason.kind) {
    case 'absent':
      if (status === 'rejected') {
        v.push(reasonPath, 'required', 'a refused record needs the reason for refusing it');
        return undefined;
      }
      break;
    case 'text':
      try {
        text = checks.plainText(reason.text, REASON_MAX);
      } catch (fault) {
        push(v, reasonPath, fault);
        return undefined;
      }
      break;
    default:
      return undefined;
  }
  if (citizenId === undefined || status === undefined) {
    return undefined;
  }
  return { citizenId, status, ...(text !== undefined && { reason: text }) };
}

/** A receipt that recorded no violation is complete; reaching this is a bug in this module. */
function incomplete() {
  return internal('a receipt without violations was incomplete');
}

// The adapter of a commune civil registry whose own system speaks CSV.
//
// The registry sends batches of birth registrations as a CSV file and answers batches it
// receives with a CSV receipt; nationally these are the `citizen-record` and `citizen-receipt`
// standards (see `standards/citizen-record/`). This module only chooses a translation from the
// message's leg and content type: `record.js` handles batches (the request leg), `receipt.js`
// handles receipts (the reply leg), `table.js` and `json.js` read the two forms, and every rule
// about a single value lives in `checks.js`. `README.md` lists the columns.
//
// Nothing here imports the contract: the host (`lookup` and `log`) is passed in, so that the
// same code runs inside the component (`adapter.js`) and under `node --test` with a stand-in.

import * as receipt from './receipt.js';
import * as record from './record.js';
import { asciiLowercase, trim } from './text.js';
import { unsupported } from './violations.js';

/** The registry's content type, and the only one `toNational` reads. */
const CSV = 'text/csv; charset=utf-8';
/** The standards' content type, and the only one `toLocal` reads. */
const JSON_TYPE = 'application/json';

/** The standards this adapter produces and reads, as `id@version`. */
const STANDARDS = ['citizen-record@1.0', 'citizen-receipt@1.0'];

/** Name, version, standards and services of this adapter. */
export function describe() {
  return {
    name: 'civil-registry-csv-js',
    version: '0.1.0',
    standards: [...STANDARDS],
    services: [],
  };
}

/** Local form to national form. Throws an `AdapterError` to refuse the message. */
export function toNational(host, cx, msg) {
  supportedStandard(cx);
  expectCsv(msg);
  const translate = cx.phase === 'reply' ? receipt.toNational : record.toNational;
  return finish(host, cx, 'to-national', () => translate(host, bytes(msg.body)), JSON_TYPE, msg);
}

/** National form to local form. Throws an `AdapterError` to refuse the message. */
export function toLocal(host, cx, msg) {
  supportedStandard(cx);
  if (mediaType(msg.contentType) !== JSON_TYPE) {
    throw unsupported(
      `content type \`${msg.contentType}\` is not read by this adapter; send \`${JSON_TYPE}\``,
    );
  }
  const translate = cx.phase === 'reply' ? receipt.toLocal : record.toLocal;
  return finish(host, cx, 'to-local', () => translate(host, bytes(msg.body)), CSV, msg);
}

/**
 * Either standard may be named on either leg: the hub may name the service's standard on
 * both, or the reply's own on the reply leg. The leg, not the name, picks the translation.
 */
function supportedStandard(cx) {
  if (!STANDARDS.includes(cx.standard)) {
    throw unsupported(
      `standard \`${cx.standard}\` is not handled; this adapter handles ${STANDARDS.join(' and ')}`,
    );
  }
}

/** The media type without parameters, lowercased: `text/csv; charset=utf-8` is `text/csv`. */
function mediaType(contentType) {
  return asciiLowercase(trim(contentType.split(';')[0]));
}

/**
 * Accepts `text/csv` in UTF-8. A file that declares another charset (Windows-1258, TCVN3)
 * would be misread, so it is declined rather than guessed at.
 */
function expectCsv(msg) {
  const charset = msg.contentType
    .split(';')
    .slice(1)
    .map((param) => param.split('='))
    .find(([key, value]) => value !== undefined && asciiLowercase(trim(key)) === 'charset');
  const value =
    charset && asciiLowercase(trim(charset.slice(1).join('=')).replace(/^"+|"+$/g, ''));
  const utf8 = value === undefined || value === 'utf-8' || value === 'utf8';
  if (mediaType(msg.contentType) !== 'text/csv' || !utf8) {
    throw unsupported(
      `content type \`${msg.contentType}\` is not read by this adapter; send \`${CSV}\``,
    );
  }
}

/** The body as a `Uint8Array`, whichever array of bytes the bindings handed over. */
function bytes(body) {
  return body instanceof Uint8Array ? body : Uint8Array.from(body);
}

/**
 * Wraps a translated body in a message, keeping the caller's metadata, and logs the outcome
 * without any of the message's contents.
 */
function finish(host, cx, direction, translate, contentType, msg) {
  const phase = cx.phase === 'reply' ? 'reply' : 'request';
  let translated;
  try {
    translated = translate();
  } catch (err) {
    if (err?.tag === 'rejected') {
      host.log('info', 'refused message', [
        ['direction', direction],
        ['phase', phase],
        ['violations', String(err.val.length)],
      ]);
    }
    throw err;
  }
  host.log('debug', 'translated message', [
    ['direction', direction],
    ['phase', phase],
    ['records', String(translated.records)],
  ]);
  return { contentType, metadata: msg.metadata, body: translated.body };
}

// {{name}}: an LGSP adapter.
//
// It translates one person between the agency's local JSON form
//
//     { "ho_ten": "Nguyễn Văn An", "ngay_sinh": "31/01/1990", "ma_tinh": "01" }
//
// and the national standard `example-person@1.0` (`standard.schema.json`), looking the
// province up in the hub's catalogue. Replace the mapping with your agency's own; keep the
// shape: read the whole input, collect every violation, refuse with all of them.
//
// Nothing here imports the contract: the hub is passed in as `host` (`host.lookup`,
// `host.log`), so that the same code runs in the component (`adapter.js`) and under
// `node --test` with a stand-in (`test/`).

import { Violations, internal, unsupported } from './violations.js';

/** The national standard this adapter produces and reads, as `id@version`. */
export const STANDARD = 'example-person@1.0';
/** The media type of both forms. */
const JSON_TYPE = 'application/json';
/** The members of the local form. */
const LOCAL_FIELDS = ['ho_ten', 'ngay_sinh', 'ma_tinh'];

/** Name, version, standards and services of this adapter. */
export function describe() {
  return { name: '{{name}}', version: '0.1.0', standards: [STANDARD], services: [] };
}

/** The agency's local form to the national form. */
export function toNational(host, cx, msg) {
  checkContext(cx, msg);
  const local = readObject(msg);
  const problems = new Violations();

  const fullName = requiredText(local, 'ho_ten', problems);
  let birthDate = requiredText(local, 'ngay_sinh', problems);
  if (birthDate !== undefined) {
    try {
      birthDate = dayFirstToIso(birthDate);
    } catch ({ code, message }) {
      problems.push('/ngay_sinh', code, message);
      birthDate = undefined;
    }
  }
  const code = requiredText(local, 'ma_tinh', problems);
  const province = code === undefined ? undefined : host.lookup('provinces', code);
  if (code !== undefined && province === undefined) {
    problems.push('/ma_tinh', 'unknown-province', `"${code}" is not a province code in force`);
  }
  for (const key of Object.keys(local)) {
    if (!LOCAL_FIELDS.includes(key)) {
      problems.push(`/${key}`, 'unknown-field', `the local form has no member "${key}"`);
    }
  }
  problems.finish();

  if (fullName === undefined || birthDate === undefined || province === undefined) {
    throw internal('a member was missing without a violation');
  }
  const national = {
    standard: 'example-person',
    version: '1.0',
    fullName,
    birthDate,
    province: { code: province.code, name: province.name },
  };
  host.log('debug', 'translated one person to the national form', []);
  return reply(msg, national);
}

/** The national form to the agency's local form. */
export function toLocal(host, cx, msg) {
  checkContext(cx, msg);
  // The hub has already checked the national form against the standard.
  const national = readObject(msg);
  const problems = new Violations();
  const birthDate = isoToDayFirst(national.birthDate);
  if (birthDate === undefined) {
    problems.push('/birthDate', 'format', 'expected a date as yyyy-mm-dd');
  }
  problems.finish();

  const local = {
    ho_ten: national.fullName ?? '',
    ngay_sinh: birthDate,
    ma_tinh: national.province?.code ?? '',
  };
  host.log('debug', 'translated one person to the local form', []);
  return reply(msg, local);
}

/** Refuses what this adapter was not written for: another standard, or not JSON. */
function checkContext(cx, msg) {
  if (cx.standard !== STANDARD) {
    throw unsupported(`this adapter serves ${STANDARD}, not ${cx.standard}`);
  }
  const mediaType = msg.contentType.split(';')[0].trim().toLowerCase();
  if (mediaType !== JSON_TYPE) {
    throw unsupported(`this adapter reads ${JSON_TYPE}, not ${msg.contentType}`);
  }
}

const decoder = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

/** The body as a JSON object, or a rejection that says why not. */
function readObject(msg) {
  const problems = new Violations();
  let value;
  try {
    value = JSON.parse(decoder.decode(msg.body));
  } catch (err) {
    const code = err instanceof SyntaxError ? 'json' : 'encoding';
    problems.push('body', code, `the body is not UTF-8 JSON: ${err.message}`);
  }
  if (value !== undefined && (value === null || typeof value !== 'object' || Array.isArray(value))) {
    problems.push('body', 'type', 'expected a JSON object');
  }
  problems.finish();
  return value;
}

/** The trimmed text of a required member, or `undefined` after recording a violation. */
function requiredText(object, key, problems) {
  const value = Object.hasOwn(object, key) ? object[key] : undefined;
  if (typeof value === 'string' && value.trim() !== '') {
    return value.trim();
  }
  if (value === undefined || value === null || typeof value === 'string') {
    problems.push(`/${key}`, 'required', `${key} is required`);
  } else {
    problems.push(`/${key}`, 'type', `${key} must be text`);
  }
  return undefined;
}

/** `31/01/1990` (leading zeros optional) to `1990-01-31`; throws `{ code, message }`. */
export function dayFirstToIso(text) {
  const parts = /^([0-9]{1,2})\/([0-9]{1,2})\/([0-9]{4})$/.exec(text);
  if (parts === null) {
    throw { code: 'format', message: `"${text}" is not a date as dd/mm/yyyy` };
  }
  const [day, month, year] = parts.slice(1).map(Number);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    throw { code: 'date', message: `"${text}" is not a day of the calendar` };
  }
  const pad = (n, width) => String(n).padStart(width, '0');
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

/** `1990-01-31` to `31/01/1990`; `undefined` for anything else. */
export function isoToDayFirst(text) {
  const parts = typeof text === 'string' ? /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(text) : null;
  return parts === null ? undefined : `${parts[3]}/${parts[2]}/${parts[1]}`;
}

function daysInMonth(year, month) {
  if (month === 2) {
    return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  }
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** A JSON reply that keeps the input's metadata. */
function reply(input, value) {
  return {
    contentType: JSON_TYPE,
    metadata: input.metadata,
    body: encoder.encode(JSON.stringify(value, null, 2)),
  };
}

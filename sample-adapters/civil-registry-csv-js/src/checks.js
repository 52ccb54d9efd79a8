// The rules a single value obeys, whichever form it arrives in.
//
// Each rule takes the text as it was written and either returns the value in its canonical
// spelling or throws a `Fault`: a stable code and a sentence. Where the value sits (a CSV cell,
// a JSON pointer) is the caller's business, so that the local and the national readers report
// the same breach with the same code. Rules that need the administrative catalogues ask the hub
// through `host.lookup`; none of them keeps a copy of a catalogue.

import { charCount, hasControl, trim } from './text.js';

/**
 * Most records one message may carry, in either form. A registry sends a day's work or a
 * backlog, not its whole book; the standards set the same bound.
 */
export const MAX_RECORDS = 1000;

/** One rule that one value breaks. */
export class Fault extends Error {
  constructor(code, message) {
    super(message);
    this.name = 'Fault';
    this.code = code;
  }
}

/**
 * A value as it arrived, before any rule about its content is applied: absent (not given, or
 * blank), text (trimmed), or reported (unreadable, and a violation already says so).
 */
export const Raw = Object.freeze({
  ABSENT: Object.freeze({ kind: 'absent' }),
  REPORTED: Object.freeze({ kind: 'reported' }),
  /** Trims `text` and treats a blank value as absent. */
  fromText(text) {
    const trimmed = trim(text);
    return trimmed === '' ? Raw.ABSENT : { kind: 'text', text: trimmed };
  },
  /** Whether two raw values are the same. */
  equal(a, b) {
    return a.kind === b.kind && (a.kind !== 'text' || a.text === b.text);
  },
});

/** The two values both standards know, with their spellings in each form. */
export const Sex = Object.freeze({
  MALE: 'male',
  FEMALE: 'female',
  /**
   * Reads the registry's `Nam` or `Nữ`, in any letter case. Text pasted from some word
   * processors spells `ữ` with combining marks, so those spellings are read too.
   */
  parseLocal(text) {
    switch (text.toLowerCase()) {
      case 'nam':
        return Sex.MALE;
      case 'n\u1eef':
      case 'n\u01b0\u0303':
      case 'nu\u031b\u0303':
        return Sex.FEMALE;
      default:
        throw new Fault('enum', `\`${text}\` is neither Nam nor Nữ`);
    }
  },
  /** Reads the standard's `male` or `female`. */
  parseNational(text) {
    if (text === 'male' || text === 'female') {
      return text;
    }
    throw new Fault('enum', `\`${text}\` is neither male nor female`);
  },
  /** The registry's spelling. */
  local(sex) {
    return sex === Sex.MALE ? 'Nam' : 'Nữ';
  },
});

/**
 * A value that must be there, through `rule`; `undefined` after recording why not. `path` is
 * a function so that paths are only built for violations.
 */
export function required(raw, path, v, rule) {
  switch (raw.kind) {
    case 'text':
      try {
        return rule(raw.text);
      } catch (err) {
        push(v, path(), err);
        return undefined;
      }
    case 'absent':
      v.push(path(), 'required', 'a value is required here');
      return undefined;
    default:
      return undefined;
  }
}

/** Records a fault as a violation at `path`; anything else thrown is a bug and goes on up. */
export function push(v, path, fault) {
  if (!(fault instanceof Fault)) {
    throw fault;
  }
  v.push(path, fault.code, fault.message);
}

const DIGITS = /^[0-9]+$/;

/**
 * A personal identification number: twelve digits, the first three being `0` and the code of
 * a province the catalogue knows.
 */
export function citizenId(host, text) {
  if (text.length !== 12 || !DIGITS.test(text)) {
    throw new Fault(
      'citizen-id',
      `\`${text}\` is not a personal identification number: it must be exactly 12 digits`,
    );
  }
  if (!text.startsWith('0') || host.lookup('provinces', text.slice(1, 3)) == null) {
    throw new Fault(
      'citizen-id',
      `\`${text}\` does not begin with 0 and a province code in force (${text.slice(0, 3)} is not one)`,
    );
  }
  return text;
}

/**
 * The fourth digit of an identification number encodes the century of birth and the sex
 * (0/1 for a man/woman born 1900-1999, 2/3 for 2000-2099, and so on), the fifth and sixth the
 * last two digits of the birth year. A number that contradicts the record it sits in points at
 * a typing mistake in one of the three values.
 */
export function citizenIdMatches(id, sex, birth) {
  const century = Math.floor(birth.year / 100);
  const expected =
    century >= 19 && century <= 23
      ? `${(century - 19) * 2 + (sex === Sex.FEMALE ? 1 : 0)}${String(birth.year % 100).padStart(2, '0')}`
      : undefined;
  if (expected === undefined || id.slice(3, 6) !== expected) {
    throw new Fault(
      'citizen-id-mismatch',
      `\`${id}\` does not match the sex and birth year of the record (digits 4 to 6 should be ${
        expected ?? 'impossible for a birth before 1900'
      })`,
    );
  }
}

/** A province code the catalogue knows. */
export function provinceCode(host, text) {
  if (text.length !== 2 || !DIGITS.test(text)) {
    throw new Fault('format', `\`${text}\` is not a province code: it must be 2 digits`);
  }
  if (host.lookup('provinces', text) == null) {
    throw new Fault('unknown-province', `\`${text}\` is not a province code in force`);
  }
  return text;
}

/** A commune code the catalogue knows, with the code of its province: `{ code, parent }`. */
export function communeCode(host, text) {
  if (text.length !== 5 || !DIGITS.test(text)) {
    throw new Fault('format', `\`${text}\` is not a commune code: it must be 5 digits`);
  }
  const entry = host.lookup('communes', text);
  if (entry == null) {
    throw new Fault('unknown-commune', `\`${text}\` is not a commune code in force`);
  }
  return { code: text, parent: entry.parent ?? undefined };
}

/** Checks that a commune, whose catalogue parent is `parent`, lies in `province`. */
export function communeInProvince(commune, parent, province) {
  if (parent == null || parent !== province) {
    throw new Fault(
      'commune-province-mismatch',
      `commune ${commune} belongs to province ${parent ?? '(none)'}, not ${province}`,
    );
  }
}

/**
 * Text on one line, at most `max` characters. Line breaks and other control characters have
 * no place in a name or a register number, and would break the registry's fixed forms.
 */
export function plainText(text, max) {
  if (hasControl(text)) {
    throw new Fault('format', 'the text contains a line break or another control character');
  }
  const length = charCount(text);
  if (length > max) {
    throw new Fault('format', `the text is ${length} characters long; at most ${max} are allowed`);
  }
  return text;
}

/**
 * A receipt's reference: letters, digits and `._:/-`, starting with a letter or digit, at most
 * 64 characters, so that it survives being quoted in a file name or a URL.
 */
export function receiptId(text) {
  if (/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$/.test(text)) {
    return text;
  }
  throw new Fault(
    'format',
    `\`${text}\` is not a receipt reference (letters, digits and ._:/- only, at most 64)`,
  );
}

/** A count of records, from zero to `MAX_RECORDS`. */
export function count(text) {
  if (/^[0-9]{1,4}$/.test(text) && Number(text) <= MAX_RECORDS) {
    return Number(text);
  }
  throw new Fault('format', `\`${text}\` is not a count of records from 0 to ${MAX_RECORDS}`);
}

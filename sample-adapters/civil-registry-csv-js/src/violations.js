// Violations and the errors an adapter returns, in the shapes the contract's bindings expect.
//
// The contract's `adapter-error` variant is, in JavaScript, an object `{ tag, val }`:
// `{ tag: 'rejected', val: [{ path, code, message }, ...] }`, `{ tag: 'unsupported', val: text }`
// or `{ tag: 'internal', val: text }`. The translations throw an `AdapterError` carrying one of
// these; `adapter.js` hands it to the hub as the `err` case of the call's result.

/** Most violations kept; the hub reports no more than this many either. */
export const MAX_VIOLATIONS = 100;

/** A refusal of a message, thrown by the translations and returned to the hub as `err`. */
export class AdapterError extends Error {
  /**
   * @param {'rejected' | 'unsupported' | 'internal'} tag
   * @param {Array<{path: string, code: string, message: string}> | string} val
   */
  constructor(tag, val) {
    super(typeof val === 'string' ? val : `${tag}: ${val.length} violations`);
    this.name = 'AdapterError';
    this.tag = tag;
    this.val = val;
  }

  /** The variant value the bindings lower into the contract's `adapter-error`. */
  toVariant() {
    return { tag: this.tag, val: this.val };
  }
}

/** The adapter does not handle this kind of message. */
export function unsupported(text) {
  return new AdapterError('unsupported', text);
}

/** The adapter itself failed; the text is for the operator. */
export function internal(text) {
  return new AdapterError('internal', text);
}

/**
 * Collects every violation of an input before refusing it, so that its author can fix all of
 * them in one round. Past `MAX_VIOLATIONS` it only counts, so that a huge bad input cannot make
 * a huge answer.
 */
export class Violations {
  constructor() {
    /** @type {Array<{path: string, code: string, message: string}>} */
    this.kept = [];
    this.dropped = 0;
  }

  /** Records one violation. */
  push(path, code, message) {
    if (this.kept.length < MAX_VIOLATIONS) {
      this.kept.push({ path, code, message });
    } else {
      this.dropped += 1;
    }
  }

  /** How many violations are kept so far; rules compare it before and after a record. */
  get length() {
    return this.kept.length;
  }

  /** The rejection listing every violation, with a last line counting those left out. */
  error() {
    const list = [...this.kept];
    if (this.dropped > 0) {
      list.push({
        path: '',
        code: 'too-many-violations',
        message: `${this.dropped} more violations were left out`,
      });
    }
    return new AdapterError('rejected', list);
  }

  /** Throws the rejection if anything was recorded. */
  finish() {
    if (this.kept.length > 0) {
      throw this.error();
    }
  }
}

/** A rejection with a single violation. */
export function rejectedWith(path, code, message) {
  const v = new Violations();
  v.push(path, code, message);
  return v.error();
}

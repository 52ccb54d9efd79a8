// Refusing a message: the contract's `adapter-error`, and a collector of violations.
//
// In JavaScript the contract's `adapter-error` is an object `{ tag, val }`: `{ tag:
// 'rejected', val: [{ path, code, message }, ...] }`, `{ tag: 'unsupported', val: text }` or
// `{ tag: 'internal', val: text }`. The mapping throws an `AdapterError`; `adapter.js` hands
// its `{ tag, val }` to the hub.

/** Most violations worth reporting; the hub keeps no more than this many either. */
export const MAX_VIOLATIONS = 100;

/** A refusal of a message, thrown by the mapping. */
export class AdapterError extends Error {
  constructor(tag, val) {
    super(typeof val === 'string' ? val : `${tag}: ${val.length} violations`);
    this.name = 'AdapterError';
    this.tag = tag;
    this.val = val;
  }
}

/** The adapter does not handle this kind of message (another standard, another format). */
export function unsupported(text) {
  return new AdapterError('unsupported', text);
}

/** A bug of the adapter's own; the text is for the hub's operator, not the caller. */
export function internal(text) {
  return new AdapterError('internal', text);
}

/**
 * Collects every problem of an input, so that its author can fix them all in one round. Past
 * `MAX_VIOLATIONS` it only counts them, so that a huge bad input cannot make a huge answer,
 * and the rejection ends with one `too-many-violations` entry saying how many were left out.
 */
export class Violations {
  constructor() {
    this.list = [];
    this.dropped = 0;
  }

  /** Records one problem: where (`/ngay_sinh`), a stable code (`date`), a sentence. */
  push(path, code, message) {
    if (this.list.length < MAX_VIOLATIONS) {
      this.list.push({ path, code, message });
    } else {
      this.dropped += 1;
    }
  }

  /** Throws a rejection listing every problem, if there is any. */
  finish() {
    if (this.list.length === 0) {
      return;
    }
    const list = [...this.list];
    if (this.dropped > 0) {
      list.push({
        path: '',
        code: 'too-many-violations',
        message: `${this.dropped} more violations were left out`,
      });
    }
    throw new AdapterError('rejected', list);
  }
}

// The component's entry point: binds the contract's two imports to the mapping and exports
// the contract's `mapping` interface. You should not need to change this file.
//
// ComponentizeJS generates the bindings from `wit/adapter.wit` with jco's conventions:
// records are objects with camelCase members, enums are strings (`'request'`), `list<u8>` is
// a `Uint8Array`, `option<T>` is the value or `undefined`, and a function returning
// `result<T, E>` returns `T` for `ok` and throws `E` for `err`.

import { lookup } from 'lgsp:adapter/catalogue@0.1.0';
import { write } from 'lgsp:adapter/log@0.1.0';

import * as adapter from './mapping.js';
import { AdapterError } from './violations.js';

/** The hub, as the mapping sees it. */
const host = { lookup, log: write };

/**
 * Runs one translation and turns what it throws into the contract's `adapter-error`. Any
 * other error is a bug: the hub's operator sees it as `internal`, with a line in the log.
 */
function call(translate, cx, msg) {
  try {
    return translate(host, cx, msg);
  } catch (err) {
    if (err instanceof AdapterError) {
      throw { tag: err.tag, val: err.val };
    }
    const what = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    write('error', 'adapter failed', [['error', what]]);
    throw { tag: 'internal', val: `the adapter failed: ${what}` };
  }
}

/** The contract's `mapping` interface. */
export const mapping = {
  describe: adapter.describe,
  toNational: (cx, msg) => call(adapter.toNational, cx, msg),
  toLocal: (cx, msg) => call(adapter.toLocal, cx, msg),
};

// The component's entry point: binds the contract's two imports to the mapping and exports
// the contract's `mapping` interface.
//
// The bindings that ComponentizeJS generates from `wit/adapter.wit` follow jco's conventions:
// records are objects with camelCase members, enums are strings (`'request'`), `list<u8>` is a
// `Uint8Array`, `option<T>` is the value or `undefined`, and a function that returns
// `result<T, E>` returns `T` for `ok` and throws `E` for `err`. The `adapter-error` thrown here
// is the plain variant object `{ tag, val }`.

import { lookup } from 'lgsp:adapter/catalogue@0.1.0';
import { write } from 'lgsp:adapter/log@0.1.0';

import * as civilRegistry from './mapping.js';
import { AdapterError } from './violations.js';

/** The hub, as the mapping sees it. */
const host = {
  lookup,
  log: write,
};

/**
 * Runs one translation and turns whatever it throws into the contract's `adapter-error`. A
 * JavaScript error other than a refusal is a bug in this adapter: the operator gets an
 * `internal` error and an error line in the hub's log, the caller a 5xx, never a wrong form.
 */
function call(translate, cx, msg) {
  try {
    return translate(host, cx, msg);
  } catch (err) {
    if (err instanceof AdapterError) {
      throw err.toVariant();
    }
    const what = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    write('error', 'adapter failed', [['error', what]]);
    throw { tag: 'internal', val: `the adapter failed: ${what}` };
  }
}

/** The contract's `mapping` interface. */
export const mapping = {
  describe: civilRegistry.describe,
  toNational: (cx, msg) => call(civilRegistry.toNational, cx, msg),
  toLocal: (cx, msg) => call(civilRegistry.toLocal, cx, msg),
};

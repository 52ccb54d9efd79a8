// Reading the standard's JSON documents member by member, so that every problem is reported
// with its JSON pointer instead of stopping at the first one.
//
// The hub validates national documents against the standard's schema before they reach
// `toLocal`, so these checks mostly repeat it; they stay because an adapter must never turn a
// document it does not understand into a wrong local file.

import { Raw } from './checks.js';
import { compareCodePoints, decodeUtf8 } from './text.js';
import { rejectedWith } from './violations.js';

/** Deepest nesting of arrays and objects read, as the Rust adapter's JSON parser allows. */
const MAX_DEPTH = 127;

/** A UTF-16 surrogate without its other half (spelled out: not every engine knows `\p{Cs}`). */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Parses a body as JSON, or throws a rejection with one violation that says where it broke. */
export function parse(body) {
  const decoded = decodeUtf8(body);
  if (decoded.text === undefined) {
    throw rejectedWith(
      'body',
      'encoding',
      `the body is not valid UTF-8 (bad byte at offset ${decoded.validUpTo})`,
    );
  }
  let value;
  try {
    value = JSON.parse(decoded.text);
  } catch (err) {
    throw rejectedWith('body', 'json', `the body is not JSON: ${err.message}`);
  }
  const unreadable = unrepresentable(value, 1);
  if (unreadable !== undefined) {
    throw rejectedWith('body', 'json', `the body is not JSON: ${unreadable}`);
  }
  return value;
}

/**
 * What `JSON.parse` accepts but a strict reader refuses: nesting past `MAX_DEPTH`, numbers too
 * large for a double, and strings with lone UTF-16 surrogates (from `\ud800`-style escapes).
 */
function unrepresentable(value, depth) {
  if (typeof value === 'number') {
    return Number.isFinite(value) ? undefined : 'a number is out of range';
  }
  if (typeof value === 'string') {
    return LONE_SURROGATE.test(value) ? 'a string holds a lone surrogate' : undefined;
  }
  if (value === null || typeof value !== 'object') {
    return undefined;
  }
  if (depth > MAX_DEPTH) {
    return `it nests deeper than ${MAX_DEPTH} levels`;
  }
  const entries = Array.isArray(value) ? value.map((item) => ['', item]) : Object.entries(value);
  for (const [key, item] of entries) {
    const found = unrepresentable(key, depth) ?? unrepresentable(item, depth + 1);
    if (found !== undefined) {
      return found;
    }
  }
  return undefined;
}

/** The pointer to member `key` of the value at `parent`, escaped as RFC 6901 requires. */
export function pointer(parent, key) {
  return `${parent}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
}

/** Whether `value` is a JSON object (not an array, not null). */
function isObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A JSON object and where it sits in the document. */
export class JsonObject {
  constructor(map, path) {
    this.map = map;
    this.path = path;
  }

  /** The object at `path`, or `undefined` after recording that it is something else. */
  static at(value, path, v) {
    if (isObject(value)) {
      return new JsonObject(value, path);
    }
    v.push(path === '' ? 'body' : path, 'type', 'expected a JSON object');
    return undefined;
  }

  /** Where member `key` is. */
  pathOf(key) {
    return pointer(this.path, key);
  }

  /**
   * Records a violation for each member not in `known`, in code point order of the names: a
   * member the standard does not define would otherwise be dropped without anyone noticing.
   */
  only(known, v) {
    for (const key of Object.keys(this.map).sort(compareCodePoints)) {
      if (!known.includes(key)) {
        v.push(this.pathOf(key), 'unknown-field', `\`${key}\` is not defined here`);
      }
    }
  }

  /** Member `key`, `undefined` when missing or null. */
  get(key) {
    if (!Object.hasOwn(this.map, key)) {
      return undefined;
    }
    const value = this.map[key];
    return value === null ? undefined : value;
  }

  /** Member `key` as text: a `Raw` value. */
  text(key, v) {
    const value = this.get(key);
    if (value === undefined) {
      return Raw.ABSENT;
    }
    if (typeof value === 'string') {
      return Raw.fromText(value);
    }
    v.push(this.pathOf(key), 'type', 'expected a string');
    return Raw.REPORTED;
  }

  /** Member `key` as a required whole number from 0 to `max`. */
  count(key, max, v) {
    const value = this.get(key);
    if (value === undefined) {
      v.push(this.pathOf(key), 'required', `\`${key}\` is required`);
      return undefined;
    }
    if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= max) {
      return value;
    }
    v.push(this.pathOf(key), 'format', `expected a whole number from 0 to ${max}`);
    return undefined;
  }

  /** Checks that member `key` is exactly `expected`, as `standard` and `version` must be. */
  constant(key, expected, v) {
    const value = this.get(key);
    if (value === undefined) {
      v.push(this.pathOf(key), 'required', `\`${key}\` is required`);
    } else if (value !== expected) {
      v.push(this.pathOf(key), 'standard', `expected \`${expected}\`; this adapter reads no other`);
    }
  }
}

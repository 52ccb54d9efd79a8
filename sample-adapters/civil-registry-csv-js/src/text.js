// Text as the Rust adapter sees it: UTF-8 bytes, Unicode white space, control characters and
// character counts, so that both adapters refuse exactly the same values.
//
// JavaScript strings are UTF-16 and its `trim()` knows a different set of white space than
// Rust's `str::trim` (it trims U+FEFF, and not U+0085), so the few rules the checks rely on
// are spelled out here once.

/** Unicode White_Space, which Rust's `str::trim` removes. */
const WHITE_SPACE = '\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const LEADING = new RegExp(`^[${WHITE_SPACE}]+`);
const TRAILING = new RegExp(`[${WHITE_SPACE}]+$`);

/** Control characters (general category Cc), which have no place in a name. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Removes leading and trailing Unicode white space. */
export function trim(text) {
  return text.replace(LEADING, '').replace(TRAILING, '');
}

/** Whether `text` holds a control character such as a line break. */
export function hasControl(text) {
  return CONTROL.test(text);
}

/** The number of Unicode characters (code points), as a person counts them. */
export function charCount(text) {
  let count = 0;
  for (const _ of text) {
    count += 1;
  }
  return count;
}

/** Lowercases the ASCII letters only, as a header name is compared. */
export function asciiLowercase(text) {
  return text.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}

/** Orders strings by code point, as Rust orders `String` keys (UTF-16 order differs). */
export function compareCodePoints(a, b) {
  const left = a[Symbol.iterator]();
  const right = b[Symbol.iterator]();
  for (;;) {
    const x = left.next();
    const y = right.next();
    if (x.done || y.done) {
      return (x.done ? 0 : 1) - (y.done ? 0 : 1);
    }
    const diff = x.value.codePointAt(0) - y.value.codePointAt(0);
    if (diff !== 0) {
      return diff;
    }
  }
}

// `ignoreBOM` keeps a leading byte order mark as text, as Rust's `from_utf8` does.
const decoder =
  typeof TextDecoder === 'function' ? new TextDecoder('utf-8', { ignoreBOM: true }) : null;
const encoder = typeof TextEncoder === 'function' ? new TextEncoder() : null;

/**
 * Decodes UTF-8 strictly: `{ text }`, or `{ validUpTo }` with the offset of the first byte
 * that is not part of a valid sequence. A byte order mark is kept as text.
 */
export function decodeUtf8(bytes) {
  const validUpTo = utf8ValidUpTo(bytes);
  if (validUpTo < bytes.length) {
    return { validUpTo };
  }
  return { text: decoder !== null ? decoder.decode(bytes) : decodeValid(bytes) };
}

/** Encodes a string as UTF-8. */
export function encodeUtf8(text) {
  if (encoder !== null) {
    return encoder.encode(text);
  }
  const out = [];
  for (const ch of text) {
    const cp = ch.codePointAt(0);
    if (cp < 0x80) {
      out.push(cp);
    } else if (cp < 0x800) {
      out.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
      out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
    } else {
      out.push(
        0xf0 | (cp >> 18),
        0x80 | ((cp >> 12) & 0x3f),
        0x80 | ((cp >> 6) & 0x3f),
        0x80 | (cp & 0x3f),
      );
    }
  }
  return Uint8Array.from(out);
}

/** The length of the longest valid UTF-8 prefix of `bytes`, as Rust's `valid_up_to`. */
export function utf8ValidUpTo(bytes) {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i];
    if (b < 0x80) {
      i += 1;
      continue;
    }
    let width;
    let low = 0x80;
    let high = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) {
      width = 2;
    } else if (b >= 0xe0 && b <= 0xef) {
      width = 3;
      if (b === 0xe0) low = 0xa0;
      if (b === 0xed) high = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      width = 4;
      if (b === 0xf0) low = 0x90;
      if (b === 0xf4) high = 0x8f;
    } else {
      return i;
    }
    if (i + width > n) {
      return i;
    }
    const second = bytes[i + 1];
    if (second < low || second > high) {
      return i;
    }
    for (let k = 2; k < width; k += 1) {
      const next = bytes[i + k];
      if (next < 0x80 || next > 0xbf) {
        return i;
      }
    }
    i += width;
  }
  return n;
}

/** Decodes bytes already known to be valid UTF-8, where no TextDecoder exists. */
function decodeValid(bytes) {
  let text = '';
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    let cp;
    if (b < 0x80) {
      cp = b;
      i += 1;
    } else if (b < 0xe0) {
      cp = ((b & 0x1f) << 6) | (bytes[i + 1] & 0x3f);
      i += 2;
    } else if (b < 0xf0) {
      cp = ((b & 0x0f) << 12) | ((bytes[i + 1] & 0x3f) << 6) | (bytes[i + 2] & 0x3f);
      i += 3;
    } else {
      cp =
        ((b & 0x07) << 18) |
        ((bytes[i + 1] & 0x3f) << 12) |
        ((bytes[i + 2] & 0x3f) << 6) |
        (bytes[i + 3] & 0x3f);
      i += 4;
    }
    text += String.fromCodePoint(cp);
  }
  return text;
}

// Runs every fixture of the Rust adapter (`../civil-registry-csv/fixtures/`, the same files
// the hub's integration test uses) through this adapter natively, with the hub's catalogue,
// and expects exactly the Rust adapter's outputs and violations.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe as suite, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import * as adapter from '../src/mapping.js';
import { AdapterError } from '../src/violations.js';
import { context, mockHost } from './mock-host.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../../..');
const fixtures = join(root, 'sample-adapters/civil-registry-csv/fixtures');
const host = mockHost(join(root, 'catalogues/admin-units-vn-2025.json'));

const CSV = 'text/csv; charset=utf-8';
const JSON_TYPE = 'application/json';
const STANDARD = { request: 'citizen-record@1.0', reply: 'citizen-receipt@1.0' };

/** `[case, input path]` for every `<case>.input.<ext>` in `fixtures/<folder>`. */
function cases(folder, ext) {
  const suffix = `.input.${ext}`;
  const found = readdirSync(join(fixtures, folder))
    .filter((name) => name.endsWith(suffix))
    .sort()
    .map((name) => [name.slice(0, -suffix.length), join(fixtures, folder, name)]);
  assert.ok(found.length > 0, `no cases in ${folder}`);
  return found;
}

const sibling = (input, kase, ending) => join(dirname(input), `${kase}.${ending}`);
const text = (bytes) => Buffer.from(bytes).toString('utf8').replaceAll('\r\n', '\n');

function message(contentType, body, metadata = []) {
  return { contentType, metadata, body: new Uint8Array(body) };
}

function toNational(phase, body) {
  const cx = context('citizens.register', STANDARD[phase], phase);
  return adapter.toNational(host, cx, message(CSV, body));
}

function toLocal(phase, body) {
  const cx = context('citizens.register', STANDARD[phase], phase);
  return adapter.toLocal(host, cx, message(JSON_TYPE, body));
}

/** The error a translation throws, or a failure if it returned. */
function refusal(run) {
  try {
    run();
  } catch (err) {
    assert.ok(err instanceof AdapterError, `not an adapter error: ${err?.stack ?? err}`);
    return err;
  }
  assert.fail('expected a refusal, got a message');
}

for (const [folder, phase] of [
  ['to-national', 'request'],
  ['reply-to-national', 'reply'],
]) {
  test(`${folder}: every CSV becomes the expected national JSON`, () => {
    for (const [kase, input] of cases(folder, 'csv')) {
      const out = toNational(phase, readFileSync(input));
      assert.equal(out.contentType, JSON_TYPE, kase);
      const expected = JSON.parse(readFileSync(sibling(input, kase, 'expected.json'), 'utf8'));
      assert.deepEqual(JSON.parse(text(out.body)), expected, `${folder}/${kase}`);
    }
  });
}

for (const [folder, phase] of [
  ['to-local', 'request'],
  ['reply-to-local', 'reply'],
]) {
  test(`${folder}: every national JSON becomes the expected CSV`, () => {
    for (const [kase, input] of cases(folder, 'json')) {
      const out = toLocal(phase, readFileSync(input));
      assert.equal(out.contentType, CSV, kase);
      const expected = readFileSync(sibling(input, kase, 'expected.csv'));
      assert.equal(text(out.body), text(expected), `${folder}/${kase}`);
    }
  });
}

test('rejected: refused files list every violation in order', () => {
  for (const [kase, input] of cases('rejected', 'csv')) {
    const err = refusal(() => toNational('request', readFileSync(input)));
    assert.equal(err.tag, 'rejected', kase);
    for (const violation of err.val) {
      assert.ok(violation.message.length > 0, `${kase}: ${JSON.stringify(violation)}`);
    }
    const actual = err.val.map(({ path, code }) => ({ path, code }));
    const expected = JSON.parse(
      readFileSync(sibling(input, kase, 'expected-violations.json'), 'utf8'),
    );
    assert.deepEqual(actual, expected, `rejected/${kase}`);
  }
});

test('batches and receipts survive a round trip byte for byte', () => {
  for (const [folder, phase] of [
    ['to-national', 'request'],
    ['reply-to-national', 'reply'],
  ]) {
    for (const [kase, input] of cases(folder, 'csv')) {
      const national = toNational(phase, readFileSync(input));
      const local = toLocal(phase, national.body);
      const again = toNational(phase, local.body);
      assert.equal(text(again.body), text(national.body), `${folder}/${kase}`);
    }
  }
});

suite('what the adapter declines', () => {
  const cx = context('citizens.register', 'citizen-record@1.0', 'request');
  const body = new TextEncoder().encode('so_dinh_danh\n');

  test('other content types are unsupported, UTF-8 CSV in any spelling is read', () => {
    for (const type of ['application/json', 'text/csv; charset=windows-1258', 'text/plain']) {
      const err = refusal(() => adapter.toNational(host, cx, message(type, body)));
      assert.equal(err.tag, 'unsupported', type);
    }
    for (const type of ['TEXT/CSV', 'text/csv;charset="UTF-8"']) {
      const err = refusal(() => adapter.toNational(host, cx, message(type, body)));
      assert.equal(err.tag, 'rejected', type);
    }
    const err = refusal(() => adapter.toLocal(host, cx, message(CSV, Buffer.from('{}'))));
    assert.equal(err.tag, 'unsupported');
  });

  test('other standards are unsupported', () => {
    const other = context('documents.send', 'edxml@2.0', 'request');
    const err = refusal(() => adapter.toLocal(host, other, message(JSON_TYPE, Buffer.from('{}'))));
    assert.equal(err.tag, 'unsupported');
  });
});

test('metadata travels with the message', () => {
  const cx = context('citizens.register', 'citizen-record@1.0', 'request');
  const input = readFileSync(join(fixtures, 'to-national/ba-dinh-batch.input.csv'));
  const out = adapter.toNational(host, cx, message(CSV, input, [['so-cong-van', '125/UBND-TP']]));
  assert.deepEqual(out.metadata, [['so-cong-van', '125/UBND-TP']]);
});

test('describe names this adapter and both standards', () => {
  assert.deepEqual(adapter.describe(), {
    name: 'civil-registry-csv-js',
    version: '0.1.0',
    standards: ['citizen-record@1.0', 'citizen-receipt@1.0'],
    services: [],
  });
});

test('the log gets counts, never contents', () => {
  const own = mockHost(join(root, 'catalogues/admin-units-vn-2025.json'));
  const cx = context('citizens.register', 'citizen-record@1.0', 'request');
  for (const file of ['to-national/ba-dinh-batch.input.csv', 'rejected/every-violation.input.csv']) {
    const msg = message(CSV, readFileSync(join(fixtures, file)));
    try {
      adapter.toNational(own, cx, msg);
    } catch (err) {
      assert.equal(err.tag, 'rejected');
    }
  }
  assert.deepEqual(own.lines, [
    {
      level: 'debug',
      message: 'translated message',
      fields: [['direction', 'to-national'], ['phase', 'request'], ['records', '4']],
    },
    {
      level: 'info',
      message: 'refused message',
      fields: [['direction', 'to-national'], ['phase', 'request'], ['violations', '10']],
    },
  ]);
});

/**
 * Truncates and corrupts every fixture input and runs the results through every translation:
 * whatever comes out, it is a message or a refusal, never a JavaScript error.
 */
test('damaged inputs are refused, never crash', () => {
  const inputs = [
    ['to-national', 'csv'],
    ['to-local', 'json'],
    ['reply-to-national', 'csv'],
    ['reply-to-local', 'json'],
    ['rejected', 'csv'],
  ].flatMap(([folder, ext]) => cases(folder, ext).map(([, path]) => readFileSync(path)));

  // A fixed linear congruential sequence keeps the test repeatable.
  let state = 0x20250701n;
  const next = () => {
    state = (state * 6364136223846793005n + 1442695040888963407n) & 0xffffffffffffffffn;
    return Number(state >> 33n);
  };
  const noise = [0x22, 0x2c, 0x3b, 0x0a, 0x0d, 0xff, 0xc3, 0x7b, 0x7d, 0x30, 0x20, 0x2f];
  for (const input of inputs) {
    const damaged = [];
    for (let n = 0; n < input.length; n += 5) damaged.push(input.subarray(0, n));
    for (let k = 0; k < 150; k += 1) {
      const copy = [...input];
      for (let j = 0; j <= next() % 3; j += 1) {
        const at = next() % Math.max(copy.length, 1);
        const byte = noise[next() % noise.length];
        const how = next() % 3;
        if (how === 0 && copy.length > 0) copy[at] = byte;
        else if (how === 1 && copy.length > 0) copy.splice(at, 1);
        else copy.splice(Math.min(at, copy.length), 0, byte);
      }
      damaged.push(Uint8Array.from(copy));
    }
    for (const body of damaged) {
      for (const phase of ['request', 'reply']) {
        for (const run of [toNational, toLocal]) {
          try {
            run(phase, body);
          } catch (err) {
            assert.ok(err instanceof AdapterError, `a crash: ${err?.stack ?? err}`);
            assert.notEqual(err.tag, 'internal', `an internal error: ${err.message}`);
          }
        }
      }
    }
  }
});

// Runs every fixture under `fixtures/` natively, with a stand-in hub: `npm test`.
//
// - `to-national/<case>.input.json` must give `<case>.expected.json`;
// - `to-local/<case>.input.json` must give `<case>.expected.json`;
// - `rejected/<case>.input.json` must be refused with the `{path, code}` list of
//   `<case>.expected-violations.json`, in order.
//
// `lgsp adapter test` runs the same files through the built component, under the hub's own
// runtime, and checks every national form against `standard.schema.json` too.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import * as adapter from '../src/mapping.js';
import { AdapterError, MAX_VIOLATIONS, Violations } from '../src/violations.js';

const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url));

/** The provinces the fixtures name; `lookup` answers `undefined` for any other code. */
const PROVINCES = new Map([['01', { code: '01', name: 'Thành phố Hà Nội', parent: undefined }]]);
const host = {
  lookup: (catalogue, code) => (catalogue === 'provinces' ? PROVINCES.get(code) : undefined),
  log: () => {},
};
const cx = (phase) => ({
  exchangeId: 'test',
  service: 'example.service',
  standard: adapter.STANDARD,
  phase,
  agency: 'test-agency',
});

/** `[case, input path]` for every `<case>.input.json` in `fixtures/<folder>`. */
function cases(folder) {
  const found = readdirSync(join(fixtures, folder))
    .filter((name) => name.endsWith('.input.json'))
    .sort()
    .map((name) => [name.slice(0, -'.input.json'.length), join(fixtures, folder, name)]);
  assert.ok(found.length > 0, `no fixtures in ${folder}`);
  return found;
}

const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'));
const message = (path) => ({
  contentType: 'application/json',
  metadata: [],
  body: new Uint8Array(readFileSync(path)),
});
const body = (out) => JSON.parse(new TextDecoder().decode(out.body));

for (const [folder, translate] of [
  ['to-national', adapter.toNational],
  ['to-local', adapter.toLocal],
]) {
  test(`${folder} gives the expected form`, () => {
    for (const [name, input] of cases(folder)) {
      const out = translate(host, cx('request'), message(input));
      const expected = readJson(input.replace('.input.json', '.expected.json'));
      assert.deepEqual(body(out), expected, `${folder}/${name}`);
    }
  });
}

test('rejected inputs list every violation in order', () => {
  for (const [name, input] of cases('rejected')) {
    let refusal;
    try {
      adapter.toNational(host, cx('request'), message(input));
    } catch (err) {
      refusal = err;
    }
    assert.ok(refusal instanceof AdapterError && refusal.tag === 'rejected', `${name}: ${refusal}`);
    const expected = readJson(input.replace('.input.json', '.expected-violations.json'));
    assert.deepEqual(
      refusal.val.map(({ path, code }) => ({ path, code })),
      expected,
      `rejected/${name}`,
    );
  }
});

test('dates are read day first and checked against the calendar', () => {
  assert.equal(adapter.dayFirstToIso('1/2/1990'), '1990-02-01');
  assert.throws(() => adapter.dayFirstToIso('29/02/2023'), { code: 'date' });
  assert.throws(() => adapter.dayFirstToIso('1990-02-01'), { code: 'format' });
  assert.equal(adapter.isoToDayFirst('1990-02-01'), '01/02/1990');
});

test('another standard is unsupported', () => {
  const other = { ...cx('request'), standard: 'citizen-record@1.0' };
  const input = join(fixtures, 'to-national/example.input.json');
  assert.throws(() => adapter.toNational(host, other, message(input)), { tag: 'unsupported' });
});

test('past the cap, violations are counted in one last entry', () => {
  const v = new Violations();
  for (let i = 0; i < MAX_VIOLATIONS + 5; i += 1) {
    v.push(`/items/${i}`, 'bad', 'bad item');
  }
  assert.throws(
    () => v.finish(),
    (err) =>
      err instanceof AdapterError &&
      err.val.length === MAX_VIOLATIONS + 1 &&
      err.val[MAX_VIOLATIONS].code === 'too-many-violations' &&
      err.val[MAX_VIOLATIONS].message === '5 more violations were left out',
  );
});

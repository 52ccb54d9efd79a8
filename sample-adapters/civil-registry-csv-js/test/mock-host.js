// A stand-in for the hub in native tests: the contract's `lookup` over the hub's own
// administrative catalogue file, and a `log` that keeps what it is given.

import { readFileSync } from 'node:fs';

/** The hub with the catalogue at `path` (`catalogues/admin-units-vn-2025.json`). */
export function mockHost(path) {
  const catalogues = { provinces: new Map(), communes: new Map() };
  for (const province of JSON.parse(readFileSync(path, 'utf8'))) {
    for (const ward of province.Wards) {
      catalogues.communes.set(ward.Code, {
        code: ward.Code,
        name: ward.FullName,
        parent: province.Code,
      });
    }
    catalogues.provinces.set(province.Code, {
      code: province.Code,
      name: province.FullName,
      parent: undefined,
    });
  }
  const lines = [];
  return {
    lines,
    lookup(catalogue, code) {
      return catalogues[catalogue]?.get(code);
    },
    log(level, message, fields) {
      lines.push({ level, message, fields });
    },
  };
}

/** A context as the hub builds it, for `service` and `standard` on the leg `phase`. */
export function context(service, standard, phase) {
  return { exchangeId: 'test-exchange', service, standard, phase, agency: 'test-agency' };
}

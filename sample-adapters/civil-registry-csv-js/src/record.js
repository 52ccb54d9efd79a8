// Batches of birth registrations: the registry's CSV file and the `citizen-record` standard,
// and the translation between them in both directions.
//
// Both readers feed the same `readRecord`, so a rule is written once and breaks with the same
// code whichever side wrote the value; only the spelling of dates and of the sex differs
// between the forms. A batch comes from one registry: the CSV file has no place for the
// registry, so it is the commune of its records, which must therefore all agree.

import * as checks from './checks.js';
import { Fault, MAX_RECORDS, Raw, Sex, push, required } from './checks.js';
import { CalendarDate } from './date.js';
import { JsonObject, parse, pointer } from './json.js';
import { Table, cellPath, write } from './table.js';
import { encodeUtf8 } from './text.js';
import { Violations, internal } from './violations.js';

/** The standard's id. */
export const STANDARD = 'citizen-record';
/** The version of the standard this module reads and writes. */
export const VERSION = '1.0';

/** The registry's columns, in the order this adapter writes them, and those it requires. */
export const COLUMNS = Object.freeze({
  all: [
    'so_dinh_danh',
    'ho_ten',
    'ngay_sinh',
    'gioi_tinh',
    'dan_toc',
    'ma_xa',
    'ma_tinh',
    'so_dang_ky',
    'ngay_dang_ky',
    'ho_ten_cha',
    'ho_ten_me',
  ],
  required: [
    'so_dinh_danh',
    'ho_ten',
    'ngay_sinh',
    'gioi_tinh',
    'ma_xa',
    'ma_tinh',
    'so_dang_ky',
    'ngay_dang_ky',
  ],
});

/** Longest name, ethnic group and register number, as in the schema. */
const NAME_MAX = 100;
const ETHNICITY_MAX = 50;
const NUMBER_MAX = 30;

/** The members of a record, and of its registration, that the standard defines. */
const RECORD_MEMBERS = [
  'citizenId',
  'fullName',
  'birthDate',
  'sex',
  'ethnicity',
  'communeCode',
  'provinceCode',
  'registration',
  'fatherName',
  'motherName',
];
const REGISTRATION_MEMBERS = ['number', 'date'];

/**
 * The values of a record, each named in both forms: its CSV column, its JSON member, and
 * whether that member sits inside `registration`.
 */
export const FIELDS = Object.freeze({
  citizenId: { column: 'so_dinh_danh', member: 'citizenId' },
  fullName: { column: 'ho_ten', member: 'fullName' },
  birthDate: { column: 'ngay_sinh', member: 'birthDate' },
  sex: { column: 'gioi_tinh', member: 'sex' },
  ethnicity: { column: 'dan_toc', member: 'ethnicity' },
  communeCode: { column: 'ma_xa', member: 'communeCode' },
  provinceCode: { column: 'ma_tinh', member: 'provinceCode' },
  registrationNumber: { column: 'so_dang_ky', member: 'number', inRegistration: true },
  registrationDate: { column: 'ngay_dang_ky', member: 'date', inRegistration: true },
  fatherName: { column: 'ho_ten_cha', member: 'fatherName' },
  motherName: { column: 'ho_ten_me', member: 'motherName' },
});

/** A checked record in the standard's shape; optional members are left out when absent. */
function nationalRecord(r) {
  return {
    citizenId: r.citizenId,
    fullName: r.fullName,
    birthDate: r.birthDate,
    sex: r.sex,
    ...(r.ethnicity !== undefined && { ethnicity: r.ethnicity }),
    communeCode: r.communeCode,
    provinceCode: r.provinceCode,
    registration: { number: r.registrationNumber, date: r.registrationDate },
    ...(r.fatherName !== undefined && { fatherName: r.fatherName }),
    ...(r.motherName !== undefined && { motherName: r.motherName }),
  };
}

/** A checked record as a CSV row, in the order of `COLUMNS.all`. */
function localRow(r) {
  return [
    r.citizenId,
    r.fullName,
    r.birthDate.local(),
    Sex.local(r.sex),
    r.ethnicity ?? '',
    r.communeCode,
    r.provinceCode,
    r.registrationNumber,
    r.registrationDate.local(),
    r.fatherName ?? '',
    r.motherName ?? '',
  ];
}

/** Translates the registry's CSV file into a `citizen-record` document: `{ body, records }`. */
export function toNational(host, body) {
  const v = new Violations();
  const batch = new BatchRules(undefined);
  const records = [];
  const table = Table.read(body, COLUMNS, v);
  if (table !== undefined) {
    table.eachRow(v, (row) => {
      const record = readRecord(host, new CsvRecord(table, row), batch, v);
      if (record !== undefined) records.push(record);
    });
  }
  v.finish();

  if (batch.registry === undefined) {
    throw internal('a batch without violations had no registry');
  }
  const document = {
    standard: STANDARD,
    version: VERSION,
    registry: batch.registry,
    records: records.map(nationalRecord),
  };
  return { body: encodeUtf8(JSON.stringify(document)), records: records.length };
}

/** Translates a `citizen-record` document into the registry's CSV file: `{ body, records }`. */
export function toLocal(host, body) {
  const document = parse(body);
  const v = new Violations();
  const root = JsonObject.at(document, '', v);
  if (root === undefined) {
    throw v.error();
  }
  root.only(['standard', 'version', 'registry', 'records'], v);
  root.constant('standard', STANDARD, v);
  root.constant('version', VERSION, v);

  const registry = readRegistry(host, root, v);
  const batch = new BatchRules(registry);
  const records = [];
  const items = root.get('records');
  if (items === undefined) {
    v.push(root.pathOf('records'), 'required', 'a batch needs `records`');
  } else if (!Array.isArray(items)) {
    v.push(root.pathOf('records'), 'type', 'expected an array of records');
  } else if (items.length === 0) {
    v.push(root.pathOf('records'), 'required', 'a batch needs at least one record');
  } else if (items.length > MAX_RECORDS) {
    v.push(
      root.pathOf('records'),
      'too-many',
      `a batch holds at most ${MAX_RECORDS} records; this one has ${items.length}`,
    );
  } else {
    items.forEach((item, i) => {
      const source = JsonRecord.read(item, pointer('/records', String(i)), v);
      if (source !== undefined) {
        const record = readRecord(host, source, batch, v);
        if (record !== undefined) records.push(record);
      }
    });
  }
  v.finish();

  return { body: write(COLUMNS.all, records.map(localRow)), records: records.length };
}

/** The national document's `registry`, if it is usable: `{ communeCode, provinceCode }`. */
function readRegistry(host, root, v) {
  const value = root.get('registry');
  if (value === undefined) {
    v.push(root.pathOf('registry'), 'required', 'a batch needs `registry`');
    return undefined;
  }
  const registry = JsonObject.at(value, root.pathOf('registry'), v);
  if (registry === undefined) {
    return undefined;
  }
  registry.only(['communeCode', 'provinceCode'], v);
  const commune = required(
    registry.text('communeCode', v),
    () => registry.pathOf('communeCode'),
    v,
    (t) => checks.communeCode(host, t),
  );
  const province = required(
    registry.text('provinceCode', v),
    () => registry.pathOf('provinceCode'),
    v,
    (t) => checks.provinceCode(host, t),
  );
  if (commune === undefined || province === undefined) {
    return undefined;
  }
  try {
    checks.communeInProvince(commune.code, commune.parent, province);
  } catch (fault) {
    push(v, registry.pathOf('communeCode'), fault);
    return undefined;
  }
  return { communeCode: commune.code, provinceCode: province };
}

/** A data row of the registry's file, as a source of one record's values. */
class CsvRecord {
  constructor(table, row) {
    this.table = table;
    this.row = row;
  }

  raw(field) {
    return this.table.cell(this.row, field.column);
  }

  path(field) {
    return cellPath(this.row.line, field.column);
  }

  date(text) {
    return CalendarDate.parseLocal(text);
  }

  sex(text) {
    return Sex.parseLocal(text);
  }

  spell(date) {
    return date.local();
  }
}

/** One member of a national document's `records`, as a source of one record's values. */
class JsonRecord {
  constructor(record, registration) {
    this.record = record;
    /** `undefined` once a missing or malformed `registration` has been reported. */
    this.registration = registration;
  }

  static read(value, path, v) {
    const record = JsonObject.at(value, path, v);
    if (record === undefined) {
      return undefined;
    }
    record.only(RECORD_MEMBERS, v);
    let registration;
    const member = record.get('registration');
    if (member === undefined) {
      const message = 'a record needs `registration` with its number and date';
      v.push(record.pathOf('registration'), 'required', message);
    } else {
      registration = JsonObject.at(member, record.pathOf('registration'), v);
    }
    registration?.only(REGISTRATION_MEMBERS, v);
    return new JsonRecord(record, registration);
  }

  raw(field, v) {
    if (!field.inRegistration) {
      return this.record.text(field.member, v);
    }
    return this.registration === undefined
      ? Raw.REPORTED
      : this.registration.text(field.member, v);
  }

  path(field) {
    return field.inRegistration
      ? pointer(this.record.pathOf('registration'), field.member)
      : this.record.pathOf(field.member);
  }

  date(text) {
    return CalendarDate.parseIso(text);
  }

  sex(text) {
    return Sex.parseNational(text);
  }

  spell(date) {
    return date.toString();
  }
}

/** The rules that span records: one registry per batch, each person once. */
class BatchRules {
  constructor(registry) {
    /**
     * The registry every record must name: given by a national document, taken from the first
     * record of a CSV file.
     */
    this.registry = registry;
    /** Whether the registry came from the document rather than from a record. */
    this.registryGiven = registry !== undefined;
    /** Where each identification number was first seen. */
    this.seen = new Map();
  }

  admit(record, source, v) {
    const idPath = source.path(FIELDS.citizenId);
    const first = this.seen.get(record.citizenId);
    if (first !== undefined) {
      v.push(idPath, 'duplicate', `\`${record.citizenId}\` already appears at ${first}`);
    } else {
      this.seen.set(record.citizenId, idPath);
    }

    this.registry ??= { communeCode: record.communeCode, provinceCode: record.provinceCode };
    if (this.registry.communeCode !== record.communeCode) {
      const origin = this.registryGiven ? "the batch's registry" : 'the first record';
      v.push(
        source.path(FIELDS.communeCode),
        'mixed-registry',
        `every record of a batch must be registered by one commune: ${origin} names ${this.registry.communeCode}`,
      );
    }
  }
}

/** Reads and checks one record, recording every violation; `undefined` if it has any. */
function readRecord(host, src, batch, v) {
  const before = v.length;
  const need = (field, rule) => required(src.raw(field, v), () => src.path(field), v, rule);
  const optional = (field, max) => {
    const raw = src.raw(field, v);
    switch (raw.kind) {
      case 'absent':
        return { value: undefined };
      case 'text':
        try {
          return { value: checks.plainText(raw.text, max) };
        } catch (fault) {
          push(v, src.path(field), fault);
          return undefined;
        }
      default:
        return undefined;
    }
  };

  const id = need(FIELDS.citizenId, (t) => checks.citizenId(host, t));
  const name = need(FIELDS.fullName, (t) => checks.plainText(t, NAME_MAX));
  const birth = need(FIELDS.birthDate, (t) => src.date(t));
  const sex = need(FIELDS.sex, (t) => src.sex(t));
  const ethnicity = optional(FIELDS.ethnicity, ETHNICITY_MAX);
  const commune = need(FIELDS.communeCode, (t) => checks.communeCode(host, t));
  const province = need(FIELDS.provinceCode, (t) => checks.provinceCode(host, t));
  const number = need(FIELDS.registrationNumber, (t) => checks.plainText(t, NUMBER_MAX));
  const registered = need(FIELDS.registrationDate, (t) => src.date(t));
  const father = optional(FIELDS.fatherName, NAME_MAX);
  const mother = optional(FIELDS.motherName, NAME_MAX);

  // Rules between values, once each value is known to be good on its own.
  const between = (field, rule) => {
    try {
      rule();
    } catch (fault) {
      if (!(fault instanceof Fault)) throw fault;
      push(v, src.path(field), fault);
    }
  };
  if (commune !== undefined && province !== undefined) {
    between(FIELDS.communeCode, () =>
      checks.communeInProvince(commune.code, commune.parent, province),
    );
  }
  if (id !== undefined && sex !== undefined && birth !== undefined) {
    between(FIELDS.citizenId, () => checks.citizenIdMatches(id, sex, birth));
  }
  if (birth !== undefined && registered !== undefined && registered.compare(birth) < 0) {
    v.push(
      src.path(FIELDS.registrationDate),
      'date-order',
      `the birth was registered (${src.spell(registered)}) before it happened (${src.spell(birth)})`,
    );
  }

  const values = [id, name, birth, sex, commune, province, number, registered];
  if (values.includes(undefined)) {
    return undefined;
  }
  const record = {
    citizenId: id,
    fullName: name,
    birthDate: birth,
    sex,
    ethnicity: ethnicity?.value,
    communeCode: commune.code,
    provinceCode: province,
    registrationNumber: number,
    registrationDate: registered,
    fatherName: father?.value,
    motherName: mother?.value,
  };
  batch.admit(record, src, v);
  return v.length === before ? record : undefined;
}

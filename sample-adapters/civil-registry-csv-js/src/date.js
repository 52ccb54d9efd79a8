// Calendar dates and instants, in the two spellings this adapter meets: the registry's
// day-first `dd/mm/yyyy` (with `HH:MM:SS` in Vietnam time for instants) and the standard's
// ISO 8601 / RFC 3339.
//
// Everything here is integer arithmetic on the proleptic Gregorian calendar, not the `Date`
// object: the component has no clock, so nothing in this module knows what "today" is, and
// nothing checks that a date lies in the past.

import { Fault } from './checks.js';

/**
 * Vietnam keeps one offset all year (no daylight saving), so a registry's local timestamps
 * convert to the standard's instants without a time-zone database.
 */
const VIETNAM_OFFSET_SECONDS = 7 * 3600;

const pad = (n, width) => String(n).padStart(width, '0');

/** A real day of the Gregorian calendar, between the years 1 and 9999. */
export class CalendarDate {
  constructor(year, month, day) {
    this.year = year;
    this.month = month;
    this.day = day;
    Object.freeze(this);
  }

  /** The date, if that day exists; otherwise `undefined`. */
  static of(year, month, day) {
    const valid =
      year >= 1 && year <= 9999 && month >= 1 && month <= 12 && day >= 1 &&
      day <= daysInMonth(year, month);
    return valid ? new CalendarDate(year, month, day) : undefined;
  }

  /** Reads the standard's `YYYY-MM-DD`. */
  static parseIso(text) {
    const parts = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(text);
    if (parts === null) {
      throw new Fault('format', `\`${text}\` is not a date written as YYYY-MM-DD`);
    }
    return CalendarDate.of(Number(parts[1]), Number(parts[2]), Number(parts[3])) ?? notADay(text);
  }

  /** Reads the registry's `dd/mm/yyyy`; clerks often drop the leading zeros (`1/2/1990`). */
  static parseLocal(text) {
    const parts = /^([0-9]{1,2})\/([0-9]{1,2})\/([0-9]{4})$/.exec(text);
    if (parts === null) {
      throw new Fault('format', `\`${text}\` is not a date written as dd/mm/yyyy`);
    }
    return CalendarDate.of(Number(parts[3]), Number(parts[2]), Number(parts[1])) ?? notADay(text);
  }

  /** Orders two dates: negative, zero or positive. */
  compare(other) {
    return this.year - other.year || this.month - other.month || this.day - other.day;
  }

  /** The registry's spelling, always with two-digit day and month. */
  local() {
    return `${pad(this.day, 2)}/${pad(this.month, 2)}/${pad(this.year, 4)}`;
  }

  /** The standard's spelling, `YYYY-MM-DD`. */
  toString() {
    return `${pad(this.year, 4)}-${pad(this.month, 2)}-${pad(this.day, 2)}`;
  }

  /** A date is written into a national document in the standard's spelling. */
  toJSON() {
    return this.toString();
  }

  /** Days since 1970-01-01 (negative before it). */
  daysSinceEpoch() {
    // Counting years from 1 March puts the leap day at the end of the year, so that a year's
    // length only matters once the whole year has passed.
    const [y, m] = this.month <= 2 ? [this.year - 1, this.month + 9] : [this.year, this.month - 3];
    const dayOfYear = Math.floor((153 * m + 2) / 5) + this.day - 1;
    return (
      y * 365 + Math.floor(y / 4) - Math.floor(y / 100) + Math.floor(y / 400) + dayOfYear - 719468
    );
  }

  /** The inverse of `daysSinceEpoch`; `undefined` outside the years 1 to 9999. */
  static fromDaysSinceEpoch(days) {
    const shifted = days + 719468;
    const era = Math.floor(shifted / 146097);
    const dayOfEra = shifted - era * 146097;
    const yearOfEra = Math.floor(
      (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) -
        Math.floor(dayOfEra / 146096)) / 365,
    );
    const dayOfYear =
      dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
    const m = Math.floor((5 * dayOfYear + 2) / 153);
    const day = dayOfYear - Math.floor((153 * m + 2) / 5) + 1;
    const month = m < 10 ? m + 3 : m - 9;
    const year = era * 400 + yearOfEra + (month <= 2 ? 1 : 0);
    return CalendarDate.of(year, month, day);
  }
}

/** A moment as a registry's system writes it: a date and a time of day in Vietnam time. */
export class LocalTime {
  constructor(date, secondsOfDay) {
    this.date = date;
    this.secondsOfDay = secondsOfDay;
    Object.freeze(this);
  }

  /** Reads `dd/mm/yyyy HH:MM:SS` (seconds may be left out). */
  static parse(text) {
    const malformed = () =>
      new Fault('format', `\`${text}\` is not a time written as dd/mm/yyyy HH:MM:SS`);
    const space = text.indexOf(' ');
    if (space < 0) {
      throw malformed();
    }
    const date = sameUnlessFormat(() => CalendarDate.parseLocal(text.slice(0, space)), malformed);
    const clock = /^([0-9]{2}):([0-9]{2})(?::([0-9]{2}))?$/.exec(text.slice(space + 1));
    if (clock === null) {
      throw malformed();
    }
    const [h, m, s] = [clock[1], clock[2], clock[3] ?? '00'].map(Number);
    if (h > 23 || m > 59 || s > 59) {
      throw new Fault('date', `\`${text}\` is not a time of day`);
    }
    return new LocalTime(date, h * 3600 + m * 60 + s);
  }

  /**
   * Reads an RFC 3339 instant with any offset and gives the same moment in Vietnam time.
   * Fractions of a second are dropped: the registry's systems keep whole seconds.
   */
  static fromRfc3339(text) {
    const malformed = () =>
      new Fault(
        'format',
        `\`${text}\` is not a date-time written as YYYY-MM-DDTHH:MM:SS with an offset`,
      );
    if (!/^[\x00-\x7f]{19}./su.test(text)) {
      throw malformed();
    }
    const date = sameUnlessFormat(() => CalendarDate.parseIso(text.slice(0, 10)), malformed);
    const clock = /^[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.[0-9]+)?(.*)$/su.exec(text.slice(10));
    if (clock === null) {
      throw malformed();
    }
    const [h, m, s] = [clock[1], clock[2], clock[3]].map(Number);
    const rest = clock[4];
    const offset = rest === 'Z' || rest === 'z' ? 0 : parseOffset(rest);
    if (offset === undefined) {
      throw malformed();
    }
    if (h > 23 || m > 59 || s > 59) {
      throw new Fault('date', `\`${text}\` is not a time of day`);
    }

    const instant = date.daysSinceEpoch() * 86400 + h * 3600 + m * 60 + s - offset;
    const local = instant + VIETNAM_OFFSET_SECONDS;
    const day = Math.floor(local / 86400);
    const localDate = CalendarDate.fromDaysSinceEpoch(day);
    if (localDate === undefined) {
      throw new Fault('date', `\`${text}\` is too far from today`);
    }
    return new LocalTime(localDate, local - day * 86400);
  }

  /** The registry's spelling, `dd/mm/yyyy HH:MM:SS`. */
  local() {
    return `${this.date.local()} ${this.clock()}`;
  }

  /**
   * The standard's spelling, with Vietnam's offset written out rather than converted to UTC,
   * so that a person reading it sees the registry's own time.
   */
  rfc3339() {
    return `${this.date}T${this.clock()}+07:00`;
  }

  toJSON() {
    return this.rfc3339();
  }

  clock() {
    const s = this.secondsOfDay;
    return `${pad(Math.floor(s / 3600), 2)}:${pad(Math.floor(s / 60) % 60, 2)}:${pad(s % 60, 2)}`;
  }
}

/** `+HH:MM` or `-HH:MM` as seconds east of UTC. */
function parseOffset(text) {
  const parts = /^([+-])([0-9]{2}):([0-9]{2})$/.exec(text);
  if (parts === null) {
    return undefined;
  }
  const [h, m] = [Number(parts[2]), Number(parts[3])];
  if (h > 23 || m > 59) {
    return undefined;
  }
  return (parts[1] === '+' ? 1 : -1) * (h * 3600 + m * 60);
}

/** Runs `read`, turning its `format` fault into the caller's own, wider one. */
function sameUnlessFormat(read, malformed) {
  try {
    return read();
  } catch (err) {
    throw err instanceof Fault && err.code === 'format' ? malformed() : err;
  }
}

function daysInMonth(year, month) {
  switch (month) {
    case 4:
    case 6:
    case 9:
    case 11:
      return 30;
    case 2:
      return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
    default:
      return 31;
  }
}

function notADay(text) {
  throw new Fault('date', `\`${text}\` is not a day of the calendar`);
}

/*
 * Calendar dates and instants, in the two spellings this adapter meets: the registry's
 * day-first `dd/mm/yyyy` (with `HH:MM:SS` in Vietnam time for instants) and the standard's
 * ISO 8601 / RFC 3339.
 *
 * Everything here is pure arithmetic on the proleptic Gregorian calendar: the component has
 * no clock, so nothing in this module knows what "today" is, and nothing checks that a date
 * lies in the past.
 */
#ifndef CIVIL_DATE_H
#define CIVIL_DATE_H

#include <stdbool.h>
#include <stdint.h>

#include "text.h"
#include "violations.h"

/* A real day of the Gregorian calendar, between the years 1 and 9999. */
struct date {
    uint32_t year;
    uint32_t month;
    uint32_t day;
};

/* A moment as a registry's system writes it: a date and a time of day in Vietnam time. */
struct local_time {
    struct date date;
    uint32_t seconds_of_day;
};

/* Whether that day exists; fills `out` if it does. */
bool date_new(uint32_t year, uint32_t month, uint32_t day, struct date *out);
/* -1, 0 or 1 as `a` is before, on or after `b`. */
int date_cmp(struct date a, struct date b);

/* Reads the standard's `YYYY-MM-DD`. */
struct fault date_parse_iso(struct arena *arena, struct str text, struct date *out);
/* Reads the registry's `dd/mm/yyyy`; clerks often drop the leading zeros (`1/2/1990`). */
struct fault date_parse_local(struct arena *arena, struct str text, struct date *out);
/* The registry's spelling, always with two-digit day and month. */
void date_write_local(struct buf *out, struct date d);
/* The standard's spelling, `YYYY-MM-DD`. */
void date_write_iso(struct buf *out, struct date d);

/* Reads `dd/mm/yyyy HH:MM:SS` (seconds may be left out). */
struct fault local_time_parse(struct arena *arena, struct str text, struct local_time *out);
/* Reads an RFC 3339 instant with any offset and gives the same moment in Vietnam time.
 * Fractions of a second are dropped: the registry's systems keep whole seconds. */
struct fault local_time_from_rfc3339(struct arena *arena, struct str text,
                                     struct local_time *out);
/* The registry's spelling, `dd/mm/yyyy HH:MM:SS`. */
void local_time_write_local(struct buf *out, struct local_time t);
/* The standard's spelling, with Vietnam's offset written out rather than converted to UTC,
 * so that a person reading it sees the registry's own time. */
void local_time_write_rfc3339(struct buf *out, struct local_time t);

#endif

/*
 * The rules a single value obeys, whichever form it arrives in.
 *
 * Each rule takes the text as it was written and either fills in the value in its canonical
 * form or returns a fault: a stable code and a sentence. Where the value sits (a CSV cell, a
 * JSON pointer) is the caller's business, so that the local and the national readers report
 * the same breach with the same code. Rules that need the administrative catalogues ask the
 * hub through host.h; none of them keeps a copy of a catalogue.
 */
#ifndef CIVIL_CHECKS_H
#define CIVIL_CHECKS_H

#include <stdbool.h>
#include <stdint.h>

#include "date.h"
#include "text.h"
#include "violations.h"

/* Most records one message may carry, in either form. A registry sends a day's work or a
 * backlog, not its whole book; the standards set the same bound. */
#define RECORDS_MAX 1000

/* A value as it arrived, before any rule about its content is applied. */
enum raw_kind {
    /* Not given, or given as blank. */
    RAW_ABSENT,
    /* Given, with surrounding white space already trimmed. */
    RAW_TEXT,
    /* Unreadable (bad encoding, wrong JSON type); a violation has already been recorded, so
     * the value is skipped without a second one. */
    RAW_REPORTED,
};

struct raw {
    enum raw_kind kind;
    struct str text;
};

#define RAW_ABSENT_VALUE ((struct raw){RAW_ABSENT, {NULL, 0}})
#define RAW_REPORTED_VALUE ((struct raw){RAW_REPORTED, {NULL, 0}})

/* Trims `text` and treats a blank value as absent. */
struct raw raw_from_text(struct str text);
bool raw_eq(struct raw a, struct raw b);

/* A rule: reads `text` into `*out` (of the type the rule documents) or says what is wrong. */
typedef struct fault (*rule_fn)(struct arena *arena, struct str text, void *out);

/*
 * A value that must be there, through `rule`. Returns true when it is there and obeys the
 * rule; otherwise records why not at `path` (nothing for an already reported value).
 */
bool required(struct arena *arena, struct raw raw, struct str path, struct violations *v,
              rule_fn rule, void *out);

enum sex {
    SEX_MALE,
    SEX_FEMALE,
};

/* The registry's `Nam` or `Nữ`, in any letter case; out: enum sex. */
struct fault sex_parse_local(struct arena *arena, struct str text, void *out);
/* The standard's `male` or `female`; out: enum sex. */
struct fault sex_parse_national(struct arena *arena, struct str text, void *out);
const char *sex_local(enum sex sex);
const char *sex_national(enum sex sex);

/* A date in either spelling; out: struct date. */
struct fault rule_date_local(struct arena *arena, struct str text, void *out);
struct fault rule_date_iso(struct arena *arena, struct str text, void *out);

/* Twelve digits, the first three being `0` and a province code in force; out: struct str. */
struct fault rule_citizen_id(struct arena *arena, struct str text, void *out);
/* Whether digits 4 to 6 of an identification number agree with the sex and birth year. */
struct fault citizen_id_matches(struct arena *arena, struct str id, enum sex sex,
                                struct date birth);
/* A province code in force; out: struct str. */
struct fault rule_province_code(struct arena *arena, struct str text, void *out);

/* A commune code in force, with the province the catalogue puts it in. */
struct commune {
    struct str code;
    bool has_parent;
    struct str parent;
};

/* out: struct commune. */
struct fault rule_commune_code(struct arena *arena, struct str text, void *out);
/* Whether a commune lies in `province`. */
struct fault commune_in_province(struct arena *arena, const struct commune *commune,
                                 struct str province);

/* Text on one line of at most `max` characters. */
struct fault plain_text(struct arena *arena, struct str text, size_t max);
/* A receipt's reference: letters, digits and `._:/-`, at most 64; out: struct str. */
struct fault rule_receipt_id(struct arena *arena, struct str text, void *out);
/* A count of records from 0 to RECORDS_MAX; out: uint32_t. */
struct fault rule_count(struct arena *arena, struct str text, void *out);

#endif

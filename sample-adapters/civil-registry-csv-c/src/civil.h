/*
 * The adapter of a commune civil registry whose own system speaks CSV, free of the generated
 * bindings so that it can be tested natively.
 *
 * The registry sends batches of birth registrations as a CSV file and answers batches it
 * receives with a CSV receipt; nationally these are the `citizen-record` and
 * `citizen-receipt` standards (see `standards/citizen-record/`). This module only chooses a
 * translation from the message's leg and content type: record.c handles batches (the request
 * leg), receipt.c handles receipts (the reply leg), table.c and doc.c read the two forms, and
 * every rule about a single value lives in checks.c. README.md lists the columns.
 *
 * Every translation reads its whole input and refuses it with every violation it found, so
 * that a clerk can fix a file in one round. Bad bytes, ragged rows and impossible dates
 * become violations, never traps.
 */
#ifndef CIVIL_CIVIL_H
#define CIVIL_CIVIL_H

#include <stdbool.h>

#include "text.h"
#include "translation.h"

/* The registry's content type, and the only one `to_national` reads. */
#define CIVIL_CSV "text/csv; charset=utf-8"
/* The standards' content type, and the only one `to_local` reads. */
#define CIVIL_JSON "application/json"

/* The standards this adapter produces and reads, as `id@version`. */
extern const char *const CIVIL_STANDARDS[2];

/* What the hub says about a message: the standard it names and the leg it is on. */
struct civil_context {
    struct str standard;
    bool reply;
};

/* Local form to national form; the result's body is CIVIL_JSON. */
struct translation civil_to_national(struct arena *arena, struct civil_context cx,
                                     struct str content_type, struct str body);
/* National form to local form; the result's body is CIVIL_CSV. */
struct translation civil_to_local(struct arena *arena, struct civil_context cx,
                                  struct str content_type, struct str body);

#endif

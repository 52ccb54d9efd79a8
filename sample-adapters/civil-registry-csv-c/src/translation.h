/*
 * What a translation gives back, whichever way it goes: a body and the number of records it
 * carries, every violation of a refused input, or why the adapter declines or failed. The
 * four translations themselves live in record.c (batches, the request leg) and receipt.c
 * (receipts, the reply leg).
 */
#ifndef CIVIL_TRANSLATION_H
#define CIVIL_TRANSLATION_H

#include <stddef.h>

#include "text.h"
#include "violations.h"

enum translation_outcome {
    OUTCOME_TRANSLATED,
    OUTCOME_REJECTED,
    OUTCOME_UNSUPPORTED,
    OUTCOME_INTERNAL,
};

struct translation {
    enum translation_outcome outcome;
    /* OUTCOME_TRANSLATED: the new body and how many records it holds. */
    struct str body;
    size_t records;
    /* OUTCOME_REJECTED: every violation, closed. */
    const struct violations *violations;
    /* OUTCOME_UNSUPPORTED and OUTCOME_INTERNAL: a sentence. */
    struct str reason;
};

static inline struct translation translated(struct str body, size_t records)
{
    return (struct translation){.outcome = OUTCOME_TRANSLATED, .body = body, .records = records};
}

/* A refusal listing `v`, which must not be empty. */
static inline struct translation rejected(struct violations *v)
{
    violations_close(v);
    return (struct translation){.outcome = OUTCOME_REJECTED, .violations = v};
}

static inline struct translation failed(enum translation_outcome outcome, struct str reason)
{
    return (struct translation){.outcome = outcome, .reason = reason};
}

/* The citizen-record standard: CSV batch file <-> JSON batch. */
struct translation record_to_national(struct arena *arena, struct str body);
struct translation record_to_local(struct arena *arena, struct str body);
/* The citizen-receipt standard: CSV receipt <-> JSON receipt. */
struct translation receipt_to_national(struct arena *arena, struct str body);
struct translation receipt_to_local(struct arena *arena, struct str body);

#endif

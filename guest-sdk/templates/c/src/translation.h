/*
 * The adapter's own code, free of the generated bindings: what it says about itself, and the
 * two translations. mapping.c turns these into the contract's exports; tests/fixtures.c
 * calls them natively.
 */
#ifndef ADAPTER_TRANSLATION_H
#define ADAPTER_TRANSLATION_H

#include <stdbool.h>
#include <stddef.h>

#include "text.h"
#include "violations.h"

/* The standards this adapter produces and reads, as `id@version`, for describe(). */
extern const char *const ADAPTER_STANDARDS[];
extern const size_t ADAPTER_STANDARD_COUNT;

/* Where a message is in the hub: the standard its national form must satisfy, the service
 * called, and whether it is the reply leg. */
struct context {
    struct str standard;
    struct str service;
    bool reply;
};

enum translation_outcome {
    /* A new message: `content_type` and `body`. */
    OUTCOME_TRANSLATED,
    /* The input is wrong: every violation in `violations`. */
    OUTCOME_REJECTED,
    /* This adapter does not handle such a message: `reason`. */
    OUTCOME_UNSUPPORTED,
    /* A bug of this adapter: `reason`, for the operator. */
    OUTCOME_INTERNAL,
};

struct translation {
    enum translation_outcome outcome;
    const char *content_type;
    struct str body;
    const struct violations *violations;
    struct str reason;
};

static inline struct translation translated(const char *content_type, struct str body)
{
    return (struct translation){
        .outcome = OUTCOME_TRANSLATED, .content_type = content_type, .body = body};
}

/* A refusal listing `v`, which must not be empty. */
static inline struct translation rejected(struct violations *v)
{
    violations_close(v);
    return (struct translation){.outcome = OUTCOME_REJECTED, .violations = v};
}

static inline struct translation unsupported(struct str reason)
{
    return (struct translation){.outcome = OUTCOME_UNSUPPORTED, .reason = reason};
}

static inline struct translation internal_error(struct str reason)
{
    return (struct translation){.outcome = OUTCOME_INTERNAL, .reason = reason};
}

/* The agency's local form to the national form. Everything lives in `arena`. */
struct translation to_national(struct arena *arena, const struct context *cx,
                               struct str content_type, struct str body);
/* The national form to the agency's local form. */
struct translation to_local(struct arena *arena, const struct context *cx,
                            struct str content_type, struct str body);

#endif

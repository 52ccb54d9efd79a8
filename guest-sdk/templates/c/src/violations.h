/*
 * Every reason an input is refused, collected before refusing it, so that the author of the
 * input can fix all of them in one round. Past VIOLATIONS_MAX only a count is kept, and the
 * list ends with one `too-many-violations` entry, as the Rust SDK does: a huge bad input
 * cannot make a huge answer, nor exceed what the hub accepts from an adapter.
 */
#ifndef ADAPTER_VIOLATIONS_H
#define ADAPTER_VIOLATIONS_H

#include <stddef.h>

#include "text.h"

/* Most violations kept; the hub reports no more than this many either. */
#define VIOLATIONS_MAX 100

struct violation {
    struct str path;
    const char *code;
    struct str message;
};

struct violations {
    struct arena *arena;
    /* One more than the cap, for the closing summary. */
    struct violation list[VIOLATIONS_MAX + 1];
    size_t count;
    size_t dropped;
};

void violations_init(struct violations *v, struct arena *arena);
/* Records one violation; `code` must be a string literal, the rest must live in the arena. */
void violations_push(struct violations *v, struct str path, const char *code,
                     struct str message);
/* Appends the `too-many-violations` entry if any were dropped; call once, at the end. */
void violations_close(struct violations *v);

/* A rule broken by one value: a stable code and a sentence. Where the value sits is the
 * caller's business, so that both forms report a breach with the same code. */
struct fault {
    const char *code; /* NULL when no rule was broken */
    struct str message;
};

#define FAULT_NONE ((struct fault){NULL, {NULL, 0}})

static inline struct fault fault(const char *code, struct str message)
{
    return (struct fault){code, message};
}

static inline void violations_push_fault(struct violations *v, struct str path, struct fault f)
{
    violations_push(v, path, f.code, f.message);
}

#endif

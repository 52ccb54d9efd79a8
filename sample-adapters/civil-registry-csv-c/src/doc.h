/*
 * Reading the standards' JSON documents member by member, so that every problem is reported
 * with its JSON pointer instead of stopping at the first one.
 *
 * The hub validates national documents against the standard's schema before they reach
 * `to_local`, so these checks mostly repeat it; they stay because an adapter must never turn
 * a document it does not understand into a wrong local file.
 */
#ifndef CIVIL_DOC_H
#define CIVIL_DOC_H

#include <stdbool.h>
#include <stdint.h>

#include "checks.h"
#include "json.h"
#include "text.h"
#include "violations.h"

/* Parses a body as JSON; on failure records one violation that says where it broke. */
const struct json *doc_parse(struct arena *arena, struct str body, struct violations *v);

/* The pointer to member `key` of the value at `parent`, escaped as RFC 6901 requires. */
struct str json_pointer(struct arena *arena, struct str parent, struct str key);

/* A JSON object and where it sits in the document. */
struct object {
    const struct json *json;
    struct str path;
};

/* The object at `path`, or false after recording that it is something else. */
bool object_at(struct arena *arena, const struct json *value, struct str path,
               struct violations *v, struct object *out);
/* Where member `key` is. */
struct str object_path(struct arena *arena, const struct object *o, const char *key);
/* Records a violation for each member not in `known`: a member the standard does not define
 * would otherwise be dropped without anyone noticing. */
void object_only(struct arena *arena, const struct object *o, const char *const *known,
                 size_t count, struct violations *v);
/* Member `key`, or NULL when missing or null. */
const struct json *object_get(const struct object *o, const char *key);
/* Member `key` as text. */
struct raw object_text(struct arena *arena, const struct object *o, const char *key,
                       struct violations *v);
/* Member `key` as a required whole number from 0 to `max`. */
bool object_count(struct arena *arena, const struct object *o, const char *key, uint32_t max,
                  struct violations *v, uint32_t *out);
/* Checks that member `key` is exactly `expected`, as `standard` and `version` must be. */
void object_constant(struct arena *arena, const struct object *o, const char *key,
                     const char *expected, struct violations *v);

#endif

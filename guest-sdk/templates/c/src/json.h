/*
 * JSON as the standards' documents need it: a strict RFC 8259 reader into a small tree, and
 * the pieces to write compact JSON.
 *
 * The reader follows serde_json, which Rust adapters use, wherever the two could tell
 * apart: objects keep one member per key (the last one written wins) and list their keys in
 * byte order; nesting deeper than 127 levels and numbers too big for a double are errors; a
 * number is a whole count only when written without sign, fraction or exponent.
 */
#ifndef ADAPTER_JSON_H
#define ADAPTER_JSON_H

#include <stdbool.h>
#include <stdint.h>

#include "text.h"

enum json_kind {
    JSON_NULL,
    JSON_BOOL,
    JSON_NUMBER,
    JSON_STRING,
    JSON_ARRAY,
    JSON_OBJECT,
};

struct json_member;

struct json {
    enum json_kind kind;
    bool boolean;
    /* For numbers: whether it is a whole number from 0 to UINT64_MAX, and that number;
     * otherwise its value as a double. */
    bool is_uint;
    uint64_t uint;
    double real;
    /* For strings: the decoded text (valid UTF-8, may hold NUL). */
    struct str string;
    /* For arrays. */
    struct json **items;
    size_t item_count;
    /* For objects, sorted by key, one member per key. */
    struct json_member *members;
    size_t member_count;
};

struct json_member {
    struct str key;
    struct json *value;
};

/*
 * Parses `text` (already known to be UTF-8). Returns NULL and sets `*error` to a sentence on
 * failure.
 */
struct json *json_parse(struct arena *arena, struct str text, struct str *error);

/* Member `key` of an object, or NULL. */
const struct json *json_get(const struct json *object, struct str key);

/* Writes `s` as a JSON string, quotes included, escaped as serde_json escapes. */
void json_write_string(struct buf *out, struct str s);

#endif

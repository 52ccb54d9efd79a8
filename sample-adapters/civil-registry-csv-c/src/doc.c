/*
 * The member-by-member reading of JSON documents declared in doc.h.
 */
#include "doc.h"

const struct json *doc_parse(struct arena *arena, struct str body, struct violations *v)
{
    size_t valid = utf8_valid_up_to(body.ptr, body.len);
    if (valid != body.len) {
        violations_push(v, S("body"), "encoding",
                        fmt(arena, "the body is not valid UTF-8 (bad byte at offset %z)",
                            valid));
        return NULL;
    }
    struct str error;
    const struct json *document = json_parse(arena, body, &error);
    if (document == NULL)
        violations_push(v, S("body"), "json", fmt(arena, "the body is not JSON: %S", error));
    return document;
}

struct str json_pointer(struct arena *arena, struct str parent, struct str key)
{
    struct buf b = buf_new(arena);
    buf_put_str(&b, parent);
    buf_putc(&b, '/');
    for (size_t i = 0; i < key.len; i++) {
        if (key.ptr[i] == '~')
            buf_puts(&b, "~0");
        else if (key.ptr[i] == '/')
            buf_puts(&b, "~1");
        else
            buf_putc(&b, key.ptr[i]);
    }
    buf_cstr(&b);
    return buf_str(&b);
}

bool object_at(struct arena *arena, const struct json *value, struct str path,
               struct violations *v, struct object *out)
{
    (void)arena;
    if (value->kind != JSON_OBJECT) {
        /* A root pointer is empty, which reads badly in a message; the whole body is meant. */
        violations_push(v, path.len == 0 ? S("body") : path, "type",
                        S("expected a JSON object"));
        return false;
    }
    *out = (struct object){value, path};
    return true;
}

struct str object_path(struct arena *arena, const struct object *o, const char *key)
{
    return json_pointer(arena, o->path, str_c(key));
}

void object_only(struct arena *arena, const struct object *o, const char *const *known,
                 size_t count, struct violations *v)
{
    for (size_t i = 0; i < o->json->member_count; i++) {
        struct str key = o->json->members[i].key;
        bool defined = false;
        for (size_t k = 0; k < count && !defined; k++)
            defined = str_eq_c(key, known[k]);
        if (!defined)
            violations_push(v, json_pointer(arena, o->path, key), "unknown-field",
                            fmt(arena, "`%S` is not defined here", key));
    }
}

const struct json *object_get(const struct object *o, const char *key)
{
    const struct json *value = json_get(o->json, str_c(key));
    return value != NULL && value->kind != JSON_NULL ? value : NULL;
}

struct raw object_text(struct arena *arena, const struct object *o, const char *key,
                       struct violations *v)
{
    const struct json *value = object_get(o, key);
    if (value == NULL)
        return RAW_ABSENT_VALUE;
    if (value->kind == JSON_STRING)
        return raw_from_text(value->string);
    violations_push(v, object_path(arena, o, key), "type", S("expected a string"));
    return RAW_REPORTED_VALUE;
}

bool object_count(struct arena *arena, const struct object *o, const char *key, uint32_t max,
                  struct violations *v, uint32_t *out)
{
    const struct json *value = object_get(o, key);
    if (value == NULL) {
        violations_push(v, object_path(arena, o, key), "required",
                        fmt(arena, "`%s` is required", key));
        return false;
    }
    if (value->kind == JSON_NUMBER && value->is_uint && value->uint <= max) {
        *out = (uint32_t)value->uint;
        return true;
    }
    violations_push(v, object_path(arena, o, key), "format",
                    fmt(arena, "expected a whole number from 0 to %u", (unsigned)max));
    return false;
}

void object_constant(struct arena *arena, const struct object *o, const char *key,
                     const char *expected, struct violations *v)
{
    const struct json *value = object_get(o, key);
    if (value == NULL)
        violations_push(v, object_path(arena, o, key), "required",
                        fmt(arena, "`%s` is required", key));
    else if (value->kind != JSON_STRING || !str_eq_c(value->string, expected))
        violations_push(v, object_path(arena, o, key), "standard",
                        fmt(arena, "expected `%s`; this adapter reads no other", expected));
}

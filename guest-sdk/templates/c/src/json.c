/*
 * The JSON reader and writer declared in json.h.
 */
#include "json.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* serde_json refuses the 128th level of nesting. */
#define JSON_MAX_DEPTH 127

struct parser {
    struct arena *arena;
    const char *p;
    const char *end;
    const char *start;
    int depth;
    struct str error;
};

static bool fail(struct parser *ps, const char *what)
{
    if (ps->error.ptr == NULL)
        ps->error = fmt(ps->arena, "%s at byte %z", what, (size_t)(ps->p - ps->start));
    return false;
}

static void skip_space(struct parser *ps)
{
    while (ps->p < ps->end &&
           (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
        ps->p++;
}

static struct json *new_value(struct parser *ps, enum json_kind kind)
{
    struct json *v = arena_alloc(ps->arena, sizeof *v);
    memset(v, 0, sizeof *v);
    v->kind = kind;
    return v;
}

static bool literal(struct parser *ps, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
        return fail(ps, "expected a value");
    ps->p += n;
    return true;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Reads the four hex digits of a `\u` escape. */
static bool hex4(struct parser *ps, uint32_t *out)
{
    if (ps->end - ps->p < 4)
        return fail(ps, "unexpected end of a \\u escape");
    uint32_t n = 0;
    for (int i = 0; i < 4; i++) {
        int d = hex_digit(ps->p[i]);
        if (d < 0)
            return fail(ps, "invalid \\u escape");
        n = n << 4 | (uint32_t)d;
    }
    ps->p += 4;
    *out = n;
    return true;
}

static void put_utf8(struct buf *b, uint32_t c)
{
    char out[4];
    size_t n;
    if (c < 0x80) {
        out[0] = (char)c;
        n = 1;
    } else if (c < 0x800) {
        out[0] = (char)(0xC0 | c >> 6);
        out[1] = (char)(0x80 | (c & 0x3F));
        n = 2;
    } else if (c < 0x10000) {
        out[0] = (char)(0xE0 | c >> 12);
        out[1] = (char)(0x80 | (c >> 6 & 0x3F));
        out[2] = (char)(0x80 | (c & 0x3F));
        n = 3;
    } else {
        out[0] = (char)(0xF0 | c >> 18);
        out[1] = (char)(0x80 | (c >> 12 & 0x3F));
        out[2] = (char)(0x80 | (c >> 6 & 0x3F));
        out[3] = (char)(0x80 | (c & 0x3F));
        n = 4;
    }
    buf_put(b, out, n);
}

/* Reads a string after its opening quote. */
static bool string_body(struct parser *ps, struct str *out)
{
    struct buf b = buf_new(ps->arena);
    for (;;) {
        const char *run = ps->p;
        while (ps->p < ps->end && *ps->p != '"' && *ps->p != '\\' &&
               (unsigned char)*ps->p >= 0x20)
            ps->p++;
        buf_put(&b, run, (size_t)(ps->p - run));
        if (ps->p == ps->end)
            return fail(ps, "unterminated string");
        char c = *ps->p++;
        if (c == '"')
            break;
        if (c != '\\') {
            ps->p--;
            return fail(ps, "control character in a string");
        }
        if (ps->p == ps->end)
            return fail(ps, "unterminated escape");
        char e = *ps->p++;
        switch (e) {
        case '"': buf_putc(&b, '"'); break;
        case '\\': buf_putc(&b, '\\'); break;
        case '/': buf_putc(&b, '/'); break;
        case 'b': buf_putc(&b, '\b'); break;
        case 'f': buf_putc(&b, '\f'); break;
        case 'n': buf_putc(&b, '\n'); break;
        case 'r': buf_putc(&b, '\r'); break;
        case 't': buf_putc(&b, '\t'); break;
        case 'u': {
            uint32_t c1;
            if (!hex4(ps, &c1))
                return false;
            if (c1 >= 0xDC00 && c1 <= 0xDFFF)
                return fail(ps, "lone trailing surrogate in a \\u escape");
            if (c1 >= 0xD800 && c1 <= 0xDBFF) {
                if (ps->end - ps->p < 2 || ps->p[0] != '\\' || ps->p[1] != 'u')
                    return fail(ps, "lone leading surrogate in a \\u escape");
                ps->p += 2;
                uint32_t c2;
                if (!hex4(ps, &c2))
                    return false;
                if (c2 < 0xDC00 || c2 > 0xDFFF)
                    return fail(ps, "lone leading surrogate in a \\u escape");
                c1 = 0x10000 + ((c1 - 0xD800) << 10) + (c2 - 0xDC00);
            }
            put_utf8(&b, c1);
            break;
        }
        default:
            return fail(ps, "invalid escape");
        }
    }
    *out = buf_str(&b);
    if (out->ptr == NULL)
        *out = S("");
    return true;
}

static bool digit(const char *p, const char *end)
{
    return p < end && *p >= '0' && *p <= '9';
}

static bool number(struct parser *ps, struct json *v)
{
    const char *begin = ps->p;
    bool negative = false, whole = true;
    if (*ps->p == '-') {
        negative = true;
        ps->p++;
    }
    if (!digit(ps->p, ps->end))
        return fail(ps, "invalid number");
    if (*ps->p == '0') {
        ps->p++;
        if (digit(ps->p, ps->end))
            return fail(ps, "invalid number");
    } else {
        while (digit(ps->p, ps->end))
            ps->p++;
    }
    if (ps->p < ps->end && *ps->p == '.') {
        whole = false;
        ps->p++;
        if (!digit(ps->p, ps->end))
            return fail(ps, "invalid number");
        while (digit(ps->p, ps->end))
            ps->p++;
    }
    if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
        whole = false;
        ps->p++;
        if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
            ps->p++;
        if (!digit(ps->p, ps->end))
            return fail(ps, "invalid number");
        while (digit(ps->p, ps->end))
            ps->p++;
    }

    size_t len = (size_t)(ps->p - begin);
    if (whole && !negative) {
        /* Whole numbers past UINT64_MAX become doubles, as in serde_json. */
        uint64_t n = 0;
        bool fits = true;
        for (const char *d = begin; d < ps->p; d++) {
            uint64_t digit_value = (uint64_t)(*d - '0');
            if (n > (UINT64_MAX - digit_value) / 10) {
                fits = false;
                break;
            }
            n = n * 10 + digit_value;
        }
        if (fits) {
            v->is_uint = true;
            v->uint = n;
            return true;
        }
    }
    /* Everything else is a double, and one too big for a double is refused. */
    char *copy = str_dup(ps->arena, (struct str){begin, len});
    errno = 0;
    double d = strtod(copy, NULL);
    if (errno == ERANGE && (d > 1.0 || d < -1.0))
        return fail(ps, "number out of range");
    v->real = d;
    return true;
}

static struct json *value(struct parser *ps);

static struct json *array(struct parser *ps)
{
    struct json *v = new_value(ps, JSON_ARRAY);
    size_t cap = 0;
    ps->p++;
    skip_space(ps);
    if (ps->p < ps->end && *ps->p == ']') {
        ps->p++;
        return v;
    }
    for (;;) {
        struct json *item = value(ps);
        if (item == NULL)
            return NULL;
        if (v->item_count == cap) {
            cap = cap == 0 ? 8 : cap * 2;
            struct json **items = arena_alloc(ps->arena, cap * sizeof *items);
            if (v->item_count > 0)
                memcpy(items, v->items, v->item_count * sizeof *items);
            v->items = items;
        }
        v->items[v->item_count++] = item;
        skip_space(ps);
        if (ps->p == ps->end)
            return fail(ps, "unterminated array"), NULL;
        if (*ps->p == ']') {
            ps->p++;
            return v;
        }
        if (*ps->p != ',')
            return fail(ps, "expected `,` or `]`"), NULL;
        ps->p++;
    }
}

/* Puts `member` in its place among the sorted members, replacing one with the same key. */
static void insert_member(struct parser *ps, struct json *object, size_t *cap,
                          struct json_member member)
{
    size_t lo = 0, hi = object->member_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = str_cmp(object->members[mid].key, member.key);
        if (c == 0) {
            object->members[mid].value = member.value;
            return;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (object->member_count == *cap) {
        *cap = *cap == 0 ? 8 : *cap * 2;
        struct json_member *members = arena_alloc(ps->arena, *cap * sizeof *members);
        if (object->member_count > 0)
            memcpy(members, object->members, object->member_count * sizeof *members);
        object->members = members;
    }
    memmove(object->members + lo + 1, object->members + lo,
            (object->member_count - lo) * sizeof *object->members);
    object->members[lo] = member;
    object->member_count++;
}

static struct json *object(struct parser *ps)
{
    struct json *v = new_value(ps, JSON_OBJECT);
    size_t cap = 0;
    ps->p++;
    skip_space(ps);
    if (ps->p < ps->end && *ps->p == '}') {
        ps->p++;
        return v;
    }
    for (;;) {
        skip_space(ps);
        if (ps->p == ps->end || *ps->p != '"')
            return fail(ps, "expected a member name"), NULL;
        ps->p++;
        struct json_member member;
        if (!string_body(ps, &member.key))
            return NULL;
        skip_space(ps);
        if (ps->p == ps->end || *ps->p != ':')
            return fail(ps, "expected `:`"), NULL;
        ps->p++;
        member.value = value(ps);
        if (member.value == NULL)
            return NULL;
        insert_member(ps, v, &cap, member);
        skip_space(ps);
        if (ps->p == ps->end)
            return fail(ps, "unterminated object"), NULL;
        if (*ps->p == '}') {
            ps->p++;
            return v;
        }
        if (*ps->p != ',')
            return fail(ps, "expected `,` or `}`"), NULL;
        ps->p++;
    }
}

static struct json *value(struct parser *ps)
{
    skip_space(ps);
    if (ps->p == ps->end)
        return fail(ps, "unexpected end of input"), NULL;
    struct json *v;
    switch (*ps->p) {
    case '{':
    case '[':
        if (++ps->depth > JSON_MAX_DEPTH)
            return fail(ps, "recursion limit exceeded"), NULL;
        v = *ps->p == '{' ? object(ps) : array(ps);
        ps->depth--;
        return v;
    case '"':
        v = new_value(ps, JSON_STRING);
        ps->p++;
        return string_body(ps, &v->string) ? v : NULL;
    case 't':
    case 'f':
        v = new_value(ps, JSON_BOOL);
        v->boolean = *ps->p == 't';
        return literal(ps, v->boolean ? "true" : "false") ? v : NULL;
    case 'n':
        v = new_value(ps, JSON_NULL);
        return literal(ps, "null") ? v : NULL;
    default:
        if (*ps->p == '-' || (*ps->p >= '0' && *ps->p <= '9')) {
            v = new_value(ps, JSON_NUMBER);
            return number(ps, v) ? v : NULL;
        }
        return fail(ps, "expected a value"), NULL;
    }
}

struct json *json_parse(struct arena *arena, struct str text, struct str *error)
{
    struct parser ps = {
        .arena = arena,
        .p = text.ptr,
        .end = text.ptr + text.len,
        .start = text.ptr,
    };
    struct json *v = value(&ps);
    if (v != NULL) {
        skip_space(&ps);
        if (ps.p != ps.end) {
            fail(&ps, "trailing characters");
            v = NULL;
        }
    }
    if (v == NULL)
        *error = ps.error;
    return v;
}

const struct json *json_get(const struct json *object, struct str key)
{
    size_t lo = 0, hi = object->member_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = str_cmp(object->members[mid].key, key);
        if (c == 0)
            return object->members[mid].value;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

void json_write_string(struct buf *out, struct str s)
{
    static const char hex[] = "0123456789abcdef";
    buf_putc(out, '"');
    for (size_t i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.ptr[i];
        switch (c) {
        case '"': buf_puts(out, "\\\""); break;
        case '\\': buf_puts(out, "\\\\"); break;
        case '\b': buf_puts(out, "\\b"); break;
        case '\f': buf_puts(out, "\\f"); break;
        case '\n': buf_puts(out, "\\n"); break;
        case '\r': buf_puts(out, "\\r"); break;
        case '\t': buf_puts(out, "\\t"); break;
        default:
            if (c < 0x20) {
                char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xF]};
                buf_put(out, esc, sizeof esc);
            } else {
                buf_putc(out, (char)c);
            }
        }
    }
    buf_putc(out, '"');
}

/*
 * {{name}}: an LGSP adapter.
 *
 * It translates one person between the agency's local JSON form
 *
 *     { "ho_ten": "Nguyễn Văn An", "ngay_sinh": "31/01/1990", "ma_tinh": "01" }
 *
 * and the national standard `example-person@1.0` (standard.schema.json), looking the
 * province up in the hub's catalogue. Replace the mapping with your agency's own; keep the
 * shape: read the whole input, collect every violation, refuse with all of them.
 */
#include "translation.h"

#include "host.h"
#include "json.h"

/* The national standard this adapter produces and reads. */
#define STANDARD "example-person@1.0"
/* The media type of both forms. */
#define JSON_TYPE "application/json"

const char *const ADAPTER_STANDARDS[] = {STANDARD};
const size_t ADAPTER_STANDARD_COUNT = 1;

/* The members of the local form. */
static const char *const LOCAL_FIELDS[] = {"ho_ten", "ngay_sinh", "ma_tinh"};

/* The media type without parameters, lowercased and trimmed. */
static struct str media_type(struct arena *arena, struct str content_type)
{
    size_t end = 0;
    while (end < content_type.len && content_type.ptr[end] != ';')
        end++;
    struct str type = trim_unicode((struct str){content_type.ptr, end});
    char *lower = str_dup(arena, type);
    for (size_t i = 0; i < type.len; i++)
        if (lower[i] >= 'A' && lower[i] <= 'Z')
            lower[i] = (char)(lower[i] - 'A' + 'a');
    return (struct str){lower, type.len};
}

/* Declines what this adapter was not written for: another standard, or not JSON. */
static bool supported(struct arena *arena, const struct context *cx, struct str content_type,
                      struct translation *declined)
{
    if (!str_eq_c(cx->standard, STANDARD)) {
        *declined = unsupported(fmt(arena, "this adapter serves %s, not %S", STANDARD,
                                    cx->standard));
        return false;
    }
    if (!str_eq_c(media_type(arena, content_type), JSON_TYPE)) {
        *declined = unsupported(fmt(arena, "this adapter reads %s, not %S", JSON_TYPE,
                                    content_type));
        return false;
    }
    return true;
}

/* The body as a JSON object, or NULL after recording why not. */
static const struct json *read_object(struct arena *arena, struct str body,
                                      struct violations *v)
{
    size_t valid = utf8_valid_up_to(body.ptr, body.len);
    if (valid != body.len) {
        violations_push(v, S("body"), "encoding",
                        fmt(arena, "the body is not UTF-8 (bad byte at offset %z)", valid));
        return NULL;
    }
    struct str error;
    const struct json *value = json_parse(arena, body, &error);
    if (value == NULL) {
        violations_push(v, S("body"), "json", fmt(arena, "the body is not JSON: %S", error));
        return NULL;
    }
    if (value->kind != JSON_OBJECT) {
        violations_push(v, S("body"), "type", S("expected a JSON object"));
        return NULL;
    }
    return value;
}

/* The trimmed text of member `key` of `object`, or false after recording why not. */
static bool required_text(struct arena *arena, const struct json *object, const char *key,
                          struct str path, struct violations *v, struct str *out)
{
    const struct json *value = json_get(object, str_c(key));
    if (value != NULL && value->kind != JSON_NULL && value->kind != JSON_STRING) {
        violations_push(v, path, "type", fmt(arena, "%s must be text", key));
        return false;
    }
    *out = value != NULL && value->kind == JSON_STRING ? trim_unicode(value->string) : S("");
    if (out->len == 0) {
        violations_push(v, path, "required", fmt(arena, "%s is required", key));
        return false;
    }
    return true;
}

/* Records a violation for each member not in `known`. */
static void only(struct arena *arena, const struct json *object, const char *const *known,
                 size_t count, struct violations *v)
{
    for (size_t i = 0; i < object->member_count; i++) {
        struct str key = object->members[i].key;
        bool defined = false;
        for (size_t k = 0; k < count && !defined; k++)
            defined = str_eq_c(key, known[k]);
        if (defined)
            continue;
        /* A JSON pointer escapes `~` and `/` in a member's name. */
        struct buf path = buf_new(arena);
        buf_putc(&path, '/');
        for (size_t c = 0; c < key.len; c++) {
            if (key.ptr[c] == '~')
                buf_puts(&path, "~0");
            else if (key.ptr[c] == '/')
                buf_puts(&path, "~1");
            else
                buf_putc(&path, key.ptr[c]);
        }
        violations_push(v, buf_str(&path), "unknown-field",
                        fmt(arena, "the local form has no member `%S`", key));
    }
}

/* The value of one to `max` ASCII digits. */
static bool number(struct str text, size_t max, uint32_t *out)
{
    if (text.len == 0 || text.len > max || !all_ascii_digits(text))
        return false;
    *out = 0;
    for (size_t i = 0; i < text.len; i++)
        *out = *out * 10 + (uint32_t)(text.ptr[i] - '0');
    return true;
}

static bool real_day(uint32_t year, uint32_t month, uint32_t day)
{
    static const uint32_t days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (year == 0 || month == 0 || month > 12 || day == 0)
        return false;
    bool leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    return day <= days[month - 1] + (month == 2 && leap);
}

/* `31/01/1990` (leading zeros optional) to `1990-01-31`; a fault otherwise. */
static struct fault day_first_to_iso(struct arena *arena, struct str text, struct str *out)
{
    struct str parts[3];
    size_t count = 0, start = 0;
    for (size_t i = 0; i <= text.len && count <= 3; i++) {
        if (i < text.len && text.ptr[i] != '/')
            continue;
        if (count < 3)
            parts[count] = (struct str){text.ptr + start, i - start};
        count++;
        start = i + 1;
    }
    uint32_t day, month, year;
    if (count != 3 || !number(parts[0], 2, &day) || !number(parts[1], 2, &month) ||
        parts[2].len != 4 || !number(parts[2], 4, &year))
        return fault("format", fmt(arena, "`%S` is not a date as dd/mm/yyyy", text));
    if (!real_day(year, month, day))
        return fault("date", fmt(arena, "`%S` is not a day of the calendar", text));
    struct buf iso = buf_new(arena);
    buf_put_padded(&iso, year, 4);
    buf_putc(&iso, '-');
    buf_put_padded(&iso, month, 2);
    buf_putc(&iso, '-');
    buf_put_padded(&iso, day, 2);
    *out = buf_str(&iso);
    return FAULT_NONE;
}

/* `1990-01-31` to `31/01/1990`; false if it is not a day written so. */
static bool iso_to_day_first(struct arena *arena, struct str text, struct str *out)
{
    uint32_t year, month, day;
    if (text.len != 10 || text.ptr[4] != '-' || text.ptr[7] != '-' ||
        !number((struct str){text.ptr, 4}, 4, &year) ||
        !number((struct str){text.ptr + 5, 2}, 2, &month) ||
        !number((struct str){text.ptr + 8, 2}, 2, &day) || !real_day(year, month, day))
        return false;
    struct buf local = buf_new(arena);
    buf_put_padded(&local, day, 2);
    buf_putc(&local, '/');
    buf_put_padded(&local, month, 2);
    buf_putc(&local, '/');
    buf_put_padded(&local, year, 4);
    *out = buf_str(&local);
    return true;
}

struct translation to_national(struct arena *arena, const struct context *cx,
                               struct str content_type, struct str body)
{
    struct translation declined;
    if (!supported(arena, cx, content_type, &declined))
        return declined;
    struct violations *v = arena_alloc(arena, sizeof *v);
    violations_init(v, arena);
    const struct json *local = read_object(arena, body, v);
    if (local == NULL)
        return rejected(v);

    struct str full_name, day, birth_date, code;
    bool has_name = required_text(arena, local, "ho_ten", S("/ho_ten"), v, &full_name);
    bool has_birth = required_text(arena, local, "ngay_sinh", S("/ngay_sinh"), v, &day);
    if (has_birth) {
        struct fault f = day_first_to_iso(arena, day, &birth_date);
        if (f.code != NULL) {
            violations_push_fault(v, S("/ngay_sinh"), f);
            has_birth = false;
        }
    }
    struct catalogue_entry province;
    bool has_province = required_text(arena, local, "ma_tinh", S("/ma_tinh"), v, &code);
    if (has_province && !host_lookup(arena, "provinces", code, &province)) {
        violations_push(v, S("/ma_tinh"), "unknown-province",
                        fmt(arena, "`%S` is not a province code in force", code));
        has_province = false;
    }
    only(arena, local, LOCAL_FIELDS, 3, v);
    if (v->count > 0)
        return rejected(v);
    if (!has_name || !has_birth || !has_province)
        return internal_error(S("a member was missing without a violation"));

    struct buf out = buf_new(arena);
    buf_puts(&out, "{\"standard\":\"example-person\",\"version\":\"1.0\",\"fullName\":");
    json_write_string(&out, full_name);
    buf_puts(&out, ",\"birthDate\":");
    json_write_string(&out, birth_date);
    buf_puts(&out, ",\"province\":{\"code\":");
    json_write_string(&out, province.code);
    buf_puts(&out, ",\"name\":");
    json_write_string(&out, province.name);
    buf_puts(&out, "}}");
    host_log(LOG_DEBUG, "translated one person to the national form", NULL, 0);
    return translated(JSON_TYPE, buf_str(&out));
}

struct translation to_local(struct arena *arena, const struct context *cx,
                            struct str content_type, struct str body)
{
    struct translation declined;
    if (!supported(arena, cx, content_type, &declined))
        return declined;
    struct violations *v = arena_alloc(arena, sizeof *v);
    violations_init(v, arena);
    /* The hub has already checked the national form against the standard; these checks
     * keep a document this code does not understand from becoming a wrong local one. */
    const struct json *national = read_object(arena, body, v);
    if (national == NULL)
        return rejected(v);

    struct str full_name, iso, birth_date = S(""), code = S("");
    required_text(arena, national, "fullName", S("/fullName"), v, &full_name);
    if (required_text(arena, national, "birthDate", S("/birthDate"), v, &iso) &&
        !iso_to_day_first(arena, iso, &birth_date))
        violations_push(v, S("/birthDate"), "format", S("expected a date as yyyy-mm-dd"));
    const struct json *province = json_get(national, S("province"));
    if (province == NULL || province->kind != JSON_OBJECT)
        violations_push(v, S("/province"), "required", S("province is required"));
    else
        required_text(arena, province, "code", S("/province/code"), v, &code);
    if (v->count > 0)
        return rejected(v);

    struct buf out = buf_new(arena);
    buf_puts(&out, "{\"ho_ten\":");
    json_write_string(&out, full_name);
    buf_puts(&out, ",\"ngay_sinh\":");
    json_write_string(&out, birth_date);
    buf_puts(&out, ",\"ma_tinh\":");
    json_write_string(&out, code);
    buf_putc(&out, '}');
    host_log(LOG_DEBUG, "translated one person to the local form", NULL, 0);
    return translated(JSON_TYPE, buf_str(&out));
}

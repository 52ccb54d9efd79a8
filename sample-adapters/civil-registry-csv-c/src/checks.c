/*
 * The rules declared in checks.h.
 */
#include "checks.h"

#include "host.h"

struct raw raw_from_text(struct str text)
{
    struct str trimmed = trim_unicode(text);
    return trimmed.len == 0 ? RAW_ABSENT_VALUE : (struct raw){RAW_TEXT, trimmed};
}

bool raw_eq(struct raw a, struct raw b)
{
    return a.kind == b.kind && (a.kind != RAW_TEXT || str_eq(a.text, b.text));
}

bool required(struct arena *arena, struct raw raw, struct str path, struct violations *v,
              rule_fn rule, void *out)
{
    switch (raw.kind) {
    case RAW_TEXT: {
        struct fault f = rule(arena, raw.text, out);
        if (f.code == NULL)
            return true;
        violations_push_fault(v, path, f);
        return false;
    }
    case RAW_ABSENT:
        violations_push(v, path, "required", S("a value is required here"));
        return false;
    default:
        return false;
    }
}

/* The letters of `Nam` and `Nữ` in lower case; every other code point is left as it is, since
 * no other one lowercases to a letter of those two words. */
static uint32_t lower_letter(uint32_t c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A' + 'a';
    if (c == 0x1EEE) /* Ữ */
        return 0x1EEF;
    if (c == 0x01AF) /* Ư */
        return 0x01B0;
    return c;
}

/* Whether `text`, lowercased, is the code points `word`. */
static bool lower_equals(struct str text, const uint32_t *word, size_t len)
{
    size_t at = 0, i = 0;
    while (at < text.len) {
        if (i == len || lower_letter(utf8_next(text, &at)) != word[i])
            return false;
        i++;
    }
    return i == len;
}

struct fault sex_parse_local(struct arena *arena, struct str text, void *out)
{
    /* Text pasted from some word processors spells `ữ` with combining marks. */
    static const uint32_t nam[] = {'n', 'a', 'm'};
    static const uint32_t nu[] = {'n', 0x1EEF};
    static const uint32_t nu_horn[] = {'n', 0x01B0, 0x0303};
    static const uint32_t nu_marks[] = {'n', 'u', 0x031B, 0x0303};
    enum sex *sex = out;
    if (lower_equals(text, nam, 3)) {
        *sex = SEX_MALE;
        return FAULT_NONE;
    }
    if (lower_equals(text, nu, 2) || lower_equals(text, nu_horn, 3) ||
        lower_equals(text, nu_marks, 4)) {
        *sex = SEX_FEMALE;
        return FAULT_NONE;
    }
    return fault("enum", fmt(arena, "`%S` is neither Nam nor Nữ", text));
}

struct fault sex_parse_national(struct arena *arena, struct str text, void *out)
{
    enum sex *sex = out;
    if (str_eq_c(text, "male")) {
        *sex = SEX_MALE;
        return FAULT_NONE;
    }
    if (str_eq_c(text, "female")) {
        *sex = SEX_FEMALE;
        return FAULT_NONE;
    }
    return fault("enum", fmt(arena, "`%S` is neither male nor female", text));
}

const char *sex_local(enum sex sex)
{
    return sex == SEX_MALE ? "Nam" : "Nữ";
}

const char *sex_national(enum sex sex)
{
    return sex == SEX_MALE ? "male" : "female";
}

struct fault rule_date_local(struct arena *arena, struct str text, void *out)
{
    return date_parse_local(arena, text, out);
}

struct fault rule_date_iso(struct arena *arena, struct str text, void *out)
{
    return date_parse_iso(arena, text, out);
}

static bool digits_of_length(struct str text, size_t len)
{
    return text.len == len && all_ascii_digits(text);
}

struct fault rule_citizen_id(struct arena *arena, struct str text, void *out)
{
    if (!digits_of_length(text, 12))
        return fault("citizen-id",
                     fmt(arena,
                         "`%S` is not a personal identification number: it must be exactly 12 "
                         "digits",
                         text));
    struct catalogue_entry entry;
    struct str province = {text.ptr + 1, 2};
    if (text.ptr[0] != '0' || !host_lookup(arena, "provinces", province, &entry))
        return fault("citizen-id",
                     fmt(arena,
                         "`%S` does not begin with 0 and a province code in force (%S is not "
                         "one)",
                         text, (struct str){text.ptr, 3}));
    *(struct str *)out = text;
    return FAULT_NONE;
}

struct fault citizen_id_matches(struct arena *arena, struct str id, enum sex sex,
                                struct date birth)
{
    uint32_t century = birth.year / 100;
    if (century >= 19 && century <= 23) {
        uint32_t digit = (century - 19) * 2 + (sex == SEX_FEMALE);
        struct buf expected = buf_new(arena);
        buf_put_uint(&expected, digit);
        buf_put_padded(&expected, birth.year % 100, 2);
        if (id.len >= 6 && str_eq((struct str){id.ptr + 3, 3}, buf_str(&expected)))
            return FAULT_NONE;
        return fault("citizen-id-mismatch",
                     fmt(arena,
                         "`%S` does not match the sex and birth year of the record (digits 4 "
                         "to 6 should be %S)",
                         id, buf_str(&expected)));
    }
    return fault("citizen-id-mismatch",
                 fmt(arena,
                     "`%S` does not match the sex and birth year of the record (digits 4 to 6 "
                     "should be impossible for a birth before 1900)",
                     id));
}

struct fault rule_province_code(struct arena *arena, struct str text, void *out)
{
    if (!digits_of_length(text, 2))
        return fault("format", fmt(arena, "`%S` is not a province code: it must be 2 digits",
                                   text));
    struct catalogue_entry entry;
    if (!host_lookup(arena, "provinces", text, &entry))
        return fault("unknown-province", fmt(arena, "`%S` is not a province code in force",
                                             text));
    *(struct str *)out = text;
    return FAULT_NONE;
}

struct fault rule_commune_code(struct arena *arena, struct str text, void *out)
{
    if (!digits_of_length(text, 5))
        return fault("format", fmt(arena, "`%S` is not a commune code: it must be 5 digits",
                                   text));
    struct catalogue_entry entry;
    if (!host_lookup(arena, "communes", text, &entry))
        return fault("unknown-commune", fmt(arena, "`%S` is not a commune code in force",
                                            text));
    *(struct commune *)out = (struct commune){text, entry.has_parent, entry.parent};
    return FAULT_NONE;
}

struct fault commune_in_province(struct arena *arena, const struct commune *commune,
                                 struct str province)
{
    if (commune->has_parent && str_eq(commune->parent, province))
        return FAULT_NONE;
    return fault("commune-province-mismatch",
                 fmt(arena, "commune %S belongs to province %S, not %S", commune->code,
                     commune->has_parent ? commune->parent : S("(none)"), province));
}

struct fault plain_text(struct arena *arena, struct str text, size_t max)
{
    /* Line breaks and other control characters have no place in a name or a register
     * number, and would break the registry's fixed forms. */
    size_t at = 0;
    while (at < text.len)
        if (is_control(utf8_next(text, &at)))
            return fault("format",
                          S("the text contains a line break or another control character"));
    size_t len = utf8_count(text);
    if (len > max)
        return fault("format", fmt(arena,
                                   "the text is %z characters long; at most %z are allowed",
                                   len, max));
    return FAULT_NONE;
}

static bool ascii_alphanumeric(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

struct fault rule_receipt_id(struct arena *arena, struct str text, void *out)
{
    /* So that the reference survives being quoted in a file name or a URL. */
    bool valid = text.len <= 64 && text.len > 0 && ascii_alphanumeric(text.ptr[0]);
    for (size_t i = 0; valid && i < text.len; i++) {
        char c = text.ptr[i];
        valid = ascii_alphanumeric(c) || c == '.' || c == '-' || c == '_' || c == ':' ||
                c == '/';
    }
    if (!valid)
        return fault("format",
                     fmt(arena,
                         "`%S` is not a receipt reference (letters, digits and ._:/- only, at "
                         "most 64)",
                         text));
    *(struct str *)out = text;
    return FAULT_NONE;
}

struct fault rule_count(struct arena *arena, struct str text, void *out)
{
    uint32_t n = 0;
    bool valid = text.len >= 1 && text.len <= 4 && all_ascii_digits(text);
    for (size_t i = 0; valid && i < text.len; i++)
        n = n * 10 + (uint32_t)(text.ptr[i] - '0');
    if (!valid || n > RECORDS_MAX)
        return fault("format", fmt(arena, "`%S` is not a count of records from 0 to %u",
                                   text, (unsigned)RECORDS_MAX));
    *(uint32_t *)out = n;
    return FAULT_NONE;
}

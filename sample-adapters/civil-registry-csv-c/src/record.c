/*
 * Batches of birth registrations: the registry's CSV file and the `citizen-record` standard,
 * and the translation between them in both directions.
 *
 * Both readers feed the same read_record, so a rule is written once and breaks with the same
 * code whichever side wrote the value; only the spelling of dates and of the sex differs
 * between the forms. A batch comes from one registry: the CSV file has no place for the
 * registry, so it is the commune of its records, which must therefore all agree.
 */
#include <string.h>

#include "checks.h"
#include "doc.h"
#include "json.h"
#include "table.h"
#include "translation.h"

static const char STANDARD[] = "citizen-record";
static const char VERSION[] = "1.0";

/* Longest name, ethnic group and register number, as in the schema. */
#define NAME_MAX 100
#define ETHNICITY_MAX 50
#define NUMBER_MAX 30

/* One value of a record, named in both forms. */
enum field {
    CITIZEN_ID,
    FULL_NAME,
    BIRTH_DATE,
    SEX,
    ETHNICITY,
    COMMUNE_CODE,
    PROVINCE_CODE,
    REGISTRATION_NUMBER,
    REGISTRATION_DATE,
    FATHER_NAME,
    MOTHER_NAME,
    FIELD_COUNT,
};

/* The registry's columns, in the order of `enum field`, which is the order they are
 * written. */
static const char *const COLUMN_NAMES[FIELD_COUNT] = {
    "so_dinh_danh", "ho_ten",     "ngay_sinh",    "gioi_tinh",  "dan_toc",  "ma_xa",
    "ma_tinh",      "so_dang_ky", "ngay_dang_ky", "ho_ten_cha", "ho_ten_me",
};

static const char *const REQUIRED_COLUMNS[] = {
    "so_dinh_danh", "ho_ten", "ngay_sinh", "gioi_tinh", "ma_xa", "ma_tinh", "so_dang_ky",
    "ngay_dang_ky",
};

static const struct columns COLUMNS = {
    COLUMN_NAMES,
    FIELD_COUNT,
    REQUIRED_COLUMNS,
    sizeof REQUIRED_COLUMNS / sizeof *REQUIRED_COLUMNS,
};

/* The JSON member of each field; the last two of the registry's sit in `registration`. */
static const char *const MEMBER_NAMES[FIELD_COUNT] = {
    "citizenId",   "fullName",     "birthDate", "sex",  "ethnicity",  "communeCode",
    "provinceCode", "number",      "date",      "fatherName", "motherName",
};

static bool in_registration(enum field f)
{
    return f == REGISTRATION_NUMBER || f == REGISTRATION_DATE;
}

/* The members of a record, and of its registration, that the standard defines. */
static const char *const RECORD_MEMBERS[] = {
    "citizenId",   "fullName",     "birthDate",    "sex",        "ethnicity",
    "communeCode", "provinceCode", "registration", "fatherName", "motherName",
};
static const char *const REGISTRATION_MEMBERS[] = {"number", "date"};

/* One birth registration, every value checked. */
struct birth_record {
    struct str citizen_id;
    struct str full_name;
    struct date birth_date;
    enum sex sex;
    bool has_ethnicity;
    struct str ethnicity;
    struct str commune_code;
    struct str province_code;
    struct str registration_number;
    struct date registration_date;
    bool has_father_name;
    struct str father_name;
    bool has_mother_name;
    struct str mother_name;
};

/* The commune civil registry that registered a batch. */
struct registry {
    struct str commune_code;
    struct str province_code;
};

/* Where one record's values come from: a data row of the registry's file or a member of a
 * national document's `records`. */
struct source {
    bool csv;
    /* CSV */
    const struct table *table;
    const struct row *row;
    /* JSON; `has_registration` is false once a missing or malformed one has been reported. */
    struct object record;
    bool has_registration;
    struct object registration;
};

/* The value of `field` as written. */
static struct raw source_raw(struct arena *arena, const struct source *src, enum field field,
                             struct violations *v)
{
    if (src->csv)
        return table_cell(src->table, src->row, COLUMN_NAMES[field]);
    if (!in_registration(field))
        return object_text(arena, &src->record, MEMBER_NAMES[field], v);
    if (!src->has_registration)
        return RAW_REPORTED_VALUE;
    return object_text(arena, &src->registration, MEMBER_NAMES[field], v);
}

/* Where `field` is, for a violation. */
static struct str source_path(struct arena *arena, const struct source *src, enum field field)
{
    if (src->csv)
        return table_path(arena, src->row->line, COLUMN_NAMES[field]);
    if (!in_registration(field))
        return object_path(arena, &src->record, MEMBER_NAMES[field]);
    return json_pointer(arena, object_path(arena, &src->record, "registration"),
                        str_c(MEMBER_NAMES[field]));
}

/* A date written in this form's spelling, for a message. */
static struct str source_spell(struct arena *arena, const struct source *src, struct date d)
{
    struct buf b = buf_new(arena);
    if (src->csv)
        date_write_local(&b, d);
    else
        date_write_iso(&b, d);
    buf_cstr(&b);
    return buf_str(&b);
}

/* The rules for text of a given length, in the shape `required` takes. */
static struct fault rule_name(struct arena *arena, struct str text, void *out)
{
    *(struct str *)out = text;
    return plain_text(arena, text, NAME_MAX);
}

static struct fault rule_number(struct arena *arena, struct str text, void *out)
{
    *(struct str *)out = text;
    return plain_text(arena, text, NUMBER_MAX);
}

/* The value of `field` through `rule`, which must be there. */
static bool need(struct arena *arena, const struct source *src, enum field field,
                 struct violations *v, rule_fn rule, void *out)
{
    struct raw raw = source_raw(arena, src, field, v);
    return required(arena, raw, source_path(arena, src, field), v, rule, out);
}

/* An optional line of text. Returns false when present but wrong; `*present` says whether it
 * was given. */
static bool optional(struct arena *arena, const struct source *src, enum field field,
                     size_t max, struct violations *v, bool *present, struct str *out)
{
    *present = false;
    struct raw raw = source_raw(arena, src, field, v);
    if (raw.kind == RAW_ABSENT)
        return true;
    if (raw.kind == RAW_REPORTED)
        return false;
    struct fault f = plain_text(arena, raw.text, max);
    if (f.code != NULL) {
        violations_push_fault(v, source_path(arena, src, field), f);
        return false;
    }
    *present = true;
    *out = raw.text;
    return true;
}

/* The rules that span records: one registry per batch, each person once. */
struct batch_rules {
    /* The registry every record must name: given by a national document, taken from the
     * first record of a CSV file. */
    bool has_registry;
    struct registry registry;
    /* Whether the registry came from the document rather than from a record. */
    bool registry_given;
    /* Each identification number seen, and where it was first seen. */
    struct str *seen_ids;
    struct str *seen_paths;
    size_t seen_count;
};

static void admit(struct arena *arena, struct batch_rules *batch, const struct birth_record *r,
                  const struct source *src, struct violations *v)
{
    struct str id_path = source_path(arena, src, CITIZEN_ID);
    size_t i = 0;
    while (i < batch->seen_count && !str_eq(batch->seen_ids[i], r->citizen_id))
        i++;
    if (i < batch->seen_count) {
        violations_push(v, id_path, "duplicate",
                        fmt(arena, "`%S` already appears at %S", r->citizen_id,
                            batch->seen_paths[i]));
    } else {
        batch->seen_ids[batch->seen_count] = r->citizen_id;
        batch->seen_paths[batch->seen_count] = id_path;
        batch->seen_count++;
    }

    if (!batch->has_registry) {
        batch->has_registry = true;
        batch->registry = (struct registry){r->commune_code, r->province_code};
    }
    if (!str_eq(batch->registry.commune_code, r->commune_code)) {
        const char *origin = batch->registry_given ? "the batch's registry" : "the first record";
        violations_push(v, source_path(arena, src, COMMUNE_CODE), "mixed-registry",
                        fmt(arena,
                            "every record of a batch must be registered by one commune: %s "
                            "names %S",
                            origin, batch->registry.commune_code));
    }
}

/* Reads and checks one record, recording every violation; false if it has any. */
static bool read_record(struct arena *arena, const struct source *src,
                        struct batch_rules *batch, struct violations *v,
                        struct birth_record *out)
{
    size_t before = v->count;
    rule_fn date_rule = src->csv ? rule_date_local : rule_date_iso;
    rule_fn sex_rule = src->csv ? sex_parse_local : sex_parse_national;
    struct birth_record r;
    memset(&r, 0, sizeof r);
    struct commune commune;

    bool id = need(arena, src, CITIZEN_ID, v, rule_citizen_id, &r.citizen_id);
    bool name = need(arena, src, FULL_NAME, v, rule_name, &r.full_name);
    bool birth = need(arena, src, BIRTH_DATE, v, date_rule, &r.birth_date);
    bool sex = need(arena, src, SEX, v, sex_rule, &r.sex);
    optional(arena, src, ETHNICITY, ETHNICITY_MAX, v, &r.has_ethnicity, &r.ethnicity);
    bool commune_ok = need(arena, src, COMMUNE_CODE, v, rule_commune_code, &commune);
    bool province = need(arena, src, PROVINCE_CODE, v, rule_province_code, &r.province_code);
    bool number = need(arena, src, REGISTRATION_NUMBER, v, rule_number, &r.registration_number);
    bool registered = need(arena, src, REGISTRATION_DATE, v, date_rule, &r.registration_date);
    optional(arena, src, FATHER_NAME, NAME_MAX, v, &r.has_father_name, &r.father_name);
    optional(arena, src, MOTHER_NAME, NAME_MAX, v, &r.has_mother_name, &r.mother_name);

    /* Rules between values, once each value is known to be good on its own. */
    if (commune_ok && province) {
        struct fault f = commune_in_province(arena, &commune, r.province_code);
        if (f.code != NULL)
            violations_push_fault(v, source_path(arena, src, COMMUNE_CODE), f);
    }
    if (id && sex && birth) {
        struct fault f = citizen_id_matches(arena, r.citizen_id, r.sex, r.birth_date);
        if (f.code != NULL)
            violations_push_fault(v, source_path(arena, src, CITIZEN_ID), f);
    }
    if (birth && registered && date_cmp(r.registration_date, r.birth_date) < 0)
        violations_push(v, source_path(arena, src, REGISTRATION_DATE), "date-order",
                        fmt(arena, "the birth was registered (%S) before it happened (%S)",
                            source_spell(arena, src, r.registration_date),
                            source_spell(arena, src, r.birth_date)));

    if (!(id && name && birth && sex && commune_ok && province && number && registered))
        return false;
    r.commune_code = commune.code;
    admit(arena, batch, &r, src, v);
    *out = r;
    return v->count == before;
}

/* The records read so far, at most RECORDS_MAX. */
struct record_list {
    struct birth_record *items;
    size_t count;
};

static struct batch_rules batch_rules(struct arena *arena, const struct registry *given)
{
    struct batch_rules batch;
    memset(&batch, 0, sizeof batch);
    if (given != NULL) {
        batch.has_registry = true;
        batch.registry_given = true;
        batch.registry = *given;
    }
    batch.seen_ids = arena_alloc(arena, RECORDS_MAX * sizeof *batch.seen_ids);
    batch.seen_paths = arena_alloc(arena, RECORDS_MAX * sizeof *batch.seen_paths);
    return batch;
}

static void write_optional(struct buf *out, const char *member, bool present, struct str text)
{
    if (!present)
        return;
    buf_puts(out, ",\"");
    buf_puts(out, member);
    buf_puts(out, "\":");
    json_write_string(out, text);
}

static void write_date_member(struct buf *out, struct date d)
{
    buf_putc(out, '"');
    date_write_iso(out, d);
    buf_putc(out, '"');
}

/* A batch in the standard's shape, members in the order the Rust adapter writes them. */
static struct str write_batch(struct arena *arena, const struct registry *registry,
                              const struct record_list *records)
{
    struct buf out = buf_new(arena);
    buf_puts(&out, "{\"standard\":\"citizen-record\",\"version\":\"1.0\",\"registry\":{");
    buf_puts(&out, "\"communeCode\":");
    json_write_string(&out, registry->commune_code);
    buf_puts(&out, ",\"provinceCode\":");
    json_write_string(&out, registry->province_code);
    buf_puts(&out, "},\"records\":[");
    for (size_t i = 0; i < records->count; i++) {
        const struct birth_record *r = &records->items[i];
        if (i > 0)
            buf_putc(&out, ',');
        buf_puts(&out, "{\"citizenId\":");
        json_write_string(&out, r->citizen_id);
        buf_puts(&out, ",\"fullName\":");
        json_write_string(&out, r->full_name);
        buf_puts(&out, ",\"birthDate\":");
        write_date_member(&out, r->birth_date);
        buf_puts(&out, ",\"sex\":\"");
        buf_puts(&out, sex_national(r->sex));
        buf_putc(&out, '"');
        write_optional(&out, "ethnicity", r->has_ethnicity, r->ethnicity);
        buf_puts(&out, ",\"communeCode\":");
        json_write_string(&out, r->commune_code);
        buf_puts(&out, ",\"provinceCode\":");
        json_write_string(&out, r->province_code);
        buf_puts(&out, ",\"registration\":{\"number\":");
        json_write_string(&out, r->registration_number);
        buf_puts(&out, ",\"date\":");
        write_date_member(&out, r->registration_date);
        buf_putc(&out, '}');
        write_optional(&out, "fatherName", r->has_father_name, r->father_name);
        write_optional(&out, "motherName", r->has_mother_name, r->mother_name);
        buf_putc(&out, '}');
    }
    buf_puts(&out, "]}");
    return buf_str(&out);
}

static struct str date_local(struct arena *arena, struct date d)
{
    struct buf b = buf_new(arena);
    date_write_local(&b, d);
    return buf_str(&b);
}

/* The records as the registry's file: every column, in order, with CRLF line ends. */
static struct str write_file(struct arena *arena, const struct record_list *records)
{
    struct buf out = buf_new(arena);
    table_write_header(&out, &COLUMNS);
    for (size_t i = 0; i < records->count; i++) {
        const struct birth_record *r = &records->items[i];
        struct str cells[FIELD_COUNT] = {
            [CITIZEN_ID] = r->citizen_id,
            [FULL_NAME] = r->full_name,
            [BIRTH_DATE] = date_local(arena, r->birth_date),
            [SEX] = str_c(sex_local(r->sex)),
            [ETHNICITY] = r->has_ethnicity ? r->ethnicity : S(""),
            [COMMUNE_CODE] = r->commune_code,
            [PROVINCE_CODE] = r->province_code,
            [REGISTRATION_NUMBER] = r->registration_number,
            [REGISTRATION_DATE] = date_local(arena, r->registration_date),
            [FATHER_NAME] = r->has_father_name ? r->father_name : S(""),
            [MOTHER_NAME] = r->has_mother_name ? r->mother_name : S(""),
        };
        csv_write_record(&out, cells, FIELD_COUNT);
    }
    return buf_str(&out);
}

struct translation record_to_national(struct arena *arena, struct str body)
{
    struct violations *v = arena_alloc(arena, sizeof *v);
    violations_init(v, arena);
    struct batch_rules batch = batch_rules(arena, NULL);
    struct record_list records = {arena_alloc(arena, RECORDS_MAX * sizeof *records.items), 0};

    struct table table;
    if (table_read(&table, arena, body, &COLUMNS, v)) {
        for (size_t i = 0; i < table.row_count; i++) {
            struct row row;
            if (!table_row(&table, i, v, &row))
                continue;
            struct source src = {.csv = true, .table = &table, .row = &row};
            if (read_record(arena, &src, &batch, v, &records.items[records.count]))
                records.count++;
        }
    }
    if (v->count > 0)
        return rejected(v);
    if (!batch.has_registry)
        return failed(OUTCOME_INTERNAL, S("a batch without violations had no registry"));
    return translated(write_batch(arena, &batch.registry, &records), records.count);
}

/* The national document's `registry`, if it is usable. */
static bool read_registry(struct arena *arena, const struct object *root, struct violations *v,
                          struct registry *out)
{
    const struct json *value = object_get(root, "registry");
    struct str path = object_path(arena, root, "registry");
    if (value == NULL) {
        violations_push(v, path, "required", S("a batch needs `registry`"));
        return false;
    }
    struct object registry;
    if (!object_at(arena, value, path, v, &registry))
        return false;
    static const char *const members[] = {"communeCode", "provinceCode"};
    object_only(arena, &registry, members, 2, v);

    struct commune commune;
    struct str province;
    bool commune_ok = required(arena, object_text(arena, &registry, "communeCode", v),
                               object_path(arena, &registry, "communeCode"), v,
                               rule_commune_code, &commune);
    bool province_ok = required(arena, object_text(arena, &registry, "provinceCode", v),
                                object_path(arena, &registry, "provinceCode"), v,
                                rule_province_code, &province);
    if (!commune_ok || !province_ok)
        return false;
    struct fault f = commune_in_province(arena, &commune, province);
    if (f.code != NULL) {
        violations_push_fault(v, object_path(arena, &registry, "communeCode"), f);
        return false;
    }
    *out = (struct registry){commune.code, province};
    return true;
}

/* One member of a national document's `records`; false if it is not an object. */
static bool json_source(struct arena *arena, const struct json *value, struct str path,
                        struct violations *v, struct source *out)
{
    memset(out, 0, sizeof *out);
    if (!object_at(arena, value, path, v, &out->record))
        return false;
    object_only(arena, &out->record, RECORD_MEMBERS,
                sizeof RECORD_MEMBERS / sizeof *RECORD_MEMBERS, v);
    const struct json *registration = object_get(&out->record, "registration");
    struct str registration_path = object_path(arena, &out->record, "registration");
    if (registration == NULL) {
        violations_push(v, registration_path, "required",
                        S("a record needs `registration` with its number and date"));
    } else if (object_at(arena, registration, registration_path, v, &out->registration)) {
        out->has_registration = true;
        object_only(arena, &out->registration, REGISTRATION_MEMBERS, 2, v);
    }
    return true;
}

struct translation record_to_local(struct arena *arena, struct str body)
{
    struct violations *v = arena_alloc(arena, sizeof *v);
    violations_init(v, arena);
    const struct json *document = doc_parse(arena, body, v);
    struct object root;
    if (document == NULL || !object_at(arena, document, S(""), v, &root))
        return rejected(v);
    static const char *const members[] = {"standard", "version", "registry", "records"};
    object_only(arena, &root, members, 4, v);
    object_constant(arena, &root, "standard", STANDARD, v);
    object_constant(arena, &root, "version", VERSION, v);

    struct registry registry;
    bool has_registry = read_registry(arena, &root, v, &registry);
    struct batch_rules batch = batch_rules(arena, has_registry ? &registry : NULL);
    struct record_list records = {arena_alloc(arena, RECORDS_MAX * sizeof *records.items), 0};

    const struct json *items = object_get(&root, "records");
    struct str path = object_path(arena, &root, "records");
    if (items == NULL) {
        violations_push(v, path, "required", S("a batch needs `records`"));
    } else if (items->kind != JSON_ARRAY) {
        violations_push(v, path, "type", S("expected an array of records"));
    } else if (items->item_count == 0) {
        violations_push(v, path, "required", S("a batch needs at least one record"));
    } else if (items->item_count > RECORDS_MAX) {
        violations_push(v, path, "too-many",
                        fmt(arena, "a batch holds at most %u records; this one has %z",
                            (unsigned)RECORDS_MAX, items->item_count));
    } else {
        for (size_t i = 0; i < items->item_count; i++) {
            struct source src;
            struct str item_path = fmt(arena, "/records/%z", i);
            if (json_source(arena, items->items[i], item_path, v, &src) &&
                read_record(arena, &src, &batch, v, &records.items[records.count]))
                records.count++;
        }
    }
    if (v->count > 0)
        return rejected(v);
    return translated(write_file(arena, &records), records.count);
}

/*
 * The native stand-in for the hub declared in mock_host.h. The catalogue file is a list of
 * provinces, each with `Code`, `FullName` and its `Wards` (the communes), as the hub reads it.
 */
#include "mock_host.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"
#include "json.h"

static struct arena catalogue_arena;
static const struct json *provinces;
static size_t lookups;
static char last_log[128];
static char last_count[32];

bool mock_host_load(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        perror(path);
        return false;
    }
    struct buf text = buf_new(&catalogue_arena);
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_put(&text, chunk, n);
    fclose(f);
    struct str error;
    provinces = json_parse(&catalogue_arena, buf_str(&text), &error);
    if (provinces == NULL || provinces->kind != JSON_ARRAY) {
        fprintf(stderr, "%s: not a list of provinces\n", path);
        return false;
    }
    return true;
}

size_t mock_host_take_lookups(void)
{
    size_t n = lookups;
    lookups = 0;
    return n;
}

const char *mock_host_last_log(void)
{
    return last_log;
}

const char *mock_host_last_count(void)
{
    return last_count;
}

static struct str member(const struct json *object, const char *key)
{
    const struct json *v = json_get(object, str_c(key));
    return v != NULL && v->kind == JSON_STRING ? v->string : S("");
}

bool host_lookup(struct arena *arena, const char *catalogue, struct str code,
                 struct catalogue_entry *out)
{
    lookups++;
    bool communes = strcmp(catalogue, "communes") == 0;
    if (!communes && strcmp(catalogue, "provinces") != 0)
        return false;
    for (size_t p = 0; p < provinces->item_count; p++) {
        const struct json *province = provinces->items[p];
        struct str province_code = member(province, "Code");
        if (!communes) {
            if (!str_eq(province_code, code))
                continue;
            *out = (struct catalogue_entry){province_code, member(province, "FullName"), false,
                                            S("")};
            return true;
        }
        const struct json *wards = json_get(province, S("Wards"));
        for (size_t w = 0; wards != NULL && w < wards->item_count; w++) {
            if (!str_eq(member(wards->items[w], "Code"), code))
                continue;
            *out = (struct catalogue_entry){code, member(wards->items[w], "FullName"), true,
                                            province_code};
            return true;
        }
    }
    (void)arena;
    return false;
}

void host_log(enum log_level level, const char *message, const struct log_field *fields,
              size_t count)
{
    (void)level;
    snprintf(last_log, sizeof last_log, "%s", message);
    last_count[0] = '\0';
    for (size_t i = 0; i < count; i++)
        if (strcmp(fields[i].key, "records") == 0 || strcmp(fields[i].key, "violations") == 0)
            snprintf(last_count, sizeof last_count, "%s", fields[i].value);
}

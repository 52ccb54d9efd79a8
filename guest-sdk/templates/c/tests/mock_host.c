/*
 * host.h for native tests: a stand-in hub with a few catalogue entries of its own, and a log
 * that only counts lines. Add the entries your fixtures name; `lgsp adapter test` and the hub
 * use the real catalogue.
 */
#include <string.h>

#include "host.h"

struct entry {
    const char *catalogue;
    const char *code;
    const char *name;
    const char *parent; /* NULL for none */
};

static const struct entry ENTRIES[] = {
    {"provinces", "01", "Thành phố Hà Nội", NULL},
    {"provinces", "79", "Thành phố Hồ Chí Minh", NULL},
    {"communes", "00004", "Phường Ba Đình", "01"},
};

/* How many lines the adapter logged; tests/fixtures.c reads it. */
size_t mock_host_log_lines;

bool host_lookup(struct arena *arena, const char *catalogue, struct str code,
                 struct catalogue_entry *out)
{
    (void)arena;
    for (size_t i = 0; i < sizeof ENTRIES / sizeof *ENTRIES; i++) {
        const struct entry *e = &ENTRIES[i];
        if (strcmp(e->catalogue, catalogue) != 0 || !str_eq_c(code, e->code))
            continue;
        *out = (struct catalogue_entry){str_c(e->code), str_c(e->name), e->parent != NULL,
                                        e->parent != NULL ? str_c(e->parent) : S("")};
        return true;
    }
    return false;
}

void host_log(enum log_level level, const char *message, const struct log_field *fields,
              size_t count)
{
    (void)level;
    (void)message;
    (void)fields;
    (void)count;
    mock_host_log_lines++;
}

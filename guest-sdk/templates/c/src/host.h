/*
 * What the adapter can ask of the hub: look a code up in a catalogue, and write a line into
 * the hub's log. The rest of the adapter reaches the hub only through these two functions,
 * so that the same code runs inside the component (host_wasm.c, over the generated bindings)
 * and natively under test (tests/mock_host.c, with the catalogue entries the tests need).
 */
#ifndef ADAPTER_HOST_H
#define ADAPTER_HOST_H

#include <stdbool.h>
#include <stddef.h>

#include "text.h"

/* One entry of a catalogue, copied into the caller's arena. */
struct catalogue_entry {
    struct str code;
    struct str name;
    bool has_parent;
    struct str parent;
};

/* Finds `code` in the catalogue named `catalogue` (`provinces` or `communes`). */
bool host_lookup(struct arena *arena, const char *catalogue, struct str code,
                 struct catalogue_entry *out);

enum log_level {
    LOG_TRACE,
    LOG_DEBUG,
    LOG_INFO,
    LOG_WARN,
    LOG_ERROR,
};

struct log_field {
    const char *key;
    const char *value;
};

/* Writes one structured line into the hub's log. Never pass message contents. */
void host_log(enum log_level level, const char *message, const struct log_field *fields,
              size_t count);

#endif

/*
 * host.h inside the component: the contract's `catalogue` and `log` imports, reached through
 * the generated bindings (`adapter.h`).
 */
#include <stdlib.h>
#include <string.h>

#include "adapter.h"
#include "host.h"

static adapter_string_t borrowed(struct str s)
{
    return (adapter_string_t){(uint8_t *)s.ptr, s.len};
}

static struct str copied(struct arena *arena, adapter_string_t s)
{
    return (struct str){str_dup(arena, (struct str){(const char *)s.ptr, s.len}), s.len};
}

bool host_lookup(struct arena *arena, const char *catalogue, struct str code,
                 struct catalogue_entry *out)
{
    adapter_string_t name = borrowed(str_c(catalogue));
    adapter_string_t key = borrowed(code);
    lgsp_adapter_catalogue_entry_t entry;
    if (!lgsp_adapter_catalogue_lookup(&name, &key, &entry))
        return false;
    out->code = copied(arena, entry.code);
    out->name = copied(arena, entry.name);
    out->has_parent = entry.parent.is_some;
    out->parent = entry.parent.is_some ? copied(arena, entry.parent.val) : S("");
    lgsp_adapter_catalogue_entry_free(&entry);
    return true;
}

void host_log(enum log_level level, const char *message, const struct log_field *fields,
              size_t count)
{
    /* A log line carries a few counts and names; more than eight fields are left out. */
    adapter_tuple2_string_string_t pairs[8];
    if (count > sizeof pairs / sizeof *pairs)
        count = sizeof pairs / sizeof *pairs;
    for (size_t i = 0; i < count; i++)
        pairs[i] = (adapter_tuple2_string_string_t){
            borrowed(str_c(fields[i].key)),
            borrowed(str_c(fields[i].value)),
        };
    adapter_string_t text = borrowed(str_c(message));
    adapter_list_tuple2_string_string_t list = {pairs, count};
    lgsp_adapter_log_write((lgsp_adapter_log_level_t)level, &text, &list);
}

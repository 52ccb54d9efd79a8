/*
 * The bounded list of violations declared in violations.h.
 */
#include "violations.h"

#include <string.h>

void violations_init(struct violations *v, struct arena *arena)
{
    memset(v, 0, sizeof *v);
    v->arena = arena;
}

void violations_push(struct violations *v, struct str path, const char *code,
                     struct str message)
{
    if (v->count >= VIOLATIONS_MAX) {
        v->dropped++;
        return;
    }
    v->list[v->count++] = (struct violation){path, code, message};
}

void violations_close(struct violations *v)
{
    if (v->dropped == 0 || v->count != VIOLATIONS_MAX)
        return;
    v->list[v->count++] = (struct violation){
        .path = S(""),
        .code = "too-many-violations",
        .message = fmt(v->arena, "%z more violations were left out", v->dropped),
    };
    v->dropped = 0;
}

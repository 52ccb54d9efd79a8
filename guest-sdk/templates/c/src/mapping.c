/*
 * The component's exports: the contract's `mapping` interface over the generated bindings
 * (`adapter.h`, written by `lgsp adapter build` from the contract). You should not need to
 * change this file: write the translations in translation.c.
 *
 * Each call gets its own arena, freed before returning; what is handed back to the hub is
 * allocated with malloc, as the bindings' post-return functions free it. The metadata of the
 * incoming message is handed back unchanged: the bindings gave this file its ownership.
 * LGSP_ADAPTER_NAME and LGSP_ADAPTER_VERSION come from lgsp-adapter.toml.
 */
#include <stdlib.h>
#include <string.h>

#include "adapter.h"
#include "translation.h"

static struct str from_binding(adapter_string_t s)
{
    return (struct str){(const char *)s.ptr, s.len};
}

static void dup_str(adapter_string_t *out, struct str s)
{
    adapter_string_dup_n(out, s.ptr != NULL ? s.ptr : "", s.len);
}

static void *checked_malloc(size_t size)
{
    void *p = malloc(size > 0 ? size : 1);
    if (p == NULL)
        abort();
    return p;
}

void exports_lgsp_adapter_mapping_describe(exports_lgsp_adapter_mapping_description_t *ret)
{
    adapter_string_dup(&ret->name, LGSP_ADAPTER_NAME);
    adapter_string_dup(&ret->version, LGSP_ADAPTER_VERSION);
    ret->standards.len = ADAPTER_STANDARD_COUNT;
    ret->standards.ptr = checked_malloc(ADAPTER_STANDARD_COUNT * sizeof *ret->standards.ptr);
    for (size_t i = 0; i < ADAPTER_STANDARD_COUNT; i++)
        adapter_string_dup(&ret->standards.ptr[i], ADAPTER_STANDARDS[i]);
    /* Empty: the adapter serves any service of its standards. */
    ret->services.len = 0;
    ret->services.ptr = NULL;
}

/* Turns a translation into the bindings' result; true for a message, false for an error. */
static bool answer(struct translation t, exports_lgsp_adapter_mapping_message_t *msg,
                   exports_lgsp_adapter_mapping_message_t *ret,
                   exports_lgsp_adapter_mapping_adapter_error_t *err)
{
    switch (t.outcome) {
    case OUTCOME_TRANSLATED:
        adapter_string_dup(&ret->content_type, t.content_type);
        ret->metadata = msg->metadata;
        msg->metadata = (adapter_list_tuple2_string_string_t){NULL, 0};
        ret->body.len = t.body.len;
        ret->body.ptr = checked_malloc(t.body.len);
        if (t.body.len > 0)
            memcpy(ret->body.ptr, t.body.ptr, t.body.len);
        return true;
    case OUTCOME_REJECTED: {
        const struct violations *v = t.violations;
        err->tag = LGSP_ADAPTER_TYPES_ADAPTER_ERROR_REJECTED;
        err->val.rejected.len = v->count;
        err->val.rejected.ptr = checked_malloc(v->count * sizeof *err->val.rejected.ptr);
        for (size_t i = 0; i < v->count; i++) {
            lgsp_adapter_types_violation_t *out = &err->val.rejected.ptr[i];
            dup_str(&out->path, v->list[i].path);
            adapter_string_dup(&out->code, v->list[i].code);
            dup_str(&out->message, v->list[i].message);
        }
        return false;
    }
    case OUTCOME_UNSUPPORTED:
        err->tag = LGSP_ADAPTER_TYPES_ADAPTER_ERROR_UNSUPPORTED;
        dup_str(&err->val.unsupported, t.reason);
        return false;
    case OUTCOME_INTERNAL:
    default:
        err->tag = LGSP_ADAPTER_TYPES_ADAPTER_ERROR_INTERNAL;
        dup_str(&err->val.internal, t.reason);
        return false;
    }
}

typedef struct translation (*translate_fn)(struct arena *, const struct context *, struct str,
                                           struct str);

static bool call(translate_fn translate, exports_lgsp_adapter_mapping_context_t *cx,
                 exports_lgsp_adapter_mapping_message_t *msg,
                 exports_lgsp_adapter_mapping_message_t *ret,
                 exports_lgsp_adapter_mapping_adapter_error_t *err)
{
    struct arena arena = {NULL};
    struct context context = {
        .standard = from_binding(cx->standard),
        .service = from_binding(cx->service),
        .reply = cx->phase == LGSP_ADAPTER_TYPES_PHASE_REPLY,
    };
    struct str body = {(const char *)msg->body.ptr, msg->body.len};
    struct translation t = translate(&arena, &context, from_binding(msg->content_type), body);
    bool ok = answer(t, msg, ret, err);

    arena_free(&arena);
    exports_lgsp_adapter_mapping_message_free(msg);
    exports_lgsp_adapter_mapping_context_free(cx);
    return ok;
}

bool exports_lgsp_adapter_mapping_to_national(exports_lgsp_adapter_mapping_context_t *cx,
                                              exports_lgsp_adapter_mapping_message_t *msg,
                                              exports_lgsp_adapter_mapping_message_t *ret,
                                              exports_lgsp_adapter_mapping_adapter_error_t *err)
{
    return call(to_national, cx, msg, ret, err);
}

bool exports_lgsp_adapter_mapping_to_local(exports_lgsp_adapter_mapping_context_t *cx,
                                           exports_lgsp_adapter_mapping_message_t *msg,
                                           exports_lgsp_adapter_mapping_message_t *ret,
                                           exports_lgsp_adapter_mapping_adapter_error_t *err)
{
    return call(to_local, cx, msg, ret, err);
}

/*
 * Runs every fixture natively, with tests/mock_host.c as the hub:
 *
 *   fixtures/to-national/<case>.input.json -> <case>.expected.json
 *   fixtures/to-local/<case>.input.json    -> <case>.expected.json
 *   fixtures/rejected/<case>.input.json    -> <case>.expected-violations.json
 *                                             (the `path` and `code` of each, in order)
 *
 * Outputs are compared as JSON values. Built with the address and undefined-behaviour
 * sanitizers by `make test`, so a memory error ends the run.
 *
 * Usage: fixtures <fixtures-dir>
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "translation.h"

extern size_t mock_host_log_lines;

static int failures, passes;

static void check(int ok, const char *what, const char *detail)
{
    if (ok) {
        passes++;
        printf("ok    %s\n", what);
        return;
    }
    failures++;
    printf("FAIL  %s: %s\n", what, detail);
}

static struct str read_file(struct arena *arena, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        perror(path);
        exit(2);
    }
    struct buf b = buf_new(arena);
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_put(&b, chunk, n);
    fclose(f);
    buf_cstr(&b);
    return buf_str(&b);
}

static int json_equal(const struct json *a, const struct json *b)
{
    if (a == NULL || b == NULL || a->kind != b->kind)
        return 0;
    switch (a->kind) {
    case JSON_BOOL:
        return a->boolean == b->boolean;
    case JSON_NUMBER:
        return a->is_uint == b->is_uint && (a->is_uint ? a->uint == b->uint : a->real == b->real);
    case JSON_STRING:
        return str_eq(a->string, b->string);
    case JSON_ARRAY:
        if (a->item_count != b->item_count)
            return 0;
        for (size_t i = 0; i < a->item_count; i++)
            if (!json_equal(a->items[i], b->items[i]))
                return 0;
        return 1;
    case JSON_OBJECT:
        if (a->member_count != b->member_count)
            return 0;
        for (size_t i = 0; i < a->member_count; i++)
            if (!str_eq(a->members[i].key, b->members[i].key) ||
                !json_equal(a->members[i].value, b->members[i].value))
                return 0;
        return 1;
    default:
        return 1;
    }
}

static const struct json *parse(struct arena *arena, struct str text)
{
    struct str error;
    return json_parse(arena, text, &error);
}

static const char *outcome_text(struct arena *arena, struct translation t)
{
    switch (t.outcome) {
    case OUTCOME_TRANSLATED:
        return fmt(arena, "translated: %S", t.body).ptr;
    case OUTCOME_REJECTED: {
        struct buf b = buf_new(arena);
        buf_puts(&b, "rejected:");
        for (size_t i = 0; i < t.violations->count; i++) {
            buf_puts(&b, " ");
            buf_put_str(&b, t.violations->list[i].path);
            buf_puts(&b, " ");
            buf_puts(&b, t.violations->list[i].code);
        }
        return buf_cstr(&b);
    }
    case OUTCOME_UNSUPPORTED:
        return fmt(arena, "unsupported: %S", t.reason).ptr;
    default:
        return fmt(arena, "internal: %S", t.reason).ptr;
    }
}

/* Every `<case>.input.json` in `<dir>/<folder>`, run through `translate`. */
static void run_folder(const char *dir, const char *folder,
                       struct translation (*translate)(struct arena *, const struct context *,
                                                       struct str, struct str))
{
    struct arena arena = {NULL};
    const char *path = fmt(&arena, "%s/%s", dir, folder).ptr;
    DIR *d = opendir(path);
    if (d == NULL)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        const char *suffix = ".input.json";
        if (len <= strlen(suffix) || strcmp(e->d_name + len - strlen(suffix), suffix) != 0)
            continue;
        struct str name = {e->d_name, len - strlen(suffix)};
        const char *what = fmt(&arena, "%s/%S", folder, name).ptr;
        struct str input = read_file(&arena, fmt(&arena, "%s/%s.input.json", dir, what).ptr);
        struct context cx = {S("example-person@1.0"), S("example.service"), false};
        struct translation t = translate(&arena, &cx, S("application/json"), input);

        if (strcmp(folder, "rejected") != 0) {
            const struct json *expected = parse(
                &arena, read_file(&arena, fmt(&arena, "%s/%s.expected.json", dir, what).ptr));
            check(t.outcome == OUTCOME_TRANSLATED &&
                      json_equal(parse(&arena, t.body), expected),
                  what, outcome_text(&arena, t));
            continue;
        }
        const struct json *expected = parse(
            &arena,
            read_file(&arena, fmt(&arena, "%s/%s.expected-violations.json", dir, what).ptr));
        int same = t.outcome == OUTCOME_REJECTED && expected != NULL &&
                   expected->kind == JSON_ARRAY && t.violations->count == expected->item_count;
        for (size_t i = 0; same && i < t.violations->count; i++) {
            const struct json *p = json_get(expected->items[i], S("path"));
            const struct json *c = json_get(expected->items[i], S("code"));
            same = p != NULL && c != NULL && str_eq(p->string, t.violations->list[i].path) &&
                   str_eq_c(c->string, t.violations->list[i].code);
        }
        check(same, what, outcome_text(&arena, t));
    }
    closedir(d);
    arena_free(&arena);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "fixtures";
    run_folder(dir, "to-national", to_national);
    run_folder(dir, "to-local", to_local);
    run_folder(dir, "rejected", to_national);
    if (passes > 0 && mock_host_log_lines == 0)
        check(0, "log", "the translations wrote no log line");
    printf("%d passed, %d failed\n", passes, failures);
    return failures == 0 && passes > 0 ? 0 : 1;
}

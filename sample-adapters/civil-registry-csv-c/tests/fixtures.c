/*
 * Runs every case of the Rust adapter's fixture folder through this adapter natively, with
 * the hub's own administrative catalogue, the way `tests/fixtures.rs` of the Rust adapter
 * and the hub's integration test do:
 *
 *   to-national/<case>.input.csv        -> <case>.expected.json   (compared as JSON values)
 *   to-local/<case>.input.json          -> <case>.expected.csv    (line ends normalised)
 *   reply-to-national/, reply-to-local/    the same for receipts
 *   rejected/<case>.input.csv           -> <case>.expected-violations.json (path and code)
 *
 * Then it checks round trips, the content types and standards that are declined, and feeds
 * every input truncated and corrupted through every translation: built with the address and
 * undefined-behaviour sanitizers (`make test`), any memory error ends the run.
 *
 * Usage: fixtures <fixtures-dir> <admin-units.json>
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civil.h"
#include "json.h"
#include "mock_host.h"

static int failures;
static int passes;

static void check(int ok, const char *what, const char *detail)
{
    if (ok) {
        passes++;
        return;
    }
    failures++;
    printf("FAIL %s%s%s\n", what, detail != NULL ? ": " : "", detail != NULL ? detail : "");
}

static struct str read_file(struct arena *arena, const char *path)
{
    FILE *f = fopen(path, "rb");
    struct buf b = buf_new(arena);
    if (f == NULL) {
        perror(path);
        exit(2);
    }
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_put(&b, chunk, n);
    fclose(f);
    buf_cstr(&b);
    return buf_str(&b);
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The case names of `<dir>/<folder>` with inputs ending in `.input.<ext>`, sorted. */
static size_t cases(struct arena *arena, const char *dir, const char *folder, const char *ext,
                    char ***out)
{
    const char *path = fmt(arena, "%s/%s", dir, folder).ptr;
    DIR *d = opendir(path);
    if (d == NULL) {
        perror(path);
        exit(2);
    }
    struct str suffix = fmt(arena, ".input.%s", ext);
    char **names = arena_alloc(arena, 256 * sizeof *names);
    size_t count = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && count < 256) {
        size_t len = strlen(e->d_name);
        if (len <= suffix.len || strcmp(e->d_name + len - suffix.len, suffix.ptr) != 0)
            continue;
        names[count++] = str_dup(arena, (struct str){e->d_name, len - suffix.len});
    }
    closedir(d);
    qsort(names, count, sizeof *names, compare_names);
    if (count == 0) {
        fprintf(stderr, "no cases in %s\n", path);
        exit(2);
    }
    *out = names;
    return count;
}

static int json_equal(const struct json *a, const struct json *b)
{
    if (a->kind != b->kind)
        return 0;
    switch (a->kind) {
    case JSON_NULL:
        return 1;
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
    }
    return 0;
}

static const struct json *parse_or_die(struct arena *arena, struct str text, const char *what)
{
    struct str error;
    const struct json *v = json_parse(arena, text, &error);
    if (v == NULL) {
        printf("FAIL %s is not JSON: %s\n", what, error.ptr);
        exit(1);
    }
    return v;
}

static struct str without_cr(struct arena *arena, struct str s)
{
    struct buf b = buf_new(arena);
    for (size_t i = 0; i < s.len; i++)
        if (!(s.ptr[i] == '\r' && i + 1 < s.len && s.ptr[i + 1] == '\n'))
            buf_putc(&b, s.ptr[i]);
    buf_cstr(&b);
    return buf_str(&b);
}

static struct civil_context context(int reply)
{
    return (struct civil_context){str_c(reply ? "citizen-receipt@1.0" : "citizen-record@1.0"),
                                  reply};
}

static const char *describe(struct arena *arena, struct translation t)
{
    switch (t.outcome) {
    case OUTCOME_TRANSLATED:
        return "translated";
    case OUTCOME_REJECTED: {
        const struct violation *first = &t.violations->list[0];
        return fmt(arena, "rejected (%z violations, first %S: %s: %S)", t.violations->count,
                   first->path, first->code, first->message)
            .ptr;
    }
    case OUTCOME_UNSUPPORTED:
        return fmt(arena, "unsupported: %S", t.reason).ptr;
    default:
        return fmt(arena, "internal: %S", t.reason).ptr;
    }
}

static void to_national_cases(const char *dir, const char *folder, int reply)
{
    struct arena arena = {NULL};
    char **names;
    size_t n = cases(&arena, dir, folder, "csv", &names);
    for (size_t i = 0; i < n; i++) {
        const char *what = fmt(&arena, "%s/%s", folder, names[i]).ptr;
        struct str input = read_file(&arena, fmt(&arena, "%s/%s.input.csv", dir, what).ptr);
        struct str expected =
            read_file(&arena, fmt(&arena, "%s/%s.expected.json", dir, what).ptr);
        mock_host_take_lookups();
        struct translation t = civil_to_national(&arena, context(reply), S(CIVIL_CSV), input);
        check(t.outcome == OUTCOME_TRANSLATED, what, describe(&arena, t));
        if (t.outcome != OUTCOME_TRANSLATED)
            continue;
        const struct json *got = parse_or_die(&arena, t.body, what);
        check(json_equal(got, parse_or_die(&arena, expected, what)), what, t.body.ptr);
        check(strcmp(mock_host_last_log(), "translated message") == 0, what, "no log line");
        /* Batches name communes and provinces, which only the hub's catalogue knows. */
        check(reply || mock_host_take_lookups() > 0, what, "no catalogue look-up");
    }
    arena_free(&arena);
}

static void to_local_cases(const char *dir, const char *folder, int reply)
{
    struct arena arena = {NULL};
    char **names;
    size_t n = cases(&arena, dir, folder, "json", &names);
    for (size_t i = 0; i < n; i++) {
        const char *what = fmt(&arena, "%s/%s", folder, names[i]).ptr;
        struct str input = read_file(&arena, fmt(&arena, "%s/%s.input.json", dir, what).ptr);
        struct str expected = read_file(&arena, fmt(&arena, "%s/%s.expected.csv", dir, what).ptr);
        struct translation t = civil_to_local(&arena, context(reply), S(CIVIL_JSON), input);
        check(t.outcome == OUTCOME_TRANSLATED, what, describe(&arena, t));
        if (t.outcome != OUTCOME_TRANSLATED)
            continue;
        struct str got = without_cr(&arena, t.body);
        check(str_eq(got, without_cr(&arena, expected)), what, got.ptr);
    }
    arena_free(&arena);
}

static void rejected_cases(const char *dir)
{
    struct arena arena = {NULL};
    char **names;
    size_t n = cases(&arena, dir, "rejected", "csv", &names);
    for (size_t i = 0; i < n; i++) {
        const char *what = fmt(&arena, "rejected/%s", names[i]).ptr;
        struct str input = read_file(&arena, fmt(&arena, "%s/%s.input.csv", dir, what).ptr);
        const struct json *expected = parse_or_die(
            &arena,
            read_file(&arena, fmt(&arena, "%s/%s.expected-violations.json", dir, what).ptr),
            what);
        struct translation t = civil_to_national(&arena, context(0), S(CIVIL_CSV), input);
        check(t.outcome == OUTCOME_REJECTED, what, describe(&arena, t));
        if (t.outcome != OUTCOME_REJECTED)
            continue;
        const struct violations *v = t.violations;
        int same = v->count == expected->item_count;
        for (size_t k = 0; same && k < v->count; k++) {
            const struct json *e = expected->items[k];
            const struct json *path = json_get(e, S("path"));
            const struct json *code = json_get(e, S("code"));
            same = path != NULL && code != NULL && str_eq(v->list[k].path, path->string) &&
                   str_eq_c(code->string, v->list[k].code) && v->list[k].message.len > 0;
        }
        struct buf got = buf_new(&arena);
        for (size_t k = 0; k < v->count; k++) {
            buf_puts(&got, "\n  ");
            buf_put_str(&got, v->list[k].path);
            buf_puts(&got, " ");
            buf_puts(&got, v->list[k].code);
        }
        check(same, what, buf_cstr(&got));
        check(strcmp(mock_host_last_log(), "refused message") == 0, what, "no log line");
    }
    arena_free(&arena);
}

/* Local -> national -> local -> national gives the same national document again. */
static void round_trips(const char *dir, const char *folder, int reply)
{
    struct arena arena = {NULL};
    char **names;
    size_t n = cases(&arena, dir, folder, "csv", &names);
    for (size_t i = 0; i < n; i++) {
        const char *what = fmt(&arena, "round trip %s/%s", folder, names[i]).ptr;
        struct str input =
            read_file(&arena, fmt(&arena, "%s/%s/%s.input.csv", dir, folder, names[i]).ptr);
        struct translation national = civil_to_national(&arena, context(reply), S(CIVIL_CSV), input);
        struct translation local =
            civil_to_local(&arena, context(reply), S(CIVIL_JSON), national.body);
        struct translation again =
            civil_to_national(&arena, context(reply), S(CIVIL_CSV), local.body);
        check(national.outcome == OUTCOME_TRANSLATED && local.outcome == OUTCOME_TRANSLATED &&
                  again.outcome == OUTCOME_TRANSLATED && str_eq(again.body, national.body),
              what, NULL);
    }
    arena_free(&arena);
}

static void declined(void)
{
    struct arena arena = {NULL};
    struct str body = S("so_dinh_danh\n");
    const char *unsupported[] = {"application/json", "text/csv; charset=windows-1258",
                                 "text/plain"};
    for (size_t i = 0; i < 3; i++) {
        struct translation t = civil_to_national(&arena, context(0), str_c(unsupported[i]), body);
        check(t.outcome == OUTCOME_UNSUPPORTED, unsupported[i], describe(&arena, t));
    }
    /* Other spellings of the same type are read, and this body is then refused. */
    const char *read[] = {"TEXT/CSV", "text/csv;charset=\"UTF-8\"", "text/csv; charset=utf8"};
    for (size_t i = 0; i < 3; i++) {
        struct translation t = civil_to_national(&arena, context(0), str_c(read[i]), body);
        check(t.outcome == OUTCOME_REJECTED, read[i], describe(&arena, t));
    }
    struct translation t = civil_to_local(&arena, context(0), S(CIVIL_CSV), S("{}"));
    check(t.outcome == OUTCOME_UNSUPPORTED, "to-local of CSV", describe(&arena, t));
    struct civil_context other = {S("edxml@2.0"), 0};
    t = civil_to_local(&arena, other, S(CIVIL_JSON), S("{}"));
    check(t.outcome == OUTCOME_UNSUPPORTED, "another standard", describe(&arena, t));
    arena_free(&arena);
}

/* Every input truncated every 5 bytes and corrupted 150 ways, through every translation. */
static void damaged_inputs(const char *dir)
{
    static const char *const folders[][2] = {
        {"to-national", "csv"}, {"to-local", "json"},  {"reply-to-national", "csv"},
        {"reply-to-local", "json"}, {"rejected", "csv"},
    };
    static const char noise[] = {'"', ',', ';', '\n', '\r', (char)0xff,
                                 (char)0xc3, '{', '}', '0', ' ', '/'};
    /* A fixed linear congruential sequence keeps the run repeatable. */
    unsigned long long state = 0x20250701ULL;
#define NEXT() (state = state * 6364136223846793005ULL + 1442695040888963407ULL, (size_t)(state >> 33))
    size_t runs = 0;
    for (size_t f = 0; f < 5; f++) {
        struct arena names_arena = {NULL};
        char **names;
        size_t n = cases(&names_arena, dir, folders[f][0], folders[f][1], &names);
        for (size_t i = 0; i < n; i++) {
            struct str input = read_file(
                &names_arena,
                fmt(&names_arena, "%s/%s/%s.input.%s", dir, folders[f][0], names[i],
                    folders[f][1]).ptr);
            for (size_t k = 0; k < input.len / 5 + 150; k++) {
                struct arena arena = {NULL};
                struct buf body = buf_new(&arena);
                if (k < input.len / 5) {
                    buf_put(&body, input.ptr, k * 5);
                } else {
                    buf_put_str(&body, input);
                    for (size_t m = 0; m <= NEXT() % 3; m++) {
                        size_t at = NEXT() % (body.len > 0 ? body.len : 1);
                        char byte = noise[NEXT() % sizeof noise];
                        switch (NEXT() % 3) {
                        case 0:
                            if (body.len > 0) {
                                body.data[at] = byte;
                                break;
                            }
                            /* fall through */
                        case 1:
                            if (body.len > 0) {
                                memmove(body.data + at, body.data + at + 1, body.len - at - 1);
                                body.len--;
                                break;
                            }
                            /* fall through */
                        default: {
                            struct buf copy = buf_new(&arena);
                            size_t cut = at < body.len ? at : body.len;
                            buf_put(&copy, body.data, cut);
                            buf_putc(&copy, byte);
                            buf_put(&copy, body.data + cut, body.len - cut);
                            body = copy;
                        }
                        }
                    }
                }
                struct str b = {body.data != NULL ? body.data : "", body.len};
                for (int reply = 0; reply < 2; reply++) {
                    struct translation a = civil_to_national(&arena, context(reply), S(CIVIL_CSV), b);
                    struct translation c = civil_to_local(&arena, context(reply), S(CIVIL_JSON), b);
                    check(a.outcome != OUTCOME_INTERNAL && c.outcome != OUTCOME_INTERNAL,
                          "damaged input", "an internal error");
                    runs += 2;
                }
                arena_free(&arena);
            }
        }
        arena_free(&names_arena);
    }
#undef NEXT
    printf("damaged inputs: %zu translations without a crash\n", runs);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s <fixtures-dir> <admin-units.json>\n", argv[0]);
        return 2;
    }
    if (!mock_host_load(argv[2]))
        return 2;
    const char *dir = argv[1];
    to_national_cases(dir, "to-national", 0);
    to_local_cases(dir, "to-local", 0);
    to_national_cases(dir, "reply-to-national", 1);
    to_local_cases(dir, "reply-to-local", 1);
    rejected_cases(dir);
    round_trips(dir, "to-national", 0);
    round_trips(dir, "reply-to-national", 1);
    declined();
    damaged_inputs(dir);
    printf("%d checks passed, %d failed\n", passes, failures);
    return failures == 0 ? 0 : 1;
}

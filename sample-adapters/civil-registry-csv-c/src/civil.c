/*
 * Choosing a translation and declining what this adapter does not read, as declared in
 * civil.h; the outcome of each translation is logged without any of the message's contents.
 */
#include "civil.h"

#include "host.h"

const char *const CIVIL_STANDARDS[2] = {"citizen-record@1.0", "citizen-receipt@1.0"};

/* Either standard may be named on either leg: the hub may name the service's standard on
 * both, or the reply's own on the reply leg. The leg, not the name, picks the translation. */
static bool supported_standard(struct arena *arena, struct civil_context cx,
                               struct translation *declined)
{
    for (size_t i = 0; i < 2; i++)
        if (str_eq_c(cx.standard, CIVIL_STANDARDS[i]))
            return true;
    *declined = failed(OUTCOME_UNSUPPORTED,
                       fmt(arena, "standard `%S` is not handled; this adapter handles %s and %s",
                           cx.standard, CIVIL_STANDARDS[0], CIVIL_STANDARDS[1]));
    return false;
}

static void ascii_lower(char *text, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (text[i] >= 'A' && text[i] <= 'Z')
            text[i] = (char)(text[i] - 'A' + 'a');
}

static bool ascii_eq_ignore_case(struct str a, const char *b)
{
    struct str bs = str_c(b);
    if (a.len != bs.len)
        return false;
    for (size_t i = 0; i < a.len; i++) {
        char x = a.ptr[i], y = bs.ptr[i];
        if (x >= 'A' && x <= 'Z')
            x = (char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = (char)(y - 'A' + 'a');
        if (x != y)
            return false;
    }
    return true;
}

/* The text up to the next `;` (or the end), and `*rest` moved past it. */
static struct str next_param(struct str *rest, bool *more)
{
    size_t i = 0;
    while (i < rest->len && rest->ptr[i] != ';')
        i++;
    struct str part = {rest->ptr, i};
    *more = i < rest->len;
    *rest = *more ? (struct str){rest->ptr + i + 1, rest->len - i - 1} : (struct str){"", 0};
    return part;
}

/* The media type without parameters, lowercased: `text/csv; charset=utf-8` is `text/csv`. */
static struct str media_type(struct arena *arena, struct str content_type)
{
    bool more;
    struct str type = trim_unicode(next_param(&content_type, &more));
    char *lower = str_dup(arena, type);
    ascii_lower(lower, type.len);
    return (struct str){lower, type.len};
}

/* Accepts `text/csv` in UTF-8. A file that declares another charset (Windows-1258, TCVN3)
 * would be misread, so it is declined rather than guessed at. */
static bool is_utf8_csv(struct arena *arena, struct str content_type)
{
    if (!str_eq_c(media_type(arena, content_type), "text/csv"))
        return false;
    bool more;
    struct str rest = content_type;
    next_param(&rest, &more);
    while (more) {
        struct str param = next_param(&rest, &more);
        size_t eq = 0;
        while (eq < param.len && param.ptr[eq] != '=')
            eq++;
        if (eq == param.len)
            continue;
        struct str key = trim_unicode((struct str){param.ptr, eq});
        if (!ascii_eq_ignore_case(key, "charset"))
            continue;
        struct str value = trim_unicode((struct str){param.ptr + eq + 1, param.len - eq - 1});
        while (value.len > 0 && value.ptr[0] == '"')
            value = (struct str){value.ptr + 1, value.len - 1};
        while (value.len > 0 && value.ptr[value.len - 1] == '"')
            value.len--;
        /* The first charset parameter decides. */
        return ascii_eq_ignore_case(value, "utf-8") || ascii_eq_ignore_case(value, "utf8");
    }
    return true;
}

/* Logs the outcome of a translation, with counts but none of the message's contents. */
static struct translation logged(struct arena *arena, struct civil_context cx,
                                 const char *direction, struct translation t)
{
    const char *leg = cx.reply ? "reply" : "request";
    if (t.outcome == OUTCOME_TRANSLATED) {
        struct log_field fields[] = {
            {"direction", direction},
            {"phase", leg},
            {"records", fmt(arena, "%z", t.records).ptr},
        };
        host_log(LOG_DEBUG, "translated message", fields, 3);
    } else if (t.outcome == OUTCOME_REJECTED) {
        struct log_field fields[] = {
            {"direction", direction},
            {"phase", leg},
            {"violations", fmt(arena, "%z", t.violations->count).ptr},
        };
        host_log(LOG_INFO, "refused message", fields, 3);
    }
    return t;
}

struct translation civil_to_national(struct arena *arena, struct civil_context cx,
                                     struct str content_type, struct str body)
{
    struct translation declined;
    if (!supported_standard(arena, cx, &declined))
        return declined;
    if (!is_utf8_csv(arena, content_type))
        return failed(OUTCOME_UNSUPPORTED,
                      fmt(arena, "content type `%S` is not read by this adapter; send `%s`",
                          content_type, CIVIL_CSV));
    struct translation t =
        cx.reply ? receipt_to_national(arena, body) : record_to_national(arena, body);
    return logged(arena, cx, "to-national", t);
}

struct translation civil_to_local(struct arena *arena, struct civil_context cx,
                                  struct str content_type, struct str body)
{
    struct translation declined;
    if (!supported_standard(arena, cx, &declined))
        return declined;
    if (!str_eq_c(media_type(arena, content_type), CIVIL_JSON))
        return failed(OUTCOME_UNSUPPORTED,
                      fmt(arena, "content type `%S` is not read by this adapter; send `%s`",
                          content_type, CIVIL_JSON));
    struct translation t = cx.reply ? receipt_to_local(arena, body) : record_to_local(arena, body);
    return logged(arena, cx, "to-local", t);
}

/*
 * Receipts for a batch: the registry's CSV receipt and the `citizen-receipt` standard, and
 * the translation between them in both directions.
 *
 * CSV has no nesting, so the registry's receipt repeats the batch's columns (reference, time,
 * status, counts) on every row and gives one record's outcome per row. A batch refused as a
 * whole has no outcomes; its receipt is a single row whose outcome columns are blank.
 */
#include <string.h>

#include "checks.h"
#include "date.h"
#include "doc.h"
#include "json.h"
#include "table.h"
#include "translation.h"

static const char STANDARD[] = "citizen-receipt";
static const char VERSION[] = "1.0";

/* The columns of the registry's receipt; every one must be in the header. */
static const char *const COLUMN_NAMES[] = {
    "ma_bien_nhan", "thoi_gian_nhan", "trang_thai", "so_ban_ghi",
    "so_chap_nhan", "so_dinh_danh",   "ket_qua",    "ly_do",
};

static const struct columns COLUMNS = {COLUMN_NAMES, 8, COLUMN_NAMES, 8};

/* The first five columns describe the whole batch and so repeat on every row. */
#define BATCH_COLUMNS 5

/* Longest reason, as in the schema. */
#define REASON_MAX 500

/* What happened to a batch as a whole, and to one record (which is never `partial`). */
enum status {
    STATUS_ACCEPTED,
    STATUS_PARTIAL,
    STATUS_REJECTED,
};

/* Each form's spellings of an enumeration, indexed by `enum status`. */
struct spellings {
    const char *const *names;
    size_t count;
};

static const char *const STATUS_LOCAL_NAMES[] = {"chap_nhan", "chap_nhan_mot_phan", "tu_choi"};
static const char *const STATUS_NATIONAL_NAMES[] = {"accepted", "partial", "rejected"};
/* A record's verdict has no `partial`: its rejected spelling sits where STATUS_REJECTED is. */
static const char *const VERDICT_LOCAL_NAMES[] = {"chap_nhan", NULL, "tu_choi"};
static const char *const VERDICT_NATIONAL_NAMES[] = {"accepted", NULL, "rejected"};

static const struct spellings STATUS_LOCAL = {STATUS_LOCAL_NAMES, 3};
static const struct spellings STATUS_NATIONAL = {STATUS_NATIONAL_NAMES, 3};
static const struct spellings VERDICT_LOCAL = {VERDICT_LOCAL_NAMES, 3};
static const struct spellings VERDICT_NATIONAL = {VERDICT_NATIONAL_NAMES, 3};

/* Finds `text` among a form's spellings; out: enum status. */
static struct fault spelled(struct arena *arena, const struct spellings *table, struct str text,
                            enum status *out)
{
    struct buf names = buf_new(arena);
    for (size_t i = 0; i < table->count; i++) {
        if (table->names[i] == NULL)
            continue;
        if (str_eq_c(text, table->names[i])) {
            *out = (enum status)i;
            return FAULT_NONE;
        }
        if (names.len > 0)
            buf_puts(&names, ", ");
        buf_puts(&names, table->names[i]);
    }
    return fault("enum", fmt(arena, "`%S` is not one of %S", text, buf_str(&names)));
}

/* The rules in the shape `required` takes, one per table of spellings. */
static struct fault rule_status_local(struct arena *arena, struct str text, void *out)
{
    return spelled(arena, &STATUS_LOCAL, text, out);
}

static struct fault rule_status_national(struct arena *arena, struct str text, void *out)
{
    return spelled(arena, &STATUS_NATIONAL, text, out);
}

static struct fault rule_verdict_local(struct arena *arena, struct str text, void *out)
{
    return spelled(arena, &VERDICT_LOCAL, text, out);
}

static struct fault rule_verdict_national(struct arena *arena, struct str text, void *out)
{
    return spelled(arena, &VERDICT_NATIONAL, text, out);
}

static struct fault rule_local_time(struct arena *arena, struct str text, void *out)
{
    return local_time_parse(arena, text, out);
}

static struct fault rule_rfc3339(struct arena *arena, struct str text, void *out)
{
    return local_time_from_rfc3339(arena, text, out);
}

/* The status that the counts imply. */
static enum status implied_status(uint32_t received, uint32_t accepted)
{
    if (accepted == 0)
        return STATUS_REJECTED;
    return accepted >= received ? STATUS_ACCEPTED : STATUS_PARTIAL;
}

/* One record's outcome. */
struct outcome {
    struct str citizen_id;
    enum status verdict;
    bool has_reason;
    struct str reason;
};

/* The values of a receipt that describe the whole batch, each with whether it was right. */
struct head {
    bool has_receipt_id, has_status, has_received_at, has_received, has_accepted;
    struct str receipt_id;
    enum status status;
    struct local_time received_at;
    uint32_t received;
    uint32_t accepted;
};

/* Where the values that the consistency rules compare sit, in one form. */
struct head_paths {
    struct str status;
    struct str received;
    struct str accepted;
};

/* The outcomes read so far, at most RECORDS_MAX. */
struct outcomes {
    struct outcome *items;
    size_t count;
};

/*
 * Checks the counts against each other, the status and the outcomes. Returns true when the
 * receipt is complete and nothing was wrong. `outcomes` is NULL when some could not be read;
 * they are then not counted, since the count would only repeat violations already recorded.
 */
static bool finish_head(struct arena *arena, const struct head *head,
                        const struct outcomes *outcomes, const struct head_paths *paths,
                        struct violations *v)
{
    if (!head->has_received || !head->has_accepted)
        return false;
    uint32_t received = head->received, accepted = head->accepted;
    size_t before = v->count;
    if (accepted > received) {
        violations_push(v, paths->accepted, "count",
                        fmt(arena, "%u records accepted out of %u received", accepted,
                            received));
    } else if (head->has_status) {
        enum status implied = implied_status(received, accepted);
        if (head->status != implied)
            violations_push(v, paths->status, "status",
                            fmt(arena, "%u of %u records accepted means the status `%s`",
                                accepted, received, STATUS_NATIONAL_NAMES[implied]));
    }
    if (outcomes == NULL)
        return false;
    if (outcomes->count > 0) {
        if (outcomes->count != received)
            violations_push(v, paths->received, "count",
                            fmt(arena, "%z outcomes listed for %u records", outcomes->count,
                                received));
        size_t listed = 0;
        for (size_t i = 0; i < outcomes->count; i++)
            listed += outcomes->items[i].verdict == STATUS_ACCEPTED;
        if (listed != accepted)
            violations_push(v, paths->accepted, "count",
                            fmt(arena, "%z outcomes are accepted but the count says %u", listed,
                                accepted));
    }
    return v->count == before && head->has_receipt_id && head->has_status &&
           head->has_received_at;
}

/* One outcome from its identification number, verdict and reason, in either form. */
static bool read_outcome(struct arena *arena, const struct raw values[3],
                         const struct str paths[3], rule_fn verdict_rule, struct violations *v,
                         struct outcome *out)
{
    memset(out, 0, sizeof *out);
    bool id = required(arena, values[0], paths[0], v, rule_citizen_id, &out->citizen_id);
    bool verdict = required(arena, values[1], paths[1], v, verdict_rule, &out->verdict);
    switch (values[2].kind) {
    case RAW_ABSENT:
        if (verdict && out->verdict == STATUS_REJECTED) {
            violations_push(v, paths[2], "required",
                            S("a refused record needs the reason for refusing it"));
            return false;
        }
        break;
    case RAW_TEXT: {
        struct fault f = plain_text(arena, values[2].text, REASON_MAX);
        if (f.code != NULL) {
            violations_push_fault(v, paths[2], f);
            return false;
        }
        out->has_reason = true;
        out->reason = values[2].text;
        break;
    }
    case RAW_REPORTED:
        return false;
    }
    return id && verdict;
}

/* The receipt in the standard's shape. */
static struct str write_receipt(struct arena *arena, const struct head *head,
                                const struct outcomes *outcomes)
{
    struct buf out = buf_new(arena);
    buf_puts(&out, "{\"standard\":\"citizen-receipt\",\"version\":\"1.0\",\"receiptId\":");
    json_write_string(&out, head->receipt_id);
    buf_puts(&out, ",\"status\":\"");
    buf_puts(&out, STATUS_NATIONAL_NAMES[head->status]);
    buf_puts(&out, "\",\"receivedAt\":\"");
    local_time_write_rfc3339(&out, head->received_at);
    buf_puts(&out, "\",\"received\":");
    buf_put_uint(&out, head->received);
    buf_puts(&out, ",\"accepted\":");
    buf_put_uint(&out, head->accepted);
    buf_puts(&out, ",\"records\":[");
    for (size_t i = 0; i < outcomes->count; i++) {
        const struct outcome *o = &outcomes->items[i];
        if (i > 0)
            buf_putc(&out, ',');
        buf_puts(&out, "{\"citizenId\":");
        json_write_string(&out, o->citizen_id);
        buf_puts(&out, ",\"status\":\"");
        buf_puts(&out, VERDICT_NATIONAL_NAMES[o->verdict]);
        buf_putc(&out, '"');
        if (o->has_reason) {
            buf_puts(&out, ",\"reason\":");
            json_write_string(&out, o->reason);
        }
        buf_putc(&out, '}');
    }
    buf_puts(&out, "]}");
    return buf_str(&out);
}

/* The batch columns of the registry's receipt, from its first row. */
static struct head read_local_head(struct arena *arena, const struct table *t,
                                   const struct row *row, struct violations *v)
{
    struct head h;
    memset(&h, 0, sizeof h);
#define CELL(column) table_cell(t, row, column), table_path(arena, row->line, column)
    h.has_receipt_id = required(arena, CELL("ma_bien_nhan"), v, rule_receipt_id, &h.receipt_id);
    h.has_received_at =
        required(arena, CELL("thoi_gian_nhan"), v, rule_local_time, &h.received_at);
    h.has_status = required(arena, CELL("trang_thai"), v, rule_status_local, &h.status);
    h.has_received = required(arena, CELL("so_ban_ghi"), v, rule_count, &h.received);
    h.has_accepted = required(arena, CELL("so_chap_nhan"), v, rule_count, &h.accepted);
#undef CELL
    return h;
}

static const char *const OUTCOME_COLUMNS[3] = {"so_dinh_danh", "ket_qua", "ly_do"};

struct translation receipt_to_national(struct arena *arena, struct str body)
{
    struct violations *v = arena_alloc(arena, sizeof *v);
    violations_init(v, arena);
    struct table table;
    if (!table_read(&table, arena, body, &COLUMNS, v))
        return rejected(v);

    struct row *rows = arena_alloc(arena, (table.row_count + 1) * sizeof *rows);
    size_t row_count = 0;
    for (size_t i = 0; i < table.row_count; i++)
        if (table_row(&table, i, v, &rows[row_count]))
            row_count++;
    if (row_count == 0)
        return rejected(v);

    const struct row *first = &rows[0];
    struct head head = read_local_head(arena, &table, first, v);
    for (size_t r = 1; r < row_count; r++) {
        for (size_t c = 0; c < BATCH_COLUMNS; c++) {
            struct raw here = table_cell(&table, &rows[r], COLUMN_NAMES[c]);
            struct raw there = table_cell(&table, first, COLUMN_NAMES[c]);
            if (!raw_eq(here, there) && here.kind != RAW_REPORTED && there.kind != RAW_REPORTED)
                violations_push(v, table_path(arena, rows[r].line, COLUMN_NAMES[c]),
                                "inconsistent",
                                fmt(arena, "every row must repeat the batch's `%s` of row %U",
                                    COLUMN_NAMES[c], first->line));
        }
    }

    struct outcomes outcomes = {arena_alloc(arena, (row_count + 1) * sizeof *outcomes.items), 0};
    bool complete = row_count == table.row_count;
    for (size_t r = 0; r < row_count; r++) {
        struct raw values[3];
        struct str paths[3];
        bool blank = true;
        for (size_t c = 0; c < 3; c++) {
            values[c] = table_cell(&table, &rows[r], OUTCOME_COLUMNS[c]);
            blank = blank && values[c].kind == RAW_ABSENT;
        }
        /* The single row of a receipt for a batch refused as a whole. */
        if (row_count == 1 && blank)
            break;
        for (size_t c = 0; c < 3; c++)
            paths[c] = table_path(arena, rows[r].line, OUTCOME_COLUMNS[c]);
        if (read_outcome(arena, values, paths, rule_verdict_local, v,
                         &outcomes.items[outcomes.count]))
            outcomes.count++;
        else
            complete = false;
    }

    struct head_paths paths = {
        table_path(arena, first->line, "trang_thai"),
        table_path(arena, first->line, "so_ban_ghi"),
        table_path(arena, first->line, "so_chap_nhan"),
    };
    bool whole = finish_head(arena, &head, complete ? &outcomes : NULL, &paths, v);
    if (v->count > 0)
        return rejected(v);
    if (!whole)
        return failed(OUTCOME_INTERNAL, S("a receipt without violations was incomplete"));
    return translated(write_receipt(arena, &head, &outcomes), outcomes.count);
}

/* The receipt as the registry's CSV: the batch columns repeated on each outcome's row, or a
 * single row with blank outcome columns when there is no outcome. */
static struct str write_local(struct arena *arena, const struct head *head,
                              const struct outcomes *outcomes)
{
    struct buf time = buf_new(arena), received = buf_new(arena), accepted = buf_new(arena);
    local_time_write_local(&time, head->received_at);
    buf_put_uint(&received, head->received);
    buf_put_uint(&accepted, head->accepted);

    struct buf out = buf_new(arena);
    table_write_header(&out, &COLUMNS);
    size_t rows = outcomes->count > 0 ? outcomes->count : 1;
    for (size_t i = 0; i < rows; i++) {
        const struct outcome *o = outcomes->count > 0 ? &outcomes->items[i] : NULL;
        struct str cells[8] = {
            head->receipt_id,
            buf_str(&time),
            str_c(STATUS_LOCAL_NAMES[head->status]),
            buf_str(&received),
            buf_str(&accepted),
            o != NULL ? o->citizen_id : S(""),
            o != NULL ? str_c(VERDICT_LOCAL_NAMES[o->verdict]) : S(""),
            o != NULL && o->has_reason ? o->reason : S(""),
        };
        csv_write_record(&out, cells, 8);
    }
    return buf_str(&out);
}

struct translation receipt_to_local(struct arena *arena, struct str body)
{
    struct violations *v = arena_alloc(arena, sizeof *v);
    violations_init(v, arena);
    const struct json *document = doc_parse(arena, body, v);
    struct object root;
    if (document == NULL || !object_at(arena, document, S(""), v, &root))
        return rejected(v);
    static const char *const members[] = {
        "standard", "version",  "receiptId", "status",
        "receivedAt", "received", "accepted",  "records",
    };
    object_only(arena, &root, members, 8, v);
    object_constant(arena, &root, "standard", STANDARD, v);
    object_constant(arena, &root, "version", VERSION, v);

    struct head head;
    memset(&head, 0, sizeof head);
#define MEMBER(key) object_text(arena, &root, key, v), object_path(arena, &root, key)
    head.has_receipt_id = required(arena, MEMBER("receiptId"), v, rule_receipt_id,
                                   &head.receipt_id);
    head.has_status = required(arena, MEMBER("status"), v, rule_status_national, &head.status);
    head.has_received_at =
        required(arena, MEMBER("receivedAt"), v, rule_rfc3339, &head.received_at);
#undef MEMBER
    head.has_received = object_count(arena, &root, "received", RECORDS_MAX, v, &head.received);
    head.has_accepted = object_count(arena, &root, "accepted", RECORDS_MAX, v, &head.accepted);

    struct outcomes outcomes = {NULL, 0};
    bool complete = true;
    const struct json *items = object_get(&root, "records");
    struct str path = object_path(arena, &root, "records");
    if (items == NULL) {
        violations_push(v, path, "required", S("a receipt needs `records`, maybe empty"));
    } else if (items->kind != JSON_ARRAY) {
        violations_push(v, path, "type", S("expected an array of outcomes"));
    } else if (items->item_count > RECORDS_MAX) {
        violations_push(v, path, "too-many",
                        fmt(arena, "a receipt lists at most %u records; this one has %z",
                            (unsigned)RECORDS_MAX, items->item_count));
    } else {
        outcomes.items = arena_alloc(arena, (items->item_count + 1) * sizeof *outcomes.items);
        static const char *const keys[3] = {"citizenId", "status", "reason"};
        for (size_t i = 0; i < items->item_count; i++) {
            struct object record;
            if (!object_at(arena, items->items[i], fmt(arena, "/records/%z", i), v, &record)) {
                complete = false;
                continue;
            }
            object_only(arena, &record, keys, 3, v);
            struct raw values[3];
            struct str paths[3];
            for (size_t k = 0; k < 3; k++)
                values[k] = object_text(arena, &record, keys[k], v);
            for (size_t k = 0; k < 3; k++)
                paths[k] = object_path(arena, &record, keys[k]);
            if (read_outcome(arena, values, paths, rule_verdict_national, v,
                             &outcomes.items[outcomes.count]))
                outcomes.count++;
            else
                complete = false;
        }
    }

    struct head_paths paths = {
        object_path(arena, &root, "status"),
        object_path(arena, &root, "received"),
        object_path(arena, &root, "accepted"),
    };
    bool whole = finish_head(arena, &head, complete ? &outcomes : NULL, &paths, v);
    if (v->count > 0)
        return rejected(v);
    if (!whole)
        return failed(OUTCOME_INTERNAL, S("a receipt without violations was incomplete"));
    return translated(write_local(arena, &head, &outcomes), outcomes.count);
}

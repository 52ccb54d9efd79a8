/*
 * The CSV reader and writer declared in csv.h: a port of the state machine of the `csv-core`
 * crate for its default settings (double quotes, quotes escaped by doubling, no comments,
 * any of CR, LF and CRLF ending a record).
 */
#include "csv.h"

#include <string.h>

static const char BOM[] = "\xEF\xBB\xBF";

struct csv_reader csv_reader(struct arena *arena, struct str input, char delimiter)
{
    struct csv_reader r = {arena, input, 0, delimiter, CSV_START_RECORD};
    if (input.len >= 3 && memcmp(input.ptr, BOM, 3) == 0)
        r.at = 3;
    return r;
}

static bool is_terminator(char c)
{
    return c == '\r' || c == '\n';
}

struct cells {
    struct arena *arena;
    struct str *list;
    size_t count;
    size_t cap;
};

static void end_field(struct cells *cells, struct buf *field)
{
    if (cells->count == cells->cap) {
        cells->cap = cells->cap == 0 ? 16 : cells->cap * 2;
        struct str *list = arena_alloc(cells->arena, cells->cap * sizeof *list);
        if (cells->count > 0)
            memcpy(list, cells->list, cells->count * sizeof *list);
        cells->list = list;
    }
    struct str text = buf_str(field);
    cells->list[cells->count++] = text.ptr != NULL ? text : S("");
    *field = buf_new(cells->arena);
}

bool csv_next(struct csv_reader *r, struct csv_record *out)
{
    struct cells cells = {r->arena, NULL, 0, 0};
    struct buf field = buf_new(r->arena);
    out->position = r->at;

    while (r->at < r->input.len) {
        char c = r->input.ptr[r->at];
        switch (r->state) {
        case CSV_AFTER_CR:
            r->state = CSV_START_RECORD;
            if (c == '\n')
                r->at++;
            continue;
        case CSV_END_RECORD:
            r->state = CSV_START_RECORD;
            continue;
        case CSV_START_RECORD:
            if (is_terminator(c))
                r->at++;
            else
                r->state = CSV_START_FIELD;
            continue;
        case CSV_START_FIELD:
            if (c == '"') {
                r->at++;
                r->state = CSV_IN_QUOTED;
                continue;
            }
            break;
        case CSV_IN_FIELD:
            break;
        case CSV_IN_QUOTED:
            r->at++;
            if (c == '"')
                r->state = CSV_QUOTE_IN_QUOTED;
            else
                buf_putc(&field, c);
            continue;
        case CSV_QUOTE_IN_QUOTED:
            if (c == '"') {
                r->at++;
                buf_putc(&field, c);
                r->state = CSV_IN_QUOTED;
                continue;
            }
            break;
        }

        /* Outside quotes: a delimiter, a terminator or a byte of the field. */
        r->at++;
        if (c == r->delimiter) {
            end_field(&cells, &field);
            r->state = CSV_START_FIELD;
        } else if (is_terminator(c)) {
            end_field(&cells, &field);
            r->state = c == '\r' ? CSV_AFTER_CR : CSV_END_RECORD;
            out->cells = cells.list;
            out->count = cells.count;
            return true;
        } else {
            buf_putc(&field, c);
            r->state = CSV_IN_FIELD;
        }
    }

    /* The end of the input ends a record that has begun. */
    switch (r->state) {
    case CSV_START_RECORD:
    case CSV_END_RECORD:
    case CSV_AFTER_CR:
        r->state = CSV_START_RECORD;
        return false;
    default:
        end_field(&cells, &field);
        r->state = CSV_START_RECORD;
        out->cells = cells.list;
        out->count = cells.count;
        return true;
    }
}

static bool needs_quotes(struct str cell)
{
    for (size_t i = 0; i < cell.len; i++) {
        char c = cell.ptr[i];
        if (c == ',' || c == '"' || c == '\r' || c == '\n')
            return true;
    }
    return false;
}

void csv_write_record(struct buf *out, const struct str *cells, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        if (i > 0)
            buf_putc(out, ',');
        struct str cell = cells[i];
        if (!needs_quotes(cell)) {
            buf_put_str(out, cell);
            continue;
        }
        buf_putc(out, '"');
        for (size_t j = 0; j < cell.len; j++) {
            if (cell.ptr[j] == '"')
                buf_putc(out, '"');
            buf_putc(out, cell.ptr[j]);
        }
        buf_putc(out, '"');
    }
    buf_puts(out, "\r\n");
}

/*
 * Reading and writing the registry's CSV files, as declared in table.h.
 */
#include "table.h"

#include <string.h>

static const char BOM[] = "\xEF\xBB\xBF";

/* Excel in a Vietnamese locale saves "CSV" with semicolons, because the comma is the decimal
 * separator there. A header line with semicolons and no comma is taken to be such a file. */
static char delimiter(struct str body)
{
    const char *end = memchr(body.ptr, '\n', body.len);
    size_t len = end != NULL ? (size_t)(end - body.ptr) : body.len;
    bool semicolon = len > 0 && memchr(body.ptr, ';', len) != NULL;
    bool comma = len > 0 && memchr(body.ptr, ',', len) != NULL;
    return semicolon && !comma ? ';' : ',';
}

static bool is_column(const char *const *list, size_t count, struct str name)
{
    for (size_t i = 0; i < count; i++)
        if (str_eq_c(name, list[i]))
            return true;
    return false;
}

static bool has_name(const struct header_name *names, size_t count, struct str name)
{
    for (size_t i = 0; i < count; i++)
        if (names[i].named && str_eq(names[i].name, name))
            return true;
    return false;
}

static struct str column_list(struct arena *arena, const struct columns *columns)
{
    struct buf b = buf_new(arena);
    for (size_t i = 0; i < columns->all_count; i++) {
        if (i > 0)
            buf_putc(&b, ',');
        buf_puts(&b, columns->all[i]);
    }
    buf_cstr(&b);
    return buf_str(&b);
}

/* Names the header's columns, recording unknown, repeated, missing and undecodable ones. */
static void read_header(struct table *t, const struct csv_record *record, struct violations *v)
{
    struct arena *arena = t->arena;
    t->header = arena_alloc(arena, (record->count + 1) * sizeof *t->header);
    t->header_count = 0;
    for (size_t i = 0; i < record->count; i++) {
        struct header_name *slot = &t->header[t->header_count++];
        struct str raw = record->cells[i];
        if (!utf8_valid(raw)) {
            violations_push(v, fmt(arena, "header, column %z", i + 1), "encoding",
                            S("the column name is not valid UTF-8"));
            *slot = (struct header_name){false, S("")};
            continue;
        }
        struct str trimmed = trim_unicode(raw);
        char *lower = str_dup(arena, trimmed);
        for (size_t j = 0; j < trimmed.len; j++)
            if (lower[j] >= 'A' && lower[j] <= 'Z')
                lower[j] = (char)(lower[j] - 'A' + 'a');
        struct str name = {lower, trimmed.len};

        if (!is_column(t->columns->all, t->columns->all_count, name)) {
            violations_push(v, fmt(arena, "header, column %S", name), "unknown-column",
                            fmt(arena, "`%S` is not a column of this file; expected %S", name,
                                column_list(arena, t->columns)));
        } else if (has_name(t->header, t->header_count - 1, name)) {
            violations_push(v, fmt(arena, "header, column %S", name), "duplicate-column",
                            fmt(arena, "the header names `%S` twice", name));
            *slot = (struct header_name){false, S("")};
            continue;
        }
        *slot = (struct header_name){true, name};
    }
    for (size_t i = 0; i < t->columns->required_count; i++) {
        const char *column = t->columns->required[i];
        if (!has_name(t->header, t->header_count, str_c(column)))
            violations_push(v, fmt(arena, "header, column %s", column), "required",
                            fmt(arena, "the header has no column `%s`", column));
    }
}

/* Counts lines from the byte offset where each record starts: the reader's own count would
 * not see the line breaks of CRLF files. */
struct line_counter {
    struct str body;
    size_t from;
    uint64_t line;
};

static uint64_t line_at(struct line_counter *lc, size_t offset)
{
    size_t start = offset < lc->from ? lc->from : offset > lc->body.len ? lc->body.len : offset;
    for (size_t i = lc->from; i < start; i++)
        lc->line += lc->body.ptr[i] == '\n';
    lc->from = start;
    return lc->line;
}

static bool blank_record(const struct csv_record *record)
{
    for (size_t i = 0; i < record->count; i++)
        if (!blank_ascii(record->cells[i]))
            return false;
    return true;
}

bool table_read(struct table *t, struct arena *arena, struct str body,
                const struct columns *columns, struct violations *v)
{
    memset(t, 0, sizeof *t);
    t->arena = arena;
    t->columns = columns;
    if (body.len >= 3 && memcmp(body.ptr, BOM, 3) == 0) {
        body.ptr += 3;
        body.len -= 3;
    }
    struct csv_reader reader = csv_reader(arena, body, delimiter(body));

    struct csv_record header;
    if (!csv_next(&reader, &header)) {
        violations_push(v, S("body"), "required",
                        S("the file is empty; it needs a header row and records"));
        return false;
    }
    read_header(t, &header, v);

    struct line_counter lines = {body, 0, 1};
    size_t cap = 0;
    struct csv_record record;
    while (csv_next(&reader, &record)) {
        /* Spreadsheets save trailing empty rows as bare separators. */
        if (blank_record(&record))
            continue;
        if (t->row_count == RECORDS_MAX) {
            violations_push(v, S("body"), "too-many",
                            fmt(arena, "the file has more than %u records; split it",
                                (unsigned)RECORDS_MAX));
            break;
        }
        if (t->row_count == cap) {
            cap = cap == 0 ? 16 : cap * 2;
            struct table_line *rows = arena_alloc(arena, cap * sizeof *rows);
            if (t->row_count > 0)
                memcpy(rows, t->rows, t->row_count * sizeof *rows);
            t->rows = rows;
        }
        t->rows[t->row_count++] = (struct table_line){line_at(&lines, record.position), record};
    }

    if (t->row_count == 0)
        violations_push(v, S("body"), "required", S("the file has a header row but no records"));
    return true;
}

bool table_row(const struct table *t, size_t index, struct violations *v, struct row *out)
{
    const struct table_line *line = &t->rows[index];
    if (line->record.count != t->header_count) {
        violations_push(v, fmt(t->arena, "row %U", line->line), "csv",
                        fmt(t->arena,
                            "the row has %z cells where the header has %z; check for a stray "
                            "separator or an unclosed quote",
                            line->record.count, t->header_count));
        return false;
    }
    out->line = line->line;
    out->cells = line->record.cells;
    out->decoded = arena_alloc(t->arena, (t->header_count + 1) * sizeof *out->decoded);
    for (size_t i = 0; i < t->header_count; i++) {
        struct str cell = line->record.cells[i];
        size_t valid = utf8_valid_up_to(cell.ptr, cell.len);
        out->decoded[i] = valid == cell.len;
        if (out->decoded[i])
            continue;
        struct str column = t->header[i].named ? t->header[i].name : fmt(t->arena, "%z", i + 1);
        violations_push(v, fmt(t->arena, "row %U, column %S", line->line, column),
                        "encoding",
                        fmt(t->arena,
                            "the cell is not valid UTF-8 (bad byte at offset %z); save the "
                            "file as UTF-8, not Windows-1258 or TCVN3",
                            valid));
    }
    return true;
}

struct raw table_cell(const struct table *t, const struct row *row, const char *column)
{
    struct str name = str_c(column);
    for (size_t i = 0; i < t->header_count; i++) {
        if (!t->header[i].named || !str_eq(t->header[i].name, name))
            continue;
        /* A cell that was not UTF-8 already has its violation. */
        return row->decoded[i] ? raw_from_text(row->cells[i]) : RAW_REPORTED_VALUE;
    }
    /* A missing required column was reported with the header. */
    return is_column(t->columns->required, t->columns->required_count, name)
               ? RAW_REPORTED_VALUE
               : RAW_ABSENT_VALUE;
}

struct str table_path(struct arena *arena, uint64_t line, const char *column)
{
    return fmt(arena, "row %U, column %s", line, column);
}

void table_write_header(struct buf *out, const struct columns *columns)
{
    struct str cells[32];
    for (size_t i = 0; i < columns->all_count; i++)
        cells[i] = str_c(columns->all[i]);
    csv_write_record(out, cells, columns->all_count);
}

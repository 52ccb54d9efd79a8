/*
 * The registry's CSV files as tables: reading them with every fault located by row and
 * column, and writing them back.
 *
 * This module knows the file format (UTF-8, an optional byte order mark, a header row, comma
 * or semicolon separators, quoting) and nothing of what the columns mean; the readers of
 * records and receipts say which columns exist and which are required.
 *
 * Rows are numbered as the line they start on, header included, which is the row number a
 * clerk sees in a spreadsheet.
 */
#ifndef CIVIL_TABLE_H
#define CIVIL_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "checks.h"
#include "csv.h"
#include "text.h"
#include "violations.h"

/* The columns a kind of file may have. */
struct columns {
    /* Every known column, in the order they are written. */
    const char *const *all;
    size_t all_count;
    /* Those the header must contain. */
    const char *const *required;
    size_t required_count;
};

/* One header cell: its name lowercased, or unnamed where it was not UTF-8 or repeated. */
struct header_name {
    bool named;
    struct str name;
};

/* A non-blank data row, split into cells but not yet decoded. */
struct table_line {
    uint64_t line;
    struct csv_record record;
};

/* A CSV file whose header has been checked. */
struct table {
    struct arena *arena;
    struct header_name *header;
    size_t header_count;
    struct table_line *rows;
    size_t row_count;
    const struct columns *columns;
};

/* One data row, decoded. */
struct row {
    uint64_t line;
    /* The cells in header order; `decoded[i]` is false where a cell was not UTF-8. */
    struct str *cells;
    bool *decoded;
};

/*
 * Reads `body`, recording a violation for each problem with the file as a whole: its header,
 * its size. Returns false only when there is no header to work with.
 */
bool table_read(struct table *t, struct arena *arena, struct str body,
                const struct columns *columns, struct violations *v);

/*
 * Decodes data row `index` after recording its own faults (ragged, not UTF-8), so that
 * violations come out row by row. Returns false for a ragged row: its cells cannot be matched
 * to columns.
 */
bool table_row(const struct table *t, size_t index, struct violations *v, struct row *out);

/* The cell of `row` in `column`. */
struct raw table_cell(const struct table *t, const struct row *row, const char *column);

/* Where a cell is, for a violation. */
struct str table_path(struct arena *arena, uint64_t line, const char *column);

/* Writes a header and rows as CSV with CRLF line ends, quoting only where needed. */
void table_write_header(struct buf *out, const struct columns *columns);

#endif

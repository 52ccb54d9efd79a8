/*
 * RFC 4180 CSV, read and written byte for byte as the Rust adapter's `csv` crate does.
 *
 * The reader never fails: like the `csv` crate it accepts a stray quote inside a field,
 * keeps reading after a closing quote, ends an unclosed quote at the end of the input, skips
 * empty lines, and takes `\r`, `\n` or `\r\n` as the end of a record. What a row means is for
 * `table` to decide.
 */
#ifndef CIVIL_CSV_H
#define CIVIL_CSV_H

#include <stdbool.h>
#include <stddef.h>

#include "text.h"

enum csv_state {
    CSV_START_RECORD,
    CSV_START_FIELD,
    CSV_IN_FIELD,
    CSV_IN_QUOTED,
    CSV_QUOTE_IN_QUOTED,
    CSV_END_RECORD,
    CSV_AFTER_CR,
};

struct csv_reader {
    struct arena *arena;
    struct str input;
    size_t at;
    char delimiter;
    enum csv_state state;
};

struct csv_record {
    struct str *cells;
    size_t count;
    /* Where the reader stood when it began this record: just past the previous record's
     * terminator (blank lines before the record are not skipped yet). */
    size_t position;
};

/* A reader over `input`; a byte order mark at its start is skipped, as the `csv` crate does. */
struct csv_reader csv_reader(struct arena *arena, struct str input, char delimiter);
/* The next record, or false at the end of the input. */
bool csv_next(struct csv_reader *r, struct csv_record *out);

/* Writes one record with commas and a CRLF terminator, quoting a cell only where it holds a
 * comma, a quote or a line break. */
void csv_write_record(struct buf *out, const struct str *cells, size_t count);

#endif

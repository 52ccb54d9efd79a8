/*
 * Memory and text for one translation: an arena that owns everything a call allocates, byte
 * slices that know their length (cells and JSON strings may hold NUL bytes), a growing
 * buffer, and the few UTF-8 and white-space rules the adapter needs.
 *
 * Every translation gets a fresh arena and frees it in one go at the end, so no function
 * below hands back memory the caller must free on its own. Out of memory is fatal: the hub
 * runs each message in a fresh instance with a memory limit, and a trap there is reported to
 * the operator as the adapter breaking its limit.
 */
#ifndef ADAPTER_TEXT_H
#define ADAPTER_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Blocks of memory that are all freed together. */
struct arena {
    struct arena_block *blocks;
};

/* `size` bytes, aligned for any type, owned by `arena`. Never NULL. */
void *arena_alloc(struct arena *arena, size_t size);
/* Frees everything `arena` handed out. */
void arena_free(struct arena *arena);

/* A run of bytes that is not NUL-terminated. */
struct str {
    const char *ptr;
    size_t len;
};

/* A slice of a string literal, without its terminator. */
#define S(literal) ((struct str){"" literal, sizeof(literal) - 1})

/* A slice of any NUL-terminated text. */
struct str str_c(const char *text);
bool str_eq(struct str a, struct str b);
bool str_eq_c(struct str a, const char *text);
/* -1, 0 or 1, comparing bytes as unsigned, a shorter prefix first (as Rust orders strings). */
int str_cmp(struct str a, struct str b);
/* A NUL-terminated copy in `arena`. */
char *str_dup(struct arena *arena, struct str s);

/* Bytes appended one piece at a time; the data lives in the arena. */
struct buf {
    struct arena *arena;
    char *data;
    size_t len;
    size_t cap;
};

struct buf buf_new(struct arena *arena);
void buf_put(struct buf *b, const void *bytes, size_t len);
void buf_putc(struct buf *b, char c);
void buf_puts(struct buf *b, const char *text);
void buf_put_str(struct buf *b, struct str s);
void buf_put_uint(struct buf *b, uint64_t n);
/* `n` in decimal with at least `width` digits, zero-padded. */
void buf_put_padded(struct buf *b, uint64_t n, int width);
/* The contents so far, NUL-terminated (the terminator is not counted in `len`). */
char *buf_cstr(struct buf *b);
struct str buf_str(const struct buf *b);

/*
 * A formatted string in `arena`, also NUL-terminated. The directives are few on purpose: `%s`
 * a C string, `%S` a `struct str`, `%u` an unsigned int, `%z` a size_t, `%U` a uint64_t,
 * `%%` a percent sign.
 */
struct str fmt(struct arena *arena, const char *format, ...);

/* Where `bytes` stop being UTF-8, or `len` when they are all UTF-8 (as Rust's `valid_up_to`). */
size_t utf8_valid_up_to(const char *bytes, size_t len);
bool utf8_valid(struct str s);
/*
 * Decodes the code point at `*at` of valid UTF-8 and moves `*at` past it.
 */
uint32_t utf8_next(struct str s, size_t *at);
/* The number of code points of valid UTF-8. */
size_t utf8_count(struct str s);

/* `s` without leading and trailing Unicode white space (Rust's `str::trim`). */
struct str trim_unicode(struct str s);
/* Whether `s` is empty once ASCII white space is removed (Rust's `trim_ascii`). */
bool blank_ascii(struct str s);
/* Whether a code point is a control character (Unicode category Cc). */
bool is_control(uint32_t c);
bool all_ascii_digits(struct str s);

#endif

/*
 * The arena, slices, buffers and UTF-8 rules declared in text.h.
 */
#include "text.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Blocks are at least this big, so that small allocations share them. */
#define ARENA_BLOCK_SIZE 16384

struct arena_block {
    struct arena_block *next;
    size_t used;
    size_t size;
    _Alignas(max_align_t) unsigned char data[];
};

void *arena_alloc(struct arena *arena, size_t size)
{
    const size_t align = _Alignof(max_align_t);
    size = (size + align - 1) & ~(align - 1);
    struct arena_block *block = arena->blocks;
    if (block == NULL || block->size - block->used < size) {
        size_t want = size > ARENA_BLOCK_SIZE ? size : ARENA_BLOCK_SIZE;
        block = malloc(sizeof *block + want);
        if (block == NULL)
            abort();
        block->size = want;
        block->used = 0;
        /* A block bigger than the usual size goes second, so that the current block with
         * its free space stays in front. */
        if (size > ARENA_BLOCK_SIZE && arena->blocks != NULL) {
            block->next = arena->blocks->next;
            arena->blocks->next = block;
        } else {
            block->next = arena->blocks;
            arena->blocks = block;
        }
    }
    void *p = block->data + block->used;
    block->used += size;
    return p;
}

void arena_free(struct arena *arena)
{
    struct arena_block *block = arena->blocks;
    while (block != NULL) {
        struct arena_block *next = block->next;
        free(block);
        block = next;
    }
    arena->blocks = NULL;
}

struct str str_c(const char *text)
{
    return (struct str){text, strlen(text)};
}

bool str_eq(struct str a, struct str b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

bool str_eq_c(struct str a, const char *text)
{
    return str_eq(a, str_c(text));
}

int str_cmp(struct str a, struct str b)
{
    size_t n = a.len < b.len ? a.len : b.len;
    int c = n == 0 ? 0 : memcmp(a.ptr, b.ptr, n);
    if (c != 0)
        return c < 0 ? -1 : 1;
    return a.len < b.len ? -1 : a.len > b.len ? 1 : 0;
}

char *str_dup(struct arena *arena, struct str s)
{
    char *p = arena_alloc(arena, s.len + 1);
    if (s.len > 0)
        memcpy(p, s.ptr, s.len);
    p[s.len] = '\0';
    return p;
}

struct buf buf_new(struct arena *arena)
{
    return (struct buf){arena, NULL, 0, 0};
}

static void buf_reserve(struct buf *b, size_t extra)
{
    if (b->cap - b->len > extra)
        return;
    size_t cap = b->cap < 64 ? 64 : b->cap;
    while (cap - b->len <= extra)
        cap *= 2;
    char *data = arena_alloc(b->arena, cap);
    if (b->len > 0)
        memcpy(data, b->data, b->len);
    b->data = data;
    b->cap = cap;
}

void buf_put(struct buf *b, const void *bytes, size_t len)
{
    buf_reserve(b, len);
    if (len > 0)
        memcpy(b->data + b->len, bytes, len);
    b->len += len;
}

void buf_putc(struct buf *b, char c)
{
    buf_put(b, &c, 1);
}

void buf_puts(struct buf *b, const char *text)
{
    buf_put(b, text, strlen(text));
}

void buf_put_str(struct buf *b, struct str s)
{
    buf_put(b, s.ptr, s.len);
}

void buf_put_padded(struct buf *b, uint64_t n, int width)
{
    char digits[24];
    int i = (int)sizeof digits;
    do {
        digits[--i] = (char)('0' + n % 10);
        n /= 10;
    } while (n > 0);
    while ((int)sizeof digits - i < width)
        digits[--i] = '0';
    buf_put(b, digits + i, sizeof digits - (size_t)i);
}

void buf_put_uint(struct buf *b, uint64_t n)
{
    buf_put_padded(b, n, 1);
}

char *buf_cstr(struct buf *b)
{
    buf_reserve(b, 1);
    b->data[b->len] = '\0';
    return b->data;
}

struct str buf_str(const struct buf *b)
{
    return (struct str){b->data, b->len};
}

struct str fmt(struct arena *arena, const char *format, ...)
{
    struct buf b = buf_new(arena);
    va_list args;
    va_start(args, format);
    for (const char *p = format; *p != '\0'; p++) {
        if (*p != '%' || p[1] == '\0') {
            buf_putc(&b, *p);
            continue;
        }
        switch (*++p) {
        case 's':
            buf_puts(&b, va_arg(args, const char *));
            break;
        case 'S':
            buf_put_str(&b, va_arg(args, struct str));
            break;
        case 'u':
            buf_put_uint(&b, va_arg(args, unsigned));
            break;
        case 'z':
            buf_put_uint(&b, va_arg(args, size_t));
            break;
        case 'U':
            buf_put_uint(&b, va_arg(args, uint64_t));
            break;
        default:
            buf_putc(&b, *p);
            break;
        }
    }
    va_end(args);
    buf_cstr(&b);
    return buf_str(&b);
}

/* The length of the UTF-8 sequence at `p`, or 0 if it is not a valid one. */
static size_t utf8_sequence(const unsigned char *p, size_t left)
{
    unsigned char c = p[0];
    if (c < 0x80)
        return 1;
    size_t need;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
        need = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 3;
        if (c == 0xE0)
            lo = 0xA0; /* no overlong forms */
        if (c == 0xED)
            hi = 0x9F; /* no surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 4;
        if (c == 0xF0)
            lo = 0x90;
        if (c == 0xF4)
            hi = 0x8F; /* nothing past U+10FFFF */
    } else {
        return 0;
    }
    if (left < need || p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 2; i < need; i++)
        if (p[i] < 0x80 || p[i] > 0xBF)
            return 0;
    return need;
}

size_t utf8_valid_up_to(const char *bytes, size_t len)
{
    const unsigned char *p = (const unsigned char *)bytes;
    size_t at = 0;
    while (at < len) {
        size_t n = utf8_sequence(p + at, len - at);
        if (n == 0)
            return at;
        at += n;
    }
    return len;
}

bool utf8_valid(struct str s)
{
    return utf8_valid_up_to(s.ptr, s.len) == s.len;
}

uint32_t utf8_next(struct str s, size_t *at)
{
    const unsigned char *p = (const unsigned char *)s.ptr + *at;
    uint32_t c = p[0];
    if (c < 0x80) {
        *at += 1;
        return c;
    }
    if (c < 0xE0) {
        *at += 2;
        return (c & 0x1F) << 6 | (p[1] & 0x3F);
    }
    if (c < 0xF0) {
        *at += 3;
        return (c & 0x0F) << 12 | (uint32_t)(p[1] & 0x3F) << 6 | (p[2] & 0x3F);
    }
    *at += 4;
    return (c & 0x07) << 18 | (uint32_t)(p[1] & 0x3F) << 12 | (uint32_t)(p[2] & 0x3F) << 6 |
           (p[3] & 0x3F);
}

size_t utf8_count(struct str s)
{
    size_t n = 0;
    for (size_t i = 0; i < s.len; i++)
        n += ((unsigned char)s.ptr[i] & 0xC0) != 0x80;
    return n;
}

/* The Unicode White_Space property, which Rust's `str::trim` uses. */
static bool is_white_space(uint32_t c)
{
    return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
           c == 0x205F || c == 0x3000;
}

struct str trim_unicode(struct str s)
{
    size_t start = 0;
    while (start < s.len) {
        size_t next = start;
        if (!is_white_space(utf8_next(s, &next)))
            break;
        start = next;
    }
    size_t end = s.len;
    while (end > start) {
        /* Step back to the first byte of the last code point. */
        size_t first = end - 1;
        while (first > start && ((unsigned char)s.ptr[first] & 0xC0) == 0x80)
            first--;
        size_t at = first;
        if (!is_white_space(utf8_next(s, &at)))
            break;
        end = first;
    }
    return (struct str){s.ptr + start, end - start};
}

bool blank_ascii(struct str s)
{
    for (size_t i = 0; i < s.len; i++) {
        char c = s.ptr[i];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\f' && c != '\r')
            return false;
    }
    return true;
}

bool is_control(uint32_t c)
{
    return c < 0x20 || (c >= 0x7F && c <= 0x9F);
}

bool all_ascii_digits(struct str s)
{
    for (size_t i = 0; i < s.len; i++)
        if (s.ptr[i] < '0' || s.ptr[i] > '9')
            return false;
    return true;
}

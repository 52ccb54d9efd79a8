/*
 * The calendar arithmetic and the date spellings declared in date.h.
 */
#include "date.h"

#include <string.h>

/* Vietnam keeps one offset all year (no daylight saving), so a registry's local timestamps
 * convert to the standard's instants without a time-zone database. */
#define VIETNAM_OFFSET_SECONDS (7 * 3600)

static uint32_t days_in_month(uint32_t year, uint32_t month)
{
    switch (month) {
    case 4:
    case 6:
    case 9:
    case 11:
        return 30;
    case 2:
        return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28;
    default:
        return 31;
    }
}

bool date_new(uint32_t year, uint32_t month, uint32_t day, struct date *out)
{
    bool valid = year >= 1 && year <= 9999 && month >= 1 && month <= 12 && day >= 1 &&
                 day <= days_in_month(year, month);
    if (valid)
        *out = (struct date){year, month, day};
    return valid;
}

int date_cmp(struct date a, struct date b)
{
    uint32_t x = a.year * 10000 + a.month * 100 + a.day;
    uint32_t y = b.year * 10000 + b.month * 100 + b.day;
    return x < y ? -1 : x > y;
}

/* The value of a run of one to nine ASCII digits; false for anything else, signs included. */
static bool digits(struct str text, uint32_t *out)
{
    if (text.len == 0 || text.len > 9 || !all_ascii_digits(text))
        return false;
    uint32_t n = 0;
    for (size_t i = 0; i < text.len; i++)
        n = n * 10 + (uint32_t)(text.ptr[i] - '0');
    *out = n;
    return true;
}

static struct str sub(struct str s, size_t from, size_t to)
{
    return (struct str){s.ptr + from, to - from};
}

static struct fault not_a_day(struct arena *arena, struct str text)
{
    return fault("date", fmt(arena, "`%S` is not a day of the calendar", text));
}

struct fault date_parse_iso(struct arena *arena, struct str text, struct date *out)
{
    uint32_t y, m, d;
    bool shaped = text.len == 10 && text.ptr[4] == '-' && text.ptr[7] == '-' &&
                  digits(sub(text, 0, 4), &y) && digits(sub(text, 5, 7), &m) &&
                  digits(sub(text, 8, 10), &d);
    if (!shaped)
        return fault("format", fmt(arena, "`%S` is not a date written as YYYY-MM-DD", text));
    return date_new(y, m, d, out) ? FAULT_NONE : not_a_day(arena, text);
}

struct fault date_parse_local(struct arena *arena, struct str text, struct date *out)
{
    /* Exactly three parts between slashes. */
    struct str parts[3];
    size_t count = 0, start = 0;
    bool shaped = true;
    for (size_t i = 0; i <= text.len; i++) {
        if (i < text.len && text.ptr[i] != '/')
            continue;
        if (count == 3) {
            shaped = false;
            break;
        }
        parts[count++] = sub(text, start, i);
        start = i + 1;
    }
    uint32_t d, m, y;
    shaped = shaped && count == 3 && parts[0].len >= 1 && parts[0].len <= 2 &&
             parts[1].len >= 1 && parts[1].len <= 2 && parts[2].len == 4 &&
             digits(parts[0], &d) && digits(parts[1], &m) && digits(parts[2], &y);
    if (!shaped)
        return fault("format", fmt(arena, "`%S` is not a date written as dd/mm/yyyy", text));
    return date_new(y, m, d, out) ? FAULT_NONE : not_a_day(arena, text);
}

void date_write_local(struct buf *out, struct date d)
{
    buf_put_padded(out, d.day, 2);
    buf_putc(out, '/');
    buf_put_padded(out, d.month, 2);
    buf_putc(out, '/');
    buf_put_padded(out, d.year, 4);
}

void date_write_iso(struct buf *out, struct date d)
{
    buf_put_padded(out, d.year, 4);
    buf_putc(out, '-');
    buf_put_padded(out, d.month, 2);
    buf_putc(out, '-');
    buf_put_padded(out, d.day, 2);
}

/* Floor division and its remainder, for days and seconds before 1970. */
static int64_t div_floor(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int64_t mod_floor(int64_t a, int64_t b)
{
    return a - div_floor(a, b) * b;
}

/* Days since 1970-01-01 (negative before it). Counting years from 1 March puts the leap day
 * at the end of the year, so a year's length only matters once the whole year has passed. */
static int64_t days_since_epoch(struct date d)
{
    int64_t y = d.month <= 2 ? (int64_t)d.year - 1 : (int64_t)d.year;
    int64_t m = d.month <= 2 ? (int64_t)d.month + 9 : (int64_t)d.month - 3;
    int64_t day_of_year = (153 * m + 2) / 5 + (int64_t)d.day - 1;
    return y * 365 + y / 4 - y / 100 + y / 400 + day_of_year - 719468;
}

/* The inverse of days_since_epoch; false outside the years 1 to 9999. */
static bool from_days_since_epoch(int64_t days, struct date *out)
{
    int64_t shifted = days + 719468;
    int64_t era = div_floor(shifted, 146097);
    int64_t day_of_era = mod_floor(shifted, 146097);
    int64_t year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    int64_t m = (5 * day_of_year + 2) / 153;
    int64_t day = day_of_year - (153 * m + 2) / 5 + 1;
    int64_t month = m < 10 ? m + 3 : m - 9;
    int64_t year = era * 400 + year_of_era + (month <= 2);
    if (year < 0 || year > UINT32_MAX)
        return false;
    return date_new((uint32_t)year, (uint32_t)month, (uint32_t)day, out);
}

static bool two_digits(struct str text, uint32_t *out)
{
    return text.len == 2 && digits(text, out);
}

struct fault local_time_parse(struct arena *arena, struct str text, struct local_time *out)
{
    struct fault malformed = fault(
        "format", fmt(arena, "`%S` is not a time written as dd/mm/yyyy HH:MM:SS", text));
    const char *space = memchr(text.ptr, ' ', text.len);
    if (space == NULL)
        return malformed;
    struct str day = sub(text, 0, (size_t)(space - text.ptr));
    struct str clock = sub(text, day.len + 1, text.len);

    struct fault f = date_parse_local(arena, day, &out->date);
    if (f.code != NULL)
        return strcmp(f.code, "format") == 0 ? malformed : f;

    /* Two or three parts between colons; missing seconds are zero. */
    struct str parts[3] = {{NULL, 0}, {NULL, 0}, S("00")};
    size_t count = 0, start = 0;
    for (size_t i = 0; i <= clock.len; i++) {
        if (i < clock.len && clock.ptr[i] != ':')
            continue;
        if (count == 3)
            return malformed;
        parts[count++] = sub(clock, start, i);
        start = i + 1;
    }
    uint32_t h, m, s;
    if (count < 2 || !two_digits(parts[0], &h) || !two_digits(parts[1], &m) ||
        !two_digits(parts[2], &s))
        return malformed;
    if (h > 23 || m > 59 || s > 59)
        return fault("date", fmt(arena, "`%S` is not a time of day", text));
    out->seconds_of_day = h * 3600 + m * 60 + s;
    return FAULT_NONE;
}

/* `+HH:MM` or `-HH:MM` as seconds east of UTC. */
static bool parse_offset(struct str text, int64_t *out)
{
    if (text.len != 6 || text.ptr[3] != ':')
        return false;
    int64_t sign;
    if (text.ptr[0] == '+')
        sign = 1;
    else if (text.ptr[0] == '-')
        sign = -1;
    else
        return false;
    uint32_t h, m;
    if (!digits(sub(text, 1, 3), &h) || !digits(sub(text, 4, 6), &m) || h > 23 || m > 59)
        return false;
    *out = sign * (int64_t)(h * 3600 + m * 60);
    return true;
}

struct fault local_time_from_rfc3339(struct arena *arena, struct str text,
                                     struct local_time *out)
{
    struct fault malformed =
        fault("format", fmt(arena,
                            "`%S` is not a date-time written as YYYY-MM-DDTHH:MM:SS with an "
                            "offset",
                            text));
    /* Every fixed position up to the seconds is ASCII, so those bytes are characters. */
    if (text.len < 20)
        return malformed;
    for (size_t i = 0; i < 19; i++)
        if ((unsigned char)text.ptr[i] >= 0x80)
            return malformed;

    struct date date;
    struct fault f = date_parse_iso(arena, sub(text, 0, 10), &date);
    if (f.code != NULL)
        return strcmp(f.code, "format") == 0 ? malformed : f;
    const char *clock = text.ptr + 10;
    if ((clock[0] != 'T' && clock[0] != 't') || clock[3] != ':' || clock[6] != ':')
        return malformed;
    uint32_t h, m, s;
    if (!digits(sub(text, 11, 13), &h) || !digits(sub(text, 14, 16), &m) ||
        !digits(sub(text, 17, 19), &s))
        return malformed;

    struct str rest = sub(text, 19, text.len);
    if (rest.len > 0 && rest.ptr[0] == '.') {
        size_t n = 1;
        while (n < rest.len && rest.ptr[n] >= '0' && rest.ptr[n] <= '9')
            n++;
        if (n == 1)
            return malformed;
        rest = sub(rest, n, rest.len);
    }
    int64_t offset;
    if (str_eq_c(rest, "Z") || str_eq_c(rest, "z"))
        offset = 0;
    else if (!parse_offset(rest, &offset))
        return malformed;
    if (h > 23 || m > 59 || s > 59)
        return fault("date", fmt(arena, "`%S` is not a time of day", text));

    int64_t instant = days_since_epoch(date) * 86400 + (int64_t)(h * 3600 + m * 60 + s) - offset;
    int64_t local = instant + VIETNAM_OFFSET_SECONDS;
    if (!from_days_since_epoch(div_floor(local, 86400), &out->date))
        return fault("date", fmt(arena, "`%S` is too far from today", text));
    out->seconds_of_day = (uint32_t)mod_floor(local, 86400);
    return FAULT_NONE;
}

static void write_clock(struct buf *out, uint32_t s)
{
    buf_put_padded(out, s / 3600, 2);
    buf_putc(out, ':');
    buf_put_padded(out, s / 60 % 60, 2);
    buf_putc(out, ':');
    buf_put_padded(out, s % 60, 2);
}

void local_time_write_local(struct buf *out, struct local_time t)
{
    date_write_local(out, t.date);
    buf_putc(out, ' ');
    write_clock(out, t.seconds_of_day);
}

void local_time_write_rfc3339(struct buf *out, struct local_time t)
{
    date_write_iso(out, t.date);
    buf_putc(out, 'T');
    write_clock(out, t.seconds_of_day);
    buf_puts(out, "+07:00");
}

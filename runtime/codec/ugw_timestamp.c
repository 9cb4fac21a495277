/*
 * ugw_timestamp.c - RFC 3339 date-times as Unix milliseconds:
 * ugw_timestamp_parse() and ugw_timestamp_format().
 *
 * Days are counted with the proleptic Gregorian calendar's civil-day
 * algorithm (eras of 400 years), in int64_t: no time_t, no locale, no time
 * zone database.
 */
#include <ugw/ugw_runtime.h>

#define MS_PER_DAY INT64_C(86400000)

static bool leap(int64_t y)
{
    return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

static int month_days(int64_t y, int m)
{
    static const unsigned char days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    return m == 2 && leap(y) ? 29 : days[m - 1];
}

/* Days from 1970-01-01 to y-m-d (y >= 1). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    int64_t era, yoe, doy, doe;
    y -= m <= 2;
    era = y / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* The inverse, for days of years 1..9999. */
static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    int64_t era, doe, yoe, doy, mp;
    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

/* `n` digits at s[*i]; their value in *v. false (with *i at the first
 * non-digit, or at len) when there are fewer. */
static bool digits(const char *s, size_t len, size_t *i, int n, int *v)
{
    int x = 0;
    for (int k = 0; k < n; k++, (*i)++) {
        if (*i >= len || s[*i] < '0' || s[*i] > '9')
            return false;
        x = x * 10 + (s[*i] - '0');
    }
    *v = x;
    return true;
}

/* The character `c` at s[*i], consumed. */
static bool lit(const char *s, size_t len, size_t *i, char c)
{
    if (*i >= len || s[*i] != c)
        return false;
    (*i)++;
    return true;
}

/* A two-digit field at s[*i] within lo..hi; on failure *bad is where. */
static bool field2(const char *s, size_t len, size_t *i, int lo, int hi, int *v, size_t *bad)
{
    size_t at = *i;
    if (!digits(s, len, i, 2, v)) {
        *bad = *i;
        return false;
    }
    if (*v < lo || *v > hi) {
        *bad = at;
        return false;
    }
    return true;
}

/* ugw_timestamp_parse() returning the offset of the first bad byte, or
 * SIZE_MAX when the text is valid. */
static size_t parse(const char *s, size_t len, int64_t *ms)
{
    size_t i = 0, bad = 0;
    int y, mo, d, h, mi, sec, frac = 0, off = 0;
    int64_t v;
    if (!digits(s, len, &i, 4, &y))
        return i;
    if (y == 0)
        return 0;
    if (!lit(s, len, &i, '-'))
        return i;
    if (!field2(s, len, &i, 1, 12, &mo, &bad))
        return bad;
    if (!lit(s, len, &i, '-'))
        return i;
    if (!field2(s, len, &i, 1, month_days(y, mo), &d, &bad))
        return bad;
    if (i >= len || (s[i] != 'T' && s[i] != 't'))
        return i;
    i++;
    if (!field2(s, len, &i, 0, 23, &h, &bad))
        return bad;
    if (!lit(s, len, &i, ':'))
        return i;
    if (!field2(s, len, &i, 0, 59, &mi, &bad))
        return bad;
    if (!lit(s, len, &i, ':'))
        return i;
    if (!field2(s, len, &i, 0, 59, &sec, &bad))
        return bad;
    if (i < len && s[i] == '.') {
        int n = 0;
        i++;
        for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, n++) {
            if (n == 9)
                return i; /* more than nanoseconds */
            if (n < 3)
                frac = frac * 10 + (s[i] - '0');
        }
        if (n == 0)
            return i;
        for (; n < 3; n++)
            frac *= 10;
    }
    if (i >= len)
        return len;
    if (s[i] == 'Z' || s[i] == 'z') {
        i++;
    } else if (s[i] == '+' || s[i] == '-') {
        int oh, om;
        bool west = s[i] == '-';
        i++;
        if (!field2(s, len, &i, 0, 23, &oh, &bad))
            return bad;
        if (!lit(s, len, &i, ':'))
            return i;
        if (!field2(s, len, &i, 0, 59, &om, &bad))
            return bad;
        off = (oh * 60 + om) * (west ? -1 : 1);
    } else {
        return i;
    }
    if (i != len)
        return i;
    v = days_from_civil(y, mo, d) * MS_PER_DAY + ((int64_t)h * 3600 + (int64_t)mi * 60 + sec) * 1000 + frac
        - (int64_t)off * 60000;
    *ms = v;
    return SIZE_MAX;
}

bool ugw_timestamp_parse(const char *s, size_t len, int64_t *ms, size_t *bad)
{
    int64_t v = 0;
    size_t at = s ? parse(s, len, &v) : 0;
    if (at != SIZE_MAX) {
        if (bad)
            *bad = at;
        return false;
    }
    if (ms)
        *ms = v;
    return true;
}

size_t ugw_timestamp_format(char *out, int64_t ms)
{
    int64_t days, rest, y;
    int m, d, h, mi, sec, frac;
    char *p = out;
    if (!out)
        return 0;
    out[0] = 0;
    if (ms < UGW_TIMESTAMP_MIN || ms > UGW_TIMESTAMP_MAX)
        return 0;
    days = ms / MS_PER_DAY;
    rest = ms % MS_PER_DAY;
    if (rest < 0) {
        rest += MS_PER_DAY;
        days--;
    }
    civil_from_days(days, &y, &m, &d);
    h = (int)(rest / 3600000);
    mi = (int)(rest / 60000 % 60);
    sec = (int)(rest / 1000 % 60);
    frac = (int)(rest % 1000);
    {
        const int parts[] = { (int)y, 4, m, 2, d, 2, h, 2, mi, 2, sec, 2, frac, 3 };
        static const char seps[] = "--T::.Z";
        for (int k = 0; k < 7; k++) {
            int v = parts[2 * k], w = parts[2 * k + 1];
            for (int j = w - 1; j >= 0; j--, v /= 10)
                p[j] = (char)('0' + v % 10);
            p += w;
            *p++ = seps[k];
        }
    }
    *p = 0;
    return (size_t)(p - out);
}

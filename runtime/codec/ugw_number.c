/*
 * ugw_number.c - doubles as JSON text: ugw_fmt_double() and ugw_parse_double().
 *
 * Both are exact and ignore the caller's locale. Parsing takes a fast path
 * when the digits and the power of ten are exact doubles (Clinger's), else
 * glibc's correctly rounded strtod_l() in the "C" locale, on at most
 * PARSE_DIGITS significant digits plus a sticky one (enough to decide every
 * rounding). Formatting asks snprintf("%.*e") for the correctly rounded
 * digits (reading only the digits and exponent, so the locale's decimal
 * point does not matter) and keeps the shortest that read back exactly, as
 * Python's repr() does.
 */
#define _GNU_SOURCE /* strtod_l */
#include <ugw/ugw_runtime.h>

#include <locale.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Significant digits kept: a decimal that decides a rounding between two
 * doubles has at most 767 of them; a nonzero digit after these is kept as a
 * sticky 1. */
#define PARSE_DIGITS 800
/* Exponents beyond these are infinity or zero whatever the digits. */
#define EXP_CLAMP 100000

static _Atomic(locale_t) c_locale_cache;

/* The "C" locale, made once (glibc hands out a static object for it). */
static locale_t c_locale(void)
{
    locale_t l = atomic_load_explicit(&c_locale_cache, memory_order_acquire);
    if (l)
        return l;
    l = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    if (!l)
        return (locale_t)0;
    {
        locale_t expected = (locale_t)0;
        if (!atomic_compare_exchange_strong(&c_locale_cache, &expected, l)) {
            freelocale(l);
            l = expected;
        }
    }
    return l;
}

static const double pow10_exact[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
                                      1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22 };

/*
 * The double nearest to 0.<digits> * 10^exp10 (digits: n significant ASCII
 * digits, the first nonzero). false when it is infinite.
 */
static bool digits_to_double(const char *digits, size_t n, long exp10, bool neg, double *out)
{
    double v;
    /* value = D * 10^(exp10 - n) with D the integer of the digits */
    long e = exp10 - (long)n;
    if (n <= 15 && e >= -22 && e <= 22) {
        uint64_t d = 0;
        for (size_t i = 0; i < n; i++)
            d = d * 10 + (uint64_t)(digits[i] - '0');
        v = (double)d; /* exact: below 2^53 */
        v = e < 0 ? v / pow10_exact[-e] : v * pow10_exact[e];
    } else if (exp10 > 400) {
        return false;
    } else if (exp10 < -400) {
        v = 0.0;
    } else {
        char buf[PARSE_DIGITS + 24];
        locale_t loc = c_locale();
        size_t k = 0;
        if (!loc)
            return false;
        buf[k++] = '0';
        buf[k++] = '.';
        memcpy(buf + k, digits, n);
        k += n;
        snprintf(buf + k, sizeof buf - k, "e%ld", exp10);
        v = strtod_l(buf, NULL, loc);
    }
    if (isinf(v))
        return false;
    *out = neg ? -v : v;
    return true;
}

bool ugw_parse_double(const char *s, size_t len, double *out)
{
    char digits[PARSE_DIGITS + 1];
    size_t i = 0, n = 0;
    long exp10 = 0; /* of 0.<digits> */
    bool neg = false, sticky = false;
    if (!s || !out)
        return false;
    if (i < len && s[i] == '-') {
        neg = true;
        i++;
    }
    if (i >= len)
        return false;
    if (s[i] == '0') {
        i++;
    } else if (s[i] >= '1' && s[i] <= '9') {
        for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
            if (n < PARSE_DIGITS)
                digits[n++] = s[i];
            else if (s[i] != '0')
                sticky = true;
            if (exp10 < EXP_CLAMP)
                exp10++;
        }
    } else {
        return false;
    }
    if (i < len && s[i] == '.') {
        if (++i >= len || s[i] < '0' || s[i] > '9')
            return false;
        for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
            if (n == 0 && s[i] == '0') {
                if (exp10 > -EXP_CLAMP)
                    exp10--; /* leading zeros of a fraction */
                continue;
            }
            if (n < PARSE_DIGITS)
                digits[n++] = s[i];
            else if (s[i] != '0')
                sticky = true;
        }
    }
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        bool eneg = false;
        long ev = 0;
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-'))
            eneg = s[i++] == '-';
        if (i >= len || s[i] < '0' || s[i] > '9')
            return false;
        for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
            if (ev < EXP_CLAMP)
                ev = ev * 10 + (s[i] - '0');
        exp10 += eneg ? -ev : ev;
    }
    if (i != len)
        return false;
    while (n > 0 && digits[n - 1] == '0' && !sticky)
        n--; /* trailing zeros change nothing */
    if (n == 0) {
        *out = neg ? -0.0 : 0.0;
        return true;
    }
    if (sticky)
        digits[n++] = '1'; /* n was PARSE_DIGITS: room for one more */
    return digits_to_double(digits, n, exp10, neg, out);
}

/* The correctly rounded `prec` + 1 significant digits of |v| (> 0) into
 * digits[], and the decimal exponent of the first; returns the digit count. */
static size_t rounded_digits(double v, int prec, char *digits, int *exp10)
{
    char buf[64];
    int k = snprintf(buf, sizeof buf, "%.*e", prec, v);
    size_t n = 0;
    int j;
    if (k <= 0 || (size_t)k >= sizeof buf)
        return 0;
    /* digits, a decimal point of the locale, digits, 'e', sign, exponent */
    for (j = 0; j < k && buf[j] != 'e'; j++)
        if (buf[j] >= '0' && buf[j] <= '9')
            digits[n++] = buf[j];
    *exp10 = atoi(buf + j + 1);
    return n;
}

/* Whether 0.<digits> * 10^(exp10 + 1) reads back as v. */
static bool reads_back(const char *digits, size_t n, int exp10, double v)
{
    double r;
    return digits_to_double(digits, n, (long)exp10 + 1, false, &r) && r == v;
}

/* Adds one unit in the last place of digits[0..n); false when all were 9. */
static bool bump(char *digits, size_t n)
{
    while (n > 0) {
        if (digits[n - 1] != '9') {
            digits[n - 1]++;
            return true;
        }
        digits[--n] = '0';
    }
    return false;
}

size_t ugw_fmt_double(char *out, double v)
{
    char digits[32];
    size_t n = 0, k = 0;
    int e = 0;
    bool neg;
    if (!out)
        return 0;
    out[0] = 0;
    if (!isfinite(v))
        return 0;
    neg = signbit(v) != 0;
    if (neg)
        v = -v;
    if (v == 0.0) {
        digits[0] = '0';
        n = 1;
    } else {
        /* A power of two has a nearer neighbour below than above: the
         * shortest digits may lie above v where the nearest ones do not
         * read back. */
        uint64_t bits;
        bool pow2;
        memcpy(&bits, &v, sizeof bits);
        pow2 = (bits & ((UINT64_C(1) << 52) - 1)) == 0 && (bits >> 52) > 1;
        int prec = 0;
        for (; prec <= 16; prec++) {
            n = rounded_digits(v, prec, digits, &e);
            if (n && reads_back(digits, n, e, v))
                break;
            if (n && pow2 && bump(digits, n) && reads_back(digits, n, e, v))
                break;
        }
        if (prec > 16) /* never: 17 digits always read back */
            n = rounded_digits(v, 16, digits, &e);
        while (n > 1 && digits[n - 1] == '0')
            n--;
    }
    if (neg)
        out[k++] = '-';
    if (e >= -4 && e <= 15) {
        if (e < 0) {
            out[k++] = '0';
            out[k++] = '.';
            for (int z = 0; z < -e - 1; z++)
                out[k++] = '0';
            memcpy(out + k, digits, n);
            k += n;
        } else {
            size_t whole = (size_t)e + 1;
            for (size_t j = 0; j < whole; j++)
                out[k++] = j < n ? digits[j] : '0';
            out[k++] = '.';
            if (n > whole) {
                memcpy(out + k, digits + whole, n - whole);
                k += n - whole;
            } else {
                out[k++] = '0';
            }
        }
    } else {
        out[k++] = digits[0];
        if (n > 1) {
            out[k++] = '.';
            memcpy(out + k, digits + 1, n - 1);
            k += n - 1;
        }
        k += (size_t)snprintf(out + k, UGW_DOUBLE_MAX_LEN - k, "e%c%02d", e < 0 ? '-' : '+', e < 0 ? -e : e);
    }
    out[k] = 0;
    return k;
}

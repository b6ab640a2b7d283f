#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int cli_parse_u64(const char *text, int allow_hex, uint64_t *out)
{
    int hex = allow_hex && text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
    const char *digits = hex ? text + 2 : text;
    if (!(hex ? isxdigit((unsigned char)digits[0]) : isdigit((unsigned char)digits[0])))
        return -1;
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(digits, &end, hex ? 16 : 10);
    if (errno || *end != '\0')
        return -1;
    *out = (uint64_t)v;
    return 0;
}

int cli_u64(const char *cmd, const char *opt, const char *text, uint64_t lo, uint64_t hi, uint64_t *out)
{
    uint64_t v = 0;
    if (!text || !isdigit((unsigned char)text[0])) {
        fprintf(stderr, "pimattn %s: %s: '%s' is not a non-negative integer (allowed: %" PRIu64 "..%" PRIu64 ")\n",
                cmd, opt, text ? text : "", lo, hi);
        return -1;
    }
    if (cli_parse_u64(text, 0, &v)) {
        fprintf(stderr, "pimattn %s: %s: '%s' is not a decimal integer (allowed: %" PRIu64 "..%" PRIu64 ")\n", cmd, opt,
                text, lo, hi);
        return -1;
    }
    if (v < lo || v > hi) {
        fprintf(stderr, "pimattn %s: %s: %" PRIu64 " is out of range (allowed: %" PRIu64 "..%" PRIu64 ")\n", cmd, opt, v,
                lo, hi);
        return -1;
    }
    *out = v;
    return 0;
}

int cli_double(const char *cmd, const char *opt, const char *text, double lo, double hi, double *out)
{
    char *end = NULL;
    errno = 0;
    double v = text ? strtod(text, &end) : NAN;
    if (!text || end == text || *end != '\0' || errno || !(v >= lo && v <= hi)) {
        fprintf(stderr, "pimattn %s: %s: '%s' is not a number in [%g, %g]\n", cmd, opt, text ? text : "", lo, hi);
        return -1;
    }
    *out = v;
    return 0;
}

int cli_dotted(const char *text, unsigned *v, int maxn)
{
    int k = 0;
    const char *s = text;
    for (;;) {
        if (k == maxn || !isdigit((unsigned char)*s))
            return -1;
        uint64_t x = 0;
        for (; isdigit((unsigned char)*s); s++)
            if ((x = x * 10 + (uint64_t)(*s - '0')) > 0xFFFFFFu)
                return -1;
        v[k++] = (unsigned)x;
        if (*s == '\0')
            return k;
        if (*s++ != '.')
            return -1;
    }
}

int cli_bad_option(const char *cmd, int argc, char **argv, int optind_now, int optopt_now)
{
    const char *arg = optind_now - 1 < argc ? argv[optind_now - 1] : "";
    if (optopt_now)
        fprintf(stderr, "pimattn %s: option '%s' needs a value (see pimattn %s --help)\n", cmd, arg, cmd);
    else
        fprintf(stderr, "pimattn %s: unknown option '%s' (see pimattn %s --help)\n", cmd, arg, cmd);
    return CLI_EXIT_BAD_INPUT;
}

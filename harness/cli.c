#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int cli_u64(const char *cmd, const char *opt, const char *text, uint64_t lo, uint64_t hi, uint64_t *out)
{
    char *end = NULL;
    errno = 0;
    if (!text || !isdigit((unsigned char)text[0])) {
        fprintf(stderr, "pimattn %s: %s: '%s' is not a non-negative integer (allowed: %" PRIu64 "..%" PRIu64 ")\n",
                cmd, opt, text ? text : "", lo, hi);
        return -1;
    }
    unsigned long long v = strtoull(text, &end, 0);
    if (errno || *end != '\0' || v < lo || v > hi) {
        fprintf(stderr, "pimattn %s: %s: '%s' is out of range or malformed (allowed: %" PRIu64 "..%" PRIu64 ")\n",
                cmd, opt, text, lo, hi);
        return -1;
    }
    *out = (uint64_t)v;
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

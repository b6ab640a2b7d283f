#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int cli_u64_or(const char *cmd, const char *opt, const char *text, uint64_t lo, uint64_t hi, const char *word,
               uint64_t *out)
{
    char range[96];
    snprintf(range, sizeof range, "%" PRIu64 "..%" PRIu64 "%s%s", lo, hi, word ? ", " : "", word ? word : "");
    if (word && text && !strcmp(text, word)) {
        *out = 0;
        return 0;
    }
    uint64_t v = 0;
    if (!text || !isdigit((unsigned char)text[0])) {
        fprintf(stderr, "pimattn %s: %s: '%s' is not a non-negative integer (allowed: %s)\n", cmd, opt,
                text ? text : "", range);
        return -1;
    }
    if (cli_parse_u64(text, 0, &v)) {
        fprintf(stderr, "pimattn %s: %s: '%s' is not a decimal integer (allowed: %s)\n", cmd, opt, text, range);
        return -1;
    }
    if (v < lo || v > hi) {
        fprintf(stderr, "pimattn %s: %s: %" PRIu64 " is out of range (allowed: %s)\n", cmd, opt, v, range);
        return -1;
    }
    *out = v;
    return 0;
}

int cli_u64(const char *cmd, const char *opt, const char *text, uint64_t lo, uint64_t hi, uint64_t *out)
{
    return cli_u64_or(cmd, opt, text, lo, hi, NULL, out);
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

/* getopt_long returned '?': an unknown option, or one without its value (optopt is then its code). */
static int bad_option(const char *cmd, int argc, char **argv, int optind_now, int optopt_now)
{
    const char *arg = optind_now - 1 < argc ? argv[optind_now - 1] : "";
    if (optopt_now)
        fprintf(stderr, "pimattn %s: option '%s' needs a value (see pimattn %s --help)\n", cmd, arg, cmd);
    else
        fprintf(stderr, "pimattn %s: unknown option '%s' (see pimattn %s --help)\n", cmd, arg, cmd);
    return CLI_EXIT_BAD_INPUT;
}

static int choice(const char *cmd, const char *opt, const char *text, const char *const *words, int *out)
{
    for (int i = 0; words[i]; i++)
        if (!strcmp(text, words[i]))
            return *out = i, 0;
    fprintf(stderr, "pimattn %s: %s: '%s' (allowed:", cmd, opt, text);
    for (int i = 0; words[i]; i++)
        fprintf(stderr, "%s %s", i ? "," : "", words[i]);
    fprintf(stderr, ")\n");
    return -1;
}

/* One option's value into its destination; 0 or -1 (printed). */
static int take(const char *cmd, const cli_opt *o, const char *text)
{
    char opt[64];
    snprintf(opt, sizeof opt, "--%s", o->name);
    int rc = 0;
    switch (o->kind) {
    case CLI_FLAG: *(int *)o->dst = 1; break;
    case CLI_STR: *(const char **)o->dst = text; break;
    case CLI_U64:
        rc = cli_u64_or(cmd, opt, text, o->lo, o->hi, o->words ? o->words[0] : NULL, o->dst);
        break;
    case CLI_DOUBLE: rc = cli_double(cmd, opt, text, o->dlo, o->dhi, o->dst); break;
    case CLI_CHOICE: rc = choice(cmd, opt, text, o->words, o->dst); break;
    case CLI_LIST: {
        cli_list *l = o->dst;
        if (l->n == CLI_LIST_MAX) {
            fprintf(stderr, "pimattn %s: %s: given more than %d times (allowed: at most %d)\n", cmd, opt, CLI_LIST_MAX,
                    CLI_LIST_MAX);
            rc = -1;
        } else {
            l->v[l->n++] = text;
        }
        break;
    }
    }
    if (!rc && o->given)
        *o->given = 1;
    return rc;
}

enum { CLI_MAX_OPTS = 63, CLI_CODE = 256 }; /* getopt_long's codes: CLI_CODE + index, CLI_CODE + n = --help */

int cli_options(const char *cmd, const char *help, const cli_opt *opts, int n, int argc, char **argv, int *args)
{
    struct option lo[CLI_MAX_OPTS + 2];
    if (n > CLI_MAX_OPTS) {
        fprintf(stderr, "pimattn %s: internal error: %d options (at most %d)\n", cmd, n, CLI_MAX_OPTS);
        return CLI_EXIT_BAD_INPUT;
    }
    for (int i = 0; i < n; i++)
        lo[i] = (struct option){opts[i].name, opts[i].kind == CLI_FLAG ? no_argument : required_argument, NULL,
                                CLI_CODE + i};
    lo[n] = (struct option){"help", no_argument, NULL, CLI_CODE + n};
    lo[n + 1] = (struct option){0, 0, 0, 0};
    optind = 1;
    opterr = 0;
    for (int c; (c = getopt_long(argc, argv, "", lo, NULL)) != -1;) {
        if (c == CLI_CODE + n) {
            fputs(help, stdout);
            return 0;
        }
        if (c < CLI_CODE || c > CLI_CODE + n)
            return bad_option(cmd, argc, argv, optind, optopt);
        if (take(cmd, &opts[c - CLI_CODE], optarg))
            return CLI_EXIT_BAD_INPUT;
    }
    if (args) {
        *args = optind;
    } else if (optind < argc) {
        fprintf(stderr, "pimattn %s: unexpected argument '%s' (options start with --; see --help)\n", cmd, argv[optind]);
        return CLI_EXIT_BAD_INPUT;
    }
    return CLI_GO;
}

int cli_bad(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "pimattn %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return CLI_EXIT_BAD_INPUT;
}

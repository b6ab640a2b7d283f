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

/* The messages of bad values, without "pimattn CMD: --OPT: " (cli_value_check); 0, or -1 with why. */
static int u64_why(const char *text, uint64_t lo, uint64_t hi, const char *word, uint64_t *out, char *why, size_t n)
{
    char range[96];
    snprintf(range, sizeof range, "%" PRIu64 "..%" PRIu64 "%s%s", lo, hi, word ? ", " : "", word ? word : "");
    if (word && text && !strcmp(text, word)) {
        *out = 0;
        return 0;
    }
    uint64_t v = 0;
    if (!text || !isdigit((unsigned char)text[0]))
        return snprintf(why, n, "'%s' is not a non-negative integer (allowed: %s)", text ? text : "", range), -1;
    if (cli_parse_u64(text, 0, &v))
        return snprintf(why, n, "'%s' is not a decimal integer (allowed: %s)", text, range), -1;
    if (v < lo || v > hi)
        return snprintf(why, n, "%" PRIu64 " is out of range (allowed: %s)", v, range), -1;
    *out = v;
    return 0;
}

static int double_why(const char *text, double lo, double hi, double *out, char *why, size_t n)
{
    char *end = NULL;
    errno = 0;
    double v = text ? strtod(text, &end) : NAN;
    if (!text || end == text || *end != '\0' || errno || !(v >= lo && v <= hi))
        return snprintf(why, n, "'%s' is not a number in [%g, %g]", text ? text : "", lo, hi), -1;
    *out = v;
    return 0;
}

static int choice_why(const char *text, const char *const *words, int *out, char *why, size_t n)
{
    for (int i = 0; words[i]; i++)
        if (!strcmp(text, words[i]))
            return *out = i, 0;
    size_t k = (size_t)snprintf(why, n, "'%s' (allowed:", text);
    for (int i = 0; words[i] && k < n; i++)
        k += (size_t)snprintf(why + k, n - k, "%s %s", i ? "," : "", words[i]);
    if (k < n)
        snprintf(why + k, n - k, ")");
    return -1;
}

int cli_u64_or(const char *cmd, const char *opt, const char *text, uint64_t lo, uint64_t hi, const char *word,
               uint64_t *out)
{
    char why[1024];
    if (u64_why(text, lo, hi, word, out, why, sizeof why))
        return fprintf(stderr, "pimattn %s: %s: %s\n", cmd, opt, why), -1;
    return 0;
}

int cli_u64(const char *cmd, const char *opt, const char *text, uint64_t lo, uint64_t hi, uint64_t *out)
{
    return cli_u64_or(cmd, opt, text, lo, hi, NULL, out);
}

int cli_double(const char *cmd, const char *opt, const char *text, double lo, double hi, double *out)
{
    char why[1024];
    if (double_why(text, lo, hi, out, why, sizeof why))
        return fprintf(stderr, "pimattn %s: %s: %s\n", cmd, opt, why), -1;
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

/* getopt_long returned '?': an unknown option, or one without its value (known: optopt is then its code or
 * letter). */
static int bad_option(const char *cmd, int argc, char **argv, int optind_now, int optopt_now, int known)
{
    const char *arg = optind_now - 1 < argc ? argv[optind_now - 1] : "";
    if (optopt_now && known)
        fprintf(stderr, "pimattn %s: option '%s' needs a value (see pimattn %s --help)\n", cmd, arg, cmd);
    else
        fprintf(stderr, "pimattn %s: unknown option '%s' (see pimattn %s --help)\n", cmd, arg, cmd);
    return CLI_EXIT_BAD_INPUT;
}

static int choice(const char *cmd, const char *opt, const char *text, const char *const *words, int *out)
{
    char why[1024];
    if (choice_why(text, words, out, why, sizeof why))
        return fprintf(stderr, "pimattn %s: %s: %s\n", cmd, opt, why), -1;
    return 0;
}

int cli_value_check(const cli_opt *o, const char *text, char *why, size_t n)
{
    uint64_t u;
    double d;
    int c;
    switch (o->kind) {
    case CLI_U64: return u64_why(text, o->lo, o->hi, o->words ? o->words[0] : NULL, &u, why, n);
    case CLI_DOUBLE: return double_why(text, o->dlo, o->dhi, &d, why, n);
    case CLI_CHOICE: return choice_why(text ? text : "", o->words, &c, why, n);
    case CLI_FLAG:
    case CLI_STR:
    case CLI_LIST: break;
    }
    return 0;
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
    char shorts[2 * CLI_MAX_OPTS + 1];
    size_t ns = 0;
    if (n > CLI_MAX_OPTS) {
        fprintf(stderr, "pimattn %s: internal error: %d options (at most %d)\n", cmd, n, CLI_MAX_OPTS);
        return CLI_EXIT_BAD_INPUT;
    }
    for (int i = 0; i < n; i++) {
        lo[i] = (struct option){opts[i].name, opts[i].kind == CLI_FLAG ? no_argument : required_argument, NULL,
                                CLI_CODE + i};
        if (opts[i].letter) {
            shorts[ns++] = opts[i].letter;
            if (opts[i].kind != CLI_FLAG)
                shorts[ns++] = ':';
        }
    }
    shorts[ns] = '\0';
    lo[n] = (struct option){"help", no_argument, NULL, CLI_CODE + n};
    lo[n + 1] = (struct option){0, 0, 0, 0};
    optind = 0; /* glibc: a full reset (1 would keep the permutation state of an earlier call) */
    opterr = 0;
    for (int c; (c = getopt_long(argc, argv, shorts, lo, NULL)) != -1;) {
        if (c == CLI_CODE + n) {
            fputs(help, stdout);
            return 0;
        }
        for (int i = 0; c > 0 && c < CLI_CODE && i < n; i++)
            if (opts[i].letter == c)
                c = CLI_CODE + i;
        if (c < CLI_CODE || c > CLI_CODE + n)
            return bad_option(cmd, argc, argv, optind, optopt,
                              optopt >= CLI_CODE || (optopt > 0 && optopt < 128 && strchr(shorts, optopt)));
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

int cli_opts_export(const cli_opt *t, int n, cli_opt *out, int max)
{
    int k = n < max ? n : max;
    for (int i = 0; i < k; i++)
        out[i] = t[i], out[i].dst = NULL, out[i].given = NULL;
    return k;
}

/* cli.h — what pimattn's subcommands share: one option parser driven by a table of the command's
 * options, strict number parsing and usage errors.
 * Every error is printed as "pimattn CMD: --OPTION: 'TEXT' ... (allowed: ...)" on stderr; the caller
 * exits with status 2 (bad input). */
#ifndef PIMATTN_CLI_H
#define PIMATTN_CLI_H

#include <stddef.h>
#include <stdint.h>

/* Numbers are decimal everywhere (a leading 0 is not octal); with allow_hex, "0x..." is hexadecimal.
 * cli_parse_u64(): the whole text must be the number; 0, or -1 (no message). */
int cli_parse_u64(const char *text, int allow_hex, uint64_t *out);
int cli_u64(const char *cmd, const char *opt, const char *text, uint64_t lo, uint64_t hi, uint64_t *out);
/* cli_u64, or the text is word (if not NULL): *out = 0 (a range that excludes 0 tells them apart). */
int cli_u64_or(const char *cmd, const char *opt, const char *text, uint64_t lo, uint64_t hi, const char *word,
               uint64_t *out);
int cli_double(const char *cmd, const char *opt, const char *text, double lo, double hi, double *out);

/* "N.N[.N...]": up to maxn decimal fields (each < 2^24) into v; the number of fields, or -1. */
int cli_dotted(const char *text, unsigned *v, int maxn);

#define CLI_EXIT_BAD_INPUT 2

/* Bad input: prints "pimattn CMD: MESSAGE" as one line on stderr; returns CLI_EXIT_BAD_INPUT. */
int cli_bad(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* One option, --NAME, and where its value goes. */
typedef enum cli_kind {
    CLI_FLAG,   /* no value: *(int *)dst = 1 */
    CLI_STR,    /* *(const char **)dst = the text (checked by the command) */
    CLI_U64,    /* a decimal integer in lo..hi into *(uint64_t *)dst; or the word words[0], if any: 0 */
    CLI_DOUBLE, /* a decimal number in dlo..dhi into *(double *)dst */
    CLI_CHOICE, /* one of words[] (NULL-terminated): its index into *(int *)dst */
    CLI_LIST,   /* repeatable: each text appended to *(cli_list *)dst, at most CLI_LIST_MAX */
} cli_kind;

#define CLI_LIST_MAX 64
typedef struct cli_list {
    const char *v[CLI_LIST_MAX];
    int n;
} cli_list;

typedef struct cli_opt {
    const char *name;
    cli_kind kind;
    void *dst;
    uint64_t lo, hi;
    double dlo, dhi;
    const char *const *words;
    int *given; /* optional: set to 1 when the option appears */
    char letter; /* optional: also -LETTER (with a value: -L V or -LV), e.g. sweep's -j N */
} cli_opt;

#define CLI_OPT_FLAG(n, d) {.name = (n), .kind = CLI_FLAG, .dst = (d)}
#define CLI_OPT_STR(n, d) {.name = (n), .kind = CLI_STR, .dst = (d)}
#define CLI_OPT_U64(n, d, l, h) {.name = (n), .kind = CLI_U64, .dst = (d), .lo = (l), .hi = (h)}
#define CLI_OPT_DOUBLE(n, d, l, h) {.name = (n), .kind = CLI_DOUBLE, .dst = (d), .dlo = (l), .dhi = (h)}
#define CLI_OPT_CHOICE(n, d, w) {.name = (n), .kind = CLI_CHOICE, .dst = (d), .words = (w)}
#define CLI_OPT_LIST(n, d) {.name = (n), .kind = CLI_LIST, .dst = (d)}

/* Parses argv[1..argc-1] (argv[0] is the command) against the n options and --help. args NULL: no other
 * argument is allowed; else *args is the index of the first argument that is not an option.
 * Returns CLI_GO to carry on, 0 after printing help to stdout (--help), or CLI_EXIT_BAD_INPUT after
 * printing what was wrong: an unknown option, a missing or bad value, an unexpected argument. */
#define CLI_GO (-1)
#define CLI_NOPTS(table) ((int)(sizeof(table) / sizeof((table)[0])))
int cli_options(const char *cmd, const char *help, const cli_opt *opts, int n, int argc, char **argv, int *args);

/* The first min(n, max) options of t copied to out with no destinations (dst, given NULL): a command's
 * table for reading its names and ranges (pimattn sweep). Returns the number copied. */
int cli_opts_export(const cli_opt *t, int n, cli_opt *out, int max);

/* Whether text is a valid value of option o, without printing: 0, or -1 with why = what cli_options would
 * print after "pimattn CMD: --NAME: " (e.g. "'x' (allowed: fp32, fp16)", "0 is out of range (allowed:
 * 1..64)"). Flags, strings and list items are always valid here (their commands check them). */
int cli_value_check(const cli_opt *o, const char *text, char *why, size_t n);

#endif

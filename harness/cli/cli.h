/* cli.h — small helpers shared by pimattn subcommands: strict number parsing and usage errors.
 * All parse functions return 0 on success, or print "pimattn CMD: OPTION: 'TEXT' ..." with the allowed
 * range to stderr and return -1. Callers exit with status 2 on -1 (bad input). */
#ifndef PIMATTN_CLI_H
#define PIMATTN_CLI_H

#include <stdint.h>

/* Numbers are decimal everywhere (a leading 0 is not octal); with allow_hex, "0x..." is hexadecimal.
 * cli_parse_u64(): the whole text must be the number; 0, or -1 (no message). */
int cli_parse_u64(const char *text, int allow_hex, uint64_t *out);
int cli_u64(const char *cmd, const char *opt, const char *text, uint64_t lo, uint64_t hi, uint64_t *out);
int cli_double(const char *cmd, const char *opt, const char *text, double lo, double hi, double *out);

/* "N.N[.N...]": up to maxn decimal fields (each < 2^24) into v; the number of fields, or -1. */
int cli_dotted(const char *text, unsigned *v, int maxn);

#define CLI_EXIT_BAD_INPUT 2

/* getopt_long returned '?' (call it with opterr = 0): "pimattn CMD: unknown option 'X'" or "option 'X'
 * needs a value", with a pointer to --help; returns CLI_EXIT_BAD_INPUT. */
int cli_bad_option(const char *cmd, int argc, char **argv, int optind_now, int optopt_now);

#endif

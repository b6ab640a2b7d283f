/* cli.h — small helpers shared by pimattn subcommands: strict number parsing and usage errors.
 * All parse functions return 0 on success, or print "pimattn CMD: OPTION: 'TEXT' ..." with the allowed
 * range to stderr and return -1. Callers exit with status 2 on -1 (bad input). */
#ifndef PIMATTN_CLI_H
#define PIMATTN_CLI_H

#include <stdint.h>

int cli_u64(const char *cmd, const char *opt, const char *text, uint64_t lo, uint64_t hi, uint64_t *out);
int cli_double(const char *cmd, const char *opt, const char *text, double lo, double hi, double *out);

#define CLI_EXIT_BAD_INPUT 2

#endif

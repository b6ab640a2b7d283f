/* cmd.h — pimattn subcommands. Each takes (argc, argv) with argv[0] = the command name and returns the
 * process exit status: 0 success, 1 a check failed (mismatch), 2 bad input. */
#ifndef PIMATTN_CMD_H
#define PIMATTN_CMD_H

#include <stdio.h>

#include "cli.h"
#include "cosim.h"

int cmd_run(int argc, char **argv);
int cmd_system(int argc, char **argv);
int cmd_prims(int argc, char **argv);
int cmd_wave(int argc, char **argv);
int cmd_gemv(int argc, char **argv);
int cmd_softmax(int argc, char **argv);
int cmd_hbm(int argc, char **argv);
int cmd_check_trace(int argc, char **argv);

/* The option tables of the commands `pimattn sweep` runs, for checking grid files without a second list of
 * option names: names, kinds, ranges and words as the command parses them (dst and given NULL) into out
 * (at most max entries); the number written. */
#define CMD_MAX_OPTS 63
int cmd_run_options(cli_opt *out, int max);
int cmd_system_options(cli_opt *out, int max);

/* What the unit commands share (unit_args.c): the GEMV --pattern words in gemv_pattern order,
 * NULL-terminated; the --only build of a family, loaded: its ops table, or NULL after printing that the
 * name is unknown (with the family's builds) or not built (exit 2). */
extern const char *const gemv_pattern_names[];
const void *unit_build_arg(const char *cmd, vu_family f, const char *name);

/* The GTKWave save file of a GEMV build's waveform (cmd_wave.c) on f: streams, pipeline, rows, results.
 * base: the FST file name relative to the save file. 0, or -1 (a write failed). */
int gemv_gtkw_emit(const vgemv_ops *ops, FILE *f, const char *base);

#endif

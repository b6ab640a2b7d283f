/* cmd.h — pimattn subcommands. Each takes (argc, argv) with argv[0] = the command name and returns the
 * process exit status: 0 success, 1 a check failed (mismatch), 2 bad input. */
#ifndef PIMATTN_CMD_H
#define PIMATTN_CMD_H

#include <stdio.h>

#include "cosim.h"

int cmd_run(int argc, char **argv);
int cmd_prims(int argc, char **argv);
int cmd_wave(int argc, char **argv);
int cmd_gemv(int argc, char **argv);
int cmd_softmax(int argc, char **argv);
int cmd_hbm(int argc, char **argv);
int cmd_check_trace(int argc, char **argv);

/* Option parsers shared by the GEMV commands (cmd_gemv.c): print the error, return -1. */
int gemv_pattern_parse(const char *cmd, const char *text, gemv_pattern *out);
int gemv_build_parse(const char *cmd, const char *text, const vgemv_ops **out);

/* The GTKWave save file of a GEMV build's waveform (cmd_wave.c) on f: streams, pipeline, rows, results.
 * base: the FST file name relative to the save file. 0, or -1 (a write failed). */
int gemv_gtkw_emit(const vgemv_ops *ops, FILE *f, const char *base);

#endif

/* gtkw.h — writes a portable GTKWave save file (.gtkw): the dump file is named relative to the save
 * file's directory, so "gtkwave DIR/x.fst DIR/x.gtkw" works wherever DIR is moved.
 * Signals are full hierarchical names as they appear in the dump ("top.fp16_mul.a_i[15:0]"; the shim
 * names the model instance "top"), optionally preceded by a display alias: "{row 0 sum} top.x.sum_o[7:0]".
 * gtkw_emit() writes to a stream (outfile.h makes it atomic and checks the close); returns 0, or -1 if
 * a write failed. */
#ifndef PIMATTN_GTKW_H
#define PIMATTN_GTKW_H

#include <stddef.h>
#include <stdio.h>

typedef struct gtkw_group {
    const char *name;
    const char *const *signals; /* NULL-terminated */
} gtkw_group;

int gtkw_emit(FILE *f, const char *dumpfile_basename, const gtkw_group *groups, size_t ngroups);

#endif

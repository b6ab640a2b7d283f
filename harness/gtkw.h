/* gtkw.h — writes a portable GTKWave save file (.gtkw): the dump file is named relative to the save
 * file's directory, so "gtkwave DIR/x.fst DIR/x.gtkw" works wherever DIR is moved.
 * Signals are full hierarchical names as they appear in the dump ("top.fp16_mul.a_i[15:0]"; the shim
 * names the model instance "top"), optionally preceded by a display alias: "{row 0 sum} top.x.sum_o[7:0]".
 * Returns 0, or -1 if the file cannot be written (no partial file is left behind). */
#ifndef PIMATTN_GTKW_H
#define PIMATTN_GTKW_H

#include <stddef.h>

typedef struct gtkw_group {
    const char *name;
    const char *const *signals; /* NULL-terminated */
} gtkw_group;

int gtkw_write(const char *path, const char *dumpfile_basename, const gtkw_group *groups, size_t ngroups);

#endif

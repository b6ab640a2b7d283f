/* outfile.h — every file a pimattn command writes goes through here.
 *
 * A command declares its outputs (out_add) and the files it reads (out_add_input) before it does any work,
 * then checks them all at once (out_check), so an unusable path costs no simulation:
 *  - a path's directory must exist and be writable; the path must not be a directory;
 *  - no two outputs may be the same file (the same text, the same resolved path or the same inode),
 *    and no output may be one of the command's inputs.
 * A failed check prints nothing; err says "OPTION: PATH: what (allowed: ...)" and the command exits 2.
 *
 * How a file is written:
 *  - A regular file, or a path that does not exist yet: into a unique temporary in the same directory
 *    (".NAME.XXXXXX", mkstemp), renamed over the target by out_commit. A reader never sees a half-written
 *    file, and a run that fails leaves the old file as it was. A symbolic link is followed: the file it
 *    names is replaced, the link stays.
 *  - Anything else (a device such as /dev/null, a FIFO, a socket): written in place, never replaced.
 *  - Writers that need a path rather than a stream (the FST writer) get the temporary's path
 *    (out_path); for a target that is not a regular file that temporary is in $TMPDIR and out_commit
 *    copies it into the target in place.
 * out_commit checks every write, the flush and the close; a failure (a full disk) is reported as
 * "OPTION: PATH: strerror" and the command exits 1. out_set_free removes every temporary not committed.
 *
 * Temporaries are also removed when the process gets SIGINT, SIGTERM or SIGHUP: the signal handler can
 * only find them through static storage, so outfile.c keeps a fixed table of the live temporaries' names
 * (the one piece of process-wide state in the harness; a handler has no other way in).
 */
#ifndef PIMATTN_OUTFILE_H
#define PIMATTN_OUTFILE_H

#include <stddef.h>
#include <stdio.h>

typedef struct out_set out_set;
typedef struct out_file out_file;

out_set *out_set_new(void);
/* Removes every temporary that was not committed, closes streams, frees. NULL is fine. */
void out_set_free(out_set *s);
/* Declares an output written under option `opt` (e.g. "--json"); NULL if path is NULL. The strings are
 * not copied and must outlive the set. */
out_file *out_add(out_set *s, const char *opt, const char *path);
/* Declares a file the command reads (NULL is ignored), so no output can overwrite it. */
void out_add_input(out_set *s, const char *opt, const char *path);
/* The checks above; 0, or -1 with err (exit 2). */
int out_check(out_set *s, char *err, size_t n);

/* A stream to write the output to (the temporary, or the target in place); NULL with err on failure. */
FILE *out_open(out_file *o, char *err, size_t n);
/* A path to hand to a writer that opens the file itself (a fresh, empty temporary); NULL with err. */
const char *out_path(out_file *o, char *err, size_t n);
/* Finishes the output: 0, or -1 with err "OPTION: PATH: why" (exit 1); the temporary is gone either way. */
int out_commit(out_file *o, char *err, size_t n);
/* The writer behind out_path() failed without saying why: drops the output (as out_abort) and fills err
 * with "OPTION: PATH: why", the cause named when it can be seen (a full file system). */
void out_writer_failed(out_file *o, char *err, size_t n);
/* Drops the output: the temporary is removed, the target is left as it was. */
void out_abort(out_file *o);
/* The path as the user gave it, and its option. */
const char *out_target(const out_file *o);
const char *out_option(const out_file *o);

/* Writes all of buf to f; 0 or -1 (ferror set). Convenience for text outputs. */
int out_write_all(FILE *f, const void *buf, size_t len);

#endif

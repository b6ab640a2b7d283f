/* fuzz_util.h — what the libFuzzer targets (make fuzz) share: the input as a file, for the readers that
 * take a path. One file per process, rewritten for every input. */
#ifndef PIMATTN_FUZZ_UTIL_H
#define PIMATTN_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Writes data to this process's input file and returns its path (abort on an I/O failure: not the
 * code under test). */
static inline const char *fuzz_file(const uint8_t *data, size_t size, const char *suffix)
{
    static char path[256];
    if (!path[0]) {
        const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
        snprintf(path, sizeof path, "%s/pimattn-fuzz-%ld%s", dir, (long)getpid(), suffix);
    }
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f))
        abort();
    return path;
}

#endif

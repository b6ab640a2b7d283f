/* textio.c — line reader (textio.h). */
#include "textio.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct lines {
    FILE *f;
    int is_stdin;
    const char *path;
    char *buf;
    size_t cap;
    uint64_t line;
};

lines *lines_open(const char *path, char *err, size_t n)
{
    lines *r = calloc(1, sizeof *r);
    if (!r)
        return snprintf(err, n, "out of memory"), NULL;
    r->path = path;
    r->is_stdin = !strcmp(path, "-");
    r->f = r->is_stdin ? stdin : fopen(path, "r");
    struct stat st;
    if (!r->f) {
        snprintf(err, n, "%s: cannot open: %s", path, strerror(errno));
    } else if (fstat(fileno(r->f), &st) == 0 && S_ISDIR(st.st_mode)) {
        snprintf(err, n, "%s: is a directory (allowed: a text file)", path);
    } else {
        return r;
    }
    lines_close(r);
    return NULL;
}

int lines_next(lines *r, char **line, char *err, size_t n)
{
    errno = 0;
    ssize_t k = getline(&r->buf, &r->cap, r->f);
    if (k < 0) {
        if (ferror(r->f))
            return snprintf(err, n, "%s:%llu: read error: %s", r->path, (unsigned long long)r->line + 1,
                            strerror(errno ? errno : EIO)),
                   -1;
        if (errno == ENOMEM)
            return snprintf(err, n, "%s:%llu: out of memory", r->path, (unsigned long long)r->line + 1), -1;
        return 0;
    }
    r->line++;
    if (memchr(r->buf, '\0', (size_t)k))
        return snprintf(err, n, "%s:%llu: the line holds a NUL byte (allowed: text)", r->path,
                        (unsigned long long)r->line),
               -1;
    while (k > 0 && (r->buf[k - 1] == '\n' || r->buf[k - 1] == '\r'))
        r->buf[--k] = '\0';
    *line = r->buf;
    return 1;
}

uint64_t lines_number(const lines *r) { return r->line; }

void lines_close(lines *r)
{
    if (!r)
        return;
    if (r->f && !r->is_stdin)
        fclose(r->f);
    free(r->buf);
    free(r);
}

/* tmpdir.h — the command-line tests' scratch directory and shell (tests/test_sweep.c, tests/test_plot.c): the
 * test defines TMPDIR_NAME ("/tmp/test_NAME.XXXXXX") before including this; setup calls mkdtemp(dir). path()
 * returns dir/name in one of 8 rotating buffers (copy what must outlive 7 more calls), put() writes a file
 * there, sh() runs a shell command (printf-style) and returns its exit status, or 128 + the signal. */
#ifndef PIMATTN_TESTS_TMPDIR_H
#define PIMATTN_TESTS_TMPDIR_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

static char dir[] = TMPDIR_NAME;

static inline const char *path(const char *name)
{
    static char p[8][512];
    static int k;
    k = (k + 1) % 8;
    snprintf(p[k], sizeof p[k], "%s/%s", dir, name);
    return p[k];
}

static inline void put(const char *name, const char *text)
{
    FILE *f = fopen(path(name), "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

#endif

/* tb_cfg.h — what the configuration tests share (test_hbm_cfg, test_system_cfg; tests/ only, header-only):
 * a configuration type is handled through a tb_cfg_ops of its load, write and diff functions.
 *
 * Contract
 *  - TB_CFG_DIFF: an X-macro entry (section, key, member, kind, ...) that appends " section.key" (or
 *    " key" for section `top`) to buf at len when a->member and b->member differ; kinds U, F, B, E, S.
 *  - tb_write_file(path, text): writes text to path (asserts it worked).
 *  - tb_cfg_load_ok(ops, path, cfg): loads or fails the test with the loader's message.
 *  - tb_cfg_round_trip(ops, dir, cfg): writes cfg to DIR/rt.yaml, loads it back and fails the test
 *    naming the fields that differ; removes the file.
 *  - tb_cfg_without(ops, dir, cfg, drop, section): writes cfg to DIR/full.yaml without the line that
 *    starts with `drop`; returns the line number of the line `section` (e.g. "timing:\n") in that file.
 *  - tb_cfg_bad(ops, path, c, exact): c's text in path must fail to load with -1, *out untouched, a
 *    message that starts with "PATH:LINE: " and says what is allowed, and contains c->says (exact: is
 *    exactly "PATH:LINE: " followed by c->says); removes the file.
 *  - tb_cfg_rmdir(dir, rc): removes what the tests left in dir and dir itself; a leftover after passing
 *    tests (rc 0) is reported and makes the result 1. Returns the exit status.
 */
#ifndef PIMATTN_TB_CFG_H
#define PIMATTN_TB_CFG_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TB_CFG_SAME_U(a, b) ((a) == (b))
#define TB_CFG_SAME_F(a, b) ((a) == (b))
#define TB_CFG_SAME_B(a, b) ((a) == (b))
#define TB_CFG_SAME_E(a, b) ((a) == (b))
#define TB_CFG_SAME_S(a, b) (!strcmp(a, b))
#define TB_CFG_DIFF(sec, key, member, kind, lo, hi, doc)                                                      \
    if (!TB_CFG_SAME_##kind(a->member, b->member))                                                            \
        len += (size_t)snprintf(buf + len, n - len, "%s%s%s" #key, len ? " " : "", strcmp(#sec, "top") ? #sec : "", \
                                strcmp(#sec, "top") ? "." : "");

typedef struct {
    size_t size;
    int (*load)(const char *path, void *out, char *err, size_t n);
    void (*write)(const void *cfg, FILE *f);
    const char *(*diff)(const void *a, const void *b); /* the differing keys, space-separated, or "" */
} tb_cfg_ops;

typedef struct {
    const char *what, *text;
    unsigned line;
    const char *says;
} tb_cfg_case;

static inline void tb_write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static inline void tb_cfg_load_ok(const tb_cfg_ops *o, const char *path, void *c)
{
    char err[1024];
    if (o->load(path, c, err, sizeof err))
        fail_msg("%s: %s", path, err);
}

static inline void tb_cfg_round_trip(const tb_cfg_ops *o, const char *dir, const void *c)
{
    char path[256];
    void *w = malloc(o->size);
    assert_non_null(w);
    snprintf(path, sizeof path, "%s/rt.yaml", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    o->write(c, f);
    assert_int_equal(fclose(f), 0);
    tb_cfg_load_ok(o, path, w);
    const char *d = o->diff(c, w);
    if (*d)
        fail_msg("write/load round trip of '%s' differs in: %s", (const char *)c, d); /* the name comes first */
    free(w);
    assert_int_equal(remove(path), 0);
}

static inline unsigned tb_cfg_without(const tb_cfg_ops *o, const char *dir, const void *c, const char *drop,
                                      const char *section)
{
    char path[256], line[256], text[8192] = "";
    unsigned ln = 0, sec_line = 0;
    snprintf(path, sizeof path, "%s/full.yaml", dir);
    FILE *f = fopen(path, "w+");
    assert_non_null(f);
    o->write(c, f);
    rewind(f);
    while (fgets(line, sizeof line, f))
        if (strncmp(line, drop, strlen(drop))) {
            strcat(text, line);
            if (!strcmp(line, section))
                sec_line = ln + 1;
            ln++;
        }
    assert_int_equal(fclose(f), 0);
    tb_write_file(path, text);
    assert_true(sec_line > 0);
    return sec_line;
}

static inline void tb_cfg_bad(const tb_cfg_ops *o, const char *path, const tb_cfg_case *c, int exact)
{
    char err[1024], want[1024];
    tb_write_file(path, c->text);
    unsigned char *out = malloc(o->size), *sentinel = malloc(o->size);
    assert_true(out && sentinel);
    memset(out, 0xA5, o->size);
    memcpy(sentinel, out, o->size);
    err[0] = '\0';
    int rc = o->load(path, out, err, sizeof err);
    int n = snprintf(want, sizeof want, "%s:%u: ", path, c->line);
    if (exact)
        snprintf(want + n, sizeof want - (size_t)n, "%s", c->says);
    if (rc != -1 || strncmp(err, want, (size_t)n) || !strstr(err, c->says) || (exact && strcmp(err, want)))
        fail_msg("%s: rc %d, message\n  '%s'\nwant\n  '%s%s%s'", c->what, rc, err, want, exact ? "" : "...",
                 exact ? "" : c->says);
    if (!strstr(err, "(allowed: "))
        fail_msg("%s: message '%s' does not say what is allowed", c->what, err);
    if (memcmp(out, sentinel, o->size))
        fail_msg("%s: the output was modified on error", c->what);
    free(out), free(sentinel);
    assert_int_equal(remove(path), 0);
}

static inline int tb_cfg_rmdir(const char *dir, int rc)
{
    DIR *d = opendir(dir);
    char path[512];
    for (struct dirent *e; d && (e = readdir(d));)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            remove(path);
            if (!rc)
                fprintf(stderr, "left behind: %s\n", path), rc = 1;
        }
    if (d)
        closedir(d);
    if (rmdir(dir))
        perror(dir), rc = 1;
    return rc;
}

#endif

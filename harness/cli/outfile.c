/* outfile.c — checked, atomic output files (outfile.h). */
#define _XOPEN_SOURCE 700 /* realpath */
#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#define OUT_MAX 16
#define OUT_PATH 4096

struct out_file {
    const char *opt, *path;
    int in_place;          /* not a regular file: written where it is */
    int exists;            /* the target existed at out_check */
    mode_t mode;           /* the mode the finished file gets */
    dev_t dev;
    ino_t ino;
    char final[OUT_PATH];  /* the resolved target (what the temporary is renamed to) */
    char tmp[OUT_PATH];    /* the temporary, "" if none */
    const char *side;      /* a side file the writer may leave beside the temporary (tmp + side) */
    int reg;               /* registry slot of tmp, -1 if none */
    char *buf;             /* the stream's buffer (OUT_BUF bytes), freed after its fclose; NULL: stdio's */
    FILE *f;
    int done;
};

struct out_set {
    out_file o[OUT_MAX];
    size_t n;
    const char *in_opt[OUT_MAX], *in_path[OUT_MAX];
    size_t nin;
};

/* ---- temporaries removed on SIGINT / SIGTERM / SIGHUP -------------------------------------------------- */

#define REG_MAX 32
static char reg_name[REG_MAX][2][OUT_PATH];
static volatile sig_atomic_t reg_used[REG_MAX];

static void on_signal(int sig)
{
    for (int i = 0; i < REG_MAX; i++)
        if (reg_used[i]) {
            unlink(reg_name[i][0]);
            if (reg_name[i][1][0])
                unlink(reg_name[i][1]);
        }
    signal(sig, SIG_DFL);
    raise(sig);
}

static void install_handlers(void)
{
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        struct sigaction old, sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        /* a signal the caller ignores (nohup) stays ignored */
        if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN && old.sa_handler != on_signal)
            sigaction(sigs[i], &sa, NULL);
    }
}

static int reg_add(const char *name, const char *side)
{
    install_handlers();
    for (int i = 0; i < REG_MAX; i++)
        if (!reg_used[i]) {
            snprintf(reg_name[i][0], OUT_PATH, "%s", name);
            if (side)
                snprintf(reg_name[i][1], OUT_PATH, "%s%s", name, side);
            else
                reg_name[i][1][0] = '\0';
            reg_used[i] = 1;
            return i;
        }
    return -1;
}

static void reg_drop(int i)
{
    if (i >= 0)
        reg_used[i] = 0;
}

/* ---- declaring and checking ----------------------------------------------------------------------------- */

out_set *out_set_new(void) { return calloc(1, sizeof(out_set)); }

out_file *out_add(out_set *s, const char *opt, const char *path)
{
    if (!path || s->n == OUT_MAX)
        return NULL;
    out_file *o = &s->o[s->n++];
    memset(o, 0, sizeof *o);
    o->opt = opt, o->path = path, o->reg = -1;
    return o;
}

void out_add_input(out_set *s, const char *opt, const char *path)
{
    if (path && strcmp(path, "-") && s->nin < OUT_MAX)
        s->in_opt[s->nin] = opt, s->in_path[s->nin++] = path;
}

/* The directory part of path into dir ("." if none). */
static void dir_of(const char *path, char *dir, size_t n)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, n, ".");
    else if (slash == path)
        snprintf(dir, n, "/");
    else
        snprintf(dir, n, "%.*s", (int)(slash - path), path);
}

static const char *base_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static mode_t default_mode(void)
{
    mode_t m = umask(0);
    umask(m);
    return 0666 & ~m;
}

/* Where o goes and how; 0, or -1 with err. */
static int resolve(out_file *o, char *err, size_t n)
{
    struct stat st;
    char dir[OUT_PATH], rdir[PATH_MAX];
    const char *p = o->path;
    if (!p[0])
        return snprintf(err, n, "%s: the path is empty (allowed: a file path)", o->opt), -1;
    if (stat(p, &st) == 0) {
        o->exists = 1, o->dev = st.st_dev, o->ino = st.st_ino;
        if (S_ISDIR(st.st_mode))
            return snprintf(err, n, "%s: %s is a directory (allowed: a file path)", o->opt, p), -1;
        if (!S_ISREG(st.st_mode)) { /* a device, a FIFO, a socket: written in place */
            o->in_place = 1;
            snprintf(o->final, sizeof o->final, "%s", p);
            if (access(p, W_OK))
                return snprintf(err, n, "%s: %s: %s", o->opt, p, strerror(errno)), -1;
            return 0;
        }
        char real[PATH_MAX];
        if (!realpath(p, real))
            return snprintf(err, n, "%s: %s: %s", o->opt, p, strerror(errno)), -1;
        snprintf(o->final, sizeof o->final, "%s", real);
        o->mode = st.st_mode & 07777;
    } else if (errno != ENOENT) {
        return snprintf(err, n, "%s: %s: %s", o->opt, p, strerror(errno)), -1;
    } else if (lstat(p, &st) == 0) { /* a dangling symbolic link: fopen creates what it names */
        o->in_place = 1;
        snprintf(o->final, sizeof o->final, "%s", p);
        return 0;
    } else {
        dir_of(p, dir, sizeof dir);
        if (stat(dir, &st))
            return snprintf(err, n, "%s: %s: directory '%s' does not exist (allowed: a path in an existing directory)",
                            o->opt, p, dir),
                   -1;
        if (!S_ISDIR(st.st_mode))
            return snprintf(err, n, "%s: %s: '%s' is not a directory", o->opt, p, dir), -1;
        if (!realpath(dir, rdir))
            return snprintf(err, n, "%s: %s: %s", o->opt, p, strerror(errno)), -1;
        if (!strcmp(base_of(p), "") || !strcmp(base_of(p), ".") || !strcmp(base_of(p), ".."))
            return snprintf(err, n, "%s: %s names a directory (allowed: a file path)", o->opt, p), -1;
        int k = snprintf(o->final, sizeof o->final, "%s/%s", strcmp(rdir, "/") ? rdir : "", base_of(p));
        if (k < 0 || (size_t)k >= sizeof o->final)
            return snprintf(err, n, "%s: %s: path too long", o->opt, p), -1;
        o->mode = default_mode();
    }
    dir_of(o->final, dir, sizeof dir);
    if (access(dir, W_OK | X_OK))
        return snprintf(err, n, "%s: %s: directory '%s' is not writable (%s; pimattn writes a temporary file there and "
                                "renames it)", o->opt, p, dir, strerror(errno)),
               -1;
    return 0;
}

static int same_file(const char *a, const char *b)
{
    struct stat x, y;
    return stat(a, &x) == 0 && stat(b, &y) == 0 && x.st_dev == y.st_dev && x.st_ino == y.st_ino;
}

int out_check(out_set *s, char *err, size_t n)
{
    for (size_t i = 0; i < s->n; i++) {
        out_file *o = &s->o[i];
        if (resolve(o, err, n))
            return -1;
        for (size_t j = 0; j < i; j++) {
            const out_file *q = &s->o[j];
            if (!strcmp(o->final, q->final) || (o->exists && q->exists && o->dev == q->dev && o->ino == q->ino))
                return snprintf(err, n, "%s: %s is the same file as %s %s (allowed: a different file for each output)",
                                o->opt, o->path, q->opt, q->path),
                       -1;
        }
        for (size_t j = 0; j < s->nin; j++) {
            char real[PATH_MAX];
            if ((o->exists && same_file(o->path, s->in_path[j])) ||
                (realpath(s->in_path[j], real) && !strcmp(real, o->final)))
                return snprintf(err, n, "%s: %s is the input of %s (allowed: an output that is not one of the inputs)",
                                o->opt, o->path, s->in_opt[j]),
                       -1;
        }
    }
    return 0;
}

/* ---- writing -------------------------------------------------------------------------------------------- */

/* A fresh temporary: beside the target (regular) or in $TMPDIR (in place); the fd, or -1 with err. */
static int make_temp(out_file *o, const char *side, char *err, size_t n)
{
    if (o->in_place) {
        const char *t = getenv("TMPDIR");
        snprintf(o->tmp, sizeof o->tmp, "%s/pimattn.XXXXXX", t && t[0] ? t : "/tmp");
    } else {
        char dir[OUT_PATH];
        dir_of(o->final, dir, sizeof dir);
        int k = snprintf(o->tmp, sizeof o->tmp, "%s/.%s.XXXXXX", dir, base_of(o->final));
        if (k < 0 || (size_t)k >= sizeof o->tmp)
            return snprintf(err, n, "%s: %s: path too long", o->opt, o->path), o->tmp[0] = '\0', -1;
    }
    int fd = mkstemp(o->tmp);
    if (fd < 0) {
        snprintf(err, n, "%s: %s: cannot create a temporary file: %s", o->opt, o->path, strerror(errno));
        o->tmp[0] = '\0';
        return -1;
    }
    o->side = side;
    o->reg = reg_add(o->tmp, side);
    if (!o->in_place)
        (void)fchmod(fd, o->mode);
    return fd;
}

static void drop_temp(out_file *o)
{
    if (o->tmp[0]) {
        unlink(o->tmp);
        if (o->side) {
            char s[OUT_PATH + 16];
            snprintf(s, sizeof s, "%s%s", o->tmp, o->side);
            unlink(s);
        }
    }
    reg_drop(o->reg);
    o->reg = -1;
    o->tmp[0] = '\0';
}

/* A large buffer for o's stream: a command log is millions of short lines, and stdio's default
 * (st_blksize, 4 KiB here) costs one write(2) per 4 KiB. Without memory, stdio's own buffer stays. */
#define OUT_BUF (1u << 20)
static FILE *buffered(out_file *o)
{
    if (o->f && (o->buf = malloc(OUT_BUF)) && setvbuf(o->f, o->buf, _IOFBF, OUT_BUF))
        free(o->buf), o->buf = NULL;
    return o->f;
}

static void close_stream(out_file *o, int *e)
{
    if (fclose(o->f) && e && !*e)
        *e = errno;
    o->f = NULL;
    free(o->buf);
    o->buf = NULL;
}

FILE *out_open(out_file *o, char *err, size_t n)
{
    if (o->in_place) {
        if (!(o->f = fopen(o->final, "w")))
            snprintf(err, n, "%s: %s: %s", o->opt, o->path, strerror(errno));
        return buffered(o);
    }
    int fd = make_temp(o, NULL, err, n);
    if (fd < 0)
        return NULL;
    if (!(o->f = fdopen(fd, "w"))) {
        snprintf(err, n, "%s: %s: %s", o->opt, o->path, strerror(errno));
        close(fd);
        drop_temp(o);
    }
    return buffered(o);
}

const char *out_path(out_file *o, char *err, size_t n)
{
    int fd = make_temp(o, ".hier", err, n); /* the FST writer's side file */
    if (fd < 0)
        return NULL;
    close(fd);
    return o->tmp;
}

/* errno of a stream whose error flag is set, when the failing call is long past. */
static int stream_errno(FILE *f)
{
    struct statvfs v;
    return fstatvfs(fileno(f), &v) == 0 && v.f_bavail == 0 ? ENOSPC : EIO;
}

static int copy_into(const char *from, const char *to, int *e)
{
    FILE *a = fopen(from, "rb"), *b = a ? fopen(to, "w") : NULL;
    char buf[65536];
    size_t k;
    int ok = a && b;
    *e = errno;
    while (ok && (k = fread(buf, 1, sizeof buf, a)) > 0)
        if (fwrite(buf, 1, k, b) != k)
            ok = 0, *e = errno;
    if (ok && ferror(a))
        ok = 0, *e = EIO;
    if (b && fclose(b) && ok)
        ok = 0, *e = errno;
    if (a)
        fclose(a);
    return ok ? 0 : -1;
}

int out_commit(out_file *o, char *err, size_t n)
{
    int e = 0;
    if (o->f) {
        if (fflush(o->f))
            e = errno;
        else if (ferror(o->f))
            e = stream_errno(o->f);
        close_stream(o, &e);
    } else if (o->in_place && o->tmp[0]) {
        if (copy_into(o->tmp, o->final, &e))
            e = e ? e : EIO;
        else
            e = 0;
    }
    if (!e && !o->in_place && o->tmp[0] && rename(o->tmp, o->final))
        e = errno;
    if (!e && !o->in_place)
        o->tmp[0] = '\0'; /* renamed: nothing left to remove */
    drop_temp(o);
    o->done = 1;
    if (e)
        return snprintf(err, n, "%s: %s: %s", o->opt, o->path, strerror(e)), -1;
    return 0;
}

void out_writer_failed(out_file *o, char *err, size_t n)
{
    char dir[OUT_PATH];
    struct statvfs v;
    dir_of(o->tmp[0] ? o->tmp : o->final, dir, sizeof dir);
    int full = statvfs(dir, &v) == 0 && v.f_bavail == 0;
    snprintf(err, n, "%s: %s: %s", o->opt, o->path,
             full ? strerror(ENOSPC) : "the file could not be written completely (a full file system or a file-size limit)");
    out_abort(o);
}

void out_abort(out_file *o)
{
    if (!o || o->done)
        return;
    if (o->f)
        close_stream(o, NULL);
    drop_temp(o);
    o->done = 1;
}

void out_set_free(out_set *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        out_abort(&s->o[i]);
    free(s);
}

const char *out_target(const out_file *o) { return o->path; }
const char *out_option(const out_file *o) { return o->opt; }

int out_write_all(FILE *f, const void *buf, size_t len) { return fwrite(buf, 1, len, f) == len ? 0 : -1; }

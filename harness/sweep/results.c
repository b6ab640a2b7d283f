/* results.c — a sweep's results directory (sweep.h): DIR/results.csv and DIR/results.jsonl, checked, compacted
 * and locked when opened, appended row by row, and merged from the tasks of an emitted job array. */
#define _DEFAULT_SOURCE /* flock */
#include "sweep.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sweep_int.h"

#define PATH_N 4096

/* ---- a set of keys ------------------------------------------------------------------------------------------ */

typedef struct keyset {
    uint64_t *slot; /* 0 = empty; key 0 is kept apart */
    size_t cap, n;
    int zero;
} keyset;

static size_t ks_find(const keyset *s, uint64_t k)
{
    size_t i = (size_t)(k * 0x9E3779B97F4A7C15ull) & (s->cap - 1);
    while (s->slot[i] && s->slot[i] != k)
        i = (i + 1) & (s->cap - 1);
    return i;
}

static int ks_has(const keyset *s, uint64_t k) { return k ? s->cap && s->slot[ks_find(s, k)] == k : s->zero; }

static int ks_add(keyset *s, uint64_t k)
{
    if (!k)
        return s->zero = 1, 0;
    if (2 * (s->n + 1) > s->cap) {
        keyset g = {.cap = s->cap ? 2 * s->cap : 1024, .zero = s->zero};
        if (!(g.slot = calloc(g.cap, sizeof *g.slot)))
            return -1;
        for (size_t i = 0; i < s->cap; i++)
            if (s->slot[i])
                g.slot[ks_find(&g, s->slot[i])] = s->slot[i], g.n++;
        free(s->slot);
        *s = g;
    }
    size_t i = ks_find(s, k);
    if (s->slot[i] != k)
        s->slot[i] = k, s->n++;
    return 0;
}

/* ---- one directory's rows -------------------------------------------------------------------------------------- */

void sweep_rows_free(sweep_rowset *s)
{
    for (int i = 0; i < s->n; i++)
        free(s->r[i].csv), free(s->r[i].jsonl);
    free(s->r);
    free(s->header);
    memset(s, 0, sizeof *s);
}

int sweep_rows_add(sweep_rowset *s, const sweep_row *x)
{
    if (s->n == s->cap) {
        sweep_row *g = realloc(s->r, (size_t)(s->cap = s->cap ? 2 * s->cap : 64) * sizeof *g);
        if (!g)
            return -1;
        s->r = g;
    }
    s->r[s->n++] = *x;
    return 0;
}

/* The whole file; *buf NULL and 0 when it does not exist; SWEEP_EIO with err. */
static int slurp(const char *path, char **buf, size_t *len, char *err, size_t n)
{
    *buf = NULL, *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return errno == ENOENT ? 0 : (snprintf(err, n, "%s: cannot open: %s", path, strerror(errno)), SWEEP_EIO);
    sbuf b = {0};
    char chunk[65536];
    size_t k;
    while ((k = fread(chunk, 1, sizeof chunk, f)) > 0)
        sb_put(&b, chunk, k);
    int bad = ferror(f) || b.oom;
    fclose(f);
    *len = b.len;
    *buf = sb_take(&b);
    if (bad || !*buf) {
        free(*buf), *buf = NULL;
        return snprintf(err, n, "%s: cannot read", path), SWEEP_EIO;
    }
    return 0;
}

static int hex_key(const char *s, size_t len, uint64_t *k)
{
    if (len != 16)
        return -1;
    uint64_t v = 0;
    for (size_t i = 0; i < 16; i++) {
        int c = tolower((unsigned char)s[i]);
        if (!isxdigit(c))
            return -1;
        v = v * 16 + (uint64_t)(isdigit(c) ? c - '0' : c - 'a' + 10);
    }
    *k = v;
    return 0;
}

/* The JSONL lines that parse, sorted by key, status class (ok or skipped before failed) and position. */
typedef struct jl_index {
    uint64_t key;
    int failed, pos;
    const char *line;
    size_t len;
} jl_index;

static int jl_cmp(const void *a, const void *b)
{
    const jl_index *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    if (x->failed != y->failed)
        return x->failed - y->failed;
    return x->pos - y->pos;
}

static int jl_parse(char *text, size_t len, jl_index **out, int *nout, int *dropped)
{
    int n = 0, cap = 0;
    jl_index *v = NULL;
    for (char *p = text; p < text + len;) {
        char *nl = memchr(p, '\n', (size_t)(text + len - p));
        if (!nl) { /* cut by a kill */
            (*dropped)++;
            break;
        }
        *nl = '\0';
        cJSON *j = cJSON_Parse(p);
        const cJSON *k = cJSON_GetObjectItemCaseSensitive(j, "key"), *s = cJSON_GetObjectItemCaseSensitive(j, "status");
        uint64_t key;
        int ok = cJSON_IsString(k) && cJSON_IsString(s) && !hex_key(k->valuestring, strlen(k->valuestring), &key) &&
                 (!strcmp(s->valuestring, "ok") || !strcmp(s->valuestring, "skipped") ||
                  !strcmp(s->valuestring, "failed"));
        if (ok && n == cap) {
            jl_index *g = realloc(v, (size_t)(cap = cap ? 2 * cap : 64) * sizeof *g);
            if (!g) {
                cJSON_Delete(j);
                free(v);
                return -1;
            }
            v = g;
        }
        if (ok)
            v[n] = (jl_index){key, !strcmp(s->valuestring, "failed"), n, p, (size_t)(nl - p)}, n++;
        else
            (*dropped)++;
        cJSON_Delete(j);
        p = nl + 1;
    }
    if (n)
        qsort(v, (size_t)n, sizeof *v, jl_cmp);
    *out = v, *nout = n;
    return 0;
}

/* The first JSONL line of key with the given status class, or NULL. */
static const jl_index *jl_find(const jl_index *v, int n, uint64_t key, int failed)
{
    int lo = 0, hi = n; /* the first entry not below (key, failed) */
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (v[mid].key < key || (v[mid].key == key && v[mid].failed < failed))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && v[lo].key == key && v[lo].failed == failed ? &v[lo] : NULL;
}

static void join(char *out, const char *dir, const char *name) { snprintf(out, PATH_N, "%s/%s", dir, name); }

/* How two headers differ: "column 3 is 'batch' there, 'gemv' in this grid's header". */
static void header_difference(const char *have, const char *want, char *buf, size_t n)
{
    const char *a = have, *b = want;
    for (int col = 1;; col++) {
        size_t la = strcspn(a, ",\n"), lb = strcspn(b, ",\n");
        int enda = a[la] != ',', endb = b[lb] != ',';
        if (la != lb || strncmp(a, b, la)) {
            snprintf(buf, n, "column %d is '%.*s' there, '%.*s' in this grid's header", col, (int)la, a, (int)lb, b);
            return;
        }
        if (enda || endb) {
            snprintf(buf, n, "it has %d columns, this grid's header %s", col, enda && endb ? "the same" : enda ? "more"
                                                                                                           : "fewer");
            return;
        }
        a += la + 1, b += lb + 1;
    }
}

/* DIR's rows: the CSV's rows, in order, that have their JSONL line (same key and status class); without
 * keep_failed only ok and skipped rows, each key once. expected: the header the CSV must have (NULL: any).
 * rs->header stays NULL when there are no results. 0, SWEEP_EBAD or SWEEP_EIO with err. */
int sweep_load_dir(const char *dir, const char *expected, int keep_failed, sweep_rowset *rs, char *err, size_t n)
{
    char cp[PATH_N], jp[PATH_N];
    join(cp, dir, "results.csv");
    join(jp, dir, "results.jsonl");
    memset(rs, 0, sizeof *rs);
    char *csv = NULL, *jl = NULL;
    size_t cl = 0, jlen = 0;
    int rc = slurp(cp, &csv, &cl, err, n);
    if (!rc)
        rc = slurp(jp, &jl, &jlen, err, n);
    char *nl = csv ? memchr(csv, '\n', cl) : NULL;
    if (!rc && !nl && (cl || jlen))
        rc = SWEEP_EBAD, snprintf(err, n, "%s: %s (allowed: the results.csv and results.jsonl of one pimattn sweep, or "
                                  "neither)", cl ? cp : jp, cl ? "no header line" : "has rows, but results.csv is missing");
    if (!rc && nl && !(rs->header = strndup(csv, (size_t)(nl - csv + 1))))
        rc = SWEEP_EIO, snprintf(err, n, "%s: out of memory", cp);
    if (!rc && nl && expected && strcmp(rs->header, expected)) {
        char d[256];
        header_difference(rs->header, expected, d, sizeof d);
        rc = SWEEP_EBAD, snprintf(err, n, "%s: written for another grid: %s (allowed: the grid and --area that wrote it, "
                                  "or another --out)", cp, d);
    }
    jl_index *ji = NULL;
    int nj = 0;
    if (!rc && nl && jl_parse(jl, jlen, &ji, &nj, &rs->dropped))
        rc = SWEEP_EIO, snprintf(err, n, "%s: out of memory", jp);
    keyset seen = {0};
    for (char *p = nl ? nl + 1 : NULL; !rc && p && p < csv + cl;) {
        char *e = memchr(p, '\n', (size_t)(csv + cl - p));
        if (!e) {
            rs->dropped++;
            break;
        }
        size_t kl = strcspn(p, ",\n");
        const char *st = p + kl + (p[kl] == ','); /* the status, or the line's end (matching none) */
        int failed = !strncmp(st, "failed,", 7), good = !strncmp(st, "ok,", 3) || !strncmp(st, "skipped,", 8);
        uint64_t key = 0;
        const jl_index *j = !hex_key(p, kl, &key) && (good || failed) ? jl_find(ji, nj, key, failed) : NULL;
        if (!j || (failed && !keep_failed) || (!keep_failed && ks_has(&seen, key))) {
            rs->dropped++;
        } else {
            sweep_row r = {key, failed, strndup(p, (size_t)(e - p + 1)), malloc(j->len + 2)};
            if (r.jsonl)
                memcpy(r.jsonl, j->line, j->len), r.jsonl[j->len] = '\n', r.jsonl[j->len + 1] = '\0';
            if (!r.csv || !r.jsonl || ks_add(&seen, key) || sweep_rows_add(rs, &r)) {
                free(r.csv), free(r.jsonl);
                rc = SWEEP_EIO, snprintf(err, n, "%s: out of memory", cp);
            }
        }
        p = e + 1;
    }
    if (!rc && rs->n != nj)
        rs->dropped++; /* JSONL lines without their CSV row, or duplicates */
    free(seen.slot);
    free(ji);
    free(csv);
    free(jl);
    if (rc)
        sweep_rows_free(rs);
    return rc;
}

/* DIR/NAME written whole (header, then each row's CSV or JSONL line) through a temporary and a rename. */
static int write_whole(const char *dir, const char *name, const char *header, const sweep_rowset *rs, int jsonl, char *err,
                       size_t n)
{
    char path[PATH_N], tmp[PATH_N + 16];
    join(path, dir, name);
    snprintf(tmp, sizeof tmp, "%s/.%s.XXXXXX", dir, name);
    int fd = mkstemp(tmp);
    if (fd < 0)
        return snprintf(err, n, "%s: cannot create a temporary file: %s", path, strerror(errno)), SWEEP_EIO;
    FILE *f = fdopen(fd, "w");
    int bad = !f;
    if (f && header)
        bad |= fputs(header, f) == EOF;
    for (int i = 0; f && !bad && i < rs->n; i++)
        bad |= fputs(jsonl ? rs->r[i].jsonl : rs->r[i].csv, f) == EOF;
    int e = bad ? errno : 0;
    if (f && fclose(f) && !bad)
        bad = 1, e = errno;
    if (!f)
        close(fd);
    mode_t m = umask(0);
    umask(m);
    if (!bad)
        chmod(tmp, 0666 & ~m);
    if (!bad && rename(tmp, path))
        bad = 1, e = errno;
    if (bad) {
        unlink(tmp);
        return snprintf(err, n, "%s: %s", path, strerror(e ? e : EIO)), SWEEP_EIO;
    }
    return 0;
}

int sweep_write_both(const char *dir, const sweep_rowset *rs, char *err, size_t n)
{
    int rc = write_whole(dir, "results.jsonl", NULL, rs, 1, err, n); /* a kill between the two: the next open mends */
    return rc ? rc : write_whole(dir, "results.csv", rs->header, rs, 0, err, n);
}

/* An exclusive lock on DIR/.lock: the fd, or -1 with err (SWEEP_EBAD in *rc when another sweep holds it). */
int sweep_lock_dir(const char *dir, int *rc, char *err, size_t n)
{
    char p[PATH_N];
    join(p, dir, ".lock");
    int fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0)
        return *rc = SWEEP_EIO, snprintf(err, n, "%s: %s", p, strerror(errno)), -1;
    if (flock(fd, LOCK_EX | LOCK_NB)) {
        int e = errno;
        close(fd);
        *rc = e == EWOULDBLOCK ? SWEEP_EBAD : SWEEP_EIO;
        if (e == EWOULDBLOCK)
            snprintf(err, n, "%s: in use by another pimattn sweep (allowed: one sweep per directory at a time)", dir);
        else
            snprintf(err, n, "%s: %s", p, strerror(e));
        return -1;
    }
    return fd;
}

/* ---- the public functions --------------------------------------------------------------------------------------- */

struct sweep_results {
    char dir[PATH_N], csv[PATH_N], jsonl[PATH_N];
    int csv_fd, jsonl_fd, lock_fd;
    keyset done;
    uint64_t count;
};

int sweep_results_check(const char *dir, const char *header, char *err, size_t n)
{
    sweep_rowset rs;
    int rc = sweep_load_dir(dir, header, 0, &rs, err, n);
    sweep_rows_free(&rs);
    return rc;
}

int sweep_results_open(const char *dir, const char *header, sweep_results **out, char *err, size_t n)
{
    *out = NULL;
    sweep_results *r = calloc(1, sizeof *r);
    if (!r)
        return snprintf(err, n, "%s: out of memory", dir), SWEEP_EIO;
    r->csv_fd = r->jsonl_fd = -1;
    snprintf(r->dir, PATH_N, "%s", dir);
    join(r->csv, dir, "results.csv");
    join(r->jsonl, dir, "results.jsonl");
    int rc = 0;
    r->lock_fd = sweep_lock_dir(dir, &rc, err, n);
    sweep_rowset rs = {0};
    if (r->lock_fd >= 0)
        rc = sweep_load_dir(dir, header, 0, &rs, err, n);
    if (!rc && !rs.header) { /* a new results directory */
        if (!(rs.header = strdup(header)))
            rc = SWEEP_EIO, snprintf(err, n, "%s: out of memory", dir);
        rs.dropped = 1;
    }
    if (!rc && rs.dropped) /* dropped rows (failed, cut, unpaired): the files rewritten without them */
        rc = sweep_write_both(dir, &rs, err, n);
    for (int i = 0; !rc && i < rs.n; i++, r->count++)
        if (ks_add(&r->done, rs.r[i].key))
            rc = SWEEP_EIO, snprintf(err, n, "%s: out of memory", dir);
    sweep_rows_free(&rs);
    if (!rc && ((r->csv_fd = open(r->csv, O_WRONLY | O_APPEND | O_CLOEXEC)) < 0 ||
                (r->jsonl_fd = open(r->jsonl, O_WRONLY | O_APPEND | O_CLOEXEC)) < 0))
        rc = SWEEP_EIO, snprintf(err, n, "%s: %s", r->csv_fd < 0 ? r->csv : r->jsonl, strerror(errno));
    if (rc) {
        sweep_results_close(r);
        return rc;
    }
    *out = r;
    return 0;
}

int sweep_results_done(const sweep_results *r, uint64_t key) { return ks_has(&r->done, key); }
uint64_t sweep_results_count(const sweep_results *r) { return r->count; }

/* One line with one write(2) on the O_APPEND descriptor; 0 or SWEEP_EIO. */
static int append_line(int fd, const char *path, const char *line, char *err, size_t n)
{
    size_t len = strlen(line);
    ssize_t w = write(fd, line, len);
    if (w == (ssize_t)len)
        return 0;
    if (w >= 0)
        return snprintf(err, n, "%s: wrote %zd of %zu bytes (a full file system?)", path, w, len), SWEEP_EIO;
    return snprintf(err, n, "%s: %s", path, strerror(errno)), SWEEP_EIO;
}

int sweep_results_append(sweep_results *r, uint64_t key, const char *csv_row, const char *jsonl_row, char *err,
                         size_t n)
{
    /* the CSV first: a row whose JSONL line is missing is dropped when the directory is opened again */
    int rc = append_line(r->csv_fd, r->csv, csv_row, err, n);
    if (!rc)
        rc = append_line(r->jsonl_fd, r->jsonl, jsonl_row, err, n);
    if (!rc && strncmp(csv_row + 17, "failed,", 7)) {
        if (ks_add(&r->done, key))
            return snprintf(err, n, "%s: out of memory", r->dir), SWEEP_EIO;
        r->count++;
    }
    return rc;
}

void sweep_results_close(sweep_results *r)
{
    if (!r)
        return;
    if (r->csv_fd >= 0)
        close(r->csv_fd);
    if (r->jsonl_fd >= 0)
        close(r->jsonl_fd);
    if (r->lock_fd >= 0)
        close(r->lock_fd);
    free(r->done.slot);
    free(r);
}


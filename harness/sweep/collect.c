/* collect.c — `pimattn sweep --collect DIR` (sweep.h): the results of an emitted job array's tasks,
 * DIR/tasks/<task>/results.*, merged into DIR/results.* with DIR's own rows, each key once. */
#include "sweep.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sweep_int.h"

#define PATH_N 4096

/* Task directory names in natural order ("2" before "10"). */
static int natural(const void *a, const void *b)
{
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    if (isdigit((unsigned char)*x) && isdigit((unsigned char)*y)) {
        unsigned long long u = strtoull(x, NULL, 10), v = strtoull(y, NULL, 10);
        if (u != v)
            return u < v ? -1 : 1;
    }
    return strcmp(x, y);
}

/* The names of DIR/tasks/'s subdirectories, sorted; *k of them (0 when there is no tasks directory). */
static int task_names(const char *dir, char ***names, int *k, char *err, size_t n)
{
    char p[PATH_N];
    snprintf(p, sizeof p, "%s/tasks", dir);
    *names = NULL, *k = 0;
    DIR *d = opendir(p);
    if (!d)
        return errno == ENOENT ? 0 : (snprintf(err, n, "%s: %s", p, strerror(errno)), SWEEP_EIO);
    int cap = 0, rc = 0;
    for (struct dirent *e; !rc && (e = readdir(d));) {
        char sub[PATH_N + 256];
        struct stat st;
        snprintf(sub, sizeof sub, "%s/%s", p, e->d_name);
        if (e->d_name[0] == '.' || stat(sub, &st) || !S_ISDIR(st.st_mode))
            continue;
        if (*k == cap) {
            char **g = realloc(*names, (size_t)(cap = cap ? 2 * cap : 64) * sizeof *g);
            if (!g) {
                rc = SWEEP_EIO;
                break;
            }
            *names = g;
        }
        if (!((*names)[*k] = strdup(e->d_name)))
            rc = SWEEP_EIO;
        else
            (*k)++;
    }
    closedir(d);
    if (rc)
        return snprintf(err, n, "%s: out of memory", p), rc;
    if (*k)
        qsort(*names, (size_t)*k, sizeof **names, natural);
    return 0;
}

typedef struct pick {
    uint64_t key;
    int i;
} pick;

static int by_key_then_order(const void *a, const void *b)
{
    const pick *x = a, *y = b;
    return x->key != y->key ? (x->key < y->key ? -1 : 1) : x->i - y->i;
}

/* Each key once: its first ok or skipped row, else its last failed one; the others freed, order kept. */
static int merge(sweep_rowset *all)
{
    pick *p = malloc((size_t)(all->n ? all->n : 1) * sizeof *p);
    unsigned char *keep = calloc((size_t)(all->n ? all->n : 1), 1);
    if (!p || !keep)
        return free(p), free(keep), -1;
    for (int i = 0; i < all->n; i++)
        p[i] = (pick){all->r[i].key, i};
    qsort(p, (size_t)all->n, sizeof *p, by_key_then_order);
    for (int a = 0, b; a < all->n; a = b) {
        int ok = -1, failed = -1; /* the group's rows in their order */
        for (b = a; b < all->n && p[b].key == p[a].key; b++) {
            int i = p[b].i;
            if (!all->r[i].failed && ok < 0)
                ok = i;
            else if (all->r[i].failed)
                failed = i;
        }
        int kept = ok >= 0 ? ok : failed; /* a group has a row: one of them is set */
        if (kept >= 0)
            keep[kept] = 1;
    }
    int k = 0;
    for (int i = 0; i < all->n; i++) {
        if (keep[i])
            all->r[k++] = all->r[i];
        else
            free(all->r[i].csv), free(all->r[i].jsonl);
    }
    all->n = k;
    free(p);
    free(keep);
    return 0;
}

int sweep_collect(const char *dir, uint64_t *rows, int *tasks, char *err, size_t n)
{
    *rows = 0, *tasks = 0;
    struct stat st;
    if (stat(dir, &st) || !S_ISDIR(st.st_mode))
        return snprintf(err, n, "%s: not a directory (allowed: the --out directory of pimattn sweep --point or "
                        "--chunk runs)", dir), SWEEP_EBAD;
    char p1[PATH_N], p2[PATH_N];
    snprintf(p1, sizeof p1, "%s/tasks", dir);
    snprintf(p2, sizeof p2, "%s/results.csv", dir);
    if (stat(p1, &st) && stat(p2, &st)) /* checked before the lock file is made */
        return snprintf(err, n, "%s: no results and no %s/tasks/*/results.csv to collect (allowed: the --out directory "
                        "of pimattn sweep --point or --chunk runs)", dir, dir), SWEEP_EBAD;
    int rc = 0, lock = sweep_lock_dir(dir, &rc, err, n), k = 0;
    sweep_rowset all = {0};
    char **names = NULL;
    if (lock >= 0)
        rc = sweep_load_dir(dir, NULL, 1, &all, err, n);
    if (!rc)
        rc = task_names(dir, &names, &k, err, n);
    for (int t = 0; !rc && t < k; t++) {
        char sub[PATH_N];
        sweep_rowset one;
        snprintf(sub, sizeof sub, "%s/tasks/%s", dir, names[t]);
        if ((rc = sweep_load_dir(sub, all.header, 1, &one, err, n)) || !one.header)
            continue;
        if (!all.header)
            all.header = one.header, one.header = NULL;
        for (int i = 0; !rc && i < one.n; i++)
            if (sweep_rows_add(&all, &one.r[i]))
                rc = SWEEP_EIO, snprintf(err, n, "%s: out of memory", dir);
            else
                one.r[i].csv = one.r[i].jsonl = NULL;
        sweep_rows_free(&one);
        (*tasks)++;
    }
    if (!rc && !all.header)
        rc = SWEEP_EBAD, snprintf(err, n, "%s: no results and no %s/tasks/*/results.csv to collect (allowed: the --out "
                                  "directory of pimattn sweep --point or --chunk runs)", dir, dir);
    if (!rc && merge(&all))
        rc = SWEEP_EIO, snprintf(err, n, "%s: out of memory", dir);
    if (!rc)
        rc = sweep_write_both(dir, &all, err, n);
    if (!rc)
        *rows = (uint64_t)all.n;
    for (int t = 0; t < k; t++)
        free(names[t]);
    free(names);
    sweep_rows_free(&all);
    if (lock >= 0)
        close(lock);
    return rc;
}

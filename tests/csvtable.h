/* csvtable.h — the tests' reader of a sweep's results.csv (tests/test_sweep.c, tests/test_plot.c): the header's
 * fields and the rows' fields, split by the sweep's own splitter (sweep_csv_split, sweep.h), up to 512 lines of
 * 128 fields; a cmocka failure when a line has another number of fields than the header or a column is missing. */
#ifndef PIMATTN_TESTS_CSVTABLE_H
#define PIMATTN_TESTS_CSVTABLE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sweep.h"

typedef struct table {
    char *text[512];
    char *f[512][128];
    int nrow, ncol;
} table;

static inline void table_load(table *t, const char *csv)
{
    FILE *in = fopen(csv, "r");
    char line[16384];
    assert_non_null(in);
    memset(t, 0, sizeof *t);
    for (int i = 0; fgets(line, sizeof line, in) && i < 512; i++) {
        line[strcspn(line, "\n")] = '\0';
        t->text[i] = strdup(line);
        int n = sweep_csv_split(t->text[i], t->f[i], 128);
        assert_true(n > 0);
        if (i == 0)
            t->ncol = n;
        else
            assert_int_equal(n, t->ncol), t->nrow = i;
    }
    fclose(in);
}

static inline void table_free(table *t)
{
    for (int i = 0; i <= t->nrow; i++)
        free(t->text[i]);
}

/* The index of the column `name`; fails the test when there is none. */
static inline int col(const table *t, const char *name)
{
    for (int c = 0; c < t->ncol; c++)
        if (!strcmp(t->f[0][c], name))
            return c;
    fail_msg("no column %s", name);
    return -1;
}

#endif

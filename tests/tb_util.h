/* tb_util.h — what the randomized tests share (tests/ only, header-only).
 *
 * Contract
 *  - tb_seed(name, what): the seed from $SEED (decimal or 0x hex) or the clock, printed with the
 *    replay hint and `what` (e.g. "10^6 commands per build") on one line before any test runs.
 *  - TB_REPLAY: the fail_msg() prefix that names the seed, to be followed by the failure text.
 *  - tb_vecfile(build, ext): opens $VECDIR/<build>.<ext> for writing (the directory is created), or
 *    returns NULL when VECDIR is unset; *ok is 0 when VECDIR is set but the file cannot be opened.
 *  - tb_add(): appends one cmocka test named `name` with `state` as its initial state; returns 0, or
 *    -1 when the table is full.
 *  - tb_gauss(): one N(0, 1) sample (Box-Muller) from the test's generator.
 */
#ifndef PIMATTN_TB_UTIL_H
#define PIMATTN_TB_UTIL_H

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

#include "rng.h"

#define TB_REPLAY "seed %" PRIu64 " (replay: SEED=%" PRIu64 "): "

static inline uint64_t tb_seed(const char *name, const char *what)
{
    const char *s = getenv("SEED");
    uint64_t seed = s ? strtoull(s, NULL, 0) : (uint64_t)time(NULL);
    printf("%s: seed %" PRIu64 " (replay: SEED=%" PRIu64 ")%s%s\n", name, seed, seed, what ? ", " : "",
           what ? what : "");
    return seed;
}

static inline FILE *tb_vecfile(const char *build, const char *ext, int *ok)
{
    const char *dir = getenv("VECDIR");
    *ok = 1;
    if (!dir)
        return NULL;
    char path[1024];
    mkdir(dir, 0777);
    snprintf(path, sizeof path, "%s/%s.%s", dir, build, ext);
    FILE *f = fopen(path, "w");
    *ok = f != NULL;
    return f;
}

static inline int tb_add(struct CMUnitTest *t, size_t *k, size_t cap, CMUnitTestFunction fn, const char *name,
                         void *state)
{
    if (*k >= cap)
        return -1;
    t[*k] = (struct CMUnitTest){.name = name, .test_func = fn, .initial_state = state};
    (*k)++;
    return 0;
}

static inline double tb_gauss(rng *r) { return rng_gauss(r); }

#endif

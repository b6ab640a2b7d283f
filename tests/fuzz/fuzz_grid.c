/* fuzz_grid — sweep grid files (sweep_grid_load) against a fixed pair of commands shaped like `run` and
 * `system` (value, flag, keyed and reserved options, a value check): a grid or a message, never a crash;
 * for a grid, the first points' rows, keys, canonical text and argv, and the keys' distinctness. */
#include <ctype.h>
#include <string.h>

#include "fuzz_util.h"
#include "sweep.h"

static const sweep_optdef run_opts[] = {
    {.name = "model"}, {.name = "model-file"}, {.name = "batch"}, {.name = "ctx"}, {.name = "stacks"},
    {.name = "gemv"}, {.name = "group"}, {.name = "acc"}, {.name = "mode"}, {.name = "numerics"},
    {.name = "threads"}, {.name = "split"}, {.name = "host-tier", .flag = 1}, {.name = "json", .reserved = 1},
};
static const sweep_optdef sys_opts[] = {
    {.name = "system"}, {.name = "model"}, {.name = "lin"}, {.name = "lout"}, {.name = "slo-ms"},
    {.name = "step-stride"}, {.name = "set", .keyed = 1}, {.name = "csv", .reserved = 1},
};

/* The numeric options take decimal integers only; the others anything. */
static int check(void *ctx, const char *cmd, const char *opt, const char *value, char *why, size_t n)
{
    (void)ctx, (void)cmd;
    static const char *const numeric[] = {"batch", "ctx", "stacks", "group", "threads", "lin", "lout", NULL};
    for (const char *const *k = numeric; *k; k++)
        if (!strcmp(*k, opt)) {
            for (const char *s = value; *s; s++)
                if (!isdigit((unsigned char)*s))
                    return snprintf(why, n, "'%.20s' (allowed: a decimal integer)", value), -1;
            return *value ? 0 : (snprintf(why, n, "empty (allowed: a decimal integer)"), -1);
        }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const sweep_cmd cmds[2] = {
        {.name = "run", .opts = run_opts, .nopts = sizeof run_opts / sizeof run_opts[0], .check = check},
        {.name = "system", .opts = sys_opts, .nopts = sizeof sys_opts / sizeof sys_opts[0], .check = check},
    };
    sweep_grid g;
    char err[1024];
    if (sweep_grid_load(fuzz_file(data, size, ".yaml"), cmds, 2, &g, err, sizeof err)) {
        if (!err[0])
            abort(); /* a refusal says why */
        return 0;
    }
    if (g.npoints == 0 || g.npoints > SWEEP_MAX_POINTS)
        abort();
    (void)sweep_keys_distinct(&g, err, sizeof err);
    for (uint64_t i = 0; i < g.npoints && i < 16; i++) {
        sweep_point p;
        sweep_point_at(&g, i, &p);
        char *text = sweep_canonical(&g, &p);
        char **argv = sweep_point_argv(&g, &p, "pimattn", "p.json");
        if (!text || !argv || p.index != i)
            abort();
        free(text);
        sweep_argv_free(argv);
    }
    sweep_grid_free(&g);
    return 0;
}

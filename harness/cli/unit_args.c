/* unit_args.c — the options the unit co-simulation commands share (cmd.h). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cmd.h"

const char *const gemv_pattern_names[] = {"random", "score", "context", NULL};

const void *unit_build_arg(const char *cmd, vu_family f, const char *name)
{
    size_t n;
    const vu_spec *s = vunit_specs(f, &n);
    char err[1024];
    for (size_t i = 0; i < n; i++)
        if (!strcmp(s[i].name, name)) {
            const void *ops = vunit_load(f, name, err, sizeof err);
            if (!ops)
                fprintf(stderr, "pimattn %s: --only: %s\n", cmd, err);
            return ops;
        }
    fprintf(stderr, "pimattn %s: --only: unknown build '%s' (allowed:", cmd, name);
    for (size_t i = 0; i < n; i++)
        fprintf(stderr, "%s %s", i ? "," : "", s[i].name);
    fprintf(stderr, ")\n");
    return NULL;
}

/* tb_cli.h — running the pimattn binary from a cmocka test (test_cli.c, test_run_cli.c).
 *  - tb_cli_init(): the binary is $PIMATTN, else build/bin/pimattn.
 *  - run(args): runs "pimattn args" with stderr merged into `out`; returns the exit status.
 *  - expect_bad(args, text): exit status 2 and `text` in the output, else the test fails. */
#ifndef PIMATTN_TB_CLI_H
#define PIMATTN_TB_CLI_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

static const char *bin;
static char out[1 << 20];

static inline void tb_cli_init(void)
{
    bin = getenv("PIMATTN");
    if (!bin)
        bin = "build/bin/pimattn";
}

/* Runs "$PIMATTN args" (stderr merged), captures output, returns the exit status. */
static inline int run(const char *args)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "%s %s 2>&1", bin, args);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t n = fread(out, 1, sizeof out - 1, p);
    out[n] = '\0';
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static inline void expect_bad(const char *args, const char *must_say)
{
    int rc = run(args);
    if (rc != 2 || !strstr(out, must_say))
        fail_msg("pimattn %s: exit %d (want 2), output lacks '%s':\n%s", args, rc, must_say, out);
}

#endif

/* test_cli_options — the option parser every pimattn command uses (harness/cli/cli.h), on its own: each
 * kind of option lands in its destination, the last of a repeated option wins, a word of an integer
 * option stores 0, `given` marks options that appeared, --help and each kind of bad input return the
 * right status, positional arguments are refused or handed back, a letter option (-j N, -jN) is its long
 * option, and cli_value_check says what the parser would say without printing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli.h"

typedef struct vals {
    int flag, choice, given, quiet;
    uint64_t jobs;
    const char *str;
    uint64_t n, m;
    double x;
    cli_list list;
} vals;

static const char *const colours[] = {"red", "green", "blue", NULL}, *const all[] = {"all", NULL};

/* Parses the words of line (at most 158) with a fixed table into v; the status. */
static int parse(const char *line, vals *v, int *args)
{
    static char buf[2048];
    char *argv[160] = {"cmd"};
    int argc = 1;
    snprintf(buf, sizeof buf, "%s", line);
    for (char *t = strtok(buf, " "); t && argc < 159; t = strtok(NULL, " "))
        argv[argc++] = t;
    *v = (vals){.choice = -1, .n = 7, .m = 9, .x = 0.5};
    const cli_opt opts[] = {CLI_OPT_FLAG("flag", &v->flag),
                            CLI_OPT_STR("str", &v->str),
                            CLI_OPT_U64("n", &v->n, 2, 100),
                            {.name = "m", .kind = CLI_U64, .dst = &v->m, .lo = 1, .hi = 5, .words = all},
                            {.name = "x", .kind = CLI_DOUBLE, .dst = &v->x, .dlo = -1, .dhi = 1, .given = &v->given},
                            CLI_OPT_CHOICE("colour", &v->choice, colours), CLI_OPT_LIST("set", &v->list),
                            {.name = "jobs", .kind = CLI_U64, .dst = &v->jobs, .lo = 1, .hi = 8, .letter = 'j'},
                            {.name = "quiet", .kind = CLI_FLAG, .dst = &v->quiet, .letter = 'q'}};
    /* the messages are the commands' tests' business (test_cli, test_errors): stderr to /dev/null */
    fflush(stderr);
    int saved = dup(2), null = open("/dev/null", O_WRONLY);
    assert_true(saved >= 0 && null >= 0 && dup2(null, 2) == 2);
    int st = cli_options("cmd", "", opts, CLI_NOPTS(opts), argc, argv, args);
    fflush(stderr);
    assert_true(dup2(saved, 2) == 2);
    close(saved);
    close(null);
    return st;
}

static void test_values(void **state)
{
    (void)state;
    vals v;
    assert_int_equal(parse("--flag --str abc --n 100 --m 5 --x -1 --colour blue", &v, NULL), CLI_GO);
    assert_int_equal(v.flag, 1);
    assert_string_equal(v.str, "abc");
    assert_int_equal(v.n, 100);
    assert_int_equal(v.m, 5);
    assert_true(v.x == -1.0);
    assert_int_equal(v.given, 1);
    assert_int_equal(v.choice, 2);
    assert_int_equal(parse("", &v, NULL), CLI_GO); /* defaults stay */
    assert_int_equal(v.flag, 0);
    assert_null(v.str);
    assert_int_equal(v.n, 7);
    assert_int_equal(v.given, 0);
    assert_int_equal(v.choice, -1);
    assert_int_equal(parse("--n 3 --n 4 --m 2 --m all --colour green --colour red", &v, NULL), CLI_GO);
    assert_int_equal(v.n, 4);      /* the last one wins */
    assert_int_equal(v.m, 0);      /* the word */
    assert_int_equal(v.choice, 0);
    assert_int_equal(parse("--m all --m 3", &v, NULL), CLI_GO);
    assert_int_equal(v.m, 3);
    assert_int_equal(parse("--str=x=y --n=05", &v, NULL), CLI_GO); /* --name=value; a leading 0 is decimal */
    assert_string_equal(v.str, "x=y");
    assert_int_equal(v.n, 5);
}

static void test_bad(void **state)
{
    (void)state;
    vals v;
    const char *bad[] = {"--n 1",     "--n 101",   "--n 0x10",  "--n -3",   "--n 1e2",  "--m none", "--m 0",
                         "--x 1.5",   "--x nan",   "--x 1e",    "--colour", "--colour pink", "--colour RED",
                         "--nope",    "--n",       "--flag=1",  "stray",    "--flag stray"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int st = parse(bad[i], &v, NULL);
        if (st != CLI_EXIT_BAD_INPUT)
            fail_msg("'%s': status %d, want %d", bad[i], st, CLI_EXIT_BAD_INPUT);
    }
    assert_int_equal(parse("--n 5 --help --n 0", &v, NULL), 0); /* --help stops at once */
}

static void test_list(void **state)
{
    (void)state;
    vals v;
    assert_int_equal(parse("--set a=1 --n 3 --set b=2 --set a=3", &v, NULL), CLI_GO);
    assert_int_equal(v.list.n, 3); /* every one, in order */
    assert_string_equal(v.list.v[0], "a=1");
    assert_string_equal(v.list.v[1], "b=2");
    assert_string_equal(v.list.v[2], "a=3");
    char line[1024] = "";
    for (int i = 0; i < CLI_LIST_MAX; i++)
        strcat(line, "--set x ");
    assert_int_equal(parse(line, &v, NULL), CLI_GO);
    assert_int_equal(v.list.n, CLI_LIST_MAX);
    strcat(line, "--set y");
    assert_int_equal(parse(line, &v, NULL), CLI_EXIT_BAD_INPUT); /* one too many */
}

static void test_positional(void **state)
{
    (void)state;
    vals v;
    int args = -1;
    assert_int_equal(parse("one --n 3 two", &v, &args), CLI_GO); /* options anywhere, arguments moved last */
    assert_int_equal(v.n, 3);
    assert_int_equal(args, 3);
    assert_int_equal(parse("--n 3 -- --flag", &v, &args), CLI_GO); /* after --, an argument */
    assert_int_equal(v.flag, 0);
    assert_int_equal(args, 4);
}

static void test_letters(void **state)
{
    (void)state;
    vals v;
    assert_int_equal(parse("-j 3 -q", &v, NULL), CLI_GO);
    assert_int_equal(v.jobs, 3);
    assert_int_equal(v.quiet, 1);
    assert_int_equal(parse("-j4 --jobs 5 -j 6", &v, NULL), CLI_GO); /* -jN; the last one wins */
    assert_int_equal(v.jobs, 6);
    assert_int_equal(parse("-j 9", &v, NULL), CLI_EXIT_BAD_INPUT); /* the long option's range */
    assert_int_equal(parse("-j", &v, NULL), CLI_EXIT_BAD_INPUT);
    assert_int_equal(parse("-x", &v, NULL), CLI_EXIT_BAD_INPUT); /* no such letter */
}

static void test_value_check(void **state)
{
    (void)state;
    int d = -1;
    uint64_t u = 0;
    char why[256];
    const cli_opt n = CLI_OPT_U64("n", &u, 2, 100), c = CLI_OPT_CHOICE("colour", &d, colours),
                  m = {.name = "m", .kind = CLI_U64, .dst = &u, .lo = 1, .hi = 5, .words = all},
                  x = CLI_OPT_DOUBLE("x", NULL, -1, 1), s = CLI_OPT_STR("s", NULL);
    assert_int_equal(cli_value_check(&n, "50", why, sizeof why), 0);
    assert_int_equal(cli_value_check(&n, "101", why, sizeof why), -1);
    assert_string_equal(why, "101 is out of range (allowed: 2..100)");
    assert_int_equal(cli_value_check(&n, "x", why, sizeof why), -1);
    assert_string_equal(why, "'x' is not a non-negative integer (allowed: 2..100)");
    assert_int_equal(cli_value_check(&m, "all", why, sizeof why), 0);
    assert_int_equal(cli_value_check(&m, "6", why, sizeof why), -1);
    assert_string_equal(why, "6 is out of range (allowed: 1..5, all)");
    assert_int_equal(cli_value_check(&c, "green", why, sizeof why), 0);
    assert_int_equal(cli_value_check(&c, "pink", why, sizeof why), -1);
    assert_string_equal(why, "'pink' (allowed: red, green, blue)");
    assert_int_equal(cli_value_check(&x, "0.5", why, sizeof why), 0);
    assert_int_equal(cli_value_check(&x, "2", why, sizeof why), -1);
    assert_string_equal(why, "'2' is not a number in [-1, 1]");
    assert_int_equal(cli_value_check(&s, "anything", why, sizeof why), 0);
    assert_int_equal(u, 0); /* nothing stored */
    assert_int_equal(d, -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_values), cmocka_unit_test(test_bad),
                                       cmocka_unit_test(test_list), cmocka_unit_test(test_positional),
                                       cmocka_unit_test(test_letters), cmocka_unit_test(test_value_check)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* hazard_log.c — the hazard checker's own reader of command-log lines (docs/hbm.md, "Command log format
 * (v1)"). The protocol checker validates every key of every command; this reader takes what the hazard
 * rules need (cycle, command, st ch pc ba row col n) and refuses what it cannot place. */
#include "hazard_int.h"

#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

static const char *const names[O_N] = {"ACT",   "PRE",   "PREA",  "RD",   "WR",   "REFAB", "REFPB", "ACTAB", "ACTBG",
                                       "MACAB", "MACBG", "MACSB", "WRGB", "MVSB", "MVGB",  "SFM",   "BARRIER"};

const char *hz_op_name(unsigned op) { return op < O_N ? names[op] : "?"; }

static int bad(hz *z, const char *fmt, ...)
{
    va_list ap;
    int k = snprintf(z->err, z->errn, "%s:%" PRIu64 ": ", z->log_name, z->line);
    va_start(ap, fmt);
    if (k >= 0 && (size_t)k < z->errn)
        vsnprintf(z->err + k, z->errn - (size_t)k, fmt, ap);
    va_end(ap);
    return -1;
}

static int sp(char c) { return c == ' ' || c == '\t'; }
static int end(char c) { return c == '\0' || c == '\n' || c == '\r'; }

static int num(const char *s, const char *e, uint64_t *v)
{
    uint64_t x = 0;
    if (s == e || e - s > 18)
        return -1;
    for (; s < e; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        x = x * 10 + (uint64_t)(*s - '0');
    }
    *v = x;
    return 0;
}

int hz_log_parse(hz *z, const char *s, hz_cmd *c)
{
    while (sp(*s))
        s++;
    if (end(*s) || *s == '#')
        return 0;
    const char *e = s;
    while (!sp(*e) && !end(*e))
        e++;
    uint64_t v;
    if (num(s, e, &v))
        return bad(z, "'%.*s' is not a cycle (allowed: a decimal integer)", (int)(e - s > 24 ? 24 : e - s), s);
    *c = (hz_cmd){.t = v};
    for (s = e; sp(*s); s++)
        ;
    for (e = s; !sp(*e) && !end(*e); e++)
        ;
    for (c->op = 0; c->op < O_N && !(strlen(names[c->op]) == (size_t)(e - s) && !strncmp(names[c->op], s, (size_t)(e - s)));
         c->op++)
        ;
    if (c->op == O_N)
        return bad(z, "unknown command '%.*s' (allowed: the commands of docs/hbm.md)", (int)(e - s > 24 ? 24 : e - s), s);
    static const char *const keys[] = {"st", "ch", "pc", "sid", "bg", "ba", "row", "col", "n"};
    unsigned *dst[] = {&c->st, &c->ch, &c->pc, &c->sid, &c->bg, &c->ba, &c->row, &c->col, &c->n};
    unsigned seen = 0;
    for (s = e;; s = e) {
        while (sp(*s))
            s++;
        if (end(*s))
            break;
        const char *eq = NULL;
        for (e = s; !sp(*e) && !end(*e); e++)
            eq = !eq && *e == '=' ? e : eq;
        int i = 0;
        while (eq && i < 9 && !(strlen(keys[i]) == (size_t)(eq - s) && !strncmp(keys[i], s, (size_t)(eq - s))))
            i++;
        if (!eq || i == 9)
            return bad(z, "'%.*s' is not key=value with a key of docs/hbm.md (st ch pc sid bg ba row col n)",
                       (int)(e - s > 24 ? 24 : e - s), s);
        if (i == 2 && e - eq == 2 && eq[1] == '*')
            c->pc = HZ_ALL;
        else if (num(eq + 1, e, &v) || v > UINT32_MAX / 2)
            return bad(z, "%s=%.*s is not a number", keys[i], (int)(e - eq - 1 > 24 ? 24 : e - eq - 1), eq + 1);
        else
            *dst[i] = (unsigned)v;
        seen |= 1u << i;
    }
    if ((seen & 3) != 3)
        return bad(z, "%s without st= and ch=", names[c->op]);
    if (c->st >= z->g.stacks || c->ch >= z->g.channels)
        return bad(z, "st=%u ch=%u out of range (the placement has %u stacks of %u channels)", c->st, c->ch, z->g.stacks,
                   z->g.channels);
    if (c->op != O_SFM && c->op != O_BARRIER && (!(seen & 4) || (c->pc != HZ_ALL && c->pc >= z->g.pcs)))
        return bad(z, "%s needs pc=0..%u or pc=*", names[c->op], z->g.pcs - 1);
    if ((c->op == O_ACT || c->op == O_PRE || c->op == O_MACSB || c->op == O_RD || c->op == O_WR || c->op == O_REFPB) &&
        (c->sid >= z->g.sids || c->bg >= z->g.bank_groups || c->ba >= z->g.banks_per_group))
        return bad(z, "%s: sid=%u bg=%u ba=%u out of range", names[c->op], c->sid, c->bg, c->ba);
    if ((c->op == O_ACTBG || c->op == O_MACBG) && c->ba >= z->g.banks_per_group)
        return bad(z, "%s: ba=%u out of range (allowed: 0..%u)", names[c->op], c->ba, z->g.banks_per_group - 1);
    return 1;
}

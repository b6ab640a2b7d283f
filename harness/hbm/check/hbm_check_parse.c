/* hbm_check_parse.c — the protocol checker's reader of command-log lines (docs/hbm.md, "Command log"):
 * strict tokens, every key its command needs and no other, values in range. */
#include "hbm_check_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static inline int is_end(char ch) { return ch == '\0' || ch == '\n' || ch == '\r'; }
static inline int is_sp(char ch) { return ch == ' ' || ch == '\t'; }
static inline const char *tok_end(const char *s)
{
    while (!is_sp(*s) && !is_end(*s))
        s++;
    return s;
}
#define QUOTE(s, e) (int)((e) - (s) > 32 ? 32 : (e) - (s)), (s) /* a token for "%.*s", at most 32 characters */

static inline int same(const char *a, const char *b, size_t l) /* a[0..l) == b[0..l) */
{
    while (l && *a == *b)
        a++, b++, l--;
    return !l;
}

static int dec(const char *s, size_t l, uint64_t *v) /* 0: s[0..l) is a decimal number of at most 19 digits */
{
    uint64_t x = 0;
    for (size_t i = 0; i < l; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (d > 9)
            return -1;
        x = x * 10 + d;
    }
    *v = x;
    return !l || l > 19 ? -1 : 0;
}

static void key_list(unsigned op, char *b, size_t n)
{
    size_t o = 0;
    b[0] = '\0';
    for (int i = 0; i < NKEYS && o < n; i++)
        if (op_keys[op] & (1u << i))
            o += (size_t)snprintf(b + o, n - o, "%s%s", o ? " " : "", key_name[i]);
}

int chk_parse(hbm_checker *k, const char *s, cmdl *o, char *err, size_t n)
{
    static const char hdr[] = "# pimattn hbm command log ", pre[] = "# preset ";
    const hbm_cfg *c = &k->c;
    while (is_sp(*s))
        s++;
    if (is_end(*s))
        return 0;
    const char *e;
    if (*s == '#') {
        if (!strncmp(s, pre, sizeof pre - 1))
            snprintf(k->log_preset, sizeof k->log_preset, "%.*s", QUOTE(s + sizeof pre - 1, tok_end(s + sizeof pre - 1)));
        if (strncmp(s, hdr, sizeof hdr - 1))
            return 0;
        s += sizeof hdr - 1;
        e = tok_end(s);
        if (e - s == 2 && s[0] == 'v' && s[1] == '1')
            return 0;
        snprintf(err, n, "command log format '%.*s' is not supported (allowed: v1)", QUOTE(s, e));
        return -1;
    }
    e = tok_end(s);
    if (dec(s, (size_t)(e - s), &o->t) || o->t > CYCLE_MAX) {
        snprintf(err, n, "'%.*s' is not a cycle (allowed: a decimal integer 0..%llu)", QUOTE(s, e), CYCLE_MAX);
        return -1;
    }
    for (s = e; is_sp(*s); s++)
        ;
    e = tok_end(s);
    size_t l = (size_t)(e - s);
    for (o->op = 0; o->op < NOPS && !(op_len[o->op] == l && same(op_name[o->op], s, l)); o->op++)
        ;
    if (o->op == NOPS) {
        if (l)
            snprintf(err, n, "unknown command '%.*s' (allowed: " OP_LIST ")", QUOTE(s, e));
        else
            snprintf(err, n, "missing command after the cycle (allowed: " OP_LIST ")");
        return -1;
    }
    unsigned op = o->op, want = op_keys[op], seen = 0;
    const uint64_t hi[NKEYS] = {c->stacks - 1, c->channels - 1, c->pcs - 1,     c->sids - 1, c->bank_groups - 1,
                                c->banks - 1,  c->rows - 1,     c->columns - 1, N_MAX};
    char keys[64];
    for (s = e;; s = e) {
        while (is_sp(*s))
            s++;
        if (is_end(*s))
            break;
        const char *eq = NULL;
        for (e = s; !is_sp(*e) && !is_end(*e); e++)
            if (*e == '=' && !eq)
                eq = e;
        int i = -1;
        for (int j = 0; eq && j < NKEYS && i < 0; j++)
            if (key_len[j] == (size_t)(eq - s) && same(key_name[j], s, key_len[j]))
                i = j;
        if (i < 0 || !(want & (1u << i)) || (seen & (1u << i))) {
            key_list(op, keys, sizeof keys);
            if (!eq)
                snprintf(err, n, "'%.*s' is not key=value (allowed for %s: %s)", QUOTE(s, e), op_name[op], keys);
            else if (i < 0)
                snprintf(err, n, "unknown key '%.*s' (allowed for %s: %s)", QUOTE(s, eq), op_name[op], keys);
            else if (want & (1u << i))
                snprintf(err, n, "duplicate key '%s' (allowed for %s, each once: %s)", key_name[i], op_name[op], keys);
            else
                snprintf(err, n, "key '%s' does not belong to %s (allowed for %s: %s)", key_name[i], op_name[op],
                         op_name[op], keys);
            return -1;
        }
        seen |= 1u << i;
        const char *v = eq + 1;
        uint64_t x = 0, lo = i == K_N;
        int star_ok = i == K_PC && (op_cls[op] & C_STAR), bad = dec(v, (size_t)(e - v), &x);
        if (i == K_PC && e - v == 1 && *v == '*' && star_ok)
            o->v[i] = ANY;
        else if (i == K_PC && e - v == 1 && *v == '*') {
            snprintf(err, n, "pc=* is not allowed for %s (allowed: 0..%u; pc=* only for " STAR_LIST ")", op_name[op],
                     c->pcs - 1);
            return -1;
        } else if (bad || x < lo || x > hi[i]) {
            snprintf(err, n, "%s=%.*s %s (allowed: %" PRIu64 "..%" PRIu64 "%s)", key_name[i], QUOTE(v, e),
                     bad ? "is not a number" : "out of range", lo, hi[i], star_ok ? " or *" : "");
            return -1;
        } else
            o->v[i] = (uint32_t)x;
    }
    if (seen == want)
        return 1;
    int i = 0;
    while (!((want & ~seen) & (1u << i)))
        i++;
    key_list(op, keys, sizeof keys);
    snprintf(err, n, "missing key '%s' (%s needs: %s)", key_name[i], op_name[op], keys);
    return -1;
}


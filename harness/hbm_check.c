/* hbm_check.c — independent protocol checker (hbm_check.h). Written from docs/hbm.md alone: its own
 * command table and parser, a pairwise rule function dist(Y, X), and a per-channel history scanned
 * backwards from each new command as far as any rule can reach it. */
#include "hbm_check.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

enum { ACT, PRE, PREA, RD, WR, REFAB, REFPB, ACTAB, ACTBG, MACAB, MACBG, MACSB, WRGB, MVSB, MVGB, SFM, BARRIER, NOP };
static const char *const names[NOP] = {"ACT",   "PRE",   "PREA",  "RD",    "WR",   "REFAB", "REFPB", "ACTAB", "ACTBG",
                                       "MACAB", "MACBG", "MACSB", "WRGB",  "MVSB", "MVGB",  "SFM",   "BARRIER"};
/* keys each command carries, as in the command table: st ch pc sid bg ba row col n */
enum { K_PC = 1, K_SID = 2, K_BG = 4, K_BA = 8, K_ROW = 16, K_COL = 32, K_N = 64, K_STAR = 128 };
static const unsigned char keys[NOP] = {
    K_PC | K_SID | K_BG | K_BA | K_ROW, K_PC | K_SID | K_BG | K_BA, K_PC | K_STAR, K_PC | K_SID | K_BG | K_BA | K_COL,
    K_PC | K_SID | K_BG | K_BA | K_COL, K_PC, K_PC | K_SID | K_BG | K_BA, K_PC | K_STAR | K_ROW,
    K_PC | K_STAR | K_BA | K_ROW, K_PC | K_STAR | K_COL, K_PC | K_STAR | K_BA | K_COL,
    K_PC | K_SID | K_BG | K_BA | K_COL, K_PC | K_STAR, K_PC | K_STAR | K_N, K_PC | K_STAR | K_N, K_N, 0};
#define ANY 0xFFFF

typedef struct {
    uint64_t t, line;
    unsigned op, pc, sid, bg, ba, n; /* ANY where a command covers every value */
    unsigned banks;                  /* banks of one PC the command touches (0: none) */
} ent;

typedef struct {
    ent *h;
    size_t head, len, cap;
    uint64_t last, barrier_t, barrier_line;
    unsigned max_mv, max_sfm;
} chan;

struct hbm_checker {
    hbm_cfg c;
    unsigned bpc, nch;
    chan *ch;
    int32_t *row;     /* open row per bank, -1 closed */
    uint32_t *brefs;  /* REFPBs per bank */
    uint64_t *prefs;  /* refreshes per PC */
    uint64_t reach[NOP], reach_max, tmax, cmds, line;
};

static int is_act(unsigned o) { return o == ACT || o == ACTAB || o == ACTBG; }
static int is_pre(unsigned o) { return o == PRE || o == PREA; }
static int is_mac(unsigned o) { return o == MACAB || o == MACBG || o == MACSB; }
static int is_cas(unsigned o) { return o == RD || o == WR; }
static int is_rdir(unsigned o) { return o == RD || o == MVSB; }
static int is_wdir(unsigned o) { return o == WR || o == WRGB || o == MVGB; }
static int on_row_bus(unsigned o) { return is_act(o) || is_pre(o) || o == REFAB || o == REFPB; }
static int big(unsigned o) { return o == ACTAB || o == ACTBG; }

/* fields a, b (ANY = all values of a level of size cnt): do they share a value / can they differ? */
static int meet(unsigned a, unsigned b) { return a == ANY || b == ANY || a == b; }
static int differ(unsigned a, unsigned b, unsigned cnt) { return cnt > 1 && (a == ANY || b == ANY || a != b); }

typedef struct {
    uint64_t d;
    const char *rule;
} need;

#define RULE(cond, dist, name)                                                                               \
    if ((cond) && (uint64_t)(dist) > r.d) {                                                                  \
        r.d = (uint64_t)(dist);                                                                              \
        r.rule = (name);                                                                                     \
    }

/* The largest distance any rule of docs/hbm.md requires from Y to a later X of the same channel. */
static need dist(const hbm_cfg *c, const ent *y, const ent *x)
{
    need r = {0, NULL};
    unsigned Y = y->op, X = x->op;
    int pc = keys[Y] & K_PC && keys[X] & K_PC && meet(y->pc, x->pc);
    int bk = pc && y->banks && x->banks;
    int s_bg = bk && meet(y->sid, x->sid) && meet(y->bg, x->bg);
    int s_bank = s_bg && meet(y->ba, x->ba);
    int multi = y->banks > 1 || x->banks > 1;
    int bg_diff = s_bg && (multi || differ(y->ba, x->ba, c->banks));
    int sid_other_bg = bk && meet(y->sid, x->sid) && differ(y->bg, x->bg, c->bank_groups);
    int pc_other_sid = bk && differ(y->sid, x->sid, c->sids);
    int pc_diff = bk && (multi || y->sid != x->sid || y->bg != x->bg || y->ba != x->ba);
    uint64_t stg = 0, durY = (Y == MVSB || Y == MVGB) ? (uint64_t)y->n * c->nBL : c->nBL;
    if (c->ab_act_faw && big(Y) && y->banks > 4)
        stg = (uint64_t)((y->banks + 3) / 4 - 1) * c->nFAW;
    RULE(is_act(Y) && is_act(X) && s_bank, c->nRC + stg, "nRC")
    RULE(is_act(Y) && (X == RD || is_mac(X)) && s_bank, c->nRCDRD + stg, "nRCDRD")
    RULE(is_act(Y) && X == WR && s_bank, c->nRCDWR + stg, "nRCDWR")
    RULE(is_act(Y) && is_pre(X) && s_bank, c->nRAS + stg, "nRAS")
    RULE(is_pre(Y) && (is_act(X) || X == REFPB || X == REFAB) && s_bank, c->nRP, "nRP")
    RULE((Y == RD || is_mac(Y)) && is_pre(X) && s_bank, c->nRTP, "nRTP")
    RULE(Y == WR && is_pre(X) && s_bank, c->nCWL + c->nBL + c->nWR, "nWR")
    RULE(is_mac(Y) && is_mac(X) && s_bank, c->nMAC, "nMAC")
    RULE(Y == REFPB && (is_act(X) || X == REFPB) && s_bank, c->nRFCpb, "nRFCpb")
    RULE(((is_cas(Y) && is_cas(X)) || (is_mac(Y) && is_cas(X)) || (is_cas(Y) && is_mac(X))) && s_bg, c->nCCDL, "nCCDL")
    RULE(Y == WR && X == RD && s_bg, c->nCWL + c->nBL + c->nWTRL, "nWTRL")
    RULE(is_act(Y) && is_act(X) && bg_diff, c->nRRDL, "nRRDL")
    RULE(is_cas(Y) && is_cas(X) && sid_other_bg, c->nCCDS, "nCCDS")
    RULE(is_cas(Y) && is_cas(X) && pc_other_sid, c->nCCDR, "nCCDR")
    RULE(is_act(Y) && is_act(X) && pc_diff, c->nRRDS, "nRRDS")
    RULE(pc && ((is_rdir(Y) && is_rdir(X)) || (is_wdir(Y) && is_wdir(X))), durY, "data")
    RULE(pc && is_rdir(Y) && is_wdir(X), c->nRTW + durY - c->nBL, "nRTW")
    RULE(pc && is_wdir(Y) && is_rdir(X), c->nCWL + durY + c->nWTRS, "nWTRS")
    RULE(pc && is_pre(Y) && is_pre(X), c->nPPD, "nPPD")
    RULE(pc && Y == REFAB && (is_act(X) || X == REFAB || X == REFPB), c->nRFC, "nRFC")
    RULE(Y == REFPB && (X == REFPB || is_act(X)) && pc_diff, c->nRREFD, "nRREFD")
    RULE(c->ab_act_faw && pc && is_act(Y) && is_act(X) && (big(Y) || big(X)),
         (uint64_t)((y->banks + 3) / 4) * c->nFAW, "actwin")
    RULE(on_row_bus(Y) && on_row_bus(X), is_act(Y) ? 2 : 1, "rowbus")
    RULE(!on_row_bus(Y) && !on_row_bus(X), 1, "colbus")
    RULE(Y == SFM && X == SFM, y->n, "sfm")
    return r;
}

static uint64_t done_of(const hbm_cfg *c, const ent *y)
{
    unsigned o = y->op;
    uint64_t stg = c->ab_act_faw && big(o) && y->banks > 4 ? (uint64_t)((y->banks + 3) / 4 - 1) * c->nFAW : 0;
    if (o == RD) return c->nCL + c->nBL;
    if (o == WR || o == WRGB) return c->nCWL + c->nBL;
    if (o == MVSB || o == MVGB) return (uint64_t)y->n * c->nBL;
    if (is_mac(o)) return c->nMACLAT;
    if (o == SFM) return y->n;
    if (is_act(o)) return c->nRCDRD + stg;
    if (is_pre(o)) return c->nRP;
    if (o == REFAB) return c->nRFC;
    if (o == REFPB) return c->nRFCpb;
    return 0;
}

hbm_checker *hbm_checker_new(const hbm_cfg *cfg)
{
    hbm_checker *k = calloc(1, sizeof *k);
    if (!k)
        return NULL;
    k->c = *cfg;
    k->bpc = cfg->sids * cfg->bank_groups * cfg->banks;
    k->nch = cfg->stacks * cfg->channels;
    size_t npc = (size_t)k->nch * cfg->pcs;
    k->ch = calloc(k->nch, sizeof *k->ch);
    k->row = malloc(npc * k->bpc * sizeof *k->row);
    k->brefs = calloc(npc * k->bpc, sizeof *k->brefs);
    k->prefs = calloc(npc, sizeof *k->prefs);
    if (!k->ch || !k->row || !k->brefs || !k->prefs) {
        hbm_checker_free(k);
        return NULL;
    }
    memset(k->row, 0xFF, npc * k->bpc * sizeof *k->row);
    /* how far back a rule can reach each command: every rule with every relation true, n = 1 */
    for (unsigned x = 0; x < NOP; x++) {
        ent X = {.op = x, .pc = ANY, .sid = ANY, .bg = ANY, .ba = ANY, .n = 1, .banks = k->bpc};
        uint64_t m = x == ACT ? cfg->nFAW : is_mac(x) && cfg->power_limit ? cfg->nMACpow : 0;
        for (unsigned y = 0; y < NOP; y++) {
            ent Y = X;
            Y.op = y;
            need d = dist(cfg, &Y, &X);
            if (d.d > m)
                m = d.d;
        }
        k->reach[x] = m;
        if (m > k->reach_max)
            k->reach_max = m;
    }
    return k;
}

void hbm_checker_free(hbm_checker *k)
{
    if (!k)
        return;
    for (unsigned i = 0; k->ch && i < k->nch; i++)
        free(k->ch[i].h);
    free(k->ch);
    free(k->row);
    free(k->brefs);
    free(k->prefs);
    free(k);
}

uint64_t hbm_checker_commands(const hbm_checker *k) { return k->cmds; }

/* ---- parsing --------------------------------------------------------------------------------------------- */

static int num(const char *s, size_t l, uint64_t *v)
{
    if (!l || l > 19)
        return -1;
    uint64_t x = 0;
    for (size_t i = 0; i < l; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        x = x * 10 + (uint64_t)(s[i] - '0');
    }
    *v = x;
    return 0;
}

static const char *const keyname[7] = {"pc", "sid", "bg", "ba", "row", "col", "n"};

static void allowed_keys(unsigned op, char *buf, size_t n)
{
    size_t k = (size_t)snprintf(buf, n, "st ch");
    for (int i = 0; i < 7 && k < n; i++)
        if (keys[op] & (1u << i))
            k += (size_t)snprintf(buf + k, n - k, " %s", keyname[i]);
}

/* Returns 1 command parsed, 0 comment/blank, -1 malformed. v[]: st ch pc sid bg ba row col n. */
static int parse(const hbm_checker *k, const char *s, uint64_t *t, unsigned *op, uint64_t v[9], char *err, size_t n)
{
    while (*s == ' ' || *s == '\t')
        s++;
    if (!*s || *s == '\n' || *s == '\r' || *s == '#')
        return 0;
    size_t l = strcspn(s, " \t\r\n");
    if (num(s, l, t)) {
        snprintf(err, n, "'%.*s' is not a cycle (allowed: a decimal integer)", (int)(l > 40 ? 40 : l), s);
        return -1;
    }
    s += l;
    s += strspn(s, " \t");
    l = strcspn(s, " \t\r\n");
    *op = NOP;
    for (unsigned i = 0; i < NOP; i++)
        if (strlen(names[i]) == l && !strncmp(s, names[i], l))
            *op = i;
    if (*op == NOP) {
        snprintf(err, n, "unknown command '%.*s' (allowed: ACT PRE PREA RD WR REFAB REFPB ACTAB ACTBG MACAB MACBG "
                 "MACSB WRGB MVSB MVGB SFM BARRIER)", (int)(l > 40 ? 40 : l), s);
        return -1;
    }
    char allow[64];
    allowed_keys(*op, allow, sizeof allow);
    unsigned seen = 0, want = 3u | (((unsigned)keys[*op] << 2) & 0x1FCu);
    const hbm_cfg *c = &k->c;
    const uint64_t lim[9] = {c->stacks, c->channels, c->pcs, c->sids, c->bank_groups, c->banks, c->rows, c->columns,
                             UINT32_MAX};
    static const char *const all[9] = {"st", "ch", "pc", "sid", "bg", "ba", "row", "col", "n"};
    for (s += l;;) {
        s += strspn(s, " \t");
        l = strcspn(s, " \t\r\n");
        if (!l)
            break;
        const char *eq = memchr(s, '=', l);
        int i = -1;
        for (int j = 0; eq && j < 9; j++)
            if (strlen(all[j]) == (size_t)(eq - s) && !strncmp(s, all[j], (size_t)(eq - s)))
                i = j;
        if (i < 0 || !(want & (1u << i))) {
            snprintf(err, n, "unknown key '%.*s' (allowed for %s: %s)", (int)(eq ? eq - s : (l > 20 ? 20 : (int)l)), s,
                     names[*op], allow);
            return -1;
        }
        if (seen & (1u << i)) {
            snprintf(err, n, "duplicate key '%s'", all[i]);
            return -1;
        }
        seen |= 1u << i;
        size_t vl = l - (size_t)(eq + 1 - s);
        if (i == 2 && vl == 1 && eq[1] == '*' && (keys[*op] & K_STAR))
            v[i] = ANY;
        else if (num(eq + 1, vl, &v[i]) || v[i] >= lim[i] || (i == 8 && v[i] == 0)) {
            snprintf(err, n, "%s=%.*s out of range (allowed: %s..%" PRIu64 "%s)", all[i], (int)(vl > 20 ? 20 : vl),
                     eq + 1, i == 8 ? "1" : "0", lim[i] - 1, i == 2 && (keys[*op] & K_STAR) ? " or *" : "");
            return -1;
        }
        s += l;
    }
    if (seen != want) {
        for (int i = 0; i < 9; i++)
            if ((want & ~seen) & (1u << i)) {
                snprintf(err, n, "missing key '%s' (allowed for %s: %s)", all[i], names[*op], allow);
                return -1;
            }
    }
    return 1;
}

/* ---- checking ---------------------------------------------------------------------------------------------- */

static size_t bank_at(const hbm_checker *k, unsigned chn, unsigned p, unsigned s, unsigned g, unsigned b)
{
    return (((size_t)chn * k->c.pcs + p) * k->bpc) + ((size_t)s * k->c.bank_groups + g) * k->c.banks + b;
}

static int violation(char *err, size_t n, const char *rule, const ent *x, uint64_t at, const ent *y, const char *why)
{
    if (y)
        snprintf(err, n, "%s: %s at cycle %" PRIu64 " needs cycle >= %" PRIu64 " (%s at cycle %" PRIu64 ", line %" PRIu64
                 ")", rule, names[x->op], x->t, at, names[y->op], y->t, y->line);
    else
        snprintf(err, n, "%s: %s at cycle %" PRIu64 ": %s", rule, names[x->op], x->t, why ? why : "");
    return 1;
}

static int refresh_bounds(const hbm_checker *k, unsigned chn, uint64_t t, const ent *x, char *err, size_t n)
{
    const hbm_cfg *c = &k->c;
    if (c->ref_mode == HBM_REF_OFF)
        return 0;
    uint64_t iv = c->ref_mode == HBM_REF_PERBANK ? c->nREFI / k->bpc : c->nREFI, due = t / iv;
    for (unsigned p = 0; p < c->pcs; p++) {
        uint64_t got = k->prefs[(size_t)chn * c->pcs + p];
        if (got + c->max_postpone < due || got > due + c->max_postpone) {
            char why[160];
            snprintf(why, sizeof why, "PC %u has %" PRIu64 " refreshes at cycle %" PRIu64 ", %" PRIu64 " are due "
                     "(allowed: within %u)", p, got, t, due, c->max_postpone);
            if (x)
                return violation(err, n, "refresh", x, 0, NULL, why);
            snprintf(err, n, "refresh: end of log: %s", why);
            return 1;
        }
    }
    return 0;
}

int hbm_checker_line(hbm_checker *k, const char *line, char *err, size_t n)
{
    const hbm_cfg *c = &k->c;
    uint64_t v[9] = {0}, t;
    unsigned op;
    k->line++;
    int pr = parse(k, line, &t, &op, v, err, n);
    if (pr <= 0)
        return pr;
    unsigned chn = (unsigned)(v[0] * c->channels + v[1]);
    chan *ch = &k->ch[chn];
    ent x = {.t = t, .line = k->line, .op = op, .pc = (unsigned)v[2], .n = (unsigned)v[8]};
    x.sid = keys[op] & K_SID ? (unsigned)v[3] : ANY;
    x.bg = keys[op] & K_BG ? (unsigned)v[4] : ANY;
    x.ba = keys[op] & K_BA ? (unsigned)v[5] : ANY;
    int banked = !(op == WRGB || op == MVSB || op == MVGB || op == SFM || op == BARRIER);
    x.banks = !banked ? 0 : (x.sid == ANY ? c->sids : 1) * (x.bg == ANY ? c->bank_groups : 1) * (x.ba == ANY ? c->banks : 1);
    if (!(keys[op] & K_PC))
        x.pc = ANY;
    if (ch->len && t < ch->last)
        return violation(err, n, "order", &x, ch->last, NULL, "cycles decrease within the channel");
    /* state */
    const char *bad = NULL;
    if (op == REFAB && c->ref_mode != HBM_REF_ALLBANK)
        bad = "REFAB is allowed only with refresh mode all-bank";
    if (op == REFPB && c->ref_mode != HBM_REF_PERBANK)
        bad = "REFPB is allowed only with refresh mode per-bank";
    unsigned p0 = x.pc == ANY ? 0 : x.pc, p1 = x.pc == ANY ? c->pcs - 1 : x.pc;
    for (unsigned p = p0; banked && !bad && p <= p1; p++)
        for (unsigned s = 0; s < c->sids; s++)
            for (unsigned g = 0; g < c->bank_groups; g++)
                for (unsigned b = 0; b < c->banks; b++) {
                    if (!meet(x.sid, s) || !meet(x.bg, g) || !meet(x.ba, b))
                        continue;
                    int open = k->row[bank_at(k, chn, p, s, g, b)] >= 0;
                    if (open && (is_act(op) || op == REFAB || op == REFPB))
                        bad = "a bank it touches is open";
                    if (!open && (op == PRE || is_cas(op) || is_mac(op)))
                        bad = "a bank it touches is closed";
                }
    if (!bad && op == REFPB) {
        uint32_t mine = k->brefs[bank_at(k, chn, x.pc, x.sid, x.bg, x.ba)];
        for (unsigned i = 0; i < k->bpc; i++)
            if (k->brefs[bank_at(k, chn, x.pc, 0, 0, 0) + i] < mine)
                bad = "another bank of the PC has been refreshed fewer times";
    }
    if (bad)
        return violation(err, n, "state", &x, 0, NULL, bad);
    /* pairwise rules, newest first, as far back as any rule reaches X */
    uint64_t reach = k->reach[op] + (is_rdir(op) || is_wdir(op) ? (uint64_t)ch->max_mv * c->nBL : 0) +
                     (op == SFM ? ch->max_sfm : 0);
    need worst = {0, NULL};
    const ent *wy = NULL;
    unsigned faw = 0, mac_banks = is_mac(op) ? x.banks * (p1 - p0 + 1) : 0;
    const ent *faw4 = NULL, *macold = NULL;
    for (size_t i = ch->len; i-- > 0;) {
        const ent *y = &ch->h[(ch->head + i) % ch->cap];
        if (t - y->t > reach)
            break;
        need d = dist(c, y, &x);
        if (d.rule && y->t + d.d > t && y->t + d.d > worst.d)
            worst.d = y->t + d.d, worst.rule = d.rule, wy = y;
        if (op == ACT && y->op == ACT && meet(y->pc, x.pc) && t - y->t < c->nFAW && ++faw == 4)
            faw4 = y;
        if (is_mac(op) && c->power_limit && is_mac(y->op) && t - y->t < c->nMACpow) {
            mac_banks += y->banks * (y->pc == ANY ? c->pcs : 1);
            macold = y;
        }
    }
    if (faw4 && faw4->t + c->nFAW > worst.d)
        worst.d = faw4->t + c->nFAW, worst.rule = "FAW", wy = faw4;
    if (mac_banks > c->pcs * k->bpc && macold->t + c->nMACpow > worst.d)
        worst.d = macold->t + c->nMACpow, worst.rule = "macpow", wy = macold;
    if (op == BARRIER && ch->barrier_t > t && ch->barrier_t > worst.d) {
        snprintf(err, n, "barrier: BARRIER at cycle %" PRIu64 " needs cycle >= %" PRIu64 " (the command at line %"
                 PRIu64 " is not done)", t, ch->barrier_t, ch->barrier_line);
        return 1;
    }
    if (worst.rule)
        return violation(err, n, worst.rule, &x, worst.d, wy, NULL);
    /* accepted: update state */
    for (unsigned p = p0; banked && p <= p1; p++)
        for (unsigned s = 0; s < c->sids; s++)
            for (unsigned g = 0; g < c->bank_groups; g++)
                for (unsigned b = 0; b < c->banks; b++)
                    if (meet(x.sid, s) && meet(x.bg, g) && meet(x.ba, b)) {
                        size_t j = bank_at(k, chn, p, s, g, b);
                        if (is_act(op))
                            k->row[j] = (int32_t)v[6];
                        if (is_pre(op))
                            k->row[j] = -1;
                        if (op == REFPB)
                            k->brefs[j]++;
                    }
    if (op == REFAB || op == REFPB)
        k->prefs[(size_t)chn * c->pcs + x.pc]++;
    if (refresh_bounds(k, chn, t, &x, err, n))
        return 1;
    if (t + done_of(c, &x) > ch->barrier_t)
        ch->barrier_t = t + done_of(c, &x), ch->barrier_line = x.line;
    if ((op == MVSB || op == MVGB) && x.n > ch->max_mv)
        ch->max_mv = x.n;
    if (op == SFM && x.n > ch->max_sfm)
        ch->max_sfm = x.n;
    /* history: drop what no rule can reach any more, append */
    uint64_t keep = k->reach_max + (uint64_t)ch->max_mv * c->nBL + ch->max_sfm;
    while (ch->len && t - ch->h[ch->head].t > keep)
        ch->head = (ch->head + 1) % ch->cap, ch->len--;
    if (ch->len == ch->cap) {
        size_t nc = ch->cap ? 2 * ch->cap : 64;
        ent *h = malloc(nc * sizeof *h);
        if (!h) {
            snprintf(err, n, "out of memory");
            return -1;
        }
        for (size_t i = 0; i < ch->len; i++)
            h[i] = ch->h[(ch->head + i) % ch->cap];
        free(ch->h);
        ch->h = h, ch->head = 0, ch->cap = nc;
    }
    ch->h[(ch->head + ch->len++) % ch->cap] = x;
    ch->last = t;
    if (t > k->tmax)
        k->tmax = t;
    k->cmds++;
    return 0;
}

int hbm_checker_finish(hbm_checker *k, char *err, size_t n)
{
    for (unsigned chn = 0; chn < k->nch; chn++)
        if (refresh_bounds(k, chn, k->tmax, NULL, err, n))
            return 1;
    return 0;
}

int hbm_check_stream(const hbm_cfg *cfg, FILE *f, const char *name, char *err, size_t n, uint64_t *ncmds)
{
    hbm_checker *k = hbm_checker_new(cfg);
    char line[512], msg[400];
    int rc = 0;
    *ncmds = 0;
    if (!k) {
        snprintf(err, n, "%s: out of memory", name);
        return 2;
    }
    while (!rc && fgets(line, sizeof line, f)) {
        int r = hbm_checker_line(k, line, msg, sizeof msg);
        if (r)
            rc = r < 0 ? 2 : 1;
    }
    if (!rc && ferror(f)) {
        snprintf(msg, sizeof msg, "read error");
        rc = 2;
    }
    if (!rc && hbm_checker_finish(k, msg, sizeof msg))
        rc = 1;
    if (rc)
        snprintf(err, n, "%s:%" PRIu64 ": %s", name, k->line, msg);
    *ncmds = k->cmds;
    hbm_checker_free(k);
    return rc;
}

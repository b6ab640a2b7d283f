/* hbm.c — HBM3-PIM timing engine (hbm.h): the public entry points, per-bank state and its checks, the
 * refresh window and the MAC power window. The timing rules that are distances from an earlier command to
 * a later one are rows of one table in hbm_rules.c, which drives both the query (hbm_earliest) and the
 * update at issue (hbm_issue); energy and statistics are in hbm_stats.c. */
#include "hbm_priv.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* The command names, each padded with NULs to 8 bytes (the log formatter copies 8 at once; the length
 * says how many count), and their lengths. */
#define OP_PAD(x) #x,
#define OP_LEN(x) (uint8_t)(sizeof #x - 1),
#define OP_FITS(x) _Static_assert(sizeof #x <= 8, "command name " #x " longer than 7 characters");
HBM_OPS(OP_FITS)
static const char op_pad[HBM_NOPS][8] = {HBM_OPS(OP_PAD)};
static const uint8_t op_len[HBM_NOPS] = {HBM_OPS(OP_LEN)};
const char *hbm_op_name(unsigned op) { return op < HBM_NOPS ? op_pad[op] : "?"; }

const uint8_t hbm_op_fields[HBM_NOPS] = {
    [HBM_ACT] = F_PC | F_SID | F_BG | F_BA | F_ROW,
    [HBM_PRE] = F_PC | F_SID | F_BG | F_BA,
    [HBM_PREA] = F_PC | F_PCALL,
    [HBM_RD] = F_PC | F_SID | F_BG | F_BA | F_COL,
    [HBM_WR] = F_PC | F_SID | F_BG | F_BA | F_COL,
    [HBM_REFAB] = F_PC,
    [HBM_REFPB] = F_PC | F_SID | F_BG | F_BA,
    [HBM_ACTAB] = F_PC | F_PCALL | F_ROW,
    [HBM_ACTBG] = F_PC | F_PCALL | F_BA | F_ROW,
    [HBM_MACAB] = F_PC | F_PCALL | F_COL,
    [HBM_MACBG] = F_PC | F_PCALL | F_BA | F_COL,
    [HBM_MACSB] = F_PC | F_SID | F_BG | F_BA | F_COL,
    [HBM_WRGB] = F_PC | F_PCALL,
    [HBM_MVSB] = F_PC | F_PCALL | F_N,
    [HBM_MVGB] = F_PC | F_PCALL | F_N,
    [HBM_SFM] = F_N,
    [HBM_BARRIER] = 0,
};

/* Decimal digits of v at b; their number. Two digits per division: the command log is formatted on every
 * issue (docs/hbm.md "Speed"). */
static const char digit_pairs[201] = "00010203040506070809101112131415161718192021222324"
                                     "25262728293031323334353637383940414243444546474849"
                                     "50515253545556575859606162636465666768697071727374"
                                     "75767778798081828384858687888990919293949596979899";
static size_t put_u64(char *b, uint64_t v)
{
    size_t k = 1;
    for (uint64_t p = 10; k < 20 && v >= p; p *= 10)
        k++;
    size_t i = k;
    for (; v >= 100; v /= 100) {
        const char *d = digit_pairs + 2 * (v % 100);
        b[--i] = d[1], b[--i] = d[0];
    }
    if (v >= 10)
        b[1] = digit_pairs[2 * v + 1], b[0] = digit_pairs[2 * v];
    else
        b[0] = (char)('0' + v);
    return k;
}

/* A field's " name=" (4 or 5 bytes, with its NUL 8 are copied), then its value. */
#define PUT_FIELD(b, k, name, v)                                                                                  \
    (memcpy((b) + (k), name "\0\0\0\0", 8), (k) += sizeof name - 1, (k) += put_u64((b) + (k), (v)))

/* c as a log line without the cycle and newline ("ACT st=0 ch=1 ..."; docs/hbm.md, command log v1) into b,
 * which holds at least HBM_CMD_MAX bytes; its length. The one formatter of the log and of messages. */
#define HBM_CMD_MAX 160
static size_t fmt_cmd(char *b, const hbm_cmd *c)
{
    size_t k;
    uint8_t f;
    if (c->op < HBM_NOPS)
        memcpy(b, op_pad[c->op], 8), k = op_len[c->op], f = hbm_op_fields[c->op];
    else
        b[0] = '?', k = 1, f = 0;
    PUT_FIELD(b, k, " st=", c->st);
    PUT_FIELD(b, k, " ch=", c->ch);
    if (f & F_PC) {
        if (c->pc == HBM_PC_ALL)
            memcpy(b + k, " pc=*", 5), k += 5;
        else
            PUT_FIELD(b, k, " pc=", c->pc);
    }
    if (f & F_SID)
        PUT_FIELD(b, k, " sid=", c->sid);
    if (f & F_BG)
        PUT_FIELD(b, k, " bg=", c->bg);
    if (f & F_BA)
        PUT_FIELD(b, k, " ba=", c->ba);
    if (f & F_ROW)
        PUT_FIELD(b, k, " row=", c->row);
    if (f & F_COL)
        PUT_FIELD(b, k, " col=", c->col);
    if (f & F_N)
        PUT_FIELD(b, k, " n=", c->n);
    return k;
}

const char *hbm_cmd_str(const hbm_cmd *c, char *buf, size_t n)
{
    char b[HBM_CMD_MAX];
    size_t k = fmt_cmd(b, c);
    if (n) {
        k = k < n - 1 ? k : n - 1;
        memcpy(buf, b, k);
        buf[k] = '\0';
    }
    return buf;
}

static uint64_t ref_interval(const hbm *h);
static uint64_t done_after(const hbm *h, const hbm_cmd *c);

hbm *hbm_new(const hbm_cfg *cfg)
{
    hbm *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->cfg = *cfg;
    h->nbpc = hbm_cfg_banks_per_pc(cfg);
    for (unsigned op = 0; op < HBM_NOPS; op++) {
        uint8_t f = hbm_op_fields[op];
        h->k[op] = (f & F_SID ? 1 : cfg->sids) * (f & F_BG ? 1 : cfg->bank_groups) * (f & F_BA ? 1 : cfg->banks);
    }
    for (unsigned op = 0; op < HBM_NOPS; op++) {
        const hbm_cmd n0 = {.op = (uint8_t)op}, n1 = {.op = (uint8_t)op, .n = 1};
        h->done_b[op] = done_after(h, &n0), h->done_n[op] = (uint32_t)(done_after(h, &n1) - h->done_b[op]);
    }
    size_t nch = (size_t)cfg->stacks * cfg->channels, npc = nch * cfg->pcs, nsid = npc * cfg->sids;
    size_t nbg = nsid * cfg->bank_groups, nbank = npc * h->nbpc;
    const size_t inst[HBM_NSCOPES] = {[HBM_SC_CH] = nch, [HBM_SC_PC] = npc, [HBM_SC_SID] = nsid, [HBM_SC_BG] = nbg,
                                      [HBM_SC_BANK] = nbank};
    memcpy(h->ninst, inst, sizeof inst);
    int bad = hbm_rules_build(h);
    h->bank = calloc(nbank, sizeof *h->bank);
    h->pc = calloc(npc, sizeof *h->pc);
    h->ch = calloc(nch, sizeof *h->ch);
    h->tally = calloc(nch, sizeof *h->tally);
    h->sum = calloc(1, sizeof *h->sum);
    bad |= !h->bank || !h->pc || !h->ch || !h->tally || !h->sum;
    if (bad) {
        hbm_free(h);
        return NULL;
    }
    for (size_t i = 0; i < nbank; i++)
        h->bank[i].row = -1;
    for (size_t i = 0; i < nch; i++)
        h->ch[i].ref_ok = cfg->ref_mode == HBM_REF_OFF ? UINT64_MAX : (cfg->max_postpone + 1ull) * ref_interval(h);
    return h;
}

void hbm_free(hbm *h)
{
    if (!h)
        return;
    free(h->bank);
    free(h->pc);
    free(h->ch);
    free(h->tally);
    free(h->sum);
    for (unsigned s = 0; s < HBM_NSCOPES; s++)
        free(h->reg[s]), free(h->floor[s]), free(h->agg[s]);
    free(h->agstale);
    free(h);
}

const hbm_cfg *hbm_config(const hbm *h) { return &h->cfg; }
void hbm_set_log(hbm *h, FILE *f)
{
    h->log = f;
    if (f)
        fprintf(f, "# pimattn hbm command log v1\n# preset %s\n# stacks %u\n# power-limit %s\n", h->cfg.name,
                h->cfg.stacks, h->cfg.power_limit ? "on" : "off");
}

/* ---- derived quantities (docs/hbm.md) -------------------------------------------------------------- */

uint64_t hbm_stagger(const hbm_cfg *f, unsigned op, unsigned k)
{
    if (!f->ab_act_faw || !hbm_is_big_act(op) || k <= 4)
        return 0;
    return (uint64_t)((k + 3) / 4 - 1) * f->nFAW;
}

/* The cycles from a command's issue until its data or effect is done (hbm_done_after), for n = c->n;
 * linear in n for every command, which hbm_new tabulates. */
static uint64_t done_after(const hbm *h, const hbm_cmd *c)
{
    const hbm_cfg *f = &h->cfg;
    switch (c->op) {
    case HBM_RD: return f->nCL + f->nBL;
    case HBM_WR:
    case HBM_WRGB: return f->nCWL + f->nBL;
    case HBM_MVSB:
    case HBM_MVGB: return hbm_dur(h, c);
    case HBM_MACAB:
    case HBM_MACBG:
    case HBM_MACSB: return f->nMACLAT;
    case HBM_SFM: return c->n;
    case HBM_ACT:
    case HBM_ACTAB:
    case HBM_ACTBG: return f->nRCDRD + hbm_stagger(f, c->op, h->k[c->op]);
    case HBM_PRE:
    case HBM_PREA: return f->nRP;
    case HBM_REFAB: return f->nRFC;
    case HBM_REFPB: return f->nRFCpb;
    default: return 0;
    }
}

static uint64_t ref_interval(const hbm *h)
{
    return h->cfg.ref_mode == HBM_REF_PERBANK ? hbm_cfg_nrefipb(&h->cfg) : h->cfg.nREFI;
}

/* ---- legality -------------------------------------------------------------------------------------- */

/* State and address checks; returns NULL when legal, else what is wrong. */
static const char *state_error(const hbm *h, const hbm_cmd *c)
{
    const hbm_cfg *f = &h->cfg;
    if (c->op >= HBM_NOPS)
        return "unknown command";
    uint8_t fl = hbm_op_fields[c->op];
    if (c->st >= f->stacks || c->ch >= f->channels)
        return "stack or channel out of range";
    if ((fl & F_PC) && c->pc >= f->pcs && !(c->pc == HBM_PC_ALL && (fl & F_PCALL)))
        return "pseudo-channel out of range";
    if (((fl & F_SID) && c->sid >= f->sids) || ((fl & F_BG) && c->bg >= f->bank_groups) ||
        ((fl & F_BA) && c->ba >= f->banks))
        return "bank address out of range";
    if (((fl & F_ROW) && c->row >= f->rows) || ((fl & F_COL) && c->col >= f->columns))
        return "row or column out of range";
    if ((fl & F_N) && c->n == 0)
        return "n must be at least 1";
    if (c->op == HBM_REFAB && f->ref_mode != HBM_REF_ALLBANK)
        return "REFAB needs refresh mode all-bank";
    if (c->op == HBM_REFPB && f->ref_mode != HBM_REF_PERBANK)
        return "REFPB needs refresh mode per-bank";
    int closed = hbm_is_act(c->op) || hbm_is_ref(c->op);
    int open = c->op == HBM_PRE || hbm_is_cas(c->op) || hbm_is_mac(c->op);
    if (hbm_has_banks(c->op) && (closed || open)) {
        hbm_at at = hbm_at_of(h, c);
        hbm_span sp = hbm_span_of(&at, HBM_SC_BANK);
        if (at.shape[HBM_SC_BANK].whole) { /* every bank of its PCs: the PCs' counts say it */
            for (size_t p = at.start[HBM_SC_PC]; p < at.start[HBM_SC_PC] + at.shape[HBM_SC_PC].count; p++) {
                if (closed && h->pc[p].open)
                    return "bank is open";
                if (open && h->pc[p].open != h->nbpc)
                    return "bank is closed";
            }
        } else
            for (size_t i = 0; i < sp.count; i++) {
                int64_t row = h->bank[sp.start + i * sp.stride].row;
                if (closed && row >= 0)
                    return "bank is open";
                if (open && row < 0)
                    return "bank is closed";
            }
    }
    if (c->op == HBM_REFPB) {
        size_t first = hbm_pc_index(h, c->st, c->ch, c->pc) * h->nbpc;
        uint32_t mine = h->bank[hbm_bank_index(h, c, c->pc, c->sid, c->bg, c->ba)].refs;
        for (unsigned i = 0; i < h->nbpc; i++)
            if (h->bank[first + i].refs < mine)
                return "another bank of the PC is owed a refresh first";
    }
    return NULL;
}

/* Refresh window (docs/hbm.md "Refresh"), the pull-in limit: at most max_postpone refreshes ahead of the
 * current interval's (refresh k belongs to [(k-1) I, k I)): refs + 1 <= floor(t / I) + 1 + max_postpone. */
uint64_t hbm_refresh_pullin(const hbm *h, size_t p)
{
    uint64_t refs = h->pc[p].refs;
    return refs > h->cfg.max_postpone ? (refs - h->cfg.max_postpone) * ref_interval(h) : 0;
}

/* macpow: banks of MACs in (t - nMACpow, t] <= banks of the channel; move t past the oldest MAC in the
 * window until the sum fits (a later t only shrinks the window's sum). */
uint64_t hbm_macpow_earliest(const hbm *h, const hbm_cmd *c, uint64_t t)
{
    const hbm_cfg *f = &h->cfg;
    const ch_t *ch = &h->ch[hbm_ch_index(h, c->st, c->ch)];
    uint32_t cap = f->pcs * h->nbpc, need = h->k[c->op] * (c->pc == HBM_PC_ALL ? f->pcs : 1);
    for (;;) {
        uint32_t sum = need;
        int oldest = -1;
        for (unsigned i = 0; i < ch->mac_n; i++) {
            unsigned j = (ch->mac_head + i) % MACRING;
            if (ch->mac_t[j] + f->nMACpow > t) {
                sum += ch->mac_k[j];
                if (oldest < 0)
                    oldest = (int)j;
            }
        }
        if (sum <= cap || oldest < 0)
            return t;
        t = ch->mac_t[oldest] + f->nMACpow;
    }
}

static int same_cmd(const hbm_cmd *a, const hbm_cmd *b)
{
    return a->op == b->op && a->st == b->st && a->ch == b->ch && a->pc == b->pc && a->sid == b->sid &&
           a->bg == b->bg && a->ba == b->ba && a->row == b->row && a->col == b->col && a->n == b->n;
}

uint64_t hbm_earliest(const hbm *h, const hbm_cmd *c, uint64_t from, const char **rule)
{
    const char *why = "state";
    if (state_error(h, c))
        from = HBM_NEVER;
    else
        from = hbm_rules_earliest(h, c, from, rule ? &why : NULL);
    if (rule)
        *rule = why;
    if (from != HBM_NEVER && c->st < h->cfg.stacks && c->ch < h->cfg.channels) {
        ch_t *ch = &h->ch[hbm_ch_index(h, c->st, c->ch)]; /* the memo is the channel's own (hbm.h, Threads) */
        ch->memo_cmd = *c, ch->memo_t = from, ch->memo_gen = ch->gen;
    }
    return from;
}

/* ---- issue ----------------------------------------------------------------------------------------- */

/* The refresh deadlines of every PC of c's channel at t, counting c's refresh; NULL, or err filled. */
static const char *refresh_error(const hbm *h, const hbm_cmd *c, uint64_t t, char *err, size_t n)
{
    const hbm_cfg *f = &h->cfg;
    if (f->ref_mode == HBM_REF_OFF)
        return NULL;
    if (t < h->ch[hbm_ch_index(h, c->st, c->ch)].ref_ok)
        return NULL; /* a refresh command only raises its PC's count */
    const uint64_t iv = ref_interval(h);
    for (unsigned p = 0; p < f->pcs; p++) {
        uint64_t refs = h->pc[hbm_pc_index(h, c->st, c->ch, p)].refs;
        if (hbm_is_ref(c->op) && c->pc == p)
            refs++;
        /* refs + max_postpone < floor(t / I), without the division on every command */
        if ((refs + f->max_postpone + 1) * iv <= t) {
            uint64_t owed_by = t / iv;
            char buf[128];
            snprintf(err, n, "refresh: %s at cycle %" PRIu64 ": PC %u has %" PRIu64 " refreshes, owes %" PRIu64
                     " (max_postpone %u)", hbm_cmd_str(c, buf, sizeof buf), t, p, refs, owed_by, f->max_postpone);
            return err;
        }
    }
    return NULL;
}

/* Everything but the rule registers: the channel's order and MAC power window, refresh counts, open rows,
 * and the statistics (hbm_stats.c). */
static void update_state(hbm *h, const hbm_cmd *c, const hbm_at *atp, uint64_t t)
{
    const hbm_cfg *f = &h->cfg;
    unsigned op = c->op;
    hbm_bankset bs = hbm_banks_of(h, c);
    unsigned k = h->k[op], npc = bs.p1 - bs.p0 + 1;
    ch_t *ch = &h->ch[hbm_ch_index(h, c->st, c->ch)];
    ch->t_last = t;
    ch->gen++; /* any memo of hbm_earliest is stale */
    if (hbm_is_mac(op)) {
        while (ch->mac_n && ch->mac_t[ch->mac_head] + f->nMACpow <= t)
            ch->mac_head = (ch->mac_head + 1) % MACRING, ch->mac_n--;
        unsigned j = (ch->mac_head + ch->mac_n) % MACRING;
        ch->mac_t[j] = t, ch->mac_k[j] = k * npc, ch->mac_n++;
    }
    if (hbm_is_ref(op)) {
        for (unsigned p = bs.p0; p <= bs.p1; p++)
            h->pc[hbm_pc_index(h, c->st, c->ch, p)].refs++;
        uint64_t low = UINT64_MAX;
        for (unsigned p = 0; p < f->pcs; p++) {
            const uint64_t refs = h->pc[hbm_pc_index(h, c->st, c->ch, p)].refs;
            low = refs < low ? refs : low;
        }
        ch->ref_ok = (low + f->max_postpone + 1) * ref_interval(h);
    }
    int opens = hbm_is_act(op), closes = hbm_is_pre(op), bursts = hbm_is_cas(op) || hbm_is_mac(op);
    if (bs.has_banks && (opens || closes || bursts || op == HBM_REFPB)) {
        const hbm_span sp = hbm_span_of(atp, HBM_SC_BANK); /* *atp, not a copy (hbm_rules_issue) */
        hbm_tally *ty = &h->tally[hbm_ch_index(h, c->st, c->ch)];
        if (bursts && atp->shape[HBM_SC_BANK].whole) { /* every bank of its PCs open (state_error) */
            const size_t p0 = atp->start[HBM_SC_PC], np = atp->shape[HBM_SC_PC].count; /* the PCs: no division */
            for (size_t p = p0; p < p0 + np; p++) {
                pc_t *pc = &h->pc[p];
                ty->row_hits += pc->accessed;
                ty->row_misses += h->nbpc - pc->accessed;
                if (pc->accessed == h->nbpc)
                    continue; /* the row's first burst below: the banks' flags, once per row */
                for (size_t b = p * h->nbpc; b < (p + 1) * h->nbpc; b++)
                    h->bank[b].accessed = 1;
                pc->accessed = h->nbpc;
            }
        } else {
            /* the PC of bank b and b's place in it, kept as b advances (no division per bank) */
            size_t px = atp->start[HBM_SC_PC], off = sp.start - px * h->nbpc;
            for (size_t i = 0; i < sp.count; i++, off += sp.stride) {
                for (; off >= h->nbpc; off -= h->nbpc)
                    px++;
                size_t b = sp.start + i * sp.stride;
                bank_t *bk = &h->bank[b];
                pc_t *pc = &h->pc[px];
                if (opens) { /* the bank is closed (state_error) */
                    bk->row = c->row, bk->accessed = 0;
                    pc->open++;
                }
                if (closes && bk->row >= 0) {
                    pc->open--;
                    pc->accessed -= bk->accessed;
                    bk->row = -1, bk->accessed = 0;
                }
                if (op == HBM_REFPB)
                    bk->refs++;
                if (bursts) {
                    if (bk->accessed)
                        ty->row_hits++;
                    else
                        ty->row_misses++, pc->accessed++;
                    bk->accessed = 1;
                }
            }
        }
    }
    hbm_stats_add(h, c, t, npc);
}

/* A command legal by the state and every timing rule at t: the refresh window, the log, the registers and
 * the state. */
static int commit(hbm *h, const hbm_cmd *c, uint64_t t, char *err, size_t n)
{
    if (refresh_error(h, c, t, err, n))
        return -1;
    if (h->log) { /* one fwrite per line: the callers find a failed write with ferror/fclose */
        char line[24 + HBM_CMD_MAX];
        size_t k = put_u64(line, t);
        line[k++] = ' ';
        k += fmt_cmd(line + k, c);
        line[k++] = '\n';
        fwrite(line, 1, k, h->log);
    }
    const hbm_at at = hbm_at_of(h, c);
    hbm_rules_issue(h, c, &at, t);
    update_state(h, c, &at, t);
    return 0;
}

/* hbm_issue (and the checked build's hbm_issue_proven): the state and timing checks, then commit. */
static int issue(hbm *h, const hbm_cmd *c, uint64_t t, char *err, size_t n)
{
    char buf[128];
    const char *rule;
    /* the cycle hbm_earliest just gave for this command, nothing issued on the channel since: legal by
     * the state and every timing rule (the registers it read are the same), so only the refresh window
     * (commit) is left to check */
    const ch_t *chs =
        c->st < h->cfg.stacks && c->ch < h->cfg.channels ? &h->ch[hbm_ch_index(h, c->st, c->ch)] : NULL;
    const int known = chs && chs->memo_gen == chs->gen && chs->memo_t == t && same_cmd(&chs->memo_cmd, c);
    const char *bad = known ? NULL : state_error(h, c);
    if (bad) {
        snprintf(err, n, "state: %s at cycle %" PRIu64 ": %s", hbm_cmd_str(c, buf, sizeof buf), t, bad);
        return -1;
    }
    uint64_t e = known ? t : hbm_rules_earliest(h, c, t, NULL);
    if (e != t) {
        (void)hbm_rules_earliest(h, c, t, &rule);
        snprintf(err, n, "%s: %s at cycle %" PRIu64 " needs cycle >= %" PRIu64, rule, hbm_cmd_str(c, buf, sizeof buf),
                 t, e);
        return -1;
    }
    return commit(h, c, t, err, n);
}

int hbm_issue(hbm *h, const hbm_cmd *c, uint64_t t, char *err, size_t n) { return issue(h, c, t, err, n); }

int hbm_issue_proven(hbm *h, const hbm_cmd *c, uint64_t t, char *err, size_t n)
{
#ifdef HBM_CHECK_PROVEN
    return issue(h, c, t, err, n);
#else
    return commit(h, c, t, err, n);
#endif
}

uint64_t hbm_channel_last(const hbm *h, unsigned st, unsigned ch) { return h->ch[hbm_ch_index(h, st, ch)].t_last; }

int64_t hbm_open_row(const hbm *h, unsigned st, unsigned ch, unsigned pc, unsigned sid, unsigned bg, unsigned ba)
{
    hbm_cmd c = {.st = (uint8_t)st, .ch = (uint8_t)ch};
    return h->bank[hbm_bank_index(h, &c, pc, sid, bg, ba)].row;
}

uint64_t hbm_refresh_deadline(const hbm *h, unsigned st, unsigned ch, unsigned pc)
{
    if (h->cfg.ref_mode == HBM_REF_OFF)
        return UINT64_MAX;
    uint64_t refs = h->pc[hbm_pc_index(h, st, ch, pc)].refs;
    return (refs + h->cfg.max_postpone + 1) * ref_interval(h) - 1;
}

unsigned hbm_refresh_next_bank(const hbm *h, unsigned st, unsigned ch, unsigned pc)
{
    size_t first = hbm_pc_index(h, st, ch, pc) * h->nbpc;
    unsigned best = 0;
    for (unsigned i = 1; i < h->nbpc; i++)
        if (h->bank[first + i].refs < h->bank[first + best].refs)
            best = i;
    return best;
}

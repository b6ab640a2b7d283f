/* schedule_src.c — the nine command sources of one channel's schedule (schedule_src.h): for each, its next
 * command and when that command's inputs are ready, and what issuing it makes ready for the others. */
#include "schedule_src.h"

#include "sm_unit.h"

static hbm_cmd mk(const sched_ctx *x, unsigned op, unsigned pc)
{
    hbm_cmd c = {.op = (uint8_t)op, .st = (uint8_t)x->c->st, .ch = (uint8_t)x->c->ch, .pc = (uint8_t)pc};
    return c;
}

/* The hooks to tell about a command of pass p: none for a timing-only schedule or a pass whose numbers
 * are not computed. */
static const sched_hooks *hooks_of(const sched_ctx *x, const sched_pass *p)
{
    return x->hk && p->functional ? x->hk : NULL;
}

/* Counts *i on in 0 .. n-1; 1 when it wrapped round to 0, i.e. the next position is in the outer cursor. */
static int wraps(uint32_t *i, uint32_t n)
{
    if (++*i < n)
        return 0;
    *i = 0;
    return 1;
}

/* When a mover's n bursts issued at t are through the PC's data path. */
static uint64_t moved_at(const sched_ctx *x, const hbm_cmd *cmd, uint64_t t)
{
    return t + (uint64_t)cmd->n * x->hc->nBL;
}

/* ---- the softmax unit's busy time (schedule.h) ------------------------------------------------------------ */

uint64_t sched_sfm_row_cycles(uint32_t len, unsigned lanes) { return smu_row_cycles(sched_cdiv(len, lanes), (int)lanes); }

uint64_t sched_sfm_merge_cycles(uint32_t partials, unsigned d, unsigned lanes)
{
    return smu_merge_cycles(partials, (int)d, (int)lanes);
}

uint64_t sched_sfm_pass_cycles(const map_geom *g, const sched_cfg *c, const sched_pass *p, uint64_t *merge)
{
    uint64_t rows = 0;
    uint32_t used = 0;
    for (uint32_t t = 0; t < g->parts; t++) {
        uint32_t k = map_part_tokens(&p->shape, t);
        used += k > 0;
        if (c->splitk && k)
            rows += sched_sfm_row_cycles(k, c->sm_lanes);
    }
    if (!c->splitk)
        rows = sched_sfm_row_cycles(p->shape.L, c->sm_lanes);
    /* the buffer flow's merge sums unnormalised partials, then scales by 1/l: d/lanes more cycles; a host
     * tier adds its partial */
    *merge = p->rows * (sched_sfm_merge_cycles(used + (p->host_ready > 0), c->head_dim, c->sm_lanes) +
                        (c->splitk ? 0 : c->head_dim / c->sm_lanes));
    return p->rows * rows;
}

/* ---- refresh ------------------------------------------------------------------------------------------- */

int sched_due_pc(const hbm *h, unsigned st, unsigned ch, uint64_t t, uint64_t slack)
{
    const hbm_cfg *hc = hbm_config(h);
    if (hc->ref_mode == HBM_REF_OFF)
        return -1;
    unsigned best = 0;
    for (unsigned pc = 1; pc < hc->pcs; pc++)
        if (hbm_refresh_deadline(h, st, ch, pc) < hbm_refresh_deadline(h, st, ch, best))
            best = pc;
    return hbm_refresh_deadline(h, st, ch, best) < t + slack ? (int)best : -1;
}

void sched_refresh_note(sched_ctx *x)
{
    x->refresh.pc = sched_due_pc(x->h, x->c->st, x->c->ch, 0, UINT64_MAX / 2);
    x->refresh.deadline = x->refresh.pc < 0 ? UINT64_MAX : hbm_refresh_deadline(x->h, x->c->st, x->c->ch,
                                                                                  (unsigned)x->refresh.pc);
}

/* The PC due within `slack` of the last issue, or -1 (sched_due_pc, from the deadline noted). */
static int due_pc(const sched_ctx *x, uint64_t slack)
{
    return x->refresh.pc >= 0 && x->refresh.deadline < x->now + slack ? x->refresh.pc : -1;
}

static int any_set_open(const sched_ctx *x)
{
    return x->rows.set[0].open_row >= 0 || (x->rows.nsets == 2 && x->rows.set[1].open_row >= 0);
}

/* The refresh backstop: the most urgent PC's refresh, ready just early enough to close the banks and
 * refresh before its deadline. The banks refresh at row switches when the next row could not finish
 * in time; this catches every wait (a long softmax row, a mover) that would otherwise carry a PC past
 * its deadline. It never keeps the schedule alive on its own (see the main loop). */
int sched_next_refresh(sched_ctx *x, hbm_cmd *cmd, uint64_t *ready)
{
    int pc = x->refresh.pc;
    if (pc < 0)
        return 0;
    uint64_t d = x->refresh.deadline;
    *ready = d > x->refresh.lead ? d - x->refresh.lead : 0;
    if (any_set_open(x))
        *cmd = mk(x, HBM_PREA, HBM_PC_ALL);
    else
        *cmd = mk(x, HBM_REFAB, (unsigned)pc);
    return 1;
}

/* The banks of a set: ACTs/PREs address ba = set, set + 2, ... (ping-pong) or everything (one set). */
static unsigned set_bas(const sched_ctx *x) { return x->g->banks_per_group / x->rows.nsets; }

int sched_rows_issued(sched_ctx *x, const hbm_cmd *cmd, uint64_t t)
{
    (void)t;
    src_rowctl *rc = &x->rows;
    bank_set *s = &rc->set[rc->nsets == 1 ? 0 : cmd->ba % 2];
    switch (cmd->op) {
    case HBM_PREA:
        for (unsigned k = 0; k < rc->nsets; k++)
            rc->set[k] = (bank_set){.open_row = -1};
        break;
    case HBM_PRE:
        if (++s->pre_done == x->g->units) { /* every unit's bank of this set */
            s->open_row = -1;
            s->pre_done = 0;
        }
        break;
    case HBM_REFAB:
        x->out->refreshes++;
        sched_refresh_note(x);
        break;
    case HBM_ACTAB: rc->set[0].open_row = cmd->row; break;
    case HBM_ACTBG:
        s->open_row = cmd->row;
        if (++s->act_done == set_bas(x))
            s->act_done = 0;
        break;
    default: break;
    }
    return 0;
}

/* ---- the banks' MACs and their rows ---------------------------------------------------------------------- */

/* A unit-row of the bank order: its pass, score (K) or context (V) phase, index r in the phase, and the
 * bank set and row that hold it. */
typedef struct unit_row {
    size_t pass;
    int context;
    uint32_t r;
    unsigned set;
    int64_t row;
} unit_row;

/* Phase k of the bank order S0 S1 C0 S2 C1 ... C(n-1): its pass and whether it is a context phase. */
static size_t phase_pass(const sched_ctx *x, size_t k, int *context)
{
    if (k == 0) {
        *context = 0;
        return 0;
    }
    if (k == x->macs.nphases - 1) {
        *context = 1;
        return x->np - 1;
    }
    *context = k % 2 == 0;
    return *context ? k / 2 - 1 : (k + 1) / 2;
}

static uint32_t phase_rows(const sched_pass *p, int context) { return context ? p->shape.v_rows : p->shape.k_rows; }

/* Columns of unit-row r: every column but in the phase's last row. */
static uint32_t row_cols(const sched_ctx *x, const map_shape *s, int context, uint32_t r)
{
    uint32_t nrow = context ? s->v_rows : s->k_rows;
    return r + 1 < nrow ? x->g->cols : (context ? s->v_last : s->k_last);
}

/* The unit-row the MACs are at (next = 0) or the one after it (next = 1); 0 when there is none. */
static int unit_row_at(const sched_ctx *x, int next, unit_row *u)
{
    size_t k = x->macs.phase;
    if (k == x->macs.nphases)
        return 0;
    u->r = x->macs.row;
    u->pass = phase_pass(x, k, &u->context);
    if (next && ++u->r == phase_rows(&x->ps[u->pass], u->context)) {
        if (++k == x->macs.nphases)
            return 0;
        u->r = 0;
        u->pass = phase_pass(x, k, &u->context);
    }
    const sched_pass *p = &x->ps[u->pass];
    const unsigned ping = x->rows.nsets == 2; /* nsets is 1 or 2: a shift, not a division, on every MAC */
    u->set = u->r & ping;
    u->row = (int64_t)(u->context ? p->v_row : p->k_row) + (u->r >> ping);
    return 1;
}

/* Every bank of u's set is open at u's row (a set still being activated is not). */
static int set_holds(const sched_ctx *x, const unit_row *u)
{
    const bank_set *s = &x->rows.set[u->set];
    return s->open_row == u->row && s->act_done == 0;
}

uint64_t sched_chunk_ready(const sched_ctx *x, size_t pass, uint32_t q)
{
    const pass_state *s = &x->st[pass];
    return s->chunk_pcs[q] == x->hc->pcs ? s->chunk_done[q] : SCHED_INF;
}

/* When the data of the MACs' column is in the units: the queries (score phase), or the column's chunk of
 * probabilities on every PC (context phase). */
static uint64_t mac_inputs_ready(const sched_ctx *x, const unit_row *u)
{
    if (!u->context)
        return x->st[u->pass].q_done;
    uint32_t tok;
    if (!map_v_burst(x->g, x->macs.row * x->g->cols + x->macs.col, &tok))
        return 0; /* an INT8 block's scale: no probabilities needed */
    return sched_chunk_ready(x, u->pass, tok / x->g->lanes);
}

/* The MAC beats of the current unit-row, once its set holds the row. */
int sched_next_macs(sched_ctx *x, hbm_cmd *cmd, uint64_t *ready)
{
    const src_macs *m = &x->macs;
    unit_row u;
    if (!unit_row_at(x, 0, &u))
        return 0;
    uint64_t dep = mac_inputs_ready(x, &u);
    /* a unit takes one burst per nMAC, also from its other bank at a row boundary (ping-pong) */
    uint64_t last = m->last_beat[m->beat_cmd];
    uint64_t unit_free = last == SCHED_INF ? 0 : last + x->hc->nMAC;
    *ready = set_holds(x, &u) && dep != SCHED_INF ? sched_max64(dep, unit_free) : SCHED_INF;
    if (due_pc(x, x->refresh.lead) >= 0)
        *ready = SCHED_INF; /* the refresh backstop closes the banks now: no MAC may push its PREA back */
    if (x->rows.nsets == 1) {
        *cmd = mk(x, HBM_MACAB, HBM_PC_ALL);
    } else {
        *cmd = mk(x, HBM_MACBG, HBM_PC_ALL);
        cmd->ba = (uint8_t)(u.set + 2 * m->beat_cmd);
    }
    cmd->col = m->col;
    return 1;
}

/* One beat done: the next column, row, phase, and what other sources wait for: a K row's end (its scores
 * may move up), the context tokens consumed (the ring words behind them may be refilled), a phase's end
 * (the next pass's queries may be written; the partial outputs may move up). */
static void macs_advance(sched_ctx *x, size_t p, int context, uint64_t t)
{
    src_macs *m = &x->macs;
    const sched_pass *ps = &x->ps[p];
    pass_state *s = &x->st[p];
    m->col++;
    if (context)
        (void)map_v_burst(x->g, m->row * x->g->cols + m->col, &s->consumed); /* tokens before the next burst */
    if (m->col < row_cols(x, &ps->shape, context, m->row))
        return;
    if (!context)
        s->s_row_end[m->row] = t;
    m->col = 0;
    if (++m->row < phase_rows(ps, context))
        return;
    m->row = 0;
    m->phase++;
    if (context)
        s->c_end = t;
    else
        s->s_end = t;
    x->out->bank_busy += t + 1 - m->phase_first;
}

int sched_macs_issued(sched_ctx *x, const hbm_cmd *cmd, uint64_t t)
{
    src_macs *m = &x->macs;
    (void)cmd;
    m->last_beat[m->beat_cmd] = t; /* the units this command fed */
    if (x->rows.nsets == 2 && ++m->beat_cmd < set_bas(x))
        return 0; /* the beat's next bank index */
    m->beat_cmd = 0;
    int context;
    size_t p = phase_pass(x, m->phase, &context);
    if (m->col == 0 && m->row == 0)
        m->phase_first = t;
    x->out->mac_cmds++;
    const sched_hooks *hk = hooks_of(x, &x->ps[p]);
    if (hk && hk->mac && hk->mac(hk->ctx, &x->ps[p], context, m->row, m->col, t))
        return -1;
    macs_advance(x, p, context, t);
    return 0;
}

/* The command that closes set `set`: PREA for one set, else the PRE of the next unit's bank in it. */
static hbm_cmd close_set(const sched_ctx *x, unsigned set)
{
    if (x->rows.nsets == 1)
        return mk(x, HBM_PREA, HBM_PC_ALL);
    unsigned pc, sid, bg, ba;
    map_unit_bank(x->g, x->rows.set[set].pre_done, set, &pc, &sid, &bg, &ba); /* unit k's bank of this set */
    hbm_cmd c = mk(x, HBM_PRE, pc);
    c.sid = (uint8_t)sid;
    c.bg = (uint8_t)bg;
    c.ba = (uint8_t)ba;
    return c;
}

/* Opens the rows the MACs need: the current unit-row's, and with ping-pong the next one's on the other
 * set while the current streams. One set: PREA, a refresh the next row could not wait for, ACTAB.
 * Ping-pong: PRE of every bank of the set, then ACTBG for each of its bank indices. */
int sched_next_rowctl(sched_ctx *x, hbm_cmd *cmd, uint64_t *ready)
{
    const src_rowctl *rc = &x->rows;
    unit_row u;
    if (!unit_row_at(x, 0, &u))
        return 0;
    if (due_pc(x, 2 * x->refresh.lead) >= 0 && !(rc->nsets == 1 && rc->set[0].open_row < 0))
        return 0; /* a forced refresh is near: open nothing it would have to wait for (nRAS) */
    if (set_holds(x, &u)) { /* the current row is open: the next one, on the other set */
        unsigned cur = u.set;
        if (rc->nsets != 2 || !unit_row_at(x, 1, &u) || u.set == cur || set_holds(x, &u))
            return 0;
    }
    const bank_set *s = &rc->set[u.set];
    *ready = 0;
    if (s->open_row >= 0 && s->open_row != u.row) {
        *cmd = close_set(x, u.set);
        return 1;
    }
    if (rc->nsets == 1 && s->open_row < 0) {
        int pc = due_pc(x, x->refresh.horizon); /* postponed as far as allowed: what the next row cannot wait for */
        if (pc >= 0) {
            *cmd = mk(x, HBM_REFAB, (unsigned)pc);
            return 1;
        }
    }
    if (rc->nsets == 1) {
        *cmd = mk(x, HBM_ACTAB, HBM_PC_ALL);
    } else {
        *cmd = mk(x, HBM_ACTBG, HBM_PC_ALL);
        cmd->ba = (uint8_t)(u.set + 2 * s->act_done);
    }
    cmd->row = (uint32_t)u.row;
    return 1;
}

/* ---- queries in ------------------------------------------------------------------------------------------ */

int sched_next_queries(sched_ctx *x, hbm_cmd *cmd, uint64_t *ready)
{
    const src_queries *q = &x->queries;
    if (q->pass == x->np)
        return 0;
    *cmd = mk(x, HBM_WRGB, HBM_PC_ALL);
    /* half 0 is free once the last pass's scores are read */
    *ready = q->pass == 0 ? x->t0 : x->st[q->pass - 1].s_end;
    return 1;
}

int sched_queries_issued(sched_ctx *x, const hbm_cmd *cmd, uint64_t t)
{
    src_queries *q = &x->queries;
    const sched_pass *p = &x->ps[q->pass];
    const sched_hooks *hk = hooks_of(x, p);
    (void)cmd;
    if (hk && hk->wrgb && hk->wrgb(hk->ctx, p, q->head, q->word, t))
        return -1;
    if (wraps(&q->word, x->g->words + (x->g->block ? 1 : 0)) && wraps(&q->head, p->rows)) { /* INT8: + q's scale */
        x->st[q->pass].q_done = t + x->hc->nCWL + x->hc->nBL;
        q->pass++;
    }
    return 0;
}

/* ---- scores up ----------------------------------------------------------------------------------------- */

/* Score bursts one PC moves after K row r of pass p: the PC's scores of the keys finished by then. */
static uint32_t score_bursts(const sched_ctx *x, const sched_pass *p, unsigned pc, uint32_t r)
{
    const map_shape *s = &p->shape;
    uint64_t per_pc = (uint64_t)s->n * x->g->units_pc, lo = (uint64_t)pc * per_pc;
    uint64_t tok = lo >= s->L ? 0 : (s->L - lo < per_pc ? s->L - lo : per_pc);
    uint64_t bytes = tok * p->rows * x->c->score_bytes;
    uint64_t k1 = r + 1 >= s->k_rows ? s->n : map_k_keys_before(x->g, (r + 1) * x->g->cols);
    uint64_t k0 = r == 0 ? 0 : map_k_keys_before(x->g, r * x->g->cols);
    if (k1 > s->n)
        k1 = s->n;
    if (k0 > s->n)
        k0 = s->n;
    return sched_cdiv(bytes * k1 / s->n, 32) - sched_cdiv(bytes * k0 / s->n, 32);
}

static void score_moves_advance(sched_ctx *x)
{
    src_score_moves *m = &x->scores;
    m->known = 0;
    if (wraps(&m->pc, x->hc->pcs) && wraps(&m->k_row, x->ps[m->pass].shape.k_rows))
        m->pass++;
}

int sched_next_score_moves(sched_ctx *x, hbm_cmd *cmd, uint64_t *ready)
{
    src_score_moves *m = &x->scores;
    while (m->pass < x->np) {
        if (!m->known)
            m->nb = score_bursts(x, &x->ps[m->pass], m->pc, m->k_row), m->known = 1;
        uint32_t nb = m->nb;
        if (nb) {
            uint64_t e = x->st[m->pass].s_row_end[m->k_row];
            *cmd = mk(x, HBM_MVSB, m->pc);
            cmd->n = nb;
            *ready = e == SCHED_INF ? SCHED_INF : e + x->hc->nMACLAT;
            return 1;
        }
        x->st[m->pass].s_moves--; /* nothing to move for this PC and row */
        score_moves_advance(x);
    }
    return 0;
}

int sched_score_moves_issued(sched_ctx *x, const hbm_cmd *cmd, uint64_t t)
{
    pass_state *s = &x->st[x->scores.pass];
    s->scores_done = sched_max64(s->scores_done, moved_at(x, cmd, t));
    s->s_moves--;
    score_moves_advance(x);
    return 0;
}

/* ---- softmax rows ------------------------------------------------------------------------------------------ */

int sched_next_sfm_rows(sched_ctx *x, hbm_cmd *cmd, uint64_t *ready)
{
    size_t p = x->sfm_rows.pass;
    if (p == x->np)
        return 0;
    *cmd = mk(x, HBM_SFM, 0);
    cmd->n = x->st[p].sfm_rows;
    *ready = x->st[p].s_moves ? SCHED_INF : x->st[p].scores_done;
    return 1;
}

int sched_sfm_rows_issued(sched_ctx *x, const hbm_cmd *cmd, uint64_t t)
{
    size_t p = x->sfm_rows.pass++;
    x->st[p].sfm_done = t + cmd->n;
    x->out->sfm_cycles += cmd->n;
    const sched_hooks *hk = hooks_of(x, &x->ps[p]);
    return hk && hk->sfm_row && hk->sfm_row(hk->ctx, &x->ps[p], t) ? -1 : 0;
}

/* ---- probabilities down ------------------------------------------------------------------------------------ */

/* Partitions of pc holding tokens in probability chunk q of pass p. */
static uint32_t chunk_parts(const sched_ctx *x, const sched_pass *p, unsigned pc, uint32_t q)
{
    uint32_t k = 0;
    for (uint32_t t = pc * x->g->parts_pc; t < (pc + 1) * x->g->parts_pc; t++)
        k += map_part_tokens(&p->shape, t) > x->g->lanes * q;
    return k;
}

/* The ring word of the current chunk is free: a chunk of the ring's first lap once the pass before has
 * finished its context phase (its chunks may still occupy any word), a later one once the context MACs have
 * consumed the chunk a lap before. */
static int ring_slot_free(const sched_ctx *x)
{
    const src_prob_moves *m = &x->probs;
    uint32_t ring = x->c->ring;
    if (m->chunk < ring)
        return m->pass == 0 || x->st[m->pass - 1].c_end != SCHED_INF;
    return x->st[m->pass].consumed >= x->g->lanes * (m->chunk - ring + 1);
}

static void prob_moves_advance(sched_ctx *x)
{
    src_prob_moves *m = &x->probs;
    m->known = 0;
    if (wraps(&m->pc, x->hc->pcs) && wraps(&m->chunk, x->st[m->pass].nchunks))
        m->pass++;
}

int sched_next_prob_moves(sched_ctx *x, hbm_cmd *cmd, uint64_t *ready)
{
    src_prob_moves *m = &x->probs;
    while (m->pass < x->np) {
        const sched_pass *p = &x->ps[m->pass];
        pass_state *s = &x->st[m->pass];
        if (!m->known)
            m->parts = chunk_parts(x, p, m->pc, m->chunk), m->known = 1;
        uint32_t k = m->parts;
        if (k) {
            *cmd = mk(x, HBM_MVGB, m->pc);
            cmd->n = k * p->rows * (x->g->block ? 2 : 1); /* INT8: the word, and a beat of word scales */
            *ready = s->sfm_done == SCHED_INF || !ring_slot_free(x) ? SCHED_INF : s->sfm_done;
            return 1;
        }
        s->chunk_pcs[m->chunk]++; /* nothing to load on this PC */
        prob_moves_advance(x);
    }
    return 0;
}

int sched_prob_moves_issued(sched_ctx *x, const hbm_cmd *cmd, uint64_t t)
{
    const src_prob_moves *m = &x->probs;
    const sched_pass *p = &x->ps[m->pass];
    pass_state *s = &x->st[m->pass];
    const sched_hooks *hk = hooks_of(x, p);
    if (hk && hk->mvgb && hk->mvgb(hk->ctx, p, m->pc, m->chunk, t))
        return -1;
    s->chunk_done[m->chunk] = sched_max64(s->chunk_done[m->chunk], moved_at(x, cmd, t));
    s->chunk_pcs[m->chunk]++;
    prob_moves_advance(x);
    return 0;
}

/* ---- partial outputs up ------------------------------------------------------------------------------------- */

/* Bursts of pc's partial outputs of pass p: 16 (INT8: 32) lanes per query head of every bank holding V. */
static uint32_t partial_bursts(const sched_ctx *x, const sched_pass *p, unsigned pc)
{
    uint32_t banks = 0;
    for (uint32_t t = pc * x->g->parts_pc; t < (pc + 1) * x->g->parts_pc; t++)
        banks += map_part_tokens(&p->shape, t) ? x->g->words : 0;
    return sched_cdiv((uint64_t)banks * p->rows * x->g->lanes * x->c->out_bytes, 32);
}

static void partial_moves_advance(sched_ctx *x)
{
    src_partial_moves *m = &x->partials;
    m->known = 0;
    if (wraps(&m->pc, x->hc->pcs))
        m->pass++;
}

int sched_next_partial_moves(sched_ctx *x, hbm_cmd *cmd, uint64_t *ready)
{
    src_partial_moves *m = &x->partials;
    while (m->pass < x->np) {
        const sched_pass *p = &x->ps[m->pass];
        pass_state *s = &x->st[m->pass];
        if (!m->known)
            m->nb = partial_bursts(x, p, m->pc), m->known = 1;
        uint32_t nb = m->nb;
        if (nb) {
            *cmd = mk(x, HBM_MVSB, m->pc);
            cmd->n = nb;
            /* the last MAC's result, then one beat per query head out of the unit */
            *ready = s->c_end == SCHED_INF ? SCHED_INF : s->c_end + x->hc->nMACLAT + p->rows;
            return 1;
        }
        s->p_moves--; /* no partition of this PC holds tokens */
        partial_moves_advance(x);
    }
    return 0;
}

int sched_partial_moves_issued(sched_ctx *x, const hbm_cmd *cmd, uint64_t t)
{
    pass_state *s = &x->st[x->partials.pass];
    s->partials_done = sched_max64(s->partials_done, moved_at(x, cmd, t));
    s->p_moves--;
    partial_moves_advance(x);
    return 0;
}

/* ---- merges ------------------------------------------------------------------------------------------------ */

int sched_next_merges(sched_ctx *x, hbm_cmd *cmd, uint64_t *ready)
{
    size_t p = x->merges.pass;
    if (p == x->np)
        return 0;
    *cmd = mk(x, HBM_SFM, 0);
    cmd->n = x->st[p].sfm_merge;
    /* a host tier's partial joins the merge once it has reached the buffer die */
    *ready = x->st[p].p_moves ? SCHED_INF : sched_max64(x->st[p].partials_done, x->ps[p].host_ready);
    return 1;
}

int sched_merges_issued(sched_ctx *x, const hbm_cmd *cmd, uint64_t t)
{
    size_t p = x->merges.pass++;
    x->st[p].merge_done = t + cmd->n;
    x->out->sfm_cycles += cmd->n;
    const sched_hooks *hk = hooks_of(x, &x->ps[p]);
    return hk && hk->sfm_merge && hk->sfm_merge(hk->ctx, &x->ps[p], t) ? -1 : 0;
}

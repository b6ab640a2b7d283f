/* hazard.c — the data-hazard checker's replay (hazard.h, docs/hazards.md): each command of the log is
 * attributed to the pass it serves, from the schedule's documented order (docs/architecture.md, "Schedule
 * of one channel"), and checked against the rules below; the placement's own rules are in hazard_place.c. */
#include "hazard_int.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* "LOG:LINE: RULE: CMD at cycle T (pass ...): ..." and 1. */
static int viol(hz *z, const hz_cmd *c, const hz_pass *p, const char *rule, const char *fmt, ...)
{
    int k = snprintf(z->err, z->errn, "%s:%" PRIu64 ": %s: %s at cycle %" PRIu64 " (st=%u ch=%u", z->log_name, z->line,
                     rule, hz_op_name(c->op), c->t, c->st, c->ch);
    if (p && k >= 0 && (size_t)k < z->errn)
        k += snprintf(z->err + k, z->errn - (size_t)k, ", layer %u pass %u, item %u", p->layer, p->seq, p->item);
    if (k >= 0 && (size_t)k < z->errn)
        k += snprintf(z->err + k, z->errn - (size_t)k, "): ");
    va_list ap;
    va_start(ap, fmt);
    if (k >= 0 && (size_t)k < z->errn)
        vsnprintf(z->err + k, z->errn - (size_t)k, fmt, ap);
    va_end(ap);
    return 1;
}

static hz_pass *pass_at(hz *z, const hz_chan *ch, size_t i) { return i < ch->np ? &z->ps[ch->pass[i]] : NULL; }

/* ---- banks and the MAC order ---------------------------------------------------------------------------- */

static void banks(hz *z, hz_chan *ch, const hz_cmd *c)
{
    const hz_geom *g = &z->g;
    for (unsigned pc = 0; pc < g->pcs; pc++) {
        if (c->pc != HZ_ALL && c->pc != pc)
            continue;
        for (unsigned b = 0; b < g->banks_pc; b++) {
            unsigned sid = b / (g->bank_groups * g->banks_per_group), bg = b / g->banks_per_group % g->bank_groups,
                     ba = b % g->banks_per_group;
            int64_t *r = &ch->bank[pc * g->banks_pc + b];
            int one = sid == c->sid && bg == c->bg && ba == c->ba;
            switch (c->op) {
            case O_ACTAB: *r = c->row; break;
            case O_ACTBG: *r = ba == c->ba ? (int64_t)c->row : *r; break;
            case O_ACT: *r = one ? (int64_t)c->row : *r; break;
            case O_PREA: *r = -1; break;
            case O_PRE: *r = one ? -1 : *r; break;
            default: break;
            }
        }
    }
}

/* The channel's current layer: passes pass[mfirst .. mfirst+mcount) (mcount 0: none left). */
static void mac_layer(hz_chan *ch, const hz *z, size_t first)
{
    ch->mfirst = first;
    ch->mcount = 0;
    while (first + ch->mcount < ch->np && z->ps[ch->pass[first + ch->mcount]].layer == z->ps[ch->pass[first]].layer)
        ch->mcount++;
    ch->mphase = ch->mrow = ch->mcol = ch->beat = 0;
}

/* Phase k of a layer of m passes: S0 S1 C0 S2 C1 ... S(m-1) C(m-2) C(m-1) (docs/architecture.md). */
static uint32_t phase_pass(uint32_t k, uint32_t m, int *ctx)
{
    if (k == 0)
        return *ctx = 0, 0;
    if (k == 2 * m - 1)
        return *ctx = 1, m - 1;
    *ctx = k % 2 == 0;
    return *ctx ? k / 2 - 1 : (k + 1) / 2;
}

static int on_mac(hz *z, hz_chan *ch, const hz_cmd *c)
{
    const hz_geom *g = &z->g;
    if (!ch->mcount)
        return viol(z, c, NULL, "count", "a MAC after every pass's MACs of the placement");
    int ctx;
    hz_pass *p = pass_at(z, ch, ch->mfirst + phase_pass(ch->mphase, (uint32_t)ch->mcount, &ctx));
    const uint32_t r = ch->mrow, nrow = ctx ? p->v_rows : p->k_rows;
    const uint32_t row = (ctx ? p->v_row : p->k_row) + r / g->bpu, set = r % g->bpu;
    const char *ph = ctx ? "V" : "K";
    if (c->pc != HZ_ALL || c->op == O_MACSB || (g->bpu == 1) != (c->op == O_MACAB))
        return viol(z, c, p, "mac-order", "the schedule feeds every unit at once: %s pc=* (%s unit-row %u col %u next)",
                    g->bpu == 1 ? "MACAB" : "MACBG", ph, r, ch->mcol);
    if (c->col != ch->mcol)
        return viol(z, c, p, "mac-order", "col=%u, the pass's next MAC is %s unit-row %u col %u", c->col, ph, r, ch->mcol);
    unsigned beat_bit = 0;
    if (g->bpu == 2) {
        beat_bit = 1u << (c->ba / 2);
        if (c->ba % 2 != set || (ch->beat & beat_bit))
            return viol(z, c, p, "mac-order", "ba=%u, %s unit-row %u col %u is on the %s banks and needs each bank index once",
                        c->ba, ph, r, ch->mcol, set ? "odd" : "even");
    }
    for (unsigned b = 0; b < g->pcs * g->banks_pc; b++)
        if ((g->bpu == 1 || b % g->banks_per_group == c->ba) && ch->bank[b] != (int64_t)row)
            return viol(z, c, p, "mac-row", "bank %u (pc %u) is %s%" PRId64 ", the pass's %s unit-row %u is row %u", b,
                        b / g->banks_pc, ch->bank[b] < 0 ? "closed" : "at row ", ch->bank[b] < 0 ? (int64_t)0 : ch->bank[b],
                        ph, r, row);
    const uint32_t u = r * g->cols + ch->mcol; /* the burst index in the unit (K) or the partition's token (V) */
    if (!ctx) { /* reads query word u % W of every row: all of the pass's WRGBs, landed (done = nCWL + nBL) */
        const uint32_t nq = p->rows * (g->words + (g->block ? 1 : 0)); /* INT8: and each row's scale beat */
        if (p->wrgb < nq)
            return viol(z, c, p, "q-ready", "%u of the pass's %u query WRGBs issued", p->wrgb, nq);
        if (c->t < p->q_done)
            return viol(z, c, p, "q-ready", "needs cycle >= %" PRIu64 " (the pass's last query WRGB done: issue + nCWL + nBL)",
                        p->q_done);
    } else { /* reads probability chunk tok / 16 (INT8: 32) of every PC that holds it: each PC's MVGB done (n x
              * nBL); an INT8 block's scale burst reads none */
        int scale;
        const uint32_t tok = hz_v_token(g, u, &scale), q = tok / g->vlanes;
        for (unsigned pc = 0; !scale && pc < g->pcs; pc++) {
            if (!hz_chunk_parts(g, p, pc, q))
                continue;
            uint64_t d = p->mvgb[(size_t)q * g->pcs + pc];
            if (d == HZ_NONE)
                return viol(z, c, p, "prob-ready", "V token %u reads probability chunk %u, whose MVGB to pc %u is not issued",
                            tok, q, pc);
            if (c->t < d)
                return viol(z, c, p, "prob-ready", "needs cycle >= %" PRIu64 " (the MVGB of chunk %u to pc %u done)", d, q, pc);
        }
    }
    if (g->bpu == 2 && (ch->beat |= beat_bit) != (1u << (g->banks_per_group / 2)) - 1)
        return 0; /* the beat's other bank indices follow */
    ch->beat = 0;
    if (!ctx) {
        if (!p->kt && !(p->kt = malloc((size_t)p->kbeats * sizeof *p->kt)))
            return -1;
        p->kt[u] = c->t, p->kdone = u + 1, p->k_last_t = c->t;
    } else {
        p->cdone = u + 1, p->c_last_t = c->t;
    }
    if (++ch->mcol < (r + 1 < nrow ? g->cols : ctx ? p->v_last : p->k_last))
        return 0;
    ch->mcol = 0;
    if (++ch->mrow < nrow)
        return 0;
    ch->mrow = 0;
    if (++ch->mphase == 2 * ch->mcount)
        mac_layer(ch, z, ch->mfirst + ch->mcount);
    return 0;
}

/* ---- movers ------------------------------------------------------------------------------------------------ */

static int on_wrgb(hz *z, hz_chan *ch, const hz_cmd *c)
{
    hz_pass *p = pass_at(z, ch, ch->wq), *prev = ch->wq ? pass_at(z, ch, ch->wq - 1) : NULL;
    if (!p)
        return viol(z, c, NULL, "count", "a WRGB after every pass's queries of the placement");
    if (c->pc != HZ_ALL)
        return viol(z, c, p, "count", "a query word goes to every unit of the channel (WRGB pc=*)");
    /* half 0 is the previous pass's queries until its last score MAC */
    if (prev && prev->kdone < prev->kbeats)
        return viol(z, c, p, "q-free", "overwrites the queries of pass %u (layer %u), whose score MACs are not all issued "
                    "(%u of %u beats)", prev->seq, prev->layer, prev->kdone, prev->kbeats);
    if (prev && c->t < prev->k_last_t)
        return viol(z, c, p, "q-free", "needs cycle >= %" PRIu64 " (the last score MAC of pass %u)", prev->k_last_t, prev->seq);
    uint64_t d = c->t + z->g.nCWL + z->g.nBL;
    p->q_done = d > p->q_done ? d : p->q_done;
    if (++p->wrgb == p->rows * (z->g.words + (z->g.block ? 1 : 0)))
        ch->wq++;
    return 0;
}

/* The PC's next pass with something to move: score bursts (sc), partial outputs (pp). */
static hz_pass *next_with(hz *z, hz_chan *ch, size_t *cur, unsigned pc, int partial)
{
    hz_pass *p;
    while ((p = pass_at(z, ch, *cur)) && !(partial ? hz_partial_bursts(&z->g, p, pc) : hz_score_bursts(&z->g, p, pc)))
        ++*cur;
    return p;
}

static int alloc_moves(hz *z, hz_pass *p)
{
    if (!p->moved && !(p->moved = calloc(z->g.pcs, sizeof *p->moved)))
        return -1;
    if (!p->pmoved && !(p->pmoved = calloc(z->g.pcs, 1)))
        return -1;
    return 0;
}

/* The first K beat count b with ceil(bytes done after b beats / 32) >= want (kdone when none is enough: the
 * caller has checked that kdone is). */
static uint32_t beats_for(const hz_geom *g, const hz_pass *p, unsigned pc, uint64_t want)
{
    uint32_t lo = 1, hi = p->kdone;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (hz_cdiv(hz_score_bytes_done(g, p, pc, mid), 32) >= want)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

static int on_mvsb(hz *z, hz_chan *ch, const hz_cmd *c)
{
    const hz_geom *g = &z->g;
    if (c->pc == HZ_ALL)
        return viol(z, c, NULL, "count", "results move up per pseudo-channel (MVSB pc=N)");
    const unsigned pc = c->pc;
    hz_pass *s = next_with(z, ch, &ch->sc[pc], pc, 0), *q = next_with(z, ch, &ch->pp[pc], pc, 1);
    if ((s && alloc_moves(z, s)) || (q && alloc_moves(z, q)))
        return -1;
    /* what it can be: the next score bursts of the PC (their keys' MACs in the log), or the next pass's partial
     * outputs (its context phase in the log); when both, the one the rules let go first (docs/hazards.md) */
    uint64_t want = s ? (uint64_t)s->moved[pc] + c->n : 0, rs = HZ_NONE, rp = HZ_NONE;
    int can_s = s && want <= hz_score_bursts(g, s, pc) && s->kdone &&
                hz_cdiv(hz_score_bytes_done(g, s, pc, s->kdone), 32) >= want;
    int can_p = q && c->n == hz_partial_bursts(g, q, pc) && q->cdone == q->cbeats;
    if (can_s)
        rs = s->kt[beats_for(g, s, pc, want) - 1] + g->nMACLAT;
    if (can_p)
        rp = q->c_last_t + g->nMACLAT + q->rows;
    if (can_s && (!can_p || rs <= rp)) {
        if (c->t < rs)
            return viol(z, c, s, "mvsb-lat", "moves pc %u's score bursts up to %" PRIu64 " of %u; needs cycle >= %" PRIu64
                        " (the MAC finishing their keys + nMACLAT)", pc, want, hz_score_bursts(g, s, pc), rs);
        s->moved[pc] = (uint32_t)want;
        uint64_t d = c->t + (uint64_t)c->n * g->nBL;
        s->scores_done = d > s->scores_done ? d : s->scores_done;
        if (want == hz_score_bursts(g, s, pc))
            ch->sc[pc]++;
        return 0;
    }
    if (can_p) {
        if (c->t < rp)
            return viol(z, c, q, "partial-lat", "needs cycle >= %" PRIu64 " (the pass's last context MAC + nMACLAT + %u "
                        "query heads)", rp, q->rows);
        q->pmoved[pc] = 1;
        uint64_t d = c->t + (uint64_t)c->n * g->nBL;
        q->partials_done = d > q->partials_done ? d : q->partials_done;
        ch->pp[pc]++;
        return 0;
    }
    if (q && c->n == hz_partial_bursts(g, q, pc))
        return viol(z, c, q, "partial-lat", "n=%u is the pass's partial outputs on pc %u, but its context MACs are not all "
                    "issued (%u of %u)", c->n, pc, q->cdone, q->cbeats);
    if (s && want <= hz_score_bursts(g, s, pc))
        return viol(z, c, s, "mvsb-lat", "moves pc %u's score bursts up to %" PRIu64 ", the keys of %u K beats have "
                    "finished %" PRIu64, pc, want, s->kdone,
                    s->kdone ? hz_cdiv(hz_score_bytes_done(g, s, pc, s->kdone), 32) : 0);
    return viol(z, c, s ? s : q, "count", "MVSB n=%u on pc %u is neither the pass's score bursts (%u left) nor the next "
                "partial outputs (n=%u)", c->n, pc, s ? hz_score_bursts(g, s, pc) - s->moved[pc] : 0,
                q ? hz_partial_bursts(g, q, pc) : 0);
}

static int on_mvgb(hz *z, hz_chan *ch, const hz_cmd *c)
{
    const hz_geom *g = &z->g;
    if (c->pc == HZ_ALL)
        return viol(z, c, NULL, "count", "probabilities move down per pseudo-channel (MVGB pc=N)");
    const unsigned pc = c->pc;
    hz_pass *p;
    while ((p = pass_at(z, ch, ch->pg[pc])) && !hz_chunk_parts(g, p, pc, ch->pgq[pc]))
        if (++ch->pgq[pc] >= p->nchunks)
            ch->pg[pc]++, ch->pgq[pc] = 0;
    if (!p)
        return viol(z, c, NULL, "count", "an MVGB to pc %u after every probability chunk of the placement", pc);
    const uint32_t q = ch->pgq[pc], want = hz_chunk_parts(g, p, pc, q) * p->rows * (g->block ? 2 : 1);
    if (c->n != want)
        return viol(z, c, p, "count", "MVGB n=%u, chunk %u on pc %u is %u beats (a word per partition and query head%s)",
                    c->n, q, pc, want, g->block ? ", each with a beat of word scales" : "");
    if (p->sfm_t == HZ_NONE)
        return viol(z, c, p, "mvgb-sfm", "the pass's softmax rows (SFM) are not issued");
    if (c->t < p->sfm_t)
        return viol(z, c, p, "mvgb-sfm", "needs cycle >= %" PRIu64 " (the pass's softmax rows done)", p->sfm_t);
    const size_t w = (size_t)pc * g->ring + q % g->ring;
    if (ch->ring_pass[w] >= 0) { /* the word's chunk before: read by every context MAC of its tokens */
        const hz_pass *o = &z->ps[ch->ring_pass[w]];
        int scale;
        uint32_t oq = ch->ring_chunk[w], last = g->vlanes * (oq + 1) < o->nt ? g->vlanes * (oq + 1) : o->nt;
        uint32_t used = o->cdone == o->cbeats ? o->nt : hz_v_token(g, o->cdone, &scale); /* tokens MAC'd */
        if (used < last)
            return viol(z, c, p, "ring", "chunk %u goes to ring word %u of pc %u, which holds chunk %u of pass %u (layer %u) "
                        "until its context MACs through token %u (%u issued)", q, q % g->ring, pc, oq, o->seq, o->layer,
                        last - 1, used);
    }
    if (!p->mvgb) {
        if (!(p->mvgb = malloc((size_t)p->nchunks * g->pcs * sizeof *p->mvgb)))
            return -1;
        for (size_t i = 0; i < (size_t)p->nchunks * g->pcs; i++)
            p->mvgb[i] = HZ_NONE;
    }
    p->mvgb[(size_t)q * g->pcs + pc] = c->t + (uint64_t)c->n * g->nBL;
    ch->ring_pass[w] = p - z->ps, ch->ring_chunk[w] = q;
    if (++ch->pgq[pc] >= p->nchunks)
        ch->pg[pc]++, ch->pgq[pc] = 0;
    return 0;
}

/* ---- the softmax unit ---------------------------------------------------------------------------------------- */

static int scores_all_moved(hz *z, const hz_pass *p)
{
    for (unsigned pc = 0; pc < z->g.pcs; pc++)
        if (hz_score_bursts(&z->g, p, pc) && (!p->moved || p->moved[pc] != hz_score_bursts(&z->g, p, pc)))
            return 0;
    return 1;
}

static int partials_all_moved(hz *z, const hz_pass *p)
{
    for (unsigned pc = 0; pc < z->g.pcs; pc++)
        if (hz_partial_bursts(&z->g, p, pc) && (!p->pmoved || !p->pmoved[pc]))
            return 0;
    return 1;
}

static int on_sfm(hz *z, hz_chan *ch, const hz_cmd *c)
{
    hz_pass *r = pass_at(z, ch, ch->sr), *m = pass_at(z, ch, ch->sm);
    hz_fmerge *f = ch->fmc < ch->nfm ? &z->fm[ch->fm[ch->fmc]] : NULL;
    int can_r = r && c->n == r->sfm_rows_n && scores_all_moved(z, r);
    int can_m = m && c->n == m->merge_n && m->sfm_t != HZ_NONE && partials_all_moved(z, m);
    int can_f = f && c->n == f->n && !(m && m->layer <= f->layer);
    uint64_t rr = can_r ? r->scores_done : HZ_NONE, rm = HZ_NONE;
    if (can_m)
        rm = m->partials_done > m->host_ready ? m->partials_done : m->host_ready;
    if (can_r && (!can_m || rr <= rm)) {
        if (c->t < rr)
            return viol(z, c, r, "sfm-ready", "needs cycle >= %" PRIu64 " (the pass's score MVSBs done)", rr);
        r->sfm_t = c->t + c->n;
        free(r->kt), r->kt = NULL;
        ch->sr++;
        return 0;
    }
    if (can_m) {
        if (c->t < rm)
            return viol(z, c, m, "merge-ready", "needs cycle >= %" PRIu64 " (the pass's partial MVSBs done%s)", rm,
                        m->host_ready ? ", the host's partial in" : "");
        m->merge_t = c->t + c->n;
        ch->sm++;
        return 0;
    }
    if (can_f) {
        f->t = c->t, f->log_line = z->line;
        ch->fmc++;
        return 0;
    }
    if (r && c->n == r->sfm_rows_n)
        return viol(z, c, r, "sfm-ready", "the pass's score MVSBs are not all issued");
    if (m && c->n == m->merge_n)
        return viol(z, c, m, "merge-ready", "the pass's partial MVSBs are not all issued");
    return viol(z, c, r ? r : m, "count", "SFM n=%u is none of: the softmax rows of the next pass (n=%" PRIu64
                "), the next merge (n=%" PRIu64 "), the next final merge of a split item (n=%" PRIu64 ")", c->n,
                r ? r->sfm_rows_n : 0, m ? m->merge_n : 0, f ? f->n : 0);
}

/* ---- the stream ------------------------------------------------------------------------------------------------ */

static int command(hz *z, const hz_cmd *c)
{
    hz_chan *ch = &z->ch[c->st * z->g.channels + c->ch];
    switch (c->op) {
    case O_ACT: case O_ACTAB: case O_ACTBG: case O_PRE: case O_PREA: banks(z, ch, c); return 0;
    case O_MACAB: case O_MACBG: case O_MACSB: return on_mac(z, ch, c);
    case O_WRGB: return on_wrgb(z, ch, c);
    case O_MVSB: return on_mvsb(z, ch, c);
    case O_MVGB: return on_mvgb(z, ch, c);
    case O_SFM: return on_sfm(z, ch, c);
    case O_RD: case O_WR:
        return viol(z, c, NULL, "count", "a %s in a PIM schedule (the placement has no I/O)", hz_op_name(c->op));
    default: return 0; /* refresh, barriers */
    }
}

/* Every command the placement implies was seen; every final merge after its parts' merges. */
static int finish(hz *z)
{
    const hz_geom *g = &z->g;
    hz_cmd end = {.t = 0};
    for (unsigned k = 0; k < z->nch; k++) {
        hz_chan *ch = &z->ch[k];
        end.st = k / g->channels, end.ch = k % g->channels;
        const char *what = NULL;
        hz_pass *p = NULL;
        if (ch->mcount)
            what = "MACs", p = pass_at(z, ch, ch->mfirst);
        else if (ch->wq < ch->np)
            what = "query WRGBs", p = pass_at(z, ch, ch->wq);
        else if (ch->sr < ch->np)
            what = "softmax rows (SFM)", p = pass_at(z, ch, ch->sr);
        else if (ch->sm < ch->np)
            what = "merges (SFM)", p = pass_at(z, ch, ch->sm);
        for (unsigned pc = 0; pc < g->pcs && !what; pc++) {
            if ((p = next_with(z, ch, &ch->sc[pc], pc, 0)))
                what = "score MVSBs";
            else if ((p = next_with(z, ch, &ch->pp[pc], pc, 1)))
                what = "partial-output MVSBs";
            else {
                while ((p = pass_at(z, ch, ch->pg[pc])) && !hz_chunk_parts(g, p, pc, ch->pgq[pc]))
                    if (++ch->pgq[pc] >= p->nchunks)
                        ch->pg[pc]++, ch->pgq[pc] = 0;
                what = p ? "probability MVGBs" : NULL;
            }
        }
        if (!what && ch->fmc < ch->nfm)
            what = "final merges of split items";
        if (what) {
            snprintf(z->err, z->errn, "%s:%" PRIu64 ": count: the log ends before the placement's %s (st=%u ch=%u, "
                     "layer %u pass %u, item %u)", z->log_name, z->line, what, end.st, end.ch, p ? p->layer : 0,
                     p ? p->seq : 0, p ? p->item : 0);
            return 1;
        }
    }
    for (size_t i = 0; i < z->nfm; i++) {
        const hz_fmerge *f = &z->fm[i];
        hz_cmd c = {.t = f->t, .op = O_SFM, .st = f->chan / g->channels, .ch = f->chan % g->channels, .n = (unsigned)f->n};
        z->line = f->log_line;
        if (f->t < f->host_ready)
            return viol(z, &c, NULL, "part-merge", "the final merge of item %u needs cycle >= %" PRIu64 " (the host's partial)",
                        f->item, f->host_ready);
        for (size_t j = 0; j < z->np; j++) {
            const hz_pass *p = &z->ps[j];
            if (p->layer == f->layer && p->item >= f->item && p->item < f->item + f->nparts && f->t < p->merge_t)
                return viol(z, &c, NULL, "part-merge", "the final merge of item %u needs cycle >= %" PRIu64
                            " (part %u's merge on st=%u ch=%u, layer %u pass %u, done)", f->item, p->merge_t,
                            p->item - f->item, p->chan / g->channels, p->chan % g->channels, p->layer, p->seq);
        }
    }
    return 0;
}

static int chan_init(hz *z)
{
    const hz_geom *g = &z->g;
    for (unsigned k = 0; k < z->nch; k++) {
        hz_chan *ch = &z->ch[k];
        ch->bank = malloc((size_t)g->pcs * g->banks_pc * sizeof *ch->bank);
        ch->sc = calloc(g->pcs, sizeof *ch->sc), ch->pp = calloc(g->pcs, sizeof *ch->pp);
        ch->pg = calloc(g->pcs, sizeof *ch->pg), ch->pgq = calloc(g->pcs, sizeof *ch->pgq);
        ch->ring_pass = malloc((size_t)g->pcs * g->ring * sizeof *ch->ring_pass);
        ch->ring_chunk = calloc((size_t)g->pcs * g->ring, sizeof *ch->ring_chunk);
        if (!ch->bank || !ch->sc || !ch->pp || !ch->pg || !ch->pgq || !ch->ring_pass || !ch->ring_chunk)
            return -1;
        for (size_t b = 0; b < (size_t)g->pcs * g->banks_pc; b++)
            ch->bank[b] = -1;
        for (size_t w = 0; w < (size_t)g->pcs * g->ring; w++)
            ch->ring_pass[w] = -1;
        mac_layer(ch, z, 0);
    }
    return 0;
}

static void hz_free(hz *z)
{
    for (size_t i = 0; i < z->np; i++)
        free(z->ps[i].kt), free(z->ps[i].moved), free(z->ps[i].pmoved), free(z->ps[i].mvgb);
    for (unsigned k = 0; z->ch && k < z->nch; k++) {
        hz_chan *ch = &z->ch[k];
        free(ch->pass), free(ch->fm), free(ch->bank), free(ch->sc), free(ch->pp), free(ch->pg), free(ch->pgq);
        free(ch->ring_pass), free(ch->ring_chunk);
    }
    free(z->ch), free(z->ps), free(z->fm);
}

int hz_check_stream(const hbm_cfg *cfg, FILE *place, const char *place_name, FILE *log, const char *log_name,
                    char *err, size_t n, uint64_t *ncmds)
{
    hz z = {.log_name = log_name, .place_name = place_name, .err = err, .errn = n};
    err[0] = '\0';
    int rc = hz_place_read(&z, cfg, place);
    if (rc == 0)
        rc = chan_init(&z);
    char *s = NULL;
    size_t cap = 0;
    ssize_t len;
    while (rc == 0 && (len = getline(&s, &cap, log)) >= 0) {
        z.line++;
        hz_cmd c;
        int k = (size_t)len != strlen(s) ? (snprintf(err, n, "%s:%" PRIu64 ": a NUL byte (allowed: text)", log_name,
                                                     z.line), -1)
                                         : hz_log_parse(&z, s, &c);
        if (k < 0)
            rc = 2;
        else if (k > 0)
            z.cmds++, rc = command(&z, &c);
    }
    free(s);
    if (rc == 0 && ferror(log))
        rc = 2, snprintf(err, n, "%s: read error", log_name);
    if (rc == 0 && z.cmds == 0)
        rc = 2, snprintf(err, n, "%s: no command (an empty log)", log_name);
    if (rc == 0)
        rc = finish(&z);
    if (rc < 0)
        snprintf(err, n, "out of memory");
    if (ncmds)
        *ncmds = z.cmds;
    hz_free(&z);
    return rc;
}

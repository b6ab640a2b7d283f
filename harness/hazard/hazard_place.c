/* hazard_place.c — the placement file (docs/hazards.md, "Placement file"): read, checked against the
 * configuration, every shape re-derived from docs/architecture.md ("Mapping") and compared, and the rules
 * of the placement alone (shape, kv-rows, kv-disjoint). */
#include "hazard_int.h"

#include "sm_unit.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static int bad(hz *z, uint64_t line, int rc, const char *fmt, ...)
{
    va_list ap;
    int k = snprintf(z->err, z->errn, "%s:%" PRIu64 ": ", z->place_name, line);
    va_start(ap, fmt);
    if (k >= 0 && (size_t)k < z->errn)
        vsnprintf(z->err + k, z->errn - (size_t)k, fmt, ap);
    va_end(ap);
    return rc;
}

/* "key=value ..." with exactly the keys given, each once, decimal values; 0 or 2 (z->err). */
static int kvs(hz *z, uint64_t line, const char *kind, const char *s, const char *const *keys, size_t nk, uint64_t *v)
{
    uint32_t seen = 0;
    while (*s) {
        while (*s == ' ' || *s == '\t')
            s++;
        if (!*s || *s == '\n' || *s == '\r')
            break;
        const char *e = s, *eq = NULL;
        while (*e && *e != ' ' && *e != '\t' && *e != '\n' && *e != '\r')
            eq = !eq && *e == '=' ? e : eq, e++;
        size_t i = 0;
        while (eq && i < nk && !(strlen(keys[i]) == (size_t)(eq - s) && !strncmp(keys[i], s, (size_t)(eq - s))))
            i++;
        if (!eq || i == nk)
            return bad(z, line, 2, "%s: '%.*s' is not one of its keys (%s needs key=value for each of its keys)", kind,
                       (int)(e - s > 40 ? 40 : e - s), s, kind);
        if (seen & (1u << i))
            return bad(z, line, 2, "%s: duplicate key '%s'", kind, keys[i]);
        uint64_t x = 0;
        const char *d = eq + 1;
        if (d == e || e - d > 18)
            return bad(z, line, 2, "%s: %s=%.*s is not a number (allowed: a decimal integer)", kind, keys[i],
                       (int)(e - d > 20 ? 20 : e - d), d);
        for (; d < e; d++) {
            if (*d < '0' || *d > '9')
                return bad(z, line, 2, "%s: %s=%.*s is not a number (allowed: a decimal integer)", kind, keys[i],
                           (int)(e - eq - 1 > 20 ? 20 : e - eq - 1), eq + 1);
            x = x * 10 + (uint64_t)(*d - '0');
        }
        v[i] = x;
        seen |= 1u << i;
        s = e;
    }
    for (size_t i = 0; i < nk; i++)
        if (!(seen & (1u << i)))
            return bad(z, line, 2, "%s: missing key '%s'", kind, keys[i]);
    return 0;
}

/* ---- shapes (docs/architecture.md, "Mapping", level 2) ----------------------------------------------------- */

uint32_t hz_unit_keys(const hz_geom *g, const hz_pass *p, unsigned u)
{
    (void)g;
    uint64_t lo = (uint64_t)u * p->n;
    return lo >= p->L ? 0 : (uint32_t)(p->L - lo < p->n ? p->L - lo : p->n);
}

uint32_t hz_keys_before(const hz_geom *g, uint32_t beats)
{
    if (!g->block)
        return beats / g->words;
    uint32_t per = 1 + g->block * g->words, in = beats % per;
    return beats / per * g->block + (in ? (in - 1) / g->words : 0);
}

uint32_t hz_v_token(const hz_geom *g, uint32_t beat, int *scale)
{
    if (!g->block)
        return *scale = 0, beat;
    uint32_t in = beat % (1 + g->block);
    *scale = in == 0;
    return beat / (1 + g->block) * g->block + (in ? in - 1 : 0);
}

uint32_t hz_part_tokens(const hz_pass *p, uint32_t t)
{
    uint64_t lo = (uint64_t)t * p->nt;
    return lo >= p->L ? 0 : (uint32_t)(p->L - lo < p->nt ? p->L - lo : p->nt);
}

/* V partition t of the channel lives in PC t / parts_pc. */
uint32_t hz_chunk_parts(const hz_geom *g, const hz_pass *p, unsigned pc, uint32_t q)
{
    uint32_t k = 0;
    for (uint32_t t = pc * g->parts_pc; t < (pc + 1) * g->parts_pc; t++)
        k += hz_part_tokens(p, t) > g->vlanes * q;
    return k;
}

/* A key's score is done when the MAC of its last burst is: unit u's key i ends at burst i*W + W - 1 (INT8:
 * after the scale bursts of its block and those before). */
uint64_t hz_score_bytes_done(const hz_geom *g, const hz_pass *p, unsigned pc, uint32_t beats)
{
    uint64_t keys = 0, fin = hz_keys_before(g, beats);
    for (unsigned u = pc * g->units_pc; u < (pc + 1) * g->units_pc; u++) {
        uint32_t k = hz_unit_keys(g, p, u);
        keys += k < fin ? k : fin;
    }
    return keys * p->rows * g->score_bytes;
}

uint32_t hz_score_bursts(const hz_geom *g, const hz_pass *p, unsigned pc)
{
    return (uint32_t)hz_cdiv(hz_score_bytes_done(g, p, pc, p->kbeats), 32);
}

/* 16 (INT8: 32) lanes of out_bytes per query head from every unit holding V. */
uint32_t hz_partial_bursts(const hz_geom *g, const hz_pass *p, unsigned pc)
{
    uint64_t units = 0;
    for (uint32_t t = pc * g->parts_pc; t < (pc + 1) * g->parts_pc; t++)
        units += hz_part_tokens(p, t) ? g->words : 0;
    return (uint32_t)hz_cdiv(units * p->rows * g->vlanes * g->out_bytes, 32);
}

static void derive(const hz_geom *g, hz_pass *p)
{
    p->n = (uint32_t)hz_cdiv(p->L, g->units);
    p->nt = (uint32_t)hz_cdiv(p->L, g->parts);
    uint64_t kb = (uint64_t)p->n * g->words, vb = p->nt;
    if (g->block)
        kb += hz_cdiv(p->n, g->block), vb += hz_cdiv(p->nt, g->block);
    p->k_rows = (uint32_t)hz_cdiv(kb, g->cols);
    p->k_last = (uint32_t)(kb - (uint64_t)(p->k_rows - 1) * g->cols);
    p->v_rows = (uint32_t)hz_cdiv(vb, g->cols);
    p->v_last = (uint32_t)(vb - (uint64_t)(p->v_rows - 1) * g->cols);
    p->kb = (uint32_t)hz_cdiv(p->k_rows, g->bpu);
    p->vb = (uint32_t)hz_cdiv(p->v_rows, g->bpu);
    p->kbeats = (uint32_t)kb;
    p->cbeats = (uint32_t)vb;
    p->nchunks = (uint32_t)hz_cdiv(p->nt, g->vlanes);
    /* the softmax unit (docs/architecture.md, the schedule's table; the unit's cycles: csim/sm_unit.h):
     * rows x a row of ceil(L/lanes) beats, per partition with split-K; the merge rows x a merge of the
     * used partitions (and the host tier's) (+ d/lanes for 1/l) */
    uint64_t rows = 0, used = 0, dl = g->head_dim / g->lanes;
    for (uint32_t t = 0; t < g->parts; t++) {
        uint32_t k = hz_part_tokens(p, t);
        used += k > 0;
        rows += k ? smu_row_cycles(hz_cdiv(k, g->lanes), (int)g->lanes) : 0;
    }
    p->sfm_rows_n = p->rows * (g->splitk ? rows : smu_row_cycles(hz_cdiv(p->L, g->lanes), (int)g->lanes));
    p->merge_n = p->rows * (smu_merge_cycles(used + (p->host_ready > 0), (int)g->head_dim, (int)g->lanes) +
                            (g->splitk ? 0 : dl));
}

/* ---- reading --------------------------------------------------------------------------------------------- */

static const char *const kv_keys[] = {"lanes", "block"};
static const char *const geom_keys[] = {"stacks", "channels", "pcs", "banks_pc", "bank_groups", "banks_per_group",
                                        "rows", "cols", "banks_per_unit", "units", "units_pc", "words", "parts_pc",
                                        "parts"};
static const char *const sched_keys[] = {"splitk", "ring", "lanes", "score_bytes", "out_bytes", "head_dim", "group",
                                         "layers"};
static const char *const timing_keys[] = {"nBL", "nCWL", "nMACLAT"};
static const char *const pass_keys[] = {"layer", "st", "ch", "item", "req", "kvh", "part", "nparts", "h0", "rows", "L",
                                        "n", "nt", "k_row", "k_rows", "k_last", "v_row", "v_rows", "v_last",
                                        "host_ready"};
static const char *const merge_keys[] = {"layer", "st", "ch", "item", "nparts", "host_ready"};
#define NK(a) (sizeof a / sizeof a[0])

static int header_vs_cfg(hz *z, uint64_t line, const uint64_t *v, const hbm_cfg *c)
{
    const uint64_t want[] = {c->stacks, c->channels, c->pcs, hbm_cfg_banks_per_pc(c), c->bank_groups, c->banks,
                             c->rows, c->columns};
    for (size_t i = 0; i < NK(want); i++)
        if (v[i] != want[i])
            return bad(z, line, 2, "geom: %s=%" PRIu64 " but the configuration has %" PRIu64
                       " (the placement and the log must come from one run; give its --hbm, --stacks)",
                       geom_keys[i], v[i], want[i]);
    z->g = (hz_geom){.stacks = c->stacks, .channels = c->channels, .pcs = c->pcs, .banks_pc = hbm_cfg_banks_per_pc(c),
                     .bank_groups = c->bank_groups, .banks_per_group = c->banks, .sids = c->sids, .rows = c->rows,
                     .cols = c->columns, .bpu = (unsigned)v[8], .words = (unsigned)v[11],
                     .vlanes = z->kv_lanes ? z->kv_lanes : 16, .block = z->kv_block};
    hz_geom *g = &z->g;
    if (g->bpu != 1 && !(g->bpu == 2 && g->banks_per_group % 2 == 0))
        return bad(z, line, 2, "geom: banks_per_unit=%u (allowed: 1, or 2 with an even number of banks per group)", g->bpu);
    if (g->words == 0 || g->words > 64)
        return bad(z, line, 2, "geom: words=%u (allowed: 1..64)", g->words);
    /* the units and partitions, from the organisation (docs/architecture.md, "Mapping"); a placement that
     * states others was not made by that mapping */
    g->units_pc = g->banks_pc / g->bpu;
    g->units = g->pcs * g->units_pc;
    g->parts_pc = g->units_pc / g->words;
    g->parts = g->parts_pc * g->pcs;
    const unsigned mine[] = {g->units, g->units_pc, g->words, g->parts_pc, g->parts};
    for (size_t i = 0; i < 5; i++)
        if (v[9 + i] != mine[i])
            return bad(z, line, 1, "shape: geom %s=%" PRIu64 ", the mapping gives %u", geom_keys[9 + i], v[9 + i], mine[i]);
    if (!g->parts_pc)
        return bad(z, line, 2, "geom: words=%u needs more units than a pseudo-channel has", g->words);
    return 0;
}

static int grow(void **a, size_t *cap, size_t need, size_t sz)
{
    if (need <= *cap)
        return 0;
    size_t c = *cap ? 2 * *cap : 16;
    void *b = realloc(*a, c * sz);
    if (!b)
        return -1;
    *a = b, *cap = c;
    return 0;
}

static int add_pass(hz *z, uint64_t line, const uint64_t *v)
{
    const hz_geom *g = &z->g;
    if (v[1] >= g->stacks || v[2] >= g->channels)
        return bad(z, line, 2, "pass: st=%" PRIu64 " ch=%" PRIu64 " out of range (allowed: st < %u, ch < %u)", v[1], v[2],
                   g->stacks, g->channels);
    if (v[10] == 0 || v[10] > UINT32_MAX || v[9] == 0 || v[9] > 4096 || v[0] >= g->layers)
        return bad(z, line, 2, "pass: L=%" PRIu64 " rows=%" PRIu64 " layer=%" PRIu64
                   " (allowed: L 1..2^32-1, rows 1..4096, layer < %u)", v[10], v[9], v[0], g->layers);
    if (grow((void **)&z->ps, &z->capp, z->np + 1, sizeof *z->ps))
        return -1;
    hz_pass *p = &z->ps[z->np];
    memset(p, 0, sizeof *p);
    *p = (hz_pass){.layer = (uint32_t)v[0], .chan = (uint32_t)(v[1] * g->channels + v[2]), .item = (uint32_t)v[3],
                   .h0 = (uint32_t)v[8], .rows = (uint32_t)v[9], .L = (uint32_t)v[10], .k_row = (uint32_t)v[13],
                   .v_row = (uint32_t)v[16], .host_ready = v[19], .line = line, .q_done = 0, .k_last_t = HZ_NONE,
                   .c_last_t = HZ_NONE, .sfm_t = HZ_NONE, .merge_t = HZ_NONE};
    derive(g, p);
    const uint64_t stated[] = {v[11], v[12], v[14], v[15], v[17], v[18]};
    const uint32_t mine[] = {p->n, p->nt, p->k_rows, p->k_last, p->v_rows, p->v_last};
    const char *name[] = {"n", "nt", "k_rows", "k_last", "v_rows", "v_last"};
    for (int i = 0; i < 6; i++)
        if (stated[i] != mine[i])
            return bad(z, line, 1, "shape: pass %s=%" PRIu64 ", the mapping gives %u for L=%u", name[i], stated[i],
                       mine[i], p->L);
    hz_chan *c = &z->ch[p->chan];
    if (c->np && z->ps[c->pass[c->np - 1]].layer > p->layer)
        return bad(z, line, 2, "pass: layer %u after a pass of layer %u on the same channel (allowed: layer by layer)",
                   p->layer, z->ps[c->pass[c->np - 1]].layer);
    p->seq = c->np && z->ps[c->pass[c->np - 1]].layer == p->layer ? z->ps[c->pass[c->np - 1]].seq + 1 : 0;
    if (grow((void **)&c->pass, &c->cap, c->np + 1, sizeof *c->pass))
        return -1;
    c->pass[c->np++] = (uint32_t)z->np++;
    return 0;
}

static int add_merge(hz *z, uint64_t line, const uint64_t *v)
{
    const hz_geom *g = &z->g;
    if (v[1] >= g->stacks || v[2] >= g->channels || v[0] >= g->layers || v[4] < 2 || v[4] > 64)
        return bad(z, line, 2, "merge: st=%" PRIu64 " ch=%" PRIu64 " layer=%" PRIu64 " nparts=%" PRIu64
                   " (allowed: st < %u, ch < %u, layer < %u, nparts 2..64)", v[1], v[2], v[0], v[4], g->stacks,
                   g->channels, g->layers);
    if (grow((void **)&z->fm, &z->capf, z->nfm + 1, sizeof *z->fm))
        return -1;
    z->fm[z->nfm] = (hz_fmerge){.layer = (uint32_t)v[0], .chan = (uint32_t)(v[1] * g->channels + v[2]),
                                .item = (uint32_t)v[3], .nparts = (uint32_t)v[4], .host_ready = v[5], .line = line,
                                .n = g->group * smu_merge_cycles(v[4] + (v[5] > 0), (int)g->head_dim, (int)g->lanes),
                                .t = HZ_NONE};
    hz_chan *c = &z->ch[z->fm[z->nfm].chan];
    if (grow((void **)&c->fm, &c->capfm, c->nfm + 1, sizeof *c->fm))
        return -1;
    c->fm[c->nfm++] = (uint32_t)z->nfm++;
    return 0;
}

/* Rows of a channel: the K rows and the V rows of each pass are disjoint and inside the bank; so are the
 * regions of different items and layers (the passes of one item in one layer share its rows). */
typedef struct region {
    uint32_t lo, hi, layer, item; /* [lo, hi) */
    int v;
    uint64_t line;
} region;

static int by_lo(const void *a, const void *b)
{
    const region *x = a, *y = b;
    return x->lo < y->lo ? -1 : x->lo > y->lo;
}

static int rows_rules(hz *z)
{
    for (unsigned ch = 0; ch < z->nch; ch++) {
        const hz_chan *c = &z->ch[ch];
        region *r = malloc((2 * c->np + 1) * sizeof *r);
        if (!r)
            return -1;
        size_t k = 0;
        for (size_t i = 0; i < c->np; i++) {
            const hz_pass *p = &z->ps[c->pass[i]];
            if ((uint64_t)p->k_row + p->kb > z->g.rows || (uint64_t)p->v_row + p->vb > z->g.rows) {
                free(r);
                return bad(z, p->line, 1, "kv-rows: pass %u of layer %u (item %u): K rows %u..%u, V rows %u..%u, the "
                           "banks have rows 0..%u", p->seq, p->layer, p->item, p->k_row, p->k_row + p->kb - 1, p->v_row,
                           p->v_row + p->vb - 1, z->g.rows - 1);
            }
            int dup = 0; /* another pass of the same item and layer: the same rows */
            for (size_t j = 0; j < k && !dup; j += 2) /* K, V pairs */
                if (r[j].layer == p->layer && r[j].item == p->item) {
                    const region *o = &r[j];
                    if (o->lo != p->k_row || o[1].lo != p->v_row) {
                        const uint64_t klo = o->lo, vlo = o[1].lo, line = o->line; /* r is freed below */
                        free(r);
                        return bad(z, p->line, 1, "kv-disjoint: pass %u of layer %u reads item %u at K row %u, V row %u;"
                                   " an earlier pass of the item at K row %" PRIu64 ", V row %" PRIu64 " (line %" PRIu64
                                   ")", p->seq, p->layer, p->item, p->k_row, p->v_row, klo, vlo, line);
                    }
                    dup = 1;
                }
            if (dup)
                continue;
            r[k++] = (region){p->k_row, p->k_row + p->kb, p->layer, p->item, 0, p->line};
            r[k++] = (region){p->v_row, p->v_row + p->vb, p->layer, p->item, 1, p->line};
        }
        region *s = malloc((k + 1) * sizeof *s);
        if (!s) {
            free(r);
            return -1;
        }
        memcpy(s, r, k * sizeof *s);
        qsort(s, k, sizeof *s, by_lo);
        for (size_t j = 1; j < k; j++)
            if (s[j].lo < s[j - 1].hi) {
                const region *a = &s[j - 1], *b = &s[j];
                const region *late = a->line > b->line || (a->line == b->line && a->v) ? a : b, *early = late == a ? b : a;
                int rc = bad(z, late->line, 1, "kv-disjoint: the %s rows %u..%u of item %u (layer %u) overlap the %s rows "
                             "%u..%u of item %u (layer %u)", late->v ? "V" : "K", late->lo, late->hi - 1, late->item,
                             late->layer, early->v ? "V" : "K", early->lo, early->hi - 1, early->item, early->layer);
                free(r), free(s);
                return rc;
            }
        free(r), free(s);
    }
    return 0;
}

int hz_place_read(hz *z, const hbm_cfg *cfg, FILE *f)
{
    char *s = NULL;
    size_t cap = 0;
    uint64_t line = 0, v[24];
    int rc = 0, have = 0; /* geom, sched, timing seen: bits 1, 2, 4 */
    ssize_t len;
    while (rc == 0 && (len = getline(&s, &cap, f)) >= 0) {
        line++;
        if ((size_t)len != strlen(s)) {
            rc = bad(z, line, 2, "a NUL byte (allowed: text)");
            break;
        }
        if (line == 1 && strncmp(s, "# pimattn placement v1", 22)) {
            rc = bad(z, line, 2, "not a placement file (its first line must be '# pimattn placement v1')");
            break;
        }
        const char *p = s;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '#' || *p == '\n' || *p == '\r' || !*p)
            continue;
        const char *w = p;
        while (*p && *p != ' ' && *p != '\t' && *p != '\n')
            p++;
        size_t wl = (size_t)(p - w);
#define IS(x) (wl == sizeof x - 1 && !strncmp(w, x, wl))
        if (IS("geom") && !(have & 1)) {
            if (!(rc = kvs(z, line, "geom", p, geom_keys, NK(geom_keys), v)))
                rc = header_vs_cfg(z, line, v, cfg), have |= 1;
        } else if (IS("sched") && (have & 1) && !(have & 2)) {
            if (!(rc = kvs(z, line, "sched", p, sched_keys, NK(sched_keys), v))) {
                hz_geom *g = &z->g;
                g->splitk = (unsigned)v[0], g->ring = (unsigned)v[1], g->lanes = (unsigned)v[2];
                g->score_bytes = (unsigned)v[3], g->out_bytes = (unsigned)v[4], g->head_dim = (unsigned)v[5];
                g->group = (unsigned)v[6], g->layers = (unsigned)v[7];
                if (v[0] > 1 || !v[1] || v[1] > 1024 || !v[2] || v[2] > 1024 || (v[3] != 2 && v[3] != 4) ||
                    (v[4] != 2 && v[4] != 4) || v[5] != (uint64_t)g->vlanes * g->words || !v[6] || !v[7] ||
                    v[7] > 100000)
                    rc = bad(z, line, 2, "sched: a value out of range (allowed: splitk 0|1, ring 1..1024, lanes "
                             "1..1024, score_bytes and out_bytes 2|4, head_dim = %u x words, group >= 1, layers "
                             "1..100000)", g->vlanes);
                have |= 2;
            }
        } else if (IS("timing") && (have & 2) && !(have & 4)) {
            if (!(rc = kvs(z, line, "timing", p, timing_keys, NK(timing_keys), v))) {
                const unsigned want[] = {cfg->nBL, cfg->nCWL, cfg->nMACLAT};
                for (int i = 0; i < 3 && !rc; i++)
                    if (v[i] != want[i])
                        rc = bad(z, line, 2, "timing: %s=%" PRIu64 " but the configuration has %u (the placement and "
                                 "the log must come from one run; give its --hbm)", timing_keys[i], v[i], want[i]);
                z->g.nBL = cfg->nBL, z->g.nCWL = cfg->nCWL, z->g.nMACLAT = cfg->nMACLAT;
                have |= 4;
                z->nch = z->g.stacks * z->g.channels;
                if (!rc && !(z->ch = calloc(z->nch, sizeof *z->ch)))
                    rc = -1;
            }
        } else if (IS("kv") && !have && !z->kv_lanes) { /* INT8 runs (run/place.c), before geom */
            if (!(rc = kvs(z, line, "kv", p, kv_keys, NK(kv_keys), v))) {
                if (v[0] != 32 || !v[1] || v[1] % 32 || v[1] > 1u << 20)
                    rc = bad(z, line, 2, "kv: lanes=%" PRIu64 " block=%" PRIu64 " (allowed: lanes 32, block a positive "
                             "multiple of 32: the INT8 layout)", v[0], v[1]);
                z->kv_lanes = (unsigned)v[0], z->kv_block = (unsigned)v[1];
            }
        } else if (IS("pass") && have == 7) {
            if (!(rc = kvs(z, line, "pass", p, pass_keys, NK(pass_keys), v)))
                rc = add_pass(z, line, v);
        } else if (IS("merge") && have == 7) {
            if (!(rc = kvs(z, line, "merge", p, merge_keys, NK(merge_keys), v)))
                rc = add_merge(z, line, v);
        } else {
            rc = bad(z, line, 2, "'%.*s' here (allowed: an INT8 run's kv line, then the header lines geom, "
                     "sched, timing once each in this order, then pass and merge lines)", (int)(wl > 32 ? 32 : wl), w);
        }
#undef IS
    }
    free(s);
    if (rc == 0 && ferror(f))
        rc = bad(z, line, 2, "read error");
    if (rc == 0 && have != 7)
        rc = bad(z, line, 2, "no %s line (a placement file has geom, sched and timing)",
                 !(have & 1) ? "geom" : !(have & 2) ? "sched" : "timing");
    if (rc == 0 && z->np == 0)
        rc = bad(z, line, 2, "no pass line");
    return rc ? rc : rows_rules(z);
}

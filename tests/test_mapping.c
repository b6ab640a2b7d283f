/* test_mapping — the KV-cache mapping (harness/run/mapping.h) as a property test over random models and
 * batches: level 2 puts every (token, burst) of K and every (token, slice) of V at exactly one (bank,
 * row, column) of its item's rows, the inverse returns it, rows are fully used but the last, and every V
 * partition lives on one pseudo-channel; level 1 places every item exactly once, without overlapping
 * rows, and balances work as longest-first placement guarantees (max load <= min load + largest item).
 * SEED=n replays. */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mapping.h"
#include "rng.h"
#include "tb_util.h"

static uint64_t g_seed;

static void check_item(const map_geom *g, uint32_t L, uint64_t seed)
{
    map_shape s;
    map_shape_of(g, L, &s);
    const uint32_t slots = s.k_rows * g->cols, vslots = s.v_rows * g->cols;
    uint8_t *kused = calloc((size_t)g->units * slots, 1), *vused = calloc((size_t)g->units * vslots, 1);
    assert_non_null(kused);
    assert_non_null(vused);
    for (uint32_t j = 0; j < L; j++)
        for (unsigned w = 0; w < g->words; w++) {
            unsigned b, col, w2;
            uint32_t row, u;
            map_k_addr(g, &s, j, w, &b, &row, &col);
            if (b >= g->units || row >= s.k_rows || col >= g->cols || (row + 1 == s.k_rows && col >= s.k_last))
                fail_msg(TB_REPLAY "L %u K token %u burst %u -> bank %u row %u col %u outside the item", seed, seed, L,
                         j, w, b, row, col);
            uint32_t idx = row * g->cols + col;
            if (kused[(size_t)b * slots + idx]++)
                fail_msg(TB_REPLAY "L %u: K bank %u burst %u holds two things", seed, seed, L, b, idx);
            if (map_k_token(g, &s, b, idx, &w2) != (int64_t)j || w2 != w)
                fail_msg(TB_REPLAY "L %u: K inverse of bank %u burst %u is not token %u/%u", seed, seed, L, b, idx, j, w);
            map_v_addr(g, &s, j, w, &b, &row, &col);
            if (b >= g->units || row >= s.v_rows || col >= g->cols || (row + 1 == s.v_rows && col >= s.v_last))
                fail_msg(TB_REPLAY "L %u V token %u slice %u -> bank %u row %u col %u outside the item", seed, seed, L,
                         j, w, b, row, col);
            idx = row * g->cols + col;
            if (vused[(size_t)b * vslots + idx]++)
                fail_msg(TB_REPLAY "L %u: V bank %u burst %u holds two things", seed, seed, L, b, idx);
            if (map_v_token(g, &s, b, idx, &w2, &u) != (int64_t)j || w2 != w || u != j % s.nt)
                fail_msg(TB_REPLAY "L %u: V inverse of bank %u burst %u is not token %u/%u", seed, seed, L, b, idx, j, w);
            unsigned wp;
            int t = map_v_part(g, b, &wp);
            assert_true(t >= 0 && wp == w);
            assert_int_equal((unsigned)t / g->parts_pc, b / g->units_pc); /* a partition stays on its PC */
            if (g->block) { /* INT8: the token's block (B tokens from a multiple of B in its unit's range) begins
                             * with that block's scale burst, in the same unit */
                uint32_t u0, i0, i = j % s.n;
                unsigned w0;
                assert_int_equal(map_v_burst(g, idx - u % g->block - 1, &u0), 0);
                if (u0 != u / g->block * g->block)
                    fail_msg(TB_REPLAY "L %u B %u: V token %u after the scale of another block", seed, seed, L,
                             g->block, j);
                map_k_addr(g, &s, j, w, &b, &row, &col);
                assert_int_equal(map_k_burst(g, row * g->cols + col - (i % g->block) * g->words - w - 1, &i0, &w0), 0);
                if (i0 != i / g->block * g->block)
                    fail_msg(TB_REPLAY "L %u B %u: K token %u after the scale of another block", seed, seed, L,
                             g->block, j);
            }
        }
    /* the inverse finds nothing where the forward map put nothing */
    uint64_t kn = 0, vn = 0;
    for (unsigned b = 0; b < g->units; b++)
        for (uint32_t idx = 0; idx < slots || idx < vslots; idx++) {
            unsigned w;
            uint32_t u;
            if (idx < slots) {
                int has = map_k_token(g, &s, b, idx, &w) >= 0;
                assert_int_equal(has, kused[(size_t)b * slots + idx]);
                kn += (uint64_t)has;
            }
            if (idx < vslots) {
                int has = map_v_token(g, &s, b, idx, &w, &u) >= 0;
                assert_int_equal(has, vused[(size_t)b * vslots + idx]);
                vn += (uint64_t)has;
            }
        }
    assert_int_equal(kn, (uint64_t)L * g->words);
    assert_int_equal(vn, (uint64_t)L * g->words);
    /* rows are consumed: at most one partly used K row per bank, fewer than banks x cols spare slots (INT8:
     * besides a scale burst per block) */
    const uint64_t scales = g->block ? (uint64_t)g->units * ((s.n + g->block - 1) / g->block) : 0;
    assert_true((uint64_t)g->units * slots - kn - scales < (uint64_t)g->units * (g->cols + g->words));
    free(kused);
    free(vused);
}

static void test_level2_random(void **state)
{
    (void)state;
    rng r;
    rng_seed(&r, g_seed);
    for (int k = 0; k < 120; k++) {
        map_geom g;
        char err[128];
        unsigned dims[] = {64, 128, 160, 16 * (1 + (unsigned)rng_below(&r, 16))};
        unsigned d = dims[rng_below(&r, 4)], pcs = 1 + (unsigned)rng_below(&r, 2), bpc = 32;
        int pp = (int)rng_below(&r, 2);
        if (map_geom_init(&g, pcs, bpc, 4, 4, 32, d, pp, err, sizeof err)) {
            if (pp && d / 16 > bpc / 2)
                continue; /* more slices than a PC has ping-pong units: refused, rightly */
            fail_msg("geometry d %u: %s", d, err);
        }
        if (k % 3 == 2 && d % 32 == 0) { /* the INT8 layout, blocks of 32, 64 or 128 tokens */
            unsigned blk = 32u << rng_below(&r, 3);
            if (map_geom_int8(&g, d, blk, err, sizeof err))
                fail_msg("INT8 geometry d %u B %u: %s", d, blk, err);
        }
        uint32_t L = k < 20 ? (uint32_t)k + 1 : 1 + (uint32_t)rng_below(&r, 5000);
        check_item(&g, L, g_seed);
    }
}

static void test_geometry_limits(void **state)
{
    (void)state;
    map_geom g;
    char err[128];
    assert_int_equal(map_geom_init(&g, 2, 32, 4, 4, 32, 120, 0, err, sizeof err), -1);
    assert_non_null(strstr(err, "multiple of 16"));
    assert_int_equal(map_geom_init(&g, 2, 8, 2, 2, 32, 256, 0, err, sizeof err), -1); /* 16 slices > 8 banks */
    assert_int_equal(map_geom_init(&g, 2, 32, 4, 4, 32, 160, 0, err, sizeof err), 0);
    assert_int_equal(g.parts, 6); /* 10 slices: 3 partitions of 10 banks per PC, 2 spare banks */
    assert_int_equal(map_geom_init(&g, 2, 32, 4, 4, 32, 128, 1, err, sizeof err), 0);
    assert_int_equal(g.units, 32);
    assert_int_equal(g.parts, 4); /* ping-pong: 16 units per PC, 2 partitions of 8 slices */
    assert_int_equal(map_geom_int8(&g, 128, 32, err, sizeof err), 0);
    assert_int_equal(g.words, 4);
    assert_int_equal(g.parts, 8); /* INT8: 4 slices of 32 dimensions */
    assert_int_equal(map_geom_int8(&g, 80, 32, err, sizeof err), -1);
    assert_non_null(strstr(err, "multiple of 32"));
    assert_int_equal(map_geom_int8(&g, 128, 48, err, sizeof err), -1);
    assert_non_null(strstr(err, "INT8 block of 48 tokens"));
}

/* Every (unit, row parity) names one bank, every bank is named once; a unit's two banks are neighbours
 * in one bank group. */
static void test_unit_banks(void **state)
{
    (void)state;
    for (int pp = 0; pp < 2; pp++) {
        map_geom g;
        char err[128];
        assert_int_equal(map_geom_init(&g, 2, 32, 4, 4, 32, 128, pp, err, sizeof err), 0);
        uint8_t seen[64] = {0};
        for (unsigned u = 0; u < g.units; u++)
            for (uint32_t r = 0; r < g.banks_per_unit; r++) {
                unsigned pc, sid, bg, ba, pc2, sid2, bg2, ba2;
                unsigned b = map_unit_bank(&g, u, r, &pc, &sid, &bg, &ba);
                assert_true(b < 64);
                assert_int_equal(b, ((pc * 2 + sid) * 4 + bg) * 4 + ba);
                assert_int_equal(seen[b]++, 0);
                map_unit_bank(&g, u, r + 1, &pc2, &sid2, &bg2, &ba2);
                assert_true(pc2 == pc && sid2 == sid && bg2 == bg);
                assert_int_equal(ba2, pp ? (ba ^ 1u) : ba);
                assert_int_equal(u / g.units_pc, pc);
            }
        for (unsigned b = 0; b < 64; b++)
            assert_int_equal(seen[b], 1);
    }
}

static void test_level1_random(void **state)
{
    (void)state;
    rng r;
    rng_seed(&r, g_seed + 1);
    map_geom g;
    char err[128];
    assert_int_equal(map_geom_init(&g, 2, 32, 4, 4, 32, 128, 0, err, sizeof err), 0);
    for (int k = 0; k < 200; k++) {
        size_t n = 1 + rng_below(&r, 300);
        unsigned ch = 1 + (unsigned)rng_below(&r, 64);
        uint32_t *L = malloc(n * sizeof *L), *np = malloc(n * sizeof *np), *ich = malloc(n * sizeof *ich),
                 *row0 = malloc(n * sizeof *row0), *rows = malloc(ch * sizeof *rows);
        uint64_t *load = calloc(ch, sizeof *load), *used = calloc(ch, sizeof *used), big = 0;
        for (size_t i = 0; i < n; i++) {
            L[i] = 1 + (uint32_t)rng_below(&r, rng_below(&r, 2) ? 300 : 40000);
            np[i] = 1 + (uint32_t)rng_below(&r, 8);
            big = (uint64_t)L[i] * np[i] > big ? (uint64_t)L[i] * np[i] : big;
        }
        map_plan(&g, n, L, np, ch, ich, row0, rows);
        uint8_t *mark = NULL;
        uint32_t maxrows = 0;
        for (unsigned c = 0; c < ch; c++)
            maxrows = rows[c] > maxrows ? rows[c] : maxrows;
        mark = calloc((size_t)ch * maxrows + 1, 1);
        for (size_t i = 0; i < n; i++) {
            assert_true(ich[i] < ch);
            map_shape s;
            map_shape_of(&g, L[i], &s);
            load[ich[i]] += (uint64_t)L[i] * np[i];
            used[ich[i]] += map_rows(&s);
            for (uint32_t q = row0[i]; q < row0[i] + map_rows(&s); q++) {
                assert_true(q < rows[ich[i]]);
                if (mark[(size_t)ich[i] * maxrows + q]++)
                    fail_msg(TB_REPLAY "two items share row %u of channel %u", g_seed, g_seed, q, ich[i]);
            }
        }
        uint64_t lo = UINT64_MAX, hi = 0;
        for (unsigned c = 0; c < ch; c++) {
            assert_int_equal(used[c], rows[c]);
            lo = load[c] < lo ? load[c] : lo;
            hi = load[c] > hi ? load[c] : hi;
        }
        if (n >= ch && hi > lo + big)
            fail_msg(TB_REPLAY "unbalanced: loads %" PRIu64 "..%" PRIu64 ", largest item %" PRIu64, g_seed, g_seed, lo, hi,
                     big);
        free(L), free(np), free(ich), free(row0), free(rows), free(load), free(used), free(mark);
    }
}

int main(void)
{
    g_seed = tb_seed("test_mapping", "120 random items, 200 random batches");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_level2_random),
        cmocka_unit_test(test_geometry_limits),
        cmocka_unit_test(test_unit_banks),
        cmocka_unit_test(test_level1_random),
    };
    return cmocka_run_group_tests_name("mapping", tests, NULL, NULL);
}

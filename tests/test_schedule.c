/* test_schedule — the scheduler's dependency rules on hand-built state (harness/run/schedule_src.h), where
 * the traces cannot show them: a context MAC of a probability chunk waits for every pseudo-channel's MVGB of
 * that chunk. Under every schedule the suites emit, the MVGBs of all PCs issue before the MACs could start,
 * so a scheduler that waited for the first PC's MVGB only produced the same command logs (issue 21's planted
 * bug); here the rule itself is checked. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "schedule_src.h"

static void test_chunk_waits_for_every_pc(void **state)
{
    (void)state;
    static const char *const presets[] = {"hbm3-6400", "attacc-hbm3-5200"};
    for (int k = 0; k < 2; k++) {
        hbm_cfg hc;
        assert_int_equal(hbm_cfg_preset(presets[k], &hc), 0);
        for (unsigned pcs = 1; pcs <= 4; pcs++) {
            hc.pcs = pcs;
            uint64_t done[3] = {0, 0, 0};
            uint8_t have[3] = {0, 0, 0};
            pass_state st = {.nchunks = 3, .chunk_done = done, .chunk_pcs = have};
            sched_pass pass = {.functional = 0};
            sched_ctx x = {.hc = &hc, .ps = &pass, .np = 1, .st = &st};
            /* chunk 0 on each PC in turn: PC p's MVGB moves (pcs - p) words, so the first issued lands last */
            uint64_t latest = 0;
            for (unsigned pc = 0; pc < pcs; pc++) {
                assert_int_equal(sched_chunk_ready(&x, 0, 0), SCHED_INF);
                assert_int_equal(x.probs.pc, pc);
                hbm_cmd cmd = {.op = HBM_MVGB, .pc = (uint8_t)pc, .n = pcs - pc};
                uint64_t t = 100 + pc;
                assert_int_equal(sched_prob_moves_issued(&x, &cmd, t), 0);
                uint64_t lands = t + (uint64_t)cmd.n * hc.nBL;
                latest = lands > latest ? lands : latest;
            }
            if (sched_chunk_ready(&x, 0, 0) != latest)
                fail_msg("%s, %u PCs: chunk 0 ready at %llu, want %llu (every PC's MVGB landed)", presets[k], pcs,
                         (unsigned long long)sched_chunk_ready(&x, 0, 0), (unsigned long long)latest);
            assert_int_equal(x.probs.chunk, 1);                    /* the cursor went on to chunk 1 */
            assert_int_equal(sched_chunk_ready(&x, 0, 1), SCHED_INF); /* which no PC has yet */
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_chunk_waits_for_every_pc)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}

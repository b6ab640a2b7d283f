/* backend.h — the compute units behind the attention scheduler: one GEMV unit per DRAM bank, one
 * softmax unit per channel (buffer die). The scheduler drives every unit through this interface and
 * never knows which implementation is behind it:
 *  - golden: csim/gemv.h and csim/sm_unit.h for every unit (`pimattn run --mode fast`);
 *  - rtl: the same, plus, for the selected banks and channels, the Verilated unit fed the same
 *    commands; every result beat and the error flag are compared bit for bit (`--mode rtl`). A
 *    mismatch is a hard error naming the unit, the DRAM cycle of the command and the values.
 *    Optionally one Verilated bank unit writes an FST window (wave_*; it runs the GEMV build's traced twin,
 *    build/vunits/trace/, cosim.h): that unit is clocked in step with
 *    the DRAM clock (idle cycles up to each command's issue cycle), the others only when they have work.
 *
 * Contract
 *  - Units are numbered globally: bank unit = channel * banks_per_channel + bank, softmax unit = channel.
 *    They are created on first use (a run touches only the channels whose data it computes).
 *  - backend_gemv(): one command with its data beat; returns the number of result beats written to out
 *    (0 .. rows), or -1 with err filled (a command the driver check refuses, or an RTL mismatch).
 *  - backend_smu(): one softmax-unit input beat; returns the output beats (0 .. merge_d/lanes + 1) or -1.
 *  - backend_stats(): commands and beats per kind, Verilated unit cycles (rtl), the builds, for the report.
 *  - rtl mode: backend_new() chooses and loads the Verilated builds itself (backend_rtl_builds); its
 *    golden units then take the build's configuration (its accumulator slots), so both sides match.
 *  - The traced unit (wave_path) is created by backend_new(), so its waveform exists even when it gets no
 *    work; backend_finish() closes the waveform and sets wave_failed when it could not be written.
 *  - Fast mode (no RTL units): different channels' units may be driven from different threads, each
 *    channel's from one thread at a time (funcpool.h); the counts are kept per channel.
 */
#ifndef PIMATTN_BACKEND_H
#define PIMATTN_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "gemv.h"
#include "sm_unit.h"

typedef struct backend backend;

typedef struct backend_cfg {
    gemv_cfg gemv;
    smu_cfg smu;
    unsigned banks_per_channel;
    unsigned channels;              /* all channels of all stacks */
    int rtl;                        /* Verilated units shadow the golden ones on rtl_bank / rtl_channel */
    const char *rtl_gemv_build;     /* rtl mode, optional: this GEMV build, not checked against `gemv` (tests); */
    const char *rtl_smu_build;      /* else the registry's build for `gemv` / `smu` (backend_rtl_builds) */
    const uint8_t *rtl_bank;        /* rtl mode: 1 for the bank units that run in RTL (global numbering) */
    const uint8_t *rtl_channel;     /* rtl mode: 1 for the softmax units that run in RTL */
    uint64_t seed;                  /* random initial state of the Verilated units */
    const char *wave_path;          /* rtl mode, not NULL: an FST of bank unit wave_unit, clocked with the */
    long wave_unit;                 /* DRAM (idle cycles between its commands), so its cycles match the log's */
    uint64_t wave_from, wave_cycles;
} backend_cfg;

typedef struct backend_stats {
    uint64_t gemv_cmds, gemv_beats, smu_beats_in, smu_beats_out;
    uint64_t rtl_gemv_cmds, rtl_smu_beats, rtl_cycles, rtl_units;
    double rtl_seconds;
    int wave_failed; /* backend_finish closed the waveform and it could not be written completely */
    char rtl_gemv_build[64], rtl_smu_build[64]; /* rtl mode: the Verilated builds that ran */
} backend_stats;

/* The Verilated builds rtl mode runs for these units: the registry's GEMV build with the rows, depth and
 * accumulation of `g` (and at least 2 accumulator slots; systolic G = 1 is the tree unit bit for bit) and
 * the softmax build of `s`. 0 with the names, or -1 with err listing the builds there are. Each build must
 * also be built (vunits.h); backend_new() says so when it is not. */
int backend_rtl_builds(const gemv_cfg *g, const smu_cfg *s, const char **gemv_build, const char **smu_build, char *err,
                       size_t n);

backend *backend_new(const backend_cfg *cfg, char *err, size_t n);
void backend_free(backend *b);
int backend_gemv(backend *b, unsigned unit, uint32_t cmd, const uint16_t data[16], uint64_t cycle, gemv_beat *out,
                 char *err, size_t n);
int backend_smu(backend *b, unsigned unit, const uint32_t w[3], const uint32_t *data, uint64_t cycle, smu_beat *out,
                char *err, size_t n);
/* rtl mode: runs every Verilated unit until the result beats still queued have come out and matched.
 * Returns 0, or -1 with err (a mismatch). Call before reading the statistics or freeing. */
int backend_finish(backend *b, char *err, size_t n);
const backend_stats *backend_get_stats(backend *b);

#endif

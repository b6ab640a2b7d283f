/* hbm_presets.c — the built-in HBM3 device presets (hbm_cfg.h). Sources: docs/hbm.md "Presets". */
#include <string.h>

#include "hbm_cfg.h"

/* The GEMV unit's command-to-result latency, csim/gemv.h GEMV_LATENCY(GEMV_PIPE): the Makefile evaluates
 * it from that header (this layer does not include the golden model's headers: scripts/check-seams.sh). */
#ifndef GEMV_NMACLAT
#error "GEMV_NMACLAT must be defined (the Makefile sets it from csim/gemv.h)"
#endif

const char *const hbm_cfg_preset_names = "hbm3-6400, attacc-hbm3-5200";
const char *const hbm_cfg_ref_modes[3] = {"all-bank", "per-bank", "off"};
const char *const hbm_cfg_schedulers[3] = {"fcfs", "frfcfs", "frfcfs-cap"};
const char *const hbm_cfg_pages[2] = {"open", "close"};
const char *const hbm_cfg_ref_policies[2] = {"eager", "postpone"};

/* Shared by both presets: the AttAcc organisation (16 GiB per stack) and the AttAcc energy table. */
static void common(hbm_cfg *c)
{
    c->stacks = 1;
    c->channels = 16;
    c->pcs = 2;
    c->sids = 2;
    c->bank_groups = 4;
    c->banks = 4;
    c->rows = 16384;
    c->columns = 32;
    c->burst_bytes = 32;
    c->ref_mode = HBM_REF_ALLBANK;
    c->max_postpone = 8;
    c->rows_per_ref = 2; /* 16384 rows refreshed by 8192 REFs per retention window */
    c->nMAC = 4;
    c->nMACpow = 6;
    c->power_limit = 1;
    c->nMACLAT = GEMV_NMACLAT; /* rtl/gemv: command to result register */
    c->gemv_lanes = 16;
    c->e_act = 0.11;
    c->e_cell = 0.44;
    c->e_col = 1.01;
    c->e_gio = 1.23;
    c->e_tsv = 0.5;
    c->e_io = 0.3;
    c->e_mac = 0.32;
    /* mac_pj scaled by Horowitz's 45 nm figures (ISSCC 2014): an 8-bit multiply and a 32-bit add, 0.2 + 0.1 pJ,
     * against an FP16 multiply and add, 1.1 + 0.4 pJ */
    c->e_mac8 = 0.064;
    /* the same scaling of an FP32 multiply and add, 3.7 + 0.9 pJ: an INT8 unit's scaling of a score or of a
     * word's partial (the INT32-to-FP32 conversion not counted) */
    c->e_scale8 = 0.98;
    /* the trace controller (`pimattn hbm`): as Ramulator 2's generic DRAM controller (32-entry queues,
     * FR-FCFS, open page, REFab every nREFI) */
    c->read_queue = 32;
    c->write_queue = 32;
    c->sched = HBM_SCHED_FRFCFS;
    c->cap = 16;
    c->write_high = 24;
    c->write_low = 8;
    c->page = HBM_PAGE_OPEN;
    c->ref_policy = HBM_REFPOL_EAGER;
    c->postpone = 8;
}

/* JESD238-based numbers as Ramulator 2.1 uses them (HBM3_6400Mbps, 8-high, 2 SIDs); tRFCab 350 ns for an
 * 8 Gb channel. PIM timings are AttAcc's; all-bank ACTs obey the activation window (a real device). */
static void hbm3_6400(hbm_cfg *c)
{
    common(c);
    strcpy(c->name, "hbm3-6400");
    c->tck_ps = 625;
    c->nBL = 2, c->nCL = 20, c->nCWL = 10, c->nRCDRD = 31, c->nRCDWR = 15, c->nRP = 26, c->nRAS = 45;
    c->nRC = 72, c->nWR = 33, c->nRTP = 9, c->nCCDS = 2, c->nCCDL = 4, c->nCCDR = 3, c->nRRDS = 4;
    c->nRRDL = 5, c->nFAW = 24, c->nWTRS = 7, c->nWTRL = 10, c->nRTW = 20, c->nPPD = 2;
    c->nREFI = 6240, c->nRFC = 560, c->nRFCpb = 320, c->nRREFD = 8;
    c->ab_act_faw = 1;
}

/* The AttAcc simulator's HBM3_8Gb_2R / HBM3_5.2Gbps values (HBM2-derived, scaled to a 769 ps CK);
 * nCCDR and nPPD, which it lacks, as in hbm3-6400; tRFC 350 ns rounded up; all-bank ACTs exempt from the
 * activation window as in AttAcc. */
static void attacc_5200(hbm_cfg *c)
{
    common(c);
    strcpy(c->name, "attacc-hbm3-5200");
    c->tck_ps = 769;
    c->nBL = 2, c->nCL = 19, c->nCWL = 6, c->nRCDRD = 19, c->nRCDWR = 19, c->nRP = 19, c->nRAS = 45;
    c->nRC = 63, c->nWR = 21, c->nRTP = 8, c->nCCDS = 2, c->nCCDL = 4, c->nCCDR = 3, c->nRRDS = 2;
    c->nRRDL = 4, c->nFAW = 39, c->nWTRS = 8, c->nWTRL = 11, c->nRTW = 3, c->nPPD = 2;
    c->nREFI = 5070, c->nRFC = 456, c->nRFCpb = 260, c->nRREFD = 11;
    c->ab_act_faw = 0;
}

int hbm_cfg_preset(const char *name, hbm_cfg *out)
{
    hbm_cfg c;
    memset(&c, 0, sizeof c);
    if (!strcmp(name, "hbm3-6400"))
        hbm3_6400(&c);
    else if (!strcmp(name, "attacc-hbm3-5200"))
        attacc_5200(&c);
    else
        return -1;
    *out = c;
    return 0;
}

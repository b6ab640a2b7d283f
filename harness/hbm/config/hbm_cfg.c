/* hbm_cfg.c — HBM configuration: the field table, loading, validation, presets or files by name, writing
 * (hbm_cfg.h). The table is generated from the X-macro tables in hbm_cfg.h; reading, range checks and
 * writing are the configuration reader's (harness/cfgfile/cfgfile.h). */
#include "hbm_cfg.h"

#include <stddef.h>
#include <stdint.h>

#include "cfgfile.h"

/* ---- the field table ------------------------------------------------------------------------------------ */

#define WORDS_U(m) NULL
#define WORDS_F(m) NULL
#define WORDS_B(m) NULL
#define WORDS_E(m) WORDS_##m
#define WHAT_U(m) NULL
#define WHAT_F(m) NULL
#define WHAT_B(m) NULL
#define WHAT_E(m) WHAT_##m
/* the words of each enum field */
#define WORDS_ref_mode hbm_cfg_ref_modes
#define WORDS_sched hbm_cfg_schedulers
#define WORDS_page hbm_cfg_pages
#define WORDS_ref_policy hbm_cfg_ref_policies
#define WHAT_ref_mode "a refresh mode"
#define WHAT_sched "a scheduler"
#define WHAT_page "a page policy"
#define WHAT_ref_policy "a refresh policy"
#define FIELD(sec, key, member, kind, lo, hi, doc)                                                            \
    {#sec, #key, CFGFILE_##kind, offsetof(hbm_cfg, member), sizeof(((hbm_cfg *)0)->member), lo, hi, WORDS_##kind(member), \
     WHAT_##kind(member), NULL, doc},

static const cfgfile_field fields[] = {HBM_CFG_ALL(FIELD)};

static int preset(const char *name, void *out) { return hbm_cfg_preset(name, out); }
static int validate(const void *cfg, char *err, size_t n) { return hbm_cfg_validate(cfg, err, n); }

static cfgfile_schema schema(void)
{
    return (cfgfile_schema){fields,  sizeof fields / sizeof fields[0], sizeof(hbm_cfg), offsetof(hbm_cfg, name),
                            sizeof(((hbm_cfg *)0)->name), hbm_cfg_preset_names, preset, validate, "configs/hbm/"};
}

int hbm_cfg_load(const char *path, hbm_cfg *out, char *err, size_t n)
{
    const cfgfile_schema s = schema();
    return cfgfile_load(&s, path, out, err, n);
}

int hbm_cfg_resolve(const char *text, hbm_cfg *out, char *err, size_t n)
{
    const cfgfile_schema s = schema();
    return cfgfile_resolve(&s, text, out, err, n);
}

void hbm_cfg_write(const hbm_cfg *c, FILE *f)
{
    const cfgfile_schema s = schema();
    cfgfile_write(&s, c, f);
}

/* ---- validation ---------------------------------------------------------------------------------------- */

/* sa.a <= sb.b, both named */
#define ORDER(sa, a, sb, b)                                                                                   \
    if (c->a > c->b) {                                                                                        \
        snprintf(err, n, #sa "." #a ": %u exceeds " #sb "." #b " %u (allowed: " #a " <= " #b ")",            \
                 (unsigned)c->a, (unsigned)c->b);                                                             \
        return -1;                                                                                            \
    }

int hbm_cfg_validate(const hbm_cfg *c, char *err, size_t n)
{
    const cfgfile_schema s = schema();
    if (cfgfile_check_ranges(&s, c, err, n))
        return -1;
    ORDER(timing, nRAS, timing, nRC)
    ORDER(timing, nRP, timing, nRC)
    ORDER(timing, nRCDRD, timing, nRAS)
    ORDER(timing, nRCDWR, timing, nRAS)
    ORDER(timing, nBL, timing, nCCDS)
    ORDER(timing, nCCDS, timing, nCCDL)
    ORDER(timing, nRRDS, timing, nRRDL)
    ORDER(timing, nRRDS, timing, nFAW)
    ORDER(timing, nWTRS, timing, nWTRL)
    ORDER(refresh, nRFCpb, refresh, nRFC)
    ORDER(refresh, rows_per_ref, org, rows)
    ORDER(pim, nMAC, pim, nMACpow)
    if (c->nREFI <= c->nRFC) {
        snprintf(err, n, "refresh.nREFI: %u does not exceed refresh.nRFC %u (allowed: nREFI > nRFC)", c->nREFI,
                 c->nRFC);
        return -1;
    }
    if (hbm_cfg_nrefipb(c) <= c->nRREFD) {
        snprintf(err, n,
                 "refresh.nREFI: %u / %u banks per PC (org.sids %u x org.bank_groups %u x org.banks_per_group %u) "
                 "= %u does not exceed refresh.nRREFD %u (allowed: nREFI / banks per PC > nRREFD)",
                 c->nREFI, hbm_cfg_banks_per_pc(c), c->sids, c->bank_groups, c->banks, hbm_cfg_nrefipb(c), c->nRREFD);
        return -1;
    }
    ORDER(controller, write_high, controller, write_queue)
    if (c->write_low >= c->write_high) {
        snprintf(err, n, "controller.write_low: %u is not below controller.write_high %u (allowed: write_low < "
                 "write_high)", c->write_low, c->write_high);
        return -1;
    }
    if (c->ref_policy == HBM_REFPOL_POSTPONE && c->postpone > c->max_postpone) {
        snprintf(err, n, "controller.postpone: %u exceeds refresh.max_postpone %u (allowed: postpone <= max_postpone with "
                 "refresh_policy postpone)",
                 c->postpone, c->max_postpone);
        return -1;
    }
    uint32_t rb = hbm_cfg_row_bytes(c);
    if (rb & (rb - 1)) {
        snprintf(err, n, "org.columns: %u x org.burst_bytes %u = %u row bytes (allowed: a power of two)", c->columns,
                 c->burst_bytes, rb);
        return -1;
    }
    if (c->burst_bytes % 2) {
        snprintf(err, n, "org.burst_bytes: %u is odd (allowed: a multiple of 2, whole FP16 values)", c->burst_bytes);
        return -1;
    }
    return 0;
}

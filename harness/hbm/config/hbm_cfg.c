/* hbm_cfg.c — HBM configuration: validation, presets or files by name, writing (hbm_cfg.h); loading is
 * hbm_cfg_load.c. The range checks and the writer are generated from the X-macro tables in hbm_cfg.h. */
#include "hbm_cfg.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- validation ---------------------------------------------------------------------------------------- */

#define CHECK_RANGE(sec, key, member, kind, lo, hi, doc) CHECK_##kind(#sec "." #key, c->member, lo, hi)
#define CHECK_U(name, v, lo, hi)                                                                              \
    if ((uint64_t)(v) + 1 < (uint64_t)(lo) + 1 || (v) > (uint32_t)(hi)) {                                     \
        snprintf(err, n, "%s: %u is out of range (allowed: %u..%u)", name, (unsigned)(v), (unsigned)(lo),    \
                 (unsigned)(hi));                                                                             \
        return -1;                                                                                            \
    }
#define CHECK_B(name, v, lo, hi) CHECK_U(name, (uint32_t)(v), lo, hi)
#define CHECK_E(name, v, lo, hi) CHECK_U(name, (uint32_t)(v), lo, hi)
#define CHECK_F(name, v, lo, hi)                                                                              \
    if (!isfinite(v) || (v) < (lo) || (v) > (hi)) {                                                           \
        snprintf(err, n, "%s: %g is out of range (allowed: %g..%g)", name, (double)(v), (double)(lo),        \
                 (double)(hi));                                                                               \
        return -1;                                                                                            \
    }

/* sa.a <= sb.b, both named */
#define ORDER(sa, a, sb, b)                                                                                   \
    if (c->a > c->b) {                                                                                        \
        snprintf(err, n, #sa "." #a ": %u exceeds " #sb "." #b " %u (allowed: " #a " <= " #b ")",            \
                 (unsigned)c->a, (unsigned)c->b);                                                             \
        return -1;                                                                                            \
    }

int hbm_cfg_validate(const hbm_cfg *c, char *err, size_t n)
{
    HBM_CFG_ALL(CHECK_RANGE)
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

int hbm_cfg_resolve(const char *text, hbm_cfg *out, char *err, size_t n)
{
    if (!hbm_cfg_preset(text, out))
        return 0;
    struct stat st;
    FILE *f = NULL;
    if (stat(text, &st) == 0 && S_ISDIR(st.st_mode)) {
        snprintf(err, n, "%s: is a directory (allowed: a preset (%s) or a YAML file, as in configs/hbm/)", text,
                 hbm_cfg_preset_names);
        return -1;
    }
    if (stat(text, &st) || !S_ISREG(st.st_mode) || !(f = fopen(text, "r"))) {
        snprintf(err, n, "'%s' is neither a preset (%s) nor a readable YAML file", text, hbm_cfg_preset_names);
        return -1;
    }
    fclose(f);
    return hbm_cfg_load(text, out, err, n);
}

/* ---- writing ------------------------------------------------------------------------------------------ */

/* The shortest %g form that reads back as exactly v. */
static const char *fmt_double(double v, char *buf, size_t n)
{
    for (int p = 15; p <= 17; p++) {
        snprintf(buf, n, "%.*g", p, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    return buf;
}

#define WRITE(sec, key, member, kind, lo, hi, doc)                                                            \
    if (strcmp(cur, #sec)) {                                                                                  \
        fprintf(f, "%s:\n", #sec);                                                                            \
        cur = #sec;                                                                                           \
    }                                                                                                         \
    fprintf(f, "  %-16s %-12s # %s\n", #key ":", WRITE_##kind(c->member), doc);
#define WRITE_U(v) (snprintf(buf, sizeof buf, "%u", (unsigned)(v)), buf)
#define WRITE_F(v) fmt_double(v, buf, sizeof buf)
#define WRITE_B(v) ((v) ? "true" : "false")
#define WRITE_E(v) ((unsigned)(v) < 3 ? hbm_cfg_ref_modes[v] : "invalid")

void hbm_cfg_write(const hbm_cfg *c, FILE *f)
{
    const char *cur = "";
    char buf[40];
    fputs("name: \"", f); /* double-quoted, so that any name reads back unchanged */
    for (size_t i = 0; i < sizeof c->name && c->name[i]; i++) {
        unsigned char ch = (unsigned char)c->name[i];
        if (ch == '"' || ch == '\\')
            fprintf(f, "\\%c", ch);
        else if (ch < 0x20 || ch == 0x7f)
            fprintf(f, "\\x%02x", ch);
        else
            fputc(ch, f);
    }
    fputs("\"\n", f);
    HBM_CFG_ALL(WRITE)
}

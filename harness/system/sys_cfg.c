/* sys_cfg.c — the system configuration (system.h): presets, the field table generated from the SYS_CFG_*
 * X-macro tables, and loading, overriding, validation and writing through the configuration reader
 * (harness/cfgfile/cfgfile.h). Preset values and their sources: docs/system.md, "Configuration". */
#include "system.h"

#include <stddef.h>
#include <string.h>

#include "cfgfile.h"

/* ---- the field table ------------------------------------------------------------------------------------ */

/* The words of the E fields, by member (NULL-terminated, as sys_cfg_words returns them). */
static const char *const words_pim_tree[] = {"systolic", "tree", NULL};
static const char *const words_pim_acc16[] = {"fp32", "fp16", NULL};
static const char *const words_pim_splitk[] = {"buffer", "splitk", NULL};
static const char *const words_pim_split[] = {"off", "fit", "balance", NULL}; /* PLAN_SPLIT_* (run.h) */

/* The X-macro's section "top" is the file's top level. */
#define SEC_top ""
#define SEC_gpu "gpu"
#define SEC_nvlink "nvlink"
#define SEC_pim "pim"
#define SEC_energy "energy"
#define WORDS_U(m) NULL
#define WORDS_F(m) NULL
#define WORDS_B(m) NULL
#define WORDS_E(m) words_##m
#define WORDS_S(m) NULL
#define ALLOWED_U NULL
#define ALLOWED_F NULL
#define ALLOWED_B NULL
#define ALLOWED_E NULL
#define ALLOWED_S "an HBM preset or YAML file as pimattn run --hbm takes, at most 63 characters"
#define FIELD(sec, key, member, kind, lo, hi, doc)                                                            \
    {SEC_##sec, #key, CFGFILE_##kind, offsetof(sys_cfg, member), sizeof(((sys_cfg *)0)->member), lo, hi,      \
     WORDS_##kind(member), NULL, ALLOWED_##kind, doc},

static const cfgfile_field fields[] = {SYS_CFG_ALL(FIELD)};

const char *const sys_cfg_preset_names = "a100-hbm3, h100, dgx-a100-hbm3, dgx-h100 (+pim)";

static int preset(const char *name, void *out) { return sys_cfg_preset(name, out); }
static int validate(const void *cfg, char *err, size_t n) { return sys_cfg_validate(cfg, err, n); }

static cfgfile_schema schema(void)
{
    return (cfgfile_schema){fields,  sizeof fields / sizeof fields[0], sizeof(sys_cfg), offsetof(sys_cfg, name),
                            sizeof(((sys_cfg *)0)->name), sys_cfg_preset_names, preset, validate, "configs/systems/"};
}

const char *const *sys_cfg_words(const char *section, const char *key)
{
    const cfgfile_schema s = schema();
    const cfgfile_field *f = cfgfile_find(&s, strcmp(section, "top") ? section : "", key);
    return f && f->kind == CFGFILE_E ? f->words : NULL;
}

/* ---- presets -------------------------------------------------------------------------------------------- */

/* GPUs (AttAcc's system model, Park et al., ASPLOS 2024: an A100 whose HBM is HBM3 at the H100's
 * 3352 GB/s; H100 SXM: 989.4 dense FP16 TFLOPS, 3352 GB/s, 80 GiB; NVLink 3 and 4: 600 and 900 GB/s
 * per GPU). A DGX has 8 GPUs, tensor-parallel 8. */
static const struct {
    const char *name;
    double tflops, mem_gbs, mem_gib, nvl_gbs;
    uint32_t gpus;
} gpu_presets[] = {
    {"a100-hbm3", 312, 3352, 80, 600, 1},
    {"h100", 989.4, 3352, 80, 900, 1},
    {"dgx-a100-hbm3", 312, 3352, 80, 600, 8},
    {"dgx-h100", 989.4, 3352, 80, 900, 8},
};

/* What every preset shares: efficiencies, links, energies, and the PIM device (enabled by "+pim"). */
static void common(sys_cfg *c)
{
    c->gpu_eff_c = 0.8, c->gpu_eff_m = 0.85, c->gpu_static_w = 0;
    c->nvl_lat_us = 1;  /* assumption: one ring all-reduce hop, no source gives it */
    c->nvl_pj = 10.4;   /* 1.3 pJ/bit */
    c->pim_stacks = 5; /* one AttAcc device: 5 HBM3 stacks */
    snprintf(c->pim_hbm, sizeof c->pim_hbm, "attacc-hbm3-5200");
    c->pim_tree = 0, c->pim_group = 0, c->pim_acc16 = 0, c->pim_splitk = 0, c->pim_lanes = 16, c->pim_pingpong = 0;
    c->pim_split = 2; /* balance */
    c->pim_link_gbs = 600, c->pim_link_lat_us = 1, c->pim_link_pj = 10.4, c->pim_static_w = 0;
    /* AttAcc's GPU energy model after O'Connor et al., MICRO 2017 */
    c->e_mac = 0.32, c->e_reg = 0.0675, c->e_l1 = 1.28, c->e_l2 = 2.4, c->e_hbm = 28.72;
}

int sys_cfg_preset(const char *name, sys_cfg *out)
{
    size_t len = strlen(name), pim = len > 4 && !strcmp(name + len - 4, "+pim");
    for (size_t i = 0; i < sizeof gpu_presets / sizeof gpu_presets[0]; i++) {
        const char *p = gpu_presets[i].name;
        if (strlen(p) != len - 4 * pim || strncmp(p, name, len - 4 * pim))
            continue;
        sys_cfg c;
        memset(&c, 0, sizeof c);
        snprintf(c.name, sizeof c.name, "%s", name);
        c.gpus = c.tp = gpu_presets[i].gpus;
        c.gpu_tflops = gpu_presets[i].tflops, c.gpu_mem_gbs = gpu_presets[i].mem_gbs;
        c.gpu_mem_gib = gpu_presets[i].mem_gib, c.nvl_gbs = gpu_presets[i].nvl_gbs;
        common(&c);
        c.pim = (int)pim;
        *out = c;
        return 0;
    }
    return -1;
}

/* ---- files, overrides, writing -------------------------------------------------------------------------- */

int sys_cfg_load(const char *path, sys_cfg *out, char *err, size_t n)
{
    const cfgfile_schema s = schema();
    return cfgfile_load(&s, path, out, err, n);
}

int sys_cfg_resolve(const char *text, sys_cfg *out, char *err, size_t n)
{
    const cfgfile_schema s = schema();
    return cfgfile_resolve(&s, text, out, err, n);
}

int sys_cfg_set(sys_cfg *cfg, const char *dotted_key, const char *value, char *err, size_t n)
{
    const cfgfile_schema s = schema();
    return cfgfile_set(&s, cfg, dotted_key, value, err, n);
}

void sys_cfg_write(const sys_cfg *cfg, FILE *f)
{
    const cfgfile_schema s = schema();
    cfgfile_write(&s, cfg, f);
}

/* ---- validation ----------------------------------------------------------------------------------------- */

int sys_cfg_validate(const sys_cfg *c, char *err, size_t n)
{
    const cfgfile_schema s = schema();
    if (cfgfile_check_ranges(&s, c, err, n))
        return -1;
    if (c->gpus % c->tp)
        return snprintf(err, n, "tp: %u does not divide gpus %u (allowed: a divisor of gpus)", c->tp, c->gpus), -1;
    if (c->pim_lanes & (c->pim_lanes - 1))
        return snprintf(err, n, "pim.softmax_lanes: %u is not a power of two (allowed: 1, 2, 4, 8, 16)", c->pim_lanes),
               -1;
    if (c->pim_tree && c->pim_group > 1)
        return snprintf(err, n, "pim.group: %u needs pim.gemv systolic (allowed: 0 or 1 with pim.gemv tree, the tree "
                        "unit has one row)", c->pim_group), -1;
    hbm_cfg h;
    char why[768];
    if (c->pim && hbm_cfg_resolve(c->pim_hbm, &h, why, sizeof why))
        return snprintf(err, n, "pim.hbm: %s%s", why,
                        strstr(why, "(allowed: ") ? "" : " (allowed: an HBM preset or YAML file as pimattn run --hbm "
                                                         "takes)"), -1;
    return 0;
}

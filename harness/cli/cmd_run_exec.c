/* pimattn run, the run-and-report step (cmd_run.h): the outputs checked before any work, the run with a
 * progress line, the text report, the JSON, command log, --outputs file and waveform committed, the
 * checks that set the exit status. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "cmd.h"
#include "cmd_run.h"
#include "outfile.h"
#include "progress.h"
#include "run_args.h"

static void on_progress(void *ctx, double done) { progress_update(ctx, done, 0); }

/* A command log path that is a regular file or not there yet (its placement file goes beside it). */
static int log_is_file(const char *path)
{
    struct stat st;
    return path && (stat(path, &st) != 0 || S_ISREG(st.st_mode));
}

/* The outputs and inputs of the run, checked before any work; 0 or CLI_EXIT_BAD_INPUT. */
typedef struct run_files {
    out_set *set;
    out_file *json, *log, *wave, *sav, *outputs, *place;
    char sav_name[4096], place_name[4096];
} run_files;

static int plan_files(const run_opts *o, run_files *f)
{
    char err[ERRN];
    if (!(f->set = out_set_new()))
        return cli_bad("run", "out of memory");
    f->json = out_add(f->set, "--json", o->json);
    f->log = out_add(f->set, "--log-commands", o->logp);
    if (log_is_file(o->logp)) { /* FILE.place beside a log file (not a device or a FIFO): docs/hazards.md */
        snprintf(f->place_name, sizeof f->place_name, "%s.place", o->logp);
        f->place = out_add(f->set, "--log-commands (its .place placement file)", f->place_name);
    }
    f->outputs = out_add(f->set, "--outputs", o->outputs);
    f->wave = out_add(f->set, "--wave", o->wave);
    if (o->wave) {
        snprintf(f->sav_name, sizeof f->sav_name, "%s.gtkw", o->wave);
        f->sav = out_add(f->set, "--wave (its .gtkw save file)", f->sav_name);
    }
    out_add_input(f->set, "--data", o->data);
    out_add_input(f->set, "--ctx-file", o->ctx_file);
    out_add_input(f->set, "--model-file", o->model_file);
    out_add_input(f->set, "--hbm", o->hbm_text);
    if (out_check(f->set, err, sizeof err))
        return cli_bad("run", "%s", err);
    return 0;
}

/* Opens the outputs written during the run; 0 or 1 (cannot create a temporary: exit 1). */
static int open_files(run_files *f, attn_cfg *c, run_outputs *ow, const run_opts *o)
{
    char err[ERRN];
    if (f->log && !(c->log = out_open(f->log, err, sizeof err)))
        goto fail;
    if (f->place && !(c->place = out_open(f->place, err, sizeof err)))
        goto fail;
    if (f->wave && !(c->wave_path = out_path(f->wave, err, sizeof err)))
        goto fail;
    if (f->outputs) {
        if (!(ow->f = out_open(f->outputs, err, sizeof err)))
            goto fail;
        ow->with_ref = o->outputs_ref;
        run_outputs_header(ow, c->layers, c->batch, c->m.heads, c->m.head_dim);
        c->on_output = run_outputs_record;
        c->out_ctx = ow;
    }
    return 0;
fail:
    fprintf(stderr, "pimattn run: %s\n", err);
    return 1;
}

/* Writes the JSON and the save file, commits every output; 0, or 1 with the first failure printed. */
static int finish_files(run_files *f, const attn_cfg *c, const attn_res *r, const report_info *in, const report_fig *fig,
                        const run_opts *o)
{
    char err[ERRN];
    FILE *j;
    if (f->json && (!(j = out_open(f->json, err, sizeof err)) || report_json(j, c, r, in, fig) ||
                    out_commit(f->json, err, sizeof err)))
        goto fail;
    if (f->log && out_commit(f->log, err, sizeof err))
        goto fail;
    if (f->place && out_commit(f->place, err, sizeof err))
        goto fail;
    if (f->outputs && out_commit(f->outputs, err, sizeof err))
        goto fail;
    if (f->wave) {
        const char *base = strrchr(o->wave, '/');
        FILE *s;
        if (r->be.wave_failed) {
            out_writer_failed(f->wave, err, sizeof err);
            goto fail;
        }
        const vgemv_ops *ops = gemv_build_find(r->be.rtl_gemv_build);
        if (!ops)
            snprintf(err, sizeof err, "--wave: the build %s is gone", r->be.rtl_gemv_build);
        if (!ops || !(s = out_open(f->sav, err, sizeof err)) || gemv_gtkw_emit(ops, s, base ? base + 1 : o->wave) ||
            out_commit(f->sav, err, sizeof err) || out_commit(f->wave, err, sizeof err))
            goto fail;
        printf("  waveform: bank unit %ld, DRAM cycles %llu..%llu: %s (open with: gtkwave %s %s)\n", c->wave_unit,
               (unsigned long long)c->wave_from, (unsigned long long)(c->wave_from + c->wave_cycles), o->wave, o->wave,
               f->sav_name);
    }
    return 0;
fail:
    fprintf(stderr, "pimattn run: %s\n", err);
    return 1;
}

/* Runs, prints the report, applies the checks; the exit status. */
static int run_and_report(const run_opts *o, attn_cfg *c, run_files *files)
{
    char err[ERRN];
    run_outputs ow = {0};
    if (open_files(files, c, &ow, o))
        return 1;
    progress prog;
    progress_init(&prog, "pimattn run");
    c->progress = on_progress;
    c->progress_ctx = &prog;
    attn_res res;
    int rc = attn_run(c, &res, err, sizeof err);
    progress_done(&prog);
    if (rc) {
        fprintf(stderr, "pimattn run: %s\n", err);
        attn_res_free(&res);
        return rc == 2 ? CLI_EXIT_BAD_INPUT : 1;
    }
    report_fig fig;
    report_derive(c, &res, &fig);
    uint32_t cmin = UINT32_MAX, cmax = 0;
    double csum = 0;
    for (uint32_t i = 0; i < c->batch; i++) {
        cmin = c->ctx[i] < cmin ? c->ctx[i] : cmin;
        cmax = c->ctx[i] > cmax ? c->ctx[i] : cmax;
        csum += c->ctx[i];
    }
    report_info info = {.model = c->m.name, .hbm = c->hbm.name, .mode = o->rtl ? "rtl" : "fast",
                        .gemv = o->tree ? "tree" : "systolic", .acc = o->acc16 ? "fp16" : "fp32",
                        .kv = o->kvfmt == 2 ? "int8" : o->kvfmt ? "bf16" : "fp16",
                        .softmax = o->splitk ? "splitk" : "buffer", .group = o->tree ? model_group(&c->m) : c->group,
                        .ctx_min = cmin, .ctx_max = cmax, .ctx_mean = csum / c->batch,
                        .rtl_banks = o->rtl_spec ? o->rtl_spec : "pc", .seed = o->seed};
    report_text(stdout, c, &res, &info, &fig);
    int status = 0;
    if (fig.layer_cycles < (double)fig.lower_bound) {
        fprintf(stderr, "pimattn run: analytic cross-check failed: %.0f cycles per layer is below the lower bound %llu\n",
                fig.layer_cycles, (unsigned long long)fig.lower_bound);
        status = 1;
    }
    if (status == 0)
        status = finish_files(files, c, &res, &info, &fig, o);
    if (status == 0 && o->max_rel > 0 && (fig.over_heads || fig.nonfinite_heads)) {
        fprintf(stderr, "pimattn run: --max-rel-l2 %g: %llu checked head(s) above it (max %.3e), %llu non-finite\n",
                o->max_rel, (unsigned long long)fig.over_heads, fig.max_rel_l2, (unsigned long long)fig.nonfinite_heads);
        status = 1;
    }
    attn_res_free(&res);
    return status;
}

int run_execute(const run_opts *o, attn_cfg *c)
{
    run_files files = {0};
    int status = plan_files(o, &files);
    if (!status) /* after the outputs' checks, before any work */
        status = run_check_wave_build(o, c);
    if (!status)
        status = run_and_report(o, c, &files);
    out_set_free(files.set);
    return status;
}

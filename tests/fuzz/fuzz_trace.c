/* fuzz_trace — `pimattn hbm --trace` files: the trace reader (hbm_front_run) and the controller behind it, on
 * one channel of hbm3-6400 (refresh on; one channel keeps an input with arrivals near HBM_ARRIVAL_MAX within
 * the fuzzer's time limit). A malformed line is refused with a message; a trace that is read must run to the
 * end (the controller never refuses a request) and its command log must pass the protocol checker. */
#include "cmd_hbm.h"
#include "fuzz_util.h"
#include "hbm.h"
#include "hbm_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hbm_cfg c;
    char err[512];
    if (hbm_cfg_preset("hbm3-6400", &c))
        abort();
    c.channels = 1;
    if (hbm_cfg_validate(&c, err, sizeof err))
        abort();
    const char *path = fuzz_file(data, size, ".trace");
    lines *in = lines_open(path, err, sizeof err);
    FILE *log = tmpfile();
    hbm *h = hbm_new(&c);
    hbm_ctrl *r = h ? hbm_ctrl_new(h) : NULL;
    if (!in || !log || !r)
        abort(); /* the harness, not the code under test */
    hbm_set_log(h, log);
    hbm_front f = {.synth = HBM_SYN_NONE, .trace = path, .in = in};
    progress pg;
    progress_init(&pg, "fuzz_trace");
    uint64_t reqs = 0, ncmds = 0;
    int rc = hbm_front_run(r, &c, &f, &pg, &reqs);
    if (rc == 1 || (rc == 0 && hbm_ctrl_finish(r, err, sizeof err)))
        abort(); /* the controller refused a request it had read: a controller bug */
    if (rc == 0 && (fflush(log) || fseek(log, 0, SEEK_SET) ||
                    hbm_check_stream(&c, log, "log", err, sizeof err, &ncmds, NULL, NULL)))
        abort(); /* a command log the independent checker refuses */
    hbm_ctrl_free(r);
    hbm_free(h);
    fclose(log);
    lines_close(in);
    return 0;
}

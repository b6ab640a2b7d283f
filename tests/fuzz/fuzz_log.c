/* fuzz_log — the protocol checker (hbm_check_stream) on any command log, against both presets: a verdict or
 * a parse error, never a crash. */
#include "fuzz_util.h"
#include "hbm_cfg.h"
#include "hbm_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const presets[] = {"attacc-hbm3-5200", "hbm3-6400"};
    FILE *f = fmemopen((void *)data, size ? size : 1, "r");
    if (!f)
        return 0;
    hbm_cfg c;
    char err[512];
    uint64_t ncmds;
    if (hbm_cfg_preset(presets[size % 2], &c))
        abort();
    (void)hbm_check_stream(&c, f, "log", err, sizeof err, &ncmds, NULL, NULL);
    fclose(f);
    return 0;
}

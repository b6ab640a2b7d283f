/* fuzz_hbm_yaml — the HBM configuration reader (hbm_cfg_load, cfgfile/): any file gives a configuration
 * that validates, or an error message; never a crash, a leak or undefined behaviour. */
#include <string.h>

#include "fuzz_util.h"
#include "hbm_cfg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hbm_cfg c;
    char err[512];
    if (hbm_cfg_load(fuzz_file(data, size, ".yaml"), &c, err, sizeof err) == 0 && hbm_cfg_validate(&c, err, sizeof err))
        abort(); /* loaded but not valid: the loader must have refused it */
    return 0;
}

/* fuzz_place — the data-hazard checker (hz_check_stream): the input is a placement file and a command log
 * separated by a line "%%" (without one, all placement and an empty log); a verdict or an error. */
#include <string.h>

#include "fuzz_util.h"
#include "hazard.h"
#include "hbm_cfg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *sep = NULL;
    for (size_t i = 0; i + 3 <= size && !sep; i++)
        if (!memcmp(data + i, "%%\n", 3) && (i == 0 || data[i - 1] == '\n'))
            sep = data + i;
    size_t np = sep ? (size_t)(sep - data) : size;
    const uint8_t *lg = sep ? sep + 3 : data + size;
    size_t nl = (size_t)(data + size - lg);
    static const uint8_t empty[1] = {0};
    FILE *p = fmemopen((void *)(np ? data : empty), np ? np : 1, "r");
    FILE *l = fmemopen((void *)(nl ? lg : empty), nl ? nl : 1, "r");
    hbm_cfg c;
    char err[512];
    if (!p || !l || hbm_cfg_preset("attacc-hbm3-5200", &c))
        abort();
    (void)hz_check_stream(&c, p, "place", l, "log", err, sizeof err, NULL);
    fclose(p), fclose(l);
    return 0;
}

/* fuzz_model_yaml — the model reader (model_load, run/model.c): a model that validates, or an error. */
#include "fuzz_util.h"
#include "run.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    model m;
    char err[512];
    if (model_load(fuzz_file(data, size, ".yaml"), &m, err, sizeof err) == 0 && model_validate(&m, err, sizeof err))
        abort();
    return 0;
}

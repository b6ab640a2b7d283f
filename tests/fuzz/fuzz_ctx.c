/* fuzz_ctx — context-length files (--ctx-file, run_parse_ctx_file): lengths, or a message on stderr. */
#include <stdlib.h>

#include "fuzz_util.h"
#include "run_args.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint32_t *v = NULL, k = 0;
    if (run_parse_ctx_file("run", "--ctx-file", fuzz_file(data, size, ".ctx"), &v, &k) == 0 && (!v || !k))
        abort();
    free(v);
    return 0;
}

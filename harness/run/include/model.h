/* model.h — transformer models whose decode attention `pimattn run` simulates: built-in presets
 * (docs/REFERENCE §6 of the project's sources: GPT-3, LLaMA, Mistral, Falcon, OPT, MT-NLG) and YAML files.
 *
 * Contract
 *  - model_preset(name, out): 0, or -1 for an unknown name (model_preset_names lists them).
 *  - model_load(path, out, err, n): a YAML mapping with the keys of the field table below (all required
 *    but `name`, `window`, `ffn`, `ctx`); unknown keys, duplicates, non-integers, out-of-range values
 *    and inconsistent shapes are errors "FILE:LINE: key: what (allowed: ...)"; returns 0 or -1.
 *  - model_validate(m, err, n): heads a multiple of kv_heads, head_dim a multiple of 16 (one GEMV word
 *    holds 16 FP16), d_model = heads x head_dim is not required (Falcon-7B is 71 x 64 = 4544).
 *  - model_kv_bytes_per_token(m): K and V of every layer and KV head, FP16.
 */
#ifndef PIMATTN_MODEL_H
#define PIMATTN_MODEL_H

#include <stddef.h>
#include <stdint.h>

/* X(key, member, lo, hi, required, meaning) */
#define MODEL_FIELDS(X)                                                                                      \
    X(layers, layers, 1, 1024, 1, "transformer layers")                                                    \
    X(d_model, d_model, 16, 1048576, 1, "hidden size")                                                      \
    X(heads, heads, 1, 4096, 1, "query heads")                                                               \
    X(kv_heads, kv_heads, 1, 4096, 1, "key/value heads (GQA/MQA: fewer than heads)")                        \
    X(head_dim, head_dim, 32, 256, 1, "dimension of one head, a multiple of 16")                            \
    X(ffn, ffn, 0, 1048576, 0, "feed-forward size (reported only)")                                         \
    X(ctx, ctx, 0, 16777216, 0, "trained context length (reported only)")                                  \
    X(window, window, 0, 16777216, 0, "sliding attention window in tokens, 0 = none")

#define MODEL_MEMBER(key, member, lo, hi, req, doc) uint32_t member;
typedef struct model {
    char name[64];
    MODEL_FIELDS(MODEL_MEMBER)
} model;

extern const char *const model_preset_names;

int model_preset(const char *name, model *out);
int model_load(const char *path, model *out, char *err, size_t n);
int model_validate(const model *m, char *err, size_t n);

static inline uint32_t model_group(const model *m) { return m->heads / m->kv_heads; }
static inline uint64_t model_kv_bytes_per_token(const model *m)
{
    return 2ull * m->layers * m->kv_heads * m->head_dim * 2u;
}

#endif

/* model.c — model presets and the model YAML loader (model.h). The file is read with libyaml's event
 * parser: one mapping of scalar keys to scalar values, so every error can name its line. */
#include "run.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

/* name, layers, d_model, heads, kv_heads, head_dim, ffn, gated, vocab, ctx, window (docs: REFERENCE §6;
 * gated and vocab from each model's published configuration: GPT-3 and MT-NLG the GPT-2 tokenizer, LLaMA 1
 * and 2 and Mistral 32,000 tokens, LLaMA 3 128,256, Falcon 65,024, OPT 50,272; gated: the LLaMA family
 * and Mistral use SwiGLU, GPT-3, Falcon, OPT and MT-NLG a GeLU/ReLU MLP) */
static const model presets[] = {
    {"gpt3-175b", 96, 12288, 96, 96, 128, 49152, 0, 50257, 2048, 0},
    {"llama1-65b", 80, 8192, 64, 64, 128, 22016, 1, 32000, 2048, 0},
    {"llama2-70b", 80, 8192, 64, 8, 128, 28672, 1, 32000, 4096, 0},
    {"llama3-8b", 32, 4096, 32, 8, 128, 14336, 1, 128256, 8192, 0},
    {"llama3-70b", 80, 8192, 64, 8, 128, 28672, 1, 128256, 8192, 0},
    {"llama31-405b", 126, 16384, 128, 8, 128, 53248, 1, 128256, 131072, 0},
    {"mistral-7b", 32, 4096, 32, 8, 128, 14336, 1, 32000, 8192, 4096},
    {"falcon-7b", 32, 4544, 71, 1, 64, 18176, 0, 65024, 2048, 0},
    {"falcon-40b", 60, 8192, 128, 8, 64, 32768, 0, 65024, 2048, 0},
    {"falcon-180b", 80, 14848, 232, 8, 64, 59392, 0, 65024, 2048, 0},
    {"opt-66b", 64, 9216, 72, 72, 128, 36864, 0, 50272, 2048, 0},
    {"mtnlg-530b", 105, 20480, 128, 128, 160, 81920, 0, 50257, 2048, 0},
};

const char *const model_preset_names = "gpt3-175b, llama1-65b, llama2-70b, llama3-8b, llama3-70b, llama31-405b, "
                                       "mistral-7b, falcon-7b, falcon-40b, falcon-180b, opt-66b, mtnlg-530b";

int model_preset(const char *name, model *out)
{
    for (size_t i = 0; i < sizeof presets / sizeof presets[0]; i++)
        if (!strcmp(presets[i].name, name)) {
            *out = presets[i];
            return 0;
        }
    return -1;
}

static int in_range(uint64_t v, uint64_t lo, uint64_t hi) { return v >= lo && v <= hi; }

int model_validate(const model *m, char *err, size_t n)
{
#define RANGE(key, member, lo, hi, req, doc)                                                                   \
    if (!in_range(m->member, lo, hi))                                                                         \
        return snprintf(err, n, "%s: %u is out of range (allowed: %u..%u)", #key, m->member, (unsigned)(lo),      \
                        (unsigned)(hi)),                                                                       \
               -1;
    MODEL_FIELDS(RANGE)
#undef RANGE
    if (m->heads % m->kv_heads)
        return snprintf(err, n, "heads: %u is not a multiple of kv_heads %u (allowed: heads = G x kv_heads)", m->heads,
                        m->kv_heads),
               -1;
    if (m->head_dim % 16)
        return snprintf(err, n, "head_dim: %u is not a multiple of 16 (allowed: 32, 48, ..., 256)", m->head_dim), -1;
    return 0;
}

typedef struct {
    const char *key;
    uint32_t *dst;
    uint32_t lo, hi;
    int req, seen;
    unsigned line;
} slot;

static int parse_u32(const char *s, uint32_t *v)
{
    char *end;
    if (!s || s[0] < '0' || s[0] > '9')
        return -1;
    errno = 0;
    unsigned long long x = strtoull(s, &end, 10);
    if (errno || *end || x > UINT32_MAX)
        return -1;
    *v = (uint32_t)x;
    return 0;
}

/* The state of one model file's parse. */
typedef struct mload {
    const char *path, *keys;
    model *m;
    slot *slots;
    size_t ns;
    int depth, want_key, docs, name_seen;
    char key[64];
    unsigned key_line;
} mload;

/* The value v of the current key; 0 or -1 (err). */
static int on_value(mload *s, const char *v, char *err, size_t n)
{
    if (!strcmp(s->key, "name")) {
        if (s->name_seen++)
            return snprintf(err, n, "%s:%u: name: given twice", s->path, s->key_line), -1;
        if (strlen(v) >= sizeof s->m->name)
            return snprintf(err, n, "%s:%u: name: longer than %zu characters", s->path, s->key_line,
                            sizeof s->m->name - 1), -1;
        snprintf(s->m->name, sizeof s->m->name, "%s", v);
        return 0;
    }
    size_t i = 0;
    while (i < s->ns && strcmp(s->slots[i].key, s->key))
        i++;
    if (i == s->ns)
        return snprintf(err, n, "%s:%u: unknown key '%s' (allowed: %s)", s->path, s->key_line, s->key, s->keys), -1;
    slot *sl = &s->slots[i];
    sl->line = s->key_line;
    if (sl->seen++)
        return snprintf(err, n, "%s:%u: %s: given twice", s->path, s->key_line, s->key), -1;
    if (parse_u32(v, sl->dst) || *sl->dst < sl->lo || *sl->dst > sl->hi)
        return snprintf(err, n, "%s:%u: %s: '%s' is not an integer in range (allowed: %u..%u)", s->path, s->key_line,
                        s->key, v, sl->lo, sl->hi), -1;
    return 0;
}

/* One YAML event: 0 go on, 1 the end of the stream, -1 (err). */
static int on_event(mload *s, const yaml_event_t *e, char *err, size_t n)
{
    unsigned line = (unsigned)e->start_mark.line + 1;
    switch (e->type) {
    case YAML_DOCUMENT_START_EVENT:
        if (++s->docs > 1)
            return snprintf(err, n, "%s:%u: a second YAML document (allowed: one mapping of %s)", s->path, line,
                            s->keys), -1;
        return 0;
    case YAML_MAPPING_START_EVENT:
    case YAML_SEQUENCE_START_EVENT:
        if (s->depth > 0 || e->type == YAML_SEQUENCE_START_EVENT)
            return snprintf(err, n, "%s:%u: %s%s: a %s (allowed: one mapping of scalar values: %s)", s->path, line,
                            s->depth ? "" : "the file", s->depth ? s->key : "",
                            e->type == YAML_SEQUENCE_START_EVENT ? "list" : "mapping", s->keys), -1;
        s->depth++;
        return 0;
    case YAML_MAPPING_END_EVENT: s->depth--; return 0;
    case YAML_ALIAS_EVENT:
        return snprintf(err, n, "%s:%u: aliases are not allowed (allowed: plain values)", s->path, line), -1;
    case YAML_SCALAR_EVENT:
        if (s->depth == 0)
            return snprintf(err, n, "%s:%u: the file is a scalar (allowed: one mapping of %s)", s->path, line,
                            s->keys), -1;
        if (s->want_key) {
            snprintf(s->key, sizeof s->key, "%s", (const char *)e->data.scalar.value);
            s->key_line = line;
            s->want_key = 0;
            return 0;
        }
        s->want_key = 1;
        return on_value(s, (const char *)e->data.scalar.value, err, n);
    case YAML_STREAM_END_EVENT: return 1;
    default: return 0;
    }
}

int model_load(const char *path, model *out, char *err, size_t n)
{
    FILE *f = fopen(path, "rb");
    struct stat st;
    if (!f)
        return snprintf(err, n, "%s: cannot open: %s", path, strerror(errno)), -1;
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(f);
        return snprintf(err, n, "%s: is a directory (allowed: a YAML file, as in configs/models/)", path), -1;
    }
    model m;
    memset(&m, 0, sizeof m);
    const char *base = strrchr(path, '/');
    snprintf(m.name, sizeof m.name, "%s", base ? base + 1 : path);
    slot slots[] = {
#define SLOT(key, member, lo, hi, req, doc) {#key, &m.member, lo, hi, req, 0, 0},
        MODEL_FIELDS(SLOT)
#undef SLOT
    };
    const size_t ns = sizeof slots / sizeof slots[0];
    mload s = {.path = path, .keys = "name, layers, d_model, heads, kv_heads, head_dim, ffn, gated, vocab, ctx, window", .m = &m,
               .slots = slots, .ns = ns, .want_key = 1};
    yaml_parser_t p;
    yaml_parser_initialize(&p);
    yaml_parser_set_input_file(&p, f);
    int rc = 0;
    unsigned last_line = 1;
    while (rc == 0) {
        yaml_event_t e;
        if (!yaml_parser_parse(&p, &e)) {
            snprintf(err, n, "%s:%u: YAML syntax error: %s", path, (unsigned)p.problem_mark.line + 1,
                     p.problem ? p.problem : "unreadable input");
            rc = -1;
            break;
        }
        last_line = (unsigned)e.start_mark.line + 1;
        rc = on_event(&s, &e, err, n);
        yaml_event_delete(&e);
    }
    yaml_parser_delete(&p);
    fclose(f);
    if (rc < 0)
        return -1;
    if (s.docs == 0)
        return snprintf(err, n, "%s:1: the file is empty (allowed: one mapping of %s)", path, s.keys), -1;
    for (size_t i = 0; i < ns; i++)
        if (slots[i].req && !slots[i].seen)
            return snprintf(err, n, "%s:%u: %s: missing (required: layers, d_model, heads, kv_heads, head_dim)", path,
                            last_line, slots[i].key),
                   -1;
    char why[256];
    if (model_validate(&m, why, sizeof why)) { /* why starts with the key it is about */
        unsigned line = 1;
        for (size_t i = 0; i < ns; i++)
            if (!strncmp(why, slots[i].key, strlen(slots[i].key)) && why[strlen(slots[i].key)] == ':')
                line = slots[i].line;
        return snprintf(err, n, "%s:%u: %s", path, line, why), -1;
    }
    *out = m;
    return 0;
}

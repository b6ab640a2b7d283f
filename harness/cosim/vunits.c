/* vunits.c — the registry of Verilated unit builds and their loader (vunits.h). */
#define _XOPEN_SOURCE 700 /* readlink */
#include "cosim.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const vu_spec prims[] = {
#define PRIM_BUILD(top, s, c, aw, yw) {#top "_s" #s, #top, {s, c, aw, yw}},
#include "prim_builds.def"
#undef PRIM_BUILD
};
static const vu_spec gemvs[] = {
#define GEMV_BUILD(name, top, rows, depth, slots, acc, kv) {#name, #top, {rows, depth, slots, acc, kv}},
#include "gemv_builds.def"
#undef GEMV_BUILD
};
static const vu_spec sms[] = {
#define SM_BUILD(name, lanes, pieces, fp16, d) {#name, "softmax_unit", {lanes, pieces, fp16, d}},
#include "sm_builds.def"
#undef SM_BUILD
};

const vu_spec *vunit_specs(vu_family f, size_t *n)
{
    *n = f == VU_PRIM ? sizeof prims / sizeof prims[0] : f == VU_GEMV ? sizeof gemvs / sizeof gemvs[0]
                                                                      : sizeof sms / sizeof sms[0];
    return f == VU_PRIM ? prims : f == VU_GEMV ? gemvs : sms;
}

/* The unit directory: $PIMATTN_VUNITS, else ../vunits beside the executable. */
static void unit_dir(char *dir, size_t n)
{
    const char *env = getenv("PIMATTN_VUNITS");
    if (env && env[0]) {
        snprintf(dir, n, "%s", env);
        return;
    }
    char exe[PATH_MAX];
    ssize_t k = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[k > 0 ? k : 0] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash)
        *slash = '\0';
    if ((size_t)snprintf(dir, n, "%.*s/../vunits", (int)(n > 12 ? n - 12 : 0), k > 0 ? exe : ".") >= n)
        dir[0] = '\0';
}

/* Loads DIR/SUB/NAME.so (SUB "" or "trace/") and returns its ops table. */
static const void *load(vu_family f, const char *name, const char *sub, char *err, size_t n)
{
    static const char *const prefix[] = {"vprim_", "vgemv_", "vsm_"};
    char dir[PATH_MAX], path[PATH_MAX + 300], sym[300];
    unit_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/%s%s.so", dir, sub, name);
    snprintf(sym, sizeof sym, "%s%s", prefix[f], name);
    if (access(path, R_OK)) {
        snprintf(err, n, "the Verilated build %s%s is not built: %s is missing (make %s builds it, make %s every "
                         "build)", name, *sub ? " with tracing" : "", path, path, *sub ? "wave" : "vunits");
        return NULL;
    }
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        snprintf(err, n, "the Verilated build %s cannot be loaded: %s", name, dlerror());
        return NULL;
    }
    const void *(*get)(void);
    void *s = dlsym(h, sym);
    memcpy(&get, &s, sizeof get); /* POSIX: a data pointer from dlsym holds the function's address */
    if (!s) {
        snprintf(err, n, "the Verilated build %s has no %s: %s", name, sym, dlerror());
        return NULL;
    }
    return get();
}

const void *vunit_load(vu_family f, const char *name, char *err, size_t n) { return load(f, name, "", err, n); }

const void *vunit_load_traced(vu_family f, const char *name, char *err, size_t n)
{
    return load(f, name, f == VU_PRIM ? "" : "trace/", err, n);
}

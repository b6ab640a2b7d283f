/* vunits.h — the one registry of Verilated unit builds, for the three unit families (FP primitives, GEMV
 * bank units, softmax units).
 *
 * Each build is a shared object NAME.so in the unit directory: $PIMATTN_VUNITS if set, else ../vunits
 * beside the executable (build/vunits). The Makefile makes every build with `make vunits` (`make all`,
 * `make test`) and only the builds the default scenario needs for `make run`; one more is `make
 * build/vunits/NAME.so`. A build is loaded the first time it is used, so a binary never carries units it
 * does not run. The builds and their parameters are the lines of harness/{prim,gemv,sm}_builds.def,
 * known without loading anything (vunit_specs).
 *
 * Contract
 *  - vunit_specs(family, &n): the family's builds in .def order: name, RTL top, parameters (primitive:
 *    stages, has_c, a_bits, y_bits; GEMV: rows, depth, slots, acc_fp32; softmax: lanes, exp pieces,
 *    in_fp16, merge_d).
 *  - vunit_load(family, name, err, n): the build's ops table (vprim_ops, vgemv_ops or vsm_ops), or NULL with
 *    err saying it is not built and how to build it. Any name is tried (e.g. the netlist build of
 *    tests), not only the registry's. Loading twice gives the same table; nothing is ever unloaded.
 */
#ifndef PIMATTN_VUNITS_H
#define PIMATTN_VUNITS_H

#include <stddef.h>

typedef enum { VU_PRIM, VU_GEMV, VU_SM } vu_family;

typedef struct vu_spec {
    const char *name, *top;
    int p[4];
} vu_spec;

const vu_spec *vunit_specs(vu_family f, size_t *n);
const void *vunit_load(vu_family f, const char *name, char *err, size_t n);

#endif

/* cfgfile.h — the table-driven YAML configuration reader and writer (harness/cfgfile/): a configuration
 * struct described by a table of fields is loaded from a sectioned YAML file, overridden field by field,
 * range-checked and written back. The HBM configuration (hbm_cfg.h) and the system configuration
 * (system.h) are its users; it depends on nothing of pimattn (libcyaml and libyaml only).
 *
 * The file: top-level keys `name` (a string), `base` (a preset), the top-level fields (section "") and
 * one mapping per section holding that section's fields, every value a scalar:
 *
 *     base: dgx-h100+pim      # optional: start from a preset
 *     gpus: 8                 # a top-level field
 *     pim:                    # a section
 *       gemv: tree
 *
 * Contract
 *  - A cfgfile_field names one member of the struct: its section ("" = top level), YAML key, kind, offset
 *    and size, the allowed range lo..hi, the words of an E field, and its meaning (the writer's comment).
 *    Kinds: U uint32_t (decimal digits only, no sign), F double (strtod, finite), B int (true | false),
 *    E int (the index of one of words[lo..hi]), S char[size] (any string of at most size - 1
 *    characters). U, F and B values must be unquoted; E and S may be quoted. The fields of a section
 *    stand together in the table; a section name is shorter than 16 characters, a key shorter than 48.
 *  - KEY in messages is "section.key", or "key" for a top-level field.
 *  - cfgfile_load(schema, path, out, err, n): with `base: PRESET` (schema->preset) every field is optional
 *    and overrides the preset; without it every field is required. The name is `name:`, else the base,
 *    else "unnamed". Then schema->validate. Errors are one line "FILE:LINE: KEY: what (allowed: ...)":
 *    YAML syntax (libyaml's reason), an empty file, a second document, collections nested deeper than 8
 *    levels, unknown or repeated keys, a node of the wrong type, a value that does not parse, a missing
 *    field, an unknown base, a value longer than 63 characters, and validation (at the line of the first
 *    field the message names that the file spells, else of its section, else line 1). A file that cannot
 *    be opened or read is "FILE: cannot open: REASON" / "FILE: cannot read: REASON". Returns 0, or -1
 *    with *out untouched.
 *  - cfgfile_resolve(schema, text, ...): a preset name, else a readable regular file (cfgfile_load); a
 *    directory or anything else is an error that names the presets and schema->examples.
 *  - cfgfile_set(schema, cfg, "section.key" | "key", value, err, n): one field from text (a command-line
 *    override) with the reader's parsing and messages without FILE:LINE, and the field's range check;
 *    "name" sets the name. 0, or -1 with *cfg untouched.
 *  - cfgfile_check_ranges(schema, cfg, err, n): every field within lo..hi (S: terminated within its size);
 *    0, or -1 with "KEY: V is out of range (allowed: lo..hi)". Validators call it first.
 *  - cfgfile_write(schema, cfg, f): a complete file (the name double-quoted, no base, S values quoted,
 *    doubles in the shortest %g form that reads back exactly, each field's meaning as a comment) that
 *    cfgfile_load reads back identically.
 *  - cfgfile_find(schema, sec, key): the field, or NULL.
 *  - No state between calls; the schema and its table are const.
 */
#ifndef PIMATTN_CFGFILE_H
#define PIMATTN_CFGFILE_H

#include <stddef.h>
#include <stdio.h>

typedef enum { CFGFILE_U, CFGFILE_F, CFGFILE_B, CFGFILE_E, CFGFILE_S } cfgfile_kind;

typedef struct cfgfile_field {
    const char *sec, *key; /* sec "" = a top-level field */
    cfgfile_kind kind;
    size_t off, size; /* of the member in the struct */
    double lo, hi;    /* U, F: the range; B: 0, 1; E: the indices of the allowed words; S: unused */
    const char *const *words; /* E: the words (at least hi + 1 of them) */
    const char *what;    /* E: what a value is, for "'x' is not WHAT" ("a refresh mode"); NULL: "'x'" alone */
    const char *allowed; /* S: the allowed text; NULL: "a string of at most SIZE-1 characters" */
    const char *doc;     /* the meaning, written as a comment */
} cfgfile_field;

typedef struct cfgfile_schema {
    const cfgfile_field *fields;
    size_t nfields;
    size_t size;                /* of the configuration struct */
    size_t name_off, name_size; /* its name member, char[name_size] */
    const char *presets;        /* the preset names, for messages ("hbm3-6400, attacc-hbm3-5200") */
    int (*preset)(const char *name, void *out);            /* 0, or -1 for an unknown name */
    int (*validate)(const void *cfg, char *err, size_t n); /* 0, or -1 with "KEY: what (allowed: ...)" */
    const char *examples;                                  /* example files, for messages ("configs/hbm/") */
} cfgfile_schema;

int cfgfile_load(const cfgfile_schema *s, const char *path, void *out, char *err, size_t n);
int cfgfile_resolve(const cfgfile_schema *s, const char *text, void *out, char *err, size_t n);
int cfgfile_set(const cfgfile_schema *s, void *cfg, const char *dotted_key, const char *value, char *err, size_t n);
int cfgfile_check_ranges(const cfgfile_schema *s, const void *cfg, char *err, size_t n);
void cfgfile_write(const cfgfile_schema *s, const void *cfg, FILE *f);
const cfgfile_field *cfgfile_find(const cfgfile_schema *s, const char *sec, const char *key);

#endif

/* cfgfile_int.h — private to harness/cfgfile/: the libyaml scan of a file (syntax errors and the line of
 * every key), the "allowed" texts of a schema, and the conversion of libcyaml's log into one message
 * (cfgfile_scan.c), used by the loader (cfgfile.c). */
#ifndef PIMATTN_CFGFILE_INT_H
#define PIMATTN_CFGFILE_INT_H

#include "cfgfile.h"

typedef struct {
    char sec[16], key[48]; /* sec "" for a top-level key */
    unsigned line;
    int quoted; /* the value is a quoted scalar */
} cfgfile_keypos;

typedef struct {
    cfgfile_keypos k[256];
    size_t nk;
    unsigned err_line; /* nonzero: a syntax error, an empty file or a second document, in err */
    char err[320];
} cfgfile_scan_t;

/* Scans text: the line of every top-level and section key, or err_line and err. */
void cfgfile_scan(const cfgfile_schema *sch, const char *text, size_t len, cfgfile_scan_t *s);
/* `sec.key` (sec "" = top level) as the file spells it, or NULL. */
const cfgfile_keypos *cfgfile_keyat(const cfgfile_scan_t *s, const char *sec, const char *key);
/* The line of `sec.key`, else of its section, else 1. */
unsigned cfgfile_line_of(const cfgfile_scan_t *s, const char *sec, const char *key);
/* The line of the first field a validation message names that the file spells (else of a named section,
 * else 1). */
unsigned cfgfile_validate_line(const cfgfile_schema *sch, const cfgfile_scan_t *s, const char *msg);
/* libcyaml's log of a failed load as "PATH:LINE: KEY: what (allowed: ...)" in err. */
void cfgfile_cyaml_error(const cfgfile_schema *sch, const char *path, const char *log, const cfgfile_scan_t *s,
                         char *err, size_t n);

/* Whether sec is a section of the schema (never ""). */
int cfgfile_is_section(const cfgfile_schema *sch, const char *sec);
/* "name, base, " and the top-level fields and sections in table order. */
const char *cfgfile_top_keys(const cfgfile_schema *sch, char *buf, size_t n);
/* The allowed text of `sec.key` (sec "" = top level; key NULL = the keys of sec), written to buf. */
const char *cfgfile_allowed(const cfgfile_schema *sch, const char *sec, const char *key, char *buf, size_t n);
/* The allowed text of one field: its range, its words, or its string rule. */
const char *cfgfile_field_allowed(const cfgfile_field *f, char *buf, size_t n);
/* KEY of a field: "sec.key", or "key" at the top level. */
const char *cfgfile_key_name(const char *sec, const char *key, char *buf, size_t n);

#endif

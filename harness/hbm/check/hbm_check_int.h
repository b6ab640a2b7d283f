/* hbm_check_int.h — the protocol checker's own tables and state, private to harness/hbm/check: the
 * command and key tables of docs/hbm.md's log format, the rules' names, a command as a bank-set pattern
 * (ent), a channel's recent commands (chan), the checker (struct hbm_checker), and the log-line parser
 * (hbm_check_parse.c). Written from docs/hbm.md alone, like the rest of the checker. */
#ifndef PIMATTN_HBM_CHECK_INT_H
#define PIMATTN_HBM_CHECK_INT_H

#include <stddef.h>
#include <stdint.h>

#include "hbm_check.h"

enum { ACT, PRE, PREA, RD, WR, REFAB, REFPB, ACTAB, ACTBG, MACAB, MACBG, MACSB, WRGB, MVSB, MVGB, SFM, BARRIER, NOPS };
static const char *const op_name[NOPS] = {"ACT",   "PRE",   "PREA",  "RD",   "WR",   "REFAB", "REFPB", "ACTAB",  "ACTBG",
                                          "MACAB", "MACBG", "MACSB", "WRGB", "MVSB", "MVGB",  "SFM",   "BARRIER"};
static const uint8_t op_len[NOPS] = {3, 3, 4, 2, 2, 5, 5, 5, 5, 5, 5, 5, 4, 4, 4, 3, 7};
#define OP_LIST "ACT PRE PREA RD WR REFAB REFPB ACTAB ACTBG MACAB MACBG MACSB WRGB MVSB MVGB SFM BARRIER"
#define STAR_LIST "PREA ACTAB ACTBG MACAB MACBG WRGB MVSB MVGB"

/* classes of docs/hbm.md; C_BANK: touches banks, C_BIG: ACTAB/ACTBG, C_STAR: pc=* allowed */
enum { C_ACTS = 1, C_PRES = 2, C_MACS = 4, C_CAS = 8, C_RDIR = 16, C_WDIR = 32, C_ROW = 64, C_BANK = 128, C_BIG = 256,
       C_STAR = 512 };
#define C_RB (C_ROW | C_BANK)
static const uint16_t op_cls[NOPS] = {C_ACTS | C_RB, C_PRES | C_RB, C_PRES | C_RB | C_STAR, C_CAS | C_RDIR | C_BANK,
                                      C_CAS | C_WDIR | C_BANK, C_RB, C_RB, C_ACTS | C_RB | C_BIG | C_STAR,
                                      C_ACTS | C_RB | C_BIG | C_STAR, C_MACS | C_BANK | C_STAR,
                                      C_MACS | C_BANK | C_STAR, C_MACS | C_BANK, C_WDIR | C_STAR, C_RDIR | C_STAR,
                                      C_WDIR | C_STAR, 0, 0};

enum { K_ST, K_CH, K_PC, K_SID, K_BG, K_BA, K_ROW, K_COL, K_N, NKEYS };
static const char *const key_name[NKEYS] = {"st", "ch", "pc", "sid", "bg", "ba", "row", "col", "n"};
static const uint8_t key_len[NKEYS] = {2, 2, 2, 3, 2, 2, 3, 3, 1};
#define KB(x) (1u << K_##x)
#define K_CHAN (KB(ST) | KB(CH))
#define K_PCK (K_CHAN | KB(PC))
#define K_ONE (K_PCK | KB(SID) | KB(BG) | KB(BA))
static const uint16_t op_keys[NOPS] = {K_ONE | KB(ROW),      K_ONE,          K_PCK, K_ONE | KB(COL), K_ONE | KB(COL),
                                       K_PCK,                K_ONE,          K_PCK | KB(ROW), K_PCK | KB(BA) | KB(ROW),
                                       K_PCK | KB(COL),      K_PCK | KB(BA) | KB(COL), K_ONE | KB(COL), K_PCK,
                                       K_PCK | KB(N),        K_PCK | KB(N),  K_CHAN | KB(N), K_CHAN};
#define N_MAX 1000000u
#define CYCLE_MAX 1000000000000000000ull

enum { R_nRC, R_nRCDRD, R_nRCDWR, R_nRAS, R_nRP, R_nRTP, R_nWR, R_nMAC, R_nRFCpb, R_nCCDL, R_nWTRL, R_nRRDL, R_nCCDS,
       R_nCCDR, R_nRRDS, R_data, R_nRTW, R_nWTRS, R_nPPD, R_nRFC, R_nRREFD, R_FAW, R_actwin, R_rowbus, R_colbus,
       R_macpow, R_sfm, R_barrier, NRULES };
static const char *const rule_name[NRULES] = {
    "nRC",  "nRCDRD", "nRCDWR", "nRAS", "nRP",   "nRTP", "nWR",   "nMAC",   "nRFCpb", "nCCDL",
    "nWTRL", "nRRDL", "nCCDS",  "nCCDR", "nRRDS", "data", "nRTW",  "nWTRS",  "nPPD",   "nRFC",
    "nRREFD", "FAW",  "actwin", "rowbus", "colbus", "macpow", "sfm", "barrier"};

#define ANY 0xFF
typedef struct {
    uint64_t t, line;
    uint32_t n, extra; /* n of MVSB/MVGB/SFM; reach beyond the static window: (n - 1) x nBL, n - 1 */
    uint16_t k;        /* banks of one PC it touches */
    uint8_t op, pc, sid, bg, ba, npc; /* ANY: every value of that level; npc: PCs it covers */
} ent;

typedef struct {
    ent *ring; /* time-ordered, capacity mask + 1 (NULL until the channel's first command) */
    size_t head, len, mask;
    ent *far; /* the entries with extra > 0 */
    size_t nfar, capfar;
    uint64_t last, last_line, done_t; /* last cycle and its line; the latest done() of any command */
    ent done_y;                       /* the command that is done last */
    int used;
} chan;

struct hbm_checker {
    hbm_cfg c;
    unsigned nch, npcs, bpc, bgsid; /* channels, PCs, banks per PC, sids x bank groups */
    chan *ch;
    uint32_t *row, *brefs;         /* per bank: open row + 1 (0 closed); REFPBs (one block with the next) */
    uint32_t *nopen, *rmin, *nmin; /* per PC: open banks; least REFPB count of a bank, banks that have it */
    uint32_t *nopen_ba;            /* per (PC, ba): open banks */
    uint64_t *refs;                /* refresh commands per PC */
    uint64_t ival;                 /* refresh interval I of the mode */
    uint32_t kop[NOPS], stg[NOPS], dmax[NOPS][NOPS], ymax[NOPS], reach[NOPS], win;
    uint64_t cmds, line, tmax;
    char log_preset[64]; /* from the log's "# preset NAME" line */
};

/* One parsed line: cycle, command, its keys' values (ANY for "*"). */
typedef struct {
    uint64_t t;
    unsigned op;
    uint32_t v[NKEYS];
} cmdl;

/* One line: 1 command (in *o), 0 comment or blank (the preset line is remembered), -1 malformed (err says
 * why and what is allowed). */
int chk_parse(hbm_checker *k, const char *s, cmdl *o, char *err, size_t n);

#endif

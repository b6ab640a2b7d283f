/* hbm_ctrl_priv.h — the controller's insides, shared by hbm_ctrl.c (queues, scheduling) and
 * hbm_ctrl_ref.c (refresh, MAC requests, finishing, summary). Not a public header. */
#ifndef PIMATTN_HBM_CTRL_PRIV_H
#define PIMATTN_HBM_CTRL_PRIV_H

#include "hbm_ctrl.h"

#define LAT_BUCKETS 65536

typedef struct {
    uint64_t arrival, seq;
    uint32_t row, col;
    int32_t next; /* next request of the bank's list (or of the free list), -1 at the end */
    uint16_t bank;
    uint8_t kind;
} ctrl_slot;

/* One bank's requests (lists in arrival order: 0 reads, 1 writes) and its cached candidate command. */
typedef struct {
    int32_t head[2], tail[2];
    uint32_t bypass; /* hits served since the oldest request became the oldest (frfcfs-cap) */
    uint8_t has;     /* there is a candidate */
    int32_t slot;    /* the request a data command serves; -1 for PRE/ACT */
    hbm_cmd cmd;
    uint64_t from; /* not before (the request's entry) */
    uint64_t prio; /* smaller first at equal cycles: hits by age, then misses by age, then close-page PREs
                    * by bank (pc * banks + bank); every candidate's is distinct */
    /* the scheduler (hbm_ctrl_sched.c) */
    uint64_t e;      /* a lower bound of hbm_earliest(cmd) from the engine (exact at issue count `stamp`) */
    uint64_t stamp;  /* the channel's issue count when e was asked; 0: e not asked */
    int8_t cls;      /* the candidate's class (CLS_ACT .. CLS_WR), -1 none */
    int8_t lst;      /* the list it is in (a class's own, or LST_RDW/LST_WRW) */
    uint8_t sid, sg; /* its SID and bank group (sid * bank_groups + bg) within the PC */
} ctrl_bank;

/* A bank's entry in one of its candidate's class lists (by priority, or by own part: linked through the
 * banks' entries): the candidate's own lower bound (engine answer, request entry, its bank's registers),
 * priority, the next and previous bank of the list (-1 at the ends), bank group and SID. */
typedef struct {
    uint64_t own, prio;
    int32_t next, prev;
    uint8_t sg, sid;
} ctrl_clent;

/* Command classes of the open-page scheduler: the commands of a class in a PC wait for the same PC and
 * channel registers. Each class has a list by priority; a column class has a second one, by own part, for
 * the candidates that waited for their own part when they came (hbm_ctrl_sched.c, cls_insert). */
enum { CLS_ACT, CLS_PRE, CLS_RD, CLS_WR, NCLS };
enum { LST_RDW = NCLS, LST_WRW, NLST };

typedef struct {
    ctrl_slot *slots;
    int32_t free;
    ctrl_bank *banks;
    int64_t *open;  /* the engine's open row per bank (-1 closed), mirrored by ctrl_issue */
    unsigned nopen; /* banks open */
    int64_t allrow; /* the row every bank holds open, or -1 (the MAC path asks it per request) */
    uint64_t dl;    /* the engine's refresh deadline (hbm_refresh_deadline), refreshed by ctrl_issue */
    uint64_t *inval; /* bit per bank: candidate to recompute (the open-page scheduler's list of them) */
    uint8_t anyinval; /* some bit of inval is set */
    uint8_t clmask;   /* bit per class: its list is not empty */
    /* the open-page scheduler's lower-bound model of the engine's registers (hbm_ctrl_sched.c), per
     * class: per bank [nbk][NCLS], per bank group [sids * bank_groups][NCLS], per SID [sids][NCLS], PC */
    uint64_t *rb, *rg, *rs, rp[NCLS];
    uint64_t faw[4];   /* issue cycles of the last 4 ACTs (ring) */
    uint64_t nact;     /* ACTs issued */
    ctrl_clent *cl;        /* per bank: its entry in its class's list */
    int32_t clhead[NLST], cltail[NLST]; /* each list's first and last bank, -1 none */
    uint64_t ckey[NCLS]; /* each class's first candidate: lower bound and bank (-1 none), unless dirty */
    int cbank[NCLS];
    uint8_t cdirty[NCLS];
    unsigned nq[2];
    int wmode;              /* serving the write queue */
    int rstate;             /* a refresh is due: PREA + REFAB, or PRE + REFPB of rbank */
    unsigned rbank;
    uint64_t rfrom;         /* cycle the refresh became due */
    uint64_t rlb;           /* a lower bound of the due refresh's next command (the engine's last answer) */
    uint64_t empty_since;   /* cycle both queues last became empty */
    int fcfs_bank;          /* fcfs: bank of the oldest request of the active queue, -1 none */
    int last_dir;           /* direction of the last data command, -1 none */
    uint64_t occ_t;         /* occupancy integrated up to this cycle */
    double occ[2];
    unsigned occ_max[2];
    int used;
} ctrl_pc;

struct hbm_ctrl {
    hbm *h;
    const hbm_cfg *c;
    unsigned nbk, words, nch; /* banks per PC, words of a bank mask, channels (stacks x channels) */
    unsigned npc;             /* PCs per channel (c->pcs) */
    ctrl_pc *pcs;             /* [channel][pc] */
    uint64_t *now;            /* per channel: cycle of its last command */
    uint8_t *chused;
    uint64_t guard, slack, ref_i; /* refresh: see hbm_ctrl_ref.c */
    uint64_t seq, clock;
    uint64_t first, last;
    int any;
    uint64_t reads, writes, macs, stall, turns;
    uint64_t *lat;
    uint64_t lat_over, lat_max, lat_n;
    double lat_sum;
    hbm_stats idle;
    uint64_t *nissue; /* per channel: commands issued (the stamp of exact bounds) */
    uint64_t *rrow, *rcol; /* per channel: the row and column command bus registers (model) */
    uint64_t *unmod;       /* per channel: nissue after its last command the model does not follow */
    /* per channel, kept by ctrl_set_deadline, ctrl_issue, ctrl_step, hbm_ctrl_add and dequeue: the smallest
     * refresh deadline of its PCs, the first PC with it and the floor of their refreshes' due cycles; PCs with a
 * due refresh (rstate); requests queued;
     * the row every bank of every PC holds open, or -1 */
    uint64_t *dmin, *rfl; /* rfl: ctrl_ref_floor of the channel */
    unsigned *dpc, *nref, *nqch;
    int64_t *chrow;
};

static inline ctrl_pc *ctrl_pcq(hbm_ctrl *r, unsigned chn, unsigned pc) { return &r->pcs[(size_t)chn * r->npc + pc]; }
static inline unsigned ctrl_chn(const hbm_ctrl *r, unsigned st, unsigned ch) { return st * r->c->channels + ch; }
static inline uint64_t ctrl_max(uint64_t a, uint64_t b) { return a > b ? a : b; }

/* hbm_ctrl.c */
void ctrl_set_deadline(hbm_ctrl *r, unsigned chn, unsigned pc, uint64_t dl);
int ctrl_issue(hbm_ctrl *r, const hbm_cmd *c, uint64_t t, int proven, char *err, size_t n);
void ctrl_invalidate_pc(hbm_ctrl *r, ctrl_pc *p);
void ctrl_invalidate(ctrl_pc *p, unsigned b);
int ctrl_step(hbm_ctrl *r, unsigned chn, uint64_t limit, char *err, size_t n);
static inline const ctrl_pc *ctrl_pcc(const hbm_ctrl *r, unsigned chn, unsigned pc) { return &r->pcs[(size_t)chn * r->npc + pc]; }
/* The mirror of the engine's banks (the controller is the engine's only issuer): any bank of the PC open;
 * the open row of bank b (flat index sid, bg, ba) or -1. */
static inline int ctrl_pc_any_open(const hbm_ctrl *r, unsigned chn, unsigned pc) { return ctrl_pcc(r, chn, pc)->nopen > 0; }
static inline int64_t ctrl_open_row(const hbm_ctrl *r, unsigned chn, unsigned pc, unsigned b) { return ctrl_pcc(r, chn, pc)->open[b]; }

/* hbm_ctrl_sched.c */
int ctrl_sched_alloc(hbm_ctrl *r, ctrl_pc *p);
void ctrl_sched_free(ctrl_pc *p);
int ctrl_best(hbm_ctrl *r, unsigned chn, uint64_t *te, ctrl_pc **pp, char *err, size_t n);
void ctrl_model_issue(hbm_ctrl *r, unsigned chn, const hbm_cmd *c, uint64_t t);

/* hbm_ctrl_ref.c */
void ctrl_ref_init(hbm_ctrl *r);
uint64_t ctrl_ref_pending(const hbm_ctrl *r, unsigned chn, unsigned pc);
int ctrl_ref_cmd(const hbm_ctrl *r, unsigned chn, unsigned pc, hbm_cmd *x);
uint64_t ctrl_ref_floor(const hbm_ctrl *r, unsigned chn);
int ctrl_mac(hbm_ctrl *r, const hbm_req *q, uint64_t from, char *err, size_t n);

#endif

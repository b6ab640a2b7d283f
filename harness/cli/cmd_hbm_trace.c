/* cmd_hbm_trace.c — `pimattn hbm`'s request front end: trace lines and synthetic patterns (cmd_hbm.h). */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cmd_hbm.h"
#include "rng.h"

#define ERRN 512

/* One trace line into a request; returns 1 (request), 0 (blank/comment) or -1 (err filled). *timed says
 * whether the line gave its own arrival cycle. */
static int parse_req(const hbm_cfg *c, char *line, hbm_req *q, int *timed, char *err, size_t n)
{
    char *tok[8];
    int nt = 0;
    for (char *s = strtok(line, " \t\r\n"); s && nt < 8; s = strtok(NULL, " \t\r\n"))
        tok[nt++] = s;
    if (nt == 0 || tok[0][0] == '#')
        return 0;
    memset(q, 0, sizeof *q);
    int i = 0;
    uint64_t v;
    *timed = 0;
    if (isdigit((unsigned char)tok[0][0])) {
        if (cli_parse_u64(tok[0], 0, &q->arrival) || q->arrival > HBM_ARRIVAL_MAX) {
            snprintf(err, n, "bad arrival cycle '%.40s' (allowed: a decimal integer 0..%llu)", tok[0], HBM_ARRIVAL_MAX);
            return -1;
        }
        i = 1, *timed = 1;
    }
    if (i >= nt) {
        snprintf(err, n, "missing request after the cycle (allowed: R ADDR, W ADDR, MAC ST CH PC ROW COL)");
        return -1;
    }
    const char *op = tok[i++];
    if (!strcmp(op, "R") || !strcmp(op, "W")) {
        if (nt - i != 1 || cli_parse_u64(tok[i], 1, &v)) {
            snprintf(err, n, "%s needs one address in bytes (decimal or 0x hex)", op);
            return -1;
        }
        uint64_t a = v / c->burst_bytes;
        q->ch = (uint8_t)(a % c->channels), a /= c->channels;
        q->pc = (uint8_t)(a % c->pcs), a /= c->pcs;
        q->col = (uint32_t)(a % c->columns), a /= c->columns;
        q->bg = (uint8_t)(a % c->bank_groups), a /= c->bank_groups;
        q->ba = (uint8_t)(a % c->banks), a /= c->banks;
        q->sid = (uint8_t)(a % c->sids), a /= c->sids;
        q->row = (uint32_t)(a % c->rows), a /= c->rows;
        if (a >= c->stacks) {
            uint64_t total = (uint64_t)hbm_cfg_pcs_total(c) * hbm_cfg_banks_per_pc(c) * c->rows * hbm_cfg_row_bytes(c);
            snprintf(err, n, "address %.40s is beyond the configuration's %" PRIu64 " bytes (allowed: 0..%" PRIu64 ")",
                     tok[i], total, total - 1);
            return -1;
        }
        q->st = (uint8_t)a;
        q->kind = op[0] == 'R' ? HBM_REQ_RD : HBM_REQ_WR;
        return 1;
    }
    if (!strcmp(op, "MAC")) {
        uint64_t f[5];
        static const char *const names[5] = {"stack", "channel", "pseudo-channel", "row", "column"};
        const uint64_t lim[5] = {c->stacks, c->channels, c->pcs, c->rows, c->columns};
        if (nt - i != 5) {
            snprintf(err, n, "MAC needs ST CH PC|* ROW COL");
            return -1;
        }
        for (int k = 0; k < 5; k++) {
            if (k == 2 && !strcmp(tok[i + k], "*")) {
                f[k] = HBM_PC_ALL;
                continue;
            }
            if (cli_parse_u64(tok[i + k], 0, &f[k]) || f[k] >= lim[k]) {
                snprintf(err, n, "MAC %s '%s' out of range (allowed: 0..%" PRIu64 "%s)", names[k], tok[i + k],
                         lim[k] - 1, k == 2 ? " or *" : "");
                return -1;
            }
        }
        q->kind = HBM_REQ_MAC;
        q->st = (uint8_t)f[0], q->ch = (uint8_t)f[1], q->pc = (uint8_t)f[2];
        q->row = (uint32_t)f[3], q->col = (uint32_t)f[4];
        return 1;
    }
    snprintf(err, n, "unknown request '%s' (allowed: R, W, MAC)", op);
    return -1;
}

static void place(const hbm_cfg *c, uint64_t k, hbm_req *q)
{
    q->pc = (uint8_t)(k % c->pcs), k /= c->pcs;
    q->ch = (uint8_t)(k % c->channels), q->st = (uint8_t)(k / c->channels);
}

/* Stream: request i goes to PC i mod pcs; that PC's j-th request to bank j mod banks (bank group fastest,
 * then bank, then SID: consecutive reads alternate bank groups), the bank's m-th visit to burst m + its
 * offset k x columns / banks, so the banks change rows one after another, not all at once. */
void hbm_front_stream(const hbm_cfg *c, uint64_t pcs, uint64_t i, hbm_req *q)
{
    const uint64_t nb = hbm_cfg_banks_per_pc(c), j = i / pcs, k = j % nb;
    memset(q, 0, sizeof *q);
    place(c, i % pcs, q);
    q->kind = HBM_REQ_RD;
    q->bg = (uint8_t)(k % c->bank_groups);
    q->ba = (uint8_t)(k / c->bank_groups % c->banks);
    q->sid = (uint8_t)(k / ((uint64_t)c->bank_groups * c->banks));
    uint64_t burst = j / nb + k * c->columns / nb;
    q->col = (uint32_t)(burst % c->columns);
    q->row = (uint32_t)(burst / c->columns % c->rows);
}

static int feed(hbm_ctrl *r, hbm_req *q, uint64_t i, double rate, char *err, size_t n)
{
    if (rate > 0)
        q->arrival = (uint64_t)((double)i / rate);
    return hbm_ctrl_add(r, q, err, n);
}

/* Advances a place (stack, channel, PC of place() k) to that of k + 1, back to the first after `used`
 * places: counters instead of divisions, which cost a sizeable share of a request's simulation. */
static void place_next(const hbm_cfg *c, uint64_t used, uint64_t *k, hbm_req *at)
{
    if (++*k == used) {
        *k = 0, at->st = at->ch = at->pc = 0;
        return;
    }
    if (++at->pc == c->pcs) {
        at->pc = 0;
        if (++at->ch == c->channels)
            at->ch = 0, at->st++;
    }
}

static int synthetic(hbm_ctrl *r, const hbm_cfg *c, const hbm_front *f, progress *pg, char *err, size_t n)
{
    const uint64_t nch = (uint64_t)c->stacks * c->channels;
    rng g;
    rng_seed(&g, f->seed);
    /* request i's place, kept by counters: MACAB's channel (i mod channels) with the row and column of
     * i / channels; random reads' PC (i mod --pcs) */
    hbm_req mac = {.kind = HBM_REQ_MAC, .pc = HBM_PC_ALL}, at = {0};
    uint64_t mk = 0, ak = 0;
    for (uint64_t i = 0; i < f->count; i++) {
        if (i % 65536 == 0)
            progress_update(pg, (double)i / (double)f->count, i);
        hbm_req q = {0};
        if (f->synth == HBM_SYN_MACAB) { /* every channel, channel-wide, 32 MACs per row, rows in order */
            q = mac;
            if (++mk == nch) { /* the next row's column, or the next row */
                mk = 0, mac.st = mac.ch = 0;
                if (++mac.col == c->columns)
                    mac.col = 0, mac.row = mac.row + 1 == c->rows ? 0 : mac.row + 1;
            } else if (++mac.ch == c->channels)
                mac.ch = 0, mac.st++;
        } else if (f->synth == HBM_SYN_STREAM) {
            hbm_front_stream(c, f->pcs, i, &q);
        } else { /* random: uniform over the banks, rows and columns of the PCs used */
            q.st = at.st, q.ch = at.ch, q.pc = at.pc;
            place_next(c, f->pcs, &ak, &at);
            q.kind = HBM_REQ_RD;
            q.sid = (uint8_t)rng_below(&g, c->sids), q.bg = (uint8_t)rng_below(&g, c->bank_groups);
            q.ba = (uint8_t)rng_below(&g, c->banks), q.row = (uint32_t)rng_below(&g, c->rows);
            q.col = (uint32_t)rng_below(&g, c->columns);
        }
        if (feed(r, &q, i, f->rate, err, n))
            return -1;
    }
    return 0;
}

int hbm_front_run(hbm_ctrl *r, const hbm_cfg *cfg, const hbm_front *f, progress *pg, uint64_t *reqs)
{
    char err[ERRN], *line;
    if (f->synth != HBM_SYN_NONE) {
        *reqs = f->count;
        if (synthetic(r, cfg, f, pg, err, sizeof err)) {
            fprintf(stderr, "pimattn hbm: %s\n", err);
            return 1;
        }
        return 0;
    }
    hbm_req q;
    int rc = 0;
    for (int got; rc == 0 && (got = lines_next(f->in, &line, err, sizeof err)) != 0;) {
        uint64_t ln = lines_number(f->in);
        int timed = 0, k = got < 0 ? -1 : parse_req(cfg, line, &q, &timed, err, sizeof err);
        if (k > 0 && timed && f->rate > 0) {
            snprintf(err, sizeof err, "an arrival cycle and --rate both give this request's arrival (allowed: "
                                      "one of them: drop the cycles or --rate)");
            k = -1;
        }
        if (k < 0) {
            if (got < 0)
                fprintf(stderr, "pimattn hbm: --trace: %s\n", err);
            else
                fprintf(stderr, "pimattn hbm: %s:%" PRIu64 ": %s\n", f->trace, ln, err);
            rc = CLI_EXIT_BAD_INPUT;
        } else if (k && feed(r, &q, *reqs, f->rate, err, sizeof err)) {
            fprintf(stderr, "pimattn hbm: %s:%" PRIu64 ": %s\n", f->trace, ln, err);
            rc = 1;
        }
        *reqs += k > 0;
        if (*reqs % 65536 == 0)
            progress_update(pg, -1, *reqs);
    }
    if (rc == 0 && *reqs == 0) {
        fprintf(stderr, "pimattn hbm: --trace: %s: no requests (allowed: one request per line, see --help)\n", f->trace);
        rc = CLI_EXIT_BAD_INPUT;
    }
    return rc;
}

/* pimattn sweep: running the points (cmd_sweep.h). Each point is a child process of this binary
 * (/proc/self/exe) with its --json report and its output in DIR/points/; its standard error comes through a
 * pipe, copied into the log, its first line kept (the reason of a skipped point) and its last (of a failed one). A poll loop
 * starts points, reads the pipes, reaps the children and appends each finished point's row; SIGINT, SIGTERM
 * and SIGHUP arrive through a signalfd, so no handler and no global state are needed. Children die with the
 * sweep (PR_SET_PDEATHSIG), so a sweep killed with SIGKILL leaves only its points in flight unrecorded. */
#define _GNU_SOURCE /* signalfd, pipe2, prctl */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmd_sweep.h"
#include "progress.h"

typedef struct child {
    pid_t pid;            /* 0: a free slot */
    int err_fd, log_fd;
    sweep_point p;
    double t0;
    char first[1024];     /* the first line of its standard error: a refusal (exit 2) says why there */
    char last[1024];      /* the last non-empty one: a failure says why after its progress lines */
    char cur[1024];       /* the line being read */
    size_t clen;
    int first_done, log_errno;
} child;

typedef struct runner {
    const sweep_ctx *c;
    const char *dir;
    sweep_results *res;
    child *kid;
    unsigned jobs, running;
    int sigfd, devnull;
    sigset_t oldmask;
    uint64_t *todo, ntodo, next, before, total, finished, ok, skipped, failed, dropped;
    double t0;
    progress pg;
    int stop_sig, fatal, killed, masked;
    char err[2048];
} runner;

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void point_path(const runner *r, const sweep_point *p, const char *ext, char *buf, size_t n)
{
    char k[17];
    snprintf(buf, n, "%s/points/%s.%s", r->dir, sweep_key_text(p->key, k), ext);
}

static void show_progress(runner *r)
{
    char d[200];
    snprintf(d, sizeof d, "%" PRIu64 "/%" PRIu64 " points done (%" PRIu64 " skipped, %" PRIu64 " failed), %u running",
             r->before + r->finished, r->total, r->skipped, r->failed, r->running);
    if (r->finished < r->ntodo || r->pg.tty) /* the summary says the rest */
        progress_status(&r->pg, r->ntodo ? (double)r->finished / (double)r->ntodo : 1, d);
}

/* ---- one point's row ----------------------------------------------------------------------------------------- */

/* Appends the row of point p with its outcome and figures; a failed append stops the sweep (r->fatal). */
static void record(runner *r, const sweep_point *p, sweep_outcome *o, const sweep_figs *f)
{
    const sweep_ctx *c = r->c;
    char *csv = sweep_csv_row(&c->g, p, o, f, c->area, c->version);
    char *jl = sweep_jsonl_row(&c->g, p, o, f, c->area, c->version);
    if (!csv || !jl)
        r->fatal = 1, snprintf(r->err, sizeof r->err, "out of memory");
    else if (sweep_results_append(r->res, p->key, csv, jl, r->err, sizeof r->err))
        r->fatal = 1;
    free(csv);
    free(jl);
    r->finished++;
    r->ok += o->status == SWEEP_OK, r->skipped += o->status == SWEEP_SKIPPED, r->failed += o->status == SWEEP_FAILED;
}

static void record_excluded(runner *r, const sweep_point *p)
{
    sweep_outcome o = {.status = SWEEP_SKIPPED, .reason = r->c->g.ex[p->exclude].reason};
    sweep_figs f;
    sweep_figures_none(r->c->g.cmd->name, &f);
    record(r, p, &o, &f);
}

/* A line of child k's standard error is complete (or its output ended): the first and the last non-empty. */
static void line_end(child *k)
{
    k->cur[k->clen] = '\0';
    if (!k->first_done)
        memcpy(k->first, k->cur, k->clen + 1), k->first_done = 1;
    if (k->clen)
        memcpy(k->last, k->cur, k->clen + 1);
    k->clen = 0;
}

/* The outcome of a child that has exited with wait status st. */
static void finish(runner *r, child *k, int st)
{
    char json[SWEEP_PATH + 64], log[SWEEP_PATH + 64], key[17], rel_json[64], rel_log[64], reason[1400], why[2048];
    point_path(r, &k->p, "json", json, sizeof json);
    point_path(r, &k->p, "log", log, sizeof log);
    if (k->log_fd >= 0 && close(k->log_fd) && !k->log_errno)
        k->log_errno = errno;
    k->log_fd = -1;
    if (r->stop_sig || r->fatal) { /* killed by us: dropped, no row */
        unlink(json), unlink(log);
        r->dropped++;
        return;
    }
    snprintf(rel_json, sizeof rel_json, "points/%s.json", sweep_key_text(k->p.key, key));
    snprintf(rel_log, sizeof rel_log, "points/%s.log", key);
    sweep_outcome o = {.status = SWEEP_FAILED, .reason = reason, .wall_s = now_s() - k->t0, .log = rel_log};
    sweep_figs f;
    sweep_figures_none(r->c->g.cmd->name, &f);
    if (k->clen)
        line_end(k); /* an unterminated last line */
    const char *first = k->first_done && k->first[0] ? k->first : "no message";
    const char *last = k->last[0] ? k->last : "no message";
    int code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    if (code == 0 && sweep_figures_read(r->c->g.cmd->name, json, r->c->area, &f, why, sizeof why))
        snprintf(reason, sizeof reason, "exit status 0, but %.1200s", why);
    else if (code == 0)
        o.status = SWEEP_OK, o.json = rel_json, reason[0] = '\0';
    else if (code == 2)
        o.status = SWEEP_SKIPPED, snprintf(reason, sizeof reason, "%s", first);
    else if (code > 0)
        snprintf(reason, sizeof reason, "exit status %d: %s", code, last);
    else
        snprintf(reason, sizeof reason, "killed by signal %d (%s): %s", WTERMSIG(st), strsignal(WTERMSIG(st)), last);
    if (k->log_errno) {
        o.status = SWEEP_FAILED;
        snprintf(reason, sizeof reason, "%.1300s: %s", log, strerror(k->log_errno));
    }
    record(r, &k->p, &o, &f);
}

/* ---- children ------------------------------------------------------------------------------------------------- */

/* Starts point index in slot k; excluded points are recorded at once. 0, or -1 with r->err (r->fatal). */
static int start(runner *r, child *k, uint64_t index)
{
    const sweep_ctx *c = r->c;
    char json[SWEEP_PATH + 64], log[SWEEP_PATH + 64];
    sweep_point_at(&c->g, index, &k->p);
    if (k->p.exclude >= 0)
        return record_excluded(r, &k->p), 0;
    point_path(r, &k->p, "json", json, sizeof json);
    point_path(r, &k->p, "log", log, sizeof log);
    unlink(json); /* an old report must not pass for this run's */
    int fds[2] = {-1, -1};
    char **argv = sweep_point_argv(&c->g, &k->p, "pimattn", json);
    k->log_fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0666);
    if (!argv || k->log_fd < 0 || pipe2(fds, O_CLOEXEC)) {
        snprintf(r->err, sizeof r->err, "%.1900s: %s", k->log_fd < 0 ? log : "starting a point", argv ? strerror(errno)
                                                                                             : "out of memory");
        goto fail;
    }
    pid_t parent = getpid(), pid = fork();
    if (pid == 0) { /* the child: only async-signal-safe calls until exec */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
            _exit(127);
        if (dup2(r->devnull, 0) < 0 || dup2(k->log_fd, 1) < 0 || dup2(fds[1], 2) < 0)
            _exit(127);
        sigprocmask(SIG_SETMASK, &r->oldmask, NULL);
        execv("/proc/self/exe", argv);
        static const char msg[] = "pimattn sweep: cannot run /proc/self/exe\n";
        ssize_t w = write(2, msg, sizeof msg - 1);
        (void)w;
        _exit(127);
    }
    if (pid < 0) {
        snprintf(r->err, sizeof r->err, "fork: %s", strerror(errno));
        goto fail;
    }
    close(fds[1]);
    sweep_argv_free(argv);
    k->pid = pid, k->err_fd = fds[0], k->t0 = now_s();
    k->clen = 0, k->first_done = 0, k->log_errno = 0, k->last[0] = '\0';
    r->running++;
    return 0;
fail:
    sweep_argv_free(argv);
    if (fds[0] >= 0)
        close(fds[0]), close(fds[1]);
    if (k->log_fd >= 0)
        close(k->log_fd), unlink(log);
    k->log_fd = -1;
    r->fatal = 1;
    return -1;
}

/* Standard error of child k is readable: into its log, its first and last lines kept; at the end, reaped and
 * finished. */
static void drain(runner *r, child *k)
{
    char buf[8192];
    ssize_t got = read(k->err_fd, buf, sizeof buf);
    if (got < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (got > 0) {
        for (ssize_t i = 0; i < got; i++) {
            if (buf[i] == '\n')
                line_end(k);
            else if (k->clen + 1 < sizeof k->cur)
                k->cur[k->clen++] = buf[i];
        }
        for (ssize_t off = 0; off < got && !k->log_errno;) {
            ssize_t w = write(k->log_fd, buf + off, (size_t)(got - off));
            if (w < 0 && errno != EINTR)
                k->log_errno = errno;
            off += w > 0 ? w : 0;
        }
        return;
    }
    close(k->err_fd); /* end of file: the child has exited (or closed its standard error) */
    k->err_fd = -1;
    int st = 0;
    while (waitpid(k->pid, &st, 0) < 0 && errno == EINTR)
        ;
    k->pid = 0;
    r->running--;
    finish(r, k, st);
}

/* SIGINT, SIGTERM or SIGHUP: stop starting points and end the ones in flight. */
static void on_signal(runner *r)
{
    struct signalfd_siginfo si;
    if (read(r->sigfd, &si, sizeof si) != (ssize_t)sizeof si)
        return;
    if (!r->stop_sig)
        r->stop_sig = (int)si.ssi_signo;
    for (unsigned i = 0; i < r->jobs; i++)
        if (r->kid[i].pid)
            kill(r->kid[i].pid, SIGTERM);
}

/* ---- the loop ------------------------------------------------------------------------------------------------- */

static void loop(runner *r)
{
    struct pollfd pf[1 + 1024];
    int slot[1 + 1024];
    for (;;) {
        int stopping = r->stop_sig || r->fatal;
        if (r->fatal && !r->killed) { /* an error: the points in flight cannot be recorded */
            for (unsigned i = 0; i < r->jobs; i++)
                if (r->kid[i].pid)
                    kill(r->kid[i].pid, SIGTERM);
            r->killed = 1;
        }
        for (unsigned i = 0; i < r->jobs; i++) /* excluded points take no slot */
            while (!r->kid[i].pid && !stopping && r->next < r->ntodo)
                stopping = start(r, &r->kid[i], r->todo[r->next++]) != 0 || r->fatal;
        if (!r->running && (stopping || r->next == r->ntodo))
            return;
        show_progress(r);
        int n = 0;
        pf[n] = (struct pollfd){.fd = r->sigfd, .events = POLLIN}, slot[n++] = -1;
        for (unsigned i = 0; i < r->jobs; i++)
            if (r->kid[i].pid)
                pf[n] = (struct pollfd){.fd = r->kid[i].err_fd, .events = POLLIN}, slot[n++] = (int)i;
        if (poll(pf, (nfds_t)n, 1000) < 0 && errno != EINTR) {
            snprintf(r->err, sizeof r->err, "poll: %s", strerror(errno));
            r->fatal = 1;
            continue;
        }
        for (int i = 0; i < n; i++) {
            if (!(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            if (slot[i] < 0)
                on_signal(r);
            else
                drain(r, &r->kid[slot[i]]);
        }
    }
}

/* Temporaries that children killed with SIGKILL left in DIR/points/ (".KEY.json.XXXXXX"). */
static void remove_temporaries(const char *dir)
{
    char p[SWEEP_PATH + 16];
    snprintf(p, sizeof p, "%s/points", dir);
    DIR *d = opendir(p);
    for (struct dirent *e; d && (e = readdir(d));) {
        char f[SWEEP_PATH + 300];
        if (e->d_name[0] == '.' && strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            snprintf(f, sizeof f, "%s/%s", p, e->d_name), unlink(f);
    }
    if (d)
        closedir(d);
}

/* The points of first..last-1 not done yet into r->todo. */
static int plan(runner *r, uint64_t first, uint64_t last)
{
    if (!(r->todo = malloc((size_t)(last - first + 1) * sizeof *r->todo)))
        return -1;
    sweep_point p;
    for (uint64_t i = first; i < last; i++) {
        sweep_point_at(&r->c->g, i, &p);
        if (sweep_results_done(r->res, p.key))
            r->before++;
        else
            r->todo[r->ntodo++] = i;
    }
    r->total = last - first;
    return 0;
}

static int setup_signals(runner *r)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    if (sigprocmask(SIG_BLOCK, &set, &r->oldmask))
        return -1;
    r->masked = 1;
    r->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    r->devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
    return r->sigfd < 0 || r->devnull < 0 ? -1 : 0;
}

/* The summary on stdout; the exit status. */
static int summary(runner *r, const char *label)
{
    progress_done(&r->pg);
    if (r->fatal) {
        fprintf(stderr, "%s: %s (%" PRIu64 " points in flight dropped; the rows written are kept)\n", label, r->err,
                r->dropped);
        return 1;
    }
    if (r->stop_sig > 0) {
        fprintf(stderr, "%s: interrupted by %s: %" PRIu64 " of %" PRIu64 " points done, %" PRIu64 " in flight dropped; "
                "run the same command again to resume\n", label, strsignal(r->stop_sig), r->before + r->finished,
                r->total, r->dropped);
        return 128 + r->stop_sig;
    }
    printf("%s: %" PRIu64 " point%s in %s: %" PRIu64 " ok, %" PRIu64 " skipped, %" PRIu64 " failed (%" PRIu64
           " done before, %" PRIu64 " run in %.1f s)\n", label, r->total, r->total == 1 ? "" : "s", r->dir, r->ok, r->skipped, r->failed,
           r->before, r->finished, now_s() - r->t0);
    return r->failed ? 1 : 0;
}

int sweep_run_points(const sweep_ctx *c, const char *dir, uint64_t first, uint64_t last, unsigned jobs,
                     const char *label)
{
    runner r = {.c = c, .dir = dir, .jobs = jobs > 1024 ? 1024 : jobs, .sigfd = -1, .devnull = -1, .t0 = now_s()};
    int rc = sweep_results_open(dir, c->header, &r.res, r.err, sizeof r.err);
    if (rc)
        return fprintf(stderr, "pimattn sweep: --out: %s\n", r.err), rc;
    remove_temporaries(dir);
    int st = 0;
    if (plan(&r, first, last) || !(r.kid = calloc(r.jobs, sizeof *r.kid)))
        st = 1, fprintf(stderr, "pimattn sweep: out of memory\n");
    else if (setup_signals(&r))
        st = 1, fprintf(stderr, "pimattn sweep: signals: %s\n", strerror(errno));
    if (!st) {
        for (unsigned i = 0; i < r.jobs; i++)
            r.kid[i].err_fd = r.kid[i].log_fd = -1;
        progress_init(&r.pg, label);
        loop(&r);
        st = summary(&r, label);
    }
    sweep_results_close(r.res);
    free(r.kid);
    free(r.todo);
    if (r.sigfd >= 0)
        close(r.sigfd);
    if (r.devnull >= 0)
        close(r.devnull);
    if (r.masked)
        sigprocmask(SIG_SETMASK, &r.oldmask, NULL);
    if (st > 128) { /* end as the signal would have ended us */
        fflush(stdout);
        signal(st - 128, SIG_DFL);
        raise(st - 128);
    }
    return st;
}

/* cmd_sweep.h — pimattn sweep's parts, private to harness/cli: the command and its checks (cmd_sweep.c), running
 * points as child processes into a results directory (cmd_sweep_exec.c), and the point list and job scripts of
 * --list and --emit-jobs (cmd_sweep_jobs.c). Each prints its own errors ("pimattn sweep: ...") and returns an
 * exit status: 0, 1 (a point failed, a file could not be written) or CLI_EXIT_BAD_INPUT. */
#ifndef PIMATTN_CMD_SWEEP_H
#define PIMATTN_CMD_SWEEP_H

#include <limits.h>
#include <stdint.h>
#include <stdio.h>

#include "sweep.h"

#define SWEEP_PATH 4096

/* A loaded grid and what every point shares. */
typedef struct sweep_ctx {
    sweep_grid g;
    sweep_area *area; /* --area, or NULL */
    char *header;     /* the CSV header of the grid (and area) */
    const char *version;
    char exe[SWEEP_PATH];  /* this binary, resolved (for the emitted scripts) */
    char grid_abs[SWEEP_PATH], cwd[SWEEP_PATH];
} sweep_ctx;

/* Runs points first..last-1 that are not done yet into the results directory dir (which exists), at most jobs
 * at a time, each `/proc/self/exe CMD ... --json dir/points/KEY.json` with its output in dir/points/KEY.log;
 * a progress line on stderr (label: "pimattn sweep" or the task), the summary on stdout. SIGINT, SIGTERM and
 * SIGHUP stop it: the points in flight are killed and dropped, the signal is raised again at the end. */
int sweep_run_points(const sweep_ctx *c, const char *dir, uint64_t first, uint64_t last, unsigned jobs,
                     const char *label);

/* --list: index, key and command of every point on f (points.txt's format). 0 or -1 (a write failed). */
int sweep_write_points(const sweep_ctx *c, FILE *f);

/* --emit-jobs JOBS: JOBS/points.txt, parallel.sh and slurm.sbatch for results directory out (absolute);
 * tasks: the array's tasks (0: one per point, at most 1000), max_running its %M (0: min(tasks, 100)),
 * jobs: parallel's -j. */
int sweep_emit_jobs(const sweep_ctx *c, const char *jobs_dir, const char *out, uint64_t tasks, uint64_t max_running,
                    unsigned jobs);

#endif

/* progress.h — progress of a long command on stderr: nothing for the first two seconds; then on a terminal
 * one line redrawn in place (fraction done, elapsed time, ETA), and with stderr redirected one line per
 * 10 % (or per 10 s when the total is unknown), so logs stay short. progress_done() clears the terminal
 * line. progress_update() reads the clock: callers in tight loops call it every few thousand items. */
#ifndef PIMATTN_PROGRESS_H
#define PIMATTN_PROGRESS_H

#include <stdint.h>

typedef struct progress {
    const char *what;
    double t0, last_print;
    int tty, shown, last_tenth;
} progress;

void progress_init(progress *p, const char *what);
/* fraction in [0, 1], or < 0 when the total is unknown (then `count` items done are shown) */
void progress_update(progress *p, double fraction, uint64_t count);
void progress_done(progress *p);
/* A status line without the two-second wait: on a terminal `what: detail, elapsed, ETA` redrawn in place (at
 * most every 0.2 s, always at fraction 1), else one such line per 10 % of fraction (sweeps, whose items are
 * whole runs). */
void progress_status(progress *p, double fraction, const char *detail);

#endif

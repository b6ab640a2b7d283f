/* progress.c — progress lines on stderr (progress.h). */
#include "progress.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

void progress_init(progress *p, const char *what)
{
    *p = (progress){.what = what, .t0 = now_s(), .tty = isatty(STDERR_FILENO)};
}

void progress_update(progress *p, double fraction, uint64_t count)
{
    double t = now_s(), el = t - p->t0;
    if (el < 2.0)
        return;
    if (!p->tty) {
        int tenth = fraction >= 0 ? (int)(fraction * 10) : (int)(el / 10);
        if (tenth > p->last_tenth) {
            p->last_tenth = tenth;
            if (fraction >= 0)
                fprintf(stderr, "%s: %3d %% after %.0f s\n", p->what, 10 * tenth, el);
            else
                fprintf(stderr, "%s: %llu done after %.0f s\n", p->what, (unsigned long long)count, el);
        }
        return;
    }
    if (t - p->last_print < 0.2)
        return;
    p->last_print = t;
    if (fraction >= 0) {
        int w = (int)(fraction * 30 + 0.5);
        double eta = fraction > 0 ? el * (1 - fraction) / fraction : 0;
        fprintf(stderr, "\r%s [%.*s%*s] %3.0f%% %5.0f s, ETA %5.0f s ", p->what, w, "==============================",
                30 - w, "", 100 * fraction, el, eta);
    } else {
        fprintf(stderr, "\r%s: %llu done, %5.0f s ", p->what, (unsigned long long)count, el);
    }
    fflush(stderr);
    p->shown = 1;
}

void progress_done(progress *p)
{
    if (p->shown)
        fprintf(stderr, "\r%79s\r", "");
    p->shown = 0;
}

static void duration(double s, char *buf, size_t n)
{
    if (s < 0)
        snprintf(buf, n, "-");
    else if (s < 120)
        snprintf(buf, n, "%.0f s", s);
    else if (s < 7200)
        snprintf(buf, n, "%.0f min", s / 60);
    else
        snprintf(buf, n, "%.1f h", s / 3600);
}

void progress_status(progress *p, double fraction, const char *detail)
{
    double t = now_s(), el = t - p->t0;
    char e[32], d[32];
    duration(fraction > 0 ? el * (1 - fraction) / fraction : -1, e, sizeof e);
    duration(el, d, sizeof d);
    if (!p->tty) {
        int tenth = (int)(fraction * 10 + 1e-9);
        if (tenth > p->last_tenth) {
            p->last_tenth = tenth;
            fprintf(stderr, "%s: %s, %s, ETA %s\n", p->what, detail, d, e);
        }
        return;
    }
    if (t - p->last_print < 0.2 && fraction < 1)
        return;
    p->last_print = t;
    fprintf(stderr, "\r%s: %s, %s, ETA %s\033[K", p->what, detail, d, e);
    fflush(stderr);
    p->shown = 1;
}

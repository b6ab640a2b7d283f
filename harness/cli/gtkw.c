#include "gtkw.h"

#include <string.h>

int gtkw_emit(FILE *f, const char *dumpfile_basename, const gtkw_group *groups, size_t ngroups)
{
    fprintf(f, "[*] pimattn waveform view; open with: gtkwave %s <this file>\n", dumpfile_basename);
    fprintf(f, "[dumpfile] \"%s\"\n", dumpfile_basename);
    fprintf(f, "[timestart] 0\n[size] 1600 900\n[pos] -1 -1\n*-4.000000 0 -1\n[sst_width] 260\n"
               "[signals_width] 320\n[sst_expanded] 1\n[sst_vpaned_height] 300\n");
    for (size_t g = 0; g < ngroups; g++) {
        fprintf(f, "@800200\n-%s\n", groups[g].name);
        for (const char *const *s = groups[g].signals; *s; s++) {
            /* 1-bit signals in binary, buses in hex; "{alias} name" shows the alias */
            fprintf(f, "@%s\n%s%s\n", strchr(*s, '[') ? "22" : "28", (*s)[0] == '{' ? "+" : "", *s);
        }
        fprintf(f, "@1000200\n-%s\n", groups[g].name);
    }
    return ferror(f) ? -1 : 0;
}

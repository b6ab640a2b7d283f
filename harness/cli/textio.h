/* textio.h — reading the text files pimattn takes (ctx files, traces, command logs), line by line.
 *
 * Contract
 *  - lines_open(): "-" is standard input. NULL with err "PATH: why" when the file cannot be opened or is a
 *    directory.
 *  - lines_next(): 1 with the next line (its end-of-line removed; any length) in *line, 0 at the end of
 *    the file, -1 with err when reading fails (an I/O error is not the end of the file) or the line holds
 *    a NUL byte (text files have none; a NUL would silently end the line).
 *  - lines_number(): the number of the line lines_next() returned last (1-based), for PATH:LINE messages.
 */
#ifndef PIMATTN_TEXTIO_H
#define PIMATTN_TEXTIO_H

#include <stddef.h>
#include <stdint.h>

typedef struct lines lines;

lines *lines_open(const char *path, char *err, size_t n);
int lines_next(lines *r, char **line, char *err, size_t n);
uint64_t lines_number(const lines *r);
void lines_close(lines *r);

#endif

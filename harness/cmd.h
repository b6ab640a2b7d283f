/* cmd.h — pimattn subcommands. Each takes (argc, argv) with argv[0] = the command name and returns the
 * process exit status: 0 success, 1 a check failed (mismatch), 2 bad input. */
#ifndef PIMATTN_CMD_H
#define PIMATTN_CMD_H

int cmd_prims(int argc, char **argv);
int cmd_wave(int argc, char **argv);

#endif

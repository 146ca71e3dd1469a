/* The in-namespace listener helper of paddock-launch (see nslisten.c). */
#ifndef PADDOCK_NSLISTEN_H
#define PADDOCK_NSLISTEN_H
#include <sys/types.h>

/* The launcher's ends: the go pipe (write "PORT\n" or close), bwrap's info fd and block fd. */
struct nslisten {
  pid_t pid;
  int go_w, info_w, block_r;
};

/* Forks the helper, which keeps ipc_fd (closed here). 0, or -1 with errno. */
int nslisten_start(int ipc_fd, struct nslisten *out);

/* Closes every fd >= first except the n in keep (n <= 8). 0, or -1 if that could not be done. */
int nslisten_close_from(int first, const int *keep, int n);
#endif

/*
 * paddock-decoy-watch: watches decoy files with inotify and prints one line per open or read,
 * "<index>\n" where index is the position of the path among the arguments. Paddock raises a
 * decoy-read alert for each line. It prints "ready\n" once every watch is in place.
 * Threat: an agent reading planted credentials; watched from the host, outside the sandbox.
 * inotify names no process: Paddock names the run instead.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <unistd.h>

#define MAXW 64

int main(int argc, char **argv) {
  int wd[MAXW];
  int n = argc - 1;
  if (n < 1 || n > MAXW) {
    fprintf(stderr, "usage: paddock-decoy-watch FILE... (1 to %d files)\n", MAXW);
    return 2;
  }
  /* Paddock gone (even SIGKILLed): so are we; a watcher never outlives its run's engine. */
  pid_t parent = getppid();
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent) return 1;
  int fd = inotify_init1(IN_CLOEXEC);
  if (fd < 0) {
    perror("inotify_init1");
    return 1;
  }
  for (int i = 0; i < n; i++) {
    /* /proc/self/fd/N: a file Paddock opened without following links and passed as fd N (so no
       path is on this command line); any other argument is watched without following links. */
    int viaFd = strncmp(argv[i + 1], "/proc/self/fd/", 14) == 0;
    wd[i] = inotify_add_watch(fd, argv[i + 1], IN_OPEN | IN_ACCESS | (viaFd ? 0 : IN_DONT_FOLLOW));
    if (wd[i] < 0) fprintf(stderr, "watch %s: %s\n", argv[i + 1], strerror(errno));
  }
  setvbuf(stdout, NULL, _IOLBF, 0);
  printf("ready\n");
  char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
  for (;;) {
    ssize_t len = read(fd, buf, sizeof buf);
    if (len < 0) {
      if (errno == EINTR) continue;
      perror("read");
      return 1;
    }
    for (char *p = buf; p < buf + len;) {
      struct inotify_event *ev = (struct inotify_event *)p;
      for (int i = 0; i < n; i++)
        if (wd[i] == ev->wd && (ev->mask & (IN_OPEN | IN_ACCESS))) printf("%d\n", i);
      p += sizeof(struct inotify_event) + ev->len;
    }
    if (ferror(stdout)) return 0; /* Paddock went away */
  }
}

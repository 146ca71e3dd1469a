/*
 * paddock-launch: a sandbox launcher started ahead of time, so the next agent start skips the slow
 * part of its launch. It joins a run's cgroups first (a cgroup migration: the kernel's first one
 * after a quiet spell waits for an RCU grace period, several ms), says it is ready, and then waits.
 * When an agent starts, the engine writes the run's limits into those cgroups and sends the
 * command line; the launcher puts bwrap's setup data at the fds bwrap expects and execs it. So
 * bwrap and everything it starts run inside the limits from their first instruction, as with the
 * shell wrapper of a cold start, without the fork of the engine, the shell and the migration on
 * the start's path. It decides nothing: the engine built the command line.
 *
 *   argv  `--parent PID` (the engine; refuse to run orphaned), `--lifeline`, `--ipc FD`, then the
 *         cgroup.procs files to join.
 *   fd 3  a socket to the engine: the launcher writes "R" once it is in every cgroup; it then reads
 *         one message and execs. End of file before a message: exit 0 (the engine discarded it).
 *         Message: "PDL3", then five lists (argv, environment, setup data for fds 3.., pinned
 *         grants for the fds after those, the network listener), each a u32 count and that many
 *         u32-length-prefixed byte strings (little endian). A pinned grant is "DEV:INO:/real/path":
 *         the launcher opens the path again without following any link and checks it is that very
 *         file (see open_pinned). The listener list is empty (none) or "PORT", "INFO_FD", "BLOCK_FD"
 *         [, "test-fail"]: the two fds follow the pinned grants, and bwrap's argv names them as
 *         --info-fd and --block-fd (see nslisten.c).
 *   fd 4  with `--lifeline` (after the pid): a socket whose other end only the engine holds. A
 *         watchdog, forked before the cgroups are joined, kills everything left in them once that
 *         end closes (the run ended, or the engine died), whether or not bwrap's death signal came.
 *   FD    with `--ipc FD`: Node's IPC channel to the engine, handed to the in-namespace listener
 *         helper (nslisten.c), also forked before the cgroups are joined.
 *   fd 0-2 the run's stdio, given at spawn.
 *
 * Exit codes before exec: 125 (could not join a cgroup, a bad message, or stray fds it could not
 * close; nothing ran), 127 (the command could not be executed). It dies with the engine
 * (PR_SET_PDEATHSIG) and ignores job-control signals until it execs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <dirent.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "nslisten.h"

#define CTL 3
#define LIFELINE 4
#define MAX_MESSAGE (64u << 20)
#define MAX_ITEMS 65536u
#define MAX_SETUP_FDS 4096u
#ifndef SYS_close_range
#define SYS_close_range 436 /* the same number on every Linux architecture; older headers lack it */
#endif

static void fail(int code, const char *what, const char *detail) {
  dprintf(2, "paddock-launch: %s%s%s: %s\n", what, detail ? " " : "", detail ? detail : "", strerror(errno));
  _exit(code);
}

static int write_all(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return -1;
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

/* Reads exactly n bytes; 0 on success, 1 on end of file before any byte, -1 otherwise. */
static int read_all(int fd, char *p, size_t n, int eof_ok) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = read(fd, p + got, n - got);
    if (r < 0 && errno == EINTR) continue;
    if (r == 0 && got == 0 && eof_ok) return 1;
    if (r <= 0) return -1;
    got += (size_t)r;
  }
  return 0;
}

struct list {
  uint32_t n;
  char **item;
  uint32_t *len;
};

static size_t total;

/* One list of the message; items are NUL-terminated copies (setup data may contain NULs: len). */
static int read_list(int fd, struct list *l, int eof_ok) {
  unsigned char h[4];
  int r = read_all(fd, (char *)h, 4, eof_ok);
  if (r != 0) return r;
  l->n = (uint32_t)h[0] | (uint32_t)h[1] << 8 | (uint32_t)h[2] << 16 | (uint32_t)h[3] << 24;
  if (l->n > MAX_ITEMS) return -1;
  l->item = calloc(l->n + 1, sizeof(char *));
  l->len = calloc(l->n + 1, sizeof(uint32_t));
  if (!l->item || !l->len) return -1;
  for (uint32_t i = 0; i < l->n; i++) {
    if (read_all(fd, (char *)h, 4, 0) != 0) return -1;
    uint32_t len = (uint32_t)h[0] | (uint32_t)h[1] << 8 | (uint32_t)h[2] << 16 | (uint32_t)h[3] << 24;
    total += len;
    if (len > MAX_MESSAGE || total > MAX_MESSAGE) return -1;
    l->item[i] = malloc((size_t)len + 1);
    if (!l->item[i]) return -1;
    if (read_all(fd, l->item[i], len, 0) != 0) return -1;
    l->item[i][len] = '\0';
    l->len[i] = len;
  }
  return 0;
}

/* Closes every fd >= first but the kept ones, or exits 125 (fail closed: the sandbox never starts
 * with a stray fd). */
static void close_from(int first, const int *keep, int nkeep) {
  if (nkeep > 0) {
    if (nslisten_close_from(first, keep, nkeep) != 0) fail(125, "cannot close the fds the sandbox must not get", NULL);
    return;
  }
  if (syscall(SYS_close_range, (unsigned)first, ~0U, 0) == 0) return;
  /* No close_range (before Linux 5.9, or filtered): close what /proc lists, then check again. */
  for (int pass = 0; pass < 2; pass++) {
    DIR *d = opendir("/proc/self/fd");
    if (!d) break;
    int dfd = dirfd(d), left = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
      char *end;
      long fd = strtol(e->d_name, &end, 10);
      if (*end != '\0' || e->d_name[0] == '\0' || fd < first || fd == dfd) continue;
      close((int)fd);
      left++;
    }
    closedir(d);
    if (left == 0) return;
  }
  /* No /proc either: every fd up to the hard limit. */
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_max == RLIM_INFINITY || rl.rlim_max > (1u << 24)) {
    errno = EMFILE;
    fail(125, "cannot close the fds the sandbox must not get", NULL);
  }
  for (rlim_t fd = (rlim_t)first; fd < rl.rlim_max; fd++) close((int)fd);
}

/* Kills every process of the run's cgroups: cgroup.kill where the kernel has it, else SIGKILL to
 * each member until none is left (a v1-frozen task is thawed first, or it would not die). */
static void kill_run(char **procs, int n) {
  for (int i = 0; i < n; i++) {
    char path[4096];
    const char *slash = strrchr(procs[i], '/');
    if (!slash) continue;
    int dl = (int)(slash - procs[i]);
    const char *names[] = {"cgroup.kill", "freezer.state"}, *vals[] = {"1", "THAWED"};
    for (int k = 0; k < 2; k++) {
      snprintf(path, sizeof path, "%.*s/%s", dl, procs[i], names[k]);
      int fd = open(path, O_WRONLY | O_CLOEXEC);
      if (fd >= 0) {
        if (write_all(fd, vals[k], strlen(vals[k])) != 0) { /* not there or refused: signals below */ }
        close(fd);
      }
    }
  }
  for (int round = 0; round < 500; round++) {
    int left = 0;
    for (int i = 0; i < n; i++) {
      FILE *f = fopen(procs[i], "re");
      if (!f) continue;
      long pid;
      while (fscanf(f, "%ld", &pid) == 1) {
        if (pid > 0 && pid != getpid()) kill((pid_t)pid, SIGKILL), left++;
      }
      fclose(f);
    }
    if (left == 0) return;
    usleep(10000);
  }
}

/* The run's watchdog, outside its cgroups and detached from everything: it waits until the
 * engine's end of the lifeline (fd 4) closes, then kills whatever of the run is left. Threat: a
 * sandbox outliving Paddock when bwrap's --die-with-parent signal does not reach it. */
static void start_watchdog(char **procs, int n) {
  pid_t mid = fork();
  if (mid < 0) fail(125, "cannot start the run's watchdog", NULL);
  if (mid > 0) {
    while (waitpid(mid, NULL, 0) < 0 && errno == EINTR) {}
    return;
  }
  if (fork() != 0) _exit(0); /* the watchdog is the grandchild: init adopts it at once */
  prctl(PR_SET_PDEATHSIG, 0);
  int null = open("/dev/null", O_RDWR | O_CLOEXEC);
  for (int fd = 0; fd < 3; fd++) dup2(null, fd); /* never hold the run's stdio open */
  close(CTL); /* nor the engine's socket */
  char c;
  for (;;) {
    ssize_t r = read(LIFELINE, &c, 1);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break; /* end of file: the engine closed it (run over) or died */
  }
  kill_run(procs, n);
  _exit(0);
}

/* Opens a pinned grant ("DEV:INO:/real/path") at fd `at` (without close-on-exec, for bwrap's
 * --bind-fd), one component at a time with O_NOFOLLOW, and checks it is the file the engine
 * checked. Threat: a folder on the way swapped for a link (or another folder) by an agent between
 * the engine's check and this open; bwrap then binds this fd and verifies the mount against it. */
static int open_pinned(const char *spec, int at) {
  char *end;
  errno = 0;
  unsigned long long dev = strtoull(spec, &end, 10);
  if (errno != 0 || *end != ':') return -1;
  unsigned long long ino = strtoull(end + 1, &end, 10);
  if (errno != 0 || *end != ':' || end[1] != '/') return -1;
  char path[4096];
  if (strlen(end + 1) >= sizeof path) return -1;
  strcpy(path, end + 1);
  int fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return -1;
  char *save = NULL;
  for (char *c = strtok_r(path, "/", &save); c != NULL; c = strtok_r(NULL, "/", &save)) {
    struct stat st;
    int next = strcmp(c, ".") == 0 || strcmp(c, "..") == 0 ? -1 : openat(fd, c, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    close(fd);
    if (next < 0) return -1;
    if (fstat(next, &st) != 0 || S_ISLNK(st.st_mode)) {
      close(next);
      errno = ELOOP;
      return -1;
    }
    fd = next;
  }
  struct stat st;
  if (fstat(fd, &st) != 0 || (unsigned long long)st.st_dev != dev || (unsigned long long)st.st_ino != ino) {
    close(fd);
    errno = ESTALE;
    return -1;
  }
  if (fd == at) return fcntl(fd, F_SETFD, 0);
  int r = dup2(fd, at);
  close(fd);
  return r == at ? 0 : -1;
}

int main(int argc, char **argv) {
  if (argc < 3 || strcmp(argv[1], "--parent") != 0) {
    dprintf(2, "usage: paddock-launch --parent PID [--lifeline] CGROUP_PROCS_FILE... (started by Paddock, fd 3 = its socket, fd 4 = the lifeline)\n");
    return 125;
  }
  int first_file = 3, lifeline = 0, ipc = -1;
  if (argc > first_file && strcmp(argv[first_file], "--lifeline") == 0) lifeline = 1, first_file++;
  if (argc > first_file + 1 && strcmp(argv[first_file], "--ipc") == 0) {
    ipc = atoi(argv[first_file + 1]);
    if (ipc <= LIFELINE || fcntl(ipc, F_GETFD) < 0) return 125;
    first_file += 2;
  }
  /* Threat: a launcher outliving the engine would be a process in an agent's cgroups nobody owns. */
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != (pid_t)atol(argv[2])) return 125;
  /* A spare shares Paddock's process group: a Ctrl-C or hang-up meant for Paddock's terminal must
   * not kill it between runs (the next start would fail). Restored before exec. */
  static const int job_signals[] = {SIGINT, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU, SIGHUP};
  for (size_t i = 0; i < sizeof job_signals / sizeof *job_signals; i++) signal(job_signals[i], SIG_IGN);
  /* Join every cgroup of the run before anything else (threat: a process of the run outside its limits). */
  char pid[24];
  int pl = snprintf(pid, sizeof pid, "%ld", (long)getpid());
  if (lifeline && argc > first_file) start_watchdog(argv + first_file, argc - first_file);
  /* The listener helper, outside the run's cgroups too (it is Paddock's, not the agent's). */
  struct nslisten nl = {.pid = 0, .go_w = -1, .info_w = -1, .block_r = -1};
  if (ipc >= 0 && nslisten_start(ipc, &nl) != 0) fail(125, "cannot start the network listener helper", NULL);
  for (int i = first_file; i < argc; i++) {
    int fd = open(argv[i], O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write_all(fd, pid, (size_t)pl) != 0) fail(125, "cannot join the cgroup", argv[i]);
    close(fd);
  }
  if (write_all(CTL, "R", 1) != 0) return 0; /* the engine is gone or discarded us */

  struct list args = {0}, env = {0}, data = {0}, pins = {0}, net = {0};
  char magic[4];
  int r = read_all(CTL, magic, 4, 1);
  if (r == 1) return 0; /* discarded before use */
  if (r != 0 || memcmp(magic, "PDL3", 4) != 0 || read_list(CTL, &args, 0) != 0 || read_list(CTL, &env, 0) != 0 ||
      read_list(CTL, &data, 0) != 0 || read_list(CTL, &pins, 0) != 0 || read_list(CTL, &net, 0) != 0 || args.n == 0 ||
      data.n + pins.n > MAX_SETUP_FDS || (net.n != 0 && net.n != 3 && net.n != 4)) {
    dprintf(2, "paddock-launch: bad message from the engine; nothing was started\n");
    return 125;
  }
  for (uint32_t i = 0; i < args.n; i++)
    if (strlen(args.item[i]) != args.len[i]) return 125; /* a NUL inside an argument */
  for (uint32_t i = 0; i < env.n; i++)
    if (strlen(env.item[i]) != env.len[i] || !strchr(env.item[i], '=')) return 125;

  /* The network listener: bwrap reports the sandbox's pid on INFO_FD and holds it on BLOCK_FD until
   * the helper has the listener in place (fail closed: no helper, no start). */
  int info_at = CTL + (int)(data.n + pins.n), keep[2] = {-1, -1}, nkeep = 0;
  if (net.n > 0) {
    if (nl.pid == 0 || atoi(net.item[1]) != info_at || atoi(net.item[2]) != info_at + 1) {
      dprintf(2, "paddock: the agent's network listener cannot be made by this launcher; nothing was started\n");
      return 125;
    }
    char go[32];
    int gl = snprintf(go, sizeof go, "%d%s\n", atoi(net.item[0]), net.n == 4 && strcmp(net.item[3], "test-fail") == 0 ? " test-fail" : "");
    if (write_all(nl.go_w, go, (size_t)gl) != 0) fail(125, "cannot reach the network listener helper", NULL);
    /* Above every fd placed below, so none of those lands on them. */
    keep[0] = fcntl(nl.info_w, F_DUPFD_CLOEXEC, info_at + 2);
    keep[1] = fcntl(nl.block_r, F_DUPFD_CLOEXEC, info_at + 2);
    if (keep[0] < 0 || keep[1] < 0) fail(125, "cannot place the listener's pipes", NULL);
    nkeep = 2;
  }
  /* Nothing else reaches the sandbox (threat: an fd Paddock inherited, read or walked through
   * /proc/self/fd by the agent). The whole message is read, so its socket goes too; so does the
   * go pipe (without a listener the helper reads its end of file and exits). */
  close_from(CTL, keep, nkeep);
  /* Setup data goes into memory files at fds 3.., where bwrap reads each until end of file: with
   * every fd from 3 up closed, each new one is the lowest free fd, in order. */
  for (uint32_t i = 0; i < data.n; i++) {
    int m = (int)syscall(SYS_memfd_create, "paddock-setup", 0);
    if (m < 0) fail(125, "cannot hold bwrap's setup data", NULL);
    if (m != CTL + (int)i) {
      errno = EBADF;
      fail(125, "cannot place bwrap's setup data", NULL);
    }
    if (write_all(m, data.item[i], data.len[i]) != 0 || lseek(m, 0, SEEK_SET) != 0) fail(125, "cannot hold bwrap's setup data", NULL);
  }
  for (uint32_t i = 0; i < pins.n; i++) {
    if (strlen(pins.item[i]) != pins.len[i] || open_pinned(pins.item[i], CTL + (int)(data.n + i)) != 0)
      fail(125, "a granted folder changed while the agent was starting; nothing was started. Check it, then start again:", strchr(pins.item[i], '/'));
  }
  if (nkeep > 0) {
    if (dup2(keep[0], info_at) != info_at || dup2(keep[1], info_at + 1) != info_at + 1) fail(125, "cannot place the listener's pipes", NULL);
    close(keep[0]);
    close(keep[1]);
  }
  for (size_t i = 0; i < sizeof job_signals / sizeof *job_signals; i++) signal(job_signals[i], SIG_DFL);
  execve(args.item[0], args.item, env.item);
  fail(127, "cannot run", args.item[0]);
  return 127;
}

/*
 * The agent's proxy listener, made inside the sandbox's own network namespace (issue 17). Part of
 * paddock-launch (built with launch.c). Replaces the in-sandbox socat bridge: no process inside the
 * sandbox, no fork per connection, no extra copy of every byte.
 *
 * A spare launcher started with `--ipc FD` (Node's IPC channel, 'ipc' in its stdio) forks this
 * helper first, before it joins the run's cgroups (so the helper is never a process of the run).
 * The helper waits for the launcher to say which port the run wants ("PORT\n" on the go pipe; end
 * of file: none, exit). The launcher then execs bwrap with `--info-fd I --block-fd B`: bwrap writes
 * the sandbox's pid to I once its namespaces exist, and the sandbox blocks reading B before it
 * execs anything of the agent. The helper:
 *   1. reads the pid, checks it is bwrap's child (its parent is the launcher, now bwrap), opens
 *      its user and network namespaces;
 *   2. joins the user namespace (when it is not ours: an unprivileged owner has every capability in
 *      it) and then the network namespace;
 *   3. binds a TCP socket to 127.0.0.1:PORT there (IP_FREEBIND: bwrap brings `lo` up after this)
 *      and listens;
 *   4. sends the listening socket to the engine over Node's IPC channel (SCM_RIGHTS; the message is
 *      Node's own handle message, so the engine receives a listening net.Server) and waits for
 *      Node's acknowledgement;
 *   5. only then writes to B: the agent starts with its proxy already listening.
 * Fail closed: if any step fails, it says so on the run's stderr (`paddock: ...`), tells the engine
 * (which reports exit 125), and SIGKILLs the sandbox (still blocked before the agent's first
 * instruction) and bwrap before its end of B closes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>
#include "nslisten.h"

#ifndef IP_FREEBIND
#define IP_FREEBIND 15
#endif
#ifndef NS_GET_USERNS
#define NS_GET_USERNS 0xb701 /* linux/nsfs.h: _IO(0xb7, 0x1), Linux 4.9 */
#endif

/* How long the engine may take to acknowledge the listener before the run is refused. */
#define ACK_TIMEOUT_MS 10000

static int ipc = -1;
static pid_t sandbox = 0;

static void say(const char *line) {
  size_t n = strlen(line);
  while (n > 0) {
    ssize_t w = send(ipc, line, n, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return;
    line += w;
    n -= (size_t)w;
  }
}

/* Fail closed: nothing of the agent may run without its listener (threat: an agent started with a
 * network path that silently does not exist, or one the engine does not serve). */
static void fail(const char *what) {
  int e = errno;
  char msg[512];
  snprintf(msg, sizeof msg, "%s: %s", what, e ? strerror(e) : "failed");
  dprintf(2, "paddock: the agent's network listener could not be made inside its sandbox (%s); the agent was not started. Run `paddock doctor`.\n", msg);
  char line[640];
  /* The message holds no quote or backslash: `what` is ours, strerror's text has none. */
  snprintf(line, sizeof line, "{\"paddock\":\"ns-listener-failed\",\"error\":\"%s\"}\n", msg);
  say(line);
  /* The sandbox is still blocked before exec'ing anything of the agent: kill it, then bwrap (whose
   * --die-with-parent would also take the sandbox), before our end of the block pipe closes. */
  if (sandbox > 0) kill(sandbox, SIGKILL);
  pid_t parent = getppid();
  if (parent > 1) kill(parent, SIGKILL);
  _exit(125);
}

/* Reads bwrap's info JSON until the sandbox's pid is in it; 0 if bwrap ended first. */
static pid_t read_child_pid(int fd) {
  char buf[4096];
  size_t len = 0;
  for (;;) {
    ssize_t r = read(fd, buf + len, sizeof buf - 1 - len);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return 0;
    len += (size_t)r;
    buf[len] = '\0';
    char *k = strstr(buf, "\"child-pid\":");
    if (k) {
      char *p = k + strlen("\"child-pid\":"), *end;
      while (*p == ' ') p++;
      long pid = strtol(p, &end, 10);
      if (end != p && *end != '\0' && pid > 1 && pid < (1L << 22)) return (pid_t)pid;
    }
    if (len >= sizeof buf - 1) return 0;
  }
}

/* The parent pid of /proc/PID (through its directory fd), or -1. */
static pid_t parent_of(int procdir) {
  char buf[1024];
  int fd = openat(procdir, "stat", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return -1;
  buf[n] = '\0';
  char *rp = strrchr(buf, ')'); /* the name may hold spaces and parentheses; the last ')' ends it */
  if (!rp) return -1;
  char state;
  long ppid;
  if (sscanf(rp + 1, " %c %ld", &state, &ppid) != 2) return -1;
  return (pid_t)ppid;
}

/* Sends the listening socket as Node's own handle message, then waits for Node's acknowledgement. */
static void hand_over(int sock, int port) {
  char line[256];
  int n = snprintf(line, sizeof line, "{\"cmd\":\"NODE_HANDLE\",\"type\":\"net.Server\",\"msg\":{\"paddock\":\"ns-listener\",\"port\":%d}}\n", port);
  for (int attempt = 0; attempt < 3; attempt++) {
    struct iovec iov = {.iov_base = line, .iov_len = (size_t)n};
    union {
      char buf[CMSG_SPACE(sizeof(int))];
      struct cmsghdr align;
    } u;
    memset(&u, 0, sizeof u);
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf};
    struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &sock, sizeof(int));
    ssize_t w;
    do w = sendmsg(ipc, &mh, MSG_NOSIGNAL);
    while (w < 0 && errno == EINTR);
    if (w != n) fail("send the listener to Paddock");
    /* Node answers NODE_HANDLE_ACK (it holds the socket) or NODE_HANDLE_NACK (it lost it: resend). */
    char in[1024];
    size_t len = 0;
    for (;;) {
      struct pollfd p = {.fd = ipc, .events = POLLIN};
      int pr = poll(&p, 1, ACK_TIMEOUT_MS);
      if (pr < 0 && errno == EINTR) continue;
      if (pr == 0) {
        errno = ETIMEDOUT;
        fail("wait for Paddock to take the listener");
      }
      ssize_t r = read(ipc, in + len, sizeof in - 1 - len);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) {
        errno = r == 0 ? EPIPE : errno;
        fail("wait for Paddock to take the listener");
      }
      len += (size_t)r;
      in[len] = '\0';
      if (strstr(in, "NODE_HANDLE_NACK")) break;
      if (strstr(in, "NODE_HANDLE_ACK")) return;
      char *nl = strrchr(in, '\n'); /* keep only an unfinished line */
      if (nl) {
        len = strlen(nl + 1);
        memmove(in, nl + 1, len + 1);
      }
      if (len >= sizeof in - 1) len = 0;
    }
  }
  errno = EPROTO;
  fail("send the listener to Paddock");
}

static void helper(int go_r, int info_r, int block_w) {
  prctl(PR_SET_PDEATHSIG, SIGKILL); /* dies with the launcher (bwrap, after its exec) */
  int null = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null >= 0) dup2(null, 0), dup2(null, 1); /* never hold the run's stdin/stdout open; stderr stays for messages */
  char go[64];
  size_t len = 0;
  for (;;) {
    ssize_t r = read(go_r, go + len, sizeof go - 1 - len);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    len += (size_t)r;
    if (memchr(go, '\n', len) || len >= sizeof go - 1) break;
  }
  go[len] = '\0';
  close(go_r);
  if (len == 0 || !strchr(go, '\n')) _exit(0); /* this run wants no listener, or the launcher died */
  char *end;
  long port = strtol(go, &end, 10);
  if (port < 1 || port > 65535) {
    errno = EINVAL;
    fail("read the port");
  }
  int test_fail = strncmp(end, " test-fail", 10) == 0;
  sandbox = read_child_pid(info_r);
  /* info_r stays open until bwrap has written all of its report (below): it writes it in several
   * parts, and a pipe closed before the last one would kill it with SIGPIPE. */
  if (sandbox == 0) _exit(0); /* bwrap ended before making the sandbox; it reports why */
  char path[64];
  snprintf(path, sizeof path, "/proc/%ld", (long)sandbox);
  int dir = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) fail("open the sandbox's /proc entry");
  /* Threat: a pid reused between bwrap's report and this open; the sandbox is bwrap's child. */
  if (parent_of(dir) != getppid()) {
    errno = ESRCH;
    fail("find the sandbox (its parent is not bwrap)");
  }
  int netns = openat(dir, "ns/net", O_RDONLY | O_CLOEXEC);
  if (netns < 0) fail("open the sandbox's namespaces");
  /* The user namespace that owns the network namespace, not the sandbox's own: with --dev, bwrap
   * makes its namespaces in one user namespace, mounts, then moves the sandbox into a nested one,
   * racing with us; joining the nested one leaves no capability over the network namespace (EPERM,
   * the start refused). Without NS_GET_USERNS (Linux < 4.9), the sandbox's own, as before. */
  int userns = ioctl(netns, NS_GET_USERNS);
  if (userns < 0) userns = openat(dir, "ns/user", O_RDONLY | O_CLOEXEC);
  else fcntl(userns, F_SETFD, FD_CLOEXEC);
  if (userns < 0) fail("open the sandbox's namespaces");
  struct stat mine, theirs;
  if (stat("/proc/self/ns/user", &mine) != 0 || fstat(userns, &theirs) != 0) fail("compare user namespaces");
  /* An unprivileged owner needs the sandbox's user namespace (which owns its network namespace) to
   * enter the network namespace; root may enter either way, and takes the same path. */
  if (mine.st_ino != theirs.st_ino || mine.st_dev != theirs.st_dev)
    if (setns(userns, CLONE_NEWUSER) != 0) fail("join the sandbox's user namespace");
  if (setns(netns, CLONE_NEWNET) != 0) fail("join the sandbox's network namespace");
  close(userns);
  close(netns);
  close(dir);
  if (test_fail) {
    errno = EADDRNOTAVAIL;
    fail("listen (test)");
  }
  int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (s < 0) fail("make a socket");
  int one = 1;
  /* bwrap gives `lo` its address after the namespaces exist, i.e. after this: bind ahead of it. */
  if (setsockopt(s, IPPROTO_IP, IP_FREEBIND, &one, sizeof one) != 0) fail("set IP_FREEBIND");
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port), .sin_addr = {htonl(INADDR_LOOPBACK)}};
  if (bind(s, (struct sockaddr *)&a, sizeof a) != 0) fail("bind 127.0.0.1");
  if (listen(s, 511) != 0) fail("listen");
  hand_over(s, (int)port);
  close(s);
  /* Node holds the listener: let the sandbox go on to exec the agent. */
  ssize_t w;
  do w = write(block_w, "1", 1);
  while (w < 0 && errno == EINTR);
  if (w != 1) fail("release the sandbox");
  char rest[512];
  for (;;) {
    ssize_t r = read(info_r, rest, sizeof rest);
    if (r > 0 || (r < 0 && errno == EINTR)) continue;
    break;
  }
  _exit(0);
}

int nslisten_start(int ipc_fd, struct nslisten *out) {
  int go[2], info[2], block[2];
  if (pipe2(go, O_CLOEXEC) != 0) return -1;
  if (pipe2(info, O_CLOEXEC) != 0) return -1;
  if (pipe2(block, O_CLOEXEC) != 0) return -1;
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    ipc = ipc_fd;
    /* Only the IPC channel, our pipe ends and stdio: not the engine's control socket nor the
     * lifeline (threat: the helper keeping the run's watchdog waiting). */
    int keep[] = {ipc_fd, go[0], info[0], block[1]};
    if (nslisten_close_from(3, keep, 4) != 0) _exit(125);
    helper(go[0], info[0], block[1]);
  }
  close(go[0]);
  close(info[0]);
  close(block[1]);
  close(ipc_fd);
  out->pid = pid;
  out->go_w = go[1];
  out->info_w = info[1];
  out->block_r = block[0];
  return 0;
}

#include <dirent.h>
#include <sys/syscall.h>
#ifndef SYS_close_range
#define SYS_close_range 436 /* the same number on every Linux architecture; older headers lack it */
#endif

static int kept(int fd, const int *keep, int n) {
  for (int i = 0; i < n; i++)
    if (keep[i] == fd) return 1;
  return 0;
}

int nslisten_close_from(int first, const int *keep, int n) {
  /* close_range over the gaps between the kept fds (sorted copy). */
  int k[8];
  if (n > 8) return -1;
  memcpy(k, keep, sizeof(int) * (size_t)n);
  for (int i = 1; i < n; i++)
    for (int j = i; j > 0 && k[j - 1] > k[j]; j--) {
      int t = k[j];
      k[j] = k[j - 1];
      k[j - 1] = t;
    }
  int ok = 1;
  unsigned lo = (unsigned)first;
  for (int i = 0; i <= n && ok; i++) {
    unsigned hi = i < n ? (unsigned)k[i] : ~0U;
    if (i < n && k[i] < first) continue;
    if (hi > lo && syscall(SYS_close_range, lo, i < n ? hi - 1 : hi, 0) != 0) ok = 0;
    if (i < n) lo = (unsigned)k[i] + 1;
  }
  if (ok) return 0;
  /* No close_range: close what /proc lists. */
  DIR *d = opendir("/proc/self/fd");
  if (!d) return -1;
  int dfd = dirfd(d);
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    char *end;
    long fd = strtol(e->d_name, &end, 10);
    if (*end != '\0' || e->d_name[0] == '\0' || fd < first || fd == dfd || kept((int)fd, keep, n)) continue;
    close((int)fd);
  }
  closedir(d);
  return 0;
}

/*
 * paddock-relay: moves the bytes of one vetted egress tunnel between two connected sockets with
 * splice(2), so they never pass through the proxy's event loop. The egress proxy (Node) starts
 * it once a tunnel has been decided and has carried enough bytes to be worth it; every decision
 * stays in the proxy. It never parses what it moves (except the SSH test of a first chunk the
 * proxy has not seen) and opens nothing.
 *
 *   fd 0  a pipe: "UP DOWN\n", then UP bytes for the upstream and DOWN bytes for the client
 *         (read by the proxy but not yet forwarded; each at most a pipe's size), then end of file.
 *   fd 1  the report, written once at exit: "UP DOWN\n", the bytes moved each way.
 *   fd 3  the client socket (the agent's side); fd 4: the upstream socket.
 *   argv  `--check-up` / `--check-down`: the proxy has not seen that direction's first bytes; if
 *         they look like an SSH banner nothing is forwarded and the exit code is 3 (the proxy
 *         raises the ssh-egress alert). `--parent PID`: the proxy's pid (refuse to run orphaned).
 *         `--up-only N`: a plain-HTTP request body (issue 17): move exactly N bytes client →
 *         upstream, nothing the other way, half-close nothing, and exit; the proxy keeps both
 *         sockets (it reads the response, and never reads the client again: the next request on
 *         that connection is not the relay's to move).
 *
 * SIGTERM (the network switched off) reports and exits at once, which closes both sockets.
 * It dies with its parent: a tunnel never outlives Paddock.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#define PIPE_BYTES (1 << 20)

/* Bytes moved: [0] client→upstream, [1] upstream→client. Written by the report. */
static volatile uint64_t moved[2];
static volatile sig_atomic_t reported;

/* "UP DOWN\n" on fd 1, exactly once: signals are blocked first, so SIGTERM's handler and the
 * main path cannot both get past the check (async-signal-safe). */
static void report(void) {
  sigset_t s;
  sigemptyset(&s);
  sigaddset(&s, SIGTERM);
  sigaddset(&s, SIGINT);
  sigprocmask(SIG_BLOCK, &s, NULL);
  if (reported) return;
  reported = 1;
  char buf[64], *p = buf + sizeof buf;
  *--p = '\n';
  for (int d = 1; d >= 0; d--) {
    uint64_t v = moved[d];
    do *--p = (char)('0' + v % 10); while ((v /= 10) > 0);
    if (d == 1) *--p = ' ';
  }
  ssize_t n = write(1, p, (size_t)(buf + sizeof buf - p));
  (void)n;
}

static void die(const char *what) {
  char msg[200];
  int n = snprintf(msg, sizeof msg, "paddock-relay: %s: %s\n", what, strerror(errno));
  if (n > 0 && write(2, msg, (size_t)n) < 0) _exit(2);
  report();
  _exit(1);
}

static void set_nonblock(int fd) {
  int fl = fcntl(fd, F_GETFL);
  if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) die("socket fd");
}

/* "SSH-<digit>" at the start, or a line "SSH-1.x-" / "SSH-2.x-" within the first 512 bytes
 * (the same test as looksLikeSsh in src/core/egress/tripwires.ts). */
static int looks_like_ssh(const unsigned char *b, size_t n) {
  if (n >= 4 && memcmp(b, "SSH-", 4) == 0) return n >= 5 && isdigit(b[4]);
  size_t m = n < 512 ? n : 512;
  for (size_t i = 0; i < m; i++) {
    if (i > 0 && b[i - 1] != '\n') continue;
    size_t j = i;
    if (m - j < 7 || memcmp(b + j, "SSH-", 4) != 0) continue;
    j += 4;
    if (b[j] != '1' && b[j] != '2') continue;
    if (b[++j] != '.') continue;
    size_t k = ++j;
    while (j < m && isdigit(b[j])) j++;
    if (j > k && j < m && b[j] == '-') return 1;
  }
  return 0;
}

/* One direction of a tunnel. `check`: test the first bytes for an SSH banner before any move.
 * `full`: the pipe refused more (it holds at most 256 chunks, whatever their size). */
struct dir {
  int src, dst, pipe[2];
  size_t in_pipe, cap;
  int eof, done, check, full, keep_open;
  uint64_t left; /* bytes this direction may still read from its source */
};

static void dir_init(struct dir *x, int src, int dst) {
  x->src = src;
  x->dst = dst;
  x->left = UINT64_MAX;
  if (pipe2(x->pipe, O_NONBLOCK | O_CLOEXEC) < 0) die("pipe");
  fcntl(x->pipe[1], F_SETPIPE_SZ, PIPE_BYTES); /* best effort: a smaller pipe only costs speed */
  int cap = fcntl(x->pipe[1], F_GETPIPE_SZ);
  if (cap <= 0) die("pipe size");
  x->cap = (size_t)cap;
}

/* The first bytes of an unchecked direction, peeked (not consumed): exit 3 on an SSH banner. */
static void check_first(struct dir *x) {
  static unsigned char buf[65536];
  ssize_t n = recv(x->src, buf, sizeof buf, MSG_PEEK);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
  x->check = 0;
  /* Threat: a reverse SSH tunnel through an allowed port (ROME); nothing of it is forwarded. */
  if (n > 0 && looks_like_ssh(buf, (size_t)n)) report(), _exit(3);
}

/* True when the socket's peer has gone for good (it can receive nothing more). */
static int hung_up(int fd) {
  struct pollfd p = { .fd = fd };
  return poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLERR));
}

/* Stops a direction whose destination cannot receive any more; what it still held is dropped. */
static void abandon(struct dir *x) {
  x->done = 1;
  x->in_pipe = 0;
}

/* Moves what is ready in direction i; returns when nothing more can move without waiting. */
static void pump_dir(struct dir d[2], int i) {
  struct dir *x = &d[i];
  if (x->done) return;
  if (x->check) {
    check_first(x);
    if (x->check) return;
  }
  for (;;) {
    int progress = 0;
    if (!x->eof && x->left == 0) x->eof = 1; /* its limit: what follows on the source is not ours */
    if (!x->eof && !x->full && x->in_pipe < x->cap) {
      size_t want = x->cap - x->in_pipe;
      if ((uint64_t)want > x->left) want = (size_t)x->left;
      ssize_t n = splice(x->src, NULL, x->pipe[1], NULL, want, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
      if (n > 0) x->in_pipe += (size_t)n, x->left -= (uint64_t)n, progress = 1;
      else if (n == 0) {
        x->eof = 1;
        /* The source closed for good (not a half-close): nothing can go back to it any more. */
        if (hung_up(x->src)) abandon(&d[1 - i]);
      } else if (errno == EAGAIN) {
        if (x->in_pipe > 0) x->full = 1; /* maybe the pipe, not the socket: wait for the pipe to drain */
      } else if (errno != EINTR) report(), _exit(0); /* reset: closing both ends it */
    }
    if (x->in_pipe > 0) {
      ssize_t n = splice(x->pipe[0], NULL, x->dst, NULL, x->in_pipe, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
      if (n > 0) x->in_pipe -= (size_t)n, moved[i] += (uint64_t)n, x->full = 0, progress = 1;
      else if (n < 0 && errno == EPIPE) {
        /* The destination's peer is gone; the other direction may still have bytes to deliver. */
        abandon(x);
        return;
      } else if (n < 0 && errno != EAGAIN && errno != EINTR) report(), _exit(0);
    }
    if (x->eof && x->in_pipe == 0) {
      if (!x->keep_open) shutdown(x->dst, SHUT_WR); /* half-close, as the proxy does */
      x->done = 1;
      return;
    }
    if (!progress) return;
  }
}

/* Pumps both directions between a and b until both are done. */
static void pump(struct dir d[2], int a, int b) {
  for (;;) {
    pump_dir(d, 0);
    pump_dir(d, 1);
    if (d[0].done && d[1].done) return;
    struct pollfd p[2] = { { .fd = a }, { .fd = b } };
    for (int i = 0; i < 2; i++) {
      if (d[i].done) continue;
      struct pollfd *src = &p[d[i].src == a ? 0 : 1], *dst = &p[d[i].dst == a ? 0 : 1];
      if (!d[i].eof && !d[i].full && d[i].in_pipe < d[i].cap) src->events |= POLLIN;
      if (d[i].in_pipe > 0) dst->events |= POLLOUT;
    }
    /* A socket with nothing to wait for is left out: its hang-up would otherwise wake poll forever. */
    for (int k = 0; k < 2; k++)
      if (p[k].events == 0) p[k].fd = -1;
    if (poll(p, 2, -1) < 0) {
      if (errno == EINTR) continue;
      die("poll");
    }
    if ((p[0].revents | p[1].revents) & POLLERR) return; /* a reset: closing both ends it */
  }
}

#define CLIENT_FD 3
#define UPSTREAM_FD 4

static void on_term(int sig) {
  (void)sig;
  report();
  _exit(0);
}

static int read_full(char *buf, size_t n) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = read(0, buf + got, n - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return -1;
    got += (size_t)r;
  }
  return 0;
}

/* Puts n bytes at the head of a direction's pipe (they go out first, through the normal loop). */
static void preload(struct dir *x, const char *buf, size_t n) {
  while (n > 0) {
    ssize_t w = write(x->pipe[1], buf, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) die("queueing the pending bytes"); /* more than a pipe holds: cannot happen (at most 64 KiB) */
    buf += w;
    n -= (size_t)w;
    x->in_pipe += (size_t)w;
  }
}

/* The bytes the proxy had read but not forwarded yet go first, in order. */
static void forward_pending(struct dir d[2]) {
  char head[48];
  size_t i = 0;
  while (i < sizeof head - 1) {
    ssize_t r = read(0, head + i, 1);
    if (r < 0 && errno == EINTR) continue;
    if (r != 1) die("reading the pending bytes");
    if (head[i++] == '\n') break;
  }
  head[i] = 0;
  unsigned long up, down;
  if (sscanf(head, "%lu %lu", &up, &down) != 2 || up > d[0].cap || down > d[1].cap) {
    errno = EINVAL;
    die("bad pending header");
  }
  char *buf = malloc(up + down + 1);
  if (!buf || read_full(buf, up + down) < 0) die("reading the pending bytes");
  preload(&d[0], buf, up);
  preload(&d[1], buf + up, down);
  free(buf);
  close(0);
}

int main(int argc, char **argv) {
  int check[2] = { 0, 0 };
  long parent = -1;
  long long up_only = -1;
  for (int a = 1; a < argc; a++) {
    if (strcmp(argv[a], "--check-up") == 0) check[0] = 1;
    else if (strcmp(argv[a], "--check-down") == 0) check[1] = 1;
    else if (strcmp(argv[a], "--parent") == 0 && a + 1 < argc) parent = strtol(argv[++a], NULL, 10);
    else if (strcmp(argv[a], "--up-only") == 0 && a + 1 < argc) up_only = strtoll(argv[++a], NULL, 10);
    else {
      errno = EINVAL;
      die(argv[a]);
    }
  }
  /* Threat: a tunnel that outlives Paddock (and its network switch); die with the parent, and not
   * start at all if the parent is already gone (adopted by init or a subreaper). */
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() == 1 || (parent > 0 && getppid() != (pid_t)parent)) return 1;
  signal(SIGPIPE, SIG_IGN);
  struct sigaction sa = { .sa_handler = on_term };
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  set_nonblock(CLIENT_FD);
  set_nonblock(UPSTREAM_FD);
  struct dir d[2];
  memset(d, 0, sizeof d);
  dir_init(&d[0], CLIENT_FD, UPSTREAM_FD);
  dir_init(&d[1], UPSTREAM_FD, CLIENT_FD);
  forward_pending(d);
  d[0].check = check[0];
  d[1].check = check[1];
  if (up_only >= 0) {
    d[0].left = (uint64_t)up_only;
    d[0].keep_open = 1;
    d[1].done = 1;
    d[1].in_pipe = 0;
  }
  pump(d, CLIENT_FD, UPSTREAM_FD);
  report();
  return 0;
}

/*
 * Bench only (bench/egress.bench.ts): the latency floor of a proxy hop on this machine. A
 * do-nothing CONNECT proxy in C: a thread per connection reads the head, dials the target, answers
 * 200 and copies both ways with poll(2). It decides nothing and logs nothing. Listens on
 * 127.0.0.1 (an ephemeral port, printed on stdout) and dials 127.0.0.1 only, whatever the head says.
 *
 * `connect-floor DECIDER_SOCKET`: the prototype of a native front for the agent's proxy (issue 17
 * goal 3). Before dialling it asks a decider for the verdict over a Unix socket: it sends
 * "HOST PORT\n" and reads back "A ADDRESS\n" (dial exactly that IPv4 address) or "D STATUS\n"
 * (answer 403 and close). The decider is Paddock's own decision pipeline in the bench process. Not
 * used by Paddock: no SOCKS, no plain HTTP, no ask gate, no tracking, IPv4 and one decider
 * connection (a mutex around each question) only.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int decider = -1;
static pthread_mutex_t ask_lock = PTHREAD_MUTEX_INITIALIZER;

/* Sends the question and reads one reply line into `out`; 0 on success. */
static int ask(const char *host, int port, char *out, size_t size) {
  char q[1100];
  int len = snprintf(q, sizeof q, "%s %d\n", host, port);
  if (len <= 0 || (size_t)len >= sizeof q) return -1;
  pthread_mutex_lock(&ask_lock);
  int rc = -1;
  if (write(decider, q, (size_t)len) == len) {
    size_t got = 0;
    while (got + 1 < size) {
      ssize_t m = read(decider, out + got, 1);
      if (m <= 0) break;
      if (out[got] == '\n') { out[got] = 0; rc = 0; break; }
      got++;
    }
  }
  pthread_mutex_unlock(&ask_lock);
  return rc;
}

static void *serve(void *arg) {
  int c = (int)(long)arg, u = -1, one = 1;
  char buf[65536], host[1025], verdict[128], addr[64] = "127.0.0.1";
  ssize_t n = read(c, buf, sizeof buf - 1);
  if (n <= 0) goto out;
  buf[n] = 0;
  char *end = strstr(buf, "\r\n\r\n");
  int port = 0;
  if (decider < 0) {
    if (!end || sscanf(buf, "CONNECT 127.0.0.1:%d ", &port) != 1 || port <= 0 || port > 65535) goto out;
  } else {
    if (!end || sscanf(buf, "CONNECT %1024[^: ]:%d ", host, &port) != 2 || port <= 0 || port > 65535) goto out;
    if (ask(host, port, verdict, sizeof verdict) != 0) goto out;
    if (verdict[0] != 'A' || sscanf(verdict, "A %63s", addr) != 1) {
      static const char no[] = "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n";
      (void)!write(c, no, sizeof no - 1);
      goto out;
    }
  }
  u = socket(AF_INET, SOCK_STREAM, 0);
  setsockopt(u, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  if (inet_pton(AF_INET, addr, &a.sin_addr) != 1 || connect(u, (struct sockaddr *)&a, sizeof a) < 0) goto out;
  static const char ok[] = "HTTP/1.1 200 Connection established\r\n\r\n";
  if (write(c, ok, sizeof ok - 1) < 0) goto out;
  ssize_t rest = n - (end + 4 - buf);
  if (rest > 0 && write(u, end + 4, (size_t)rest) < 0) goto out;
  struct pollfd p[2] = {{.fd = c, .events = POLLIN}, {.fd = u, .events = POLLIN}};
  for (;;) {
    if (poll(p, 2, -1) <= 0) goto out;
    for (int i = 0; i < 2; i++) {
      if (!p[i].revents) continue;
      ssize_t m = read(p[i].fd, buf, sizeof buf);
      if (m <= 0 || write(p[1 - i].fd, buf, (size_t)m) != m) goto out;
    }
  }
out:
  close(c);
  if (u >= 0) close(u);
  return NULL;
}

int main(int argc, char **argv) {
  if (argc > 2) return 2;
  if (argc == 2) {
    struct sockaddr_un d = {.sun_family = AF_UNIX};
    strncpy(d.sun_path, argv[1], sizeof d.sun_path - 1);
    decider = socket(AF_UNIX, SOCK_STREAM, 0);
    if (decider < 0 || connect(decider, (struct sockaddr *)&d, sizeof d) < 0) return 1;
  }
  int s = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t l = sizeof a;
  if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) < 0 || listen(s, 128) < 0 || getsockname(s, (struct sockaddr *)&a, &l) < 0) return 1;
  printf("%d\n", ntohs(a.sin_port));
  fflush(stdout);
  for (;;) {
    int c = accept(s, NULL, NULL);
    if (c < 0) continue;
    pthread_t t;
    if (pthread_create(&t, NULL, serve, (void *)(long)c) != 0) close(c);
    else pthread_detach(t);
  }
}

/*
 * Bench only (bench/egress.bench.ts): the latency floor of a proxy hop on this machine. A
 * do-nothing CONNECT proxy in C: a thread per connection reads the head, dials the target, answers
 * 200 and copies both ways with poll(2). It decides nothing and logs nothing. Listens on
 * 127.0.0.1 (an ephemeral port, printed on stdout) and dials 127.0.0.1 only, whatever the head says.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void *serve(void *arg) {
  int c = (int)(long)arg, u = -1, one = 1;
  char buf[65536];
  ssize_t n = read(c, buf, sizeof buf - 1);
  if (n <= 0) goto out;
  buf[n] = 0;
  char *end = strstr(buf, "\r\n\r\n");
  int port = 0;
  if (!end || sscanf(buf, "CONNECT 127.0.0.1:%d ", &port) != 1 || port <= 0 || port > 65535) goto out;
  u = socket(AF_INET, SOCK_STREAM, 0);
  setsockopt(u, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  if (connect(u, (struct sockaddr *)&a, sizeof a) < 0) goto out;
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

int main(void) {
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

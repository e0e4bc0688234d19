/*
 * Stand-in for the `rust` runtime's compiled app (webapp-platform rehearsal): a small HTTP/1.1
 * server on $HOST:$PORT (the host's config.env) that answers its health path with 200 only when
 * the database in $DATABASE_URL (secrets.env; sslmode=require) answers `SELECT 1` over TLS.
 * Other paths: "/" text, anything else 404. One request per connection, one at a time.
 * Built here with Debian's gcc and libpq; the artifact carries libpq and the libraries it needs
 * in lib/ (RPATH $ORIGIN/../lib), since the hosts install no libpq for compiled apps.
 */
#include <arpa/inet.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#ifndef HEALTH_CHECK_PATH
#define HEALTH_CHECK_PATH "/health"
#endif

static volatile sig_atomic_t stopping = 0;
static void on_term(int sig) { (void)sig; stopping = 1; }

static void reply(int fd, int status, const char *reason, const char *type, const char *body, int head) {
  char hdr[512];
  int n = snprintf(hdr, sizeof hdr,
                   "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
                   status, reason, type, strlen(body));
  if (write(fd, hdr, (size_t)n) < 0) return;
  if (!head && write(fd, body, strlen(body)) < 0) return;
}

static int db_ok(char *detail, size_t len) {
  const char *url = getenv("DATABASE_URL");
  if (!url || !*url) { snprintf(detail, len, "\"database\": \"error: DATABASE_URL is not set\""); return 0; }
  const char *keys[] = {"dbname", "connect_timeout", NULL};
  const char *vals[] = {url, "5", NULL};
  PGconn *c = PQconnectdbParams(keys, vals, 1);
  int ok = 0;
  if (PQstatus(c) != CONNECTION_OK) {
    snprintf(detail, len, "\"database\": \"error: connect failed\"");
  } else {
    PGresult *r = PQexec(c, "SELECT 1");
    ok = PQresultStatus(r) == PGRES_TUPLES_OK;
    snprintf(detail, len, "\"database\": \"%s\", \"database_tls\": %s", ok ? "ok" : "error: query failed", PQsslInUse(c) ? "true" : "false");
    PQclear(r);
  }
  PQfinish(c);
  return ok;
}

int main(void) {
  const char *host = getenv("HOST") ? getenv("HOST") : "127.0.0.1";
  int port = getenv("PORT") ? atoi(getenv("PORT")) : 3000;
  const char *health = getenv("HEALTH_CHECK_PATH") ? getenv("HEALTH_CHECK_PATH") : HEALTH_CHECK_PATH;
  signal(SIGTERM, on_term);
  signal(SIGINT, on_term);
  signal(SIGPIPE, SIG_IGN);
  int s = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a = {0};
  a.sin_family = AF_INET;
  a.sin_port = htons((unsigned short)port);
  if (inet_pton(AF_INET, host, &a.sin_addr) != 1) { fprintf(stderr, "HOST %s is not an IPv4 address\n", host); return 2; }
  if (bind(s, (struct sockaddr *)&a, sizeof a) < 0 || listen(s, 64) < 0) { perror("bind/listen"); return 1; }
  fprintf(stderr, "listening on %s:%d, health %s\n", host, port, health);
  while (!stopping) {
    int fd = accept(s, NULL, NULL);
    if (fd < 0) continue;
    struct timeval tv = {5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char buf[8192];
    ssize_t n = read(fd, buf, sizeof buf - 1);
    if (n <= 0) { close(fd); continue; }
    buf[n] = 0;
    char method[16] = "", path[2048] = "";
    if (sscanf(buf, "%15s %2047s", method, path) != 2) { reply(fd, 400, "Bad Request", "text/plain", "bad request\n", 0); close(fd); continue; }
    char *q = strchr(path, '?');
    if (q) *q = 0;
    int head = strcmp(method, "HEAD") == 0;
    if (strcmp(method, "GET") != 0 && !head) {
      reply(fd, 405, "Method Not Allowed", "text/plain", "method not allowed\n", 0);
    } else if (strcmp(path, health) == 0) {
      char detail[128], body[256];
      int ok = db_ok(detail, sizeof detail);
      snprintf(body, sizeof body, "{%s}\n", detail);
      reply(fd, ok ? 200 : 503, ok ? "OK" : "Service Unavailable", "application/json", body, head);
      fprintf(stderr, "%s %s %d\n", method, path, ok ? 200 : 503);
    } else if (strcmp(path, "/") == 0 || strcmp(path, "/api/") == 0) {
      reply(fd, 200, "OK", "text/plain", "webapp-platform rehearsal sample (compiled)\n", head);
    } else {
      reply(fd, 404, "Not Found", "text/plain", "not found\n", head);
    }
    close(fd);
  }
  close(s);
  return 0;
}

/*
 * bench_email.c - email delivery throughput: N alert messages through the SMTP sender to a local
 * SMTP server, reported as messages per second.
 *
 * By default it starts tests/tools/smtp_sink.py (Debian's python3-aiosmtpd, messages discarded)
 * on a free port. --sink c uses instead a trivial SMTP sink inside this program (one thread per
 * connection, every command answered 250, DATA read to its final dot and dropped), which shows
 * what the sender itself can do when the server is not the bottleneck; aiosmtpd is Python on one
 * core. --url sends to a relay that is already running. Each of T threads owns
 * one email_sender (one SMTP connection, reused for every message) and sends its share of the N
 * messages; every message is built in full (encoded subject, Vietnamese and English body with a
 * personal link) as the outbox would. The run fails if any message is not delivered.
 *
 * The sender's own CPU time per message is reported too (getrusage of this process, minus the
 * trivial sink's threads when it runs here, which share the process: so only with the Python sink
 * or --url is that figure the sender's alone).
 *
 * usage: bench_email [--n N] [--threads T] [--sink python|c] [--url smtp://host:port]
 *                    [--python PY]
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>
#include <sodium.h>

#include "delivery/email.h"
#include "util/clock.h"
#include "util/err.h"

extern char **environ;

static const char BENCH_SUBJECT[] = "Đại sứ quán Việt Nam tại Israel: bạn có an toàn không?";
static const char BENCH_VI[] =
    "Đại sứ quán Việt Nam tại Israel: bạn có an toàn không?\n"
    "Hãy bấm vào đường link dưới đây để cho chúng tôi biết tình trạng của bạn:\n";
static const char BENCH_EN[] =
    "Embassy of Viet Nam in Israel: are you safe? Please answer through the link above.";

typedef struct {
  const char *url;
  int first, count;
  int delivered, failed;
  int64_t worst_us;
} bench_job;

static void *bench_worker(void *arg) {
  bench_job *job = arg;
  email_config cfg = {.url = job->url, .timeout_ms = 10000};
  email_sender *s = NULL;
  if (email_sender_new(&cfg, &s) != BH_OK) return NULL;
  for (int i = job->first; i < job->first + job->count; i++) {
    char to[64], id[64], vi[512];
    snprintf(to, sizeof(to), "person%d@example.org", i);
    snprintf(id, sizeof(id), "bench.msg%d@baoho.test", i);
    snprintf(vi, sizeof(vi), "%shttps://baoho.example/c/tok%08dAbCdEfGh\n", BENCH_VI, i);
    email_message m = {.from = "canhbao@lanhsuvietnam.gov.vn",
                       .from_name = "Cục Lãnh sự",
                       .to = to,
                       .subject = BENCH_SUBJECT,
                       .message_id = id,
                       .body_vi = vi,
                       .body_en = BENCH_EN,
                       .date = 0};
    email_result r;
    int64_t t0 = clock_mono_us();
    if (email_send(s, &m, &r) == BH_OK && r.status == EMAIL_DELIVERED) {
      job->delivered++;
    } else if (job->failed++ == 0) {
      fprintf(stderr, "bench_email: message %d: %s %d %s\n", i, email_status_name(r.status),
              r.smtp_code, r.reply);
    }
    int64_t dt = clock_mono_us() - t0;
    if (dt > job->worst_us) job->worst_us = dt;
  }
  email_sender_free(s);
  return NULL;
}

/* Starts the SMTP sink with python (discarding messages) and returns its pid; its port goes to
 * *port. Returns -1 if it could not be started. */
static pid_t bench_start_sink(const char *python, unsigned *port) {
  const char *file = __FILE__;
  const char *slash = strrchr(file, '/');
  char script[1024];
  snprintf(script, sizeof(script), "%.*s/../tests/tools/smtp_sink.py",
           slash != NULL ? (int)(slash - file) : 1, slash != NULL ? file : ".");
  int out[2];
  if (pipe(out) != 0) return -1;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_addclose(&fa, out[0]);
  char *argv[] = {(char *)python, script, NULL};
  pid_t pid;
  int rc = posix_spawnp(&pid, python, &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  close(out[1]);
  if (rc != 0) {
    close(out[0]);
    return -1;
  }
  char line[64];
  size_t n = 0;
  struct pollfd pfd = {.fd = out[0], .events = POLLIN};
  while (n < sizeof(line) - 1 && (n == 0 || line[n - 1] != '\n') && poll(&pfd, 1, 10000) == 1) {
    ssize_t r = read(out[0], line + n, sizeof(line) - 1 - n);
    if (r <= 0) break;
    n += (size_t)r;
  }
  line[n] = '\0';
  close(out[0]);
  if (sscanf(line, "PORT %u", port) != 1) {
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    return -1;
  }
  return pid;
}

/* ---- the trivial sink ---- */

/* Serves one SMTP connection: greeting, 250 to every command, 354 to DATA and 250 after the
 * final dot, 221 to QUIT. */
static void *bench_sink_conn(void *arg) {
  int fd = (int)(intptr_t)arg;
  char buf[65536];
  size_t have = 0;
  int in_data = 0;
  if (write(fd, "220 sink ready\r\n", 16) != 16) goto out;
  for (;;) {
    ssize_t r = read(fd, buf + have, sizeof(buf) - have);
    if (r <= 0) break;
    have += (size_t)r;
    size_t start = 0;
    for (;;) {
      char *eol = memchr(buf + start, '\n', have - start);
      if (eol == NULL) break;
      size_t len = (size_t)(eol - (buf + start)) + 1;
      const char *line = buf + start;
      const char *reply = NULL;
      if (in_data) {
        if (len == 3 && memcmp(line, ".\r\n", 3) == 0) in_data = 0, reply = "250 queued\r\n";
      } else if (len >= 4 && strncasecmp(line, "DATA", 4) == 0) {
        in_data = 1, reply = "354 go ahead\r\n";
      } else if (len >= 4 && strncasecmp(line, "QUIT", 4) == 0) {
        (void)!write(fd, "221 bye\r\n", 9);
        goto out;
      } else {
        reply = "250 ok\r\n";
      }
      if (reply != NULL && write(fd, reply, strlen(reply)) != (ssize_t)strlen(reply)) goto out;
      start += len;
    }
    memmove(buf, buf + start, have - start);
    have -= start;
    if (have == sizeof(buf)) have = 0; /* an overlong line of message data: drop it */
  }
out:
  close(fd);
  return NULL;
}

/* Accepts connections on the listening socket forever, one thread each. */
static void *bench_sink_accept(void *arg) {
  int lfd = (int)(intptr_t)arg;
  for (;;) {
    int fd = accept(lfd, NULL, NULL);
    if (fd < 0) continue;
    pthread_t t;
    if (pthread_create(&t, NULL, bench_sink_conn, (void *)(intptr_t)fd) == 0)
      pthread_detach(t);
    else
      close(fd);
  }
  return NULL;
}

/* Starts the trivial sink on a free port of 127.0.0.1; returns the port, 0 on failure. */
static unsigned bench_start_c_sink(void) {
  int lfd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = 0};
  sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(sin);
  if (lfd < 0 || bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) != 0 || listen(lfd, 64) != 0 ||
      getsockname(lfd, (struct sockaddr *)&sin, &len) != 0)
    return 0;
  pthread_t t;
  if (pthread_create(&t, NULL, bench_sink_accept, (void *)(intptr_t)lfd) != 0) return 0;
  pthread_detach(t);
  return ntohs(sin.sin_port);
}

/* CPU seconds (user and system) this process has used. */
static double bench_cpu(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
         (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* Parses a positive integer option value; exits on anything else. */
static int bench_int(const char *s) {
  char *end;
  long v = strtol(s, &end, 10);
  if (*s == '\0' || *end != '\0' || v <= 0 || v > 10000000) {
    fprintf(stderr, "bench_email: '%s' is not a positive number\n", s);
    exit(2);
  }
  return (int)v;
}

int main(int argc, char **argv) {
  int n = 5000, threads = 1;
  const char *url = NULL, *python = "/usr/bin/python3", *sink_kind = "python";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (strcmp(argv[i], "--n") == 0)
      n = bench_int(argv[i + 1]);
    else if (strcmp(argv[i], "--threads") == 0)
      threads = bench_int(argv[i + 1]);
    else if (strcmp(argv[i], "--url") == 0)
      url = argv[i + 1];
    else if (strcmp(argv[i], "--python") == 0)
      python = argv[i + 1];
    else if (strcmp(argv[i], "--sink") == 0)
      sink_kind = argv[i + 1];
    else {
      fprintf(stderr,
              "usage: bench_email [--n N] [--threads T] [--sink python|c] [--url URL] "
              "[--python PY]\n");
      return 2;
    }
  }
  if (threads > 64) threads = 64;
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK || sodium_init() < 0) return 1;
  char url_buf[64];
  pid_t sink = -1;
  if (url == NULL && strcmp(sink_kind, "c") == 0) {
    unsigned port = bench_start_c_sink();
    if (port == 0) {
      fprintf(stderr, "bench_email: cannot start the trivial sink\n");
      return 1;
    }
    snprintf(url_buf, sizeof(url_buf), "smtp://127.0.0.1:%u", port);
    url = url_buf;
  } else if (url == NULL) {
    unsigned port = 0;
    sink = bench_start_sink(python, &port);
    if (sink < 0) {
      fprintf(stderr, "bench_email: cannot start the SMTP sink (is python3-aiosmtpd installed?)\n");
      return 1;
    }
    snprintf(url_buf, sizeof(url_buf), "smtp://127.0.0.1:%u", port);
    url = url_buf;
  }
  bench_job jobs[64];
  pthread_t tids[64];
  double cpu0 = bench_cpu();
  int64_t t0 = clock_mono_us();
  for (int t = 0; t < threads; t++) {
    jobs[t] = (bench_job){.url = url,
                          .first = n / threads * t,
                          .count = t == threads - 1 ? n - n / threads * t : n / threads};
    pthread_create(&tids[t], NULL, bench_worker, &jobs[t]);
  }
  int delivered = 0;
  int64_t worst = 0;
  for (int t = 0; t < threads; t++) {
    pthread_join(tids[t], NULL);
    delivered += jobs[t].delivered;
    if (jobs[t].worst_us > worst) worst = jobs[t].worst_us;
  }
  double secs = (double)(clock_mono_us() - t0) / 1e6;
  double cpu = bench_cpu() - cpu0;
  printf(
      "bench_email: %d of %d messages delivered to %s sink in %.2f s with %d sender%s: "
      "%.0f messages/s, slowest message %.1f ms, CPU of this process %.0f us/message\n",
      delivered, n, url == url_buf ? sink_kind : "external", secs, threads, threads == 1 ? "" : "s",
      delivered / secs, (double)worst / 1000.0, cpu * 1e6 / n);
  fflush(stdout);
  if (sink > 0) {
    kill(sink, SIGTERM); /* the sink prints its connection and message counts on exit */
    waitpid(sink, NULL, 0);
  }
  curl_global_cleanup();
  return delivered == n ? 0 : 1;
}

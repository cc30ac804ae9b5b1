/* Native load client for the pplx-proxy benchmark: one thread, epoll, non-blocking HTTP/1.1.
 *
 *   loadgen stream --port P --path PATH --streams N [--model M] [--ramp-ms R] [--chunks C --interval-ms I]
 *                  [--timeout-s T] [--hold] [--hold-s S] [--pid PID]
 *       Opens N connections (spread over R ms), each POSTs one streaming chat completion and reads the SSE
 *       stream to its end. Every "@T<ns>@" found in an event is a send time (CLOCK_MONOTONIC) embedded by the
 *       emulator: latency = arrival time of the read that delivered it - send time. TTFB = request written ->
 *       first event with a timestamp. Errors: connect failure, non-200, `event: error` or an {"error":…} event,
 *       EOF before the end of the body, a body without `data: [DONE]`, the timeout.
 *       Prints "all-open N" on stderr once every stream has received its first timestamped event; with --hold it
 *       then keeps the streams open until SIGUSR1 (or --hold-s), closes them and reports the healthy ones as
 *       "held" (they also count as ok). "peak_open" is the most streams open at once after their first event.
 *       --chunks/--interval-ms put "bench:c=C:i=I" in the user message, which the emulator obeys.
 *       --pid: CPU time (utime+stime from /proc/PID/stat) of that process over the run, and its RSS idle
 *       (before connecting), with all streams open (at "all-open"), the largest seen (sampled every 100 ms)
 *       and at the end.
 *
 *   loadgen rps --port P --path PATH --connections K --duration-s D [--body nonstream|stream] [--pid PID]
 *       K keep-alive connections each send a request, read the whole response and send the next.
 *
 *   loadgen freeport
 *       Prints a free TCP port on 127.0.0.1.
 *
 * Output: one JSON line on stdout.
 * Build: gcc -O2 -o loadgen loadgen.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void *xrealloc(void *p, size_t n) {
    p = realloc(p, n);
    if (!p) { perror("realloc"); abort(); }
    return p;
}

/* ---------- samples ---------- */

typedef struct {
    uint64_t *v;
    size_t len, cap;
} samples_t;

static void sample_add(samples_t *s, uint64_t x) {
    if (s->len == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 4096;
        s->v = xrealloc(s->v, s->cap * sizeof(uint64_t));
    }
    s->v[s->len++] = x;
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Nearest-rank percentile in microseconds (with 0.1 µs precision); -1 when there are no samples. */
static double pct_us(samples_t *s, double p) {
    if (s->len == 0) return -1;
    size_t k = (size_t)(p / 100.0 * (double)s->len + 0.999999);
    if (k < 1) k = 1;
    if (k > s->len) k = s->len;
    return (double)s->v[k - 1] / 1000.0;
}

/* ---------- /proc ---------- */

static long g_clk_tck;

/* utime+stime of a process in microseconds, -1 if unreadable. */
static long long proc_cpu_us(int pid) {
    if (pid <= 0) return -1;
    char path[64], buf[2048];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char *p = strrchr(buf, ')'); /* the command name may contain spaces */
    if (!p) return -1;
    unsigned long long ut = 0, st = 0;
    /* after ')': state(3) ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime(14) stime(15) */
    if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2) return -1;
    return (long long)((ut + st) * 1000000ull / (unsigned long long)g_clk_tck);
}

static long proc_rss_kb(int pid) {
    if (pid <= 0) return -1;
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    long kb = -1;
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, "VmRSS:", 6)) { kb = strtol(line + 6, NULL, 10); break; }
    fclose(f);
    return kb;
}

/* ---------- options ---------- */

static int o_port, o_streams = 1, o_ramp_ms, o_chunks = -1, o_interval_ms = -1, o_timeout_s = 60, o_hold, o_hold_s = 60;
static int o_connections = 16, o_duration_s = 5, o_pid, o_nonstream = 1;
static const char *o_path = "/v1/chat/completions", *o_model = "sonar";

static volatile sig_atomic_t g_release;
static void on_usr1(int sig) { (void)sig; g_release = 1; }

/* ---------- connections ---------- */

enum cstate { C_IDLE, C_CONNECTING, C_SENDING, C_HEAD, C_BODY, C_FINISHED };
enum err {
    E_CONNECT, E_STATUS, E_EVENT, E_PREMATURE, E_NODONE, E_TIMEOUT, E_PROTOCOL, E_COUNT
};
static const char *const ERR_NAMES[E_COUNT] = {"connect", "status", "error_event", "premature_close",
                                               "missing_done", "timeout", "protocol"};

struct lconn {
    int fd;
    enum cstate state;
    size_t req_off;
    uint64_t t_start, t_sent;
    /* response */
    char *in;
    size_t in_len, in_cap;
    int status;
    int chunked, close_delim, conn_close;
    long long content_left; /* content-length bodies */
    /* chunked decoder */
    int ck_state; /* 0 size digits, 4 rest of the size line, 1 data, 2 data CRLF, 3 trailers */
    unsigned long long ck_left;
    int ck_size_digits; /* also, in the trailers, whether the current line has text */
    /* SSE */
    char *line;
    size_t line_len, line_cap;
    int event_error;
    int got_first, got_done, failed, in_use;
    int events;
};

static struct lconn *g_conns;
static int g_epfd;
static char *g_req;
static size_t g_req_len;
static samples_t g_lat, g_ttfb, g_reqlat;
static long long g_errs[E_COUNT];
static char g_first_error[256];
static long long g_ok, g_chunks, g_events, g_first_count, g_finished_count, g_requests;
/* Streams that have received their first timestamped event and not ended, now and at most. */
static long long g_open_now, g_open_peak;
static int g_active;

static void note_error(struct lconn *c, enum err e, const char *fmt, ...) {
    if (c) c->failed = 1;
    g_errs[e]++;
    if (!g_first_error[0]) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(g_first_error, sizeof g_first_error, fmt, ap);
        va_end(ap);
        for (char *p = g_first_error; *p; p++) if (*p == '"' || *p == '\\' || *p < 32) *p = ' ';
    }
}

static void build_request(void) {
    char body[512];
    char shape[64] = "";
    if (o_chunks > 0 || o_interval_ms >= 0) {
        int n = 0;
        n += snprintf(shape + n, sizeof shape - (size_t)n, " bench:");
        if (o_chunks > 0) n += snprintf(shape + n, sizeof shape - (size_t)n, "c=%d", o_chunks);
        if (o_chunks > 0 && o_interval_ms >= 0) n += snprintf(shape + n, sizeof shape - (size_t)n, ":");
        if (o_interval_ms >= 0) snprintf(shape + n, sizeof shape - (size_t)n, "i=%d", o_interval_ms);
    }
    int bl = snprintf(body, sizeof body,
                      "{\"model\":\"%s\",%s\"messages\":[{\"role\":\"user\",\"content\":"
                      "\"What is the capital of France?%s\"}]}",
                      o_model, o_nonstream ? "" : "\"stream\":true,", shape);
    g_req = malloc(1024);
    g_req_len = (size_t)snprintf(g_req, 1024,
                                 "POST %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nAuthorization: Bearer sk-bench-client\r\n"
                                 "Content-Type: application/json\r\nAccept: %s\r\nContent-Length: %d\r\n\r\n%s",
                                 o_path, o_port, o_nonstream ? "application/json" : "text/event-stream", bl, body);
}

static void conn_reset_response(struct lconn *c) {
    c->in_len = 0;
    c->status = 0;
    c->chunked = c->close_delim = c->conn_close = 0;
    c->content_left = -1;
    c->ck_state = 0;
    c->ck_left = 0;
    c->ck_size_digits = 0;
    c->line_len = 0;
    c->event_error = 0;
    c->got_first = c->got_done = 0;
    c->events = 0;
}

static void conn_close(struct lconn *c) {
    if (c->fd >= 0) {
        epoll_ctl(g_epfd, EPOLL_CTL_DEL, c->fd, NULL);
        close(c->fd);
    }
    c->fd = -1;
}

/* Ends a stream (stream mode): closes it and counts the outcome. */
static void stream_finish(struct lconn *c) {
    if (c->state == C_FINISHED) return;
    if (!c->failed) g_ok++;
    if (c->got_first) g_open_now--;
    c->state = C_FINISHED;
    g_finished_count++;
    g_active--;
    conn_close(c);
}

static int conn_open(struct lconn *c) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        note_error(c, E_CONNECT, "socket: %s", strerror(errno));
        return -1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)o_port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    c->fd = fd;
    c->req_off = 0;
    c->t_start = now_ns();
    conn_reset_response(c);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0 && errno != EINPROGRESS) {
        note_error(c, E_CONNECT, "connect: %s", strerror(errno));
        close(fd);
        c->fd = -1;
        return -1;
    }
    c->state = C_CONNECTING;
    struct epoll_event ev = {.events = EPOLLOUT | EPOLLIN | EPOLLRDHUP, .data.ptr = c};
    epoll_ctl(g_epfd, EPOLL_CTL_ADD, fd, &ev);
    return 0;
}

/* ---------- SSE ---------- */

/* One complete SSE line (no newline). */
static void sse_line(struct lconn *c, const char *l, size_t n, uint64_t arrival) {
    if (n && l[n - 1] == '\r') n--;
    if (n == 0) {
        if (c->event_error) note_error(c, E_EVENT, "error event");
        c->event_error = 0;
        return;
    }
    if (n >= 6 && !memcmp(l, "event:", 6)) {
        const char *v = l + 6;
        size_t vn = n - 6;
        if (vn && *v == ' ') v++, vn--;
        if (vn == 5 && !memcmp(v, "error", 5)) c->event_error = 1;
        return;
    }
    if (n < 5 || memcmp(l, "data:", 5)) return;
    const char *v = l + 5;
    size_t vn = n - 5;
    if (vn && *v == ' ') v++, vn--;
    c->events++;
    g_events++;
    if (vn == 6 && !memcmp(v, "[DONE]", 6)) { c->got_done = 1; return; }
    if (vn >= 9 && !memcmp(v, "{\"error\"", 8)) {
        note_error(c, E_EVENT, "error data: %.120s", v);
        return;
    }
    const char *end = v + vn;
    for (const char *p = v; p < end;) {
        const char *t = memmem(p, (size_t)(end - p), "@T", 2);
        if (!t) break;
        const char *q = t + 2;
        uint64_t ts = 0;
        int digits = 0;
        while (q < end && *q >= '0' && *q <= '9') ts = ts * 10 + (uint64_t)(*q++ - '0'), digits++;
        if (digits && q < end && *q == '@') {
            sample_add(&g_lat, arrival > ts ? arrival - ts : 0);
            g_chunks++;
            if (!c->got_first) {
                c->got_first = 1;
                g_first_count++;
                if (++g_open_now > g_open_peak) g_open_peak = g_open_now;
                sample_add(&g_ttfb, arrival - c->t_sent);
            }
        }
        p = q;
    }
}

static void sse_bytes(struct lconn *c, const char *d, size_t n, uint64_t arrival) {
    while (n) {
        const char *nl = memchr(d, '\n', n);
        size_t take = nl ? (size_t)(nl - d) : n;
        if (c->line_len == 0 && nl) {
            sse_line(c, d, take, arrival);
        } else {
            if (c->line_len + take > c->line_cap) {
                c->line_cap = (c->line_len + take) * 2 + 256;
                c->line = xrealloc(c->line, c->line_cap);
            }
            memcpy(c->line + c->line_len, d, take);
            c->line_len += take;
            if (nl) {
                sse_line(c, c->line, c->line_len, arrival);
                c->line_len = 0;
            }
        }
        if (!nl) return;
        d += take + 1;
        n -= take + 1;
    }
}

/* ---------- HTTP/1.1 response ---------- */

/* Returns 1 when the body is complete. */
static int body_bytes(struct lconn *c, const char *d, size_t n, uint64_t arrival, int sse) {
    if (!c->chunked) {
        if (c->content_left >= 0) {
            size_t take = (long long)n > c->content_left ? (size_t)c->content_left : n;
            if (sse) sse_bytes(c, d, take, arrival);
            c->content_left -= (long long)take;
            return c->content_left == 0;
        }
        if (sse) sse_bytes(c, d, n, arrival);
        return 0;
    }
    size_t i = 0;
    while (i < n) {
        switch (c->ck_state) {
        case 0: /* chunk size: hex digits */
        case 4: { /* chunk extension or CR: skipped up to the LF */
            char ch = d[i++];
            if (ch == '\n') {
                if (!c->ck_size_digits) { note_error(c, E_PROTOCOL, "bad chunk size line"); return 1; }
                c->ck_state = c->ck_left ? 1 : 3;
                c->ck_size_digits = 0;
                break;
            }
            int v = (ch >= '0' && ch <= '9') ? ch - '0' : (ch >= 'a' && ch <= 'f') ? ch - 'a' + 10
                    : (ch >= 'A' && ch <= 'F') ? ch - 'A' + 10 : -1;
            if (c->ck_state == 0 && v >= 0) {
                c->ck_left = c->ck_left * 16 + (unsigned)v;
                c->ck_size_digits++;
            } else {
                c->ck_state = 4;
            }
            break;
        }
        case 1: {
            size_t take = n - i < c->ck_left ? n - i : (size_t)c->ck_left;
            if (sse) sse_bytes(c, d + i, take, arrival);
            i += take;
            c->ck_left -= take;
            if (c->ck_left == 0) c->ck_state = 2;
            break;
        }
        case 2:
            if (d[i++] == '\n') c->ck_state = 0;
            break;
        case 3: /* trailers: done at the first empty line */
            if (d[i] == '\n') {
                if (c->ck_size_digits == 0) return 1;
                c->ck_size_digits = 0;
            } else if (d[i] != '\r') {
                c->ck_size_digits = 1;
            }
            i++;
            break;
        }
    }
    return 0;
}

/* Parses the head once it is complete; returns the offset of the body, 0 if incomplete, -1 on error. */
/* Appends received bytes to the connection's head buffer, growing it as needed. */
static void append_input(struct lconn *c, const char *d, size_t len) {
    if (c->in_len + len > c->in_cap) {
        c->in_cap = (c->in_len + len) * 2;
        c->in = xrealloc(c->in, c->in_cap);
    }
    memcpy(c->in + c->in_len, d, len);
    c->in_len += len;
}

/* Writes what is left of the request: 1 when all of it is out, 0 when the socket would block, -1 on an error
   (already noted on the connection). */
static int send_request(struct lconn *c) {
    while (c->req_off < g_req_len) {
        ssize_t n = write(c->fd, g_req + c->req_off, g_req_len - c->req_off);
        if (n > 0) { c->req_off += (size_t)n; continue; }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return 0;
        note_error(c, E_PREMATURE, "write: %s", strerror(errno));
        return -1;
    }
    return 1;
}

static long parse_head(struct lconn *c) {
    char *he = memmem(c->in, c->in_len, "\r\n\r\n", 4);
    if (!he) return 0;
    size_t hlen = (size_t)(he - c->in) + 4;
    if (c->in_len < 12 || memcmp(c->in, "HTTP/1.", 7)) return -1;
    c->status = atoi(c->in + 9);
    char *p = memchr(c->in, '\n', hlen);
    while (p && p < c->in + hlen) {
        char *line = p + 1;
        char *eol = memchr(line, '\n', (size_t)(c->in + hlen - line));
        if (!eol) break;
        size_t ln = (size_t)(eol - line);
        if (ln > 18 && !strncasecmp(line, "transfer-encoding:", 18) && memmem(line, ln, "chunked", 7)) c->chunked = 1;
        else if (ln > 15 && !strncasecmp(line, "content-length:", 15)) c->content_left = strtoll(line + 15, NULL, 10);
        else if (ln > 11 && !strncasecmp(line, "connection:", 11) && memmem(line, ln, "close", 5)) c->conn_close = 1;
        p = eol;
    }
    if (c->status == 100) { /* interim response: drop it and keep reading */
        memmove(c->in, c->in + hlen, c->in_len - hlen);
        c->in_len -= hlen;
        c->status = 0;
        c->chunked = 0;
        c->content_left = -1;
        return parse_head(c);
    }
    if (!c->chunked && c->content_left < 0) c->close_delim = 1;
    return (long)hlen;
}

/* ---------- stream mode ---------- */

static void stream_response_end(struct lconn *c, int eof) {
    if (c->status != 200) {
        /* already counted when the head arrived */
    } else if (eof && !c->close_delim) {
        note_error(c, E_PREMATURE, "connection closed before the end of the body (%d events)", c->events);
    } else if (!c->got_done) {
        note_error(c, E_NODONE, "body ended without [DONE] (%d events)", c->events);
    }
    stream_finish(c);
}

static void stream_readable(struct lconn *c) {
    char buf[65536];
    for (;;) {
        ssize_t n = read(c->fd, buf, sizeof buf);
        uint64_t arrival = now_ns();
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
        if (n <= 0) {
            if (c->state == C_HEAD) note_error(c, E_PREMATURE, "closed before the response head: %s",
                                               n < 0 ? strerror(errno) : "EOF");
            stream_response_end(c, 1);
            return;
        }
        const char *d = buf;
        size_t len = (size_t)n;
        if (c->state == C_SENDING) c->state = C_HEAD; /* a response before the whole request went out */
        if (c->state == C_HEAD) {
            append_input(c, d, len);
            long h = parse_head(c);
            if (h == 0) {
                if (c->in_len > 65536) { note_error(c, E_PROTOCOL, "head too large"); stream_finish(c); return; }
                continue;
            }
            if (h < 0) { note_error(c, E_PROTOCOL, "bad response head"); stream_finish(c); return; }
            if (c->status != 200) {
                size_t show = c->in_len - (size_t)h < 200 ? c->in_len - (size_t)h : 200;
                note_error(c, E_STATUS, "status %d: %.*s", c->status, (int)show, c->in + h);
                stream_finish(c);
                return;
            }
            c->state = C_BODY;
            d = c->in + h;
            len = c->in_len - (size_t)h;
        }
        if (len && body_bytes(c, d, len, arrival, 1)) {
            stream_response_end(c, 0);
            return;
        }
        if (c->state == C_FINISHED) return;
    }
}

static void stream_writable(struct lconn *c) {
    if (c->state == C_CONNECTING) {
        int err = 0;
        socklen_t el = sizeof err;
        getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &el);
        if (err) {
            note_error(c, E_CONNECT, "connect: %s", strerror(err));
            stream_finish(c);
            return;
        }
        c->state = C_SENDING;
    }
    if (c->state != C_SENDING) return;
    int sent = send_request(c);
    if (sent == 0) return;
    if (sent < 0) { stream_finish(c); return; }
    c->t_sent = now_ns();
    c->state = C_HEAD;
    struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.ptr = c};
    epoll_ctl(g_epfd, EPOLL_CTL_MOD, c->fd, &ev);
}

static void print_lat(FILE *f, const char *name, samples_t *s) {
    qsort(s->v, s->len, sizeof(uint64_t), cmp_u64);
    fprintf(f, "\"%s\":{\"n\":%zu,\"p50\":%.1f,\"p90\":%.1f,\"p99\":%.1f,\"max\":%.1f}", name, s->len, pct_us(s, 50),
            pct_us(s, 90), pct_us(s, 99), pct_us(s, 100));
}

static void print_errors(FILE *f) {
    long long total = 0;
    for (int i = 0; i < E_COUNT; i++) total += g_errs[i];
    fprintf(f, "\"errors\":%lld,\"error_kinds\":{", total);
    int first = 1;
    for (int i = 0; i < E_COUNT; i++)
        if (g_errs[i]) { fprintf(f, "%s\"%s\":%lld", first ? "" : ",", ERR_NAMES[i], g_errs[i]); first = 0; }
    fprintf(f, "},\"first_error\":\"%s\"", g_first_error);
}

static int run_stream(void) {
    o_nonstream = 0;
    build_request();
    g_conns = calloc((size_t)o_streams, sizeof(struct lconn));
    for (int i = 0; i < o_streams; i++) g_conns[i].fd = -1;
    long rss_idle = proc_rss_kb(o_pid), rss_open = -1, rss_peak = rss_idle;
    uint64_t next_rss_sample = 0;
    long long cpu0 = proc_cpu_us(o_pid);
    uint64_t t0 = now_ns(), deadline = t0 + (uint64_t)o_timeout_s * 1000000000ull, t_all_open = 0;
    uint64_t hold_deadline = 0;
    int opened = 0, all_open = 0;
    long long held = 0;
    struct epoll_event evs[1024];
    g_active = 0;
    for (;;) {
        uint64_t now = now_ns();
        if (o_pid > 0 && now >= next_rss_sample) {
            long kb = proc_rss_kb(o_pid);
            if (kb > rss_peak) rss_peak = kb;
            next_rss_sample = now + 100000000ull;
        }
        /* open the streams due by now */
        int due = o_ramp_ms <= 0 ? o_streams
                                 : (int)((double)o_streams * (double)(now - t0) / ((double)o_ramp_ms * 1e6)) + 1;
        if (due > o_streams) due = o_streams;
        while (opened < due) {
            struct lconn *c = &g_conns[opened++];
            c->in_use = 1;
            g_active++;
            if (conn_open(c) < 0) { c->state = C_FINISHED; g_finished_count++; g_active--; }
        }
        if (!all_open && opened == o_streams && g_first_count == o_streams) {
            all_open = 1;
            t_all_open = now_ns();
            rss_open = proc_rss_kb(o_pid);
            if (rss_open > rss_peak) rss_peak = rss_open;
            fprintf(stderr, "all-open %d\n", o_streams);
            fflush(stderr);
            if (o_hold) hold_deadline = t_all_open + (uint64_t)o_hold_s * 1000000000ull;
        }
        if (o_hold && all_open && (g_release || now_ns() >= hold_deadline)) {
            for (int i = 0; i < o_streams; i++) {
                struct lconn *c = &g_conns[i];
                if (c->state != C_FINISHED) {
                    if (!c->failed) held++;
                    stream_finish(c);
                }
            }
            break;
        }
        if (opened == o_streams && g_active == 0) break;
        if (now >= deadline) {
            for (int i = 0; i < o_streams; i++) {
                struct lconn *c = &g_conns[i];
                if (c->in_use && c->state != C_FINISHED) {
                    note_error(c, E_TIMEOUT, "timeout after %d s (%d events on the slowest stream)", o_timeout_s,
                               c->events);
                    stream_finish(c);
                }
            }
            break;
        }
        int timeout = opened < o_streams ? 1 : 50;
        int n = epoll_wait(g_epfd, evs, 1024, timeout);
        for (int i = 0; i < n; i++) {
            struct lconn *c = evs[i].data.ptr;
            if (c->state == C_FINISHED) continue;
            if (evs[i].events & EPOLLOUT) stream_writable(c);
            if (c->state != C_FINISHED && c->state >= C_SENDING &&
                (evs[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)))
                stream_readable(c);
        }
    }
    uint64_t t_end = now_ns();
    long long cpu1 = proc_cpu_us(o_pid);
    long rss_end = proc_rss_kb(o_pid);
    printf("{\"mode\":\"stream\",\"streams\":%d,\"ok\":%lld,\"held\":%lld,\"peak_open\":%lld,\"chunks\":%lld,"
           "\"events\":%lld,",
           o_streams, g_ok, held, g_open_peak, g_chunks, g_events);
    print_errors(stdout);
    printf(",");
    print_lat(stdout, "latency_us", &g_lat);
    printf(",");
    print_lat(stdout, "ttfb_us", &g_ttfb);
    printf(",\"all_open_ms\":%.1f,\"elapsed_ms\":%.1f,\"cpu_us\":%lld,\"rss_idle_kb\":%ld,\"rss_open_kb\":%ld,"
           "\"rss_peak_kb\":%ld,\"rss_end_kb\":%ld}\n",
           all_open ? (double)(t_all_open - t0) / 1e6 : -1.0, (double)(t_end - t0) / 1e6,
           cpu0 >= 0 && cpu1 >= 0 ? cpu1 - cpu0 : -1, rss_idle, rss_open, rss_peak, rss_end);
    return 0;
}

/* ---------- rps mode ---------- */

static int g_stopping;

static void rps_send(struct lconn *c) {
    int sent = send_request(c);
    if (sent == 0) return;
    if (sent < 0) { conn_close(c); c->state = C_IDLE; return; }
    c->state = C_HEAD;
    struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.ptr = c};
    epoll_ctl(g_epfd, EPOLL_CTL_MOD, c->fd, &ev);
}

static void rps_next(struct lconn *c) {
    if (g_stopping) { conn_close(c); c->state = C_FINISHED; g_active--; return; }
    if (c->fd < 0) {
        if (conn_open(c) < 0) { c->state = C_IDLE; return; }
        c->t_sent = now_ns();
        return;
    }
    c->req_off = 0;
    conn_reset_response(c);
    c->t_sent = now_ns();
    c->state = C_SENDING;
    struct epoll_event ev = {.events = EPOLLOUT | EPOLLIN | EPOLLRDHUP, .data.ptr = c};
    epoll_ctl(g_epfd, EPOLL_CTL_MOD, c->fd, &ev);
    rps_send(c);
}

static void rps_done(struct lconn *c, int ok) {
    if (ok) {
        g_requests++;
        sample_add(&g_reqlat, now_ns() - c->t_sent);
    }
    if (c->conn_close || !ok) { conn_close(c); }
    c->state = C_IDLE;
    rps_next(c);
}

static void rps_event(struct lconn *c, uint32_t events) {
    if (c->state == C_CONNECTING && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
        int err = 0;
        socklen_t el = sizeof err;
        getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &el);
        if (err) {
            note_error(c, E_CONNECT, "connect: %s", strerror(err));
            conn_close(c);
            c->state = C_IDLE;
            return;
        }
        c->state = C_SENDING;
        c->req_off = 0;
    }
    if (c->state == C_SENDING && (events & EPOLLOUT)) rps_send(c);
    if (c->state < C_HEAD || !(events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))) return;
    char buf[65536];
    for (;;) {
        ssize_t n = read(c->fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
        if (n <= 0) {
            if (c->state == C_BODY && c->close_delim) { rps_done(c, 1); return; }
            note_error(c, E_PREMATURE, "closed mid-response");
            conn_close(c);
            c->state = C_IDLE;
            rps_next(c);
            return;
        }
        const char *d = buf;
        size_t len = (size_t)n;
        if (c->state == C_HEAD) {
            append_input(c, d, len);
            long h = parse_head(c);
            if (h == 0) continue;
            if (h < 0) { note_error(c, E_PROTOCOL, "bad response head"); rps_done(c, 0); return; }
            if (c->status != 200) note_error(c, E_STATUS, "status %d", c->status);
            c->state = C_BODY;
            d = c->in + h;
            len = c->in_len - (size_t)h;
            if (c->content_left == 0) { rps_done(c, c->status == 200); return; }
        }
        if (len && body_bytes(c, d, len, 0, 0)) { rps_done(c, c->status == 200); return; }
    }
}

static int run_rps(void) {
    build_request();
    g_conns = calloc((size_t)o_connections, sizeof(struct lconn));
    long long cpu0 = proc_cpu_us(o_pid);
    uint64_t t0 = now_ns(), t_stop = t0 + (uint64_t)o_duration_s * 1000000000ull;
    for (int i = 0; i < o_connections; i++) {
        g_conns[i].fd = -1;
        g_active++;
        rps_next(&g_conns[i]);
    }
    struct epoll_event evs[256];
    uint64_t t_end = 0;
    long long completed_at_stop = -1;
    for (;;) {
        uint64_t now = now_ns();
        if (!g_stopping && now >= t_stop) {
            g_stopping = 1;
            completed_at_stop = g_requests;
            t_end = now;
        }
        if (g_stopping && (g_active <= 0 || now >= t_stop + 2000000000ull)) break;
        for (int i = 0; i < o_connections; i++) /* connections that failed to connect retry */
            if (g_conns[i].state == C_IDLE && g_conns[i].fd < 0 && !g_stopping) rps_next(&g_conns[i]);
        int n = epoll_wait(g_epfd, evs, 256, 10);
        for (int i = 0; i < n; i++) rps_event(evs[i].data.ptr, evs[i].events);
        for (int i = 0; i < o_connections; i++)
            if (g_stopping && g_conns[i].state == C_IDLE) { conn_close(&g_conns[i]); g_conns[i].state = C_FINISHED; g_active--; }
    }
    long long cpu1 = proc_cpu_us(o_pid);
    double secs = (double)(t_end - t0) / 1e9;
    printf("{\"mode\":\"rps\",\"connections\":%d,\"requests\":%lld,\"rps\":%.1f,", o_connections, completed_at_stop,
           (double)completed_at_stop / secs);
    print_errors(stdout);
    printf(",");
    print_lat(stdout, "request_us", &g_reqlat);
    printf(",\"elapsed_ms\":%.1f,\"requests_total\":%lld,\"cpu_us\":%lld}\n", secs * 1000.0, g_requests,
           cpu0 >= 0 && cpu1 >= 0 ? cpu1 - cpu0 : -1);
    return 0;
}

/* ---------- main ---------- */

static int freeport(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof a;
    if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || getsockname(fd, (struct sockaddr *)&a, &al) < 0) return 1;
    printf("%d\n", ntohs(a.sin_port));
    close(fd);
    return 0;
}

static void usage(void) {
    fprintf(stderr,
            "usage: loadgen stream --port P [--path PATH] --streams N [--model M] [--ramp-ms R] [--chunks C]\n"
            "                      [--interval-ms I] [--timeout-s T] [--hold] [--hold-s S] [--pid PID]\n"
            "       loadgen rps --port P [--path PATH] [--connections K] [--duration-s D] [--body nonstream]\n"
            "                   [--model M] [--pid PID]\n"
            "       loadgen freeport\n");
    exit(2);
}

int main(int argc, char **argv) {
    if (argc < 2) usage();
    const char *mode = argv[1];
    if (!strcmp(mode, "freeport")) return freeport();
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--hold")) { o_hold = 1; continue; }
        if (!v) usage();
        i++;
        if (!strcmp(a, "--port")) o_port = atoi(v);
        else if (!strcmp(a, "--path")) o_path = v;
        else if (!strcmp(a, "--streams")) o_streams = atoi(v);
        else if (!strcmp(a, "--model")) o_model = v;
        else if (!strcmp(a, "--ramp-ms")) o_ramp_ms = atoi(v);
        else if (!strcmp(a, "--chunks")) o_chunks = atoi(v);
        else if (!strcmp(a, "--interval-ms")) o_interval_ms = atoi(v);
        else if (!strcmp(a, "--timeout-s")) o_timeout_s = atoi(v);
        else if (!strcmp(a, "--hold-s")) o_hold_s = atoi(v);
        else if (!strcmp(a, "--connections")) o_connections = atoi(v);
        else if (!strcmp(a, "--duration-s")) o_duration_s = atoi(v);
        else if (!strcmp(a, "--pid")) o_pid = atoi(v);
        else if (!strcmp(a, "--body")) o_nonstream = strcmp(v, "stream") != 0;
        else usage();
    }
    if (o_port <= 0 || o_streams < 1 || o_connections < 1) usage();
    signal(SIGPIPE, SIG_IGN);
    signal(SIGUSR1, on_usr1);
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) { rl.rlim_cur = rl.rlim_max; setrlimit(RLIMIT_NOFILE, &rl); }
    g_clk_tck = sysconf(_SC_CLK_TCK);
    g_epfd = epoll_create1(EPOLL_CLOEXEC);
    if (!strcmp(mode, "stream")) return run_stream();
    if (!strcmp(mode, "rps")) return run_rps();
    usage();
    return 2;
}

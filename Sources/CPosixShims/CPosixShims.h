#ifndef PPLX_CPOSIXSHIMS_H
#define PPLX_CPOSIXSHIMS_H
/* epoll, timerfd, eventfd and accept4, which Swift's Glibc module does not export (struct epoll_event is packed on x86_64). */
#include <stdint.h>
#include <sys/epoll.h>

static const uint32_t PPLX_EPOLLIN = EPOLLIN;
static const uint32_t PPLX_EPOLLOUT = EPOLLOUT;
static const uint32_t PPLX_EPOLLERR = EPOLLERR;
static const uint32_t PPLX_EPOLLHUP = EPOLLHUP;
static const int PPLX_EPOLL_CTL_ADD = EPOLL_CTL_ADD;
static const int PPLX_EPOLL_CTL_MOD = EPOLL_CTL_MOD;
static const int PPLX_EPOLL_CTL_DEL = EPOLL_CTL_DEL;

/* One ready event, unpacked for Swift. */
typedef struct {
    uint32_t events;
    uint64_t data;
} pplx_epoll_ready;

static inline int pplx_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

static inline int pplx_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t data) {
    struct epoll_event event;
    event.events = events;
    event.data.u64 = data;
    return epoll_ctl(epfd, op, fd, &event);
}

/* Waits up to timeout_ms (0: poll) for at most max (<= 256) events, unpacked into ready[]. */
static inline int pplx_epoll_wait(int epfd, pplx_epoll_ready *ready, int max, int timeout_ms) {
    struct epoll_event events[256];
    if (max > 256) max = 256;
    int n = epoll_wait(epfd, events, max, timeout_ms);
    for (int i = 0; i < n; i++) {
        ready[i].events = events[i].events;
        ready[i].data = events[i].data.u64;
    }
    return n;
}

/* accept4 with SOCK_NONBLOCK | SOCK_CLOEXEC: one system call instead of accept + fcntl calls. Declared here rather
   than by including <sys/socket.h>, which would make this module the owner of the socket constants Swift code
   takes from Glibc. On Linux SOCK_NONBLOCK == O_NONBLOCK (04000) and SOCK_CLOEXEC == O_CLOEXEC (02000000). */
struct sockaddr;
extern int accept4(int fd, struct sockaddr *address, unsigned int *length, int flags);
static inline int pplx_accept_nonblocking(int fd) { return accept4(fd, 0, 0, 04000 | 02000000); }

/* timerfd, declared here for the same reason as accept4 (<sys/timerfd.h> pulls in <time.h>). The layout matches
   struct itimerspec on 64-bit Linux. CLOCK_MONOTONIC == 1; TFD_NONBLOCK | TFD_CLOEXEC == O_NONBLOCK | O_CLOEXEC. */
struct itimerspec;
extern int timerfd_create(int clock_id, int flags);
extern int timerfd_settime(int fd, int flags, const struct itimerspec *new_value, struct itimerspec *old_value);
typedef struct { long seconds; long nanoseconds; } pplx_timespec;
typedef struct { pplx_timespec interval; pplx_timespec value; } pplx_itimerspec;
static inline int pplx_timerfd_create(void) { return timerfd_create(1, 04000 | 02000000); }
/* Fires once, `nanoseconds` from now; 0 disarms. */
static inline int pplx_timerfd_set(int fd, uint64_t nanoseconds) {
    pplx_itimerspec spec = {{0, 0}, {(long)(nanoseconds / 1000000000u), (long)(nanoseconds % 1000000000u)}};
    return timerfd_settime(fd, 0, (const struct itimerspec *)&spec, 0);
}

/* eventfd: a counter the loop watches so another thread can wake it. EFD_NONBLOCK | EFD_CLOEXEC as above. */
extern int eventfd(unsigned int initial_value, int flags);
static inline int pplx_eventfd_create(void) { return eventfd(0, 04000 | 02000000); }

/* memmem (a GNU extension Swift's Glibc module does not export): offset of needle in haystack, or -1. */
extern void *memmem(const void *haystack, unsigned long haystack_length, const void *needle, unsigned long needle_length);
static inline long pplx_find(const void *haystack, unsigned long haystack_length, const void *needle, unsigned long needle_length) {
    const char *found = (const char *)memmem(haystack, haystack_length, needle, needle_length);
    return found ? (long)(found - (const char *)haystack) : -1;
}

/* malloc_trim (glibc's <malloc.h>, which Swift's Glibc module does not export): returns free heap to the system. */
extern int malloc_trim(unsigned long pad);
static inline int pplx_malloc_trim(void) { return malloc_trim(0); }

#endif

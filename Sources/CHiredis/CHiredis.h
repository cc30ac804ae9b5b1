#ifndef PPLX_CHIREDIS_H
#define PPLX_CHIREDIS_H
/* hiredis, the reference C client for Redis: its async API, driven by the proxy's own epoll reactor. */
#include <hiredis/hiredis.h>
#include <hiredis/async.h>
#endif

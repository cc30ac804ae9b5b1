#ifndef PPLX_CCURL_H
#define PPLX_CCURL_H
/* Typed wrappers over libcurl's variadic option setters, which Swift cannot call directly. */
#include <curl/curl.h>
#include <openssl/ssl.h>
#include <stdlib.h>
#include <string.h>

static inline CURLcode pplx_easy_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode pplx_easy_setopt_off(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode pplx_easy_setopt_string(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode pplx_easy_setopt_pointer(CURL *h, CURLoption o, void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode pplx_easy_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode pplx_easy_setopt_write_callback(CURL *h, CURLoption o, curl_write_callback v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode pplx_easy_setopt_closesocket_callback(CURL *h, curl_closesocket_callback v) { return curl_easy_setopt(h, CURLOPT_CLOSESOCKETFUNCTION, v); }
static inline CURLcode pplx_easy_setopt_opensocket_callback(CURL *h, curl_opensocket_callback v) { return curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, v); }

static inline CURLcode pplx_easy_getinfo_long(CURL *h, CURLINFO i, long *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode pplx_easy_getinfo_pointer(CURL *h, CURLINFO i, void **v) { return curl_easy_getinfo(h, i, v); }

static inline CURLMcode pplx_multi_setopt_long(CURLM *m, CURLMoption o, long v) { return curl_multi_setopt(m, o, v); }
static inline CURLMcode pplx_multi_setopt_pointer(CURLM *m, CURLMoption o, void *v) { return curl_multi_setopt(m, o, v); }
static inline CURLMcode pplx_multi_setopt_socket_callback(CURLM *m, curl_socket_callback v) { return curl_multi_setopt(m, CURLMOPT_SOCKETFUNCTION, v); }
static inline CURLMcode pplx_multi_setopt_timer_callback(CURLM *m, curl_multi_timer_callback v) { return curl_multi_setopt(m, CURLMOPT_TIMERFUNCTION, v); }

/* A share handle for one event loop: TLS sessions (so a new upstream connection resumes one instead of a full
   handshake with a certificate check) and DNS answers. Every user is on the loop's thread, so no lock callbacks. */
static inline CURLSH *pplx_share_for_loop(void) {
    CURLSH *share = curl_share_init();
    if (!share) return 0;
    curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    return share;
}
static inline CURLcode pplx_easy_setopt_share(CURL *h, CURLSH *share) { return curl_easy_setopt(h, CURLOPT_SHARE, share); }

/* OpenSSL keeps a connection's 16 KiB read and write buffers only while they hold data: a relayed stream's upstream
   connection is idle between events almost all the time. */
static CURLcode pplx_release_tls_buffers(CURL *h, void *ssl_ctx, void *user) {
    (void)h; (void)user;
    SSL_CTX_set_mode((SSL_CTX *)ssl_ctx, SSL_MODE_RELEASE_BUFFERS);
    return CURLE_OK;
}
static inline CURLcode pplx_easy_release_tls_buffers(CURL *h) {
    return curl_easy_setopt(h, CURLOPT_SSL_CTX_FUNCTION, pplx_release_tls_buffers);
}

/* CURLMsg.data is a union; Swift sees it but reading `result` this way keeps call sites plain. */
static inline CURLcode pplx_msg_result(const CURLMsg *m) { return m->data.result; }

/* Named constants that are macros Swift does not import. */
static const curl_socket_t PPLX_CURL_SOCKET_TIMEOUT = CURL_SOCKET_TIMEOUT;
static const curl_socket_t PPLX_CURL_SOCKET_BAD = CURL_SOCKET_BAD;
static const size_t PPLX_CURL_WRITEFUNC_PAUSE = CURL_WRITEFUNC_PAUSE;
static const int PPLX_CURL_POLL_NONE = CURL_POLL_NONE;
static const int PPLX_CURL_POLL_IN = CURL_POLL_IN;
static const int PPLX_CURL_POLL_OUT = CURL_POLL_OUT;
static const int PPLX_CURL_POLL_INOUT = CURL_POLL_INOUT;
static const int PPLX_CURL_POLL_REMOVE = CURL_POLL_REMOVE;
static const int PPLX_CURL_CSELECT_IN = CURL_CSELECT_IN;
static const int PPLX_CURL_CSELECT_OUT = CURL_CSELECT_OUT;
static const int PPLX_CURL_CSELECT_ERR = CURL_CSELECT_ERR;
static const int PPLX_CURLPAUSE_CONT = CURLPAUSE_CONT;
static const long PPLX_CURL_GLOBAL_DEFAULT = CURL_GLOBAL_DEFAULT;

/* CURLVERSION_NOW is a macro naming the newest enum value. */
/* libcurl's built-in CA bundle path (CURLINFO_CAINFO), copied with malloc (the caller frees it), or NULL. */
static inline char *pplx_default_ca_file(void) {
    CURL *h = curl_easy_init();
    if (!h) return 0;
    char *path = 0;
    char *copy = 0;
    if (curl_easy_getinfo(h, CURLINFO_CAINFO, &path) == CURLE_OK && path) copy = strdup(path);
    curl_easy_cleanup(h);
    return copy;
}
static inline unsigned int pplx_curl_version_number(void) { return curl_version_info(CURLVERSION_NOW)->version_num; }

#endif

#ifndef PPLX_COPENSSL_H
#define PPLX_COPENSSL_H
/* OpenSSL for member keys (new ones from its CSPRNG; SHA-256 hashes, constant-time compare) and for TLS on the listener. */
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <openssl/ssl.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/bio.h>
#include <sys/socket.h>

/* SSL_CTX_set_mode and friends are macros over SSL_CTX_ctrl. */
static inline long pplx_ssl_ctx_set_mode(SSL_CTX *ctx, long mode) { return SSL_CTX_set_mode(ctx, mode); }
static inline long pplx_ssl_ctx_set_min_proto_tls12(SSL_CTX *ctx) { return SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION); }
static const long PPLX_SSL_MODE_ENABLE_PARTIAL_WRITE = SSL_MODE_ENABLE_PARTIAL_WRITE;
static const long PPLX_SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER = SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER;
static const long PPLX_SSL_MODE_RELEASE_BUFFERS = SSL_MODE_RELEASE_BUFFERS;

/* OpenSSL's socket BIO writes with write(2), which raises SIGPIPE when the peer has gone: fatal to a process that
   has not ignored it (one that embeds the server, a test runner). This BIO is the socket BIO with its write made by
   send(2) with MSG_NOSIGNAL, as every other write of the proxy is. */
static int pplx_bio_send(BIO *bio, const char *data, int length) {
    int fd = -1;
    BIO_get_fd(bio, &fd);
    int n = (int)send(fd, data, (size_t)(length < 0 ? 0 : length), MSG_NOSIGNAL);
    BIO_clear_retry_flags(bio);
    if (n <= 0 && BIO_sock_should_retry(n)) BIO_set_retry_write(bio);
    return n;
}
/* That BIO's method (made once by the caller and kept), or NULL when out of memory. */
static inline BIO_METHOD *pplx_new_nosignal_socket_method(void) {
    const BIO_METHOD *socket = BIO_s_socket();
    BIO_METHOD *method = BIO_meth_new(BIO_TYPE_SOCKET, "socket, no SIGPIPE");
    if (!method) return 0;
    BIO_meth_set_write(method, pplx_bio_send);
    BIO_meth_set_read(method, BIO_meth_get_read(socket));
    BIO_meth_set_puts(method, BIO_meth_get_puts(socket));
    BIO_meth_set_ctrl(method, BIO_meth_get_ctrl(socket));
    BIO_meth_set_create(method, BIO_meth_get_create(socket));
    BIO_meth_set_destroy(method, BIO_meth_get_destroy(socket));
    return method;
}
/* SSL_set_fd with a BIO of `method`; 0 when out of memory. */
static inline int pplx_ssl_set_socket(SSL *ssl, int fd, BIO_METHOD *method) {
    BIO *bio = method ? BIO_new(method) : 0;
    if (!bio) return 0;
    BIO_set_fd(bio, fd, BIO_NOCLOSE);
    SSL_set_bio(ssl, bio, bio);
    return 1;
}

#endif

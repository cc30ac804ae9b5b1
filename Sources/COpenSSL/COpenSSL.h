#ifndef PPLX_COPENSSL_H
#define PPLX_COPENSSL_H
/* OpenSSL for hashing member keys (SHA-256, constant-time compare) and for TLS on the listener. */
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <openssl/ssl.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

/* SSL_CTX_set_mode and friends are macros over SSL_CTX_ctrl. */
static inline long pplx_ssl_ctx_set_mode(SSL_CTX *ctx, long mode) { return SSL_CTX_set_mode(ctx, mode); }
static inline long pplx_ssl_ctx_set_min_proto_tls12(SSL_CTX *ctx) { return SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION); }
static const long PPLX_SSL_MODE_ENABLE_PARTIAL_WRITE = SSL_MODE_ENABLE_PARTIAL_WRITE;
static const long PPLX_SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER = SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER;
static const long PPLX_SSL_MODE_RELEASE_BUFFERS = SSL_MODE_RELEASE_BUFFERS;

#endif

#ifndef VIGIL_SHIM_H
#define VIGIL_SHIM_H
/* Function-like OpenSSL macros that the Swift importer cannot see, as real functions with a
 * vigil_ prefix. Nothing else lives here. */
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

long vigil_BIO_get_mem_data(BIO *bio, char **data);
size_t vigil_BIO_pending(BIO *bio);
int vigil_BIO_set_mem_eof_return(BIO *bio, int value);
int vigil_BIO_should_retry(BIO *bio);
void vigil_OPENSSL_free(void *ptr);
int vigil_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int version);
int vigil_SSL_CTX_set_max_proto_version(SSL_CTX *ctx, int version);
long vigil_SSL_CTX_set_mode(SSL_CTX *ctx, long mode);
long vigil_SSL_CTX_set_session_cache_mode(SSL_CTX *ctx, long mode);
uint64_t vigil_SSL_OP_NO_TICKET(void);
uint64_t vigil_SSL_OP_NO_RENEGOTIATION(void);
int vigil_SSL_CTX_set1_sigalgs_list(SSL_CTX *ctx, const char *list);
int vigil_SSL_CTX_add1_chain_cert(SSL_CTX *ctx, X509 *certificate);
int vigil_sk_X509_num(const STACK_OF(X509) *stack);
X509 *vigil_sk_X509_value(const STACK_OF(X509) *stack, int index);
unsigned long vigil_OPENSSL_VERSION_NUMBER(void);

#endif

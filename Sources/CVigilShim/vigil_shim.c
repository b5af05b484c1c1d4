#include "vigil_shim.h"

long vigil_BIO_get_mem_data(BIO *bio, char **data) { return BIO_get_mem_data(bio, data); }
size_t vigil_BIO_pending(BIO *bio) { return BIO_ctrl_pending(bio); }
int vigil_BIO_set_mem_eof_return(BIO *bio, int value) { return (int)BIO_set_mem_eof_return(bio, value); }
int vigil_BIO_should_retry(BIO *bio) { return BIO_should_retry(bio); }
void vigil_OPENSSL_free(void *ptr) { OPENSSL_free(ptr); }
int vigil_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int version) { return (int)SSL_CTX_set_min_proto_version(ctx, version); }
int vigil_SSL_CTX_set_max_proto_version(SSL_CTX *ctx, int version) { return (int)SSL_CTX_set_max_proto_version(ctx, version); }
long vigil_SSL_CTX_set_mode(SSL_CTX *ctx, long mode) { return SSL_CTX_set_mode(ctx, mode); }
long vigil_SSL_CTX_set_session_cache_mode(SSL_CTX *ctx, long mode) { return SSL_CTX_set_session_cache_mode(ctx, mode); }
uint64_t vigil_SSL_OP_NO_TICKET(void) { return SSL_OP_NO_TICKET; }
uint64_t vigil_SSL_OP_NO_RENEGOTIATION(void) { return SSL_OP_NO_RENEGOTIATION; }
int vigil_SSL_CTX_set1_sigalgs_list(SSL_CTX *ctx, const char *list) { return (int)SSL_CTX_set1_sigalgs_list(ctx, list); }
int vigil_SSL_CTX_add1_chain_cert(SSL_CTX *ctx, X509 *certificate) { return (int)SSL_CTX_add1_chain_cert(ctx, certificate); }
int vigil_sk_X509_num(const STACK_OF(X509) *stack) { return sk_X509_num(stack); }
X509 *vigil_sk_X509_value(const STACK_OF(X509) *stack, int index) { return sk_X509_value(stack, index); }
unsigned long vigil_OPENSSL_VERSION_NUMBER(void) { return OPENSSL_VERSION_NUMBER; }

/* Message digests through OpenSSL's libcrypto. */
#ifndef QUAI_CORE_HASH_H
#define QUAI_CORE_HASH_H

#include <stddef.h>

/* Writes the 40 lowercase hex digits of SHA-1(data) and a NUL into hex.
 * For fingerprints (GitLab code quality, generated file names), not for
 * anything that needs a secure hash. */
void quai_sha1_hex(const void *data, size_t len, char hex[41]);

#endif

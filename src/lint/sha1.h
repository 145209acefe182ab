/* SHA-1 (FIPS 180-4), only to fingerprint findings for GitLab's code
 * quality report; not for anything that needs a secure hash. Written here
 * so that quai does not load libcrypto at start-up for it. */
#ifndef QUAI_LINT_SHA1_H
#define QUAI_LINT_SHA1_H

#include <stddef.h>

/* Writes the 40 lowercase hex digits of SHA-1(data) and a NUL into hex. */
void quai_sha1_hex(const void *data, size_t len, char hex[41]);

#endif

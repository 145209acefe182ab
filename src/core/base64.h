/* base64 (RFC 4648). */
#ifndef QUAI_CORE_BASE64_H
#define QUAI_CORE_BASE64_H

#include <stdbool.h>
#include <stddef.h>

/* base64 with the standard or the URL-safe alphabet, padded. Caller frees. */
char *quai_base64_encode(const void *data, size_t len, bool url);
/* Decodes standard or URL-safe base64 (padding optional) into a
 * NUL-terminated buffer the caller frees; NULL if invalid. */
char *quai_base64_decode(const char *s, size_t *out_len);

#endif

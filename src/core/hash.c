#include "core/hash.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>

void quai_sha1_hex(const void *data, size_t len, char hex[41])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	if (EVP_Digest(data, len, md, &mdlen, EVP_sha1(), NULL) != 1 || mdlen != 20) {
		fputs("quai: libcrypto could not compute SHA-1\n", stderr);
		abort();
	}
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < 20; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[40] = '\0';
}

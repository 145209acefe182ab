/* HMAC-SHA256 signatures and constant-time comparisons (see forge.h). */
#include <ctype.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <string.h>
#include <strings.h>

#include "forge/forge.h"
#include "core/banned.h"

static void to_hex(const unsigned char *d, size_t n, char *hex)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		hex[2 * i] = digits[d[i] >> 4];
		hex[2 * i + 1] = digits[d[i] & 15];
	}
	hex[2 * n] = '\0';
}

static int unhex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static void hmac(const char *key, const void *data, size_t len, unsigned char out[32])
{
	unsigned int n = 32;
	static const unsigned char empty[1];
	HMAC(EVP_sha256(), key, (int)strlen(key), len ? data : empty, len, out, &n);
}

void quai_forge_hmac_sha256_hex(const char *key, const void *data, size_t len, char hex[65])
{
	unsigned char d[32];
	hmac(key, data, len, d);
	to_hex(d, 32, hex);
}

void quai_forge_sha256_hex(const void *data, size_t len, char hex[65])
{
	unsigned char d[32];
	unsigned int n = 32;
	EVP_Digest(data, len, d, &n, EVP_sha256(), NULL);
	to_hex(d, 32, hex);
}

bool quai_forge_signature_ok(const char *key, const void *data, size_t len, const char *sig)
{
	if (strncasecmp(sig, "sha256=", 7) == 0)
		sig += 7;
	if (strlen(sig) != 64)
		return false;
	unsigned char given[32];
	for (size_t i = 0; i < 32; i++) {
		int hi = unhex((unsigned char)sig[2 * i]), lo = unhex((unsigned char)sig[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		given[i] = (unsigned char)(hi << 4 | lo);
	}
	unsigned char want[32];
	hmac(key, data, len, want);
	return CRYPTO_memcmp(given, want, 32) == 0;
}

bool quai_forge_secret_equal(const char *a, const char *b)
{
	/* digests first, so that neither the length nor the contents leak */
	unsigned char da[32], db[32];
	unsigned int n = 32;
	EVP_Digest(a, strlen(a), da, &n, EVP_sha256(), NULL);
	EVP_Digest(b, strlen(b), db, &n, EVP_sha256(), NULL);
	return CRYPTO_memcmp(da, db, 32) == 0;
}

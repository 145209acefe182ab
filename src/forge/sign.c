/* HMAC-SHA256 signatures and constant-time comparisons (see forge.h).
 *
 * libcrypto is opened on first use (dlopen) rather than linked, as
 * core/hash.c does: the binaries that never check a signature do not load
 * it, and the server checks at start that it can (quai_forge_crypto_check). */
#include <ctype.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "forge/forge.h"
#include "core/banned.h"

struct evp_md;
struct engine;

static struct {
	const struct evp_md *(*sha256)(void);
	int (*digest)(const void *data, size_t count, unsigned char *md, unsigned int *size,
	              const struct evp_md *type, struct engine *impl);
	unsigned char *(*hmac)(const struct evp_md *md, const void *key, int key_len, const unsigned char *d,
	                       size_t n, unsigned char *out, unsigned int *out_len);
	int (*memcmp)(const void *a, const void *b, size_t len);
	const char *error;
} lib;

static pthread_once_t once = PTHREAD_ONCE_INIT;

static void open_crypto(void)
{
	void *h = dlopen("libcrypto.so.3", RTLD_NOW | RTLD_LOCAL);
	if (!h)
		h = dlopen("libcrypto.so", RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		lib.error = "libcrypto.so.3 not found";
		return;
	}
	*(void **)&lib.sha256 = dlsym(h, "EVP_sha256");
	*(void **)&lib.digest = dlsym(h, "EVP_Digest");
	*(void **)&lib.hmac = dlsym(h, "HMAC");
	*(void **)&lib.memcmp = dlsym(h, "CRYPTO_memcmp");
	if (!lib.sha256 || !lib.digest || !lib.hmac || !lib.memcmp)
		lib.error = "libcrypto lacks EVP_sha256, EVP_Digest, HMAC or CRYPTO_memcmp";
}

/* The functions, or exit: quai_forge_crypto_check at start makes this unreachable. */
static void need_crypto(void)
{
	pthread_once(&once, open_crypto);
	if (lib.error) {
		fprintf(stderr, "quai: cannot use libcrypto (%s): install libssl3\n", lib.error);
		exit(2);
	}
}

int quai_forge_crypto_check(struct quai_error **err)
{
	pthread_once(&once, open_crypto);
	if (lib.error)
		return quai_error_set(err, 2, "cannot verify webhook signatures: %s: install libssl3",
		                      lib.error);
	return 0;
}

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
	need_crypto();
	unsigned int n = 32;
	static const unsigned char empty[1];
	lib.hmac(lib.sha256(), key, (int)strlen(key), len ? data : empty, len, out, &n);
}

static void sha256(const void *data, size_t len, unsigned char out[32])
{
	need_crypto();
	unsigned int n = 32;
	lib.digest(data, len, out, &n, lib.sha256(), NULL);
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
	sha256(data, len, d);
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
	return lib.memcmp(given, want, 32) == 0;
}

bool quai_forge_secret_equal(const char *a, const char *b)
{
	/* digests first, so that neither the length nor the contents leak */
	unsigned char da[32], db[32];
	sha256(a, strlen(a), da);
	sha256(b, strlen(b), db);
	return lib.memcmp(da, db, 32) == 0;
}

/* libcrypto is opened on first use rather than linked: `quai lint` starts
 * in about a millisecond, and loading libcrypto at start-up would double
 * that for a hash only the GitLab report format needs. */
#include "core/hash.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

struct evp_md;
struct engine;

typedef const struct evp_md *(*evp_sha1_fn)(void);
typedef int (*evp_digest_fn)(const void *data, size_t count, unsigned char *md, unsigned int *size,
			     const struct evp_md *type, struct engine *impl);

static void die(const char *what)
{
	fprintf(stderr, "quai: cannot use libcrypto (%s): install libssl3\n", what);
	exit(2);
}

void quai_sha1_hex(const void *data, size_t len, char hex[41])
{
	static evp_sha1_fn sha1;
	static evp_digest_fn digest;
	if (!digest) {
		void *lib = dlopen("libcrypto.so.3", RTLD_NOW | RTLD_LOCAL);
		if (!lib)
			lib = dlopen("libcrypto.so", RTLD_NOW | RTLD_LOCAL);
		if (!lib)
			die(dlerror());
		*(void **)&sha1 = dlsym(lib, "EVP_sha1");
		*(void **)&digest = dlsym(lib, "EVP_Digest");
		if (!sha1 || !digest)
			die("no EVP_Digest");
	}
	unsigned char md[64];
	unsigned int mdlen = 0;
	if (digest(data, len, md, &mdlen, sha1(), NULL) != 1 || mdlen != 20)
		die("SHA-1 failed");
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < 20; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[40] = '\0';
}

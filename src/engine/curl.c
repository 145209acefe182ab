/* libcurl's process-wide initialisation, kept small. quai-engine's peak RSS
 * (bench/build.sh) is mostly the libraries libcurl loads. Two parts of their
 * start-up cost a lot and serve nothing on the engine's unix socket:
 *
 * - OpenSSL's error strings (about 1.4 MB: every library's reason texts
 *   hashed into a table), its configuration file (about 0.9 MB) and its
 *   legacy cipher name table (0.3 MB), loaded by curl_global_init through
 *   OPENSSL_init_ssl;
 * - libssh2's OpenSSL engine set-up, which curl_global_init runs through
 *   libssh2_init although quai never speaks SSH.
 *
 * So before curl_global_init, quai initialises OpenSSL itself without error
 * strings or configuration, and libssh2 without crypto (both are
 * run-once: curl's later calls find them done). The first transfer that may
 * use TLS loads the configuration (system-wide TLS policy) and the TLS error
 * strings then. OpenSSL and libssh2 are found with dlsym in what libcurl
 * loaded: with a libcurl built on another TLS library those steps are
 * skipped. (quai also starts quai-engine with GNUTLS_NO_IMPLICIT_INIT=1:
 * GnuTLS comes with libcurl's librtmp and LDAP, which quai never uses.) */
#include <curl/curl.h>
#include <dlfcn.h>
#include <openssl/conf.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdbool.h>
#include <stdlib.h>

#include "engine/engine.h"
#include "core/banned.h"

/* libssh2_init's flag, from libssh2.h (not installed with its headers here) */
#define SSH2_INIT_NO_CRYPTO 0x0001

static bool global_done, tls_done;

/* A function of a library libcurl loaded, or NULL. */
static void *sym(const char *name)
{
	return dlsym(RTLD_DEFAULT, name);
}

static void lean_openssl(void)
{
	__typeof__(&OPENSSL_init_crypto) init_crypto = NULL;
	__typeof__(&OPENSSL_init_ssl) init_ssl = NULL;
	*(void **)&init_crypto = sym("OPENSSL_init_crypto");
	*(void **)&init_ssl = sym("OPENSSL_init_ssl");
	if (init_crypto && init_ssl) {
		/* No legacy cipher name table either: TLS fetches its ciphers
		 * from the providers. The digest table stays: TLS looks
		 * certificate digests up by name ("ca md too weak" without it). */
		init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG | OPENSSL_INIT_NO_LOAD_CRYPTO_STRINGS |
		                OPENSSL_INIT_NO_ADD_ALL_CIPHERS,
		            NULL);
		init_ssl(OPENSSL_INIT_NO_LOAD_CONFIG | OPENSSL_INIT_NO_LOAD_SSL_STRINGS, NULL);
	}
	int (*ssh2_init)(int) = NULL;
	*(void **)&ssh2_init = sym("libssh2_init");
	if (ssh2_init)
		ssh2_init(SSH2_INIT_NO_CRYPTO);
}

/* What OPENSSL_init_ssl would have loaded that TLS uses: the configuration
 * (system-wide TLS policy) and the error texts curl puts in its messages. */
static void tls_openssl(void)
{
	__typeof__(&CONF_modules_load_file) load_conf = NULL;
	__typeof__(&ERR_clear_error) clear = NULL;
	*(void **)&load_conf = sym("CONF_modules_load_file");
	*(void **)&clear = sym("ERR_clear_error");
	if (load_conf)
		load_conf(NULL, NULL,
		          CONF_MFLAGS_DEFAULT_SECTION | CONF_MFLAGS_IGNORE_MISSING_FILE |
		              CONF_MFLAGS_IGNORE_RETURN_CODES);
	static const char *const strings[] = {"ERR_load_ERR_strings",  "ERR_load_SSL_strings",
	                                      "ERR_load_X509_strings", "ERR_load_PEM_strings",
	                                      "ERR_load_EVP_strings",  "ERR_load_CRYPTO_strings"};
	for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++) {
		int (*load)(void) = NULL;
		*(void **)&load = sym(strings[i]);
		if (load)
			load();
	}
	if (clear)
		clear();
}

void quai_engine_curl_init(bool tls)
{
	if (!global_done) {
		/* a first use with TLS initialises everything the usual way */
		if (!tls)
			lean_openssl();
		curl_global_init(CURL_GLOBAL_DEFAULT);
		global_done = true;
		tls_done = tls;
		return;
	}
	if (tls && !tls_done) {
		tls_openssl();
		tls_done = true;
	}
}

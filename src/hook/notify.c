/* post-receive: tells a quai server about each pushed ref, in quai's generic
 * signed form (docs/server.md), so that a plain bare repository triggers
 * pipelines as a forge's webhook would. */
#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/cleanup.h"
#include "core/file.h"
#include "core/xalloc.h"
#include "forge/forge.h"
#include "hook/hook.h"
#include "core/banned.h"

#define SECRET_MAX (64u << 10)
#define LINE_MAX_LEN 4096

static size_t discard(char *ptr, size_t size, size_t n, void *ctx)
{
	(void)ptr;
	(void)ctx;
	return size * n;
}

static bool project_ok(const char *p)
{
	if (!*p)
		return false;
	for (; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      *p == '-' || *p == '_' || *p == '.'))
			return false;
	return true;
}

static bool is_sha(const char *s)
{
	size_t n = strlen(s);
	if (n != 40 && n != 64)
		return false;
	return strspn(s, "0123456789abcdef") == n;
}

/* One delivery; the message on failure names the ref, never the secret. */
static int notify(CURL *curl, const char *url, const char *secret, const char *old, const char *new,
                  const char *ref, struct quai_error **err)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	cleanup_free char *id = xasprintf("post-receive-%lld%09ld-%s", (long long)ts.tv_sec, ts.tv_nsec, new);
	json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "id", id, "ref", ref, "before", old, "after", new);
	if (!o)
		return quai_error_set(err, 1, "cannot encode the push of '%s'", ref);
	cleanup_free char *body = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (!body)
		return quai_error_set(err, 1, "cannot encode the push of '%s'", ref);
	char hex[65];
	quai_forge_hmac_sha256_hex(secret, body, strlen(body), hex);
	cleanup_free char *sig = xasprintf("X-Quai-Signature: sha256=%s", hex);
	cleanup_free char *delivery = xasprintf("X-Quai-Delivery: %s", id);
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
	h = curl_slist_append(h, sig);
	h = curl_slist_append(h, delivery);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
	CURLcode rc = curl_easy_perform(curl);
	long code = 0;
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
	curl_slist_free_all(h);
	if (rc != CURLE_OK)
		return quai_error_set(err, 1, "could not tell the server about %s: %s", ref, curl_easy_strerror(rc));
	if (code < 200 || code > 299)
		return quai_error_set(err, 1, "the server refused the push of %s: HTTP %ld", ref, code);
	return 0;
}

int quai_hook_post_receive(FILE *in, const char *server_url, const char *project, const char *secret_file,
                           struct quai_error **err)
{
	if (strncmp(server_url, "http://", 7) != 0 && strncmp(server_url, "https://", 8) != 0)
		return quai_error_set(err, QUAI_EXIT_USAGE, "--server '%s' must be an http:// or https:// URL",
		                      server_url);
	if (!project_ok(project))
		return quai_error_set(err, QUAI_EXIT_USAGE,
		                      "--project '%s' must hold only letters, digits and - _ .", project);
	if (quai_forge_crypto_check(err) < 0)
		return -1;
	cleanup_free char *secret = NULL;
	size_t len = 0;
	if (quai_file_read(&secret, &len, secret_file, SECRET_MAX, err) < 0)
		return quai_error_wrap(err, "the webhook secret");
	while (len > 0 && (secret[len - 1] == '\n' || secret[len - 1] == '\r'))
		secret[--len] = '\0';
	if (!len)
		return quai_error_set(err, QUAI_EXIT_USAGE, "the webhook secret in '%s' is empty", secret_file);

	size_t ul = strlen(server_url);
	while (ul > 0 && server_url[ul - 1] == '/')
		ul--;
	cleanup_free char *url = xasprintf("%.*s/hooks/%s", (int)ul, server_url, project);
	CURL *curl = curl_easy_init();
	if (!curl)
		return quai_error_set(err, QUAI_EXIT_USAGE, "cannot start libcurl");
	curl_easy_setopt(curl, CURLOPT_POST, 1L);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 10L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_USERAGENT, "quai-post-receive");
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");

	char line[LINE_MAX_LEN];
	while (fgets(line, sizeof(line), in)) {
		char old[65], new[65], ref[LINE_MAX_LEN];
		if (sscanf(line, "%64s %64s %4095s", old, new, ref) != 3 || !is_sha(old) || !is_sha(new)) {
			fprintf(stderr, "quai: post-receive: ignoring a line git should not send: %.80s", line);
			continue;
		}
		cleanup_error struct quai_error *e = NULL;
		if (notify(curl, url, secret, old, new, ref, &e) < 0)
			fprintf(stderr, "quai: %s (no pipeline starts for it)\n", e->msg);
	}
	curl_easy_cleanup(curl);
	explicit_bzero(secret, len);
	return 0;
}

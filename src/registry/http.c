/* The registry HTTP API calls: GET /v2/ and HEAD of a manifest, with basic
 * auth or the Bearer token flow announced by WWW-Authenticate. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "core/buf.h"
#include "core/cleanup.h"
#include "core/xalloc.h"
#include "engine/engine.h"
#include "registry/registry.h"
#include "core/banned.h"

#define BODY_MAX     (1u << 20)
#define TIMEOUT_SECS 30L

struct reply {
	long code;
	char *www_auth, *digest;
	struct quai_buf body;
};

static void reply_release(struct reply *r)
{
	free(r->www_auth);
	free(r->digest);
	if (r->body.data)
		explicit_bzero(r->body.data, r->body.len);
	quai_buf_release(&r->body);
	*r = (struct reply){0};
}

static size_t on_header(char *data, size_t size, size_t n, void *arg)
{
	struct reply *r = arg;
	size_t len = size * n;
	size_t nl = len;
	while (nl && (data[nl - 1] == '\n' || data[nl - 1] == '\r'))
		nl--;
	static const char wa[] = "www-authenticate:", dg[] = "docker-content-digest:";
	char **slot = NULL;
	size_t skip = 0;
	if (nl > sizeof(wa) - 1 && strncasecmp(data, wa, sizeof(wa) - 1) == 0) {
		slot = &r->www_auth;
		skip = sizeof(wa) - 1;
	} else if (nl > sizeof(dg) - 1 && strncasecmp(data, dg, sizeof(dg) - 1) == 0) {
		slot = &r->digest;
		skip = sizeof(dg) - 1;
	} else if (nl >= 5 && strncmp(data, "HTTP/", 5) == 0) {
		/* a new response (after a redirect): forget the last one's headers */
		free(r->www_auth);
		free(r->digest);
		r->www_auth = r->digest = NULL;
	}
	if (slot) {
		while (skip < nl && (data[skip] == ' ' || data[skip] == '\t'))
			skip++;
		free(*slot);
		*slot = xstrndup(data + skip, nl - skip);
	}
	return len;
}

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
	struct reply *r = arg;
	if (r->body.len + size * n <= BODY_MAX)
		quai_buf_add(&r->body, data, size * n);
	return size * n;
}

static bool is_local(const char *host)
{
	const char *p = host;
	size_t n;
	if (*p == '[') {
		n = strcspn(p, "]");
		return n == 4 && strncmp(p, "[::1", 4) == 0;
	}
	n = strcspn(p, ":");
	return (n == 9 && strncmp(p, "localhost", 9) == 0) || (n >= 4 && strncmp(p, "127.", 4) == 0);
}

static char *base_url(const char *host)
{
	return xasprintf("%s://%s", is_local(host) ? "http" : "https", host);
}

/* One request; auth is either basic (c) or a bearer token, or none. */
static int request(struct reply *r, const char *url, bool head, const char *accept,
                   const struct quai_registry_creds *basic, const char *bearer, const char *host,
                   struct quai_error **err)
{
	*r = (struct reply){0};
	/* local registries are plain http; a redirect from one to https would
	 * run with OpenSSL's defaults rather than its configuration file */
	quai_engine_curl_init(strncmp(url, "https://", 8) == 0);
	CURL *h = curl_easy_init();
	if (!h)
		return quai_error_set(err, QUAI_EXIT_USAGE, "libcurl initialisation failed");
	char ebuf[CURL_ERROR_SIZE] = "";
	struct curl_slist *hdrs = NULL;
	cleanup_free char *authz = bearer ? xasprintf("Authorization: Bearer %s", bearer) : NULL;
	if (authz)
		hdrs = curl_slist_append(hdrs, authz);
	if (accept)
		hdrs = curl_slist_append(hdrs, accept);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, TIMEOUT_SECS);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, ebuf);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_USERAGENT, "quai");
	if (head)
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	if (hdrs)
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	if (basic && basic->username) {
		curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(h, CURLOPT_USERNAME, basic->username);
		curl_easy_setopt(h, CURLOPT_PASSWORD, basic->password);
	}
	CURLcode cc = curl_easy_perform(h);
	int rc = 0;
	if (cc == CURLE_SSL_CONNECT_ERROR && strncmp(url, "https://", 8) == 0)
		rc = quai_error_set(err, QUAI_EXIT_USAGE,
		                    "registry '%s' does not speak TLS: only localhost and 127.x registries "
		                    "are spoken to over plain http (%s)",
		                    host, *ebuf ? ebuf : curl_easy_strerror(cc));
	else if (cc != CURLE_OK)
		rc = quai_error_set(err, QUAI_EXIT_USAGE, "registry '%s' is not reachable: %s", host,
		                    *ebuf ? ebuf : curl_easy_strerror(cc));
	else
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->code);
	curl_slist_free_all(hdrs);
	if (authz)
		explicit_bzero(authz, strlen(authz));
	curl_easy_cleanup(h);
	if (rc < 0)
		reply_release(r);
	return rc;
}

/* The value of param in a WWW-Authenticate challenge (quoted or not); caller frees. */
static char *challenge_param(const char *ch, const char *param)
{
	size_t pl = strlen(param);
	for (const char *p = ch; (p = strcasestr(p, param)) != NULL; p += pl) {
		if (p != ch && !strchr(" ,", p[-1]))
			continue;
		const char *v = p + pl;
		while (*v == ' ')
			v++;
		if (*v != '=')
			continue;
		v++;
		while (*v == ' ')
			v++;
		if (*v == '"') {
			v++;
			return xstrndup(v, strcspn(v, "\""));
		}
		return xstrndup(v, strcspn(v, ", "));
	}
	return NULL;
}

/* The error for a 401/403: refused credentials, or none given. */
static int refused(struct quai_error **err, const char *host, long code, const struct quai_registry_creds *c)
{
	if (!c || !c->username)
		return quai_error_set(err, QUAI_EXIT_FINDINGS,
		                      "registry '%s' requires credentials (%ld): set QUAI_REGISTRY_USER and "
		                      "QUAI_REGISTRY_PASSWORD or run quai login",
		                      host, code);
	return quai_error_set(err, QUAI_EXIT_FINDINGS, "registry '%s' refused the credentials (%ld)", host,
	                      code);
}

/* The Bearer token flow: GET realm?service=&scope= with basic auth. */
static int fetch_token(char **out, const char *challenge, const struct quai_registry_creds *c,
                       const char *host, struct quai_error **err)
{
	*out = NULL;
	cleanup_free char *realm = challenge_param(challenge, "realm");
	cleanup_free char *service = challenge_param(challenge, "service");
	cleanup_free char *scope = challenge_param(challenge, "scope");
	if (!realm || (strncmp(realm, "https://", 8) != 0 && strncmp(realm, "http://", 7) != 0))
		return quai_error_set(err, QUAI_EXIT_USAGE, "registry '%s': invalid authentication challenge",
		                      host);
	cleanup_buf struct quai_buf url = {0};
	quai_buf_puts(&url, realm);
	char sep = strchr(realm, '?') ? '&' : '?';
	const char *names[] = {"service", "scope"};
	const char *vals[] = {service, scope};
	for (size_t i = 0; i < 2; i++) {
		if (!vals[i])
			continue;
		char *e = curl_easy_escape(NULL, vals[i], 0);
		quai_buf_printf(&url, "%c%s=%s", sep, names[i], e ? e : "");
		curl_free(e);
		sep = '&';
	}
	struct reply r;
	if (request(&r, quai_buf_str(&url), false, NULL, c, NULL, host, err) < 0)
		return -1;
	int rc = 0;
	if (r.code == 401 || r.code == 403) {
		rc = refused(err, host, r.code, c);
	} else if (r.code != 200) {
		rc = quai_error_set(err, QUAI_EXIT_USAGE, "registry '%s': token service answered %ld", host,
		                    r.code);
	} else {
		json_t *j = json_loads(quai_buf_str(&r.body), 0, NULL);
		const char *t = json_string_value(json_object_get(j, "token"));
		if (!t)
			t = json_string_value(json_object_get(j, "access_token"));
		if (t && *t)
			*out = xstrdup(t);
		else
			rc = quai_error_set(err, QUAI_EXIT_USAGE,
			                    "registry '%s': token service gave no token", host);
		json_decref(j);
	}
	reply_release(&r);
	return rc;
}

/* Sends a request, answering a 401 challenge once (basic or bearer). */
static int authed(struct reply *r, const char *host, const char *path, bool head, const char *accept,
                  const struct quai_registry_creds *c, struct quai_error **err)
{
	cleanup_free char *base = base_url(host);
	cleanup_free char *url = xasprintf("%s%s", base, path);
	if (request(r, url, head, accept, NULL, NULL, host, err) < 0)
		return -1;
	if (r->code != 401 || !r->www_auth)
		return 0;
	cleanup_free char *challenge = xstrdup(r->www_auth);
	reply_release(r);
	if (strncasecmp(challenge, "bearer", 6) == 0) {
		char *token = NULL;
		if (fetch_token(&token, challenge, c, host, err) < 0 || !token)
			return -1;
		int rc = request(r, url, head, accept, NULL, token, host, err);
		explicit_bzero(token, strlen(token));
		free(token);
		return rc;
	}
	if (!c || !c->username)
		return request(r, url, head, accept, NULL, NULL, host, err);
	return request(r, url, head, accept, c, NULL, host, err);
}

int quai_registry_check(const char *host, const struct quai_registry_creds *c, struct quai_error **err)
{
	struct reply r;
	if (authed(&r, host, "/v2/", false, NULL, c, err) < 0)
		return -1;
	int rc = 0;
	if (r.code == 401 || r.code == 403)
		rc = refused(err, host, r.code, c);
	else if (r.code != 200)
		rc = quai_error_set(err, QUAI_EXIT_USAGE, "registry '%s': /v2/ answered %ld", host, r.code);
	reply_release(&r);
	return rc;
}

int quai_registry_manifest_digest(char **out_digest, const char *host, const char *repo, const char *tag,
                                  const struct quai_registry_creds *c, struct quai_error **err)
{
	*out_digest = NULL;
	static const char accept[] = "Accept: application/vnd.docker.distribution.manifest.v2+json, "
	                             "application/vnd.docker.distribution.manifest.list.v2+json, "
	                             "application/vnd.oci.image.manifest.v1+json, "
	                             "application/vnd.oci.image.index.v1+json";
	cleanup_free char *path = xasprintf("/v2/%s/manifests/%s", repo, tag);
	struct reply r;
	if (authed(&r, host, path, true, accept, c, err) < 0)
		return -1;
	int rc = 0;
	if (r.code == 200 && r.digest && strncmp(r.digest, "sha256:", 7) == 0)
		*out_digest = xstrdup(r.digest);
	else if (r.code == 200)
		rc = quai_error_set(err, QUAI_EXIT_USAGE, "registry '%s': no digest for '%s:%s'", host, repo,
		                    tag);
	else if (r.code == 401 || r.code == 403)
		rc = refused(err, host, r.code, c);
	else if (r.code != 404)
		rc = quai_error_set(err, QUAI_EXIT_USAGE, "registry '%s': manifest '%s:%s' answered %ld",
		                    host, repo, tag, r.code);
	reply_release(&r);
	return rc;
}

/* HTTP to the engine with libcurl: connection, version negotiation, one
 * request function that collects JSON or streams the answer to a callback. */
#include <curl/curl.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/base64.h"
#include "core/cleanup.h"
#include "core/xalloc.h"
#include "engine/internal.h"
#include "core/banned.h"

struct quai_engine {
	struct quai_engine_host host;
	char version[16];
	bool podman; /* the engine answered /_ping with a Libpod-Api-Version */
	CURL *curl;
};

static void cleanup_slistp(struct curl_slist **l)
{
	curl_slist_free_all(*l);
}
#define cleanup_slist __attribute__((cleanup(cleanup_slistp)))

/* The state of one transfer. */
struct xfer {
	const struct quai_engine_request *req;
	CURL *curl;
	long status;
	struct quai_buf body; /* collected answer (JSON, or an error) */
	size_t cap;
	bool over_cap;
	struct engine_lines lines;
	struct engine_demux demux;
	struct quai_error *cb_err; /* from a callback or the body reader */
	char *path_stat;
};

int engine_connect_error(struct quai_error **err, const struct quai_engine_host *h, int curl_code,
                         int os_errno, const char *curl_msg)
{
	if (curl_code == CURLE_COULDNT_CONNECT && os_errno == EACCES)
		return quai_error_set(err, QUAI_EXIT_USAGE,
		                      "permission denied on the Docker engine socket '%s': join the 'docker' "
		                      "group or run as root",
		                      h->socket ? h->socket : h->url);
	if (curl_code == CURLE_COULDNT_CONNECT || curl_code == CURLE_COULDNT_RESOLVE_HOST)
		return quai_error_set(err, QUAI_EXIT_USAGE,
		                      "no Docker engine at %s: start one with `dockerd` or set DOCKER_HOST",
		                      h->url);
	if (curl_code == CURLE_OPERATION_TIMEDOUT)
		return quai_error_set(err, QUAI_EXIT_USAGE, "the Docker engine at %s did not answer in time",
		                      h->url);
	if (curl_code == CURLE_PARTIAL_FILE || curl_code == CURLE_RECV_ERROR ||
	    curl_code == CURLE_GOT_NOTHING || curl_code == CURLE_SEND_ERROR)
		return quai_error_set(
		    err, QUAI_EXIT_USAGE,
		    "the connection to the Docker engine at %s dropped (did the engine stop?)", h->url);
	if (curl_code == CURLE_SSL_CONNECT_ERROR || curl_code == CURLE_PEER_FAILED_VERIFICATION ||
	    curl_code == CURLE_SSL_CERTPROBLEM || curl_code == CURLE_SSL_CACERT_BADFILE)
		return quai_error_set(err, QUAI_EXIT_USAGE, "TLS with the Docker engine at %s: %s", h->url,
		                      curl_msg);
	return quai_error_set(err, QUAI_EXIT_USAGE, "the Docker engine at %s: %s", h->url, curl_msg);
}

static bool is_success(long status)
{
	return status >= 200 && status < 300;
}

static size_t on_write(char *data, size_t size, size_t nmemb, void *p)
{
	struct xfer *x = p;
	size_t len = size * nmemb;
	if (!x->status)
		curl_easy_getinfo(x->curl, CURLINFO_RESPONSE_CODE, &x->status);
	const struct quai_engine_request *r = x->req;
	int rc = 0;
	if (is_success(x->status) && r->on_message)
		rc = engine_lines_feed(&x->lines, data, len, &x->cb_err);
	else if (is_success(x->status) && r->on_output)
		rc = engine_demux_feed(&x->demux, data, len, &x->cb_err);
	else if (is_success(x->status) && r->on_data)
		rc = r->on_data(r->arg, data, len, &x->cb_err);
	else if (x->body.len + len <= x->cap)
		quai_buf_add(&x->body, data, len);
	else if (is_success(x->status))
		x->over_cap = true;
	else
		quai_buf_add(&x->body, data, x->cap - x->body.len); /* an error: its start is enough */
	if (rc && !x->cb_err)
		quai_error_set(&x->cb_err, QUAI_EXIT_USAGE, "reading the engine's answer failed");
	return rc || x->over_cap ? 0 : len;
}

static size_t on_read(char *buf, size_t size, size_t nmemb, void *p)
{
	struct xfer *x = p;
	const struct quai_engine_body *b = x->req->body;
	ssize_t n = b->read(b->arg, buf, size * nmemb, &x->cb_err);
	if (n < 0) {
		if (!x->cb_err)
			quai_error_set(&x->cb_err, QUAI_EXIT_USAGE, "reading the request body failed");
		return CURL_READFUNC_ABORT;
	}
	return (size_t)n;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *p)
{
	struct xfer *x = p;
	size_t len = size * nmemb;
	static const char name[] = "x-docker-container-path-stat:";
	size_t nl = sizeof(name) - 1;
	if (len > nl && strncasecmp(data, name, nl) == 0 && !x->path_stat && len < ENGINE_ERROR_MAX) {
		size_t b = nl, e = len;
		while (b < e && (data[b] == ' ' || data[b] == '\t'))
			b++;
		while (e > b && (data[e - 1] == '\r' || data[e - 1] == '\n' || data[e - 1] == ' '))
			e--;
		cleanup_free char *enc = xstrndup(data + b, e - b);
		x->path_stat = quai_base64_decode(enc, NULL);
	}
	return len;
}

void quai_engine_query_add(struct quai_buf *q, const char *key, const char *value)
{
	char *k = curl_easy_escape(NULL, key, 0);
	char *v = curl_easy_escape(NULL, value ? value : "", 0);
	if (!k || !v)
		abort();
	quai_buf_printf(q, "%s%s=%s", q->len ? "&" : "", k, v);
	curl_free(k);
	curl_free(v);
}

static int on_xferinfo(void *p, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	struct xfer *x = p;
	x->req->on_tick(x->req->arg);
	return 0;
}

static void setup_transport(CURL *c, const struct quai_engine_host *h)
{
	if (h->socket)
		curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, h->socket);
	if (h->tls) {
		cleanup_free char *ca = xasprintf("%s/ca.pem", h->cert_dir);
		cleanup_free char *cert = xasprintf("%s/cert.pem", h->cert_dir);
		cleanup_free char *key = xasprintf("%s/key.pem", h->cert_dir);
		curl_easy_setopt(c, CURLOPT_CAINFO, ca);
		curl_easy_setopt(c, CURLOPT_SSLCERT, cert);
		curl_easy_setopt(c, CURLOPT_SSLKEY, key);
	}
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "quai");
}

static struct curl_slist *setup_request(struct quai_engine *e, struct xfer *x, char **json_text)
{
	const struct quai_engine_request *r = x->req;
	CURL *c = e->curl;
	struct curl_slist *hdrs = curl_slist_append(NULL, "Expect:");
	for (const char *const *h = r->headers; h && *h; h++)
		hdrs = curl_slist_append(hdrs, *h);
	const char *method = r->method ? r->method : "GET";
	if (r->json) {
		*json_text = json_dumps(r->json, JSON_COMPACT);
		hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, *json_text);
	} else if (r->body) {
		cleanup_free char *ct = xasprintf(
		    "Content-Type: %s", r->content_type ? r->content_type : "application/octet-stream");
		hdrs = curl_slist_append(hdrs, ct);
		hdrs = curl_slist_append(hdrs, "Transfer-Encoding: chunked");
		curl_easy_setopt(c, CURLOPT_POST, 1L);
		curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
		curl_easy_setopt(c, CURLOPT_READDATA, x);
	} else if (strcmp(method, "POST") == 0) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
	}
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, r->timeout_ms);
	if (r->on_tick) {
		curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_xferinfo);
		curl_easy_setopt(c, CURLOPT_XFERINFODATA, x);
		curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	}
	return hdrs;
}

/* The error of a non-2xx answer, with the engine's message when it sent one. */
static int status_error(struct quai_engine *e, struct xfer *x, struct quai_error **err)
{
	const char *msg = NULL;
	json_t *j = x->body.len ? json_loadb(x->body.data, x->body.len, 0, NULL) : NULL;
	if (j)
		msg = json_string_value(json_object_get(j, "message"));
	if (!msg && x->body.len && !j)
		msg = quai_buf_str(&x->body);
	cleanup_free char *text = xstrdup(msg && *msg ? msg : "no message");
	json_decref(j);
	size_t n = strlen(text);
	while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r'))
		text[--n] = '\0';
	int status = x->status == 404 ? QUAI_EXIT_FINDINGS : QUAI_EXIT_USAGE;
	quai_error_set(err, status, "the Docker engine answered %ld: %s", x->status, text);
	(void)e;
	return x->status == 404 ? QUAI_ENGINE_ENOTFOUND : -1;
}

static int finish(struct quai_engine *e, struct xfer *x, CURLcode rc, const char *curl_msg,
                  struct quai_engine_response *out, struct quai_error **err)
{
	const struct quai_engine_request *r = x->req;
	/* the path-stat header arrives before the body: keep it even when the
	 * data callback stopped the transfer early */
	if (out)
		out->path_stat = steal_pointer(&x->path_stat);
	if (x->cb_err) {
		quai_error_free(err ? *err : NULL);
		if (err) {
			*err = x->cb_err;
			x->cb_err = NULL;
		}
		return -1;
	}
	if (x->over_cap)
		return quai_error_set(err, QUAI_EXIT_USAGE,
		                      "the Docker engine's answer to %s is over %zu bytes", r->path, x->cap);
	if (rc == CURLE_OPERATION_TIMEDOUT && r->timeout_ms > 0)
		return quai_error_set(err, QUAI_EXIT_USAGE, "%s %s timed out after %ld ms",
		                      r->method ? r->method : "GET", r->path, r->timeout_ms);
	if (rc != CURLE_OK)
		return engine_connect_error(err, &e->host, rc, 0, curl_msg);
	if (!x->status)
		curl_easy_getinfo(e->curl, CURLINFO_RESPONSE_CODE, &x->status);
	if (!is_success(x->status))
		return status_error(e, x, err);
	if (r->on_message && engine_lines_finish(&x->lines, err) < 0)
		return -1;
	if (r->on_output && engine_demux_finish(&x->demux, err) < 0)
		return -1;
	if (out) {
		out->status = x->status;
		if (x->body.len)
			out->json = json_loadb(x->body.data, x->body.len, 0, NULL);
	}
	return 0;
}

int quai_engine_request(struct quai_engine *e, const struct quai_engine_request *req,
                        struct quai_engine_response *out, struct quai_error **err)
{
	if (out)
		memset(out, 0, sizeof(*out));
	struct xfer x = {.req = req, .curl = e->curl, .cap = ENGINE_JSON_MAX};
	bool streaming = req->on_message || req->on_output || req->on_data;
	if (streaming)
		x.cap = ENGINE_ERROR_MAX;
	x.lines.fn = req->on_message;
	x.lines.arg = req->arg;
	x.demux.fn = req->on_output;
	x.demux.arg = req->arg;
	curl_easy_reset(e->curl);
	setup_transport(e->curl, &e->host);
	cleanup_free char *url =
	    xasprintf("%s%s%s%s%s%s", e->host.base, e->version[0] ? "/v" : "", e->version, req->path,
	              req->query && *req->query ? "?" : "", req->query ? req->query : "");
	curl_easy_setopt(e->curl, CURLOPT_URL, url);
	char errbuf[CURL_ERROR_SIZE] = "";
	curl_easy_setopt(e->curl, CURLOPT_ERRORBUFFER, errbuf);
	cleanup_free char *json_text = NULL;
	cleanup_slist struct curl_slist *hdrs = setup_request(e, &x, &json_text);
	(void)hdrs; /* only held for its cleanup, after the transfer */
	CURLcode rc = curl_easy_perform(e->curl);
	long os_errno = 0;
	curl_easy_getinfo(e->curl, CURLINFO_OS_ERRNO, &os_errno);
	int ret;
	if (rc == CURLE_COULDNT_CONNECT)
		ret = engine_connect_error(err, &e->host, rc, (int)os_errno, errbuf);
	else
		ret = finish(e, &x, rc, errbuf[0] ? errbuf : curl_easy_strerror(rc), out, err);
	quai_buf_release(&x.body);
	engine_lines_release(&x.lines);
	quai_error_free(x.cb_err);
	free(x.path_stat);
	return ret;
}

void quai_engine_response_release(struct quai_engine_response *r)
{
	json_decref(r->json);
	free(r->path_stat);
	memset(r, 0, sizeof(*r));
}

/* GET /_ping without a version prefix: the Api-Version header, else /version. */
struct ping {
	char version[16];
	bool podman;
};

static size_t ping_header(char *data, size_t size, size_t nmemb, void *p)
{
	struct ping *ping = p;
	size_t len = size * nmemb;
	static const char name[] = "api-version:", libpod[] = "libpod-api-version:";
	size_t nl = sizeof(name) - 1;
	if (len > sizeof(libpod) - 1 && strncasecmp(data, libpod, sizeof(libpod) - 1) == 0)
		ping->podman = true;
	if (len > nl && strncasecmp(data, name, nl) == 0) {
		size_t b = nl, e = len;
		while (b < e && data[b] == ' ')
			b++;
		while (e > b && (data[e - 1] == '\r' || data[e - 1] == '\n' || data[e - 1] == ' '))
			e--;
		if (e - b < sizeof(ping->version)) {
			memcpy(ping->version, data + b, e - b);
			ping->version[e - b] = '\0';
		}
	}
	return len;
}

static size_t discard(char *data, size_t size, size_t nmemb, void *p)
{
	return size * nmemb;
}

static int ping(struct quai_engine *e, struct ping *out, struct quai_error **err)
{
	curl_easy_reset(e->curl);
	setup_transport(e->curl, &e->host);
	cleanup_free char *url = xasprintf("%s/_ping", e->host.base);
	char errbuf[CURL_ERROR_SIZE] = "";
	curl_easy_setopt(e->curl, CURLOPT_URL, url);
	curl_easy_setopt(e->curl, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(e->curl, CURLOPT_HEADERFUNCTION, ping_header);
	curl_easy_setopt(e->curl, CURLOPT_HEADERDATA, out);
	curl_easy_setopt(e->curl, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(e->curl, CURLOPT_TIMEOUT_MS, 30000L);
	CURLcode rc = curl_easy_perform(e->curl);
	long os_errno = 0, status = 0;
	curl_easy_getinfo(e->curl, CURLINFO_OS_ERRNO, &os_errno);
	curl_easy_getinfo(e->curl, CURLINFO_RESPONSE_CODE, &status);
	if (rc != CURLE_OK)
		return engine_connect_error(err, &e->host, rc, (int)os_errno,
		                            errbuf[0] ? errbuf : curl_easy_strerror(rc));
	if (status != 200)
		return quai_error_set(err, QUAI_EXIT_USAGE,
		                      "%s does not look like a Docker engine (GET /_ping: %ld)", e->host.url,
		                      status);
	return 0;
}

static void set_version(struct quai_engine *e, const char *v)
{
	size_t n = strlen(v);
	if (n >= sizeof(e->version))
		n = sizeof(e->version) - 1;
	memcpy(e->version, v, n);
	e->version[n] = '\0';
}

static int negotiate(struct quai_engine *e, struct quai_error **err)
{
	struct ping p = {"", false};
	if (ping(e, &p, err) < 0)
		return -1;
	e->podman = p.podman;
	if (!p.version[0]) {
		json_t *v = NULL;
		if (quai_engine_version(e, &v, NULL) == 0) {
			const char *s = json_string_value(json_object_get(v, "ApiVersion"));
			if (s && strlen(s) < sizeof(p.version))
				memcpy(p.version, s, strlen(s) + 1);
		}
		json_decref(v);
	}
	set_version(e, quai_engine_version_pick(p.version[0] ? p.version : NULL));
	return 0;
}

int quai_engine_open_host(struct quai_engine **out, const struct quai_engine_host *host,
                          struct quai_error **err)
{
	quai_engine_curl_init(host->tls);
	struct quai_engine *e = xcalloc(1, sizeof(*e));
	e->host.url = xstrdup(host->url);
	e->host.socket = host->socket ? xstrdup(host->socket) : NULL;
	e->host.base = xstrdup(host->base);
	e->host.tls = host->tls;
	e->host.cert_dir = host->cert_dir ? xstrdup(host->cert_dir) : NULL;
	e->curl = curl_easy_init();
	if (!e->curl)
		abort();
	if (negotiate(e, err) < 0) {
		quai_engine_free(e);
		return -1;
	}
	*out = e;
	return 0;
}

int quai_engine_open(struct quai_engine **out, struct quai_error **err)
{
	struct quai_engine_host h;
	if (quai_engine_host_parse(&h, getenv("DOCKER_HOST"), getenv("DOCKER_TLS_VERIFY"),
	                           getenv("DOCKER_CERT_PATH"), getenv("HOME"), err) < 0)
		return -1;
	int rc = quai_engine_open_host(out, &h, err);
	quai_engine_host_release(&h);
	return rc;
}

void quai_engine_free(struct quai_engine *e)
{
	if (!e)
		return;
	if (e->curl)
		curl_easy_cleanup(e->curl);
	quai_engine_host_release(&e->host);
	free(e);
}

const char *quai_engine_api_version(const struct quai_engine *e)
{
	return e->version;
}

const struct quai_engine_host *quai_engine_host(const struct quai_engine *e)
{
	return &e->host;
}

bool quai_engine_is_podman(const struct quai_engine *e)
{
	return e->podman;
}

int quai_engine_version(struct quai_engine *e, json_t **out, struct quai_error **err)
{
	struct quai_engine_request req = {.path = "/version", .timeout_ms = 30000};
	struct quai_engine_response resp;
	if (quai_engine_request(e, &req, &resp, err) < 0)
		return -1;
	if (!resp.json)
		return quai_error_set(err, QUAI_EXIT_USAGE, "the engine's /version answer is not JSON");
	*out = steal_pointer(&resp.json);
	quai_engine_response_release(&resp);
	return 0;
}

void quai_engine_strv_free(char **v)
{
	for (char **p = v; p && *p; p++)
		free(*p);
	free(v);
}

/* Commit statuses and notifications, through libcurl (see forge.h). */
#include <curl/curl.h>
#include <jansson.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/cleanup.h"
#include "core/xalloc.h"
#include "forge/forge.h"
#include "core/banned.h"

static size_t discard(char *ptr, size_t size, size_t n, void *ctx)
{
	(void)ptr;
	(void)ctx;
	return size * n;
}

/* POSTs body to url with the headers; 2xx is success. The token is in a
 * header, never in a message. */
static int post(const char *url, const char *body, struct curl_slist *headers, struct quai_error **err)
{
	CURL *curl = curl_easy_init();
	if (!curl)
		return quai_error_set(err, 2, "cannot start libcurl");
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_POST, 1L);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body ? body : "");
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 10L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_USERAGENT, "quai");
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	CURLcode rc = curl_easy_perform(curl);
	long code = 0;
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_cleanup(curl);
	if (rc != CURLE_OK)
		return quai_error_set(err, 1, "POST '%s': %s", url, curl_easy_strerror(rc));
	if (code < 200 || code > 299)
		return quai_error_set(err, 1, "POST '%s': HTTP %ld", url, code);
	return 0;
}

int quai_forge_post_json(const char *url, const char *json, struct quai_error **err)
{
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
	int rc = post(url, json, h, err);
	curl_slist_free_all(h);
	return rc;
}

static const char *forge_state(enum quai_forge_kind kind, const char *state)
{
	if (kind == QUAI_FORGE_GITLAB)
		return state; /* pending, running, success, failed, canceled */
	if (strcmp(state, "running") == 0)
		return "pending";
	if (strcmp(state, "failed") == 0)
		return "failure";
	if (strcmp(state, "canceled") == 0)
		return "error";
	return state;
}

static char *escape(CURL *curl, const char *s)
{
	char *e = curl_easy_escape(curl, s ? s : "", 0);
	char *copy = xstrdup(e ? e : "");
	curl_free(e);
	return copy;
}

int quai_forge_report_status(const struct quai_forge_status_target *t, const char *sha, const char *state,
                             const char *target_url, const char *description, struct quai_error **err)
{
	const char *st = forge_state(t->kind, state);
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
	cleanup_free char *auth = NULL;
	cleanup_free char *url = NULL;
	cleanup_free char *body = NULL;
	if (t->kind == QUAI_FORGE_GITLAB) {
		CURL *curl = curl_easy_init();
		cleanup_free char *repo = escape(curl, t->repo);
		cleanup_free char *e_state = escape(curl, st);
		cleanup_free char *e_url = escape(curl, target_url);
		cleanup_free char *e_desc = escape(curl, description);
		curl_easy_cleanup(curl);
		url = xasprintf("%s/projects/%s/statuses/%s?state=%s&name=quai&target_url=%s&description=%s",
		                t->api, repo, sha, e_state, e_url, e_desc);
		if (t->token)
			auth = xasprintf("PRIVATE-TOKEN: %s", t->token);
	} else {
		url = xasprintf("%s/repos/%s/statuses/%s", t->api, t->repo, sha);
		json_t *o = json_pack("{s:s, s:s}", "state", st, "context", "quai");
		if (target_url)
			json_object_set_new(o, "target_url", json_string(target_url));
		if (description)
			json_object_set_new(o, "description", json_string(description));
		body = json_dumps(o, JSON_COMPACT);
		json_decref(o);
		if (t->token)
			auth = xasprintf("Authorization: %s %s",
			                 t->kind == QUAI_FORGE_GITHUB ? "Bearer" : "token", t->token);
		if (t->kind == QUAI_FORGE_GITHUB)
			h = curl_slist_append(h, "Accept: application/vnd.github+json");
	}
	if (auth)
		h = curl_slist_append(h, auth);
	int rc = post(url, body, h, err);
	curl_slist_free_all(h);
	if (auth)
		explicit_bzero(auth, strlen(auth));
	if (rc < 0)
		return quai_error_wrap(err, "commit status '%s' for %.12s", state, sha);
	return 0;
}

struct upload {
	const char *data;
	size_t len, off;
};

static size_t read_mail(char *buf, size_t size, size_t n, void *ctx)
{
	struct upload *u = ctx;
	size_t room = size * n, left = u->len - u->off;
	size_t take = left < room ? left : room;
	memcpy(buf, u->data + u->off, take);
	u->off += take;
	return take;
}

static void mail_text(struct quai_buf *b, const struct quai_forge_mail *m, const char *subject,
                      const char *body)
{
	char date[64];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	quai_buf_printf(b, "Date: %s\r\nFrom: %s\r\nTo: ", date, m->from);
	for (size_t i = 0; m->to[i]; i++)
		quai_buf_printf(b, "%s%s", i ? ", " : "", m->to[i]);
	quai_buf_puts(b, "\r\nSubject: ");
	for (const char *p = subject; *p; p++)
		quai_buf_putc(b, *p == '\r' || *p == '\n' ? ' ' : *p);
	quai_buf_puts(b, "\r\nContent-Type: text/plain; charset=utf-8\r\nMIME-Version: 1.0\r\n\r\n");
	/* lines end in CRLF; a line starting with '.' is doubled by libcurl */
	for (const char *p = body; *p; p++) {
		if (*p == '\n' && (p == body || p[-1] != '\r'))
			quai_buf_putc(b, '\r');
		quai_buf_putc(b, *p);
	}
	quai_buf_puts(b, "\r\n");
}

int quai_forge_send_mail(const struct quai_forge_mail *m, const char *subject, const char *body,
                         struct quai_error **err)
{
	struct quai_buf text = QUAI_BUF_INIT;
	mail_text(&text, m, subject, body);
	struct upload u = {text.data, text.len, 0};
	CURL *curl = curl_easy_init();
	if (!curl) {
		quai_buf_release(&text);
		return quai_error_set(err, 2, "cannot start libcurl");
	}
	struct curl_slist *rcpt = NULL;
	for (size_t i = 0; m->to[i]; i++)
		rcpt = curl_slist_append(rcpt, m->to[i]);
	curl_easy_setopt(curl, CURLOPT_URL, m->url);
	curl_easy_setopt(curl, CURLOPT_MAIL_FROM, m->from);
	curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_mail);
	curl_easy_setopt(curl, CURLOPT_READDATA, &u);
	curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(curl, CURLOPT_USE_SSL, (long)CURLUSESSL_TRY);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	if (m->user) {
		curl_easy_setopt(curl, CURLOPT_USERNAME, m->user);
		curl_easy_setopt(curl, CURLOPT_PASSWORD, m->password ? m->password : "");
	}
	CURLcode rc = curl_easy_perform(curl);
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(curl);
	quai_buf_release(&text);
	if (rc != CURLE_OK)
		return quai_error_set(err, 1, "mail through '%s': %s", m->url, curl_easy_strerror(rc));
	return 0;
}

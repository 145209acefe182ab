/* quai remote: the CLI side of `quai serve`'s API (docs/server.md):
 * list pipelines, trigger, cancel, retry, and print or follow logs. */
#include <curl/curl.h>
#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/buf.h"
#include "core/cleanup.h"
#include "core/error.h"
#include "core/xalloc.h"
#include "core/banned.h"

#define RESPONSE_MAX (64u << 20)

const char cmd_remote_usage[] =
    "usage: quai remote list [--project NAME] [--branch B] [--status S] [--limit N]\n"
    "       quai remote trigger PROJECT [--branch B] [--sha SHA]\n"
    "       quai remote logs PIPELINE [-f]\n"
    "       quai remote cancel PIPELINE\n"
    "       quai remote retry PIPELINE\n"
    "\n"
    "Talks to a `quai serve` through its API. The server and the token come\n"
    "from --server and --token, else from QUAI_SERVER and QUAI_TOKEN (create\n"
    "tokens with `quai serve token create`; trigger, cancel and retry need an\n"
    "admin token).\n"
    "\n"
    "Options:\n"
    "  -s, --server URL    the server, e.g. http://127.0.0.1:8080\n"
    "  -t, --token TOKEN   the API token\n"
    "  -f, --follow        logs: follow the running job until it ends\n"
    "  -h, --help          show this help\n"
    "\n"
    "Exit status: 0 done, 1 the server refused or the pipeline failed (logs -f),\n"
    "2 usage error or server unreachable.\n";

enum { OPT_PROJECT = 256, OPT_BRANCH, OPT_STATUS, OPT_LIMIT, OPT_SHA };

static const struct option long_opts[] = {
    {"server", required_argument, NULL, 's'},
    {"token", required_argument, NULL, 't'},
    {"follow", no_argument, NULL, 'f'},
    {"project", required_argument, NULL, OPT_PROJECT},
    {"branch", required_argument, NULL, OPT_BRANCH},
    {"status", required_argument, NULL, OPT_STATUS},
    {"limit", required_argument, NULL, OPT_LIMIT},
    {"sha", required_argument, NULL, OPT_SHA},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

struct remote {
	const char *server, *token;
	const char *project, *branch, *status, *limit, *sha;
	bool follow;
};

struct sink {
	struct quai_buf buf;
	bool too_big;
	/* following: events are printed as they come */
	bool sse;
	struct quai_buf line;
	bool ended;
};

static void sse_line(struct sink *s)
{
	const char *l = quai_buf_str(&s->line);
	if (strncmp(l, "data: ", 6) == 0 && !s->ended) {
		fputs(l + 6, stdout);
		fputc('\n', stdout);
		fflush(stdout);
	} else if (strncmp(l, "event: end", 10) == 0) {
		s->ended = true;
	}
	quai_buf_truncate(&s->line, 0);
}

static size_t on_data(char *ptr, size_t size, size_t n, void *ctx)
{
	struct sink *s = ctx;
	size_t len = size * n;
	if (s->sse) {
		for (size_t i = 0; i < len; i++) {
			if (ptr[i] == '\n')
				sse_line(s);
			else
				quai_buf_putc(&s->line, ptr[i]);
		}
		return len;
	}
	if (s->buf.len + len > RESPONSE_MAX) {
		s->too_big = true;
		return 0;
	}
	quai_buf_add(&s->buf, ptr, len);
	return len;
}

/* One request to the API; *status the HTTP status, the body in s. */
static int call(const struct remote *r, const char *method, const char *path, const char *body,
                struct sink *s, long *status, struct quai_error **err)
{
	cleanup_free char *url = xasprintf("%s%s", r->server, path);
	CURL *curl = curl_easy_init();
	if (!curl)
		return quai_error_set(err, 2, "cannot start libcurl");
	struct curl_slist *h = curl_slist_append(NULL, "Accept: application/json");
	cleanup_free char *auth = r->token ? xasprintf("Authorization: Bearer %s", r->token) : NULL;
	if (auth)
		h = curl_slist_append(h, auth);
	if (body)
		h = curl_slist_append(h, "Content-Type: application/json");
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
	if (body)
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, s);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
	if (!s->sse)
		curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	CURLcode rc = curl_easy_perform(curl);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
	curl_easy_cleanup(curl);
	curl_slist_free_all(h);
	if (rc != CURLE_OK)
		return quai_error_set(err, 2, "%s %s: %s", method, r->server, curl_easy_strerror(rc));
	if (s->too_big)
		return quai_error_set(err, 2, "%s %s: response larger than %u bytes", method, path,
		                      RESPONSE_MAX);
	return 0;
}

/* A JSON call; non-2xx answers become errors with the server's message. */
static int call_json(const struct remote *r, const char *method, const char *path, const char *body,
                     json_t **out, struct quai_error **err)
{
	struct sink s = {QUAI_BUF_INIT, false, false, QUAI_BUF_INIT, false};
	long status = 0;
	int rc = call(r, method, path, body, &s, &status, err);
	json_t *j = rc == 0 ? json_loads(quai_buf_str(&s.buf), 0, NULL) : NULL;
	quai_buf_release(&s.buf);
	if (rc < 0)
		return -1;
	if (status < 200 || status > 299) {
		const char *msg = json_string_value(json_object_get(j, "error"));
		quai_error_set(err, 1, "%s %s: HTTP %ld: %s", method, path, status, msg ? msg : "no message");
		json_decref(j);
		return -1;
	}
	if (!j)
		return quai_error_set(err, 2, "%s %s: the answer is not JSON: is '%s' a quai server?", method,
		                      path, r->server);
	*out = j;
	return 0;
}

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "-";
}

static int list(const struct remote *r, struct quai_error **err)
{
	struct quai_buf q = QUAI_BUF_INIT;
	quai_buf_puts(&q, "/api/v1/pipelines?");
	const char *keys[] = {"project", "branch", "status", "limit"};
	const char *vals[] = {r->project, r->branch, r->status, r->limit};
	for (int i = 0; i < 4; i++) {
		if (!vals[i])
			continue;
		char *v = curl_easy_escape(NULL, vals[i], 0);
		quai_buf_printf(&q, "%s=%s&", keys[i], v ? v : "");
		curl_free(v);
	}
	json_t *j = NULL;
	int rc = call_json(r, "GET", quai_buf_str(&q), NULL, &j, err);
	quai_buf_release(&q);
	if (rc < 0)
		return -1;
	printf("%-8s %-9s %-16s %-20s %-12s %s\n", "ID", "STATUS", "PROJECT", "BRANCH", "COMMIT", "TRIGGER");
	size_t i;
	json_t *p;
	json_array_foreach(json_object_get(j, "pipelines"), i, p)
	{
		printf("%-8lld %-9s %-16s %-20s %-12.12s %s\n",
		       (long long)json_integer_value(json_object_get(p, "id")), str(p, "status"),
		       str(p, "project"), str(p, "branch"), str(p, "sha"), str(p, "trigger"));
	}
	json_decref(j);
	return 0;
}

static int trigger(const struct remote *r, const char *project, struct quai_error **err)
{
	json_t *body = json_object();
	if (r->branch)
		json_object_set_new(body, "branch", json_string(r->branch));
	if (r->sha)
		json_object_set_new(body, "sha", json_string(r->sha));
	cleanup_free char *text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	char *escaped = curl_easy_escape(NULL, project, 0);
	cleanup_free char *path = xasprintf("/api/v1/projects/%s/trigger", escaped ? escaped : "");
	curl_free(escaped);
	json_t *j = NULL;
	if (call_json(r, "POST", path, text, &j, err) < 0)
		return -1;
	printf("pipeline %lld queued\n", (long long)json_integer_value(json_object_get(j, "pipeline")));
	json_decref(j);
	return 0;
}

static int act(const struct remote *r, const char *what, long long id, struct quai_error **err)
{
	cleanup_free char *path = xasprintf("/api/v1/pipelines/%lld/%s", id, what);
	json_t *j = NULL;
	if (call_json(r, "POST", path, NULL, &j, err) < 0)
		return -1;
	if (strcmp(what, "retry") == 0)
		printf("pipeline %lld queued (retry of %lld)\n",
		       (long long)json_integer_value(json_object_get(j, "pipeline")), id);
	else
		printf("pipeline %lld %s\n", id, str(j, "status"));
	json_decref(j);
	return 0;
}

static int logs(const struct remote *r, long long id, struct quai_error **err)
{
	cleanup_free char *path = xasprintf("/api/v1/pipelines/%lld", id);
	json_t *p = NULL;
	if (call_json(r, "GET", path, NULL, &p, err) < 0)
		return -1;
	size_t i;
	json_t *job;
	int rc = 0;
	json_array_foreach(json_object_get(p, "jobs"), i, job)
	{
		long long jid = (long long)json_integer_value(json_object_get(job, "id"));
		const char *st = str(job, "status");
		bool live = strcmp(st, "running") == 0 || strcmp(st, "queued") == 0;
		if (strcmp(st, "skipped") == 0 ||
		    (strcmp(st, "canceled") == 0 && !json_integer_value(json_object_get(job, "log_bytes"))))
			continue;
		printf("== job %lld '%s' (%s)\n", jid, str(job, "name"), st);
		fflush(stdout);
		cleanup_free char *lp =
		    xasprintf("/api/v1/jobs/%lld/log%s", jid, r->follow && live ? "?follow=1" : "");
		struct sink s = {QUAI_BUF_INIT, false, r->follow && live, QUAI_BUF_INIT, false};
		long status = 0;
		rc = call(r, "GET", lp, NULL, &s, &status, err);
		if (rc == 0 && status == 200 && !s.sse)
			fwrite(s.buf.data ? s.buf.data : "", 1, s.buf.len, stdout);
		else if (rc == 0 && status != 200 && status != 404)
			rc = quai_error_set(err, 1, "GET %s: HTTP %ld", lp, status);
		quai_buf_release(&s.buf);
		quai_buf_release(&s.line);
		if (rc < 0)
			break;
	}
	json_decref(p);
	if (rc == 0 && r->follow) {
		/* the final status decides the exit status */
		json_t *done = NULL;
		if (call_json(r, "GET", path, NULL, &done, err) < 0)
			return -1;
		const char *st = str(done, "status");
		printf("== pipeline %lld %s\n", id, st);
		rc = strcmp(st, "success") == 0 ? 0 : 1;
		json_decref(done);
		return rc;
	}
	return rc;
}

static long long pipeline_id(const char *s)
{
	char *end = NULL;
	long long v = s ? strtoll(s, &end, 10) : 0;
	return s && *s && !*end && v > 0 ? v : -1;
}

int cmd_remote(int argc, char **argv)
{
	struct remote r = {.server = getenv("QUAI_SERVER"), .token = getenv("QUAI_TOKEN")};
	int c;
	while ((c = getopt_long(argc, argv, "s:t:fh", long_opts, NULL)) != -1) {
		switch (c) {
		case 's':
			r.server = optarg;
			break;
		case 't':
			r.token = optarg;
			break;
		case 'f':
			r.follow = true;
			break;
		case OPT_PROJECT:
			r.project = optarg;
			break;
		case OPT_BRANCH:
			r.branch = optarg;
			break;
		case OPT_STATUS:
			r.status = optarg;
			break;
		case OPT_LIMIT:
			r.limit = optarg;
			break;
		case OPT_SHA:
			r.sha = optarg;
			break;
		case 'h':
			fputs(cmd_remote_usage, stdout);
			return QUAI_EXIT_OK;
		default:
			fputs(cmd_remote_usage, stderr);
			return QUAI_EXIT_USAGE;
		}
	}
	const char *sub = optind < argc ? argv[optind++] : NULL;
	const char *arg = optind < argc ? argv[optind++] : NULL;
	if (!sub || optind < argc) {
		fputs(cmd_remote_usage, stderr);
		return QUAI_EXIT_USAGE;
	}
	if (r.server && !*r.server)
		r.server = NULL;
	if (r.token && !*r.token)
		r.token = NULL;
	if (!r.server) {
		quai_cli_error("remote: no server: give --server URL or set QUAI_SERVER");
		return QUAI_EXIT_USAGE;
	}
	cleanup_free char *server = xstrdup(r.server);
	size_t len = strlen(server);
	while (len > 0 && server[len - 1] == '/')
		server[--len] = '\0';
	r.server = server;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	cleanup_error struct quai_error *err = NULL;
	int rc;
	if (strcmp(sub, "list") == 0 && !arg)
		rc = list(&r, &err);
	else if (strcmp(sub, "trigger") == 0 && arg)
		rc = trigger(&r, arg, &err);
	else if ((strcmp(sub, "cancel") == 0 || strcmp(sub, "retry") == 0) && pipeline_id(arg) > 0)
		rc = act(&r, sub, pipeline_id(arg), &err);
	else if (strcmp(sub, "logs") == 0 && pipeline_id(arg) > 0)
		rc = logs(&r, pipeline_id(arg), &err);
	else {
		quai_cli_error("remote: expected list, trigger PROJECT, logs ID, cancel ID or retry ID");
		curl_global_cleanup();
		return QUAI_EXIT_USAGE;
	}
	curl_global_cleanup();
	if (rc < 0) {
		quai_cli_error("remote: %s", err->msg);
		return err->status ? err->status : QUAI_EXIT_FINDINGS;
	}
	return rc;
}

/* Request routing (see server.h): a path is split into segments, every
 * name and id checked strictly, so that nothing from a URL reaches a file
 * path or a query unchecked. */
#include <ctype.h>
#include <string.h>

#include "server/server.h"
#include "core/banned.h"

#define MAX_SEGMENTS 6

static bool name_ok(const char *s, size_t len)
{
	if (len == 0 || len > 64 || s[0] == '.' || s[0] == '-')
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '.' && s[i] != '_' && s[i] != '-')
			return false;
	return true;
}

static bool id_ok(const char *s, size_t len, int64_t *out)
{
	if (len == 0 || len > 16 || s[0] == '0')
		return false;
	int64_t v = 0;
	for (size_t i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

struct seg {
	const char *s;
	size_t len;
};

static bool is(const struct seg *g, const char *word)
{
	return g->len == strlen(word) && memcmp(g->s, word, g->len) == 0;
}

static void set(struct quai_route *out, enum quai_route_kind kind, bool post, bool is_post)
{
	out->kind = kind;
	out->admin = post;
	out->bad_method = post != is_post;
}

static void api(struct quai_route *out, const struct seg *g, size_t n, bool post)
{
	out->api = true;
	if (n == 1 && is(&g[0], "projects"))
		set(out, QUAI_ROUTE_PROJECTS, false, post);
	else if (n == 3 && is(&g[0], "projects") && is(&g[2], "trigger") && name_ok(g[1].s, g[1].len)) {
		set(out, QUAI_ROUTE_TRIGGER, true, post);
		memcpy(out->name, g[1].s, g[1].len);
		out->name[g[1].len] = '\0';
	} else if (n == 1 && is(&g[0], "pipelines"))
		set(out, QUAI_ROUTE_PIPELINES, false, post);
	else if (n >= 2 && n <= 3 && is(&g[0], "pipelines") && id_ok(g[1].s, g[1].len, &out->id)) {
		if (n == 2)
			set(out, QUAI_ROUTE_PIPELINE, false, post);
		else if (is(&g[2], "jobs"))
			set(out, QUAI_ROUTE_PIPELINE_JOBS, false, post);
		else if (is(&g[2], "cancel"))
			set(out, QUAI_ROUTE_CANCEL, true, post);
		else if (is(&g[2], "retry"))
			set(out, QUAI_ROUTE_RETRY, true, post);
	} else if (n >= 2 && n <= 3 && is(&g[0], "jobs") && id_ok(g[1].s, g[1].len, &out->id)) {
		if (n == 2)
			set(out, QUAI_ROUTE_JOB, false, post);
		else if (is(&g[2], "log"))
			set(out, QUAI_ROUTE_JOB_LOG, false, post);
	}
}

void quai_server_route(struct quai_route *out, const char *method, const char *path)
{
	memset(out, 0, sizeof(*out));
	bool post = strcmp(method, "POST") == 0;
	bool get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
	if (!post && !get) {
		out->bad_method = true;
	}
	if (path[0] != '/')
		return;
	struct seg g[MAX_SEGMENTS];
	size_t n = 0;
	const char *p = path + 1;
	while (*p) {
		const char *end = strchr(p, '/');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (n == MAX_SEGMENTS || len == 0)
			return;
		g[n].s = p;
		g[n++].len = len;
		p += len;
		if (*p == '/' && p[1] == '\0')
			return; /* no trailing slashes */
		if (*p == '/')
			p++;
	}
	bool bad = out->bad_method;
	if (n == 1 && is(&g[0], "healthz"))
		set(out, QUAI_ROUTE_HEALTHZ, false, post);
	else if (n == 1 && is(&g[0], "metrics"))
		set(out, QUAI_ROUTE_METRICS, false, post);
	else if (n == 2 && is(&g[0], "hooks") && name_ok(g[1].s, g[1].len)) {
		set(out, QUAI_ROUTE_HOOK, true, post);
		out->admin = false;
		memcpy(out->name, g[1].s, g[1].len);
		out->name[g[1].len] = '\0';
	} else if (n >= 3 && is(&g[0], "api") && is(&g[1], "v1"))
		api(out, g + 2, n - 2, post);
	if (bad)
		out->bad_method = true;
}

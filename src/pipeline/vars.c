/* Variables: ordered sets, GitLab's $VAR expansion, the predefined CI_*
 * variables and the set a job runs with. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/xalloc.h"
#include "pipeline/internal.h"
#include "core/banned.h"

#define EXPAND_DEPTH 10
#define EXPAND_MAX   (1u << 20) /* bytes an expansion may grow to */

struct quai_pipeline_var *quai_pipeline_vars_add(struct quai_pipeline_vars *vars, const char *key,
                                                 const char *value)
{
	vars->v = xgrow(vars->v, &vars->cap, vars->n + 1, sizeof(*vars->v));
	struct quai_pipeline_var *v = &vars->v[vars->n++];
	*v = (struct quai_pipeline_var){.key = xstrdup(key), .value = xstrdup(value ? value : "")};
	return v;
}

const struct quai_pipeline_var *quai_pipeline_vars_get(const struct quai_pipeline_vars *vars, const char *key)
{
	if (!vars)
		return NULL;
	for (size_t i = vars->n; i-- > 0;)
		if (strcmp(vars->v[i].key, key) == 0)
			return &vars->v[i];
	return NULL;
}

static const struct quai_pipeline_var *vars_getn(const struct quai_pipeline_vars *vars, const char *key,
                                                 size_t len)
{
	if (!vars)
		return NULL;
	for (size_t i = vars->n; i-- > 0;)
		if (strncmp(vars->v[i].key, key, len) == 0 && vars->v[i].key[len] == '\0')
			return &vars->v[i];
	return NULL;
}

void quai_pipeline_vars_release(struct quai_pipeline_vars *vars)
{
	for (size_t i = 0; i < vars->n; i++) {
		free(vars->v[i].key);
		free(vars->v[i].value);
		free(vars->v[i].description);
	}
	free(vars->v);
	*vars = (struct quai_pipeline_vars){0};
}

void pl_vars_append(struct quai_pipeline_vars *out, const struct quai_pipeline_vars *in)
{
	if (!in)
		return;
	for (size_t i = 0; i < in->n; i++) {
		struct quai_pipeline_var *v = quai_pipeline_vars_add(out, in->v[i].key, in->v[i].value);
		v->raw = in->v[i].raw;
		v->masked = in->v[i].masked;
		v->file = in->v[i].file;
		v->description = in->v[i].description ? xstrdup(in->v[i].description) : NULL;
	}
}

static size_t hash_str(const char *s)
{
	size_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

void pl_vars_dedup(struct quai_pipeline_vars *vars)
{
	/* slots: the index of the last definition of a key, + 1 */
	size_t cap = 16;
	while (cap < vars->n * 2 + 2)
		cap *= 2;
	size_t *last = xcalloc(cap, sizeof(size_t));
	bool *done = xcalloc(vars->n + 1, sizeof(bool));
	for (size_t i = 0; i < vars->n; i++) {
		size_t h = hash_str(vars->v[i].key) & (cap - 1);
		while (last[h] && strcmp(vars->v[last[h] - 1].key, vars->v[i].key) != 0)
			h = (h + 1) & (cap - 1);
		last[h] = i + 1;
	}
	/* the last definition, at the place of the first */
	size_t *order = xcalloc(vars->n + 1, sizeof(size_t));
	size_t n = 0;
	for (size_t i = 0; i < vars->n; i++) {
		size_t h = hash_str(vars->v[i].key) & (cap - 1);
		while (strcmp(vars->v[last[h] - 1].key, vars->v[i].key) != 0)
			h = (h + 1) & (cap - 1);
		size_t w = last[h] - 1;
		if (!done[w]) {
			done[w] = true;
			order[n++] = w;
		}
	}
	struct quai_pipeline_vars out = {0};
	out.v = xcalloc(n + 1, sizeof(*out.v));
	out.cap = n + 1;
	for (size_t k = 0; k < n; k++) {
		out.v[out.n++] = vars->v[order[k]];
		vars->v[order[k]] = (struct quai_pipeline_var){0};
	}
	free(order);
	free(last);
	free(done);
	quai_pipeline_vars_release(vars);
	*vars = out;
}

void pl_vars_copy(struct quai_pipeline_vars *out, const struct quai_pipeline_vars *in)
{
	*out = (struct quai_pipeline_vars){0};
	pl_vars_append(out, in);
}

static bool name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* Expands s into b; depth counts nested variable values. */
static void expand_into(struct quai_buf *b, const char *s, const struct quai_pipeline_vars *vars,
                        bool keep_unknown, unsigned depth)
{
	for (const char *p = s; *p;) {
		if (b->len > EXPAND_MAX)
			return;
		if (*p != '$') {
			const char *q = strchr(p, '$');
			size_t n = q ? (size_t)(q - p) : strlen(p);
			quai_buf_add(b, p, n);
			p += n;
			continue;
		}
		if (p[1] == '$') {
			/* $$ is a literal $ */
			quai_buf_putc(b, '$');
			p += 2;
			continue;
		}
		const char *name = p + 1, *end;
		size_t len = 0;
		if (p[1] == '{') {
			name = p + 2;
			end = strchr(name, '}');
			if (!end) {
				quai_buf_puts(b, p);
				return;
			}
			len = (size_t)(end - name);
			end++;
		} else {
			end = name;
			while (name_char(*end))
				end++;
			len = (size_t)(end - name);
		}
		if (len == 0) {
			quai_buf_putc(b, '$');
			p++;
			continue;
		}
		const struct quai_pipeline_var *v = vars_getn(vars, name, len);
		if (!v) {
			if (keep_unknown)
				quai_buf_add(b, p, (size_t)(end - p));
		} else if (v->raw || depth >= EXPAND_DEPTH || !strchr(v->value, '$')) {
			quai_buf_puts(b, v->value);
		} else {
			expand_into(b, v->value, vars, keep_unknown, depth + 1);
		}
		p = end;
	}
}

char *pl_expand_ex(const char *s, const struct quai_pipeline_vars *vars, bool keep_unknown)
{
	struct quai_buf b = QUAI_BUF_INIT;
	if (s)
		expand_into(&b, s, vars, keep_unknown, 0);
	return quai_buf_detach(&b);
}

char *quai_pipeline_expand(const char *s, const struct quai_pipeline_vars *vars)
{
	return pl_expand_ex(s, vars, false);
}

void pl_vars_expand_all(struct quai_pipeline_vars *vars)
{
	/* each value against the set as it was, so that order does not matter */
	struct quai_pipeline_vars orig;
	pl_vars_copy(&orig, vars);
	for (size_t i = 0; i < vars->n; i++) {
		if (vars->v[i].raw || !strchr(vars->v[i].value, '$'))
			continue;
		/* a variable that refers to itself sees the earlier definition */
		struct quai_pipeline_vars before = {orig.v, i, orig.cap};
		bool self = false;
		for (const char *q = strchr(vars->v[i].value, '$'); q && !self; q = strchr(q + 1, '$')) {
			size_t klen = strlen(vars->v[i].key);
			const char *nm = q[1] == '{' ? q + 2 : q + 1;
			if (strncmp(nm, vars->v[i].key, klen) == 0 && !name_char(nm[klen]))
				self = true;
		}
		char *x = pl_expand_ex(vars->v[i].value, self ? &before : &orig, true);
		free(vars->v[i].value);
		vars->v[i].value = x;
	}
	quai_pipeline_vars_release(&orig);
}

void pl_strv_free(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

size_t pl_strv_len(char *const *v)
{
	size_t n = 0;
	while (v && v[n])
		n++;
	return n;
}

char **pl_strv_dup(char *const *v)
{
	if (!v)
		return NULL;
	size_t n = pl_strv_len(v);
	char **out = xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		out[i] = xstrdup(v[i]);
	return out;
}

const char *quai_pipeline_when_name(enum quai_pipeline_when when)
{
	static const char *const names[] = {"on_success", "on_failure", "always",
	                                    "manual",     "delayed",    "never"};
	return (unsigned)when < sizeof(names) / sizeof(names[0]) ? names[when] : "?";
}

char *quai_pipeline_slug(const char *ref)
{
	struct quai_buf b = QUAI_BUF_INIT;
	for (const char *p = ref ? ref : ""; *p && b.len < 63; p++) {
		char c = (char)tolower((unsigned char)*p);
		quai_buf_putc(&b, (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ? c : '-');
	}
	char *s = quai_buf_detach(&b);
	size_t n = strlen(s);
	while (n > 0 && s[n - 1] == '-')
		s[--n] = '\0';
	size_t lead = strspn(s, "-");
	memmove(s, s + lead, n - lead + 1);
	return s;
}

bool quai_pipeline_is_pipeline_name(const char *base)
{
	size_t n = strlen(base);
	static const char suffix[] = ".gitlab-ci.yml";
	return strcmp(base, ".quai-ci.yml") == 0 ||
	       (n >= sizeof(suffix) - 1 && strcmp(base + n - (sizeof(suffix) - 1), suffix) == 0);
}

static const char zero_sha[] = "0000000000000000000000000000000000000000";

static void add(struct quai_pipeline_vars *out, const char *k, const char *v)
{
	quai_pipeline_vars_add(out, k, v);
}

static void add_project(struct quai_pipeline_vars *out, const struct quai_pipeline_context *ctx)
{
	char *path;
	if (ctx->project_path) {
		path = xstrdup(ctx->project_path);
	} else {
		const char *dir = ctx->project_dir ? ctx->project_dir : ".";
		char *abs = realpath(dir, NULL);
		const char *base = abs ? strrchr(abs, '/') : NULL;
		path = xasprintf("local/%s", base && base[1] ? base + 1 : "project");
		free(abs);
	}
	const char *slash = strrchr(path, '/');
	char *ns = slash ? xstrndup(path, (size_t)(slash - path)) : xstrdup("");
	char *lower = xstrdup(path);
	for (char *q = lower; *q; q++)
		*q = (char)tolower((unsigned char)*q);
	char *slug = quai_pipeline_slug(path);
	const char *registry = ctx->registry ? ctx->registry : "registry.local";
	char *image = xasprintf("%s/%s", registry, lower);
	char *root = xstrndup(path, strcspn(path, "/"));
	add(out, "CI_PROJECT_NAME", slash ? slash + 1 : path);
	add(out, "CI_PROJECT_TITLE", slash ? slash + 1 : path);
	add(out, "CI_PROJECT_PATH", path);
	add(out, "CI_PROJECT_PATH_SLUG", slug);
	add(out, "CI_PROJECT_NAMESPACE", ns);
	add(out, "CI_PROJECT_ROOT_NAMESPACE", root);
	add(out, "CI_PROJECT_ID", "1");
	add(out, "CI_PROJECT_VISIBILITY", "private");
	add(out, "CI_REGISTRY", registry);
	add(out, "CI_REGISTRY_IMAGE", image);
	free(path);
	free(ns);
	free(lower);
	free(slug);
	free(image);
	free(root);
}

static void add_commit(struct quai_pipeline_vars *out, const struct quai_pipeline_context *ctx)
{
	const char *sha = ctx->sha ? ctx->sha : zero_sha;
	char short_sha[9] = {0};
	memcpy(short_sha, sha, strnlen(sha, 8));
	const char *def = ctx->default_branch ? ctx->default_branch : "main";
	const char *ref = ctx->tag ? ctx->tag : ctx->branch ? ctx->branch : "";
	const char *msg = ctx->commit_message ? ctx->commit_message : "";
	size_t tlen = strcspn(msg, "\n");
	char *title = xstrndup(msg, tlen);
	const char *desc = msg[tlen] ? msg + tlen + 1 : "";
	desc += strspn(desc, "\n");
	char *slug = quai_pipeline_slug(ref);
	add(out, "CI_COMMIT_SHA", sha);
	add(out, "CI_COMMIT_SHORT_SHA", short_sha);
	add(out, "CI_COMMIT_BEFORE_SHA", ctx->before_sha ? ctx->before_sha : zero_sha);
	add(out, "CI_COMMIT_REF_NAME", ref);
	add(out, "CI_COMMIT_REF_SLUG", slug);
	add(out, "CI_COMMIT_REF_PROTECTED",
	    !ctx->tag && ctx->branch && strcmp(ctx->branch, def) == 0 ? "true" : "false");
	if (ctx->tag) {
		add(out, "CI_COMMIT_TAG", ctx->tag);
		add(out, "CI_COMMIT_TAG_MESSAGE", "");
	} else if (ctx->branch && !(ctx->source && strcmp(ctx->source, "merge_request_event") == 0)) {
		add(out, "CI_COMMIT_BRANCH", ctx->branch);
	}
	if (ctx->source && strcmp(ctx->source, "merge_request_event") == 0) {
		/* a detached merge request pipeline from the branch into the default one */
		add(out, "CI_MERGE_REQUEST_ID", "1");
		add(out, "CI_MERGE_REQUEST_IID", "1");
		add(out, "CI_MERGE_REQUEST_EVENT_TYPE", "detached");
		add(out, "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME", ref);
		add(out, "CI_MERGE_REQUEST_SOURCE_BRANCH_SHA", "");
		add(out, "CI_MERGE_REQUEST_TARGET_BRANCH_NAME", def);
		add(out, "CI_MERGE_REQUEST_TITLE", title);
	}
	add(out, "CI_COMMIT_MESSAGE", msg);
	add(out, "CI_COMMIT_TITLE", title);
	add(out, "CI_COMMIT_DESCRIPTION", desc);
	add(out, "CI_DEFAULT_BRANCH", def);
	free(title);
	free(slug);
}

void quai_pipeline_predefined(struct quai_pipeline_vars *out, const struct quai_pipeline_context *ctx)
{
	*out = (struct quai_pipeline_vars){0};
	const char *id = ctx->pipeline_id ? ctx->pipeline_id : "1";
	add(out, "CI", "true");
	add(out, "GITLAB_CI", "true");
	add(out, "CI_SERVER", "yes");
	add(out, "CI_SERVER_NAME", "GitLab");
	add(out, "CI_SERVER_HOST", "localhost");
	add(out, "CI_SERVER_URL", "http://localhost");
	add(out, "CI_SERVER_VERSION", "17.0.0");
	add(out, "CI_SERVER_VERSION_MAJOR", "17");
	add(out, "CI_SERVER_VERSION_MINOR", "0");
	add(out, "CI_SERVER_VERSION_PATCH", "0");
	add(out, "CI_PIPELINE_ID", id);
	add(out, "CI_PIPELINE_IID", id);
	add(out, "CI_PIPELINE_SOURCE", ctx->source ? ctx->source : "push");
	time_t now = time(NULL);
	struct tm tm;
	char when[32];
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	add(out, "CI_PIPELINE_CREATED_AT", when);
	add(out, "CI_CONFIG_PATH", ".gitlab-ci.yml");
	add_project(out, ctx);
	add_commit(out, ctx);
	add(out, "GITLAB_USER_LOGIN", "quai");
	add(out, "GITLAB_USER_NAME", "quai");
	add(out, "GITLAB_USER_EMAIL", "quai@localhost");
}

/* The job-level predefined variables: what GitLab gives the runner. */
static void add_job(struct quai_pipeline_vars *out, const struct quai_pipeline *p,
                    const struct quai_pipeline_job *job, long job_id)
{
	char buf[32];
	const struct quai_pipeline_var *path = quai_pipeline_vars_get(&p->predefined, "CI_PROJECT_PATH");
	const struct quai_pipeline_var *server = quai_pipeline_vars_get(&p->predefined, "CI_SERVER_URL");
	snprintf(buf, sizeof(buf), "%ld", job_id);
	add(out, "CI_JOB_ID", buf);
	add(out, "CI_JOB_NAME", job->name);
	char *slug = quai_pipeline_slug(job->name);
	add(out, "CI_JOB_NAME_SLUG", slug);
	free(slug);
	add(out, "CI_JOB_STAGE", job->stage);
	add(out, "CI_JOB_TOKEN", "quai-job-token");
	add(out, "CI_JOB_MANUAL", job->when == QUAI_PIPELINE_MANUAL ? "true" : "");
	char *url =
	    xasprintf("%s/%s/-/jobs/%ld", server ? server->value : "", path ? path->value : "", job_id);
	add(out, "CI_JOB_URL", url);
	free(url);
	if (job->image.name)
		add(out, "CI_JOB_IMAGE", job->image.name);
	if (job->node_total > 0) {
		snprintf(buf, sizeof(buf), "%d", job->node_index);
		add(out, "CI_NODE_INDEX", buf);
		snprintf(buf, sizeof(buf), "%d", job->node_total);
		add(out, "CI_NODE_TOTAL", buf);
	} else {
		add(out, "CI_NODE_TOTAL", "1");
	}
	char *dir = xasprintf("/builds/%s", path ? path->value : "project");
	add(out, "CI_BUILDS_DIR", "/builds");
	add(out, "CI_PROJECT_DIR", dir);
	free(dir);
	add(out, "CI_REGISTRY_USER", "gitlab-ci-token");
	quai_pipeline_vars_add(out, "CI_REGISTRY_PASSWORD", "quai-job-token")->masked = true;
	if (job->environment)
		add(out, "CI_ENVIRONMENT_NAME", job->environment);
}

void quai_pipeline_job_env(struct quai_pipeline_vars *out, const struct quai_pipeline *p,
                           const struct quai_pipeline_job *job, long job_id,
                           const struct quai_pipeline_vars *dotenv)
{
	*out = (struct quai_pipeline_vars){0};
	pl_vars_append(out, &p->predefined);
	add_job(out, p, job, job_id);
	pl_vars_append(out, &job->variables); /* the globals it inherits, then its own */
	pl_vars_append(out, dotenv);
	pl_vars_append(out, &p->user);
	/* one entry per key, the winner, at the place of its first definition */
	pl_vars_dedup(out);
	struct quai_pipeline_vars uniq = *out;
	pl_vars_expand_all(&uniq);
	/* what is still unknown after expansion expands to nothing, as the runner does */
	for (size_t i = 0; i < uniq.n; i++) {
		if (uniq.v[i].raw || !strchr(uniq.v[i].value, '$'))
			continue;
		struct quai_pipeline_vars none = {0};
		char *x = pl_expand_ex(uniq.v[i].value, &none, false);
		free(uniq.v[i].value);
		uniq.v[i].value = x;
	}
	*out = uniq;
}

/* "1h 30m", "2 hours", "90 minutes", "1 day", "3600", "1.5 hours". */
int quai_pipeline_duration(long *out, const char *text)
{
	static const struct {
		const char *unit;
		long secs;
	} units[] = {
	    {"s", 1},         {"sec", 1},        {"secs", 1},        {"second", 1},       {"seconds", 1},
	    {"m", 60},        {"min", 60},       {"mins", 60},       {"minute", 60},      {"minutes", 60},
	    {"h", 3600},      {"hr", 3600},      {"hrs", 3600},      {"hour", 3600},      {"hours", 3600},
	    {"d", 86400},     {"day", 86400},    {"days", 86400},    {"w", 604800},       {"wk", 604800},
	    {"week", 604800}, {"weeks", 604800}, {"mo", 2592000},    {"month", 2592000},  {"months", 2592000},
	    {"y", 31536000},  {"yr", 31536000},  {"year", 31536000}, {"years", 31536000},
	};
	const char *p = text;
	double total = 0;
	bool any = false;
	while (*p) {
		while (*p == ' ' || *p == ',' || *p == '\t')
			p++;
		if (!*p)
			break;
		if (strncmp(p, "and ", 4) == 0) {
			p += 4;
			continue;
		}
		char *end;
		if (!isdigit((unsigned char)*p) && *p != '.')
			return -1;
		double v = strtod(p, &end);
		if (end == p || v < 0 || v > 1e9)
			return -1;
		p = end;
		while (*p == ' ')
			p++;
		size_t ulen = 0;
		while (isalpha((unsigned char)p[ulen]))
			ulen++;
		long mult = 0;
		if (ulen == 0) {
			mult = 1;
		} else {
			for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
				if (strlen(units[i].unit) == ulen && strncasecmp(units[i].unit, p, ulen) == 0)
					mult = units[i].secs;
		}
		if (mult == 0)
			return -1;
		p += ulen;
		total += v * (double)mult;
		any = true;
		if (total > 1e10)
			return -1;
	}
	if (!any)
		return -1;
	*out = (long)total;
	return 0;
}

char **quai_pipeline_service_aliases(const char *image)
{
	char *name = xstrdup(image ? image : "");
	char *at = strchr(name, '@');
	if (at)
		*at = '\0';
	char *slash = strrchr(name, '/');
	char *colon = strrchr(slash ? slash : name, ':');
	if (colon)
		*colon = '\0';
	struct quai_buf a = QUAI_BUF_INIT, b = QUAI_BUF_INIT;
	for (const char *p = name; *p; p++) {
		if (*p == '/') {
			quai_buf_puts(&a, "__");
			quai_buf_putc(&b, '-');
		} else {
			quai_buf_putc(&a, *p);
			quai_buf_putc(&b, *p);
		}
	}
	free(name);
	char **out = xcalloc(3, sizeof(char *));
	out[0] = quai_buf_detach(&a);
	out[1] = quai_buf_detach(&b);
	if (strcmp(out[0], out[1]) == 0) {
		free(out[1]);
		out[1] = NULL;
	}
	return out;
}

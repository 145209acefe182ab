/* Versions and the references an image is pushed under. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/cleanup.h"
#include "core/file.h"
#include "core/xalloc.h"
#include "dockerfile/dockerfile.h"
#include "run/internal.h"
#include "core/banned.h"

#define DOCKERFILE_MAX (64u << 20)
#define SLUG_MAX       128
#define VERSION_LABEL  "org.opencontainers.image.version"

static int number(const char **p, unsigned long *out)
{
	if (!isdigit((unsigned char)**p))
		return -1;
	if (**p == '0' && isdigit((unsigned char)(*p)[1]))
		return -1;
	char *end;
	errno = 0;
	*out = strtoul(*p, &end, 10);
	if (errno)
		return -1;
	*p = end;
	return 0;
}

int run_semver_parse(struct semver *out, const char *s)
{
	memset(out, 0, sizeof(*out));
	if (*s == 'v')
		s++;
	if (number(&s, &out->major) < 0 || *s++ != '.' || number(&s, &out->minor) < 0 || *s++ != '.' ||
	    number(&s, &out->patch) < 0)
		return -1;
	if (*s == '\0')
		return 0;
	if (*s != '-' || !s[1] || strlen(s + 1) >= sizeof(out->pre))
		return -1;
	for (const char *c = s + 1; *c; c++)
		if (!isalnum((unsigned char)*c) && *c != '.' && *c != '-')
			return -1;
	memcpy(out->pre, s + 1, strlen(s + 1) + 1);
	return 0;
}

static int cmp_ul(unsigned long a, unsigned long b)
{
	return a < b ? -1 : a > b;
}

int run_semver_cmp(const struct semver *a, const struct semver *b)
{
	int c = cmp_ul(a->major, b->major);
	if (!c)
		c = cmp_ul(a->minor, b->minor);
	if (!c)
		c = cmp_ul(a->patch, b->patch);
	if (c)
		return c;
	/* a pre-release sorts before its release */
	if (!*a->pre || !*b->pre)
		return !*a->pre - !*b->pre;
	return strcmp(a->pre, b->pre) < 0 ? -1 : strcmp(a->pre, b->pre) > 0;
}

char *run_semver_str(const struct semver *v)
{
	return xasprintf("%lu.%lu.%lu%s%s", v->major, v->minor, v->patch, *v->pre ? "-" : "", v->pre);
}

char *run_version_from_tags(const char *name, const char *const *tags, const char *const *tag_commits,
                            size_t ntags, const char *head)
{
	size_t nlen = strlen(name);
	struct semver best = {0}, at_head = {0};
	bool have = false, have_head = false;
	for (size_t i = 0; i < ntags; i++) {
		struct semver v;
		if (strncmp(tags[i], name, nlen) != 0 || strncmp(tags[i] + nlen, "/v", 2) != 0 ||
		    run_semver_parse(&v, tags[i] + nlen + 1) < 0)
			continue;
		if (!have || run_semver_cmp(&v, &best) > 0)
			best = v;
		have = true;
		if (head && tag_commits && tag_commits[i] && strcmp(tag_commits[i], head) == 0 &&
		    (!have_head || run_semver_cmp(&v, &at_head) > 0)) {
			at_head = v;
			have_head = true;
		}
	}
	if (have_head)
		return run_semver_str(&at_head);
	if (!have)
		return xstrdup("0.1.0");
	if (*best.pre) /* 1.2.0-rc.1 is followed by 1.2.0 */
		*best.pre = '\0';
	else
		best.patch++;
	return run_semver_str(&best);
}

char *run_branch_slug(const char *branch)
{
	struct quai_buf b = QUAI_BUF_INIT;
	bool dash = false;
	for (const char *p = branch ? branch : ""; *p && b.len < SLUG_MAX; p++) {
		unsigned char c = (unsigned char)*p;
		if (isalnum(c) || c == '.' || c == '_') {
			if (dash && b.len)
				quai_buf_putc(&b, '-');
			dash = false;
			quai_buf_putc(&b, (char)tolower(c));
		} else {
			dash = true;
		}
	}
	if (!b.len)
		quai_buf_puts(&b, "detached");
	/* a tag starts with [a-z0-9_] */
	if (b.data[0] == '.')
		b.data[0] = '_';
	if (b.len > SLUG_MAX)
		quai_buf_truncate(&b, SLUG_MAX);
	return quai_buf_detach(&b);
}

static void add_ref(struct run_ref **out, size_t *n, size_t *cap, const char *repository, const char *tag,
                    bool floating)
{
	for (size_t i = 0; i < *n; i++) {
		const char *t = strrchr((*out)[i].ref, ':');
		if (t && strcmp(t + 1, tag) == 0)
			return;
	}
	*out = xgrow(*out, cap, *n + 1, sizeof(**out));
	(*out)[(*n)++] = (struct run_ref){xasprintf("%s:%s", repository, tag), floating, NULL};
}

void run_refs_plan(struct run_ref **out, size_t *n, const char *repository, const char *version, bool pushing,
                   const char *branch, const char *short_sha, char *const *extra)
{
	size_t cap = 0;
	*out = NULL;
	*n = 0;
	struct semver v;
	if (pushing && version && run_semver_parse(&v, version) == 0) {
		cleanup_free char *full = run_semver_str(&v);
		add_ref(out, n, &cap, repository, full, false);
		if (!*v.pre) {
			char minor[48], major[24];
			snprintf(minor, sizeof(minor), "%lu.%lu", v.major, v.minor);
			snprintf(major, sizeof(major), "%lu", v.major);
			add_ref(out, n, &cap, repository, minor, true);
			add_ref(out, n, &cap, repository, major, true);
			add_ref(out, n, &cap, repository, "latest", true);
		}
		for (char *const *t = extra; t && *t; t++)
			add_ref(out, n, &cap, repository, *t, true);
	} else {
		cleanup_free char *slug = run_branch_slug(branch);
		add_ref(out, n, &cap, repository, slug, true);
	}
	add_ref(out, n, &cap, repository, short_sha, false);
}

void run_refs_free(struct run_ref *refs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(refs[i].ref);
		free(refs[i].digest);
	}
	free(refs);
}

/* ---- the version label of a Dockerfile ---- */

struct vars {
	char *const *build_args;
	const struct quai_dockerfile *df;
	size_t upto; /* instructions before this one count */
	int stage;
	bool unset; /* a variable had no value */
};

static const char *arg_value(char *const *args, const char *name)
{
	size_t n = strlen(name);
	for (char *const *a = args; a && *a; a++)
		if (strncmp(*a, name, n) == 0 && (*a)[n] == '=')
			return *a + n + 1;
	return NULL;
}

/* A build argument, else the latest ARG default of the global scope or the stage. */
static const char *lookup(void *ctx, const char *name)
{
	const struct vars *v = ctx;
	const char *val = arg_value(v->build_args, name);
	if (val)
		return val;
	const char *found = NULL;
	for (size_t i = 0; i < v->upto; i++) {
		const struct quai_df_instr *in = &v->df->instrs[i];
		if (in->kind != QUAI_DF_ARG || (in->stage != -1 && in->stage != v->stage))
			continue;
		for (size_t k = 0; k < in->nkvs; k++)
			if (strcmp(in->kvs[k].key, name) == 0 && in->kvs[k].value)
				found = in->kvs[k].value;
	}
	return found;
}

static void on_unset(void *ctx, const char *name)
{
	(void)name;
	((struct vars *)ctx)->unset = true;
}

char *run_version_from_dockerfile(const char *path, const char *target, char *const *build_args,
                                  bool *unresolved)
{
	cleanup_free char *src = NULL;
	*unresolved = false;
	size_t len;
	if (quai_file_read(&src, &len, path, DOCKERFILE_MAX, NULL) < 0)
		return NULL;
	struct quai_dockerfile df;
	quai_dockerfile_parse(&df, path, src, len);
	int stage = target ? quai_dockerfile_stage_by_name(&df, target) : (int)df.nstages - 1;
	char *version = NULL;
	for (size_t i = 0; stage >= 0 && i < df.ninstrs; i++) {
		const struct quai_df_instr *in = &df.instrs[i];
		if (in->kind != QUAI_DF_LABEL || in->stage != stage)
			continue;
		for (size_t k = 0; k < in->nkvs; k++) {
			if (strcmp(in->kvs[k].key, VERSION_LABEL) != 0 || !in->kvs[k].value)
				continue;
			struct vars ctx = {build_args, &df, i, stage, false};
			struct quai_df_vars vars = {lookup, on_unset, &ctx};
			char *out = NULL, *msg = NULL;
			if (quai_df_expand(&out, &msg, in->kvs[k].value, df.escape, &vars) == 0 &&
			    !ctx.unset) {
				free(version);
				version = out;
				*unresolved = false;
			} else {
				free(out);
				free(version);
				version = NULL;
				*unresolved = true;
			}
			free(msg);
		}
	}
	quai_dockerfile_release(&df);
	return version;
}

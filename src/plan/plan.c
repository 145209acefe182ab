/* The plan: which images a change between two commits affects, why, and
 * in which order to build them. */
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "context/context.h"
#include "core/buf.h"
#include "core/cleanup.h"
#include "core/file.h"
#include "core/xalloc.h"
#include "git/git.h"
#include "plan/internal.h"
#include "plan/plan.h"
#include "core/banned.h"

struct reasons {
	char **v;
	size_t n, cap;
};

static void reason_add(struct reasons *r, char *s)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->v[i], s) == 0) {
			free(s);
			return;
		}
	r->v = xgrow(r->v, &r->cap, r->n + 2, sizeof(*r->v));
	r->v[r->n++] = s;
	r->v[r->n] = NULL;
}

struct changes {
	char **paths; /* sorted */
	size_t n;
};

/* Index of the first path >= prefix. */
static size_t lower_bound(const struct changes *c, const char *key)
{
	size_t lo = 0, hi = c->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (strcmp(c->paths[mid], key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool changed_path(const struct changes *c, const char *path)
{
	size_t i = lower_bound(c, path);
	return i < c->n && strcmp(c->paths[i], path) == 0;
}

/* Calls fn for every changed path under dir. */
static void each_under(const struct changes *c, const char *dir, void (*fn)(void *, const char *), void *ctx)
{
	if (strcmp(dir, ".") == 0) {
		for (size_t i = 0; i < c->n; i++)
			fn(ctx, c->paths[i]);
		return;
	}
	size_t len = strlen(dir);
	for (size_t i = lower_bound(c, dir); i < c->n; i++) {
		const char *p = c->paths[i];
		if (strncmp(p, dir, len) != 0)
			break;
		if (p[len] == '\0' || p[len] == '/')
			fn(ctx, p);
	}
}

struct ctx_scan {
	const struct quai_repo *repo;
	const struct quai_repo_image *im;
	struct quai_dockerignore *di;
	bool di_loaded;
	struct quai_error *err;
	struct reasons *r;
};

static void scan_context_file(void *p, const char *path)
{
	struct ctx_scan *s = p;
	const char *ctx = s->im->context;
	const char *rel = strcmp(ctx, ".") == 0 ? path : path + strlen(ctx) + 1;
	if (strcmp(path, s->im->dockerfile) == 0 || strcmp(rel, ".dockerignore") == 0) {
		reason_add(s->r, xasprintf("changed: %s", path));
		return;
	}
	if (!s->di_loaded) {
		s->di_loaded = true;
		cleanup_free char *f = strcmp(ctx, ".") == 0
		                           ? xasprintf("%s/.dockerignore", s->repo->root)
		                           : xasprintf("%s/%s/.dockerignore", s->repo->root, ctx);
		if (quai_dockerignore_load(&s->di, f, &s->err) < 0)
			s->di = NULL;
	}
	if (s->di && quai_dockerignore_match(s->di, rel))
		return;
	reason_add(s->r, xasprintf("changed: %s", path));
}

struct input_scan {
	struct reasons *r;
};

static void scan_input_file(void *p, const char *path)
{
	struct input_scan *s = p;
	reason_add(s->r, xasprintf("input changed: %s", path));
}

static bool has_glob(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

static int own_reasons(struct reasons *r, const struct quai_repo *repo, const struct quai_repo_image *im,
                       const struct changes *c, struct quai_error **err)
{
	struct ctx_scan s = {.repo = repo, .im = im, .r = r};
	each_under(c, im->context, scan_context_file, &s);
	quai_dockerignore_free(s.di);
	if (s.err) {
		*err = s.err;
		return quai_error_wrap(err, "image '%s'", im->name);
	}
	if (!plan_path_under(im->dockerfile, im->context) && changed_path(c, im->dockerfile))
		reason_add(r, xasprintf("changed: %s", im->dockerfile));
	if (im->tests && changed_path(c, im->tests))
		reason_add(r, xasprintf("changed: %s", im->tests));
	struct input_scan is = {r};
	for (char **in = im->inputs; in && *in; in++) {
		if (has_glob(*in)) {
			for (size_t i = 0; i < c->n; i++)
				if (fnmatch(*in, c->paths[i], 0) == 0)
					scan_input_file(&is, c->paths[i]);
		} else {
			each_under(c, *in, scan_input_file, &is);
		}
	}
	return 0;
}

/* ---- quai.yml between two revisions ---- */

struct configs {
	bool loaded;
	bool old_ok, new_ok;
	struct plan_config old, cur;
};

static int read_config_at(struct plan_config *cfg, struct quai_git *g, const char *rev, const char *root,
                          struct quai_error **err)
{
	cleanup_free char *data = NULL;
	size_t len = 0;
	int rc;
	if (rev) {
		rc = quai_git_read_blob(g, &data, &len, rev, "quai.yml", PLAN_CONFIG_MAX, err);
	} else {
		cleanup_free char *path = xasprintf("%s/quai.yml", root);
		rc = quai_file_read(&data, &len, path, PLAN_CONFIG_MAX, NULL) < 0 ? 0 : 1;
	}
	if (rc < 0)
		return -1;
	if (rc == 0) {
		memset(cfg, 0, sizeof(*cfg));
		return 0;
	}
	cleanup_error struct quai_error *perr = NULL;
	if (plan_config_parse(cfg, "quai.yml", data, len, &perr) < 0)
		return 1; /* unreadable then: every entry counts as changed */
	return 0;
}

static bool str_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void config_reasons(struct reasons *r, struct configs *cf, const struct quai_repo_image *im)
{
	if (!cf->old_ok || !cf->new_ok) {
		reason_add(r, xstrdup("quai.yml changed"));
		return;
	}
	if (!str_eq(cf->old.registry, cf->cur.registry))
		reason_add(r, xstrdup("quai.yml: registry changed"));
	if (!str_eq(cf->old.namespace, cf->cur.namespace))
		reason_add(r, xstrdup("quai.yml: namespace changed"));
	const struct plan_image_cfg *a = plan_config_find(&cf->old, im->dir);
	const struct plan_image_cfg *b = plan_config_find(&cf->cur, im->dir);
	if (!plan_yaml_equal(a ? a->value : NULL, b ? b->value : NULL))
		reason_add(r, xasprintf("quai.yml: entry '%s' changed", im->dir));
}

/* ---- the base revision ---- */

static int default_since(char **out, struct quai_git *g, const struct quai_repo *repo, const char *branch,
                         struct quai_error **err)
{
	*out = NULL;
	cleanup_free char *last = NULL;
	if (quai_plan_last_success(repo, branch, &last, err) < 0)
		return -1;
	char hex[41];
	if (last && quai_git_resolve(g, hex, last, NULL) == 0) {
		*out = xstrdup(hex);
		return 0;
	}
	const char *def = repo->default_branch;
	if (!def || (branch && strcmp(branch, def) == 0))
		return 0;
	cleanup_free char *remote = xasprintf("origin/%s", def);
	const char *cands[] = {def, remote};
	for (size_t i = 0; i < 2; i++) {
		char tmp[41];
		if (quai_git_resolve(g, tmp, cands[i], NULL) < 0)
			continue;
		if (quai_git_merge_base(g, hex, "HEAD", tmp, NULL) < 0)
			continue;
		/* detached on the default branch's line, branch unknown: as on
		 * the default branch */
		char head[41];
		if (!branch && quai_git_resolve(g, head, "HEAD", NULL) == 0 && strcmp(head, hex) == 0)
			return 0;
		*out = xstrdup(hex);
		return 0;
	}
	return 0;
}

/* The branch of a detached HEAD from the CI's variables: QUAI_BRANCH,
 * GitLab's CI_COMMIT_BRANCH, GitHub's GITHUB_REF for a branch, Jenkins'
 * BRANCH_NAME. */
static char *ci_branch(void)
{
	const char *v = getenv("QUAI_BRANCH");
	if (v && *v)
		return xstrdup(v);
	v = getenv("CI_COMMIT_BRANCH");
	if (v && *v)
		return xstrdup(v);
	v = getenv("GITHUB_REF");
	if (v && strncmp(v, "refs/heads/", 11) == 0 && v[11])
		return xstrdup(v + 11);
	v = getenv("BRANCH_NAME");
	if (v && *v)
		return xstrdup(v);
	return NULL;
}

/* ---- build order ---- */

static void order(struct quai_plan *plan, const struct quai_repo *repo, const bool *in, struct reasons *rs)
{
	size_t n = repo->nimages;
	cleanup_free size_t *indeg = xcalloc(n + 1, sizeof(*indeg));
	cleanup_free bool *done = xcalloc(n + 1, sizeof(*done));
	size_t total = 0;
	for (size_t i = 0; i < n; i++) {
		if (!in[i])
			continue;
		total++;
		const struct quai_repo_image *im = &repo->images[i];
		for (size_t k = 0; k < im->nparents; k++)
			if (in[im->parents[k]] && im->parents[k] != i &&
			    (k == 0 || im->parents[k] != im->parents[k - 1]))
				indeg[i]++;
	}
	plan->entries = xcalloc(total + 1, sizeof(*plan->entries));
	/* Kahn's algorithm, always taking the first ready image by name */
	while (plan->n < total) {
		size_t pick = n;
		for (size_t i = 0; i < n && pick == n; i++)
			if (in[i] && !done[i] && indeg[i] == 0)
				pick = i;
		if (pick == n)
			break; /* a cycle: quai_repo_load refuses them */
		done[pick] = true;
		struct quai_plan_entry *e = &plan->entries[plan->n++];
		e->image = pick;
		e->reasons = steal_pointer(&rs[pick].v);
		for (size_t i = 0; i < n; i++) {
			if (!in[i] || done[i])
				continue;
			const struct quai_repo_image *im = &repo->images[i];
			for (size_t k = 0; k < im->nparents; k++)
				if (im->parents[k] == pick && (k == 0 || im->parents[k - 1] != pick))
					indeg[i]--;
		}
	}
}

int quai_plan_compute(struct quai_plan **out, const struct quai_repo *repo, const struct quai_plan_options *o,
                      struct quai_error **err)
{
	*out = NULL;
	struct quai_git *g = NULL;
	if (quai_git_open(&g, repo->root, err) < 0)
		return -1;
	struct quai_plan *plan = xcalloc(1, sizeof(*plan));
	size_t n = repo->nimages;
	struct reasons *rs = xcalloc(n + 1, sizeof(*rs));
	bool *in = xcalloc(n + 1, sizeof(*in));
	struct changes c = {0};
	struct configs cf = {0};
	int rc = -1;
	char hex[41];
	if (quai_git_resolve(g, hex, "HEAD", NULL) < 0) {
		quai_error_set(err, QUAI_EXIT_USAGE, "the repository at '%s' has no commit yet: commit first",
		               repo->root);
		goto out;
	}
	plan->head = xstrdup(hex);
	if (quai_git_branch(g, &plan->branch, err) < 0)
		goto out;
	if (!plan->branch)
		plan->branch = ci_branch();
	if (o->all) {
		/* everything, whatever changed */
	} else if (o->since) {
		if (quai_git_resolve(g, hex, o->since, err) < 0)
			goto out;
		plan->since = xstrdup(hex);
	} else if (default_since(&plan->since, g, repo, plan->branch, err) < 0) {
		goto out;
	}

	if (!plan->since) {
		const char *why = o->all ? "all images requested" : "no earlier commit to compare with";
		for (size_t i = 0; i < n; i++) {
			in[i] = true;
			reason_add(&rs[i], xstrdup(why));
		}
	} else {
		if (quai_git_changed(g, &c.paths, &c.n, plan->since, plan->head, o->dirty, err) < 0)
			goto out;
		bool cfg_changed = changed_path(&c, "quai.yml");
		if (cfg_changed) {
			int a = read_config_at(&cf.old, g, plan->since, repo->root, err);
			int b =
			    a < 0 ? -1
			          : read_config_at(&cf.cur, g, o->dirty ? NULL : plan->head, repo->root, err);
			if (a < 0 || b < 0)
				goto out;
			cf.old_ok = a == 0;
			cf.new_ok = b == 0;
		}
		for (size_t i = 0; i < n; i++) {
			const struct quai_repo_image *im = &repo->images[i];
			if (own_reasons(&rs[i], repo, im, &c, err) < 0)
				goto out;
			if (cfg_changed)
				config_reasons(&rs[i], &cf, im);
			in[i] = rs[i].n > 0;
		}
	}
	/* dependents, transitively: iterate to a fixed point (chains are short) */
	for (bool more = true; more;) {
		more = false;
		for (size_t i = 0; i < n; i++) {
			const struct quai_repo_image *im = &repo->images[i];
			for (size_t k = 0; k < im->nparents && !in[i]; k++)
				if (in[im->parents[k]])
					in[i] = more = true;
		}
	}
	for (size_t i = 0; i < n; i++) {
		const struct quai_repo_image *im = &repo->images[i];
		if (!in[i] || !im->nparents)
			continue;
		/* parents are sorted by index, which is name order */
		for (size_t k = 0; k < im->nparents; k++)
			if (in[im->parents[k]] && im->parents[k] != i)
				reason_add(&rs[i],
				           xasprintf("depends on %s", repo->images[im->parents[k]].name));
	}
	order(plan, repo, in, rs);
	*out = steal_pointer(&plan);
	rc = 0;
out:
	for (size_t i = 0; i < n; i++)
		plan_strv_free(rs[i].v);
	free(rs);
	free(in);
	quai_git_strv_free(c.paths);
	plan_config_release(&cf.old);
	plan_config_release(&cf.cur);
	quai_plan_free(plan);
	quai_git_free(g);
	return rc;
}

void quai_plan_free(struct quai_plan *plan)
{
	if (!plan)
		return;
	for (size_t i = 0; i < plan->n; i++)
		plan_strv_free(plan->entries[i].reasons);
	free(plan->entries);
	free(plan->since);
	free(plan->head);
	free(plan->branch);
	free(plan);
}

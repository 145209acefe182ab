/* Which jobs a pipeline creates: rules (if, changes, exists), only/except
 * (refs, variables, changes) and workflow:rules, as GitLab decides them. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/buf.h"
#include "core/xalloc.h"
#include "pipeline/internal.h"
#include "core/banned.h"

/* rules after !reference: nested lists flattened. */
static void flatten(const struct quai_yaml_node *n, const struct quai_yaml_node ***out, size_t *len,
                    size_t *cap, unsigned depth)
{
	if (*len > 1000)
		return;
	if (n->type == QUAI_YAML_SEQ && depth < 10) {
		for (size_t i = 0; i < n->n; i++)
			flatten(n->items[i], out, len, cap, depth + 1);
		return;
	}
	*out = xgrow(*out, cap, *len + 1, sizeof(const struct quai_yaml_node *));
	(*out)[(*len)++] = n;
}

static int rule_list(struct loader *l, const struct quai_yaml_node *rules, const struct quai_yaml_node ***out,
                     size_t *n)
{
	*out = NULL;
	*n = 0;
	if (rules->type != QUAI_YAML_SEQ)
		return pl_fail(l, rules, "rules: expected a list of rules, found %s",
		               quai_yaml_kind_name(rules));
	size_t cap = 0;
	for (size_t i = 0; i < rules->n; i++)
		flatten(rules->items[i], out, n, &cap, 1);
	return 0;
}

static int check_paths(struct loader *l, const struct quai_yaml_node *v, const char *what, bool compare_ok)
{
	const struct quai_yaml_node *paths = v;
	if (v->type == QUAI_YAML_MAP) {
		for (size_t i = 0; i < v->n; i++) {
			const char *k = quai_yaml_str(v->pairs[i].key);
			if (!k || (strcmp(k, "paths") != 0 && !(compare_ok && strcmp(k, "compare_to") == 0)))
				return pl_fail(l, v->pairs[i].key, "%s: unknown keyword '%s' (paths%s)", what,
				               k ? k : "?", compare_ok ? ", compare_to" : "");
		}
		paths = quai_yaml_get(v, "paths");
		if (!paths)
			return pl_fail(l, v, "%s: paths is required", what);
		const struct quai_yaml_node *c = quai_yaml_get(v, "compare_to");
		if (c && !quai_yaml_str(c))
			return pl_fail(l, c, "%s:compare_to: expected a ref", what);
	}
	char **tmp = NULL;
	if (pl_strv(l, &tmp, paths, what, true) < 0)
		return -1;
	size_t n = pl_strv_len(tmp);
	pl_strv_free(tmp);
	if (n > 50)
		return pl_fail(l, paths, "%s: at most 50 paths", what);
	return 0;
}

int pl_rules_check(struct loader *l, const struct quai_yaml_node *rules, bool workflow)
{
	const struct quai_yaml_node **list;
	size_t n = 0;
	if (rule_list(l, rules, &list, &n) < 0)
		return -1;
	static const char *const job_keys[] = {
	    "if",        "changes",  "exists", "when",          "allow_failure",
	    "variables", "start_in", "needs",  "interruptible", NULL};
	static const char *const wf_keys[] = {"if",        "changes",     "exists", "when",
	                                      "variables", "auto_cancel", NULL};
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		const struct quai_yaml_node *r = list[i];
		if (r->type != QUAI_YAML_MAP) {
			rc = pl_fail(
			    l, r,
			    "rules: each rule is a mapping (if:, changes:, exists:, when:...), found %s",
			    quai_yaml_kind_name(r));
			break;
		}
		for (size_t k = 0; k < r->n && rc == 0; k++) {
			const char *key = quai_yaml_str(r->pairs[k].key);
			bool ok = false;
			for (const char *const *w = workflow ? wf_keys : job_keys; key && *w; w++)
				ok |= strcmp(key, *w) == 0;
			if (!ok)
				rc = pl_fail(l, r->pairs[k].key, "%s: unknown keyword '%s'",
				             workflow ? "workflow:rules" : "rules", key ? key : "?");
		}
		if (rc < 0)
			break;
		const struct quai_yaml_node *v = NULL;
		if ((v = quai_yaml_get(r, "if"))) {
			const char *s = quai_yaml_str(v);
			struct pl_expr *e = NULL;
			struct quai_error *e2 = NULL;
			if (!s) {
				rc = pl_fail(l, v, "rules:if: expected an expression string");
			} else if (pl_expr_parse(&e, s, &e2) < 0) {
				rc = pl_fail(l, v, "rules:if '%s': %s", s, e2 ? e2->msg : "invalid");
				quai_error_free(e2);
			} else {
				pl_expr_free(e);
			}
		}
		if (rc == 0 && (v = quai_yaml_get(r, "changes")))
			rc = check_paths(l, v, "rules:changes", true);
		if (rc == 0 && (v = quai_yaml_get(r, "exists"))) {
			if (v->type == QUAI_YAML_MAP &&
			    (quai_yaml_get(v, "project") || quai_yaml_get(v, "ref")))
				rc = pl_fail(
				    l, v,
				    "rules:exists:project is not supported: quai reads only this project");
			else
				rc = check_paths(l, v, "rules:exists", false);
		}
		if (rc == 0 && (v = quai_yaml_get(r, "when"))) {
			const char *s = quai_yaml_str(v);
			static const char *const jw[] = {"on_success", "on_failure", "always", "manual",
			                                 "delayed",    "never",      NULL};
			static const char *const ww[] = {"always", "never", NULL};
			bool ok = false;
			for (const char *const *w = workflow ? ww : jw; s && *w; w++)
				ok |= strcmp(s, *w) == 0;
			if (!ok)
				rc = pl_fail(l, v, "%s:when: '%s' is not one of %s",
				             workflow ? "workflow:rules" : "rules", s ? s : "?",
				             workflow ? "always, never"
				                      : "on_success, on_failure, always, "
				                        "manual, delayed, never");
			else if (strcmp(s, "delayed") == 0 && !quai_yaml_get(r, "start_in"))
				rc = pl_fail(l, v, "rules:when: delayed needs start_in");
		}
		if (rc == 0 && (v = quai_yaml_get(r, "variables"))) {
			struct quai_pipeline_vars tmp = {0};
			rc = pl_vars(l, &tmp, v, "rules:variables");
			quai_pipeline_vars_release(&tmp);
		}
		if (rc == 0 && (v = quai_yaml_get(r, "allow_failure"))) {
			bool b = false;
			if (quai_yaml_bool(v, &b, QUAI_YAML_BOOL_11) < 0)
				rc = pl_fail(l, v, "rules:allow_failure: expected true or false");
		}
		if (rc == 0 && (v = quai_yaml_get(r, "start_in"))) {
			long secs = 0;
			const char *s = quai_yaml_str(v);
			if (!s || quai_pipeline_duration(&secs, s) < 0)
				rc = pl_fail(l, v, "rules:start_in: expected a duration");
		}
		if (rc == 0 && (v = quai_yaml_get(r, "interruptible"))) {
			bool b = false;
			if (quai_yaml_bool(v, &b, QUAI_YAML_BOOL_11) < 0)
				rc = pl_fail(l, v, "rules:interruptible: expected true or false");
		}
		if (rc == 0 && (v = quai_yaml_get(r, "needs")) && v->type != QUAI_YAML_SEQ)
			rc = pl_fail(l, v, "rules:needs: expected a list");
		if (rc == 0 && (v = quai_yaml_get(r, "auto_cancel")) && v->type != QUAI_YAML_MAP)
			rc = pl_fail(l, v, "workflow:rules:auto_cancel: expected a mapping");
	}
	free(list);
	return rc;
}

/* The paths of changes:/exists: expanded, in *out. */
static int clause_paths(struct loader *l, char ***out, const struct quai_yaml_node *v,
                        const struct quai_pipeline_vars *vars, const char *what)
{
	const struct quai_yaml_node *paths = v->type == QUAI_YAML_MAP ? quai_yaml_get(v, "paths") : v;
	if (pl_strv(l, out, paths, what, true) < 0)
		return -1;
	for (char **p = *out; *p; p++) {
		char *x = quai_pipeline_expand(*p, vars);
		free(*p);
		*p = x;
	}
	return 0;
}

static int eval_changes(struct loader *l, bool *out, char **matched, const struct quai_yaml_node *v,
                        const struct quai_pipeline_vars *vars, const char *what)
{
	const struct quai_pipeline_context *c = l->ctx;
	char **pats = NULL;
	if (clause_paths(l, &pats, v, vars, what) < 0)
		return -1;
	const struct quai_yaml_node *cmp = v->type == QUAI_YAML_MAP ? quai_yaml_get(v, "compare_to") : NULL;
	char **changed = NULL;
	const char *const *paths = c->changes.paths;
	size_t npaths = c->changes.n;
	bool all = c->changes.all;
	if (cmp) {
		if (!c->compare) {
			pl_strv_free(pats);
			return pl_fail(l, cmp,
			               "%s:compare_to needs the repository's history (run quai in a git "
			               "working tree)",
			               what);
		}
		char *ref = quai_pipeline_expand(cmp->str, vars);
		struct quai_error *e2 = NULL;
		int rc = c->compare(c->compare_ud, ref, &changed, &e2);
		free(ref);
		if (rc < 0) {
			pl_fail(l, cmp, "%s:compare_to '%s': %s", what, cmp->str,
			        e2 ? e2->msg : "cannot compare");
			quai_error_free(e2);
			pl_strv_free(pats);
			return -1;
		}
		paths = (const char *const *)changed;
		npaths = pl_strv_len(changed);
		all = false;
	}
	*out = all;
	if (all)
		*matched = xstrdup("every path counts as changed");
	for (size_t i = 0; i < npaths && !*out; i++)
		for (char **p = pats; *p && !*out; p++)
			if (pl_glob_match(*p, paths[i])) {
				*out = true;
				*matched = xasprintf("'%s' changed", paths[i]);
			}
	pl_strv_free(changed);
	pl_strv_free(pats);
	return 0;
}

static int eval_exists(struct loader *l, bool *out, char **matched, const struct quai_yaml_node *v,
                       const struct quai_pipeline_vars *vars)
{
	char **pats = NULL;
	if (clause_paths(l, &pats, v, vars, "exists") < 0)
		return -1;
	*out = false;
	for (char **p = pats; *p && !*out; p++) {
		const char *pat = *p;
		while (*pat == '/')
			pat++;
		if (strcmp(pat, "..") == 0 || strncmp(pat, "../", 3) == 0 || strstr(pat, "/../"))
			continue; /* outside the project: never exists */
		if (!strpbrk(pat, "*?[{")) {
			char *full = xasprintf("%s/%s", l->p->project_dir, pat);
			struct stat st;
			if (stat(full, &st) == 0) {
				*out = true;
				*matched = xasprintf("'%s' exists", pat);
			}
			free(full);
			continue;
		}
		if (!l->files)
			l->files = pl_glob_files(l->p->project_dir);
		for (char **f = l->files; *f && !*out; f++)
			if (pl_glob_match(pat, *f)) {
				*out = true;
				*matched = xasprintf("'%s' exists", *f);
			}
	}
	pl_strv_free(pats);
	return 0;
}

static int eval_if(struct loader *l, bool *out, const struct quai_yaml_node *v,
                   const struct quai_pipeline_vars *vars)
{
	struct pl_expr *e = NULL;
	struct quai_error *e2 = NULL;
	int rc = pl_expr_parse(&e, v->str, &e2);
	if (rc == 0) {
		rc = pl_expr_eval(e, vars, out, &e2);
		pl_expr_free(e);
	}
	if (rc < 0) {
		pl_fail(l, v, "rules:if '%s': %s", v->str, e2 ? e2->msg : "invalid");
		quai_error_free(e2);
	}
	return rc;
}

int pl_rules_eval(struct loader *l, struct pl_rule_result *out, const struct quai_yaml_node *rules,
                  const struct quai_pipeline_vars *vars, const char *what)
{
	const struct quai_yaml_node **list;
	size_t n = 0;
	*out = (struct pl_rule_result){0};
	if (rule_list(l, rules, &list, &n) < 0)
		return -1;
	int rc = 0;
	for (size_t i = 0; i < n && !out->matched; i++) {
		const struct quai_yaml_node *r = list[i], *v;
		struct quai_buf why = QUAI_BUF_INIT;
		bool ok = true;
		char *m = NULL;
		quai_buf_printf(&why, "%s[%zu]:", what, i);
		if ((v = quai_yaml_get(r, "if"))) {
			if ((rc = eval_if(l, &ok, v, vars)) < 0) {
				quai_buf_release(&why);
				break;
			}
			quai_buf_printf(&why, " if '%s' is %s", v->str, ok ? "true" : "false");
		}
		if (ok && (v = quai_yaml_get(r, "changes"))) {
			if ((rc = eval_changes(l, &ok, &m, v, vars, "rules:changes")) < 0) {
				quai_buf_release(&why);
				break;
			}
			quai_buf_printf(&why, "%s changes: %s", why.len > strlen(what) + 5 ? "," : "",
			                ok ? m : "none of the paths changed");
		}
		if (ok && (v = quai_yaml_get(r, "exists"))) {
			free(m);
			m = NULL;
			if ((rc = eval_exists(l, &ok, &m, v, vars)) < 0) {
				quai_buf_release(&why);
				break;
			}
			quai_buf_printf(&why, "%s exists: %s", why.len > strlen(what) + 5 ? "," : "",
			                ok ? m : "no file matches");
		}
		free(m);
		if (!quai_yaml_get(r, "if") && !quai_yaml_get(r, "changes") && !quai_yaml_get(r, "exists"))
			quai_buf_puts(&why, " no condition");
		if (ok) {
			out->matched = true;
			out->rule = r;
			const char *w = quai_yaml_str(quai_yaml_get(r, "when"));
			if (w)
				quai_buf_printf(&why, ", when: %s", w);
			out->reason = quai_buf_detach(&why);
		}
		quai_buf_release(&why);
	}
	free(list);
	if (rc < 0) {
		free(out->reason);
		out->reason = NULL;
		return -1;
	}
	if (!out->matched)
		out->reason = xasprintf("%s: no rule matched", what);
	return 0;
}

/* ---- only / except ---- */

struct ref_ctx {
	const char *ref;
	bool is_tag;
	const char *source;
	const char *project; /* CI_PROJECT_PATH, for `pattern@project` */
};

static bool ref_matches(const char *pat, const struct ref_ctx *r);

/* `pattern@group/project`: the pattern, in that project only. */
static bool ref_matches_at(const char *pat, const struct ref_ctx *r)
{
	const char *at = strrchr(pat, '@');
	if (!at || pat[0] == '/' || !at[1])
		return ref_matches(pat, r);
	if (!r->project || strcmp(at + 1, r->project) != 0)
		return false;
	char *local = xstrndup(pat, (size_t)(at - pat));
	bool hit = ref_matches(local, r);
	free(local);
	return hit;
}

static bool ref_matches(const char *pat, const struct ref_ctx *r)
{
	static const struct {
		const char *word;
		const char *source;
	} sources[] = {
	    {"api", "api"},
	    {"chat", "chat"},
	    {"external", "external"},
	    {"pipelines", "pipeline"},
	    {"pushes", "push"},
	    {"schedules", "schedule"},
	    {"triggers", "trigger"},
	    {"web", "web"},
	    {"merge_requests", "merge_request_event"},
	    {"external_pull_requests", "external_pull_request_event"},
	};
	if (strcmp(pat, "branches") == 0)
		return !r->is_tag && strcmp(r->source, "merge_request_event") != 0;
	if (strcmp(pat, "tags") == 0)
		return r->is_tag;
	for (size_t i = 0; i < sizeof(sources) / sizeof(sources[0]); i++)
		if (strcmp(pat, sources[i].word) == 0)
			return strcmp(r->source, sources[i].source) == 0;
	char *local = xstrdup(pat);
	bool hit = false;
	size_t ps, pn;
	const char *flags = NULL;
	if (pl_regex_literal(local, strlen(local), &ps, &pn, &flags) == 0) {
		struct pl_regex *re = NULL;
		if (pl_regex_compile(&re, local + ps, pn, flags, NULL) == 0) {
			hit = pl_regex_search(re, r->ref, strlen(r->ref)) == 1;
			pl_regex_free(re);
		}
	} else {
		hit = strcmp(local, r->ref) == 0;
	}
	free(local);
	return hit;
}

/* Evaluates one only/except policy: *any true when some section has a
 * match, *all true when every given section has one. */
static int policy(struct loader *l, const struct quai_yaml_node *v, const struct quai_pipeline_vars *vars,
                  bool *all, bool *any, struct quai_buf *why, const char *what)
{
	const struct quai_pipeline_context *c = l->ctx;
	const struct quai_pipeline_var *proj = quai_pipeline_vars_get(&l->p->predefined, "CI_PROJECT_PATH");
	struct ref_ctx r = {c->tag      ? c->tag
	                    : c->branch ? c->branch
	                                : "",
	                    c->tag != NULL, c->source ? c->source : "push", proj ? proj->value : NULL};
	const struct quai_yaml_node *refs = v->type == QUAI_YAML_MAP ? quai_yaml_get(v, "refs") : v;
	const struct quai_yaml_node *vx = v->type == QUAI_YAML_MAP ? quai_yaml_get(v, "variables") : NULL;
	const struct quai_yaml_node *ch = v->type == QUAI_YAML_MAP ? quai_yaml_get(v, "changes") : NULL;
	*all = true;
	*any = false;
	if (refs) {
		char **pats = NULL;
		if (pl_strv(l, &pats, refs, what, false) < 0)
			return -1;
		bool hit = false;
		for (char **p = pats; *p && !hit; p++)
			if (ref_matches_at(*p, &r)) {
				hit = true;
				quai_buf_printf(why, "%s:refs '%s' matches '%s'", what, *p, r.ref);
			}
		if (!hit)
			quai_buf_printf(why, "%s:refs: no ref matches '%s'", what, r.ref);
		pl_strv_free(pats);
		*all &= hit;
		*any |= hit;
	}
	if (vx) {
		char **exprs = NULL;
		if (pl_strv(l, &exprs, vx, what, false) < 0)
			return -1;
		bool hit = false;
		for (char **e = exprs; *e && !hit; e++) {
			struct quai_error *e2 = NULL;
			if (quai_pipeline_if(&hit, *e, vars, &e2) < 0) {
				pl_fail(l, vx, "%s:variables '%s': %s", what, *e, e2 ? e2->msg : "");
				quai_error_free(e2);
				pl_strv_free(exprs);
				return -1;
			}
			if (hit)
				quai_buf_printf(why, "%s%s:variables '%s' is true", why->len ? ", " : "",
				                what, *e);
		}
		if (!hit)
			quai_buf_printf(why, "%s%s:variables: no expression is true", why->len ? ", " : "",
			                what);
		pl_strv_free(exprs);
		*all &= hit;
		*any |= hit;
	}
	if (ch) {
		bool hit = false;
		char *m = NULL;
		if (eval_changes(l, &hit, &m, ch, vars, "changes") < 0)
			return -1;
		quai_buf_printf(why, "%s%s:changes: %s", why->len ? ", " : "", what,
		                hit ? m : "none of the paths changed");
		free(m);
		*all &= hit;
		*any |= hit;
	}
	return 0;
}

int pl_only_except(struct loader *l, bool *created, char **reason, const struct quai_yaml_node *only,
                   const struct quai_yaml_node *except, const struct quai_pipeline_vars *vars)
{
	struct quai_buf why = QUAI_BUF_INIT;
	bool all, any;
	*created = true;
	if (only) {
		if (policy(l, only, vars, &all, &any, &why, "only") < 0)
			goto fail;
		/* only: with variables or changes alone keeps the default refs */
		if (only->type == QUAI_YAML_MAP && !quai_yaml_get(only, "refs")) {
			const struct quai_pipeline_context *c = l->ctx;
			struct ref_ctx r = {"", c->tag != NULL, c->source ? c->source : "push", NULL};
			all &= ref_matches("branches", &r) || ref_matches("tags", &r);
		}
		*created = all;
	} else {
		const struct quai_pipeline_context *c = l->ctx;
		struct ref_ctx r = {"", c->tag != NULL, c->source ? c->source : "push", NULL};
		*created = ref_matches("branches", &r) || ref_matches("tags", &r);
		quai_buf_puts(&why, *created
		                        ? "only: branches and tags (the default)"
		                        : "only: branches and tags (the default) excludes this pipeline");
	}
	if (*created && except) {
		struct quai_buf ex = QUAI_BUF_INIT;
		if (policy(l, except, vars, &all, &any, &ex, "except") < 0) {
			quai_buf_release(&ex);
			goto fail;
		}
		if (any) {
			*created = false;
			quai_buf_truncate(&why, 0);
		}
		quai_buf_printf(&why, "%s%s", why.len ? "; " : "", quai_buf_str(&ex));
		quai_buf_release(&ex);
	}
	*reason = quai_buf_detach(&why);
	return 0;
fail:
	quai_buf_release(&why);
	return -1;
}

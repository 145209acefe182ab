/* quai_pipeline_load: the configuration (config.c) read into stages,
 * variables, workflow and jobs (job.c), with the rules of this pipeline
 * applied (rules.c), parallel jobs expanded and needs resolved. */
#include <errno.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/cleanup.h"
#include "core/xalloc.h"
#include "pipeline/internal.h"
#include "core/banned.h"

static const char *const default_keys[] = {
    "after_script", "artifacts", "before_script", "cache",   "image", "interruptible",
    "retry",        "services",  "tags",          "timeout", NULL};

static bool in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

static int read_stages(struct loader *l, const struct quai_yaml_node *v)
{
	struct quai_pipeline *p = l->p;
	char **st = NULL;
	if (v && pl_strv(l, &st, v, "stages", true) < 0)
		return -1;
	if (!v) {
		st = xcalloc(4, sizeof(char *));
		st[0] = xstrdup("build");
		st[1] = xstrdup("test");
		st[2] = xstrdup("deploy");
	}
	size_t n = pl_strv_len(st);
	p->stages = xcalloc(n + 3, sizeof(char *));
	p->stages[p->nstages++] = xstrdup(".pre");
	for (size_t i = 0; i < n; i++) {
		if (strcmp(st[i], ".pre") == 0 || strcmp(st[i], ".post") == 0)
			continue;
		bool dup = false;
		for (size_t k = 0; k < p->nstages; k++)
			dup |= strcmp(p->stages[k], st[i]) == 0;
		if (!dup)
			p->stages[p->nstages++] = xstrdup(st[i]);
	}
	p->stages[p->nstages++] = xstrdup(".post");
	pl_strv_free(st);
	return 0;
}

/* The `default:` mapping, with the old top-level image/services/... under it. */
static int read_default(struct loader *l, const struct quai_yaml_node **out)
{
	const struct quai_yaml_node *root = l->root;
	const struct quai_yaml_node *def = quai_yaml_get(root, "default");
	if (def) {
		if (def->type != QUAI_YAML_MAP)
			return pl_fail(l, def, "default: expected a mapping, found %s",
			               quai_yaml_kind_name(def));
		for (size_t i = 0; i < def->n; i++) {
			const char *k = quai_yaml_str(def->pairs[i].key);
			if (!k || !in_list(k, default_keys)) {
				if (k && (strcmp(k, "hooks") == 0 || strcmp(k, "id_tokens") == 0))
					return pl_fail(l, def->pairs[i].key,
					               "default:%s is not supported by quai", k);
				return pl_fail(l, def->pairs[i].key, "default: unknown keyword '%s'",
				               k ? k : "?");
			}
		}
	}
	static const char *const globals[] = {"image",         "services",     "cache",
	                                      "before_script", "after_script", NULL};
	const struct quai_yaml_node *acc = NULL;
	for (const char *const *g = globals; *g; g++) {
		const struct quai_yaml_node *v = quai_yaml_get(root, *g);
		if (!v)
			continue;
		struct quai_yaml_node *m = quai_yaml_new(l->work, QUAI_YAML_MAP, v);
		struct quai_yaml_pair *pair = quai_yaml_alloc(l->work, sizeof(*pair));
		pair->key = quai_yaml_get_key(root, *g);
		pair->value = v;
		m->pairs = pair;
		m->n = 1;
		acc = pl_deep_merge(l, acc, m);
	}
	/* default: wins over the old global keywords, key by key */
	if (acc && def) {
		struct quai_yaml_node *m = quai_yaml_new(l->work, QUAI_YAML_MAP, def);
		struct quai_yaml_pair *pairs = quai_yaml_alloc(l->work, (acc->n + def->n) * sizeof(*pairs));
		size_t n = 0;
		for (size_t i = 0; i < acc->n; i++)
			if (!quai_yaml_get(def, acc->pairs[i].key->str))
				pairs[n++] = acc->pairs[i];
		for (size_t i = 0; i < def->n; i++)
			pairs[n++] = def->pairs[i];
		m->pairs = pairs;
		m->n = n;
		def = m;
	} else if (acc) {
		def = acc;
	}
	*out = def;
	return 0;
}

/* inherit:default / inherit:variables: true, false or a list of names. */
static int inherit(struct loader *l, const struct quai_yaml_node *job, const char *what, const char *key,
                   bool *out)
{
	const struct quai_yaml_node *inh = quai_yaml_get(job, "inherit");
	*out = true;
	if (!inh)
		return 0;
	if (inh->type != QUAI_YAML_MAP)
		return pl_fail(l, inh, "inherit: expected a mapping (default:, variables:)");
	for (size_t i = 0; i < inh->n; i++) {
		const char *k = quai_yaml_str(inh->pairs[i].key);
		if (!k || (strcmp(k, "default") != 0 && strcmp(k, "variables") != 0))
			return pl_fail(l, inh->pairs[i].key,
			               "inherit: unknown keyword '%s' (default, variables)", k ? k : "?");
	}
	const struct quai_yaml_node *v = quai_yaml_get(inh, what);
	if (!v)
		return 0;
	bool b = false;
	if (quai_yaml_bool(v, &b, QUAI_YAML_BOOL_11) == 0) {
		*out = b;
		return 0;
	}
	char **names = NULL;
	if (pl_strv(l, &names, v, "inherit", false) < 0)
		return -1;
	*out = false;
	for (char **n = names; *n; n++)
		*out |= strcmp(*n, key) == 0;
	pl_strv_free(names);
	return 0;
}

/* The job's mapping with default: keys it lacks (and inherits). */
static int with_default(struct loader *l, const struct quai_yaml_node **out, const struct quai_yaml_node *job,
                        const struct quai_yaml_node *def)
{
	*out = job;
	if (!def)
		return 0;
	struct quai_yaml_node *m = quai_yaml_new(l->work, QUAI_YAML_MAP, job);
	struct quai_yaml_pair *pairs = quai_yaml_alloc(l->work, (job->n + def->n + 1) * sizeof(*pairs));
	size_t n = 0;
	for (size_t i = 0; i < job->n; i++)
		pairs[n++] = job->pairs[i];
	for (size_t i = 0; i < def->n; i++) {
		const char *k = def->pairs[i].key->str;
		bool take = false;
		if (quai_yaml_get(job, k))
			continue;
		if (inherit(l, job, "default", k, &take) < 0)
			return -1;
		if (take)
			pairs[n++] = def->pairs[i];
	}
	m->pairs = pairs;
	m->n = n;
	*out = m;
	return 0;
}

/* Variables a job's rules see: the pipeline's, the job's predefined ones,
 * the global and job variables, the user's; expanded. */
static void rule_vars(struct loader *l, struct quai_pipeline_vars *out, const struct quai_pipeline_job *job,
                      const struct quai_pipeline_vars *globals)
{
	struct quai_pipeline *p = l->p;
	*out = (struct quai_pipeline_vars){0};
	pl_vars_append(out, &p->predefined);
	quai_pipeline_vars_add(out, "CI_JOB_NAME", job->name);
	char *slug = quai_pipeline_slug(job->name);
	quai_pipeline_vars_add(out, "CI_JOB_NAME_SLUG", slug);
	free(slug);
	quai_pipeline_vars_add(out, "CI_JOB_STAGE", job->stage);
	char buf[16];
	snprintf(buf, sizeof(buf), "%d", job->node_total > 0 ? job->node_total : 1);
	quai_pipeline_vars_add(out, "CI_NODE_TOTAL", buf);
	if (job->node_total > 0) {
		snprintf(buf, sizeof(buf), "%d", job->node_index);
		quai_pipeline_vars_add(out, "CI_NODE_INDEX", buf);
	}
	pl_vars_append(out, globals);
	pl_vars_append(out, &job->variables);
	pl_vars_append(out, &p->user);
	pl_vars_expand_all(out);
}

static int apply_rule(struct loader *l, struct quai_pipeline_job *job, const struct quai_yaml_node *rule,
                      bool af_given)
{
	const struct quai_yaml_node *v = NULL;
	if ((v = quai_yaml_get(rule, "when"))) {
		const char *s = v->str;
		for (int w = QUAI_PIPELINE_ON_SUCCESS; w <= QUAI_PIPELINE_NEVER; w++)
			if (strcmp(s, quai_pipeline_when_name((enum quai_pipeline_when)w)) == 0)
				job->when = (enum quai_pipeline_when)w;
	}
	if ((v = quai_yaml_get(rule, "start_in"))) {
		free(job->start_in);
		job->start_in = xstrdup(v->str);
		(void)quai_pipeline_duration(&job->start_in_s, v->str);
	}
	if (job->when == QUAI_PIPELINE_DELAYED && !job->start_in)
		return pl_fail(l, rule, "job '%s': when: delayed needs start_in", job->name);
	if ((v = quai_yaml_get(rule, "allow_failure")))
		(void)quai_yaml_bool(v, &job->allow_failure, QUAI_YAML_BOOL_11);
	else if (!af_given)
		job->allow_failure = false; /* manual jobs from rules do not allow failure by default */
	if ((v = quai_yaml_get(rule, "interruptible")))
		(void)quai_yaml_bool(v, &job->interruptible, QUAI_YAML_BOOL_11);
	if ((v = quai_yaml_get(rule, "variables")) && pl_vars(l, &job->variables, v, "rules:variables") < 0)
		return -1;
	if ((v = quai_yaml_get(rule, "needs"))) {
		for (size_t i = 0; i < job->nneeds; i++)
			free(job->needs[i].job);
		free(job->needs);
		job->needs = NULL;
		job->nneeds = 0;
		struct quai_yaml_node *m = quai_yaml_new(l->work, QUAI_YAML_MAP, rule);
		struct quai_yaml_pair *pair = quai_yaml_alloc(l->work, 2 * sizeof(*pair));
		pair[0].key = quai_yaml_get_key(rule, "needs");
		pair[0].value = v;
		pair[1].key = quai_yaml_new_str(l->work, "script", 6, rule);
		pair[1].value = quai_yaml_new_str(l->work, "true", 4, rule);
		m->pairs = pair;
		m->n = 2;
		struct quai_pipeline_job tmp = {0};
		int rc = pl_job_parse(l, &tmp, job->base, m);
		if (rc == 0) {
			job->needs = tmp.needs;
			job->nneeds = tmp.nneeds;
			job->has_needs = true;
			tmp.needs = NULL;
			tmp.nneeds = 0;
		}
		pl_job_release(&tmp);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int decide(struct loader *l, struct quai_pipeline_job *job, const struct quai_yaml_node *def,
                  const struct quai_pipeline_vars *globals)
{
	struct quai_pipeline_vars vars;
	rule_vars(l, &vars, job, globals);
	const struct quai_yaml_node *rules = quai_yaml_get(def, "rules");
	bool af_given = quai_yaml_get(def, "allow_failure") != NULL;
	int rc = 0;
	if (rules) {
		struct pl_rule_result r;
		rc = pl_rules_eval(l, &r, rules, &vars, "rules");
		if (rc == 0) {
			job->reason = r.reason;
			job->created = r.matched;
			if (r.matched)
				rc = apply_rule(l, job, r.rule, af_given);
			if (job->when == QUAI_PIPELINE_NEVER)
				job->created = false;
		}
	} else {
		if (job->when == QUAI_PIPELINE_NEVER) {
			quai_pipeline_vars_release(&vars);
			return pl_fail(l, quai_yaml_get(def, "when"),
			               "job '%s': when: never is only for rules", job->name);
		}
		rc = pl_only_except(l, &job->created, &job->reason, quai_yaml_get(def, "only"),
		                    quai_yaml_get(def, "except"), &vars);
		if (job->when == QUAI_PIPELINE_MANUAL && !af_given)
			job->allow_failure = true;
	}
	quai_pipeline_vars_release(&vars);
	return rc;
}

static int add_job(struct loader *l, const char *name, const struct quai_yaml_node *raw,
                   const struct quai_yaml_node *def, const struct quai_pipeline_vars *globals, bool created)
{
	struct quai_pipeline *p = l->p;
	if (raw->type != QUAI_YAML_MAP)
		return pl_fail(l, raw,
		               "'%s' is neither a keyword nor a job (a job is a mapping with script:)", name);
	const struct quai_yaml_node *job_def = NULL;
	if (with_default(l, &job_def, raw, def) < 0)
		return -1;
	struct pl_instance *inst = NULL;
	size_t ninst = 1;
	const struct quai_yaml_node *par = quai_yaml_get(job_def, "parallel");
	if (par && pl_parallel(l, &inst, &ninst, name, par) < 0)
		return -1;
	bool inherit_vars = true;
	int rc = 0;
	for (size_t i = 0; i < ninst && rc == 0; i++) {
		if (p->njobs >= MAX_JOBS) {
			rc = pl_fail(l, raw, "more than %d jobs", MAX_JOBS);
			break;
		}
		p->jobs = xrealloc(p->jobs, (p->njobs + 1) * sizeof(*p->jobs));
		struct quai_pipeline_job *job = &p->jobs[p->njobs++];
		*job = (struct quai_pipeline_job){0};
		if ((rc = pl_job_parse(l, job, name, job_def)) < 0)
			break;
		if (inst) {
			free(job->name);
			job->name = xstrdup(inst[i].name);
			job->node_index = inst[i].index;
			job->node_total = inst[i].total;
			pl_vars_append(&job->variables, &inst[i].vars);
		}
		size_t s = 0;
		while (s < p->nstages && strcmp(p->stages[s], job->stage) != 0)
			s++;
		if (s == p->nstages) {
			rc = pl_fail(l, quai_yaml_get(job_def, "stage"),
			             "job '%s': the stage '%s' is not in stages:", name, job->stage);
			break;
		}
		job->stage_index = s;
		/* inherit:variables filters the globals this job sees */
		struct quai_pipeline_vars g = {0};
		for (size_t k = 0; k < globals->n && rc == 0; k++) {
			rc = inherit(l, job_def, "variables", globals->v[k].key, &inherit_vars);
			if (rc == 0 && inherit_vars) {
				struct quai_pipeline_vars one = {&globals->v[k], 1, 1};
				pl_vars_append(&g, &one);
			}
		}
		if (rc == 0)
			rc = decide(l, job, job_def, &g);
		/* the job's view of the globals, kept with it for job_env */
		struct quai_pipeline_vars mine = {0};
		pl_vars_append(&mine, &g);
		pl_vars_append(&mine, &job->variables);
		quai_pipeline_vars_release(&job->variables);
		job->variables = mine;
		quai_pipeline_vars_release(&g);
		if (!created && rc == 0) {
			job->created = false;
			free(job->reason);
			job->reason = xstrdup(p->reason);
		}
	}
	pl_instances_free(inst, inst ? ninst : 0);
	return rc;
}

static int workflow(struct loader *l, struct quai_pipeline_vars *globals)
{
	struct quai_pipeline *p = l->p;
	const struct quai_yaml_node *wf = quai_yaml_get(l->root, "workflow");
	p->created = true;
	if (!wf) {
		p->reason = xstrdup("no workflow:rules");
		return 0;
	}
	if (wf->type != QUAI_YAML_MAP)
		return pl_fail(l, wf, "workflow: expected a mapping");
	for (size_t i = 0; i < wf->n; i++) {
		const char *k = quai_yaml_str(wf->pairs[i].key);
		if (!k ||
		    (strcmp(k, "rules") != 0 && strcmp(k, "name") != 0 && strcmp(k, "auto_cancel") != 0))
			return pl_fail(l, wf->pairs[i].key,
			               "workflow: unknown keyword '%s' (rules, name, auto_cancel)",
			               k ? k : "?");
	}
	const struct quai_yaml_node *ac = quai_yaml_get(wf, "auto_cancel");
	if (ac) {
		const struct quai_yaml_node *onc = quai_yaml_get(ac, "on_new_commit");
		if (ac->type != QUAI_YAML_MAP || (onc && !quai_yaml_str(onc)))
			return pl_fail(
			    l, ac,
			    "workflow:auto_cancel: expected on_new_commit: conservative|interruptible|none");
		if (onc)
			p->auto_cancel = xstrdup(onc->str);
	}
	const struct quai_yaml_node *rules = quai_yaml_get(wf, "rules");
	struct quai_pipeline_vars vars = {0};
	pl_vars_append(&vars, &p->predefined);
	pl_vars_append(&vars, globals);
	pl_vars_append(&vars, &p->user);
	pl_vars_expand_all(&vars);
	int rc = 0;
	if (rules) {
		struct pl_rule_result r;
		if (pl_rules_check(l, rules, true) < 0 ||
		    pl_rules_eval(l, &r, rules, &vars, "workflow:rules") < 0) {
			quai_pipeline_vars_release(&vars);
			return -1;
		}
		p->reason = r.reason;
		p->created = r.matched;
		if (r.matched) {
			const char *w = quai_yaml_str(quai_yaml_get(r.rule, "when"));
			if (w && strcmp(w, "never") == 0)
				p->created = false;
			const struct quai_yaml_node *v = quai_yaml_get(r.rule, "variables");
			if (v)
				rc = pl_vars(l, globals, v, "workflow:rules:variables");
			const struct quai_yaml_node *ac2 = quai_yaml_get(r.rule, "auto_cancel");
			const struct quai_yaml_node *onc = ac2 ? quai_yaml_get(ac2, "on_new_commit") : NULL;
			if (onc && quai_yaml_str(onc)) {
				free(p->auto_cancel);
				p->auto_cancel = xstrdup(onc->str);
			}
		}
	} else {
		p->reason = xstrdup("no workflow:rules");
	}
	const struct quai_yaml_node *name = quai_yaml_get(wf, "name");
	if (rc == 0 && name) {
		const char *s = NULL;
		struct quai_pipeline_vars v2 = {0};
		pl_vars_append(&v2, &p->predefined);
		pl_vars_append(&v2, globals);
		pl_vars_append(&v2, &p->user);
		if (pl_scalar(l, &s, name, "workflow:name") == 0)
			p->name = quai_pipeline_expand(s, &v2);
		else
			rc = -1;
		quai_pipeline_vars_release(&v2);
	}
	quai_pipeline_vars_release(&vars);
	return rc;
}

/* ---- expansion of the places GitLab expands ---- */

static void expand_str(char **s, const struct quai_pipeline_vars *vars)
{
	if (!*s || !strchr(*s, '$'))
		return;
	char *x = quai_pipeline_expand(*s, vars);
	free(*s);
	*s = x;
}

static void expand_vec(char **v, const struct quai_pipeline_vars *vars)
{
	for (; v && *v; v++)
		expand_str(v, vars);
}

static void expand_job(struct quai_pipeline *p, struct quai_pipeline_job *job)
{
	struct quai_pipeline_vars env;
	quai_pipeline_job_env(&env, p, job, 0, NULL);
	expand_str(&job->image.name, &env);
	for (size_t i = 0; i < job->nservices; i++) {
		expand_str(&job->services[i].name, &env);
		expand_str(&job->services[i].alias, &env);
	}
	expand_vec(job->tags, &env);
	for (size_t i = 0; i < job->ncaches; i++) {
		expand_str(&job->caches[i].key, &env);
		expand_str(&job->caches[i].key_prefix, &env);
		expand_vec(job->caches[i].paths, &env);
		expand_vec(job->caches[i].fallback_keys, &env);
	}
	expand_str(&job->artifacts.name, &env);
	expand_vec(job->artifacts.paths, &env);
	expand_vec(job->artifacts.exclude, &env);
	expand_str(&job->resource_group, &env);
	expand_str(&job->environment, &env);
	quai_pipeline_vars_release(&env);
}

/* Stable: by stage, then in the order of the configuration. */
static void sort_jobs(struct quai_pipeline *p)
{
	for (size_t i = 1; i < p->njobs; i++) {
		struct quai_pipeline_job j = p->jobs[i];
		size_t k = i;
		while (k > 0 && p->jobs[k - 1].stage_index > j.stage_index) {
			p->jobs[k] = p->jobs[k - 1];
			k--;
		}
		p->jobs[k] = j;
	}
}

/* GitLab creates no pipeline without jobs, nor with jobs only in .pre and .post. */
static void no_pipeline_without_jobs(struct quai_pipeline *p)
{
	if (!p->created)
		return;
	size_t created = 0, regular = 0;
	for (size_t i = 0; i < p->njobs; i++) {
		if (!p->jobs[i].created)
			continue;
		created++;
		regular += p->jobs[i].stage_index > 0 && p->jobs[i].stage_index + 1 < p->nstages;
	}
	if (regular)
		return;
	p->created = false;
	free(p->reason);
	p->reason = xstrdup(created ? "only jobs in .pre or .post: GitLab creates no pipeline"
	                            : "no job is created for this pipeline");
	for (size_t i = 0; i < p->njobs; i++) {
		if (!p->jobs[i].created)
			continue;
		p->jobs[i].created = false;
		free(p->jobs[i].reason);
		p->jobs[i].reason = xstrdup(p->reason);
	}
}

static int build(struct loader *l)
{
	struct quai_pipeline *p = l->p;
	if (pl_config_load(l) < 0)
		return -1;
	const struct quai_yaml_node *root = l->root;
	const struct quai_yaml_node *v = NULL;
	if (quai_yaml_get(root, "spec"))
		return pl_fail(l, quai_yaml_get_key(root, "spec"), "spec:inputs is not supported by quai");
	if (quai_yaml_get(root, "stages") && quai_yaml_get(root, "types"))
		return pl_fail(l, quai_yaml_get_key(root, "types"),
		               "types: and stages: both given; use stages:");
	v = quai_yaml_get(root, "stages");
	if (!v)
		v = quai_yaml_get(root, "types");
	if (read_stages(l, v) < 0)
		return -1;
	struct quai_pipeline_vars globals = {0};
	int rc = 0;
	if ((v = quai_yaml_get(root, "variables")))
		rc = pl_vars(l, &globals, v, "variables");
	const struct quai_yaml_node *def = NULL;
	if (rc == 0)
		rc = read_default(l, &def);
	if (rc == 0)
		rc = workflow(l, &globals);
	for (size_t i = 0; i < root->n && rc == 0; i++) {
		const char *k = root->pairs[i].key->str;
		if (pl_is_global_keyword(k) || k[0] == '.')
			continue;
		rc = add_job(l, k, root->pairs[i].value, def, &globals, p->created);
	}
	if (rc == 0 && p->njobs == 0)
		rc =
		    pl_fail(l, NULL, "the pipeline has no jobs (hidden jobs starting with '.' do not count)");
	pl_vars_append(&p->variables, &globals);
	pl_vars_dedup(&p->variables);
	for (size_t i = 0; i < p->njobs; i++)
		pl_vars_dedup(&p->jobs[i].variables);
	quai_pipeline_vars_release(&globals);
	if (rc < 0)
		return -1;
	sort_jobs(p);
	for (size_t i = 0; i < p->njobs; i++) {
		struct quai_pipeline_job *job = &p->jobs[i];
		if (!job->created)
			continue;
		if (pl_resolve_needs(l, job) < 0 || pl_resolve_dependencies(l, job) < 0)
			return -1;
	}
	if (pl_check_cycles(l) < 0)
		return -1;
	no_pipeline_without_jobs(p);
	for (size_t i = 0; i < p->njobs; i++)
		expand_job(p, &p->jobs[i]);
	return 0;
}

static char *default_file(const char *dir)
{
	char *q = xasprintf("%s/.quai-ci.yml", dir);
	struct stat st;
	if (stat(q, &st) == 0)
		return q;
	free(q);
	return xasprintf("%s/.gitlab-ci.yml", dir);
}

int quai_pipeline_load(struct quai_pipeline **out, const struct quai_pipeline_context *ctx,
                       struct quai_error **err)
{
	*out = NULL;
	struct quai_pipeline *p = xcalloc(1, sizeof(*p));
	struct loader l = {.ctx = ctx, .p = p, .err = err};
	const char *dir = ctx->project_dir ? ctx->project_dir : ".";
	char abs[PATH_MAX];
	if (!realpath(dir, abs)) {
		free(p);
		return quai_error_errno(err, errno, "project directory '%s'", dir);
	}
	p->project_dir = xstrdup(abs);
	if (ctx->file)
		p->file = xstrdup(ctx->file);
	else if (ctx->project_dir)
		p->file = default_file(ctx->project_dir);
	else
		p->file = default_file(".");
	if (!ctx->file && strncmp(p->file, "./", 2) == 0)
		memmove(p->file, p->file + 2, strlen(p->file + 2) + 1);
	struct stat st;
	if (!ctx->file && !ctx->data && stat(p->file, &st) != 0) {
		quai_error_set(
		    err, QUAI_EXIT_USAGE,
		    "no .gitlab-ci.yml or .quai-ci.yml in '%s'; write one, or name the file with -f", dir);
		quai_pipeline_free(p);
		return -1;
	}
	quai_pipeline_predefined(&p->predefined, ctx);
	const char *base = strrchr(p->file, '/');
	quai_pipeline_vars_add(&p->predefined, "CI_CONFIG_PATH", base ? base + 1 : p->file);
	pl_vars_copy(&p->user, ctx->variables);
	l.work = quai_yaml_doc_new(p->file);
	int rc = build(&l);
	quai_yaml_free(l.work);
	for (size_t i = 0; i < l.ndocs; i++)
		quai_yaml_free(l.docs[i]);
	free(l.docs);
	pl_strv_free(l.files);
	if (rc < 0) {
		quai_pipeline_free(p);
		return -1;
	}
	*out = p;
	return 0;
}

void quai_pipeline_free(struct quai_pipeline *p)
{
	if (!p)
		return;
	free(p->file);
	pl_strv_free(p->files);
	free(p->project_dir);
	for (size_t i = 0; i < p->nstages; i++)
		free(p->stages[i]);
	free(p->stages);
	free(p->reason);
	free(p->name);
	free(p->auto_cancel);
	quai_pipeline_vars_release(&p->predefined);
	quai_pipeline_vars_release(&p->variables);
	quai_pipeline_vars_release(&p->user);
	for (size_t i = 0; i < p->njobs; i++)
		pl_job_release(&p->jobs[i]);
	free(p->jobs);
	free(p);
}

const struct quai_pipeline_job *quai_pipeline_find(const struct quai_pipeline *p, const char *name)
{
	int i = pl_job_index(p, name);
	return i < 0 ? NULL : &p->jobs[i];
}

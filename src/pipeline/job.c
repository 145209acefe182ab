/* One job's keywords, read from its resolved mapping (after include,
 * !reference, extends and default) into the model, with their types
 * checked; an unknown or unsupported keyword is an error at its place. */
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/xalloc.h"
#include "pipeline/internal.h"
#include "core/banned.h"

static int parse_image(struct loader *l, struct quai_pipeline_image *img, const struct quai_yaml_node *v)
{
	if (v->type == QUAI_YAML_SCALAR) {
		const char *s = NULL;
		if (pl_scalar(l, &s, v, "image") < 0)
			return -1;
		img->name = xstrdup(s);
		return 0;
	}
	static const char *const keys[] = {"name", "entrypoint", "pull_policy", NULL};
	if (pl_keys_in(l, v, "image", keys) < 0)
		return -1;
	const struct quai_yaml_node *x = quai_yaml_get(v, "name");
	const char *s = NULL;
	if (!x)
		return pl_fail(l, v, "image: name is required");
	if (pl_scalar(l, &s, x, "image:name") < 0)
		return -1;
	img->name = xstrdup(s);
	x = quai_yaml_get(v, "entrypoint");
	if (x && pl_strv(l, &img->entrypoint, x, "image:entrypoint", false) < 0)
		return -1;
	x = quai_yaml_get(v, "pull_policy");
	if (x) {
		char **pp = NULL;
		if (pl_strv(l, &pp, x, "image:pull_policy", false) < 0)
			return -1;
		img->pull_policy = pp[0] ? xstrdup(pp[0]) : NULL;
		pl_strv_free(pp);
	}
	return 0;
}

static int parse_service(struct loader *l, struct quai_pipeline_service *s, const struct quai_yaml_node *v)
{
	const char *str = NULL;
	if (v->type == QUAI_YAML_SCALAR) {
		if (pl_scalar(l, &str, v, "services") < 0)
			return -1;
		s->name = xstrdup(str);
		return 0;
	}
	static const char *const keys[] = {"name",      "alias",       "entrypoint", "command",
	                                   "variables", "pull_policy", NULL};
	if (pl_keys_in(l, v, "services", keys) < 0)
		return -1;
	const struct quai_yaml_node *x = quai_yaml_get(v, "name");
	if (!x)
		return pl_fail(l, v, "services: name is required");
	if (pl_scalar(l, &str, x, "services:name") < 0)
		return -1;
	s->name = xstrdup(str);
	if ((x = quai_yaml_get(v, "alias"))) {
		if (pl_scalar(l, &str, x, "services:alias") < 0)
			return -1;
		s->alias = xstrdup(str);
	}
	if ((x = quai_yaml_get(v, "entrypoint")) &&
	    pl_strv(l, &s->entrypoint, x, "services:entrypoint", false) < 0)
		return -1;
	if ((x = quai_yaml_get(v, "command")) && pl_strv(l, &s->command, x, "services:command", false) < 0)
		return -1;
	if ((x = quai_yaml_get(v, "variables")) && pl_vars(l, &s->variables, x, "services:variables") < 0)
		return -1;
	return 0;
}

static int parse_services(struct loader *l, struct quai_pipeline_job *job, const struct quai_yaml_node *v)
{
	if (v->type != QUAI_YAML_SEQ)
		return pl_fail(l, v, "services: expected a list, found %s", quai_yaml_kind_name(v));
	job->services = xcalloc(v->n ? v->n : 1, sizeof(*job->services));
	for (size_t i = 0; i < v->n; i++) {
		job->nservices++;
		if (parse_service(l, &job->services[i], v->items[i]) < 0)
			return -1;
	}
	return 0;
}

static int parse_when(struct loader *l, enum quai_pipeline_when *out, const struct quai_yaml_node *v,
                      const char *what, unsigned allowed)
{
	const char *s = quai_yaml_str(v);
	for (int w = QUAI_PIPELINE_ON_SUCCESS; s && w <= QUAI_PIPELINE_NEVER; w++)
		if ((allowed & (1u << w)) &&
		    strcmp(s, quai_pipeline_when_name((enum quai_pipeline_when)w)) == 0) {
			*out = (enum quai_pipeline_when)w;
			return 0;
		}
	struct quai_buf b = QUAI_BUF_INIT;
	for (int w = QUAI_PIPELINE_ON_SUCCESS; w <= QUAI_PIPELINE_NEVER; w++)
		if (allowed & (1u << w))
			quai_buf_printf(&b, "%s%s", b.len ? ", " : "",
			                quai_pipeline_when_name((enum quai_pipeline_when)w));
	pl_fail(l, v, "%s: expected one of %s", what, quai_buf_str(&b));
	quai_buf_release(&b);
	return -1;
}

#define WHEN_JOB 0x3fu
#define WHEN_ART                                                                                             \
	((1u << QUAI_PIPELINE_ON_SUCCESS) | (1u << QUAI_PIPELINE_ON_FAILURE) | (1u << QUAI_PIPELINE_ALWAYS))

static int parse_artifacts(struct loader *l, struct quai_pipeline_artifacts *a,
                           const struct quai_yaml_node *v)
{
	static const char *const keys[] = {"paths",     "exclude",   "untracked", "when",
	                                   "expire_in", "expose_as", "name",      "public",
	                                   "access",    "reports",   NULL};
	if (pl_keys_in(l, v, "artifacts", keys) < 0)
		return -1;
	a->set = true;
	const struct quai_yaml_node *x = NULL;
	const char *s = NULL;
	if ((x = quai_yaml_get(v, "paths")) && pl_strv(l, &a->paths, x, "artifacts:paths", true) < 0)
		return -1;
	if ((x = quai_yaml_get(v, "exclude")) && pl_strv(l, &a->exclude, x, "artifacts:exclude", true) < 0)
		return -1;
	if ((x = quai_yaml_get(v, "untracked")) &&
	    pl_want_bool(l, &a->untracked, x, "artifacts:untracked") < 0)
		return -1;
	if ((x = quai_yaml_get(v, "when")) && parse_when(l, &a->when, x, "artifacts:when", WHEN_ART) < 0)
		return -1;
	if ((x = quai_yaml_get(v, "expire_in"))) {
		long secs = 0;
		if (pl_scalar(l, &s, x, "artifacts:expire_in") < 0)
			return -1;
		if (strcmp(s, "never") != 0 && quai_pipeline_duration(&secs, s) < 0)
			return pl_fail(
			    l, x,
			    "artifacts:expire_in: '%s' is not a duration (\"1 week\", \"30 mins\", never)",
			    s);
		a->expire_in = xstrdup(s);
	}
	if ((x = quai_yaml_get(v, "name"))) {
		if (pl_scalar(l, &s, x, "artifacts:name") < 0)
			return -1;
		a->name = xstrdup(s);
	}
	a->expose_set =
	    quai_yaml_get(v, "expose_as") || quai_yaml_get(v, "public") || quai_yaml_get(v, "access");
	if ((x = quai_yaml_get(v, "reports"))) {
		static const char *const rkeys[] = {"junit", "dotenv", NULL};
		if (x->type == QUAI_YAML_MAP)
			for (size_t i = 0; i < x->n; i++) {
				const char *k = quai_yaml_str(x->pairs[i].key);
				if (k && strcmp(k, "junit") != 0 && strcmp(k, "dotenv") != 0)
					return pl_fail(l, x->pairs[i].key,
					               "artifacts:reports:%s is not supported by quai "
					               "(junit and dotenv are)",
					               k);
			}
		if (pl_keys_in(l, x, "artifacts:reports", rkeys) < 0)
			return -1;
		const struct quai_yaml_node *r = NULL;
		if ((r = quai_yaml_get(x, "junit")) &&
		    pl_strv(l, &a->reports_junit, r, "artifacts:reports:junit", false) < 0)
			return -1;
		if ((r = quai_yaml_get(x, "dotenv")) &&
		    pl_strv(l, &a->reports_dotenv, r, "artifacts:reports:dotenv", false) < 0)
			return -1;
	}
	return 0;
}

static int parse_cache(struct loader *l, struct quai_pipeline_cache *c, const struct quai_yaml_node *v)
{
	static const char *const keys[] = {"key",       "paths",     "policy",        "when",
	                                   "untracked", "unprotect", "fallback_keys", NULL};
	if (pl_keys_in(l, v, "cache", keys) < 0)
		return -1;
	const struct quai_yaml_node *x = NULL;
	const char *s = NULL;
	if ((x = quai_yaml_get(v, "key"))) {
		if (x->type == QUAI_YAML_MAP) {
			static const char *const kkeys[] = {"files", "prefix", NULL};
			if (pl_keys_in(l, x, "cache:key", kkeys) < 0)
				return -1;
			const struct quai_yaml_node *f = quai_yaml_get(x, "files");
			if (!f)
				return pl_fail(l, x, "cache:key: files is required");
			if (pl_strv(l, &c->key_files, f, "cache:key:files", false) < 0)
				return -1;
			if (pl_strv_len(c->key_files) < 1 || pl_strv_len(c->key_files) > 2)
				return pl_fail(l, f, "cache:key:files: one or two files");
			if ((f = quai_yaml_get(x, "prefix"))) {
				if (pl_scalar(l, &s, f, "cache:key:prefix") < 0)
					return -1;
				c->key_prefix = xstrdup(s);
			}
		} else {
			if (pl_scalar(l, &s, x, "cache:key") < 0)
				return -1;
			if (strchr(s, '/') || strcmp(s, ".") == 0 || strcmp(s, "..") == 0 ||
			    strstr(s, "%2F") || strstr(s, "%2f"))
				return pl_fail(l, x, "cache:key: '%s' cannot contain '/' or be '.' or '..'",
				               s);
			c->key = xstrdup(s);
		}
	}
	if (!c->key)
		c->key = xstrdup("default");
	if ((x = quai_yaml_get(v, "paths")) && pl_strv(l, &c->paths, x, "cache:paths", false) < 0)
		return -1;
	if ((x = quai_yaml_get(v, "untracked")) && pl_want_bool(l, &c->untracked, x, "cache:untracked") < 0)
		return -1;
	if ((x = quai_yaml_get(v, "when")) && parse_when(l, &c->when, x, "cache:when", WHEN_ART) < 0)
		return -1;
	if ((x = quai_yaml_get(v, "fallback_keys")) &&
	    pl_strv(l, &c->fallback_keys, x, "cache:fallback_keys", false) < 0)
		return -1;
	if ((x = quai_yaml_get(v, "unprotect"))) {
		bool b = false;
		if (pl_want_bool(l, &b, x, "cache:unprotect") < 0)
			return -1;
	}
	if ((x = quai_yaml_get(v, "policy"))) {
		if (pl_scalar(l, &s, x, "cache:policy") < 0)
			return -1;
		if (strcmp(s, "pull-push") == 0)
			c->policy = QUAI_PIPELINE_PULL_PUSH;
		else if (strcmp(s, "pull") == 0)
			c->policy = QUAI_PIPELINE_PULL;
		else if (strcmp(s, "push") == 0)
			c->policy = QUAI_PIPELINE_PUSH;
		else if (!strchr(s, '$'))
			return pl_fail(l, x, "cache:policy: expected pull-push, pull or push");
	}
	return 0;
}

static int parse_caches(struct loader *l, struct quai_pipeline_job *job, const struct quai_yaml_node *v)
{
	const struct quai_yaml_node *const *items = &v;
	size_t n = 1;
	if (v->type == QUAI_YAML_SEQ) {
		items = v->items;
		n = v->n;
		if (n > 4)
			return pl_fail(l, v, "cache: at most 4 caches per job");
	}
	job->caches = xcalloc(n ? n : 1, sizeof(*job->caches));
	for (size_t i = 0; i < n; i++) {
		job->ncaches++;
		if (parse_cache(l, &job->caches[i], items[i]) < 0)
			return -1;
	}
	return 0;
}

static int parse_retry(struct loader *l, struct quai_pipeline_retry *r, const struct quai_yaml_node *v)
{
	long long n = 0;
	if (v->type == QUAI_YAML_SCALAR) {
		if (pl_want_int(l, &n, v, "retry", 0, 2) < 0)
			return -1;
		r->max = (int)n;
		return 0;
	}
	static const char *const keys[] = {"max", "when", "exit_codes", NULL};
	if (pl_keys_in(l, v, "retry", keys) < 0)
		return -1;
	const struct quai_yaml_node *x = NULL;
	if ((x = quai_yaml_get(v, "max"))) {
		if (pl_want_int(l, &n, x, "retry:max", 0, 2) < 0)
			return -1;
		r->max = (int)n;
	}
	if ((x = quai_yaml_get(v, "when"))) {
		static const char *const reasons[] = {"always",
		                                      "unknown_failure",
		                                      "script_failure",
		                                      "api_failure",
		                                      "stuck_or_timeout_failure",
		                                      "runner_system_failure",
		                                      "runner_unsupported",
		                                      "stale_schedule",
		                                      "job_execution_timeout",
		                                      "archived_failure",
		                                      "unmet_prerequisites",
		                                      "scheduler_failure",
		                                      "data_integrity_failure",
		                                      NULL};
		if (pl_strv(l, &r->when, x, "retry:when", false) < 0)
			return -1;
		for (char **w = r->when; *w; w++) {
			bool ok = false;
			for (const char *const *k = reasons; *k; k++)
				ok |= strcmp(*w, *k) == 0;
			if (!ok)
				return pl_fail(l, x, "retry:when: '%s' is not a failure reason GitLab knows",
				               *w);
		}
	}
	if ((x = quai_yaml_get(v, "exit_codes")) &&
	    pl_ints(l, &r->exit_codes, &r->nexit_codes, x, "retry:exit_codes") < 0)
		return -1;
	return 0;
}

static int parse_allow_failure(struct loader *l, struct quai_pipeline_job *job,
                               const struct quai_yaml_node *v)
{
	if (v->type == QUAI_YAML_MAP) {
		static const char *const keys[] = {"exit_codes", NULL};
		if (pl_keys_in(l, v, "allow_failure", keys) < 0)
			return -1;
		const struct quai_yaml_node *x = quai_yaml_get(v, "exit_codes");
		if (!x)
			return pl_fail(l, v, "allow_failure: exit_codes is required");
		job->allow_failure = false;
		return pl_ints(l, &job->allow_failure_codes, &job->nallow_failure_codes, x,
		               "allow_failure:exit_codes");
	}
	return pl_want_bool(l, &job->allow_failure, v, "allow_failure");
}

static int parse_needs(struct loader *l, struct quai_pipeline_job *job, const struct quai_yaml_node *v)
{
	if (v->type != QUAI_YAML_SEQ)
		return pl_fail(l, v, "needs: expected a list, found %s", quai_yaml_kind_name(v));
	if (v->n > 50)
		return pl_fail(l, v, "needs: at most 50 jobs");
	job->has_needs = true;
	size_t cap = 0;
	job->needs = xgrow(NULL, &cap, 1, sizeof(*job->needs));
	for (size_t i = 0; i < v->n; i++) {
		const struct quai_yaml_node *it = v->items[i];
		struct quai_pipeline_need need = {.artifacts = true};
		const char *s = NULL;
		const struct quai_yaml_node *matrix = NULL;
		if (it->type == QUAI_YAML_MAP) {
			static const char *const keys[] = {"job",      "artifacts", "optional", "parallel",
			                                   "pipeline", "project",   "ref",      NULL};
			if (pl_keys_in(l, it, "needs", keys) < 0)
				return -1;
			const struct quai_yaml_node *x = NULL;
			if (quai_yaml_get(it, "pipeline") || quai_yaml_get(it, "project") ||
			    quai_yaml_get(it, "ref"))
				return pl_fail(
				    l, it, "needs on other pipelines or projects is not supported by quai");
			if (!(x = quai_yaml_get(it, "job")))
				return pl_fail(l, it, "needs: job is required");
			if (pl_scalar(l, &s, x, "needs:job") < 0)
				return -1;
			if ((x = quai_yaml_get(it, "artifacts")) &&
			    pl_want_bool(l, &need.artifacts, x, "needs:artifacts") < 0)
				return -1;
			if ((x = quai_yaml_get(it, "optional")) &&
			    pl_want_bool(l, &need.optional, x, "needs:optional") < 0)
				return -1;
			if ((x = quai_yaml_get(it, "parallel"))) {
				static const char *const pkeys[] = {"matrix", NULL};
				if (pl_keys_in(l, x, "needs:parallel", pkeys) < 0)
					return -1;
				matrix = quai_yaml_get(x, "matrix");
			}
		} else if (pl_scalar(l, &s, it, "needs") < 0) {
			return -1;
		}
		if (!matrix) {
			job->needs = xgrow(job->needs, &cap, job->nneeds + 1, sizeof(*job->needs));
			need.job = xstrdup(s);
			job->needs[job->nneeds++] = need;
			continue;
		}
		struct pl_instance *inst = NULL;
		size_t ninst = 0;
		if (pl_matrix(l, &inst, &ninst, s, matrix) < 0)
			return -1;
		for (size_t k = 0; k < ninst; k++) {
			job->needs = xgrow(job->needs, &cap, job->nneeds + 1, sizeof(*job->needs));
			need.job = inst[k].name;
			inst[k].name = NULL;
			job->needs[job->nneeds++] = need;
		}
		pl_instances_free(inst, ninst);
	}
	return 0;
}

static int parse_environment(struct loader *l, struct quai_pipeline_job *job, const struct quai_yaml_node *v)
{
	const char *s = NULL;
	if (v->type == QUAI_YAML_MAP) {
		static const char *const keys[] = {
		    "name",       "url", "action", "on_stop", "auto_stop_in", "deployment_tier",
		    "kubernetes", NULL};
		if (pl_keys_in(l, v, "environment", keys) < 0)
			return -1;
		const struct quai_yaml_node *x = quai_yaml_get(v, "name");
		if (!x)
			return pl_fail(l, v, "environment: name is required");
		v = x;
	}
	if (pl_scalar(l, &s, v, "environment") < 0)
		return -1;
	job->environment = xstrdup(s);
	return 0;
}

static int parse_only_except(struct loader *l, const struct quai_yaml_node *v, const char *what)
{
	if (v->type == QUAI_YAML_SEQ || v->type == QUAI_YAML_SCALAR) {
		char **refs = NULL;
		if (pl_strv(l, &refs, v, what, false) < 0)
			return -1;
		pl_strv_free(refs);
		return 0;
	}
	static const char *const keys[] = {"refs", "variables", "changes", "kubernetes", NULL};
	if (pl_keys_in(l, v, what, keys) < 0)
		return -1;
	const struct quai_yaml_node *x = NULL;
	char **tmp = NULL;
	if ((x = quai_yaml_get(v, "refs"))) {
		if (pl_strv(l, &tmp, x, what, false) < 0)
			return -1;
		pl_strv_free(tmp);
	}
	if ((x = quai_yaml_get(v, "kubernetes")))
		return pl_fail(l, x, "%s:kubernetes is not supported by quai", what);
	if ((x = quai_yaml_get(v, "variables"))) {
		if (pl_strv(l, &tmp, x, what, false) < 0)
			return -1;
		for (char **e = tmp; *e; e++) {
			struct pl_expr *ex = NULL;
			struct quai_error *e2 = NULL;
			if (pl_expr_parse(&ex, *e, &e2) < 0) {
				pl_fail(l, x, "%s:variables: '%s': %s", what, *e, e2 ? e2->msg : "");
				quai_error_free(e2);
				pl_strv_free(tmp);
				return -1;
			}
			pl_expr_free(ex);
		}
		pl_strv_free(tmp);
	}
	if ((x = quai_yaml_get(v, "changes"))) {
		const struct quai_yaml_node *paths = x->type == QUAI_YAML_MAP ? quai_yaml_get(x, "paths") : x;
		if (!paths || pl_strv(l, &tmp, paths, what, false) < 0)
			return paths ? -1 : pl_fail(l, x, "%s:changes: paths is required", what);
		pl_strv_free(tmp);
	}
	return 0;
}

typedef int (*kw_fn)(struct loader *l, struct quai_pipeline_job *job, const struct quai_yaml_node *v);

#define STRV_KW(fname, field, what, nested)                                                                  \
	static int fname(struct loader *l, struct quai_pipeline_job *job, const struct quai_yaml_node *v)    \
	{                                                                                                    \
		return pl_strv(l, &job->field, v, what, nested);                                             \
	}
STRV_KW(kw_script, script, "script", true)
STRV_KW(kw_before, before_script, "before_script", true)
STRV_KW(kw_after, after_script, "after_script", true)
STRV_KW(kw_tags, tags, "tags", true)
STRV_KW(kw_dependencies, dependencies, "dependencies", false)

static int kw_stage(struct loader *l, struct quai_pipeline_job *job, const struct quai_yaml_node *v)
{
	const char *s = NULL;
	if (pl_scalar(l, &s, v, "stage") < 0)
		return -1;
	free(job->stage);
	job->stage = xstrdup(s);
	return 0;
}

static int kw_image(struct loader *l, struct quai_pipeline_job *job, const struct quai_yaml_node *v)
{
	return parse_image(l, &job->image, v);
}

static int kw_variables(struct loader *l, struct quai_pipeline_job *job, const struct quai_yaml_node *v)
{
	return pl_vars(l, &job->variables, v, "variables");
}

static int kw_when(struct loader *l, struct quai_pipeline_job *job, const struct quai_yaml_node *v)
{
	return parse_when(l, &job->when, v, "when", WHEN_JOB);
}

static int kw_start_in(struct loader *l, struct quai_pipeline_job *job, const struct quai_yaml_node *v)
{
	const char *s = NULL;
	if (pl_scalar(l, &s, v, "start_in") < 0)
		return -1;
	if (quai_pipeline_duration(&job->start_in_s, s) < 0 || job->start_in_s > 7L * 86400)
		return pl_fail(l, v, "start_in: '%s' is not a duration of at most one week", s);
	job->start_in = xstrdup(s);
	return 0;
}

static int kw_timeout(struct loader *l, struct quai_pipeline_job *job, const struct quai_yaml_node *v)
{
	const char *s = NULL;
	if (pl_scalar(l, &s, v, "timeout") < 0)
		return -1;
	if (quai_pipeline_duration(&job->timeout_s, s) < 0 || job->timeout_s < 1)
		return pl_fail(l, v, "timeout: '%s' is not a duration (\"1h 30m\", \"3 hours\")", s);
	return 0;
}

static int kw_artifacts(struct loader *l, struct quai_pipeline_job *job, const struct quai_yaml_node *v)
{
	return parse_artifacts(l, &job->artifacts, v);
}

static int kw_interruptible(struct loader *l, struct quai_pipeline_job *job, const struct quai_yaml_node *v)
{
	return pl_want_bool(l, &job->interruptible, v, "interruptible");
}

static int kw_resource_group(struct loader *l, struct quai_pipeline_job *job, const struct quai_yaml_node *v)
{
	const char *s = NULL;
	if (pl_scalar(l, &s, v, "resource_group") < 0)
		return -1;
	job->resource_group = xstrdup(s);
	return 0;
}

static int kw_coverage(struct loader *l, struct quai_pipeline_job *job, const struct quai_yaml_node *v)
{
	const char *s = NULL;
	size_t ps, pn;
	const char *flags = NULL;
	if (pl_scalar(l, &s, v, "coverage") < 0)
		return -1;
	if (pl_regex_literal(s, strlen(s), &ps, &pn, &flags) < 0)
		return pl_fail(l, v, "coverage: expected a regular expression /.../");
	job->coverage = xstrdup(s);
	return 0;
}

static int kw_dependencies_wrap(struct loader *l, struct quai_pipeline_job *job,
                                const struct quai_yaml_node *v)
{
	job->has_dependencies = true;
	if (v->type == QUAI_YAML_SEQ && v->n == 0) {
		job->dependencies = xcalloc(1, sizeof(char *));
		return 0;
	}
	return kw_dependencies(l, job, v);
}

static int kw_rules(struct loader *l, struct quai_pipeline_job *job, const struct quai_yaml_node *v)
{
	return pl_rules_check(l, v, false);
}

static int kw_only(struct loader *l, struct quai_pipeline_job *job, const struct quai_yaml_node *v)
{
	return parse_only_except(l, v, "only");
}

static int kw_except(struct loader *l, struct quai_pipeline_job *job, const struct quai_yaml_node *v)
{
	return parse_only_except(l, v, "except");
}

static int kw_parallel(struct loader *l, struct quai_pipeline_job *job, const struct quai_yaml_node *v)
{
	struct pl_instance *inst = NULL;
	size_t n = 0;
	int rc = pl_parallel(l, &inst, &n, job->base, v);
	if (rc == 0)
		pl_instances_free(inst, n);
	return rc;
}

static int kw_ignore_checked(struct loader *l, struct quai_pipeline_job *job, const struct quai_yaml_node *v)
{
	return 0; /* read by the caller (inherit, manual_confirmation) */
}

static int kw_manual_confirmation(struct loader *l, struct quai_pipeline_job *job,
                                  const struct quai_yaml_node *v)
{
	const char *s = NULL;
	return pl_scalar(l, &s, v, "manual_confirmation");
}

static const struct {
	const char *name;
	kw_fn fn;
} keywords[] = {
    {"after_script", kw_after},
    {"allow_failure", parse_allow_failure},
    {"artifacts", kw_artifacts},
    {"before_script", kw_before},
    {"cache", parse_caches},
    {"coverage", kw_coverage},
    {"dependencies", kw_dependencies_wrap},
    {"environment", parse_environment},
    {"except", kw_except},
    {"image", kw_image},
    {"inherit", kw_ignore_checked},
    {"interruptible", kw_interruptible},
    {"manual_confirmation", kw_manual_confirmation},
    {"needs", parse_needs},
    {"only", kw_only},
    {"parallel", kw_parallel},
    {"resource_group", kw_resource_group},
    {"retry", NULL},
    {"rules", kw_rules},
    {"script", kw_script},
    {"services", parse_services},
    {"stage", kw_stage},
    {"start_in", kw_start_in},
    {"tags", kw_tags},
    {"timeout", kw_timeout},
    {"variables", kw_variables},
    {"when", kw_when},
};

static const char *const unsupported[] = {
    "trigger",  "secrets", "id_tokens", "release", "hooks",   "dast_configuration",
    "identity", "run",     "pages",     "publish", "extends", NULL};

int pl_job_parse(struct loader *l, struct quai_pipeline_job *job, const char *name,
                 const struct quai_yaml_node *def)
{
	job->base = xstrdup(name);
	job->name = xstrdup(name);
	job->stage = xstrdup("test");
	job->file = l->p->file;
	for (char **f = l->p->files; f && *f; f++)
		if (def->file && strcmp(*f, def->file) == 0)
			job->file = *f;
	job->line = def->line;
	job->col = def->col;
	for (size_t i = 0; i < def->n; i++) {
		const struct quai_yaml_node *k = def->pairs[i].key, *v = def->pairs[i].value;
		const char *kn = quai_yaml_str(k);
		if (!kn)
			return pl_fail(l, k, "job '%s': keywords are names", name);
		if (quai_yaml_get(def, kn) != v)
			continue; /* written again later: the last one counts, as in GitLab */
		bool done = false;
		for (size_t w = 0; w < sizeof(keywords) / sizeof(keywords[0]) && !done; w++) {
			if (strcmp(kn, keywords[w].name) != 0)
				continue;
			done = true;
			int rc = keywords[w].fn ? keywords[w].fn(l, job, v) : parse_retry(l, &job->retry, v);
			if (rc < 0)
				return -1;
		}
		if (done)
			continue;
		for (const char *const *u = unsupported; *u; u++)
			if (strcmp(kn, *u) == 0)
				return pl_fail(l, k, "job '%s': the keyword '%s' is not supported by quai",
				               name, kn);
		return pl_fail(l, k, "job '%s': unknown keyword '%s'", name, kn);
	}
	if (!quai_yaml_get(def, "script"))
		return pl_fail(l, def, "job '%s' has no script", name);
	if (!job->script || !job->script[0])
		return pl_fail(l, quai_yaml_get(def, "script"), "job '%s': script is empty", name);
	if (job->start_in && job->when != QUAI_PIPELINE_DELAYED && !quai_yaml_get(def, "rules"))
		return pl_fail(l, quai_yaml_get(def, "start_in"),
		               "job '%s': start_in is only for when: delayed", name);
	if (job->when == QUAI_PIPELINE_DELAYED && !job->start_in)
		return pl_fail(l, quai_yaml_get(def, "when"), "job '%s': when: delayed needs start_in", name);
	if (quai_yaml_get(def, "rules") && (quai_yaml_get(def, "only") || quai_yaml_get(def, "except")))
		return pl_fail(l, quai_yaml_get_key(def, "rules"),
		               "job '%s': rules cannot be used with only/except", name);
	return 0;
}

static void release_vec(char ***v)
{
	pl_strv_free(*v);
	*v = NULL;
}

void pl_job_release(struct quai_pipeline_job *job)
{
	free(job->name);
	free(job->base);
	free(job->stage);
	release_vec(&job->before_script);
	release_vec(&job->script);
	release_vec(&job->after_script);
	free(job->image.name);
	release_vec(&job->image.entrypoint);
	free(job->image.pull_policy);
	for (size_t i = 0; i < job->nservices; i++) {
		free(job->services[i].name);
		free(job->services[i].alias);
		release_vec(&job->services[i].command);
		release_vec(&job->services[i].entrypoint);
		quai_pipeline_vars_release(&job->services[i].variables);
	}
	free(job->services);
	quai_pipeline_vars_release(&job->variables);
	release_vec(&job->tags);
	free(job->reason);
	free(job->start_in);
	free(job->allow_failure_codes);
	release_vec(&job->retry.when);
	free(job->retry.exit_codes);
	for (size_t i = 0; i < job->nneeds; i++)
		free(job->needs[i].job);
	free(job->needs);
	release_vec(&job->dependencies);
	release_vec(&job->artifacts.paths);
	release_vec(&job->artifacts.exclude);
	free(job->artifacts.expire_in);
	free(job->artifacts.name);
	release_vec(&job->artifacts.reports_junit);
	release_vec(&job->artifacts.reports_dotenv);
	for (size_t i = 0; i < job->ncaches; i++) {
		struct quai_pipeline_cache *c = &job->caches[i];
		free(c->key);
		release_vec(&c->key_files);
		free(c->key_prefix);
		release_vec(&c->paths);
		release_vec(&c->fallback_keys);
	}
	free(job->caches);
	free(job->resource_group);
	free(job->environment);
	free(job->coverage);
}

/* The job graph: needs and dependencies resolved to the concrete jobs of
 * this pipeline, checked as GitLab checks them (defined, not in a later
 * stage, in the pipeline unless optional), and no cycle. */
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/xalloc.h"
#include "pipeline/internal.h"
#include "core/banned.h"

int pl_job_index(const struct quai_pipeline *p, const char *name)
{
	for (size_t i = 0; i < p->njobs; i++)
		if (strcmp(p->jobs[i].name, name) == 0)
			return (int)i;
	return -1;
}

static void free_needs(struct quai_pipeline_need *needs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(needs[i].job);
	free(needs);
}

int pl_resolve_needs(struct loader *l, struct quai_pipeline_job *job)
{
	struct quai_pipeline *p = l->p;
	size_t cap = 0, n = 0;
	struct quai_pipeline_need *out = xgrow(NULL, &cap, 1, sizeof(*out));
	for (size_t i = 0; i < job->nneeds; i++) {
		struct quai_pipeline_need *need = &job->needs[i];
		bool defined = false, found = false;
		for (size_t k = 0; k < p->njobs; k++) {
			const struct quai_pipeline_job *o = &p->jobs[k];
			bool same = strcmp(o->name, need->job) == 0 ||
			            (strcmp(o->base, need->job) == 0 && pl_job_index(p, need->job) < 0);
			if (!same)
				continue;
			defined = true;
			if (!o->created)
				continue;
			if (o->stage_index > job->stage_index) {
				free_needs(out, n);
				return quai_error_set(
				    l->err, QUAI_EXIT_USAGE,
				    "%s:%u:%u: job '%s' needs '%s', which is in a later stage ('%s')",
				    job->file, job->line, job->col, job->name, o->name, o->stage);
			}
			if (o == job) {
				free_needs(out, n);
				return quai_error_set(l->err, QUAI_EXIT_USAGE,
				                      "%s:%u:%u: job '%s' needs itself", job->file, job->line,
				                      job->col, job->name);
			}
			found = true;
			out = xgrow(out, &cap, n + 1, sizeof(*out));
			out[n++] =
			    (struct quai_pipeline_need){xstrdup(o->name), need->artifacts, need->optional};
		}
		if (!found && !need->optional) {
			free_needs(out, n);
			if (!defined)
				return quai_error_set(l->err, QUAI_EXIT_USAGE,
				                      "%s:%u:%u: job '%s' needs '%s', which is not defined",
				                      job->file, job->line, job->col, job->name, need->job);
			return quai_error_set(
			    l->err, QUAI_EXIT_USAGE,
			    "job '%s' needs '%s', which is not in this pipeline (its rules exclude it); "
			    "mark the need optional: true if that is expected",
			    job->name, need->job);
		}
	}
	for (size_t i = 0; i < job->nneeds; i++)
		free(job->needs[i].job);
	free(job->needs);
	job->needs = out;
	job->nneeds = n;
	return 0;
}

int pl_resolve_dependencies(struct loader *l, struct quai_pipeline_job *job)
{
	struct quai_pipeline *p = l->p;
	if (!job->has_dependencies)
		return 0;
	struct quai_buf acc = QUAI_BUF_INIT;
	for (char **d = job->dependencies; *d; d++) {
		bool found = false;
		for (size_t k = 0; k < p->njobs; k++) {
			const struct quai_pipeline_job *o = &p->jobs[k];
			if (strcmp(o->name, *d) != 0 &&
			    !(strcmp(o->base, *d) == 0 && pl_job_index(p, *d) < 0))
				continue;
			if (o->stage_index >= job->stage_index && !job->has_needs) {
				quai_buf_release(&acc);
				return quai_error_set(
				    l->err, QUAI_EXIT_USAGE,
				    "%s:%u:%u: job '%s' depends on '%s', which is not in an earlier stage",
				    job->file, job->line, job->col, job->name, o->name);
			}
			found = true;
			if (o->created) {
				char *s = xstrdup(o->name);
				quai_buf_add(&acc, &s, sizeof(s));
			}
		}
		if (!found) {
			quai_buf_release(&acc);
			return quai_error_set(l->err, QUAI_EXIT_USAGE,
			                      "%s:%u:%u: job '%s' depends on '%s', which is not defined",
			                      job->file, job->line, job->col, job->name, *d);
		}
	}
	char *null = NULL;
	quai_buf_add(&acc, &null, sizeof(null));
	pl_strv_free(job->dependencies);
	job->dependencies = (char **)(void *)quai_buf_detach(&acc);
	return 0;
}

/* A cycle in needs (same-stage needs can form one). */
int pl_check_cycles(struct loader *l)
{
	struct quai_pipeline *p = l->p;
	unsigned char *state = xcalloc(p->njobs + 1, 1);
	size_t *stack = xcalloc(p->njobs + 1, sizeof(size_t));
	size_t *next = xcalloc(p->njobs + 1, sizeof(size_t));
	int rc = 0;
	for (size_t s = 0; s < p->njobs && rc == 0; s++) {
		if (state[s])
			continue;
		size_t top = 0;
		stack[top] = s;
		next[top] = 0;
		state[s] = 1;
		while (top != (size_t)-1 && rc == 0) {
			struct quai_pipeline_job *j = &p->jobs[stack[top]];
			if (next[top] < j->nneeds) {
				int k = pl_job_index(p, j->needs[next[top]++].job);
				if (k < 0)
					continue;
				if (state[k] == 1) {
					rc = quai_error_set(
					    l->err, QUAI_EXIT_USAGE,
					    "%s:%u:%u: needs form a cycle through '%s' and '%s'", j->file,
					    j->line, j->col, j->name, p->jobs[k].name);
				} else if (state[k] == 0) {
					state[k] = 1;
					top++;
					stack[top] = (size_t)k;
					next[top] = 0;
				}
			} else {
				state[stack[top]] = 2;
				top--;
			}
		}
	}
	free(state);
	free(stack);
	free(next);
	return rc;
}

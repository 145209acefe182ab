/* parallel: N and parallel:matrix, multiplied out into concrete jobs
 * named as GitLab names them ("job 2/3", "job: [aws, monitoring]"). */
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/xalloc.h"
#include "pipeline/internal.h"
#include "core/banned.h"

void pl_instances_free(struct pl_instance *inst, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(inst[i].name);
		quai_pipeline_vars_release(&inst[i].vars);
	}
	free(inst);
}

/* One matrix entry {A: [1, 2], B: x} multiplied out into inst. */
static int matrix_entry(struct loader *l, struct pl_instance **inst, size_t *n, size_t *cap, const char *base,
                        const struct quai_yaml_node *entry)
{
	if (entry->type != QUAI_YAML_MAP || entry->n == 0)
		return pl_fail(l, entry,
		               "parallel:matrix: each entry is a mapping of VARIABLE: value or [values]");
	size_t nk = entry->n;
	size_t *idx = xcalloc(nk, sizeof(size_t));
	int rc = 0;
	for (;;) {
		if (*n >= MAX_PARALLEL) {
			rc = pl_fail(l, entry, "parallel:matrix: more than %d jobs", MAX_PARALLEL);
			break;
		}
		struct pl_instance one = {0};
		struct quai_buf name = QUAI_BUF_INIT;
		quai_buf_printf(&name, "%s: [", base);
		for (size_t k = 0; k < nk && rc == 0; k++) {
			const struct quai_yaml_node *key = entry->pairs[k].key, *v = entry->pairs[k].value;
			const struct quai_yaml_node *item =
			    v->type == QUAI_YAML_SEQ ? (v->n ? v->items[idx[k]] : NULL) : v;
			const char *s = NULL;
			if (!item)
				rc = pl_fail(l, v, "parallel:matrix: an empty list of values");
			else if (!quai_yaml_str(key))
				rc = pl_fail(l, key, "parallel:matrix: variable names are strings");
			else if (pl_scalar(l, &s, item, "parallel:matrix") == 0) {
				char *num = pl_ruby_number(item); /* 3.10 is 3.1, as on GitLab */
				quai_pipeline_vars_add(&one.vars, key->str, num ? num : s);
				quai_buf_printf(&name, "%s%s", k ? ", " : "", num ? num : s);
				free(num);
			} else
				rc = -1;
		}
		quai_buf_putc(&name, ']');
		one.name = quai_buf_detach(&name);
		*inst = xgrow(*inst, cap, *n + 1, sizeof(**inst));
		(*inst)[(*n)++] = one;
		if (rc < 0)
			break;
		/* next combination, last key fastest */
		size_t k = nk;
		while (k-- > 0) {
			const struct quai_yaml_node *v = entry->pairs[k].value;
			size_t len = v->type == QUAI_YAML_SEQ ? v->n : 1;
			if (++idx[k] < len)
				break;
			idx[k] = 0;
		}
		if (k == (size_t)-1)
			break;
	}
	free(idx);
	return rc;
}

int pl_matrix(struct loader *l, struct pl_instance **out, size_t *n, const char *base,
              const struct quai_yaml_node *matrix)
{
	*out = NULL;
	*n = 0;
	if (!matrix || matrix->type != QUAI_YAML_SEQ || matrix->n == 0)
		return pl_fail(l, matrix, "parallel:matrix: expected a list of mappings");
	size_t cap = 0;
	for (size_t i = 0; i < matrix->n; i++)
		if (matrix_entry(l, out, n, &cap, base, matrix->items[i]) < 0) {
			pl_instances_free(*out, *n);
			*out = NULL;
			*n = 0;
			return -1;
		}
	for (size_t i = 0; i < *n; i++) {
		(*out)[i].index = (int)i + 1;
		(*out)[i].total = (int)*n;
	}
	return 0;
}

int pl_parallel(struct loader *l, struct pl_instance **out, size_t *n, const char *base,
                const struct quai_yaml_node *parallel)
{
	if (parallel->type == QUAI_YAML_MAP) {
		static const char *const keys[] = {"matrix", NULL};
		if (pl_keys_in(l, parallel, "parallel", keys) < 0)
			return -1;
		return pl_matrix(l, out, n, base, quai_yaml_get(parallel, "matrix"));
	}
	long long count = 0;
	if (pl_want_int(l, &count, parallel, "parallel", 1, MAX_PARALLEL) < 0)
		return -1;
	*out = xcalloc((size_t)count, sizeof(**out));
	*n = (size_t)count;
	for (long long i = 0; i < count; i++) {
		(*out)[i].name = count == 1 ? xstrdup(base) : xasprintf("%s %lld/%lld", base, i + 1, count);
		(*out)[i].index = (int)i + 1;
		(*out)[i].total = (int)count;
	}
	return 0;
}

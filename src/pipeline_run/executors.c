/* `executors:` in quai.yml: [{name, type: docker|shell, tags, docker_socket, privileged}]. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/cleanup.h"
#include "core/xalloc.h"
#include "pipeline_run/pipeline_run.h"
#include "yaml/yaml.h"
#include "core/banned.h"

static int get_bool(const struct quai_yaml_doc *doc, const struct quai_yaml_node *v, bool *out,
                    struct quai_error **err)
{
	if (quai_yaml_bool(v, out, QUAI_YAML_BOOL_12) < 0)
		return quai_yaml_fail(err, doc, v, "expected true or false");
	return 0;
}

static int parse_one(const struct quai_yaml_doc *doc, const struct quai_yaml_node *m,
                     struct quai_pipeline_run_executor *x, struct quai_error **err)
{
	if (m->type != QUAI_YAML_MAP)
		return quai_yaml_fail(
		    err, doc, m, "an executor is a mapping {name, type, tags, docker_socket, privileged}");
	bool typed = false;
	for (size_t i = 0; i < m->n; i++) {
		const char *k = quai_yaml_str(m->pairs[i].key);
		const struct quai_yaml_node *v = m->pairs[i].value;
		if (strcmp(k, "name") == 0 && v->type == QUAI_YAML_SCALAR) {
			free(x->name);
			x->name = xstrdup(v->str);
		} else if (strcmp(k, "type") == 0 && v->type == QUAI_YAML_SCALAR &&
		           (strcmp(v->str, "docker") == 0 || strcmp(v->str, "shell") == 0)) {
			x->type = strcmp(v->str, "docker") == 0 ? QUAI_EXECUTOR_DOCKER : QUAI_EXECUTOR_SHELL;
			typed = true;
		} else if (strcmp(k, "type") == 0) {
			return quai_yaml_fail(err, doc, v, "executor type is docker or shell");
		} else if (strcmp(k, "tags") == 0 && v->type == QUAI_YAML_SEQ) {
			x->tags = xcalloc(v->n + 1, sizeof(char *));
			for (size_t t = 0; t < v->n; t++) {
				if (v->items[t]->type != QUAI_YAML_SCALAR)
					return quai_yaml_fail(err, doc, v->items[t], "a tag is a string");
				x->tags[t] = xstrdup(v->items[t]->str);
			}
		} else if (strcmp(k, "docker_socket") == 0) {
			if (get_bool(doc, v, &x->docker_socket, err) < 0)
				return -1;
		} else if (strcmp(k, "memory") == 0 && v->type == QUAI_YAML_SCALAR) {
			char *end;
			long long n = strtoll(v->str, &end, 10);
			long long unit = 1;
			if (*end == 'k' || *end == 'K')
				unit = 1024;
			else if (*end == 'm' || *end == 'M')
				unit = 1024LL * 1024;
			else if (*end == 'g' || *end == 'G')
				unit = 1024LL * 1024 * 1024;
			if (unit > 1)
				end++;
			if (end == v->str || *end || n <= 0)
				return quai_yaml_fail(err, doc, v, "memory is a size like 512m or 2g");
			x->memory = n * unit;
		} else if (strcmp(k, "privileged") == 0) {
			if (get_bool(doc, v, &x->privileged, err) < 0)
				return -1;
		} else {
			return quai_yaml_fail(
			    err, doc, m->pairs[i].key,
			    "unknown or mistyped key '%.60s' in an executor (known: name, type, tags, "
			    "docker_socket, privileged, memory)",
			    k);
		}
	}
	if (!typed)
		return quai_yaml_fail(err, doc, m, "an executor needs type: docker or shell");
	if (!x->name)
		x->name = xstrdup(x->type == QUAI_EXECUTOR_DOCKER ? "docker" : "shell");
	return 0;
}

int quai_pipeline_run_executors_load(struct quai_pipeline_run_executor **out, size_t *n,
                                     const char *project_dir, struct quai_error **err)
{
	*out = NULL;
	*n = 0;
	cleanup_free char *path = xasprintf("%s/quai.yml", project_dir ? project_dir : ".");
	struct stat st;
	if (stat(path, &st) < 0)
		return 0;
	cleanup_yaml_doc struct quai_yaml_doc *doc = NULL;
	if (quai_yaml_load_file(&doc, path, err) < 0)
		return -1;
	if (!doc->root || doc->root->type != QUAI_YAML_MAP)
		return 0;
	const struct quai_yaml_node *ex = quai_yaml_get(doc->root, "executors");
	if (!ex || quai_yaml_is_null(ex))
		return 0;
	if (ex->type != QUAI_YAML_SEQ)
		return quai_yaml_fail(err, doc, ex,
		                      "executors is a list of {name, type, tags, docker_socket, privileged}");
	struct quai_pipeline_run_executor *x = xcalloc(ex->n + 1, sizeof(*x));
	for (size_t i = 0; i < ex->n; i++) {
		if (parse_one(doc, ex->items[i], &x[i], err) < 0) {
			quai_pipeline_run_executors_free(x, ex->n);
			return -1;
		}
	}
	*out = x;
	*n = ex->n;
	return 0;
}

void quai_pipeline_run_executors_free(struct quai_pipeline_run_executor *x, size_t n)
{
	for (size_t i = 0; x && i < n; i++) {
		free(x[i].name);
		for (size_t t = 0; x[i].tags && x[i].tags[t]; t++)
			free(x[i].tags[t]);
		free(x[i].tags);
	}
	free(x);
}

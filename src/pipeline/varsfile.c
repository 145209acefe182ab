/* Variables from outside the pipeline file: a variables file and
 * --variable K=V, the equivalent of GitLab's project variables. */
#include <ctype.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/xalloc.h"
#include "pipeline/pipeline.h"
#include "yaml/yaml.h"
#include "core/banned.h"

static bool valid_name(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return false;
	return true;
}

int quai_pipeline_vars_parse(struct quai_pipeline_vars *out, const char *text, struct quai_error **err)
{
	const char *eq = strchr(text, '=');
	if (!eq || !valid_name(text, (size_t)(eq - text)))
		return quai_error_set(err, QUAI_EXIT_USAGE,
		                      "variable '%s': expected NAME=VALUE (NAME: letters, digits, _)", text);
	char *k = xstrndup(text, (size_t)(eq - text));
	quai_pipeline_vars_add(out, k, eq + 1);
	free(k);
	return 0;
}

static int flag(const struct quai_yaml_doc *doc, const struct quai_yaml_node *m, const char *key, bool *out,
                struct quai_error **err)
{
	const struct quai_yaml_node *v = quai_yaml_get(m, key);
	if (!v)
		return 0;
	if (quai_yaml_bool(v, out, QUAI_YAML_BOOL_12) < 0)
		return quai_yaml_fail(err, doc, v, "%s: expected true or false", key);
	return 0;
}

int quai_pipeline_vars_load(struct quai_pipeline_vars *out, const char *path, struct quai_error **err)
{
	struct quai_yaml_doc *doc cleanup_yaml_doc = NULL;
	if (quai_yaml_load_file(&doc, path, err) < 0)
		return -1;
	const struct quai_yaml_node *root = doc->root;
	if (!root || quai_yaml_is_null(root))
		return 0;
	if (root->type != QUAI_YAML_MAP)
		return quai_yaml_fail(err, doc, root, "a variables file is a mapping of NAME: value");
	for (size_t i = 0; i < root->n; i++) {
		const struct quai_yaml_node *k = root->pairs[i].key, *v = root->pairs[i].value;
		const char *name = quai_yaml_str(k);
		if (!name || !valid_name(name, strlen(name)))
			return quai_yaml_fail(err, doc, k, "'%s' is not a variable name (letters, digits, _)",
			                      name ? name : "?");
		const char *value = NULL, *desc = NULL;
		bool masked = false, raw = false, file = false;
		if (v->type == QUAI_YAML_MAP) {
			for (size_t j = 0; j < v->n; j++) {
				const char *kk = quai_yaml_str(v->pairs[j].key);
				static const char *const known[] = {"value", "masked",      "raw",
				                                    "file",  "description", NULL};
				bool ok = false;
				for (const char *const *w = known; kk && *w; w++)
					ok |= strcmp(kk, *w) == 0;
				if (!ok)
					return quai_yaml_fail(
					    err, doc, v->pairs[j].key,
					    "unknown key '%s' (value, masked, raw, file, description)",
					    kk ? kk : "?");
			}
			value = quai_yaml_str(quai_yaml_get(v, "value"));
			desc = quai_yaml_str(quai_yaml_get(v, "description"));
			if (flag(doc, v, "masked", &masked, err) < 0 || flag(doc, v, "raw", &raw, err) < 0 ||
			    flag(doc, v, "file", &file, err) < 0)
				return -1;
			if (!value)
				return quai_yaml_fail(err, doc, v, "'%s': value is required", name);
		} else if (v->type == QUAI_YAML_SCALAR) {
			value = quai_yaml_is_null(v) ? "" : v->str;
		} else {
			return quai_yaml_fail(err, doc, v,
			                      "'%s': expected a string or a mapping with value:", name);
		}
		struct quai_pipeline_var *var = quai_pipeline_vars_add(out, name, value);
		var->masked = masked;
		var->raw = raw;
		var->file = file;
		var->description = desc ? xstrdup(desc) : NULL;
	}
	return 0;
}

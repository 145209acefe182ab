/* The spec loader: a container-structure-test file (schemaVersion 2.0.0)
 * with quai's httpTests and healthcheck, read with libyaml's document API so
 * that anchors and aliases resolve and every node keeps its line:col. Merge
 * keys (<<) are expanded here. Each mistake is an error
 * "file:line:col: what is wrong (what to do)". */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "core/buf.h"
#include "core/cleanup.h"
#include "core/file.h"
#include "core/xalloc.h"
#include "imagetest/imagetest.h"
#include "core/banned.h"

/* Values taken from the document at most: aliases can repeat a big list. */
#define VALUE_BUDGET            200000u
#define MERGE_DEPTH             16
#define DEFAULT_HTTP_TIMEOUT_MS 30000u
#define MAX_HTTP_TIMEOUT_MS     (24ull * 3600 * 1000)

struct loader {
	const char *file;
	yaml_document_t *doc;
	struct quai_error **err;
	size_t budget;
};

struct pair {
	yaml_node_t *key;
	yaml_node_t *value;
};

struct pairs {
	struct pair *v;
	size_t n;
	size_t cap;
};

static void pairs_releasep(struct pairs *ps)
{
	free(ps->v);
}

#define cleanup_pairs __attribute__((cleanup(pairs_releasep)))

static int fail(struct loader *l, const yaml_node_t *node, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct loader *l, const yaml_node_t *node, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cleanup_free char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	unsigned line = node ? (unsigned)node->start_mark.line + 1 : 1;
	unsigned col = node ? (unsigned)node->start_mark.column + 1 : 1;
	return quai_error_set(l->err, QUAI_EXIT_USAGE, "%s:%u:%u: %s", l->file, line, col, msg);
}

static yaml_node_t *get(struct loader *l, yaml_node_item_t idx)
{
	return yaml_document_get_node(l->doc, idx);
}

static const char *scalar(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

static bool is_null(const yaml_node_t *n)
{
	if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	const char *s = scalar(n);
	return s[0] == '\0' || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 || strcmp(s, "Null") == 0 ||
	       strcmp(s, "NULL") == 0;
}

static const char *type_name(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_MAPPING_NODE:
		return "a mapping";
	case YAML_SEQUENCE_NODE:
		return "a list";
	default:
		return "a scalar";
	}
}

static int take(struct loader *l, const yaml_node_t *n)
{
	if (l->budget == 0)
		return fail(l, n, "too many values (aliases repeat too much; write the values out)");
	l->budget--;
	return 0;
}

static bool key_is(const struct pair *p, const char *name)
{
	return strcmp(scalar(p->key), name) == 0;
}

static bool pairs_has(const struct pairs *ps, const char *name)
{
	for (size_t i = 0; i < ps->n; i++)
		if (key_is(&ps->v[i], name))
			return true;
	return false;
}

static void pairs_push(struct pairs *ps, yaml_node_t *k, yaml_node_t *v)
{
	ps->v = xgrow(ps->v, &ps->cap, ps->n + 1, sizeof(*ps->v));
	ps->v[ps->n].key = k;
	ps->v[ps->n].value = v;
	ps->n++;
}

static int collect(struct loader *l, yaml_node_t *map, struct pairs *ps, bool merged, int depth);

static int merge_from(struct loader *l, yaml_node_t *src, struct pairs *ps, int depth)
{
	if (src->type == YAML_MAPPING_NODE)
		return collect(l, src, ps, true, depth + 1);
	if (src->type == YAML_SEQUENCE_NODE) {
		for (yaml_node_item_t *it = src->data.sequence.items.start; it < src->data.sequence.items.top;
		     it++) {
			yaml_node_t *m = get(l, *it);
			if (!m || m->type != YAML_MAPPING_NODE)
				return fail(l, m ? m : src,
				            "a merge key takes mappings (use <<: *anchor of a mapping)");
			if (collect(l, m, ps, true, depth + 1) < 0)
				return -1;
		}
		return 0;
	}
	return fail(l, src,
	            "a merge key takes a mapping or a list of mappings (use <<: *anchor of a mapping)");
}

/* Appends the pairs of `map` to `ps`, merge keys expanded: keys written in
 * the mapping win over merged ones, earlier merged mappings over later. */
static int collect(struct loader *l, yaml_node_t *map, struct pairs *ps, bool merged, int depth)
{
	if (depth > MERGE_DEPTH)
		return fail(l, map, "merge keys nest too deep (flatten the anchors)");
	size_t first = ps->n;
	yaml_node_pair_t *start = map->data.mapping.pairs.start, *top = map->data.mapping.pairs.top;
	for (yaml_node_pair_t *p = start; p < top; p++) {
		yaml_node_t *k = get(l, p->key), *v = get(l, p->value);
		if (!k || !v)
			return fail(l, map, "broken mapping");
		if (take(l, k) < 0)
			return -1;
		if (k->type != YAML_SCALAR_NODE)
			return fail(l, k, "a key must be a plain string, not %s", type_name(k));
		if (strcmp(scalar(k), "<<") == 0 && k->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
			continue;
		bool dup = false;
		for (size_t i = first; i < ps->n; i++)
			if (key_is(&ps->v[i], scalar(k)))
				dup = true;
		if (dup && !merged)
			return fail(l, k, "duplicate key '%s' (keep one)", scalar(k));
		if (!dup && !(merged && pairs_has(ps, scalar(k))))
			pairs_push(ps, k, v);
	}
	for (yaml_node_pair_t *p = start; p < top; p++) {
		yaml_node_t *k = get(l, p->key);
		if (strcmp(scalar(k), "<<") != 0 || k->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
			continue;
		if (merge_from(l, get(l, p->value), ps, depth) < 0)
			return -1;
	}
	return 0;
}

/* The pairs of a mapping, each key checked against `known` (NULL-ended). */
static int mapping_ext(struct loader *l, yaml_node_t *n, const char *what, const char *const *known,
                       struct pairs *ps, bool extensions)
{
	if (n->type != YAML_MAPPING_NODE)
		return fail(l, n, "%s must be a mapping, not %s", what, type_name(n));
	if (collect(l, n, ps, false, 0) < 0)
		return -1;
	for (size_t i = 0; i < ps->n; i++) {
		bool ok = extensions && strncmp(scalar(ps->v[i].key), "x-", 2) == 0;
		for (const char *const *k = known; *k; k++)
			if (key_is(&ps->v[i], *k))
				ok = true;
		if (ok)
			continue;
		cleanup_buf struct quai_buf list = QUAI_BUF_INIT;
		for (const char *const *k = known; *k; k++)
			quai_buf_printf(&list, "%s%s", k == known ? "" : ", ", *k);
		return fail(l, ps->v[i].key, "unknown key '%s' in %s (expected one of: %s)",
		            scalar(ps->v[i].key), what, quai_buf_str(&list));
	}
	return 0;
}

static int mapping(struct loader *l, yaml_node_t *n, const char *what, const char *const *known,
                   struct pairs *ps)
{
	return mapping_ext(l, n, what, known, ps, false);
}

static int get_string(struct loader *l, yaml_node_t *n, const char *key, char **out)
{
	if (n->type != YAML_SCALAR_NODE)
		return fail(l, n, "'%s' must be a string, not %s", key, type_name(n));
	if (take(l, n) < 0)
		return -1;
	if (strlen(scalar(n)) != n->data.scalar.length)
		return fail(l, n, "'%s' contains a NUL character (remove it)", key);
	free(*out);
	*out = is_null(n) ? NULL : xstrndup(scalar(n), n->data.scalar.length);
	return 0;
}

static int get_bool(struct loader *l, yaml_node_t *n, const char *key, bool *out)
{
	static const char *const yes[] = {"true", "True", "TRUE", "yes", "Yes",
	                                  "YES",  "on",   "On",   "ON",  NULL};
	static const char *const no[] = {"false", "False", "FALSE", "no",  "No",
	                                 "NO",    "off",   "Off",   "OFF", NULL};
	if (n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
		for (const char *const *s = yes; *s; s++)
			if (strcmp(scalar(n), *s) == 0)
				return *out = true, 0;
		for (const char *const *s = no; *s; s++)
			if (strcmp(scalar(n), *s) == 0)
				return *out = false, 0;
	}
	return fail(l, n, "'%s' must be true or false", key);
}

static int get_int(struct loader *l, yaml_node_t *n, const char *key, long long min, long long max,
                   long long *out)
{
	if (n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && scalar(n)[0]) {
		char *end = NULL;
		errno = 0;
		long long v = strtoll(scalar(n), &end, 10);
		if (errno == 0 && *end == '\0' && v >= min && v <= max)
			return *out = v, 0;
	}
	return fail(l, n, "'%s' must be a whole number from %lld to %lld", key, min, max);
}

static void strv_push(struct quai_imagetest_strv *sv, char *s)
{
	size_t cap = sv->n;
	sv->v = xgrow(sv->v, &cap, sv->n + 1, sizeof(*sv->v));
	sv->v[sv->n++] = s;
}

static void strv_release(struct quai_imagetest_strv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = 0;
}

static int get_strv(struct loader *l, yaml_node_t *n, const char *key, struct quai_imagetest_strv *out)
{
	strv_release(out);
	if (is_null(n))
		return 0;
	if (n->type != YAML_SEQUENCE_NODE)
		return fail(l, n, "'%s' must be a list of strings, not %s", key, type_name(n));
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *item = get(l, *it);
		char *s = NULL;
		if (!item)
			return fail(l, n, "broken list");
		if (item->type == YAML_SCALAR_NODE && is_null(item)) {
			strv_push(out, xstrdup(""));
			continue;
		}
		if (get_string(l, item, key, &s) < 0)
			return -1;
		strv_push(out, s);
	}
	return 0;
}

/* A list of regular expressions: each must compile. */
static int check_regex(struct loader *l, yaml_node_t *n, const char *pattern)
{
	struct quai_error *rerr = NULL;
	struct quai_regex *re = NULL;
	if (quai_regex_compile(&re, pattern, &rerr) == 0) {
		quai_regex_free(re);
		return 0;
	}
	int rc = fail(l, n, "%s (write it in RE2 syntax)", rerr->msg);
	quai_error_free(rerr);
	return rc;
}

static int get_regexes(struct loader *l, yaml_node_t *n, const char *key, struct quai_imagetest_strv *out)
{
	if (get_strv(l, n, key, out) < 0)
		return -1;
	if (n->type != YAML_SEQUENCE_NODE)
		return 0;
	for (size_t i = 0; i < out->n; i++)
		if (check_regex(l, get(l, n->data.sequence.items.start[i]), out->v[i]) < 0)
			return -1;
	return 0;
}

static int get_commands(struct loader *l, yaml_node_t *n, const char *key, struct quai_imagetest_strv **out,
                        size_t *nout)
{
	if (is_null(n))
		return 0;
	if (n->type != YAML_SEQUENCE_NODE)
		return fail(l, n, "'%s' must be a list of commands, each a list like [\"touch\", \"/tmp/x\"]",
		            key);
	size_t cap = 0;
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *item = get(l, *it);
		if (!item || item->type != YAML_SEQUENCE_NODE)
			return fail(l, item ? item : n,
			            "each '%s' command must be a list like [\"touch\", \"/tmp/x\"]", key);
		*out = xgrow(*out, &cap, *nout + 1, sizeof(**out));
		memset(&(*out)[*nout], 0, sizeof(**out));
		(*nout)++;
		if (get_strv(l, item, key, &(*out)[*nout - 1]) < 0)
			return -1;
		if ((*out)[*nout - 1].n == 0)
			return fail(l, item, "empty '%s' command (remove it or give the program to run)",
			            key);
	}
	return 0;
}

static void kvs_release(struct quai_imagetest_kvs *kvs)
{
	for (size_t i = 0; i < kvs->n; i++) {
		free(kvs->v[i].key);
		free(kvs->v[i].value);
	}
	free(kvs->v);
	kvs->v = NULL;
	kvs->n = 0;
}

/* A list of {key, value[, isRegex]} mappings. */
static int get_kvs(struct loader *l, yaml_node_t *n, const char *key, bool regex_allowed, bool value_required,
                   struct quai_imagetest_kvs *out)
{
	static const char *const plain[] = {"key", "value", NULL};
	static const char *const with_regex[] = {"key", "value", "isRegex", NULL};
	kvs_release(out);
	if (is_null(n))
		return 0;
	if (n->type != YAML_SEQUENCE_NODE)
		return fail(l, n, "'%s' must be a list of {key, value} mappings, not %s", key, type_name(n));
	size_t cap = 0;
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *item = get(l, *it);
		cleanup_pairs struct pairs ps = {0};
		if (!item)
			return fail(l, n, "broken list");
		int rc = mapping(l, item, key, regex_allowed ? with_regex : plain, &ps);
		if (rc < 0)
			return -1;
		out->v = xgrow(out->v, &cap, out->n + 1, sizeof(*out->v));
		struct quai_imagetest_kv *kv = &out->v[out->n++];
		memset(kv, 0, sizeof(*kv));
		yaml_node_t *value_node = item;
		for (size_t i = 0; i < ps.n; i++) {
			struct pair *p = &ps.v[i];
			if (key_is(p, "key"))
				rc = get_string(l, p->value, "key", &kv->key);
			else if (key_is(p, "value"))
				rc = get_string(l, p->value, "value", &kv->value), value_node = p->value;
			else
				rc = get_bool(l, p->value, "isRegex", &kv->is_regex);
			if (rc < 0)
				return -1;
		}
		if (!kv->key || !kv->key[0])
			return fail(l, item, "'%s' entry without a key (add key: NAME)", key);
		if (!kv->value && value_required)
			return fail(l, item, "'%s' entry '%s' without a value (add value: ...)", key,
			            kv->key);
		if (!kv->value)
			kv->value = xstrdup("");
		if (kv->is_regex && check_regex(l, value_node, kv->value) < 0)
			return -1;
	}
	return 0;
}

/* Go's time.ParseDuration units, or a plain number of seconds. */
static int parse_duration(const char *s, uint64_t *out_ms)
{
	double total = 0;
	const char *p = s;
	if (!*p)
		return -1;
	char *end = NULL;
	double plain = strtod(p, &end);
	if (end != p && *end == '\0') {
		total = plain * 1000.0;
	} else {
		while (*p) {
			if (!((*p >= '0' && *p <= '9') || *p == '.'))
				return -1;
			double v = strtod(p, &end);
			if (end == p)
				return -1;
			p = end;
			static const struct {
				const char *unit;
				double ms;
			} units[] = {{"ns", 1e-6}, {"us", 1e-3}, {"µs", 1e-3},  {"ms", 1},
			             {"s", 1000},  {"m", 60000}, {"h", 3600000}};
			size_t best = 0, best_len = 0;
			for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
				size_t ul = strlen(units[i].unit);
				if (strncmp(p, units[i].unit, ul) == 0 && ul > best_len)
					best = i, best_len = ul;
			}
			if (!best_len)
				return -1;
			total += v * units[best].ms;
			p += best_len;
		}
	}
	if (!(total >= 1) || total > (double)MAX_HTTP_TIMEOUT_MS)
		return -1;
	*out_ms = (uint64_t)total;
	return 0;
}

static int require(struct loader *l, yaml_node_t *n, const char *what, const char *key, const char *value)
{
	if (value && value[0])
		return 0;
	return fail(l, n, "%s without '%s' (add %s: ...)", what, key, key);
}

static struct quai_imagetest_pos pos_of(const yaml_node_t *n)
{
	struct quai_imagetest_pos p = {(unsigned)n->start_mark.line + 1, (unsigned)n->start_mark.column + 1};
	return p;
}

static int load_command(struct loader *l, yaml_node_t *n, struct quai_imagetest_command *t)
{
	static const char *const known[] = {
	    "name",           "command",        "args",          "setup",         "teardown", "envVars",
	    "expectedOutput", "excludedOutput", "expectedError", "excludedError", "exitCode", NULL};
	cleanup_pairs struct pairs ps = {0};
	t->pos = pos_of(n);
	int rc = mapping(l, n, "a commandTest", known, &ps);
	for (size_t i = 0; rc == 0 && i < ps.n; i++) {
		struct pair *p = &ps.v[i];
		const char *k = scalar(p->key);
		long long v = 0;
		if (key_is(p, "name"))
			rc = get_string(l, p->value, k, &t->name);
		else if (key_is(p, "command"))
			rc = get_string(l, p->value, k, &t->command);
		else if (key_is(p, "args"))
			rc = get_strv(l, p->value, k, &t->args);
		else if (key_is(p, "setup"))
			rc = get_commands(l, p->value, k, &t->setup, &t->nsetup);
		else if (key_is(p, "teardown"))
			rc = get_commands(l, p->value, k, &t->teardown, &t->nteardown);
		else if (key_is(p, "envVars"))
			rc = get_kvs(l, p->value, k, false, true, &t->env_vars);
		else if (key_is(p, "expectedOutput"))
			rc = get_regexes(l, p->value, k, &t->expected_output);
		else if (key_is(p, "excludedOutput"))
			rc = get_regexes(l, p->value, k, &t->excluded_output);
		else if (key_is(p, "expectedError"))
			rc = get_regexes(l, p->value, k, &t->expected_error);
		else if (key_is(p, "excludedError"))
			rc = get_regexes(l, p->value, k, &t->excluded_error);
		else if ((rc = get_int(l, p->value, k, -255, 255, &v)) == 0)
			t->exit_code = (int)v;
	}
	if (rc < 0)
		return -1;
	if (require(l, n, "commandTest", "name", t->name) < 0)
		return -1;
	return require(l, n, "commandTest", "command", t->command);
}

static int load_file_existence(struct loader *l, yaml_node_t *n, struct quai_imagetest_file_existence *t)
{
	static const char *const known[] = {"name", "path", "shouldExist",    "permissions",
	                                    "uid",  "gid",  "isExecutableBy", NULL};
	cleanup_pairs struct pairs ps = {0};
	t->pos = pos_of(n);
	t->should_exist = true;
	t->uid = t->gid = -1;
	int rc = mapping(l, n, "a fileExistenceTest", known, &ps);
	for (size_t i = 0; rc == 0 && i < ps.n; i++) {
		struct pair *p = &ps.v[i];
		const char *k = scalar(p->key);
		if (key_is(p, "name"))
			rc = get_string(l, p->value, k, &t->name);
		else if (key_is(p, "path"))
			rc = get_string(l, p->value, k, &t->path);
		else if (key_is(p, "shouldExist"))
			rc = get_bool(l, p->value, k, &t->should_exist);
		else if (key_is(p, "permissions")) {
			rc = get_string(l, p->value, k, &t->permissions);
			if (rc == 0 && t->permissions && strlen(t->permissions) < 10)
				rc = fail(l, p->value,
				          "'permissions' must look like \"-rwxr-xr-x\" or \"drwxr-xr-x\"");
		} else if (key_is(p, "uid"))
			rc = get_int(l, p->value, k, -1, 4294967295LL, &t->uid);
		else if (key_is(p, "gid"))
			rc = get_int(l, p->value, k, -1, 4294967295LL, &t->gid);
		else {
			cleanup_free char *by = NULL;
			rc = get_string(l, p->value, k, &by);
			if (rc < 0 || !by)
				continue;
			if (strcmp(by, "owner") == 0)
				t->executable_by = QUAI_EXEC_BY_OWNER;
			else if (strcmp(by, "group") == 0)
				t->executable_by = QUAI_EXEC_BY_GROUP;
			else if (strcmp(by, "other") == 0)
				t->executable_by = QUAI_EXEC_BY_OTHER;
			else if (strcmp(by, "any") == 0)
				t->executable_by = QUAI_EXEC_BY_ANY;
			else
				rc = fail(l, p->value,
				          "'isExecutableBy' is '%s' (use owner, group, other or any)", by);
		}
	}
	if (rc < 0)
		return -1;
	if (require(l, n, "fileExistenceTest", "name", t->name) < 0)
		return -1;
	return require(l, n, "fileExistenceTest", "path", t->path);
}

static int load_file_content(struct loader *l, yaml_node_t *n, struct quai_imagetest_file_content *t)
{
	static const char *const known[] = {"name", "path", "expectedContents", "excludedContents", NULL};
	cleanup_pairs struct pairs ps = {0};
	t->pos = pos_of(n);
	int rc = mapping(l, n, "a fileContentTest", known, &ps);
	for (size_t i = 0; rc == 0 && i < ps.n; i++) {
		struct pair *p = &ps.v[i];
		const char *k = scalar(p->key);
		if (key_is(p, "name"))
			rc = get_string(l, p->value, k, &t->name);
		else if (key_is(p, "path"))
			rc = get_string(l, p->value, k, &t->path);
		else if (key_is(p, "expectedContents"))
			rc = get_regexes(l, p->value, k, &t->expected_contents);
		else
			rc = get_regexes(l, p->value, k, &t->excluded_contents);
	}
	if (rc < 0)
		return -1;
	if (require(l, n, "fileContentTest", "name", t->name) < 0)
		return -1;
	return require(l, n, "fileContentTest", "path", t->path);
}

static int load_metadata(struct loader *l, yaml_node_t *n, struct quai_imagetest_metadata *t)
{
	static const char *const known[] = {
	    "env",     "envVars",          "labels",  "entrypoint", "cmd", "exposedPorts", "unexposedPorts",
	    "volumes", "unmountedVolumes", "workdir", "user",       NULL};
	cleanup_pairs struct pairs ps = {0};
	t->present = true;
	t->pos = pos_of(n);
	if (is_null(n))
		return 0;
	int rc = mapping(l, n, "metadataTest", known, &ps);
	for (size_t i = 0; rc == 0 && i < ps.n; i++) {
		struct pair *p = &ps.v[i];
		const char *k = scalar(p->key);
		if (key_is(p, "env") || key_is(p, "envVars"))
			rc = get_kvs(l, p->value, k, true, false, &t->env_vars);
		else if (key_is(p, "labels"))
			rc = get_kvs(l, p->value, k, true, false, &t->labels);
		else if (key_is(p, "entrypoint")) {
			rc = get_strv(l, p->value, k, &t->entrypoint);
			t->has_entrypoint = !is_null(p->value);
		} else if (key_is(p, "cmd")) {
			rc = get_strv(l, p->value, k, &t->cmd);
			t->has_cmd = !is_null(p->value);
		} else if (key_is(p, "exposedPorts"))
			rc = get_strv(l, p->value, k, &t->exposed_ports);
		else if (key_is(p, "unexposedPorts"))
			rc = get_strv(l, p->value, k, &t->unexposed_ports);
		else if (key_is(p, "volumes"))
			rc = get_strv(l, p->value, k, &t->volumes);
		else if (key_is(p, "unmountedVolumes"))
			rc = get_strv(l, p->value, k, &t->unmounted_volumes);
		else if (key_is(p, "workdir"))
			rc = get_string(l, p->value, k, &t->workdir);
		else
			rc = get_string(l, p->value, k, &t->user);
	}
	return rc;
}

/* A mapping of header name to value (headers) or regex (expectedHeaders). */
static int get_header_map(struct loader *l, yaml_node_t *n, const char *key, bool regex,
                          struct quai_imagetest_kvs *out)
{
	if (is_null(n))
		return 0;
	if (n->type != YAML_MAPPING_NODE)
		return fail(l, n, "'%s' must be a mapping of header name to %s", key,
		            regex ? "regex" : "value");
	cleanup_pairs struct pairs ps = {0};
	int rc = collect(l, n, &ps, false, 0);
	size_t cap = 0;
	for (size_t i = 0; rc == 0 && i < ps.n; i++) {
		out->v = xgrow(out->v, &cap, out->n + 1, sizeof(*out->v));
		struct quai_imagetest_kv *kv = &out->v[out->n++];
		memset(kv, 0, sizeof(*kv));
		kv->key = xstrdup(scalar(ps.v[i].key));
		kv->is_regex = regex;
		rc = get_string(l, ps.v[i].value, kv->key, &kv->value);
		if (rc == 0 && !kv->value)
			kv->value = xstrdup("");
		if (rc == 0 && regex)
			rc = check_regex(l, ps.v[i].value, kv->value);
	}
	return rc;
}

static int load_http(struct loader *l, yaml_node_t *n, struct quai_imagetest_http *t)
{
	static const char *const known[] = {
	    "name",           "port",         "method",          "path",    "headers", "body",
	    "expectedStatus", "expectedBody", "expectedHeaders", "timeout", NULL};
	cleanup_pairs struct pairs ps = {0};
	t->pos = pos_of(n);
	t->expected_status = 200;
	t->timeout_ms = DEFAULT_HTTP_TIMEOUT_MS;
	int rc = mapping(l, n, "an httpTest", known, &ps);
	for (size_t i = 0; rc == 0 && i < ps.n; i++) {
		struct pair *p = &ps.v[i];
		const char *k = scalar(p->key);
		long long v = 0;
		if (key_is(p, "name"))
			rc = get_string(l, p->value, k, &t->name);
		else if (key_is(p, "port")) {
			if ((rc = get_int(l, p->value, k, 1, 65535, &v)) == 0)
				t->port = (int)v;
		} else if (key_is(p, "method"))
			rc = get_string(l, p->value, k, &t->method);
		else if (key_is(p, "path")) {
			rc = get_string(l, p->value, k, &t->path);
			if (rc == 0 && t->path && t->path[0] != '/')
				rc = fail(l, p->value, "'path' must start with / (like /health)");
		} else if (key_is(p, "headers"))
			rc = get_header_map(l, p->value, k, false, &t->headers);
		else if (key_is(p, "body"))
			rc = get_string(l, p->value, k, &t->body);
		else if (key_is(p, "expectedStatus")) {
			if ((rc = get_int(l, p->value, k, 100, 599, &v)) == 0)
				t->expected_status = (int)v;
		} else if (key_is(p, "expectedBody")) {
			rc = get_string(l, p->value, k, &t->expected_body);
			if (rc == 0 && t->expected_body)
				rc = check_regex(l, p->value, t->expected_body);
		} else if (key_is(p, "expectedHeaders"))
			rc = get_header_map(l, p->value, k, true, &t->expected_headers);
		else {
			cleanup_free char *d = NULL;
			rc = get_string(l, p->value, k, &d);
			if (rc == 0 && (!d || parse_duration(d, &t->timeout_ms) < 0))
				rc = fail(l, p->value,
				          "'timeout' must be a duration like 30s, 500ms or 2m (at least 1ms, "
				          "at most 24h)");
		}
	}
	if (rc < 0)
		return -1;
	if (!t->method)
		t->method = xstrdup("GET");
	for (char *c = t->method; *c; c++)
		if (!((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || *c == '-'))
			return fail(l, n, "'method' '%s' is not an HTTP method (like GET or POST)",
			            t->method);
	if (!t->path)
		t->path = xstrdup("/");
	return require(l, n, "httpTest", "name", t->name);
}

/* Each bindMounts entry is HOST:CONTAINER[:OPTIONS] with a host path. */
static int check_binds(struct loader *l, yaml_node_t *n, const struct quai_imagetest_strv *binds)
{
	for (size_t i = 0; i < binds->n; i++) {
		const char *why = NULL;
		if (!quai_imagetest_bind_valid(binds->v[i], &why)) {
			yaml_node_t *item = get(l, n->data.sequence.items.start[i]);
			return fail(l, item ? item : n, "bindMounts '%s': %s", binds->v[i], why);
		}
	}
	return 0;
}

static int load_run_options(struct loader *l, yaml_node_t *n, struct quai_imagetest_run_options *o)
{
	static const char *const known[] = {"user",    "privileged",   "allocateTty", "envVars",
	                                    "envFile", "capabilities", "bindMounts",  NULL};
	cleanup_pairs struct pairs ps = {0};
	if (is_null(n))
		return 0;
	int rc = mapping(l, n, "containerRunOptions", known, &ps);
	for (size_t i = 0; rc == 0 && i < ps.n; i++) {
		struct pair *p = &ps.v[i];
		const char *k = scalar(p->key);
		if (key_is(p, "user"))
			rc = get_string(l, p->value, k, &o->user);
		else if (key_is(p, "privileged"))
			rc = get_bool(l, p->value, k, &o->privileged);
		else if (key_is(p, "allocateTty"))
			rc = get_bool(l, p->value, k, &o->allocate_tty);
		else if (key_is(p, "envVars"))
			rc = get_strv(l, p->value, k, &o->env_vars);
		else if (key_is(p, "envFile"))
			rc = get_string(l, p->value, k, &o->env_file);
		else if (key_is(p, "capabilities"))
			rc = get_strv(l, p->value, k, &o->capabilities);
		else if ((rc = get_strv(l, p->value, k, &o->bind_mounts)) == 0)
			rc = check_binds(l, p->value, &o->bind_mounts);
	}
	return rc;
}

/* Calls `one` for each item of the list `n`, into a grown array. */
#define LOAD_LIST(l, n, key, arr, count, one)                                                                \
	do {                                                                                                 \
		if (is_null(n))                                                                              \
			break;                                                                               \
		if ((n)->type != YAML_SEQUENCE_NODE)                                                         \
			return fail(l, n, "'%s' must be a list of tests, not %s", key, type_name(n));        \
		size_t cap_ = 0;                                                                             \
		for (yaml_node_item_t *it_ = (n)->data.sequence.items.start;                                 \
		     it_ < (n)->data.sequence.items.top; it_++) {                                            \
			yaml_node_t *item_ = get(l, *it_);                                                   \
			(arr) = xgrow((arr), &cap_, (count) + 1, sizeof(*(arr)));                            \
			memset(&(arr)[count], 0, sizeof(*(arr)));                                            \
			(count)++;                                                                           \
			if (!item_ || one(l, item_, &(arr)[(count)-1]) < 0)                                  \
				return -1;                                                                   \
		}                                                                                            \
	} while (0)

static int load_root(struct loader *l, yaml_node_t *root, struct quai_imagetest_spec *spec)
{
	static const char *const known[] = {"schemaVersion",
	                                    "globalEnvVars",
	                                    "commandTests",
	                                    "fileExistenceTests",
	                                    "fileContentTests",
	                                    "metadataTest",
	                                    "licenseTests",
	                                    "containerRunOptions",
	                                    "httpTests",
	                                    "healthcheck",
	                                    NULL};
	cleanup_pairs struct pairs ps = {0};
	int rc = mapping_ext(l, root, "the test file", known, &ps, true);
	if (rc < 0)
		return -1;
	yaml_node_t *version = NULL;
	for (size_t i = 0; i < ps.n; i++)
		if (key_is(&ps.v[i], "schemaVersion"))
			version = ps.v[i].value;
	if (!version)
		return fail(l, root, "no schemaVersion (add schemaVersion: \"2.0.0\" at the top)");
	if (get_string(l, version, "schemaVersion", &spec->schema_version) < 0)
		return -1;
	if (!spec->schema_version || strcmp(spec->schema_version, "2.0.0") != 0)
		return fail(l, version, "unsupported schemaVersion '%s' (quai reads \"2.0.0\")",
		            spec->schema_version ? spec->schema_version : "");
	for (size_t i = 0; i < ps.n; i++) {
		struct pair *p = &ps.v[i];
		yaml_node_t *v = p->value;
		const char *k = scalar(p->key);
		if (key_is(p, "globalEnvVars")) {
			if (get_kvs(l, v, k, false, false, &spec->global_env_vars) < 0)
				return -1;
		} else if (key_is(p, "commandTests")) {
			LOAD_LIST(l, v, k, spec->commands, spec->ncommands, load_command);
		} else if (key_is(p, "fileExistenceTests")) {
			LOAD_LIST(l, v, k, spec->file_existence, spec->nfile_existence, load_file_existence);
		} else if (key_is(p, "fileContentTests")) {
			LOAD_LIST(l, v, k, spec->file_content, spec->nfile_content, load_file_content);
		} else if (key_is(p, "httpTests")) {
			LOAD_LIST(l, v, k, spec->http, spec->nhttp, load_http);
		} else if (key_is(p, "metadataTest")) {
			if (load_metadata(l, v, &spec->metadata) < 0)
				return -1;
		} else if (key_is(p, "containerRunOptions")) {
			if (load_run_options(l, v, &spec->run_options) < 0)
				return -1;
		} else if (key_is(p, "healthcheck")) {
			if (get_bool(l, v, k, &spec->healthcheck) < 0)
				return -1;
		} else if (key_is(p, "licenseTests")) {
			if (!is_null(v) && !(v->type == YAML_SEQUENCE_NODE &&
			                     v->data.sequence.items.top == v->data.sequence.items.start))
				return fail(l, p->key,
				            "licenseTests are not supported by quai (remove them)");
		}
	}
	return 0;
}

void quai_imagetest_spec_init(struct quai_imagetest_spec *spec)
{
	memset(spec, 0, sizeof(*spec));
}

void quai_imagetest_spec_release(struct quai_imagetest_spec *spec)
{
	free(spec->file);
	free(spec->schema_version);
	kvs_release(&spec->global_env_vars);
	for (size_t i = 0; i < spec->ncommands; i++) {
		struct quai_imagetest_command *t = &spec->commands[i];
		free(t->name);
		free(t->command);
		strv_release(&t->args);
		for (size_t j = 0; j < t->nsetup; j++)
			strv_release(&t->setup[j]);
		free(t->setup);
		for (size_t j = 0; j < t->nteardown; j++)
			strv_release(&t->teardown[j]);
		free(t->teardown);
		kvs_release(&t->env_vars);
		strv_release(&t->expected_output);
		strv_release(&t->excluded_output);
		strv_release(&t->expected_error);
		strv_release(&t->excluded_error);
	}
	free(spec->commands);
	for (size_t i = 0; i < spec->nfile_existence; i++) {
		free(spec->file_existence[i].name);
		free(spec->file_existence[i].path);
		free(spec->file_existence[i].permissions);
	}
	free(spec->file_existence);
	for (size_t i = 0; i < spec->nfile_content; i++) {
		free(spec->file_content[i].name);
		free(spec->file_content[i].path);
		strv_release(&spec->file_content[i].expected_contents);
		strv_release(&spec->file_content[i].excluded_contents);
	}
	free(spec->file_content);
	struct quai_imagetest_metadata *m = &spec->metadata;
	kvs_release(&m->env_vars);
	kvs_release(&m->labels);
	strv_release(&m->entrypoint);
	strv_release(&m->cmd);
	strv_release(&m->exposed_ports);
	strv_release(&m->unexposed_ports);
	strv_release(&m->volumes);
	strv_release(&m->unmounted_volumes);
	free(m->workdir);
	free(m->user);
	for (size_t i = 0; i < spec->nhttp; i++) {
		struct quai_imagetest_http *h = &spec->http[i];
		free(h->name);
		free(h->method);
		free(h->path);
		kvs_release(&h->headers);
		free(h->body);
		free(h->expected_body);
		kvs_release(&h->expected_headers);
	}
	free(spec->http);
	struct quai_imagetest_run_options *o = &spec->run_options;
	free(o->user);
	strv_release(&o->env_vars);
	free(o->env_file);
	strv_release(&o->capabilities);
	strv_release(&o->bind_mounts);
	memset(spec, 0, sizeof(*spec));
}

static int syntax_error(struct loader *l, const yaml_parser_t *parser)
{
	const yaml_mark_t *m = parser->problem ? &parser->problem_mark : &parser->mark;
	cleanup_buf struct quai_buf what = QUAI_BUF_INIT;
	quai_buf_puts(&what, parser->problem ? parser->problem : "cannot be read");
	if (parser->context)
		quai_buf_printf(&what, " %s", parser->context);
	return quai_error_set(l->err, QUAI_EXIT_USAGE,
	                      "%s:%zu:%zu: YAML syntax error: %s (fix the YAML syntax)", l->file, m->line + 1,
	                      m->column + 1, quai_buf_str(&what));
}

static void cleanup_parserp(yaml_parser_t *p)
{
	yaml_parser_delete(p);
}

static int load_document(struct loader *l, yaml_parser_t *parser, struct quai_imagetest_spec *spec)
{
	yaml_document_t doc, extra;
	if (!yaml_parser_load(parser, &doc))
		return syntax_error(l, parser);
	l->doc = &doc;
	yaml_node_t *root = yaml_document_get_root_node(&doc);
	int rc = 0;
	if (!root)
		rc = quai_error_set(l->err, QUAI_EXIT_USAGE,
		                    "%s:1:1: the test file is empty (start it with schemaVersion: \"2.0.0\")",
		                    l->file);
	else
		rc = load_root(l, root, spec);
	yaml_document_delete(&doc);
	l->doc = NULL;
	if (rc < 0)
		return -1;
	if (!yaml_parser_load(parser, &extra))
		return syntax_error(l, parser);
	yaml_node_t *more = yaml_document_get_root_node(&extra);
	if (more)
		rc = quai_error_set(l->err, QUAI_EXIT_USAGE,
		                    "%s:%zu:%zu: a second YAML document (keep all tests in one document)",
		                    l->file, more->start_mark.line + 1, more->start_mark.column + 1);
	yaml_document_delete(&extra);
	return rc;
}

int quai_imagetest_spec_load_string(struct quai_imagetest_spec *spec, const char *file, const char *text,
                                    size_t len, struct quai_error **err)
{
	quai_imagetest_spec_init(spec);
	struct loader l = {.file = file, .err = err, .budget = VALUE_BUDGET};
	if (len > QUAI_IMAGETEST_SPEC_MAX_BYTES)
		return quai_error_set(err, QUAI_EXIT_USAGE, "'%s' is larger than %u bytes (split the tests)",
		                      file, QUAI_IMAGETEST_SPEC_MAX_BYTES);
	const char *nul = memchr(text, '\0', len);
	if (nul) {
		unsigned line = 1, col = 1;
		for (const char *c = text; c < nul; c++)
			if (*c == '\n')
				line++, col = 1;
			else
				col++;
		return quai_error_set(err, QUAI_EXIT_USAGE,
		                      "%s:%u:%u: a NUL byte (the test file must be text)", file, line, col);
	}
	__attribute__((cleanup(cleanup_parserp))) yaml_parser_t parser;
	if (!yaml_parser_initialize(&parser))
		abort();
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (load_document(&l, &parser, spec) < 0) {
		quai_imagetest_spec_release(spec);
		return -1;
	}
	spec->file = xstrdup(file);
	return 0;
}

int quai_imagetest_spec_load(struct quai_imagetest_spec *spec, const char *path, struct quai_error **err)
{
	cleanup_free char *text = NULL;
	size_t len = 0;
	quai_imagetest_spec_init(spec);
	if (quai_file_read(&text, &len, path, QUAI_IMAGETEST_SPEC_MAX_BYTES, err) < 0)
		return quai_error_wrap(err, "test spec");
	return quai_imagetest_spec_load_string(spec, path, text, len, err);
}

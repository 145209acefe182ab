/* quai.yml: the repository's registry, namespace, pushing branches, ignored
 * directories and per-image settings, validated with file:line:col. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/cleanup.h"
#include "core/xalloc.h"
#include "plan/internal.h"
#include "plan/plan.h"
#include "core/banned.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char *const top_keys[] = {"registry", "namespace", "push_branches", "ignore", "images", "lint"};
static const char *const image_keys[] = {"name",  "context", "dockerfile", "build_args", "target",
                                         "tests", "tags",    "inputs",     "ignore"};

void plan_strv_free(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

size_t plan_strv_len(char *const *v)
{
	size_t n = 0;
	while (v && v[n])
		n++;
	return n;
}

static void strv_push(char ***v, size_t *n, size_t *cap, char *s)
{
	*v = xgrow(*v, cap, *n + 2, sizeof(**v));
	(*v)[(*n)++] = s;
	(*v)[*n] = NULL;
}

char *plan_path_norm(const char *path)
{
	if (!path || path[0] == '/')
		return NULL;
	struct quai_buf b = QUAI_BUF_INIT;
	const char *p = path;
	while (*p) {
		const char *e = strchr(p, '/');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (len == 0 || (len == 1 && p[0] == '.')) {
			/* skip */
		} else if (len == 2 && p[0] == '.' && p[1] == '.') {
			if (b.len == 0) {
				quai_buf_release(&b);
				return NULL;
			}
			char *slash = strrchr(b.data, '/');
			quai_buf_truncate(&b, slash ? (size_t)(slash - b.data) : 0);
		} else {
			if (b.len)
				quai_buf_putc(&b, '/');
			quai_buf_add(&b, p, len);
		}
		p += len;
		if (*p == '/')
			p++;
	}
	if (b.len == 0) {
		quai_buf_release(&b);
		return xstrdup(".");
	}
	return quai_buf_detach(&b);
}

bool plan_path_under(const char *path, const char *dir)
{
	if (strcmp(dir, ".") == 0)
		return true;
	size_t n = strlen(dir);
	return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* ---- suggestions for misspelt keys ---- */

static size_t distance(const char *a, const char *b)
{
	size_t n = strlen(a), m = strlen(b);
	size_t row[40];
	if (n > 32 || m + 1 > N(row))
		return (size_t)-1;
	for (size_t j = 0; j <= m; j++)
		row[j] = j;
	for (size_t i = 1; i <= n; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= m; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] == b[j - 1] ? 0 : 1);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[m];
}

static const char *suggest(const char *w, const char *const *words, size_t n)
{
	const char *best = NULL;
	size_t score = 3;
	for (size_t i = 0; i < n; i++) {
		size_t d = distance(w, words[i]);
		if (d < score && d < strlen(words[i])) {
			score = d;
			best = words[i];
		}
	}
	return best;
}

static int unknown_key(struct quai_error **err, const struct quai_yaml_doc *doc,
                       const struct quai_yaml_node *key, const char *where, const char *const *words,
                       size_t n)
{
	const char *k = quai_yaml_str(key);
	const char *s = suggest(k, words, n);
	if (s)
		return quai_yaml_fail(err, doc, key, "unknown key '%.60s' %s: did you mean '%s'?", k, where,
		                      s);
	cleanup_free char *list = NULL;
	struct quai_buf b = QUAI_BUF_INIT;
	for (size_t i = 0; i < n; i++)
		quai_buf_printf(&b, "%s%s", i ? ", " : "", words[i]);
	list = quai_buf_detach(&b);
	return quai_yaml_fail(err, doc, key, "unknown key '%.60s' %s (known keys: %s)", k, where, list);
}

/* ---- values ---- */

struct ctx {
	const struct quai_yaml_doc *doc;
	struct quai_error **err;
};

static int want_map(struct ctx *c, const struct quai_yaml_node *n, const char *what)
{
	if (n->type == QUAI_YAML_MAP) {
		const struct quai_yaml_node *dup = quai_yaml_dup_key(n);
		if (dup)
			return quai_yaml_fail(c->err, c->doc, dup, "'%.60s' is written twice in %s",
			                      quai_yaml_str(dup), what);
		for (size_t i = 0; i < n->n; i++)
			if (n->pairs[i].key->type != QUAI_YAML_SCALAR)
				return quai_yaml_fail(c->err, c->doc, n->pairs[i].key,
				                      "keys of %s must be strings, found %s", what,
				                      quai_yaml_kind_name(n->pairs[i].key));
		return 0;
	}
	return quai_yaml_fail(c->err, c->doc, n, "%s must be a mapping, found %s", what,
	                      quai_yaml_kind_name(n));
}

/* A string (numbers and booleans are read as written). */
static int get_str(struct ctx *c, char **out, const struct quai_yaml_node *n, const char *key)
{
	if (n->type != QUAI_YAML_SCALAR || quai_yaml_is_null(n))
		return quai_yaml_fail(c->err, c->doc, n, "'%s' must be a string, found %s", key,
		                      quai_yaml_kind_name(n));
	if (strlen(n->str) != n->len)
		return quai_yaml_fail(c->err, c->doc, n, "'%s' must not contain a NUL byte", key);
	free(*out);
	*out = xstrdup(n->str);
	return 0;
}

/* A path inside the repository, normalised. */
static int get_path(struct ctx *c, char **out, const struct quai_yaml_node *n, const char *key)
{
	cleanup_free char *s = NULL;
	if (get_str(c, &s, n, key) < 0)
		return -1;
	char *p = plan_path_norm(s);
	if (!p)
		return quai_yaml_fail(
		    c->err, c->doc, n,
		    "'%s' must be a path inside the repository, relative to quai.yml, found '%.200s'", key,
		    s);
	free(*out);
	*out = p;
	return 0;
}

/* A list of strings; a single string is a list of one. */
static int get_list(struct ctx *c, char ***out, const struct quai_yaml_node *n, const char *key, bool path)
{
	char **v = NULL;
	size_t len = 0, cap = 0;
	size_t count = n->type == QUAI_YAML_SEQ ? n->n : 1;
	if (n->type == QUAI_YAML_MAP)
		return quai_yaml_fail(c->err, c->doc, n, "'%s' must be a list of strings, found a mapping",
		                      key);
	for (size_t i = 0; i < count; i++) {
		const struct quai_yaml_node *it = n->type == QUAI_YAML_SEQ ? n->items[i] : n;
		char *s = NULL;
		int rc = path ? get_path(c, &s, it, key) : get_str(c, &s, it, key);
		if (rc < 0) {
			plan_strv_free(v);
			return -1;
		}
		strv_push(&v, &len, &cap, s);
	}
	if (!v)
		v = xcalloc(1, sizeof(*v));
	plan_strv_free(*out);
	*out = v;
	return 0;
}

static bool valid_arg_name(const char *s)
{
	if (!*s)
		return false;
	for (const char *p = s; *p; p++)
		if (*p == '=' || *p == ' ' || *p == '\t' || *p == '\n')
			return false;
	return true;
}

/* build_args: a mapping KEY: value, or a list of "KEY=VALUE". */
static int get_build_args(struct ctx *c, char ***out, const struct quai_yaml_node *n)
{
	char **v = NULL;
	size_t len = 0, cap = 0;
	if (n->type == QUAI_YAML_MAP) {
		if (want_map(c, n, "'build_args'") < 0)
			return -1;
		for (size_t i = 0; i < n->n; i++) {
			const char *k = n->pairs[i].key->str;
			const struct quai_yaml_node *val = n->pairs[i].value;
			if (!valid_arg_name(k)) {
				plan_strv_free(v);
				return quai_yaml_fail(c->err, c->doc, n->pairs[i].key,
				                      "'%.60s' is not a build argument name", k);
			}
			if (val->type != QUAI_YAML_SCALAR || strlen(val->str) != val->len) {
				plan_strv_free(v);
				return quai_yaml_fail(c->err, c->doc, val,
				                      "build argument '%.60s' must be a string, found %s", k,
				                      quai_yaml_kind_name(val));
			}
			strv_push(&v, &len, &cap,
			          xasprintf("%s=%s", k, quai_yaml_is_null(val) ? "" : val->str));
		}
	} else if (n->type == QUAI_YAML_SEQ) {
		for (size_t i = 0; i < n->n; i++) {
			char *s = NULL;
			if (get_str(c, &s, n->items[i], "build_args") < 0) {
				plan_strv_free(v);
				return -1;
			}
			const char *eq = strchr(s, '=');
			if (!eq || eq == s) {
				free(s);
				plan_strv_free(v);
				return quai_yaml_fail(c->err, c->doc, n->items[i],
				                      "a build argument in a list is written KEY=VALUE");
			}
			strv_push(&v, &len, &cap, s);
		}
	} else {
		return quai_yaml_fail(c->err, c->doc, n,
		                      "'build_args' must be a mapping of names to values, found %s",
		                      quai_yaml_kind_name(n));
	}
	if (!v)
		v = xcalloc(1, sizeof(*v));
	*out = v;
	return 0;
}

static bool valid_image_name(const char *s)
{
	/* docker's repository path: lowercase components separated by '/' */
	if (!*s || strlen(s) > 255)
		return false;
	char prev = '/';
	for (const char *p = s; *p; p++) {
		bool alnum = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9');
		bool sep = *p == '.' || *p == '_' || *p == '-' || *p == '/';
		if (!alnum && !sep)
			return false;
		if (sep && (prev == '/' ||
		            (*p == '/' && !((prev >= 'a' && prev <= 'z') || (prev >= '0' && prev <= '9')))))
			return false;
		prev = *p;
	}
	return prev != '/' && prev != '.' && prev != '-' && prev != '_';
}

static int parse_image(struct ctx *c, struct plan_image_cfg *im, const struct quai_yaml_node *key,
                       const struct quai_yaml_node *val)
{
	im->key = key;
	im->value = val;
	im->dir = plan_path_norm(key->str);
	if (!im->dir)
		return quai_yaml_fail(
		    c->err, c->doc, key,
		    "'%.200s' must be a directory inside the repository, relative to quai.yml", key->str);
	if (quai_yaml_is_null(val))
		return 0;
	if (want_map(c, val, "an image entry") < 0)
		return -1;
	for (size_t i = 0; i < val->n; i++) {
		const struct quai_yaml_node *k = val->pairs[i].key, *v = val->pairs[i].value;
		const char *name = k->str;
		int rc;
		if (strcmp(name, "name") == 0) {
			rc = get_str(c, &im->name, v, name);
			if (rc == 0 && !valid_image_name(im->name))
				rc = quai_yaml_fail(
				    c->err, c->doc, v,
				    "'%.100s' is not a valid image name: use lowercase letters, digits, "
				    "'.', '_', '-' and '/' between components",
				    im->name);
		} else if (strcmp(name, "context") == 0) {
			rc = get_path(c, &im->context, v, name);
		} else if (strcmp(name, "dockerfile") == 0) {
			rc = get_path(c, &im->dockerfile, v, name);
		} else if (strcmp(name, "target") == 0) {
			rc = get_str(c, &im->target, v, name);
		} else if (strcmp(name, "tests") == 0) {
			rc = get_path(c, &im->tests, v, name);
		} else if (strcmp(name, "build_args") == 0) {
			rc = get_build_args(c, &im->build_args, v);
		} else if (strcmp(name, "tags") == 0) {
			rc = get_list(c, &im->tags, v, name, false);
		} else if (strcmp(name, "inputs") == 0) {
			rc = get_list(c, &im->inputs, v, name, true);
		} else if (strcmp(name, "ignore") == 0) {
			rc = quai_yaml_bool(v, &im->ignore, QUAI_YAML_BOOL_12);
			if (rc < 0)
				rc = quai_yaml_fail(c->err, c->doc, v,
				                    "'ignore' must be true or false, found %s",
				                    quai_yaml_kind_name(v));
		} else {
			rc = unknown_key(c->err, c->doc, k, "in an image entry", image_keys, N(image_keys));
		}
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int parse_images(struct ctx *c, struct plan_config *cfg, const struct quai_yaml_node *n)
{
	if (quai_yaml_is_null(n))
		return 0;
	if (want_map(c, n, "'images'") < 0)
		return -1;
	cfg->images = xcalloc(n->n ? n->n : 1, sizeof(*cfg->images));
	for (size_t i = 0; i < n->n; i++) {
		struct plan_image_cfg *im = &cfg->images[cfg->nimages++];
		if (parse_image(c, im, n->pairs[i].key, n->pairs[i].value) < 0)
			return -1;
		for (size_t j = 0; j + 1 < cfg->nimages; j++)
			if (strcmp(cfg->images[j].dir, im->dir) == 0)
				return quai_yaml_fail(c->err, c->doc, n->pairs[i].key,
				                      "directory '%s' has two entries (the other at line %u)",
				                      im->dir, cfg->images[j].key->line);
	}
	return 0;
}

static int parse_root(struct ctx *c, struct plan_config *cfg, const struct quai_yaml_node *root)
{
	if (want_map(c, root, "quai.yml") < 0)
		return -1;
	for (size_t i = 0; i < root->n; i++) {
		const struct quai_yaml_node *k = root->pairs[i].key, *v = root->pairs[i].value;
		const char *name = k->str;
		int rc = 0;
		if (strcmp(name, "registry") == 0) {
			rc = get_str(c, &cfg->registry, v, name);
			if (rc == 0 && (strchr(cfg->registry, '/') || strchr(cfg->registry, ' ')))
				rc = quai_yaml_fail(
				    c->err, c->doc, v,
				    "'registry' is a host[:port] such as 'ghcr.io'; put the path in "
				    "'namespace'");
		} else if (strcmp(name, "namespace") == 0) {
			rc = get_str(c, &cfg->namespace, v, name);
			if (rc == 0) {
				char *t = cfg->namespace;
				size_t len = strlen(t);
				while (len && t[len - 1] == '/')
					t[--len] = '\0';
				if (!len || t[0] == '/' || !valid_image_name(t))
					rc = quai_yaml_fail(
					    c->err, c->doc, v,
					    "'%.100s' is not a valid namespace: use lowercase letters, "
					    "digits, '.', '_', '-' and '/' between components",
					    t);
			}
		} else if (strcmp(name, "push_branches") == 0) {
			rc = get_list(c, &cfg->push_branches, v, name, false);
		} else if (strcmp(name, "ignore") == 0) {
			rc = get_list(c, &cfg->ignore, v, name, true);
		} else if (strcmp(name, "images") == 0) {
			rc = parse_images(c, cfg, v);
		} else if (strcmp(name, "lint") == 0 || strcmp(name, "executors") == 0 || strncmp(name, "x-", 2) == 0) {
			rc = 0; /* read by quai lint; extensions, as in compose files */
		} else {
			rc = unknown_key(c->err, c->doc, k, "in quai.yml", top_keys, N(top_keys));
		}
		if (rc < 0)
			return -1;
	}
	return 0;
}

int plan_config_parse(struct plan_config *out, const char *file, const char *data, size_t len,
                      struct quai_error **err)
{
	memset(out, 0, sizeof(*out));
	if (quai_yaml_load(&out->doc, file, data, len, err) < 0)
		return -1;
	const struct quai_yaml_node *root = out->doc->root;
	if (out->doc->nroots > 1)
		return quai_yaml_fail(err, out->doc, out->doc->roots[1],
		                      "quai.yml must hold one YAML document");
	if (!root || quai_yaml_is_null(root))
		return 0;
	struct ctx c = {out->doc, err};
	return parse_root(&c, out, root);
}

void plan_config_release(struct plan_config *cfg)
{
	for (size_t i = 0; i < cfg->nimages; i++) {
		struct plan_image_cfg *im = &cfg->images[i];
		free(im->dir);
		free(im->name);
		free(im->context);
		free(im->dockerfile);
		free(im->target);
		free(im->tests);
		plan_strv_free(im->build_args);
		plan_strv_free(im->tags);
		plan_strv_free(im->inputs);
	}
	free(cfg->images);
	free(cfg->registry);
	free(cfg->namespace);
	plan_strv_free(cfg->push_branches);
	plan_strv_free(cfg->ignore);
	quai_yaml_free(cfg->doc);
	memset(cfg, 0, sizeof(*cfg));
}

const struct plan_image_cfg *plan_config_find(const struct plan_config *cfg, const char *dir)
{
	for (size_t i = 0; i < cfg->nimages; i++)
		if (cfg->images[i].dir && strcmp(cfg->images[i].dir, dir) == 0)
			return &cfg->images[i];
	return NULL;
}

bool plan_yaml_equal(const struct quai_yaml_node *a, const struct quai_yaml_node *b)
{
	if (!a || !b)
		return a == b;
	if (a->type != b->type || a->n != b->n)
		return false;
	switch (a->type) {
	case QUAI_YAML_SCALAR:
		return a->len == b->len && memcmp(a->str, b->str, a->len) == 0 &&
		       quai_yaml_is_quoted(a) == quai_yaml_is_quoted(b);
	case QUAI_YAML_SEQ:
		for (size_t i = 0; i < a->n; i++)
			if (!plan_yaml_equal(a->items[i], b->items[i]))
				return false;
		return true;
	case QUAI_YAML_MAP:
		for (size_t i = 0; i < a->n; i++)
			if (!plan_yaml_equal(a->pairs[i].key, b->pairs[i].key) ||
			    !plan_yaml_equal(a->pairs[i].value, b->pairs[i].value))
				return false;
		return true;
	}
	return false;
}

int quai_plan_config_check(const char *file, const char *data, size_t len, struct quai_error **err)
{
	struct plan_config cfg;
	int rc = plan_config_parse(&cfg, file, data, len, err);
	plan_config_release(&cfg); /* also what a failed parse filled in */
	return rc;
}

/* Lint configuration: defaults, .hadolint.yaml, quai.yml's lint section,
 * HADOLINT_* variables, found and merged the way hadolint does it: lists
 * (ignored codes, overrides, registries, labels) add up, single values
 * (threshold, flags, format) are replaced by whatever is read later. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <yaml.h>

#include "core/buf.h"
#include "core/cleanup.h"
#include "core/xalloc.h"
#include "lint/lint.h"
#include "core/banned.h"

#define CONFIG_MAX_BYTES (1u << 20)

void quai_lint_config_init(struct quai_lint_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->failure_threshold = QUAI_LEVEL_INFO;
	cfg->require_user = true;
	cfg->format = -1;
}

void quai_lint_config_release(struct quai_lint_config *cfg)
{
	for (size_t i = 0; i < cfg->nignored; i++)
		free(cfg->ignored[i]);
	free(cfg->ignored);
	free(cfg->overrides);
	for (size_t i = 0; i < cfg->ntrusted_registries; i++)
		free(cfg->trusted_registries[i]);
	free(cfg->trusted_registries);
	for (size_t i = 0; i < cfg->nlabel_schema; i++) {
		free(cfg->label_schema[i].name);
		free(cfg->label_schema[i].type);
	}
	free(cfg->label_schema);
	memset(cfg, 0, sizeof(*cfg));
}

enum quai_lint_level quai_lint_config_level(const struct quai_lint_config *cfg, const char *code,
					    enum quai_lint_level deflt)
{
	for (size_t i = 0; i < cfg->nignored; i++)
		if (strcasecmp(cfg->ignored[i], code) == 0)
			return QUAI_LEVEL_IGNORE;
	enum quai_lint_level level = deflt;
	for (size_t i = 0; i < cfg->noverrides; i++)
		if (strcasecmp(cfg->overrides[i].code, code) == 0)
			level = cfg->overrides[i].level;
	return level;
}

static void add_string(char ***list, size_t *n, const char *s, size_t len)
{
	size_t cap = *n;
	*list = xgrow(*list, &cap, *n + 1, sizeof(**list));
	(*list)[(*n)++] = xstrndup(s, len);
}

void quai_lint_config_add_ignore(struct quai_lint_config *cfg, const char *code)
{
	add_string(&cfg->ignored, &cfg->nignored, code, strlen(code));
}

void quai_lint_config_add_override(struct quai_lint_config *cfg, const char *code, enum quai_lint_level level)
{
	size_t cap = cfg->noverrides;
	cfg->overrides = xgrow(cfg->overrides, &cap, cfg->noverrides + 1, sizeof(*cfg->overrides));
	struct quai_lint_override *o = &cfg->overrides[cfg->noverrides++];
	memset(o, 0, sizeof(*o));
	size_t n = strlen(code);
	if (n >= sizeof(o->code))
		n = sizeof(o->code) - 1;
	memcpy(o->code, code, n);
	o->level = level;
}

void quai_lint_config_add_registry(struct quai_lint_config *cfg, const char *registry)
{
	add_string(&cfg->trusted_registries, &cfg->ntrusted_registries, registry, strlen(registry));
}

static const char *const label_types[] = { "text", "url", "hash", "rfc3339", "semver", "spdx", "email" };

static bool label_type_known(const char *type)
{
	for (size_t i = 0; i < sizeof(label_types) / sizeof(label_types[0]); i++)
		if (strcmp(type, label_types[i]) == 0)
			return true;
	return false;
}

/* Adds or replaces the schema entry for `name`. The type must be known. */
static void set_label(struct quai_lint_config *cfg, const char *name, size_t nlen, const char *type)
{
	for (size_t i = 0; i < cfg->nlabel_schema; i++) {
		if (strlen(cfg->label_schema[i].name) == nlen && strncmp(cfg->label_schema[i].name, name, nlen) == 0) {
			free(cfg->label_schema[i].type);
			cfg->label_schema[i].type = xstrdup(type);
			return;
		}
	}
	size_t cap = cfg->nlabel_schema;
	cfg->label_schema = xgrow(cfg->label_schema, &cap, cfg->nlabel_schema + 1, sizeof(*cfg->label_schema));
	cfg->label_schema[cfg->nlabel_schema].name = xstrndup(name, nlen);
	cfg->label_schema[cfg->nlabel_schema].type = xstrdup(type);
	cfg->nlabel_schema++;
}

int quai_lint_config_add_label(struct quai_lint_config *cfg, const char *spec, struct quai_error **err)
{
	const char *colon = strchr(spec, ':');
	if (!colon || colon == spec)
		return quai_error_set(err, QUAI_EXIT_USAGE, "'%s': a label schema is written LABEL:TYPE", spec);
	if (!label_type_known(colon + 1))
		return quai_error_set(err, QUAI_EXIT_USAGE,
				      "'%s': unknown label type '%s' (one of text, url, hash, rfc3339, semver, "
				      "spdx, email)",
				      spec, colon + 1);
	set_label(cfg, spec, (size_t)(colon - spec), colon + 1);
	return 0;
}

/* ---- YAML files ---- */

struct yctx {
	const char *path;
	yaml_document_t *doc;
	struct quai_lint_config *cfg;
	struct quai_error **err;
};

static int yerr(struct yctx *y, const yaml_node_t *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int yerr(struct yctx *y, const yaml_node_t *n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cleanup_free char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	return quai_error_set(y->err, QUAI_EXIT_USAGE, "%s:%zu:%zu: %s", y->path, n->start_mark.line + 1,
			      n->start_mark.column + 1, msg);
}

static const char *scalar(const yaml_node_t *n)
{
	return n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static int want_scalar(struct yctx *y, const yaml_node_t *n, const char *key, const char **out)
{
	*out = scalar(n);
	if (!*out)
		return yerr(y, n, "'%s' must be a single value", key);
	if (strlen(*out) != n->data.scalar.length)
		return yerr(y, n, "'%s' contains a NUL byte", key);
	return 0;
}

static int want_bool(struct yctx *y, const yaml_node_t *n, const char *key, bool *out)
{
	const char *s;
	if (want_scalar(y, n, key, &s) < 0)
		return -1;
	static const char *const yes[] = { "true", "yes", "on", "y" };
	static const char *const no[] = { "false", "no", "off", "n" };
	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return yerr(y, n, "'%s' must be true or false, not '%s'", key, s);
}

typedef void (*item_fn)(struct yctx *y, const char *value, void *arg);

/* Calls fn for each scalar of a sequence (or for a lone scalar when
 * `scalar_ok`). An empty value (`key:`) is an empty list. */
static int each_item(struct yctx *y, yaml_node_t *n, const char *key, bool scalar_ok, item_fn fn, void *arg)
{
	if (n->type == YAML_SCALAR_NODE) {
		if (n->data.scalar.length == 0 && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
			return 0;
		if (!scalar_ok)
			return yerr(y, n, "'%s' must be a list", key);
		fn(y, scalar(n), arg);
		return 0;
	}
	if (n->type != YAML_SEQUENCE_NODE)
		return yerr(y, n, "'%s' must be a list", key);
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *item = yaml_document_get_node(y->doc, *it);
		const char *s;
		if (!item || want_scalar(y, item, key, &s) < 0)
			return item ? -1 : yerr(y, n, "'%s' has a bad item", key);
		if (!*s)
			return yerr(y, item, "'%s' has an empty item", key);
		fn(y, s, arg);
	}
	return 0;
}

static void item_ignore(struct yctx *y, const char *v, void *arg)
{
	(void)arg;
	quai_lint_config_add_ignore(y->cfg, v);
}

static void item_registry(struct yctx *y, const char *v, void *arg)
{
	(void)arg;
	quai_lint_config_add_registry(y->cfg, v);
}

static void item_override(struct yctx *y, const char *v, void *arg)
{
	quai_lint_config_add_override(y->cfg, v, *(enum quai_lint_level *)arg);
}

static bool is_empty_value(const yaml_node_t *n)
{
	return n->type == YAML_SCALAR_NODE && n->data.scalar.length == 0 &&
	       n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

static int apply_override(struct yctx *y, yaml_node_t *n)
{
	if (is_empty_value(n))
		return 0;
	if (n->type != YAML_MAPPING_NODE)
		return yerr(y, n, "'override' must be a mapping of error, warning, info, style to lists of codes");
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(y->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(y->doc, p->value);
		const char *name = k ? scalar(k) : NULL;
		if (!name || !v)
			return yerr(y, k ? k : n, "'override' keys must be level names");
		int level = quai_lint_level_parse(name);
		if (level < 0 || level > QUAI_LEVEL_STYLE)
			return yerr(y, k, "unknown level '%s' in 'override' (use error, warning, info or style)", name);
		enum quai_lint_level lv = (enum quai_lint_level)level;
		if (each_item(y, v, name, false, item_override, &lv) < 0)
			return -1;
	}
	return 0;
}

static int apply_labels(struct yctx *y, yaml_node_t *n)
{
	if (is_empty_value(n))
		return 0;
	if (n->type != YAML_MAPPING_NODE)
		return yerr(y, n, "'label-schema' must be a mapping of label names to types");
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(y->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(y->doc, p->value);
		const char *name = k ? scalar(k) : NULL;
		if (!name || !*name || !v)
			return yerr(y, k ? k : n, "'label-schema' keys must be label names");
		const char *type;
		if (want_scalar(y, v, name, &type) < 0)
			return -1;
		if (!label_type_known(type))
			return yerr(y, v,
				    "unknown label type '%s' for '%s' (one of text, url, hash, rfc3339, semver, spdx, "
				    "email)",
				    type, name);
		set_label(y->cfg, name, strlen(name), type);
	}
	return 0;
}

static int apply_threshold(struct yctx *y, yaml_node_t *v, const char *key)
{
	const char *s;
	if (want_scalar(y, v, key, &s) < 0)
		return -1;
	int level = quai_lint_level_parse(s);
	if (level < 0)
		return yerr(y, v, "unknown failure threshold '%s' (use error, warning, info, style, ignore or none)",
			    s);
	y->cfg->failure_threshold = (enum quai_lint_level)level;
	return 0;
}

static int apply_format(struct yctx *y, yaml_node_t *v, const char *key)
{
	const char *s;
	if (want_scalar(y, v, key, &s) < 0)
		return -1;
	int fmt = quai_lint_format_parse(s);
	if (fmt < 0)
		return yerr(y, v, "unknown format '%s' (use tty, json, sarif, checkstyle, gitlab_codeclimate or gnu)",
			    s);
	y->cfg->format = fmt;
	return 0;
}

static const char known_keys[] = "ignored, override, failure-threshold, trustedRegistries, label-schema, "
				 "strict-labels, disable-ignore-pragma, no-fail, no-color, format, verbose, "
				 "require-user";

static int apply_pair(struct yctx *y, yaml_node_t *k, yaml_node_t *v)
{
	const char *key = scalar(k);
	struct quai_lint_config *cfg = y->cfg;
	if (!key)
		return yerr(y, k, "keys must be plain names");
	if (strcmp(key, "ignored") == 0)
		return each_item(y, v, key, false, item_ignore, NULL);
	if (strcmp(key, "override") == 0)
		return apply_override(y, v);
	if (strcmp(key, "failure-threshold") == 0)
		return apply_threshold(y, v, key);
	if (strcmp(key, "trustedRegistries") == 0 || strcmp(key, "trusted-registries") == 0)
		return each_item(y, v, key, true, item_registry, NULL);
	if (strcmp(key, "label-schema") == 0)
		return apply_labels(y, v);
	if (strcmp(key, "strict-labels") == 0)
		return want_bool(y, v, key, &cfg->strict_labels);
	if (strcmp(key, "disable-ignore-pragma") == 0)
		return want_bool(y, v, key, &cfg->disable_ignore_pragma);
	if (strcmp(key, "no-fail") == 0)
		return want_bool(y, v, key, &cfg->no_fail);
	if (strcmp(key, "no-color") == 0)
		return want_bool(y, v, key, &cfg->no_color);
	if (strcmp(key, "verbose") == 0)
		return want_bool(y, v, key, &cfg->verbose);
	if (strcmp(key, "require-user") == 0)
		return want_bool(y, v, key, &cfg->require_user);
	if (strcmp(key, "format") == 0 || strcmp(key, "output-format") == 0)
		return apply_format(y, v, key);
	return yerr(y, k, "unknown key '%s' (known: %s)", key, known_keys);
}

static int apply_mapping(struct yctx *y, yaml_node_t *n)
{
	if (is_empty_value(n))
		return 0;
	if (n->type != YAML_MAPPING_NODE)
		return yerr(y, n, "the configuration must be a mapping of keys to values");
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(y->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(y->doc, p->value);
		if (!k || !v)
			return yerr(y, n, "bad mapping");
		if (apply_pair(y, k, v) < 0)
			return -1;
	}
	return 0;
}

/* Parses `text` as YAML and applies its root mapping, or for quai.yml the
 * mapping under its `lint` key. */
static int apply_yaml(struct quai_lint_config *cfg, const char *path, const char *text, size_t len, bool quai_yml,
		      struct quai_error **err)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	if (!yaml_parser_initialize(&parser))
		return quai_error_set(err, QUAI_EXIT_USAGE, "'%s': cannot start the YAML parser", path);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		quai_error_set(err, QUAI_EXIT_USAGE, "%s:%zu:%zu: invalid YAML: %s", path,
			       parser.problem_mark.line + 1, parser.problem_mark.column + 1,
			       parser.problem ? parser.problem : "syntax error");
		yaml_parser_delete(&parser);
		return -1;
	}
	struct yctx y = { path, &doc, cfg, err };
	int rc = 0;
	yaml_node_t *root = yaml_document_get_root_node(&doc);
	if (root && quai_yml) {
		if (root->type != YAML_MAPPING_NODE && !is_empty_value(root)) {
			rc = yerr(&y, root, "quai.yml must be a mapping");
		} else if (root->type == YAML_MAPPING_NODE) {
			for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top;
			     p++) {
				yaml_node_t *k = yaml_document_get_node(&doc, p->key);
				const char *key = k ? scalar(k) : NULL;
				if (key && strcmp(key, "lint") == 0) {
					yaml_node_t *v = yaml_document_get_node(&doc, p->value);
					rc = v ? apply_mapping(&y, v) : 0;
					break;
				}
			}
		}
	} else if (root) {
		rc = apply_mapping(&y, root);
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return rc;
}

/* How much a missing file matters. */
enum missing { MISSING_FAILS, MISSING_OK, MISSING_OR_DENIED_OK };

/* Reads a file into *out. Returns 0, or 1 when it does not exist (or cannot
 * be reached) and that is ok, or -1 with err. */
static int read_config(char **out, size_t *len, const char *path, enum missing missing, struct quai_error **err)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (missing != MISSING_FAILS && (errno == ENOENT || errno == ENOTDIR))
			return 1;
		if (missing == MISSING_OR_DENIED_OK && errno == EACCES)
			return 1;
		if (errno == ENOENT)
			return quai_error_set(err, QUAI_EXIT_USAGE, "configuration file '%s' does not exist", path);
		return quai_error_errno(err, errno, "cannot open configuration file '%s'", path);
	}
	cleanup_buf struct quai_buf b = QUAI_BUF_INIT;
	char chunk[8192];
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return quai_error_errno(err, errno, "cannot read configuration file '%s'", path);
		}
		if (n == 0)
			break;
		if (b.len + (size_t)n > CONFIG_MAX_BYTES)
			return quai_error_set(err, QUAI_EXIT_USAGE, "configuration file '%s' is larger than %u bytes",
					      path, CONFIG_MAX_BYTES);
		quai_buf_add(&b, chunk, (size_t)n);
	}
	*len = b.len;
	*out = quai_buf_detach(&b);
	return 0;
}

static int load(struct quai_lint_config *cfg, const char *path, bool quai_yml, enum missing missing,
		struct quai_error **err)
{
	cleanup_free char *text = NULL;
	size_t len = 0;
	int rc = read_config(&text, &len, path, missing, err);
	if (rc != 0)
		return rc;
	return apply_yaml(cfg, path, text, len, quai_yml, err) < 0 ? -1 : 0;
}

int quai_lint_config_load(struct quai_lint_config *cfg, const char *path, struct quai_error **err)
{
	return load(cfg, path, false, MISSING_FAILS, err);
}

int quai_lint_config_load_quai_yml(struct quai_lint_config *cfg, const char *path, struct quai_error **err)
{
	return load(cfg, path, true, MISSING_FAILS, err);
}

int quai_lint_config_load_string(struct quai_lint_config *cfg, const char *name, const char *text,
				 struct quai_error **err)
{
	return apply_yaml(cfg, name, text, strlen(text), false, err);
}

/* ---- Finding the files ---- */

int quai_lint_config_discover(struct quai_lint_config *cfg, const char *path, struct quai_error **err)
{
	if (path) {
		if (quai_lint_config_load(cfg, path, err) < 0)
			return -1;
	} else {
		int rc = load(cfg, ".hadolint.yaml", false, MISSING_OK, err);
		if (rc == 1)
			rc = load(cfg, ".hadolint.yml", false, MISSING_OK, err);
		const char *xdg = getenv("XDG_CONFIG_HOME");
		const char *home = getenv("HOME");
		if (rc == 1 && xdg && *xdg) {
			cleanup_free char *p = xasprintf("%s/hadolint.yaml", xdg);
			rc = load(cfg, p, false, MISSING_OR_DENIED_OK, err);
		}
		if (rc == 1 && home && *home) {
			cleanup_free char *p = xasprintf("%s/.config/hadolint.yaml", home);
			rc = load(cfg, p, false, MISSING_OR_DENIED_OK, err);
			if (rc == 1) {
				free(p);
				p = xasprintf("%s/.hadolint.yaml", home);
				rc = load(cfg, p, false, MISSING_OR_DENIED_OK, err);
			}
		}
		if (rc < 0)
			return -1;
	}
	if (load(cfg, "quai.yml", true, MISSING_OK, err) < 0)
		return -1;
	return quai_lint_config_from_env(cfg, err);
}

/* ---- Environment ---- */

static bool truthy(const char *s)
{
	static const char *const yes[] = { "1", "y", "on", "true", "yes" };
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (strcasecmp(s, yes[i]) == 0)
			return true;
	return false;
}

static void env_bool(const char *name, bool *out)
{
	const char *v = getenv(name);
	if (v)
		*out = truthy(v);
}

/* Calls fn for each comma-separated, trimmed, non-empty item of `s`. */
static int each_csv(const char *s, int (*fn)(struct quai_lint_config *cfg, const char *item, const void *arg,
					     struct quai_error **err),
		    struct quai_lint_config *cfg, const void *arg, struct quai_error **err)
{
	while (*s) {
		s += strspn(s, ", \t");
		size_t n = strcspn(s, ",");
		size_t m = n;
		while (m && (s[m - 1] == ' ' || s[m - 1] == '\t'))
			m--;
		if (m) {
			cleanup_free char *item = xstrndup(s, m);
			if (fn(cfg, item, arg, err) < 0)
				return -1;
		}
		s += n;
	}
	return 0;
}

static int csv_ignore(struct quai_lint_config *cfg, const char *item, const void *arg, struct quai_error **err)
{
	(void)arg;
	(void)err;
	quai_lint_config_add_ignore(cfg, item);
	return 0;
}

static int csv_override(struct quai_lint_config *cfg, const char *item, const void *arg, struct quai_error **err)
{
	(void)err;
	quai_lint_config_add_override(cfg, item, *(const enum quai_lint_level *)arg);
	return 0;
}

static int csv_registry(struct quai_lint_config *cfg, const char *item, const void *arg, struct quai_error **err)
{
	(void)arg;
	(void)err;
	quai_lint_config_add_registry(cfg, item);
	return 0;
}

static int csv_label(struct quai_lint_config *cfg, const char *item, const void *arg, struct quai_error **err)
{
	(void)arg;
	if (quai_lint_config_add_label(cfg, item, err) < 0)
		return quai_error_wrap(err, "HADOLINT_REQUIRE_LABELS");
	return 0;
}

int quai_lint_config_from_env(struct quai_lint_config *cfg, struct quai_error **err)
{
	env_bool("HADOLINT_NOFAIL", &cfg->no_fail);
	env_bool("HADOLINT_VERBOSE", &cfg->verbose);
	env_bool("HADOLINT_STRICT_LABELS", &cfg->strict_labels);
	env_bool("HADOLINT_DISABLE_IGNORE_PRAGMA", &cfg->disable_ignore_pragma);
	const char *v = getenv("NO_COLOR");
	if (v && *v)
		cfg->no_color = true;
	if ((v = getenv("HADOLINT_FORMAT")) && *v) {
		int fmt = quai_lint_format_parse(v);
		if (fmt < 0)
			return quai_error_set(err, QUAI_EXIT_USAGE,
					      "HADOLINT_FORMAT: unknown format '%s' (use tty, json, sarif, checkstyle, "
					      "gitlab_codeclimate or gnu)",
					      v);
		cfg->format = fmt;
	}
	if ((v = getenv("HADOLINT_FAILURE_THRESHOLD")) && *v) {
		int level = quai_lint_level_parse(v);
		if (level < 0)
			return quai_error_set(err, QUAI_EXIT_USAGE,
					      "HADOLINT_FAILURE_THRESHOLD: unknown level '%s' (use error, warning, info, "
					      "style, ignore or none)",
					      v);
		cfg->failure_threshold = (enum quai_lint_level)level;
	}
	static const struct {
		const char *name;
		enum quai_lint_level level;
	} overrides[] = {
		{ "HADOLINT_OVERRIDE_ERROR", QUAI_LEVEL_ERROR },
		{ "HADOLINT_OVERRIDE_WARNING", QUAI_LEVEL_WARNING },
		{ "HADOLINT_OVERRIDE_INFO", QUAI_LEVEL_INFO },
		{ "HADOLINT_OVERRIDE_STYLE", QUAI_LEVEL_STYLE },
	};
	for (size_t i = 0; i < sizeof(overrides) / sizeof(overrides[0]); i++)
		if ((v = getenv(overrides[i].name)))
			each_csv(v, csv_override, cfg, &overrides[i].level, err);
	if ((v = getenv("HADOLINT_IGNORE")))
		each_csv(v, csv_ignore, cfg, NULL, err);
	if ((v = getenv("HADOLINT_TRUSTED_REGISTRIES")))
		each_csv(v, csv_registry, cfg, NULL, err);
	if ((v = getenv("HADOLINT_ALLOWED_REGISTRIES")))
		each_csv(v, csv_registry, cfg, NULL, err);
	if ((v = getenv("HADOLINT_REQUIRE_LABELS")) && each_csv(v, csv_label, cfg, NULL, err) < 0)
		return -1;
	return 0;
}

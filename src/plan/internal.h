/* What the plan module's files share: quai.yml read into a model. */
#ifndef QUAI_PLAN_INTERNAL_H
#define QUAI_PLAN_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "yaml/yaml.h"

/* Largest quai.yml read. */
#define PLAN_CONFIG_MAX ((size_t)4 << 20)
/* Largest Dockerfile read for dependencies. */
#define PLAN_DOCKERFILE_MAX ((size_t)4 << 20)

/* One entry of quai.yml's `images` mapping, keyed by directory. */
struct plan_image_cfg {
	char *dir;                          /* normalised repository-relative directory */
	const struct quai_yaml_node *key;   /* for positions in messages */
	const struct quai_yaml_node *value; /* the entry, to compare revisions */
	char *name;
	char *context;    /* normalised, or NULL */
	char *dockerfile; /* normalised, or NULL */
	char *target;
	char *tests;       /* normalised, or NULL */
	char **build_args; /* "KEY=VALUE", NULL-terminated */
	char **tags;       /* NULL-terminated */
	char **inputs;     /* normalised paths or patterns, NULL-terminated */
	bool ignore;
};

struct plan_config {
	struct quai_yaml_doc *doc; /* NULL when there is no quai.yml */
	char *registry;
	char *namespace;
	char **push_branches; /* NULL-terminated, or NULL */
	char **ignore;        /* directories or patterns, NULL-terminated */
	struct plan_image_cfg *images;
	size_t nimages;
};

/* Parses quai.yml text (file names it in messages); an empty document is
 * an empty configuration. Errors are "FILE:LINE:COL: ...". */
int plan_config_parse(struct plan_config *out, const char *file, const char *data, size_t len,
                      struct quai_error **err);
void plan_config_release(struct plan_config *cfg);
/* The entry for directory dir, or NULL. */
const struct plan_image_cfg *plan_config_find(const struct plan_config *cfg, const char *dir);
/* Whether two YAML values are written the same (scalars, lists, mappings in order). */
bool plan_yaml_equal(const struct quai_yaml_node *a, const struct quai_yaml_node *b);

/* Normalises a repository-relative path: no "." or empty parts, no
 * trailing '/'; "" becomes "."; NULL when it is absolute or leaves the
 * repository with "..". */
char *plan_path_norm(const char *path);
/* Whether path is dir itself or lies under it ("." holds everything). */
bool plan_path_under(const char *path, const char *dir);

/* The image references a Dockerfile names (see deps.c), each once, in
 * order: *out (n of them, caller frees each and the array). */
int plan_dockerfile_refs(char ***out, size_t *n, const char *path, const char *name, char *const *build_args,
                         struct quai_error **err);

void plan_strv_free(char **v);
size_t plan_strv_len(char *const *v);

#endif

/* What the compose loader's files share (not a public interface). */
#ifndef QUAI_COMPOSE_INTERNAL_H
#define QUAI_COMPOSE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "compose/compose.h"
#include "core/buf.h"

/* Variables for interpolation: the environment, then .env files. */
struct compose_env {
	char **keys;
	char **vals;
	size_t n, cap;
	/* When not NULL, interpolation appends here the name of each variable
	 * read without a default while unset, one per line. */
	struct quai_buf *unset;
};

void compose_env_set(struct compose_env *e, const char *key, const char *val, bool overwrite);
const char *compose_env_get(const struct compose_env *e, const char *key);
void compose_env_release(struct compose_env *e);
/* Reads a .env file (KEY=VALUE lines, quotes, `export`, comments; values
 * interpolated against what is already known). Existing keys win when
 * overwrite is false. Fails with the file:line of a malformed line. */
int compose_env_load_file(struct compose_env *e, const char *path, bool overwrite, struct quai_error **err);

/* Interpolates s[0..len) as compose does. On success returns 0 with the
 * result in out; on a missing required variable or a bad template returns
 * -1 with a message (the caller frees it) in *msg. */
int compose_interpolate(struct quai_buf *out, const char *s, size_t len, const struct compose_env *env,
                        char **msg);

/* The loader's state while one project is read. */
struct compose_loader {
	struct quai_yaml_doc *doc; /* the result: every node of the model */
	struct quai_findings *diags;
	struct compose_env env;
	const char *project_dir;
	const char *project_name;
	struct compose_file *files; /* loaded, by path */
	size_t nfiles, capfiles;
	unsigned depth;                /* include nesting */
	const char *including[17];     /* the first file of each include being loaded */
	size_t copied;                 /* nodes copied from parsed files */
	size_t ports;                  /* port entries made from ranges */
	struct quai_findings warnings; /* QC1001, handed to the result */
	struct compose_env warned;     /* the variables warned about */
	bool user_diags;               /* the caller wants findings, not an error */
	bool syntax_error;             /* a YAML syntax error was reported */
	bool fatal;                    /* *err is set: nothing to return */
	struct quai_error **err;
};

struct compose_file {
	char *path;                   /* absolute */
	char *base_dir;               /* relative paths in it resolve against this */
	struct quai_yaml_node *model; /* interpolated, normalised; NULL when it could not be read */
	bool resolving;               /* its extends are being resolved */
	bool resolved;
};

/* A finding QC1000 at node (file:line:col) with the model path. */
void compose_diag(struct compose_loader *l, const struct quai_yaml_node *at, const char *path,
                  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Mutable tree helpers over nodes this module allocated in l->doc. Arrays
 * have a power-of-two capacity so that appending is cheap. */
struct quai_yaml_node *cn_map(struct compose_loader *l, const struct quai_yaml_node *at);
struct quai_yaml_node *cn_seq(struct compose_loader *l, const struct quai_yaml_node *at);
struct quai_yaml_node *cn_str(struct compose_loader *l, const char *s, const struct quai_yaml_node *at);
struct quai_yaml_node *cn_strq(struct compose_loader *l, const char *s, const struct quai_yaml_node *at);
struct quai_yaml_node *cn_int(struct compose_loader *l, long long v, const struct quai_yaml_node *at);
struct quai_yaml_node *cn_bool(struct compose_loader *l, bool v, const struct quai_yaml_node *at);
struct quai_yaml_node *cn_null(struct compose_loader *l, const struct quai_yaml_node *at);
/* Sets key to value (replacing an earlier value of key in place). */
void cn_put(struct compose_loader *l, struct quai_yaml_node *map, const char *key,
            const struct quai_yaml_node *value);
void cn_put_key(struct compose_loader *l, struct quai_yaml_node *map, const struct quai_yaml_node *key,
                const struct quai_yaml_node *value);
void cn_del(struct quai_yaml_node *map, const char *key);
void cn_push(struct compose_loader *l, struct quai_yaml_node *seq, const struct quai_yaml_node *item);
static inline struct quai_yaml_node *cn_mut(const struct quai_yaml_node *n)
{
	return (struct quai_yaml_node *)n; /* every node of l->doc is this module's own */
}
/* A deep copy into l->doc. */
struct quai_yaml_node *cn_copy(struct compose_loader *l, const struct quai_yaml_node *n);
/* True when the scalar is a string (quoted, or plain and not a null, bool
 * or number). */
bool cn_is_string(const struct quai_yaml_node *n);
bool cn_tagged(const struct quai_yaml_node *n, const char *tag);

/* Interpolates a parsed file's tree into l->doc (values, not keys); every
 * node's file becomes file (a string owned by l->doc).
 * Problems become findings; NULL only for a tree that cannot be copied. */
struct quai_yaml_node *compose_interp_tree(struct compose_loader *l, const struct quai_yaml_node *root,
                                           const char *file);

/* Checks the types of one file's top level and rewrites short syntaxes to
 * the long ones `docker compose config` prints; relative paths resolve
 * against base_dir. Works in place on an interpolated tree. */
void compose_normalize(struct compose_loader *l, struct quai_yaml_node *root, const char *base_dir);
/* Normalises one service (for extends of a service from another file). */
void compose_normalize_service(struct compose_loader *l, const char *name, struct quai_yaml_node *svc,
                               const char *base_dir);

/* Merges override into base as compose merges files and extends (both
 * normalised); returns the merged node (may be base, changed in place). */
struct quai_yaml_node *compose_merge(struct compose_loader *l, const struct quai_yaml_node *base,
                                     const struct quai_yaml_node *over, const char *path);
/* Merges a whole normalised file model into the project model. */
void compose_merge_top(struct compose_loader *l, struct quai_yaml_node *model,
                       const struct quai_yaml_node *over);

/* Semantic checks on the final model (references, cycles, files, ports). */
void compose_check(struct compose_loader *l, struct quai_yaml_node *model);

/* Durations ("1m30s"), sizes ("512m"), restart policies: true when valid. */
bool compose_valid_duration(const char *s);
bool compose_valid_size(const char *s);
bool compose_valid_restart(const char *s);

/* Path helpers: an absolute, lexically cleaned path of p against dir
 * (malloc'd); the directory part of p (malloc'd). */
char *compose_path_join(const char *dir, const char *p);
char *compose_dirname(const char *p);
/* True for build contexts that are URLs (git, http) rather than paths. */
bool compose_is_remote(const char *s);

#endif

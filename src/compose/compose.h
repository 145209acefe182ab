/* Compose files: loaded, interpolated, merged and validated as `docker
 * compose` does, and linted with quai's QC rules.
 *
 * The resolved model is a quai_yaml tree (yaml/yaml.h) shaped as `docker
 * compose config` prints it; every node keeps the file:line:col its value
 * came from, so validation and lint findings point at the user's text. */
#ifndef QUAI_COMPOSE_COMPOSE_H
#define QUAI_COMPOSE_COMPOSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/error.h"
#include "lint/lint.h"
#include "yaml/yaml.h"

struct quai_compose_options {
	const char *const *files; /* -f files in order; nfiles 0: compose.yaml, compose.yml,
				     docker-compose.yml, docker-compose.yaml in project_dir (+ override) */
	size_t nfiles;
	const char *const *env_files; /* --env-file; nenv_files 0: PROJECT_DIR/.env when it exists */
	size_t nenv_files;
	const char *project_dir;  /* NULL: the directory of the first file */
	const char *project_name; /* NULL: top-level `name`, else COMPOSE_PROJECT_NAME, else the directory's name */
	const char *const *environ; /* "K=V" NULL-terminated; NULL: the process environment */
	/* apply_profiles: as `docker compose config`, leave out of the model (after
	 * the checks) the services whose profiles are all inactive; active are
	 * profiles[0..nprofiles), else COMPOSE_PROFILES (comma-separated; "*": all).
	 * false (the default): every service is kept, as lint wants. */
	bool apply_profiles;
	const char *const *profiles;
	size_t nprofiles;
};

struct quai_compose {
	struct quai_yaml_doc *doc;          /* owns the nodes of model */
	const struct quai_yaml_node *model; /* the resolved model (a mapping) */
	char *name;                         /* the project name */
	char *project_dir;                  /* absolute */
	char **files;                       /* the files read, in order, NULL-terminated (incl. extends/include) */
	/* What docker compose warns about and still accepts: a variable read
	 * unset without a default ("${TAG}" is then ""), code "QC1001", level
	 * warning, once per variable at its first use. */
	struct quai_findings warnings;
};

/* Loads the project. Problems with the content (schema, types, semantic
 * checks, a missing required variable) are appended to diags as findings
 * with code "QC1000", level error, at their file:line:col, with the model
 * path in the message ("services.web.ports[0]: ..."); the model is still
 * returned when it could be built. Returns -1 with *err only when nothing
 * could be loaded: unreadable file, YAML syntax error (that is also a
 * QC1000 finding when diags is not NULL and the function then returns 0
 * with *out NULL). */
int quai_compose_load(struct quai_compose **out, struct quai_findings *diags, const struct quai_compose_options *o,
		      struct quai_error **err);
void quai_compose_free(struct quai_compose *c);

/* Writes the model as `docker compose config` does: YAML, or JSON. */
int quai_compose_write(FILE *out, const struct quai_compose *c, bool json, struct quai_error **err);

/* The QC lint rules (QC3001...) over a loaded project, after the config's
 * ignores and overrides and the files' `# quai ignore=CODE` pragmas. */
void quai_compose_lint(struct quai_findings *out, const struct quai_compose *c, const struct quai_lint_config *cfg);

/* True when the file name (base name) is one compose reads:
 * compose.yaml, compose.yml, docker-compose*.yml / *.yaml, compose.*.yaml. */
bool quai_compose_is_compose_name(const char *basename);

#endif

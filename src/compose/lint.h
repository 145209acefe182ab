/* Linting compose files and the other files `quai lint` knows besides
 * Dockerfiles: which kind a file is, the QC rules' list, and one call that
 * loads a compose file and lints it the way `quai lint` reports a
 * Dockerfile (QC1000 for what the loader refuses, QC3xxx for the rules).
 *
 * The rules themselves run through quai_compose_lint() (compose.h). */
#ifndef QUAI_COMPOSE_LINT_H
#define QUAI_COMPOSE_LINT_H

#include <stdbool.h>
#include <stddef.h>

#include "lint/lint.h"

enum quai_lint_kind {
	QUAI_LINT_KIND_OTHER = 0, /* not a file quai lints */
	QUAI_LINT_KIND_DOCKERFILE,
	QUAI_LINT_KIND_COMPOSE,
	QUAI_LINT_KIND_QUAI_YML,
};

/* The kind of a file by its base name alone: Dockerfile names as `quai
 * lint` walks them, compose names (quai_compose_is_compose_name), quai.yml
 * and quai.yaml; OTHER for anything else. */
enum quai_lint_kind quai_lint_kind_by_name(const char *path);

/* The kind of a file named on the command line: by name when the name says
 * it; a *.yml / *.yaml file that names no kind is a compose file when its
 * text has a top-level `services:` key, else OTHER; any other name is a
 * Dockerfile (as `quai lint FILE` has always done). */
enum quai_lint_kind quai_lint_kind_of(const char *path, const char *text, size_t len);

/* Every QC rule with its default level and summary, sorted by code (QC1000
 * first); *n receives the count. */
const struct quai_lint_rule_info *quai_compose_lint_rules(size_t *n);

/* Loads the compose file at path as a project of its own (its directory is
 * the project directory; environ as quai_compose_options.environ, NULL for
 * the process environment) and appends to out what the loader refuses
 * (QC1000) and what the QC rules find, after cfg's ignores and overrides
 * and the file's ignore pragmas. Returns -1 with *err only when the file
 * cannot be read at all. */
int quai_compose_lint_file(struct quai_findings *out, const char *path, const char *const *env,
                           const struct quai_lint_config *cfg, struct quai_error **err);

/* Checks a quai.yml: a YAML syntax error is a QC1000 finding at its
 * file:line:col. */
void quai_lint_quai_yml(struct quai_findings *out, const char *path, const char *text, size_t len,
                        const struct quai_lint_config *cfg);

/* Lints a file of a kind other than a Dockerfile whose text `quai lint`
 * has read: a compose file (quai_compose_lint_file, with the process
 * environment), a quai.yml (quai_lint_quai_yml). OTHER is an error saying
 * what quai lints. Returns -1 with *err only for errors that are not
 * findings. */
int quai_lint_file_of_kind(struct quai_findings *out, enum quai_lint_kind kind, const char *path,
                           const char *text, size_t len, const struct quai_lint_config *cfg,
                           struct quai_error **err);

#endif

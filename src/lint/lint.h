/* The Dockerfile linter: hadolint's rules with hadolint's codes, quai's own
 * QU rules, syntax errors as findings, and the configuration users already
 * have (.hadolint.yaml, HADOLINT_* variables, ignore pragmas). */
#ifndef QUAI_LINT_H
#define QUAI_LINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/error.h"
#include "dockerfile/dockerfile.h"

/* Ordered from most to least severe, as hadolint's thresholds. */
enum quai_lint_level {
	QUAI_LEVEL_ERROR = 0,
	QUAI_LEVEL_WARNING,
	QUAI_LEVEL_INFO,
	QUAI_LEVEL_STYLE,
	QUAI_LEVEL_IGNORE, /* never reported */
	QUAI_LEVEL_NONE,   /* as a threshold: never fail */
};

const char *quai_lint_level_name(enum quai_lint_level level); /* "error", ... */
/* Parses "error", "warning", "info", "style", "ignore", "none"; -1 if unknown. */
int quai_lint_level_parse(const char *s);

struct quai_finding {
	char *file;
	unsigned line;
	unsigned col;
	enum quai_lint_level level;
	char code[16]; /* "DL3008", "QU0001", "DL1000" (syntax), "SC2086" */
	char *message;
	/* `file` is the string of an earlier finding of the same list (one
	 * copy per file, not per finding): freed with that one. */
	bool shares_file;
	/* `message` is not owned (quai_findings_add_static): not freed. */
	bool static_message;
};

/* Growable list of findings; owns them. */
struct quai_findings {
	struct quai_finding *items;
	size_t len, cap;
};

void quai_findings_add(struct quai_findings *f, const char *file, unsigned line, unsigned col,
		       enum quai_lint_level level, const char *code, const char *message);
/* Same, but keeps `message` itself instead of a copy: it must outlive the
 * list (a string literal, a rule's summary). */
void quai_findings_add_static(struct quai_findings *f, const char *file, unsigned line, unsigned col,
			      enum quai_lint_level level, const char *code, const char *message);
/* Sorts by file, line, column, code. */
void quai_findings_sort(struct quai_findings *f);
void quai_findings_release(struct quai_findings *f);

struct quai_lint_override {
	char code[16];
	enum quai_lint_level level;
};

struct quai_label_schema {
	char *name;
	char *type; /* "text", "url", "hash", "rfc3339", "semver", "spdx", "email" */
};

/* Everything that shapes a lint run. Built from defaults, then the config
 * file, then HADOLINT_* variables, then command-line options, in that order. */
struct quai_lint_config {
	char **ignored; /* codes */
	size_t nignored;
	struct quai_lint_override *overrides;
	size_t noverrides;
	enum quai_lint_level failure_threshold; /* default: info */
	char **trusted_registries;
	size_t ntrusted_registries;
	struct quai_label_schema *label_schema;
	size_t nlabel_schema;
	bool strict_labels;
	bool disable_ignore_pragma;
	bool no_fail;      /* exit 0 whatever is found */
	bool shellcheck;   /* pass RUN scripts to shellcheck */
	bool require_user; /* QU rule: final stage must set USER (default true) */
	/* Output settings a config file or HADOLINT_* may carry; the CLI applies
	 * them unless its own options say otherwise. */
	int format;    /* enum quai_lint_format, or -1 when not set */
	bool no_color; /* no-color, NO_COLOR */
	bool verbose;  /* HADOLINT_VERBOSE, verbose */
};

void quai_lint_config_init(struct quai_lint_config *cfg);
void quai_lint_config_release(struct quai_lint_config *cfg);
/* Reads a .hadolint.yaml-format file into cfg (on top of what is there).
 * Errors carry file:line:col. */
int quai_lint_config_load(struct quai_lint_config *cfg, const char *path, struct quai_error **err);
/* Reads the `lint:` section of a quai.yml (same keys as .hadolint.yaml). */
int quai_lint_config_load_quai_yml(struct quai_lint_config *cfg, const char *path, struct quai_error **err);
/* Applies HADOLINT_* (and QUAI_LINT_*) environment variables. */
int quai_lint_config_from_env(struct quai_lint_config *cfg, struct quai_error **err);
/* Parses `text` (.hadolint.yaml format) as if read from a file called `name`. */
int quai_lint_config_load_string(struct quai_lint_config *cfg, const char *name, const char *text,
				 struct quai_error **err);
/* Builds the configuration as hadolint finds it: the file `path` when not
 * NULL, else the first that exists of ./.hadolint.yaml, ./.hadolint.yml,
 * $XDG_CONFIG_HOME/hadolint.yaml, ~/.config/hadolint.yaml, ~/.hadolint.yaml;
 * then the `lint:` section of ./quai.yml; then HADOLINT_* variables. */
int quai_lint_config_discover(struct quai_lint_config *cfg, const char *path, struct quai_error **err);
/* Additions as the command line makes them (lists add up; later overrides win). */
void quai_lint_config_add_ignore(struct quai_lint_config *cfg, const char *code);
void quai_lint_config_add_override(struct quai_lint_config *cfg, const char *code, enum quai_lint_level level);
void quai_lint_config_add_registry(struct quai_lint_config *cfg, const char *registry);
/* `spec` is "LABEL:TYPE"; fails on an unknown type. */
int quai_lint_config_add_label(struct quai_lint_config *cfg, const char *spec, struct quai_error **err);
/* Level of `code` after overrides; QUAI_LEVEL_IGNORE if ignored. */
enum quai_lint_level quai_lint_config_level(const struct quai_lint_config *cfg, const char *code,
					    enum quai_lint_level deflt);

/* Lints a parsed Dockerfile, appending findings (syntax errors as DL1000,
 * rule findings after pragmas, ignores and overrides). */
void quai_lint_dockerfile(struct quai_findings *out, const struct quai_dockerfile *df,
			  const struct quai_lint_config *cfg);

/* Runs shellcheck once over the RUN scripts of all given Dockerfiles and
 * appends its findings at Dockerfile positions. Fails if shellcheck cannot
 * be run. */
int quai_lint_shellcheck(struct quai_findings *out, const struct quai_dockerfile *const *dfs, size_t ndfs,
			 const struct quai_lint_config *cfg, struct quai_error **err);

/* A rule as listed by `quai lint --rules`. */
struct quai_lint_rule_info {
	const char *code;
	enum quai_lint_level level;
	const char *summary;
};
/* All rules, sorted by code; *n receives the count. */
const struct quai_lint_rule_info *quai_lint_rules(size_t *n);

enum quai_lint_format {
	QUAI_FORMAT_TTY = 0,
	QUAI_FORMAT_JSON,
	QUAI_FORMAT_SARIF,
	QUAI_FORMAT_CHECKSTYLE,
	QUAI_FORMAT_CODECLIMATE,
	QUAI_FORMAT_GNU,
};
int quai_lint_format_parse(const char *s); /* -1 if unknown */
/* Writes findings in `format`. `color` for tty only. `sources` gives each
 * file's text for caret excerpts in tty format (may be NULL). */
void quai_lint_write(FILE *out, enum quai_lint_format format, const struct quai_findings *f, bool color,
		     const struct quai_dockerfile *const *sources, size_t nsources);

/* True if the findings reach the failure threshold of cfg. */
bool quai_lint_failed(const struct quai_findings *f, const struct quai_lint_config *cfg);

#endif

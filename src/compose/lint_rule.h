/* Internal to src/compose/: how a QC rule is written.
 *
 * A rule looks at one service of the resolved model (it may look at the
 * others through the model) and reports through its context; the engine
 * (lint.c) attaches the rule's code and level and applies ignores,
 * overrides and pragmas. */
#ifndef QUAI_COMPOSE_LINT_RULE_H
#define QUAI_COMPOSE_LINT_RULE_H

#include "lint/lint.h"
#include "yaml/yaml.h"

struct quai_compose_lint_ctx;

struct quai_compose_rule {
	const char *code;
	enum quai_lint_level level;
	const char *summary;
	/* name: the service's name; svc: its mapping; model: the whole model */
	void (*check)(struct quai_compose_lint_ctx *ctx, const char *name, const struct quai_yaml_node *svc,
	              const struct quai_yaml_node *model);
};

/* The rules, ending with a { NULL } entry (lint_rules.c). */
extern const struct quai_compose_rule quai_compose_rules[];

/* Reports a finding of the current rule at node (its file:line:col). */
void quai_compose_report(struct quai_compose_lint_ctx *ctx, const struct quai_yaml_node *at, const char *fmt,
                         ...) __attribute__((format(printf, 3, 4)));

/* The key of the service being checked (for findings about the whole
 * service). */
const struct quai_yaml_node *quai_compose_scope(const struct quai_compose_lint_ctx *ctx);

/* True when the scalar at was written in its file with a `$` that
 * interpolation replaced (`${VAR}`, `$VAR`), false for a literal or when
 * the text cannot be read. */
bool quai_compose_interpolated(struct quai_compose_lint_ctx *ctx, const struct quai_yaml_node *at);

/* True when node was read from one of the project's compose files (not an
 * env_file or other source). */
bool quai_compose_from_compose_file(const struct quai_compose_lint_ctx *ctx,
                                    const struct quai_yaml_node *node);

#endif

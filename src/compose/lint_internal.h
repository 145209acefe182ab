/* Internal to src/compose/: the compose files' text, read once per lint run
 * for ignore pragmas (YAML drops comments) and for telling literal values
 * from interpolated ones. */
#ifndef QUAI_COMPOSE_LINT_INTERNAL_H
#define QUAI_COMPOSE_LINT_INTERNAL_H

#include <stdbool.h>

#include "compose/compose.h"
#include "yaml/yaml.h"

struct quai_compose_sources;

struct quai_compose_sources *quai_compose_sources_new(void);
void quai_compose_sources_free(struct quai_compose_sources *s);

/* True when a pragma in file silences code at line: a global one, one in the
 * comment lines right above line or at its end, or one above scope (the key
 * of the service the finding belongs to; may be NULL). */
bool quai_compose_pragma_ignores(struct quai_compose_sources *sources, const char *file, unsigned line,
                                 const struct quai_yaml_node *scope, const char *code);

/* quai_compose_lint with the caller's text cache. */
void quai_compose_lint_with(struct quai_findings *out, const struct quai_compose *c,
                            const struct quai_lint_config *cfg, struct quai_compose_sources *sources);

#endif

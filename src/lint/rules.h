/* Internal to src/lint/: the rule registry. */
#ifndef QUAI_LINT_RULES_H
#define QUAI_LINT_RULES_H

#include "lint/rule.h"

/* Calls fn for every rule that has a check function. */
void quai_lint_rules_foreach(void (*fn)(const struct quai_lint_rule *rule, void *arg), void *arg);

#endif

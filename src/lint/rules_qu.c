#include "lint/rule.h"

const struct quai_lint_rule quai_lint_rules_qu[] = {
	{ NULL, QUAI_LEVEL_IGNORE, NULL, NULL },
};

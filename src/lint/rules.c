/* The rule registry: gathers the tables of the rules_*.c files. */
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "lint/rule.h"
#include "lint/rules.h"

static const struct quai_lint_rule *const tables[] = {
	quai_lint_rules_dl3a,
	quai_lint_rules_dl3b,
	quai_lint_rules_dl4,
	quai_lint_rules_qu,
};

/* Rules with no check function of their own, reported by the engine. */
static const struct quai_lint_rule_info engine_rules[] = {
	{ "DL1000", QUAI_LEVEL_ERROR, "Syntax error: docker would refuse this Dockerfile" },
};

static struct quai_lint_rule_info *infos;
static size_t ninfos;

static int cmp_info(const void *pa, const void *pb)
{
	const struct quai_lint_rule_info *a = pa, *b = pb;
	return strcmp(a->code, b->code);
}

const struct quai_lint_rule_info *quai_lint_rules(size_t *n)
{
	if (!infos) {
		size_t count = sizeof(engine_rules) / sizeof(engine_rules[0]);
		for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
			for (const struct quai_lint_rule *r = tables[t]; r->code; r++)
				count++;
		infos = xcalloc(count, sizeof(*infos));
		for (size_t i = 0; i < sizeof(engine_rules) / sizeof(engine_rules[0]); i++)
			infos[ninfos++] = engine_rules[i];
		for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
			for (const struct quai_lint_rule *r = tables[t]; r->code; r++)
				infos[ninfos++] = (struct quai_lint_rule_info){ r->code, r->level, r->summary };
		qsort(infos, ninfos, sizeof(*infos), cmp_info);
	}
	*n = ninfos;
	return infos;
}

void quai_lint_rules_foreach(void (*fn)(const struct quai_lint_rule *rule, void *arg), void *arg)
{
	for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
		for (const struct quai_lint_rule *r = tables[t]; r->code; r++)
			fn(r, arg);
}

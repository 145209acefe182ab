#include "lint/lint.h"

int quai_lint_shellcheck(struct quai_findings *out, const struct quai_dockerfile *const *dfs, size_t ndfs,
			 const struct quai_lint_config *cfg, struct quai_error **err)
{
	(void)out;
	(void)dfs;
	(void)ndfs;
	(void)cfg;
	return quai_error_set(err, QUAI_EXIT_USAGE, "--shellcheck is not available in this build");
}

/* Internal to the QU rules: the checks that live in rules_qu_vars.c, for the
 * table in rules_qu.c, and what both files share. */
#ifndef QUAI_LINT_RULES_QU_H
#define QUAI_LINT_RULES_QU_H

#include "dockerfile/dockerfile.h"

struct quai_lint_ctx;

void quai_lint_qu0002(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df);
void quai_lint_qu0003(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df);
void quai_lint_qu0006(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df);

/* Index of the earlier stage that `stage` is built FROM, or -1 for an image. */
int quai_lint_qu_parent_stage(const struct quai_dockerfile *df, int stage);

#endif

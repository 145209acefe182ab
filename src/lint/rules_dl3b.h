/* Internal to the rules_dl3b*.c files: the check functions the table in
 * rules_dl3b.c lists, and the small helpers they share. */
#ifndef QUAI_LINT_RULES_DL3B_H
#define QUAI_LINT_RULES_DL3B_H

#include <stdbool.h>
#include <stddef.h>

#include "lint/rule.h"

/* Instruction rules (rules_dl3b_instr.c). */
void quai_lint_dl3043(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df);
void quai_lint_dl3044(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df);
void quai_lint_dl3045(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df);
void quai_lint_dl3057(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df);
void quai_lint_dl3061(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df);
void quai_lint_dl3063(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df);
void quai_lint_dl3064(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df);
void quai_lint_dl3065(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df);
void quai_lint_dl3066(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df);
void quai_lint_dl3067(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df);

/* Label rules (rules_dl3b_labels.c). */
void quai_lint_dl3048(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df);
void quai_lint_dl3049(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df);
void quai_lint_dl3050(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df);
void quai_lint_dl3051(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df);
void quai_lint_dl3052(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df);
void quai_lint_dl3053(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df);
void quai_lint_dl3054(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df);
void quai_lint_dl3055(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df);
void quai_lint_dl3056(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df);
void quai_lint_dl3058(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df);

/* Value validators of the label-schema types (rules_dl3b_labels.c). */
bool quai_lint_valid_url(const char *s);
bool quai_lint_valid_rfc3339(const char *s);
bool quai_lint_valid_spdx(const char *s);
bool quai_lint_valid_git_hash(const char *s);
bool quai_lint_valid_semver(const char *s);
bool quai_lint_valid_email(const char *s);

/* Stages as hadolint tracks them. A stage's key is its alias, else its
 * image name; a FROM refers to an earlier stage when its image name (tag and
 * digest removed) equals that stage's key. True if stage `i`'s image name is
 * `name`. */
bool quai_lint_from_is(const struct quai_dockerfile *df, int i, const char *name);
/* The key of stage `i`: its alias, else its image name. `len` receives its
 * length (the image name is not NUL-terminated where the tag starts). */
const char *quai_lint_stage_key(const struct quai_dockerfile *df, int i, size_t *len);
/* True if stage `i`'s FROM names stage `j` by key. */
bool quai_lint_from_refers(const struct quai_dockerfile *df, int i, int j);

#endif

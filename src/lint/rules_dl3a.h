/* Internal to rules_dl3a*.c: the RUN rules of DL3000-DL3033, defined in
 * rules_dl3a_run.c and listed in the table of rules_dl3a.c. */
#ifndef QUAI_LINT_RULES_DL3A_H
#define QUAI_LINT_RULES_DL3A_H

#include <stdbool.h>

#include "lint/rule.h"

/* True if the path (quotes ignored) ends in an archive extension. */
bool quai_lint_dl3a_is_archive(const char *path);
/* Value of option `key` in a RUN --mount spec ("type=cache,target=/x"),
 * not NUL-terminated: its length goes to *len. NULL if absent. */
const char *quai_lint_dl3a_mount_opt(const char *spec, const char *key, size_t *len);

#define DL3A_RULE(fn) void fn(struct quai_lint_ctx *ctx, const struct quai_dockerfile *df)
DL3A_RULE(quai_lint_dl3001);
DL3A_RULE(quai_lint_dl3003);
DL3A_RULE(quai_lint_dl3004);
DL3A_RULE(quai_lint_dl3005);
DL3A_RULE(quai_lint_dl3008);
DL3A_RULE(quai_lint_dl3009);
DL3A_RULE(quai_lint_dl3010);
DL3A_RULE(quai_lint_dl3013);
DL3A_RULE(quai_lint_dl3014);
DL3A_RULE(quai_lint_dl3015);
DL3A_RULE(quai_lint_dl3016);
DL3A_RULE(quai_lint_dl3017);
DL3A_RULE(quai_lint_dl3018);
DL3A_RULE(quai_lint_dl3019);
DL3A_RULE(quai_lint_dl3027);
DL3A_RULE(quai_lint_dl3028);
DL3A_RULE(quai_lint_dl3030);
DL3A_RULE(quai_lint_dl3031);
DL3A_RULE(quai_lint_dl3032);
DL3A_RULE(quai_lint_dl3033);
#undef DL3A_RULE

#endif

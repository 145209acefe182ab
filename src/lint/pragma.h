/* Internal to src/lint/: ignore pragmas in Dockerfile comments,
 * "# hadolint ignore=DL3008,DL3015", "# hadolint global ignore=DL3059" and
 * the same with "quai" instead of "hadolint". */
#ifndef QUAI_LINT_PRAGMA_H
#define QUAI_LINT_PRAGMA_H

#include <stdbool.h>
#include <stddef.h>

#include "dockerfile/dockerfile.h"

/* The code list of a pragma comment (text after '#'), pointing into `text`,
 * or NULL if the comment is not an ignore pragma. *global tells which form. */
const char *quai_lint_pragma_codes(const char *text, bool *global);
/* True if the code list of a pragma names `code`. */
bool quai_lint_pragma_lists(const char *list, const char *code);
/* True if a pragma silences `code` at top-level instruction `instr`: an
 * inline one just before it, or a global one anywhere in the file. */
bool quai_lint_pragma_ignores(const struct quai_dockerfile *df, size_t instr, const char *code);

#endif

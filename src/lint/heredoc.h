/* Internal to src/lint/: which program runs the first heredoc of a RUN. */
#ifndef QUAI_LINT_HEREDOC_H
#define QUAI_LINT_HEREDOC_H

#include <stdbool.h>
#include <stddef.h>

/* For RUN arguments that start with a heredoc (`<<EOF`) returns true with
 * *len 0: the default shell runs the body. For `PROG <<EOF` returns true with
 * the base name of PROG (`/bin/bash` -> `bash`) in *prog, *len. Otherwise
 * (`cat <<EOF >file`, no heredoc first) returns false. */
bool quai_lint_heredoc_prog(const char *args, const char **prog, size_t *len);

#endif

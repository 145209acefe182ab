/* Git hooks: lint the Dockerfiles and compose files a push or a commit
 * brings, straight from git's object database (no checkout), and install
 * the hook scripts that run quai.
 *
 * The checks append findings; the caller prints them and decides. A hook's
 * own failure (unreadable repository, bad input from git) is returned as an
 * error, so that the caller can fail open or closed as configured. */
#ifndef QUAI_HOOK_HOOK_H
#define QUAI_HOOK_HOOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/error.h"
#include "lint/lint.h"

struct git_repository;

struct quai_hook_stats {
	size_t refs;    /* ref updates read */
	size_t commits; /* new commits walked */
	size_t files;   /* files linted */
};

/* pre-receive: reads "<old> <new> <ref>" lines from in (at most 64 KiB per
 * line, 100000 lines) and lints, as the new tip of each updated ref has
 * them, the Dockerfiles and compose files that the pushed commits add or
 * change. Pushed commits are those reachable from the new tip and from no
 * ref the repository already has, so a new branch is checked for what it
 * brings, a force push for its new commits, a deleted ref is skipped, and a
 * tag is checked like a branch (the commit it points to, annotated or not).
 * Findings go to out with repository-relative paths. */
int quai_hook_pre_receive(struct quai_findings *out, struct quai_hook_stats *stats,
                          struct git_repository *repo, FILE *in, const struct quai_lint_config *cfg,
                          struct quai_error **err);

/* pre-commit: lints the Dockerfiles and compose files staged in the index
 * (added or changed against HEAD), as the index has them. */
int quai_hook_pre_commit(struct quai_findings *out, struct quai_hook_stats *stats,
                         struct git_repository *repo, const struct quai_lint_config *cfg,
                         struct quai_error **err);

enum quai_hook_kind {
	QUAI_HOOK_PRE_RECEIVE,
	QUAI_HOOK_PRE_COMMIT,
	QUAI_HOOK_POST_RECEIVE, /* tells a quai server about pushed refs (quai_hook_post_receive) */
};

/* Writes the hook script of kind into repo's hooks directory (core.hooksPath
 * when set): `exec 'PROGRAM' hook KIND`, mode 0755. An existing hook that
 * quai did not write is kept unless force. program must be an absolute
 * path of plain characters (it is quoted in the script, never
 * interpreted). *path_out receives the script's path (caller frees). */
int quai_hook_install(char **path_out, struct git_repository *repo, enum quai_hook_kind kind,
                      const char *program, bool force, struct quai_error **err);
/* As quai_hook_install, with args (NULL-terminated, may be NULL) after
 * `hook KIND`, each single-quoted in the script: data, never shell. */
int quai_hook_install_args(char **path_out, struct git_repository *repo, enum quai_hook_kind kind,
                           const char *program, const char *const *args, bool force, struct quai_error **err);

/* post-receive: reads "<old> <new> <ref>" lines from in and tells the quai
 * server at server_url (http or https) about each, POSTing quai's generic
 * signed form (docs/server.md) to SERVER/hooks/PROJECT, signed with the
 * HMAC key read from secret_file. A ref the server could not be told about
 * is a warning on stderr, never a failure: the push has happened. Returns
 * -1 only for bad arguments or an unreadable secret. */
int quai_hook_post_receive(FILE *in, const char *server_url, const char *project, const char *secret_file,
                           struct quai_error **err);

#endif

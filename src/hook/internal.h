/* Internal to src/hook/: linting one file held in git's object database. */
#ifndef QUAI_HOOK_INTERNAL_H
#define QUAI_HOOK_INTERNAL_H

#include <git2.h>

#include "hook/hook.h"

/* Where the other files of a commit are found: the tree of a commit
 * (pre-receive) or the index (pre-commit). Exactly one is set. */
struct hook_source {
	git_repository *repo;
	git_tree *tree;
	git_index *index;
};

/* Lints path (a Dockerfile or a compose file, by name) whose content is the
 * blob oid, appending findings under the repository-relative path. A
 * compose file is loaded from a private temporary directory holding it and
 * the files it refers to (.env, env_file, extends, include, build
 * contexts, secret and config files) as src has them; variables come from
 * that .env only, never from the hook's environment. */
int quai_hook_lint_blob(struct quai_findings *out, const struct hook_source *src, const char *path,
                        const git_oid *oid, const struct quai_lint_config *cfg, struct quai_error **err);

/* True for a path quai's hooks lint: Dockerfiles and compose files. */
bool quai_hook_wanted(const char *path);

/* "what failed: libgit2's message" as an error. */
int quai_hook_git_error(struct quai_error **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif

/* Git repositories through libgit2: the facts quai needs from history.
 *
 * One quai_git per open repository; strings returned through out
 * parameters belong to the caller (free()). Modules that need more of
 * libgit2 take the raw handle with quai_git_raw(). */
#ifndef QUAI_GIT_GIT_H
#define QUAI_GIT_GIT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

struct git_repository;
struct quai_git;

/* Opens the repository holding path (searching upwards like git does). */
int quai_git_open(struct quai_git **out, const char *path, struct quai_error **err);
void quai_git_free(struct quai_git *g);
/* The raw libgit2 handle, owned by g. */
struct git_repository *quai_git_raw(struct quai_git *g);
/* Absolute path of the working tree, ending with '/'; NULL for a bare repository. */
const char *quai_git_workdir(const struct quai_git *g);

/* Resolves a revision (sha, branch, tag, "HEAD~2", ...) to a 40-hex commit id. */
int quai_git_resolve(struct quai_git *g, char out[41], const char *rev, struct quai_error **err);
/* The current branch's short name in *out, or NULL when HEAD is detached. */
int quai_git_branch(struct quai_git *g, char **out, struct quai_error **err);
/* The default branch: origin/HEAD's target, else "main" or "master" if it exists, else *out = NULL. */
int quai_git_default_branch(struct quai_git *g, char **out, struct quai_error **err);
/* The merge base of two commits; -1 with an error when they share no history. */
int quai_git_merge_base(struct quai_git *g, char out[41], const char *a, const char *b, struct quai_error **err);

/* Paths (repository-relative, '/'-separated, sorted, unique) that differ
 * between the trees of commits from and to, renames counted as both paths;
 * from NULL means every path of to. With dirty, the working tree's
 * uncommitted, staged and untracked (not ignored) changes count too. The
 * vector is NULL-terminated; free with quai_git_strv_free. */
int quai_git_changed(struct quai_git *g, char ***out, size_t *n, const char *from, const char *to, bool dirty,
		     struct quai_error **err);
void quai_git_strv_free(char **v);

/* The blob at path (repository-relative) in the tree of commit rev: 1 with
 * *out (NUL-terminated, caller frees) and *len; 0 with *out NULL when rev
 * has no such file; -1 with an error, also when it is larger than cap. */
int quai_git_read_blob(struct quai_git *g, char **out, size_t *len, const char *rev, const char *path, size_t cap,
		       struct quai_error **err);
/* Whether git ignores path (repository-relative) by .gitignore & co.;
 * false for a path with something tracked under it. */
bool quai_git_is_ignored(struct quai_git *g, const char *path);

#endif

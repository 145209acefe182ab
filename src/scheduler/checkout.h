/* Fetching what a pipeline runs, through libgit2: one bare mirror per
 * project (DATA_DIR/mirrors/NAME.git), updated before each run, and a
 * fresh working tree per run cloned from it. */
#ifndef QUAI_SCHEDULER_CHECKOUT_H
#define QUAI_SCHEDULER_CHECKOUT_H

#include "core/error.h"
#include "server/config.h"

/* Before any other call, and after the last one. */
void quai_checkout_init(void);
void quai_checkout_shutdown(void);

/* Creates or updates the mirror at mirror_dir from the project's url:
 * every branch and tag, plus extra_ref when it is neither (a pull
 * request's ref), or NULL. Messages never hold the url's credentials. */
int quai_checkout_fetch(const struct quai_project_config *p, const char *mirror_dir, const char *extra_ref,
                        struct quai_error **err);
/* The commit refs/heads/branch points to in the mirror, as 40 hex. */
int quai_checkout_resolve(const char *mirror_dir, const char *ref, char out[41], struct quai_error **err);
/* Clones the mirror into dir (which must not exist) and checks out sha
 * on a local branch named branch (detached when branch is NULL); origin
 * is then origin_url (the project's own remote, for pushing tags), when
 * not NULL. */
int quai_checkout_worktree(const char *mirror_dir, const char *dir, const char *sha, const char *branch,
                           const char *origin_url, struct quai_error **err);
/* The remote's branches: names (without refs/heads/) and their commits,
 * both NULL-terminated arrays the caller frees. */
int quai_checkout_ls_remote(const struct quai_project_config *p, char ***names, char ***shas,
                            struct quai_error **err);
/* rm -rf path (no symlinks followed); 0 when it does not exist. */
int quai_checkout_remove(const char *path);

#endif

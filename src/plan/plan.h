/* The monorepo model: which directories are images, what they are built
 * FROM, and which of them a change affects, in build order.
 *
 * quai_repo is what `quai.yml` and the Dockerfiles say (no history);
 * quai_plan is the result of comparing two commits against it. Both own
 * everything they point to. */
#ifndef QUAI_PLAN_PLAN_H
#define QUAI_PLAN_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

struct quai_repo_image {
	char *name;        /* quai.yml `name`, else the directory's base name */
	char *dir;         /* repository-relative directory of the Dockerfile, "." for the root */
	char *context;     /* repository-relative build context (default: dir) */
	char *dockerfile;  /* repository-relative Dockerfile/Containerfile path */
	char *target;      /* --target, or NULL */
	char **build_args; /* "KEY=VALUE", NULL-terminated (quai.yml build_args) */
	char *tests;       /* repository-relative spec, or NULL: DIR/tests.yml, else DIR/container-structure-test.yaml, else none */
	char **tags;       /* extra tags from quai.yml, NULL-terminated */
	char **inputs;     /* repository-relative paths outside the context that affect it, NULL-terminated */
	char *repository;  /* REGISTRY/NAMESPACE/NAME with the parts that are set, e.g. "127.0.0.1:5000/team/x3-base" */
	/* In-repository images this one is built FROM (any stage) or copies
	 * from (COPY --from=): indices into quai_repo.images, and for each the
	 * reference exactly as the Dockerfile names it after ARG expansion
	 * ("x3-base", "x3-base:1.2", "reg/ns/x3-base:latest"), so that a run
	 * can tag the parent it just built with that name before building.
	 * Sorted by index, then reference; an index appears once per distinct
	 * reference (FROM x3-base and COPY --from=x3-base:1 give two). A
	 * reference pinned by digest (NAME@sha256:...) is not a dependency. */
	size_t *parents;
	char **parent_refs;
	size_t nparents;
};

struct quai_repo {
	char *root;            /* absolute path of the working tree, no trailing '/' */
	char *registry;        /* quai.yml `registry`, or NULL */
	char *namespace;       /* quai.yml `namespace`, or NULL */
	char **push_branches;  /* quai.yml branches that push, NULL-terminated; NULL: the default branch */
	char *default_branch;  /* from git (see git.h), or NULL */
	struct quai_repo_image *images; /* every image, sorted by name */
	size_t nimages;
};

/* Discovers the images of the working tree holding path, reads quai.yml
 * (file:line:col errors), resolves dependencies; a cycle is an error that
 * names it ("a -> b -> a"). */
int quai_repo_load(struct quai_repo **out, const char *path, struct quai_error **err);
void quai_repo_free(struct quai_repo *repo);
/* The image named name, or NULL. */
const struct quai_repo_image *quai_repo_find(const struct quai_repo *repo, const char *name);

struct quai_plan_entry {
	size_t image;  /* index into quai_repo.images */
	/* NULL-terminated, in this order: "changed: PATH" (a file of the
	 * context not excluded by its .dockerignore, the Dockerfile, the
	 * .dockerignore or the test spec), "input changed: PATH",
	 * "quai.yml: registry changed", "quai.yml: namespace changed",
	 * "quai.yml: entry 'DIR' changed", "quai.yml changed" (unreadable at
	 * one side), "all images requested" (--all), "no earlier commit to
	 * compare with" (no base), then "depends on NAME" for each parent in
	 * the plan, by name. */
	char **reasons;
};

struct quai_plan {
	char *since; /* resolved 40-hex commit, or NULL: everything */
	char *head;  /* 40-hex commit of HEAD */
	char *branch; /* current branch; when detached, the CI's (QUAI_BRANCH, CI_COMMIT_BRANCH,
		       * GITHUB_REF refs/heads/..., BRANCH_NAME), else NULL */
	struct quai_plan_entry *entries; /* affected images in a valid build order */
	size_t n;
};

struct quai_plan_options {
	const char *since; /* a revision, or NULL for the default (see quai_plan_compute) */
	bool dirty;        /* uncommitted and untracked changes count */
	bool all;          /* every image, whatever changed */
};

/* Without since: the last commit `quai run` recorded as built successfully
 * on this branch (quai_plan_last_success), else the merge base with the
 * default branch (the local branch, else origin/NAME), else everything.
 * On the default branch itself, with no record, everything; so too when
 * HEAD is detached, its branch unknown, and already in the default
 * branch. A change is
 * HEAD's tree against since's (with dirty: the working tree against
 * since's); the Dockerfiles and .dockerignore files read are the working
 * tree's. */
int quai_plan_compute(struct quai_plan **out, const struct quai_repo *repo, const struct quai_plan_options *o,
		      struct quai_error **err);
void quai_plan_free(struct quai_plan *plan);
/* Writes the plan as {"since", "head", "images": [{"name", "dir", "reasons", "depends_on"}]}. */
char *quai_plan_json(const struct quai_plan *plan, const struct quai_repo *repo);

/* Checks quai.yml text as quai_repo_load reads it (keys, types, paths),
 * without looking at the repository: "FILE:LINE:COL: ..." errors. */
int quai_plan_config_check(const char *file, const char *data, size_t len, struct quai_error **err);

/* The record kept in ROOT/.quai/state.json (git-ignored): the last commit
 * a complete, successful `quai run` built on each branch. *out NULL when none.
 * branch NULL (detached HEAD) is recorded under "HEAD". The file is
 * {"branches": {"BRANCH": {"last_success": SHA}}}; other keys are kept as
 * they are, so that `quai run` may store more there. Writing creates
 * ROOT/.quai/ with a .gitignore of "*" and replaces the file atomically. */
int quai_plan_last_success(const struct quai_repo *repo, const char *branch, char **out, struct quai_error **err);
int quai_plan_record_success(const struct quai_repo *repo, const char *branch, const char *sha,
			     struct quai_error **err);

#endif

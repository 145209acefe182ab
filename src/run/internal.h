/* What the files of src/run/ share: one struct run for the whole pipeline,
 * one struct run_image per affected image. */
#ifndef QUAI_RUN_INTERNAL_H
#define QUAI_RUN_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

#include "core/error.h"
#include "plan/plan.h"
#include "run/run.h"

struct quai_engine;
struct quai_git;

enum run_step_kind { STEP_LINT, STEP_BUILD, STEP_TEST, STEP_PUSH, STEP_TAG, NSTEPS };

enum run_status {
	ST_PENDING = 0,
	ST_RUNNING,
	ST_OK,
	ST_FAILED,
	ST_SKIPPED, /* not run: a dependency failed, lint stopped the run, --no-push */
	ST_NONE,    /* nothing to do: no tests spec, a branch that pins no version */
};

struct run_step {
	enum run_status status;
	double seconds;
	char *note; /* why it failed or was skipped, or what it did ("resumed"); may be NULL */
};

struct run_ref {
	char *ref;     /* REPO:TAG */
	bool floating; /* may move to another image (latest, X.Y, a branch) */
	char *digest;  /* once pushed */
};

struct run_image {
	const struct quai_repo_image *img;
	char **reasons; /* borrowed from the plan */
	size_t *deps;   /* indices into run.images: in-run images it is built FROM */
	size_t ndeps;
	struct run_step steps[NSTEPS];
	char *stem; /* RUN_DIR/NAME, for its files: .log, .junit.xml, .STEP.out */
	char *log;  /* absolute path of its log */
	char *image_id;
	char *version;      /* X.Y.Z once known */
	char *version_from; /* "VERSION", "label", "git tags" */
	struct run_ref *refs;
	size_t nrefs;
	char *git_tag; /* NAME/vX.Y.Z once created */
	bool tag_pushed;
	/* the step in progress */
	pid_t pid;
	enum run_step_kind cur;
	char *outfile;    /* the child's --iidfile/--digest-file */
	bool lint_errors; /* error-level findings */
	struct timespec step_start;
	double seconds; /* total of its steps */
};

struct run {
	const struct quai_run_options *o;
	struct quai_repo *repo;
	struct quai_plan *plan;
	struct quai_engine *engine;
	struct quai_git *git;
	char *id;     /* 20261122T051500Z-1a2b */
	char *dir;    /* ROOT/.quai/runs/ID */
	char *branch; /* NULL when detached and no CI variable names it */
	char short_sha[13];
	bool pushing; /* a branch that pins versions */
	unsigned jobs;
	char *started; /* RFC 3339 */
	struct run_image *images;
	size_t n;
	struct timespec t0;
	int interrupted; /* the signal that stopped the run, or 0 */
	char *tags_note; /* why the tags were not pushed to origin, or NULL */
	size_t drawn;    /* live lines on the terminal */
	int lock_fd;     /* ROOT/.quai/lock, held for the run; 0 before */
	bool tags_failed;
};

/* ---- versions (version.c) ---- */

struct semver {
	unsigned long major, minor, patch;
	char pre[64]; /* "rc.1" or "" */
};

/* Parses "X.Y.Z" or "X.Y.Z-PRE" (a leading 'v' allowed); -1 if it is not one. */
int run_semver_parse(struct semver *out, const char *s);
int run_semver_cmp(const struct semver *a, const struct semver *b);
/* "X.Y.Z[-PRE]"; caller frees. */
char *run_semver_str(const struct semver *v);
/* The next version for image name given its git tags (any, not only its own):
 * the tag NAME/vX.Y.Z that points at head if there is one, else the patch
 * after the highest NAME/vX.Y.Z, else 0.1.0. tag_commits[i] is the commit of
 * tags[i]. Caller frees. */
char *run_version_from_tags(const char *name, const char *const *tags, const char *const *tag_commits,
                            size_t ntags, const char *head);
/* A branch name as a tag: lowercase [a-z0-9._-], at most 128 characters, never empty. */
char *run_branch_slug(const char *branch);
/* The references to push: on a pushing branch REPO:X.Y.Z, :X.Y, :X, :latest
 * (the last three not for a pre-release), extra tags and :SHA; elsewhere
 * REPO:SLUG and :SHA. */
void run_refs_plan(struct run_ref **out, size_t *n, const char *repository, const char *version, bool pushing,
                   const char *branch, const char *short_sha, char *const *extra);
void run_refs_free(struct run_ref *refs, size_t n);
/* The version a Dockerfile sets with LABEL org.opencontainers.image.version
 * in its final (or target) stage, ARG defaults and build_args expanded; NULL
 * when none, or with *unresolved when it names a variable without a value
 * here (the built image's label says then). */
char *run_version_from_dockerfile(const char *path, const char *target, char *const *build_args,
                                  bool *unresolved);

/* ---- records (record.c) ---- */

const char *run_status_name(enum run_status s);
int run_status_parse(const char *s);
const char *run_step_name(enum run_step_kind k);
json_t *run_record_json(const struct run *r, const char *status);
/* Writes ROOT/.quai/runs/ID/run.json atomically (temporary file, fsync, rename). */
int run_record_save(const struct run *r, const char *status, struct quai_error **err);
int run_write_atomic(const char *path, const char *data, size_t len, struct quai_error **err);
/* Carries over from the newest earlier record of the same commit what
 * finished there: builds whose image still exists, passed tests, pushes of
 * the same references, tags. */
void run_record_resume(struct run *r);
/* The versions of image name that earlier runs pushed as REPO:X.Y.Z, as
 * tags "NAME/vX.Y.Z" with the commits they were built from (NULL-terminated,
 * free with quai_git_strv_free); returns their number. */
size_t run_record_pushed_versions(const struct run *r, const char *name, char ***tags, char ***commits);
/* The newest recorded image ID of image name that passed its tests, in an
 * earlier run of HEAD or one of its ancestors; NULL if none. Caller frees. */
char *run_record_last_image(const struct run *r, const char *name);

/* ---- before anything is built (gate.c) ---- */

/* Lints every Dockerfile (the configuration quai lint finds at the root);
 * with an error-level finding anywhere, every later step is skipped.
 * *failed counts the Dockerfiles with errors; -1 for a bad configuration. */
int run_lint_all(struct run *r, size_t *failed, struct quai_error **err);
/* What is pushed and tagged must be what the commit holds: uncommitted
 * changes to a file that goes into an image of the run are an error. */
int run_check_clean(struct run *r, struct quai_error **err);
/* Warns about an image whose context, the repository's root, would send
 * .quai/ (the logs being written) to the engine. */
void run_warn_root_context(const struct run *r);

/* ---- child processes and the scheduler (sched.c) ---- */

int run_schedule(struct run *r, struct quai_error **err);
/* Whether every in-run ancestor of images[i] passed its tests. */
bool run_ancestors_tested(const struct run *r, size_t i);

/* ---- steps done in quai itself (steps.c) ---- */

/* argv for a step's child process; NULL-terminated, free with run_argv_free. */
char **run_step_argv(struct run *r, size_t i, enum run_step_kind k, bool floating);
void run_argv_free(char **argv);
/* Tags each parent's fresh image ID with the references images[i]'s Dockerfile uses. */
int run_tag_parents(struct run *r, size_t i, struct quai_error **err);
/* Decides images[i]'s version and references (before its push). */
int run_prepare_push(struct run *r, size_t i, struct quai_error **err);

/* ---- git tags (gittag.c) ---- */

/* Lists tags as names and target commits; caller frees with quai_git_strv_free. */
int run_git_tags(struct quai_git *g, char ***names, char ***commits, size_t *n, struct quai_error **err);
/* Creates the annotated tag name on commit unless it exists there; a tag
 * that exists on another commit is an error (tags are never moved). */
int run_git_tag(struct quai_git *g, const char *name, const char *commit, const char *message,
                struct quai_error **err);
/* Fetches origin's tags that are not here (none is moved), so that versions
 * count the releases made elsewhere; 0 without origin. */
int run_git_fetch_tags(struct quai_git *g, struct quai_error **err);
/* Pushes refs/tags/NAME for each name to origin; *skipped set when there is no origin. */
int run_git_push_tags(struct quai_git *g, char *const *names, size_t n, bool *skipped,
                      struct quai_error **err);

/* ---- output (progress.c) ---- */

void run_progress_start(struct run *r);
void run_progress_event(struct run *r, size_t i, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void run_progress_tick(struct run *r);
void run_progress_end(struct run *r);
void run_summary(const struct run *r, FILE *out);

double run_elapsed(const struct timespec *since);

#endif

/* Pipelines as code: `.gitlab-ci.yml` (or `.quai-ci.yml`) read with
 * GitLab's semantics into a resolved job graph, and the decision of which
 * jobs a pipeline for a given commit, ref and source creates.
 *
 * quai_pipeline_load reads the file and its `include:local` files, resolves
 * `default`, `extends`, `!reference`, anchors and merge keys, expands
 * `parallel` (N and matrix) into concrete jobs, evaluates `workflow:rules`
 * and each job's `rules` / `only` / `except` against the context, and
 * resolves `needs` and `dependencies` to concrete job names. Anything it
 * does not support, or any keyword it does not know, is an error naming the
 * keyword at its file:line:col: nothing is silently ignored.
 *
 * A quai_pipeline owns everything it points to; strings are NUL-terminated,
 * string vectors (char **) NULL-terminated and NULL when the keyword was not
 * given. Executors read the model and ask quai_pipeline_job_env() for the
 * variables a job runs with. */
#ifndef QUAI_PIPELINE_PIPELINE_H
#define QUAI_PIPELINE_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

/* ---- variables ---- */

struct quai_pipeline_var {
	char *key;
	char *value;
	bool raw;          /* `expand: false` (or a file's `raw`): $VAR in value is not expanded */
	bool masked;       /* never printed: not in logs, not by --list */
	bool file;         /* a file variable: the executor writes value to a file and sets key to its path */
	char *description; /* `description`, or NULL */
};

/* An ordered set of variables; a later entry with the same key wins. */
struct quai_pipeline_vars {
	struct quai_pipeline_var *v;
	size_t n;
	size_t cap;
};

/* Appends (copies key and value); returns the new entry. */
struct quai_pipeline_var *quai_pipeline_vars_add(struct quai_pipeline_vars *vars, const char *key,
                                                 const char *value);
/* The last entry named key, or NULL. */
const struct quai_pipeline_var *quai_pipeline_vars_get(const struct quai_pipeline_vars *vars,
                                                       const char *key);
void quai_pipeline_vars_release(struct quai_pipeline_vars *vars);

/* Reads a variables file into out (appending): a YAML mapping of
 * NAME: value, or NAME: {value, masked, raw, file, description}.
 * Errors have the file:line:col. */
int quai_pipeline_vars_load(struct quai_pipeline_vars *out, const char *path, struct quai_error **err);
/* Adds "K=V" (from --variable); -1 when text has no '=' or a bad name. */
int quai_pipeline_vars_parse(struct quai_pipeline_vars *out, const char *text, struct quai_error **err);

/* Expands $VAR, ${VAR} and $$ (a literal $) in s with the variables of
 * vars as GitLab does (unknown variables expand to ""); variables that are
 * not raw are expanded in turn, at most 10 levels deep (a cycle stops there).
 * Returns a new string the caller frees. */
char *quai_pipeline_expand(const char *s, const struct quai_pipeline_vars *vars);

/* ---- what the pipeline is created for ---- */

/* A change set for `changes:`: every path the push changed, repository
 * relative, '/'-separated. */
struct quai_pipeline_changes {
	const char *const *paths;
	size_t n;
	/* When true, every `changes:` rule is true, as GitLab does for a new
	 * branch, a tag, or a source other than push/merge request. */
	bool all;
};

struct quai_pipeline_context {
	/* The project directory: `include:local` and `exists:` are relative to
	 * it. NULL: the current directory. */
	const char *project_dir;
	/* The pipeline file; NULL: PROJECT_DIR/.quai-ci.yml when it exists,
	 * else PROJECT_DIR/.gitlab-ci.yml. Relative to the current directory. */
	const char *file;
	/* The file's content instead of reading it (fuzzing, tests, stdin);
	 * file then only names it in messages. */
	const char *data;
	size_t len;

	const char *sha;            /* 40 hex; NULL: forty zeros */
	const char *before_sha;     /* NULL: forty zeros */
	const char *branch;         /* the branch pushed, or NULL */
	const char *tag;            /* the tag pushed, or NULL (then branch is ignored) */
	const char *default_branch; /* NULL: "main" */
	const char *source; /* CI_PIPELINE_SOURCE: "push" (NULL), "web", "schedule", "merge_request_event",
	                       "api", "trigger"... */
	const char *commit_message; /* NULL: "" */
	const char *project_path;   /* "group/project"; NULL: "local/" + the project directory's name */
	const char *registry;       /* CI_REGISTRY; NULL: "registry.local" */
	const char *pipeline_id;    /* CI_PIPELINE_ID and CI_PIPELINE_IID; NULL: "1" */

	/* What `changes:` compares against (the push's before..sha). */
	struct quai_pipeline_changes changes;
	/* For `changes:compare_to: REF`: the paths changed between ref and
	 * sha, in *out (caller-owned NULL-terminated vector the module frees
	 * with free() on each entry and on the vector). NULL: compare_to is
	 * an error saying it needs a repository. */
	int (*compare)(void *ud, const char *ref, char ***out, struct quai_error **err);
	void *compare_ud;

	/* Variables from `--variable K=V` and a variables file (with masked,
	 * raw and file flags): the highest precedence, like project or
	 * pipeline variables in GitLab. */
	const struct quai_pipeline_vars *variables;
};

/* ---- the resolved model ---- */

enum quai_pipeline_when {
	QUAI_PIPELINE_ON_SUCCESS,
	QUAI_PIPELINE_ON_FAILURE,
	QUAI_PIPELINE_ALWAYS,
	QUAI_PIPELINE_MANUAL,
	QUAI_PIPELINE_DELAYED,
	QUAI_PIPELINE_NEVER,
};

/* "on_success", "on_failure", "always", "manual", "delayed", "never". */
const char *quai_pipeline_when_name(enum quai_pipeline_when when);

enum quai_pipeline_cache_policy {
	QUAI_PIPELINE_PULL_PUSH,
	QUAI_PIPELINE_PULL,
	QUAI_PIPELINE_PUSH,
};

struct quai_pipeline_image {
	char *name;        /* expanded; NULL when the job has no image */
	char **entrypoint; /* NULL: the image's own; [""] clears it */
	char *pull_policy; /* "always", "if-not-present", "never" (first of a list), or NULL */
};

struct quai_pipeline_service {
	char *name;  /* expanded image name */
	char *alias; /* one or more names, comma-separated ("db,postgres"); NULL: GitLab's default
		       aliases (see quai_pipeline_service_aliases) */
	char **command;
	char **entrypoint;
	struct quai_pipeline_vars variables;
};

struct quai_pipeline_need {
	char *job;      /* a concrete job name (a parallel job's needs list every instance) */
	bool artifacts; /* default true */
	bool optional;
};

struct quai_pipeline_artifacts {
	bool set;       /* the job has `artifacts:` */
	char **paths;   /* expanded */
	char **exclude; /* expanded */
	bool untracked;
	enum quai_pipeline_when when; /* on_success (default), on_failure, always */
	char *expire_in;              /* as written, or NULL */
	char *name;                   /* expanded, or NULL: "artifacts" */
	char **reports_junit;
	char **reports_dotenv;
	bool expose_set; /* `expose_as` / `public` were given (not used by executors) */
};

struct quai_pipeline_cache {
	char *key; /* expanded; "default" when not given; with key:files the
	              computed key is the executor's (prefix + hash of the files) */
	char **key_files;
	char *key_prefix;
	char **paths;
	enum quai_pipeline_cache_policy policy;
	enum quai_pipeline_when when; /* on_success (default), on_failure, always */
	bool untracked;
	char **fallback_keys;
};

struct quai_pipeline_retry {
	int max;     /* 0..2; 0: no retry */
	char **when; /* "always" (NULL means always), "script_failure", ... */
	int *exit_codes;
	size_t nexit_codes;
};

struct quai_pipeline_job {
	char *name; /* the concrete name: "test", "test 2/3", "test: [ruby, 3]" */
	char *base; /* the name in the file (differs for parallel jobs) */
	char *stage;
	size_t stage_index; /* into quai_pipeline.stages */
	const char *file;   /* where the job is defined (owned by the pipeline) */
	unsigned line, col;

	char **before_script; /* after default:, extends and !reference; NULL when empty */
	char **script;        /* never NULL for a created job (trigger jobs are refused) */
	char **after_script;
	struct quai_pipeline_image image;
	struct quai_pipeline_service *services;
	size_t nservices;
	/* The job's variables in the order GitLab applies them: the global
	 * variables it inherits, the job's `variables:`, matrix values, then
	 * the matching rule's `variables:`; one entry per name. Not expanded
	 * (see quai_pipeline_job_env). */
	struct quai_pipeline_vars variables;
	char **tags; /* expanded */

	/* The outcome of rules / only / except for this pipeline. */
	char *reason;                 /* why (not): "rules[1]: if '$CI_COMMIT_BRANCH == \"main\"' is true" */
	enum quai_pipeline_when when; /* after rules */
	bool created;                 /* the job is part of the pipeline */
	bool allow_failure;           /* after rules; manual jobs outside rules default true as in GitLab */
	bool has_needs;               /* `needs:` given (even empty): the DAG, not stage order, decides */
	bool has_dependencies;        /* `dependencies:` given; else every earlier-stage job (or needs) */
	bool interruptible;
	char *start_in;           /* for delayed, as written ("30 minutes") */
	long start_in_s;          /* the same in seconds */
	int *allow_failure_codes; /* allow_failure:exit_codes */
	size_t nallow_failure_codes;

	struct quai_pipeline_retry retry;
	long timeout_s; /* 0: the default (1 hour) */

	struct quai_pipeline_need *needs;
	size_t nneeds;
	char **dependencies; /* concrete job names */

	struct quai_pipeline_artifacts artifacts;
	struct quai_pipeline_cache *caches;
	size_t ncaches;

	int node_index, node_total; /* CI_NODE_INDEX / CI_NODE_TOTAL; 0 when not parallel */
	char *resource_group;       /* expanded, or NULL */
	char *environment;          /* environment:name expanded, or NULL */
	char *coverage;             /* the coverage regex, or NULL */
};

struct quai_pipeline {
	char *file;        /* the main pipeline file */
	char **files;      /* every file read (main first, then includes) */
	char *project_dir; /* absolute, no trailing '/' */

	char **stages; /* ".pre", the file's stages (default build, test, deploy), ".post" */
	size_t nstages;

	/* Workflow: whether a pipeline is created at all, and why. */
	bool created;
	char *reason;
	char *name;        /* workflow:name expanded, or NULL */
	char *auto_cancel; /* workflow:auto_cancel:on_new_commit, or NULL */

	/* Predefined variables of the pipeline (CI, CI_COMMIT_*, CI_PIPELINE_*,
	 * CI_PROJECT_*, CI_REGISTRY*, GITLAB_CI...), then the file's global
	 * `variables:` (with the matching workflow rule's `variables:`). */
	struct quai_pipeline_vars predefined;
	struct quai_pipeline_vars variables;
	/* The context's variables (copied). */
	struct quai_pipeline_vars user;

	/* Every job that is not hidden, parallel jobs expanded, ordered by
	 * stage then file order; created or not (see job.created). */
	struct quai_pipeline_job *jobs;
	size_t njobs;
};

/* Loads and resolves the pipeline for ctx. Returns -1 with an error
 * ("FILE:LINE:COL: ...", status QUAI_EXIT_USAGE) for unreadable files,
 * YAML errors, unknown or unsupported keywords, wrong types, bad rules
 * expressions, extends/!reference cycles, needs on jobs that do not exist
 * or come in a later stage. A workflow that creates no pipeline is not an
 * error: *out has created false and its reason. */
int quai_pipeline_load(struct quai_pipeline **out, const struct quai_pipeline_context *ctx,
                       struct quai_error **err);
void quai_pipeline_free(struct quai_pipeline *p);

static inline void cleanup_pipelinep(struct quai_pipeline **p)
{
	quai_pipeline_free(*p);
}
#define cleanup_pipeline __attribute__((cleanup(cleanup_pipelinep)))

/* The job named name (concrete name), or NULL. */
const struct quai_pipeline_job *quai_pipeline_find(const struct quai_pipeline *p, const char *name);

/* The variables job runs with, in GitLab's precedence from lowest to
 * highest (a later key wins): predefined pipeline variables, the job's
 * predefined ones (CI_JOB_NAME, CI_JOB_STAGE, CI_JOB_ID = job_id,
 * CI_NODE_INDEX/TOTAL...), the global variables the job inherits and its
 * own (job->variables), dotenv (from artifacts:reports:dotenv of the jobs
 * it depends on; may be NULL), then the context's variables. Values are expanded
 * (raw ones kept as written). Release out with quai_pipeline_vars_release. */
void quai_pipeline_job_env(struct quai_pipeline_vars *out, const struct quai_pipeline *p,
                           const struct quai_pipeline_job *job, long job_id,
                           const struct quai_pipeline_vars *dotenv);

/* The predefined variables of a pipeline for ctx (what p->predefined
 * holds), for callers that have no loaded pipeline. */
void quai_pipeline_predefined(struct quai_pipeline_vars *out, const struct quai_pipeline_context *ctx);

/* CI_COMMIT_REF_SLUG's rule: lowercase, every character outside
 * [a-z0-9] replaced by '-', at most 63 bytes, no leading or trailing '-'. */
char *quai_pipeline_slug(const char *ref);

/* A service's network aliases when it has no alias: the image name
 * without tag/digest, with '/' replaced by '__' and by '-'
 * ("tutum/wordpress" -> "tutum__wordpress", "tutum-wordpress"). A
 * NULL-terminated vector the caller frees. */
char **quai_pipeline_service_aliases(const char *image);

/* Evaluates a `rules:if` / `only:variables` expression against vars:
 * *out true or false. A syntax error is -1 with "col N: ..." (callers
 * prefix the file:line:col of the expression). */
int quai_pipeline_if(bool *out, const char *expr, const struct quai_pipeline_vars *vars,
                     struct quai_error **err);

/* True when base is a pipeline file name quai reads: ".gitlab-ci.yml",
 * ".quai-ci.yml", or one ending in ".gitlab-ci.yml". */
bool quai_pipeline_is_pipeline_name(const char *base);

/* Parses duration text as GitLab does ("1h 30m", "2 hours", "90 minutes",
 * "3600", "1 day", "1 week"...): seconds in *out; -1 when it is not one. */
int quai_pipeline_duration(long *out, const char *text);

#endif

/* The server's durable state: one SQLite database in WAL mode
 * (DATA_DIR/quai.db) with versioned migrations, holding deliveries,
 * pipelines, jobs (with the path and size of their log), API tokens
 * (hashed), and the branch heads seen by polling.
 *
 * One connection, guarded by a mutex: every function may be called from
 * any thread. A function that writes commits before it returns
 * (synchronous=FULL), so what it reports done survives a kill -9.
 * JSON values returned through out parameters belong to the caller
 * (json_decref). */
#ifndef QUAI_STORE_STORE_H
#define QUAI_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

struct json_t;
struct quai_store;

#define QUAI_STORE_SCHEMA_VERSION 4

/* Pipeline and job statuses, as stored and shown by the API. */
#define QUAI_ST_QUEUED   "queued"
#define QUAI_ST_RUNNING  "running"
#define QUAI_ST_SUCCESS  "success"
#define QUAI_ST_FAILED   "failed"
#define QUAI_ST_CANCELED "canceled"
#define QUAI_ST_SKIPPED  "skipped"

struct quai_store_trigger {
	const char *project;
	const char *branch;      /* or NULL for a tag */
	const char *ref;         /* refs/heads/x, refs/tags/v1, refs/merge-requests/1/head... */
	const char *sha;         /* 40 hex, or NULL: the ref's head when the run starts */
	const char *before;      /* the previous head for a push, or NULL */
	const char *trigger;     /* "webhook", "api", "poll", "schedule", "retry" */
	const char *event;       /* "push", "tag", "merge_request", "pull_request", ... */
	const char *delivery;    /* the forge's delivery id, or NULL: no de-duplication */
	const char *const *jobs; /* job names, NULL-terminated */
	const char *only;        /* "img,img": run only these images (base-image watch), or NULL */
	const char *note;        /* why it runs, shown by the API ("base image x changed ..."), or NULL */
};

int quai_store_open(struct quai_store **out, const char *path, struct quai_error **err);
void quai_store_close(struct quai_store *s);
/* The schema version of an open store. */
int quai_store_version(struct quai_store *s);

/* Records a delivery and queues its pipeline and jobs in one transaction.
 * When the project already had a delivery of that id, *duplicate is set
 * and nothing is written (*out_id 0). */
int quai_store_enqueue(struct quai_store *s, const struct quai_store_trigger *t, int64_t *out_id,
                       bool *duplicate, struct quai_error **err);

struct quai_store_pipeline {
	int64_t id;
	char *project, *branch, *ref, *sha, *before, *status;
	int attempt;
	char *only; /* see quai_store_trigger */
};
void quai_store_pipeline_release(struct quai_store_pipeline *p);

/* The queued pipelines of project (NULL: of all), oldest first, at most max. */
int quai_store_queued(struct quai_store *s, const char *project, struct quai_store_pipeline **out, size_t *n,
                      size_t max, struct quai_error **err);
/* Queued pipelines of projects not in names (NULL-terminated) fail: their
 * project left the configuration. */
int quai_store_fail_orphans(struct quai_store *s, const char *const *names, struct quai_error **err);
int quai_store_pipeline_get(struct quai_store *s, int64_t id, struct quai_store_pipeline *out,
                            struct quai_error **err);
/* Job ids and names of a pipeline, in order (names NULL-terminated). */
int quai_store_pipeline_jobs(struct quai_store *s, int64_t pipeline, int64_t **ids, char ***names, size_t *n,
                             struct quai_error **err);

/* queued → running (sets started); fails if it was no longer queued. */
int quai_store_pipeline_start(struct quai_store *s, int64_t id, const char *sha, struct quai_error **err);
/* Records the commit a pipeline runs once resolved. */
int quai_store_pipeline_set_sha(struct quai_store *s, int64_t id, const char *sha);
/* The status of the last finished (success or failed) pipeline of the same
 * project and branch before id, into buf; -1 when there is none. */
int quai_store_previous_status(struct quai_store *s, int64_t id, char *buf, size_t size);
/* The commit of the newest successful pipeline of project/branch before
 * id, in *sha (caller frees), or NULL. */
int quai_store_last_success_sha(struct quai_store *s, int64_t id, char **sha);
int quai_store_pipeline_finish(struct quai_store *s, int64_t id, const char *status, const char *message,
                               struct quai_error **err);
int quai_store_job_start(struct quai_store *s, int64_t job, const char *log_path, struct quai_error **err);
int quai_store_job_finish(struct quai_store *s, int64_t job, const char *status, int exit_code,
                          size_t log_bytes, const char *report_json, struct quai_error **err);
int quai_store_job_log_bytes(struct quai_store *s, int64_t job, size_t bytes);
/* The process (and process group) id of a running job's command. */
int quai_store_job_set_pid(struct quai_store *s, int64_t job, long pid);
/* The recorded pids of running jobs and their pipelines (caller frees). */
int quai_store_running_pids(struct quai_store *s, long **pids, int64_t **pipelines, size_t *n);

/* Cancels a queued pipeline (→ canceled, *was_running false) or reports a
 * running one (*was_running true, the caller stops it). -1 when the
 * pipeline does not exist or has finished (status QUAI_EXIT_FINDINGS). */
int quai_store_cancel(struct quai_store *s, int64_t id, bool *was_running, struct quai_error **err);
/* Queues a copy of pipeline id (trigger "retry"); *out_id the new one. */
int quai_store_retry(struct quai_store *s, int64_t id, int64_t *out_id, struct quai_error **err);
/* Older queued pipelines of project/branch than id: canceled. The ids of
 * older running ones go to *running (caller frees) for the caller to stop. */
int quai_store_supersede(struct quai_store *s, int64_t id, int64_t **running, size_t *nrunning,
                         struct quai_error **err);

/* After a crash: running pipelines → queued again (attempt + 1) or
 * failed ("interrupted"); their running jobs likewise. *n how many. */
int quai_store_recover(struct quai_store *s, bool requeue, size_t *n, struct quai_error **err);
/* Deletes the oldest finished pipelines of project beyond keep; their log
 * paths go to *paths (NULL-terminated, caller frees each and the array). */
int quai_store_prune(struct quai_store *s, const char *project, unsigned keep, char ***paths,
                     struct quai_error **err);

struct quai_store_filter {
	const char *project, *branch, *status;
	int64_t before_id; /* 0: newest */
	unsigned limit;    /* default 50, at most 500 */
};
/* JSON for the API: a list of pipelines, one pipeline with its jobs, a
 * list of jobs. -1 with QUAI_EXIT_FINDINGS status when id does not exist. */
int quai_store_pipelines_json(struct quai_store *s, const struct quai_store_filter *f, struct json_t **out,
                              struct quai_error **err);
int quai_store_pipeline_json(struct quai_store *s, int64_t id, struct json_t **out, struct quai_error **err);
int quai_store_job_json(struct quai_store *s, int64_t id, struct json_t **out, struct quai_error **err);
/* The job's log path (caller frees) and whether it is still running. */
int quai_store_job_log(struct quai_store *s, int64_t id, char **path, bool *running, struct quai_error **err);

/* Counts of pipelines and jobs by status, for /metrics: calls fn once per
 * (kind "pipelines"/"jobs", status, count). */
int quai_store_counts(struct quai_store *s,
                      void (*fn)(void *ctx, const char *kind, const char *status, long long n), void *ctx);

/* API tokens, kept as the hex SHA-256 of the token. role: "admin" or "read". */
int quai_store_token_add(struct quai_store *s, const char *name, const char *hash_hex, const char *role,
                         struct quai_error **err);
/* The role of the token with that hash in *role (static string), or NULL. */
int quai_store_token_role(struct quai_store *s, const char *hash_hex, const char **role);

/* Digests of the base images seen by the base-image watch; *digest NULL
 * when never seen (caller frees). */
int quai_store_base_digest_get(struct quai_store *s, const char *project, const char *ref, char **digest);
int quai_store_base_digest_set(struct quai_store *s, const char *project, const char *ref,
                               const char *digest);

/* Branch heads seen by polling; *sha NULL when never seen (caller frees). */
int quai_store_head_get(struct quai_store *s, const char *project, const char *branch, char **sha);
int quai_store_head_set(struct quai_store *s, const char *project, const char *branch, const char *sha);

#endif

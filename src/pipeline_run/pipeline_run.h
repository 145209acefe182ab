/* Running a loaded pipeline: stage order and the needs DAG, up to N jobs
 * at once, when:, allow_failure, retry, timeout, artifacts, dotenv, cache,
 * live prefixed and masked logs, a final table and a JSON report. */
#ifndef QUAI_PIPELINE_RUN_PIPELINE_RUN_H
#define QUAI_PIPELINE_RUN_PIPELINE_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/error.h"
#include "executor/executor.h"
#include "pipeline/pipeline.h"

/* One entry of `executors:` in quai.yml. */
struct quai_pipeline_run_executor {
	char *name;
	enum quai_executor_type type;
	char **tags; /* NULL-terminated, may be NULL */
	bool docker_socket;
	bool privileged;
	long long memory; /* docker: the container's memory limit in bytes (`memory: 512m`); 0: none */
};

/* Reads `executors:` from PROJECT_DIR/quai.yml when it exists (none: *out
 * NULL, *n 0). Errors have file:line:col. */
int quai_pipeline_run_executors_load(struct quai_pipeline_run_executor **out, size_t *n,
                                     const char *project_dir, struct quai_error **err);
void quai_pipeline_run_executors_free(struct quai_pipeline_run_executor *x, size_t n);

enum quai_pipeline_run_status {
	QUAI_RUN_PENDING,
	QUAI_RUN_RUNNING,
	QUAI_RUN_SUCCESS,
	QUAI_RUN_FAILED,
	QUAI_RUN_SKIPPED,
	QUAI_RUN_MANUAL,
	QUAI_RUN_CANCELED,
};

/* "success", "failed", "skipped", "manual", "canceled" ("pending", "running"). */
const char *quai_pipeline_run_status_name(enum quai_pipeline_run_status s);

struct quai_pipeline_run_options {
	const char *const *only;   /* --job NAME: run only these (NULL: all) */
	const char *const *manual; /* --manual NAME: run these manual jobs */
	int jobs;                  /* at most this many at once (<1: 1) */
	const struct quai_pipeline_run_executor *executors;
	size_t nexecutors;
	const char *cache_dir; /* NULL: PROJECT/.quai/cache */
	const char *report;    /* --report FILE.json, or NULL */
	FILE *out;             /* the live log and the table; NULL: stdout */
};

/* Runs the pipeline's created jobs. Returns 0 when the pipeline passed, 1
 * when it failed (a job failed without allow_failure, or it was
 * interrupted), -1 with an error when it could not run at all. */
int quai_pipeline_run(const struct quai_pipeline *p, const struct quai_pipeline_run_options *opts,
                      struct quai_error **err);

/* Parses a dotenv report (KEY=VALUE lines, # comments, blank lines) into
 * out; -1 on a malformed line. */
int quai_pipeline_run_dotenv_parse(struct quai_pipeline_vars *out, const char *text, size_t len);

#endif

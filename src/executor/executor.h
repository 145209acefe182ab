/* Executors: where one pipeline job's script runs.
 *
 * A job is prepared on the host in a working directory (the checkout,
 * the artifacts of the jobs it depends on, its cache); an executor runs
 * the script against that directory and leaves the result there:
 *   - shell: on the host, in the directory itself, as a process group
 *     killed as a whole on timeout or interrupt;
 *   - docker: in a container of the job's image with the directory at
 *     CI_PROJECT_DIR: bind-mounted (with its .tmp sibling) when the engine
 *     is on this machine (a unix socket) and we are root, else copied in
 *     through the archive API and copied back out at the end
 *     (QUAI_DOCKER_COPY=archive forces the copy); services on a per-job
 *     network, everything labelled io.quai.run and removed at the end.
 * Output (stdout and stderr together) goes to out_fd as it comes. */
#ifndef QUAI_EXECUTOR_EXECUTOR_H
#define QUAI_EXECUTOR_EXECUTOR_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/error.h"

/* ---- masking ---- */

/* Replaces every occurrence of the masked values in a stream with
 * "[MASKED]", also when a value is split across chunks: it holds back the
 * last (longest value - 1) bytes until more comes or the stream ends. */
struct quai_executor_masker {
	char **values; /* NULL-terminated, owned */
	size_t maxlen;
	struct quai_buf pending;
};

/* values: NULL-terminated; empty values and values shorter than 1 byte are
 * ignored. */
void quai_executor_masker_init(struct quai_executor_masker *m, const char *const *values);
/* Feeds data; appends what can be shown to out. */
void quai_executor_masker_feed(struct quai_executor_masker *m, const char *data, size_t len,
                               struct quai_buf *out);
/* The end of the stream: appends the rest. */
void quai_executor_masker_flush(struct quai_executor_masker *m, struct quai_buf *out);
void quai_executor_masker_release(struct quai_executor_masker *m);

/* ---- scripts ---- */

/* The shell text a job runs, as gitlab-runner builds it: before_script and
 * script in a subshell with `set -e` (and pipefail under bash), each
 * command echoed as "$ cmd" first; then after_script in its own subshell
 * with CI_JOB_STATUS set to success or failed; the exit status is the
 * script's. Vectors are NULL-terminated and may be NULL. */
char *quai_executor_script(const char *const *before, const char *const *script, const char *const *after);

/* ---- running ---- */

enum quai_executor_type {
	QUAI_EXECUTOR_SHELL,
	QUAI_EXECUTOR_DOCKER,
};

struct quai_executor_service {
	const char *image;
	const char *const *aliases; /* network aliases, NULL-terminated */
	const char *const *command; /* NULL: the image's */
	const char *const *entrypoint;
	const char *const *env; /* "K=V" */
};

struct quai_executor_job {
	enum quai_executor_type type;
	const char *name;       /* for messages and container names */
	const char *script;     /* quai_executor_script's text */
	const char *const *env; /* "K=V": the job's variables */
	/* shell: the directory the script runs in. docker: the host directory
	 * whose contents are copied to project_dir in the container (and back). */
	const char *workdir;
	/* docker: extra files copied in as they are: a host directory whose
	 * contents land under "/" (file variables); may be NULL. When the
	 * project directory is bind-mounted, only rootdir/project_dir and
	 * rootdir/project_dir.tmp reach the container (workdir must be the
	 * former); prestart makes them. */
	const char *rootdir;
	const char *project_dir; /* docker: CI_PROJECT_DIR in the container */
	long timeout_s;
	int out_fd;

	/* docker */
	const char *image;
	const char *const *entrypoint; /* NULL: cleared */
	const struct quai_executor_service *services;
	size_t nservices;
	bool docker_socket; /* bind-mount the engine's unix socket */
	bool privileged;
	long long memory;   /* bytes; 0: no limit */
	const char *run_id; /* io.quai.run label */
	/* docker: copy project_dir back out into workdir's parent at the end
	 * (only needed when artifacts or cache are collected from it) */
	bool copy_out;
	/* docker: leave the containers and network for quai_executor_release,
	 * so the caller can report the result first */
	bool defer_cleanup;
	/* docker: a container quai_executor_prestart made for this job (then
	 * the variables and the script reach it as a file, with the checkout) */
	void *prestarted;
	/* set from a signal handler: stop the job (the executor kills it) */
	volatile int *interrupted;
};

struct quai_executor_result {
	int exit_code; /* the script's exit status; -1 when it did not run */
	bool timed_out;
	bool oom_killed;
	bool canceled;
	void *pending; /* what defer_cleanup left; see quai_executor_release */
};

/* docker, jobs without services: creates and starts the job's container
 * ahead of time (image, entrypoint, rootdir, project_dir, socket,
 * privileged, memory, run_id of job are used), waiting for its script to be copied in;
 * quai_executor_run with job->prestarted = *out then copies the checkout and
 * the script in. Takes the engine's container creation and start off the
 * job's critical path. Release an unused one with quai_executor_prestart_release. */
int quai_executor_prestart(void **out, const struct quai_executor_job *job, struct quai_error **err);
void quai_executor_prestart_release(void *prestarted);

/* Removes what a run with defer_cleanup left (containers, network). */
void quai_executor_release(struct quai_executor_result *res);

/* Runs the job. -1 with an error when it could not be run at all (the
 * image cannot be pulled, the engine does not answer); a script that fails
 * is 0 with its exit status in res. */
int quai_executor_run(const struct quai_executor_job *job, struct quai_executor_result *res,
                      struct quai_error **err);

/* Runs argv (argv[0] looked up in PATH) with cwd (NULL: ours), stdin from
 * in_fd (-1: /dev/null), stdout to out_fd (-1: /dev/null), stderr to
 * err_fd (-1: same as out_fd); returns its exit status, 128+N when killed by
 * signal N, -1 when it could not be started. */
int quai_executor_spawn(const char *const *argv, const char *cwd, int in_fd, int out_fd, int err_fd);

#endif

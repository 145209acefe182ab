/* Running pipelines: a queue (the store's queued pipelines, oldest first)
 * drained with per-project and global concurrency, one worker thread per
 * running pipeline, polling of remotes and cron schedules.
 *
 * A worker updates the project's mirror, checks the commit out into
 * DATA_DIR/runs/ID/src, and runs each job's command there as a child
 * process in its own process group (fork/exec with an argv array: quai
 * run --report FILE, or the project's `command`), its output streamed into
 * DATA_DIR/logs/PIPELINE/JOB.log, capped at log_max_bytes. */
#ifndef QUAI_SCHEDULER_SCHEDULER_H
#define QUAI_SCHEDULER_SCHEDULER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "server/config.h"
#include "store/store.h"

struct quai_scheduler;

/* Starts the scheduler thread. quai_bin is the quai binary the default
 * commands run. cfg and store must outlive the scheduler. */
int quai_scheduler_start(struct quai_scheduler **out, const struct quai_server_config *cfg,
                         struct quai_store *store, const char *quai_bin, struct quai_error **err);
/* Stops starting pipelines, stops the running ones (SIGTERM to their
 * process groups, SIGKILL after 5 s), waits for every worker, frees. The
 * pipelines stopped stay "running" in the store, so the next start
 * re-queues them (see quai_store_recover). */
void quai_scheduler_stop(struct quai_scheduler *s);
/* Something was queued: look at the queue now. */
void quai_scheduler_wake(struct quai_scheduler *s);
/* Pipeline id was queued: cancels the older pipelines of its branch when
 * the project says cancel_previous, and looks at the queue now. */
void quai_scheduler_queued(struct quai_scheduler *s, int64_t id);
/* Stops a running pipeline; 0 when it was running here. */
int quai_scheduler_cancel(struct quai_scheduler *s, int64_t pipeline);
/* The job names a project's pipelines have (NULL-terminated, static). */
const char *const *quai_scheduler_jobs(const struct quai_project_config *p);

/* After a crash, before quai_store_recover: stops the process groups of
 * the jobs the store says were running, when /proc shows they are still
 * the job's (QUAI_PIPELINE_ID in their environment). Returns how many. */
size_t quai_scheduler_kill_orphans(struct quai_store *store);

struct quai_scheduler_stats {
	size_t running;
	unsigned long long started, finished;
	/* finished-pipeline durations, for the histogram in /metrics */
	unsigned long long duration_buckets[8]; /* <=10s, 30s, 60s, 300s, 600s, 1800s, 3600s, +Inf */
	double duration_sum;
};
void quai_scheduler_stats(struct quai_scheduler *s, struct quai_scheduler_stats *out);
extern const double quai_scheduler_duration_bounds[7];

#endif

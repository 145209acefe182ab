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

/* A histogram of durations for /metrics: counts per bucket (not
 * cumulative) up to quai_scheduler_duration_bounds, the last one +Inf. */
struct quai_histogram {
	unsigned long long buckets[8];
	double sum;
};
extern const double quai_scheduler_duration_bounds[7]; /* 1 5 10 30 60 300 1800 seconds */
void quai_histogram_observe(struct quai_histogram *h, double seconds);

struct quai_scheduler_stats {
	size_t running;
	unsigned long long started, finished;
	struct quai_histogram pipelines; /* finished pipelines */
	struct quai_histogram builds;    /* image builds that succeeded, from the jobs' reports */
	struct quai_histogram pushes;    /* image pushes that succeeded, from the jobs' reports */
};
void quai_scheduler_stats(struct quai_scheduler *s, struct quai_scheduler_stats *out);

#endif

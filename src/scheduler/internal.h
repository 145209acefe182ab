/* What the scheduler's files share (not part of its interface). */
#ifndef QUAI_SCHEDULER_INTERNAL_H
#define QUAI_SCHEDULER_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "scheduler/scheduler.h"

/* One running pipeline and its worker thread. */
struct run {
	int64_t id;
	size_t project; /* index into cfg->projects */
	pthread_t thread;
	atomic_bool cancel;   /* canceled from the API or superseded */
	atomic_bool shutdown; /* the server stops: leave it "running" for recovery */
	atomic_bool done;     /* the worker has finished; join it */
	atomic_int pgid;      /* the running job's process group, 0 when none */
	struct quai_scheduler *s;
	struct run *next;
};

struct quai_scheduler {
	const struct quai_server_config *cfg;
	struct quai_store *store;
	char *quai_bin;
	pthread_t thread;
	bool thread_started;
	pthread_mutex_t lock; /* everything below */
	pthread_cond_t cond;
	bool stop, wake;
	struct run *runs;
	size_t *project_running;
	size_t running;
	unsigned long long started, finished;
	unsigned long long trimmed_at; /* finished when memory was last trimmed */
	struct quai_histogram pipelines, builds, pushes;
	/* per project, used by the worker and the scheduler thread only */
	pthread_mutex_t *mirror_locks;
	time_t *next_poll;
	time_t *next_base;
	time_t **next_cron;
};

void *quai_scheduler_worker(void *arg);
/* The worker r is done after seconds; wakes the scheduler. */
void quai_scheduler_finished(struct quai_scheduler *s, struct run *r, double seconds);
/* Build and push durations of a job's report (quai run's: images[].build
 * and .push with status and seconds) into the histograms. */
void quai_scheduler_observe_report(struct quai_scheduler *s, const char *report_json);
/* A line on the server's standard error, "quai serve: ...". */
void quai_scheduler_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif

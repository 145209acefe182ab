/* The scheduler thread: the queue, concurrency, polling and cron (see
 * scheduler.h). What one pipeline does is in worker.c. */
#include <errno.h>
#include <jansson.h>
#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/cleanup.h"
#include "core/xalloc.h"
#include "core/buf.h"
#include "registry/registry.h"
#include "scheduler/basewatch.h"
#include "scheduler/checkout.h"
#include "scheduler/cron.h"
#include "scheduler/internal.h"
#include "scheduler/scheduler.h"
#include "core/banned.h"

const double quai_scheduler_duration_bounds[7] = {1, 5, 10, 30, 60, 300, 1800};

void quai_histogram_observe(struct quai_histogram *h, double seconds)
{
	size_t b = 0;
	while (b < 7 && seconds > quai_scheduler_duration_bounds[b])
		b++;
	h->buckets[b]++;
	h->sum += seconds;
}

const char *const *quai_scheduler_jobs(const struct quai_project_config *p)
{
	static const char *const monorepo[] = {"monorepo", NULL};
	static const char *const file[] = {"pipeline", NULL};
	static const char *const both[] = {"monorepo", "pipeline", NULL};
	switch (p->pipeline) {
	case QUAI_PIPELINE_FILE:
		return file;
	case QUAI_PIPELINE_BOTH:
		return both;
	default:
		return monorepo;
	}
}

static ssize_t project_index(const struct quai_server_config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->nprojects; i++)
		if (strcmp(cfg->projects[i].name, name) == 0)
			return (ssize_t)i;
	return -1;
}

/* Joins the workers that are done; under s->lock. */
static void reap(struct quai_scheduler *s)
{
	struct run **pp = &s->runs;
	while (*pp) {
		struct run *r = *pp;
		if (atomic_load(&r->done)) {
			*pp = r->next;
			pthread_join(r->thread, NULL);
			free(r);
		} else {
			pp = &r->next;
		}
	}
}

static void start_run(struct quai_scheduler *s, int64_t id, size_t project)
{
	struct quai_error *err = NULL;
	if (quai_store_pipeline_start(s->store, id, NULL, &err) < 0) {
		quai_error_free(err);
		return;
	}
	struct run *r = xcalloc(1, sizeof(*r));
	r->id = id;
	r->project = project;
	r->s = s;
	atomic_init(&r->cancel, false);
	atomic_init(&r->done, false);
	atomic_init(&r->pgid, 0);
	if (pthread_create(&r->thread, NULL, quai_scheduler_worker, r) != 0) {
		quai_store_pipeline_finish(s->store, id, QUAI_ST_FAILED, "cannot start a worker thread",
		                           NULL);
		free(r);
		return;
	}
	r->next = s->runs;
	s->runs = r;
	s->project_running[project]++;
	s->running++;
	s->started++;
}

static int cmp_pipeline(const void *a, const void *b)
{
	int64_t x = ((const struct quai_store_pipeline *)a)->id,
	        y = ((const struct quai_store_pipeline *)b)->id;
	return x < y ? -1 : x > y;
}

/* Starts what the concurrency limits allow, oldest first among the
 * projects that have room (a paused or busy project's queue, however
 * long, never holds the others up); under s->lock. */
static void dispatch(struct quai_scheduler *s)
{
	if (s->stop || s->running >= s->cfg->concurrency)
		return;
	struct quai_store_pipeline *all = NULL;
	size_t n = 0, cap = 0;
	for (size_t idx = 0; idx < s->cfg->nprojects; idx++) {
		const struct quai_project_config *p = &s->cfg->projects[idx];
		if (p->paused || s->project_running[idx] >= p->concurrency)
			continue;
		struct quai_store_pipeline *q = NULL;
		size_t nq = 0;
		struct quai_error *err = NULL;
		if (quai_store_queued(s->store, p->name, &q, &nq, p->concurrency - s->project_running[idx],
		                      &err) < 0)
			quai_error_free(err);
		all = xgrow(all, &cap, n + nq + 1, sizeof(*all));
		if (nq)
			memcpy(all + n, q, nq * sizeof(*q));
		n += nq;
		free(q);
	}
	if (n)
		qsort(all, n, sizeof(*all), cmp_pipeline);
	for (size_t i = 0; i < n; i++) {
		ssize_t idx = project_index(s->cfg, all[i].project);
		if (s->running < s->cfg->concurrency && idx >= 0 &&
		    s->project_running[idx] < s->cfg->projects[idx].concurrency)
			start_run(s, all[i].id, (size_t)idx);
		quai_store_pipeline_release(&all[i]);
	}
	free(all);
}

static void enqueue_for(struct quai_scheduler *s, const struct quai_project_config *p, const char *branch,
                        const char *sha, const char *before, const char *trigger, const char *delivery,
                        const char *only, const char *note)
{
	cleanup_free char *ref = xasprintf("refs/heads/%s", branch);
	struct quai_store_trigger t = {
	    .project = p->name,
	    .branch = branch,
	    .ref = ref,
	    .sha = sha,
	    .before = before,
	    .trigger = trigger,
	    .event = "push",
	    .delivery = delivery,
	    .jobs = quai_scheduler_jobs(p),
	    .only = only,
	    .note = note,
	};
	if (only)
		t.event = "base-image";
	int64_t id;
	bool dup;
	struct quai_error *err = NULL;
	if (quai_store_enqueue(s->store, &t, &id, &dup, &err) < 0) {
		quai_scheduler_log("project '%s': cannot queue a %s pipeline: %s", p->name, trigger,
		                   err->msg);
		quai_error_free(err);
		return;
	}
	if (!dup)
		quai_scheduler_queued(s, id);
}

static void enqueue(struct quai_scheduler *s, const struct quai_project_config *p, const char *branch,
                    const char *sha, const char *before, const char *trigger, const char *delivery)
{
	enqueue_for(s, p, branch, sha, before, trigger, delivery, NULL, NULL);
}

/* Credentials for a base's registry: the project's own for its registry,
 * else what the docker CLI would use. */
static void base_creds(const struct quai_project_config *p, const char *host, struct quai_registry_creds *c)
{
	memset(c, 0, sizeof(*c));
	if (p->registry && p->registry_user && p->registry_password) {
		cleanup_free char *mine = quai_registry_key(p->registry);
		cleanup_free char *theirs = quai_registry_key(host);
		if (strcmp(mine, theirs) == 0) {
			c->username = xstrdup(p->registry_user);
			c->password = xstrdup(p->registry_password);
			return;
		}
	}
	struct quai_error *err = NULL;
	if (quai_registry_creds_find(c, host, &err) < 0)
		quai_error_free(err);
}

/* One base: HEAD its manifest; a digest that moved queues the pipeline for
 * the images built on it. */
static void check_base(struct quai_scheduler *s, const struct quai_project_config *p,
                       const struct quai_base_use *u)
{
	struct quai_registry_ref ref;
	struct quai_error *err = NULL;
	if (quai_registry_ref_parse(&ref, u->ref, &err) < 0) {
		quai_error_free(err);
		return;
	}
	struct quai_registry_creds c;
	base_creds(p, ref.host, &c);
	char *digest = NULL;
	int rc =
	    quai_registry_manifest_digest(&digest, ref.host, ref.repo, ref.tag, c.username ? &c : NULL, &err);
	quai_registry_creds_release(&c);
	if (rc < 0 || !digest) {
		quai_scheduler_log("project '%s': base image '%s': %s", p->name, u->ref,
		                   err ? err->msg : "no such tag");
		quai_error_free(err);
		quai_registry_ref_release(&ref);
		return;
	}
	char *old = NULL;
	quai_store_base_digest_get(s->store, p->name, u->ref, &old);
	if (old && strcmp(old, digest) != 0) {
		struct quai_buf only = QUAI_BUF_INIT;
		for (size_t i = 0; u->images[i]; i++)
			quai_buf_printf(&only, "%s%s", i ? "," : "", u->images[i]);
		cleanup_free char *note = xasprintf("base image %s changed: %s -> %s", u->ref, old, digest);
		cleanup_free char *delivery = xasprintf("base:%s:%s", u->ref, digest);
		if (only.len)
			enqueue_for(s, p, p->default_branch, NULL, NULL, "base-image", delivery,
			            quai_buf_str(&only), note);
		quai_buf_release(&only);
	}
	if (!old || strcmp(old, digest) != 0)
		quai_store_base_digest_set(s->store, p->name, u->ref, digest);
	free(old);
	free(digest);
	quai_registry_ref_release(&ref);
}

static void watch_bases(struct quai_scheduler *s, size_t idx)
{
	const struct quai_project_config *p = &s->cfg->projects[idx];
	cleanup_free char *mirror = xasprintf("%s/mirrors/%s.git", s->cfg->data_dir, p->name);
	struct quai_base_use *uses = NULL;
	size_t n = 0;
	struct quai_error *err = NULL;
	pthread_mutex_lock(&s->mirror_locks[idx]);
	int rc = quai_checkout_fetch(p, mirror, NULL, &err);
	if (rc == 0)
		rc = quai_basewatch_scan(&uses, &n, mirror, p->default_branch, p->name, &err);
	pthread_mutex_unlock(&s->mirror_locks[idx]);
	if (rc < 0) {
		quai_scheduler_log("project '%s': base-image watch: %s", p->name, err->msg);
		quai_error_free(err);
		return;
	}
	for (size_t i = 0; i < n && !s->stop; i++)
		check_base(s, p, &uses[i]);
	quai_base_uses_free(uses, n);
}

/* Lists the remote's branches; queues a pipeline for every head that moved
 * since the last poll (the first poll only records them). */
static void poll_project(struct quai_scheduler *s, const struct quai_project_config *p)
{
	char **names = NULL, **shas = NULL;
	struct quai_error *err = NULL;
	if (quai_checkout_ls_remote(p, &names, &shas, &err) < 0) {
		quai_scheduler_log("project '%s': poll: %s", p->name, err->msg);
		quai_error_free(err);
	}
	for (size_t i = 0; names && names[i]; i++) {
		char *old = NULL;
		quai_store_head_get(s->store, p->name, names[i], &old);
		if (old && strcmp(old, shas[i]) != 0) {
			cleanup_free char *delivery = xasprintf("poll:%s:%s", names[i], shas[i]);
			enqueue(s, p, names[i], shas[i], old, "poll", delivery);
		}
		if (!old || strcmp(old, shas[i]) != 0)
			quai_store_head_set(s->store, p->name, names[i], shas[i]);
		free(old);
	}
	for (size_t i = 0; names && names[i]; i++) {
		free(names[i]);
		free(shas[i]);
	}
	free(names);
	free(shas);
}

/* Polls and cron schedules that are due; without s->lock. */
static void timers(struct quai_scheduler *s)
{
	time_t now = time(NULL);
	for (size_t i = 0; i < s->cfg->nprojects; i++) {
		const struct quai_project_config *p = &s->cfg->projects[i];
		if (p->poll_seconds && now >= s->next_poll[i]) {
			s->next_poll[i] = now + p->poll_seconds;
			poll_project(s, p);
		}
		if (p->base_watch_seconds && now >= s->next_base[i]) {
			s->next_base[i] = now + p->base_watch_seconds;
			watch_bases(s, i);
		}
		for (size_t j = 0; j < p->nschedules; j++) {
			time_t *next = &s->next_cron[i][j];
			if (*next < 0 || now < *next)
				continue;
			cleanup_free char *delivery = xasprintf("schedule:%zu:%lld", j, (long long)*next);
			enqueue(s, p, p->schedules[j].branch, NULL, NULL, "schedule", delivery);
			struct quai_cron c;
			quai_cron_parse(&c, p->schedules[j].cron, NULL);
			*next = quai_cron_next(&c, now);
		}
	}
}

static void *loop(void *arg)
{
	struct quai_scheduler *s = arg;
	pthread_mutex_lock(&s->lock);
	while (!s->stop) {
		reap(s);
		dispatch(s);
		pthread_mutex_unlock(&s->lock);
		timers(s);
		pthread_mutex_lock(&s->lock);
		if (!s->wake && !s->stop && s->running == 0 && s->finished != s->trimmed_at) {
			/* idle again: give the memory of the busy time back */
			s->trimmed_at = s->finished;
			malloc_trim(0);
		}
		if (!s->wake && !s->stop) {
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_sec += 1;
			pthread_cond_timedwait(&s->cond, &s->lock, &ts);
		}
		s->wake = false;
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

int quai_scheduler_start(struct quai_scheduler **out, const struct quai_server_config *cfg,
                         struct quai_store *store, const char *quai_bin, struct quai_error **err)
{
	quai_checkout_init();
	struct quai_scheduler *s = xcalloc(1, sizeof(*s));
	s->cfg = cfg;
	s->store = store;
	s->quai_bin = xstrdup(quai_bin);
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->cond, NULL);
	size_t np = cfg->nprojects ? cfg->nprojects : 1;
	s->project_running = xcalloc(np, sizeof(*s->project_running));
	s->mirror_locks = xcalloc(np, sizeof(*s->mirror_locks));
	s->next_poll = xcalloc(np, sizeof(*s->next_poll));
	s->next_base = xcalloc(np, sizeof(*s->next_base));
	s->next_cron = xcalloc(np, sizeof(*s->next_cron));
	time_t now = time(NULL);
	for (size_t i = 0; i < cfg->nprojects; i++) {
		pthread_mutex_init(&s->mirror_locks[i], NULL);
		const struct quai_project_config *p = &cfg->projects[i];
		s->next_cron[i] = xcalloc(p->nschedules + 1, sizeof(time_t));
		for (size_t j = 0; j < p->nschedules; j++) {
			struct quai_cron c;
			s->next_cron[i][j] = quai_cron_parse(&c, p->schedules[j].cron, NULL) == 0
			                         ? quai_cron_next(&c, now)
			                         : -1;
		}
	}
	const char **names = xcalloc(cfg->nprojects + 1, sizeof(char *));
	for (size_t i = 0; i < cfg->nprojects; i++)
		names[i] = cfg->projects[i].name;
	struct quai_error *ferr = NULL;
	if (quai_store_fail_orphans(store, names, &ferr) < 0)
		quai_error_free(ferr);
	free(names);
	if (pthread_create(&s->thread, NULL, loop, s) != 0) {
		quai_error_set(err, 2, "cannot start the scheduler thread");
		s->stop = true;
		quai_scheduler_stop(s);
		return -1;
	}
	s->thread_started = true;
	*out = s;
	return 0;
}

void quai_scheduler_stop(struct quai_scheduler *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	s->stop = true;
	for (struct run *r = s->runs; r; r = r->next)
		atomic_store(&r->shutdown, true);
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
	if (s->thread_started)
		pthread_join(s->thread, NULL);
	/* workers see shutdown within a poll interval and stop their child */
	for (;;) {
		pthread_mutex_lock(&s->lock);
		reap(s);
		bool empty = s->runs == NULL;
		pthread_mutex_unlock(&s->lock);
		if (empty)
			break;
		struct timespec ts = {0, 20000000L};
		nanosleep(&ts, NULL);
	}
	for (size_t i = 0; i < s->cfg->nprojects; i++) {
		pthread_mutex_destroy(&s->mirror_locks[i]);
		free(s->next_cron[i]);
	}
	free(s->next_cron);
	free(s->next_poll);
	free(s->next_base);
	free(s->mirror_locks);
	free(s->project_running);
	free(s->quai_bin);
	pthread_cond_destroy(&s->cond);
	pthread_mutex_destroy(&s->lock);
	free(s);
	quai_checkout_shutdown();
}

void quai_scheduler_wake(struct quai_scheduler *s)
{
	pthread_mutex_lock(&s->lock);
	s->wake = true;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

int quai_scheduler_cancel(struct quai_scheduler *s, int64_t pipeline)
{
	int rc = -1;
	pthread_mutex_lock(&s->lock);
	for (struct run *r = s->runs; r; r = r->next) {
		if (r->id == pipeline && !atomic_load(&r->done)) {
			atomic_store(&r->cancel, true);
			rc = 0;
		}
	}
	pthread_mutex_unlock(&s->lock);
	return rc;
}

void quai_scheduler_queued(struct quai_scheduler *s, int64_t id)
{
	struct quai_store_pipeline p;
	if (quai_store_pipeline_get(s->store, id, &p, NULL) == 0) {
		const struct quai_project_config *pc = quai_server_config_project(s->cfg, p.project);
		if (pc && pc->cancel_previous) {
			int64_t *running = NULL;
			size_t n = 0;
			if (quai_store_supersede(s->store, id, &running, &n, NULL) == 0)
				for (size_t i = 0; i < n; i++)
					quai_scheduler_cancel(s, running[i]);
			free(running);
		}
		quai_store_pipeline_release(&p);
	}
	quai_scheduler_wake(s);
}

void quai_scheduler_stats(struct quai_scheduler *s, struct quai_scheduler_stats *out)
{
	pthread_mutex_lock(&s->lock);
	out->running = s->running;
	out->started = s->started;
	out->finished = s->finished;
	out->pipelines = s->pipelines;
	out->builds = s->builds;
	out->pushes = s->pushes;
	pthread_mutex_unlock(&s->lock);
}

void quai_scheduler_observe_report(struct quai_scheduler *s, const char *report_json)
{
	json_t *r = report_json ? json_loads(report_json, 0, NULL) : NULL;
	size_t i;
	json_t *img;
	pthread_mutex_lock(&s->lock);
	json_array_foreach(json_object_get(r, "images"), i, img)
	{
		static const char *const steps[] = {"build", "push"};
		struct quai_histogram *h[] = {&s->builds, &s->pushes};
		for (int k = 0; k < 2; k++) {
			json_t *st = json_object_get(img, steps[k]);
			const char *status = json_string_value(json_object_get(st, "status"));
			if (status && strcmp(status, "ok") == 0 &&
			    json_is_number(json_object_get(st, "seconds")))
				quai_histogram_observe(h[k],
				                       json_number_value(json_object_get(st, "seconds")));
		}
	}
	pthread_mutex_unlock(&s->lock);
	json_decref(r);
}

void quai_scheduler_finished(struct quai_scheduler *s, struct run *r, double seconds)
{
	pthread_mutex_lock(&s->lock);
	s->project_running[r->project]--;
	s->running--;
	s->finished++;
	quai_histogram_observe(&s->pipelines, seconds);
	s->wake = true;
	pthread_cond_signal(&s->cond);
	atomic_store(&r->done, true);
	pthread_mutex_unlock(&s->lock);
}
